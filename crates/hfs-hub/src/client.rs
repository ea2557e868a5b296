//! The Hub API client: one place that adds the token (per the policy), sends, and turns Hub error
//! answers into typed errors.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;

use crate::error::hub_message;
use crate::{HubConfig, HubError, TokenPolicy};

/// What a request is about, for a precise "not found" error.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Subject<'a> {
    Space(&'a str),
    Model(&'a str),
    /// Needs a valid token (whoami, quota).
    Account,
    Other,
}

/// A small Hub API client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HubClient {
    pub(crate) http: reqwest::Client,
    pub(crate) config: HubConfig,
    pub(crate) policy: TokenPolicy,
}

impl HubClient {
    /// `http` should not follow redirects across hosts with credentials; hfs builds it that way.
    pub fn new(http: reqwest::Client, config: HubConfig, policy: TokenPolicy) -> Self {
        Self { http, config, policy }
    }

    pub fn config(&self) -> &HubConfig {
        &self.config
    }

    pub fn policy(&self) -> &TokenPolicy {
        &self.policy
    }

    /// `GET {HF_ENDPOINT}/{path}` as JSON.
    pub(crate) async fn get_json(&self, path: &str, subject: Subject<'_>) -> Result<Value, HubError> {
        self.get_json_url(self.config.api_url(path), subject).await
    }

    /// `GET url` as JSON, following same-origin redirects (renamed repos answer 307), retried on
    /// 408/429/5xx and dropped connections per the config's [`RetryPolicy`](crate::RetryPolicy).
    pub(crate) async fn get_json_url(&self, url: Url, subject: Subject<'_>) -> Result<Value, HubError> {
        let policy = &self.config.retry;
        let mut waited = Duration::ZERO;
        let mut retry = 0;
        loop {
            let err = match self.get_json_once(url.clone(), subject).await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let Some(server_wait) = retry_wait(&err) else { return Err(err) };
            let wait = server_wait.unwrap_or_else(|| policy.backoff(retry));
            if retry >= policy.max_retries || waited.saturating_add(wait) > policy.budget {
                return Err(err);
            }
            tracing::debug!(%url, error = %err, ?wait, "hub request failed; retrying");
            tokio::time::sleep(wait).await;
            waited = waited.saturating_add(wait);
            retry += 1;
        }
    }

    async fn get_json_once(&self, url: Url, subject: Subject<'_>) -> Result<Value, HubError> {
        let mut url = url;
        for _ in 0..5 {
            let mut req = self.http.get(url.clone()).timeout(REQUEST_TIMEOUT);
            if let Some((name, value)) = self.policy.sensitive_header(&url) {
                req = req.header(name, value);
            }
            tracing::debug!(%url, "hub request");
            let resp = req.send().await.map_err(|cause| HubError::Connect { url: url.to_string(), cause })?;
            let status = resp.status().as_u16();
            if resp.status().is_redirection()
                && let Some(next) = resp.headers().get("location").and_then(|l| l.to_str().ok()).and_then(|l| url.join(l).ok())
            {
                url = next;
                continue;
            }
            let headers = resp.headers().clone();
            let body = read_body(resp, &url, status).await?;
            return self.decode(status, &headers, &body, &url, subject);
        }
        Err(HubError::Http { status: 310, url: url.to_string(), message: "too many redirects".into() })
    }

    /// `POST url` with a form body, as JSON; bounded by the same timeout as every Hub request
    /// (an OAuth refresh runs under a lock other commands wait for).
    pub(crate) async fn post_form(&self, url: Url, form: &[(&str, &str)]) -> Result<(u16, Value), HubError> {
        let mut req = self.http.post(url.clone()).form(form).timeout(REQUEST_TIMEOUT);
        if let Some((name, value)) = self.policy.sensitive_header(&url) {
            req = req.header(name, value);
        }
        let resp = req.send().await.map_err(|cause| HubError::Connect { url: url.to_string(), cause })?;
        let status = resp.status().as_u16();
        let body = read_body(resp, &url, status).await?;
        let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
        Ok((status, v))
    }

