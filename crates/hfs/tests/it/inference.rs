//! `hfs image`, `video`, `speech`, `transcribe` and `chat`: the real binary against the fake
//! router, which replays the recorded cassettes (`tests/fixtures/hf-cassettes/`) and
//! synthesises the asynchronous provider flows. Recorded bodies are read from the YAML here,
//! independently of the fake, so "the file on disk is the recording" is checked for real.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use hfs_testkit::FakeHub;
use serde_json::{Value, json};

use crate::support::{Hfs, Home, fake};
use crate::support::{Run, list_dir};

const TOKEN: &str = "hf_inference_cli";
const FLUX: &str = "black-forest-labs/FLUX.1-dev";
const PROMPT: &str = "An astronaut riding a horse on the moon.";

fn hub() -> FakeHub {
    fake(&json!({
        "tokens": {TOKEN: {"user": "alice"}},
        "models": {
            "acme/video": {"pipeline_tag": "text-to-video", "providers": [{"provider": "fal-ai", "provider_id": "fal-ai/acme-video", "task": "text-to-video"}]},
            "acme/slow": {"pipeline_tag": "text-to-video", "providers": [{"provider": "fal-ai", "provider_id": "fal-ai/slow", "task": "text-to-video"}]}
        },
        "providers": {"fal-ai": {"keys": ["fal_direct_key"], "models": {
            "fal-ai/acme-video": {"result": "video", "steps": 2},
            "fal-ai/slow": {"result": "video", "steps": 100000}}}}
    }))
}

/// `hfs ARGS…` with our token, at the fake, polling fast.
fn hfs(home: &Home, hub: &FakeHub, args: &[&str]) -> Hfs {
    home.hfs(hub, args).env("HF_TOKEN", TOKEN)
}

use hfs_testkit::recorded_body as recorded;

fn router_requests(hub: &FakeHub) -> Vec<Value> {
    hub.requests().into_iter().filter(|r| r["origin"] == "router").collect()
}

/// Checks the fields every `hfs.generate/1` document from a provider has and returns its one
/// file's path.
#[track_caller]
fn media_json(r: &Run, task: &str, model: &str, provider: &str) -> String {
    let j = r.json();
    assert_eq!(j["schema"], "hfs.generate/1", "{r:?}");
    assert_eq!(j["task"], task);
    assert_eq!(j["backend"]["kind"], "provider", "{j:#}");
    assert_eq!(j["backend"]["model"], model);
    assert_eq!(j["backend"]["provider"], provider, "the provider that served it: {j:#}");
    assert!(j["duration_ms"].is_u64() && j["backend"]["routed"].is_boolean(), "{j:#}");
    let files = j["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{j:#}");
    assert!(files[0]["size"].is_u64() && files[0]["mime_type"].is_string() && files[0]["sha256"].is_string(), "{j:#}");
    files[0]["path"].as_str().unwrap().to_string()
}

