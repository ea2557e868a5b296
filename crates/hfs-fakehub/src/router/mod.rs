//! The inference router listener (`HF_ROUTER_URL`): the model catalogue,
//! per-provider synthesised flows, and the recorded exchanges for the rest.
//!
//! Precedence, per request: scripted fault → token check → a provider or
//! catalogue route → a recording of the same request (`replay`) → 404.

mod models;
mod providers;
mod replay;

use axum::Router;

use crate::layers;
use crate::origin::Origin;
use crate::state::AppState;

pub use providers::media_serve;
pub use replay::unanswered;

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(models::routes())
        .merge(providers::routes())
        .fallback(providers::dispatch)
        .method_not_allowed_fallback(replay::unanswered);
    layers::wrap(routes, state, Origin::Router)
}
