//! The HTTP layer: one reqwest client (one cookie store) per Gradio client, the token policy and
//! the user's headers applied to every request, redirects followed by hand so the token is
//! re-decided for each host.

use std::time::Duration;

use hfs_hub::TokenPolicy;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, RequestBuilder, Response};
use url::Url;

use crate::Error;

/// Short requests (config, info, join) get this timeout; streams and transfers get none.
pub(crate) const SHORT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    pub(crate) policy: TokenPolicy,
    extra: HeaderMap,
}

impl Http {
    pub(crate) fn new(policy: TokenPolicy, extra_headers: &[(String, String)], user_agent: &str) -> Result<Self, Error> {
        let client = build_client(user_agent)?;
        let mut extra = HeaderMap::new();
        for (k, v) in extra_headers {
            let name = HeaderName::from_bytes(k.trim().as_bytes())
                .map_err(|_| Error::InvalidValue { parameter: "header".into(), message: format!("`{k}` is not a valid header name") })?;
            let value = HeaderValue::from_str(v.trim()).map_err(|_| Error::InvalidValue {
                parameter: "header".into(),
                message: format!("the value of `{k}` is not a valid header value"),
            })?;
            extra.append(name, value);
        }
        Ok(Self { client, policy, extra })
    }

    /// A request with the user's headers and, where the policy allows, the token.
    pub(crate) fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let token = self.policy.header_pair(&url);
        let mut rb = self.client.request(method, url);
        // The user's own headers win over ours (an explicit `Authorization` is kept as given).
        let user_sets = |n: &str| self.extra.contains_key(n);
        if let Some((name, value)) = token.filter(|(n, _)| !user_sets(n)) {
            let mut v = HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""));
            v.set_sensitive(true);
            rb = rb.header(name, v);
        }
        rb.headers(self.extra.clone())
    }

    pub(crate) fn get(&self, url: Url) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    pub(crate) fn post(&self, url: Url) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// Sends a GET, following up to 10 redirects; each hop gets the headers its own host may have.
    pub(crate) async fn get_following(&self, url: Url, short: bool) -> Result<Response, Error> {
        let mut url = url;
        for _ in 0..10 {
            let mut rb = self.get(url.clone());
            if short {
                rb = rb.timeout(SHORT_TIMEOUT);
            }
            let resp = send(rb, &url).await?;
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            let Some(next) = resp.headers().get(LOCATION).and_then(|l| l.to_str().ok()).and_then(|l| url.join(l).ok()) else {
                return Ok(resp);
            };
            tracing::debug!(from = %url, to = %next, "following redirect");
            url = next;
        }
        Err(Error::Http { status: 310, url: url.to_string(), body: "too many redirects".into() })
    }
}

/// Sends a request, turning transport failures into `Error::Connect`.
pub(crate) async fn send(rb: RequestBuilder, url: &Url) -> Result<Response, Error> {
    tracing::debug!(%url, "request");
    rb.send().await.map_err(|source| Error::Connect { url: url.to_string(), source })
}

/// A reqwest client for hfs: rustls, cookies, no automatic redirects (we follow them ourselves).
pub fn build_client(user_agent: &str) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Protocol(format!("cannot build the HTTP client: {e}")))
}

/// Reads a response body as text for an error message (bounded, HTML collapsed).
pub(crate) async fn error_body(resp: Response) -> String {
    let text = resp.text().await.unwrap_or_default();
    let t = text.trim();
    if t.starts_with('<') {
        return "(an HTML page)".into();
    }
    let short: String = t.chars().take(500).collect();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&short)
        && let Some(d) = v.get("detail").or_else(|| v.get("error"))
    {
        return match d {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    }
    short
}

/// How long the server asked us to wait (`Retry-After`, or the IETF `RateLimit` reset).
pub(crate) fn retry_after(resp: &Response) -> Option<Duration> {
    hfs_hub::retry_after(resp.headers())
}
