//! What the user asked to connect to: a Space id or a URL.

use url::Url;

use crate::Error;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `owner/name`, resolved through the Hub.
    Space(String),
    /// An app's base URL, always ending with `/` so relative joins keep sub-paths and replicas.
    Url(Url),
}

impl Target {
    pub fn parse(src: &str) -> Result<Self, Error> {
        let s = src.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            let mut u = Url::parse(s).map_err(|_| Error::InvalidTarget(src.into()))?;
            if u.host_str().is_none() {
                return Err(Error::InvalidTarget(src.into()));
            }
            u.set_fragment(None);
            if !u.path().ends_with('/') {
                let p = format!("{}/", u.path());
                u.set_path(&p);
            }
            return Ok(Target::Url(u));
        }
        let id = s.trim_end_matches('/');
        let valid_part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        match id.split_once('/') {
            Some((owner, name)) if valid_part(owner) && valid_part(name) => Ok(Target::Space(id.to_string())),
            _ => Err(Error::InvalidTarget(src.into())),
        }
    }
}

/// `base` joined with a relative path (never an absolute one, which would drop a sub-path).
pub(crate) fn join(base: &Url, rel: &str) -> Url {
    base.join(rel.trim_start_matches('/')).unwrap_or_else(|_| base.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_get_a_trailing_slash_and_keep_sub_paths() {
        let Target::Url(u) = Target::parse(" http://host:7860/app ").unwrap() else { panic!() };
        assert_eq!(u.as_str(), "http://host:7860/app/");
        assert_eq!(join(&u, "config").as_str(), "http://host:7860/app/config");
        let Target::Url(r) = Target::parse("https://x.hf.space/--replicas/abc12").unwrap() else { panic!() };
        assert_eq!(join(&r, "gradio_api/queue/join").as_str(), "https://x.hf.space/--replicas/abc12/gradio_api/queue/join");
    }

    #[test]
    fn space_ids() {
        assert_eq!(Target::parse("abidlabs/en2fr/").unwrap(), Target::Space("abidlabs/en2fr".into()));
        assert_eq!(Target::parse("a.b/c_d-1").unwrap(), Target::Space("a.b/c_d-1".into()));
        for bad in ["justname", "a/b/c", "ftp://x/y", "a b/c", "/x", "http://"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
