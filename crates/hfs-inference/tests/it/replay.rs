//! The recorded cassettes, replayed by the fake: outputs on disk are the recorded bytes.

use hfs_inference::{ChatMessage, ChatRequest, InputFile, MediaRequest, OutputSpec, ProviderChoice};

use crate::cassettes::response_body;
use crate::support::{TOKEN, client, fake, fast_opts, requests_on};

fn named(p: &str) -> ProviderChoice {
    ProviderChoice::Named(p.into())
}

#[tokio::test]
async fn text_to_image_hf_inference_raw_bytes() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("CompVis/stable-diffusion-v1-4", named("hf-inference")).prompt("An astronaut riding a horse on the moon.");
    let out = c.text_to_image(&req, &OutputSpec::new(dir.path(), "image")).await.unwrap();
    let want = response_body("TestInferenceClient.test_text_to_image_default[hf-inference,text-to-image].yaml", "/hf-inference/models/");
    assert_eq!(std::fs::read(&out.file.path).unwrap(), want);
    assert!(out.file.path.ends_with("image.jpg"), "{:?}", out.file.path);
    assert_eq!(out.served.provider, "hf-inference");
    assert!(out.served.routed);
}

#[tokio::test]
async fn text_to_image_fal_downloads_the_png_without_a_token() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("black-forest-labs/FLUX.1-dev", named("fal-ai")).prompt("An astronaut riding a horse on the moon.");
    let out = c.text_to_image(&req, &OutputSpec::new(dir.path(), "image")).await.unwrap();
    let want = response_body("TestInferenceClient.test_text_to_image_default[fal-ai,text-to-image].yaml", "fal.media");
    assert_eq!(&want[..4], b"\x89PNG");
    assert_eq!(std::fs::read(&out.file.path).unwrap(), want);
    assert!(out.file.path.ends_with("image.png"));
    assert_eq!(out.served.provider_model, "fal-ai/flux/dev");
    let assets = requests_on(&hub, "assets");
    assert_eq!(assets.len(), 1, "{assets:?}");
    assert_eq!(assets[0]["authorization"], false, "the CDN never gets the token");
    assert_eq!(assets[0]["x_hf_authorization"], false);
    let router = requests_on(&hub, "router");
    assert!(router.iter().all(|r| r["authorization"] == true));
}

#[tokio::test]
async fn text_to_image_replicate_versioned_prediction() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("ByteDance/SDXL-Lightning", named("replicate")).prompt("An astronaut riding a horse on the moon.");
    let out = c.text_to_image(&req, &OutputSpec::new(dir.path(), "image")).await.unwrap();
    let want = response_body("TestInferenceClient.test_text_to_image_default[replicate,text-to-image].yaml", "replicate.delivery");
    assert_eq!(std::fs::read(&out.file.path).unwrap(), want);
    let router = requests_on(&hub, "router");
    assert!(router.iter().any(|r| r["path"] == "/replicate/v1/predictions"), "{router:?}");
}

#[tokio::test]
async fn text_to_speech_hf_inference_flac() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("espnet/kan-bayashi_ljspeech_vits", named("hf-inference")).prompt("Hello world");
    let out = c.text_to_speech(&req, &OutputSpec::new(dir.path(), "speech")).await.unwrap();
    let want = response_body("TestInferenceClient.test_text_to_speech[hf-inference,text-to-speech].yaml", "/hf-inference/models/");
    assert_eq!(std::fs::read(&out.file.path).unwrap(), want);
    assert!(out.file.path.ends_with("speech.flac"), "{:?}", out.file.path);
}

#[tokio::test]
async fn speech_recognition_hf_inference() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    let audio = InputFile::from_bytes(b"fLaC\0\0\0\"".to_vec(), "audio/flac");
    let req = MediaRequest::new("jonatasgrosman/wav2vec2-large-xlsr-53-english", named("hf-inference")).input(audio);
    let t = c.speech_to_text(&req).await.unwrap();
    let want: serde_json::Value = serde_json::from_slice(&response_body(
        "TestInferenceClient.test_automatic_speech_recognition[hf-inference,automatic-speech-recognition].yaml",
        "router.huggingface.co",
    ))
    .unwrap();
    assert_eq!(t.text, want["text"].as_str().unwrap());
}

fn chat_req(model: &str, provider: &str, stream: bool) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        provider: named(provider),
        messages: vec![ChatMessage::new("system", "You are a helpful assistant."), ChatMessage::new("user", "What is deep learning?")],
        max_tokens: stream.then_some(20),
        temperature: None,
        stream,
        params: Default::default(),
    }
}

#[tokio::test]
async fn chat_plain_and_streamed_match_the_recordings() {
    let hub = fake();
    let c = client(&hub, Some(TOKEN), fast_opts());
    for provider in ["together", "cerebras"] {
        let (model, tag) = match provider {
            "together" => ("meta-llama/Meta-Llama-3-8B-Instruct", "together,conversational"),
            _ => ("meta-llama/Llama-3.3-70B-Instruct", "cerebras,conversational"),
        };
        let plain = c.chat(&chat_req(model, provider, false), &mut |_| {}).await.unwrap();
        let rec: serde_json::Value = serde_json::from_slice(&response_body(
            &format!("TestInferenceClient.test_chat_completion_no_stream[{tag}].yaml"),
            "/v1/chat/completions",
        ))
        .unwrap();
        assert_eq!(plain.content, rec["choices"][0]["message"]["content"].as_str().unwrap(), "{provider}");
        assert_eq!(plain.provider, provider);

        let mut streamed = String::new();
        let r = c.chat(&chat_req(model, provider, true), &mut |t| streamed.push_str(t)).await.unwrap();
        let sse = String::from_utf8(response_body(
            &format!("TestInferenceClient.test_chat_completion_with_stream[{tag}].yaml"),
            "/v1/chat/completions",
        ))
        .unwrap();
        let want: String = sse
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter(|d| d.trim() != "[DONE]")
            .filter_map(|d| serde_json::from_str::<serde_json::Value>(d.trim()).ok())
            .filter_map(|v| v["choices"][0]["delta"]["content"].as_str().map(str::to_string))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(streamed, want, "{provider}");
        assert_eq!(r.content, want);

        // As a job, the same pieces arrive as Token events before Completed.
        use futures::StreamExt;
        let mut job = c.submit(hfs_inference::InferenceTask::Chat { request: chat_req(model, provider, true) }, Default::default());
        let mut tokens = String::new();
        let mut done = None;
        while let Some(ev) = job.next().await {
            match ev {
                hfs_inference::JobEvent::Token(t) => tokens.push_str(&t),
                hfs_inference::JobEvent::Completed(hfs_inference::Outcome::Chat(r)) => done = Some(r),
                hfs_inference::JobEvent::Failed(e) => panic!("{provider}: {e}"),
                _ => {}
            }
        }
        assert_eq!(tokens, want, "{provider}");
        assert_eq!(done.expect("completed").content, want);
    }
}
