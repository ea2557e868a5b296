//! The log of requests received, as tests see it.

use serde::Serialize;

use super::AppState;

/// One received request. Holds only whether auth headers were present,
/// never their values, so logs can't leak tokens.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    /// `hub`, `router` or `assets`: which listener got it.
    pub origin: &'static str,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub authorization: bool,
    pub x_hf_authorization: bool,
    /// The `X-HF-Bill-To` value (an org name, not a secret); absent when
    /// the header was not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_to: Option<String>,
    /// The JSON body of a router request; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

impl AppState {
    pub fn log_request(&self, record: RequestRecord) {
        self.lock().requests.push(record);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) -> usize {
        let mut inner = self.lock();
        let n = inner.requests.len();
        inner.requests.clear();
        n
    }
}
