//! Spaces: where each one really runs and how its stage evolves.

use anyhow::bail;
use serde::{Deserialize, Serialize};

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
    /// A stage script; see [`StageScript`]. Overrides `stage` once it starts.
    #[serde(default)]
    pub stages: Option<StageScript>,
    #[serde(default)]
    pub error_message: Option<String>,
    /// Semantic-search card text (`shortDescription`).
    #[serde(default)]
    pub short_description: Option<String>,
    /// Semantic-search category display name, e.g. "Image Generation"
    /// (matched by `category=image-generation`).
    #[serde(default)]
    pub category: Option<String>,
}

/// How a Space's stage changes, in one of two forms:
/// - `["SLEEPING", "APP_STARTING", "RUNNING"]`: each runtime/info request
///   moves one step on; the last one repeats.
/// - `[["SLEEPING", 0], ["APP_STARTING", 2], ["RUNNING", 4]]`: the stage at
///   N seconds (fractions allowed) after the Space was configured; before
///   the first step, `stage` applies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum StageScript {
    PerRequest(Vec<String>),
    Timed(Vec<(String, f64)>),
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

impl SpaceConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.host.starts_with("http://") || self.host.starts_with("https://")) {
            bail!("host must be an http(s) URL, got {:?}", self.host);
        }
        match &self.stages {
            Some(StageScript::PerRequest(s)) if s.is_empty() => {
                bail!("stages, when given, must not be empty")
            }
            Some(StageScript::Timed(s)) if s.is_empty() => {
                bail!("stages, when given, must not be empty")
            }
            Some(StageScript::Timed(steps)) => {
                let mut last = 0.0;
                for (stage, at) in steps {
                    if !at.is_finite() || *at < last {
                        bail!("timed stages must start at >= 0 s and not go back in time ({stage} at {at})");
                    }
                    last = *at;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// `owner/name`, both parts non-empty, exactly one slash.
pub fn validate_space_id(id: &str) -> anyhow::Result<()> {
    match id.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => Ok(()),
        _ => bail!("space id must be owner/name, got {id:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(json: &str) -> SpaceConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn only_host_is_required() {
        let s = space(r#"{"host":"http://127.0.0.1:1"}"#);
        assert_eq!((s.stage.as_str(), s.private, s.hardware.as_str(), s.sdk.as_str()), ("RUNNING", false, "cpu-basic", "gradio"));
        s.validate().unwrap();
    }

    #[test]
    fn rejects_typos_bad_ids_and_empty_scripts() {
        assert!(serde_json::from_str::<SpaceConfig>(r#"{"hots":"x"}"#).is_err());
        assert!(validate_space_id("nobody").is_err());
        assert!(validate_space_id("a/b/c").is_err());
        assert!(space(r#"{"host":"http://x","stages":[]}"#).validate().is_err());
    }

    #[test]
    fn reads_both_script_forms_and_rejects_time_travel() {
        let per = space(r#"{"host":"http://x","stages":["SLEEPING","RUNNING"]}"#);
        assert!(matches!(per.stages, Some(StageScript::PerRequest(ref s)) if s.len() == 2));
        let timed = space(r#"{"host":"http://x","stages":[["SLEEPING",0],["RUNNING",1.5]]}"#);
        assert!(matches!(timed.stages, Some(StageScript::Timed(ref s)) if s[1].1 == 1.5));
        timed.validate().unwrap();
        let back = space(r#"{"host":"http://x","stages":[["A",2],["B",1]]}"#);
        assert!(back.validate().is_err());
        // Mixing the two forms is neither.
        assert!(serde_json::from_str::<SpaceConfig>(r#"{"host":"http://x","stages":["A",["B",1]]}"#).is_err());
    }
}
