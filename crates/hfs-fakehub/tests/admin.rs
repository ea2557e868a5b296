//! `/_fake/` admin routes and Hub-style 404s for unknown routes.

mod common;

use common::{FakeHub, TOKEN, request};
use serde_json::json;

fn hub() -> FakeHub {
    FakeHub::start(Some(&json!({ "tokens": { TOKEN: { "user": "alice" } } })))
}

#[test]
fn put_space_adds_then_replaces() {
    let hub = hub();
    assert_eq!(hub.get("/api/spaces/bob/new").status, 404);

    let r = hub.put_space("bob/new", &json!({"host": "http://127.0.0.1:7001", "stages": ["BUILDING", "RUNNING"]}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(hub.get("/api/spaces/bob/new/runtime").json()["stage"], "BUILDING");
    assert_eq!(hub.get("/api/spaces/bob/new/runtime").json()["stage"], "RUNNING");

    // Replacing restarts the script and changes every field.
    hub.put_space("bob/new", &json!({"host": "http://127.0.0.1:7002", "stages": ["SLEEPING", "RUNNING"], "private": true}));
    assert_eq!(hub.get("/api/spaces/bob/new/host").status, 401);
    assert_eq!(hub.get_auth("/api/spaces/bob/new/host").json()["host"], "http://127.0.0.1:7002");
    assert_eq!(hub.get_auth("/api/spaces/bob/new/runtime").json()["stage"], "SLEEPING");
}

#[test]
fn put_space_rejects_bad_bodies_with_json_errors() {
    let hub = hub();
    for body in [json!({"stage": "RUNNING"}), json!({"host": "not-a-url"}), json!({"host": "http://x", "typo": 1})] {
        let r = hub.put_space("bob/bad", &body);
        assert_eq!(r.status, 400, "{body}");
        assert!(r.json()["error"].is_string());
    }
    assert_eq!(hub.get("/api/spaces/bob/bad").status, 404);
}

#[test]
fn request_log_records_flags_never_tokens_and_can_be_cleared() {
    let hub = hub();
    hub.get_with(
        "/api/spaces/a/b/runtime?expand=x&y=1",
        &[("Authorization", &format!("Bearer {TOKEN}")), ("X-HF-Authorization", "Bearer hf_spacetoken")],
    );
    hub.get("/api/whoami-v2");
    hub.get_with("/api/whoami-v2", &[("Authorization", "Bearer hf_bogus")]);

    let r = hub.get("/_fake/requests");
    assert_eq!(r.status, 200);
    for secret in [TOKEN, "hf_spacetoken", "hf_bogus"] {
        assert!(!r.body.contains(secret), "log leaks {secret}: {}", r.body);
    }
    // Admin calls are not logged, so exactly the three Hub calls appear.
    assert_eq!(
        r.json(),
        json!([
            {"origin": "hub", "method": "GET", "path": "/api/spaces/a/b/runtime", "query": "expand=x&y=1", "authorization": true, "x_hf_authorization": true},
            {"origin": "hub", "method": "GET", "path": "/api/whoami-v2", "query": null, "authorization": false, "x_hf_authorization": false},
            {"origin": "hub", "method": "GET", "path": "/api/whoami-v2", "query": null, "authorization": true, "x_hf_authorization": false},
        ])
    );

    let cleared = request(&hub.url, "DELETE", "/_fake/requests", &[], None);
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json()["cleared"], 3);
    assert_eq!(hub.get("/_fake/requests").json(), json!([]));
}

#[test]
fn unknown_routes_are_404_json() {
    let hub = hub();
    for path in ["/", "/api/nothing", "/api/spaces/a/b/c/d/e", "/_fake/nothing"] {
        let r = hub.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.json()["error"].is_string(), "{path}: {}", r.body);
    }
    let r = request(&hub.url, "POST", "/api/whoami-v2", &[], Some("{}"));
    assert_eq!(r.status, 405);
    assert!(r.json()["error"].is_string());
}

#[test]
fn info_names_three_distinct_loopback_origins() {
    let hub = hub();
    let v = hub.get("/_fake/info").json();
    assert_eq!(v["hub"], hub.url);
    let urls: Vec<&str> = ["hub", "router", "assets"].iter().map(|k| v[k].as_str().unwrap()).collect();
    for u in &urls {
        assert!(u.starts_with("http://127.0.0.1:"), "{u}");
    }
    assert!(urls[0] != urls[1] && urls[1] != urls[2] && urls[0] != urls[2], "{v}");
    // Each answers as itself: the router has no Hub API, the CDN no router.
    assert_eq!(request(urls[1], "GET", "/v1/models", &[], None).status, 200);
    assert_eq!(request(urls[0], "GET", "/v1/models", &[], None).status, 404);
    assert_eq!(request(urls[2], "GET", "/v1/models", &[], None).status, 404);
    // Admin routes live on the Hub listener only.
    assert_eq!(request(urls[1], "GET", "/_fake/info", &[], None).status, 404);
}

#[test]
fn request_log_covers_every_listener() {
    let hub = hub();
    request(&hub.router, "GET", "/v1/models", &[], None);
    request(&hub.assets, "GET", "/cdn.example/x.png", &[("Authorization", &format!("Bearer {TOKEN}"))], None);
    let log = hub.get("/_fake/requests").json();
    assert_eq!(log[0]["origin"], "router");
    assert_eq!(log[0]["path"], "/v1/models");
    assert_eq!(log[1]["origin"], "assets");
    // Sent a token where none belongs: visible to tests.
    assert_eq!(log[1]["authorization"], true);
}