/// A PNG without the provenance chunk hfs adds (`iTXt` named `hfs`): the rest is byte for byte
/// what the provider sent.
fn without_provenance(data: &[u8]) -> Vec<u8> {
    assert!(data.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let (mut out, mut i, mut seen) = (data[..8].to_vec(), 8, false);
    while i + 8 <= data.len() {
        let n = u32::from_be_bytes(data[i..i + 4].try_into().unwrap()) as usize;
        let (kind, body) = (&data[i + 4..i + 8], &data[i + 8..i + 8 + n]);
        if kind == b"iTXt" && body.starts_with(b"hfs\0") {
            seen = true;
        } else {
            out.extend_from_slice(&data[i..i + 12 + n]);
        }
        i += 12 + n;
    }
    assert!(seen, "the PNG carries its provenance");
    out
}

#[test]
fn image_is_the_recorded_png_and_never_overwritten() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let dir = out.path().to_str().unwrap();
    let want = recorded("TestInferenceClient.test_text_to_image_default[fal-ai,text-to-image].yaml", "fal.media");
    let r = hfs(&home, &hub, &["image", PROMPT, "--model", FLUX, "--provider", "fal-ai", "-o", dir]).run().ok();
    let first = Path::new(r.stdout.trim()).to_path_buf();
    assert_eq!(first, out.path().join("image-an-astronaut-riding-a-horse-on-the-moon.png"), "{r:?}");
    assert_eq!(without_provenance(&std::fs::read(&first).unwrap()), want, "the PNG on disk is the recorded one");
    let r = hfs(&home, &hub, &["image", PROMPT, "--model", FLUX, "--provider", "fal-ai", "-o", dir, "--json"]).run().ok();
    let second = media_json(&r, "image", FLUX, "fal-ai");
    assert_eq!(r.json()["backend"]["provider_model"], "fal-ai/flux/dev");
    assert!(second.ends_with("image-an-astronaut-riding-a-horse-on-the-moon-2.png"), "{r:?}");
    assert_eq!(without_provenance(&std::fs::read(&second).unwrap()), want);
    assert_eq!(
        list_dir(out.path()),
        ["hfs-manifest.jsonl", "image-an-astronaut-riding-a-horse-on-the-moon-2.png", "image-an-astronaut-riding-a-horse-on-the-moon.png"],
        "no temp files left"
    );
    let assets: Vec<Value> = hub.requests().into_iter().filter(|r| r["origin"] == "assets").collect();
    assert!(assets.iter().all(|r| r["authorization"] == false), "the CDN never gets the token");
}

/// A batch on a provider: three items with their own seeds (sent, and recorded), three files that
/// are the recorded PNG, a manifest `hfs resume` finds finished; the `started` records carry the
/// provider's request id where it gave one.
#[test]
fn a_batch_on_a_provider() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let dir = out.path().to_str().unwrap();
    let want = recorded("TestInferenceClient.test_text_to_image_default[fal-ai,text-to-image].yaml", "fal.media");
    let r = hfs(&home, &hub, &["image", PROMPT, "-n", "3", "--seed", "40", "--model", FLUX, "--provider", "fal-ai", "-o", dir, "--json"])
        .run()
        .ok();
    let lines: Vec<Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "{r:?}");
    let mut seeds: Vec<u64> = lines[..3].iter().map(|d| d["seed"].as_u64().unwrap()).collect();
    seeds.sort();
    assert_eq!(seeds, [40, 41, 42]);
    for d in &lines[..3] {
        assert_eq!(d["backend"]["provider"], "fal-ai");
        assert_eq!(without_provenance(&std::fs::read(d["files"][0]["path"].as_str().unwrap()).unwrap()), want);
    }
    assert_eq!(lines[3]["schema"], "hfs.batch/1");
    assert_eq!(lines[3]["done"], 3);
    // Wherever the provider's body format puts it (`seed`, `parameters.seed`, `input.seed`).
    fn seed_in(v: &Value) -> Option<u64> {
        match v {
            Value::Object(m) => m.get("seed").and_then(Value::as_u64).or_else(|| m.values().find_map(seed_in)),
            _ => None,
        }
    }
    let mut sent: Vec<u64> = router_requests(&hub).iter().filter_map(|r| seed_in(&r["body"])).collect();
    sent.sort();
    assert_eq!(sent, [40, 41, 42], "each item's seed is sent: {:?}", router_requests(&hub));
    let r = hfs(&home, &hub, &["resume", dir]).run().ok();
    assert!(r.stderr.contains("nothing to do: all 3 items"), "{r:?}");
}

#[test]
fn image_to_image_reads_the_input_file() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let r = hfs(&home, &hub, &["image", "x", "--model", FLUX, "--image", "/nonexistent/in.png", "-o", out.path().to_str().unwrap()]).run();
    // Found before anything is sent: a usage error.
    r.fails(2).says(&["no file", "/nonexistent/in.png"]);
}

