//! Synthesised per-provider flows (docs/protocol/inference.md#routing) for
//! the models configured under `providers` (and chat models): fal queue and
//! sync calls, replicate predictions, together jobs and images, wavespeed
//! and zai jobs, nscale images, novita videos, hf-inference pipelines, OpenAI-compatible chat on every
//! chat route, and the auto chat route.
//!
//! Requests reach the provider handlers through the router's fallback, which
//! parses `/{provider}/{route}` itself (provider routes overlap too much for
//! a path table). A handler answers `None` for what it does not synthesise,
//! and the answer is then marked `errors::Unanswered` so recordings still
//! get a chance: recordings answer exactly what they answered before unless
//! a request names a configured model.

mod chat;
mod fal;
mod hf_inference;
pub mod media;
mod novita;
mod replicate;
mod together;
mod wavespeed;
mod zai;

use axum::Router;
use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::config::{KNOWN_PROVIDERS, SynthModel};
use crate::errors::{Unanswered, hub_json};
use crate::layers::auth::Caller;
use crate::state::AppState;

pub use media::serve as media_serve;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/chat/completions", post(chat::auto))
}

/// One request to a provider route, already authenticated.
pub struct Ctx {
    pub state: AppState,
    pub method: Method,
    pub provider: String,
    /// The path after `/{provider}/`, without the query.
    pub rest: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Ctx {
    /// The body as a JSON object, if it is one.
    pub fn json(&self) -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_slice(&self.body).ok()? {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn query_has(&self, key: &str, value: &str) -> bool {
        self.query.as_deref().unwrap_or("").split('&').any(|kv| kv == format!("{key}={value}"))
    }

    pub fn model(&self, id: &str) -> Option<SynthModel> {
        self.state.synth_model(&self.provider, id)
    }
}

/// The router's fallback: a synthesised provider answer, else "unanswered"
/// for the recordings.
pub async fn dispatch(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let provider_rest = path.strip_prefix('/').and_then(|p| p.split_once('/')).filter(|(p, _)| KNOWN_PROVIDERS.contains(p));
    let (Some((provider, rest)), Some(caller)) = (provider_rest, parts.extensions.get::<Caller>().cloned()) else {
        return super::replay::unanswered().await;
    };
    // A provider key only opens its own provider's paths.
    if matches!(&caller, Caller::ProviderKey(p) if p != provider) {
        return crate::errors::HubError::InvalidCredentials.into_response();
    }
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let ctx = Ctx {
        state,
        method: parts.method.clone(),
        provider: provider.to_string(),
        rest: rest.to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers.clone(),
        body,
    };
    let answer = if chat::is_chat_route(&ctx.provider, &ctx.rest) {
        chat::provider_route(&ctx)
    } else {
        match ctx.provider.as_str() {
            "fal-ai" => fal::handle(&ctx),
            "replicate" => replicate::handle(&ctx),
            "together" => together::handle(&ctx),
            "nscale" => together::handle_nscale(&ctx),
            "novita" => novita::handle(&ctx),
            "wavespeed" => wavespeed::handle(&ctx),
            "zai-org" => zai::handle(&ctx),
            "hf-inference" => hf_inference::handle(&ctx),
            _ => None,
        }
    };
    match answer {
        Some(resp) => with_request_id(resp, &ctx.headers),
        None => super::replay::unanswered().await,
    }
}

/// The router's `X-Request-Id`: `Root=1-<hex8>-<hex24>`, plus `;<trace>`
/// echoing the caller's `X-Amzn-Trace-Id` / `X-Request-Id` (docs/protocol/inference.md#routing).
pub fn with_request_id(mut resp: Response, headers: &HeaderMap) -> Response {
    use std::time::{SystemTime, UNIX_EPOCH};
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut id = format!("Root=1-{:08x}-{:024x}", now.as_secs() as u32, now.as_nanos() & ((1u128 << 96) - 1));
    if let Some(trace) = ["x-amzn-trace-id", "x-request-id"].iter().find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok())) {
        id = format!("{id};{trace}");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// A provider's JSON answer (`application/json`, as providers send it).
pub fn json_resp(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The router's answer for a model the provider does not serve (docs/protocol/inference.md#errors-and-retries), left
/// for a recording of the same request to replace.
pub fn not_supported(provider: &str) -> Response {
    let mut r = hub_json(StatusCode::BAD_REQUEST, json!({ "error": format!("Model not supported by provider {provider}") }));
    r.extensions_mut().insert(Unanswered);
    r
}

/// A provider-shaped error (docs/protocol/inference.md#errors-and-retries): FastAPI `detail` for fal, problem+json
/// for replicate, `{"error": ..., "error_type"}` for hf-inference, wavespeed
/// `{"code","message"}`, zai `{"error":{"code","message"}}`, OpenAI-style
/// `{"error":{"message","type","param","code"}}` for the rest.
pub fn provider_error(provider: &str, status: u16, msg: &str, param: Option<&str>) -> Response {
    let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match provider {
        "fal-ai" => {
            let body = match param {
                Some(p) => {
                    json!({"detail": [{"loc": ["body", p], "msg": msg, "type": "value_error"}]})
                }
                None => json!({ "detail": msg }),
            };
            json_resp(st, body)
        }
        "replicate" => {
            let mut body = json!({
                "detail": msg,
                "status": status,
                "title": if status == 422 { "Input validation failed" } else { st.canonical_reason().unwrap_or("Error") },
            });
            if let Some(p) = param {
                body["invalid_fields"] = json!([{"type": "invalid", "field": p, "description": msg}]);
            }
            let mut r = json_resp(st, body);
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
            r
        }
        "hf-inference" => hub_json(st, json!({"error": msg, "error_type": if status == 422 { "validation" } else { "generation" }})),
        "wavespeed" => json_resp(st, json!({ "code": status, "message": msg, "data": null })),
        "zai-org" => json_resp(st, json!({"error": {"code": status.to_string(), "message": msg}})),
        _ => json_resp(
            st,
            json!({"error": {
                "message": msg,
                "type": if status == 422 || status == 400 { "invalid_request_error" } else { "server_error" },
                "param": param,
                "code": null,
            }}),
        ),
    }
}

/// The configured rejection of a submit, if any.
pub fn rejection(provider: &str, m: &SynthModel) -> Option<Response> {
    let status = m.reject?;
    let param = m.reject_param.as_deref();
    let msg = match (&m.error, param) {
        (Some(e), _) => e.clone(),
        (None, Some(p)) => format!("Invalid value for parameter '{p}'"),
        (None, None) => "Invalid request".to_string(),
    };
    Some(provider_error(provider, status, &msg, param))
}

/// A 422 for a body that is not a JSON object, or lacks what the route needs.
pub fn bad_body(provider: &str, field: &str) -> Response {
    provider_error(provider, 422, &format!("field required: {field}"), Some(field))
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// RFC 3339 UTC for a unix time (replicate/wavespeed `created_at`).
pub fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant), for dates after 1970.
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Registers a new job of `ctx.provider` and returns it.
pub fn new_job(ctx: &Ctx, id: String, model_id: &str, model: SynthModel, input: Value) -> crate::state::Job {
    let job = crate::state::Job {
        id,
        provider: ctx.provider.clone(),
        model_id: model_id.to_string(),
        model,
        input,
        created: std::time::Instant::now(),
        created_unix: unix_now(),
        polls: 0,
        canceled: false,
    };
    ctx.state.add_job(job.clone());
    job
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_rfc3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::rfc3339(1_738_213_137), "2025-01-30T04:58:57.000Z");
    }
}
