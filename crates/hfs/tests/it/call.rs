//! `hfs call`: arguments (keyword, positional, mixed, `--`), coercion, endpoint selection, text,
//! `--json` and `--stream` output, Ctrl-C.
//!
//! Ports gradio_client checks (docs/protocol/gradio.md#upstream-test-scenarios): `test_numerical_to_label_space` /
//! calculator (`predict(5, "add", 4, api_name="/predict")`), `test_keyword_arguments` /
//! `test_mixed_positional_and_keyword` (4.23+), `test_default_parameters`,
//! `test_raise_error_missing_argument`, `test_unknown_endpoint`, `test_job_status` /
//! `test_intermediate_outputs` (as `--stream` events), `test_cancel_from_client_queued` (Ctrl-C).

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Run, Spawned, V, call_result, per_version};

per_version!(
    positional_text,
    keyword_and_mixed,
    raw_after_double_dash,
    json_result,
    json_values_round_trip,
    numbers_and_enums,
    enum_did_you_mean,
    unknown_keyword_did_you_mean,
    missing_required,
    unknown_endpoint,
    omitted_endpoint,
    fn_index,
    stream_events,
    stream_error_midway,
    unqueued_endpoint,
    ctrl_c_cancels,
);

/// A usage error must be found before anything is sent: with `-v`, hfs logs every request; only
/// the app's config and API info may have been fetched.
#[track_caller]
pub fn nothing_sent(r: &Run) {
    for line in r.stderr.lines().filter(|l| l.contains("url=")) {
        let url = line.split("url=").nth(1).unwrap_or_default();
        let path = url.split('?').next().unwrap_or_default();
        assert!(
            path.ends_with("/config") || path.ends_with("/info") || path.contains("/api/spaces/"),
            "a request other than config/info was made before the usage error: {line}\n{r:?}"
        );
    }
    assert!(r.stderr.contains("/config"), "run with -v so requests are logged: {r:?}");
}

