//! Synthesised Inference Provider flows (docs/protocol/inference.md#routing):
//! async jobs across polls, failures, cancels, sync media, chat and SSE,
//! the auto route, direct provider keys, errors and faults.

mod common;

use common::{FakeHub, TOKEN, bearer, request, request_bytes};
use serde_json::{Value, json};

fn config() -> Value {
    json!({
        "tokens": { TOKEN: { "user": "alice" } },
        "chat_models": [{"id": "openai/gpt-oss-120b", "providers": [
            {"provider": "groq", "throughput": 500, "pricing": {"input": 0.15, "output": 0.75}},
            {"provider": "cerebras", "throughput": 2000, "pricing": {"input": 0.25, "output": 0.69}},
            {"provider": "together", "throughput": 100, "pricing": {"input": 0.1, "output": 0.5}},
            {"provider": "novita", "status": "error", "pricing": {"input": 0.0, "output": 0.01}}
        ]}],
        "providers": {
            "fal-ai": {"keys": ["fal_direct"], "models": {
                "fal-ai/veo3/fast": {"result": "video", "steps": 3},
                "fal-ai/broken/v1": {"result": "video", "steps": 1, "fail": true, "error": "GPU on fire"},
                "fal-ai/slow/v1": {"result": "video", "steps": 100},
                "fal-ai/steps/v1": {"result": "video", "steps": 6},
                "fal-ai/kontext/dev": {"result": "image", "steps": 1},
                "fal-ai/sdxl/turbo": {"result": "image"},
                "fal-ai/tts/v1": {"result": "audio"},
                "fal-ai/whisper": {"result": "text", "text": "hello world"},
                "fal-ai/strict/v1": {"result": "video", "reject": 422, "reject_param": "num_frames"}
            }},
            "replicate": {"keys": ["r8_direct"], "models": {
                "owner/fast": {"result": "image"},
                "owner/video": {"result": "video", "steps": 2},
                "owner/bad": {"result": "image", "steps": 1, "fail": true, "error": "NSFW"},
                "owner/tts:abc123": {"result": "audio"},
                "owner/strict": {"result": "image", "reject": 422, "reject_param": "width"}
            }},
            "together": {"models": {
                "Wan-AI/Wan2.2": {"result": "video", "steps": 2},
                "Wan-AI/broken": {"result": "video", "steps": 1, "fail": true, "error": "bad frames"},
                "black-forest-labs/FLUX.1-schnell": {"result": "image"},
                "cartesia/sonic": {"result": "audio"},
                "strict/model": {"result": "image", "reject": 422, "reject_param": "steps"}
            }},
            "wavespeed": {"models": {"wavespeed-ai/wan-2.1/t2v": {"result": "video", "steps": 2},
                                     "wavespeed-ai/bad": {"result": "image", "steps": 1, "fail": true}}},
            "zai-org": {"models": {"cogview-4": {"result": "image", "steps": 2}}},
            "hf-inference": {"models": {
                "stabilityai/sdxl": {"result": "image"},
                "facebook/mms-tts": {"result": "audio"},
                "openai/whisper-tiny": {"result": "text", "text": "it works"},
                "sentence-transformers/all-MiniLM-L6-v2": {"result": "embedding", "dims": 4},
                "HuggingFaceTB/SmolLM3-3B": {"result": "chat", "text": "Hi there"}
            }},
            "nscale": {"models": {"stabilityai/sdxl-n": {"result": "image"}}},
            "novita": {"models": {"wan/t2v-n": {"result": "video"}, "wan/broken-n": {"result": "video", "fail": true, "error": "no GPU"}}},
            "groq": {"models": {"openai/gpt-oss-120b": {"result": "chat", "text": "Fast answer from groq"}}}
        }
    })
}

fn hub() -> FakeHub {
    FakeHub::start(Some(&config()))
}

fn get(base: &str, path: &str) -> common::Resp {
    request(base, "GET", path, &[("Authorization", &bearer())], None)
}

fn send(base: &str, method: &str, path: &str, body: &Value, headers: &[(&str, &str)]) -> common::Resp {
    let auth = bearer();
    let mut h = vec![("Authorization", auth.as_str())];
    h.extend_from_slice(headers);
    request(base, method, path, &h, Some(&body.to_string()))
}

