//! The middleware every listener runs, outermost first: log the request,
//! fire a scripted fault, check the token (not on the assets CDN), then
//! route — with recordings filling in what the routes don't know.

pub mod auth;
mod faults;
mod log;

use axum::Router;
use axum::middleware::from_fn_with_state;

use crate::origin::Origin;
use crate::recordings::fill;
use crate::state::AppState;

/// Admin routes are test plumbing: not logged, faulted or authenticated.
pub const ADMIN_PREFIX: &str = "/_fake/";

/// Middleware state: the shared state and which listener this is.
#[derive(Clone)]
pub struct Listener {
    pub state: AppState,
    pub origin: Origin,
}

pub fn wrap(routes: Router<AppState>, state: AppState, origin: Origin) -> Router {
    let l = Listener { state: state.clone(), origin };
    // `layer` wraps what is already there, so the last added runs first.
    let mut app = routes.layer(from_fn_with_state(l.clone(), fill::middleware));
    if origin != Origin::Assets {
        app = app.layer(from_fn_with_state(l.clone(), auth::middleware));
    }
    app.layer(from_fn_with_state(l.clone(), faults::middleware)).layer(from_fn_with_state(l, log::middleware)).with_state(state)
}
