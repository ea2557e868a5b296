use std::time::Duration;

use url::Url;

/// The public Hub, used when `HF_ENDPOINT` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// The public inference router, used when `HF_ROUTER_URL` is not set.
pub const DEFAULT_ROUTER: &str = "https://router.huggingface.co";

/// Where the Hub API and the inference router are.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// Hub base URL, without a trailing slash in its string form (`HF_ENDPOINT`).
    pub endpoint: Url,
    /// Router base URL (`HF_ROUTER_URL`).
    pub router: Url,
    /// How idempotent GETs are retried on 408/429/5xx.
    pub retry: RetryPolicy,
}

/// Retries of idempotent Hub and router GETs on 408, 429, 500, 502, 503, 504 and dropped
/// connections: exponential backoff (`base_delay`, doubling, capped at `max_delay`), or the
/// server's `Retry-After` / `RateLimit` wait when it gives one. Bounded by `max_retries` and by
/// `budget`, the total time spent waiting: a wait that would exceed it is not made, and the
/// error (with the server's wait) is returned at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub budget: Duration,
}

impl Default for RetryPolicy {
    /// `huggingface_hub`'s `http_backoff` defaults (5 retries, 1 s doubling to 8 s), at most a minute.
    fn default() -> Self {
        Self { max_retries: 5, base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(8), budget: Duration::from_secs(60) }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// The backoff before retry number `retry` (0-based) when the server gave no wait.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(16))).min(self.max_delay)
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            endpoint: Url::parse(DEFAULT_ENDPOINT).expect("valid default endpoint"),
            router: Url::parse(DEFAULT_ROUTER).expect("valid default router"),
            retry: RetryPolicy::default(),
        }
    }
}

impl HubConfig {
    /// Builds a config from optional overrides (e.g. the values of `HF_ENDPOINT` / `HF_ROUTER_URL`).
    pub fn new(endpoint: Option<&str>, router: Option<&str>) -> Result<Self, url::ParseError> {
        let mut cfg = Self::default();
        if let Some(e) = endpoint.map(str::trim).filter(|e| !e.is_empty()) {
            cfg.endpoint = Url::parse(e.trim_end_matches('/'))?;
        }
        if let Some(r) = router.map(str::trim).filter(|r| !r.is_empty()) {
            cfg.router = Url::parse(r.trim_end_matches('/'))?;
        }
        Ok(cfg)
    }

    /// The same config with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// `{endpoint}/{path}`; `path` has no leading slash. Keeps any sub-path of the endpoint.
    pub fn api_url(&self, path: &str) -> Url {
        join_base(&self.endpoint, path)
    }
}

/// Joins `path` onto `base` as if `base` ended with a slash (so a sub-path is kept).
pub(crate) fn join_base(base: &Url, path: &str) -> Url {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(path.trim_start_matches('/'));
    Url::parse(&s).unwrap_or_else(|_| base.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = (0..6).map(|r| p.backoff(r).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 8, 8]);
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(8));
        let fast = RetryPolicy { base_delay: Duration::from_millis(10), ..RetryPolicy::default() };
        assert_eq!(fast.backoff(2), Duration::from_millis(40));
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }
}
