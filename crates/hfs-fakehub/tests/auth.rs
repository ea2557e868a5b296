//! Private Spaces, unknown Spaces, bad tokens and whoami-v2.

mod common;

use common::{FakeHub, TOKEN};
use serde_json::json;

fn hub() -> FakeHub {
    FakeHub::start(Some(&json!({
        "spaces": {
            "acme/secret": {"host": "http://127.0.0.1:9", "private": true},
            "acme/open": {"host": "http://127.0.0.1:9"},
        },
        "tokens": { TOKEN: { "user": "alice", "orgs": ["acme"], "role": "write" } },
    })))
}

#[test]
fn private_space_needs_a_configured_token() {
    let hub = hub();
    for path in ["/api/spaces/acme/secret", "/api/spaces/acme/secret/host", "/api/spaces/acme/secret/runtime"] {
        let r = hub.get(path);
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(r.json(), json!({"error": "Invalid username or password."}), "{path}");
        assert_eq!(r.header("x-error-code"), Some("RepoNotFound"), "{path}");
        assert_eq!(r.header("x-error-message"), Some("Invalid username or password."), "{path}");

        assert_eq!(hub.get_auth(path).status, 200, "{path} with token");
    }
    assert_eq!(hub.get_auth("/api/spaces/acme/secret").json()["private"], true);
}

#[test]
fn unknown_space_is_404_repo_not_found() {
    let hub = hub();
    for r in [hub.get("/api/spaces/acme/missing"), hub.get_auth("/api/spaces/acme/missing/runtime")] {
        assert_eq!(r.status, 404);
        assert_eq!(r.json(), json!({"error": "Repository not found"}));
        assert_eq!(r.header("x-error-code"), Some("RepoNotFound"));
        assert_eq!(r.header("x-error-message"), Some("Repository not found"));
    }
}

#[test]
fn unknown_or_malformed_token_is_refused_everywhere() {
    let hub = hub();
    for auth in ["Bearer hf_wrong", "Basic YWxpY2U6cHc=", "Bearer ", TOKEN] {
        for path in ["/api/spaces/acme/open", "/api/whoami-v2", "/api/unknown"] {
            let r = hub.get_with(path, &[("Authorization", auth)]);
            assert_eq!(r.status, 401, "{auth:?} on {path}");
            assert_eq!(r.json(), json!({"error": "Invalid credentials in Authorization header"}));
            assert_eq!(r.header("x-error-message"), Some("Invalid credentials in Authorization header"));
        }
    }
    // The same public Space is fine anonymously.
    assert_eq!(hub.get("/api/spaces/acme/open").status, 200);
}

#[test]
fn whoami_v2_describes_the_token_owner() {
    let hub = hub();
    let r = hub.get_auth("/api/whoami-v2");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["type"], "user");
    assert_eq!(v["name"], "alice");
    for key in ["id", "fullname", "email", "emailVerified", "isPro", "canPay", "avatarUrl", "periodEnd"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["orgs"].as_array().unwrap().len(), 1);
    assert_eq!(v["orgs"][0]["type"], "org");
    assert_eq!(v["orgs"][0]["name"], "acme");
    assert_eq!(v["auth"]["type"], "access_token");
    assert_eq!(v["auth"]["accessToken"]["role"], "write");

    let anon = hub.get("/api/whoami-v2");
    assert_eq!(anon.status, 401);
    assert!(anon.json()["error"].is_string());
}
