//! Discovery and account listings against the fake Hub/router: `hfs search spaces` (the real
//! recorded semantic-search answer, `tests/fixtures/hub/spaces-semantic-search.json`, plus
//! configured Spaces), `hfs search models`, `hfs models` (router `/v1/models`) and `hfs quota`.
//! Tables and JSON are snapshots (`snapshots/it__discovery__*.snap`).

use serde_json::{Value, json};

use crate::support::Run;
use crate::support::{Home, fake, filters, requests_to};

/// stdout with trailing blanks of table lines removed (the padding of the last column).
fn table(r: &Run) -> String {
    r.stdout.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// The first column of each table row (header skipped).
fn first_column(r: &Run) -> Vec<String> {
    r.stdout.lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

/// The query string of the last GET to `path`.
fn last_query(hub: &hfs_testkit::FakeHub, path: &str) -> String {
    let reqs = requests_to(hub, "GET", path);
    reqs.last().unwrap_or_else(|| panic!("no request to {path}"))["query"].as_str().unwrap_or("").to_string()
}

/// The four recorded hits, in the recorded order.
const RECORDED: &[&str] = &["ginipick/FLUXllama", "ginipick/Realtime-FLUX", "evalstate/flux1_schnell", "black-forest-labs/FLUX.1-schnell"];

fn search_hub() -> hfs_testkit::FakeHub {
    fake(&json!({"spaces": {
        // Not running: only listed with --all.
        "tests/sleeping-painter": {"host": "http://127.0.0.1:9", "stage": "SLEEPING", "hardware": "zero-a10g", "likes": 7,
                                   "short_description": "Paints flux pictures while asleep", "category": "Image Generation"},
        // Running, another category.
        "tests/reader": {"host": "http://127.0.0.1:9", "likes": 2, "short_description": "Reads the text of scanned pages",
                         "category": "OCR"},
    }}))
}

#[test]
fn search_spaces_table_and_json() {
    let hub = search_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["search", "spaces", "flux image generator"]).run().ok();
    insta::assert_snapshot!("search_spaces_text", table(&r));
    assert_eq!(first_column(&r), RECORDED);
    let q = last_query(&hub, "/api/spaces/semantic-search");
    assert!(q.contains("q=flux+image+generator") || q.contains("q=flux%20image%20generator"), "{q}");
    assert!(q.contains("sdk=gradio") && !q.contains("includeNonRunning"), "{q}");
    let r = home.hfs(&hub, &["search", "spaces", "flux image generator", "--json"]).run().ok();
    insta::assert_json_snapshot!("search_spaces_json", r.json());
}

#[test]
fn search_spaces_options() {
    let hub = search_hub();
    let home = Home::new();
    // --limit
    let r = home.hfs(&hub, &["search", "spaces", "flux", "--limit", "2"]).run().ok();
    assert_eq!(first_column(&r), &RECORDED[..2]);
    let j = home.hfs(&hub, &["search", "spaces", "flux", "--limit", "1", "--json"]).run().ok().json();
    assert_eq!(j["spaces"].as_array().unwrap().len(), 1, "{j}");
    // A narrower query.
    let r = home.hfs(&hub, &["search", "spaces", "realtime"]).run().ok();
    assert_eq!(first_column(&r), ["ginipick/Realtime-FLUX"]);
    // --all adds Spaces that are not running, with their stage.
    let r = home.hfs(&hub, &["search", "spaces", "flux", "--all"]).run().ok();
    assert!(first_column(&r).contains(&"tests/sleeping-painter".to_string()), "{r:?}");
    let row = r.stdout.lines().find(|l| l.contains("tests/sleeping-painter")).unwrap();
    assert!(row.contains("SLEEPING") && row.contains("Paints flux pictures"), "{row}");
    assert!(last_query(&hub, "/api/spaces/semantic-search").contains("includeNonRunning=true"));
    let r = home.hfs(&hub, &["search", "spaces", "flux"]).run().ok();
    assert!(!r.stdout.contains("tests/sleeping-painter"), "running only by default: {r:?}");
    // Nothing found.
    let r = home.hfs(&hub, &["search", "spaces", "zzzqqq"]).run().ok();
    assert!(r.stdout.contains("No Spaces found") && r.stdout.contains("--all"), "{r:?}");
}

#[test]
fn search_spaces_by_category() {
    let hub = search_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["search", "spaces", "--category", "image-generation"]).run().ok();
    assert_eq!(first_column(&r), RECORDED);
    let q = last_query(&hub, "/api/spaces/semantic-search");
    assert!(q.contains("category=image-generation") && q.contains("sdk=gradio") && !q.contains("q="), "{q}");
    let r = home.hfs(&hub, &["search", "spaces", "--category", "ocr", "--json"]).run().ok();
    let j = r.json();
    let ids: Vec<&str> = j["spaces"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["tests/reader"], "{r:?}");
    // Every documented slug is accepted; anything else is refused before asking the Hub.
    for slug in [
        "image-generation",
        "video-generation",
        "text-generation",
        "speech-synthesis",
        "music-generation",
        "voice-cloning",
        "image-editing",
        "background-removal",
        "image-upscaling",
        "ocr",
        "style-transfer",
        "image-captioning",
    ] {
        home.hfs(&hub, &["search", "spaces", "--category", slug]).run().ok();
    }
    let before = requests_to(&hub, "GET", "/api/spaces/semantic-search").len();
    home.hfs(&hub, &["search", "spaces", "--category", "painting"]).run().fails(2).says(&[
        "painting",
        "image-generation",
        "image-captioning",
    ]);
    home.hfs(&hub, &["search", "spaces"]).run().fails(2).says(&["--category"]);
    assert_eq!(requests_to(&hub, "GET", "/api/spaces/semantic-search").len(), before);
}

