//! `GET /v1/models` and `GET /v1/models/{id}` (docs/protocol/inference.md#per-task-formats): the
//! chat model catalogue from the config's `chat_models`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use crate::config::ChatModelConfig;
use crate::errors::hub_json;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/models", get(list)).route("/v1/models/{*id}", get(one))
}

async fn list(State(state): State<AppState>) -> Response {
    let data: Vec<Value> = state.chat_models().iter().map(card).collect();
    hub_json(StatusCode::OK, json!({ "object": "list", "data": data }))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.chat_models().iter().find(|m| m.id == id) {
        Some(m) => hub_json(StatusCode::OK, card(m)),
        None => hub_json(StatusCode::NOT_FOUND, json!({ "error": format!("Model {id} does not exist") })),
    }
}

fn card(m: &ChatModelConfig) -> Value {
    let owner = m.owned_by.clone().unwrap_or_else(|| m.id.split('/').next().unwrap_or(&m.id).to_string());
    json!({
        "id": m.id,
        "object": "model",
        "created": m.created,
        "owned_by": owner,
        "architecture": {
            "input_modalities": m.input_modalities,
            "output_modalities": ["text"],
        },
        "providers": m.providers,
    })
}