#[test]
fn chat_streams_tokens_to_stdout() {
    let (hub, home) = (hub(), Home::new());
    let model = "meta-llama/Meta-Llama-3-8B-Instruct";
    let args = ["chat", "What is deep learning?", "--system", "You are a helpful assistant.", "--model", model, "--provider", "together"];
    let sse = String::from_utf8(recorded(
        "TestInferenceClient.test_chat_completion_with_stream[together,conversational].yaml",
        "/v1/chat/completions",
    ))
    .unwrap();
    let want: String = sse
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .filter_map(|v| v["choices"][0]["delta"]["content"].as_str().map(str::to_string))
        .collect();
    assert!(!want.is_empty());
    let r = hfs(&home, &hub, &args).arg("--max-tokens").arg("20").run().ok();
    assert_eq!(r.stdout.trim_end_matches('\n'), want.trim_end_matches('\n'), "{r:?}");
}

#[test]
fn chat_plain_and_json() {
    let (hub, home) = (hub(), Home::new());
    let model = "meta-llama/Meta-Llama-3-8B-Instruct";
    let rec: Value = serde_json::from_slice(&recorded(
        "TestInferenceClient.test_chat_completion_no_stream[together,conversational].yaml",
        "/v1/chat/completions",
    ))
    .unwrap();
    let content = rec["choices"][0]["message"]["content"].as_str().unwrap();
    let args = [
        "chat",
        "What is deep learning?",
        "--system",
        "You are a helpful assistant.",
        "--model",
        model,
        "--provider",
        "together",
        "--no-stream",
    ];
    let r = hfs(&home, &hub, &args).run().ok();
    assert_eq!(r.stdout.trim_end(), content.trim_end());
    let r = hfs(&home, &hub, &args).arg("--json").run().ok();
    let j = r.json();
    assert_eq!(j["schema"], "hfs.chat/1", "{r:?}");
    assert_eq!(j["model"], model);
    assert_eq!(j["provider"], "together");
    assert_eq!(j["content"], content);
    assert_eq!(j["usage"], rec["usage"]);
    assert_eq!(j["finish_reason"], "stop");
    assert!(j["duration_ms"].is_u64());
}

#[test]
fn speech_is_the_recorded_flac() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let model = "espnet/kan-bayashi_ljspeech_vits";
    let r = hfs(
        &home,
        &hub,
        &["speech", "Hello world", "--model", model, "--provider", "hf-inference", "-o", out.path().to_str().unwrap(), "--json"],
    )
    .run()
    .ok();
    let path = media_json(&r, "speech", model, "hf-inference");
    assert!(path.ends_with("speech-hello-world.flac"), "{r:?}");
    let want = recorded("TestInferenceClient.test_text_to_speech[hf-inference,text-to-speech].yaml", "/hf-inference/models/");
    assert_eq!(std::fs::read(&path).unwrap(), want);
}

#[test]
fn transcribe_prints_the_text() {
    let (hub, home, dir) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let audio = dir.path().join("hello.flac");
    std::fs::write(&audio, b"fLaC\0\0\0\"").unwrap();
    let model = "jonatasgrosman/wav2vec2-large-xlsr-53-english";
    let rec: Value = serde_json::from_slice(&recorded(
        "TestInferenceClient.test_automatic_speech_recognition[hf-inference,automatic-speech-recognition].yaml",
        "router.huggingface.co",
    ))
    .unwrap();
    let text = rec["text"].as_str().unwrap();
    let args = ["transcribe", audio.to_str().unwrap(), "--model", model, "--provider", "hf-inference"];
    let r = hfs(&home, &hub, &args).run().ok();
    assert_eq!(r.stdout.trim(), text.trim());
    let r = hfs(&home, &hub, &args).arg("--json").run().ok();
    let j = r.json();
    assert_eq!(j["schema"], "hfs.generate/1", "{r:?}");
    assert_eq!(j["task"], "transcribe");
    assert_eq!(j["text"], text);
    assert_eq!(j["backend"]["provider"], "hf-inference");
}

#[test]
fn video_through_the_fal_queue_is_an_mp4() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let r = hfs(
        &home,
        &hub,
        &["video", "a cat surfing", "--model", "acme/video", "--poll-interval", "20ms", "-o", out.path().to_str().unwrap(), "--json"],
    )
    .run()
    .ok();
    let path = media_json(&r, "video", "acme/video", "fal-ai");
    assert!(path.ends_with("video-a-cat-surfing.mp4"), "{r:?}");
    assert!(r.json()["backend"]["job_id"].is_string(), "{r:?}");
    assert_eq!(&std::fs::read(&path).unwrap()[4..8], b"ftyp");
    let router = router_requests(&hub);
    assert!(router.iter().any(|r| r["path"].as_str().unwrap().ends_with("/status")), "polled the queue: {router:?}");
}

