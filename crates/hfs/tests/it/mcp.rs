//! `hfs mcp` driven by a real MCP client: Python's official `mcp` package
//! (`tests/mcp/drive.py`, venv from `scripts/setup-test-env`), over stdio and Streamable HTTP, in
//! both protocol eras (the initialize handshake of 2025-11-25, and 2026-07-28's per-request
//! metadata), against the test Spaces through the fake Hub and providers through the fake router.
//!
//! Checked: the tools and their schemas; a generation returns a resource link to a file whose
//! sha256 is the one reported; a call with a file input from an allowed directory; a path outside
//! the allowed directories refused, and one under a root the client declares accepted; a 20 s job
//! sends progress often enough for a client whose timeout is 10 s and reset on progress; the
//! client's cancellation cancels the Gradio job; an app error is an `isError` result and the
//! server goes on serving; the HTTP server refuses foreign `Host`s.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Hfs, V, bin, clean_env, fake, run_first, sha256_hex};

const TOKEN: &str = "hf_mcp_tests";
const FLUX: &str = "black-forest-labs/FLUX.1-dev";

#[derive(Clone, Copy, Debug)]
enum Transport {
    Stdio,
    Http,
}

const LEGACY: &str = "legacy";
const MODERN: &str = "2026-07-28";

/// A fake Hub naming the MCP test Space `hfs-test/main` and the Z-Image-Turbo mimic (the default
/// image backend), a home, and a working directory with an allowed and a forbidden file.
struct Fixture {
    hub: hfs_testkit::FakeHub,
    home: tempfile::TempDir,
    work: tempfile::TempDir,
}

