//! The config model: which Spaces and tokens the fake Hub knows about.
//!
//! Unknown fields are rejected so a typo in a test fixture fails loudly
//! instead of silently falling back to a default.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Keyed by Space id `owner/name`.
    #[serde(default)]
    pub spaces: BTreeMap<String, SpaceConfig>,
    /// Keyed by the raw token value (what clients send after `Bearer `).
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenConfig>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceConfig {
    /// Where the Space's app really runs (usually a local Gradio server).
    pub host: String,
    #[serde(default = "default_stage")]
    pub stage: String,
    #[serde(default)]
    pub private: bool,
    #[serde(default = "default_hardware")]
    pub hardware: String,
    #[serde(default = "default_sdk")]
    pub sdk: String,
    #[serde(default)]
    pub sdk_version: Option<String>,
    #[serde(default)]
    pub likes: u64,
    /// A script of stages: each runtime/info request moves one step on; the
    /// last one repeats. Overrides `stage` when present.
    #[serde(default)]
    pub stages: Option<Vec<String>>,
    #[serde(default)]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub user: String,
    #[serde(default)]
    pub orgs: Vec<String>,
    /// `read`, `write` or `fineGrained`, as in whoami-v2 `auth.accessToken.role`.
    #[serde(default = "default_role")]
    pub role: String,
}

fn default_stage() -> String {
    "RUNNING".into()
}
fn default_hardware() -> String {
    "cpu-basic".into()
}
fn default_sdk() -> String {
    "gradio".into()
}
fn default_role() -> String {
    "read".into()
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
        Ok(())
    }
}

impl SpaceConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.host.starts_with("http://") || self.host.starts_with("https://")) {
            bail!("host must be an http(s) URL, got {:?}", self.host);
        }
        if self.stages.as_ref().is_some_and(Vec::is_empty) {
            bail!("stages, when given, must not be empty");
        }
        Ok(())
    }
}

/// `owner/name`, both parts non-empty, exactly one slash.
pub fn validate_space_id(id: &str) -> anyhow::Result<()> {
    match id.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok(())
        }
        _ => bail!("space id must be owner/name, got {id:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_host_is_required() {
        let c: Config =
            serde_json::from_str(r#"{"spaces":{"a/b":{"host":"http://127.0.0.1:1"}}}"#).unwrap();
        let s = &c.spaces["a/b"];
        assert_eq!(
            (
                s.stage.as_str(),
                s.private,
                s.hardware.as_str(),
                s.sdk.as_str()
            ),
            ("RUNNING", false, "cpu-basic", "gradio")
        );
        c.validate().unwrap();
    }

    #[test]
    fn rejects_typos_bad_ids_and_empty_scripts() {
        assert!(serde_json::from_str::<Config>(r#"{"spaces":{"a/b":{"hots":"x"}}}"#).is_err());
        assert!(validate_space_id("nobody").is_err());
        assert!(validate_space_id("a/b/c").is_err());
        let s: SpaceConfig = serde_json::from_str(r#"{"host":"http://x","stages":[]}"#).unwrap();
        assert!(s.validate().is_err());
    }
}
