//! Every document `hfs … --json` prints and every line `hfs call --stream` prints, as serde types.
//!
//! Each document carries a `schema` field, `hfs.<name>/<version>`: a version changes only when a
//! field is removed or changes meaning (new fields may appear in any version). Scripts, the batch
//! runner and tests read these types instead of guessing at JSON. Nothing here knows how a value
//! was obtained; the CLI fills the types and prints them.
//!
//! ```
//! use hfs_schema::{ErrorDoc, ErrorInfo};
//! let doc = ErrorDoc::new("call", ErrorInfo { kind: "usage".into(), message: "bad".into(), exit_code: 2, ..Default::default() });
//! let v = serde_json::to_value(&doc).unwrap();
//! assert_eq!(v["schema"], "hfs.error/1");
//! assert_eq!(v["error"]["exit_code"], 2);
//! ```

use std::path::PathBuf;

use hfs_core::Hint;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod docs;
pub use docs::*;

/// `hfs.error/1`: what every command prints on stdout with `--json` when it fails.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorDoc {
    pub schema: String,
    /// The subcommand that failed (`call`, `image`, `search spaces`, …).
    pub command: String,
    /// The Space or URL, for commands that have one.
    pub target: Option<String>,
    /// The model, for Inference Providers commands.
    pub model: Option<String>,
    pub error: ErrorInfo,
}

impl ErrorDoc {
    pub const SCHEMA: &'static str = "hfs.error/1";

    pub fn new(command: impl Into<String>, error: ErrorInfo) -> Self {
        Self { schema: Self::SCHEMA.into(), command: command.into(), target: None, model: None, error }
    }
}

/// One failure, the same in `hfs.error/1` and in a stream's `error` event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// A short machine-readable kind: `usage`, `auth`, `not_found`, `rate_limited`, `timeout`,
    /// `cancelled`, `app_error`, `quota_exceeded`, `queue_full`, `validation`, `space_not_running`,
    /// `billing`, `job_failed`, `local_io`, `remote`.
    pub kind: String,
    /// What happened, for a person.
    pub message: String,
    /// What would help: each hint as data plus the CLI's advice for it.
    pub hints: Vec<HintDoc>,
    /// Whether trying the same thing again later may succeed.
    pub retryable: bool,
    /// How long the server asked to wait before retrying.
    pub retry_after_s: Option<u64>,
    /// The process exit code (documented in the README).
    pub exit_code: i32,
    /// The HTTP status, when a server answered with one.
    pub status: Option<u16>,
}

/// A structured hint with the CLI's words for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HintDoc {
    #[serde(flatten)]
    pub hint: Hint,
    /// The advice as the CLI prints it (`hint: …` on stderr).
    pub advice: String,
}

/// `hfs.chat/1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatDoc {
    pub schema: String,
    pub model: String,
    pub provider: String,
    pub served_model: Option<String>,
    pub content: String,
    pub finish_reason: Option<String>,
    pub usage: Option<Value>,
    pub request_id: Option<String>,
    pub duration_ms: u64,
}

impl ChatDoc {
    pub const SCHEMA: &'static str = "hfs.chat/1";
}

/// `hfs.generate/1`: one generation on a Space or a provider (`image`, `video`, `speech`,
/// `transcribe` with a Space, generation options or default backends).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerateDoc {
    pub schema: String,
    pub task: String,
    /// `{"kind": "space", "space", "endpoint"}` or `{"kind": "provider", "model", "provider"}`.
    pub backend: Value,
    /// The seed the output was made with (`null` when the backend takes none).
    pub seed: Option<u64>,
    /// Every argument sent, by the backend's parameter names (input files as local paths).
    pub arguments: Value,
    pub files: Vec<GeneratedFile>,
    /// The outputs as returned, every file replaced by its local copy.
    pub values: Vec<Value>,
    /// The transcription (`transcribe`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Backends that failed before this one, and why.
    pub fallbacks: Vec<Value>,
    pub warnings: Vec<String>,
    pub duration_ms: u64,
    /// In a batch: the item's key (as in `hfs-manifest.jsonl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// In a pipeline: the step the item ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// `hfs.batch/1`: the last line of a batch run or `hfs resume` with `--json` (after one