impl Fixture {
    fn new(v: &V) -> Fixture {
        let main = hfs_testkit::shared_mcp_space(v.version);
        let gen_spaces = hfs_testkit::shared_gen_spaces(v.version);
        let hub = fake(&json!({
            "tokens": {TOKEN: {"user": "alice"}},
            "spaces": {
                "hfs-test/main": {"host": main.url("main")},
                "Tongyi-MAI/Z-Image-Turbo": {"host": gen_spaces.url("gen_zimage")},
                "alexnasa/ltx-2-TURBO": {"host": gen_spaces.url("gen_video")},
            },
        }));
        let work = tempfile::tempdir().unwrap();
        for (dir, file, text) in
            [("allowed", "in.txt", "hello mcp\n"), ("rooted", "r.txt", "from a root\n"), ("outside", "secret.txt", "not yours\n")]
        {
            std::fs::create_dir_all(work.path().join(dir)).unwrap();
            std::fs::write(work.path().join(dir).join(file), text).unwrap();
        }
        Fixture { hub, home: tempfile::tempdir().unwrap(), work }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// The environment of the server: a clean home, the fake Hub and router, a token.
    fn env(&self) -> BTreeMap<String, String> {
        let mut cmd = Command::new("true");
        clean_env(&mut cmd, self.home.path());
        let mut env: BTreeMap<String, String> =
            cmd.get_envs().filter_map(|(k, v)| Some((k.to_str()?.to_string(), v?.to_str()?.to_string()))).collect();
        env.insert("HF_ENDPOINT".into(), self.hub.url.clone());
        env.insert("HF_ROUTER_URL".into(), self.hub.router_url.clone());
        env.insert("HFS_HUB_BACKOFF".into(), "10ms".into());
        env.insert("HF_TOKEN".into(), TOKEN.into());
        env
    }

    /// The `hfs mcp` arguments every test uses: outputs in `out/`, files readable in `allowed/`.
    fn args(&self, extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = vec!["mcp".into(), "-o".into(), self.out().display().to_string()];
        a.extend(["--allow-dir".into(), self.path("allowed").display().to_string(), "--space".into(), "hfs-test/main".into()]);
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    /// Runs the client with `steps` against a server started with `args` and returns its
    /// document (`{"protocol", "results"}`).
    fn drive(&self, transport: Transport, mode: &str, args: &[String], roots: Option<&[PathBuf]>, steps: Value) -> Value {
        let mut spec = json!({"mode": mode, "steps": steps});
        if let Some(r) = roots {
            spec["roots"] = json!(r);
        }
        let _server = match transport {
            Transport::Stdio => {
                let mut command = vec![bin().display().to_string()];
                command.extend(args.iter().cloned());
                spec["transport"] = "stdio".into();
                spec["command"] = json!(command);
                spec["env"] = json!(self.env());
                spec["cwd"] = json!(self.work.path());
                None
            }
            Transport::Http => {
                let server = HttpServer::start(self, args);
                spec["transport"] = "http".into();
                spec["url"] = server.url.clone().into();
                Some(server)
            }
        };
        let file = self.work.path().join(format!("spec-{}.json", uuid_ish()));
        std::fs::write(&file, spec.to_string()).unwrap();
        let mut child = Command::new(hfs_testkit::mcp_python())
            .arg(hfs_testkit::repo_root().join("tests/mcp/drive.py"))
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the MCP client");
        let (stdout, stderr) = finish(&mut child, Duration::from_secs(150));
        let doc: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("the client printed no document ({e}) ({transport:?}, {mode}):\n{stdout}\n--- stderr\n{stderr}"));
        for (i, r) in doc["results"].as_array().unwrap().iter().enumerate() {
            assert!(
                r.get("exception").is_none() || steps_allow_exception(&spec, i),
                "step {i} raised ({transport:?}, {mode}): {r}\n{stderr}"
            );
        }
        doc
    }
}

fn steps_allow_exception(spec: &Value, i: usize) -> bool {
    spec["steps"][i]["expect_exception"].as_bool().unwrap_or(false)
}

fn uuid_ish() -> String {
    format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}

/// Waits for a child with a deadline (killed past it), returning stdout and stderr.
fn finish(child: &mut Child, limit: Duration) -> (String, String) {
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the MCP client did not finish within {limit:?}: {}", err_reader.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (reader.join().unwrap(), err_reader.join().unwrap())
}

/// `hfs mcp --http 127.0.0.1:0 …`, stopped (killed) when dropped.
struct HttpServer {
    child: Child,
    url: String,
}

impl HttpServer {
    fn start(fx: &Fixture, args: &[String]) -> HttpServer {
        let mut cmd = Command::new(bin());
        cmd.args(args).args(["--http", "127.0.0.1:0"]).current_dir(fx.work.path());
        cmd.env_clear();
        for (k, v) in fx.env() {
            cmd.env(k, v);
        }
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("hfs mcp --http");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("http://127.0.0.1:") && line.trim_end().ends_with("/mcp"), "no URL on stdout: {line:?}");
        HttpServer { child, url: line.trim().to_string() }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(tool: &str, args: Value) -> Value {
    json!({"op": "call", "tool": tool, "args": args})
}

fn text(r: &Value) -> String {
    r["result"]["content"]
        .as_array()
        .map(|c| c.iter().filter_map(|b| b["text"].as_str()).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

fn is_error(r: &Value) -> bool {
    r["result"]["isError"].as_bool().unwrap_or(false)
}

#[test]
fn tools_files_and_errors_in_every_transport_and_era() {
    run_first(|v| {
        let fx = Fixture::new(&v);
        let allowed = fx.path("allowed/in.txt");
        let outside = fx.path("outside/secret.txt");
        for (transport, mode) in
            [(Transport::Stdio, LEGACY), (Transport::Stdio, MODERN), (Transport::Http, LEGACY), (Transport::Http, MODERN)]
        {
            let what = format!("{transport:?} {mode}");
            let doc = fx.drive(
                transport,
                mode,
                &fx.args(&[]),
                None,
                json!([
                    {"op": "list"},
                    call("generate_image", json!({"prompt": "a red fox", "seed": 11})),
                    call("space_call", json!({"space": "hfs-test/main", "endpoint": "/file_in", "arguments": {"f": allowed}})),
                    call("main_file_in", json!({"f": outside})),
                    call("space_call", json!({"space": "hfs-test/main", "endpoint": "/fail", "arguments": {"x": "bad"}})),
                    call("main_greet", json!({"name": "Ann"})),
                    call("generate_image", json!({"prompt": "x", "sed": 1})),
                    call("space_call", json!({"space": "hfs-test/main", "arguments": {"name": "Ann"}})),
                    {"op": "call", "tool": "no_such_tool", "args": {}, "expect_exception": true},
                ]),
            );
            let expected = if mode == MODERN { "2026-07-28" } else { "2025-11-25" };
            assert_eq!(doc["protocol"], expected, "{what}");
            let r = &doc["results"];

            // The tools: the fixed ones and one per endpoint of the Space, with valid schemas.
            assert_eq!(r[0]["schema_errors"], json!([]), "{what}");
            let tools = r[0]["tools"].as_array().unwrap();
            let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
            for n in [
                "generate_image",
                "generate_video",
                "generate_speech",
                "transcribe",
                "search_spaces",
                "search_models",
                "space_api",
                "space_call",
            ] {
                assert!(names.contains(&n), "{what}: no {n} in {names:?}");
            }
            assert!(names.contains(&"main_greet") && names.contains(&"main_file_in"), "{what}: {names:?}");
            assert!(names.iter().all(|n| hfs_mcp::valid_tool_name(n)), "{names:?}");
            let greet = tools.iter().find(|t| t["name"] == "main_greet").unwrap();
            assert_eq!(greet["inputSchema"]["required"], json!(["name"]), "{greet}");
            assert_eq!(greet["inputSchema"]["properties"]["greeting"]["default"], "Hello", "{greet}");
            let image = tools.iter().find(|t| t["name"] == "generate_image").unwrap();
            assert_eq!(image["inputSchema"]["required"], json!(["prompt"]));
            assert!(image["outputSchema"].is_object(), "{image}");

            // A generation on the default backend: a resource link to the file that was written.
            let g = &r[1];
            assert!(!is_error(g), "{what}: {g}");
            let s = &g["result"]["structuredContent"];
            assert_eq!((s["schema"].as_str(), s["seed"].as_u64()), (Some("hfs.generate/1"), Some(11)), "{s}");
            assert_eq!(s["backend"]["space"], "Tongyi-MAI/Z-Image-Turbo", "{s}");
            let file = &s["files"][0];
            let path = Path::new(file["path"].as_str().unwrap());
            assert!(path.starts_with(fx.out()), "{path:?} is not under the output directory");
            assert_eq!(sha256_hex(path), file["sha256"], "{what}");
            let link = g["result"]["content"].as_array().unwrap().iter().find(|c| c["type"] == "resource_link").expect("a resource link");
            assert_eq!(link["uri"], format!("file://{}", path.display()), "{link}");
            assert_eq!(
                (link["mimeType"].as_str(), link["size"].as_u64()),
                (Some("image/png"), Some(std::fs::metadata(path).unwrap().len()))
            );
            assert!(fx.out().join("hfs-manifest.jsonl").is_file(), "provenance recorded");

            // A file input from the allowed directory reaches the app whole.
            let sha = sha256_hex(&allowed);
            assert!(text(&r[2]).contains(&format!("in.txt:10:{sha}")), "{what}: {}", r[2]);
            // One outside it is refused, naming the directories that may be read.
            assert!(is_error(&r[3]), "{what}: {}", r[3]);
            assert_eq!(r[3]["result"]["structuredContent"]["error"]["kind"], "not_readable", "{}", r[3]);
            assert!(text(&r[3]).contains("secret.txt") && text(&r[3]).contains("allowed"), "{}", text(&r[3]));
            // The app's error is the tool's error, and the server serves on.
            assert!(is_error(&r[4]) && text(&r[4]).contains("Boom: bad"), "{what}: {}", r[4]);
            assert_eq!(r[4]["result"]["structuredContent"]["error"]["kind"], "app_error");
            assert!(!is_error(&r[5]) && text(&r[5]).contains("Hello, Ann."), "{what}: {}", r[5]);
            // Bad arguments say what is wrong.
            assert!(is_error(&r[6]) && text(&r[6]).contains("did you mean `seed`"), "{}", r[6]);
            assert!(is_error(&r[7]) && text(&r[7]).contains("pass `endpoint`"), "{}", r[7]);
            assert!(r[8]["exception"].as_str().unwrap().contains("unknown tool"), "{}", r[8]);
        }
    });
}

/// A 20 s job with a client that gives up after 10 s without progress: the heartbeat (5 s) and
/// the job's own events keep it alive to the end.
fn long_job(transport: Transport, mode: &'static str) {
    run_first_with(transport, mode, |fx, transport, mode| {
        let doc = fx.drive(
            transport,
            mode,
            &fx.args(&[]),
            None,
            json!([{"op": "call", "tool": "main_sleep", "args": {"seconds": 20}, "idle_timeout": 10}]),
        );
        let r = &doc["results"][0];
        assert_eq!(r["timed_out"], false, "the client gave up: {r}");
        assert!(text(r).contains("slept 20"), "{r}");
        assert!(r["elapsed"].as_f64().unwrap() >= 20.0, "{r}");
        let times: Vec<f64> = r["progress"].as_array().unwrap().iter().map(|p| p["t"].as_f64().unwrap()).collect();
        assert!(times.len() >= 4, "{r}");
        let mut last = 0.0;
        for t in &times {
            assert!(t - last < 10.0, "{}s without progress: {r}", t - last);
            last = *t;
        }
        let values: Vec<f64> = r["progress"].as_array().unwrap().iter().map(|p| p["progress"].as_f64().unwrap()).collect();
        assert!(values.windows(2).all(|w| w[1] > w[0]), "progress only grows: {values:?}");
        assert!(r["progress"].as_array().unwrap().iter().any(|p| p["message"].as_str().unwrap_or("").starts_with("still running")), "{r}");
    });
}

fn run_first_with(transport: Transport, mode: &'static str, check: fn(&Fixture, Transport, &str)) {
    if let Some(v) = hfs_testkit::GradioVersion::selected(hfs_testkit::GradioVersion::first()) {
        check(&Fixture::new(&V(v)), transport, mode);
    }
}

#[test]
fn a_long_job_outlives_a_short_timeout_on_stdio() {
    long_job(Transport::Stdio, MODERN);
}

#[test]
fn a_long_job_outlives_a_short_timeout_over_http() {
    long_job(Transport::Http, LEGACY);
}

/// The client cancels a running generator: the job stops on the server (its tick count stops
/// growing), and the server answers the next call.
fn cancel(transport: Transport, mode: &'static str) {
    run_first_with(transport, mode, |fx, transport, mode| {
        let token = format!("mcp-cancel-{}", uuid_ish());
        let doc = fx.drive(
            transport,
            mode,
            &fx.args(&[]),
            None,
            json!([
                {"op": "call", "tool": "main_ticker", "args": {"token": token}, "cancel_after": 1.5},
                {"op": "sleep", "seconds": 1.0},
                call("main_ticks", json!({"token": token})),
                {"op": "sleep", "seconds": 1.0},
                call("main_ticks", json!({"token": token})),
            ]),
        );
        let r = &doc["results"];
        assert_eq!(r[0]["cancelled"], true, "{}", r[0]);
        let ticks = |i: usize| r[i]["result"]["structuredContent"]["values"][0].as_f64().unwrap_or_else(|| panic!("{}", r[i]));
        let (a, b) = (ticks(2), ticks(4));
        assert!((1.0..30.0).contains(&a), "the ticker ran {a} ticks");
        assert_eq!(a, b, "the ticker went on after the client cancelled ({transport:?} {mode})");
    });
}

#[test]
fn client_cancellation_cancels_the_job_on_stdio() {
    cancel(Transport::Stdio, LEGACY);
}

#[test]
fn client_cancellation_cancels_the_job_over_http() {
    cancel(Transport::Http, MODERN);
}

/// A root the client declares widens what may be read (asked with `roots/list` in a legacy
/// session, in the call's own round trip at 2026-07-28); nothing else does.
#[test]
fn declared_roots_widen_what_may_be_read() {
    run_first(|v| {
        let fx = Fixture::new(&v);
        let rooted = fx.path("rooted/r.txt");
        let outside = fx.path("outside/secret.txt");
        for mode in [LEGACY, MODERN] {
            let steps = json!([call("main_file_in", json!({"f": rooted})), call("main_file_in", json!({"f": outside}))]);
            let doc = fx.drive(Transport::Stdio, mode, &fx.args(&[]), Some(&[fx.path("rooted")]), steps.clone());
            let r = &doc["results"];
            assert!(!is_error(&r[0]) && text(&r[0]).contains(&format!("r.txt:12:{}", sha256_hex(&rooted))), "{mode}: {}", r[0]);
            assert!(is_error(&r[1]), "{mode}: {}", r[1]);
            // Without the root, the same file is refused.
            let doc = fx.drive(Transport::Stdio, mode, &fx.args(&[]), None, steps);
            assert_eq!(doc["results"][0]["result"]["structuredContent"]["error"]["kind"], "not_readable", "{mode}");
        }
    });
}

/// A provider model through the fake router, Space and model search through the fake Hub, a
/// Space's API; images inline when asked.
#[test]
fn providers_search_and_api() {
    run_first(|v| {
        let fx = Fixture::new(&v);
        let doc = fx.drive(
            Transport::Stdio,
            MODERN,
            &fx.args(&["--inline-images"]),
            None,
            json!([
                call("generate_image", json!({"prompt": "a lighthouse", "model": FLUX, "provider": "fal-ai", "seed": 3})),
                call("search_spaces", json!({"query": "flux image generator", "limit": 4})),
                call("search_models", json!({"task": "text-to-image"})),
                call("space_api", json!({"space": "hfs-test/main"})),
                call("search_spaces", json!({})),
            ]),
        );
        let r = &doc["results"];
        let s = &r[0]["result"]["structuredContent"];
        assert!(!is_error(&r[0]), "{}", r[0]);
        assert_eq!((s["backend"]["kind"].as_str(), s["backend"]["provider"].as_str()), (Some("provider"), Some("fal-ai")), "{s}");
        let path = Path::new(s["files"][0]["path"].as_str().unwrap());
        assert_eq!(sha256_hex(path), s["files"][0]["sha256"]);
        let content = r[0]["result"]["content"].as_array().unwrap();
        assert!(content.iter().any(|c| c["type"] == "image" && c["mimeType"] == "image/png"), "--inline-images: {content:?}");
        let ids: Vec<&str> =
            r[1]["result"]["structuredContent"]["spaces"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"black-forest-labs/FLUX.1-schnell"), "{ids:?}");
        assert_eq!(r[2]["result"]["structuredContent"]["schema"], "hfs.search.models/1", "{}", r[2]);
        let api = &r[3]["result"]["structuredContent"];
        assert_eq!(api["schema"], "hfs.api/1");
        assert!(api["endpoints"].as_array().unwrap().iter().any(|e| e["api_name"] == "/greet"), "{api}");
        assert!(is_error(&r[4]) && text(&r[4]).contains("`query` or `category`"), "{}", r[4]);
    });
}

/// A URL for an input file is fetched by hfs and uploaded: a picture made by one call animated by
/// the next, by the picture's URL on the Space.
#[test]
fn url_inputs_are_fetched_and_uploaded() {
    run_first(|v| {
        let fx = Fixture::new(&v);
        let doc = fx.drive(
            Transport::Stdio,
            LEGACY,
            &fx.args(&[]),
            None,
            json!([call("generate_image", json!({"prompt": "a harbour", "seed": 5}))]),
        );
        let made = &doc["results"][0]["result"]["structuredContent"];
        let url = made["values"][0][0]["image"]["url"].as_str().unwrap_or_else(|| panic!("no file URL in {made}")).to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let doc = fx.drive(
            Transport::Stdio,
            LEGACY,
            &fx.args(&[]),
            None,
            json!([call("generate_video", json!({"prompt": "waves", "image": url, "space": "alexnasa/ltx-2-TURBO", "seed": 1}))]),
        );
        let r = &doc["results"][0];
        assert!(!is_error(r), "{r}");
        let s = &r["result"]["structuredContent"];
        assert_eq!(s["files"][0]["mime_type"], "video/mp4", "{s}");
        let record = std::fs::read_to_string(fx.out().join("hfs-manifest.jsonl")).unwrap();
        assert!(record.contains(&format!("{{\"url\":\"{url}\"}}")), "the record names the input URL: {record}");
    });
}

/// The HTTP server answers loopback hosts only (the SDK's DNS-rebinding guard), unless told.
#[test]
fn http_refuses_foreign_hosts() {
    run_first(|v| {
        let fx = Fixture::new(&v);
        let server = HttpServer::start(&fx, &fx.args(&[]));
        let authority = server.url.trim_start_matches("http://").trim_end_matches("/mcp").to_string();
        let post = |host: &str| -> String {
            let body = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}).to_string();
            let mut s = std::net::TcpStream::connect(&authority).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            write!(
                s,
                "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            let mut status = String::new();
            BufReader::new(s).read_line(&mut status).unwrap();
            status
        };
        assert!(post("evil.example").starts_with("HTTP/1.1 403"), "{}", post("evil.example"));
        assert!(post(&authority).starts_with("HTTP/1.1 200"), "{}", post(&authority));
    });
}

#[test]
fn bad_options_are_usage_errors() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("missing");
    Hfs::new().args(["mcp", "--allow-dir", missing.to_str().unwrap()]).run().fails(2);
    Hfs::new().args(["mcp", "--space", "not-a-space"]).run().fails(2);
    Hfs::new().args(["mcp", "--heartbeat", "20s"]).run().fails(2);
    Hfs::new().args(["mcp", "--http", "nowhere"]).run().fails(2);
}
