//! Rewrites absolute URLs in replayed answers so a client following them
//! stays on this machine: asset/CDN URLs go to the assets listener under
//! `/{host}/...`; in `Location` headers, Hub and router URLs go to their
//! listeners too.

use std::collections::BTreeSet;

use crate::origin::Urls;

/// CDN domains providers answer with (docs/protocol/inference.md#per-task-formats), matched
/// with their subdomains (`v3.fal.media`, `pbxt.replicate.delivery`).
const CDN_DOMAINS: &[&str] = &["fal.media", "replicate.delivery"];
/// Provider API hosts whose URLs appear in bodies as follow-up links
/// (replicate `urls.get`, fal queue `response_url`, wavespeed `urls.get`).
const LINK_HOSTS: &[&str] = &["api.replicate.com", "stream.replicate.com", "queue.fal.run", "api.wavespeed.ai"];

pub struct Rewriter<'a> {
    urls: &'a Urls,
    /// Hosts recorded on the assets listener, on top of the lists above.
    recorded: &'a BTreeSet<String>,
}

impl<'a> Rewriter<'a> {
    pub fn new(urls: &'a Urls, recorded: &'a BTreeSet<String>) -> Self {
        Rewriter { urls, recorded }
    }

    pub fn is_asset_host(&self, host: &str) -> bool {
        self.recorded.contains(host)
            || LINK_HOSTS.contains(&host)
            || CDN_DOMAINS.iter().any(|d| host == *d || host.strip_suffix(d).is_some_and(|s| s.ends_with('.')))
    }

    /// Asset URLs in a text body. Other URLs (model cards link to GitHub,
    /// papers, the Hub itself) are left alone so bodies stay as recorded.
    pub fn body(&self, text: &str) -> String {
        self.rewrite(text, |host| self.is_asset_host(host).then(|| format!("{}/{host}", self.urls.assets)))
    }

    /// A `Location` header: assets as in bodies, plus the Hub and router.
    pub fn location(&self, value: &str) -> String {
        self.rewrite(value, |host| match host {
            "huggingface.co" => Some(self.urls.hub.clone()),
            "router.huggingface.co" => Some(self.urls.router.clone()),
            h if self.is_asset_host(h) => Some(format!("{}/{h}", self.urls.assets)),
            _ => None,
        })
    }

    /// Replaces each `http(s)://host` whose host `map` knows with its
    /// replacement, keeping the rest of the URL.
    fn rewrite(&self, text: &str, map: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find("http") {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            let scheme_len = if tail.starts_with("https://") {
                8
            } else if tail.starts_with("http://") {
                7
            } else {
                out.push_str("http");
                rest = &tail[4..];
                continue;
            };
            let after = &tail[scheme_len..];
            let host_len = after
                .find(|c: char| matches!(c, '/' | '"' | '\'' | '?' | '#' | '\\' | '<' | '>' | ')') || c.is_whitespace())
                .unwrap_or(after.len());
            let host = &after[..host_len];
            match map(host) {
                Some(base) => out.push_str(&base),
                None => out.push_str(&tail[..scheme_len + host_len]),
            }
            rest = &after[host_len..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> Urls {
        Urls { hub: "http://h:1".into(), router: "http://r:2".into(), assets: "http://a:3".into() }
    }

    #[test]
    fn rewrites_asset_urls_only() {
        let u = urls();
        let hosts = ["cdn.example".to_string()].into();
        let rw = Rewriter::new(&u, &hosts);
        let body = r#"{"url":"https://v3.fal.media/files/x.png","o":["https://replicate.delivery/y/out-0.png"],"get":"https://api.replicate.com/v1/predictions/1","c":"https://cdn.example/z","keep":"https://github.com/a https://huggingface.co/m","bad":"https://notfal.media/q","t":"http"}"#;
        assert_eq!(
            rw.body(body),
            r#"{"url":"http://a:3/v3.fal.media/files/x.png","o":["http://a:3/replicate.delivery/y/out-0.png"],"get":"http://a:3/api.replicate.com/v1/predictions/1","c":"http://a:3/cdn.example/z","keep":"https://github.com/a https://huggingface.co/m","bad":"https://notfal.media/q","t":"http"}"#
        );
    }

    #[test]
    fn locations_also_map_hub_and_router() {
        let u = urls();
        let none = BTreeSet::new();
        let rw = Rewriter::new(&u, &none);
        assert_eq!(rw.location("https://huggingface.co/api/models/x"), "http://h:1/api/models/x");
        assert_eq!(rw.location("https://router.huggingface.co/v1/models"), "http://r:2/v1/models");
        assert_eq!(rw.location("https://api.replicate.com/v1/predictions/2"), "http://a:3/api.replicate.com/v1/predictions/2");
        assert_eq!(rw.location("/api/models/renamed"), "/api/models/renamed");
    }
}
