//! Failures and their exit codes: app errors (1), timeouts (124), a full queue (1), apps behind
//! `auth=` (1 without or with wrong credentials), bad options (2), plus extra headers.
//!
//! Ports gradio_client checks (docs/protocol/gradio.md#upstream-test-scenarios): `test_raise_error` / `gr.Error` message
//! and title, `show_error=False` hides details, `test_queue_full_raises_error`,
//! `test_timeout` (as `--timeout`), `test_auth` (login with `auth=`), custom `headers=`.

use std::time::Duration;

use serde_json::json;

use crate::support::{Hfs, Spawned, V, any_version, per_version};

per_version!(
    app_error,
    hidden_error_details,
    timeout,
    queue_full,
    auth_required,
    wrong_password,
    right_password,
    extra_headers,
    validator_rejects,
);
any_version!(bad_options, unreachable_app);

fn app_error(v: V) {
    let r = v.hfs(&["call", "@main", "/fail", "x"]).run().fails(1).says(&["Boom: x"]);
    if v.at_least(5, 0) {
        r.says(&["Custom title"]);
    }
    let r = v.hfs(&["call", "@main", "/fail", "y", "--json"]).run().fails(1);
    let j = r.json();
    assert_eq!(j["schema"], "hfs.error/1", "{r:?}");
    assert_eq!(j["target"], v.url("main"));
    assert_eq!(j["error"]["kind"], "app_error");
    assert_eq!(j["error"]["exit_code"], 1);
    assert_eq!(j["error"]["retryable"], false);
    assert!(j["error"]["message"].as_str().unwrap().contains("Boom: y"), "{r:?}");
    // A plain exception with show_error=True: its message is shown too.
    v.hfs(&["call", "@main", "/crash", "z"]).run().fails(1).says(&["plain exception z"]);
    // gr.Error raised on the way: the division by zero of the calculator.
    v.hfs(&["call", "@main", "/calc", "1", "divide", "0"]).run().fails(1).says(&["Cannot divide by zero!"]);
}

fn hidden_error_details(v: V) {
    let r = v.hfs(&["call", "@limits", "/crash", "secret detail"]).run().fails(1).says(&["show_error"]);
    assert!(!r.stderr.contains("secret detail"), "details the app hides were shown: {r:?}");
}

fn timeout(v: V) {
    // /long sleeps 10 s.
    let r = v.hfs(&["call", "@main", "/long", "--timeout", "1s"]).run();
    assert!(r.elapsed < Duration::from_secs(5), "--timeout 1s took {:?}", r.elapsed);
    r.fails(124).says(&["timed out after 1s", "--timeout"]);
    let r = v.hfs(&["call", "@main", "/long", "--timeout", "0.5", "--json"]).run().fails(124);
    let j = r.json();
    assert_eq!(j["error"]["kind"], "timeout", "{r:?}");
    assert_eq!(j["error"]["exit_code"], 124);
    // A deadline that is not reached changes nothing.
    let r = v.hfs(&["call", "@main", "/sleep", "0.2", "--timeout", "60s"]).run().ok();
    assert_eq!(r.text_output("sleep output"), "slept 0.2");
}

/// `queue(max_size=1, default_concurrency_limit=1)`: one job runs, one waits, a third is refused.
fn queue_full(v: V) {
    let url = v.url("queue1");
    let mut running = Spawned::start(&["call", &url, "/wait", "6", "--stream"]);
    let first = running.next_json().expect("first job's first event");
    assert_eq!(first["event"], "queued", "{first}");
    std::thread::sleep(Duration::from_millis(1500)); // it leaves the queue and runs
    let mut waiting = Spawned::start(&["call", &url, "/wait", "0.1", "--stream"]);
    let first = waiting.next_json().expect("second job's first event");
    assert_eq!(first["event"], "queued", "the second job should wait in the queue: {first}");
    let r = v.hfs(&["call", "@queue1", "/wait", "0.1"]).run().fails(1).says(&["queue is full", "retry"]);
    let r2 = v.hfs(&["call", "@queue1", "/wait", "0.1", "--json"]).run().fails(1);
    assert_eq!(r2.json()["error"]["kind"], "queue_full", "{r2:?}");
    assert_eq!(r2.json()["error"]["retryable"], true, "{r2:?}");
    drop(r);
    let a = running.wait(Duration::from_secs(60)).ok();
    let b = waiting.wait(Duration::from_secs(60)).ok();
    for done in [a, b] {
        assert_eq!(done.json_lines().last().unwrap()["outputs"], json!(["waited"]), "{done:?}");
    }
}

