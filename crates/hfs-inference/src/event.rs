//! What a running inference call reports, in order: a progress line, a JSON-lines printer or a
//! batch scheduler consume these.

use serde::Serialize;

/// Something that happened to a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum InferenceEvent {
    /// The provider and provider-side model were chosen.
    Resolved { provider: String, provider_model: String, routed: bool },
    /// The request was sent (asynchronous flows: the job was accepted, with its id).
    Submitted { provider: String, job_id: Option<String> },
    /// A job's status as the provider reports it (`IN_QUEUE`, `processing`, …).
    Status { status: String, queue_position: Option<u64> },
    /// A log line from the provider.
    Log { message: String },
    /// A request failed transiently and is tried again after `wait_ms`.
    Retrying { attempt: u32, wait_ms: u64, reason: String },
    /// The output is being fetched from the provider's CDN.
    Downloading { url: String },
}
