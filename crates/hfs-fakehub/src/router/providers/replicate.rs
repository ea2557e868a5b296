//! replicate (docs/protocol/inference.md#per-task-formats): `POST /replicate/v1/models/{pid}/predictions`,
//! `POST /replicate/v1/predictions` with `version` (for `owner/name:<hash>`),
//! `Prefer: wait` (finished at once for fast jobs, else 202 `starting` with
//! `Preference-Applied`/`Reason` as recorded), `GET /replicate/v1/predictions/{id}`
//! polling and `POST /replicate/v1/predictions/{id}/cancel`. `urls.get` is
//! replicate's own URL, as recorded: clients build the routed poll URL.

use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Ctx, bad_body, json_resp, media, new_job, provider_error, rejection, rfc3339};
use crate::config::SynthModel;
use crate::state::{Job, Phase};

const API: &str = "https://api.replicate.com/v1/predictions";
const CDN: &str = "replicate.delivery";

pub fn handle(ctx: &Ctx) -> Option<Response> {
    let rest = ctx.rest.as_str();
    if let Some(pid) = rest.strip_prefix("v1/models/").and_then(|r| r.strip_suffix("/predictions")) {
        if ctx.method != Method::POST {
            return None;
        }
        // Unconfigured: left to recordings, then the router's 400.
        let m = ctx.model(pid)?;
        return Some(create(ctx, pid, None, m));
    }
    if rest == "v1/predictions" {
        if ctx.method != Method::POST {
            return None;
        }
        let version = ctx.json()?.get("version")?.as_str()?.to_string();
        let (pid, m) = versioned(ctx, &version)?;
        return Some(create(ctx, &pid, Some(version), m));
    }
    let tail = rest.strip_prefix("v1/predictions/")?;
    let (id, op) = tail.split_once('/').unwrap_or((tail, ""));
    match (op, &ctx.method) {
        ("", &Method::GET) => Some(match ctx.state.job("replicate", id, true) {
            Some(job) => json_resp(StatusCode::OK, prediction(ctx, &job)),
            None => missing(),
        }),
        ("cancel", &Method::POST) => Some(match ctx.state.cancel_job("replicate", id) {
            Some(_) => {
                let job = ctx.state.job("replicate", id, false).expect("job just seen");
                json_resp(StatusCode::OK, prediction(ctx, &job))
            }
            None => missing(),
        }),
        _ => None,
    }
}

fn missing() -> Response {
    provider_error("replicate", 404, "The requested resource could not be found.", None)
}

/// The configured `owner/name:<version>` (or bare version) entry.
fn versioned(ctx: &Ctx, version: &str) -> Option<(String, SynthModel)> {
    if let Some(m) = ctx.model(version) {
        return Some((version.to_string(), m));
    }
    let cfg = ctx.state.synth_models("replicate");
    cfg.into_iter()
        .find(|(k, _)| k.rsplit_once(':').is_some_and(|(_, v)| v == version))
        .map(|(k, m)| (k.split(':').next().unwrap_or(&k).to_string(), m))
}

fn create(ctx: &Ctx, pid: &str, version: Option<String>, m: SynthModel) -> Response {
    if let Some(r) = rejection("replicate", &m) {
        return r;
    }
    let Some(input) = ctx.json().and_then(|b| b.get("input").cloned()).filter(Value::is_object) else {
        return bad_body("replicate", "input");
    };
    let wait = ctx.headers.get("prefer").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim_start().starts_with("wait"));
    let model_id = match &version {
        Some(v) => format!("{pid}:{v}"),
        None => pid.to_string(),
    };
    let job = new_job(ctx, ctx.state.new_id("r"), &model_id, m, input);
    let finished = job.phase().is_terminal();
    let mut resp = json_resp(if wait && !finished { StatusCode::ACCEPTED } else { StatusCode::CREATED }, prediction(ctx, &job));
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/{}", job.id)) {
        h.insert("location", v);
    }
    if wait {
        h.insert("preference-applied", HeaderValue::from_static("wait=60"));
        if !finished {
            h.insert("reason", HeaderValue::from_static("wait time exceeded"));
        }
    }
    resp
}

fn prediction(ctx: &Ctx, job: &Job) -> Value {
    let (model, version) = match job.model_id.split_once(':') {
        Some((m, v)) => (m.to_string(), v.to_string()),
        None => (job.model_id.clone(), "hidden".to_string()),
    };
    let phase = job.phase();
    let status = match phase {
        Phase::Queued { .. } => "starting",
        Phase::Running => "processing",
        Phase::Succeeded => "succeeded",
        Phase::Failed => "failed",
        Phase::Canceled => "canceled",
    };
    let output = if phase == Phase::Succeeded {
        let m = &job.model;
        if m.result == "text" {
            json!(m.text.clone().unwrap_or_else(|| "Hello from hfs-fakehub.".into()))
        } else {
            let url = media::url(&ctx.state, CDN, &format!("{}/out-0", job.id), &m.result);
            if m.output_list.unwrap_or(m.result == "image") { json!([url]) } else { json!(url) }
        }
    } else {
        Value::Null
    };
    let logs = match phase {
        Phase::Queued { .. } => "",
        Phase::Running => "Running prediction...\n",
        _ => "Running prediction...\nDone.\n",
    };
    let created = rfc3339(job.created_unix);
    let mut p = json!({
        "id": job.id,
        "model": model,
        "version": version,
        "input": job.input,
        "logs": logs,
        "output": output,
        "data_removed": false,
        "error": if phase == Phase::Failed { json!(job.model.error_message()) } else { Value::Null },
        "status": status,
        "created_at": created,
        "urls": {
            "cancel": format!("{API}/{}/cancel", job.id),
            "get": format!("{API}/{}", job.id),
            "stream": format!("https://stream.replicate.com/v1/files/{}", job.id),
            "web": format!("https://replicate.com/p/{}", job.id),
        },
    });
    if !matches!(phase, Phase::Queued { .. }) {
        p["started_at"] = json!(created);
    }
    if phase.is_terminal() {
        p["completed_at"] = json!(created);
        p["metrics"] = json!({"predict_time": 0.42});
    }
    p
}
