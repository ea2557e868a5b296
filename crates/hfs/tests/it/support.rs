//! Running the real `hfs` binary in a clean environment, once per Gradio version.
//!
//! Every command runs with the Hugging Face environment cleared (`HF_TOKEN`,
//! `HUGGING_FACE_HUB_TOKEN`, `HF_TOKEN_PATH`, `HF_ENDPOINT`, …) and `HOME`, `HF_HOME` and
//! `XDG_CACHE_HOME` pointed at an empty temp dir, so the developer's real token never reaches a
//! test server and no test depends on the machine it runs on.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use hfs_testkit::{FakeHub, GradioVersion};
use serde_json::Value;

/// Upper bound for one `hfs` run: a hang fails the test instead of blocking the suite.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Variables hfs (or reqwest) reads that are not named `HF_*`/`HFS_*`: logs and proxies.
const CLEARED: &[&str] = &[
    "HUGGING_FACE_HUB_TOKEN",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "RUST_LOG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// Every variable that must not leak in from the developer's shell: every `HF_*` and `HFS_*` set
/// (all the Hugging Face and hfs settings, the provider URL overrides), the fixed list above, and
/// each provider's own key variable from the provider registry (with one set, calls would go to
/// the provider directly).
pub fn cleared_vars() -> Vec<String> {
    let mut names: Vec<String> = CLEARED.iter().map(|s| s.to_string()).collect();
    names.extend(hfs_inference::registry::PROVIDERS.iter().filter_map(|p| p.key_env).map(str::to_string));
    names.extend(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()).filter(|k| k.starts_with("HF_") || k.starts_with("HFS_")));
    // Named ones too, so a variable set between this call and the run is covered as well.
    names.extend(
        ["HF_TOKEN", "HF_TOKEN_PATH", "HF_HOME", "HF_ENDPOINT", "HF_ROUTER_URL", "HF_HUB_DISABLE_IMPLICIT_TOKEN"].map(String::from),
    );
    names.sort();
    names.dedup();
    names
}

/// Expands each check `fn NAME(v: V)` into a module `NAME` with one `#[test]` per pinned Gradio
/// version (the list lives once, in `hfs-testkit`); versions missing from `HFS_GRADIO_VERSIONS`
/// are skipped (the test passes and says so).
macro_rules! per_version {
    ($($check:ident),+ $(,)?) => { hfs_testkit::per_gradio_version!(sync $crate::support::run; $($check),+); };
}
pub(crate) use per_version;

/// For checks that do not depend on the Gradio version (token discovery, Space ids): one test,
/// run against the first selected version.
macro_rules! any_version {
    ($($check:ident),+ $(,)?) => {$(
        mod $check {
            #[test]
            fn first_version() { $crate::support::run_first(super::$check) }
        }
    )+};
}
pub(crate) use any_version;

/// What a check gets: the version under test, its shared test Spaces, and `hfs` runs on them.
#[derive(Clone, Copy)]
pub struct V(pub GradioVersion);

impl std::ops::Deref for V {
    type Target = GradioVersion;
    fn deref(&self) -> &GradioVersion {
        &self.0
    }
}

impl V {
    /// `hfs ARGS…` with `{app}` URL substitution: `v.hfs(&["call", "@main", "/greet"])`.
    pub fn hfs(&self, args: &[&str]) -> Hfs {
        let args: Vec<String> = args.iter().map(|a| self.expand(a)).collect();
        Hfs::new().args(args)
    }

    fn expand(&self, a: &str) -> String {
        match a.strip_prefix('@').filter(|app| ["main", "queue1", "auth", "limits"].contains(app)) {
            Some(app) => self.url(app),
            None => a.to_string(),
        }
    }
}

pub fn run(version: &'static str, check: fn(V)) {
    if let Some(v) = GradioVersion::selected(version) {
        check(V(v));
    }
}

pub fn run_first(check: fn(V)) {
    run(GradioVersion::first(), check)
}

/// Runs `hfs ARGS…` (clean environment, fresh home) with its stdout already closed by the
/// reader, as `hfs … | head -0` would; returns the exit code and stderr.
pub fn closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    let home = tempfile::tempdir().expect("temp HOME");
    let mut cmd = std::process::Command::new(bin());
    clean_env(&mut cmd, home.path());
    let mut child = cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn hfs");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read stderr");
    (child.wait().expect("wait hfs").code(), stderr)
}

