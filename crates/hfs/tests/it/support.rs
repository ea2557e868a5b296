//! Running the real `hfs` binary in a clean environment, once per Gradio version.
//!
//! Every command runs with the Hugging Face environment cleared (`HF_TOKEN`,
//! `HUGGING_FACE_HUB_TOKEN`, `HF_TOKEN_PATH`, `HF_ENDPOINT`, …) and `HOME`, `HF_HOME` and
//! `XDG_CACHE_HOME` pointed at an empty temp dir, so the developer's real token never reaches a
//! test server and no test depends on the machine it runs on.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use hfs_testkit::{SpaceServer, gradio_versions, shared_spaces};
use serde_json::Value;

/// Upper bound for one `hfs` run: a hang fails the test instead of blocking the suite.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Environment variables hfs (or reqwest) reads that must not leak in from the developer's shell.
const CLEARED: &[&str] = &[
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HOME",
    "HF_ENDPOINT",
    "HF_ROUTER_URL",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN",
    "XDG_CACHE_HOME",
    "HFS_LOG",
    "RUST_LOG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    // Inference providers' own keys: with one set, calls would go to the provider directly.
    "FAL_KEY",
    "REPLICATE_API_TOKEN",
    "TOGETHER_API_KEY",
    "OPENAI_API_KEY",
    "NOVITA_API_KEY",
    "WAVESPEED_API_KEY",
    "ZAI_API_KEY",
    "GROQ_API_KEY",
    "CEREBRAS_API_KEY",
];

/// Expands each check `fn NAME(v: V)` into a module `NAME` with one `#[test]` per Gradio
/// version; versions missing from `HFS_GRADIO_VERSIONS` are skipped (the test passes and says so).
macro_rules! per_version {
    ($($check:ident),+ $(,)?) => {$(
        mod $check {
            #[test]
            fn gradio_6_31_0() { $crate::support::run("6.31.0", super::$check) }
            #[test]
            fn gradio_5_50_0() { $crate::support::run("5.50.0", super::$check) }
            #[test]
            fn gradio_4_44_1() { $crate::support::run("4.44.1", super::$check) }
            #[test]
            fn gradio_4_20_0() { $crate::support::run("4.20.0", super::$check) }
            #[test]
            fn gradio_4_16_0() { $crate::support::run("4.16.0", super::$check) }
            #[test]
            fn gradio_4_5_0() { $crate::support::run("4.5.0", super::$check) }
        }
    )+};
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

/// What a check gets: the version under test and its shared test Spaces.
#[derive(Clone, Copy)]
pub struct V {
    pub version: &'static str,
    pub spaces: &'static SpaceServer,
    pub major: u64,
    pub minor: u64,
}

impl V {
    pub fn at_least(&self, major: u64, minor: u64) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// `/info` gives `parameter_name` (4.23+; of our versions 4.44.1, 5.50.0, 6.31.0): keyword
    /// arguments work. Older servers take positional arguments only.
    pub fn has_param_names(&self) -> bool {
        self.at_least(4, 23)
    }

    pub fn url(&self, app: &str) -> String {
        self.spaces.url(app).to_string()
    }

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
    if !gradio_versions().iter().any(|v| v == version) {
        eprintln!("skipped: gradio {version} is not in HFS_GRADIO_VERSIONS");
        return;
    }
    let spaces = shared_spaces(version);
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap());
    check(V { version, spaces, major: parts.next().unwrap(), minor: parts.next().unwrap() });
}

pub fn run_first(check: fn(V)) {
    let first = gradio_versions().into_iter().next().expect("HFS_GRADIO_VERSIONS is empty");
    let version: &'static str = Box::leak(first.into_boxed_str());
    run(version, check)
}

/// The `hfs` binary under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("hfs")
}

/// One `hfs` invocation in a clean environment (see the module docs).
pub struct Hfs {
    cmd: assert_cmd::Command,
    args: Vec<String>,
    home: tempfile::TempDir,
}

impl Hfs {
    pub fn new() -> Hfs {
        let home = tempfile::tempdir().expect("temp HOME");
        let mut cmd = assert_cmd::Command::cargo_bin("hfs").expect("hfs binary");
        clean_env(&mut cmd, home.path());
        cmd.timeout(RUN_TIMEOUT);
        Hfs { cmd, args: vec![], home }
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, args: I) -> Self {
        for a in args {
            self.args.push(a.as_ref().to_string());
        }
        self
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

    /// The empty directory used as `HOME` (and `HF_HOME` = `HOME/hf`) for this run.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn run(mut self) -> Run {
        self.cmd.args(&self.args);
        self.cmd.write_stdin(""); // stdin is a closed pipe, never a terminal
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
    for k in CLEARED {
        cmd.remove(k);
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

/// sha256 of a file, hex (with the system's `sha256sum`, so the test shares no code with hfs).
pub fn sha256_hex(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(path).stdin(Stdio::null()).output().expect("sha256sum");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

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
