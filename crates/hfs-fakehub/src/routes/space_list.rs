//! `GET /api/spaces`: the configured Spaces as a Hub listing (docs/protocol/inference.md#hub-apis). Private Spaces are listed only for callers with a token.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::Value;

use crate::errors::hub_json;
use crate::layers::auth::Caller;
use crate::query::Params;
use crate::state::AppState;
use crate::views::space::{info, list_item};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/spaces", get(list))
}

async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let search = p.get("search").map(str::to_lowercase);
    let author = p.get("author");
    let tags = p.all("filter");
    let expand = p.all("expand");
    let signed_in = matches!(caller, Caller::User(_));

    let mut found: Vec<_> = state
        .spaces()
        .into_iter()
        .filter(|(id, space, _)| {
            (signed_in || !space.private)
                && search.as_ref().is_none_or(|s| id.to_lowercase().contains(s))
                && author.is_none_or(|a| id.split('/').next() == Some(a))
        })
        .map(|(id, space, stage)| {
            let full = info(&id, &space, &stage);
            (id, space, stage, full)
        })
        .filter(|(.., full)| {
            let have = full["tags"].as_array().cloned().unwrap_or_default();
            tags.iter().all(|t| have.iter().any(|h| h == t))
        })
        .collect();
    if let Some(key) = p.get("sort") {
        // Numbers sort numerically, timestamps (ISO strings) as text; the
        // Hub sorts descending unless `direction=1`.
        found.sort_by(|(.., a), (.., b)| match (a[key].as_f64(), b[key].as_f64()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a[key].as_str().cmp(&b[key].as_str()),
        });
        if p.get("direction") != Some("1") {
            found.reverse();
        }
    }
    if let Some(n) = p.number("limit") {
        found.truncate(n);
    }
    let items = found.iter().map(|(id, space, stage, _)| list_item(id, space, stage, &expand, p.flag("full"))).collect();
    hub_json(StatusCode::OK, Value::Array(items))
}
