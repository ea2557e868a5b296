//! zai-org (docs/protocol/inference.md#per-task-formats): `POST /zai-org/api/paas/v4/async/images/generations`
//! → `{"id", "task_status": "PROCESSING"}`; `GET /zai-org/api/paas/v4/async-result/{id}`
//! until `SUCCESS` (`image_result[0].url`) or `FAIL`. Chat is in `chat`.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Ctx, bad_body, json_resp, media, new_job, not_supported, provider_error, rejection};
use crate::state::{Job, Phase};

const CDN: &str = "aigc-files.bigmodel.cn";

pub fn handle(ctx: &Ctx) -> Option<Response> {
    let rest = ctx.rest.as_str();
    if let Some(id) = rest.strip_prefix("api/paas/v4/async-result/") {
        if ctx.method != Method::GET {
            return None;
        }
        return Some(match ctx.state.job("zai-org", id, true) {
            Some(job) => json_resp(StatusCode::OK, task(ctx, &job)),
            None => provider_error("zai-org", 404, &format!("Task {id} not found"), None),
        });
    }
    if rest != "api/paas/v4/async/images/generations" || ctx.method != Method::POST {
        return None;
    }
    let body = ctx.json()?;
    let model_id = body.get("model")?.as_str()?.to_string();
    let Some(m) = ctx.model(&model_id) else {
        return Some(not_supported("zai-org"));
    };
    if let Some(r) = rejection("zai-org", &m) {
        return Some(r);
    }
    if !body.contains_key("prompt") {
        return Some(bad_body("zai-org", "prompt"));
    }
    let job = new_job(ctx, ctx.state.new_id("zai-"), &model_id, m, Value::Object(body));
    Some(json_resp(StatusCode::OK, task(ctx, &job)))
}

fn task(ctx: &Ctx, job: &Job) -> Value {
    let phase = job.phase();
    let status = match phase {
        Phase::Succeeded => "SUCCESS",
        Phase::Failed | Phase::Canceled => "FAIL",
        _ => "PROCESSING",
    };
    let mut t = json!({
        "model": job.model_id,
        "id": job.id,
        "request_id": job.id,
        "task_status": status,
    });
    match phase {
        Phase::Succeeded => {
            t["image_result"] = json!([{"url": media::url(&ctx.state, CDN, &job.id, "image")}]);
            t["created"] = json!(job.created_unix);
        }
        Phase::Failed => {
            t["error"] = json!({"code": "1301", "message": job.model.error_message()});
        }
        _ => {}
    }
    t
}
