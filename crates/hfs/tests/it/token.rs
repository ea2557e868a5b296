//! Where hfs finds the token, with `huggingface_hub`'s rules: `--token`, else `HF_TOKEN`, else
//! `HUGGING_FACE_HUB_TOKEN`, else the token file (`HF_TOKEN_PATH`, else `$HF_HOME/token`,
//! `HF_HOME` defaulting to `${XDG_CACHE_HOME:-~/.cache}/huggingface`);
//! `HF_HUB_DISABLE_IMPLICIT_TOKEN` leaves only `--token`.
//!
//! Observed end to end: a private Space on the fake Hub echoes the `X-HF-Authorization` it got.

use crate::space_id::{hub, not_logged, token_seen, via};
use crate::support::{Hfs, V, any_version};

const T_FLAG: &str = "hf_fromTheFlag_aaaaaaaaaaaaaaaaaaaa";
const T_ENV: &str = "hf_fromHfToken_bbbbbbbbbbbbbbbbbbbb";
const T_LEGACY: &str = "hf_fromHuggingFaceHubToken_cccccccc";
const T_PATH: &str = "hf_fromHfTokenPath_dddddddddddddddd";
const T_HOME: &str = "hf_fromHfHome_eeeeeeeeeeeeeeeeeeee";
const T_XDG: &str = "hf_fromXdgCacheHome_ffffffffffffffff";
const T_DOT: &str = "hf_fromDotCache_gggggggggggggggggggg";
const ALL: &[&str] = &[T_FLAG, T_ENV, T_LEGACY, T_PATH, T_HOME, T_XDG, T_DOT];

any_version!(precedence, token_files, disable_implicit_token, clean_environment_has_no_token);

/// Which token reached the private Space (None: the call failed, e.g. no token at all).
fn used(hub: &hfs_testkit::FakeHub, h: Hfs) -> Option<String> {
    let r = h.args(["call", "tests/private", "/headers", "x", "--json", "-v"]).env("HF_ENDPOINT", &hub.url).run();
    for t in ALL {
        not_logged(&r, t);
    }
    match r.code {
        Some(0) => token_seen(&r),
        _ => {
            assert!(r.stderr.contains("HF_TOKEN"), "{r:?}");
            None
        }
    }
}

/// An `Hfs` whose token files (all three default locations and one for `HF_TOKEN_PATH`) exist.
fn with_files(path_file: bool) -> Hfs {
    let h = Hfs::new();
    let home = h.home().to_path_buf();
    for (dir, token) in [("hf", T_HOME), ("cache/huggingface", T_XDG), (".cache/huggingface", T_DOT)] {
        std::fs::create_dir_all(home.join(dir)).unwrap();
        std::fs::write(home.join(dir).join("token"), format!("{token}\n")).unwrap();
    }
    std::fs::write(home.join("custom-token"), format!("  {T_PATH}\n")).unwrap();
    if path_file { h.env("HF_TOKEN_PATH", home.join("custom-token")) } else { h }
}

fn precedence(v: V) {
    let hub = hub(&v, ALL);
    let all = || with_files(true).env("HF_TOKEN", T_ENV).env("HUGGING_FACE_HUB_TOKEN", T_LEGACY);
    assert_eq!(used(&hub, all().args(["--token", T_FLAG])).as_deref(), Some(T_FLAG));
    assert_eq!(used(&hub, all()).as_deref(), Some(T_ENV));
    assert_eq!(used(&hub, with_files(true).env("HUGGING_FACE_HUB_TOKEN", T_LEGACY)).as_deref(), Some(T_LEGACY));
    // An empty variable counts as unset.
    assert_eq!(used(&hub, with_files(true).env("HF_TOKEN", "").env("HUGGING_FACE_HUB_TOKEN", T_LEGACY)).as_deref(), Some(T_LEGACY));
    assert_eq!(used(&hub, with_files(true)).as_deref(), Some(T_PATH), "HF_TOKEN_PATH, whitespace trimmed");
}

fn token_files(v: V) {
    let hub = hub(&v, ALL);
    assert_eq!(used(&hub, with_files(false)).as_deref(), Some(T_HOME), "$HF_HOME/token");
    assert_eq!(used(&hub, with_files(false).env_remove("HF_HOME")).as_deref(), Some(T_XDG), "$XDG_CACHE_HOME/huggingface/token");
    assert_eq!(
        used(&hub, with_files(false).env_remove("HF_HOME").env_remove("XDG_CACHE_HOME")).as_deref(),
        Some(T_DOT),
        "~/.cache/huggingface/token"
    );
    // A token file that does not exist: no token (HF_TOKEN_PATH does not fall back).
    let h = with_files(false);
    let missing = h.home().join("missing");
    assert_eq!(used(&hub, h.env("HF_TOKEN_PATH", missing)), None);
}

fn disable_implicit_token(v: V) {
    let hub = hub(&v, ALL);
    let off = || with_files(true).env("HF_TOKEN", T_ENV).env("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1");
    assert_eq!(used(&hub, off()), None, "HF_HUB_DISABLE_IMPLICIT_TOKEN=1 ignores HF_TOKEN and files");
    assert_eq!(used(&hub, off().args(["--token", T_FLAG])).as_deref(), Some(T_FLAG), "but not --token");
}

/// The test environment itself: no token anywhere, whatever the developer's machine has.
fn clean_environment_has_no_token(v: V) {
    let hub = hub(&v, ALL);
    let r = via(&hub, &["call", "tests/main", "/headers", "x", "--json", "-v"]).run().ok();
    assert_eq!(token_seen(&r), None);
    assert!(!r.stderr.contains("using a Hugging Face token"), "{r:?}");
    assert!(hub.requests().iter().all(|q| q["authorization"] == false), "{:?}", hub.requests());
}