/// The path and query of an absolute URL.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/".into(), |i| rest[i..].to_string())
}

/// GETs an asset URL without any token and checks it is `magic` at `at`.
fn fetch_asset(hub: &FakeHub, url: &str, at: usize, magic: &[u8]) -> Vec<u8> {
    assert!(url.starts_with(&hub.assets), "{url} not on the assets listener");
    let r = request_bytes(&hub.assets, "GET", &path_of(url), &[], b"");
    assert_eq!(r.status, 200, "{url}");
    assert_eq!(&r.bytes[at..at + magic.len()], magic, "{url}");
    r.bytes
}

fn assert_assets_fetched_without_token(hub: &FakeHub) {
    let assets = hub.requests(Some("assets"));
    assert!(!assets.is_empty());
    assert!(assets.iter().all(|r| r["authorization"] == false), "{assets:?}");
}

#[test]
fn fal_queue_advances_over_polls_and_serves_the_video() {
    let hub = hub();
    let submit = hub.router_post("/fal-ai/fal-ai/veo3/fast?_subdomain=queue", &json!({"prompt": "a cat"}));
    assert_eq!(submit.status, 200, "{}", submit.body);
    let s = submit.json();
    assert_eq!(s["status"], "IN_QUEUE");
    assert_eq!(s["queue_position"], 1);
    let id = s["request_id"].as_str().unwrap().to_string();
    let response_path = path_of(s["response_url"].as_str().unwrap());
    // fal's response_url uses the app id, not the model id.
    assert_eq!(response_path, format!("/fal-ai/veo3/requests/{id}"));
    assert_eq!(path_of(s["status_url"].as_str().unwrap()), format!("{response_path}/status"));
    assert_eq!(path_of(s["cancel_url"].as_str().unwrap()), format!("{response_path}/cancel"));

    let routed = format!("/fal-ai{response_path}");
    let early = get(&hub.router, &format!("{routed}?_subdomain=queue"));
    assert_eq!(early.status, 400, "{}", early.body);
    assert!(early.json()["detail"].is_string());
    let mut seen = vec![];
    for _ in 0..3 {
        let st = get(&hub.router, &format!("{routed}/status?_subdomain=queue"));
        assert_eq!(st.status, 200, "{}", st.body);
        let st = st.json();
        if st["status"] == "IN_PROGRESS" {
            assert!(st["logs"].as_array().is_some_and(|l| !l.is_empty()), "{st}");
        }
        if st["status"] == "IN_QUEUE" {
            assert_eq!(st["queue_position"], 0);
        }
        seen.push(st["status"].as_str().unwrap().to_string());
    }
    assert_eq!(seen, ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]);
    let result = get(&hub.router, &format!("{routed}?_subdomain=queue"));
    assert_eq!(result.status, 200, "{}", result.body);
    let url = result.json()["video"]["url"].as_str().unwrap().to_string();
    fetch_asset(&hub, &url, 4, b"ftyp");
    assert_assets_fetched_without_token(&hub);
    // Every router call carried the token.
    assert!(hub.requests(Some("router")).iter().all(|r| r["authorization"] == true));
}

