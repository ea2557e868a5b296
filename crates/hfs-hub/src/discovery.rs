//! Finding Spaces and models: semantic search, model listings with providers, the router's chat models.

use serde_json::Value;
use url::Url;

use crate::HubError;
use crate::client::{HubClient, Subject};

/// A Space found by search.
#[derive(Clone, Debug)]
pub struct SpaceHit {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub likes: Option<u64>,
    pub stage: Option<String>,
    pub hardware: Option<String>,
    pub category: Option<String>,
    pub raw: Value,
}

impl SpaceHit {
    pub fn from_json(v: Value) -> Self {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        Self {
            id: s("/id").unwrap_or_default(),
            title: s("/title"),
            description: s("/shortDescription").or_else(|| s("/ai_short_description")),
            likes: v.get("likes").and_then(Value::as_u64),
            stage: s("/runtime/stage"),
            hardware: s("/runtime/hardware/current").or_else(|| s("/runtime/hardware/requested")),
            category: s("/ai_category"),
            raw: v,
        }
    }
}

/// The categories Space search knows (`ai_category` slugs).
pub const SPACE_CATEGORIES: &[&str] = &[
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
];

impl SpaceHit {
    /// The hit as `hfs.search.spaces/1` lists it.
    pub fn doc(self) -> hfs_schema::SpaceHitDoc {
        hfs_schema::SpaceHitDoc {
            id: self.id,
            title: self.title,
            description: self.description,
            likes: self.likes,
            stage: self.stage,
            hardware: self.hardware,
            category: self.category,
        }
    }
}

impl ModelHit {
    /// The hit as `hfs.search.models/1` lists it.
    pub fn doc(self) -> hfs_schema::ModelHitDoc {
        hfs_schema::ModelHitDoc {
            id: self.id,
            pipeline_tag: self.pipeline_tag,
            likes: self.likes,
            downloads: self.downloads,
            providers: self
                .providers
                .into_iter()
                .map(|e| hfs_schema::ProviderDoc { provider: e.provider, status: e.status, provider_id: e.provider_id, task: e.task })
                .collect(),
        }
    }
}

/// What to search Spaces for.
#[derive(Clone, Debug, Default)]
pub struct SpaceSearch {
    pub query: Option<String>,
    pub category: Option<String>,
    pub include_non_running: bool,
    pub limit: Option<usize>,
}

/// A provider serving a model (`inferenceProviderMapping`, normalised to the list form).
#[derive(Clone, Debug)]
pub struct ProviderEntry {
    pub provider: String,
    pub provider_id: Option<String>,
    pub status: Option<String>,
    pub task: Option<String>,
}

/// A model from a listing.
#[derive(Clone, Debug)]
pub struct ModelHit {
    pub id: String,
    pub pipeline_tag: Option<String>,
    pub likes: Option<u64>,
    pub downloads: Option<u64>,
    pub providers: Vec<ProviderEntry>,
    pub raw: Value,
}

/// Normalises both mapping forms (object keyed by provider; list with `provider`).
pub fn provider_entries(mapping: Option<&Value>) -> Vec<ProviderEntry> {
    let entry = |provider: String, e: &Value| ProviderEntry {
        provider,
        provider_id: e.get("providerId").and_then(Value::as_str).map(str::to_string),
        status: e.get("status").and_then(Value::as_str).map(str::to_string),
        task: e.get("task").and_then(Value::as_str).map(str::to_string),
    };
    match mapping {
        Some(Value::Object(m)) => m.iter().map(|(p, e)| entry(p.clone(), e)).collect(),
        Some(Value::Array(l)) => l.iter().filter_map(|e| Some(entry(e.get("provider")?.as_str()?.to_string(), e))).collect(),
        _ => Vec::new(),
    }
}

/// A chat model served by the router (`/v1/models`).
#[derive(Clone, Debug)]
pub struct ChatModel {
    pub id: String,
    pub providers: Vec<Value>,
    pub raw: Value,
}

impl HubClient {
    /// `GET /api/spaces/semantic-search` (Gradio Spaces; running ones unless asked otherwise).
    pub async fn search_spaces(&self, q: &SpaceSearch) -> Result<Vec<SpaceHit>, HubError> {
        let mut url = self.config.api_url("api/spaces/semantic-search");
        {
            let mut qp = url.query_pairs_mut();
            if let Some(query) = &q.query {
                qp.append_pair("q", query);
            }
            if let Some(c) = &q.category {
                qp.append_pair("category", c);
            }
            qp.append_pair("sdk", "gradio");
            if q.include_non_running {
                qp.append_pair("includeNonRunning", "true");
            }
        }
        let v = self.get_json_url(url, Subject::Other).await?;
        let mut hits: Vec<SpaceHit> = as_list(v).into_iter().map(SpaceHit::from_json).collect();
        if !q.include_non_running {
            hits.retain(|h| h.stage.as_deref().is_none_or(|s| s.starts_with("RUNNING")));
        }
        if let Some(n) = q.limit {
            hits.truncate(n);
        }
        Ok(hits)
    }

