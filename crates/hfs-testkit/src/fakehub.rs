use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::http::http_request;

/// A running `hfs-fakehub`, stopped on drop: the one launcher every test suite uses (the fake's
/// own tests, the libraries', the CLI's). It serves three origins: the Hub (`HF_ENDPOINT`), the
/// inference router (`HF_ROUTER_URL`) and the providers' asset CDN (where recorded image/audio
/// URLs point), plus the recorded fixtures of `tests/fixtures`.
pub struct FakeHub {
    child: Child,
    stdin: Option<ChildStdin>,
    _config: Option<tempfile::NamedTempFile>,
    /// The rest of the fake's stdout after its URL line.
    pub stdout: BufReader<ChildStdout>,
    /// The Hub base URL, for `HF_ENDPOINT`.
    pub url: String,
    /// The router base URL, for `HF_ROUTER_URL`.
    pub router_url: String,
    /// The asset CDN base URL; recorded asset URLs are rewritten to `{assets_url}/{host}/...`.
    pub assets_url: String,
}

impl FakeHub {
    /// Starts the fake Hub with a config (see `crates/hfs-fakehub`'s `config/mod.rs`; its
    /// `providers` section synthesises Inference Provider flows: fal queue, replicate, together,
    /// wavespeed, zai, hf-inference, chat); `binary` is its path
    /// (`env!("CARGO_BIN_EXE_hfs-fakehub")` in its own tests, [`FakeHub::binary`] elsewhere).
    pub fn start(binary: &std::path::Path, config: &serde_json::Value) -> FakeHub {
        Self::start_with(binary, Some(config), &[])
    }

    /// [`FakeHub::start`] with an optional config and extra command-line arguments. The recorded
    /// fixtures are passed explicitly, so a missing folder fails the replays loudly.
    pub fn start_with(binary: &std::path::Path, config: Option<&serde_json::Value>, extra_args: &[&str]) -> FakeHub {
        let fixtures = crate::repo_root().join("tests/fixtures");
        assert!(fixtures.join("hf-cassettes").is_dir(), "fixtures missing at {}", fixtures.display());
        let mut cmd = Command::new(binary);
        cmd.args(["--port", "0", "--fixtures"]).arg(&fixtures).args(extra_args);
        let cfg = config.map(|c| {
            let f = tempfile::NamedTempFile::new().expect("temp config");
            std::fs::write(f.path(), c.to_string()).expect("write config");
            f
        });
        if let Some(f) = &cfg {
            cmd.arg("--config").arg(f.path());
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("fakehub ready line");
        assert!(line.starts_with("http://127.0.0.1:"), "fakehub did not start: {line:?}");
        let url = line.trim().to_string();
        let info = http_request("GET", &format!("{url}/_fake/info"), None).expect("GET /_fake/info");
        let info: serde_json::Value = serde_json::from_str(&info.body).expect("/_fake/info JSON");
        let field = |k: &str| info[k].as_str().unwrap_or_else(|| panic!("/_fake/info lacks {k}: {info}")).to_string();
        FakeHub { child, stdin, _config: cfg, stdout, router_url: field("router"), assets_url: field("assets"), url }
    }

    /// The fake's process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the fake's stdin (it exits when its parent goes away).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits up to `timeout` for the fake to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The `hfs-fakehub` binary built in this workspace's target directory (built on demand).
    pub fn binary() -> PathBuf {
        let root = crate::repo_root();
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
        let bin = target.join("debug/hfs-fakehub");
        if !bin.exists() {
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "-q", "-p", "hfs-fakehub"])
                .current_dir(&root)
                .status()
                .expect("cargo build hfs-fakehub");
            assert!(status.success(), "building hfs-fakehub failed");
        }
        bin
    }

    /// Adds or replaces a Space.
    pub fn put_space(&self, id: &str, entry: &serde_json::Value) {
        let r = http_request("PUT", &format!("{}/_fake/spaces/{id}", self.url), Some(&entry.to_string())).expect("PUT space");
        assert_eq!(r.status, 200, "{}", r.body);
    }

    /// Arms scripted faults (one fault object or a list; see `crates/hfs-fakehub`), e.g.
    /// `{"path": "/api/models", "status": 429, "retry_after": 2, "times": 1}`.
    pub fn add_faults(&self, faults: &serde_json::Value) {
        let r = http_request("POST", &format!("{}/_fake/faults", self.url), Some(&faults.to_string())).expect("POST faults");
        assert_eq!(r.status, 200, "{}", r.body);
    }

    /// Every request the fake received on any of its listeners (`origin`: hub, router or
    /// assets), as logged by it.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let r = http_request("GET", &format!("{}/_fake/requests", self.url), None).expect("GET requests");
        serde_json::from_str(&r.body).expect("request log JSON")
    }
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