fn auth_required(v: V) {
    // stdin is not a terminal: no prompt, an error saying what to pass.
    let r = v.hfs(&["call", "@auth", "/echo", "hi"]).run().fails(1).says(&["--auth USER:PASS"]);
    assert!(r.stdout.is_empty(), "{r:?}");
    let r = v.hfs(&["call", "@auth", "/echo", "hi", "--json"]).run().fails(1);
    assert_eq!(r.json()["error"]["kind"], "auth", "{r:?}");
}

fn wrong_password(v: V) {
    let r = v.hfs(&["call", "@auth", "/echo", "hi", "--auth", "user:wrong"]).run().fails(1).says(&["username or password", "--auth"]);
    assert!(!r.stderr.contains("wrong"), "the password is echoed: {r:?}");
    v.hfs(&["call", "@auth", "/echo", "hi", "--auth", "nobody:pass"]).run().fails(1).says(&["username or password"]);
}

fn right_password(v: V) {
    let r = v.hfs(&["call", "@auth", "/echo", "hi there", "--auth", "user:pass", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"], json!(["hi there"]), "{r:?}");
    let r = v.hfs(&["call", "@auth", "/echo", "again", "--auth", "user:pass"]).run().ok();
    assert_eq!(r.stdout, "output: again\n");
}

fn extra_headers(v: V) {
    let r = v.hfs(&["call", "@main", "/headers", "x", "--json", "-H", "X-Test-Header: hi"]).run().ok();
    let h = &r.json()["outputs"][0];
    assert_eq!(h["x-test-header"], "hi", "{r:?}");
    assert_eq!(h["x-hf-authorization"], json!(null), "no token was configured: {r:?}");
    assert_eq!(h["authorization"], json!(null), "{r:?}");
    let r = v.hfs(&["call", "@main", "/headers", "x", "--json", "--header", "x-test-header:  spaced value  "]).run().ok();
    assert_eq!(r.json()["outputs"][0]["x-test-header"], "spaced value", "{r:?}");
    let r = v.hfs(&["call", "@main", "/headers", "x", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"][0]["x-test-header"], json!(null));
}

/// `validator=` (5.50+): the server rejects the inputs before running the function; exit 1 with
/// the per-parameter messages. Older versions have no validators: the call runs.
fn validator_rejects(v: V) {
    let r = v.hfs(&["call", "@main", "/checked", "ab", "1"]).run();
    if !v.at_least(5, 50) {
        assert_eq!(r.ok().stdout, "checked output: ab x1\n");
        return;
    }
    r.fails(1).says(&["failed validation", "text: too short"]);
    let r = v.hfs(&["call", "@main", "/checked", "abc", "-1", "--json"]).run().fails(1).says(&["n: must not be negative"]);
    assert_eq!(r.json()["error"]["kind"], "validation", "{r:?}");
    let r = v.hfs(&["call", "@main", "/checked", "abcd", "2"]).run().ok();
    assert_eq!(r.stdout, "checked output: abcd x2\n");
}

fn bad_options(v: V) {
    v.hfs(&["call", "@main", "/greet", "x", "-H", "no colon"]).run().fails(2).says(&["-H", "Name: value"]);
    v.hfs(&["call", "@main", "/greet", "x", "-H", ": empty name"]).run().fails(2).says(&["-H"]);
    let r = v.hfs(&["call", "@main", "/greet", "x", "--auth", "nocolon"]).run().fails(2).says(&["USER:PASS"]);
    assert!(r.stderr.contains("nocolon"));
    let r = v.hfs(&["call", "@auth", "/echo", "x", "--auth", "user:sec:ret"]).run();
    assert_eq!(r.code, Some(1), "`user:sec:ret` is user `user`, password `sec:ret` (wrong here): {r:?}");
    v.hfs(&["call", "@main", "/greet", "x", "--timeout", "soon"]).run().fails(2).says(&["--timeout", "30s"]);
    Hfs::new().args(["call", "not a space", "/greet"]).run().fails(2).says(&["Space id", "URL"]);
    Hfs::new().args(["call"]).run().fails(2);
}

fn unreachable_app(v: V) {
    let _ = v;
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let r = Hfs::new().args(["call", &format!("http://127.0.0.1:{port}/"), "/greet", "x"]).run().fails(1);
    r.says(&["could not connect", &format!("127.0.0.1:{port}")]);
}
