//! The HTTP layer: one reqwest client (one cookie store) per Gradio client, the token policy and
//! the user's headers applied per request, redirects followed by hand so that both are decided
//! again for every host, and every body read bounded in size and idle time.

use std::time::Duration;

use hfs_core::body::Limits;
use hfs_hub::TokenPolicy;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use url::Url;

use crate::Error;

/// Short requests (config, info, join) get this timeout; streams and transfers get it for their
/// response headers, then the idle timeout for each chunk of their body.
pub(crate) const SHORT_TIMEOUT: Duration = Duration::from_secs(60);

/// Redirect hops followed before giving up.
pub(crate) const MAX_REDIRECTS: usize = 10;

#[derive(Clone, Debug)]
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    pub(crate) policy: TokenPolicy,
    /// The user's `-H` headers, sent to the target's origin only.
    extra: HeaderMap,
    target: Option<String>,
    /// The client's cookie store, when known (for requests reqwest does not send).
    pub(crate) jar: Option<std::sync::Arc<reqwest::cookie::Jar>>,
}

/// Parses the user's `Name: value` headers; values are marked sensitive (never logged).
pub(crate) fn parse_headers(extra_headers: &[(String, String)]) -> Result<HeaderMap, Error> {
    let mut extra = HeaderMap::new();
    for (k, v) in extra_headers {
        let name = HeaderName::from_bytes(k.trim().as_bytes())
            .map_err(|_| Error::InvalidValue { parameter: "header".into(), message: format!("`{k}` is not a valid header name") })?;
        let mut value = HeaderValue::from_str(v.trim()).map_err(|_| Error::InvalidValue {
            parameter: "header".into(),
            message: format!("the value of `{k}` is not a valid header value"),
        })?;
        value.set_sensitive(true);
        extra.append(name, value);
    }
    Ok(extra)
}

impl Http {
    /// `target` is the app's base URL: the user's headers go to its origin and nowhere else.
    pub(crate) fn new(client: reqwest::Client, policy: TokenPolicy, extra: HeaderMap, target: Option<&Url>) -> Self {
        Self { client, policy, extra, target: target.and_then(hfs_hub::origin_key), jar: None }
    }

    /// A request with, where allowed, the user's headers and the token.
    pub(crate) fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let same_origin = self.target.is_some() && hfs_hub::origin_key(&url) == self.target;
        let token = self.policy.sensitive_header(&url);
        let mut rb = self.client.request(method, url);
        // The user's own headers win over ours (an explicit `Authorization` is kept as given).
        let user_sets = |n: &HeaderName| same_origin && self.extra.contains_key(n);
        if let Some((name, value)) = token.filter(|(n, _)| !user_sets(n)) {
            rb = rb.header(name, value);
        }
        if same_origin { rb.headers(self.extra.clone()) } else { rb }
    }

    /// The headers [`Http::request`] would send to `url` (a websocket handshake is no reqwest
    /// request): the token where the policy allows it, the user's headers on the target's origin.
    pub(crate) fn headers_for(&self, url: &Url) -> HeaderMap {
        let same_origin = self.target.is_some() && hfs_hub::origin_key(url) == self.target;
        let mut h = HeaderMap::new();
        if let Some((name, value)) = self.policy.sensitive_header(url).filter(|(n, _)| !(same_origin && self.extra.contains_key(n))) {
            h.insert(name, value);
        }
        if same_origin {
            for (k, v) in &self.extra {
                h.append(k.clone(), v.clone());
            }
        }
        if let Some(c) = self.jar.as_ref().and_then(|j| reqwest::cookie::CookieStore::cookies(j.as_ref(), url)) {
            h.insert(reqwest::header::COOKIE, c);
        }
        h
    }

    pub(crate) fn get(&self, url: Url) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    pub(crate) fn post(&self, url: Url) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// Sends a GET, following up to [`MAX_REDIRECTS`] redirects; each hop gets only the headers
    /// its own origin may have. `short` bounds the whole exchange by [`SHORT_TIMEOUT`]; otherwise
    /// only the wait for each response's headers is (the body is read with an idle timeout).
    pub(crate) async fn get_following(&self, url: Url, short: bool) -> Result<Response, Error> {
        let mut url = url;
        for _ in 0..MAX_REDIRECTS {
            let mut rb = self.get(url.clone());
            if short {
                rb = rb.timeout(SHORT_TIMEOUT);
            }
            let resp = send_within(rb, &url, SHORT_TIMEOUT).await?;
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            let Some(next) = resp.headers().get(LOCATION).and_then(|l| l.to_str().ok()).and_then(|l| url.join(l).ok()) else {
                return Ok(resp);
            };
            if !matches!(next.scheme(), "http" | "https") {
                return Err(Error::Http {
                    status: resp.status().as_u16(),
                    url: url.to_string(),
                    body: format!("redirect to a `{}:` URL refused", next.scheme()),
                });
            }
            tracing::debug!(from = %url, to = %next, "following redirect");
            url = next;
        }
        Err(Error::Http { status: 310, url: url.to_string(), body: format!("more than {MAX_REDIRECTS} redirects") })
    }
}