#[test]
fn fal_failed_jobs_cancel_and_image_to_image_results() {
    let hub = hub();
    let s = hub.router_post("/fal-ai/fal-ai/broken/v1?_subdomain=queue", &json!({"prompt": "x"})).json();
    let base = format!("/fal-ai{}", path_of(s["response_url"].as_str().unwrap()));
    let st = get(&hub.router, &format!("{base}/status?_subdomain=queue")).json();
    assert_eq!(st["status"], "FAILED");
    assert_eq!(st["error"], "GPU on fire");
    let r = get(&hub.router, &format!("{base}?_subdomain=queue"));
    assert_eq!((r.status, r.json()["detail"].clone()), (500, json!("GPU on fire")));

    let s = hub.router_post("/fal-ai/fal-ai/slow/v1?_subdomain=queue", &json!({"prompt": "x"})).json();
    let base = format!("/fal-ai{}", path_of(s["response_url"].as_str().unwrap()));
    let c = send(&hub.router, "PUT", &format!("{base}/cancel?_subdomain=queue"), &json!({}), &[]);
    assert_eq!(c.status, 202, "{}", c.body);
    assert_eq!(c.json()["status"], "CANCELLATION_REQUESTED");
    assert_eq!(get(&hub.router, &format!("{base}/status?_subdomain=queue")).json()["status"], "CANCELED");
    let again = send(&hub.router, "PUT", &format!("{base}/cancel?_subdomain=queue"), &json!({}), &[]);
    assert_eq!((again.status, again.json()["status"].clone()), (400, json!("ALREADY_COMPLETED")));

    // image-to-image through the queue: images[].url.
    let s = hub
        .router_post("/fal-ai/fal-ai/kontext/dev?_subdomain=queue", &json!({"image_url": "data:image/png;base64,AA==", "prompt": "x"}))
        .json();
    let base = format!("/fal-ai{}", path_of(s["response_url"].as_str().unwrap()));
    assert_eq!(get(&hub.router, &format!("{base}/status?_subdomain=queue")).json()["status"], "COMPLETED");
    let res = get(&hub.router, &format!("{base}?_subdomain=queue")).json();
    fetch_asset(&hub, res["images"][0]["url"].as_str().unwrap(), 0, b"\x89PNG");
    // Unknown request ids are 404.
    assert_eq!(get(&hub.router, "/fal-ai/fal-ai/veo3/requests/nope/status?_subdomain=queue").status, 404);
}

#[test]
fn fal_sync_tasks_and_recordings_still_answer_unconfigured_models() {
    let hub = hub();
    let img = hub.router_post("/fal-ai/fal-ai/sdxl/turbo", &json!({"prompt": "a koala"}));
    assert_eq!(img.status, 200, "{}", img.body);
    let img = img.json();
    assert_eq!(img["prompt"], "a koala");
    fetch_asset(&hub, img["images"][0]["url"].as_str().unwrap(), 0, b"\x89PNG");
    let tts = hub.router_post("/fal-ai/fal-ai/tts/v1", &json!({"text": "hi"})).json();
    fetch_asset(&hub, tts["audio"]["url"].as_str().unwrap(), 0, b"RIFF");
    let asr = hub.router_post("/fal-ai/fal-ai/whisper", &json!({"audio_url": "data:audio/mpeg;base64,AA=="})).json();
    assert_eq!(asr["text"], "hello world");
    assert_eq!(asr["chunks"][0]["timestamp"], json!([0.0, 1.0]));
    // The recorded fal call is still the recording.
    let rec = hub.router_post("/fal-ai/fal-ai/flux/dev", &json!({"prompt": "An astronaut riding a horse on the moon."}));
    assert_eq!(rec.status, 200);
    assert!(rec.header("x-fakehub-recording").is_some());
    // A model neither configured nor recorded: the router's 400.
    let none = hub.router_post("/fal-ai/fal-ai/unknown", &json!({"prompt": "x"}));
    assert_eq!(none.status, 400);
    assert_eq!(none.json(), json!({"error": "Model not supported by provider fal-ai"}));
    // A missing required field is a FastAPI 422.
    let bad = hub.router_post("/fal-ai/fal-ai/sdxl/turbo", &json!({"seed": 1}));
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["detail"][0]["loc"], json!(["body", "prompt"]));
}

