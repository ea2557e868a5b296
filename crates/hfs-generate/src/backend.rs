//! Where a generation runs: a Space endpoint or a model through Inference Providers.

use serde::{Deserialize, Serialize};

/// One backend.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Backend {
    /// A Space id or Gradio app URL, and optionally the endpoint to use.
    Space { space: String, endpoint: Option<String> },
    /// A model through a provider (`None`: the first provider that serves it).
    Provider { model: String, provider: Option<String> },
}

impl Backend {
    /// `space:OWNER/NAME[/endpoint]`, `model:ID[@provider]`, or a bare Space id or URL.
    pub fn parse(s: &str) -> Result<Backend, String> {
        let s = s.trim();
        if let Some(m) = s.strip_prefix("model:") {
            let (model, provider) = match m.split_once('@') {
                Some((m, p)) => (m, Some(p.to_string())),
                None => (m, None),
            };
            if model.is_empty() {
                return Err(format!("`{s}` names no model"));
            }
            return Ok(Backend::Provider { model: model.into(), provider });
        }
        let rest = s.strip_prefix("space:").unwrap_or(s);
        if rest.starts_with("http://") || rest.starts_with("https://") {
            return Ok(Backend::Space { space: rest.into(), endpoint: None });
        }
        let parts: Vec<&str> = rest.splitn(3, '/').collect();
        match parts.as_slice() {
            [owner, name] if !owner.is_empty() && !name.is_empty() => Ok(Backend::Space { space: rest.into(), endpoint: None }),
            [owner, name, ep] if !owner.is_empty() && !name.is_empty() && !ep.is_empty() => {
                Ok(Backend::Space { space: format!("{owner}/{name}"), endpoint: Some(format!("/{ep}")) })
            }
            _ => Err(format!("`{s}` is not a backend: use space:OWNER/NAME[/endpoint], model:ID[@provider] or a Space id")),
        }
    }

    /// How it is shown in messages and records (`space:owner/name/endpoint`, `model:id@provider`).
    pub fn label(&self) -> String {
        match self {
            Backend::Space { space, endpoint: Some(e) } if !space.contains("://") => format!("space:{space}{e}"),
            Backend::Space { space, endpoint } => {
                format!("space:{space}{}", endpoint.as_deref().map(|e| format!(" {e}")).unwrap_or_default())
            }
            Backend::Provider { model, provider: Some(p) } => format!("model:{model}@{p}"),
            Backend::Provider { model, provider: None } => format!("model:{model}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(Backend::parse("a/b").unwrap(), Backend::Space { space: "a/b".into(), endpoint: None });
        assert_eq!(Backend::parse("space:a/b/infer").unwrap(), Backend::Space { space: "a/b".into(), endpoint: Some("/infer".into()) });
        assert_eq!(Backend::parse("model:x/y@fal-ai").unwrap(), Backend::Provider { model: "x/y".into(), provider: Some("fal-ai".into()) });
        assert_eq!(Backend::parse("http://127.0.0.1:1/").unwrap(), Backend::Space { space: "http://127.0.0.1:1/".into(), endpoint: None });
        assert!(Backend::parse("nonsense").is_err());
        assert!(Backend::parse("model:").is_err());
        assert_eq!(Backend::parse("space:a/b/infer").unwrap().label(), "space:a/b/infer");
    }
}
