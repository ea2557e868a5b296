//! Space ids (`owner/name`) resolved through a fake Hub (`HF_ENDPOINT`): running, paused,
//! unknown and private Spaces, and where the token goes.
//!
//! Ports gradio_client checks (docs/protocol/gradio.md#upstream-test-scenarios): `test_private_space` (a token
//! reaches the Space as `X-HF-Authorization`), `test_space_not_running` (paused/errored
//! stage), and @gradio/client's rule that the token goes to Hugging Face hosts only.

use hfs_testkit::FakeHub;
use serde_json::{Value, json};

use crate::support::{Hfs, Run, V, any_version, per_version};

pub const TOKEN: &str = "hf_testTokenForTheFakeHub_0123456789abcdef";

/// A fake Hub whose Spaces all run on this version's test servers.
pub fn hub(v: &V, extra_tokens: &[&str]) -> FakeHub {
    let mut tokens = serde_json::Map::new();
    for t in std::iter::once(&TOKEN).chain(extra_tokens) {
        tokens.insert(t.to_string(), json!({"user": "tester"}));
    }
    FakeHub::start(
        &FakeHub::binary(),
        &json!({
            "spaces": {
                "tests/main": {"host": v.url("main")},
                "tests/auth": {"host": v.url("auth")},
                "tests/private": {"host": v.url("main"), "private": true},
                "tests/paused": {"host": v.url("main"), "stage": "PAUSED"},
                "tests/broken": {"host": v.url("main"), "stage": "RUNTIME_ERROR"},
                "tests/starting": {"host": v.url("main"), "stages": ["BUILDING", "RUNNING"]},
            },
            "tokens": tokens,
        }),
    )
}

/// `hfs ARGS…` with `HF_ENDPOINT` pointing at the fake Hub.
pub fn via(hub: &FakeHub, args: &[&str]) -> Hfs {
    Hfs::new().env("HF_ENDPOINT", &hub.url).args(args)
}

/// The token the app received (`/headers` echoes `X-HF-Authorization`), from a `--json` run.
pub fn token_seen(r: &Run) -> Option<String> {
    let h = &r.json()["outputs"][0];
    assert_eq!(h["authorization"], Value::Null, "a Space never gets `Authorization`: {r:?}");
    h["x-hf-authorization"].as_str().map(|v| v.strip_prefix("Bearer ").unwrap_or_else(|| panic!("not a Bearer token: {v}")).to_string())
}

/// The token value never appears in hfs's own messages (`-v` logs included).
#[track_caller]
pub fn not_logged(r: &Run, token: &str) {
    assert!(!r.stderr.contains(token), "the token is on stderr: {r:?}");
    assert!(!r.stderr.contains(&token[3..token.len() - 2]), "most of the token is on stderr: {r:?}");
}

fn hub_calls(hub: &FakeHub, id: &str) -> Vec<Value> {
    hub.requests().into_iter().filter(|r| r["path"] == format!("/api/spaces/{id}")).collect()
}

per_version!(public_space, private_space_with_token, token_only_to_hub_hosts);
any_version!(paused_space, broken_space, unknown_space, private_space_without_token, starting_space, bad_hub_settings, space_with_auth);

fn public_space(v: V) {
    let hub = hub(&v, &[]);
    let r = via(&hub, &["call", "tests/main", "/greet", "x"]).run().ok();
    assert_eq!(r.stdout, "greet output: Hello, x.\n", "{r:?}");
    let r = via(&hub, &["call", "tests/main", "/multi", "ab", "--json"]).run().ok();
    let j = r.json();
    assert_eq!(j["target"], "tests/main");
    assert_eq!(j["outputs"][0], "ab");
    // Output files of a Space reached by id.
    let out = tempfile::tempdir().unwrap();
    let r = via(&hub, &["call", "tests/main", "/file_out", "spaced", "--json", "-o", out.path().to_str().unwrap()]).run().ok();
    assert_eq!(std::fs::read(r.json()["files"][0].as_str().unwrap()).unwrap(), b"spaced");
    let r = via(&hub, &["api", "tests/main"]).run().ok();
    assert!(r.stdout.starts_with(&format!("tests/main — Gradio {} (", v.version)), "{r:?}");
    let r = via(&hub, &["api", "tests/main", "--json"]).run().ok();
    assert_eq!(r.json()["target"], "tests/main");
    assert_eq!(r.json()["url"], v.url("main"));
    // The Hub was asked, anonymously (the test environment has no token).
    let calls = hub_calls(&hub, "tests/main");
    assert!(calls.len() >= 5, "{calls:?}");
    assert!(calls.iter().all(|c| c["authorization"] == false), "a token was sent: {calls:?}");
    let r = via(&hub, &["call", "tests/main", "/headers", "x", "--json"]).run().ok();
    assert_eq!(token_seen(&r), None);
}

