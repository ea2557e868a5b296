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
/// Trusted: the configured Hub and router hosts (`Authorization`), `*.hf.space` over https and any host
/// the configured Hub itself named for a Space (`X-HF-Authorization`). Any other host gets nothing,
/// unless the user explicitly asked to send the token everywhere for this call.
/// Cheap to clone; clones share the set of Space hosts learned from the Hub.
#[derive(Clone, Debug)]
pub struct TokenPolicy {
    token: Option<Token>,
    hub: Url,
    router: Url,
    space_hosts: Arc<RwLock<HashSet<String>>>,
    send_everywhere: bool,
}

impl TokenPolicy {
    pub fn new(token: Option<Token>, hub: &HubConfig) -> Self {
        Self { token, hub: hub.endpoint.clone(), router: hub.router.clone(), space_hosts: Arc::default(), send_everywhere: false }
    }

    /// Sends the token (as `X-HF-Authorization`) to untrusted hosts too: only when the user passed
    /// a token explicitly for this call.
    pub fn send_everywhere(mut self, yes: bool) -> Self {
        self.send_everywhere = yes;
        self
    }

    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// Records a host the configured Hub returned for a Space id, so it is treated like `*.hf.space`.
    pub fn trust_space_host(&self, url: &Url) {
        if let Some(origin) = origin_key(url) {
            self.space_hosts.write().expect("policy lock").insert(origin);
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
        if hf_space || self.space_hosts.read().expect("policy lock").contains(&key) || self.send_everywhere {
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
}

/// `scheme://host:port`, lower-cased, with the default port filled in.
fn origin_key(url: &Url) -> Option<String> {
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
        let explicit = policy(true).send_everywhere(true);
        assert_eq!(explicit.header_for(&u("http://example.com/")), Some(AuthHeader::XHfAuthorization));
    }

    #[test]
    fn no_token_no_header() {
        let p = policy(false).send_everywhere(true);
        assert_eq!(p.header_pair(&u("http://127.0.0.1:9000/api")), None);
    }
}