/// The `hfs` binary under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("hfs")
}

/// One `hfs` invocation in a clean environment (see the module docs): the one command builder of
/// the CLI tests. [`Hfs::new`] runs in a fresh empty home; [`Home::hfs`] in a kept one, pointed
/// at a fake Hub.
pub struct Hfs {
    cmd: assert_cmd::Command,
    args: Vec<String>,
    stdin: String,
    home: HomeDir,
}

enum HomeDir {
    Fresh(tempfile::TempDir),
    Kept(PathBuf),
}

impl Hfs {
    pub fn new() -> Hfs {
        Self::in_home(HomeDir::Fresh(tempfile::tempdir().expect("temp HOME")))
    }

    fn in_home(home: HomeDir) -> Hfs {
        let mut cmd = assert_cmd::Command::cargo_bin("hfs").expect("hfs binary");
        let path = match &home {
            HomeDir::Fresh(t) => t.path().to_path_buf(),
            HomeDir::Kept(p) => p.clone(),
        };
        clean_env(&mut cmd, &path);
        cmd.timeout(RUN_TIMEOUT);
        Hfs { cmd, args: vec![], stdin: String::new(), home }
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, args: I) -> Self {
        for a in args {
            self.args.push(a.as_ref().to_string());
        }
        self
    }

    pub fn arg(self, a: &str) -> Self {
        self.args([a])
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Self {
        self.cmd.env_remove(k);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    /// stdin is a pipe holding this text (empty by default: never a terminal).
    pub fn stdin(mut self, s: &str) -> Self {
        self.stdin = s.to_string();
        self
    }

    /// The directory used as `HOME` (and `HF_HOME` = `HOME/hf`) for this run.
    pub fn home(&self) -> &Path {
        match &self.home {
            HomeDir::Fresh(t) => t.path(),
            HomeDir::Kept(p) => p,
        }
    }

    pub fn run(mut self) -> Run {
        self.cmd.args(&self.args);
        self.cmd.write_stdin(self.stdin.clone());
        let started = std::time::Instant::now();
        let out = self.cmd.output().expect("run hfs");
        Run {
            command: format!("hfs {}", self.args.join(" ")),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }
}

/// A fake Hub/router with this config (see `crates/hfs-fakehub/src/config/mod.rs`).
pub fn fake(config: &Value) -> FakeHub {
    FakeHub::start(&FakeHub::binary(), config)
}

/// A home directory kept across several runs (login, then status, then logout…). `HOME` is the
/// temp dir, `HF_HOME` is `HOME/hf`, `XDG_CACHE_HOME` is `HOME/cache` (as [`clean_env`]).
pub struct Home(tempfile::TempDir);

impl Home {
    pub fn new() -> Home {
        Home(tempfile::tempdir().expect("temp HOME"))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// `$HF_HOME`.
    pub fn hf(&self) -> PathBuf {
        self.path().join("hf")
    }

    /// Writes `rel` (parents created) and returns its path.
    pub fn write(&self, rel: &str, content: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// `hfs ARGS…` in this home, with `HF_ENDPOINT` / `HF_ROUTER_URL` pointing at `hub` and fast
    /// Hub retries (`HFS_HUB_BACKOFF=10ms`).
    pub fn hfs(&self, hub: &FakeHub, args: &[&str]) -> Hfs {
        Hfs::in_home(HomeDir::Kept(self.path().to_path_buf()))
            .env("HF_ENDPOINT", &hub.url)
            .env("HF_ROUTER_URL", &hub.router_url)
            .env("HFS_HUB_BACKOFF", "10ms")
            .args(args)
    }
}

/// Requests the fake got for `path` (any origin), as logged by it.
pub fn requests_to(hub: &FakeHub, method: &str, path: &str) -> Vec<Value> {
    hub.requests().into_iter().filter(|r| r["path"] == path && r["method"] == method).collect()
}

/// Insta filters for everything that changes between runs: local URLs, temp paths, timestamps.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"http://127\.0\.0\.1:\d+", "[LOCAL]"),
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[HOME]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIMESTAMP]"),
    ]
}

/// Applies the clean environment to a command (`assert_cmd` or `std`).
pub trait EnvLike {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr);
    fn remove(&mut self, k: &str);
}

impl EnvLike for assert_cmd::Command {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr) {
        self.env(k, v);
    }
    fn remove(&mut self, k: &str) {
        self.env_remove(k);
    }
}

