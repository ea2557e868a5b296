//! Scripted failures: a matching request gets this answer instead of the
//! normal one, `times` times (or always).

use std::collections::BTreeMap;

use anyhow::bail;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// The exact request path, or a prefix ending in `*`. The query is ignored.
    pub path: String,
    /// Any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// `hub`, `router` or `assets`; any listener when absent.
    #[serde(default)]
    pub origin: Option<String>,
    pub status: u16,
    /// Sent as `Retry-After: N` (seconds).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// How many requests fail; forever when absent.
    #[serde(default)]
    pub times: Option<u32>,
    /// A JSON body, or a string sent as text/plain. Defaults to
    /// `{"error": "<reason phrase>"}`.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// Extra response headers (e.g. `x-error-code`, `RateLimit`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl FaultConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !self.path.starts_with('/') {
            bail!("path must start with '/', got {:?}", self.path);
        }
        if !(100..=599).contains(&self.status) {
            bail!("status must be an HTTP status, got {}", self.status);
        }
        if let Some(o) = self.origin.as_deref().filter(|o| !matches!(*o, "hub" | "router" | "assets")) {
            bail!("origin must be hub, router or assets, got {o:?}");
        }
        Ok(())
    }

    pub fn matches(&self, origin: &str, method: &str, path: &str) -> bool {
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        path_ok
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.origin.as_deref().is_none_or(|o| o == origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(json: &str) -> FaultConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn matches_on_path_prefix_method_and_origin() {
        let f = fault(r#"{"path":"/api/models*","method":"get","status":429}"#);
        assert!(f.matches("hub", "GET", "/api/models/a/b"));
        assert!(!f.matches("hub", "POST", "/api/models"));
        assert!(!f.matches("hub", "GET", "/api/spaces"));
        let f = fault(r#"{"path":"/v1/models","origin":"router","status":500}"#);
        assert!(f.matches("router", "GET", "/v1/models"));
        assert!(!f.matches("hub", "GET", "/v1/models"));
        assert!(!f.matches("router", "GET", "/v1/models/x"));
    }

    #[test]
    fn rejects_bad_paths_statuses_and_origins() {
        assert!(fault(r#"{"path":"api","status":500}"#).validate().is_err());
        assert!(fault(r#"{"path":"/a","status":42}"#).validate().is_err());
        assert!(fault(r#"{"path":"/a","status":500,"origin":"cdn"}"#).validate().is_err());
    }
}
