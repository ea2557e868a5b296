//! Replay of the recorded cassettes: every interaction byte for byte, on
//! the listener of its recorded host, with asset URLs rewritten.

mod common;

use common::cassettes::{self, Rec};
use common::{FakeHub, TOKEN, bearer, request, request_bytes};
use serde_json::{Value, json};

fn hub() -> FakeHub {
    FakeHub::start(Some(&json!({ "tokens": { TOKEN: { "user": "alice" } } })))
}

/// Sends a recording's request (authenticated except on the assets CDN).
fn send(hub: &FakeHub, r: &Rec, body: &[u8]) -> common::Resp {
    let (base, path) = r.location(hub);
    let auth = bearer();
    let mut headers = vec![];
    if base != hub.assets {
        headers.push(("Authorization", auth.as_str()));
    }
    request_bytes(&base, &r.method, &path, &headers, body)
}

#[test]
fn every_recorded_interaction_replays_exactly() {
    let hub = hub();
    let all = cassettes::all();
    assert!(all.len() >= 40, "only {} interactions", all.len());
    for r in all {
        let resp = send(&hub, r, &r.req_body);
        // Identical requests were recorded more than once; the first wins.
        let first =
            all.iter().find(|o| o.method == r.method && o.host == r.host && o.target == r.target && o.req_body == r.req_body).unwrap();
        assert_eq!(resp.status, first.status, "{}", r.source);
        assert_eq!(resp.header("x-fakehub-recording"), Some(first.source.as_str()), "{}", r.source);
        assert_eq!(resp.header("content-type"), first.header("content-type"), "{}", r.source);
        let want = first.expected_body(&hub.assets);
        assert!(resp.bytes == want, "{}: body differs ({} vs {} bytes)", r.source, resp.bytes.len(), want.len());
    }
}

#[test]
fn images_are_served_as_recorded_bytes() {
    let hub = hub();
    let r = cassettes::find("hf-inference,text-to-image", "POST", "/hf-inference/models/");
    let resp = send(&hub, &r, &r.req_body);
    assert_eq!(resp.header("content-type"), Some("image/jpeg"));
    assert_eq!(&resp.bytes[..3], b"\xff\xd8\xff");
    assert_eq!(resp.bytes, r.body);
}

#[test]
fn sse_chat_stream_is_replayed_verbatim() {
    let hub = hub();
    let r = cassettes::find("with_stream[hf-inference", "POST", "/v1/chat/completions");
    let resp = send(&hub, &r, &r.req_body);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert!(resp.body.starts_with("data: {"), "{}", resp.body);
    assert!(resp.body.ends_with("data: [DONE]\n\n"));
    assert_eq!(resp.bytes, r.body);
}

#[test]
fn headers_that_matter_are_replayed_and_transport_ones_dropped() {
    let hub = hub();
    let r = cassettes::find("no_stream[together", "POST", "/together/v1/chat/completions");
    let resp = send(&hub, &r, &r.req_body);
    assert_eq!(resp.header("retry-after"), Some("2"));
    assert_eq!(resp.header("x-request-id"), r.header("X-Request-Id"));
    assert!(resp.header("via").is_none() && resp.header("x-amz-cf-id").is_none());

    let denied = cassettes::find("unprocessable_entity", "POST", "/v1/chat/completions");
    let resp = send(&hub, &denied, &denied.req_body);
    assert_eq!(resp.status, 401);
    assert_eq!(resp.header("x-error-message"), Some("Invalid username or password."));
    assert_eq!(resp.json(), json!({"error": "Invalid username or password."}));
}

#[test]
fn the_request_body_chooses_between_recordings_of_one_path() {
    let hub = hub();
    let path = "/hf-inference/models/meta-llama/Llama-3.1-8B-Instruct/v1/chat/completions";
    // A different prompt, keys in another order: `stream` decides.
    let ask = |stream: bool| {
        hub.router_post(
            path,
            &json!({"messages": [{"role": "user", "content": "hi"}], "stream": stream, "model": "meta-llama/Llama-3.1-8B-Instruct"}),
        )
    };
    let sse = ask(true);
    assert_eq!(sse.header("content-type"), Some("text/event-stream"));
    assert!(sse.header("x-fakehub-recording").unwrap().contains("with_stream"));
    let plain = ask(false);
    assert_eq!(plain.header("content-type"), Some("application/json"));
    assert_eq!(plain.json()["object"], "chat.completion");
    // The same for a provider path (cerebras).
    let sse = hub.router_post("/cerebras/v1/chat/completions", &json!({"model": "llama-3.3-70b", "stream": true}));
    assert!(sse.header("content-type").unwrap().starts_with("text/event-stream"));
}

#[test]
fn query_spellings_are_normalised() {
    let hub = hub();
    let r = cassettes::find("no_stream[cerebras", "GET", "/api/models/");
    let path = r.target.split('?').next().unwrap();
    for query in ["expand=inferenceProviderMapping", "expand[]=inferenceProviderMapping", "expand%5B%5D=inferenceProviderMapping"] {
        let resp = hub.get(&format!("{path}?{query}"));
        assert_eq!(resp.status, 200, "{query}");
        assert_eq!(resp.bytes, r.body, "{query}");
    }
    // Another query is another request: no recording, no such model.
    assert_eq!(hub.get(&format!("{path}?expand=gguf")).status, 404);
    // Nor does a method with no recording match.
    assert_eq!(request(&hub.url, "DELETE", path, &[], None).status, 405);
}