#[test]
fn a_provider_key_goes_direct() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let r = hfs(
        &home,
        &hub,
        &[
            "video",
            "x",
            "--model",
            "acme/video",
            "--provider",
            "fal-ai",
            "--poll-interval",
            "20ms",
            "-o",
            out.path().to_str().unwrap(),
            "--json",
        ],
    )
    .env("FAL_KEY", "fal_direct_key")
    .env("HFS_PROVIDER_URL_FAL_AI", format!("{}/fal-ai", hub.router_url))
    .run()
    .ok();
    assert_eq!(r.json()["backend"]["routed"], false, "{r:?}");
    // --provider-key wins over the variable; a wrong key is refused by the provider.
    let r = hfs(
        &home,
        &hub,
        &["video", "x", "--model", "acme/video", "--provider", "fal-ai", "--provider-key", "wrong", "-o", out.path().to_str().unwrap()],
    )
    .env("FAL_KEY", "fal_direct_key")
    .env("HFS_PROVIDER_URL_FAL_AI", format!("{}/fal-ai", hub.router_url))
    .run();
    assert_eq!(r.code, Some(1), "{r:?}");
    let r = hfs(&home, &hub, &["image", "x", "--model", FLUX, "--provider-key", "k"]).run().fails(2);
    r.says(&["--provider-key needs --provider"]);
}

#[test]
fn a_401_says_log_in() {
    let (hub, home) = (hub(), Home::new());
    let args = [
        "chat",
        "please output 'Observation'",
        "--model",
        "meta-llama/Meta-Llama-3-70B-Instruct",
        "--provider",
        "hf-inference",
        "--max-tokens",
        "200",
        "--no-stream",
    ];
    hfs(&home, &hub, &args).run().fails(1).says(&["HTTP 401", "hfs auth login"]);
    let r = hfs(&home, &hub, &args).arg("--json").run().fails(1);
    let j = r.json();
    assert_eq!(j["schema"], "hfs.error/1", "{r:?}");
    assert_eq!(j["error"]["kind"], "auth");
    assert_eq!(j["error"]["status"], 401);
    assert_eq!(j["error"]["exit_code"], 1);
}

#[test]
fn a_404_says_the_model_is_not_served_by_the_provider() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let dir = out.path().to_str().unwrap();
    hub.add_faults(&json!({"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 404, "times": 1,
        "body": {"error": "Model not supported by provider fal-ai"}}));
    hfs(&home, &hub, &["image", PROMPT, "--model", FLUX, "--provider", "fal-ai", "-o", dir])
        .run()
        .fails(1)
        .says(&["HTTP 404", "not served by fal-ai"]);
    // A provider the Hub does not map the model to: found before anything is sent (usage, 2).
    let r = hfs(&home, &hub, &["image", PROMPT, "--model", FLUX, "--provider", "nscale", "-o", dir, "--json"]).run().fails(2);
    let r = r.says(&["not served by provider `nscale`", "fal-ai"]);
    assert_eq!(r.json()["error"]["kind"], "not_found");
    assert!(list_dir(out.path()).is_empty());
}

#[test]
fn a_422_names_the_parameter() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    hub.add_faults(&json!({"path": "/fal-ai/fal-ai/flux/dev", "origin": "router", "status": 422,
        "body": {"detail": [{"loc": ["body", "num_inference_steps"], "msg": "ensure this value is less than or equal to 50", "type": "value_error"}]}}));
    let r = hfs(
        &home,
        &hub,
        &[
            "image",
            PROMPT,
            "--model",
            FLUX,
            "--provider",
            "fal-ai",
            "--param",
            "num_inference_steps=500",
            "-o",
            out.path().to_str().unwrap(),
            "--json",
        ],
    )
    .run()
    .fails(1)
    .says(&["HTTP 422", "num_inference_steps", "less than or equal to 50"]);
    assert_eq!(r.json()["error"]["kind"], "validation");
    let sent = router_requests(&hub);
    assert_eq!(sent.len(), 1, "a 422 is not retried: {sent:?}");
}

