//! Turns a recorded interaction into the response the fake sends.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::cassette::Interaction;
use super::rewrite::Rewriter;

/// Headers that described the original transport or CDN, not the answer:
/// replaying them would be wrong (lengths change when URLs are rewritten,
/// bodies were stored decoded) or would send clients elsewhere (alt-svc).
const DROPPED: &[&str] = &[
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "date",
    "set-cookie",
    "alt-svc",
    "strict-transport-security",
    "nel",
    "report-to",
    "expect-ct",
    "via",
    "x-cache",
    "x-amz-cf-id",
    "x-amz-cf-pop",
    "cf-ray",
    "cf-cache-status",
];

/// Names the recording that answered, for debugging tests.
pub const SOURCE_HEADER: &str = "x-fakehub-recording";

pub fn respond(it: &Interaction, rw: &Rewriter) -> Response {
    let body = if it.text {
        // Text bodies were stored as strings, so they are valid UTF-8.
        rw.body(&String::from_utf8_lossy(&it.body)).into_bytes()
    } else {
        it.body.clone()
    };
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(it.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    for (name, value) in &it.headers {
        let lower = name.to_ascii_lowercase();
        if DROPPED.contains(&lower.as_str()) {
            continue;
        }
        let value = if lower == "location" { rw.location(value) } else { value.clone() };
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(lower.as_bytes()), HeaderValue::from_str(&value)) {
            headers.append(n, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&it.source) {
        headers.insert(SOURCE_HEADER, v);
    }
    debug_assert!(headers.get(header::CONTENT_LENGTH).is_none());
    resp
}
