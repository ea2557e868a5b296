//! `GET /api/whoami-v2`: who the sent token belongs to.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};

use crate::errors::{HubError, hub_json};
use crate::layers::auth::Caller;
use crate::state::AppState;
use crate::views::whoami::whoami;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/whoami-v2", get(handler))
}

async fn handler(Extension(caller): Extension<Caller>) -> Result<Response, HubError> {
    match caller {
        // Bad tokens were already refused by the auth middleware.
        // Provider keys are only accepted on the router.
        Caller::Anonymous | Caller::ProviderKey(_) => Err(HubError::AuthRequired { repo: false }),
        Caller::User(token) => Ok(hub_json(StatusCode::OK, whoami(&token))),
    }
}