#[test]
fn usage_errors_exit_2() {
    let (hub, home) = (hub(), Home::new());
    // No backend at all: the task's defaults are tried in order (here neither exists on the fake Hub).
    let r = hfs(&home, &hub, &["image", "x"]).run();
    assert_ne!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("Tongyi-MAI/Z-Image-Turbo") && r.stderr.contains("FLUX.1-schnell"), "both defaults tried: {r:?}");
    hfs(&home, &hub, &["image", "x", "--model", FLUX, "--param", "novalue"]).run().fails(2).says(&["NAME=VALUE"]);
    hfs(&home, &hub, &["image", "x", "--model", FLUX, "--provider", "nope"]).run().fails(2).says(&["unknown provider"]);
    assert!(router_requests(&hub).is_empty());
}

#[test]
fn timeout_exits_124_and_cancels_the_job() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let args = ["video", "x", "--model", "acme/slow", "--poll-interval", "20ms", "--timeout", "0.5", "-o", out.path().to_str().unwrap()];
    let r = hfs(&home, &hub, &args).run();
    assert!(r.elapsed < Duration::from_secs(10), "{r:?}");
    r.fails(124).says(&["timed out after", "--timeout"]);
    let r = hfs(&home, &hub, &args).arg("--json").run().fails(124);
    assert_eq!(r.json()["error"]["kind"], "timeout");
    assert!(router_requests(&hub).iter().any(|r| r["method"] == "PUT" && r["path"].as_str().unwrap().ends_with("/cancel")));
    assert!(list_dir(out.path()).is_empty(), "nothing left behind");
}

