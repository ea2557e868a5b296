use std::fmt;
use std::path::{Path, PathBuf};

/// A Hugging Face token. Its `Debug` and `Display` never show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Cleans a raw token the way `huggingface_hub` does (drops CR/LF, trims); empty means none.
    pub fn new(raw: &str) -> Option<Token> {
        let cleaned: String = raw.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        let cleaned = cleaned.trim();
        (!cleaned.is_empty()).then(|| Token(cleaned.to_string()))
    }

    /// Whether an HTTP header can carry it (visible ASCII only). A token read from a file with a
    /// stray control or non-ASCII character is refused with a clear error, never sent mangled.
    pub fn is_header_safe(&self) -> bool {
        self.0.bytes().all(|b| (0x21..0x7f).contains(&b))
    }

    /// The secret itself, for building a header. Never log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A form safe to show: the prefix and the last two characters.
    pub fn redacted(&self) -> String {
        let tail: String = self.0.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
        let prefix = if self.0.starts_with("hf_") { "hf_" } else { "" };
        format!("{prefix}…{tail}")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.redacted())
    }
}

/// Where the token in use came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// Given explicitly by the caller (a front end's own option).
    Explicit,
    /// An environment variable (`HF_TOKEN` or `HUGGING_FACE_HUB_TOKEN`).
    Env(&'static str),
    /// The token file.
    File(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Explicit => f.write_str("the caller"),
            TokenSource::Env(name) => write!(f, "${name}"),
            TokenSource::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The environment values token discovery depends on, passed in explicitly.
#[derive(Clone, Debug, Default)]
pub struct TokenEnv {
    pub hf_token: Option<String>,
    pub hugging_face_hub_token: Option<String>,
    pub hf_token_path: Option<String>,
    pub hf_home: Option<String>,
    pub xdg_cache_home: Option<String>,
    pub home: Option<String>,
}

impl TokenEnv {
    /// `HF_TOKEN_PATH`, else `$HF_HOME/token`, `HF_HOME` defaulting to `${XDG_CACHE_HOME:-~/.cache}/huggingface`.
    pub fn token_path(&self) -> Option<PathBuf> {
        if let Some(p) = self.hf_token_path.as_deref().filter(|p| !p.is_empty()) {
            return Some(expand_home(p, self.home.as_deref()));
        }
        Some(self.hf_home()?.join("token"))
    }

    /// The Hugging Face home directory.
    pub fn hf_home(&self) -> Option<PathBuf> {
        if let Some(h) = self.hf_home.as_deref().filter(|h| !h.is_empty()) {
            return Some(expand_home(h, self.home.as_deref()));
        }
        let cache = match self.xdg_cache_home.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => expand_home(c, self.home.as_deref()),
            None => Path::new(self.home.as_deref()?).join(".cache"),
        };
        Some(cache.join("huggingface"))
    }
}

fn expand_home(p: &str, home: Option<&str>) -> PathBuf {
    match (p.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => Path::new(h).join(rest),
        _ => PathBuf::from(p),
    }
}

/// Finds the token as `huggingface_hub` does: explicit, then `HF_TOKEN`, then
/// `HUGGING_FACE_HUB_TOKEN`, then the token file. Returns `None` when there is none.
pub fn discover_token(explicit: Option<&str>, env: &TokenEnv) -> Option<(Token, TokenSource)> {
    if let Some(t) = explicit.and_then(Token::new) {
        return Some((t, TokenSource::Explicit));
    }
    if let Some(t) = env.hf_token.as_deref().and_then(Token::new) {
        return Some((t, TokenSource::Env("HF_TOKEN")));
    }
    if let Some(t) = env.hugging_face_hub_token.as_deref().and_then(Token::new) {
        return Some((t, TokenSource::Env("HUGGING_FACE_HUB_TOKEN")));
    }
    let path = env.token_path()?;
    let raw = std::fs::read_to_string(&path).ok()?;
    Token::new(&raw).map(|t| (t, TokenSource::File(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_never_shows_secret() {
        let t = Token::new("hf_abcdefghijkl\n").unwrap();
        assert_eq!(t.expose(), "hf_abcdefghijkl");
        let shown = format!("{t:?}");
        assert!(!shown.contains("abcdefghij"), "{shown}");
        assert!(shown.contains("kl"));
    }

    #[test]
    fn empty_token_is_none() {
        assert!(Token::new(" \r\n").is_none());
    }

    #[test]
    fn discovery_order_matches_huggingface_hub() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "hf_file\n").unwrap();
        let mut env = TokenEnv {
            hf_token: Some("hf_env".into()),
            hugging_face_hub_token: Some("hf_legacy".into()),
            hf_token_path: Some(file.to_string_lossy().into()),
            ..Default::default()
        };
        let (t, s) = discover_token(Some("hf_flag"), &env).unwrap();
        assert_eq!((t.expose(), s), ("hf_flag", TokenSource::Explicit));
        let (t, s) = discover_token(None, &env).unwrap();
        assert_eq!((t.expose(), s), ("hf_env", TokenSource::Env("HF_TOKEN")));
        env.hf_token = Some("  ".into());
        let (t, s) = discover_token(None, &env).unwrap();
        assert_eq!((t.expose(), s), ("hf_legacy", TokenSource::Env("HUGGING_FACE_HUB_TOKEN")));
        env.hugging_face_hub_token = None;
        let (t, s) = discover_token(None, &env).unwrap();
        assert_eq!((t.expose(), s), ("hf_file", TokenSource::File(file.clone())));
        env.hf_token_path = None;
        assert!(discover_token(None, &env).is_none() || env.home.is_some());
    }

    #[test]
    fn token_path_defaults() {
        let env = TokenEnv { home: Some("/home/u".into()), ..Default::default() };
        assert_eq!(env.token_path().unwrap(), PathBuf::from("/home/u/.cache/huggingface/token"));
        let env = TokenEnv { home: Some("/home/u".into()), xdg_cache_home: Some("/x".into()), ..Default::default() };
        assert_eq!(env.token_path().unwrap(), PathBuf::from("/x/huggingface/token"));
        let env = TokenEnv { hf_home: Some("~/hf".into()), home: Some("/home/u".into()), ..Default::default() };
        assert_eq!(env.token_path().unwrap(), PathBuf::from("/home/u/hf/token"));
    }
}
