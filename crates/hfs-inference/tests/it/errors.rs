//! Error answers and retries.

use hfs_inference::{ErrorClass, InferenceError, InferenceEvent, MediaRequest, Outcome, OutputSpec, ProviderChoice, Task};
use serde_json::json;

use crate::support::{TOKEN, client, fake, fast_opts, media, requests_on, run_job};

fn flux(provider: &str) -> MediaRequest {
    MediaRequest::new("black-forest-labs/FLUX.1-dev", ProviderChoice::Named(provider.into()))
        .prompt("An astronaut riding a horse on the moon.")
}

#[tokio::test]
async fn recorded_401_says_log_in() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let req = hfs_inference::ChatRequest {
        model: "meta-llama/Meta-Llama-3-70B-Instruct".into(),
        provider: ProviderChoice::Named("hf-inference".into()),
        messages: vec![hfs_inference::ChatMessage::new("user", "please output 'Observation'")],
        max_tokens: Some(200),
        temperature: None,
        stream: false,
        params: Default::default(),
    };
    let e = c.chat(&req, &mut |_| {}).await.unwrap_err();
    let InferenceError::Api { status, next_step, message, .. } = &e else { panic!("{e:?}") };
    assert_eq!(*status, 401);
    assert!(next_step.as_deref().unwrap().contains("valid Hugging Face token"), "{e}");
    assert_eq!(e.hints(), vec![hfs_inference::Hint::LogIn], "a structured hint, no CLI words: {e}");
    assert!(!e.to_string().contains("hfs auth"), "{e}");
    assert!(!message.is_empty());
    assert_eq!(e.class(), ErrorClass::Remote { retryable: false });
}

#[tokio::test]
async fn synthesised_422_names_the_parameter_and_is_not_retried() {
    let hub = fake();
    hub.add_faults(&json!({"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 422,
        "body": {"detail": [{"loc": ["body", "num_inference_steps"], "msg": "ensure this value is less than or equal to 50", "type": "value_error"}]}}));
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let e = c.text_to_image(&flux("fal-ai"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    let InferenceError::Api { status, parameter, next_step, .. } = &e else { panic!("{e:?}") };
    assert_eq!(*status, 422);
    assert_eq!(parameter.as_deref(), Some("num_inference_steps"));
    assert!(next_step.as_deref().unwrap().contains("num_inference_steps"));
    assert!(e.to_string().contains("less than or equal to 50"), "{e}");
    assert_eq!(requests_on(&hub, "router").len(), 1, "no retry for 422");
}

#[tokio::test]
async fn billing_and_not_found_have_next_steps() {
    let hub = fake();
    hub.add_faults(&json!([
        {"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 402, "times": 1,
         "body": {"error": "You have exceeded your monthly included credits for Inference Providers."}},
        {"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 404, "times": 1,
         "body": {"error": "Model not supported by provider fal-ai"}, "headers": {"x-request-id": "Root=1-abc"}}
    ]));
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let e = c.text_to_image(&flux("fal-ai"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    assert_eq!(e.status(), Some(402));
    assert!(e.to_string().contains("billing"), "{e}");
    let e = c.text_to_image(&flux("fal-ai"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    let shown = e.to_string();
    assert!(shown.contains("Root=1-abc") && shown.contains("not served by fal-ai"), "{shown}");
}

#[tokio::test]
async fn a_provider_the_model_lacks_lists_those_that_serve_it() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let e = c.text_to_image(&flux("nscale"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    let InferenceError::NotServedBy { serving, .. } = &e else { panic!("{e:?}") };
    for p in ["fal-ai", "replicate", "together", "hf-inference"] {
        assert!(serving.iter().any(|s| s == p), "{serving:?}");
    }
    assert_eq!(e.class(), ErrorClass::Usage);
    assert!(requests_on(&hub, "router").is_empty(), "nothing sent to the router");
    let e = c.text_to_image(&flux("nope"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    assert!(matches!(e, InferenceError::UnknownProvider { .. }), "{e:?}");
}

#[tokio::test]
async fn a_429_without_retry_after_is_retried_then_succeeds() {
    let hub = fake();
    hub.add_faults(&json!({"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 429, "times": 1}));
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let (out, events) = run_job(&c, media(Task::TextToImage, flux("fal-ai"), dir.path(), "x"), Default::default()).await;
    let Outcome::Media(out) = out.unwrap() else { panic!("not media") };
    assert!(out.file.size > 1000);
    assert_eq!(events.iter().filter(|e| matches!(e, InferenceEvent::Retrying { .. })).count(), 1, "{events:?}");
    assert_eq!(requests_on(&hub, "router").iter().filter(|r| r["path"] == "/fal-ai/fal-ai/flux/dev").count(), 2);
}

#[tokio::test]
async fn a_503_storm_exhausts_the_retry_budget() {
    // A submit is billed work: it is sent again only on a 503 that says when (Retry-After)...
    let hub = fake();
    hub.add_faults(&json!({"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 503, "retry_after": 0}));
    let mut opts = fast_opts();
    opts.retry.max_retries = 2;
    let c = client(&hub, Some(TOKEN), opts);
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let e = c.text_to_image(&flux("fal-ai"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.class(), ErrorClass::Remote { retryable: true });
    assert_eq!(requests_on(&hub, "router").iter().filter(|r| r["path"] == "/fal-ai/fal-ai/flux/dev").count(), 3);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left behind");
    // ...never after a bare 503, which may come from a gateway while the provider runs the job.
    let hub = fake();
    hub.add_faults(&json!({"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 503}));
    let c = client(&hub, Some(TOKEN), fast_opts());
    let e = c.text_to_image(&flux("fal-ai"), &OutputSpec::new(dir.path(), "x")).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(requests_on(&hub, "router").iter().filter(|r| r["path"] == "/fal-ai/fal-ai/flux/dev").count(), 1, "submitted once");
}
