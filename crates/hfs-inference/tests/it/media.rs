//! Media tasks beyond text-to-video, against the fake's synthesised flows: image-to-image and
//! image-to-video with a real input file (checking the data URL the provider received),
//! text-to-speech, speech recognition, embeddings, base64 images, novita video, and
//! `X-HF-Bill-To` on routed calls only (never on the asset CDN, never direct).

use base64::Engine;
use hfs_inference::{Flow, InputFile, MediaRequest, OutputSpec, ProviderChoice};
use serde_json::{Map, Value, json};

use crate::support::{TOKEN, client, fake_with, fast_opts, requests_on};

/// A small input "image": PNG magic plus a marker, so the data URL can only come from it.
const INPUT: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR hfs input image marker";

fn input_data_url() -> String {
    format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(INPUT))
}

fn config() -> Value {
    let m = |p: &str, pid: &str, task: &str| json!({"provider": p, "provider_id": pid, "task": task});
    json!({
        "models": {
            "acme/edit": {"pipeline_tag": "image-to-image", "providers": [
                m("fal-ai", "fal-ai/acme-edit", "image-to-image"), m("replicate", "acme/edit-r", "image-to-image")]},
            "acme/animate": {"pipeline_tag": "image-to-video", "providers": [
                m("fal-ai", "fal-ai/acme-i2v", "image-to-video"), m("together", "acme/I2V-T", "image-to-video"),
                m("wavespeed", "acme/i2v-w", "image-to-video")]},
            "acme/tts": {"pipeline_tag": "text-to-speech", "providers": [
                m("fal-ai", "fal-ai/acme-tts", "text-to-speech"), m("replicate", "acme/tts-r", "text-to-speech")]},
            "acme/asr": {"pipeline_tag": "automatic-speech-recognition", "providers": [
                m("fal-ai", "fal-ai/acme-whisper", "automatic-speech-recognition")]},
            "acme/embed": {"pipeline_tag": "feature-extraction", "providers": [
                m("hf-inference", "acme/embed", "feature-extraction"), m("together", "acme/Embed-T", "feature-extraction")]},
            "acme/paint": {"pipeline_tag": "text-to-image", "providers": [
                m("together", "acme/Paint-T", "text-to-image"), m("nscale", "acme/paint-n", "text-to-image")]},
            "acme/nvideo": {"pipeline_tag": "text-to-video", "providers": [m("novita", "acme/nvideo-n", "text-to-video")]}
        },
        "providers": {
            "fal-ai": {"keys": ["fal_direct_key"], "models": {
                "fal-ai/acme-edit": {"result": "image", "steps": 2},
                "fal-ai/acme-i2v": {"result": "video", "steps": 2},
                "fal-ai/acme-tts": {"result": "audio"},
                "fal-ai/acme-whisper": {"result": "text", "text": "fal heard you"}}},
            "replicate": {"models": {
                "acme/edit-r": {"result": "image", "steps": 2},
                "acme/tts-r": {"result": "audio", "steps": 1}}},
            "together": {"models": {
                "acme/I2V-T": {"result": "video", "steps": 2},
                "acme/Embed-T": {"result": "embedding", "dims": 3},
                "acme/Paint-T": {"result": "image"}}},
            "wavespeed": {"models": {"acme/i2v-w": {"result": "video", "steps": 2}}},
            "hf-inference": {"models": {"acme/embed": {"result": "embedding", "dims": 5}}},
            "nscale": {"models": {"acme/paint-n": {"result": "image"}}},
            "novita": {"models": {"acme/nvideo-n": {"result": "video"}}}
        }
    })
}

/// The JSON bodies the fake's router received on paths containing `part`.
fn bodies(hub: &hfs_testkit::FakeHub, part: &str) -> Vec<Value> {
    requests_on(hub, "router")
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().contains(part))
        .map(|r| r["body"].clone())
        .collect()
}

async fn input_file(dir: &std::path::Path) -> InputFile {
    let path = dir.join("in.png");
    std::fs::write(&path, INPUT).unwrap();
    let f = InputFile::read(&path).await.unwrap();
    assert_eq!(f.mime, "image/png");
    f
}

