//! Space info, host and runtime routes, and the stage script.

mod common;

use common::{FakeHub, TOKEN};
use serde_json::{Value, json};

fn hub_with(spaces: Value) -> FakeHub {
    FakeHub::start(Some(&json!({
        "spaces": spaces,
        "tokens": { TOKEN: { "user": "alice", "orgs": ["acme"] } },
    })))
}

#[test]
fn space_info_mirrors_the_real_hub_fields() {
    let hub = hub_with(json!({"owner/My_Space.v2": {
        "host": "http://127.0.0.1:1234", "stage": "RUNNING", "private": false,
        "hardware": "zero-a10g", "sdk": "gradio", "sdk_version": "6.31.0", "likes": 3,
        "error_message": null,
    }}));
    let r = hub.get("/api/spaces/owner/My_Space.v2");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    let v = r.json();
    assert_eq!(v["id"], "owner/My_Space.v2");
    assert_eq!(v["author"], "owner");
    assert_eq!(v["_id"].as_str().unwrap().len(), 24);
    assert_eq!(v["sha"].as_str().unwrap().len(), 40);
    assert!(v["lastModified"].is_string() && v["createdAt"].is_string());
    assert_eq!((v["private"].clone(), v["gated"].clone(), v["disabled"].clone()), (json!(false), json!(false), json!(false)));
    assert_eq!(v["host"], "http://127.0.0.1:1234");
    assert_eq!(v["subdomain"], "owner-my-space-v2");
    assert_eq!(v["likes"], 3);
    assert_eq!(v["sdk"], "gradio");
    assert!(v["tags"].as_array().unwrap().contains(&json!("gradio")));
    assert_eq!(v["cardData"]["sdk_version"], "6.31.0");
    assert_eq!(v["siblings"][0]["rfilename"], ".gitattributes");
    let rt = &v["runtime"];
    assert_eq!(rt["stage"], "RUNNING");
    assert_eq!(rt["hardware"], json!({"current": "zero-a10g", "requested": "zero-a10g"}));
    assert_eq!(rt["storage"], Value::Null);
    assert_eq!(rt["gcTimeout"], 172800);
    assert_eq!(rt["replicas"], json!({"requested": 1, "current": 1}));
    assert_eq!(rt["devMode"], false);
    assert_eq!(rt["domains"], json!([{"domain": "127.0.0.1:1234", "stage": "READY"}]));
    assert!(rt.get("errorMessage").is_none());

    // The revision form answers the same Space.
    let rev = hub.get("/api/spaces/owner/My_Space.v2/revision/main").json();
    assert_eq!(rev["id"], "owner/My_Space.v2");
}

#[test]
fn only_host_is_required_and_defaults_apply() {
    let hub = hub_with(json!({"a/b": {"host": "http://127.0.0.1:9"}}));
    let v = hub.get("/api/spaces/a/b").json();
    assert_eq!(v["private"], false);
    assert_eq!(v["sdk"], "gradio");
    assert_eq!(v["runtime"]["stage"], "RUNNING");
    assert_eq!(v["runtime"]["hardware"]["current"], "cpu-basic");
    assert_eq!(v["likes"], 0);
    assert!(v["cardData"].get("sdk_version").is_none());
}

#[test]
fn hardware_current_is_null_when_not_running() {
    let hub = hub_with(json!({"a/sleepy": {"host": "http://127.0.0.1:9", "stage": "SLEEPING", "hardware": "t4-small"}}));
    for rt in [hub.get("/api/spaces/a/sleepy/runtime").json(), hub.get("/api/spaces/a/sleepy").json()["runtime"].clone()] {
        assert_eq!(rt["stage"], "SLEEPING");
        assert_eq!(rt["hardware"], json!({"current": null, "requested": "t4-small"}));
        assert_eq!(rt["replicas"], json!({"requested": 1}));
    }
}

#[test]
fn host_route_gives_host_and_subdomain() {
    let hub = hub_with(json!({"Owner/Name": {"host": "http://127.0.0.1:4321"}}));
    let r = hub.get("/api/spaces/Owner/Name/host");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"host": "http://127.0.0.1:4321", "subdomain": "owner-name"}));
}

