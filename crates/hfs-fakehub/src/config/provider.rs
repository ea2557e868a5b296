//! Synthesised Inference Provider models: what each provider answers for a
//! model the recordings don't cover, and how long its jobs take.

use std::collections::BTreeMap;

use anyhow::bail;
use serde::Deserialize;

/// The providers the fake synthesises (docs/protocol/inference.md#providers-and-tasks, Python 2.4.0).
pub const KNOWN_PROVIDERS: &[&str] = &[
    "baseten",
    "cerebras",
    "cohere",
    "deepinfra",
    "fal-ai",
    "featherless-ai",
    "fireworks-ai",
    "groq",
    "hf-inference",
    "novita",
    "nscale",
    "openai",
    "ovhcloud",
    "publicai",
    "replicate",
    "scaleway",
    "together",
    "wavespeed",
    "zai-org",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Provider keys accepted for direct calls (the provider-key mode of
    /// docs/protocol/inference.md#routing): sent as `Authorization: Key <k>` to fal-ai and
    /// `Bearer <k>` elsewhere, on the same `/{provider}/...` paths.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Keyed by provider model id (`fal-ai/veo3`, `owner/name` or
    /// `owner/name:<version>` for replicate); by HF model id for hf-inference.
    #[serde(default, alias = "jobs")]
    pub models: BTreeMap<String, SynthModel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthModel {
    /// What it produces: `image`, `video`, `audio`, `text` (ASR),
    /// `embedding` or `chat`.
    pub result: String,
    /// Status polls before an async job is done (0: done at submit).
    #[serde(default)]
    pub steps: u32,
    /// Instead of `steps`: the job is done this many seconds after submit.
    #[serde(default)]
    pub seconds: Option<f64>,
    /// The job runs, then fails with `error`.
    #[serde(default)]
    pub fail: bool,
    /// Failure message (for `fail` and `reject`).
    #[serde(default)]
    pub error: Option<String>,
    /// The submit itself is refused with this status (e.g. 422) in the
    /// provider's error shape (docs/protocol/inference.md#errors-and-retries).
    #[serde(default)]
    pub reject: Option<u16>,
    /// The parameter a rejection blames (OpenAI `param`, FastAPI `loc`).
    #[serde(default)]
    pub reject_param: Option<String>,
    /// fal-ai: answer through the queue even without `?_subdomain=queue`
    /// (direct calls to `queue.fal.run`). Defaults to true for video.
    #[serde(default)]
    pub queue: Option<bool>,
    /// replicate: `output` as a list of URLs (default for images) or one URL.
    #[serde(default)]
    pub output_list: Option<bool>,
    /// The ASR transcript or chat reply.
    #[serde(default)]
    pub text: Option<String>,
    /// Embedding width.
    #[serde(default = "default_dims")]
    pub dims: usize,
}

fn default_dims() -> usize {
    8
}

pub const RESULTS: &[&str] = &["image", "video", "audio", "text", "embedding", "chat"];

impl SynthModel {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !RESULTS.contains(&self.result.as_str()) {
            bail!("result must be one of {RESULTS:?}, got {:?}", self.result);
        }
        if let Some(s) = self.reject.filter(|s| !(400..=599).contains(s)) {
            bail!("reject must be an HTTP error status, got {s}");
        }
        if self.seconds.is_some_and(|s| s.is_nan() || s < 0.0) {
            bail!("seconds must be >= 0");
        }
        if self.dims == 0 {
            bail!("dims must be > 0");
        }
        Ok(())
    }

    pub fn error_message(&self) -> String {
        self.error.clone().unwrap_or_else(|| "Generation failed (synthesised by hfs-fakehub)".into())
    }
}

impl ProviderConfig {
    pub fn validate(&self, provider: &str) -> anyhow::Result<()> {
        if !KNOWN_PROVIDERS.contains(&provider) {
            bail!("unknown provider {provider:?}; known: {KNOWN_PROVIDERS:?}");
        }
        for (id, m) in &self.models {
            m.validate().map_err(|e| anyhow::anyhow!("model {id}: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_jobs_alias_and_rejects_bad_results() {
        let p: ProviderConfig = serde_json::from_str(r#"{"keys":["fal_k"],"jobs":{"fal-ai/veo":{"result":"video","steps":3}}}"#).unwrap();
        p.validate("fal-ai").unwrap();
        assert_eq!(p.models["fal-ai/veo"].steps, 3);
        assert!(p.validate("nebius").is_err());
        let bad: ProviderConfig = serde_json::from_str(r#"{"models":{"x":{"result":"gif"}}}"#).unwrap();
        assert!(bad.validate("fal-ai").is_err());
        assert!(serde_json::from_str::<SynthModel>(r#"{"result":"image","stpes":1}"#).is_err());
    }
}