/// `hfs.generate/1` line per item done).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchDoc {
    pub schema: String,
    /// The run directory (files and `hfs-manifest.jsonl`).
    pub dir: PathBuf,
    pub done: usize,
    pub failed: usize,
    /// Items already done in the manifest, not run again.
    pub skipped: usize,
    /// Items left for `hfs resume` (the run was stopped).
    pub not_run: usize,
    pub duration_ms: u64,
    /// `cancelled` (Ctrl-C) or `max_time`, when the run stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// Each item that failed for good, with its reason.
    pub failures: Vec<BatchFailure>,
}

/// `hfs.gallery/1`: where `hfs gallery` wrote the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GalleryDoc {
    pub schema: String,
    pub page: PathBuf,
}

impl GalleryDoc {
    pub const SCHEMA: &'static str = "hfs.gallery/1";
}

impl BatchDoc {
    pub const SCHEMA: &'static str = "hfs.batch/1";
}

/// One failed item of a batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchFailure {
    pub item: String,
    /// The prompt (or input file).
    pub title: String,
    pub backend: String,
    /// `usage`, `remote`, `remote_retryable`, `quota`, `deadline`, `cancelled` or `local_io`.
    pub class: String,
    pub message: String,
    pub attempts: u32,
}

impl GenerateDoc {
    pub const SCHEMA: &'static str = "hfs.generate/1";
}

/// A pipeline step that did not run because an input it takes failed (recorded as `skipped`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineSkip {
    pub step: String,
    /// The pipeline instance (its vars' binding), as the items' `group`.
    pub group: Option<String>,
    /// The item whose failure it follows.
    pub because: String,
    pub reason: String,
}

/// One step's counts in `hfs.pipeline/1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineStepCount {
    pub step: String,
    pub task: String,
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// `hfs.pipeline/1`: how a pipeline run (`hfs run`, `hfs resume` of one) ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineDoc {
    pub schema: String,
    pub dir: PathBuf,
    pub pipeline: String,
    /// Items done by this run.
    pub done: usize,
    pub failed: usize,
    /// Step instances not run because an input failed.
    pub skipped: usize,
    /// Items done by an earlier run (not run again).
    pub already_done: usize,
    pub not_run: usize,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// Per step, in the file's order: this run's counts.
    pub steps: Vec<PipelineStepCount>,
    pub failures: Vec<BatchFailure>,
    pub skips: Vec<PipelineSkip>,
}

impl PipelineDoc {
    pub const SCHEMA: &'static str = "hfs.pipeline/1";
}

/// One step of `hfs.pipeline.explain/1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineStepPlan {
    pub step: String,
    pub task: String,
    /// Backends in order (the first serves; the others are fallbacks), by label.
    pub backends: Vec<String>,
    /// The steps whose outputs it takes.
    pub after: Vec<String>,
    /// Copies per instance (`n`).
    pub n: u32,
    /// How many times it runs: instances of the vars × the fan-out of the steps before it × `n`.
    pub runs: u64,
    /// The plan of its first run on its first backend (`hfs.explain/1` without `schema`; outputs of
    /// earlier steps as placeholders), or why it cannot be made before they exist.
    pub plan: Option<Value>,
    pub note: Option<String>,
}

/// `hfs.pipeline.explain/1`: `hfs run --explain`, nothing called but the Spaces' APIs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineExplainDoc {
    pub schema: String,
    pub pipeline: String,
    /// Instances of the vars (the product of every list var's values).
    pub instances: u64,
    pub vars: Value,
    /// In an order they can run in (every step after the steps it takes from).
    pub steps: Vec<PipelineStepPlan>,
}

impl PipelineExplainDoc {
    pub const SCHEMA: &'static str = "hfs.pipeline.explain/1";
}

/// A generated file with its hash (also in `hfs-manifest.jsonl`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub mime_type: Option<String>,
    pub size: u64,
    pub sha256: String,
}

/// `hfs.explain/1`: the plan of a generation, nothing called.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExplainDoc {
    pub schema: String,
    pub backend: Value,
    pub endpoint: Option<String>,
    pub arguments: Value,
    /// Where each argument's value came from: `{"from": "option", "detail": "seed"}`, `param`,
    /// `default`, or `{"from": "hfs", "detail": why}`.
    pub sources: Value,
    /// Every endpoint considered, with whether it fits and why not.
    pub candidates: Value,
    pub warnings: Vec<String>,
    pub seed: Option<u64>,
}

impl ExplainDoc {
    pub const SCHEMA: &'static str = "hfs.explain/1";
}
