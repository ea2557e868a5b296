//! The asynchronous provider flows, synthesised by the fake: status events, failures, timeout
//! with cancel, direct calls with a provider key.

use std::time::Duration;

use hfs_inference::{
    CallOptions, ErrorClass, Flow, InferenceError, InferenceEvent, JobEvent, MediaRequest, Outcome, OutputSpec, ProviderChoice, Task,
};
use serde_json::{Value, json};

use crate::support::{TOKEN, client, fake_with, fast_opts, media, requests_on, run_job};

fn config() -> Value {
    let video = |pid: &str, p: &str| json!({"provider": p, "provider_id": pid, "task": "text-to-video"});
    json!({
        "models": {
            "acme/video": {"pipeline_tag": "text-to-video", "providers": [
                video("fal-ai/acme-video", "fal-ai"), video("acme/video-r", "replicate"),
                video("acme/Video-T", "together"), video("acme/video-w", "wavespeed")]},
            "acme/slow": {"pipeline_tag": "text-to-video", "providers": [video("fal-ai/slow", "fal-ai")]},
            "acme/broken": {"pipeline_tag": "text-to-video", "providers": [video("fal-ai/broken", "fal-ai"), video("acme/broken-w", "wavespeed")]},
            "acme/glm-image": {"pipeline_tag": "text-to-image", "providers": [{"provider": "zai-org", "provider_id": "glm-image", "task": "text-to-image"}]}
        },
        "providers": {
            "fal-ai": {"keys": ["fal_direct_key"], "models": {
                "fal-ai/acme-video": {"result": "video", "steps": 2},
                "fal-ai/slow": {"result": "video", "steps": 100000},
                "fal-ai/broken": {"result": "video", "steps": 1, "fail": true, "error": "GPU on fire"}}},
            "replicate": {"models": {"acme/video-r": {"result": "video", "steps": 2}}},
            "together": {"models": {"acme/Video-T": {"result": "video", "steps": 2}}},
            "wavespeed": {"models": {"acme/video-w": {"result": "video", "steps": 2}, "acme/broken-w": {"result": "video", "steps": 1, "fail": true, "error": "bad prompt"}}},
            "zai-org": {"models": {"glm-image": {"result": "image", "steps": 1}}}
        }
    })
}

#[tokio::test]
async fn every_video_flow_ends_in_an_mp4_with_status_events() {
    let hub = fake_with(config());
    for (provider, flow) in
        [("fal-ai", Flow::FalQueue), ("replicate", Flow::Replicate), ("together", Flow::TogetherVideo), ("wavespeed", Flow::Wavespeed)]
    {
        let c = client(&hub, Some(TOKEN), fast_opts());
        let dir = tempfile::tempdir().unwrap();
        let req = MediaRequest::new("acme/video", ProviderChoice::Named(provider.into())).prompt("a cat surfing");
        let (out, events) = run_job(&c, media(Task::TextToVideo, req, dir.path(), "video"), Default::default()).await;
        let Outcome::Media(out) = out.unwrap_or_else(|e| panic!("{provider}: {e}")) else { panic!("not media") };
        assert_eq!(out.served.flow, flow);
        assert!(out.served.job_id.is_some(), "{provider}");
        let bytes = std::fs::read(&out.file.path).unwrap();
        assert_eq!(&bytes[4..8], b"ftyp", "{provider}: an mp4");
        assert!(out.file.path.ends_with("video.mp4"), "{:?}", out.file.path);
        let statuses = events.iter().filter(|e| matches!(e, InferenceEvent::Status { .. })).count();
        assert!(statuses >= 1, "{provider}: status events");
        assert!(matches!(events.first(), Some(InferenceEvent::Resolved { .. })), "{provider}: {events:?}");
    }
    let assets = requests_on(&hub, "assets");
    assert!(!assets.is_empty() && assets.iter().all(|r| r["authorization"] == false));
}

#[tokio::test]
async fn zai_image_job() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("acme/glm-image", ProviderChoice::Auto).prompt("a cat");
    let out = c.text_to_image(&req, &OutputSpec::new(dir.path(), "image")).await.unwrap();
    assert_eq!(out.served.provider, "zai-org");
    assert_eq!(&std::fs::read(&out.file.path).unwrap()[..4], b"\x89PNG");
}

