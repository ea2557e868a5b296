//! The asset CDN listener: recorded downloads (fal.media, replicate.delivery,
//! direct provider APIs) under `/{host}/{path}`, and the synthesised
//! providers' outputs under `/{host}/synth/...`. No token checks: clients
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
    let routes = Router::new().route("/{host}/synth/{*file}", axum::routing::get(crate::router::media_serve)).fallback(not_found);
    layers::wrap(routes, state, Origin::Assets)
}

async fn not_found() -> Response {
    let mut resp = (StatusCode::NOT_FOUND, "Not Found").into_response();
    resp.extensions_mut().insert(Unanswered);
    resp
}