#[test]
fn ctrl_c_cancels_the_job_and_exits_130() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let mut cmd = std::process::Command::new(crate::support::bin());
    crate::support::clean_env(&mut cmd, home.path());
    let mut child = cmd
        .env("HF_ENDPOINT", &hub.url)
        .env("HF_ROUTER_URL", &hub.router_url)
        .env("HF_TOKEN", TOKEN)
        .args(["video", "x", "--model", "acme/slow", "--poll-interval", "20ms", "-o", out.path().to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the job to be polled, then interrupt.
    let started = std::time::Instant::now();
    while !router_requests(&hub).iter().any(|r| r["path"].as_str().unwrap().ends_with("/status")) {
        assert!(started.elapsed() < Duration::from_secs(30), "the job was never polled");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("hfs did not exit after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(router_requests(&hub).iter().any(|r| r["method"] == "PUT" && r["path"].as_str().unwrap().ends_with("/cancel")));
}

/// A small input "image": PNG magic plus a marker, so a data URL can only come from it.
const INPUT_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR hfs cli input marker";

/// Models for the image-to-image, image-to-video, auto chat and slow-job tests.
fn media_hub() -> FakeHub {
    let m = |p: &str, pid: &str, task: &str| json!({"provider": p, "provider_id": pid, "task": task});
    let chat = |text: &str| json!({"result": "chat", "text": text});
    fake(&json!({
        "tokens": {TOKEN: {"user": "alice", "orgs": ["acme"]}},
        "models": {
            "acme/edit": {"pipeline_tag": "image-to-image", "providers": [
                m("fal-ai", "fal-ai/acme-edit", "image-to-image"), m("replicate", "acme/edit-r", "image-to-image")]},
            "acme/animate": {"pipeline_tag": "image-to-video", "providers": [
                m("fal-ai", "fal-ai/acme-i2v", "image-to-video"), m("together", "acme/I2V-T", "image-to-video"),
                m("wavespeed", "acme/i2v-w", "image-to-video")]},
            "acme/video": {"pipeline_tag": "text-to-video", "providers": [m("fal-ai", "fal-ai/acme-video", "text-to-video")]},
            "acme/steps": {"pipeline_tag": "text-to-video", "providers": [m("fal-ai", "fal-ai/acme-steps", "text-to-video")]},
            "acme/timed": {"pipeline_tag": "text-to-video", "providers": [m("fal-ai", "fal-ai/acme-timed", "text-to-video")]}
        },
        "chat_models": [{"id": "acme/chat", "providers": [
            {"provider": "groq", "throughput": 500, "pricing": {"input": 0.15, "output": 0.75}},
            {"provider": "cerebras", "throughput": 2000, "pricing": {"input": 0.25, "output": 0.69}},
            {"provider": "together", "throughput": 100, "pricing": {"input": 0.1, "output": 0.5}}
        ]}],
        "providers": {
            "fal-ai": {"models": {
                "fal-ai/acme-edit": {"result": "image", "steps": 2},
                "fal-ai/acme-i2v": {"result": "video", "steps": 2},
                "fal-ai/acme-video": {"result": "video", "steps": 2},
                "fal-ai/acme-steps": {"result": "video", "steps": 6},
                "fal-ai/acme-timed": {"result": "video", "seconds": 1.2}}},
            "replicate": {"models": {"acme/edit-r": {"result": "image", "steps": 2}}},
            "together": {"models": {"acme/I2V-T": {"result": "video", "steps": 2}, "acme/chat": chat("from together")}},
            "wavespeed": {"models": {"acme/i2v-w": {"result": "video", "steps": 2}}},
            "groq": {"models": {"acme/chat": chat("from groq")}},
            "cerebras": {"models": {"acme/chat": chat("from cerebras")}}
        }
    }))
}

fn input_png(dir: &Path) -> (String, String) {
    let path = dir.join("in.png");
    std::fs::write(&path, INPUT_PNG).unwrap();
    let url = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(INPUT_PNG));
    (path.to_str().unwrap().to_string(), url)
}

/// The JSON bodies of the router's POSTs to `path`.
fn posted(hub: &FakeHub, path: &str) -> Vec<Value> {
    router_requests(hub).into_iter().filter(|r| r["method"] == "POST" && r["path"] == path).map(|r| r["body"].clone()).collect()
}

#[test]
fn image_to_image_uploads_the_input_through_fal_and_replicate() {
    let (hub, home, out) = (media_hub(), Home::new(), tempfile::tempdir().unwrap());
    let (input, url) = input_png(out.path());
    let dir = out.path().join("out");
    for provider in ["fal-ai", "replicate"] {
        let args = [
            "image",
            "make it blue",
            "--model",
            "acme/edit",
            "--provider",
            provider,
            "--image",
            &input,
            "--poll-interval",
            "20ms",
            "-o",
            dir.to_str().unwrap(),
            "--json",
        ];
        let r = hfs(&home, &hub, &args).run().ok();
        let path = media_json(&r, "image", "acme/edit", provider);
        assert_eq!(&std::fs::read(&path).unwrap()[..4], b"\x89PNG", "{provider}: {r:?}");
        assert!(path.ends_with(".png"), "{path}");
    }
    assert_eq!(posted(&hub, "/fal-ai/fal-ai/acme-edit"), [json!({"image_url": url, "image_urls": [url], "prompt": "make it blue"})]);
    assert_eq!(
        posted(&hub, "/replicate/v1/models/acme/edit-r/predictions"),
        [json!({"input": {"prompt": "make it blue", "image": url, "images": [url], "input_image": url, "input_images": [url]}})]
    );
    assert!(
        router_requests(&hub).iter().any(|r| r["path"].as_str().unwrap().starts_with("/replicate/v1/predictions/")),
        "replicate was polled"
    );
}

#[test]
fn video_with_an_image_animates_it_on_fal_together_and_wavespeed() {
    let (hub, home, out) = (media_hub(), Home::new(), tempfile::tempdir().unwrap());
    let (input, url) = input_png(out.path());
    let dir = out.path().join("out");
    for provider in ["fal-ai", "together", "wavespeed"] {
        let args = [
            "video",
            "it walks",
            "--model",
            "acme/animate",
            "--provider",
            provider,
            "--image",
            &input,
            "--poll-interval",
            "20ms",
            "-o",
            dir.to_str().unwrap(),
            "--json",
        ];
        let r = hfs(&home, &hub, &args).run().ok();
        let path = media_json(&r, "video", "acme/animate", provider);
        assert!(r.json()["backend"]["job_id"].is_string(), "{r:?}");
        assert_eq!(&std::fs::read(&path).unwrap()[4..8], b"ftyp", "{provider}");
    }
    assert_eq!(posted(&hub, "/fal-ai/fal-ai/acme-i2v"), [json!({"image_url": url, "prompt": "it walks"})]);
    assert_eq!(
        posted(&hub, "/together/v2/videos"),
        [json!({"prompt": "it walks", "model": "acme/I2V-T", "frame_images": [{"input_image": url, "frame": "first"}]})]
    );
    assert_eq!(posted(&hub, "/wavespeed/api/v3/acme/i2v-w"), [json!({"prompt": "it walks", "image": url})]);
}

#[test]
fn bill_to_is_sent_on_routed_calls_and_never_to_the_cdn() {
    let (hub, home, out) = (media_hub(), Home::new(), tempfile::tempdir().unwrap());
    let dir = out.path().to_str().unwrap();
    hfs(&home, &hub, &["video", "x", "--model", "acme/video", "--bill-to", "acme", "--poll-interval", "20ms", "-o", dir]).run().ok();
    hfs(&home, &hub, &["chat", "hi", "--model", "acme/chat", "--bill-to", "acme"]).run().ok();
    let router = router_requests(&hub);
    assert!(router.len() >= 4, "{router:?}");
    assert!(router.iter().all(|r| r["bill_to"] == "acme"), "{router:?}");
    let assets: Vec<Value> = hub.requests().into_iter().filter(|r| r["origin"] != "router").collect();
    assert!(assets.iter().any(|r| r["origin"] == "assets"), "{assets:?}");
    assert!(assets.iter().all(|r| r.get("bill_to").is_none()), "the Hub and the CDN never get it: {assets:?}");
    // Without --bill-to nothing is sent.
    let before = router_requests(&hub).len();
    hfs(&home, &hub, &["chat", "hi", "--model", "acme/chat"]).run().ok();
    assert!(router_requests(&hub)[before..].iter().all(|r| r.get("bill_to").is_none()));
}

#[test]
fn chat_without_a_provider_goes_to_the_auto_route() {
    let (hub, home) = (media_hub(), Home::new());
    for (model, reply) in [
        ("acme/chat", "from cerebras"),
        ("acme/chat:fastest", "from cerebras"),
        ("acme/chat:cheapest", "from together"),
        ("acme/chat:groq", "from groq"),
    ] {
        let before = router_requests(&hub).len();
        let r = hfs(&home, &hub, &["chat", "hi", "--model", model]).run().ok();
        assert_eq!(r.stdout, format!("{reply}\n"), "{model}: {r:?}");
        let sent = &router_requests(&hub)[before..];
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0]["path"], "/v1/chat/completions");
        assert_eq!(sent[0]["body"]["model"], model, "the HF id and suffix go to the router as is");
        assert_eq!(sent[0]["body"]["stream"], true);
        assert_eq!(sent[0]["body"]["messages"], json!([{"role": "user", "content": "hi"}]));
    }
    for extra in [None, Some("--no-stream")] {
        let mut args = vec!["chat", "hi", "--model", "acme/chat:cheapest", "--json"];
        args.extend(extra);
        let r = hfs(&home, &hub, &args).run().ok();
        let j = r.json();
        assert_eq!(j["schema"], "hfs.chat/1", "{r:?}");
        assert_eq!(j["model"], "acme/chat:cheapest");
        assert_eq!(j["provider"], "auto");
        assert_eq!(j["content"], "from together", "{extra:?}");
        assert_eq!(j["finish_reason"], "stop");
    }
    let last = router_requests(&hub).pop().unwrap();
    assert_eq!(last["body"]["stream"], false);
    // A suffix that is neither a policy nor a provider is refused before anything is sent.
    let before = router_requests(&hub).len();
    hfs(&home, &hub, &["chat", "hi", "--model", "acme/chat:nope"]).run().fails(2).says(&["unknown routing suffix"]);
    assert_eq!(router_requests(&hub).len(), before);
}

