//! A programmable, misbehaving HTTP/1.1 server for faults real apps never produce on cue: stalls
//! after the headers, bodies cut mid-event, endless lines, gzip bombs, huge answers, redirects
//! (to another listener, in loops), 429/5xx storms, floods of unknown event ids, deep diffs,
//! escape sequences. Plain `std::net` and one thread per connection, so a handler can do anything
//! to the socket (write half a body, sleep, close) — a framework would not let it.
//!
//! Every listener records what it received ([`Hostile::requests`]), so a test can assert that no
//! token or user header reached a host it must not reach. The server stops when dropped.
//!
//! ```no_run
//! use hfs_testkit::hostile::{Hostile, Reply, Request};
//! let h = Hostile::start(|req: &Request, out: &mut Reply| match req.path() {
//!     "/slow" => { out.head(200, &[("content-type", "application/json")]); out.stall(); }
//!     _ => out.json(404, &serde_json::json!({"detail": "nope"})),
//! });
//! assert!(h.url().starts_with("http://127.0.0.1:"));
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// The socket a handler answers on. Writes that fail (the client went away) are ignored: the
/// handler's job is to misbehave, not to handle errors.
pub struct Reply {
    stream: TcpStream,
    stop: Arc<AtomicBool>,
}

impl Reply {
    /// A status line and headers, `Connection: close`, no length: the body follows with
    /// [`Reply::raw`] and ends when the connection closes.
    pub fn head(&mut self, status: u16, headers: &[(&str, &str)]) {
        let mut s = format!("HTTP/1.1 {status} {}\r\nconnection: close\r\n", reason(status));
        for (k, v) in headers {
            s.push_str(&format!("{k}: {v}\r\n"));
        }
        s.push_str("\r\n");
        self.raw(s.as_bytes());
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes);
        let _ = self.stream.flush();
    }

    /// A whole answer with a length.
    pub fn body(&mut self, status: u16, content_type: &str, body: &[u8], extra: &[(&str, &str)]) {
        let len = body.len().to_string();
        let mut headers = vec![("content-type", content_type), ("content-length", len.as_str())];
        headers.extend_from_slice(extra);
        self.head(status, &headers);
        self.raw(body);
    }

    pub fn json(&mut self, status: u16, v: &Value) {
        self.body(status, "application/json", v.to_string().as_bytes(), &[]);
    }

    pub fn redirect(&mut self, status: u16, location: &str) {
        self.body(status, "text/plain", b"", &[("location", location)]);
    }

    /// Starts an event stream.
    pub fn sse_head(&mut self) {
        self.head(200, &[("content-type", "text/event-stream"), ("cache-control", "no-cache")]);
    }

    /// One SSE event carrying `v`.
    pub fn sse(&mut self, v: &Value) {
        self.raw(format!("data: {v}\n\n").as_bytes());
    }

    /// Holds the connection open, sending nothing, until the client leaves or the server stops.
    pub fn stall(&mut self) {
        let _ = self.stream.set_read_timeout(Some(Duration::from_millis(100)));
        let mut buf = [0u8; 4096];
        while !self.stop.load(Ordering::SeqCst) {
            match self.stream.read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(_) => return,
            }
        }
    }

    /// Whether the server is stopping (long-running handlers should end).
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Writes `chunk` until `total` bytes went out or the client left; true if all went out.
    pub fn repeat(&mut self, chunk: &[u8], total: u64) -> bool {
        let mut sent = 0u64;
        while sent < total && !self.stopping() {
            if self.stream.write_all(chunk).is_err() {
                return false;
            }
            sent += chunk.len() as u64;
        }
        sent >= total
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

type Handler = dyn Fn(&Request, &mut Reply) + Send + Sync;

/// A running hostile server on a random loopback port.
pub struct Hostile {
    url: String,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

/// Options for [`Hostile::start_with`].
#[derive(Clone, Default)]
pub struct Options {
    /// Paths whose request bodies are never read (to stall an upload).
    pub unread_bodies: Vec<String>,
}

impl Hostile {
    pub fn start(handler: impl Fn(&Request, &mut Reply) + Send + Sync + 'static) -> Hostile {
        Self::start_with(Options::default(), handler)
    }

    pub fn start_with(options: Options, handler: impl Fn(&Request, &mut Reply) + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let options = Arc::new(options);
        let accept = {
            let (log, stop) = (log.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(conn) = conn else { continue };
                    let (log, stop, handler, options) = (log.clone(), stop.clone(), handler.clone(), options.clone());
                    std::thread::spawn(move || serve(conn, &log, stop, &*handler, &options));
                }
            })
        };
        Hostile { url, log, stop, accept: Some(accept) }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many requests had this path.
    pub fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path() == path).count()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Request>>, stop: Arc<AtomicBool>, handler: &Handler, options: &Options) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut req = Request { method, target, headers, body: Vec::new() };
    if !options.unread_bodies.iter().any(|p| p == req.path()) {
        req.body = read_body(&mut reader, &req);
    }
    log.lock().unwrap_or_else(|e| e.into_inner()).push(req.clone());
    let mut reply = Reply { stream, stop };
    handler(&req, &mut reply);
    let _ = reply.stream.shutdown(Shutdown::Both);
}

