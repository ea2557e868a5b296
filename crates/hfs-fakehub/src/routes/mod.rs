//! The Hub listener: synthesised Hub API routes, admin routes for tests, and
//! Hub-style 404s (which recordings may still answer).

pub mod admin;
pub mod models;
pub mod oauth;
pub mod quota;
pub mod search;
pub mod space_list;
pub mod spaces;
pub mod whoami;

use axum::Router;

use crate::errors::HubError;
use crate::layers;
use crate::origin::Origin;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(spaces::routes())
        .merge(space_list::routes())
        .merge(search::routes())
        .merge(quota::routes())
        .merge(models::routes())
        .merge(whoami::routes())
        .merge(oauth::routes())
        .merge(admin::routes())
        .fallback(|| async { HubError::RouteNotFound })
        .method_not_allowed_fallback(|| async { HubError::MethodNotAllowed });
    layers::wrap(routes, state, Origin::Hub)
}
