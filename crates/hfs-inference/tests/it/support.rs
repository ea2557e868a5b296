use std::time::Duration;

use hfs_inference::{InferenceClient, InferenceOptions};
use hfs_testkit::FakeHub;
use serde_json::{Value, json};

pub const TOKEN: &str = "hf_inference_test";

pub fn fake() -> FakeHub {
    fake_with(json!({}))
}

/// A fake with our token plus `extra` config fields.
pub fn fake_with(extra: Value) -> FakeHub {
    let mut cfg = json!({"tokens": {TOKEN: {"user": "alice"}}});
    if let (Some(c), Some(e)) = (cfg.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    FakeHub::start(&FakeHub::binary(), &cfg)
}

pub fn fast_opts() -> InferenceOptions {
    let mut o = InferenceOptions::default();
    o.retry.base_delay = Duration::from_millis(10);
    o.retry.max_delay = Duration::from_millis(40);
    o.poll_interval = Some(Duration::from_millis(20));
    o
}

pub fn client(hub: &FakeHub, token: Option<&str>, opts: InferenceOptions) -> InferenceClient {
    let config = hfs_hub::HubConfig::new(Some(&hub.url), Some(&hub.router_url)).unwrap();
    let http = reqwest::Client::builder().user_agent("hfs-inference-tests").redirect(reqwest::redirect::Policy::none()).build().unwrap();
    InferenceClient::with_token(http, config, token.and_then(hfs_hub::Token::new), opts)
}

/// Requests the fake logged on one listener (`hub`, `router`, `assets`).
pub fn requests_on(hub: &FakeHub, origin: &str) -> Vec<Value> {
    hub.requests().into_iter().filter(|r| r["origin"] == origin).collect()
}

/// Runs one job to its end: its outcome and every event it reported, in order.
pub async fn run_job(
    c: &InferenceClient,
    task: hfs_inference::InferenceTask,
    opts: hfs_inference::CallOptions,
) -> (Result<hfs_inference::Outcome, hfs_inference::InferenceError>, Vec<hfs_inference::InferenceEvent>) {
    use futures::StreamExt;
    let mut job = c.submit(task, opts);
    let mut events = Vec::new();
    while let Some(ev) = job.next().await {
        match ev {
            hfs_inference::JobEvent::Progress(e) => events.push(e),
            hfs_inference::JobEvent::Token(_) => {}
            hfs_inference::JobEvent::Completed(o) => return (Ok(o), events),
            hfs_inference::JobEvent::Failed(e) => return (Err(e), events),
        }
    }
    panic!("the job's stream ended without Completed or Failed");
}

/// A media task for [`run_job`].
pub fn media(
    task: hfs_inference::Task,
    req: hfs_inference::MediaRequest,
    dir: &std::path::Path,
    stem: &str,
) -> hfs_inference::InferenceTask {
    hfs_inference::InferenceTask::Media { task, request: req, output: hfs_inference::OutputSpec::new(dir, stem) }
}
