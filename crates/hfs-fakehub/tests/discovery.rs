//! Semantic search, the Spaces listing and the router's chat model
//! catalogue.

mod common;

use common::{FakeHub, TOKEN, request};
use serde_json::{Value, json};

fn hub() -> FakeHub {
    FakeHub::start(Some(&json!({
        "tokens": { TOKEN: { "user": "alice" } },
        "spaces": {
            "me/ghibli-draw": {"host": "http://127.0.0.1:9", "likes": 5, "short_description": "Ghibli style pictures", "category": "Image Generation", "hardware": "zero-a10g"},
            "me/reader": {"host": "http://127.0.0.1:9", "likes": 50, "category": "OCR", "sdk": "docker"},
            "me/sleepy": {"host": "http://127.0.0.1:9", "stage": "SLEEPING", "likes": 1, "short_description": "Ghibli but asleep"},
            "corp/secret": {"host": "http://127.0.0.1:9", "private": true, "short_description": "Ghibli secret"},
        },
    })))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn semantic_search_serves_the_recorded_hits_filtered_by_query() {
    let hub = hub();
    let r = hub.get("/api/spaces/semantic-search?q=flux&sdk=gradio");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    let v = r.json();
    assert_eq!(ids(&v), ["ginipick/FLUXllama", "ginipick/Realtime-FLUX", "evalstate/flux1_schnell", "black-forest-labs/FLUX.1-schnell"]);
    // Hits are the recorded objects, untouched.
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(common::fixtures_dir().join("hub/spaces-semantic-search.json")).unwrap()).unwrap();
    assert_eq!(v[0], fixture[0]);

    assert_eq!(ids(&hub.get("/api/spaces/semantic-search?q=realtime").json()), ["ginipick/Realtime-FLUX"]);
    assert_eq!(ids(&hub.get("/api/spaces/semantic-search?q=flux&limit=2").json()).len(), 2);
    assert!(ids(&hub.get("/api/spaces/semantic-search?q=zebra").json()).is_empty());
}

#[test]
fn semantic_search_finds_configured_spaces_by_text_category_and_stage() {
    let hub = hub();
    let anon = hub.get("/api/spaces/semantic-search?q=ghibli").json();
    assert_eq!(ids(&anon), ["me/ghibli-draw"]);
    assert_eq!(anon[0]["runtime"]["stage"], "RUNNING");
    assert_eq!(anon[0]["runtime"]["hardware"]["current"], "zero-a10g");
    assert_eq!(anon[0]["shortDescription"], "Ghibli style pictures");
    // Non-running Spaces on request, private ones only with a token.
    let all = hub.get("/api/spaces/semantic-search?q=ghibli&includeNonRunning=true").json();
    assert_eq!(ids(&all), ["me/ghibli-draw", "me/sleepy"]);
    let signed_in = hub.get_auth("/api/spaces/semantic-search?q=ghibli").json();
    assert_eq!(ids(&signed_in), ["corp/secret", "me/ghibli-draw"]);

    let images = hub.get("/api/spaces/semantic-search?category=image-generation").json();
    assert_eq!(ids(&images).len(), 5, "{images}");
    assert!(ids(&images).contains(&"me/ghibli-draw".to_string()));
    assert_eq!(ids(&hub.get("/api/spaces/semantic-search?category=ocr").json()), ["me/reader"]);
    assert!(ids(&hub.get("/api/spaces/semantic-search?category=ocr&sdk=gradio").json()).is_empty());
    assert_eq!(ids(&hub.get("/api/spaces/semantic-search?category=image-generation&limit=1").json()).len(), 1);
}

#[test]
fn semantic_search_needs_a_query_or_category() {
    let hub = hub();
    let r = hub.get("/api/spaces/semantic-search");
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("q"));
}

#[test]
fn spaces_listing_filters_sorts_and_limits() {
    let hub = hub();
    let v = hub.get("/api/spaces").json();
    assert_eq!(ids(&v), ["me/ghibli-draw", "me/reader", "me/sleepy"]);
    let item = &v[0];
    let mut keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["_id", "createdAt", "id", "likes", "private", "sdk", "tags"]);

    assert_eq!(ids(&hub.get_auth("/api/spaces").json()).len(), 4);
    assert_eq!(ids(&hub.get("/api/spaces?search=READ").json()), ["me/reader"]);
    assert_eq!(ids(&hub.get("/api/spaces?author=corp").json()), Vec::<String>::new());
    assert_eq!(ids(&hub.get_auth("/api/spaces?author=corp").json()), ["corp/secret"]);
    assert_eq!(ids(&hub.get("/api/spaces?filter=docker").json()), ["me/reader"]);
    assert_eq!(ids(&hub.get("/api/spaces?sort=likes&direction=-1&limit=2").json()), ["me/reader", "me/ghibli-draw"]);
    assert_eq!(ids(&hub.get("/api/spaces?sort=likes&direction=1&limit=1").json()), ["me/sleepy"]);

    let expanded = hub.get("/api/spaces?search=sleepy&expand[]=runtime&expand[]=subdomain").json();
    assert_eq!(expanded[0]["runtime"]["stage"], "SLEEPING");
    assert_eq!(expanded[0]["subdomain"], "me-sleepy");
    assert!(expanded[0].get("likes").is_none());
    let full = hub.get("/api/spaces?search=sleepy&full=true").json();
    assert_eq!(full[0]["host"], "http://127.0.0.1:9");
}

#[test]
fn router_lists_configured_chat_models() {
    let hub = FakeHub::start(Some(&json!({
        "tokens": { TOKEN: { "user": "alice" } },
        "chat_models": [
            {"id": "openai/gpt-oss-120b", "created": 1754000000, "providers": [
                {"provider": "groq", "context_length": 131072, "pricing": {"input": 0.15, "output": 0.75},
                 "supports_tools": true, "first_token_latency_ms": 180, "throughput": 500},
                {"provider": "novita", "status": "error"},
            ]},
            {"id": "Qwen/Qwen3-VL-8B", "input_modalities": ["text", "image"], "owned_by": "qwen", "providers": []},
        ],
    })));
    // The catalogue is public, on the router's own origin.
    let r = request(&hub.router, "GET", "/v1/models", &[], None);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["object"], "list");
    assert_eq!(ids(&v["data"]), ["openai/gpt-oss-120b", "Qwen/Qwen3-VL-8B"]);
    let card = &v["data"][0];
    assert_eq!(card["object"], "model");
    assert_eq!(card["owned_by"], "openai");
    assert_eq!(card["architecture"], json!({"input_modalities": ["text"], "output_modalities": ["text"]}));
    assert_eq!(
        card["providers"][0],
        json!({"provider": "groq", "status": "live", "context_length": 131072, "pricing": {"input": 0.15, "output": 0.75},
               "supports_tools": true, "first_token_latency_ms": 180, "throughput": 500, "is_model_author": false})
    );
    assert_eq!(card["providers"][1], json!({"provider": "novita", "status": "error", "is_model_author": false}));
    assert_eq!(v["data"][1]["owned_by"], "qwen");

    let one = request(&hub.router, "GET", "/v1/models/Qwen/Qwen3-VL-8B", &[], None).json();
    assert_eq!(one["architecture"]["input_modalities"], json!(["text", "image"]));
    assert_eq!(request(&hub.router, "GET", "/v1/models/no/such", &[], None).status, 404);
    // Not served on the Hub origin; a bad token is refused even here.
    assert_eq!(hub.get("/v1/models").status, 404);
    let bad = request(&hub.router, "GET", "/v1/models", &[("Authorization", "Bearer hf_bad")], None);
    assert_eq!(bad.status, 401);
}
