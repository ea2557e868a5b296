//! Hub-style error responses: JSON `{"error": ...}` plus the `X-Error-Code` /
//! `X-Error-Message` headers that huggingface_hub and huggingface.js read
//! to tell "not found or private" from "bad token" (docs/protocol/inference.md#errors-and-retries).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Marks a synthesised "nothing here" answer (unknown repo or route) that
/// a recording of the same request may replace; see `recordings::fill`.
#[derive(Debug, Clone, Copy)]
pub struct Unanswered;

#[derive(Debug)]
pub enum HubError {
    /// Token sent but unknown or malformed.
    InvalidCredentials,
    /// Anonymous request to something that needs a token (private repo,
    /// whoami). The Hub answers 401 with RepoNotFound so as not to reveal
    /// that a private repo exists.
    AuthRequired {
        repo: bool,
    },
    RepoNotFound,
    RouteNotFound,
    MethodNotAllowed,
    BadRequest(String),
}

const INVALID_CREDENTIALS: &str = "Invalid credentials in Authorization header";
const INVALID_USER_PASS: &str = "Invalid username or password.";
const REPO_NOT_FOUND: &str = "Repository not found";

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let (status, message, code) = match &self {
            HubError::InvalidCredentials => (StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS, None),
            HubError::AuthRequired { repo } => (StatusCode::UNAUTHORIZED, INVALID_USER_PASS, repo.then_some("RepoNotFound")),
            HubError::RepoNotFound => (StatusCode::NOT_FOUND, REPO_NOT_FOUND, Some("RepoNotFound")),
            HubError::RouteNotFound => (StatusCode::NOT_FOUND, "Sorry, we can't find the page you are looking for.", None),
            HubError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed", None),
            HubError::BadRequest(msg) => (StatusCode::BAD_REQUEST, msg.as_str(), None),
        };
        let mut response = hub_json(status, json!({ "error": message }));
        if matches!(self, HubError::RepoNotFound | HubError::RouteNotFound | HubError::MethodNotAllowed) {
            response.extensions_mut().insert(Unanswered);
        }
        let headers = response.headers_mut();
        if let Some(code) = code {
            headers.insert("x-error-code", HeaderValue::from_static(code));
        }
        if let Ok(value) = HeaderValue::from_str(message) {
            headers.insert("x-error-message", value);
        }
        if status == StatusCode::UNAUTHORIZED {
            // Recorded on real 401s; some clients key off it.
            headers
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer realm="Authentication required", charset="UTF-8""#));
        }
        response
    }
}

/// A JSON response with the Hub's exact content type.
pub fn hub_json(status: StatusCode, body: serde_json::Value) -> Response {
    hub_json_text(status, body.to_string())
}

/// Like [`hub_json`], for JSON rendered by hand (to keep key order).
pub fn hub_json_text(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}
