//! The router: Hub API routes, admin routes for tests, and Hub-style 404s.

pub mod admin;
pub mod spaces;
pub mod whoami;

use axum::Router;
use axum::middleware;

use crate::auth;
use crate::errors::HubError;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(spaces::routes())
        .merge(whoami::routes())
        .merge(admin::routes())
        .fallback(|| async { HubError::RouteNotFound })
        .method_not_allowed_fallback(|| async { HubError::MethodNotAllowed })
        // Added last so it also wraps the fallbacks: unknown routes are logged too.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::middleware,
        ))
        .with_state(state)
}
