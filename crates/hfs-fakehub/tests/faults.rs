//! Scripted faults: configured or added at run time, counted down, and
//! answered before anything else.

mod common;

use common::{FakeHub, TOKEN, request};
use serde_json::json;

fn hub(faults: serde_json::Value) -> FakeHub {
    FakeHub::start(Some(&json!({
        "tokens": { TOKEN: { "user": "alice" } },
        "spaces": { "a/b": { "host": "http://127.0.0.1:9" } },
        "faults": faults,
    })))
}

#[test]
fn a_429_with_retry_after_fires_times_then_normal_answers_resume() {
    let hub = hub(json!([
        {"path": "/api/models", "method": "GET", "status": 429, "retry_after": 2, "times": 2,
         "body": {"error": "You have been rate-limited"}},
    ]));
    for _ in 0..2 {
        let r = hub.get("/api/models?limit=1");
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after"), Some("2"));
        assert_eq!(r.json(), json!({"error": "You have been rate-limited"}));
    }
    let ok = hub.get("/api/models?limit=1");
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.header("retry-after").is_none());
    // Other methods and paths were never affected.
    assert_eq!(hub.get("/api/spaces/a/b").status, 200);
}

#[test]
fn statuses_without_retry_after_default_bodies_and_extra_headers() {
    let hub = hub(json!([
        {"path": "/api/spaces/a/b", "status": 429, "times": 1},
        {"path": "/api/spaces/a/b", "status": 401, "times": 1, "headers": {"x-error-message": "Invalid credentials in Authorization header"}},
        {"path": "/api/spaces/a/b", "status": 404, "times": 1, "headers": {"x-error-code": "RepoNotFound"}},
        {"path": "/api/spaces/a/b", "status": 503, "times": 1, "body": "upstream connect error"},
    ]));
    let r = hub.get("/api/spaces/a/b");
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_none());
    assert_eq!(r.json(), json!({"error": "Too Many Requests"}));
    let r = hub.get("/api/spaces/a/b");
    assert_eq!(r.status, 401);
    assert_eq!(r.header("x-error-message"), Some("Invalid credentials in Authorization header"));
    let r = hub.get("/api/spaces/a/b");
    assert_eq!((r.status, r.header("x-error-code")), (404, Some("RepoNotFound")));
    let r = hub.get("/api/spaces/a/b");
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.body, "upstream connect error");
    assert_eq!(hub.get("/api/spaces/a/b").status, 200);
}

#[test]
fn faults_come_before_token_checks_and_can_target_the_router_and_cdn() {
    let hub = hub(json!([
        {"path": "/v1/chat/completions", "origin": "router", "status": 502},
        {"path": "/v3.fal.media/*", "origin": "assets", "status": 500, "times": 1},
    ]));
    // No token at all, still the fault (forever: no `times`).
    for _ in 0..3 {
        assert_eq!(request(&hub.router, "POST", "/v1/chat/completions", &[], Some("{}")).status, 502);
    }
    // Same path on the Hub listener is not faulted.
    assert_eq!(request(&hub.url, "POST", "/v1/chat/completions", &[], Some("{}")).status, 404);
    let png = "/v3.fal.media/files/koala/7EQDw9PT6pMiX2fm7bYOC.png";
    assert_eq!(request(&hub.assets, "GET", png, &[], None).status, 500);
    assert_eq!(request(&hub.assets, "GET", png, &[], None).status, 200);
    // Faulted requests are still logged.
    assert_eq!(hub.requests(Some("router")).len(), 3);
}

#[test]
fn faults_can_be_added_and_inspected_at_run_time() {
    let hub = hub(json!([]));
    let r =
        request(&hub.url, "POST", "/_fake/faults", &[], Some(&json!({"path": "/api/whoami-v2", "status": 500, "times": 2}).to_string()));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(hub.get("/_fake/faults").json()[0]["remaining"], 2);
    assert_eq!(hub.get_auth("/api/whoami-v2").status, 500);
    assert_eq!(hub.get("/_fake/faults").json()[0]["remaining"], 1);
    assert_eq!(hub.get_auth("/api/whoami-v2").status, 500);
    assert_eq!(hub.get_auth("/api/whoami-v2").status, 200);
    assert_eq!(hub.get("/_fake/faults").json(), json!([]));

    let bad = request(&hub.url, "POST", "/_fake/faults", &[], Some(r#"[{"path": "nope", "status": 500}]"#));
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("path"));
}
