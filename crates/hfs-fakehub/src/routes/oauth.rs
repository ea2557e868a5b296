//! `POST /oauth/token` with `grant_type=refresh_token` (docs/protocol/inference.md#tokens):
//! how stored OAuth logins get a fresh access token. Other grants (device
//! flow) are not faked.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use crate::errors::hub_json;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth/token", post(token))
}

async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = fields(&headers, &body);
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return oauth_error("unsupported_grant_type", "Only grant_type=refresh_token is supported here");
    }
    let Some(grant) = form.get("refresh_token").and_then(|r| state.refresh_grant(r)) else {
        return oauth_error("invalid_grant", "The refresh token is invalid or expired");
    };
    let mut body = json!({
        "access_token": grant.access_token,
        "token_type": "bearer",
        "expires_in": grant.expires_in,
    });
    if let Some(r) = grant.refresh_token {
        body["refresh_token"] = json!(r);
    }
    hub_json(StatusCode::OK, body)
}

/// OAuth requests are form-encoded; JSON is accepted too.
fn fields(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let Ok(Value::Object(map)) = serde_json::from_slice(body) else {
            return HashMap::new();
        };
        return map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect();
    }
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// RFC 6749 §5.2 error body.
fn oauth_error(code: &str, description: &str) -> Response {
    hub_json(StatusCode::BAD_REQUEST, json!({ "error": code, "error_description": description }))
}
