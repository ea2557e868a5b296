//! Hub models with their Inference Provider mappings, and the router's chat
//! model cards (docs/protocol/inference.md#model-mapping).

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    #[serde(default)]
    pub pipeline_tag: Option<String>,
    #[serde(default)]
    pub library_name: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub likes: u64,
    #[serde(default)]
    pub downloads: u64,
    #[serde(default)]
    pub trending_score: u64,
    #[serde(default)]
    pub private: bool,
    /// In the user's preference order: clients take the first entry for
    /// `provider=auto`, so order is kept everywhere it is served.
    #[serde(default)]
    pub providers: Vec<ProviderMapping>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderMapping {
    pub provider: String,
    pub provider_id: String,
    /// `live`, `staging` or `error`.
    #[serde(default = "default_status")]
    pub status: String,
    /// Defaults from the model's pipeline tag (see [`ModelConfig::task`]).
    #[serde(default)]
    pub task: Option<String>,
    #[serde(default)]
    pub adapter: Option<String>,
    #[serde(default)]
    pub adapter_weights_path: Option<String>,
    /// `single-model` or `tag-filter`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub is_model_author: Option<bool>,
}

fn default_status() -> String {
    "live".into()
}

impl ModelConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        for p in &self.providers {
            self.task(p).with_context(|| format!("provider {} has no task and the model no pipeline_tag", p.provider))?;
            if !matches!(p.status.as_str(), "live" | "staging" | "error") {
                bail!("provider {} status must be live, staging or error", p.provider);
            }
        }
        Ok(())
    }

    /// The mapping's task: explicit, else the pipeline tag — with chat
    /// models (tagged `conversational`) mapped as `conversational`, the task
    /// the Hub uses for them.
    pub fn task(&self, p: &ProviderMapping) -> Option<String> {
        p.task.clone().or_else(|| task_for(self.pipeline_tag.as_deref()?, &self.tags))
    }

    pub fn has_provider(&self, wanted: &str) -> bool {
        match wanted {
            "all" => !self.providers.is_empty(),
            list => list.split(',').any(|w| self.providers.iter().any(|p| p.provider == w.trim())),
        }
    }
}

/// The provider task for a pipeline tag, as the Hub derives it for
/// hf-inference (also used for recorded models without a mapping).
pub fn task_for(pipeline_tag: &str, tags: &[String]) -> Option<String> {
    let chat = tags.iter().any(|t| t == "conversational");
    Some(match pipeline_tag {
        "text-generation" | "image-text-to-text" if chat => "conversational".into(),
        other => other.to_string(),
    })
}

/// One `/v1/models` card. Unset optional fields are omitted, as the router
/// omits fields a provider does not report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatModelConfig {
    pub id: String,
    #[serde(default)]
    pub created: u64,
    /// Defaults to the repo owner.
    #[serde(default)]
    pub owned_by: Option<String>,
    #[serde(default = "default_input_modalities")]
    pub input_modalities: Vec<String>,
    #[serde(default)]
    pub providers: Vec<ChatProvider>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChatProvider {
    pub provider: String,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
    /// USD per 1M tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_free: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_tools: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_structured_output: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_latency_ms: Option<serde_json::Number>,
    /// Tokens per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<serde_json::Number>,
    #[serde(default)]
    pub is_model_author: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub input: serde_json::Number,
    pub output: serde_json::Number,
}

fn default_input_modalities() -> Vec<String> {
    vec!["text".into()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_defaults_from_the_pipeline_tag_and_chat_tag() {
        let m: ModelConfig = serde_json::from_str(
            r#"{"pipeline_tag":"text-generation","tags":["conversational"],
                "providers":[{"provider":"together","provider_id":"x"},
                             {"provider":"novita","provider_id":"y","task":"text-generation"}]}"#,
        )
        .unwrap();
        m.validate().unwrap();
        assert_eq!(m.task(&m.providers[0]).as_deref(), Some("conversational"));
        assert_eq!(m.task(&m.providers[1]).as_deref(), Some("text-generation"));
        assert!(m.has_provider("novita,fal-ai") && m.has_provider("all"));
        assert!(!m.has_provider("fal-ai"));
    }

    #[test]
    fn a_mapping_needs_a_task_and_a_known_status() {
        let m: ModelConfig = serde_json::from_str(r#"{"providers":[{"provider":"p","provider_id":"x"}]}"#).unwrap();
        assert!(m.validate().is_err());
        let m: ModelConfig =
            serde_json::from_str(r#"{"pipeline_tag":"text-to-image","providers":[{"provider":"p","provider_id":"x","status":"up"}]}"#)
                .unwrap();
        assert!(m.validate().is_err());
    }
}
