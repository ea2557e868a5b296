//! `GET /api/models` and `GET /api/models/{id}` for configured models.

mod common;

use common::{FakeHub, TOKEN};
use serde_json::{Value, json};

fn hub() -> FakeHub {
    FakeHub::start(Some(&json!({
        "tokens": { TOKEN: { "user": "alice" } },
        "models": {
            "black-forest-labs/FLUX.1-dev": {
                "pipeline_tag": "text-to-image", "library_name": "diffusers", "likes": 100, "downloads": 5,
                "providers": [
                    {"provider": "replicate", "provider_id": "black-forest-labs/flux-dev"},
                    {"provider": "fal-ai", "provider_id": "fal-ai/flux/dev", "status": "staging"},
                ],
            },
            "stabilityai/sdxl": {
                "pipeline_tag": "text-to-image", "likes": 300, "downloads": 1,
                "providers": [{"provider": "hf-inference", "provider_id": "stabilityai/sdxl"}],
            },
            "meta-llama/Llama-3.3-70B-Instruct": {
                "pipeline_tag": "text-generation", "tags": ["conversational"], "likes": 200, "downloads": 9,
                "providers": [{"provider": "cerebras", "provider_id": "llama-3.3-70b"}],
            },
            "someone/unserved": { "pipeline_tag": "text-to-image" },
            "acme/private-model": {
                "pipeline_tag": "text-to-image", "private": true,
                "providers": [{"provider": "fal-ai", "provider_id": "acme/x"}],
            },
        },
    })))
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
}

#[test]
fn listing_filters_by_provider_task_search_and_limit() {
    let hub = hub();
    let all = hub.get("/api/models").json();
    assert_eq!(ids(&all).len(), 4, "{all}");
    let served = hub.get("/api/models?inference_provider=all&pipeline_tag=text-to-image").json();
    assert_eq!(ids(&served), ["black-forest-labs/FLUX.1-dev", "stabilityai/sdxl"]);
    let fal = hub.get("/api/models?inference_provider=fal-ai").json();
    assert_eq!(ids(&fal), ["black-forest-labs/FLUX.1-dev"]);
    let either = hub.get("/api/models?inference_provider=cerebras,hf-inference").json();
    assert_eq!(ids(&either), ["meta-llama/Llama-3.3-70B-Instruct", "stabilityai/sdxl"]);
    assert_eq!(ids(&hub.get("/api/models?search=FLUX").json()), ["black-forest-labs/FLUX.1-dev"]);
    assert_eq!(
        ids(&hub.get("/api/models?sort=likes&direction=-1&limit=2").json()),
        ["stabilityai/sdxl", "meta-llama/Llama-3.3-70B-Instruct"]
    );
    assert_eq!(ids(&hub.get("/api/models?limit=1").json()).len(), 1);
    // Private models only with a token.
    assert_eq!(ids(&hub.get_auth("/api/models?inference_provider=fal-ai").json()).len(), 2);

    let item = &served[0];
    assert_eq!(item["pipeline_tag"], "text-to-image");
    assert_eq!(item["library_name"], "diffusers");
    assert_eq!(item["likes"], 100);
    assert!(item.get("inferenceProviderMapping").is_none());
}

#[test]
fn listing_expands_the_mapping_as_an_array_in_preference_order() {
    let hub = hub();
    let v = hub.get("/api/models?search=flux&expand[]=inferenceProviderMapping&expand[]=pipeline_tag").json();
    assert_eq!(
        v,
        json!([{
            "_id": v[0]["_id"], "id": "black-forest-labs/FLUX.1-dev", "pipeline_tag": "text-to-image",
            "inferenceProviderMapping": [
                {"provider": "replicate", "hfModelId": "black-forest-labs/FLUX.1-dev", "providerId": "black-forest-labs/flux-dev", "status": "live", "task": "text-to-image"},
                {"provider": "fal-ai", "hfModelId": "black-forest-labs/FLUX.1-dev", "providerId": "fal-ai/flux/dev", "status": "staging", "task": "text-to-image"},
            ],
        }])
    );
}

#[test]
fn model_info_gives_the_mapping_object_in_preference_order() {
    let hub = hub();
    let r = hub.get("/api/models/black-forest-labs/FLUX.1-dev?expand[]=inferenceProviderMapping");
    assert_eq!(r.status, 200);
    // Key order is meaningful (provider=auto takes the first), so check the text.
    let replicate = r.body.find("\"replicate\"").unwrap();
    let fal = r.body.find("\"fal-ai\"").unwrap();
    assert!(replicate < fal, "{}", r.body);
    let v = r.json();
    assert_eq!(v["id"], "black-forest-labs/FLUX.1-dev");
    assert_eq!(
        v["inferenceProviderMapping"]["fal-ai"],
        json!({"status": "staging", "providerId": "fal-ai/flux/dev", "task": "text-to-image"})
    );
    assert!(v.get("likes").is_none());

    let chat = hub.get("/api/models/meta-llama/Llama-3.3-70B-Instruct?expand=inferenceProviderMapping").json();
    assert_eq!(chat["inferenceProviderMapping"]["cerebras"]["task"], "conversational");

    let plain = hub.get("/api/models/stabilityai/sdxl").json();
    assert_eq!(plain["pipeline_tag"], "text-to-image");
    assert_eq!(plain["inference"], "warm");
    assert!(hub.get("/api/models/someone/unserved").json().get("inference").is_none());
}

#[test]
fn private_and_unknown_models() {
    let hub = hub();
    let anon = hub.get("/api/models/acme/private-model");
    assert_eq!(anon.status, 401);
    assert_eq!(anon.header("x-error-code"), Some("RepoNotFound"));
    assert_eq!(hub.get_auth("/api/models/acme/private-model").status, 200);
    let missing = hub.get("/api/models/nobody/nothing?expand[]=inferenceProviderMapping");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("x-error-code"), Some("RepoNotFound"));
}
