//! Process lifecycle: the URL line, stdin-EOF and SIGTERM exits, refusals.

mod common;

use std::io::Read;
use std::time::Duration;

use common::{FakeHub, bin, write_temp_config};
use serde_json::json;

#[test]
fn prints_only_the_url_then_exits_on_stdin_eof() {
    let mut hub = FakeHub::start(None);
    let port: u16 = hub.url.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, 0);
    // It is really serving at that URL.
    assert_eq!(hub.get("/api/spaces/a/b").status, 404);

    hub.close_stdin();
    let status = hub.wait_exit(Duration::from_secs(5)).expect("should exit on stdin EOF");
    assert!(status.success(), "exit status {status:?}");
    let mut rest = String::new();
    hub.inner.stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "nothing but the URL line on stdout");
}

#[cfg(unix)]
#[test]
fn no_stdin_watch_keeps_running_until_sigterm() {
    let mut hub = FakeHub::start_with(None, &["--no-stdin-watch"]);
    hub.close_stdin();
    assert!(hub.wait_exit(Duration::from_millis(500)).is_none(), "exited despite --no-stdin-watch");
    assert_eq!(hub.get("/nope").status, 404);

    let killed = std::process::Command::new("kill").args(["-TERM", &hub.inner.pid().to_string()]).status().unwrap();
    assert!(killed.success());
    assert!(hub.wait_exit(Duration::from_secs(5)).is_some(), "should exit on SIGTERM");
}

#[test]
fn refuses_non_loopback_hosts() {
    for host in ["0.0.0.0", "192.0.2.1", "example.com"] {
        let out = bin().args(["--port", "0", "--host", host]).output().unwrap();
        assert!(!out.status.success(), "--host {host} was accepted");
        assert!(out.stdout.is_empty(), "--host {host} printed {:?}", out.stdout);
    }
    let out = bin().args(["--port", "0", "--host", "0.0.0.0"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("non-loopback"));
}

#[test]
fn rejects_a_config_with_unknown_fields() {
    let path = write_temp_config(&json!({"spaces": {"a/b": {"host": "http://x", "stagez": "RUNNING"}}}));
    let out = bin().args(["--port", "0", "--config"]).arg(&path).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stagez"), "{out:?}");
}

/// A port that was free a moment ago (bound to 0, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn router_and_assets_ports_can_be_chosen() {
    let (r, a) = (free_port(), free_port());
    let hub = FakeHub::start_with(None, &["--router-port", &r.to_string(), "--assets-port", &a.to_string()]);
    assert_eq!(hub.router, format!("http://127.0.0.1:{r}"));
    assert_eq!(hub.assets, format!("http://127.0.0.1:{a}"));
    assert_eq!(common::request(&hub.router, "GET", "/v1/models", &[], None).status, 200);
}

/// Spawns the binary with `args`, returns its first stdout line and the child.
fn spawn(args: &[&str]) -> (String, std::process::Child) {
    use std::io::BufRead;
    let mut child = bin()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (line.trim().to_string(), child)
}

#[test]
fn fixtures_default_to_the_shared_folder_and_can_be_turned_off() {
    let recorded = "/api/models/black-forest-labs/FLUX.1-dev?expand=inferenceProviderMapping";
    let (url, mut child) = spawn(&["--port", "0"]);
    let r = common::request(&url, "GET", recorded, &[], None);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r.status, 200, "default fixtures not found: {}", r.body);

    // An empty fixtures folder: nothing is recorded, nothing replays.
    let empty = std::env::temp_dir().join(format!("hfs-fakehub-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let (url, mut child) = spawn(&["--port", "0", "--fixtures", empty.to_str().unwrap()]);
    let r = common::request(&url, "GET", recorded, &[], None);
    let search = common::request(&url, "GET", "/api/spaces/semantic-search?q=flux", &[], None);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir(&empty);
    assert_eq!(r.status, 404);
    assert_eq!(search.json(), json!([]));
}

#[test]
fn a_missing_fixtures_folder_is_an_error() {
    let out = bin().args(["--port", "0", "--fixtures", "/nonexistent/hfs-fixtures"]).output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fixtures"), "{out:?}");
}
