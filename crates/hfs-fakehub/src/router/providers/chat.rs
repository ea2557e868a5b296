//! OpenAI-compatible chat (docs/protocol/inference.md#per-task-formats): on each provider's chat
//! route (table of docs/protocol/inference.md#providers-and-tasks) for configured models, and the auto route
//! `POST /v1/chat/completions`, which picks a provider of a `chat_models`
//! entry from the `model` suffix (docs/protocol/inference.md#auto-and-routing-policies). Plain JSON, or with `stream: true`
//! an SSE stream of `chat.completion.chunk`s ending in `data: [DONE]`.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Ctx, json_resp, not_supported, provider_error, rejection, unix_now, with_request_id};
use crate::config::{ChatProvider, SynthModel};
use crate::errors::{Unanswered, hub_json};
use crate::state::AppState;

/// Each provider's chat route after `/{provider}/` (hf-inference excepted).
const ROUTES: &[(&str, &str)] = &[
    ("baseten", "v1/chat/completions"),
    ("cerebras", "v1/chat/completions"),
    ("cohere", "compatibility/v1/chat/completions"),
    ("deepinfra", "v1/openai/chat/completions"),
    ("featherless-ai", "v1/chat/completions"),
    ("fireworks-ai", "inference/v1/chat/completions"),
    ("groq", "openai/v1/chat/completions"),
    ("novita", "v3/openai/chat/completions"),
    ("nscale", "v1/chat/completions"),
    ("openai", "v1/chat/completions"),
    ("ovhcloud", "v1/chat/completions"),
    ("publicai", "v1/chat/completions"),
    ("scaleway", "v1/chat/completions"),
    ("together", "v1/chat/completions"),
    ("zai-org", "api/paas/v4/chat/completions"),
];

pub fn is_chat_route(provider: &str, rest: &str) -> bool {
    if provider == "hf-inference" {
        return hf_model(rest).is_some();
    }
    ROUTES.iter().any(|(p, r)| *p == provider && *r == rest)
}

/// `models/{hf_id}/v1/chat/completions` → `hf_id`.
fn hf_model(rest: &str) -> Option<&str> {
    rest.strip_prefix("models/")?.strip_suffix("/v1/chat/completions").filter(|id| !id.is_empty())
}

fn default_chat() -> SynthModel {
    serde_json::from_value(json!({"result": "chat"})).expect("valid default")
}

/// How `provider` answers chat for `model`, if it is configured to: a
/// `providers` chat model, a `chat_models` card listing the provider, or a
/// Hub model mapping with task `conversational`.
fn chat_model(state: &AppState, provider: &str, model: &str) -> Option<SynthModel> {
    if let Some(m) = state.synth_model(provider, model).filter(|m| m.result == "chat") {
        return Some(m);
    }
    let card = state.chat_models().iter().any(|c| c.id == model && c.providers.iter().any(|p| p.provider == provider));
    let mapped = state.models().iter().any(|(_, cfg)| {
        cfg.providers.iter().any(|p| p.provider == provider && p.provider_id == model && cfg.task(p).as_deref() == Some("conversational"))
    });
    (card || mapped).then(default_chat)
}

pub fn provider_route(ctx: &Ctx) -> Option<Response> {
    if ctx.method != axum::http::Method::POST {
        return None;
    }
    let body = ctx.json();
    let model = match hf_model(&ctx.rest) {
        Some(id) => id.to_string(),
        None => body.as_ref()?.get("model")?.as_str()?.to_string(),
    };
    let Some(m) = chat_model(&ctx.state, &ctx.provider, &model) else {
        return Some(not_supported(&ctx.provider));
    };
    Some(complete(&ctx.provider, &model, &m, body))
}

/// `POST /v1/chat/completions` on the router: the auto route.
pub async fn auto(State(state): State<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    let bytes = to_bytes(req.into_body(), usize::MAX).await.unwrap_or_default();
    let body: Option<Map<String, Value>> = match serde_json::from_slice(&bytes) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    };
    let Some(asked) = body.as_ref().and_then(|b| b.get("model")).and_then(Value::as_str).map(str::to_string) else {
        return with_request_id(provider_error("auto", 422, "field required: model", Some("model")), &headers);
    };
    let resp = match choose(&state, &asked) {
        Some((id, provider)) => {
            let m = state.synth_model(&provider, &id).filter(|m| m.result == "chat").unwrap_or_else(default_chat);
            let mut r = complete(&provider, &id, &m, body);
            if let Ok(v) = HeaderValue::from_str(&provider) {
                r.headers_mut().insert("x-inference-provider", v);
            }
            r
        }
        None => {
            let mut r = hub_json(
                StatusCode::BAD_REQUEST,
                json!({ "error": format!(
                    "The requested model '{asked}' is not supported by any provider you have enabled."
                ) }),
            );
            r.extensions_mut().insert(Unanswered);
            r
        }
    };
    with_request_id(resp, &headers)
}