#[test]
fn a_slow_job_reports_progress_then_completes() {
    let (hub, home, out) = (media_hub(), Home::new(), tempfile::tempdir().unwrap());
    let args = ["video", "x", "--model", "acme/steps", "--poll-interval", "20ms", "-o", out.path().to_str().unwrap()];
    let r = hfs(&home, &hub, &args).run().ok();
    assert!(r.stdout.trim().ends_with("video-x.mp4"), "{r:?}");
    let polls = router_requests(&hub).iter().filter(|r| r["path"].as_str().unwrap().ends_with("/status")).count();
    assert_eq!(polls, 6, "one status poll per step");
    // The provider's progress reaches stderr as it changes.
    let steps: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("log: step")).collect();
    assert!(steps.len() >= 2, "{r:?}");
    let mut unique = steps.clone();
    unique.dedup();
    assert_eq!(unique.len(), steps.len(), "each progress line once: {r:?}");
}

#[test]
fn poll_interval_sets_how_often_a_job_is_polled() {
    let (hub, home, out) = (media_hub(), Home::new(), tempfile::tempdir().unwrap());
    let dir = out.path().to_str().unwrap();
    let polls = |interval: &str| {
        let before = router_requests(&hub).len();
        let r = hfs(&home, &hub, &["video", "x", "--model", "acme/timed", "--poll-interval", interval, "-o", dir]).run().ok();
        let n = router_requests(&hub)[before..].iter().filter(|r| r["path"].as_str().unwrap().ends_with("/status")).count();
        (n, r.elapsed)
    };
    // The job takes 1.2 s of wall clock.
    let (fast, _) = polls("50ms");
    let (slow, elapsed) = polls("600ms");
    assert!(fast >= 10, "50ms: {fast} polls");
    assert!((2..=3).contains(&slow), "600ms: {slow} polls");
    assert!(elapsed >= Duration::from_millis(1200), "{elapsed:?}");
}

