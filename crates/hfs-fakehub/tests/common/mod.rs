//! Test harness: runs the real `hfs-fakehub` binary and talks plain
//! HTTP/1.1 to it over `std::net::TcpStream` (no client crate needed).
#![allow(dead_code)] // each test file uses a different subset

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub mod cassettes;

use serde_json::Value;

pub const TOKEN: &str = "hf_testtoken";

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hfs-fakehub"))
}

/// The recorded fixtures (`tests/fixtures`).
pub fn fixtures_dir() -> PathBuf {
    hfs_testkit::repo_root().join("tests/fixtures")
}

/// The shared launcher (`hfs_testkit::FakeHub`) plus the raw HTTP helpers these tests use.
pub struct FakeHub {
    pub inner: hfs_testkit::FakeHub,
    pub url: String,
    pub router: String,
    pub assets: String,
}

impl FakeHub {
    pub fn start(config: Option<&Value>) -> Self {
        Self::start_with(config, &[])
    }

    pub fn start_with(config: Option<&Value>, extra_args: &[&str]) -> Self {
        let inner = hfs_testkit::FakeHub::start_with(std::path::Path::new(env!("CARGO_BIN_EXE_hfs-fakehub")), config, extra_args);
        FakeHub { url: inner.url.clone(), router: inner.router_url.clone(), assets: inner.assets_url.clone(), inner }
    }

    pub fn get(&self, path: &str) -> Resp {
        request(&self.url, "GET", path, &[], None)
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        request(&self.url, "GET", path, headers, None)
    }

    pub fn get_auth(&self, path: &str) -> Resp {
        self.get_with(path, &[("Authorization", &format!("Bearer {TOKEN}"))])
    }

    /// An authenticated JSON POST to the router.
    pub fn router_post(&self, path: &str, body: &Value) -> Resp {
        request(&self.router, "POST", path, &[("Authorization", &bearer())], Some(&body.to_string()))
    }

    pub fn put_space(&self, id: &str, body: &Value) -> Resp {
        request(&self.url, "PUT", &format!("/_fake/spaces/{id}"), &[], Some(&body.to_string()))
    }

    /// The request log, optionally only one listener's entries.
    pub fn requests(&self, origin: Option<&str>) -> Vec<Value> {
        let all = self.get("/_fake/requests").json();
        all.as_array().unwrap().iter().filter(|r| origin.is_none_or(|o| r["origin"] == o)).cloned().collect()
    }

    pub fn close_stdin(&mut self) {
        self.inner.close_stdin();
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.inner.wait_exit(timeout)
    }
}

pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

pub fn write_temp_config(config: &Value) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!("hfs-fakehub-test-{}-{}.json", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for binary bodies; use `bytes` for those).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }
}

/// One HTTP/1.1 exchange with a text body (JSON content type when sent).
pub fn request(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Resp {
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    let body = body.unwrap_or("");
    if !body.is_empty() || method == "PUT" || method == "POST" {
        all.push(("Content-Type", "application/json"));
    }
    request_bytes(base, method, path, &all, body.as_bytes())
}

/// One HTTP/1.1 exchange with `Connection: close`, so the body is simply
/// everything after the headers (de-chunked if need be).
pub fn request_bytes(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let authority = base.strip_prefix("http://").expect("http base URL");
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "PUT" || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("response has a header block");
    let head = String::from_utf8(raw[..split].to_vec()).expect("UTF-8 headers");
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Resp { status, headers, body: String::from_utf8_lossy(&body).into_owned(), bytes: body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..eol]).ok().and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let Some(n) = size.filter(|n| *n > 0) else {
            break;
        };
        let start = eol + 2;
        out.extend_from_slice(&raw[start..start + n]);
        raw = &raw[start + n + 2..];
    }
    out
}
