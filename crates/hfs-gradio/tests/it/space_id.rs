//! Connecting by Space id through the fake Hub.

use hfs_gradio::{Client, ClientOptions, Error, HubConfig, Target, Token};
use hfs_testkit::FakeHub;
use serde_json::{Value, json};

use crate::headers::echoed;
use crate::support::*;

per_version!(connect_by_space_id);

/// Ports @gradio/client `process_endpoint` "Space name ⇒ Hub host lookup" and test_client.py
/// "with a token, headers contain x-hf-authorization": the host the Hub gives is trusted for the
/// token (as X-HF-Authorization, never Authorization); an unknown Space is a clear error.
async fn connect_by_space_id(v: V) {
    let main = v.url("main");
    let config = json!({
        "spaces": {"owner/main": {"host": main.trim_end_matches('/'), "stage": "RUNNING", "private": false}},
        "tokens": {"hf_x": {"user": "alice"}},
    });
    let hub = tokio::task::spawn_blocking(move || FakeHub::start(&FakeHub::binary(), &config)).await.unwrap();
    let opts = || ClientOptions {
        hub: HubConfig::new(Some(&hub.url), None).unwrap(),
        token: Token::new("hf_x"),
        headers: vec![("x-test-header".into(), "1".into())],
        ..Default::default()
    };
    let c = Client::connect("owner/main", opts()).await.unwrap();
    assert_eq!(c.target(), &Target::Space("owner/main".into()));
    assert_eq!(c.base_url().as_str(), main);
    assert_eq!(values(&c, "/greet", args().arg("Hub").arg("Hi").arg(false)).await, vec![json!("Hi, Hub.")]);
    let h = echoed(&c).await;
    assert_eq!(h["x-hf-authorization"], "Bearer hf_x", "{h}");
    assert_eq!(h["authorization"], Value::Null, "{h}");
    assert_eq!(h["x-test-header"], "1", "{h}");
    assert_eq!(h["x-gradio-user"], "api", "{h}");

    let log = tokio::task::block_in_place(|| hub.requests());
    let info: Vec<_> = log.iter().filter(|r| r["path"] == "/api/spaces/owner/main").collect();
    assert!(!info.is_empty(), "the Hub was asked for the Space: {log:?}");
    assert!(info.iter().all(|r| r["authorization"] == true), "the Hub gets the token as Authorization: {log:?}");

    let e = Client::connect("owner/missing", opts()).await.unwrap_err();
    assert!(matches!(e, Error::Hub(_)), "{e:?}");
    assert!(e.to_string().contains("owner/missing"), "{e}");
}

/// Ports @gradio/client `spaces` runtime-stage handling and test_client.py "Space in PAUSED
/// state ⇒ error": a sleeping Space is waited for (stages reported), a paused one fails at once.
/// Not Gradio-version dependent: runs once, against the first selected version.
#[tokio::test(flavor = "multi_thread")]
async fn space_stages() {
    let version = hfs_testkit::gradio_versions()[0].clone();
    let main = tokio::task::spawn_blocking(move || hfs_testkit::shared_spaces(&version).url("main").to_string()).await.unwrap();
    let host = main.trim_end_matches('/');
    let config = json!({
        "spaces": {
            "owner/sleepy": {"host": host, "stages": ["SLEEPING", "APP_STARTING", "RUNNING"]},
            "owner/paused": {"host": host, "stage": "PAUSED"},
        },
        "tokens": {"hf_x": {"user": "alice"}},
    });
    let hub = tokio::task::spawn_blocking(move || FakeHub::start(&FakeHub::binary(), &config)).await.unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let opts = ClientOptions {
        hub: HubConfig::new(Some(&hub.url), None).unwrap(),
        token: Token::new("hf_x"),
        on_stage: Some(std::sync::Arc::new(move |s: &hfs_gradio::SpaceStage| log.lock().unwrap().push(s.as_str().to_string()))),
        ..Default::default()
    };
    let c = Client::connect("owner/sleepy", opts.clone()).await.unwrap();
    assert_eq!(values(&c, "/greet", args().arg("Z").arg("Hi").arg(false)).await, vec![json!("Hi, Z.")]);
    assert_eq!(*seen.lock().unwrap(), ["SLEEPING", "APP_STARTING"]);
    let e = Client::connect("owner/paused", opts).await.unwrap_err();
    assert!(matches!(&e, Error::SpaceNotRunning { stage: hfs_gradio::SpaceStage::Paused, .. }), "{e:?}");
    assert!(e.to_string().contains("PAUSED"), "{e}");
}
