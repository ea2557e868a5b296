//! Lets recordings answer what the synthesised routes don't know: when a
//! route answers "unknown repo/route" (marked [`Unanswered`]), a recording
//! of the same request replaces that answer. So configured Spaces and models
//! win over recordings, and recordings win over 404s.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Asked, answer};
use crate::errors::Unanswered;
use crate::layers::Listener;

/// Generous: recorded uploads (audio) are a few hundred KB.
const MAX_BODY: usize = 64 << 20;

pub async fn middleware(State(l): State<Listener>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // Buffered because the body may be needed twice: by the route, then to
    // choose between recordings.
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, format!("unreadable body: {e}")).into_response();
        }
    };
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let resp = next.run(Request::from_parts(parts, Body::from(bytes.clone()))).await;
    if resp.extensions().get::<Unanswered>().is_none() {
        return resp;
    }
    let asked = Asked { origin: l.origin, method: &method, path: uri.path(), query: uri.query(), body: &bytes };
    answer(&l.state.fixed().library, l.state.urls(), &asked).await.unwrap_or(resp)
}
