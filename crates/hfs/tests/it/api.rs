//! `hfs api SPACE [--json] [--all]`.
//!
//! Ports gradio_client's `view_api` checks (test_client.py `TestAPIInfo`: every named endpoint is
//! listed with its parameters and returns, private ones are not; `test_private_space` /
//! `show_api=False` endpoints only with `all_endpoints`; docs/protocol/gradio.md#upstream-test-scenarios).

use serde_json::{Value, json};

use crate::support::{V, per_version};

/// The public endpoints of `tests/spaces/apps/main.py`, in app order. `/secret` is private on
/// every version; `/hidden` is undocumented (4.16+) and simply public on 4.5, which has no
/// `show_api`.
pub fn public_endpoints(v: &V) -> Vec<&'static str> {
    let mut e = vec![
        "/greet",
        "/calc",
        "/count",
        "/json_gen",
        "/fail_midway",
        "/iterate",
        "/long",
        "/sleep",
        "/fail",
        "/crash",
        "/notify",
        "/generate_image",
        "/gallery",
        "/audio",
        "/video",
        "/file_out",
        "/file_in",
        "/files_in",
        "/image_in",
        "/state_inc",
    ];
    if !v.at_least(4, 16) {
        e.push("/hidden");
    }
    e.extend(["/echo_json", "/multi", "/update", "/unicode", "/big", "/headers", "/chat"]);
    e.extend(["/video_in", "/gallery_in", "/event_data", "/queue_off", "/checked", "/stream_audio", "/ticker", "/ticks"]);
    e
}

const GENERATORS: &[&str] = &["/count", "/json_gen", "/fail_midway", "/iterate", "/chat", "/stream_audio", "/ticker"];

fn protocol(v: &V) -> &'static str {
    match (v.major, v.minor) {
        (4, 0..=8) => "sse",
        (4, 9..=16) => "sse_v1",
        (4, 17..=21) => "sse_v2",
        _ => "sse_v3",
    }
}

/// The endpoint header lines of the text output (`/name  (streams outputs)` → `/name`).
fn listed(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| l.starts_with('/'))
        .map(|l| {
            let (name, rest) = l.split_once(' ').unwrap_or((l, ""));
            (name.to_string(), rest.trim().to_string())
        })
        .collect()
}

/// The parameter row of `param` under endpoint `endpoint` in the text output.
fn param_row<'a>(text: &'a str, endpoint: &str, param: &str) -> &'a str {
    let mut in_endpoint = false;
    for l in text.lines() {
        if l.starts_with('/') {
            in_endpoint = l.split(' ').next() == Some(endpoint);
        } else if in_endpoint && l.trim_start().split("  ").next() == Some(param) {
            return l;
        }
    }
    panic!("no row for {param} under {endpoint}:\n{text}")
}

per_version!(api_text, api_text_all, api_json, api_json_all, api_auth_app);