    fn decode(&self, status: u16, headers: &HeaderMap, body: &str, url: &Url, subject: Subject<'_>) -> Result<Value, HubError> {
        let hub = self.config.endpoint.to_string();
        let has_token = self.policy.header_for(url).is_some();
        let message = || hub_message(headers, body);
        match status {
            200..=299 => serde_json::from_str(body).map_err(|e| HubError::Decode { url: url.to_string(), message: e.to_string() }),
            401 if message().contains("Invalid credentials") || (has_token && matches!(subject, Subject::Account | Subject::Other)) => {
                Err(HubError::InvalidToken { hub, message: message() })
            }
            401 if matches!(subject, Subject::Account | Subject::Other) => Err(HubError::TokenRequired { hub }),
            401 | 403 | 404 => match subject {
                Subject::Space(id) => Err(HubError::SpaceNotFound { id: id.to_string(), hub, token_sent: has_token }),
                Subject::Model(id) => Err(HubError::ModelNotFound { id: id.to_string(), hub, token_sent: has_token }),
                _ => Err(HubError::Http { status, url: url.to_string(), message: message() }),
            },
            429 => Err(HubError::RateLimited { retry_after: retry_after(headers) }),
            _ => Err(HubError::Http { status, url: url.to_string(), message: message() }),
        }
    }
}

/// Upper bound for one Hub request (the client itself only bounds connecting).
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A Hub answer as text: success bodies up to the JSON cap, error bodies up to the error cap.
async fn read_body(resp: reqwest::Response, url: &Url, status: u16) -> Result<String, HubError> {
    let bytes = if (200..300).contains(&status) {
        hfs_core::body::read_limited(resp.bytes_stream(), hfs_core::body::JSON_LIMIT, hfs_core::body::IDLE_TIMEOUT)
            .await
            .map_err(|e| HubError::Decode { url: url.to_string(), message: e.to_string() })?
    } else {
        hfs_core::body::read_prefix(resp.bytes_stream(), hfs_core::body::ERROR_LIMIT, Duration::from_secs(10)).await
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether a failed GET is worth retrying: `Some(wait the server asked for, if any)`.
/// A host that refuses connections is not retried (it is down or HF_ENDPOINT is wrong).
fn retry_wait(err: &HubError) -> Option<Option<Duration>> {
    match err {
        HubError::RateLimited { retry_after } => Some(*retry_after),
        HubError::Http { status: 408 | 500 | 502 | 503 | 504, .. } => Some(None),
        HubError::Connect { cause, .. } if !cause.is_connect() && !cause.is_builder() => Some(None),
        _ => None,
    }
}

/// `Retry-After` in seconds, or the IETF `RateLimit: "api";r=0;t=55` reset time, capped at a day
/// (a server's number never overflows a later sum).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    retry_after_values(text("retry-after"), text("ratelimit"))
}

/// [`retry_after`] on the header values themselves.
pub fn retry_after_values(retry_after: Option<&str>, ratelimit: Option<&str>) -> Option<Duration> {
    if let Some(secs) = retry_after.and_then(|s| s.trim().parse::<u64>().ok()) {
        return Some(hfs_core::time::server_wait(secs));
    }
    let t = ratelimit?.split([';', ',']).find_map(|p| p.trim().strip_prefix("t=")).and_then(|t| t.trim().parse::<u64>().ok())?;
    Some(hfs_core::time::server_wait(t.saturating_add(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_never_overflows() {
        assert_eq!(retry_after_values(Some(" 7 "), None), Some(Duration::from_secs(7)));
        assert_eq!(retry_after_values(None, Some("\"api\";r=0;t=55")), Some(Duration::from_secs(56)));
        let max = Some(Duration::from_secs(hfs_core::time::MAX_SERVER_WAIT_SECS));
        assert_eq!(retry_after_values(None, Some(&format!("r=0;t={}", u64::MAX))), max);
        assert_eq!(retry_after_values(Some(&u64::MAX.to_string()), None), max);
        assert_eq!(retry_after_values(Some("Wed, 21 Oct 2015 07:28:00 GMT"), None), None);
    }

    proptest::proptest! {
        /// Any header values: a wait within the cap, or none; never a panic.
        #[test]
        fn any_retry_after_or_ratelimit(a in proptest::option::of("\\PC{0,30}|[0-9]{1,25}"), b in proptest::option::of("(\\PC{0,10}|t=[0-9]{0,25}|r=[0-9]{0,3})(;(\\PC{0,10}|t=[0-9]{0,25})){0,3}")) {
            if let Some(d) = retry_after_values(a.as_deref(), b.as_deref()) {
                proptest::prop_assert!(d.as_secs() <= hfs_core::time::MAX_SERVER_WAIT_SECS);
            }
        }
    }
}