#[tokio::test]
async fn image_to_image_sends_the_input_as_a_data_url() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path()).await;
    for (provider, flow) in [("fal-ai", Flow::FalQueue), ("replicate", Flow::Replicate)] {
        let req = MediaRequest::new("acme/edit", ProviderChoice::Named(provider.into())).prompt("make it blue").input(input.clone());
        let out = c.image_to_image(&req, &OutputSpec::new(dir.path(), "edit")).await.unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(out.served.flow, flow, "{provider}");
        assert_eq!(&std::fs::read(&out.file.path).unwrap()[..4], b"\x89PNG", "{provider}");
    }
    let u = input_data_url();
    let fal = bodies(&hub, "/fal-ai/fal-ai/acme-edit");
    assert_eq!(fal, [json!({"image_url": u, "image_urls": [u], "prompt": "make it blue"})]);
    let submits: Vec<Value> = requests_on(&hub, "router").into_iter().filter(|r| r["path"] == "/fal-ai/fal-ai/acme-edit").collect();
    assert_eq!(submits[0]["query"], "_subdomain=queue", "i2i goes through fal's queue");
    let rep = bodies(&hub, "/replicate/v1/models/acme/edit-r/predictions");
    assert_eq!(rep, [json!({"input": {"prompt": "make it blue", "image": u, "images": [u], "input_image": u, "input_images": [u]}})]);
}

#[tokio::test]
async fn image_to_video_sends_the_input_as_each_provider_wants_it() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path()).await;
    for (provider, flow) in [("fal-ai", Flow::FalQueue), ("together", Flow::TogetherVideo), ("wavespeed", Flow::Wavespeed)] {
        let req = MediaRequest::new("acme/animate", ProviderChoice::Named(provider.into())).prompt("it walks").input(input.clone());
        let out = c.image_to_video(&req, &OutputSpec::new(dir.path(), "anim")).await.unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(out.served.flow, flow, "{provider}");
        assert!(out.served.job_id.is_some(), "{provider}");
        assert_eq!(&std::fs::read(&out.file.path).unwrap()[4..8], b"ftyp", "{provider}: an mp4");
    }
    let u = input_data_url();
    assert_eq!(bodies(&hub, "/fal-ai/fal-ai/acme-i2v"), [json!({"image_url": u, "prompt": "it walks"})]);
    assert_eq!(
        bodies(&hub, "/together/v2/videos"),
        [json!({"prompt": "it walks", "model": "acme/I2V-T", "frame_images": [{"input_image": u, "frame": "first"}]})]
    );
    assert_eq!(bodies(&hub, "/wavespeed/api/v3/acme/i2v-w"), [json!({"prompt": "it walks", "image": u})]);
}

#[tokio::test]
async fn bill_to_goes_on_routed_calls_only() {
    let hub = fake_with(config());
    let mut opts = fast_opts();
    opts.bill_to = Some("acme-org".into());
    let c = client(&hub, Some(TOKEN), opts.clone());
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path()).await;
    let req = MediaRequest::new("acme/animate", ProviderChoice::Named("fal-ai".into())).prompt("x").input(input.clone());
    c.image_to_video(&req, &OutputSpec::new(dir.path(), "v")).await.unwrap();
    let router = requests_on(&hub, "router");
    assert!(router.len() >= 3, "submit, status, result: {router:?}");
    assert!(router.iter().all(|r| r["bill_to"] == "acme-org"), "{router:?}");
    let assets = requests_on(&hub, "assets");
    assert!(!assets.is_empty());
    assert!(assets.iter().all(|r| r.get("bill_to").is_none() && r["authorization"] == false), "{assets:?}");
    // The Hub's mapping lookup is not an inference call.
    assert!(requests_on(&hub, "hub").iter().all(|r| r.get("bill_to").is_none()));

    // Direct calls never carry it.
    let before = requests_on(&hub, "router").len();
    opts.provider_keys.insert("fal-ai".into(), "fal_direct_key".into());
    opts.provider_urls.insert("fal-ai".into(), url::Url::parse(&format!("{}/fal-ai", hub.router_url)).unwrap());
    let c = client(&hub, Some(TOKEN), opts);
    let out = c.image_to_video(&req, &OutputSpec::new(dir.path(), "v")).await.unwrap();
    assert!(!out.served.routed);
    let direct = &requests_on(&hub, "router")[before..];
    assert!(!direct.is_empty() && direct.iter().all(|r| r.get("bill_to").is_none()), "{direct:?}");
}

