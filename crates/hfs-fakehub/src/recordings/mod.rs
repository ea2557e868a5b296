//! Recorded real exchanges (`--fixtures DIR`): vcrpy cassettes in
//! `hf-cassettes/`, replayed on the listener of their recorded host, plus
//! the Hub JSON fixtures in `hub/`.
//!
//! Each cassette is parsed on first need, not at start-up: some are
//! megabytes of YAML (slow in debug builds) and most test servers never
//! replay anything.

mod cassette;
mod choose;
pub mod fill;
pub mod hub;
mod library;
mod prescan;
mod respond;
mod rewrite;
mod yaml;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;

pub use library::Library;
pub use respond::SOURCE_HEADER;

use crate::errors::hub_json;
use crate::origin::{Origin, Urls};
use crate::query::Params;
use rewrite::Rewriter;

/// A request as the recordings see it.
pub struct Asked<'a> {
    pub origin: Origin,
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub body: &'a [u8],
}

/// The recorded answer to `asked`, with asset URLs rewritten to `urls`; a
/// 500 naming the problem if a cassette could not be loaded.
pub async fn answer(library: &Library, urls: &Urls, asked: &Asked<'_>) -> Option<Response> {
    let found = library.find(asked.origin, asked.method.as_str(), asked.path, &Params::parse(asked.query), asked.body).await;
    match found {
        Ok(it) => Some(respond::respond(it?, &Rewriter::new(urls, library.asset_hosts()))),
        Err(e) => {
            eprintln!("hfs-fakehub: cannot load recordings: {e}");
            Some(hub_json(StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": format!("hfs-fakehub: cannot load recordings: {e}") })))
        }
    }
}
