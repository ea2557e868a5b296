//! Wire-level pieces shared by every queue protocol version.

pub mod diff;
pub mod message;
pub mod sse;
pub(crate) mod v3;

use std::fmt;

/// The queue protocol an app speaks, from `config.protocol`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Gradio 3.x: a websocket per call (`/queue/join`), `POST /run/predict` for unqueued listeners.
    Ws,
    /// 4.0–4.8: one SSE stream per call, data posted on `send_data`.
    SseV0,
    /// 4.9–4.16: multiplexed session stream, full intermediate values.
    SseV1,
    /// 4.17–4.20: intermediate values as diffs.
    SseV2,
    /// 4.21: FileData carries `meta._type`.
    SseV21,
    /// 4.22 and every 5.x and 6.x: adds `close_stream`.
    SseV3,
}

impl Protocol {
    pub fn parse(s: Option<&str>) -> Result<Self, String> {
        Ok(match s {
            None | Some("ws") => Self::Ws,
            Some("sse") => Self::SseV0,
            Some("sse_v1") => Self::SseV1,
            Some("sse_v2") => Self::SseV2,
            Some("sse_v2.1") => Self::SseV21,
            Some("sse_v3") => Self::SseV3,
            Some(other) => return Err(other.to_string()),
        })
    }

    /// Intermediate generator outputs arrive as diffs.
    pub fn sends_diffs(&self) -> bool {
        matches!(self, Self::SseV2 | Self::SseV21 | Self::SseV3)
    }

    /// FileData objects carry `meta: {"_type": "gradio.FileData"}` (and 6.x requires it on input).
    pub fn tags_files(&self) -> bool {
        matches!(self, Self::SseV21 | Self::SseV3)
    }

    /// One stream per session, shared by all jobs.
    pub fn is_multiplexed(&self) -> bool {
        matches!(self, Self::SseV1 | Self::SseV2 | Self::SseV21 | Self::SseV3)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Ws => "ws",
            Self::SseV0 => "sse",
            Self::SseV1 => "sse_v1",
            Self::SseV2 => "sse_v2",
            Self::SseV21 => "sse_v2.1",
            Self::SseV3 => "sse_v3",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
