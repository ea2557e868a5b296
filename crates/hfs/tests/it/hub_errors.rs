//! Hub and router errors (docs/protocol/inference.md#errors-and-retries), scripted with the fake's faults: every message
//! says what to do, 401/403/404 are not retried, 408/429/5xx of idempotent GETs are retried with
//! backoff (`HFS_HUB_BACKOFF=10ms` here) honouring `Retry-After` / `RateLimit`, bounded by
//! `HFS_HUB_RETRIES` (default 5) and a one-minute budget.

use std::time::Duration;

use serde_json::json;

use crate::support::{Home, fake, requests_to};

const TOKEN: &str = "hf_errorsTester_0123456789abcdefghijk";
const SPACE: &str = "/api/spaces/tests/app";

fn hub() -> hfs_testkit::FakeHub {
    fake(&json!({
        "spaces": {"tests/app": {"host": "http://127.0.0.1:9", "stage": "PAUSED"}},
        "tokens": {TOKEN: {"user": "tester"}},
        "chat_models": [{"id": "openai/gpt-oss-120b", "providers": [{"provider": "groq", "status": "live"}]}],
    }))
}

fn gets(hub: &hfs_testkit::FakeHub, path: &str) -> usize {
    requests_to(hub, "GET", path).len()
}

#[test]
fn unauthorized() {
    let hub = hub();
    let home = Home::new();
    // A token the Hub does not know, on any endpoint.
    let bad = "hf_revokedToken_0123456789abcdefghijk";
    for args in [&["search", "spaces", "flux"][..], &["space", "info", "tests/app"], &["quota"], &["auth", "status"]] {
        let r = home.hfs(&hub, args).env("HF_TOKEN", bad).run().fails(1).says(&["token was rejected", "hfs auth login"]);
        crate::auth::never_shows(&r, bad);
    }
    // A 401 without "Invalid credentials": a token is needed (anonymous) or it is not accepted.
    hub.add_faults(&json!([{"path": "/api/spaces/semantic-search", "status": 401}]));
    home.hfs(&hub, &["search", "spaces", "flux"]).run().fails(1).says(&[
        "needs a Hugging Face token",
        "https://huggingface.co/settings/tokens",
        "hfs auth login",
    ]);
    home.hfs(&hub, &["search", "spaces", "flux"]).env("HF_TOKEN", TOKEN).run().fails(1).says(&["rejected", "hfs auth login"]);
    assert_eq!(gets(&hub, "/api/spaces/semantic-search"), 1 + 2, "401 is not retried");
}

#[test]
fn forbidden_and_not_found() {
    let hub = hub();
    let home = Home::new();
    hub.add_faults(&json!([
        {"path": "/api/spaces/zero-gpu/quota", "status": 403, "headers": {"x-error-message": "This token lacks the read-repos scope"}},
        {"path": "/v1/models", "status": 404},
    ]));
    home.hfs(&hub, &["quota"]).env("HF_TOKEN", TOKEN).run().fails(1).says(&["403", "lacks the read-repos scope", "settings/tokens"]);
    home.hfs(&hub, &["models"]).run().fails(1).says(&["404", "HF_ROUTER_URL"]);
    let r = home.hfs(&hub, &["space", "info", "tests/missing"]).run().fails(1).says(&["tests/missing", "not found", "hfs auth login"]);
    assert!(r.stderr.contains(&hub.url), "{r:?}");
    home.hfs(&hub, &["space", "info", "tests/missing"]).env("HF_TOKEN", TOKEN).run().fails(1).says(&["not found", "no access"]);
    assert_eq!(gets(&hub, "/api/spaces/zero-gpu/quota"), 1, "403 is not retried");
    assert_eq!(gets(&hub, "/v1/models"), 1, "404 is not retried");
    assert_eq!(gets(&hub, "/api/spaces/tests/missing"), 2, "404 is not retried");
}

#[test]
fn rate_limited_with_retry_after() {
    let hub = hub();
    let home = Home::new();
    // A short Retry-After is waited for, then the request succeeds.
    hub.add_faults(&json!({"path": SPACE, "status": 429, "retry_after": 1, "times": 1}));
    let r = home.hfs(&hub, &["space", "info", "tests/app", "--json"]).run().ok();
    assert_eq!(r.json()["stage"], "PAUSED");
    assert!(r.elapsed >= Duration::from_secs(1), "Retry-After: 1 honoured: {r:?}");
    assert_eq!(gets(&hub, SPACE), 2);
    // The IETF RateLimit header (t = seconds to the window's reset) counts too.
    hub.add_faults(&json!({"path": SPACE, "status": 429, "times": 1, "headers": {"RateLimit": "\"api\";r=0;t=0"}}));
    let r = home.hfs(&hub, &["space", "info", "tests/app"]).run().ok();
    assert!(r.elapsed >= Duration::from_secs(1), "RateLimit t=0 → 1 s: {r:?}");
    // A wait longer than hfs's budget is not made: the message says how long to wait.
    hub.add_faults(&json!({"path": SPACE, "status": 429, "retry_after": 300}));
    let r = home.hfs(&hub, &["space", "info", "tests/app"]).run().fails(1).says(&["rate limiting", "429", "wait 300s"]);
    assert!(r.elapsed < Duration::from_secs(10), "{r:?}");
    assert_eq!(gets(&hub, SPACE), 2 + 2 + 1);
    // The same for a call by Space id (the Hub lookup before connecting).
    let r = home.hfs(&hub, &["call", "tests/app", "/greet", "x", "--json"]).run().fails(1).says(&["wait 300s"]);
    let j = r.json();
    assert_eq!((j["error"]["retryable"].as_bool(), j["error"]["retry_after_s"].as_u64()), (Some(true), Some(300)), "{r:?}");
}

