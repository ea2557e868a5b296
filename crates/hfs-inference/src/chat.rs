//! OpenAI-compatible chat completion, plain and streamed (docs/protocol/inference.md#per-task-formats). With `auto`
//! the router picks the provider (`ROUTER/v1/chat/completions`, `model[:policy|:provider]`).

use futures::StreamExt;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::client::{Resend, join};
use crate::job::Call;
use crate::registry::Task;
use crate::tasks::{deep_merge, drop_nulls};
use crate::{InferenceClient, InferenceError, InferenceEvent, ProviderChoice};

/// The router's policy suffixes (`model:fastest`).
pub const ROUTING_POLICIES: &[&str] = &["fastest", "cheapest", "preferred"];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        Self { role: role.into(), content: content.into() }
    }
}

/// A chat call. `params` are extra fields deep-merged into the payload last.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    /// Hub id, optionally with `:fastest`, `:cheapest`, `:preferred` or `:<provider>` (auto only).
    pub model: String,
    pub provider: ProviderChoice,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: Option<u64>,
    pub temperature: Option<f64>,
    pub stream: bool,
    pub params: Map<String, Value>,
}

/// A finished chat completion.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChatResult {
    pub content: String,
    pub finish_reason: Option<String>,
    pub usage: Option<Value>,
    /// The model the server reports.
    pub model: Option<String>,
    /// `auto` when the router chose.
    pub provider: String,
    pub request_id: Option<String>,
}

impl InferenceClient {
    /// Runs a chat completion (with `stream`, each content piece goes to `on_token` as it arrives)
    /// with no deadline and no events; use [`InferenceClient::submit`]
    /// for those, for cancelling and for tokens as events.
    pub async fn chat(&self, req: &ChatRequest, on_token: &mut (dyn FnMut(&str) + Send)) -> Result<ChatResult, InferenceError> {
        self.chat_in(req, on_token, &Call::detached()).await
    }

