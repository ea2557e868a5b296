//! fal-ai (docs/protocol/inference.md#per-task-formats): sync calls
//! `POST /fal-ai/{pid}` and the queue flow — submit with
//! `?_subdomain=queue`, then `GET /fal-ai/{app}/requests/{id}/status`,
//! `GET /fal-ai/{app}/requests/{id}`, `PUT /fal-ai/{app}/requests/{id}/cancel`
//! (same query). Links in answers are fal's own (`https://queue.fal.run/
//! {app}/requests/{id}`): clients keep only their path (docs/protocol/inference.md#per-task-formats step 3).

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Ctx, bad_body, json_resp, media, new_job, not_supported, provider_error, rejection};
use crate::config::SynthModel;
use crate::state::{Job, Phase};

const QUEUE_HOST: &str = "https://queue.fal.run";
const CDN: &str = "v3.fal.media";

pub fn handle(ctx: &Ctx) -> Option<Response> {
    if let Some((app, id, op)) = request_path(&ctx.rest) {
        return Some(job_op(ctx, app, id, op));
    }
    if ctx.method != Method::POST {
        return None;
    }
    let pid = ctx.rest.as_str();
    let Some(m) = ctx.model(pid) else {
        return Some(not_supported("fal-ai"));
    };
    if let Some(r) = rejection("fal-ai", &m) {
        return Some(r);
    }
    let Some(body) = ctx.json() else {
        return Some(bad_body("fal-ai", "body"));
    };
    let needed: &[&str] = match m.result.as_str() {
        "video" | "image" => &["prompt", "image_url"],
        "audio" => &["text", "prompt"],
        "text" => &["audio_url"],
        _ => &["prompt"],
    };
    if !needed.iter().any(|k| body.contains_key(*k)) {
        return Some(bad_body("fal-ai", needed[0]));
    }
    let queued = ctx.query_has("_subdomain", "queue") || m.queue.unwrap_or(m.result == "video");
    if !queued {
        if m.fail {
            return Some(provider_error("fal-ai", 500, &m.error_message(), None));
        }
        let id = ctx.state.new_id("");
        return Some(json_resp(StatusCode::OK, result(ctx, &id, &m, &body)));
    }
    let id = uuidish(&ctx.state.new_id(""));
    let job = new_job(ctx, id, pid, m, Value::Object(body));
    Some(json_resp(StatusCode::OK, status_body(&job)))
}

/// `{app}/requests/{id}[/status|/cancel]`.
fn request_path(rest: &str) -> Option<(&str, &str, &str)> {
    let (app, tail) = rest.rsplit_once("/requests/")?;
    let (id, op) = match tail.split_once('/') {
        Some((id, op)) => (id, op),
        None => (tail, ""),
    };
    (!app.is_empty() && !id.is_empty() && matches!(op, "" | "status" | "cancel")).then_some((app, id, op))
}

