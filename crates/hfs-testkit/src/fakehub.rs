use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::http::http_request;

/// A running `hfs-fakehub`, stopped on drop.
pub struct FakeHub {
    child: Child,
    _stdin: ChildStdin,
    _config: tempfile::NamedTempFile,
    pub url: String,
}

impl FakeHub {
    /// Starts the fake Hub with a config (see `crates/hfs-fakehub`); `binary` is its path
    /// (`env!("CARGO_BIN_EXE_hfs-fakehub")` in its own tests, [`FakeHub::binary`] elsewhere).
    pub fn start(binary: &std::path::Path, config: &serde_json::Value) -> FakeHub {
        let cfg = tempfile::NamedTempFile::new().expect("temp config");
        std::fs::write(cfg.path(), config.to_string()).expect("write config");
        let mut child = Command::new(binary)
            .args(["--port", "0", "--config"])
            .arg(cfg.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("fakehub ready line");
        assert!(line.starts_with("http://"), "fakehub did not start: {line:?}");
        FakeHub { child, _stdin: stdin, _config: cfg, url: line.trim().to_string() }
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

    /// Every request the fake Hub received, as logged by it.
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