// ---------------------------------------------------------------------------------------------

fn models_hub() -> hfs_testkit::FakeHub {
    fake(&json!({
        "models": {
            "black-forest-labs/FLUX.1-dev": {"pipeline_tag": "text-to-image", "likes": 11000, "downloads": 1500000, "trending_score": 90,
                "providers": [
                    {"provider": "fal-ai", "provider_id": "fal-ai/flux/dev"},
                    {"provider": "replicate", "provider_id": "black-forest-labs/flux-dev", "status": "staging"},
                ]},
            "stabilityai/stable-diffusion-xl-base-1.0": {"pipeline_tag": "text-to-image", "likes": 6000, "downloads": 2000000, "trending_score": 50,
                "providers": [{"provider": "hf-inference", "provider_id": "stabilityai/stable-diffusion-xl-base-1.0"}]},
            "Qwen/Qwen-Image": {"pipeline_tag": "text-to-image", "likes": 2000, "trending_score": 70,
                "providers": [{"provider": "fal-ai", "provider_id": "fal-ai/qwen-image", "status": "error"}]},
            "Wan-AI/Wan2.2-T2V-A14B": {"pipeline_tag": "text-to-video", "likes": 500, "trending_score": 99,
                "providers": [{"provider": "fal-ai", "provider_id": "fal-ai/wan/v2.2-a14b/text-to-video"}]},
            "someone/not-served": {"pipeline_tag": "text-to-image", "likes": 1},
        },
        "chat_models": [
            {"id": "openai/gpt-oss-120b", "providers": [
                {"provider": "groq", "status": "live", "context_length": 131072, "pricing": {"input": 0.15, "output": 0.75},
                 "first_token_latency_ms": 180, "throughput": 512.5},
                {"provider": "together", "status": "error", "context_length": 128000},
            ]},
            {"id": "meta-llama/Llama-3.1-8B-Instruct", "providers": [
                {"provider": "cerebras", "status": "live", "pricing": {"input": 0.1, "output": 0.1}, "throughput": 2000},
            ]},
        ],
    }))
}

#[test]
fn search_models_by_task_and_provider() {
    let hub = models_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["search", "models", "--task", "text-to-image"]).run().ok();
    insta::assert_snapshot!("search_models_text", table(&r));
    let ids = first_column(&r);
    assert!(!ids.iter().any(|m| m.starts_with("Wan-AI/")), "another task: {r:?}");
    assert!(!ids.contains(&"someone/not-served".to_string()), "not served by any provider: {r:?}");
    let q = last_query(&hub, "/api/models");
    assert!(q.contains("pipeline_tag=text-to-image") && q.contains("inference_provider=all"), "{q}");
    assert!(q.contains("inferenceProviderMapping"), "{q}");

    let r = home.hfs(&hub, &["search", "models", "--task", "text-to-image", "--provider", "fal-ai"]).run().ok();
    let ids = first_column(&r);
    assert!(ids.contains(&"black-forest-labs/FLUX.1-dev".to_string()), "{r:?}");
    assert!(!ids.contains(&"stabilityai/stable-diffusion-xl-base-1.0".to_string()), "not on fal-ai: {r:?}");
    assert!(last_query(&hub, "/api/models").contains("inference_provider=fal-ai"));

    let r = home.hfs(&hub, &["search", "models", "--task", "text-to-image", "--provider", "fal-ai", "--json"]).run().ok();
    insta::assert_json_snapshot!("search_models_fal_json", r.json());

    // A query narrows by id.
    let r = home.hfs(&hub, &["search", "models", "--task", "text-to-image", "flux"]).run().ok();
    assert_eq!(first_column(&r), ["black-forest-labs/FLUX.1-dev"], "{r:?}");
    assert!(last_query(&hub, "/api/models").contains("search=flux"));
    let r = home.hfs(&hub, &["search", "models", "--task", "text-to-speech", "--provider", "fal-ai"]).run().ok();
    assert!(r.stdout.contains("No text-to-speech models served by fal-ai"), "{r:?}");
    home.hfs(&hub, &["search", "models", "flux"]).run().fails(2).says(&["--task"]);
}

