use std::time::Duration;

use hfs_core::text::fmt_duration;
use hfs_core::{Action, ErrorClass, Hint};
use hfs_hub::HubError;

/// Everything that can go wrong with an inference call. Messages say what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    // ---- usage: found before anything is sent
    #[error("unknown provider `{provider}`; known providers: {}", .known.join(", "))]
    UnknownProvider { provider: String, known: Vec<String> },
    #[error("provider `{provider}` does not do {task}; providers that do: {}", .supported.join(", "))]
    TaskUnsupported { provider: String, task: &'static str, supported: Vec<String> },
    #[error("model `{model}` is not served by provider `{provider}` for {task}{}", serving_list(.serving))]
    NotServedBy { model: String, provider: String, task: &'static str, serving: Vec<String> },
    #[error("no provider hfs knows serves `{model}` for {task}{}", mapped_list(.mapped))]
    NoProvider { model: String, task: &'static str, mapped: Vec<String> },
    #[error("{0}")]
    Usage(String),
    #[error("{provider} is only reachable with its own key (Hugging Face tokens are not accepted)")]
    NeedsProviderKey { provider: String, key_variable: Option<String> },
    #[error("{0} needs a Hugging Face token")]
    NeedsToken(String),
    #[error("input file `{path}` is {size} bytes, over the {} hfs sends inline to a provider; use a smaller file", hfs_core::body::human_bytes(*.max))]
    InputTooLarge { path: String, size: u64, max: u64 },
    #[error("cannot read input file `{path}`: {source}")]
    InputFile {
        path: String,
        #[source]
        source: std::io::Error,
    },

    // ---- remote
    #[error("{0}")]
    Hub(#[from] HubError),
    #[error("{provider} answered HTTP {status}{}: {message}{}", request_id_note(.request_id), next_step_note(.next_step))]
    Api {
        provider: String,
        status: u16,
        url: String,
        request_id: Option<String>,
        message: String,
        /// What the user can do about it.
        next_step: Option<String>,
        /// The parameter at fault (422).
        parameter: Option<String>,
        retry_after: Option<Duration>,
    },
    #[error("the {provider} job failed{}: {message}", request_id_note(.job_id))]
    JobFailed { provider: String, job_id: Option<String>, message: String },
    #[error("could not reach {url} ({cause})")]
    Connect { url: String, cause: String },
    #[error("{provider} sent a response hfs could not read: {message}")]
    Protocol { provider: String, message: String },
    #[error("download of {url} failed: {message}")]
    Download { url: String, message: String },

    // ---- the call
    #[error("the deadline of {} passed before the job finished", fmt_duration(*.0))]
    Timeout(Duration),
    #[error("the call was cancelled")]
    Cancelled,
    #[error("cannot write `{path}`: {source}")]
    OutputFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn serving_list(v: &[String]) -> String {
    if v.is_empty() { "; no provider hfs knows serves it for this task".into() } else { format!("; providers that do: {}", v.join(", ")) }
}

fn mapped_list(v: &[String]) -> String {
    if v.is_empty() { " (the Hub lists no provider for it)".into() } else { format!(" (the Hub lists: {})", v.join(", ")) }
}

fn request_id_note(id: &Option<String>) -> String {
    id.as_ref().map(|i| format!(" (request id {i})")).unwrap_or_default()
}

fn next_step_note(s: &Option<String>) -> String {
    s.as_ref().map(|s| format!("; {s}")).unwrap_or_default()
}

impl InferenceError {
    /// The class a caller acts on: exit codes in the CLI, retry decisions in a scheduler.
    pub fn class(&self) -> ErrorClass {
        use InferenceError::*;
        match self {
            UnknownProvider { .. }
            | TaskUnsupported { .. }
            | NotServedBy { .. }
            | NoProvider { .. }
            | Usage(_)
            | NeedsProviderKey { .. }
            | NeedsToken(_)
            | InputTooLarge { .. } => ErrorClass::Usage,

            InputFile { .. } | OutputFile { .. } => ErrorClass::LocalIo,
            Timeout(_) => ErrorClass::Deadline,
            Cancelled => ErrorClass::Cancelled,
            Hub(e) => e.class(),
            Api { status, .. } => ErrorClass::Remote { retryable: matches!(status, 429 | 500 | 502 | 503 | 504) },
            Connect { .. } | Download { .. } => ErrorClass::Remote { retryable: true },
            JobFailed { .. } | Protocol { .. } => ErrorClass::Remote { retryable: false },
        }
    }

    /// How long to wait before retrying, when the server said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            InferenceError::Api { retry_after, .. } => *retry_after,
            InferenceError::Hub(e) => e.retry_after(),
            _ => None,
        }
    }

    /// What a scheduler should do next: another provider or model when this one does not serve
    /// the model, asks for payment, or failed the job; else by class.
    pub fn action(&self) -> Action {
        use InferenceError::*;
        match self {
            NotServedBy { .. } | NoProvider { .. } | TaskUnsupported { .. } | NeedsProviderKey { .. } | JobFailed { .. } => {
                Action::FallBack
            }
            Api { status: 402 | 404, .. } => Action::FallBack,
            _ => self.class().default_action(self.retry_after()),
        }
    }

    /// What would help, in no particular front end's words (the CLI turns these into flags).
    pub fn hints(&self) -> Vec<Hint> {
        use InferenceError::*;
        match self {
            Hub(e) => e.hints(),
            UnknownProvider { known, .. } => vec![Hint::PickProvider { providers: known.clone() }],
            TaskUnsupported { supported, .. } => vec![Hint::PickProvider { providers: supported.clone() }],
            NotServedBy { serving, .. } if !serving.is_empty() => vec![Hint::PickProvider { providers: serving.clone() }],
            NoProvider { task, .. } => vec![Hint::FindModel { task: task.to_string() }],
            NeedsProviderKey { provider, key_variable } => {
                vec![Hint::ProviderKey { provider: provider.clone(), key_variable: key_variable.clone() }]
            }
            NeedsToken(_) => vec![Hint::LogIn, Hint::ProviderWithKey],
            Connect { .. } => vec![Hint::CheckEndpoints],
            Timeout(_) => vec![Hint::LongerDeadline],
            Api { status, parameter, retry_after, .. } => match status {
                401 => vec![Hint::LogIn],
                403 => vec![Hint::TokenPermission],
                402 => vec![Hint::Billing],
                404 => vec![Hint::PickProvider { providers: vec![] }],
                400 | 422 => vec![Hint::FixParameter { name: parameter.clone() }],
                429 => vec![Hint::RetryLater { after_secs: retry_after.map(|d| d.as_secs()) }, Hint::PickProvider { providers: vec![] }],
                500..=599 => vec![Hint::RetryLater { after_secs: None }, Hint::PickProvider { providers: vec![] }],
                _ => vec![],
            },
            _ => vec![],
        }
    }

    /// The HTTP status, for errors the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            InferenceError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short machine-readable kind.
    pub fn kind(&self) -> &'static str {
        use InferenceError::*;
        match self {
            Api { status: 401 | 403, .. } => "auth",
            Api { status: 402, .. } => "billing",
            Api { status: 404, .. } | NotServedBy { .. } | NoProvider { .. } => "not_found",
            Api { status: 422 | 400, .. } => "validation",
            Api { status: 429, .. } => "rate_limited",
            JobFailed { .. } => "job_failed",
            _ => match self.class() {
                ErrorClass::Usage => "usage",
                ErrorClass::Deadline => "timeout",
                ErrorClass::Cancelled => "cancelled",
                ErrorClass::LocalIo => "local_io",
                ErrorClass::Remote { .. } => "remote",
            },
        }
    }
}

/// The message of a router or provider error body: `error` (string), `detail` (string or
/// FastAPI list), `message`, `error.message`, else the text itself.
pub fn server_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        if let Some(s) = v.get("error").and_then(|e| e.as_str()) {
            return s.to_string();
        }
        match v.get("detail") {
            Some(serde_json::Value::String(s)) => return s.clone(),
            Some(serde_json::Value::Array(items)) if !items.is_empty() => {
                return items
                    .iter()
                    .map(|i| {
                        let loc = i.get("loc").and_then(|l| l.as_array()).map(|l| {
                            l.iter().map(|p| p.as_str().map(str::to_string).unwrap_or_else(|| p.to_string())).collect::<Vec<_>>().join(".")
                        });
                        let msg = i.get("msg").and_then(|m| m.as_str()).unwrap_or("invalid");
                        match loc {
                            Some(l) => format!("{l}: {msg}"),
                            None => msg.to_string(),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
            }
            _ => {}
        }
        if let Some(s) = v.get("message").and_then(|e| e.as_str()) {
            return s.to_string();
        }
        if let Some(s) = v.pointer("/error/message").and_then(|e| e.as_str()) {
            return s.to_string();
        }
        if let Some(s) = v.get("title").and_then(|e| e.as_str()) {
            return s.to_string();
        }
    }
    let t = body.trim();
    if t.starts_with('<') {
        return "(an HTML page)".into();
    }
    if t.is_empty() {
        return "(no details)".into();
    }
    t.chars().take(300).collect()
}

/// The parameter a validation error names: OpenAI `error.param`, FastAPI `detail[0].loc`'s last
/// element, replicate `invalid_fields[0].field`.
pub fn faulty_parameter(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    if let Some(p) = v.pointer("/error/param").and_then(|p| p.as_str()) {
        return Some(p.to_string());
    }
    if let Some(p) = v.get("param").and_then(|p| p.as_str()) {
        return Some(p.to_string());
    }
    if let Some(loc) = v.pointer("/detail/0/loc").and_then(|l| l.as_array()) {
        return loc.iter().rev().find_map(|p| p.as_str()).filter(|p| *p != "body").map(str::to_string);
    }
    let f = v.pointer("/invalid_fields/0")?;
    f.get("field").and_then(|x| x.as_str()).or_else(|| f.as_str()).map(str::to_string)
}

/// What an HTTP error from a provider or the router means for the user, in plain words (the
/// matching [`Hint`]s come from [`InferenceError::hints`]).
pub fn next_step(status: u16, provider: &str, parameter: Option<&str>) -> Option<String> {
    Some(match status {
        401 => "the token or key was not accepted: use a valid Hugging Face token or the provider's own key".into(),
        403 => "your token lacks the \"Make calls to Inference Providers\" permission: https://huggingface.co/settings/tokens".into(),
        402 => "check your credits and billing at https://huggingface.co/settings/billing, or bill an organization".into(),
        404 => format!("the model is not served by {provider}"),
        422 | 400 => match parameter {
            Some(p) => format!("fix the parameter `{p}`"),
            None => "check the parameters".into(),
        },
        429 => "the provider is rate limiting: wait and retry".into(),
        500..=599 => format!("{provider} is having trouble: try again later"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_for_a_scheduler() {
        let api = |status, retry_after| InferenceError::Api {
            provider: "p".into(),
            status,
            url: "u".into(),
            request_id: None,
            message: "m".into(),
            next_step: None,
            parameter: None,
            retry_after,
        };
        assert_eq!(api(404, None).action(), Action::FallBack);
        assert_eq!(api(402, None).action(), Action::FallBack);
        assert_eq!(api(429, Some(Duration::from_secs(5))).action(), Action::RetryAfter(Duration::from_secs(5)));
        assert_eq!(api(503, None).action(), Action::Retry);
        assert_eq!(api(422, None).action(), Action::GiveUp);
        let not_served = InferenceError::NotServedBy { model: "m".into(), provider: "p".into(), task: "t", serving: vec![] };
        assert_eq!(not_served.action(), Action::FallBack);
        assert_eq!(InferenceError::Cancelled.action(), Action::GiveUp);
    }

    #[test]
    fn server_messages_of_every_shape() {
        assert_eq!(server_message(r#"{"error":"Model x does not exist"}"#), "Model x does not exist");
        assert_eq!(server_message(r#"{"error":{"message":"bad temp","param":"temperature"}}"#), "bad temp");
        assert_eq!(server_message(r#"{"detail":[{"loc":["body","num_steps"],"msg":"too big"}]}"#), "body.num_steps: too big");
        assert_eq!(server_message(r#"{"message":"nope"}"#), "nope");
        assert_eq!(server_message("plain"), "plain");
        assert_eq!(faulty_parameter(r#"{"error":{"message":"bad temp","param":"temperature"}}"#).as_deref(), Some("temperature"));
        assert_eq!(faulty_parameter(r#"{"detail":[{"loc":["body","num_steps"],"msg":"too big"}]}"#).as_deref(), Some("num_steps"));
        assert_eq!(faulty_parameter(r#"{"invalid_fields":[{"field":"input.width"}]}"#).as_deref(), Some("input.width"));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn body() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            "\\PC{0,30}".prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from)
        ];
        let value = leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("error".to_string()),
                            Just("detail".into()),
                            Just("message".into()),
                            Just("loc".into()),
                            Just("msg".into()),
                            "[a-z]{1,5}"
                        ],
                        inner
                    ),
                    0..4
                )
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        });
        prop_oneof![value.prop_map(|v| v.to_string()), "\\PC{0,300}", "<html>\\PC{0,40}"]
    }

    proptest! {
        /// Whatever a provider answers, the message and the faulty parameter are extracted
        /// without panicking, and the message stays short enough to show.
        #[test]
        fn any_error_body(b in body()) {
            let m = server_message(&b);
            prop_assert!(m.chars().count() <= 2000, "{}", m.len());
            let _ = faulty_parameter(&b);
        }
    }
}
