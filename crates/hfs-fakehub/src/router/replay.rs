//! Recorded router exchanges answer whatever no route here synthesises.
//! The replay itself is the shared `recordings::fill` layer (it also serves
//! the Hub); this is the router's "no such route", marked so a recording of
//! the same request replaces it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::errors::{Unanswered, hub_json};

pub async fn unanswered() -> Response {
    let mut resp = hub_json(StatusCode::NOT_FOUND, json!({ "error": "Not Found" }));
    resp.extensions_mut().insert(Unanswered);
    resp.into_response()
}
