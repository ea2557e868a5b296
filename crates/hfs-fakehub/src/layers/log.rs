//! Records every non-admin request for `GET /_fake/requests`.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::{ADMIN_PREFIX, Listener};
use crate::state::RequestRecord;

pub async fn middleware(State(l): State<Listener>, req: Request, next: Next) -> Response {
    let mut req = req;
    if !req.uri().path().starts_with(ADMIN_PREFIX) {
        // JSON bodies sent to the router are kept so tests can check what a
        // provider received (inputs, data URLs); they hold no credentials.
        let is_json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
        let mut body = None;
        if l.origin == crate::origin::Origin::Router && is_json {
            let (parts, b) = req.into_parts();
            let bytes = to_bytes(b, usize::MAX).await.unwrap_or_default();
            body = serde_json::from_slice(&bytes).ok();
            req = Request::from_parts(parts, Body::from(bytes));
        }
        let headers = req.headers();
        l.state.log_request(RequestRecord {
            origin: l.origin.as_str(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().map(str::to_string),
            authorization: headers.contains_key(header::AUTHORIZATION),
            x_hf_authorization: headers.contains_key("x-hf-authorization"),
            bill_to: headers.get("x-hf-bill-to").and_then(|v| v.to_str().ok()).map(str::to_string),
            body,
        });
    }
    next.run(req).await
}
