//! wavespeed (docs/protocol/inference.md#per-task-formats): `POST /wavespeed/api/v3/{pid}` submits a
//! job; `GET /wavespeed/api/v3/predictions/{id}/result` polls it through
//! `created → processing → completed | failed`, `data.outputs` holding URLs.
//! `data.urls.get` is wavespeed's own URL: clients keep only its path.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Ctx, bad_body, json_resp, media, new_job, not_supported, provider_error, rejection};
use crate::state::{Job, Phase};

const API: &str = "https://api.wavespeed.ai/api/v3/predictions";
const CDN: &str = "d1q70pf5vjeyhc.cloudfront.net";

pub fn handle(ctx: &Ctx) -> Option<Response> {
    let rest = ctx.rest.strip_prefix("api/v3/")?;
    if let Some(tail) = rest.strip_prefix("predictions/") {
        let id = tail.strip_suffix("/result").unwrap_or(tail);
        if ctx.method != Method::GET || id.contains('/') {
            return None;
        }
        return Some(match ctx.state.job("wavespeed", id, true) {
            Some(job) => json_resp(StatusCode::OK, envelope(ctx, &job)),
            None => provider_error("wavespeed", 404, "prediction not found", None),
        });
    }
    if ctx.method != Method::POST {
        return None;
    }
    let Some(m) = ctx.model(rest) else {
        return Some(not_supported("wavespeed"));
    };
    if let Some(r) = rejection("wavespeed", &m) {
        return Some(r);
    }
    let Some(body) = ctx.json() else {
        return Some(bad_body("wavespeed", "prompt"));
    };
    if !body.contains_key("prompt") && !body.contains_key("image") {
        return Some(bad_body("wavespeed", "prompt"));
    }
    let id = ctx.state.new_id("");
    let job = new_job(ctx, id, rest, m, Value::Object(body));
    Some(json_resp(StatusCode::OK, envelope(ctx, &job)))
}

fn envelope(ctx: &Ctx, job: &Job) -> Value {
    let phase = job.phase();
    let status = match phase {
        Phase::Queued { .. } => "created",
        Phase::Running => "processing",
        Phase::Succeeded => "completed",
        Phase::Failed | Phase::Canceled => "failed",
    };
    let outputs = if phase == Phase::Succeeded { json!([media::url(&ctx.state, CDN, &job.id, &job.model.result)]) } else { json!([]) };
    let error = match phase {
        Phase::Failed => job.model.error_message(),
        _ => String::new(),
    };
    json!({
        "code": 200,
        "message": "success",
        "data": {
            "id": job.id,
            "model": job.model_id,
            "outputs": outputs,
            "urls": {"get": format!("{API}/{}/result", job.id)},
            "has_nsfw_contents": [],
            "status": status,
            "created_at": super::rfc3339(job.created_unix),
            "error": error,
            "executionTime": 0,
            "timings": {"inference": 0},
        }
    })
}
