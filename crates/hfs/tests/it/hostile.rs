//! The real `hfs` binary against servers that misbehave on purpose (`hfs_testkit::hostile`): each
//! test names the review item (issue "Hostile servers and broken networks") it would have caught.
//! Every one asserts a typed, actionable error within a bound (no hang), the documented exit
//! code, and where it matters bounded memory, no partial file under a final name and no token or
//! user header on a host that must not get it.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hfs_testkit::hostile::{Hostile, Options, Reply, Request, completed, file_data, gradio_app, peak_rss_kib};
use serde_json::json;

use crate::support::{Hfs, Run, Spawned, list_dir};

/// A Gradio 6 app whose `queue/data` stream is `stream`, and whose other routes are `extra`'s
/// when it answers them (returns true), else the default app's.
fn app(
    stream: impl Fn(&str, &mut Reply) + Send + Sync + 'static,
    extra: impl Fn(&str, &Request, &mut Reply) -> bool + Send + Sync + 'static,
) -> Hostile {
    app_with(Options::default(), stream, extra)
}

fn app_with(
    options: Options,
    stream: impl Fn(&str, &mut Reply) + Send + Sync + 'static,
    extra: impl Fn(&str, &Request, &mut Reply) -> bool + Send + Sync + 'static,
) -> Hostile {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b2 = base.clone();
    let h = Hostile::start_with(options, move |req, out| {
        let base = b2.get().cloned().unwrap_or_default();
        if extra(&base, req, out) {
            return;
        }
        if req.path() == "/gradio_api/queue/data" {
            out.sse_head();
            stream(&base, out);
            return;
        }
        if !gradio_app(req, out) {
            out.json(404, &json!({"detail": "Not Found"}));
        }
    });
    base.set(h.url().to_string()).unwrap();
    h
}

fn none(_: &str, _: &Request, _: &mut Reply) -> bool {
    false
}

fn url(h: &Hostile) -> String {
    format!("{}/", h.url())
}

/// Runs `hfs` and samples its peak RSS while it runs; kills it after `limit`.
fn run_measured(args: &[&str], env: &[(&str, &str)], limit: Duration) -> (Run, u64) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(crate::support::bin());
    crate::support::clean_env(&mut cmd, home.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let err_file = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(out_file.reopen().unwrap())
        .stderr(err_file.reopen().unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut peak = 0;
    let code = loop {
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hfs {args:?} did not exit within {limit:?}: {}", std::fs::read_to_string(err_file.path()).unwrap());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        command: format!("hfs {}", args.join(" ")),
        code,
        stdout: std::fs::read_to_string(out_file.path()).unwrap(),
        stderr: std::fs::read_to_string(err_file.path()).unwrap(),
        elapsed: started.elapsed(),
    };
    (run, peak)
}

const MIB: u64 = 1024;

#[track_caller]
fn within(r: &Run, limit: Duration) {
    assert!(r.elapsed < limit, "took {:?} (limit {limit:?}): {r:?}", r.elapsed);
}

// ---- 1. server defaults never name files to upload

#[test]
fn a_server_default_cannot_make_hfs_upload_a_local_file() {
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "SECRET-BYTES").unwrap();
    let marker = json!({"_hfs_file": "local", "path": secret.path(), "orig_name": "x.env"});
    let url_marker = json!({"_hfs_file": "url", "path": "http://127.0.0.1:9/nothing", "orig_name": "y"});
    let (m1, m2) = (marker.clone(), url_marker.clone());
    let h = app(
        |_, out| out.sse(&completed(json!([null]))),
        move |_, req, out| {
            if req.path() != "/gradio_api/info" {
                return false;
            }
            let mut info = hfs_testkit::hostile::gradio_info();
            let p = &mut info["named_endpoints"]["/predict"]["parameters"];
            p[0]["parameter_has_default"] = json!(true);
            p[0]["parameter_default"] = m1.clone();
            p.as_array_mut().unwrap().push(json!({"label": "u", "parameter_name": "u", "parameter_has_default": true,
                "parameter_default": m2.clone(), "component": "JSON", "type": {}, "python_type": {"type": "Any"}}));
            out.json(200, &info);
            true
        },
    );
    let r = Hfs::new().args(["call", &url(&h), "/predict", "--no-download"]).run().ok();
    assert_eq!(h.count("/gradio_api/upload"), 0, "nothing may be uploaded: {r:?}");
    let join = h.requests().into_iter().find(|q| q.path() == "/gradio_api/queue/join").expect("a join");
    let data = join.json()["data"].clone();
    assert_eq!(data[0], marker, "the default goes back to the app as the data it is");
    assert!(!String::from_utf8_lossy(&join.body).contains("SECRET-BYTES"));
}