fn private_space_with_token(v: V) {
    let hub = hub(&v, &[]);
    let r = via(&hub, &["call", "tests/private", "/headers", "x", "--json", "-v"]).env("HF_TOKEN", TOKEN).run().ok();
    assert_eq!(token_seen(&r).as_deref(), Some(TOKEN), "the Space the Hub named gets the token as X-HF-Authorization");
    not_logged(&r, TOKEN);
    let calls = hub_calls(&hub, "tests/private");
    assert!(calls.iter().all(|c| c["authorization"] == true && c["x_hf_authorization"] == false), "{calls:?}");
    // Text mode, upload and download through the Space reached by id.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), b"private upload").unwrap();
    let r = via(&hub, &["call", "tests/private", "/file_in", "@in.txt", "-v"]).current_dir(dir.path()).env("HF_TOKEN", TOKEN).run().ok();
    assert!(r.text_output("file_in output").starts_with("in.txt:14:"), "{r:?}");
    not_logged(&r, TOKEN);
    let r = via(&hub, &["call", "tests/private", "/file_out", "secret file", "-o", "out", "-v"])
        .current_dir(dir.path())
        .env("HF_TOKEN", TOKEN)
        .run()
        .ok();
    assert_eq!(std::fs::read(dir.path().join("out/file_out-file_out-output.txt")).unwrap(), b"secret file", "{r:?}");
    not_logged(&r, TOKEN);
}

/// The token found in the environment goes to the Hub and the hosts it names, not to any URL;
/// `--token` sends it wherever the user points hfs.
fn token_only_to_hub_hosts(v: V) {
    let r = v.hfs(&["call", "@main", "/headers", "x", "--json", "-v"]).env("HF_TOKEN", TOKEN).run().ok();
    assert_eq!(token_seen(&r), None, "HF_TOKEN was sent to a plain URL");
    not_logged(&r, TOKEN);
    let r = v.hfs(&["call", "@main", "/headers", "x", "--json", "-v"]).env("HUGGING_FACE_HUB_TOKEN", TOKEN).run().ok();
    assert_eq!(token_seen(&r), None, "HUGGING_FACE_HUB_TOKEN was sent to a plain URL");
    let r = v.hfs(&["call", "@main", "/headers", "x", "--json", "-v", "--token", TOKEN]).run().ok();
    assert_eq!(token_seen(&r).as_deref(), Some(TOKEN), "an explicit --token goes to the URL given");
    not_logged(&r, TOKEN);
    let r = v.hfs(&["call", "@main", "/headers", "x", "-v", "--token", TOKEN, "--timeout", "0.001"]).run();
    not_logged(&r, TOKEN);
    // Output files are downloaded from that host with the token too (and the logs stay clean).
    let out = tempfile::tempdir().unwrap();
    let r = v.hfs(&["call", "@main", "/file_out", "t", "-v", "-o", out.path().to_str().unwrap(), "--token", TOKEN]).run().ok();
    not_logged(&r, TOKEN);
}

fn paused_space(v: V) {
    let hub = hub(&v, &[]);
    via(&hub, &["call", "tests/paused", "/greet", "x"]).run().fails(1).says(&["tests/paused", "PAUSED"]);
    let r = via(&hub, &["call", "tests/paused", "/greet", "x", "--json"]).run().fails(1);
    assert_eq!(r.json()["error"]["kind"], "space_not_running", "{r:?}");
    via(&hub, &["api", "tests/paused"]).run().fails(1).says(&["PAUSED"]);
}

fn broken_space(v: V) {
    let hub = hub(&v, &[]);
    via(&hub, &["call", "tests/broken", "/greet", "x"]).run().fails(1).says(&["tests/broken", "RUNTIME_ERROR"]);
}

fn unknown_space(v: V) {
    let hub = hub(&v, &[]);
    let r = via(&hub, &["call", "tests/nope", "/greet", "x"]).run().fails(1).says(&["tests/nope", "not found"]);
    assert!(r.stderr.contains(&hub.url), "the message should say which Hub was asked: {r:?}");
}

fn private_space_without_token(v: V) {
    let hub = hub(&v, &[]);
    via(&hub, &["call", "tests/private", "/greet", "x"]).run().fails(1).says(&["tests/private", "HF_TOKEN", "--token"]);
    // A token the Hub does not know.
    let bogus = "hf_notAValidTokenAtAll_0123456789";
    let r = via(&hub, &["call", "tests/private", "/greet", "x", "-v"]).env("HF_TOKEN", bogus).run().fails(1).says(&["token", "rejected"]);
    not_logged(&r, bogus);
}

/// A Space that is still building: hfs says so and waits; `--wait 0` gives up at once.
fn starting_space(v: V) {
    let hub = hub(&v, &[]);
    let r = via(&hub, &["call", "tests/starting", "/greet", "x"]).run().ok().says(&["BUILDING"]);
    assert_eq!(r.stdout, "greet output: Hello, x.\n");
    hub.put_space("tests/starting", &json!({"host": v.url("main"), "stages": ["BUILDING", "RUNNING"]}));
    via(&hub, &["call", "tests/starting", "/greet", "x", "--wait", "0"]).run().fails(1).says(&["BUILDING"]);
}

fn bad_hub_settings(v: V) {
    let _ = v;
    Hfs::new().env("HF_ENDPOINT", "not a url").args(["call", "tests/main", "/greet", "x"]).run().fails(2).says(&["HF_ENDPOINT"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    Hfs::new()
        .env("HF_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .args(["call", "tests/main", "/greet", "x"])
        .run()
        .fails(1)
        .says(&[&format!("127.0.0.1:{port}")]);
}

fn space_with_auth(v: V) {
    let hub = hub(&v, &[]);
    via(&hub, &["call", "tests/auth", "hi"]).run().fails(1).says(&["--auth"]);
    let r = via(&hub, &["call", "tests/auth", "hi", "--auth", "user:pass"]).run().ok();
    assert_eq!(r.stdout, "output: hi\n");
}
