//! hf-inference (docs/protocol/inference.md#per-task-formats): `POST /hf-inference/models/{hf_id}`
//! answers raw PNG bytes (text-to-image), WAV bytes (text-to-speech) or
//! `{"text"}` (ASR, raw audio or JSON body); `/models/{hf_id}/pipeline/feature-extraction`
//! (or `sentence-similarity`) nested float arrays. Chat is in `chat`.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Ctx, bad_body, json_resp, media, provider_error, rejection};
use crate::errors::{Unanswered, hub_json};

pub fn handle(ctx: &Ctx) -> Option<Response> {
    let target = ctx.rest.strip_prefix("models/")?;
    if ctx.method != Method::POST {
        return None;
    }
    let (id, pipeline) = match target.split_once("/pipeline/") {
        Some((id, task)) => (id, Some(task)),
        None => (target, None),
    };
    let Some(m) = ctx.model(id) else {
        let mut r = hub_json(StatusCode::NOT_FOUND, json!({ "error": format!("Model {id} does not exist") }));
        r.extensions_mut().insert(Unanswered);
        return Some(r);
    };
    if let Some(r) = rejection("hf-inference", &m) {
        return Some(r);
    }
    if m.fail {
        return Some(provider_error("hf-inference", 500, &m.error_message(), None));
    }
    let inputs = ctx.json().and_then(|b| b.get("inputs").cloned());
    let kind = match pipeline {
        Some("feature-extraction" | "sentence-similarity") => "embedding",
        Some(_) => return None,
        None => m.result.as_str(),
    };
    Some(match kind {
        "embedding" => {
            let out = match inputs {
                Some(Value::String(_)) => json!(vector(m.dims, 0)),
                Some(Value::Array(list)) => {
                    json!((0..list.len()).map(|i| vector(m.dims, i)).collect::<Vec<_>>())
                }
                _ => return Some(bad_body("hf-inference", "inputs")),
            };
            json_resp(StatusCode::OK, out)
        }
        "text" => {
            if ctx.body.is_empty() {
                return Some(bad_body("hf-inference", "inputs"));
            }
            let text = m.text.clone().unwrap_or_else(|| "Hello from hfs-fakehub.".into());
            json_resp(StatusCode::OK, json!({"text": text, "chunks": [{"text": text, "timestamp": [0.0, 1.0]}]}))
        }
        "image" | "audio" | "video" => {
            if inputs.is_none() && m.result != "image" {
                return Some(bad_body("hf-inference", "inputs"));
            }
            // image-to-image may send raw image bytes; text-to-image sends JSON.
            if inputs.is_none() && ctx.body.is_empty() {
                return Some(bad_body("hf-inference", "inputs"));
            }
            media::bytes_response(kind)
        }
        _ => return None,
    })
}

/// A deterministic unit-ish vector, different per index.
pub fn vector(dims: usize, i: usize) -> Vec<f64> {
    (0..dims).map(|d| (((d + 1) * (i + 3)) % 17) as f64 / 17.0 - 0.5).collect()
}
