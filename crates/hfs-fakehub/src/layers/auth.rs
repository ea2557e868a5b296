//! Resolves the `Authorization` header to a caller. Like the real Hub, a
//! token that is sent but not valid fails the request even on public
//! resources; the router also refuses anonymous inference calls.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ADMIN_PREFIX, Listener};
use crate::config::TokenConfig;
use crate::errors::HubError;
use crate::origin::Origin;
use crate::state::AppState;

/// Who is calling; put in request extensions for handlers.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    User(TokenConfig),
}

pub async fn middleware(State(l): State<Listener>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with(ADMIN_PREFIX) {
        return next.run(req).await;
    }
    let caller = match resolve(&l.state, req.headers()) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if l.origin == Origin::Router && matches!(caller, Caller::Anonymous) && !router_is_public(path)
    {
        // What the router answered to token-less calls in 2025 recordings.
        return HubError::AuthRequired { repo: false }.into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// The model catalogue is readable without a token (hf-inference.md §2.11).
fn router_is_public(path: &str) -> bool {
    path == "/v1/models" || path.starts_with("/v1/models/")
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
    use super::{bearer_token, router_is_public};

    #[test]
    fn parses_only_non_empty_bearer_tokens() {
        assert_eq!(bearer_token("Bearer hf_x"), Some("hf_x"));
        assert_eq!(bearer_token("bearer hf_x"), Some("hf_x"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("hf_x"), None);
    }

    #[test]
    fn only_the_model_catalogue_is_public_on_the_router() {
        assert!(router_is_public("/v1/models") && router_is_public("/v1/models/a/b"));
        assert!(!router_is_public("/v1/chat/completions") && !router_is_public("/v1/modelsx"));
    }
}
