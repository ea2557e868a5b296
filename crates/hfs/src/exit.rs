//! Exit codes and how errors are shown.

use hfs_gradio::{Error, ErrorClass};

pub const OK: i32 = 0;
/// Remote, app or local I/O failure.
pub const FAILURE: i32 = 1;
/// Usage or validation error found before anything was sent.
pub const USAGE: i32 = 2;
/// `--timeout` passed.
pub const TIMEOUT: i32 = 124;
/// Interrupted by Ctrl-C (after cancelling on the server).
pub const INTERRUPTED: i32 = 130;

/// An error as the CLI reports it.
#[derive(Debug)]
pub enum CliError {
    Gradio(Error),
    /// An Inference Providers call failed.
    Inference(hfs_inference::InferenceError),
    /// A Hub API call failed.
    Hub(hfs_hub::HubError),
    /// A generation failed (planning, the call, or every backend).
    Generate(hfs_generate::GenError),
    /// Bad command line or environment.
    Usage(String),
    /// No usable Hugging Face token (`auth status`).
    NotLoggedIn(String),
    /// Anything else (local I/O while writing results…).
    Other(anyhow::Error),
    Interrupted,
    /// A batch run could not start (or its manifest could not be written).
    Batch(hfs_batch::BatchError),
    /// The gallery could not be written.
    Gallery(hfs_gallery::GalleryError),
    /// The command reported its outcome itself (a batch summary): exit with this code, print
    /// nothing more.
    Reported(i32),
}

impl From<hfs_batch::BatchError> for CliError {
    fn from(e: hfs_batch::BatchError) -> Self {
        match e {
            hfs_batch::BatchError::Generate(g) => g.into(),
            hfs_batch::BatchError::Usage(m) => CliError::Usage(m),
            e => CliError::Batch(e),
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Gradio(e)
    }
}

impl From<hfs_generate::GenError> for CliError {
    fn from(e: hfs_generate::GenError) -> Self {
        match e {
            hfs_generate::GenError::Gradio(e) => CliError::Gradio(e),
            hfs_generate::GenError::Inference(e) => CliError::Inference(e),
            hfs_generate::GenError::Cancelled => CliError::Interrupted,
            e => CliError::Generate(e),
        }
    }
}

impl From<hfs_inference::InferenceError> for CliError {
    fn from(e: hfs_inference::InferenceError) -> Self {
        CliError::Inference(e)
    }
}

impl CliError {
    pub fn code(&self) -> i32 {
        match self {
            CliError::Inference(e) => code_for(e.class()),
            CliError::Gradio(e) => code_for(e.class()),
            CliError::Usage(_) => USAGE,
            CliError::NotLoggedIn(_) => FAILURE,
            CliError::Hub(e) => code_for(e.class()),
            CliError::Generate(e) => code_for(e.class()),
            CliError::Other(_) => FAILURE,
            CliError::Interrupted => INTERRUPTED,
            CliError::Batch(e) => code_for(e.class()),
            CliError::Reported(code) => *code,
            CliError::Gallery(hfs_gallery::GalleryError::NoManifest(_) | hfs_gallery::GalleryError::NotOurs(_)) => USAGE,
            CliError::Gallery(_) => FAILURE,
        }
    }

