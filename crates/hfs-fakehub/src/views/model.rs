//! Model bodies: info, listing items and Inference Provider mappings, in
//! both shapes the Hub uses (docs/protocol/inference.md#model-mapping).

use serde_json::{Map, Value, json};

use super::ordered::{self, field};
use super::{CREATED_AT, LAST_MODIFIED, fake_hex};
use crate::config::{ModelConfig, ProviderMapping};

/// Every field the fake knows for a model, as `GET /api/models/{id}` has
/// them by default (the listing picks a subset).
pub fn info(id: &str, m: &ModelConfig) -> Map<String, Value> {
    let author = id.split_once('/').map_or(id, |(a, _)| a);
    let mut v = json!({
        "_id": fake_hex(&format!("model:{id}"), 24),
        "id": id,
        "modelId": id,
        "author": author,
        "sha": fake_hex(&format!("model:{id}"), 40),
        "lastModified": LAST_MODIFIED,
        "createdAt": CREATED_AT,
        "private": m.private,
        "gated": false,
        "disabled": false,
        "likes": m.likes,
        "downloads": m.downloads,
        "trendingScore": m.trending_score,
        "tags": m.tags,
        "pipeline_tag": m.pipeline_tag,
        "library_name": m.library_name,
        "siblings": [{ "rfilename": ".gitattributes" }, { "rfilename": "README.md" }],
    });
    if m.providers.iter().any(|p| p.status == "live") {
        // "Served by at least one provider" (`expand[]=inference`).
        v["inference"] = json!("warm");
    }
    match v {
        Value::Object(map) => map,
        _ => unreachable!("built from an object literal"),
    }
}

/// Default listing fields (as used by hf-mcp-server).
pub const LIST_FIELDS: &[&str] =
    &["_id", "id", "modelId", "likes", "downloads", "trendingScore", "private", "tags", "pipeline_tag", "library_name", "createdAt"];

/// The model-info shape: an object keyed by provider, in preference order.
pub fn mapping_object(m: &ModelConfig) -> String {
    let entries: Vec<(String, String)> = m.providers.iter().map(|p| (p.provider.clone(), entry(m, p).to_string())).collect();
    ordered::object(&entries)
}

/// The listing shape: an array of entries that name their provider.
pub fn mapping_array(id: &str, m: &ModelConfig) -> Value {
    m.providers
        .iter()
        .map(|p| {
            let mut e = entry(m, p);
            e["provider"] = json!(p.provider);
            e["hfModelId"] = json!(id);
            e
        })
        .collect()
}

fn entry(m: &ModelConfig, p: &ProviderMapping) -> Value {
    let mut e = json!({ "status": p.status, "providerId": p.provider_id, "task": m.task(p) });
    let optional = [
        ("adapter", p.adapter.clone().map(Value::from)),
        ("adapterWeightsPath", p.adapter_weights_path.clone().map(Value::from)),
        ("type", p.kind.clone().map(Value::from)),
        ("isModelAuthor", p.is_model_author.map(Value::from)),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            e[k] = v;
        }
    }
    e
}

/// The answer to `GET /api/models/{id}`: with `expand`, only `_id`, `id`
/// and the expanded fields, in request order; otherwise every default field.
pub fn info_body(id: &str, m: &ModelConfig, expand: &[&str]) -> String {
    let all = info(id, m);
    if expand.is_empty() {
        return Value::Object(all).to_string();
    }
    let mut fields = vec![field("_id", &all["_id"]), field("id", &all["id"])];
    for &name in expand {
        match name {
            "_id" | "id" => {}
            "inferenceProviderMapping" => fields.push((name.to_string(), mapping_object(m))),
            other => {
                if let Some(v) = all.get(other) {
                    fields.push(field(other, v));
                }
            }
        }
    }
    ordered::object(&fields)
}

/// A listing item: the default fields, or `_id`/`id` plus what `expand` asks.
pub fn list_item(id: &str, m: &ModelConfig, expand: &[&str]) -> Value {
    let all = info(id, m);
    let names: Vec<&str> = if expand.is_empty() { LIST_FIELDS.to_vec() } else { [&["_id", "id"][..], expand].concat() };
    let mut item = Map::new();
    for name in names {
        if name == "inferenceProviderMapping" {
            item.insert(name.into(), mapping_array(id, m));
        } else if let Some(v) = all.get(name) {
            item.insert(name.into(), v.clone());
        }
    }
    Value::Object(item)
}

/// A mapping for a recorded model that has none (the hf-inference
/// recordings hold a plain model lookup): hf-inference serves the model
/// under its own id, for the task its pipeline tag implies.
pub fn hf_inference_mapping(recorded_info: &Value) -> Option<String> {
    let id = recorded_info.get("id")?.as_str()?;
    let tags: Vec<String> = recorded_info
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let task = crate::config::task_for(recorded_info.get("pipeline_tag")?.as_str()?, &tags)?;
    let entry = json!({ "status": "live", "providerId": id, "task": task });
    let mapping = ordered::object(&[field("hf-inference", &entry)]);
    Some(ordered::object(&[
        field("_id", recorded_info.get("_id").unwrap_or(&Value::Null)),
        field("id", &json!(id)),
        ("inferenceProviderMapping".to_string(), mapping),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ModelConfig {
        serde_json::from_str(
            r#"{"pipeline_tag":"text-to-image","likes":3,
                "providers":[{"provider":"replicate","provider_id":"r/x","status":"staging"},
                             {"provider":"fal-ai","provider_id":"fal-ai/x","adapter":"lora","adapter_weights_path":"w.safetensors"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn mapping_object_keeps_preference_order() {
        let body = info_body("o/m", &model(), &["inferenceProviderMapping"]);
        assert!(body.starts_with(r#"{"_id":""#), "{body}");
        let r = body.find("\"replicate\"").unwrap();
        let f = body.find("\"fal-ai\"").unwrap();
        assert!(r < f, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["inferenceProviderMapping"]["fal-ai"]["adapterWeightsPath"], "w.safetensors");
        assert_eq!(v["inferenceProviderMapping"]["replicate"]["task"], "text-to-image");
        assert!(v.get("likes").is_none());
    }

    #[test]
    fn list_items_carry_the_array_shape_when_expanded() {
        let item = list_item("o/m", &model(), &["inferenceProviderMapping"]);
        assert_eq!(item["inferenceProviderMapping"][0]["provider"], "replicate");
        assert_eq!(item["inferenceProviderMapping"][1]["hfModelId"], "o/m");
        let plain = list_item("o/m", &model(), &[]);
        assert_eq!(plain["likes"], 3);
        assert_eq!(plain["pipeline_tag"], "text-to-image");
        assert!(plain.get("inferenceProviderMapping").is_none());
    }

    #[test]
    fn recorded_chat_models_map_as_conversational() {
        let rec = json!({"_id": "x", "id": "m/chat", "pipeline_tag": "text-generation", "tags": ["conversational"]});
        let v: Value = serde_json::from_str(&hf_inference_mapping(&rec).unwrap()).unwrap();
        assert_eq!(
            v,
            json!({"_id": "x", "id": "m/chat", "inferenceProviderMapping": {"hf-inference": {"status": "live", "providerId": "m/chat", "task": "conversational"}}})
        );
    }
}