#[test]
fn router_models() {
    let hub = models_hub();
    let home = Home::new();
    let r = home.hfs(&hub, &["models"]).run().ok();
    insta::assert_snapshot!("models_text", table(&r));
    let r = home.hfs(&hub, &["models", "--json"]).run().ok();
    let j = r.json();
    assert_eq!(j["schema"], "hfs.models/1");
    let ids: Vec<&Value> = j["models"].as_array().unwrap().iter().map(|m| &m["id"]).collect();
    assert_eq!(ids, [&json!("openai/gpt-oss-120b"), &json!("meta-llama/Llama-3.1-8B-Instruct")]);
    let groq = &j["models"][0]["providers"][0];
    assert_eq!((groq["context_length"].as_u64(), groq["first_token_latency_ms"].as_u64()), (Some(131072), Some(180)), "{j}");
    assert_eq!(groq["pricing"], json!({"input": 0.15, "output": 0.75}));
    let r = home.hfs(&hub, &["models", "LLAMA"]).run().ok();
    assert_eq!(first_column(&r), ["meta-llama/Llama-3.1-8B-Instruct"], "filter is case-insensitive: {r:?}");
    // The router was asked, anonymously (the catalogue is public).
    let calls = requests_to(&hub, "GET", "/v1/models");
    assert!(calls.len() == 3 && calls.iter().all(|c| c["origin"] == "router" && c["authorization"] == false), "{calls:?}");
}

// ---------------------------------------------------------------------------------------------

const QUOTA_TOKEN: &str = "hf_quotaOwner_0123456789abcdefghijkl";

#[test]
fn quota_text_and_json() {
    let hub = fake(&json!({"tokens": {QUOTA_TOKEN: {"user": "q",
        "quota": {"base": 1500, "current": 312.5, "resets_at": 588, "overquota_used": 12}}}}));
    let home = Home::new();
    let r = home.hfs(&hub, &["quota"]).env("HF_TOKEN", QUOTA_TOKEN).run().ok();
    assert!(r.stdout.contains("allowance:        1500s of GPU time per window (base)\n"), "{r:?}");
    assert!(r.stdout.contains("remaining:        312.5s (current)\n"), "{r:?}");
    assert!(r.stdout.contains("over-quota used:  12s\n"), "{r:?}");
    let resets = r.stdout.lines().find(|l| l.contains("resets at:")).unwrap_or_else(|| panic!("{r:?}"));
    assert!(resets.contains("(in 9m"), "resets in about 9m48s: {resets}");
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!("quota_text", r.stdout.replace(resets, "  resets at:        [RESETS]"));
    });
    let j = home.hfs(&hub, &["quota", "--json"]).env("HF_TOKEN", QUOTA_TOKEN).run().ok().json();
    assert_eq!(j["schema"], "hfs.quota/1");
    assert_eq!(
        (j["allowance_s"].as_f64(), j["remaining_s"].as_f64(), j["overquota_used_s"].as_f64()),
        (Some(1500.0), Some(312.5), Some(12.0)),
        "{j}"
    );
    let resets_in = j["resets_in_s"].as_u64().unwrap_or_else(|| panic!("{j}"));
    assert!((500..=588).contains(&resets_in), "{j}");
    assert_eq!(j["raw"]["base"], 1500, "the Hub's answer as sent: {j}");
    assert!(j["resets_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn quota_needs_a_valid_token() {
    let hub = fake(&json!({}));
    let home = Home::new();
    home.hfs(&hub, &["quota"]).run().fails(1).says(&["token", "https://huggingface.co/settings/tokens", "hfs auth login"]);
    home.hfs(&hub, &["quota"]).env("HF_TOKEN", "hf_notKnown_0123456789abcdefghijklm").run().fails(1).says(&["rejected", "hfs auth login"]);
}