/// fal ids are UUIDs.
fn uuidish(raw: &str) -> String {
    let hex: String = format!("{raw:0>32}").chars().rev().take(32).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The fal app a model id belongs to: its first two segments
/// (`fal-ai/flux/dev` → `fal-ai/flux`), as in fal's `response_url`.
fn app_of(pid: &str) -> String {
    pid.split('/').take(2).collect::<Vec<_>>().join("/")
}

fn links(job: &Job) -> Value {
    let base = format!("{QUEUE_HOST}/{}/requests/{}", app_of(&job.model_id), job.id);
    json!({
        "response_url": base,
        "status_url": format!("{base}/status"),
        "cancel_url": format!("{base}/cancel"),
    })
}

fn status_body(job: &Job) -> Value {
    let mut body = json!({ "request_id": job.id });
    let logs = |msgs: &[&str]| {
        Value::Array(
            msgs.iter()
                .map(|m| {
                    json!({"message": m, "level": "INFO", "source": "user",
                                "timestamp": super::rfc3339(job.created_unix)})
                })
                .collect(),
        )
    };
    match job.phase() {
        Phase::Queued { position } => {
            body["status"] = json!("IN_QUEUE");
            body["queue_position"] = json!(position);
        }
        Phase::Running => {
            body["status"] = json!("IN_PROGRESS");
            // fal's logs are cumulative: every poll repeats the earlier lines.
            let steps = progress(job);
            let mut lines = vec!["Starting generation"];
            lines.extend(steps.iter().map(String::as_str));
            body["logs"] = logs(&lines);
        }
        Phase::Succeeded => {
            body["status"] = json!("COMPLETED");
            let steps = progress(job);
            let mut lines = vec!["Starting generation"];
            lines.extend(steps.iter().map(String::as_str));
            lines.push("Done");
            body["logs"] = logs(&lines);
            body["metrics"] = json!({"inference_time": 0.42});
        }
        Phase::Failed => {
            body["status"] = json!("FAILED");
            body["error"] = json!(job.model.error_message());
            body["logs"] = logs(&["Starting generation", "Error"]);
        }
        Phase::Canceled => body["status"] = json!("CANCELED"),
    }
    for (k, v) in links(job).as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    body
}

/// The `step N` lines of the polls a job has spent running so far.
fn progress(job: &Job) -> Vec<String> {
    let first = job.model.steps.div_ceil(2).max(1);
    (first..=job.polls).filter(|p| *p < job.model.steps || job.model.seconds.is_some()).map(|p| format!("step {p}")).collect()
}

fn job_op(ctx: &Ctx, _app: &str, id: &str, op: &str) -> Response {
    let missing = || provider_error("fal-ai", 404, &format!("Request {id} not found"), None);
    match (op, &ctx.method) {
        ("status", &Method::GET) => match ctx.state.job("fal-ai", id, true) {
            Some(job) => json_resp(StatusCode::OK, status_body(&job)),
            None => missing(),
        },
        ("", &Method::GET) => match ctx.state.job("fal-ai", id, false) {
            None => missing(),
            Some(job) => match job.phase() {
                Phase::Succeeded => {
                    let input = job.input.as_object().cloned().unwrap_or_default();
                    json_resp(StatusCode::OK, result(ctx, &job.id, &job.model, &input))
                }
                Phase::Failed => provider_error("fal-ai", 500, &job.model.error_message(), None),
                Phase::Canceled => provider_error("fal-ai", 400, "Request was cancelled", None),
                _ => provider_error("fal-ai", 400, "Request is still in progress", None),
            },
        },
        ("cancel", &Method::PUT) => match ctx.state.cancel_job("fal-ai", id) {
            None => missing(),
            Some(before) if before.phase().is_terminal() => json_resp(StatusCode::BAD_REQUEST, json!({"status": "ALREADY_COMPLETED"})),
            Some(_) => json_resp(StatusCode::ACCEPTED, json!({"status": "CANCELLATION_REQUESTED"})),
        },
        _ => provider_error("fal-ai", 405, "Method Not Allowed", None),
    }
}

/// The finished model output, shaped per task.
fn result(ctx: &Ctx, id: &str, m: &SynthModel, input: &serde_json::Map<String, Value>) -> Value {
    let url = media::url(&ctx.state, CDN, id, &m.result);
    match m.result.as_str() {
        "video" => json!({
            "video": {"url": url, "content_type": "video/mp4", "file_name": format!("{id}.mp4"),
                      "file_size": media::MP4.len()},
            "seed": 42,
        }),
        "image" => json!({
            "images": [{"url": url, "width": media::PNG_SIDE, "height": media::PNG_SIDE,
                        "content_type": "image/png"}],
            "timings": {"inference": 0.42},
            "seed": 42,
            "has_nsfw_concepts": [false],
            "prompt": input.get("prompt").cloned().unwrap_or(json!("")),
        }),
        "audio" => json!({
            "audio": {"url": url, "content_type": "audio/wav", "file_name": format!("{id}.wav"),
                      "file_size": media::WAV.len()},
        }),
        _ => {
            let text = m.text.clone().unwrap_or_else(|| "Hello from hfs-fakehub.".into());
            json!({
                "text": text,
                "chunks": [{"timestamp": [0.0, 1.0], "text": text, "speaker": null}],
                "inferred_languages": ["en"],
                "diarization_segments": [],
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request_paths_and_apps() {
        assert_eq!(request_path("fal-ai/veo/requests/abc/status"), Some(("fal-ai/veo", "abc", "status")));
        assert_eq!(request_path("fal-ai/veo/requests/abc"), Some(("fal-ai/veo", "abc", "")));
        assert_eq!(request_path("fal-ai/flux/dev"), None);
        assert_eq!(app_of("fal-ai/flux/dev"), "fal-ai/flux");
        assert_eq!(uuidish("12").len(), 36);
    }
}