#[test]
fn runtime_carries_error_message_only_when_configured() {
    let hub = hub_with(json!({
        "a/broken": {"host": "http://127.0.0.1:9", "stage": "RUNTIME_ERROR", "error_message": "Exit code: 1"},
        "a/fine": {"host": "http://127.0.0.1:9"},
    }));
    let broken = hub.get("/api/spaces/a/broken/runtime").json();
    assert_eq!(broken["stage"], "RUNTIME_ERROR");
    assert_eq!(broken["errorMessage"], "Exit code: 1");
    assert_eq!(broken["hardware"]["current"], Value::Null);
    let fine = hub.get("/api/spaces/a/fine/runtime").json();
    assert_eq!(fine["stage"], "RUNNING");
    assert!(fine.get("errorMessage").is_none(), "{fine}");
}

#[test]
fn stage_script_steps_on_runtime_and_info_and_last_repeats() {
    let hub = hub_with(json!({"a/waking": {
        "host": "http://127.0.0.1:9", "stage": "PAUSED",
        "stages": ["SLEEPING", "APP_STARTING", "RUNNING"],
    }}));
    let stage = |path: &str| -> String {
        let v = hub.get(path).json();
        let rt = if path.ends_with("/runtime") { v } else { v["runtime"].clone() };
        rt["stage"].as_str().unwrap().to_string()
    };
    assert_eq!(stage("/api/spaces/a/waking/runtime"), "SLEEPING");
    // /host does not consume a step.
    assert_eq!(hub.get("/api/spaces/a/waking/host").status, 200);
    assert_eq!(stage("/api/spaces/a/waking"), "APP_STARTING");
    assert_eq!(stage("/api/spaces/a/waking/runtime"), "RUNNING");
    assert_eq!(stage("/api/spaces/a/waking/runtime"), "RUNNING");
    assert_eq!(stage("/api/spaces/a/waking"), "RUNNING");
}

#[test]
fn refused_requests_do_not_advance_the_script() {
    let hub = hub_with(json!({"acme/secret": {
        "host": "http://127.0.0.1:9", "private": true, "stages": ["BUILDING", "RUNNING"],
    }}));
    assert_eq!(hub.get("/api/spaces/acme/secret/runtime").status, 401);
    assert_eq!(hub.get_auth("/api/spaces/acme/secret/runtime").json()["stage"], "BUILDING");
    assert_eq!(hub.get_auth("/api/spaces/acme/secret/runtime").json()["stage"], "RUNNING");
}

#[test]
fn timed_stage_script_follows_the_clock() {
    let hub = hub_with(json!({"a/clock": {
        "host": "http://127.0.0.1:9", "stage": "PAUSED",
        "stages": [["SLEEPING", 0], ["APP_STARTING", 1.5], ["RUNNING", 3]],
    }}));
    let stage = || hub.get("/api/spaces/a/clock/runtime").json()["stage"].clone();
    assert_eq!(stage(), "SLEEPING");
    // Requests alone do not move a timed script on.
    assert_eq!(stage(), "SLEEPING");
    std::thread::sleep(std::time::Duration::from_millis(2000));
    assert_eq!(stage(), "APP_STARTING");
    assert_eq!(hub.get("/api/spaces/a/clock").json()["runtime"]["stage"], "APP_STARTING");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(stage(), "RUNNING");
    assert_eq!(hub.get("/api/spaces/a/clock/runtime").json()["hardware"]["current"], "cpu-basic");
}

#[test]
fn timed_script_counts_from_when_the_space_was_put() {
    let hub = hub_with(json!({}));
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let r = hub.put_space("a/late", &json!({"host": "http://127.0.0.1:9", "stage": "BUILDING", "stages": [["RUNNING", 1]]}));
    assert_eq!(r.status, 200, "{}", r.body);
    // The fake has run for over a second, but this Space only just appeared.
    assert_eq!(hub.get("/api/spaces/a/late/runtime").json()["stage"], "BUILDING");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    assert_eq!(hub.get("/api/spaces/a/late/runtime").json()["stage"], "RUNNING");
}