    pub(crate) async fn chat_in(
        &self,
        req: &ChatRequest,
        on_token: &mut (dyn FnMut(&str) + Send),
        call: &Call,
    ) -> Result<ChatResult, InferenceError> {
        let (url, auth, routed, provider, model) = match &req.provider {
            ProviderChoice::Auto => {
                let (url, auth) = self.auto_chat_target()?;
                (url, auth, true, "auto".to_string(), req.model.clone())
            }
            ProviderChoice::Named(p) => {
                if let Some((_, suffix)) = req.model.split_once(':') {
                    return Err(InferenceError::Usage(format!(
                        "`:{suffix}` asks the router to choose, but provider `{p}` was named too; use one or the other"
                    )));
                }
                let t = self.resolve(&req.model, Task::Chat, &req.provider, call).await?;
                let path = t.route.path.replace("{pid}", &t.pid).replace("{hf_id}", &t.hf_id);
                (join(&t.base, &path), t.auth.clone(), t.routed, t.spec.id.to_string(), t.pid.clone())
            }
        };
        if let (ProviderChoice::Auto, Some((_, suffix))) = (&req.provider, req.model.split_once(':'))
            && !ROUTING_POLICIES.contains(&suffix)
            && crate::registry::provider(suffix).is_none()
        {
            return Err(InferenceError::Usage(format!(
                "unknown routing suffix `:{suffix}`: use :fastest, :cheapest, :preferred or :<provider> ({})",
                crate::registry::providers_for(Task::Chat).join(", ")
            )));
        }
        let body = bytes::Bytes::from(chat_body(&model, req));
        let resp = self
            .send(&provider, call, Resend::SubmitOnce, || {
                self.request(Method::POST, url.clone(), auth.as_deref(), routed)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(reqwest::header::ACCEPT, if req.stream { "text/event-stream" } else { "application/json" })
                    .body(body.clone())
            })
            .await?;
        call.emit(InferenceEvent::Submitted { provider: provider.clone(), job_id: None });
        let request_id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let is_sse = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"));
        let proto = |m: String| InferenceError::Protocol { provider: provider.clone(), message: m };
        let limits = self.opts.limits;
        if !req.stream {
            let text = self.read_whole(resp, call).await?;
            let text = String::from_utf8_lossy(&text);

            let v: Value = serde_json::from_str(&text)
                .map_err(|_| proto(format!("expected a chat completion, got: {}", text.chars().take(200).collect::<String>())))?;
            let content = v.pointer("/choices/0/message/content").and_then(Value::as_str).unwrap_or_default().to_string();
            on_token(&content);
            return Ok(ChatResult {
                content,
                finish_reason: v.pointer("/choices/0/finish_reason").and_then(Value::as_str).map(str::to_string),
                usage: v.get("usage").cloned().filter(|u| !u.is_null()),
                model: v.get("model").and_then(Value::as_str).map(str::to_string),
                provider,
                request_id,
            });
        }
        if !is_sse {
            return Err(proto("asked for a stream but the answer is not text/event-stream".into()));
        }
        let mut result =
            ChatResult { content: String::new(), finish_reason: None, usage: None, model: None, provider: provider.clone(), request_id };
        let mut parser = hfs_core::sse::Decoder::new(limits.json_bytes).eager_done();
        let mut stream = Box::pin(hfs_core::body::with_idle_timeout(resp.bytes_stream(), limits.idle));
        let broke =
            |e: &dyn std::fmt::Display| InferenceError::Connect { url: url.to_string(), cause: format!("the stream broke off: {e}") };
        'outer: loop {
            let chunk = self.within(call, async { Ok(stream.next().await) }).await?;
            let mut events = Vec::new();
            let done = chunk.is_none();
            match chunk {
                Some(chunk) => parser.feed(&chunk.map_err(|e| broke(&e))?, &mut events),
                None => parser.finish(&mut events),
            }
            .map_err(|e| proto(e.to_string()))?;
            for data in events {
                if data.trim() == "[DONE]" {
                    break 'outer;
                }
                let v: Value = serde_json::from_str(&data)
                    .map_err(|_| proto(format!("bad stream chunk: {}", data.chars().take(200).collect::<String>())))?;
                if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
                    let message = e
                        .as_str()
                        .map(str::to_string)
                        .or_else(|| e.get("message").and_then(Value::as_str).map(str::to_string))
                        .unwrap_or_else(|| e.to_string());
                    return Err(InferenceError::JobFailed { provider: provider.clone(), job_id: None, message });
                }
                if result.model.is_none() {
                    result.model = v.get("model").and_then(Value::as_str).filter(|m| !m.is_empty()).map(str::to_string);
                }
                if let Some(piece) = v.pointer("/choices/0/delta/content").and_then(Value::as_str)
                    && !piece.is_empty()
                {
                    on_token(piece);
                    result.content.push_str(piece);
                }
                if let Some(f) = v.pointer("/choices/0/finish_reason").and_then(Value::as_str) {
                    result.finish_reason = Some(f.to_string());
                }
                if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
                    result.usage = Some(u.clone());
                }
            }
            if done {
                break;
            }
        }
        Ok(result)
    }
}

/// The JSON body with `model` serialised first, nulls dropped, `params` deep-merged; a `model`
/// in `params` never overrides the mapped one.
pub(crate) fn chat_body(model: &str, req: &ChatRequest) -> String {
    let mut v = json!({
        "messages": req.messages,
        "max_tokens": req.max_tokens,
        "temperature": req.temperature,
        "stream": req.stream,
    });
    let mut params = req.params.clone();
    params.remove("model");
    deep_merge(&mut v, &Value::Object(params));
    let v = drop_nulls(v);
    let rest = v.to_string();
    let rest = rest.strip_prefix('{').unwrap_or(&rest);
    let model = Value::String(model.to_string()).to_string();
    if rest == "}" { format!("{{\"model\":{model}}}") } else { format!("{{\"model\":{model},{rest}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_goes_first_and_nulls_go() {
        let req = ChatRequest {
            model: "x".into(),
            provider: ProviderChoice::Auto,
            messages: vec![ChatMessage::new("user", "hi")],
            max_tokens: None,
            temperature: Some(0.5),
            stream: true,
            params: serde_json::from_value(json!({"model": "evil", "seed": 3, "response_format": null})).unwrap(),
        };
        let body = chat_body("org/m:fastest", &req);
        assert!(body.starts_with(r#"{"model":"org/m:fastest","#), "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v,
            json!({"model": "org/m:fastest", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.5, "stream": true, "seed": 3})
        );
    }
}
