use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The repository root (where `tests/spaces/` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// Where `scripts/setup-test-env` puts the venvs.
pub fn venv_root() -> PathBuf {
    if let Ok(v) = std::env::var("HFS_TEST_VENVS") {
        return PathBuf::from(v);
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .ok()
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache"));
    cache.join("hfs/test-venvs")
}

/// The Python of the venv for a Gradio version; panics with the fix when it is missing.
pub fn python_for(version: &str) -> PathBuf {
    let dir = venv_root().join(format!("gradio-{version}"));
    assert!(dir.join(".complete").exists(), "no venv for gradio {version} in {}: run scripts/setup-test-env first", dir.display());
    dir.join("bin/python")
}

/// The pinned MCP client's version (`scripts/setup-test-env` installs it).
pub const MCP_CLIENT_VERSION: &str = "2.3.0";

/// The Python of the venv holding the official MCP client (`mcp`), for driving `hfs mcp`.
pub fn mcp_python() -> PathBuf {
    let dir = venv_root().join(format!("mcp-{MCP_CLIENT_VERSION}"));
    assert!(dir.join(".complete").exists(), "no venv for the mcp client in {}: run scripts/setup-test-env first", dir.display());
    dir.join("bin/python")
}

/// One `tests/spaces/serve.py` process serving several test apps of one Gradio version.
pub struct SpaceServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub gradio: String,
    apps: HashMap<String, String>,
}

impl SpaceServer {
    /// Starts the given apps (modules of `tests/spaces/apps/`) and waits until they all answer.
    pub fn start(version: &str, apps: &[&str]) -> SpaceServer {
        Self::start_with(version, apps, &[])
    }

    /// Like [`SpaceServer::start`], with environment variables for the apps; an app given as
    /// `name@PORT` listens on that port (to restart a Space on the same address).
    pub fn start_with(version: &str, apps: &[&str], env: &[(&str, &str)]) -> SpaceServer {
        let python = python_for(version);
        let script = repo_root().join("tests/spaces/serve.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .args(apps)
            .env("GRADIO_ANALYTICS_ENABLED", "False")
            .env("PYTHONUNBUFFERED", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("HFS_TEST_SPACES_LOG").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(180)).unwrap_or_default();
        let ready: serde_json::Value = match serde_json::from_str(line.trim()) {
            Ok(v) => v,
            Err(_) => {
                let _ = child.kill();
                panic!("gradio {version} test Spaces {apps:?} did not start (set HFS_TEST_SPACES_LOG=1 to see why); got {line:?}");
            }
        };
        let apps = ready["apps"]
            .as_object()
            .expect("apps in ready line")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        SpaceServer { child, stdin: Some(stdin), gradio: ready["gradio"].as_str().unwrap_or_default().to_string(), apps }
    }

    /// Base URL of an app, with a trailing slash.
    pub fn url(&self, app: &str) -> &str {
        self.apps.get(app).unwrap_or_else(|| panic!("app `{app}` was not started"))
    }

    /// `host:port` of an app.
    pub fn authority(&self, app: &str) -> String {
        self.url(app).trim_start_matches("http://").trim_end_matches('/').to_string()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server at once (SIGKILL: no goodbye to clients, as a crashed Space).
    pub fn kill(mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound and released; a test that needs a fixed address picks one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Drop for SpaceServer {
    fn drop(&mut self) {
        // Closing stdin asks serve.py to close its apps and remove its cache folder; kill it if
        // it has not exited after a few seconds.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(6);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The standard test apps of one version, started once per test binary and shared by its tests.
/// They stop when the test process exits (serve.py exits when its stdin closes).
pub fn shared_spaces(version: &str) -> &'static SpaceServer {
    shared("standard", version, &["main", "queue1", "auth", "limits"])
}

/// The standard `main` app of one version, for the MCP tests alone: their 20-second jobs and
/// cancellations do not queue behind (or hold up) the other tests' calls to the shared one.
pub fn shared_mcp_space(version: &str) -> &'static SpaceServer {
    shared("mcp", version, &["main"])
}

/// The generation test Spaces of one version (Spaces with different signatures and output shapes
/// for the adapter: `gen_zimage`, `gen_flux`, `gen_multi`, `gen_video`, `gen_tts`, `gen_asr`, `gen_quota`, `gen_chat`, `gen_busy`), shared the
/// same way.
pub fn shared_gen_spaces(version: &str) -> &'static SpaceServer {
    shared("gen", version, &["gen_zimage", "gen_flux", "gen_multi", "gen_video", "gen_tts", "gen_asr", "gen_quota", "gen_chat", "gen_busy"])
}

/// The batch test Space of one version (`gen_batch`: 50 ms a call, 4 at a time, a queue of 4, a
/// ZeroGPU quota error every 23rd call), shared the same way.
pub fn shared_batch_space(version: &str) -> &'static SpaceServer {
    shared("batch", version, &["gen_batch"])
}

fn shared(set: &str, version: &str, apps: &[&str]) -> &'static SpaceServer {
    static SERVERS: OnceLock<Mutex<HashMap<String, &'static OnceLock<SpaceServer>>>> = OnceLock::new();
    let cell: &'static OnceLock<SpaceServer> = {
        let mut map = SERVERS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        map.entry(format!("{set}/{version}")).or_insert_with(|| Box::leak(Box::new(OnceLock::new())))
    };
    cell.get_or_init(|| SpaceServer::start(version, apps))
}