#[tokio::test]
async fn speech_through_fal_and_replicate_is_a_wav() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    for provider in ["fal-ai", "replicate"] {
        let req = MediaRequest::new("acme/tts", ProviderChoice::Named(provider.into())).prompt("Hello there");
        let out = c.text_to_speech(&req, &OutputSpec::new(dir.path(), "speech")).await.unwrap_or_else(|e| panic!("{provider}: {e}"));
        let bytes = std::fs::read(&out.file.path).unwrap();
        assert_eq!(&bytes[..4], b"RIFF", "{provider}");
        assert!(out.file.path.extension().is_some_and(|e| e == "wav"), "{:?}", out.file.path);
    }
    assert_eq!(bodies(&hub, "/fal-ai/fal-ai/acme-tts"), [json!({"text": "Hello there"})]);
    assert_eq!(bodies(&hub, "/replicate/v1/models/acme/tts-r/predictions"), [json!({"input": {"text": "Hello there"}})]);
}

#[tokio::test]
async fn fal_transcribes_a_data_url() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let wav = b"RIFF\x24\0\0\0WAVEfmt hfs audio".to_vec();
    let req = MediaRequest::new("acme/asr", ProviderChoice::Named("fal-ai".into())).input(InputFile::from_bytes(wav.clone(), "audio/wav"));
    let t = c.speech_to_text(&req).await.unwrap();
    assert_eq!(t.text, "fal heard you");
    assert_eq!(t.served.provider, "fal-ai");
    assert!(t.chunks.is_some());
    let want = format!("data:audio/x-wav;base64,{}", base64::engine::general_purpose::STANDARD.encode(&wav));
    assert_eq!(bodies(&hub, "/fal-ai/fal-ai/acme-whisper"), [json!({"audio_url": want})], "fal's accepted WAV type");
}

#[tokio::test]
async fn embeddings_from_hf_inference_and_together() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let inputs = ["a".to_string(), "b".to_string()];
    for (provider, dims, path) in
        [("hf-inference", 5, "/hf-inference/models/acme/embed/pipeline/feature-extraction"), ("together", 3, "/together/v1/embeddings")]
    {
        let (v, served) = c
            .feature_extraction("acme/embed", &ProviderChoice::Named(provider.into()), &inputs, Map::new())
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(served.provider, provider);
        let rows = v.as_array().unwrap_or_else(|| panic!("{provider}: {v}"));
        assert_eq!(rows.len(), 2, "{provider}: {v}");
        assert!(rows.iter().all(|r| r.as_array().is_some_and(|x| x.len() == dims && x.iter().all(Value::is_f64))), "{provider}: {v}");
        assert_eq!(bodies(&hub, path).len(), 1, "{provider}");
    }
    assert_eq!(bodies(&hub, "/together/v1/embeddings")[0], json!({"input": ["a", "b"], "model": "acme/Embed-T"}));
    assert_eq!(bodies(&hub, "/hf-inference/models/acme/embed/pipeline")[0], json!({"inputs": ["a", "b"]}));
}

#[tokio::test]
async fn together_and_nscale_images_are_decoded_from_base64() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let mut params = Map::new();
    params.insert("width".into(), json!(64));
    params.insert("height".into(), json!(32));
    for provider in ["together", "nscale"] {
        let req = MediaRequest::new("acme/paint", ProviderChoice::Named(provider.into())).prompt("a fox").params(params.clone());
        let out = c.text_to_image(&req, &OutputSpec::new(dir.path(), "paint")).await.unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(&std::fs::read(&out.file.path).unwrap()[..8], b"\x89PNG\r\n\x1a\n", "{provider}");
    }
    assert!(requests_on(&hub, "assets").is_empty(), "base64 answers need no download");
    assert_eq!(
        bodies(&hub, "/nscale/v1/images/generations"),
        [json!({"response_format": "b64_json", "prompt": "a fox", "model": "acme/paint-n", "size": "64x32"})]
    );
    assert_eq!(bodies(&hub, "/together/v1/images/generations")[0]["response_format"], "base64");
}

#[tokio::test]
async fn novita_text_to_video_downloads_the_video_url() {
    let hub = fake_with(config());
    let c = client(&hub, Some(TOKEN), fast_opts());
    let dir = tempfile::tempdir().unwrap();
    let req = MediaRequest::new("acme/nvideo", ProviderChoice::Auto).prompt("a boat");
    let out = c.text_to_video(&req, &OutputSpec::new(dir.path(), "boat")).await.unwrap();
    assert_eq!(out.served.provider, "novita");
    assert_eq!(&std::fs::read(&out.file.path).unwrap()[4..8], b"ftyp");
    assert_eq!(bodies(&hub, "/novita/v3/hf/acme/nvideo-n"), [json!({"prompt": "a boat"})]);
    assert!(requests_on(&hub, "assets").iter().all(|r| r["authorization"] == false));
}