    /// A short machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Inference(e) => e.kind(),
            CliError::Gradio(e) => e.kind(),
            CliError::Usage(_) => "usage",
            CliError::NotLoggedIn(_) => "auth",
            CliError::Hub(e) => e.kind(),
            CliError::Generate(e) => e.kind(),
            CliError::Other(_) => "local_io",
            CliError::Interrupted => "cancelled",
            CliError::Batch(hfs_batch::BatchError::Busy { .. }) => "busy",
            CliError::Batch(hfs_batch::BatchError::Corrupt { .. }) => "corrupt_manifest",
            CliError::Batch(e) => match e.class() {
                ErrorClass::Usage => "usage",
                _ => "local_io",
            },
            CliError::Reported(_) => "reported",
            CliError::Gallery(hfs_gallery::GalleryError::NoManifest(_) | hfs_gallery::GalleryError::NotOurs(_)) => "usage",
            CliError::Gallery(_) => "local_io",
        }
    }

    pub fn message(&self) -> String {
        match self {
            CliError::Gradio(Error::DeadlineExceeded(d)) => {
                format!("timed out after {} (--timeout); the job was cancelled on the server", hfs_gradio::fmt_duration(*d))
            }
            CliError::Gradio(Error::Cancelled) | CliError::Interrupted => "interrupted; the job was cancelled on the server".into(),
            CliError::Gradio(e) => hfs_core::text::with_sources(e),
            CliError::Inference(hfs_inference::InferenceError::Timeout(d)) => format!(
                "timed out after {} (--timeout); the provider's job was cancelled where the provider allows it",
                hfs_gradio::fmt_duration(*d)
            ),
            CliError::Inference(hfs_inference::InferenceError::Cancelled) => {
                "interrupted; the provider's job was cancelled where the provider allows it".into()
            }
            CliError::Inference(e) => hfs_core::text::with_sources(e),
            CliError::Hub(e) => hfs_core::text::with_sources(e),
            CliError::Generate(e) => hfs_core::text::with_sources(e),
            CliError::Usage(m) | CliError::NotLoggedIn(m) => m.clone(),
            CliError::Other(e) => format!("{e:#}"),
            CliError::Batch(e) => hfs_core::text::with_sources(e),
            CliError::Reported(code) => format!("exit {code}"),
            CliError::Gallery(e) => hfs_core::text::with_sources(e),
        }
    }

    pub fn retryable(&self) -> bool {
        match self {
            CliError::Gradio(e) => matches!(e.class(), ErrorClass::Remote { retryable: true }),
            CliError::Hub(e) => e.is_transient(),
            CliError::Inference(e) => matches!(e.class(), ErrorClass::Remote { retryable: true }),
            _ => false,
        }
    }

    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            CliError::Gradio(e) => e.retry_after(),
            CliError::Inference(e) => e.retry_after(),
            CliError::Hub(e) => e.retry_after(),
            _ => None,
        }
    }

    /// What would help, from the library error (the CLI adds none of its own words here).
    pub fn hints(&self) -> Vec<hfs_core::Hint> {
        match self {
            CliError::Gradio(e) => e.hints(),
            CliError::Inference(e) => e.hints(),
            CliError::Hub(e) => e.hints(),
            CliError::Generate(e) => e.hints(),
            CliError::NotLoggedIn(_) => vec![hfs_core::Hint::LogIn],
            _ => vec![],
        }
    }

    /// The HTTP status, when a server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            CliError::Inference(e) => e.status(),
            CliError::Gradio(Error::Http { status, .. } | Error::AccessDenied { status, .. }) => Some(*status),
            CliError::Gradio(Error::Hub(hfs_hub::HubError::Http { status, .. }))
            | CliError::Hub(hfs_hub::HubError::Http { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// The error as `hfs.error/1` and a stream's `error` event carry it.
    pub fn info(&self) -> hfs_schema::ErrorInfo {
        hfs_schema::ErrorInfo {
            kind: self.kind().into(),
            message: hfs_core::text::strip_terminal_escapes(&self.message()).into_owned(),
            hints: self.hints().into_iter().map(|hint| hfs_schema::HintDoc { advice: crate::hints::advice(&hint), hint }).collect(),
            retryable: self.retryable(),
            retry_after_s: self.retry_after().map(|d| d.as_secs()),
            exit_code: self.code(),
            status: self.status(),
        }
    }
}

/// The exit code for a library error class.
fn code_for(class: ErrorClass) -> i32 {
    match class {
        ErrorClass::Usage => USAGE,
        ErrorClass::Deadline => TIMEOUT,
        ErrorClass::Cancelled => INTERRUPTED,
        ErrorClass::Remote { .. } | ErrorClass::LocalIo => FAILURE,
    }
}

/// `error: …` and one `hint: …` line per hint, as stderr shows them. Messages carry server text
/// (an app's exception, a provider's message): control sequences are stripped so a server cannot
/// drive the terminal.
pub fn render(e: &CliError) -> String {
    let mut out = format!("error: {}\n", hfs_core::text::strip_terminal_escapes(&e.message()));
    for h in e.hints() {
        let advice = crate::hints::advice(&h);
        if !advice.is_empty() && !e.message().contains(&advice) {
            out.push_str(&format!("hint: {advice}\n"));
        }
    }
    out
}