#[test]
fn rate_limited_without_retry_after() {
    let hub = hub();
    let home = Home::new();
    hub.add_faults(&json!({"path": "/api/spaces/semantic-search", "status": 429, "times": 2}));
    let r = home.hfs(&hub, &["search", "spaces", "flux"]).run().ok();
    assert!(r.stdout.contains("ginipick/FLUXllama"), "{r:?}");
    assert_eq!(gets(&hub, "/api/spaces/semantic-search"), 3, "retried with backoff");
    // For good: bounded retries (1 + 5), then a message saying what to do.
    hub.add_faults(&json!({"path": "/api/spaces/semantic-search", "status": 429}));
    home.hfs(&hub, &["search", "spaces", "flux"]).run().fails(1).says(&["rate limiting", "wait a minute", "hfs auth login"]);
    assert_eq!(gets(&hub, "/api/spaces/semantic-search"), 3 + 6);
    home.hfs(&hub, &["search", "spaces", "flux"]).env("HFS_HUB_RETRIES", "0").run().fails(1).says(&["rate limiting"]);
    assert_eq!(gets(&hub, "/api/spaces/semantic-search"), 3 + 6 + 1, "HFS_HUB_RETRIES=0: no retry");
    home.hfs(&hub, &["search", "spaces", "flux"]).env("HFS_HUB_RETRIES", "many").run().fails(2).says(&["HFS_HUB_RETRIES"]);
}

#[test]
fn server_errors() {
    let hub = hub();
    let home = Home::new();
    // Transient: retried until it works.
    hub.add_faults(&json!([{"path": SPACE, "status": 503, "times": 1}, {"path": SPACE, "status": 502, "times": 1}]));
    let r = home.hfs(&hub, &["space", "info", "tests/app", "--json"]).run().ok();
    assert_eq!(r.json()["stage"], "PAUSED");
    assert_eq!(gets(&hub, SPACE), 3);
    // The Hub lookup of a call by Space id is retried the same way.
    hub.add_faults(&json!({"path": SPACE, "status": 504, "times": 1}));
    home.hfs(&hub, &["call", "tests/app", "/greet", "x"]).run().fails(1).says(&["PAUSED"]);
    assert_eq!(gets(&hub, SPACE), 5);
    // For good, with an HTML error page: bounded, and says what to do.
    hub.add_faults(&json!({"path": SPACE, "status": 500, "body": "<html><body>Internal error</body></html>"}));
    let r = home.hfs(&hub, &["space", "info", "tests/app"]).run().fails(1).says(&["HTTP 500", "try again in a few minutes"]);
    assert!(!r.stderr.contains("<html>"), "no raw HTML: {r:?}");
    assert_eq!(gets(&hub, SPACE), 5 + 6);
    // The router too.
    hub.add_faults(&json!({"path": "/v1/models", "origin": "router", "status": 502, "times": 2}));
    let r = home.hfs(&hub, &["models"]).run().ok();
    assert!(r.stdout.contains("openai/gpt-oss-120b"), "{r:?}");
    hub.add_faults(&json!({"path": "/v1/models", "origin": "router", "status": 503}));
    home.hfs(&hub, &["models"]).run().fails(1).says(&["HTTP 503", "try again"]);
    assert_eq!(gets(&hub, "/v1/models"), 3 + 6);
}

#[test]
fn unreachable_hub() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let hub = hub();
    let home = Home::new();
    let url = format!("http://127.0.0.1:{port}");
    let r = home.hfs(&hub, &["space", "info", "tests/app"]).env("HF_ENDPOINT", &url).run().fails(1).says(&[
        &format!("could not reach the Hub at {url}"),
        "HF_ENDPOINT",
        "refused",
    ]);
    assert!(r.elapsed < Duration::from_secs(10), "a refused connection is not retried for long: {r:?}");
    assert_eq!(r.stderr.matches("error sending request").count(), 0, "no reqwest noise: {r:?}");
    assert_eq!(r.stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "one error line: {r:?}");
    assert_eq!(r.stderr.lines().count(), 2, "and one hint: {r:?}");
}
