//! Space lifecycle: `hfs space info`, and what a call by Space id does in every runtime stage
//! (docs/protocol/gradio.md#resolving-a-space, docs/protocol/inference.md#hub-apis). RUNNING is called at once; SLEEPING,
//! STOPPED, BUILDING and APP_STARTING are woken and waited for with the stage shown on stderr, up to
//! `--wait` (`--wait 0` fails at once); PAUSED, BUILD_ERROR, RUNTIME_ERROR, CONFIG_ERROR,
//! NO_APP_FILE and DELETING fail at once, naming the stage and what to do.
//!
//! Paths that end in a call run against a real test Space of the first selected Gradio version
//! (`any_version!`); the others never reach a Space (its host is a closed port) and need none.

use std::time::Duration;

use serde_json::json;

use crate::support::{Home, fake, filters, requests_to};
use crate::support::{V, any_version};

/// Nothing listens there: a test that reaches this host fails with a connection error.
const NOWHERE: &str = "http://127.0.0.1:9";

const TOKEN: &str = "hf_lifecycleTester_0123456789abcdefgh";

// ---------------------------------------------------------------------------------------------
// space info

fn info_hub() -> hfs_testkit::FakeHub {
    fake(&json!({
        "spaces": {
            "tests/zero": {"host": NOWHERE, "hardware": "zero-a10g", "sdk_version": "5.50.0", "likes": 42},
            "tests/private-cpu": {"host": NOWHERE, "private": true, "hardware": "cpu-upgrade", "sdk_version": "4.44.1", "likes": 3},
            "tests/asleep": {"host": NOWHERE, "hardware": "zero-a10g", "stage": "SLEEPING"},
            "tests/crashed": {"host": NOWHERE, "stage": "RUNTIME_ERROR", "error_message": "Exit code: 1. Reason: CUDA out of memory"},
        },
        "tokens": {TOKEN: {"user": "tester"}},
    }))
}

#[test]
fn space_info_text() {
    let hub = info_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["space", "info", "tests/zero"]).run().ok();
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!("info_zero_gpu", r.stdout);
    });
    // A sleeping ZeroGPU Space has no current hardware: the requested one is shown, still ZeroGPU.
    let r = home.hfs(&hub, &["space", "info", "tests/asleep"]).run().ok();
    assert!(r.stdout.contains("stage:     SLEEPING\n"), "{r:?}");
    assert!(r.stdout.contains("hardware:  zero-a10g (ZeroGPU)\n"), "{r:?}");
    let r = home.hfs(&hub, &["space", "info", "tests/private-cpu"]).env("HF_TOKEN", TOKEN).run().ok();
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!("info_private_cpu", r.stdout);
    });
    let r = home.hfs(&hub, &["space", "info", "tests/crashed"]).run().ok();
    assert!(r.stdout.contains("stage:     RUNTIME_ERROR\n"), "{r:?}");
    assert!(r.stdout.contains("error:     Exit code: 1. Reason: CUDA out of memory\n"), "the Space's error is shown: {r:?}");
}

#[test]
fn space_info_json() {
    let hub = info_hub();
    let home = Home::new();
    let j = home.hfs(&hub, &["space", "info", "tests/zero", "--json"]).run().ok().json();
    insta::with_settings!({ filters => filters() }, {
        insta::assert_json_snapshot!("info_zero_gpu_json", j);
    });
    let j = home.hfs(&hub, &["space", "info", "tests/private-cpu", "--json"]).env("HF_TOKEN", TOKEN).run().ok().json();
    assert_eq!((j["private"].as_bool(), j["zero_gpu"].as_bool()), (Some(true), Some(false)), "{j}");
    assert_eq!(j["hardware"], "cpu-upgrade");
    let j = home.hfs(&hub, &["space", "info", "tests/crashed", "--json"]).run().ok().json();
    assert_eq!(j["stage"], "RUNTIME_ERROR");
    assert_eq!(j["error_message"], "Exit code: 1. Reason: CUDA out of memory");
}

