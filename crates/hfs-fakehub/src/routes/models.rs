//! Models: `GET /api/models` (listing with provider filters) and
//! `GET /api/models/{id}` (info, provider mapping), from the config's
//! `models`; recordings answer for models the config doesn't have.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::Value;

use crate::config::ModelConfig;
use crate::errors::{HubError, hub_json, hub_json_text};
use crate::layers::auth::Caller;
use crate::origin::Origin;
use crate::query::Params;
use crate::recordings::SOURCE_HEADER;
use crate::state::AppState;
use crate::views::model::{hf_inference_mapping, info_body, list_item};

const MAPPING: &str = "inferenceProviderMapping";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/models", get(list))
        .route("/api/models/{owner}/{name}", get(info_owned))
        .route("/api/models/{name}", get(info_bare))
}

fn may_see(caller: &Caller, m: &ModelConfig) -> bool {
    !m.private || matches!(caller, Caller::User(_))
}

async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let search = p.get("search").map(str::to_lowercase);
    let filters = p.all("filter");
    let mut found: Vec<(String, ModelConfig)> = state
        .models()
        .into_iter()
        .filter(|(id, m)| {
            may_see(&caller, m)
                && p.get("inference_provider").is_none_or(|w| m.has_provider(w))
                && p.get("pipeline_tag").is_none_or(|t| m.pipeline_tag.as_deref() == Some(t))
                && p.get("author").is_none_or(|a| id.split('/').next() == Some(a))
                && search.as_ref().is_none_or(|s| id.to_lowercase().contains(s))
                && filters
                    .iter()
                    .all(|f| m.tags.iter().any(|t| t == f) || m.pipeline_tag.as_deref() == Some(f) || m.library_name.as_deref() == Some(f))
        })
        .collect();
    if let Some(key) = p.get("sort") {
        let rank = |m: &ModelConfig| match key {
            "likes" => m.likes,
            "downloads" => m.downloads,
            "trendingScore" => m.trending_score,
            _ => 0,
        };
        // Stable, so equal ranks keep id order; descending unless `direction=1`.
        found.sort_by_key(|(_, m)| rank(m));
        if p.get("direction") != Some("1") {
            found.reverse();
        }
    }
    if let Some(n) = p.number("limit") {
        found.truncate(n);
    }
    let expand = p.all("expand");
    let items = found.iter().map(|(id, m)| list_item(id, m, &expand)).collect();
    hub_json(StatusCode::OK, Value::Array(items))
}

async fn info_owned(
    state: State<AppState>,
    caller: Extension<Caller>,
    Path((owner, name)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, HubError> {
    info(state, caller, format!("{owner}/{name}"), uri).await
}

async fn info_bare(state: State<AppState>, caller: Extension<Caller>, Path(name): Path<String>, uri: Uri) -> Result<Response, HubError> {
    info(state, caller, name, uri).await
}

async fn info(State(state): State<AppState>, Extension(caller): Extension<Caller>, id: String, uri: Uri) -> Result<Response, HubError> {
    let p = Params::parse(uri.query());
    let expand = p.all("expand");
    if let Some(m) = state.model(&id) {
        if !may_see(&caller, &m) {
            return Err(HubError::AuthRequired { repo: true });
        }
        return Ok(hub_json_text(StatusCode::OK, info_body(&id, &m, &expand)));
    }
    let derived = if expand.contains(&MAPPING) { derived_mapping(&state, uri.path(), &p).await } else { None };
    // Without one, a recording of this exact request, if any, replaces the 404.
    derived.ok_or(HubError::RepoNotFound)
}

/// The hf-inference recordings hold a plain `GET /api/models/{id}`, not
/// the mapping request today's clients send; answer that from the recorded
/// model's pipeline tag, unless the mapping request itself was recorded.
async fn derived_mapping(state: &AppState, path: &str, p: &Params) -> Option<Response> {
    let library = &state.fixed().library;
    if library.find(Origin::Hub, "GET", path, p, b"").await.ok()?.is_some() {
        return None;
    }
    let plain = library.find(Origin::Hub, "GET", path, &Params::default(), b"").await.ok()??;
    if plain.status != 200 {
        return None;
    }
    let recorded: Value = serde_json::from_slice(&plain.body).ok()?;
    let mut resp = hub_json_text(StatusCode::OK, hf_inference_mapping(&recorded)?);
    if let Ok(v) = format!("{} (derived mapping)", plain.source).parse() {
        resp.headers_mut().insert(SOURCE_HEADER, v);
    }
    Some(resp)
}
