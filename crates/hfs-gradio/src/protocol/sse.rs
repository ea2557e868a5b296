//! Server-Sent Events framing: the shared decoder of `hfs-core` (linear, with an event size cap).

pub use hfs_core::sse::{Decoder, MAX_EVENT, SseError, events};
