//! Inference Providers through the Hugging Face router (or a provider directly): text-to-image,
//! image-to-image, text-to-video, image-to-video, text-to-speech, speech recognition, chat
//! completion (plain and streamed) and feature extraction.
//!
//! * Model mapping from the Hub (`inferenceProviderMapping`, both forms), cached per client;
//!   `auto` picks the first live provider hfs knows, in the Hub's (the user's) order.
//! * A data-driven [`registry`]: provider → direct base URL, task → route, payload style,
//!   response decoder and asynchronous flow (fal queue, replicate, together videos, wavespeed, zai).
//! * Routed (`ROUTER/{provider}`, HF token) or direct (the provider's own key); poll URLs follow
//!   a "routed" flag, never host names. Output assets are fetched without any token.
//! * Retries with backoff and jitter on 429 (Retry-After honoured), 502, 503, 504 and dropped
//!   connections, bounded in count, time and by the call's deadline.
//! * Typed [`InferenceError`]s with a [`class`](InferenceError::class), the status, request id,
//!   server message and a next step.
//!
//! * Per-call jobs ([`InferenceClient::submit`]): each call has its own event stream, cancel and
//!   deadline, so concurrent calls on one client never mix.
//!
//! Nothing here reads the environment: tokens, URLs and keys come in [`InferenceOptions`].

// Errors are built once per failed call; their size (status, url, request id, message, next step) is
// not on any hot path, and boxing them would make matching on variants clumsier for callers.
#![allow(clippy::result_large_err)]

mod chat;
mod client;
mod error;
mod event;
mod job;
mod output;
pub mod registry;
mod tasks;

pub use chat::{ChatMessage, ChatRequest, ChatResult, ROUTING_POLICIES};
pub use client::{InferenceClient, InferenceOptions, ProviderChoice};
pub use error::{InferenceError, faulty_parameter, server_message};
pub use event::InferenceEvent;
pub use hfs_core::{Action, ErrorClass, Hint};
pub use job::{CallOptions, InferenceJob, InferenceTask, JobEvent, Outcome};
pub use output::{OutputSpec, SavedFile};
pub use registry::{Flow, Task};
pub use tasks::{InputFile, MediaOutput, MediaRequest, Served, Transcription, deep_merge, drop_nulls};
