//! Test-only admin routes under `/_fake/`: change Spaces at run time and
//! inspect or clear the request log.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use serde_json::json;

use crate::config::{SpaceConfig, validate_space_id};
use crate::errors::{HubError, hub_json};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fake/spaces/{owner}/{name}", put(put_space))
        .route("/_fake/requests", get(list_requests).delete(clear_requests))
}

async fn put_space(
    State(state): State<AppState>,
    Path((owner, name)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, HubError> {
    // Parsed by hand so a bad body gets a JSON error naming the problem.
    let space: SpaceConfig =
        serde_json::from_slice(&body).map_err(|e| HubError::BadRequest(e.to_string()))?;
    let id = format!("{owner}/{name}");
    validate_space_id(&id).map_err(|e| HubError::BadRequest(e.to_string()))?;
    space
        .validate()
        .map_err(|e| HubError::BadRequest(e.to_string()))?;
    state.put_space(id.clone(), space);
    Ok(hub_json(StatusCode::OK, json!({ "id": id })))
}

async fn list_requests(State(state): State<AppState>) -> Response {
    hub_json(StatusCode::OK, json!(state.requests()))
}

async fn clear_requests(State(state): State<AppState>) -> Response {
    hub_json(StatusCode::OK, json!({ "cleared": state.clear_requests() }))
}