fn read_body(reader: &mut BufReader<TcpStream>, req: &Request) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(n) = req.header("content-length").and_then(|n| n.parse::<usize>().ok()) {
        body.resize(n, 0);
        if reader.read_exact(&mut body).is_err() {
            body.clear();
        }
    } else if req.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).unwrap_or(0) == 0 {
                break;
            }
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            if reader.read_exact(&mut chunk).is_err() {
                break;
            }
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    body
}

/// Passes the request on to `upstream` (`host:port`) and copies its answer back byte for byte
/// (streams included): with it a handler is a fault-injecting proxy in front of a real app,
/// answering some requests itself (a 429, a 503) and forwarding the rest. The `Host` header is
/// kept, so the app builds its URLs through the proxy as behind any reverse proxy.
pub fn forward(req: &Request, out: &mut Reply, upstream: &str) {
    let Ok(mut up) = TcpStream::connect(upstream) else {
        out.body(502, "text/plain", b"upstream down", &[]);
        return;
    };
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.target);
    for (k, v) in &req.headers {
        if !matches!(k.as_str(), "connection" | "content-length" | "transfer-encoding" | "keep-alive") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", req.body.len()));
    if up.write_all(head.as_bytes()).and_then(|_| up.write_all(&req.body)).is_err() {
        out.body(502, "text/plain", b"upstream write failed", &[]);
        return;
    }
    let mut buf = [0u8; 16 * 1024];
    loop {
        match up.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if out.stream.write_all(&buf[..n]).is_err() || out.stopping() {
                    return;
                }
            }
        }
    }
}

/// The endpoints of a minimal Gradio 6 app (`sse_v3`, `api_prefix /gradio_api`) with one endpoint
/// `/predict(text: Textbox) -> File`, for handlers to fall back on: a hostile test overrides the
/// route it misbehaves on and lets this answer the rest. `queue/data` is not answered here (each
/// test scripts its own stream); `event_id` is always `"ev1"`.
pub fn gradio_app(req: &Request, out: &mut Reply) -> bool {
    match (req.method.as_str(), req.path()) {
        ("GET", "/config") => out.json(200, &gradio_config()),
        ("GET", "/gradio_api/info") => out.json(200, &gradio_info()),
        ("POST", "/gradio_api/queue/join") => out.json(200, &json!({"event_id": "ev1"})),
        ("POST", "/gradio_api/cancel") => out.json(200, &json!({"success": true})),
        ("POST", "/gradio_api/upload") => out.json(200, &json!(["/tmp/gradio/up/file.bin"])),
        ("GET", "/gradio_api/heartbeat") => out.json(200, &json!({})),
        _ => return false,
    }
    true
}

pub fn gradio_config() -> Value {
    json!({
        "version": "6.31.0", "protocol": "sse_v3", "api_prefix": "/gradio_api", "mode": "blocks",
        "components": [
            {"id": 1, "type": "textbox", "props": {"label": "text", "value": ""}},
            {"id": 2, "type": "file", "props": {"label": "out"}},
            {"id": 3, "type": "file", "props": {"label": "upload"}}
        ],
        "dependencies": [
            {"id": 0, "api_name": "predict", "inputs": [1], "outputs": [2], "backend_fn": true, "types": {"generator": false}},
            {"id": 1, "api_name": "take", "inputs": [3], "outputs": [1], "backend_fn": true, "types": {"generator": false}}
        ]
    })
}

pub fn gradio_info() -> Value {
    let file_type = json!({"$ref": "http://www.gradio.app/FileData"});
    json!({"named_endpoints": {
        "/predict": {
            "parameters": [{"label": "text", "parameter_name": "text", "parameter_has_default": false, "component": "Textbox",
                            "type": {"type": "string"}, "python_type": {"type": "str"}}],
            "returns": [{"label": "out", "component": "File", "type": file_type, "python_type": {"type": "filepath"}}]
        },
        "/take": {
            "parameters": [{"label": "upload", "parameter_name": "upload", "parameter_has_default": false, "component": "File",
                            "type": file_type, "python_type": {"type": "filepath"}}],
            "returns": [{"label": "text", "component": "Textbox", "type": {"type": "string"}, "python_type": {"type": "str"}}]
        }
    }, "unnamed_endpoints": {}})
}

/// The FileData of an output at `url` (absolute, as a server may name any host).
pub fn file_data(url: &str, name: &str) -> Value {
    json!({"path": name, "url": url, "orig_name": name, "size": null, "mime_type": null, "is_stream": false, "meta": {"_type": "gradio.FileData"}})
}

/// `process_completed` for `ev1` with these outputs.
pub fn completed(data: Value) -> Value {
    json!({"msg": "process_completed", "event_id": "ev1", "output": {"data": data}, "success": true})
}

/// Peak resident memory (VmHWM, KiB) of a running process, or `None` once it is gone.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
