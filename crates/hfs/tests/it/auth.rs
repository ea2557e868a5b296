//! `hfs auth status|login|logout` and the token rules through the CLI, against the fake Hub:
//! where the token comes from (`--token`, then `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`,
//! `HF_TOKEN_PATH`, `$HF_HOME/token`, `$XDG_CACHE_HOME/huggingface/token`,
//! `~/.cache/huggingface/token`; `HF_HUB_DISABLE_IMPLICIT_TOKEN`), the files `huggingface_hub` writes (token file without a
//! newline, `stored_tokens` INI beside it, 0600 files in a 0700 folder), and the refresh of a
//! browser login close to expiry through `POST /oauth/token`.
//!
//! These checks need no Gradio server: they are plain tests.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hfs_testkit::FakeHub;
use serde_json::{Value, json};

use crate::support::{Hfs, Home, Run, fake, filters, requests_to};

/// Neither the token nor most of it appears in anything hfs printed.
#[track_caller]
pub fn never_shows(r: &Run, token: &str) {
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        assert!(!text.contains(&token[3..token.len() - 2]), "the token is on {name}: {r:?}");
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[cfg(unix)]
#[track_caller]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

// ---------------------------------------------------------------------------------------------
// Token discovery, seen through `hfs auth status` (each token belongs to a different user).

const T_FLAG: &str = "hf_statusFlag_aaaaaaaaaaaaaaaaaaaaaaa";
const T_ENV: &str = "hf_statusHfToken_bbbbbbbbbbbbbbbbbbbb";
const T_LEGACY: &str = "hf_statusLegacy_cccccccccccccccccccc";
const T_PATH: &str = "hf_statusTokenPath_ddddddddddddddddd";
const T_HOME: &str = "hf_statusHfHome_eeeeeeeeeeeeeeeeeeee";
const T_XDG: &str = "hf_statusXdg_ffffffffffffffffffffffff";
const T_DOT: &str = "hf_statusDotCache_gggggggggggggggggg";
const USERS: &[(&str, &str)] = &[
    (T_FLAG, "flag-user"),
    (T_ENV, "env-user"),
    (T_LEGACY, "legacy-user"),
    (T_PATH, "path-user"),
    (T_HOME, "home-user"),
    (T_XDG, "xdg-user"),
    (T_DOT, "dot-user"),
];

fn discovery_hub() -> FakeHub {
    let tokens: serde_json::Map<String, Value> =
        USERS.iter().map(|(t, u)| (t.to_string(), json!({"user": u, "orgs": ["acme"], "role": "read"}))).collect();
    fake(&json!({ "tokens": tokens }))
}

/// A home with a token in every file location; `HF_TOKEN_PATH` names `custom/token`.
fn all_files() -> (Home, PathBuf) {
    let home = Home::new();
    home.write("hf/token", &format!("{T_HOME}\n"));
    home.write("cache/huggingface/token", T_XDG);
    home.write(".cache/huggingface/token", T_DOT);
    let custom = home.write("custom/token", &format!("  {T_PATH}\r\n"));
    (home, custom)
}

/// `(user, source)` from `hfs auth status --json`, or None when not logged in.
fn who(c: Hfs) -> Option<(String, String)> {
    let r = c.arg("--json").run();
    for (t, _) in USERS {
        never_shows(&r, t);
    }
    let j = r.json();
    assert_eq!(j["schema"], "hfs.auth/1", "{r:?}");
    if j["logged_in"] == true {
        assert_eq!(r.code, Some(0), "{r:?}");
        Some((j["user"].as_str().unwrap().to_string(), j["source"].as_str().unwrap().to_string()))
    } else {
        assert_eq!(r.code, Some(1), "{r:?}");
        None
    }
}

#[test]
fn status_follows_the_discovery_order() {
    let hub = discovery_hub();
    let (home, custom) = all_files();
    let status = || home.hfs(&hub, &["auth", "status"]);
    let all = || status().env("HF_TOKEN", T_ENV).env("HUGGING_FACE_HUB_TOKEN", T_LEGACY).env("HF_TOKEN_PATH", &custom);
    let pair = |u: &str, s: &str| Some((u.to_string(), s.to_string()));
    assert_eq!(who(all().arg("--token").arg(T_FLAG)), pair("flag-user", "--token"));
    assert_eq!(who(all()), pair("env-user", "$HF_TOKEN"));
    assert_eq!(who(all().env_remove("HF_TOKEN")), pair("legacy-user", "$HUGGING_FACE_HUB_TOKEN"));
    assert_eq!(who(all().env("HF_TOKEN", "")), pair("legacy-user", "$HUGGING_FACE_HUB_TOKEN"), "empty HF_TOKEN = unset");
    let path = custom.display().to_string();
    assert_eq!(who(status().env("HF_TOKEN_PATH", &custom)), pair("path-user", &path), "HF_TOKEN_PATH, CR/LF and blanks trimmed");
    let hf_home = home.hf().join("token").display().to_string();
    assert_eq!(who(status()), pair("home-user", &hf_home));
    let xdg = home.path().join("cache/huggingface/token").display().to_string();
    assert_eq!(who(status().env_remove("HF_HOME")), pair("xdg-user", &xdg));
    let dot = home.path().join(".cache/huggingface/token").display().to_string();
    assert_eq!(who(status().env_remove("HF_HOME").env_remove("XDG_CACHE_HOME")), pair("dot-user", &dot));
    // HF_TOKEN_PATH naming a missing file: no token (no fallback to $HF_HOME/token).
    assert_eq!(who(status().env("HF_TOKEN_PATH", home.path().join("missing"))), None);
}

#[test]
fn disable_implicit_token_leaves_only_the_flag() {
    let hub = discovery_hub();
    let (home, custom) = all_files();
    for on in ["1", "true", "ON", "yes"] {
        let off = || home.hfs(&hub, &["auth", "status"]).env("HF_HUB_DISABLE_IMPLICIT_TOKEN", on).env("HF_TOKEN", T_ENV);
        assert_eq!(who(off()), None, "HF_HUB_DISABLE_IMPLICIT_TOKEN={on}");
        assert_eq!(who(off().env("HF_TOKEN_PATH", &custom)), None);
        assert_eq!(who(off().arg("--token").arg(T_FLAG)).map(|w| w.0).as_deref(), Some("flag-user"));
    }
    for not_on in ["0", "false", ""] {
        let r = who(home.hfs(&hub, &["auth", "status"]).env("HF_HUB_DISABLE_IMPLICIT_TOKEN", not_on).env("HF_TOKEN", T_ENV));
        assert_eq!(r.map(|w| w.0).as_deref(), Some("env-user"), "HF_HUB_DISABLE_IMPLICIT_TOKEN={not_on:?}");
    }
    // Nothing at all reached the Hub with a token while it was disabled (only --token runs did).
    let with_token = hub.requests().into_iter().filter(|r| r["authorization"] == true).count();
    assert_eq!(with_token, 4 + 3, "{:?}", hub.requests());
}

#[test]
fn status_text_and_json() {
    let hub = fake(&json!({"tokens": {T_ENV: {"user": "alice", "orgs": ["acme", "beta"], "role": "write"}}}));
    let home = Home::new();
    let r = home.hfs(&hub, &["auth", "status"]).env("HF_TOKEN", T_ENV).run().ok();
    never_shows(&r, T_ENV);
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!("status_text", r.stdout);
    });
    let r = home.hfs(&hub, &["auth", "status", "--json"]).env("HF_TOKEN", T_ENV).run().ok();
    never_shows(&r, T_ENV);
    insta::with_settings!({ filters => filters() }, {
        insta::assert_json_snapshot!("status_json", r.json());
    });
    // whoami was asked with the token, once per run.
    let calls = requests_to(&hub, "GET", "/api/whoami-v2");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|c| c["authorization"] == true), "{calls:?}");
}

