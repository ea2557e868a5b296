//! The config model: what the fake Hub and router know beyond the recordings
//! (Spaces, tokens, models, chat models, OAuth refresh tokens, faults,
//! synthesised Inference Provider models).
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
//!   "faults": [{"path": "/api/models", "method": "GET", "status": 429, "retry_after": 2, "times": 1}],
//!   "providers": {"fal-ai": {"keys": ["fal_direct_key"],
//!              "models": {"fal-ai/veo3": {"result": "video", "steps": 3},
//!                         "fal-ai/broken": {"result": "video", "steps": 1, "fail": true, "error": "boom"},
//!                         "fal-ai/bad": {"result": "video", "reject": 422, "reject_param": "num_frames"}}},
//!              "replicate": {"models": {"owner/name": {"result": "image", "seconds": 2.5}}},
//!              "groq": {"models": {"openai/gpt-oss-120b": {"result": "chat", "text": "Hi!"}}}}
//! }
//! ```
//!
//! `providers` (`providers.rs`, served by `router::providers`): per provider,
//! `keys` are provider keys accepted for direct calls (`Key k` for fal-ai,
//! `Bearer k` otherwise) on the same `/{provider}/...` router paths (point a
//! client's direct base URL at `{router}/{provider}`); routed calls need a
//! configured `tokens` entry as everywhere. `models` (alias `jobs`) is keyed
//! by provider model id (HF id for hf-inference); each has `result` (`image`,
//! `video`, `audio`, `text` = ASR transcript, `embedding`, `chat`), `steps`
//! (status polls until done; 0 = done at submit) or `seconds` (wall clock
//! from submit), `fail` + `error` (the job fails), `reject` (+ `reject_param`:
//! the submit is refused with that status in the provider's error shape),
//! `queue` (fal-ai: queue even without `?_subdomain=queue`; default for
//! video), `output_list` (replicate `output` as `[url]`; default for images),
//! `text` (transcript / chat reply), `dims` (embedding width, default 8).
//! Chat is also synthesised for `chat_models` entries on their providers'
//! chat routes, for `models` mappings with task `conversational`, and on the
//! auto route `/v1/chat/completions` (`:fastest`, `:cheapest`, `:preferred`,
//! `:<provider>` suffixes choose among a `chat_models` entry's live
//! providers). Only configured models are synthesised: anything else still
//! falls through to the recordings, then to the provider's 404/400.

mod fault;
mod model;
mod provider;
mod space;
mod token;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

pub use fault::FaultConfig;
pub use model::{ChatModelConfig, ChatProvider, ModelConfig, ProviderMapping, task_for};
pub use provider::{KNOWN_PROVIDERS, ProviderConfig, SynthModel};
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
    /// Synthesised Inference Provider models and direct keys, keyed by
    /// provider id (`fal-ai`, `replicate`, …).
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading config {}", path.display()))?;
        let config: Config = serde_json::from_str(&text).with_context(|| format!("parsing config {}", path.display()))?;
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
        for (name, p) in &self.providers {
            p.validate(name).with_context(|| format!("providers.{name}"))?;
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
