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
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            endpoint: Url::parse(DEFAULT_ENDPOINT).expect("valid default endpoint"),
            router: Url::parse(DEFAULT_ROUTER).expect("valid default router"),
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