#[test]
fn status_without_a_token() {
    let hub = fake(&json!({}));
    let home = Home::new();
    let r = home.hfs(&hub, &["auth", "status"]).run().fails(1).says(&[
        "not logged in",
        "https://huggingface.co/settings/tokens",
        "hfs auth login",
        "HF_TOKEN",
    ]);
    assert_eq!(r.stdout, "", "{r:?}");
    let r = home.hfs(&hub, &["auth", "status", "--json"]).run().fails(1);
    assert_eq!(r.json(), json!({"schema": "hfs.auth/1", "logged_in": false}));
    assert!(hub.requests().iter().all(|q| q["path"] != "/api/whoami-v2"), "no token, no whoami: {:?}", hub.requests());
}

#[test]
fn status_with_an_invalid_token() {
    let hub = fake(&json!({}));
    let home = Home::new();
    let bad = "hf_notKnownToTheHub_0123456789abcdefgh";
    let r = home.hfs(&hub, &["auth", "status"]).env("HF_TOKEN", bad).run().fails(1).says(&["rejected", "$HF_TOKEN", "unset"]);
    never_shows(&r, bad);
    let file = home.write("hf/token", bad);
    let r = home.hfs(&hub, &["auth", "status", "--json"]).run().fails(1).says(&["rejected", "hfs auth login", &file.display().to_string()]);
    never_shows(&r, bad);
    let j = r.json();
    assert_eq!(j["logged_in"], false, "{r:?}");
    assert_eq!(j["source"], file.display().to_string(), "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// login / logout: the files huggingface_hub writes.

const ALICE: &str = "hf_aliceLoginToken_0123456789abcdefgh";
const BOB: &str = "hf_bobLoginToken_0123456789abcdefghij";

fn login_hub() -> FakeHub {
    fake(&json!({"tokens": {ALICE: {"user": "alice", "role": "write"}, BOB: {"user": "bob"}}}))
}

#[test]
fn login_from_stdin_writes_what_huggingface_hub_writes() {
    let hub = login_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["auth", "login"]).stdin(&format!("{ALICE}\n")).run().ok();
    never_shows(&r, ALICE);
    assert!(r.stdout.contains("alice"), "{r:?}");
    // The fake names every token `hfs-fakehub` (whoami's auth.accessToken.displayName).
    assert_eq!(home.read("hf/token"), ALICE, "raw token, no newline");
    assert_eq!(home.read("hf/stored_tokens"), format!("[hfs-fakehub]\nhf_token = {ALICE}\n\n"));
    #[cfg(unix)]
    {
        assert_eq!(mode(&home.hf().join("token")), 0o600);
        assert_eq!(mode(&home.hf().join("stored_tokens")), 0o600);
        assert_eq!(mode(&home.hf()), 0o700, "a folder hfs creates is private");
    }
    let calls = requests_to(&hub, "GET", "/api/whoami-v2");
    assert_eq!(calls.len(), 1, "validated once: {calls:?}");
    // Another login under an explicit name: sections sorted, the new one active.
    let r = home.hfs(&hub, &["auth", "login", "--token-name", "b-work"]).stdin(BOB).run().ok();
    never_shows(&r, BOB);
    assert_eq!(home.read("hf/token"), BOB);
    assert_eq!(home.read("hf/stored_tokens"), format!("[b-work]\nhf_token = {BOB}\n\n[hfs-fakehub]\nhf_token = {ALICE}\n\n"));
    let j = home.hfs(&hub, &["auth", "status", "--json"]).run().ok().json();
    assert_eq!((j["user"].as_str(), j["source"].as_str()), (Some("bob"), Some(home.hf().join("token").to_str().unwrap())));
}

/// What `hf auth login` (huggingface_hub) left behind is read and kept: other sections, OAuth
/// fields, unknown keys; the file hfs writes back is what configparser writes.
#[test]
fn login_keeps_a_python_written_stored_tokens_file() {
    let hub = login_hub();
    let home = Home::new();
    let python = "[oauth-carol]\nhf_token = hf_carol\nrefresh_token = hf_carol_refresh\nexpires_at = 4102444800\n\n[zeta]\nhf_token = hf_zeta\nnote = kept\n\n";
    home.write("hf/stored_tokens", python);
    home.write("hf/token", "hf_zeta");
    home.hfs(&hub, &["auth", "login", "--token-name", "m-cli"]).stdin(ALICE).run().ok();
    assert_eq!(
        home.read("hf/stored_tokens"),
        format!(
            "[m-cli]\nhf_token = {ALICE}\n\n[oauth-carol]\nhf_token = hf_carol\nrefresh_token = hf_carol_refresh\nexpires_at = 4102444800\n\n[zeta]\nhf_token = hf_zeta\nnote = kept\n\n"
        )
    );
    assert_eq!(home.read("hf/token"), ALICE);
}

#[test]
fn login_honours_hf_token_path() {
    let hub = login_hub();
    let home = Home::new();
    let path = home.path().join("elsewhere/deep/tok");
    let r = home.hfs(&hub, &["auth", "login"]).env("HF_TOKEN_PATH", &path).stdin(ALICE).run().ok();
    assert!(r.stdout.contains(&path.display().to_string()), "says where it saved: {r:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ALICE);
    let stored = home.path().join("elsewhere/deep/stored_tokens");
    assert_eq!(
        std::fs::read_to_string(&stored).unwrap(),
        format!("[hfs-fakehub]\nhf_token = {ALICE}\n\n"),
        "stored_tokens follows the token file"
    );
    assert!(!home.hf().exists(), "nothing written under HF_HOME");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn login_refuses_bad_input() {
    let hub = login_hub();
    let home = Home::new();
    let bad = "hf_rejectedByTheHub_0123456789abcdef";
    let r = home.hfs(&hub, &["auth", "login"]).stdin(bad).run().fails(1).says(&["rejected"]);
    never_shows(&r, bad);
    assert!(!home.hf().join("token").exists() && !home.hf().join("stored_tokens").exists(), "an invalid token is not saved");
    home.hfs(&hub, &["auth", "login"]).stdin(" \n").run().fails(2).says(&["no token", "stdin"]);
    home.hfs(&hub, &["auth", "login"]).stdin("api_org_0123456789abcdefgh").run().fails(2).says(&["organization"]);
    assert!(!home.hf().join("token").exists());
    // --token works too; HF_TOKEN still wins afterwards, and hfs says so.
    let r = home.hfs(&hub, &["auth", "login", "--token", ALICE]).env("HF_TOKEN", BOB).run().ok().says(&["$HF_TOKEN", "precedence"]);
    never_shows(&r, ALICE);
    assert_eq!(home.read("hf/token"), ALICE);
}

#[test]
fn logout_removes_the_login() {
    let hub = login_hub();
    let home = Home::new();
    home.hfs(&hub, &["auth", "login", "--token-name", "a"]).stdin(ALICE).run().ok();
    home.hfs(&hub, &["auth", "login", "--token-name", "b"]).stdin(BOB).run().ok();
    // Removing a saved token that is not the active one keeps the active login.
    let r = home.hfs(&hub, &["auth", "logout", "--token-name", "a"]).run().ok();
    assert!(r.stdout.contains("`a`"), "{r:?}");
    assert_eq!(home.read("hf/token"), BOB, "the active token stays");
    assert_eq!(home.read("hf/stored_tokens"), format!("[b]\nhf_token = {BOB}\n\n"));
    home.hfs(&hub, &["auth", "logout", "--token-name", "nope"]).run().fails(2).says(&["nope"]);
    // Logging out of the active one removes the token file and its section.
    home.hfs(&hub, &["auth", "login", "--token-name", "a"]).stdin(ALICE).run().ok();
    let r = home.hfs(&hub, &["auth", "logout"]).run().ok();
    assert!(r.stdout.contains("Logged out") && r.stdout.contains("`a`"), "{r:?}");
    assert!(!home.hf().join("token").exists());
    assert_eq!(home.read("hf/stored_tokens"), format!("[b]\nhf_token = {BOB}\n\n"));
    home.hfs(&hub, &["auth", "status"]).run().fails(1).says(&["not logged in"]);
    let r = home.hfs(&hub, &["auth", "logout"]).run().ok();
    assert!(r.stdout.contains("Not logged in"), "{r:?}");
    // HF_TOKEN keeps working after a logout, and hfs says so.
    home.hfs(&hub, &["auth", "logout"]).env("HF_TOKEN", BOB).run().ok().says(&["$HF_TOKEN", "still set"]);
}

// ---------------------------------------------------------------------------------------------
// Refresh of a browser (OAuth) login.

const OLD: &str = "hf_oauthAccessBefore_0123456789abcdef";
const NEW: &str = "hf_oauthAccessAfter_0123456789abcdefg";
const RT: &str = "hf_oauth_refresh_first_0123456789abc";
const RT2: &str = "hf_oauth_refresh_rotated_0123456789a";
const LIFETIME: u64 = 30 * 86400;

fn refresh_hub() -> FakeHub {
    fake(&json!({
        "tokens": {OLD: {"user": "before-refresh"}, NEW: {"user": "after-refresh"}},
        // 30 days: far enough from expiry not to be refreshed again on the next run.
        "refresh_tokens": {RT: {"access_token": NEW, "expires_in": LIFETIME, "refresh_token": RT2}},
    }))
}

/// What `hf auth login`'s browser flow stores, expiring at `expires_at`, plus a plain login.
fn oauth_login(dir: &Path, refresh_token: &str, expires_at: u64) -> String {
    let stored = format!(
        "[oauth-alice]\nhf_token = {OLD}\nrefresh_token = {refresh_token}\nexpires_at = {expires_at}\n\n[work]\nhf_token = hf_work_token\n\n"
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("stored_tokens"), &stored).unwrap();
    std::fs::write(dir.join("token"), OLD).unwrap();
    stored
}

fn oauth_posts(hub: &FakeHub) -> usize {
    requests_to(hub, "POST", "/oauth/token").len()
}

#[test]
fn refreshes_a_login_close_to_expiry() {
    for custom_path in [false, true] {
        let hub = refresh_hub();
        let home = Home::new();
        let dir = if custom_path { home.path().join("custom") } else { home.hf() };
        oauth_login(&dir, RT, now() + 3600);
        let mut c = home.hfs(&hub, &["auth", "status", "--json"]);
        if custom_path {
            c = c.env("HF_TOKEN_PATH", dir.join("token"));
        }
        let before = now();
        let r = c.run().ok();
        never_shows(&r, OLD);
        never_shows(&r, NEW);
        assert_eq!(r.json()["user"], "after-refresh", "the refreshed token was used: {r:?}");
        assert_eq!(oauth_posts(&hub), 1);
        assert_eq!(std::fs::read_to_string(dir.join("token")).unwrap(), NEW);
        let stored = std::fs::read_to_string(dir.join("stored_tokens")).unwrap();
        let expires: u64 = stored.lines().find_map(|l| l.strip_prefix("expires_at = ")).unwrap().parse().unwrap();
        assert!((before + LIFETIME..=now() + LIFETIME).contains(&expires), "expires_at = now + expires_in: {stored}");
        assert_eq!(
            stored,
            format!(
                "[oauth-alice]\nhf_token = {NEW}\nrefresh_token = {RT2}\nexpires_at = {expires}\n\n[work]\nhf_token = hf_work_token\n\n"
            ),
            "same section, rotated refresh token, the other login untouched"
        );
        #[cfg(unix)]
        {
            assert_eq!(mode(&dir.join("token")), 0o600);
            assert_eq!(mode(&dir.join("stored_tokens")), 0o600);
        }
        // The next run finds a fresh token: no second refresh.
        let r = {
            let c = home.hfs(&hub, &["auth", "status", "--json"]);
            if custom_path { c.env("HF_TOKEN_PATH", dir.join("token")) } else { c }
        }
        .run()
        .ok();
        assert_eq!(r.json()["user"], "after-refresh");
        assert_eq!(oauth_posts(&hub), 1);
    }
}

#[test]
fn refreshes_an_expired_login_even_for_other_commands() {
    let hub = refresh_hub();
    let home = Home::new();
    oauth_login(&home.hf(), RT, now() - 60);
    // Any command that uses the token refreshes it first: here `quota`.
    let r = home.hfs(&hub, &["quota", "--json"]).run().ok();
    never_shows(&r, NEW);
    assert_eq!(oauth_posts(&hub), 1);
    assert_eq!(home.read("hf/token"), NEW);
    let quota = requests_to(&hub, "GET", "/api/spaces/zero-gpu/quota");
    assert!(quota.len() == 1 && quota[0]["authorization"] == true, "{quota:?}");
}

#[test]
fn does_not_refresh_far_from_expiry_or_when_not_asked() {
    let hub = refresh_hub();
    let home = Home::new();
    // More than 24 h left.
    let stored = oauth_login(&home.hf(), RT, now() + 48 * 3600);
    let r = home.hfs(&hub, &["auth", "status", "--json"]).run().ok();
    assert_eq!(r.json()["user"], "before-refresh", "{r:?}");
    assert_eq!(oauth_posts(&hub), 0);
    assert_eq!(home.read("hf/token"), OLD);
    assert_eq!(home.read("hf/stored_tokens"), stored, "files untouched");
    // Due, but the token in use does not come from the file: no refresh.
    oauth_login(&home.hf(), RT, now() + 60);
    let r = home.hfs(&hub, &["auth", "status", "--json"]).env("HF_TOKEN", OLD).run().ok();
    assert_eq!(r.json()["user"], "before-refresh");
    let r = home.hfs(&hub, &["auth", "status", "--json", "--token", OLD]).run().ok();
    assert_eq!(r.json()["user"], "before-refresh");
    home.hfs(&hub, &["auth", "status"]).env("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1").run().fails(1);
    assert_eq!(oauth_posts(&hub), 0, "{:?}", hub.requests());
    // A login without a refresh token (a pasted token) is never refreshed.
    home.write("hf/stored_tokens", &format!("[plain]\nhf_token = {OLD}\nexpires_at = {}\n\n", now()));
    home.hfs(&hub, &["auth", "status"]).run().ok();
    assert_eq!(oauth_posts(&hub), 0);
}

#[test]
fn a_failed_refresh_warns_and_keeps_the_old_token() {
    let hub = refresh_hub();
    let home = Home::new();
    let stored = oauth_login(&home.hf(), "hf_oauth_refresh_revoked_0123456789", now() + 600);
    let r = home.hfs(&hub, &["auth", "status", "--json"]).run().ok();
    assert!(r.stderr.contains("warning:") && r.stderr.contains("hfs auth login"), "{r:?}");
    assert!(r.stderr.contains("invalid_grant"), "the Hub's reason is shown: {r:?}");
    never_shows(&r, OLD);
    assert_eq!(r.json()["user"], "before-refresh");
    assert_eq!(oauth_posts(&hub), 1);
    assert_eq!(home.read("hf/stored_tokens"), stored);
    assert_eq!(home.read("hf/token"), OLD);
}
