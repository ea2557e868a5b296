use std::time::Duration;

use hfs_core::body::BodyError;
pub use hfs_core::text::fmt_duration;
pub use hfs_core::{Action, ErrorClass, Hint};
use hfs_hub::{HubError, SpaceStage};

/// A validation failure for one parameter (Gradio 6 `validator=`, 422).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamProblem {
    pub parameter: String,
    pub message: String,
}

/// Everything that can go wrong with a Gradio app. Messages say what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- usage: found before anything is sent
    #[error("`{0}` is neither a Space id (owner/name) nor an http(s) URL")]
    InvalidTarget(String),
    #[error("no endpoint `{requested}` in this app{}{}", did_you_mean(.suggestion), list_valid(.valid))]
    EndpointNotFound { requested: String, suggestion: Option<String>, valid: Vec<String> },
    #[error("endpoint index {index} does not exist or is private{}", list_valid(.valid))]
    InvalidFnIndex { index: usize, valid: Vec<String> },
    #[error("this app has {} public endpoints, so name one{}", .0.len(), list_valid(.0))]
    EndpointRequired(Vec<String>),
    #[error("endpoint `{0}` is private: the app does not allow API calls to it")]
    PrivateEndpoint(String),
    #[error("unknown parameter `{name}` for {endpoint}{}; its parameters are: {}", did_you_mean(.suggestion), .valid.join(", "))]
    UnknownParameter { endpoint: String, name: String, suggestion: Option<String>, valid: Vec<String> },
    #[error("parameter `{0}` was given twice (positionally and by name); give it once")]
    DuplicateParameter(String),
    #[error("missing required parameter `{name}` for {endpoint}")]
    MissingParameter { endpoint: String, name: String },
    #[error(
        "missing required argument {position} (`{label}`) for {endpoint}; this app only takes arguments by position, so give all of them in order"
    )]
    MissingPositional { endpoint: String, position: usize, label: String },
    #[error("{endpoint} takes {expected} parameters but {given} were given")]
    TooManyArguments { endpoint: String, expected: usize, given: usize },
    #[error(
        "{endpoint} has no parameter information (older Gradio or undocumented endpoint), so only positional arguments work; `{name}` cannot be given by name"
    )]
    KeywordsUnsupported { endpoint: String, name: String },
    #[error("invalid value for `{parameter}`: {message}")]
    InvalidValue { parameter: String, message: String },
    #[error("file `{path}` is {size} bytes, over this app's limit of {max} bytes; use a smaller file")]
    FileTooLarge { path: String, size: u64, max: u64 },
    #[error("cannot read input file `{path}`: {source}")]
    InputFile {
        path: String,
        #[source]
        source: std::io::Error,
    },

    // ---- the target
    #[error("this app runs Gradio {version} with the `{protocol}` protocol, which hfs does not speak (it speaks Gradio 3.0 and later)")]
    UnsupportedProtocol { protocol: String, version: String },
    #[error("{url} is not a Gradio app (no readable /config: {detail})")]
    NotGradio { url: String, detail: String },
    #[error("Space `{id}` is not running (stage {stage}{}). {}", .message.as_ref().map(|m| format!(": {m}")).unwrap_or_default(), .stage.advice())]
    SpaceNotRunning { id: String, stage: SpaceStage, message: Option<String> },
    #[error("Space `{id}` did not start within {}s (still {stage}); it keeps starting in the background: try again in a minute", .waited.as_secs())]
    SpaceStartTimeout { id: String, stage: SpaceStage, waited: Duration },
    #[error("{0}")]
    Hub(#[from] HubError),
    #[error("this app needs a login (a username and password){}", .message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    AuthRequired { message: Option<String> },
    #[error("the app rejected the username or password")]
    BadCredentials,
    #[error("access denied by {url} (HTTP {status}); this may be a private Space")]
    AccessDenied { url: String, status: u16 },

    // ---- the call
    #[error("the app raised an error{}: {}", .title.as_ref().map(|t| format!(" ({t})")).unwrap_or_default(), .message.as_deref().unwrap_or("details hidden (the app does not show error details; its owner can set show_error=True)"))]
    App { message: Option<String>, title: Option<String> },
    #[error("ZeroGPU quota exhausted{}", .retry_in.map(|d| format!(", resets in {}", fmt_duration(d))).unwrap_or_default())]
    QuotaExceeded { message: String, retry_in: Option<Duration> },
    #[error("{} parameter(s) failed validation:{}", .0.len(), .0.iter().map(|p| format!("\n- {}: {}", p.parameter, p.message)).collect::<String>())]
    Validation(Vec<ParamProblem>),
    #[error("the app's queue is full ({detail}); retry in a moment")]
    QueueFull { detail: String },
    #[error("rate limited by {url} (HTTP 429){}; wait and retry, or duplicate the Space", .retry_after.map(|d| format!(", retry in {}s", d.as_secs())).unwrap_or_default())]
    RateLimited { url: String, retry_after: Option<Duration> },
    #[error(
        "the app lost this session (session not found); this happens when a Space restarts or a proxy routes requests to another replica; retry"
    )]
    SessionNotFound,
    #[error("the app stopped while the call was running; retry when it is back")]
    ServerStopped,
    #[error("lost the connection to the app while waiting for the result ({0}); retry")]
    ConnectionLost(String),
    #[error("the call was cancelled")]
    Cancelled,
    #[error("the deadline of {} passed before the call finished", fmt_duration(*.0))]
    DeadlineExceeded(Duration),
    #[error("HTTP {status} from {url}: {body}")]
    Http { status: u16, url: String, body: String },
    #[error("could not connect to {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the app sent something hfs could not understand: {0}")]
    Protocol(String),
    #[error("reading the answer of {url} failed: {source}")]
    Body {
        url: String,
        #[source]
        source: BodyError,
    },
    #[error("the app ended the call without a result (no output data; it may have been cancelled on the server); retry")]
    NoResult,
    #[error("download of {url} failed: {message}")]
    Download { url: String, message: String },
    #[error("cannot write `{path}`: {source}")]
    OutputFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A short machine-readable kind (`usage`, `timeout`, `app_error`, `quota_exceeded`, …), the
    /// `kind` of `hfs.error/1` and of an MCP tool's error result.
    pub fn kind(&self) -> &'static str {
        match self.class() {
            ErrorClass::Usage => "usage",
            ErrorClass::Deadline => "timeout",
            ErrorClass::Cancelled => "cancelled",
            ErrorClass::LocalIo => "local_io",
            ErrorClass::Remote { .. } => match self {
                Error::App { .. } => "app_error",
                Error::QuotaExceeded { .. } => "quota_exceeded",
                Error::QueueFull { .. } => "queue_full",
                Error::Validation(_) => "validation",
                Error::AuthRequired { .. } | Error::BadCredentials | Error::AccessDenied { .. } => "auth",
                Error::SpaceNotRunning { .. } | Error::SpaceStartTimeout { .. } => "space_not_running",
                Error::RateLimited { .. } => "rate_limited",
                Error::Hub(h) => h.kind(),
                _ => "remote",
            },
        }
    }

    /// The class a caller acts on: exit codes in the CLI, retry decisions in a scheduler.
    pub fn class(&self) -> ErrorClass {
        use Error::*;
        match self {
            InvalidTarget(_)
            | EndpointNotFound { .. }
            | InvalidFnIndex { .. }
            | EndpointRequired(_)
            | PrivateEndpoint(_)
            | UnknownParameter { .. }
            | DuplicateParameter(_)
            | MissingParameter { .. }
            | TooManyArguments { .. }
            | MissingPositional { .. }
            | KeywordsUnsupported { .. }
            | InvalidValue { .. }
            | FileTooLarge { .. } => ErrorClass::Usage,
            InputFile { .. } | OutputFile { .. } => ErrorClass::LocalIo,
            Cancelled => ErrorClass::Cancelled,
            DeadlineExceeded(_) => ErrorClass::Deadline,
            QueueFull { .. }
            | RateLimited { .. }
            | SessionNotFound
            | ServerStopped
            | ConnectionLost(_)
            | Connect { .. }
            | SpaceStartTimeout { .. }
            | QuotaExceeded { .. } => ErrorClass::Remote { retryable: true },
            Hub(e) => e.class(),
            Http { status, .. } => ErrorClass::Remote { retryable: *status >= 500 || *status == 429 },
            Body { source, .. } => ErrorClass::Remote { retryable: !matches!(source, BodyError::TooLarge { .. }) },
            NoResult => ErrorClass::Remote { retryable: true },
            _ => ErrorClass::Remote { retryable: false },
        }
    }

    /// What a scheduler should do next: another Space when this one cannot serve now (paused,
    /// broken, out of ZeroGPU quota, not a supported Gradio app), else by class.
    pub fn action(&self) -> Action {
        use Error::*;
        match self {
            QuotaExceeded { .. }
            | SpaceNotRunning { .. }
            | SpaceStartTimeout { .. }
            | UnsupportedProtocol { .. }
            | NotGradio { .. }
            | Hub(HubError::SpaceNotFound { .. }) => Action::FallBack,
            _ => self.class().default_action(self.retry_after()),
        }
    }

    /// What would help, in no particular front end's words (the CLI turns these into flags).
    pub fn hints(&self) -> Vec<Hint> {
        use Error::*;
        match self {
            Hub(e) => e.hints(),
            MissingParameter { name, .. } => vec![Hint::GiveParameter { name: name.clone() }],
            KeywordsUnsupported { name, .. } => vec![Hint::PositionalOnly { name: name.clone() }],
            EndpointRequired(v) => vec![Hint::PickEndpoint { endpoints: v.clone() }],
            UnsupportedProtocol { .. } => vec![Hint::OtherSpace],
            SpaceStartTimeout { .. } => vec![Hint::WaitLonger],
            AuthRequired { .. } | BadCredentials => vec![Hint::AppCredentials],
            AccessDenied { .. } => vec![Hint::TokenWithAccess],
            QuotaExceeded { .. } => vec![Hint::CheckQuota, Hint::LogIn, Hint::OtherSpace],
            DeadlineExceeded(_) => vec![Hint::LongerDeadline],
            _ => vec![],
        }
    }

    /// How long to wait before retrying, when the remote side said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::QuotaExceeded { retry_in, .. } => *retry_in,
            Error::RateLimited { retry_after, .. } => *retry_after,
            Error::Hub(e) => e.retry_after(),
            _ => None,
        }
    }
}

