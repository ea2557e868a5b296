//! Synthesised per-provider flows (fal queue, replicate predictions, …) for
//! providers without recordings. Each provider gets a file here exporting
//! `routes()` for its paths under `/{provider}/...` (hf-inference.md §1.2);
//! merge it below. A handler that has nothing to say for a request should
//! answer with `errors::Unanswered` set, so recordings still get a chance.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
