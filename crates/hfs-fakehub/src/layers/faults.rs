//! Scripted faults answer before anything else (even token checks), so a
//! test can make any request fail the way the real services sometimes do.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ADMIN_PREFIX, Listener};
use crate::config::FaultConfig;
use crate::errors::hub_json;

pub async fn middleware(State(l): State<Listener>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with(ADMIN_PREFIX) {
        return next.run(req).await;
    }
    match l.state.take_fault(l.origin.as_str(), req.method().as_str(), path) {
        Some(fault) => respond(&fault),
        None => next.run(req).await,
    }
}

fn respond(f: &FaultConfig) -> Response {
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut resp = match &f.body {
        Some(Value::String(text)) => {
            let mut r = (status, text.clone()).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            r
        }
        Some(body) => hub_json(status, body.clone()),
        None => {
            let mut r = hub_json(status, json!({ "error": reason }));
            r.headers_mut().insert("x-error-message", HeaderValue::from_static(reason));
            r
        }
    };
    let headers = resp.headers_mut();
    if let Some(secs) = f.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    for (name, value) in &f.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.insert(n, v);
        }
    }
    resp
}
