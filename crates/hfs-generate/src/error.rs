use hfs_core::{Action, ErrorClass, Hint};

use crate::plan::Candidate;

/// One backend that failed before the next one was tried.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Attempt {
    pub backend: String,
    pub error: String,
}

/// What can go wrong planning or running a generation.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{space} has no endpoint for {task}: {why}{}", list(.candidates))]
    NoEndpoint { space: String, task: &'static str, why: String, candidates: Vec<Candidate> },
    #[error("unknown parameter `{name}` for {endpoint}{}; its parameters are: {}", .suggestion.as_ref().map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default(), .valid.join(", "))]
    UnknownParameter { endpoint: String, name: String, suggestion: Option<String>, valid: Vec<String> },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Gradio(#[from] hfs_gradio::Error),
    #[error(transparent)]
    Inference(#[from] hfs_inference::InferenceError),
    #[error("cannot write `{path}`: {source}")]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the call was cancelled")]
    Cancelled,
    /// A file the request would upload lies outside the directories that may be read.
    #[error("`{path}` is outside the directories hfs may read here ({})", if .allowed.is_empty() { "none".to_string() } else { .allowed.join(", ") })]
    NotReadable { path: String, allowed: Vec<String> },
}

fn list(c: &[Candidate]) -> String {
    if c.is_empty() {
        return " (it has no public endpoints)".into();
    }
    let items: Vec<String> = c.iter().map(|c| format!("{} ({})", c.endpoint, c.note)).collect();
    format!("; endpoints: {}", items.join(", "))
}

impl GenError {
    pub fn class(&self) -> ErrorClass {
        match self {
            GenError::NoEndpoint { .. } | GenError::UnknownParameter { .. } | GenError::Usage(_) | GenError::NotReadable { .. } => {
                ErrorClass::Usage
            }
            GenError::Gradio(e) => e.class(),
            GenError::Inference(e) => e.class(),
            GenError::Output { .. } => ErrorClass::LocalIo,
            GenError::Cancelled => ErrorClass::Cancelled,
        }
    }

    /// Whether another backend may succeed where this one failed. A Space with no fitting
    /// endpoint is another backend's chance too; bad input is not.
    pub fn action(&self) -> Action {
        match self {
            GenError::NoEndpoint { .. } => Action::FallBack,
            GenError::Gradio(e) => e.action(),
            GenError::Inference(e) => e.action(),
            _ => self.class().default_action(None),
        }
    }

    /// A short machine-readable kind, as in `hfs.error/1`.
    pub fn kind(&self) -> &'static str {
        match self {
            GenError::Gradio(e) => e.kind(),
            GenError::Inference(e) => e.kind(),
            GenError::Output { .. } => "local_io",
            GenError::Cancelled => "cancelled",
            GenError::NotReadable { .. } => "not_readable",
            _ => "usage",
        }
    }

    pub fn hints(&self) -> Vec<Hint> {
        match self {
            GenError::Gradio(e) => e.hints(),
            GenError::Inference(e) => e.hints(),
            GenError::NotReadable { path, allowed } => vec![Hint::AllowDirectory { path: path.clone(), allowed: allowed.clone() }],
            GenError::NoEndpoint { candidates, .. } => {
                vec![Hint::PickEndpoint { endpoints: candidates.iter().map(|c| c.endpoint.clone()).collect() }]
            }
            _ => vec![],
        }
    }

    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            GenError::Gradio(e) => e.retry_after(),
            GenError::Inference(e) => e.retry_after(),
            _ => None,
        }
    }
}
