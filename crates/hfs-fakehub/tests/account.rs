//! ZeroGPU quota and OAuth token refresh.

mod common;

use std::time::{Duration, SystemTime};

use common::{FakeHub, TOKEN, request};
use serde_json::json;

#[test]
fn quota_is_the_callers_configured_one() {
    let hub = FakeHub::start(Some(&json!({
        "tokens": {
            TOKEN: { "user": "alice", "quota": {"base": 1500, "current": 12.5, "resets_at": "2025-06-01T00:00:00.000Z", "overquota_used": 3} },
            "hf_other": { "user": "bob", "quota": {"base": 300, "current": 0, "resetsAt": 588} },
            "hf_plain": { "user": "carol" },
        },
    })));
    let r = hub.get_auth("/api/spaces/zero-gpu/quota");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"base": 1500, "current": 12.5, "resetsAt": "2025-06-01T00:00:00.000Z", "overquotaUsed": 3}));

    let bob = hub.get_with("/api/spaces/zero-gpu/quota", &[("Authorization", "Bearer hf_other")]).json();
    assert_eq!((bob["base"].clone(), bob["current"].clone(), bob["overquotaUsed"].clone()), (json!(300), json!(0), json!(0)));
    // A relative reset time is "that many seconds from start-up".
    let at = humantime_parse(bob["resetsAt"].as_str().unwrap());
    let left = at.duration_since(SystemTime::now()).expect("reset is in the future");
    assert!(left > Duration::from_secs(560) && left <= Duration::from_secs(588), "{left:?}");

    let carol = hub.get_with("/api/spaces/zero-gpu/quota", &[("Authorization", "Bearer hf_plain")]).json();
    assert_eq!(carol["base"], carol["current"]);

    let anon = hub.get("/api/spaces/zero-gpu/quota");
    assert_eq!(anon.status, 401);
}

/// `2025-06-01T00:00:00.123Z` → SystemTime, without a date crate.
fn humantime_parse(s: &str) -> SystemTime {
    let (date, time) = s.trim_end_matches('Z').split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if d[1] <= 2 { (d[0] - 1, d[1] + 9) } else { (d[0], d[1] - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2];
    let millis: u64 = format!("{frac:0<3}")[..3].parse().unwrap();
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64) + Duration::from_millis(millis)
}

fn oauth_hub() -> FakeHub {
    FakeHub::start(Some(&json!({
        "tokens": { "hf_oauth_new": { "user": "alice" } },
        "refresh_tokens": {
            "hf_rt_good": { "access_token": "hf_oauth_new", "expires_in": 3600, "refresh_token": "hf_rt_next" },
            "hf_rt_plain": { "access_token": "hf_oauth_new" },
        },
    })))
}

fn post_form(hub: &FakeHub, body: &str) -> common::Resp {
    common::request_bytes(&hub.url, "POST", "/oauth/token", &[("Content-Type", "application/x-www-form-urlencoded")], body.as_bytes())
}

#[test]
fn refresh_grant_returns_the_configured_token() {
    let hub = oauth_hub();
    let r = post_form(&hub, "grant_type=refresh_token&refresh_token=hf_rt_good&client_id=26be6b09-91c5-47da-9861-d2d2bb7a7e36");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"access_token": "hf_oauth_new", "token_type": "bearer", "expires_in": 3600, "refresh_token": "hf_rt_next"})
    );
    // The new token works on the Hub.
    let who = hub.get_with("/api/whoami-v2", &[("Authorization", "Bearer hf_oauth_new")]);
    assert_eq!(who.json()["name"], "alice");

    // JSON bodies are accepted too; no rotated refresh token when none is configured.
    let r = request(&hub.url, "POST", "/oauth/token", &[], Some(r#"{"grant_type":"refresh_token","refresh_token":"hf_rt_plain"}"#));
    assert_eq!(r.json(), json!({"access_token": "hf_oauth_new", "token_type": "bearer", "expires_in": 28800}));
}

#[test]
fn unknown_refresh_tokens_and_other_grants_are_refused() {
    let hub = oauth_hub();
    let r = post_form(&hub, "grant_type=refresh_token&refresh_token=hf_rt_revoked");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");
    assert!(r.json()["error_description"].is_string());
    let r = post_form(&hub, "grant_type=password&username=a&password=b");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    assert_eq!(hub.get("/oauth/token").status, 405);
}