/// Sends a request, turning transport failures into `Error::Connect`.
pub(crate) async fn send(rb: RequestBuilder, url: &Url) -> Result<Response, Error> {
    tracing::debug!(%url, "request");
    rb.send().await.map_err(|source| Error::Connect { url: url.to_string(), source })
}

/// Sends a request whose response headers must arrive within `wait` (the body may take longer).
pub(crate) async fn send_within(rb: RequestBuilder, url: &Url, wait: Duration) -> Result<Response, Error> {
    match tokio::time::timeout(wait, send(rb, url)).await {
        Ok(r) => r,
        Err(_) => Err(Error::ConnectionLost(format!("{url} sent no answer within {}", hfs_core::text::fmt_secs(wait)))),
    }
}

/// A reqwest client for hfs: rustls, cookies, no automatic redirects (we follow them ourselves).
pub fn build_client(user_agent: &str) -> Result<reqwest::Client, Error> {
    Ok(build_client_with_jar(user_agent)?.0)
}

/// [`build_client`] with its cookie store at hand: a websocket handshake (Gradio 3.x's queue) is
/// no reqwest request, and must carry the same cookies (a password app's login).
pub(crate) fn build_client_with_jar(user_agent: &str) -> Result<(reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>), Error> {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .user_agent(user_agent)
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Protocol(format!("cannot build the HTTP client: {e}")))?;
    Ok((client, jar))
}

/// Reads a JSON answer, at most `limits.json_bytes` of it (decoded), each chunk within the idle
/// timeout.
pub(crate) async fn json_body(resp: Response, limits: &Limits, url: &Url) -> Result<Value, Error> {
    let bytes = hfs_core::body::read_limited(resp.bytes_stream(), limits.json_bytes, limits.idle)
        .await
        .map_err(|source| Error::Body { url: url.to_string(), source })?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Protocol(format!("unreadable answer from {url}: {e}")))
}

/// The first 64 KiB of an error answer, as text.
pub(crate) async fn error_body_raw(resp: Response) -> String {
    let bytes = hfs_core::body::read_prefix(resp.bytes_stream(), hfs_core::body::ERROR_LIMIT, Duration::from_secs(10)).await;
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Reads a response body as text for an error message (its first 64 KiB; HTML collapsed).
pub(crate) async fn error_body(resp: Response) -> String {
    let text = error_body_raw(resp).await;
    let t = text.trim();
    if t.starts_with('<') {
        return "(an HTML page)".into();
    }
    if let Ok(v) = serde_json::from_str::<Value>(t)
        && let Some(d) = v.get("detail").or_else(|| v.get("error"))
    {
        return match d {
            Value::String(s) => s.chars().take(500).collect(),
            other => other.to_string().chars().take(500).collect(),
        };
    }
    t.chars().take(500).collect()
}

/// How long the server asked us to wait (`Retry-After`, or the IETF `RateLimit` reset).
pub(crate) fn retry_after(resp: &Response) -> Option<Duration> {
    hfs_hub::retry_after(resp.headers())
}
