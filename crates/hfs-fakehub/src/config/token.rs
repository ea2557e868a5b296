//! Tokens (who they belong to, their ZeroGPU quota) and OAuth refresh grants.

use serde::Deserialize;
use serde_json::Number;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub user: String,
    #[serde(default)]
    pub orgs: Vec<String>,
    /// `read`, `write` or `fineGrained`, as in whoami-v2 `auth.accessToken.role`.
    #[serde(default = "default_role")]
    pub role: String,
    /// What `/api/spaces/zero-gpu/quota` answers for this token.
    #[serde(default)]
    pub quota: Option<QuotaConfig>,
}

/// ZeroGPU quota, in the Hub's units (numbers are passed through as written).
/// Accepts the Hub's camelCase names too, so a real response can be pasted in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaConfig {
    /// The allowance.
    pub base: Number,
    /// What is left of it.
    pub current: Number,
    #[serde(alias = "resetsAt")]
    pub resets_at: ResetsAt,
    #[serde(default = "zero", alias = "overquotaUsed")]
    pub overquota_used: Number,
}

/// When the quota resets: a timestamp given verbatim, or a number of seconds
/// after the fake started (so "resets in 9m48s" can be tested).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ResetsAt {
    At(String),
    InSeconds(f64),
}

/// One refresh token's grant: what `POST /oauth/token` hands back. List
/// `access_token` under `tokens` too for the Hub to accept it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshConfig {
    pub access_token: String,
    #[serde(default = "default_expires_in")]
    pub expires_in: u64,
    /// A rotated refresh token; absent means the response carries none.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

fn default_role() -> String {
    "read".into()
}
fn zero() -> Number {
    Number::from(0)
}
/// Eight hours, a typical OAuth access-token lifetime.
fn default_expires_in() -> u64 {
    28_800
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_takes_either_spelling_and_either_reset_form() {
        let q: QuotaConfig = serde_json::from_str(r#"{"base": 300, "current": 12.5, "resetsAt": "2025-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(q.current.to_string(), "12.5");
        assert_eq!(q.overquota_used.to_string(), "0");
        assert!(matches!(q.resets_at, ResetsAt::At(_)));
        let q: QuotaConfig = serde_json::from_str(r#"{"base": 1, "current": 0, "resets_at": 588}"#).unwrap();
        assert!(matches!(q.resets_at, ResetsAt::InSeconds(s) if s == 588.0));
    }
}