fn did_you_mean(s: &Option<String>) -> String {
    s.as_ref().map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default()
}

fn list_valid(v: &[String]) -> String {
    if v.is_empty() { String::from(" (it has no public endpoints)") } else { format!("; valid endpoints: {}", v.join(", ")) }
}

pub(crate) use hfs_core::text::suggest;

impl From<hfs_core::write::WriteError> for Error {
    fn from(e: hfs_core::write::WriteError) -> Self {
        Error::OutputFile { path: e.path, source: e.source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("sed", ["seed", "steps", "prompt"]), Some("seed".into()));
        assert_eq!(suggest("/gret", ["/greet", "/count"]), Some("/greet".into()));
        assert_eq!(suggest("zzzzzz", ["/greet", "/count"]), None);
    }

    #[test]
    fn actions_for_a_scheduler() {
        let quota = Error::QuotaExceeded { message: "x".into(), retry_in: Some(Duration::from_secs(60)) };
        assert_eq!(quota.action(), Action::FallBack, "another Space, not a 60 s wait");
        let paused = Error::SpaceNotRunning { id: "a/b".into(), stage: SpaceStage::Paused, message: None };
        assert_eq!(paused.action(), Action::FallBack);
        let limited = Error::RateLimited { url: "u".into(), retry_after: Some(Duration::from_secs(2)) };
        assert_eq!(limited.action(), Action::RetryAfter(Duration::from_secs(2)));
        assert_eq!(Error::SessionNotFound.action(), Action::Retry);
        assert_eq!(Error::QueueFull { detail: "x".into() }.action(), Action::Retry, "a fallback chain moves on");
        assert_eq!(Error::App { message: Some("bad input".into()), title: None }.action(), Action::GiveUp);
        assert_eq!(Error::Cancelled.action(), Action::GiveUp);
    }

    #[test]
    fn hidden_app_error_says_so() {
        let e = Error::App { message: None, title: None };
        assert!(e.to_string().contains("details hidden"));
    }
}
