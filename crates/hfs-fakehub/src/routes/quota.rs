//! `GET /api/spaces/zero-gpu/quota` (docs/protocol/inference.md#hub-apis): the caller's
//! ZeroGPU quota, from the token's config.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{Value, json};

use crate::config::{QuotaConfig, ResetsAt};
use crate::errors::{HubError, hub_json};
use crate::layers::auth::Caller;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/spaces/zero-gpu/quota", get(quota))
}

/// Placeholder for tokens configured without a quota: a full allowance
/// resetting a day after start-up. Tests that care configure one.
const DEFAULT_BASE: u64 = 300;
const DAY: f64 = 86_400.0;

async fn quota(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Response, HubError> {
    let Caller::User(token) = caller else {
        return Err(HubError::AuthRequired { repo: false });
    };
    let body = match &token.quota {
        Some(q) => body(&state, q),
        None => json!({
            "base": DEFAULT_BASE,
            "current": DEFAULT_BASE,
            "resetsAt": timestamp(&state, DAY),
            "overquotaUsed": 0,
        }),
    };
    Ok(hub_json(StatusCode::OK, body))
}

fn body(state: &AppState, q: &QuotaConfig) -> Value {
    let resets_at = match &q.resets_at {
        ResetsAt::At(s) => s.clone(),
        ResetsAt::InSeconds(secs) => timestamp(state, *secs),
    };
    json!({ "base": q.base, "current": q.current, "resetsAt": resets_at, "overquotaUsed": q.overquota_used })
}

/// RFC 3339 with milliseconds, like the Hub's timestamps; `secs` after the
/// fake started (negative means before).
fn timestamp(state: &AppState, secs: f64) -> String {
    let start = state.fixed().started_at;
    let offset = Duration::try_from_secs_f64(secs.abs()).unwrap_or_default();
    let at = if secs >= 0.0 { start + offset } else { start - offset };
    humantime::format_rfc3339_millis(at).to_string()
}
