use std::time::Duration;

use hfs_core::{ErrorClass, Hint};

/// What went wrong talking to the Hub. Messages say what happened; [`HubError::hints`] says what
/// would help, in no particular front end's words.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("Space `{id}` was not found on {hub}, or it is private and {}", not_found_why(*.token_sent))]
    SpaceNotFound { id: String, hub: String, token_sent: bool },
    #[error("model `{id}` was not found on {hub}, or it is private or gated and {}", not_found_why(*.token_sent))]
    ModelNotFound { id: String, hub: String, token_sent: bool },
    #[error("this needs a Hugging Face token ({hub}); create one at https://huggingface.co/settings/tokens")]
    TokenRequired { hub: String },
    #[error("the Hugging Face token was rejected by {hub}: {message}")]
    InvalidToken { hub: String, message: String },
    #[error("the Hub is rate limiting requests (HTTP 429); {}", match retry_after {
        Some(d) => format!("wait {}s and try again", d.as_secs().max(1)),
        None => "wait a minute and try again (anonymous requests have lower limits)".into(),
    })]
    RateLimited { retry_after: Option<Duration> },
    #[error("the Hub answered HTTP {status} for {url}: {message}{}", http_advice(*status))]
    Http { status: u16, url: String, message: String },
    /// `cause` is shown (its innermost error) but not chained as a `source`, so callers that print
    /// error chains do not repeat reqwest's wording.
    #[error("could not reach the Hub at {url} ({})", root_cause(cause))]
    Connect { url: String, cause: reqwest::Error },
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

    /// The class a caller acts on: exit codes in the CLI, retry decisions in a scheduler.
    pub fn class(&self) -> ErrorClass {
        ErrorClass::Remote { retryable: self.is_transient() }
    }

    /// What a scheduler should do next (by class: retry transient failures, else give up).
    pub fn action(&self) -> hfs_core::Action {
        self.class().default_action(self.retry_after())
    }

    /// How long to wait before retrying, when the Hub said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HubError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// What would help.
    pub fn hints(&self) -> Vec<Hint> {
        match self {
            HubError::SpaceNotFound { token_sent: false, .. } | HubError::ModelNotFound { token_sent: false, .. } => {
                vec![Hint::TokenWithAccess]
            }
            HubError::TokenRequired { .. } | HubError::InvalidToken { .. } => vec![Hint::LogIn],
            HubError::RateLimited { retry_after: None } => vec![Hint::LogIn],
            HubError::Http { status: 404, .. } | HubError::Connect { .. } => vec![Hint::CheckEndpoints],
            HubError::Http { status: 403, .. } => vec![Hint::TokenPermission],
            _ => vec![],
        }
    }

    /// A short machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            HubError::InvalidToken { .. } | HubError::TokenRequired { .. } => "auth",
            HubError::RateLimited { .. } => "rate_limited",
            HubError::SpaceNotFound { .. } | HubError::ModelNotFound { .. } => "not_found",
            _ => "remote",
        }
    }
}

fn not_found_why(token_sent: bool) -> &'static str {
    if token_sent { "your token has no access to it" } else { "no token was given" }
}

/// What the user can do about an HTTP error the Hub answered.
fn http_advice(status: u16) -> &'static str {
    match status {
        500..=599 => "; the Hub is having trouble: try again in a few minutes (status: https://status.huggingface.co)",
        403 => "; your token lacks the permission for this",
        404 => "; the Hub address may be wrong",
        408 => "; the Hub timed out: try again",
        _ => "",
    }
}

/// The innermost error of a chain (e.g. "Connection refused" under reqwest's wrappers).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
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