#[test]
fn direct_provider_keys_use_the_provider_scheme_and_tokens_are_required() {
    let hub = hub();
    let body = json!({"prompt": "x"}).to_string();
    let direct = request(&hub.router, "POST", "/fal-ai/fal-ai/veo3/fast", &[("Authorization", "Key fal_direct")], Some(&body));
    assert_eq!(direct.status, 200, "{}", direct.body);
    // Queue by default for video, even without `_subdomain=queue`.
    assert_eq!(direct.json()["status"], "IN_QUEUE");
    for auth in ["Bearer fal_direct", "Key wrong"] {
        let r = request(&hub.router, "POST", "/fal-ai/fal-ai/veo3/fast", &[("Authorization", auth)], Some(&body));
        assert_eq!(r.status, 401, "{auth}");
    }
    // A fal key opens only fal's paths; no token at all is refused everywhere.
    let r =
        request(&hub.router, "POST", "/replicate/v1/models/owner/fast/predictions", &[("Authorization", "Key fal_direct")], Some(&body));
    assert_eq!(r.status, 401);
    let r = request(
        &hub.router,
        "POST",
        "/replicate/v1/models/owner/fast/predictions",
        &[("Authorization", "Bearer r8_direct")],
        Some(&json!({"input": {"prompt": "x"}}).to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    for path in ["/fal-ai/fal-ai/sdxl/turbo", "/together/v2/videos", "/v1/chat/completions", "/wavespeed/api/v3/wavespeed-ai/wan-2.1/t2v"] {
        assert_eq!(request(&hub.router, "POST", path, &[], Some(&body)).status, 401, "{path}");
    }
    assert_eq!(request(&hub.router, "POST", "/v1/chat/completions", &[("Authorization", "Bearer r8_direct")], Some(&body)).status, 401);
}

#[test]
fn replicate_prefer_wait_polling_cancel_and_failure() {
    let hub = hub();
    let wait = [("Prefer", "wait")];
    let fast = send(&hub.router, "POST", "/replicate/v1/models/owner/fast/predictions", &json!({"input": {"prompt": "x"}}), &wait);
    assert_eq!(fast.status, 201, "{}", fast.body);
    let p = fast.json();
    assert_eq!(p["status"], "succeeded");
    assert_eq!(p["input"], json!({"prompt": "x"}));
    fetch_asset(&hub, p["output"][0].as_str().unwrap(), 0, b"\x89PNG");

    let slow = send(&hub.router, "POST", "/replicate/v1/models/owner/video/predictions", &json!({"input": {"prompt": "x"}}), &wait);
    assert_eq!(slow.status, 202);
    assert_eq!(slow.header("preference-applied"), Some("wait=60"));
    assert_eq!(slow.header("reason"), Some("wait time exceeded"));
    let p = slow.json();
    assert_eq!((p["status"].clone(), p["output"].clone()), (json!("starting"), Value::Null));
    let id = p["id"].as_str().unwrap();
    assert_eq!(path_of(p["urls"]["get"].as_str().unwrap()), format!("/v1/predictions/{id}"));
    let poll = format!("/replicate/v1/predictions/{id}");
    assert_eq!(get(&hub.router, &poll).json()["status"], "processing");
    let done = get(&hub.router, &poll).json();
    assert_eq!(done["status"], "succeeded");
    fetch_asset(&hub, done["output"].as_str().unwrap(), 4, b"ftyp");

    let p = send(&hub.router, "POST", "/replicate/v1/models/owner/video/predictions", &json!({"input": {"prompt": "y"}}), &[]);
    assert_eq!(p.status, 201);
    let id = p.json()["id"].as_str().unwrap().to_string();
    let c = send(&hub.router, "POST", &format!("/replicate/v1/predictions/{id}/cancel"), &json!({}), &[]);
    assert_eq!((c.status, c.json()["status"].clone()), (200, json!("canceled")));
    assert_eq!(get(&hub.router, &format!("/replicate/v1/predictions/{id}")).json()["status"], "canceled");

    let bad = send(&hub.router, "POST", "/replicate/v1/models/owner/bad/predictions", &json!({"input": {"prompt": "x"}}), &[]).json();
    let failed = get(&hub.router, &format!("/replicate/v1/predictions/{}", bad["id"].as_str().unwrap())).json();
    assert_eq!((failed["status"].clone(), failed["error"].clone()), (json!("failed"), json!("NSFW")));
    assert_eq!(failed["output"], Value::Null);
    assert_eq!(get(&hub.router, "/replicate/v1/predictions/nope").status, 404);
}

#[test]
fn replicate_versioned_predictions_and_the_recording() {
    let hub = hub();
    let r = send(
        &hub.router,
        "POST",
        "/replicate/v1/predictions",
        &json!({"input": {"text": "hi"}, "version": "abc123"}),
        &[("Prefer", "wait")],
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = r.json();
    assert_eq!((p["model"].clone(), p["version"].clone()), (json!("owner/tts"), json!("abc123")));
    fetch_asset(&hub, p["output"].as_str().unwrap(), 0, b"RIFF");
    // An unconfigured version still gets the recorded answer.
    let rec = cassette_replicate_body();
    let r = request(&hub.router, "POST", "/replicate/v1/predictions", &[("Authorization", &bearer())], Some(&rec));
    assert!(r.header("x-fakehub-recording").is_some(), "{}", r.body);
}

fn cassette_replicate_body() -> String {
    json!({"input": {"prompt": "An astronaut riding a horse on the moon."},
           "version": "5599ed30703defd1d160a25a63321b4dec97101d98b4674bcc56e41f62f35637"})
    .to_string()
}

#[test]
fn provider_errors_have_the_provider_shapes() {
    let hub = hub();
    let fal = hub.router_post("/fal-ai/fal-ai/strict/v1?_subdomain=queue", &json!({"prompt": "x"}));
    assert_eq!(fal.status, 422);
    assert_eq!(fal.json()["detail"][0]["loc"], json!(["body", "num_frames"]));
    let rep = hub.router_post("/replicate/v1/models/owner/strict/predictions", &json!({"input": {}}));
    assert_eq!(rep.status, 422);
    assert_eq!(rep.header("content-type"), Some("application/problem+json"));
    assert_eq!(rep.json()["invalid_fields"][0]["field"], "width");
    assert_eq!(rep.json()["status"], 422);
    let tog = hub.router_post("/together/v1/images/generations", &json!({"model": "strict/model", "prompt": "x"}));
    assert_eq!(tog.status, 422);
    assert_eq!(tog.json()["error"]["param"], "steps");
    assert!(tog.json()["error"]["message"].is_string());
}

#[test]
fn together_video_jobs_images_and_speech() {
    let hub = hub();
    let v = hub.router_post("/together/v2/videos", &json!({"model": "Wan-AI/Wan2.2", "prompt": "x"}));
    assert_eq!(v.status, 200, "{}", v.body);
    let v = v.json();
    assert_eq!(v["status"], "queued");
    let poll = format!("/together/v2/videos/{}", v["id"].as_str().unwrap());
    assert_eq!(get(&hub.router, &poll).json()["status"], "in_progress");
    let done = get(&hub.router, &poll).json();
    assert_eq!(done["status"], "completed");
    fetch_asset(&hub, done["outputs"]["video_url"].as_str().unwrap(), 4, b"ftyp");
    let f = hub.router_post("/together/v2/videos", &json!({"model": "Wan-AI/broken", "prompt": "x"})).json();
    let failed = get(&hub.router, &format!("/together/v2/videos/{}", f["id"].as_str().unwrap())).json();
    assert_eq!((failed["status"].clone(), failed["error"]["message"].clone()), (json!("failed"), json!("bad frames")));

    let img = hub
        .router_post(
            "/together/v1/images/generations",
            &json!({"model": "black-forest-labs/FLUX.1-schnell", "prompt": "x", "response_format": "base64"}),
        )
        .json();
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD.decode(img["data"][0]["b64_json"].as_str().unwrap()).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    assert_eq!(img["object"], "list");
    let speech = hub.router_post("/together/v1/audio/speech", &json!({"model": "cartesia/sonic", "input": "hi", "voice": "x"}));
    assert_eq!(speech.header("content-type"), Some("audio/wav"));
    assert_eq!(&speech.bytes[..4], b"RIFF");
}

#[test]
fn wavespeed_and_zai_jobs() {
    let hub = hub();
    let s = hub.router_post("/wavespeed/api/v3/wavespeed-ai/wan-2.1/t2v", &json!({"prompt": "x"}));
    assert_eq!(s.status, 200, "{}", s.body);
    let s = s.json();
    assert_eq!((s["code"].clone(), s["data"]["status"].clone()), (json!(200), json!("created")));
    let poll = format!("/wavespeed{}", path_of(s["data"]["urls"]["get"].as_str().unwrap()));
    assert!(poll.ends_with("/result"), "{poll}");
    assert_eq!(get(&hub.router, &poll).json()["data"]["status"], "processing");
    let done = get(&hub.router, &poll).json();
    assert_eq!(done["data"]["status"], "completed");
    fetch_asset(&hub, done["data"]["outputs"][0].as_str().unwrap(), 4, b"ftyp");
    let b = hub.router_post("/wavespeed/api/v3/wavespeed-ai/bad", &json!({"prompt": "x"})).json();
    let failed = get(&hub.router, &format!("/wavespeed{}", path_of(b["data"]["urls"]["get"].as_str().unwrap()))).json();
    assert_eq!(failed["data"]["status"], "failed");
    assert!(!failed["data"]["error"].as_str().unwrap().is_empty());

    let z = hub.router_post("/zai-org/api/paas/v4/async/images/generations", &json!({"model": "cogview-4", "prompt": "x"}));
    assert_eq!(z.status, 200, "{}", z.body);
    let z = z.json();
    assert_eq!(z["task_status"], "PROCESSING");
    let poll = format!("/zai-org/api/paas/v4/async-result/{}", z["id"].as_str().unwrap());
    assert_eq!(get(&hub.router, &poll).json()["task_status"], "PROCESSING");
    let done = get(&hub.router, &poll).json();
    assert_eq!(done["task_status"], "SUCCESS");
    fetch_asset(&hub, done["image_result"][0]["url"].as_str().unwrap(), 0, b"\x89PNG");
    assert_assets_fetched_without_token(&hub);
}

#[test]
fn hf_inference_pipelines_and_recorded_models() {
    let hub = hub();
    let img = hub.router_post("/hf-inference/models/stabilityai/sdxl", &json!({"inputs": "a cat"}));
    assert_eq!((img.status, img.header("content-type")), (200, Some("image/png")));
    assert_eq!(&img.bytes[..4], b"\x89PNG");
    let tts = hub.router_post("/hf-inference/models/facebook/mms-tts", &json!({"inputs": "hi"}));
    assert_eq!(&tts.bytes[..4], b"RIFF");
    let asr = request_bytes(
        &hub.router,
        "POST",
        "/hf-inference/models/openai/whisper-tiny",
        &[("Authorization", &bearer()), ("Content-Type", "audio/flac")],
        b"fLaC\0\0\0\x22",
    );
    assert_eq!(asr.status, 200, "{}", asr.body);
    assert_eq!(asr.json()["text"], "it works");
    let fe = "/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction";
    let one = hub.router_post(fe, &json!({"inputs": "hi", "normalize": true})).json();
    assert_eq!(one.as_array().unwrap().len(), 4);
    let two = hub.router_post(fe, &json!({"inputs": ["a", "b"]})).json();
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert_eq!(two[0].as_array().unwrap().len(), 4);
    let chat = hub
        .router_post(
            "/hf-inference/models/HuggingFaceTB/SmolLM3-3B/v1/chat/completions",
            &json!({"model": "HuggingFaceTB/SmolLM3-3B", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .json();
    assert_eq!(chat["choices"][0]["message"]["content"], "Hi there");
    // Recorded hf-inference models are still the recordings; unknown ones 404.
    let rec = hub.router_post("/hf-inference/models/CompVis/stable-diffusion-v1-4", &json!({"inputs": "x"}));
    assert!(rec.header("x-fakehub-recording").is_some());
    let none = hub.router_post("/hf-inference/models/nobody/nothing", &json!({"inputs": "x"}));
    assert_eq!(none.status, 404);
    assert_eq!(none.json()["error"], "Model nobody/nothing does not exist");
}

fn sse_events(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|e| e.strip_prefix("data: ").unwrap_or_else(|| panic!("not a data line: {e:?}")).to_string())
        .collect()
}

#[test]
fn provider_chat_plain_and_streamed() {
    let hub = hub();
    let msgs = json!([{"role": "user", "content": "Say hi"}]);
    let plain = hub.router_post("/groq/openai/v1/chat/completions", &json!({"model": "openai/gpt-oss-120b", "messages": msgs}));
    assert_eq!(plain.status, 200, "{}", plain.body);
    let c = plain.json();
    assert_eq!(c["object"], "chat.completion");
    assert_eq!(c["choices"][0]["message"]["content"], "Fast answer from groq");
    assert_eq!(c["choices"][0]["finish_reason"], "stop");
    assert!(c["usage"]["total_tokens"].as_u64().unwrap() > 0);

    let s = hub.router_post(
        "/groq/openai/v1/chat/completions",
        &json!({"model": "openai/gpt-oss-120b", "messages": msgs, "stream": true, "stream_options": {"include_usage": true}}),
    );
    assert_eq!(s.header("content-type"), Some("text/event-stream"));
    let events = sse_events(&s.body);
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1].iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"));
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(text, "Fast answer from groq");
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(chunks.last().unwrap()["usage"]["completion_tokens"].as_u64().is_some());

    // A chat_models card makes its other providers' routes answer too.
    let c = hub.router_post("/cerebras/v1/chat/completions", &json!({"model": "openai/gpt-oss-120b", "messages": msgs}));
    assert_eq!(c.status, 200, "{}", c.body);
    // Missing messages: OpenAI-style 422.
    let bad = hub.router_post("/groq/openai/v1/chat/completions", &json!({"model": "openai/gpt-oss-120b"}));
    assert_eq!((bad.status, bad.json()["error"]["param"].clone()), (422, json!("messages")));
    // Recorded together chat is unchanged.
    let rec =
        hub.router_post("/together/v1/chat/completions", &json!({"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "messages": msgs}));
    assert!(rec.header("x-fakehub-recording").is_some(), "{}", rec.body);
}

#[test]
fn auto_route_honours_policy_suffixes() {
    let hub = hub();
    let msgs = json!([{"role": "user", "content": "hi"}]);
    let provider_for = |model: &str| {
        let r = hub.router_post("/v1/chat/completions", &json!({"model": model, "messages": msgs}));
        assert_eq!(r.status, 200, "{model}: {}", r.body);
        r.header("x-inference-provider").unwrap().to_string()
    };
    assert_eq!(provider_for("openai/gpt-oss-120b"), "cerebras");
    assert_eq!(provider_for("openai/gpt-oss-120b:fastest"), "cerebras");
    // novita is cheapest but not live.
    assert_eq!(provider_for("openai/gpt-oss-120b:cheapest"), "together");
    assert_eq!(provider_for("openai/gpt-oss-120b:preferred"), "groq");
    assert_eq!(provider_for("openai/gpt-oss-120b:groq"), "groq");
    let r = hub.router_post("/v1/chat/completions", &json!({"model": "openai/gpt-oss-120b:groq", "messages": msgs, "stream": true}));
    assert!(r.body.ends_with("data: [DONE]\n\n"));
    assert!(r.body.contains("Fast answer from groq".split(' ').next().unwrap()));
    for bad in ["openai/gpt-oss-120b:novita", "nobody/model", "openai/gpt-oss-120b:fal-ai"] {
        let r = hub.router_post("/v1/chat/completions", &json!({"model": bad, "messages": msgs}));
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["error"], format!("The requested model '{bad}' is not supported by any provider you have enabled."));
    }
    // The router's request id echoes the caller's trace id.
    let r = send(
        &hub.router,
        "POST",
        "/v1/chat/completions",
        &json!({"model": "openai/gpt-oss-120b", "messages": msgs}),
        &[("X-Amzn-Trace-Id", "trace-42")],
    );
    let rid = r.header("x-request-id").unwrap();
    assert!(rid.starts_with("Root=1-") && rid.ends_with(";trace-42"), "{rid}");
}

#[test]
fn faults_apply_to_synthesised_routes() {
    let hub = FakeHub::start(Some(&{
        let mut c = config();
        c["faults"] = json!([
            {"path": "/fal-ai/fal-ai/veo3/fast", "origin": "router", "status": 429, "times": 1},
            {"path": "/replicate/v1/predictions/*", "origin": "router", "status": 503, "times": 3},
        ]);
        c
    }));
    let first = hub.router_post("/fal-ai/fal-ai/veo3/fast?_subdomain=queue", &json!({"prompt": "x"}));
    assert_eq!(first.status, 429);
    assert!(first.header("retry-after").is_none());
    let second = hub.router_post("/fal-ai/fal-ai/veo3/fast?_subdomain=queue", &json!({"prompt": "x"}));
    assert_eq!(second.status, 200);
    let p = hub.router_post("/replicate/v1/models/owner/video/predictions", &json!({"input": {"prompt": "x"}})).json();
    let poll = format!("/replicate/v1/predictions/{}", p["id"].as_str().unwrap());
    for _ in 0..3 {
        assert_eq!(get(&hub.router, &poll).status, 503);
    }
    // Faulted polls did not advance the job.
    assert_eq!(get(&hub.router, &poll).json()["status"], "processing");
}

#[test]
fn wall_clock_jobs_finish_after_their_seconds() {
    let mut c = config();
    c["providers"]["fal-ai"]["models"]["fal-ai/timed/v1"] = json!({"result": "video", "seconds": 0.6});
    let hub = FakeHub::start(Some(&c));
    let s = hub.router_post("/fal-ai/fal-ai/timed/v1?_subdomain=queue", &json!({"prompt": "x"})).json();
    let status = format!("/fal-ai{}/status?_subdomain=queue", path_of(s["response_url"].as_str().unwrap()));
    for _ in 0..5 {
        assert_ne!(get(&hub.router, &status).json()["status"], "COMPLETED");
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert_eq!(get(&hub.router, &status).json()["status"], "COMPLETED");
}

#[test]
fn fal_logs_accumulate_over_polls() {
    let hub = hub();
    let s = hub.router_post("/fal-ai/fal-ai/steps/v1?_subdomain=queue", &json!({"prompt": "x"})).json();
    let status = format!("/fal-ai{}/status?_subdomain=queue", path_of(s["response_url"].as_str().unwrap()));
    let messages = |v: &Value| -> Vec<String> {
        v["logs"].as_array().into_iter().flatten().map(|l| l["message"].as_str().unwrap().to_string()).collect()
    };
    let polls: Vec<Value> = (0..6).map(|_| get(&hub.router, &status).json()).collect();
    let statuses: Vec<&str> = polls.iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["IN_QUEUE", "IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]);
    // Like fal's, each answer repeats the earlier lines: clients print only the new ones.
    assert_eq!(messages(&polls[2]), ["Starting generation", "step 3"]);
    assert_eq!(messages(&polls[4]), ["Starting generation", "step 3", "step 4", "step 5"]);
    assert_eq!(messages(&polls[5]), ["Starting generation", "step 3", "step 4", "step 5", "Done"]);
}

#[test]
fn nscale_images_and_novita_videos() {
    let hub = hub();
    let r = hub.router_post(
        "/nscale/v1/images/generations",
        &json!({"response_format": "b64_json", "prompt": "a fox", "model": "stabilityai/sdxl-n", "size": "64x64"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b64 = r.json()["data"][0]["b64_json"].as_str().unwrap().to_string();
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    let r = hub.router_post("/nscale/v1/images/generations", &json!({"prompt": "a fox", "model": "nope"}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("nscale"), "{}", r.body);

    let r = hub.router_post("/novita/v3/hf/wan/t2v-n", &json!({"prompt": "a boat"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let url = r.json()["video"]["video_url"].as_str().unwrap().to_string();
    fetch_asset(&hub, &url, 4, b"ftyp");
    assert_eq!(hub.router_post("/novita/v3/hf/wan/t2v-n", &json!({"steps": 2})).status, 422);
    let r = hub.router_post("/novita/v3/hf/wan/broken-n", &json!({"prompt": "a boat"}));
    assert_eq!(r.status, 500);
    assert!(r.body.contains("no GPU"), "{}", r.body);
    assert_eq!(hub.router_post("/novita/v3/hf/unknown/model", &json!({"prompt": "x"})).status, 400);
    assert_assets_fetched_without_token(&hub);
}

#[test]
fn request_log_keeps_router_json_bodies_and_bill_to() {
    let hub = hub();
    let body = json!({"prompt": "a cat", "image_url": "data:image/png;base64,AAAA"});
    let r = send(&hub.router, "POST", "/fal-ai/fal-ai/veo3/fast?_subdomain=queue", &body, &[("X-HF-Bill-To", "acme")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let url = r.json()["status_url"].as_str().unwrap().to_string();
    get(&hub.router, &format!("/fal-ai{}?_subdomain=queue", path_of(&url)));
    request(&hub.assets, "GET", "/v3.fal.media/synth/x.png", &[], None);
    let log = hub.requests(None);
    assert_eq!(log[0]["bill_to"], "acme", "{log:?}");
    assert_eq!(log[0]["body"], body, "the JSON a provider received");
    // Absent, not null, when not sent: older log consumers see the same objects.
    for r in &log[1..] {
        assert!(r.get("bill_to").is_none() && r.get("body").is_none(), "{r}");
    }
}