/// The (model id, provider) the auto route serves `asked` with: `:fastest`
/// (the default; highest throughput), `:cheapest` (lowest output price),
/// `:preferred` (first listed), `:<provider>`; live providers only.
fn choose(state: &AppState, asked: &str) -> Option<(String, String)> {
    let cards = state.chat_models();
    let (id, suffix) = match asked.rsplit_once(':') {
        Some((id, s)) if cards.iter().any(|c| c.id == id) => (id, Some(s)),
        _ => (asked, None),
    };
    let card = cards.iter().find(|c| c.id == id)?;
    let live: Vec<&ChatProvider> = card.providers.iter().filter(|p| p.status == "live").collect();
    let num = |n: &Option<serde_json::Number>| n.as_ref().and_then(|n| n.as_f64());
    let pick = match suffix.unwrap_or("fastest") {
        "fastest" => live
            .iter()
            .copied()
            .reduce(|best, p| if num(&p.throughput).unwrap_or(0.0) > num(&best.throughput).unwrap_or(0.0) { p } else { best }),
        "cheapest" => {
            let price = |p: &ChatProvider| p.pricing.as_ref().and_then(|x| x.output.as_f64()).unwrap_or(f64::INFINITY);
            live.iter().copied().reduce(|best, p| if price(p) < price(best) { p } else { best })
        }
        "preferred" => live.first().copied(),
        provider => live.iter().copied().find(|p| p.provider == provider),
    }?;
    Some((card.id.clone(), pick.provider.clone()))
}

const DEFAULT_REPLY: &str = "Hello! This is a synthesised reply from hfs-fakehub.";

fn complete(provider: &str, model: &str, m: &SynthModel, body: Option<Map<String, Value>>) -> Response {
    if let Some(r) = rejection(provider, m) {
        return r;
    }
    let Some(body) = body.filter(|b| b.get("messages").is_some_and(Value::is_array)) else {
        return provider_error(provider, 422, "field required: messages", Some("messages"));
    };
    let echo = body.get("model").and_then(Value::as_str).unwrap_or(model).to_string();
    let prompt_tokens: usize = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|msg| msg.get("content").and_then(Value::as_str))
        .map(|c| c.split_whitespace().count())
        .sum::<usize>()
        .max(1);
    let reply = m.text.clone().unwrap_or_else(|| DEFAULT_REPLY.to_string());
    let words: Vec<String> = reply.split_inclusive(' ').map(str::to_string).collect();
    let usage = json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": words.len(),
        "total_tokens": prompt_tokens + words.len(),
    });
    let id = format!("chatcmpl-{}", unix_now());
    let created = unix_now();
    if body.get("stream").and_then(Value::as_bool) != Some(true) {
        if m.fail {
            return provider_error(provider, 500, &m.error_message(), None);
        }
        return json_resp(
            StatusCode::OK,
            json!({
                "id": id, "object": "chat.completion", "created": created, "model": echo,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                             "finish_reason": "stop", "logprobs": null}],
                "usage": usage,
            }),
        );
    }
    let chunk = |delta: Value, finish: Value| {
        json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": echo,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}]})
    };
    let mut events = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
    if m.fail {
        events.push(json!({"error": m.error_message(), "error_type": "generation"}));
    } else {
        for w in &words {
            events.push(chunk(json!({"content": w}), Value::Null));
        }
        events.push(chunk(json!({}), json!("stop")));
        let include_usage = body.get("stream_options").and_then(|o| o.get("include_usage")).and_then(Value::as_bool) == Some(true);
        if include_usage {
            events.push(json!({"id": id, "object": "chat.completion.chunk", "created": created,
                               "model": echo, "choices": [], "usage": usage}));
        }
    }
    let mut text: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    if !m.fail {
        text.push_str("data: [DONE]\n\n");
    }
    let mut r = (StatusCode::OK, text).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