impl EnvLike for std::process::Command {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr) {
        self.env(k, v);
    }
    fn remove(&mut self, k: &str) {
        self.env_remove(k);
    }
}

pub fn clean_env(cmd: &mut impl EnvLike, home: &Path) {
    for k in cleared_vars() {
        cmd.remove(&k);
    }
    cmd.set("HOME", home.as_os_str());
    cmd.set("HF_HOME", home.join("hf").as_os_str());
    cmd.set("XDG_CACHE_HOME", home.join("cache").as_os_str());
    cmd.set("NO_PROXY", std::ffi::OsStr::new("127.0.0.1,localhost"));
}

/// What one run of `hfs` did.
pub struct Run {
    pub command: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` exited with {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// Asserts exit code 0 and returns self.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "expected success: {self:?}");
        self
    }

    /// Asserts the exit code and that stderr has an `error:` line.
    #[track_caller]
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "expected exit code {code}: {self:?}");
        assert!(self.stderr.contains("error: "), "no `error:` line on stderr: {self:?}");
        self
    }

    /// Asserts that stderr mentions every one of `words` (case-insensitive).
    #[track_caller]
    pub fn says(self, words: &[&str]) -> Run {
        let err = self.stderr.to_lowercase();
        for w in words {
            assert!(err.contains(&w.to_lowercase()), "stderr does not mention {w:?}: {self:?}");
        }
        self
    }

    /// stdout as one JSON value.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {self:?}"))
    }

    /// stdout as JSON lines.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}\n{self:?}")))
            .collect()
    }

    /// The value printed for output `label` in text mode (`label: value`).
    #[track_caller]
    pub fn text_output(&self, label: &str) -> String {
        let prefix = format!("{label}: ");
        self.stdout.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("no `{label}:` line: {self:?}")).to_string()
    }
}

/// Asserts that a `--json` result has the `hfs.call/1` shape and returns its outputs.
#[track_caller]
pub fn call_result<'a>(j: &'a Value, target: &str, endpoint: &str) -> &'a Vec<Value> {
    assert_eq!(j["schema"], "hfs.call/1", "{j:#}");
    assert_eq!(j["target"], target, "{j:#}");
    assert_eq!(j["endpoint"], endpoint, "{j:#}");
    assert!(j["files"].is_array(), "{j:#}");
    assert!(j["duration_ms"].is_u64(), "{j:#}");
    j["outputs"].as_array().unwrap_or_else(|| panic!("outputs is not a list: {j:#}"))
}

/// Every entry of a directory, sorted (names only).
pub fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub use hfs_testkit::sha256_hex;

/// `hfs` running in the background (clean environment), for tests that act while it runs.
pub struct Spawned {
    pub child: std::process::Child,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    pub lines: Vec<String>,
    _home: tempfile::TempDir,
}

impl Spawned {
    pub fn start(args: &[&str]) -> Spawned {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(bin());
        clean_env(&mut cmd, home.path());
        let mut child = cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn hfs");
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        Spawned { child, stdout, lines: vec![], _home: home }
    }

    /// The next stdout line (as JSON), or None at EOF.
    pub fn next_json(&mut self) -> Option<Value> {
        use std::io::BufRead;
        let mut line = String::new();
        if self.stdout.read_line(&mut line).unwrap() == 0 {
            return None;
        }
        self.lines.push(line.clone());
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}")))
    }

    /// Waits at most `limit` for the exit; kills it and panics if it takes longer.
    pub fn wait(mut self, limit: Duration) -> Run {
        use std::io::Read;
        let started = std::time::Instant::now();
        let code = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s.code();
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("hfs did not exit within {limit:?}; stdout so far: {:?}", self.lines);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        Run { command: "hfs (spawned)".into(), code, stdout: self.lines.concat() + &rest, stderr, elapsed: started.elapsed() }
    }

    /// Sends SIGINT (what Ctrl-C does).
    pub fn interrupt(&self) {
        let status = std::process::Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success(), "kill -INT failed");
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Serialises the tests that make a server produce the same output file (`/gallery`'s images
/// depend only on their index). Gradio 4.x caches outputs under a hash of their bytes and
/// rewrites that file in place on every call, so a download racing with another identical call
/// can read a truncated file (see the report on hfs-gradio's missing download retry).
pub fn same_output_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
