//! Request middleware: logs every Hub request, then resolves the
//! `Authorization` header to a caller. Like the real Hub, a token that is
//! sent but not valid fails the request even on public resources.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::TokenConfig;
use crate::errors::HubError;
use crate::state::{AppState, RequestRecord};

/// Who is calling; put in request extensions for handlers.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    User(TokenConfig),
}

/// Admin routes are test plumbing: neither logged nor authenticated.
pub const ADMIN_PREFIX: &str = "/_fake/";

pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.uri().path().starts_with(ADMIN_PREFIX) {
        return next.run(req).await;
    }
    let headers = req.headers();
    state.log_request(RequestRecord {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        query: req.uri().query().map(str::to_string),
        authorization: headers.contains_key(header::AUTHORIZATION),
        x_hf_authorization: headers.contains_key("x-hf-authorization"),
    });
    let caller = match resolve(&state, headers) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Caller, HubError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(bearer_token)
        .ok_or(HubError::InvalidCredentials)?;
    state
        .token(token)
        .map(Caller::User)
        .ok_or(HubError::InvalidCredentials)
}

/// `Bearer <token>`, scheme case-insensitive, token non-empty.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn parses_only_non_empty_bearer_tokens() {
        assert_eq!(bearer_token("Bearer hf_x"), Some("hf_x"));
        assert_eq!(bearer_token("bearer hf_x"), Some("hf_x"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("hf_x"), None);
    }
}
