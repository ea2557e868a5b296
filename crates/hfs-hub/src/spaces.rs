use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::HubError;
use crate::client::{HubClient, Subject};

/// A Space's runtime stage. An open set: stages the Hub adds later are kept as `Other`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpaceStage {
    Running,
    RunningBuilding,
    RunningAppStarting,
    Building,
    AppStarting,
    Sleeping,
    Stopped,
    Paused,
    BuildError,
    RuntimeError,
    ConfigError,
    NoAppFile,
    Deleting,
    Other(String),
}

impl SpaceStage {
    pub fn parse(s: &str) -> Self {
        match s {
            "RUNNING" => Self::Running,
            "RUNNING_BUILDING" => Self::RunningBuilding,
            "RUNNING_APP_STARTING" => Self::RunningAppStarting,
            "BUILDING" => Self::Building,
            "APP_STARTING" => Self::AppStarting,
            "SLEEPING" => Self::Sleeping,
            "STOPPED" => Self::Stopped,
            "PAUSED" => Self::Paused,
            "BUILD_ERROR" => Self::BuildError,
            "RUNTIME_ERROR" => Self::RuntimeError,
            "CONFIG_ERROR" => Self::ConfigError,
            "NO_APP_FILE" => Self::NoAppFile,
            "DELETING" => Self::Deleting,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Running => "RUNNING",
            Self::RunningBuilding => "RUNNING_BUILDING",
            Self::RunningAppStarting => "RUNNING_APP_STARTING",
            Self::Building => "BUILDING",
            Self::AppStarting => "APP_STARTING",
            Self::Sleeping => "SLEEPING",
            Self::Stopped => "STOPPED",
            Self::Paused => "PAUSED",
            Self::BuildError => "BUILD_ERROR",
            Self::RuntimeError => "RUNTIME_ERROR",
            Self::ConfigError => "CONFIG_ERROR",
            Self::NoAppFile => "NO_APP_FILE",
            Self::Deleting => "DELETING",
            Self::Other(s) => s,
        }
    }

    /// The app answers requests.
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running | Self::RunningBuilding | Self::RunningAppStarting)
    }

    /// Will become running by itself (or when woken by a request): worth waiting for.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Building | Self::AppStarting | Self::Sleeping | Self::Stopped)
    }

    /// What the user can do about a stage that will not fix itself.
    pub fn advice(&self) -> &'static str {
        match self {
            Self::Paused => "The Space is PAUSED by its owner; only the owner can restart it. Duplicate it or pick another Space.",
            Self::BuildError | Self::ConfigError | Self::NoAppFile => {
                "The Space failed to build; tell its owner, or duplicate and fix it, or pick another Space."
            }
            Self::RuntimeError => "The Space crashed at runtime; tell its owner, or pick another Space.",
            Self::Deleting => "The Space is being deleted; pick another Space.",
            _ => "Wait for it to start, or pick another Space.",
        }
    }
}

impl fmt::Display for SpaceStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Space's runtime, as `/api/spaces/{id}/runtime` (or the `runtime` field of Space info) gives it.
#[derive(Clone, Debug)]
pub struct SpaceRuntime {
    pub stage: SpaceStage,
    pub hardware: Option<String>,
    pub requested_hardware: Option<String>,
    pub error_message: Option<String>,
    /// The whole JSON, for fields hfs does not model.
    pub raw: Value,
}

impl SpaceRuntime {
    pub fn from_json(v: &Value) -> Self {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        Self {
            stage: SpaceStage::parse(&s("/stage").unwrap_or_default()),
            hardware: s("/hardware/current"),
            requested_hardware: s("/hardware/requested"),
            error_message: s("/errorMessage"),
            raw: v.clone(),
        }
    }
}

/// The fields of `/api/spaces/{id}` hfs uses; everything else stays in `raw`.
#[derive(Clone, Debug)]
pub struct SpaceInfo {
    pub id: String,
    pub host: Option<Url>,
    pub private: bool,
    pub sdk: Option<String>,
    pub sdk_version: Option<String>,
    pub likes: Option<u64>,
    pub runtime: Option<SpaceRuntime>,
    pub raw: Value,
}

#[derive(Deserialize)]
struct HostOnly {
    host: Option<String>,
}

impl HubClient {
    /// `GET /api/spaces/{id}`. The returned host is trusted for the token from now on.
    pub async fn space_info(&self, id: &str) -> Result<SpaceInfo, HubError> {
        let v = self.get_json(&format!("api/spaces/{id}"), Subject::Space(id)).await?;
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        let mut host = s("/host").and_then(|h| Url::parse(&h).ok());
        if host.is_none() {
            // Older answers only carry the subdomain.
            host = s("/subdomain").and_then(|sub| Url::parse(&format!("https://{sub}.hf.space")).ok());
        }
        if host.is_none() {
            host = self.space_host(id).await.ok().flatten();
        }
        if let Some(h) = &host {
            self.policy.trust_space_host(h);
        }
        Ok(SpaceInfo {
            id: s("/id").unwrap_or_else(|| id.to_string()),
            host,
            private: v.get("private").and_then(Value::as_bool).unwrap_or(false),
            sdk: s("/sdk"),
            sdk_version: s("/cardData/sdk_version").or_else(|| s("/sdk_version")),
            likes: v.get("likes").and_then(Value::as_u64),
            runtime: v.get("runtime").filter(|r| r.is_object()).map(SpaceRuntime::from_json),
            raw: v,
        })
    }

    /// `GET /api/spaces/{id}/host`.
    pub async fn space_host(&self, id: &str) -> Result<Option<Url>, HubError> {
        let v = self.get_json(&format!("api/spaces/{id}/host"), Subject::Space(id)).await?;
        let host: HostOnly = serde_json::from_value(v).unwrap_or(HostOnly { host: None });
        let url = host.host.and_then(|h| Url::parse(&h).ok());
        if let Some(u) = &url {
            self.policy.trust_space_host(u);
        }
        Ok(url)
    }

    /// `GET /api/spaces/{id}/runtime`.
    pub async fn space_runtime(&self, id: &str) -> Result<SpaceRuntime, HubError> {
        let v = self.get_json(&format!("api/spaces/{id}/runtime"), Subject::Space(id)).await?;
        Ok(SpaceRuntime::from_json(&v))
    }
}