#[tokio::test]
async fn failed_jobs_carry_the_providers_message() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    for (p, msg) in [("fal-ai", "GPU on fire"), ("wavespeed", "bad prompt")] {
        let req = MediaRequest::new("acme/broken", ProviderChoice::Named(p.into())).prompt("x");
        let e = c.text_to_video(&req, &OutputSpec::new(dir.path(), "v")).await.unwrap_err();
        assert!(matches!(e, InferenceError::JobFailed { .. }), "{p}: {e:?}");
        assert!(e.to_string().contains(msg), "{p}: {e}");
    }
}

#[tokio::test]
async fn a_timeout_cancels_the_fal_job() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("acme/slow", ProviderChoice::Named("fal-ai".into())).prompt("x");
    let opts = CallOptions { timeout: Some(Duration::from_millis(300)) };
    let e = run_job(&c, media(Task::TextToVideo, req, dir.path(), "v"), opts).await.0.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Deadline, "{e:?}");
    let router = requests_on(&hub, "router");
    assert!(router.iter().any(|r| r["method"] == "PUT" && r["path"].as_str().unwrap().ends_with("/cancel")), "{router:?}");
    assert!(router.iter().filter(|r| r["path"].as_str().unwrap().ends_with("/status")).all(|r| r["query"] == "_subdomain=queue"));
}

#[tokio::test]
async fn cancel_stops_polling() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let slow = MediaRequest::new("acme/slow", ProviderChoice::Named("fal-ai".into())).prompt("x");
    let quick = MediaRequest::new("acme/video", ProviderChoice::Named("replicate".into())).prompt("y");
    // Two calls on one client: cancelling one leaves the other alone, and each stream carries
    // only its own call's events.
    let slow_job = c.submit(media(Task::TextToVideo, slow, dir.path(), "slow"), Default::default());
    let quick_job = c.submit(media(Task::TextToVideo, quick, dir.path(), "quick"), Default::default());
    assert_ne!(slow_job.id(), quick_job.id());
    let cancel = slow_job.cancel_handle();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
    });
    let (slow_result, quick_result) = tokio::join!(collect(slow_job), collect(quick_job));
    assert_eq!(slow_result.0.unwrap_err().class(), ErrorClass::Cancelled);
    let Outcome::Media(out) = quick_result.0.unwrap() else { panic!("not media") };
    assert_eq!(out.served.provider, "replicate");
    let providers = |evs: &[InferenceEvent]| {
        evs.iter()
            .filter_map(|e| match e {
                InferenceEvent::Resolved { provider, .. } | InferenceEvent::Submitted { provider, .. } => Some(provider.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(providers(&slow_result.1).iter().all(|p| p == "fal-ai"), "{:?}", slow_result.1);
    assert!(providers(&quick_result.1).iter().all(|p| p == "replicate"), "{:?}", quick_result.1);
    assert!(!providers(&quick_result.1).is_empty());
}

async fn collect(mut job: hfs_inference::InferenceJob) -> (Result<Outcome, InferenceError>, Vec<InferenceEvent>) {
    use futures::StreamExt;
    let mut events = Vec::new();
    while let Some(ev) = job.next().await {
        match ev {
            JobEvent::Progress(e) => events.push(e),
            JobEvent::Completed(o) => return (Ok(o), events),
            JobEvent::Failed(e) => return (Err(e), events),
            JobEvent::Token(_) => {}
        }
    }
    panic!("no end")
}

#[tokio::test]
async fn a_provider_key_goes_direct_with_fals_key_scheme() {
    let hub = fake_with(config());
    let mut opts = fast_opts();
    opts.provider_keys.insert("fal-ai".into(), "fal_direct_key".into());
    // The fake serves the direct API on the same `/{provider}/...` paths.
    opts.provider_urls.insert("fal-ai".into(), url::Url::parse(&format!("{}/fal-ai", hub.router_url)).unwrap());
    let c = client(&hub, Some(TOKEN), opts);
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("acme/video", ProviderChoice::Named("fal-ai".into())).prompt("x");
    let out = c.text_to_video(&req, &OutputSpec::new(dir.path(), "v")).await.unwrap();
    assert!(!out.served.routed);
    let router = requests_on(&hub, "router");
    assert!(router.iter().filter(|r| r["path"].as_str().unwrap().starts_with("/fal-ai")).all(|r| r["query"].is_null()), "{router:?}");
}
