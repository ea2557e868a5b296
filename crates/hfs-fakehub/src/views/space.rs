//! Space info, runtime and host bodies, shaped like the real Hub's
//! (docs/protocol/inference.md#hub-apis; runtime fields as in the recorded
//! `test_space_runtime` cassette and `spaces-semantic-search.json`).

use serde_json::{Value, json};

use super::{CREATED_AT, LAST_MODIFIED, fake_hex};
use crate::config::SpaceConfig;

/// The Hub's subdomain rule: lower-case, `/`, `_` and `.` become `-`
/// (`black-forest-labs/FLUX.1-schnell` → `black-forest-labs-flux-1-schnell`).
pub fn subdomain(id: &str) -> String {
    id.to_lowercase().chars().map(|c| if matches!(c, '/' | '_' | '.') { '-' } else { c }).collect()
}

/// Stages in which an app is serving, so hardware/replicas are "current".
fn is_serving(stage: &str) -> bool {
    matches!(stage, "RUNNING" | "RUNNING_BUILDING" | "RUNNING_APP_STARTING")
}

/// `host:port` of the configured host; stands in for `<sub>.hf.space` so
/// a client that follows `domains` still stays on the local machine.
fn domain(host: &str) -> &str {
    let rest = host.split_once("://").map_or(host, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

pub fn host(id: &str, space: &SpaceConfig) -> Value {
    json!({ "host": space.host, "subdomain": subdomain(id) })
}

pub fn runtime(id: &str, space: &SpaceConfig, stage: &str) -> Value {
    let serving = is_serving(stage);
    let mut replicas = json!({ "requested": 1 });
    let mut runtime = json!({
        "stage": stage,
        "hardware": {
            "current": if serving { Value::from(space.hardware.as_str()) } else { Value::Null },
            "requested": space.hardware,
        },
        "storage": null,
        "gcTimeout": 172800,
        "devMode": false,
        "domains": [{ "domain": domain(&space.host), "stage": "READY" }],
    });
    if serving {
        // The recorded BUILDING runtime has no `current` replica count or
        // sha; running ones (semantic-search fixture) have both.
        replicas["current"] = json!(1);
        runtime["sha"] = json!(fake_hex(id, 40));
    }
    runtime["replicas"] = replicas;
    if let Some(msg) = &space.error_message {
        runtime["errorMessage"] = json!(msg);
    }
    runtime
}

pub fn info(id: &str, space: &SpaceConfig, stage: &str) -> Value {
    let (author, name) = id.split_once('/').unwrap_or((id, id));
    let mut card = json!({
        "title": name,
        "emoji": "🚀",
        "colorFrom": "indigo",
        "colorTo": "indigo",
        "sdk": space.sdk,
        "pinned": false,
    });
    if let Some(v) = &space.sdk_version {
        card["sdk_version"] = json!(v);
    }
    let entry_file = match space.sdk.as_str() {
        "docker" => "Dockerfile",
        "static" => "index.html",
        _ => {
            card["app_file"] = json!("app.py");
            "app.py"
        }
    };
    json!({
        "_id": fake_hex(id, 24),
        "id": id,
        "author": author,
        "sha": fake_hex(id, 40),
        "lastModified": LAST_MODIFIED,
        "createdAt": CREATED_AT,
        "private": space.private,
        "gated": false,
        "disabled": false,
        "host": space.host,
        "subdomain": subdomain(id),
        "likes": space.likes,
        "sdk": space.sdk,
        "tags": [space.sdk, "region:us"],
        "title": name,
        "emoji": "🚀",
        "cardData": card,
        "siblings": [
            { "rfilename": ".gitattributes" },
            { "rfilename": "README.md" },
            { "rfilename": entry_file },
        ],
        "runtime": runtime(id, space, stage),
        "models": [],
        "datasets": [],
        "trendingScore": 0,
        "usedStorage": 0,
    })
}

/// Default `/api/spaces` listing fields (docs/protocol/inference.md#hub-apis).
const LIST_FIELDS: &[&str] = &["_id", "id", "likes", "private", "sdk", "tags", "createdAt"];

/// A listing item: default fields, everything with `full`, or `_id`/`id`
/// plus the `expand` fields.
pub fn list_item(id: &str, space: &SpaceConfig, stage: &str, expand: &[&str], full: bool) -> Value {
    let all = info(id, space, stage);
    if full {
        return all;
    }
    let names: Vec<&str> = if expand.is_empty() { LIST_FIELDS.to_vec() } else { [&["_id", "id"][..], expand].concat() };
    let mut item = serde_json::Map::new();
    for name in names {
        if let Some(v) = all.get(name) {
            item.insert(name.to_string(), v.clone());
        }
    }
    Value::Object(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomain_matches_real_hub_examples() {
        assert_eq!(subdomain("black-forest-labs/FLUX.1-schnell"), "black-forest-labs-flux-1-schnell");
        assert_eq!(subdomain("evalstate/flux1_schnell"), "evalstate-flux1-schnell");
    }

    #[test]
    fn domain_is_host_authority() {
        assert_eq!(domain("http://127.0.0.1:7860/"), "127.0.0.1:7860");
        assert_eq!(domain("https://a.hf.space"), "a.hf.space");
    }
}