fn api_text(v: V) {
    let url = v.url("main");
    let r = v.hfs(&["api", "@main"]).run().ok();
    let text = &r.stdout;
    let head = text.lines().next().unwrap();
    assert_eq!(head, format!("{url} — Gradio {} ({}) at {url}", v.version, protocol(&v)), "{r:?}");

    let names: Vec<String> = listed(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, public_endpoints(&v), "{r:?}");
    assert!(!text.contains("secret"), "a private endpoint is listed: {r:?}");
    for (name, rest) in listed(text) {
        assert_eq!(rest.contains("(streams outputs)"), GENERATORS.contains(&name.as_str()), "{name}: {r:?}");
        assert!(!rest.contains("undocumented"), "{name}: {r:?}");
    }
    // Parameters: name (or label), type, default or required, allowed values / component.
    assert!(param_row(text, "/greet", "greeting").contains(r#"default "Hello""#), "{r:?}");
    assert!(param_row(text, "/greet", "excited").contains("default false"), "{r:?}");
    if v.has_param_names() {
        assert!(param_row(text, "/greet", "name").contains("required"), "{r:?}");
    }
    let op = param_row(text, "/calc", "operation");
    assert!(op.contains(r#"one of: "add", "subtract", "multiply", "divide""#), "{op}");
    assert!(param_row(text, "/calc", "num1").contains("required"), "{r:?}");
    assert!(text.contains("\n/iterate  (streams outputs)\n  no parameters\n"), "{r:?}");
    let returns: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("/generate_image"))
        .skip(1)
        .take_while(|l| !l.starts_with('/'))
        .filter(|l| l.starts_with("  → "))
        .collect();
    assert_eq!(returns.len(), 2, "{r:?}");
    assert!(returns[0].starts_with("  → image: ") && returns[0].ends_with(" (Image)"), "{returns:?}");
    assert_eq!(returns[1], "  → effective seed: float (Number)");

    if v.version == "6.31.0" {
        insta::with_settings!({ filters => vec![(r"http://127\.0\.0\.1:\d+/", "[URL]")] }, {
            insta::assert_snapshot!("api_text_6_31_0", text);
        });
    }
}

fn api_text_all(v: V) {
    let r = v.hfs(&["api", "@main", "--all"]).run().ok();
    let found = listed(&r.stdout);
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected = public_endpoints(&v);
    if v.at_least(4, 16) {
        let at = expected.iter().position(|e| *e == "/state_inc").unwrap() + 1;
        expected.insert(at, "/hidden");
        let hidden = &found.iter().find(|(n, _)| n == "/hidden").unwrap().1;
        assert_eq!(hidden, "(undocumented)", "{r:?}");
    }
    if v.at_least(4, 16) && !v.at_least(4, 44) {
        // 4.16–4.2x name the `cancels=[ticker]` listener of the Stop button `/cancel` (show_api=False).
        let at = expected.iter().position(|e| *e == "/ticker").unwrap() + 1;
        expected.insert(at, "/cancel");
    }
    assert_eq!(names, expected, "{r:?}");
    assert!(!r.stdout.contains("secret"), "--all lists a private endpoint: {r:?}");
    // `hfs api X | head -0`: a reader that went away ends the command quietly, text or JSON.
    for json in [false, true] {
        let url = v.url("main");
        let mut args = vec!["api", url.as_str(), "--all"];
        if json {
            args.push("--json");
        }
        let (code, stderr) = crate::support::closed_stdout(&args);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(code, Some(0), "{stderr}");
    }
}

fn api_json(v: V) {
    let url = v.url("main");
    let r = v.hfs(&["api", "@main", "--json"]).run().ok();
    let mut j = r.json();
    assert_eq!(j["schema"], "hfs.api/1", "{r:?}");
    assert_eq!(j["target"], url.as_str());
    assert_eq!(j["url"], url.as_str());
    assert_eq!(j["gradio_version"], v.version);
    assert_eq!(j["protocol"], protocol(&v));
    let endpoints = j["endpoints"].as_array().expect("endpoints");
    let names: Vec<&str> = endpoints.iter().map(|e| e["api_name"].as_str().unwrap()).collect();
    assert_eq!(names, public_endpoints(&v));
    let by_name = |n: &str| endpoints.iter().find(|e| e["api_name"] == n).unwrap();
    for e in endpoints {
        assert_eq!(e["visibility"], "public", "{e:#}");
        assert_eq!(e["generator"], json!(GENERATORS.contains(&e["api_name"].as_str().unwrap())), "{e:#}");
        for p in e["parameters"].as_array().unwrap() {
            for key in ["name", "label", "required", "default", "choices", "type", "component", "schema"] {
                assert!(p.get(key).is_some(), "parameter without `{key}`: {p:#}");
            }
            assert!(p["required"].is_boolean(), "{p:#}");
            if p["required"] == true {
                assert!(p["default"].is_null(), "a required parameter has a default: {p:#}");
            }
        }
    }

    let greet = by_name("/greet")["parameters"].as_array().unwrap();
    let labels: Vec<&str> = greet.iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["name", "greeting", "excited"]);
    let names: Vec<Value> = greet.iter().map(|p| p["name"].clone()).collect();
    if v.has_param_names() {
        assert_eq!(names, [json!("name"), json!("greeting"), json!("excited")]);
        assert_eq!((&greet[0]["required"], &greet[0]["default"]), (&json!(true), &Value::Null));
    } else {
        assert_eq!(names, [Value::Null, Value::Null, Value::Null], "no parameter names before 4.23");
    }
    assert_eq!((&greet[1]["required"], &greet[1]["default"]), (&json!(false), &json!("Hello")));
    assert_eq!((&greet[2]["required"], &greet[2]["default"]), (&json!(false), &json!(false)));
    assert_eq!(greet[2]["component"], "Checkbox");

    let calc = by_name("/calc")["parameters"].as_array().unwrap();
    assert_eq!(calc[1]["choices"], json!(["add", "subtract", "multiply", "divide"]));
    assert_eq!(calc[1]["default"], "add");
    assert_eq!(calc[0]["choices"], Value::Null);
    assert_eq!(calc[0]["required"], true);
    assert_eq!(calc[2]["default"].as_f64(), Some(10.0));

    let image = by_name("/generate_image");
    let returns: Vec<(&str, &str)> =
        image["returns"].as_array().unwrap().iter().map(|r| (r["label"].as_str().unwrap(), r["component"].as_str().unwrap())).collect();
    assert_eq!(returns, [("image", "Image"), ("effective seed", "Number")]);
    assert_eq!(by_name("/iterate")["parameters"], json!([]));
    assert_eq!(by_name("/state_inc")["parameters"], json!([]), "gr.State is not a parameter");

    if v.version == "6.31.0" {
        // The document's shape, on three representative endpoints (the text snapshot has them all).
        j["target"] = json!("[URL]");
        j["url"] = json!("[URL]");
        let keep = ["/greet", "/calc", "/generate_image"];
        let kept: Vec<Value> =
            j["endpoints"].as_array().unwrap().iter().filter(|e| keep.contains(&e["api_name"].as_str().unwrap())).cloned().collect();
        j["endpoints"] = Value::Array(kept);
        insta::assert_json_snapshot!("api_json_6_31_0", j);
    }
}

/// `--all` in JSON: undocumented endpoints appear, marked; private ones never.
fn api_json_all(v: V) {
    let r = v.hfs(&["api", "@main", "--json", "--all"]).run().ok();
    let j = r.json();
    let endpoints = j["endpoints"].as_array().unwrap();
    let names: Vec<&str> = endpoints.iter().map(|e| e["api_name"].as_str().unwrap()).collect();
    let text = v.hfs(&["api", "@main", "--all"]).run().ok();
    let text_names: Vec<String> = listed(&text.stdout).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, text_names, "--json and text list other endpoints");
    let hidden = endpoints.iter().find(|e| e["api_name"] == "/hidden").unwrap_or_else(|| panic!("no /hidden: {r:?}"));
    let expected = if v.at_least(4, 16) { "undocumented" } else { "public" };
    assert_eq!(hidden["visibility"], expected);
    assert!(endpoints.iter().all(|e| e["api_name"] != "/secret" && e["visibility"] != "private"), "{r:?}");
    let mut fn_indexes: Vec<u64> = endpoints.iter().map(|e| e["fn_index"].as_u64().unwrap()).collect();
    let n = fn_indexes.len();
    fn_indexes.dedup();
    assert_eq!(fn_indexes.len(), n, "fn_index values repeat");
}

/// `hfs api` on an app launched with `auth=`: needs `--auth` like `call` does.
fn api_auth_app(v: V) {
    v.hfs(&["api", "@auth"]).run().fails(1).says(&["--auth"]);
    let r = v.hfs(&["api", "@auth", "--auth", "user:pass"]).run().ok();
    assert_eq!(listed(&r.stdout).into_iter().map(|(n, _)| n).collect::<Vec<_>>(), ["/echo"]);
    let r = v.hfs(&["api", "@auth", "--json"]).run();
    assert_eq!(r.code, Some(1), "{r:?}");
    let j = r.json();
    assert_eq!(j["schema"], "hfs.error/1", "{r:?}");
    assert_eq!(j["error"]["kind"], "auth", "{r:?}");
    assert_eq!(j["error"]["exit_code"], 1, "{r:?}");
}
