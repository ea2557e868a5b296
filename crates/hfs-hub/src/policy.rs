use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use url::Url;

use crate::{HubConfig, Token};

/// The header a request carries the token in, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthHeader {
    /// `Authorization: Bearer …` — Hub and router APIs.
    Bearer,
    /// `X-HF-Authorization: Bearer …` — Spaces (the Spaces proxy strips it, so app code never sees it).
    XHfAuthorization,
}

/// Decides, per URL, whether the token may be sent and how.
///
/// Trusted: the configured Hub and router origins (`Authorization`), `*.hf.space` over https, any
/// origin the configured Hub itself named for a Space, and the origin of an app the user gave a
/// token for explicitly (`X-HF-Authorization`). Any other origin gets nothing: not a redirect
/// target, not an output URL a server names, not a URL input. Origins compare scheme, host and
/// port, so an https→http redirect loses the token too.
/// Cheap to clone; clones share the set of Space origins learned from the Hub.
#[derive(Clone, Debug)]
pub struct TokenPolicy {
    token: Option<Token>,
    hub: Url,
    router: Url,
    space_hosts: Arc<RwLock<HashSet<String>>>,
}

impl TokenPolicy {
    pub fn new(token: Option<Token>, hub: &HubConfig) -> Self {
        Self { token, hub: hub.endpoint.clone(), router: hub.router.clone(), space_hosts: Arc::default() }
    }

    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// Records an origin the token may go to as `X-HF-Authorization`: a host the configured Hub
    /// returned for a Space id, or the app the user explicitly gave a token for.
    pub fn trust_space_host(&self, url: &Url) {
        if let Some(origin) = origin_key(url) {
            self.space_hosts.write().unwrap_or_else(|e| e.into_inner()).insert(origin);
        }
    }

    /// The header the token goes in for `url`, or `None` when it must not be sent there.
    pub fn header_for(&self, url: &Url) -> Option<AuthHeader> {
        self.token.as_ref()?;
        let key = origin_key(url)?;
        if Some(&key) == origin_key(&self.hub).as_ref() || Some(&key) == origin_key(&self.router).as_ref() {
            return Some(AuthHeader::Bearer);
        }
        let hf_space = url.scheme() == "https" && url.host_str().is_some_and(|h| h.to_ascii_lowercase().ends_with(".hf.space"));
        if hf_space || self.space_hosts.read().unwrap_or_else(|e| e.into_inner()).contains(&key) {
            return Some(AuthHeader::XHfAuthorization);
        }
        None
    }

    /// The `(name, value)` to add to a request for `url`, if the token may go there.
    pub fn header_pair(&self, url: &Url) -> Option<(&'static str, String)> {
        let token = self.token.as_ref()?;
        let name = match self.header_for(url)? {
            AuthHeader::Bearer => "authorization",
            AuthHeader::XHfAuthorization => "x-hf-authorization",
        };
        Some((name, format!("Bearer {}", token.expose())))
    }

    /// The header to add to a request for `url`, if the token may go there, its value marked
    /// sensitive (never logged). A token an HTTP header cannot carry is never sent.
    pub fn sensitive_header(&self, url: &Url) -> Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
        let (name, value) = self.header_pair(url)?;
        match reqwest::header::HeaderValue::from_str(&value) {
            Ok(mut v) => {
                v.set_sensitive(true);
                Some((reqwest::header::HeaderName::from_static(name), v))
            }
            Err(_) => {
                tracing::warn!("the token has characters an HTTP header cannot carry; it is not sent");
                None
            }
        }
    }
}

/// `scheme://host:port`, lower-cased, with the default port filled in: what "the same origin"
/// means for tokens and user headers.
pub fn origin_key(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    let port = url.port_or_known_default()?;
    Some(format!("{}://{host}:{port}", url.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(token: bool) -> TokenPolicy {
        let hub = HubConfig::new(Some("http://127.0.0.1:9000"), Some("http://127.0.0.1:9001")).unwrap();
        TokenPolicy::new(token.then(|| Token::new("hf_secret").unwrap()), &hub)
    }

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn hub_and_router_get_bearer() {
        let p = policy(true);
        assert_eq!(p.header_for(&u("http://127.0.0.1:9000/api/spaces/a/b")), Some(AuthHeader::Bearer));
        assert_eq!(p.header_for(&u("http://127.0.0.1:9001/v1/models")), Some(AuthHeader::Bearer));
    }

    #[test]
    fn hf_space_gets_x_hf_authorization_but_not_lookalikes() {
        let p = policy(true);
        assert_eq!(p.header_for(&u("https://a-b.hf.space/config")), Some(AuthHeader::XHfAuthorization));
        assert_eq!(p.header_for(&u("https://a-b.hf.space.evil.com/config")), None);
        assert_eq!(p.header_for(&u("http://a-b.hf.space/config")), None, "plain http never carries the token");
        assert_eq!(p.header_for(&u("https://evilhf.space/config")), None);
    }

    #[test]
    fn other_hosts_get_nothing_until_trusted_or_explicit() {
        let p = policy(true);
        let space = u("http://127.0.0.1:7860/gradio_api/queue/join");
        assert_eq!(p.header_for(&space), None);
        assert_eq!(p.header_for(&u("http://127.0.0.1:9002/")), None, "port matters");
        p.trust_space_host(&u("http://127.0.0.1:7860/"));
        assert_eq!(p.header_for(&space), Some(AuthHeader::XHfAuthorization));
        let clone = p.clone();
        assert_eq!(clone.header_for(&space), Some(AuthHeader::XHfAuthorization), "clones share hosts");
    }

    #[test]
    fn an_explicit_token_goes_to_its_target_origin_only() {
        let p = policy(true);
        p.trust_space_host(&u("http://127.0.0.1:7860/app/"));
        assert_eq!(p.header_for(&u("http://127.0.0.1:7860/app/config")), Some(AuthHeader::XHfAuthorization));
        assert_eq!(p.header_for(&u("http://127.0.0.1:7861/redirected")), None, "another port is another origin");
        assert_eq!(p.header_for(&u("https://127.0.0.1:7860/")), None, "another scheme is another origin");
        assert_eq!(p.header_for(&u("http://example.com/file.png")), None);
    }

    #[test]
    fn headers_are_sensitive_and_bad_tokens_are_never_sent() {
        let p = policy(true);
        let (name, value) = p.sensitive_header(&u("http://127.0.0.1:9000/api")).unwrap();
        assert_eq!(name, "authorization");
        assert!(value.is_sensitive());
        let hub = HubConfig::new(Some("http://127.0.0.1:9000"), None).unwrap();
        let bad = TokenPolicy::new(Token::new("hf_a\u{7}b"), &hub);
        assert!(bad.header_pair(&u("http://127.0.0.1:9000/api")).is_some());
        assert_eq!(bad.sensitive_header(&u("http://127.0.0.1:9000/api")), None, "not an empty header either");
    }

    #[test]
    fn no_token_no_header() {
        let p = policy(false);
        p.trust_space_host(&u("http://127.0.0.1:9000/"));
        assert_eq!(p.header_pair(&u("http://127.0.0.1:9000/api")), None);
    }
}