#[test]
fn space_info_errors() {
    let hub = info_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["space", "info", "tests/nope"]).run().fails(1).says(&["tests/nope", "not found"]);
    assert!(r.stderr.contains(&hub.url), "names the Hub asked: {r:?}");
    // Private without a token: how to get one.
    home.hfs(&hub, &["space", "info", "tests/private-cpu"]).run().fails(1).says(&[
        "tests/private-cpu",
        "private",
        "https://huggingface.co/settings/tokens",
        "hfs auth login",
    ]);
    // With a token the Hub does not know.
    home.hfs(&hub, &["space", "info", "tests/zero"])
        .env("HF_TOKEN", "hf_unknownToTheFakeHub_0123456789ab")
        .run()
        .fails(1)
        .says(&["rejected", "hfs auth login"]);
    // With --json, failures are one `hfs.error/1` object on stdout too.
    let r = home.hfs(&hub, &["space", "info", "tests/nope", "--json"]).run().fails(1);
    let j = r.json();
    assert_eq!(j["schema"], "hfs.error/1", "{r:?}");
    assert_eq!(j["error"]["kind"], "not_found");
    assert_eq!(j["error"]["exit_code"], 1);
    // One shape for every command: what ran, on what, and the hints as data with their advice.
    assert_eq!(j["command"], "space info");
    assert_eq!(j["target"], "tests/nope");
    assert_eq!(j["error"]["hints"][0]["kind"], "token_with_access", "{j}");
    assert!(j["error"]["hints"][0]["advice"].as_str().unwrap().contains("hfs auth login"), "{j}");
    let r =
        home.hfs(&hub, &["space", "info", "tests/zero", "--json"]).env("HF_TOKEN", "hf_unknownToTheFakeHub_0123456789ab").run().fails(1);
    assert_eq!(r.json()["error"]["kind"], "auth", "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// Stages that never start by themselves: fail at once, name the stage and what to do.

#[test]
fn stages_that_fail_at_once() {
    let stages = ["PAUSED", "BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "DELETING"];
    let spaces: serde_json::Map<String, serde_json::Value> =
        stages.iter().map(|s| (format!("tests/{}", s.to_lowercase()), json!({"host": NOWHERE, "stage": s}))).collect();
    let hub = fake(&json!({ "spaces": spaces }));
    let home = Home::new();
    for stage in stages {
        let id = format!("tests/{}", stage.to_lowercase());
        let r = home.hfs(&hub, &["call", &id, "/greet", "x"]).run().fails(1).says(&[&id, "not running", stage, "another Space"]);
        assert!(r.elapsed < Duration::from_secs(10), "{stage} should fail at once: {r:?}");
        assert!(!r.stderr.contains("waiting"), "{stage} is not waited for: {r:?}");
        if stage == "PAUSED" {
            r.says(&["owner", "Duplicate"]);
        }
        let r = home.hfs(&hub, &["call", &id, "/greet", "x", "--json"]).run().fails(1);
        let j = r.json();
        assert_eq!(j["error"]["kind"], "space_not_running", "{r:?}");
        home.hfs(&hub, &["api", &id]).run().fails(1).says(&[stage]);
        // Only the Space info was asked: no runtime polling, no request to the Space.
        let polls = requests_to(&hub, "GET", &format!("/api/spaces/{id}/runtime"));
        assert!(polls.is_empty(), "{stage}: {polls:?}");
    }
}

/// `--wait 0` gives up at once on a Space that would need waking; a short `--wait` times out
/// with a message naming the stage and how long hfs waited.
#[test]
fn wait_limits() {
    let hub = fake(&json!({"spaces": {
        "tests/sleepy": {"host": NOWHERE, "stage": "SLEEPING"},
        "tests/building": {"host": NOWHERE, "stage": "BUILDING"},
    }}));
    let home = Home::new();
    for (id, stage) in [("tests/sleepy", "SLEEPING"), ("tests/building", "BUILDING")] {
        let r = home.hfs(&hub, &["call", id, "/greet", "x", "--wait", "0"]).run().fails(1).says(&[id, stage]);
        assert!(r.elapsed < Duration::from_secs(5), "--wait 0 took {:?}", r.elapsed);
        assert!(requests_to(&hub, "GET", &format!("/api/spaces/{id}/runtime")).is_empty(), "--wait 0 does not poll");
    }
    let r = home.hfs(&hub, &["call", "tests/sleepy", "/greet", "x", "--wait", "1500ms"]).run().fails(1).says(&[
        "tests/sleepy",
        "did not start within 1s",
        "SLEEPING",
    ]);
    assert!(r.elapsed >= Duration::from_millis(1500) && r.elapsed < Duration::from_secs(8), "bounded by --wait: {:?}", r.elapsed);
    assert!(r.stderr.contains("Space is SLEEPING; waiting"), "the stage is shown while waiting: {r:?}");
    assert!(!requests_to(&hub, "GET", "/api/spaces/tests/sleepy/runtime").is_empty(), "the runtime was polled");
    let j = home.hfs(&hub, &["call", "tests/sleepy", "/greet", "x", "--wait", "0.3", "--json"]).run().fails(1).json();
    assert_eq!(j["error"]["kind"], "space_not_running", "{j}");
    assert_eq!(j["error"]["retryable"], true, "{j}");
    // --quiet hides the stage line, not the error.
    let r = home.hfs(&hub, &["call", "tests/sleepy", "/greet", "x", "--wait", "0.3", "-q"]).run().fails(1).says(&["SLEEPING"]);
    assert!(!r.stderr.contains("waiting"), "{r:?}");
}

#[test]
fn private_space_without_token() {
    let hub = fake(&json!({"spaces": {"tests/secret": {"host": NOWHERE, "private": true}}}));
    let home = Home::new();
    for args in [&["call", "tests/secret", "/greet", "x"][..], &["api", "tests/secret"]] {
        home.hfs(&hub, args).run().fails(1).says(&["tests/secret", "private", "https://huggingface.co/settings/tokens", "hfs auth login"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Stages that end in RUNNING: the call goes through (against a real test Space).

any_version!(running_space, sleeping_space_wakes, building_then_running, stopped_then_running);

fn greet(v: &V, space: serde_json::Value) -> (hfs_testkit::FakeHub, crate::support::Run) {
    let mut space = space;
    space["host"] = json!(v.url("main"));
    let hub = fake(&json!({"spaces": {"tests/app": space}}));
    let r = Home::new().hfs(&hub, &["call", "tests/app", "/greet", "x"]).run().ok();
    assert_eq!(r.stdout, "greet output: Hello, x.\n", "{r:?}");
    (hub, r)
}

fn running_space(v: V) {
    let (hub, r) = greet(&v, json!({}));
    assert!(!r.stderr.contains("waiting"), "{r:?}");
    assert!(requests_to(&hub, "GET", "/api/spaces/tests/app/runtime").is_empty(), "a running Space is not polled");
}

/// Time-based script: SLEEPING, then APP_STARTING after 1 s, RUNNING after 4 s.
fn sleeping_space_wakes(v: V) {
    let (hub, r) = greet(&v, json!({"stages": [["SLEEPING", 0], ["APP_STARTING", 1], ["RUNNING", 4]]}));
    let sleeping = r.stderr.find("Space is SLEEPING; waiting").unwrap_or_else(|| panic!("SLEEPING not shown: {r:?}"));
    let starting = r.stderr.find("Space is APP_STARTING; waiting").unwrap_or_else(|| panic!("APP_STARTING not shown: {r:?}"));
    assert!(sleeping < starting, "{r:?}");
    assert_eq!(r.stderr.matches("Space is").count(), 2, "each stage shown once: {r:?}");
    assert!(r.elapsed >= Duration::from_secs(3), "it waited for RUNNING: {r:?}");
    // Polled with backoff, not hammered.
    let polls = requests_to(&hub, "GET", "/api/spaces/tests/app/runtime").len();
    assert!((2..=8).contains(&polls), "{polls} runtime polls");
}

/// Per-request script: BUILDING twice, then RUNNING.
fn building_then_running(v: V) {
    let (hub, r) = greet(&v, json!({"stages": ["BUILDING", "BUILDING", "RUNNING"]}));
    assert!(r.stderr.contains("Space is BUILDING; waiting"), "{r:?}");
    assert_eq!(requests_to(&hub, "GET", "/api/spaces/tests/app/runtime").len(), 2);
}

fn stopped_then_running(v: V) {
    let (_hub, r) = greet(&v, json!({"stages": ["STOPPED", "RUNNING"]}));
    assert!(r.stderr.contains("Space is STOPPED; waiting"), "{r:?}");
}