/// A generation option with `--model` runs through the generation layer on the provider: the seed
/// is sent (drawn when not given) with the size, the file is named after task, prompt and seed,
/// and the provenance record lands in the manifest.
#[test]
fn generation_options_on_a_provider() {
    let (hub, home, out) = (hub(), Home::new(), tempfile::tempdir().unwrap());
    let d = out.path().to_str().unwrap();
    let r = hfs(&home, &hub, &["video", "a cat surfing", "--model", "acme/video", "--seed", "5", "--aspect", "16:9", "-o", d, "--json"])
        .run()
        .ok();
    let doc = r.json();
    assert_eq!(doc["schema"], "hfs.generate/1", "{r:?}");
    assert_eq!(doc["backend"]["kind"], "provider");
    assert_eq!(doc["backend"]["model"], "acme/video");
    assert_eq!(doc["backend"]["provider"], "fal-ai", "the provider that served it");
    assert_eq!(doc["seed"], 5);
    assert_eq!(doc["arguments"]["width"], 1344, "{doc}");
    assert_eq!(doc["arguments"]["height"], 768, "{doc}");
    let path = doc["files"][0]["path"].as_str().unwrap();
    assert!(path.ends_with("video-a-cat-surfing-5.mp4"), "{doc}");
    let sent = router_requests(&hub).into_iter().find(|r| r["method"] == "POST").expect("a submit");
    assert_eq!(sent["body"]["seed"], 5, "{sent}");
    assert_eq!(sent["body"]["image_size"], json!({"width": 1344, "height": 768}), "fal takes the size its own way: {sent}");
    let manifest = std::fs::read_to_string(out.path().join("hfs-manifest.jsonl")).unwrap();
    let rec: Value = serde_json::from_str(manifest.lines().next().unwrap()).unwrap();
    assert_eq!(rec["backend"]["provider"], "fal-ai");
    assert_eq!(rec["files"][0]["sha256"], crate::support::sha256_hex(Path::new(path)));
}
