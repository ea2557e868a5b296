//! Records every non-admin request for `GET /_fake/requests`.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::{ADMIN_PREFIX, Listener};
use crate::state::RequestRecord;

pub async fn middleware(State(l): State<Listener>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with(ADMIN_PREFIX) {
        let headers = req.headers();
        l.state.log_request(RequestRecord {
            origin: l.origin.as_str(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().map(str::to_string),
            authorization: headers.contains_key(header::AUTHORIZATION),
            x_hf_authorization: headers.contains_key("x-hf-authorization"),
        });
    }
    next.run(req).await
}
