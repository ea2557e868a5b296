//! Which local files a tool call may read: the directories the server was given, plus the roots
//! the client declares (asked for only when a path is outside the former).
//!
//! A legacy session (initialize handshake) is asked with `roots/list` and the answer kept until
//! the client says its roots changed; a 2026-07-28 client is asked in the call's own round trip
//! (an input-required result carrying a `roots/list` request, answered when it retries).

// Roots are deprecated by SEP-2577 but still part of both protocol revisions we serve, and the
// only way a client can widen what the server may read.
#![allow(deprecated)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use hfs_generate::Readable;
use rmcp::RoleServer;
use rmcp::model::{CallToolRequestParams, InputRequest, InputRequests, InputRequiredResult, ListRootsRequest};
use rmcp::service::RequestContext;
use serde_json::Value;

/// The key of our `roots/list` input request.
const ROOTS_KEY: &str = "roots";

/// A legacy session's roots, as last listed.
#[derive(Default)]
pub(crate) struct RootsCache(Mutex<Option<Vec<PathBuf>>>);

impl RootsCache {
    pub(crate) fn forget(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

pub(crate) enum Roots {
    Ready(Readable),
    /// Ask the client for its roots and have it call again.
    Ask(InputRequiredResult),
}

/// The directories a call may read files under, given the paths it will read.
pub(crate) async fn readable(
    base: &Readable,
    cache: &RootsCache,
    ctx: &RequestContext<RoleServer>,
    request: &CallToolRequestParams,
    paths: &[PathBuf],
) -> Roots {
    if paths.iter().all(|p| base.allows(p)) {
        return Roots::Ready(base.clone());
    }
    let declares_roots = ctx.client_capabilities().is_some_and(|c| c.roots.is_some());
    if !declares_roots {
        return Roots::Ready(base.clone());
    }
    let modern = ctx.protocol_version().is_some_and(|v| !v.has_initialize());
    let client_roots = if modern {
        match request.input_responses.as_ref().and_then(|r| r.get(ROOTS_KEY)) {
            Some(answer) => from_list_result(answer),
            None => {
                let mut asks = InputRequests::new();
                asks.insert(
                    ROOTS_KEY.into(),
                    InputRequest::ListRoots(ListRootsRequest { method: Default::default(), extensions: Default::default() }),
                );
                return Roots::Ask(InputRequiredResult::from_input_requests(asks));
            }
        }
    } else {
        let cached = cache.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match cached {
            Some(r) => r,
            None => {
                let listed = tokio::time::timeout(Duration::from_secs(10), ctx.peer.list_roots()).await;
                let roots = match listed {
                    Ok(Ok(r)) => r.roots.iter().filter_map(|r| file_uri_path(&r.uri)).collect(),
                    Ok(Err(e)) => {
                        tracing::warn!("the client declared roots but listing them failed: {e}");
                        vec![]
                    }
                    Err(_) => {
                        tracing::warn!("the client declared roots but did not list them within 10 s");
                        vec![]
                    }
                };
                *cache.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(roots.clone());
                roots
            }
        }
    };
    Roots::Ready(base.and(client_roots))
}

/// The directories of a `roots/list` answer (`{"roots": [{"uri": "file:///…"}]}`); anything
/// that is not a `file:` URI is no directory of ours.
fn from_list_result(v: &Value) -> Vec<PathBuf> {
    v.get("roots")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)).filter_map(file_uri_path).collect())
        .unwrap_or_default()
}

fn file_uri_path(uri: &str) -> Option<PathBuf> {
    let u = url::Url::parse(uri).ok().filter(|u| u.scheme() == "file")?;
    u.to_file_path().ok()
}

/// A path as given, made absolute against the working directory (what the guard resolves).
pub(crate) fn absolute(p: &str) -> PathBuf {
    std::path::absolute(Path::new(p)).unwrap_or_else(|_| PathBuf::from(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_answers_keep_file_uris_only() {
        let v = serde_json::json!({"roots": [{"uri": "file:///tmp/a"}, {"uri": "https://example.com/"}, {"name": "no uri"}, {"uri": "file:///b%20c"}]});
        assert_eq!(from_list_result(&v), [PathBuf::from("/tmp/a"), PathBuf::from("/b c")]);
        assert!(from_list_result(&serde_json::json!({"roots": "nope"})).is_empty());
    }
}
