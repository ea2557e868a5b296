//! Presets: how a known Space's endpoint takes the request's options, as TOML. A preset wins over
//! the adapter's heuristics; when the Space's API no longer matches it (the endpoint or a named
//! parameter is gone), the plan says so and the heuristics take over.
//!
//! ```toml
//! space = "black-forest-labs/FLUX.1-schnell"   # the Space id it applies to
//! task = "image"                               # image | video | speech | transcribe
//! endpoint = "/infer"
//!
//! [roles]        # request option → the Space's parameter name (or label)
//! prompt = "prompt"
//! seed = "seed"
//! randomize = "randomize_seed"                 # switched off whenever a seed is sent
//! width = "width"
//! height = "height"
//! steps = "num_inference_steps"
//!
//! [set]          # values always sent, by parameter name
//! # style = "(No style)"
//! ```
//!
//! Roles: `prompt`, `negative`, `seed`, `randomize`, `width`, `height`, `size` (a resolution
//! choice), `steps`, `guidance`, `duration`, `voice`, `language`, `image`, `audio`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::GenTask;
use crate::adapter::Role;

/// One preset.
#[derive(Clone, Debug, Serialize)]
pub struct Preset {
    /// Where it came from: `builtin:<file>` or a path.
    pub origin: String,
    pub space: String,
    pub task: GenTask,
    pub endpoint: String,
    /// Request option → parameter name.
    pub roles: Vec<(String, String)>,
    /// Parameter name → value, always sent.
    pub set: Vec<(String, Value)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    space: String,
    task: String,
    endpoint: String,
    #[serde(default)]
    roles: toml::Table,
    #[serde(default)]
    set: toml::Table,
}

const BUILTIN: &[(&str, &str)] = &[
    ("tongyi-mai--z-image-turbo.toml", include_str!("../presets/tongyi-mai--z-image-turbo.toml")),
    ("black-forest-labs--flux-1-schnell.toml", include_str!("../presets/black-forest-labs--flux-1-schnell.toml")),
    ("mukaist--midjourney.toml", include_str!("../presets/mukaist--midjourney.toml")),
    ("alexnasa--ltx-2-turbo.toml", include_str!("../presets/alexnasa--ltx-2-turbo.toml")),
    ("qwen--qwen3-tts.toml", include_str!("../presets/qwen--qwen3-tts.toml")),
];

pub(crate) fn role_named(s: &str) -> Option<Role> {
    Some(match s {
        "prompt" => Role::Prompt,
        "negative" => Role::Negative,
        "seed" => Role::Seed,
        "randomize" => Role::Randomize,
        "width" => Role::Width,
        "height" => Role::Height,
        "size" => Role::Size,
        "steps" => Role::Steps,
        "guidance" => Role::Guidance,
        "duration" => Role::Duration,
        "voice" => Role::Voice,
        "language" => Role::Language,
        "image" => Role::Image,
        "audio" => Role::Audio,
        _ => return None,
    })
}

impl Preset {
    /// Parses one preset; errors name the line and column (or the bad field).
    pub fn parse(origin: &str, text: &str) -> Result<Preset, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        let task = match raw.task.as_str() {
            "image" => GenTask::Image,
            "video" => GenTask::Video,
            "speech" => GenTask::Speech,
            "transcribe" => GenTask::Transcribe,
            t => return Err(format!("{origin}: unknown task `{t}` (image, video, speech, transcribe)")),
        };
        let mut roles = Vec::new();
        for (role, name) in raw.roles {
            if role_named(&role).is_none() {
                return Err(format!("{origin}: unknown role `{role}`"));
            }
            let name = name.as_str().ok_or_else(|| format!("{origin}: roles.{role} must be a parameter name"))?.to_string();
            roles.push((role, name));
        }
        let set = raw.set.into_iter().map(|(k, v)| (k, serde_json::to_value(v).unwrap_or(Value::Null))).collect();
        if !raw.endpoint.starts_with('/') {
            return Err(format!("{origin}: endpoint must start with `/`"));
        }
        Ok(Preset { origin: origin.into(), space: raw.space, task, endpoint: raw.endpoint, roles, set })
    }
}

/// The presets in effect: the built-in ones, then the user's (which win for the same Space and task).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Presets {
    pub list: Vec<Preset>,
}

impl Presets {
    pub fn builtin() -> Presets {
        let list = BUILTIN.iter().map(|(f, t)| Preset::parse(&format!("builtin:{f}"), t).expect("built-in presets parse")).collect();
        Presets { list }
    }

    /// Adds a user preset (after the built-in ones, so it wins).
    pub fn add(&mut self, origin: &str, text: &str) -> Result<(), String> {
        self.list.push(Preset::parse(origin, text)?);
        Ok(())
    }

    /// The preset for a Space id and task (the last added wins). Space ids compare
    /// case-insensitively, as the Hub does.
    pub fn find(&self, space: &str, task: GenTask) -> Option<&Preset> {
        self.list.iter().rev().find(|p| p.task == task && p.space.eq_ignore_ascii_case(space))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_presets_parse_and_user_ones_win() {
        let mut p = Presets::builtin();
        assert_eq!(p.list.len(), 5);
        assert_eq!(p.find("black-forest-labs/flux.1-schnell", GenTask::Image).unwrap().endpoint, "/infer");
        p.add("mine.toml", "space = \"black-forest-labs/FLUX.1-schnell\"\ntask = \"image\"\nendpoint = \"/other\"\n").unwrap();
        assert_eq!(p.find("black-forest-labs/FLUX.1-schnell", GenTask::Image).unwrap().endpoint, "/other");
        let e = p.add("bad.toml", "space = \"a/b\"\ntask = \"image\"\nendpoint = \"/x\"\n[roles]\nprompt = 3\n").unwrap_err();
        assert!(e.contains("roles.prompt"), "{e}");
        let e = p.add("bad.toml", "space = \"a/b\"\ntask = \"image\"\nendpont = \"/x\"\n").unwrap_err();
        assert!(e.contains("bad.toml") && e.contains("endpont"), "{e}");
    }
}
