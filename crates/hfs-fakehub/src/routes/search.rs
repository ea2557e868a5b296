//! `GET /api/spaces/semantic-search` (docs/protocol/inference.md#hub-apis): the recorded
//! hits plus configured Spaces, filtered the way the real endpoint is used.
//! The real one ranks by embeddings; here a hit matches when any query word
//! occurs in its id, title, descriptions, category or tags.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::Value;

use crate::errors::{HubError, hub_json};
use crate::layers::auth::Caller;
use crate::query::Params;
use crate::state::AppState;
use crate::views::search::{category_slug, hit};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/spaces/semantic-search", get(search))
}

async fn search(State(state): State<AppState>, Extension(caller): Extension<Caller>, RawQuery(q): RawQuery) -> Result<Response, HubError> {
    let p = Params::parse(q.as_deref());
    let words = words(p.get("q").unwrap_or(""));
    let category = p.get("category").filter(|c| !c.is_empty());
    if words.is_empty() && category.is_none() {
        return Err(HubError::BadRequest("q or category is required".into()));
    }
    let signed_in = matches!(caller, Caller::User(_));
    let configured =
        state.spaces().into_iter().filter(|(_, space, _)| signed_in || !space.private).map(|(id, space, stage)| hit(&id, &space, &stage));
    let mut hits: Vec<Value> =
        state.fixed().search_hits.iter().cloned().chain(configured).filter(|h| keep(h, &p, &words, category)).collect();
    if let Some(n) = p.number("limit") {
        hits.truncate(n);
    }
    Ok(hub_json(StatusCode::OK, Value::Array(hits)))
}

fn keep(h: &Value, p: &Params, words: &[String], category: Option<&str>) -> bool {
    let text = |k: &str| h[k].as_str().unwrap_or("");
    let tags: Vec<&str> = h["tags"].as_array().map_or_else(Vec::new, |t| t.iter().filter_map(Value::as_str).collect());
    // Only running Spaces unless asked (`RUNNING_BUILDING` etc. still serve).
    let running = p.flag("includeNonRunning") || h["runtime"]["stage"].as_str().is_some_and(|s| s.starts_with("RUNNING"));
    let sdks = p.all("sdk");
    let sdk_ok = sdks.is_empty() || sdks.contains(&text("sdk"));
    let tags_ok = p.all("filter").iter().all(|t| tags.contains(t));
    let category_ok = category.is_none_or(|c| category_slug(text("ai_category")) == c);
    let haystack = [text("id"), text("title"), text("shortDescription"), text("ai_short_description"), text("ai_category")]
        .into_iter()
        .chain(tags.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let words_ok = words.is_empty() || words.iter().any(|w| haystack.contains(w.as_str()));
    running && sdk_ok && tags_ok && category_ok && words_ok
}

fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}