fn positional_text(v: V) {
    let r = v.hfs(&["call", "@main", "/greet", "Bob"]).run().ok();
    assert_eq!(r.stdout, "greet output: Hello, Bob.\n", "{r:?}");
    // The control for `nothing_sent`: with -v, a call that runs logs its requests, the job's too.
    let r = v.hfs(&["call", "@main", "/greet", "Bob", "-v"]).run().ok();
    let requests: Vec<&str> = r.stderr.lines().filter_map(|l| l.split("url=").nth(1)).collect();
    assert!(requests.iter().any(|u| u.contains("/queue/")), "the job's requests are not logged: {r:?}");
    assert!(!r.stderr.contains('\x1b'), "colour codes in logs that are not on a terminal: {r:?}");
    // All positional; booleans coerced from text.
    let r = v.hfs(&["call", "@main", "/greet", "Bob", "Hi", "yes"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hi, Bob!");
    // The endpoint name without its leading slash is not an endpoint but an argument.
    v.hfs(&["call", "@main", "greet"]).run().fails(2).says(&["/greet"]);
}

fn keyword_and_mixed(v: V) {
    if !v.has_param_names() {
        // No parameter names before 4.23: keywords are refused with the fix, before sending.
        let r = v.hfs(&["call", "@main", "/greet", "name=Bob", "-v"]).run().fails(2).says(&["positional", "name="]);
        nothing_sent(&r);
        return;
    }
    let r = v.hfs(&["call", "@main", "/greet", "name=Bob"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, Bob.");
    let r = v.hfs(&["call", "@main", "/greet", "excited=true", "greeting=Hey", "name=Al"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hey, Al!");
    // Mixed: positional first, then keywords; the omitted `greeting` takes its default.
    let r = v.hfs(&["call", "@main", "/greet", "Bob", "excited=1"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, Bob!");
    // The same parameter twice.
    let r = v.hfs(&["call", "@main", "/greet", "Bob", "name=Al", "-v"]).run().fails(2).says(&["`name`", "twice"]);
    nothing_sent(&r);
    // Not a parameter-name-shaped word before `=`: a positional value.
    let r = v.hfs(&["call", "@main", "/greet", "a b=c"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, a b=c.");
}

fn raw_after_double_dash(v: V) {
    let r = v.hfs(&["call", "@main", "/greet", "--", "name=x"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, name=x.");
    let r = v.hfs(&["call", "@main", "/greet", "--", "@not-a-file", "--json"]).run().ok();
    assert_eq!(r.text_output("greet output"), "--json, @not-a-file.", "`--json` after `--` is a value");
    let r = v.hfs(&["call", "@main", "/greet", "--", "-5"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, -5.");
}

fn json_result(v: V) {
    let url = v.url("main");
    let r = v.hfs(&["call", "@main", "/multi", "abc", "--json"]).run().ok();
    let j = r.json();
    let outputs = call_result(&j, &url, "/multi");
    assert_eq!(outputs.len(), 3, "{r:?}");
    assert_eq!(outputs[0], "abc");
    assert_eq!(outputs[1].as_f64(), Some(3.0));
    assert_eq!(outputs[2], json!({"x": "abc"}));
    assert_eq!(j["files"], json!([]));
    assert!(r.stderr.is_empty(), "--json and nothing to report: stderr should be empty: {r:?}");
    let mut keys: Vec<&String> = j.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "schema", "the schema comes first");
    keys.sort();
    assert_eq!(keys, ["duration_ms", "endpoint", "files", "outputs", "schema", "target"], "hfs.call/1 is stable");
    // Text mode: one `label: value` line per output.
    let r = v.hfs(&["call", "@main", "/multi", "abc"]).run().ok();
    assert_eq!(r.stdout, format!("multi text: abc\nmulti len: {}\nmulti json: {{\"x\":\"abc\"}}\n", outputs[1]), "{r:?}");
}

fn json_values_round_trip(v: V) {
    let url = v.url("main");
    // JSON arguments are parsed (test_client.py `test_json_component`).
    let r = v.hfs(&["call", "@main", "/echo_json", r#"{"a":[1,2],"b":"ü"}"#, "--json"]).run().ok();
    let j = r.json();
    assert_eq!(call_result(&j, &url, "/echo_json")[0], json!({"a": [1, 2], "b": "ü"}));
    // Unicode, including U+0085 (a line break for some parsers), survives (`test_unicode`).
    let r = v.hfs(&["call", "@main", "/unicode", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"], json!(["before\u{85}after ünïcödé ✓", null]));
    // A large value (720 kB) in one message.
    let r = v.hfs(&["call", "@main", "/big", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"][0].as_str().map(str::len), Some(720_000));
    // An update dict is returned as the server sent it.
    let r = v.hfs(&["call", "@main", "/update", "x", "--json"]).run().ok();
    let out = &r.json()["outputs"][0];
    assert_eq!(out["value"], "hi x", "{r:?}");
    assert_eq!(out["__type__"], "update", "{r:?}");
}

fn numbers_and_enums(v: V) {
    let url = v.url("main");
    let r = v.hfs(&["call", "@main", "/calc", "5", "add", "4", "--json"]).run().ok();
    assert_eq!(call_result(&r.json(), &url, "/calc")[0].as_f64(), Some(9.0));
    let r = v.hfs(&["call", "@main", "/calc", "2.5", "multiply", "4"]).run().ok();
    assert_eq!(r.text_output("calc output").parse::<f64>().ok(), Some(10.0), "{r:?}");
    // num2 defaults to 10, operation to "add".
    let r = v.hfs(&["call", "@main", "/calc", "1", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"][0].as_f64(), Some(11.0), "{r:?}");
    // Not a number: a usage error, not a server error.
    let r = v.hfs(&["call", "@main", "/calc", "five", "add", "4", "-v"]).run().fails(2).says(&["num1", "five"]);
    nothing_sent(&r);
    if v.has_param_names() {
        let r = v.hfs(&["call", "@main", "/calc", "num1=6", "operation=divide", "num2=3", "--json"]).run().ok();
        assert_eq!(r.json()["outputs"][0].as_f64(), Some(2.0));
    }
}

fn enum_did_you_mean(v: V) {
    let r = v.hfs(&["call", "@main", "/calc", "1", "multiplyy", "3", "-v"]).run().fails(2);
    let r = r.says(&["operation", "`multiplyy` is not one of add, subtract, multiply, divide", "did you mean `multiply`"]);
    nothing_sent(&r);
    // --json: the error as JSON on stdout too.
    let r = v.hfs(&["call", "@main", "/calc", "1", "Add", "3", "--json"]).run().fails(2);
    let j = r.json();
    assert_eq!(j["schema"], "hfs.error/1", "{r:?}");
    assert_eq!(j["error"]["kind"], "usage");
    assert_eq!(j["error"]["exit_code"], 2);
    assert!(j["error"]["message"].as_str().unwrap().contains("did you mean `add`"), "{r:?}");
}

fn unknown_keyword_did_you_mean(v: V) {
    if !v.has_param_names() {
        v.hfs(&["call", "@main", "/generate_image", "cat", "sed=1"]).run().fails(2).says(&["positional"]);
        return;
    }
    let r = v.hfs(&["call", "@main", "/generate_image", "prompt=cat", "sed=1", "-v"]).run().fails(2);
    let r = r.says(&["unknown parameter `sed`", "did you mean `seed`", "prompt, seed, width, height, steps"]);
    nothing_sent(&r);
}

fn missing_required(v: V) {
    let r = v.hfs(&["call", "@main", "/calc", "-v"]).run().fails(2).says(&["missing required", "num1"]);
    nothing_sent(&r);
    if v.has_param_names() {
        v.hfs(&["call", "@main", "/calc", "operation=add"]).run().fails(2).says(&["num1=VALUE"]);
    }
    let r = v.hfs(&["call", "@main", "/greet", "a", "b", "true", "extra"]).run().fails(2);
    assert!(r.stderr.contains('3') && r.stderr.contains('4'), "too many arguments should say how many: {r:?}");
}

fn unknown_endpoint(v: V) {
    let r = v.hfs(&["call", "@main", "/gret", "x", "-v"]).run().fails(2).says(&["/gret", "did you mean `/greet`", "/calc", "/chat"]);
    nothing_sent(&r);
    assert!(!r.stderr.contains("secret"), "the list of valid endpoints shows a private one: {r:?}");
    v.hfs(&["call", "@main", "/secret", "x"]).run().fails(2);
}

fn omitted_endpoint(v: V) {
    // The auth app has exactly one public endpoint: it may be left out.
    let r = v.hfs(&["call", "@auth", "hi", "--auth", "user:pass"]).run().ok();
    assert_eq!(r.stdout, "output: hi\n", "{r:?}");
    if v.has_param_names() {
        let r = v.hfs(&["call", "@auth", "x=kw", "--auth", "user:pass", "--json"]).run().ok();
        assert_eq!(call_result(&r.json(), &v.url("auth"), "/echo")[0], "kw");
    }
    // Several endpoints: it must be named.
    let r = v.hfs(&["call", "@main", "x", "-v"]).run().fails(2).says(&["name one", "/greet"]);
    nothing_sent(&r);
}

fn fn_index(v: V) {
    let r = v.hfs(&["call", "@main", "--fn-index", "0", "Bob", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"][0], "Hello, Bob.", "{r:?}");
    assert_eq!(r.json()["endpoint"], "/greet");
    v.hfs(&["call", "@main", "/greet", "--fn-index", "0", "Bob"]).run().fails(2).says(&["--fn-index"]);
    v.hfs(&["call", "@main", "--fn-index", "9999", "Bob"]).run().fails(2);
}

fn stream_events(v: V) {
    let url = v.url("main");
    // Progress (gr.Progress.tqdm): index/length units, in order.
    let out = tempfile::tempdir().unwrap();
    let r = v
        .hfs(&["call", "@main", "/generate_image", "cat", "1", "32", "32", "4", "--stream", "-o"])
        .args([out.path().to_str().unwrap()])
        .run()
        .ok();
    let lines = r.json_lines();
    assert_eq!(lines[0]["event"], "queued", "{r:?}");
    let progress: Vec<&Value> = lines.iter().filter(|l| l["event"] == "progress").collect();
    assert!(!progress.is_empty(), "no progress events: {r:?}");
    for p in &progress {
        let u = &p["units"][0];
        assert_eq!((&u["desc"], &u["length"], &u["unit"]), (&json!("denoising"), &json!(4), &json!("steps")), "{p}");
        let f = p["fraction"].as_f64().unwrap();
        assert!(f > 0.0 && f <= 1.0, "{p}");
    }
    let indexes: Vec<u64> = progress.iter().map(|p| p["units"][0]["index"].as_u64().unwrap()).collect();
    assert!(indexes.windows(2).all(|w| w[0] < w[1]), "progress goes backwards: {indexes:?}");
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "completed", "{r:?}");
    let outputs = call_result(last, &url, "/generate_image");
    assert_eq!(outputs[1].as_f64(), Some(1.0));
    assert_eq!(last["files"].as_array().unwrap().len(), 1);

    // Logs: gr.Info and gr.Warning with their level.
    let r = v.hfs(&["call", "@main", "/notify", "n", "--stream"]).run().ok();
    let lines = r.json_lines();
    let logs: Vec<(&str, &str)> =
        lines.iter().filter(|l| l["event"] == "log").map(|l| (l["level"].as_str().unwrap(), l["message"].as_str().unwrap())).collect();
    assert_eq!(logs, [("info", "info message n"), ("warning", "warning message")], "{r:?}");
    assert_eq!(lines.last().unwrap()["outputs"], json!(["n"]));
    // Without --stream the logs go to stderr, the result to stdout.
    let r = v.hfs(&["call", "@main", "/notify", "n"]).run().ok();
    assert_eq!(r.stdout, "notify output: n\n");
    assert!(r.stderr.contains("info: info message n") && r.stderr.contains("warning: warning message"), "{r:?}");
    let r = v.hfs(&["call", "@main", "/notify", "n", "-q"]).run().ok();
    assert!(r.stderr.is_empty(), "-q prints nothing on stderr: {r:?}");

    // Intermediate outputs of a generator, the final one authoritative (`test_intermediate_outputs`).
    let r = v.hfs(&["call", "@main", "/count", "4", "--stream"]).run().ok();
    let lines = r.json_lines();
    let outs: Vec<&Value> = lines.iter().filter(|l| l["event"] == "output").map(|l| &l["outputs"][0]).collect();
    assert_eq!(outs, [&json!("0"), &json!("01"), &json!("012"), &json!("0123")], "{r:?}");
    assert_eq!(lines.last().unwrap()["outputs"], json!(["0123"]));
    for l in &lines {
        let kind = l["event"].as_str().unwrap();
        assert!(["queued", "progress", "log", "output", "completed"].contains(&kind), "unexpected event {l}");
    }
    // --json and --stream are exclusive.
    v.hfs(&["call", "@main", "/count", "4", "--stream", "--json"]).run().fails(2);
}

fn stream_error_midway(v: V) {
    let r = v.hfs(&["call", "@main", "/fail_midway", "5", "--stream"]).run().fails(1).says(&["failed at 3"]);
    let lines = r.json_lines();
    let outs: Vec<&Value> = lines.iter().filter(|l| l["event"] == "output").map(|l| &l["outputs"][0]).collect();
    assert_eq!(outs, [&json!("0"), &json!("01"), &json!("012")], "{r:?}");
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "error", "{r:?}");
    assert_eq!(last["error"]["kind"], "app_error");
    assert_eq!(last["error"]["exit_code"], 1);
}

/// An endpoint with `queue=False` is called without the queue (gradio_client `test_queue_false`).
fn unqueued_endpoint(v: V) {
    let r = v.hfs(&["call", "@main", "/queue_off", "hi"]).run().ok();
    assert_eq!(r.stdout, "queue_off output: unqueued hi\n", "{r:?}");
    let r = v.hfs(&["call", "@main", "/queue_off", "hi", "--stream"]).run().ok();
    assert_eq!(r.json_lines().last().unwrap()["outputs"], json!(["unqueued hi"]), "{r:?}");
}

/// Ctrl-C while a generator runs: the job is cancelled on the server and hfs exits 130
/// (test_client.py `test_cancel_from_client_queued` / `test_cancel_subsequent_jobs_state_reset`).
/// `/ticker TOKEN` counts under TOKEN every 0.2 s for 12 s; `/ticks TOKEN` tells how far it got.
fn ctrl_c_cancels(v: V) {
    let token = format!("ctrl-c-{}", std::process::id());
    let mut hfs = Spawned::start(&["call", &v.url("main"), "/ticker", &token, "--stream"]);
    loop {
        let ev = hfs.next_json().unwrap_or_else(|| panic!("hfs ended before its first output: {:?}", hfs.lines));
        if ev["event"] == "output" {
            break;
        }
    }
    hfs.interrupt();
    let r = hfs.wait(Duration::from_secs(10));
    assert_eq!(r.code, Some(130), "{r:?}");
    assert!(r.elapsed < Duration::from_secs(5), "took {:?} to stop after Ctrl-C", r.elapsed);
    let lines = r.json_lines();
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "error", "{r:?}");
    assert_eq!(last["error"]["kind"], "cancelled");
    assert_eq!(last["error"]["exit_code"], 130);
    assert!(r.stderr.contains("interrupted"), "{r:?}");
    // The generator stopped on the server: its count no longer moves.
    let ticks = || {
        let r = v.hfs(&["call", "@main", "/ticks", &token, "--json"]).run().ok();
        r.json()["outputs"][0].as_f64().unwrap_or_else(|| panic!("{r:?}"))
    };
    std::thread::sleep(Duration::from_millis(800));
    let before = ticks();
    std::thread::sleep(Duration::from_millis(1000));
    let after = ticks();
    assert!((1.0..60.0).contains(&before), "ticks {before}");
    assert_eq!(before, after, "the job still runs on the server after Ctrl-C");
}
