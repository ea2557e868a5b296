//! The token file and `stored_tokens`, in exactly the format `huggingface_hub` writes, so `hf` and
//! `hfs` share one login.
//!
//! `stored_tokens` is a Python `configparser` INI file: one `[name]` section per token with
//! `hf_token = …` and, for browser logins, `refresh_token = …` and `expires_at = <unix seconds>`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One stored token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredToken {
    pub hf_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<u64>,
    /// Other keys, kept as they were.
    pub extra: BTreeMap<String, String>,
}

/// Where the login lives: the active token file and `stored_tokens` beside it.
#[derive(Clone, Debug)]
pub struct TokenStore {
    pub token_path: PathBuf,
}

impl TokenStore {
    pub fn new(token_path: PathBuf) -> Self {
        Self { token_path }
    }

    /// `dirname(token_path)/stored_tokens` (it follows the token file, not `HF_HOME`).
    pub fn stored_path(&self) -> PathBuf {
        self.token_path.with_file_name("stored_tokens")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.token_path.with_file_name("stored_tokens.lock")
    }

    pub fn read_active(&self) -> Option<String> {
        fs::read_to_string(&self.token_path).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    pub fn read_stored(&self) -> std::io::Result<BTreeMap<String, StoredToken>> {
        match fs::read_to_string(self.stored_path()) {
            Ok(text) => Ok(parse_ini(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(e),
        }
    }

    /// Saves a login: upserts `[name]` in `stored_tokens`, then makes it the active token.
    pub fn save_login(&self, name: &str, token: StoredToken) -> std::io::Result<()> {
        let _lock = self.lock(LOCK_WAIT)?;
        let mut all = self.read_stored()?;
        let value = token.hf_token.clone();
        all.insert(name.to_string(), token);
        write_private(&self.stored_path(), render_ini(&all).as_bytes())?;
        write_private(&self.token_path, value.as_bytes())
    }

    /// Logs out: removes the active token file and, when `name` is given, that section (else the
    /// section holding the active token).
    pub fn logout(&self, name: Option<&str>) -> std::io::Result<Vec<String>> {
        let _lock = self.lock(LOCK_WAIT)?;
        let mut all = self.read_stored()?;
        let active = self.read_active();
        let names: Vec<String> = match name {
            Some(n) => all.contains_key(n).then(|| n.to_string()).into_iter().collect(),
            None => all.iter().filter(|(_, t)| Some(&t.hf_token) == active.as_ref()).map(|(n, _)| n.clone()).collect(),
        };
        let removed: Vec<(String, StoredToken)> = names.into_iter().filter_map(|n| all.remove(&n).map(|t| (n, t))).collect();
        if !removed.is_empty() {
            write_private(&self.stored_path(), render_ini(&all).as_bytes())?;
        }
        // A named logout removes the active token only when it is that token (as `hf` does).
        let removes_active = name.is_none() || removed.iter().any(|(_, t)| Some(&t.hf_token) == active.as_ref());
        let removed: Vec<String> = removed.into_iter().map(|(n, _)| n).collect();
        if removes_active {
            match fs::remove_file(&self.token_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }

    /// Replaces a refreshed token in both files (caller holds the lock).
    pub fn replace_token(&self, name: &str, token: StoredToken) -> std::io::Result<()> {
        let mut all = self.read_stored()?;
        let value = token.hf_token.clone();
        all.insert(name.to_string(), token);
        write_private(&self.stored_path(), render_ini(&all).as_bytes())?;
        write_private(&self.token_path, value.as_bytes())
    }

    /// An exclusive lock on `stored_tokens.lock`, shared with `huggingface_hub`, waited for at most
    /// `wait`: a process that holds it forever (a hung refresh elsewhere) must not hang this one.
    pub fn lock(&self, wait: std::time::Duration) -> std::io::Result<fs::File> {
        ensure_private_dir(self.token_path.parent().unwrap_or(Path::new(".")))?;
        let f = fs::OpenOptions::new().create(true).truncate(false).write(true).open(self.lock_path())?;
        let started = std::time::Instant::now();
        loop {
            match f.try_lock() {
                Ok(()) => return Ok(f),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < wait => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("{} is held by another process", self.lock_path().display()),
                    ));
                }
                Err(fs::TryLockError::Error(e)) => return Err(e),
            }
        }
    }
}

fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    if !dir.exists() {
        fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Writes a file readable only by its owner, via a temp file and rename. The temp file has a
/// random name and is created exclusively (`O_EXCL`, mode 0600), so a file or symlink planted in
/// the directory can neither be followed nor read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    ensure_private_dir(dir)?;
    let prefix = format!(".{}.tmp-", path.file_name().and_then(|n| n.to_str()).unwrap_or("token"));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Parses configparser INI (`key = value` or `key: value`, `#`/`;` comments).
pub fn parse_ini(text: &str) -> BTreeMap<String, StoredToken> {
    let mut out: BTreeMap<String, StoredToken> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            current = Some(name.to_string());
            out.entry(name.to_string()).or_default();
            continue;
        }
        let (Some(section), Some(i)) = (&current, t.find(['=', ':'])) else { continue };
        let key = t[..i].trim().to_ascii_lowercase();
        let value = t[i + 1..].trim().to_string();
        let entry = out.entry(section.clone()).or_default();
        match key.as_str() {
            "hf_token" => entry.hf_token = value,
            "refresh_token" => entry.refresh_token = Some(value),
            "expires_at" => entry.expires_at = value.parse().ok(),
            _ => {
                entry.extra.insert(key, value);
            }
        }
    }
    out
}

/// Renders like Python's `configparser.write`: sorted sections, `key = value`, a blank line after each.
pub fn render_ini(tokens: &BTreeMap<String, StoredToken>) -> String {
    let mut out = String::new();
    for (name, t) in tokens {
        out.push_str(&format!("[{name}]\nhf_token = {}\n", t.hf_token));
        if let Some(r) = &t.refresh_token {
            out.push_str(&format!("refresh_token = {r}\n"));
        }
        if let Some(e) = t.expires_at {
            out.push_str(&format!("expires_at = {e}\n"));
        }
        for (k, v) in &t.extra {
            out.push_str(&format!("{k} = {v}\n"));
        }
        out.push('\n');
    }
    out
}

/// How long saving, removing or refreshing a login waits for another process's lock.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_temp_file_is_never_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let token = dir.path().join("token");
        // The name the old code used: `.token.tmp-<pid>`.
        std::os::unix::fs::symlink(&victim, dir.path().join(format!(".token.tmp-{}", std::process::id()))).unwrap();
        write_private(&token, b"hf_new").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious", "the symlink was followed");
        assert_eq!(fs::read_to_string(&token).unwrap(), "hf_new");
        assert!(fs::symlink_metadata(&token).unwrap().file_type().is_file());
    }

    #[test]
    fn a_held_lock_is_waited_for_a_bounded_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("token"));
        let held = fs::OpenOptions::new().create(true).truncate(false).write(true).open(store.lock_path()).unwrap();
        held.lock().unwrap();
        let t = std::time::Instant::now();
        let e = store.lock(std::time::Duration::from_millis(200)).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        drop(held);
        assert!(store.lock(std::time::Duration::from_millis(200)).is_ok());
    }

    // What huggingface_hub 2.4 writes after `hf auth login --token` and a browser login.
    const PYTHON_WRITTEN: &str =
        "[oauth-alice]\nhf_token = hf_oauth\nrefresh_token = hf_oauth_refresh\nexpires_at = 1790000000\n\n[work]\nhf_token = hf_work\n\n";

    #[test]
    fn round_trips_python_format() {
        let parsed = parse_ini(PYTHON_WRITTEN);
        assert_eq!(parsed["work"].hf_token, "hf_work");
        assert_eq!(parsed["oauth-alice"].expires_at, Some(1_790_000_000));
        assert_eq!(render_ini(&parsed), PYTHON_WRITTEN);
    }

    #[test]
    fn login_and_logout_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("hf/token"));
        store.save_login("work", StoredToken { hf_token: "hf_work".into(), ..Default::default() }).unwrap();
        store.save_login("other", StoredToken { hf_token: "hf_other".into(), ..Default::default() }).unwrap();
        assert_eq!(store.read_active().as_deref(), Some("hf_other"));
        assert_eq!(fs::read_to_string(store.stored_path()).unwrap(), "[other]\nhf_token = hf_other\n\n[work]\nhf_token = hf_work\n\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&store.token_path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(fs::metadata(store.stored_path()).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(fs::metadata(dir.path().join("hf")).unwrap().permissions().mode() & 0o777, 0o700);
        }
        // Removing a saved token that is not the active one keeps the active token file.
        assert_eq!(store.logout(Some("work")).unwrap(), vec!["work".to_string()]);
        assert_eq!(store.read_active().as_deref(), Some("hf_other"));
        store.save_login("work", StoredToken { hf_token: "hf_work".into(), ..Default::default() }).unwrap();
        store.save_login("other", StoredToken { hf_token: "hf_other".into(), ..Default::default() }).unwrap();
        let removed = store.logout(None).unwrap();
        assert_eq!(removed, vec!["other".to_string()]);
        assert!(store.read_active().is_none());
        assert!(store.read_stored().unwrap().contains_key("work"));
    }
}