// ---- 2. a progress unit with braces on a terminal

#[test]
fn braces_in_a_progress_unit_do_not_crash_the_bar() {
    let h = app(
        |_, out| {
            out.sse(&json!({"msg": "process_starts", "event_id": "ev1"}));
            for i in 0..3 {
                out.sse(&json!({"msg": "progress", "event_id": "ev1", "progress_data": [
                    {"index": i, "length": 3, "unit": "{}", "progress": null, "desc": "{bar:9} \u{1b}[31m"}]}));
                std::thread::sleep(Duration::from_millis(150));
            }
            out.sse(&completed(json!([null])));
        },
        none,
    );
    // `script` gives hfs a real terminal (pty) on stdout and stderr: the bar is drawn.
    let cmd = format!("{} call {} /predict text=x --no-download", crate::support::bin().display(), url(&h));
    let home = tempfile::tempdir().unwrap();
    let mut script = std::process::Command::new("script");
    crate::support::clean_env(&mut script, home.path());
    let out = script.args(["-qec", &cmd, "/dev/null"]).stdin(std::process::Stdio::null()).output().expect("script (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("\u{1b}[31m"), "the app's escape sequence reached the terminal: {text:?}");
}

// ---- 3. bodies that stall after their headers

#[test]
fn a_download_that_stalls_times_out_and_leaves_no_file() {
    let h = app(
        |base, out| out.sse(&completed(json!([file_data(&format!("{base}/gradio_api/file=out.bin"), "out.bin")]))),
        |_, req, out| {
            if req.path().starts_with("/gradio_api/file=") {
                out.head(200, &[("content-type", "application/octet-stream"), ("content-length", "1000000")]);
                out.raw(&[7; 1000]);
                out.stall();
                return true;
            }
            false
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // The idle bound alone ends it (no --timeout)...
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x", "-o", d]).env("HFS_IDLE_TIMEOUT", "1s").run().fails(1);
    let r = r.says(&["out.bin", "sent nothing for 1s"]);
    within(&r, Duration::from_secs(30));
    // ...and --timeout covers downloads too.
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x", "-o", d, "--timeout", "2s"]).run().fails(124);
    within(&r, Duration::from_secs(30));
    assert!(list_dir(dir.path()).is_empty(), "no file, not even a temp file: {:?}", list_dir(dir.path()));
}

#[test]
fn a_config_that_stalls_after_its_headers_is_a_clear_error() {
    let h = Hostile::start(|req, out| {
        if req.path() == "/config" {
            out.head(200, &[("content-type", "application/json")]);
            out.raw(b"{\"version\": ");
            out.stall();
        }
    });
    let r = Hfs::new().args(["api", &url(&h)]).env("HFS_IDLE_TIMEOUT", "1s").run().fails(1).says(&["sent nothing for 1s"]);
    within(&r, Duration::from_secs(30));
}

// ---- 10, 11. endless lines, huge answers, gzip bombs: memory stays bounded

#[test]
fn an_endless_sse_line_is_cut_off_with_bounded_memory() {
    let h = app(
        |_, out| {
            out.raw(b"data: ");
            out.repeat(&[b'x'; 64 * 1024], 1 << 30);
        },
        none,
    );
    let (r, peak) = run_measured(&["call", &url(&h), "/predict", "text=x"], &[], Duration::from_secs(60));
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("larger than 16 MiB"), "{r:?}");
    assert!(peak < 100 * MIB, "peak RSS {} MiB", peak / 1024);
}

#[test]
fn a_huge_config_and_a_gzip_bomb_are_refused_with_bounded_memory() {
    let bomb = gzip_of_zeros(256 << 20);
    let h = Hostile::start(move |req, out| match req.path() {
        "/config" => {
            out.head(200, &[("content-type", "application/json")]);
            out.raw(b"{\"version\": \"");
            out.repeat(&[b'a'; 64 * 1024], 1 << 30);
        }
        "/bomb/config" => out.body(200, "application/json", &bomb, &[("content-encoding", "gzip")]),
        _ => out.json(404, &json!({})),
    });
    for target in [url(&h), format!("{}/bomb/", h.url())] {
        let (r, peak) = run_measured(&["api", &target], &[], Duration::from_secs(60));
        assert_eq!(r.code, Some(1), "{r:?}");
        assert!(r.stderr.contains("larger than 16 MiB"), "{r:?}");
        assert!(peak < 100 * MIB, "{target}: peak RSS {} MiB", peak / 1024);
    }
}

fn gzip_of_zeros(n: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..n / zeros.len() {
        gz.write_all(&zeros).unwrap();
    }
    gz.finish().unwrap()
}

// ---- 12. floods of unknown event ids

#[test]
fn a_flood_of_unknown_event_ids_does_not_grow_memory() {
    let h = app(
        |_, out| {
            let mut batch = String::new();
            for i in 0..400_000 {
                batch.push_str(&format!("data: {{\"msg\":\"estimation\",\"event_id\":\"ghost-{i}\",\"rank\":1,\"queue_size\":2}}\n\n"));
                if batch.len() > 64 * 1024 {
                    out.raw(batch.as_bytes());
                    batch.clear();
                }
            }
            out.raw(batch.as_bytes());
            out.sse(&completed(json!([null])));
        },
        none,
    );
    let (r, peak) = run_measured(&["call", &url(&h), "/predict", "text=x", "--no-download"], &[], Duration::from_secs(90));
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(peak < 40 * MIB, "peak RSS {} MiB", peak / 1024);
}

// ---- 13. diffs deeper than serde's limit

#[test]
fn diffs_that_build_too_deep_a_value_are_a_protocol_error() {
    let h = app(
        |_, out| {
            out.sse(&json!({"msg": "process_generating", "event_id": "ev1", "output": {"data": [[]]}, "success": true}));
            let mut path = vec![];
            for _ in 0..300 {
                path.push(json!(0));
                out.sse(&json!({"msg": "process_generating", "event_id": "ev1", "success": true,
                    "output": {"data": [[["add", path.clone(), []]]]}}));
            }
            out.sse(&completed(json!([null])));
        },
        |_, req, out| {
            if req.path() == "/config" {
                let mut c = hfs_testkit::hostile::gradio_config();
                c["dependencies"][0]["types"]["generator"] = json!(true);
                out.json(200, &c);
                return true;
            }
            false
        },
    );
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x", "--no-download"]).run().fails(1).says(&["deeper than 128"]);
    within(&r, Duration::from_secs(30));
}

// ---- 14. a stream that keeps closing after a heartbeat

#[test]
fn a_stream_that_only_brings_heartbeats_is_given_up_with_backoff() {
    let h = app(|_, out| out.sse(&json!({"msg": "heartbeat"})), none);
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x"]).run().fails(1).says(&["lost the connection"]);
    within(&r, Duration::from_secs(30));
    let opened = h.count("/gradio_api/queue/data");
    assert!((2..=10).contains(&opened), "the stream was opened {opened} times");
}

// ---- 16. completed with success but no data

#[test]
fn a_result_without_data_is_a_remote_failure_not_a_cancel() {
    let h = app(|_, out| out.sse(&json!({"msg": "process_completed", "event_id": "ev1", "output": {}, "success": true})), none);
    Hfs::new().args(["call", &url(&h), "/predict", "text=x"]).run().fails(1).says(&["without a result"]);
}

// ---- 17. escape sequences in the app's words

#[test]
fn terminal_escapes_from_the_app_never_reach_stderr_or_stdout() {
    let h = app(
        |_, out| {
            out.sse(&json!({"msg": "log", "event_id": "ev1", "log": "\u{1b}]0;pwned\u{7}hello \u{1b}[2J", "level": "warning", "title": "\u{1b}[31mT"}));
            out.sse(&json!({"msg": "process_completed", "event_id": "ev1", "success": false,
                "output": {"error": "\u{1b}]52;c;cHduZWQ=\u{7}boom \u{9b}31m"}}));
        },
        none,
    );
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x"]).run().fails(1).says(&["hello", "boom"]);
    for text in [&r.stderr, &r.stdout] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{9b}') && !text.contains('\u{7}'), "{text:?}");
    }
    let h = app(
        |_, out| out.sse(&completed(json!(["\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\"]))),
        |_, req, out| {
            if req.path() == "/gradio_api/info" {
                let mut info = hfs_testkit::hostile::gradio_info();
                info["named_endpoints"]["/predict"]["returns"][0] =
                    json!({"label": "out", "component": "Textbox", "type": {"type": "string"}});
                out.json(200, &info);
                return true;
            }
            false
        },
    );
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x"]).run().ok();
    assert!(!r.stdout.contains('\u{1b}'), "{:?}", r.stdout);
    assert!(r.stdout.contains("click"), "{r:?}");
}

// ---- 6, 7. an explicit token and -H headers go to the target's origin only

#[test]
fn token_and_user_headers_never_leave_the_target_origin() {
    let other = Hostile::start(|_, out| out.body(200, "image/png", b"\x89PNG\r\n\x1a\nelsewhere", &[]));
    let elsewhere = format!("{}/file.png", other.url());
    let e2 = elsewhere.clone();
    let h = app(
        move |base, out| {
            out.sse(&completed(json!([[
                // A path that is a URL on another origin (hfs fetches `API/file=<path>` otherwise).
                json!({"path": e2, "url": e2, "orig_name": "direct.png", "meta": {"_type": "gradio.FileData"}}),
                file_data(&format!("{base}/gradio_api/file=hop.png"), "hop.png"),
            ]])))
        },
        move |_, req, out| {
            if req.path() == "/gradio_api/file=hop.png" {
                out.redirect(302, &elsewhere);
                return true;
            }
            if req.path() == "/config" {
                // A list of files as the one output.
                let mut c = hfs_testkit::hostile::gradio_config();
                c["components"][1]["type"] = json!("files");
                out.json(200, &c);
                return true;
            }
            false
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let r = Hfs::new()
        .args([
            "call",
            &url(&h),
            "/predict",
            "text=x",
            "-o",
            dir.path().to_str().unwrap(),
            "--token",
            "hf_secret_explicit",
            "-H",
            "X-Secret: s3",
        ])
        .run()
        .ok();
    assert_eq!(list_dir(dir.path()).len(), 2, "{r:?}");
    let target = h.requests();
    let join = target.iter().find(|q| q.path() == "/gradio_api/queue/join").unwrap();
    assert_eq!(join.header("x-hf-authorization"), Some("Bearer hf_secret_explicit"), "the target gets the explicit token");
    assert_eq!(join.header("x-secret"), Some("s3"), "and the user's header");
    let got = other.requests();
    assert_eq!(got.len(), 2, "both files came from the other origin: {got:?}");
    for q in got {
        assert_eq!(q.header("x-hf-authorization"), None, "token leaked to {}", q.target);
        assert_eq!(q.header("authorization"), None, "token leaked to {}", q.target);
        assert_eq!(q.header("x-secret"), None, "user header leaked to {}", q.target);
    }
    assert!(!r.stderr.contains("hf_secret_explicit"));
}

#[test]
fn redirect_loops_are_bounded() {
    let h = Hostile::start(|req, out| out.redirect(302, &format!("{}?again", req.path())));
    let r = Hfs::new().args(["api", &url(&h)]).run().fails(1).says(&["redirects"]);
    within(&r, Duration::from_secs(30));
    assert!(h.count("/config") <= 11, "{}", h.count("/config"));
}

// ---- 9. Ctrl-C during an upload, during the join, and a second Ctrl-C

fn wait_for(h: &Hostile, path: &str, limit: Duration) {
    let started = Instant::now();
    while h.count(path) == 0 {
        assert!(started.elapsed() < limit, "no request to {path} within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_stops_an_upload_and_a_join_at_once() {
    let h = app_with(
        Options { unread_bodies: vec!["/gradio_api/upload".into()] },
        |_, out| out.stall(),
        |_, req, out| {
            if matches!(req.path(), "/gradio_api/upload" | "/gradio_api/queue/join") {
                out.stall();
                return true;
            }
            false
        },
    );
    let big = tempfile::NamedTempFile::new().unwrap();
    big.as_file().set_len(64 << 20).unwrap();
    let upload = format!("upload=@{}", big.path().display());
    let target = url(&h);
    let s = Spawned::start(&["call", &target, "/take", &upload]);
    wait_for(&h, "/gradio_api/upload", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    s.interrupt();
    let t = Instant::now();
    let r = s.wait(Duration::from_secs(20));
    assert_eq!(r.code, Some(130), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(5), "Ctrl-C took {:?} to stop an upload", t.elapsed());

    let s = Spawned::start(&["call", &target, "/predict", "text=x"]);
    wait_for(&h, "/gradio_api/queue/join", Duration::from_secs(30));
    s.interrupt();
    let t = Instant::now();
    let r = s.wait(Duration::from_secs(20));
    assert_eq!(r.code, Some(130), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(5), "Ctrl-C took {:?} to stop a join", t.elapsed());
}

#[test]
fn a_second_ctrl_c_exits_at_once_while_the_cancel_hangs() {
    let cancels = Arc::new(AtomicUsize::new(0));
    let c2 = cancels.clone();
    let h = app(
        |_, out| {
            out.sse(&json!({"msg": "process_starts", "event_id": "ev1"}));
            while !out.stopping() {
                out.sse(&json!({"msg": "heartbeat"}));
                std::thread::sleep(Duration::from_millis(200));
            }
        },
        move |_, req, out| {
            if req.path() == "/gradio_api/cancel" {
                c2.fetch_add(1, Ordering::SeqCst);
                out.stall();
                return true;
            }
            false
        },
    );
    let s = Spawned::start(&["call", &url(&h), "/predict", "text=x"]);
    wait_for(&h, "/gradio_api/queue/data", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    s.interrupt();
    wait_for(&h, "/gradio_api/cancel", Duration::from_secs(10));
    s.interrupt();
    let t = Instant::now();
    let r = s.wait(Duration::from_secs(20));
    assert_eq!(r.code, Some(130), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(3), "the second Ctrl-C took {:?}", t.elapsed());
    assert_eq!(cancels.load(Ordering::SeqCst), 1, "the first Ctrl-C asked the app to cancel");
}

// ---- 19, 21. tokens a header cannot carry, numbers that would overflow

#[test]
fn a_token_with_control_characters_is_a_usage_error() {
    let h = app(|_, out| out.sse(&completed(json!([null]))), none);
    let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x"]).env("HF_TOKEN", "hf_abc\u{7}def").run().fails(2);
    r.says(&["cannot carry"]);
    assert_eq!(h.count("/config"), 0, "nothing is sent with a broken token");
}

#[test]
fn huge_timeouts_and_server_numbers_do_not_overflow() {
    let h = app(
        |_, out| {
            out.sse(&json!({"msg": "estimation", "event_id": "ev1", "rank": u64::MAX, "queue_size": u64::MAX, "rank_eta": 1e308}));
            out.sse(
                &json!({"msg": "progress", "event_id": "ev1", "progress_data": [{"index": u64::MAX, "length": u64::MAX, "unit": "s"}]}),
            );
            out.sse(&completed(json!([null])));
        },
        none,
    );
    for t in ["18446744073709551615s", "1e300"] {
        let r = Hfs::new().args(["call", &url(&h), "/predict", "text=x", "--no-download", "--timeout", t]).run();
        assert!(matches!(r.code, Some(0) | Some(2)), "{r:?}");
        assert!(!r.stderr.contains("panicked"), "{r:?}");
    }
}

// ---- 4, 8. provider submits are not retried blindly; CDN redirects are followed

fn provider_hub() -> hfs_testkit::FakeHub {
    crate::support::fake(&json!({
        "models": {"acme/img": {"pipeline_tag": "text-to-image", "providers": [{"provider": "replicate", "provider_id": "acme/img", "task": "text-to-image"}]}}
    }))
}

fn replicate(h: &Hostile, hub: &hfs_testkit::FakeHub, dir: &std::path::Path, extra: &[&str]) -> Run {
    let mut args =
        vec!["image", "a fox", "--model", "acme/img", "--provider", "replicate", "--provider-key", "r8_direct", "--retries", "3"];
    args.extend_from_slice(&["-o", dir.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let home = crate::support::Home::new();
    home.hfs(hub, &args).env("HFS_PROVIDER_URL_REPLICATE", h.url()).run()
}

#[test]
fn a_provider_submit_is_not_sent_twice_after_a_gateway_error() {
    let hub = provider_hub();
    let h = Hostile::start(|_, out| out.json(502, &json!({"detail": "bad gateway"})));
    let dir = tempfile::tempdir().unwrap();
    let r = replicate(&h, &hub, dir.path(), &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(h.requests().iter().filter(|q| q.method == "POST").count(), 1, "a 502 may mean the job runs: submit once");

    let seen = Arc::new(AtomicUsize::new(0));
    let s2 = seen.clone();
    let h = Hostile::start(move |req, out| {
        if req.method == "POST" && s2.fetch_add(1, Ordering::SeqCst) == 0 {
            out.body(429, "application/json", b"{\"detail\":\"slow down\"}", &[("retry-after", "1")]);
            return;
        }
        match req.path() {
            "/cdn/redirect.png" => out.redirect(302, "/cdn/hop"),
            "/cdn/hop" => out.redirect(307, "/cdn/file.png"),
            "/cdn/file.png" => out.body(200, "image/png", b"\x89PNG\r\n\x1a\nfox", &[]),
            _ => {
                let output = format!("http://{}/cdn/redirect.png", req.header("host").unwrap_or_default());
                out.json(201, &json!({"id": "p1", "status": "succeeded", "output": output}));
            }
        }
    });
    let r = replicate(&h, &hub, dir.path(), &["--json"]);
    assert_eq!(r.code, Some(0), "a 429 proves the job was not taken: retried; CDN redirects are followed: {r:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    let cdn: Vec<Request> = h.requests().into_iter().filter(|q| q.path().starts_with("/cdn/")).collect();
    assert_eq!(cdn.len(), 3, "{cdn:?}");
    assert!(cdn.iter().all(|q| q.header("authorization").is_none()), "no credential on asset fetches");
    let path = r.json()["files"][0]["path"].as_str().unwrap().to_string();
    assert_eq!(std::fs::read(path).unwrap(), b"\x89PNG\r\n\x1a\nfox");
}

#[test]
fn a_provider_body_that_stalls_is_bounded_by_the_timeout() {
    let hub = provider_hub();
    let h = Hostile::start(|_, out| {
        out.head(201, &[("content-type", "application/json")]);
        out.raw(b"{\"id\": \"p1\", ");
        out.stall();
    });
    let dir = tempfile::tempdir().unwrap();
    let r = replicate(&h, &hub, dir.path(), &["--timeout", "2s"]);
    assert_eq!(r.code, Some(124), "{r:?}");
    within(&r, Duration::from_secs(30));
    assert!(list_dir(dir.path()).is_empty());
}
