//! The caller's account: who a token belongs to, ZeroGPU quota, OAuth token refresh.

use serde_json::Value;

use crate::HubError;
use crate::client::{HubClient, Subject};

/// `GET /api/whoami-v2`, reduced to what hfs shows.
#[derive(Clone, Debug)]
pub struct WhoAmI {
    pub name: String,
    pub kind: String,
    pub fullname: Option<String>,
    pub orgs: Vec<String>,
    pub token_name: Option<String>,
    pub token_role: Option<String>,
    pub raw: Value,
}

impl WhoAmI {
    pub fn from_json(v: Value) -> Self {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        Self {
            name: s("/name").unwrap_or_default(),
            kind: s("/type").unwrap_or_else(|| "user".into()),
            fullname: s("/fullname"),
            orgs: v
                .get("orgs")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(|o| o.get("name").and_then(Value::as_str).map(str::to_string)).collect())
                .unwrap_or_default(),
            token_name: s("/auth/accessToken/displayName"),
            token_role: s("/auth/accessToken/role"),
            raw: v,
        }
    }
}

/// ZeroGPU quota as the Hub reports it (`/api/spaces/zero-gpu/quota`).
#[derive(Clone, Debug)]
pub struct ZeroGpuQuota {
    /// The allowance per window (seconds of GPU time).
    pub base: Option<f64>,
    /// What is left of it now (seconds).
    pub current: Option<f64>,
    /// When the window resets (ISO 8601 as sent).
    pub resets_at: Option<String>,
    pub overquota_used: Option<f64>,
    pub raw: Value,
}

/// A refreshed OAuth token.
#[derive(Clone, Debug)]
pub struct Refreshed {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Seconds until expiry, as sent.
    pub expires_in: Option<u64>,
}

/// The OAuth client id `hf auth login` uses (`HF_DEVICE_CODE_OAUTH_CLIENT_ID` overrides it).
pub const DEFAULT_OAUTH_CLIENT_ID: &str = "26be6b09-91c5-47da-9861-d2d2bb7a7e36";

impl HubClient {
    /// Who the configured token belongs to.
    pub async fn whoami(&self) -> Result<WhoAmI, HubError> {
        if self.policy.token().is_none() {
            return Err(HubError::TokenRequired { hub: self.config.endpoint.to_string() });
        }
        Ok(WhoAmI::from_json(self.get_json("api/whoami-v2", Subject::Account).await?))
    }

    /// The caller's ZeroGPU quota.
    pub async fn zero_gpu_quota(&self) -> Result<ZeroGpuQuota, HubError> {
        let v = self.get_json("api/spaces/zero-gpu/quota", Subject::Account).await?;
        let num = |k: &str| v.get(k).and_then(Value::as_f64);
        Ok(ZeroGpuQuota {
            base: num("base"),
            current: num("current"),
            resets_at: v.get("resetsAt").and_then(Value::as_str).map(str::to_string),
            overquota_used: num("overquotaUsed"),
            raw: v,
        })
    }

    /// `POST /oauth/token` with `grant_type=refresh_token`.
    pub async fn refresh_token(&self, refresh_token: &str, client_id: &str) -> Result<Refreshed, HubError> {
        let url = self.config.api_url("oauth/token");
        let (status, v) = self
            .post_form(url.clone(), &[("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", client_id)])
            .await?;
        let access = v.get("access_token").and_then(Value::as_str);
        match (status, access) {
            (200..=299, Some(a)) => Ok(Refreshed {
                access_token: a.to_string(),
                refresh_token: v.get("refresh_token").and_then(Value::as_str).map(str::to_string),
                expires_in: v.get("expires_in").and_then(Value::as_u64),
            }),
            _ => {
                let err = v.get("error").and_then(Value::as_str).unwrap_or("unexpected answer");
                let desc = v.get("error_description").and_then(Value::as_str).unwrap_or_default();
                Err(HubError::Http { status, url: url.to_string(), message: format!("{err} {desc}").trim().to_string() })
            }
        }
    }
}
