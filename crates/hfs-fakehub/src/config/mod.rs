//! The config model: what the fake Hub and router know beyond the recordings
//! (Spaces, tokens, models, chat models, OAuth refresh tokens, faults).
//!
//! Unknown fields are rejected so a typo in a test fixture fails loudly
//! instead of silently falling back to a default. Field names are
//! snake_case; the JSON the fake serves uses the Hub's own spelling.
//!
//! ```json
//! {
//!   "spaces": {"me/app": {"host": "http://127.0.0.1:7860", "hardware": "zero-a10g",
//!              "stages": [["SLEEPING", 0], ["APP_STARTING", 2], ["RUNNING", 4]],
//!              "short_description": "Draws", "category": "Image Generation"}},
//!   "tokens": {"hf_x": {"user": "alice", "orgs": ["acme"], "role": "write",
//!              "quota": {"base": 1500, "current": 300, "resets_at": 588, "overquota_used": 0}}},
//!   "models": {"black-forest-labs/FLUX.1-dev": {"pipeline_tag": "text-to-image", "likes": 10,
//!              "providers": [{"provider": "fal-ai", "provider_id": "fal-ai/flux/dev", "status": "live"}]}},
//!   "chat_models": [{"id": "openai/gpt-oss-120b", "providers": [{"provider": "groq",
//!              "context_length": 131072, "pricing": {"input": 0.15, "output": 0.75}}]}],
//!   "refresh_tokens": {"hf_rt": {"access_token": "hf_x", "expires_in": 3600}},
//!   "faults": [{"path": "/api/models", "method": "GET", "status": 429, "retry_after": 2, "times": 1}]
//! }
//! ```

mod fault;
mod model;
mod space;
mod token;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

pub use fault::FaultConfig;
pub use model::{ChatModelConfig, ModelConfig, ProviderMapping, task_for};
pub use space::{SpaceConfig, StageScript, validate_space_id};
pub use token::{QuotaConfig, RefreshConfig, ResetsAt, TokenConfig};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Keyed by Space id `owner/name`.
    #[serde(default)]
    pub spaces: BTreeMap<String, SpaceConfig>,
    /// Keyed by the raw token value (what clients send after `Bearer `).
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenConfig>,
    /// Hub models, keyed by repo id; listed by `/api/models` and answered by
    /// `/api/models/{id}` ahead of any recording.
    #[serde(default)]
    pub models: BTreeMap<String, ModelConfig>,
    /// The router's `/v1/models` cards, in the order given.
    #[serde(default)]
    pub chat_models: Vec<ChatModelConfig>,
    /// `POST /oauth/token` refresh grants, keyed by the refresh token.
    #[serde(default)]
    pub refresh_tokens: BTreeMap<String, RefreshConfig>,
    /// Scripted failures, checked in order before anything else answers.
    #[serde(default)]
    pub faults: Vec<FaultConfig>,
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        let config: Config = serde_json::from_str(&text)
            .with_context(|| format!("parsing config {}", path.display()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        for (id, space) in &self.spaces {
            validate_space_id(id)?;
            space.validate().with_context(|| format!("space {id}"))?;
        }
        for (id, model) in &self.models {
            model.validate().with_context(|| format!("model {id}"))?;
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault.validate().with_context(|| format!("faults[{i}]"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_object_is_a_valid_config() {
        let c: Config = serde_json::from_str("{}").unwrap();
        c.validate().unwrap();
        assert!(c.spaces.is_empty() && c.models.is_empty() && c.faults.is_empty());
    }

    #[test]
    fn rejects_unknown_top_level_fields() {
        let err = serde_json::from_str::<Config>(r#"{"modles": {}}"#).unwrap_err();
        assert!(err.to_string().contains("modles"), "{err}");
    }
}
