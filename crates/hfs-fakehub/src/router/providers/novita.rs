//! novita text-to-video (docs/protocol/inference.md#providers-and-tasks): `POST /novita/v3/hf/{pid}`
//! `{"prompt", ...}` answers at once with `{"video": {"video_url"}}`. The spec
//! gives no asynchronous shape for it, so none is synthesised.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{Ctx, bad_body, json_resp, media, not_supported, provider_error, rejection};

const CDN: &str = "faas-output-video.s3.ap-southeast-1.amazonaws.com";

pub fn handle(ctx: &Ctx) -> Option<Response> {
    let pid = ctx.rest.strip_prefix("v3/hf/")?;
    if ctx.method != Method::POST || pid.is_empty() {
        return None;
    }
    let Some(m) = ctx.model(pid) else {
        return Some(not_supported("novita"));
    };
    if let Some(r) = rejection("novita", &m) {
        return Some(r);
    }
    if m.fail {
        return Some(provider_error("novita", 500, &m.error_message(), None));
    }
    if !ctx.json().is_some_and(|b| b.contains_key("prompt")) {
        return Some(bad_body("novita", "prompt"));
    }
    let id = ctx.state.new_id("nv_");
    Some(json_resp(StatusCode::OK, json!({"video": {"video_url": media::url(&ctx.state, CDN, &id, &m.result)}})))
}
