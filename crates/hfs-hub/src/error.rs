use std::time::Duration;

/// What went wrong talking to the Hub.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("Space `{id}` was not found on {hub}, or it is private and {why}")]
    SpaceNotFound { id: String, hub: String, why: &'static str },
    #[error("model `{id}` was not found on {hub}, or it is private or gated and {why}")]
    ModelNotFound { id: String, hub: String, why: &'static str },
    #[error("this needs a Hugging Face token: create one at https://huggingface.co/settings/tokens, then run `hfs auth login` or set HF_TOKEN ({hub})")]
    TokenRequired { hub: String },
    #[error("the Hugging Face token was rejected by {hub}: {message}; run `hfs auth login` with a valid token")]
    InvalidToken { hub: String, message: String },
    #[error("the Hub is rate limiting requests (HTTP 429){}", retry_after.map(|d| format!("; retry in {}s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("the Hub answered HTTP {status} for {url}: {message}")]
    Http { status: u16, url: String, message: String },
    #[error("could not reach the Hub at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the Hub sent a response hfs could not read ({url}): {message}")]
    Decode { url: String, message: String },
}

impl HubError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            HubError::RateLimited { .. } | HubError::Connect { .. } => true,
            HubError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// The message of a Hub error body: `X-Error-Message`, `{"error": ...}`, or the text itself.
pub(crate) fn hub_message(headers: &reqwest::header::HeaderMap, body: &str) -> String {
    if let Some(m) = headers.get("x-error-message").and_then(|v| v.to_str().ok()) {
        return m.to_string();
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        for key in ["error", "detail", "message"] {
            match v.get(key) {
                Some(serde_json::Value::String(s)) => return s.clone(),
                Some(other) if !other.is_null() => return other.to_string(),
                _ => {}
            }
        }
    }
    let trimmed = body.trim();
    if trimmed.starts_with('<') {
        return "(an HTML page)".into();
    }
    trimmed.chars().take(300).collect()
}
