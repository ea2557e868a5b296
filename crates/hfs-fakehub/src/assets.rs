//! The asset CDN listener: recorded downloads (fal.media, replicate.delivery,
//! direct provider APIs) under `/{host}/{path}`. No token checks: clients
//! fetch these URLs without the HF token, and tests can see in the request
//! log whether one was sent anyway.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::errors::Unanswered;
use crate::layers;
use crate::origin::Origin;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    layers::wrap(Router::new().fallback(not_found), state, Origin::Assets)
}

async fn not_found() -> Response {
    let mut resp = (StatusCode::NOT_FOUND, "Not Found").into_response();
    resp.extensions_mut().insert(Unanswered);
    resp
}