#[test]
fn hf_inference_models_get_a_mapping_answered_from_the_spec() {
    let hub = hub();
    let mapping = |id: &str| {
        let r = hub.get(&format!("/api/models/{id}?expand[]=inferenceProviderMapping"));
        assert_eq!(r.status, 200, "{id}: {}", r.body);
        r.json()
    };
    let sd = mapping("CompVis/stable-diffusion-v1-4");
    assert_eq!(sd["id"], "CompVis/stable-diffusion-v1-4");
    assert_eq!(
        sd["inferenceProviderMapping"],
        json!({"hf-inference": {"status": "live", "providerId": "CompVis/stable-diffusion-v1-4", "task": "text-to-image"}})
    );
    let chat = mapping("meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(chat["inferenceProviderMapping"]["hf-inference"]["task"], "conversational");
    let tts = mapping("espnet/kan-bayashi_ljspeech_vits");
    assert_eq!(tts["inferenceProviderMapping"]["hf-inference"]["task"], "text-to-speech");
    // The recorded `_id` is kept, and the plain lookup is still the recording.
    let plain = hub.get("/api/models/CompVis/stable-diffusion-v1-4");
    assert_eq!(plain.json()["_id"], sd["_id"]);
    assert_eq!(plain.json()["pipeline_tag"], "text-to-image");
}

#[test]
fn asset_urls_point_at_the_assets_listener_and_fetch_without_a_token() {
    let hub = hub();
    assert_ne!(hub.assets, hub.router);
    assert_ne!(hub.assets, hub.url);

    // fal-ai: JSON with an image URL.
    let fal = cassettes::find("fal-ai,text-to-image", "POST", "/fal-ai/");
    let v = send(&hub, &fal, &fal.req_body).json();
    let url = v["images"][0]["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/v3.fal.media/files/koala/7EQDw9PT6pMiX2fm7bYOC.png", hub.assets));
    let png = request_bytes(&hub.assets, "GET", url.strip_prefix(&hub.assets).unwrap(), &[], b"");
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(&png.bytes[..8], b"\x89PNG\r\n\x1a\n");
    let recorded = cassettes::find("fal-ai,text-to-image", "GET", "/files/koala/");
    assert_eq!(png.bytes, recorded.body);

    // replicate: a prediction whose output and follow-up links are rewritten.
    let rep = cassettes::find("replicate,text-to-image", "POST", "/replicate/v1/predictions");
    let v = send(&hub, &rep, &rep.req_body).json();
    let out = v["output"][0].as_str().unwrap();
    assert!(out.starts_with(&format!("{}/replicate.delivery/", hub.assets)), "{out}");
    assert!(v["urls"]["get"].as_str().unwrap().starts_with(&format!("{}/api.replicate.com/", hub.assets)));
    let img = request_bytes(&hub.assets, "GET", out.strip_prefix(&hub.assets).unwrap(), &[], b"");
    assert_eq!(img.bytes, cassettes::find("replicate,text-to-image", "GET", "/out-0.png").body);

    // A direct provider call's Location header is rewritten the same way.
    let direct = cassettes::find("replicate,text-to-speech", "POST", "/v1/predictions");
    let resp = send(&hub, &direct, &direct.req_body);
    assert_eq!(resp.status, 202);
    assert_eq!(
        resp.header("location"),
        Some(format!("{}/api.replicate.com/v1/predictions/2ea92hmwgnrga0cmpp9rj00evw", hub.assets).as_str())
    );

    // The CDN was never sent a token.
    let cdn = hub.requests(Some("assets"));
    assert_eq!(cdn.len(), 3, "{cdn:?}");
    assert!(cdn.iter().all(|r| r["authorization"] == false));
}

#[test]
fn the_router_wants_a_valid_token_for_recorded_calls_too() {
    let hub = hub();
    let r = cassettes::find("fal-ai,text-to-image", "POST", "/fal-ai/");
    let body = std::str::from_utf8(&r.req_body).unwrap();
    let anon = request(&hub.router, "POST", &r.target, &[], Some(body));
    assert_eq!(anon.status, 401);
    assert_eq!(anon.json(), json!({"error": "Invalid username or password."}));
    let bad = request(&hub.router, "POST", &r.target, &[("Authorization", "Bearer hf_nope")], Some(body));
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json(), json!({"error": "Invalid credentials in Authorization header"}));
    // Recorded Hub lookups stay public, like the real model API.
    assert_eq!(hub.get("/api/models/black-forest-labs/FLUX.1-dev?expand=inferenceProviderMapping").status, 200);
}

#[test]
fn configured_models_win_over_recordings() {
    let hub = FakeHub::start(Some(&json!({
        "models": { "black-forest-labs/FLUX.1-dev": {
            "pipeline_tag": "text-to-image",
            "providers": [{"provider": "wavespeed", "provider_id": "wavespeed-ai/flux-dev"}],
        }},
    })));
    let v: Value = hub.get("/api/models/black-forest-labs/FLUX.1-dev?expand[]=inferenceProviderMapping").json();
    assert_eq!(
        v["inferenceProviderMapping"],
        json!({"wavespeed": {"status": "live", "providerId": "wavespeed-ai/flux-dev", "task": "text-to-image"}})
    );
}
