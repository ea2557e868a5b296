//! together (docs/protocol/inference.md#per-task-formats): `/v2/videos` jobs
//! (create → `GET /v2/videos/{id}` → `outputs.video_url`), and sync
//! `/v1/images/generations` (`b64_json`), `/v1/audio/speech` (raw audio),
//! `/v1/embeddings`. The model is the body's `model`. nscale's
//! `/v1/images/generations` (`response_format: b64_json`) is answered the
//! same way.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

use super::{Ctx, bad_body, json_resp, media, new_job, not_supported, provider_error, rejection};
use crate::state::{Job, Phase};

const CDN: &str = "api.together.ai";

pub fn handle(ctx: &Ctx) -> Option<Response> {
    let rest = ctx.rest.as_str();
    if let Some(id) = rest.strip_prefix("v2/videos/") {
        if ctx.method != Method::GET {
            return None;
        }
        return Some(match ctx.state.job("together", id, true) {
            Some(job) => json_resp(StatusCode::OK, video(ctx, &job)),
            None => provider_error("together", 404, &format!("Video job {id} not found"), None),
        });
    }
    if ctx.method != Method::POST || !matches!(rest, "v2/videos" | "v1/images/generations" | "v1/audio/speech" | "v1/embeddings") {
        return None;
    }
    let body = ctx.json()?;
    let model_id = body.get("model")?.as_str()?.to_string();
    let provider = ctx.provider.as_str();
    let Some(m) = ctx.model(&model_id) else {
        return Some(not_supported(provider));
    };
    if let Some(r) = rejection(provider, &m) {
        return Some(r);
    }
    if m.fail && rest != "v2/videos" {
        return Some(provider_error(provider, 500, &m.error_message(), None));
    }
    Some(match rest {
        "v2/videos" => {
            if !body.contains_key("prompt") && !body.contains_key("frame_images") {
                return Some(bad_body("together", "prompt"));
            }
            let job = new_job(ctx, ctx.state.new_id("vid_"), &model_id, m, Value::Object(body));
            json_resp(StatusCode::OK, video(ctx, &job))
        }
        "v1/images/generations" => {
            if !body.contains_key("prompt") {
                return Some(bad_body(provider, "prompt"));
            }
            let id = ctx.state.new_id("img_");
            let item = if body.get("response_format").and_then(Value::as_str) == Some("url") {
                json!({"index": 0, "url": media::url(&ctx.state, CDN, &id, "image"),
                       "timings": {"inference": 0.42}})
            } else {
                json!({"index": 0,
                       "b64_json": base64::engine::general_purpose::STANDARD.encode(media::PNG),
                       "timings": {"inference": 0.42}})
            };
            json_resp(StatusCode::OK, json!({"id": id, "model": model_id, "object": "list", "data": [item]}))
        }
        "v1/audio/speech" => {
            if !body.contains_key("input") {
                return Some(bad_body("together", "input"));
            }
            media::bytes_response("audio")
        }
        _ => {
            let inputs = match body.get("input") {
                Some(Value::Array(a)) => a.len(),
                Some(_) => 1,
                None => return Some(bad_body("together", "input")),
            };
            let data: Vec<Value> = (0..inputs)
                .map(|i| {
                    json!({"object": "embedding", "index": i,
                                "embedding": super::hf_inference::vector(m.dims, i)})
                })
                .collect();
            json_resp(
                StatusCode::OK,
                json!({"object": "list", "model": model_id, "data": data,
                       "usage": {"prompt_tokens": inputs, "total_tokens": inputs}}),
            )
        }
    })
}

/// nscale: only `POST /v1/images/generations` (docs/protocol/inference.md#per-task-formats).
pub fn handle_nscale(ctx: &Ctx) -> Option<Response> {
    (ctx.rest == "v1/images/generations").then(|| handle(ctx))?
}

fn video(ctx: &Ctx, job: &Job) -> Value {
    let phase = job.phase();
    let status = match phase {
        Phase::Queued { .. } => "queued",
        Phase::Running => "in_progress",
        Phase::Succeeded => "completed",
        Phase::Failed => "failed",
        Phase::Canceled => "cancelled",
    };
    let mut v = json!({
        "id": job.id,
        "object": "video",
        "model": job.model_id,
        "status": status,
        "created_at": job.created_unix,
    });
    match phase {
        Phase::Succeeded => {
            v["completed_at"] = json!(job.created_unix);
            v["outputs"] = json!({
                "video_url": media::url(&ctx.state, CDN, &job.id, "video"),
                "cost": 0.1,
            });
        }
        Phase::Failed => {
            v["error"] = json!({"message": job.model.error_message(), "code": "generation_failed"});
        }
        _ => {}
    }
    v
}
