//! Test-only admin routes under `/_fake/`: where the other listeners are,
//! change Spaces and faults at run time, inspect or clear the request log.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use serde_json::{Value, json};

use crate::config::{FaultConfig, SpaceConfig, validate_space_id};
use crate::errors::{HubError, hub_json};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_fake/info", get(info))
        .route("/_fake/spaces/{owner}/{name}", put(put_space))
        .route("/_fake/faults", get(list_faults).post(add_faults))
        .route("/_fake/requests", get(list_requests).delete(clear_requests))
}

/// The three base URLs: `HF_ENDPOINT`, `HF_ROUTER_URL`, the assets CDN.
async fn info(State(state): State<AppState>) -> Response {
    hub_json(StatusCode::OK, json!(state.urls()))
}

fn bad(e: impl std::fmt::Display) -> HubError {
    HubError::BadRequest(e.to_string())
}

async fn put_space(State(state): State<AppState>, Path((owner, name)): Path<(String, String)>, body: Bytes) -> Result<Response, HubError> {
    // Parsed by hand so a bad body gets a JSON error naming the problem.
    let space: SpaceConfig = serde_json::from_slice(&body).map_err(bad)?;
    let id = format!("{owner}/{name}");
    validate_space_id(&id).map_err(bad)?;
    space.validate().map_err(bad)?;
    state.put_space(id.clone(), space);
    Ok(hub_json(StatusCode::OK, json!({ "id": id })))
}

/// One fault object or a list of them, appended after those already armed.
async fn add_faults(State(state): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let value: Value = serde_json::from_slice(&body).map_err(bad)?;
    let list = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let faults: Vec<FaultConfig> = list.into_iter().map(serde_json::from_value).collect::<Result<_, _>>().map_err(bad)?;
    for f in &faults {
        f.validate().map_err(bad)?;
    }
    let added = faults.len();
    state.add_faults(faults);
    Ok(hub_json(StatusCode::OK, json!({ "added": added })))
}

async fn list_faults(State(state): State<AppState>) -> Response {
    hub_json(StatusCode::OK, state.faults())
}

async fn list_requests(State(state): State<AppState>) -> Response {
    hub_json(StatusCode::OK, json!(state.requests()))
}

async fn clear_requests(State(state): State<AppState>) -> Response {
    hub_json(StatusCode::OK, json!({ "cleared": state.clear_requests() }))
}
