//! The Gradio, Hub and account documents.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ErrorInfo;

/// `hfs.api/1`: an app's endpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiDoc {
    pub schema: String,
    pub target: String,
    pub url: String,
    pub gradio_version: String,
    pub protocol: String,
    /// Each endpoint as `hfs_gradio::describe_endpoint` gives it.
    pub endpoints: Vec<Value>,
}

impl ApiDoc {
    pub const SCHEMA: &'static str = "hfs.api/1";
}

/// An endpoint as the user named it: `/name`, or an index for unnamed ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EndpointRef {
    Name(String),
    Index(usize),
}

/// `hfs.call/1`: a call's outputs, every file replaced by what was saved locally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallDoc {
    pub schema: String,
    /// `completed` when this is the last line of `--stream`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    pub target: String,
    pub endpoint: EndpointRef,
    pub outputs: Vec<Value>,
    pub files: Vec<PathBuf>,
    pub duration_ms: u64,
}

impl CallDoc {
    pub const SCHEMA: &'static str = "hfs.call/1";
}

/// One line of `hfs call --stream` before the last (`hfs.event/1`); the last is a [`CallDoc`]
/// with `event: completed`, or an `error` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamLine {
    pub schema: String,
    #[serde(flatten)]
    pub event: StreamEvent,
}

impl StreamLine {
    pub const SCHEMA: &'static str = "hfs.event/1";

    pub fn new(event: StreamEvent) -> Self {
        Self { schema: Self::SCHEMA.into(), event }
    }
}

/// What `--stream` reports while a call runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum StreamEvent {
    /// Waiting in the app's queue (`rank` 0 is next).
    Queued { rank: Option<u64>, queue_size: Option<u64>, eta: Option<f64> },
    /// Progress units as the app sent them, and the last one's fraction done.
    Progress { units: Value, fraction: Option<f64> },
    /// `gr.Info`, `gr.Warning`, … from the app.
    Log { level: Value, title: Option<String>, message: String },
    /// An intermediate output of a generator.
    Output { outputs: Vec<Value> },
    /// The call failed; the last line.
    Error { error: ErrorInfo },
}

/// `hfs.search.spaces/1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchSpacesDoc {
    pub schema: String,
    pub spaces: Vec<SpaceHitDoc>,
}

impl SearchSpacesDoc {
    pub const SCHEMA: &'static str = "hfs.search.spaces/1";
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceHitDoc {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub likes: Option<u64>,
    pub stage: Option<String>,
    pub hardware: Option<String>,
    pub category: Option<String>,
}

/// `hfs.search.models/1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchModelsDoc {
    pub schema: String,
    pub task: String,
    pub models: Vec<ModelHitDoc>,
}

impl SearchModelsDoc {
    pub const SCHEMA: &'static str = "hfs.search.models/1";
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelHitDoc {
    pub id: String,
    pub pipeline_tag: Option<String>,
    pub likes: Option<u64>,
    pub downloads: Option<u64>,
    pub providers: Vec<ProviderDoc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderDoc {
    pub provider: String,
    pub status: Option<String>,
    pub provider_id: Option<String>,
    pub task: Option<String>,
}

/// `hfs.models/1`: the router's model list, as it sent it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelsDoc {
    pub schema: String,
    pub models: Vec<Value>,
}

impl ModelsDoc {
    pub const SCHEMA: &'static str = "hfs.models/1";
}

/// `hfs.quota/1`: the ZeroGPU quota, in seconds of GPU time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuotaDoc {
    pub schema: String,
    pub allowance_s: Option<f64>,
    pub remaining_s: Option<f64>,
    pub resets_at: Option<String>,
    pub resets_in_s: Option<u64>,
    pub overquota_used_s: Option<f64>,
    /// The Hub's answer as it was.
    pub raw: Value,
}

impl QuotaDoc {
    pub const SCHEMA: &'static str = "hfs.quota/1";
}

/// `hfs.space/1`: a Space's info and runtime.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceDoc {
    pub schema: String,
    pub id: String,
    pub stage: Option<String>,
    pub hardware: Option<String>,
    pub zero_gpu: bool,
    pub sdk: Option<String>,
    pub sdk_version: Option<String>,
    pub host: Option<String>,
    pub private: bool,
    pub likes: Option<u64>,
    pub error_message: Option<String>,
}

impl SpaceDoc {
    pub const SCHEMA: &'static str = "hfs.space/1";
}

/// `hfs.auth/1`: who the token belongs to (`logged_in: false` without a usable token).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthDoc {
    pub schema: String,
    pub logged_in: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orgs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_role: Option<String>,
    /// Where the token came from (`--token`, `$HF_TOKEN`, a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<String>,
    /// Why the token is not usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AuthDoc {
    pub const SCHEMA: &'static str = "hfs.auth/1";
}

/// `hfs.presets/1`: the Space presets in effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresetsDoc {
    pub schema: String,
    /// Where the user's presets are read from.
    pub dir: Option<PathBuf>,
    /// Each with `origin`, `space`, `task`, `endpoint`, `roles` and `set`.
    pub presets: Vec<Value>,
}

impl PresetsDoc {
    pub const SCHEMA: &'static str = "hfs.presets/1";
}

/// `hfs.mcp.listening/1`: `hfs mcp --http … --json` prints it once the server listens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McpListeningDoc {
    pub schema: String,
    /// The Streamable HTTP endpoint (`http://HOST:PORT/mcp`).
    pub url: String,
    /// Every tool the server lists.
    pub tools: Vec<String>,
}

impl McpListeningDoc {
    pub const SCHEMA: &'static str = "hfs.mcp.listening/1";
}