    /// `GET /api/models?pipeline_tag=…&inference_provider=…&expand[]=inferenceProviderMapping`.
    pub async fn list_models(
        &self,
        pipeline_tag: Option<&str>,
        provider: &str,
        search: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ModelHit>, HubError> {
        let mut url = self.config.api_url("api/models");
        {
            let mut qp = url.query_pairs_mut();
            qp.append_pair("inference_provider", provider);
            if let Some(t) = pipeline_tag {
                qp.append_pair("pipeline_tag", t);
            }
            if let Some(s) = search {
                qp.append_pair("search", s);
            }
            qp.append_pair("sort", "trendingScore").append_pair("direction", "-1").append_pair("limit", &limit.to_string());
            for field in ["inferenceProviderMapping", "pipeline_tag", "likes", "downloads"] {
                qp.append_pair("expand[]", field);
            }
        }
        let v = self.get_json_url(url, Subject::Other).await?;
        Ok(as_list(v)
            .into_iter()
            .map(|m| ModelHit {
                id: m.get("id").or_else(|| m.get("modelId")).and_then(Value::as_str).unwrap_or_default().to_string(),
                pipeline_tag: m.get("pipeline_tag").and_then(Value::as_str).map(str::to_string),
                likes: m.get("likes").and_then(Value::as_u64),
                downloads: m.get("downloads").and_then(Value::as_u64),
                providers: provider_entries(m.get("inferenceProviderMapping")),
                raw: m,
            })
            .collect())
    }

    /// `GET /api/models/{id}?expand[]=inferenceProviderMapping`: the providers serving a model.
    pub async fn model_providers(&self, id: &str) -> Result<Vec<ProviderEntry>, HubError> {
        let mut url = self.config.api_url(&format!("api/models/{id}"));
        url.query_pairs_mut().append_pair("expand[]", "inferenceProviderMapping");
        let v = self.get_json_url(url, Subject::Model(id)).await?;
        Ok(provider_entries(v.get("inferenceProviderMapping")))
    }

    /// `GET {router}/v1/models`: chat models with their providers.
    pub async fn router_models(&self) -> Result<Vec<ChatModel>, HubError> {
        let url = Url::parse(&format!("{}/v1/models", self.config.router.as_str().trim_end_matches('/')))
            .map_err(|e| HubError::Decode { url: self.config.router.to_string(), message: e.to_string() })?;
        let v = self.get_json_url(url, Subject::Other).await?;
        let data = v.get("data").cloned().unwrap_or(v);
        Ok(as_list(data)
            .into_iter()
            .map(|m| ChatModel {
                id: m.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
                providers: m.get("providers").and_then(Value::as_array).cloned().unwrap_or_default(),
                raw: m,
            })
            .collect())
    }
}

fn as_list(v: Value) -> Vec<Value> {
    match v {
        Value::Array(l) => l,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mapping_object_and_list_forms() {
        let obj = json!({"fal-ai": {"status": "live", "providerId": "fal-ai/flux/dev", "task": "text-to-image"}});
        let list = json!([{"provider": "fal-ai", "status": "live", "providerId": "fal-ai/flux/dev", "task": "text-to-image"}, {"nope": 1}]);
        for m in [obj, list] {
            let e = provider_entries(Some(&m));
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].provider, "fal-ai");
            assert_eq!(e[0].provider_id.as_deref(), Some("fal-ai/flux/dev"));
        }
    }

    #[test]
    fn object_form_keeps_the_hubs_provider_order() {
        // The Hub orders providers by the user's preference; `auto` takes the first.
        let v: Value = serde_json::from_str(r#"{"replicate": {"status": "live"}, "fal-ai": {"status": "live"}, "baseten": {}}"#).unwrap();
        let order: Vec<String> = provider_entries(Some(&v)).into_iter().map(|e| e.provider).collect();
        assert_eq!(order, ["replicate", "fal-ai", "baseten"]);
    }

    #[test]
    fn real_search_fixture_parses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/hub/spaces-semantic-search.json");
        let text = std::fs::read_to_string(path).expect("tests/fixtures in the repository");
        let v: Value = serde_json::from_str(&text).unwrap();
        let hits: Vec<SpaceHit> = as_list(v).into_iter().map(SpaceHit::from_json).collect();
        assert_eq!(hits.len(), 4);
        assert_eq!(hits[0].id, "ginipick/FLUXllama");
        assert_eq!(hits[0].hardware.as_deref(), Some("zero-a10g"));
        assert_eq!(hits[0].stage.as_deref(), Some("RUNNING"));
    }
}
