//! Resolves the `Authorization` header to a caller. Like the real Hub, a
//! token that is sent but not valid fails the request even on public
//! resources; the router also refuses anonymous inference calls. On the
//! router, a provider's configured direct key (`Key k` for fal-ai, `Bearer k`
//! for the others) is accepted on that provider's `/{provider}/...` paths.

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
    /// A provider's own key (direct call), for this provider.
    ProviderKey(String),
}

pub async fn middleware(State(l): State<Listener>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with(ADMIN_PREFIX) {
        return next.run(req).await;
    }
    let direct = (l.origin == Origin::Router).then(|| provider_of(path)).flatten();
    let caller = match resolve(&l.state, req.headers(), direct) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if l.origin == Origin::Router && matches!(caller, Caller::Anonymous) && !router_is_public(path) {
        // What the router answered to token-less calls in 2025 recordings.
        return HubError::AuthRequired { repo: false }.into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// The model catalogue is readable without a token (docs/protocol/inference.md#per-task-formats).
fn router_is_public(path: &str) -> bool {
    path == "/v1/models" || path.starts_with("/v1/models/")
}

/// The provider segment of a router path (`/fal-ai/...` → `fal-ai`).
fn provider_of(path: &str) -> Option<&str> {
    let first = path.strip_prefix('/')?.split('/').next()?;
    crate::config::KNOWN_PROVIDERS.contains(&first).then_some(first)
}

fn resolve(state: &AppState, headers: &HeaderMap, provider: Option<&str>) -> Result<Caller, HubError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let value = value.to_str().map_err(|_| HubError::InvalidCredentials)?;
    if let Some(token) = bearer_token(value)
        && let Some(user) = state.token(token)
    {
        return Ok(Caller::User(user));
    }
    if let Some(p) = provider
        && let Some(key) = provider_key(p, value)
        && state.provider_key(p, key)
    {
        return Ok(Caller::ProviderKey(p.to_string()));
    }
    Err(HubError::InvalidCredentials)
}

/// The key in a direct call's header: fal uses `Key <k>`, others `Bearer`.
fn provider_key<'a>(provider: &str, value: &'a str) -> Option<&'a str> {
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    let want = if provider == "fal-ai" { "key" } else { "bearer" };
    (scheme.eq_ignore_ascii_case(want) && !key.is_empty()).then_some(key)
}

/// `Bearer <token>`, scheme case-insensitive, token non-empty.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::{bearer_token, provider_key, provider_of, router_is_public};

    #[test]
    fn provider_keys_use_the_provider_scheme() {
        assert_eq!(provider_key("fal-ai", "Key fal_1"), Some("fal_1"));
        assert_eq!(provider_key("fal-ai", "Bearer fal_1"), None);
        assert_eq!(provider_key("replicate", "Bearer r8_x"), Some("r8_x"));
        assert_eq!(provider_of("/fal-ai/fal-ai/veo"), Some("fal-ai"));
        assert_eq!(provider_of("/v1/chat/completions"), None);
    }

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
