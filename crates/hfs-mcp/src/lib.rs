//! `hfs mcp`: an MCP server that gives agents generation on any Gradio Space or provider model,
//! Space and model search, and any Space's endpoints as tools.
//!
//! * Tools: `generate_image`, `generate_video`, `generate_speech`, `transcribe` (the generation
//!   tasks of `hfs-generate`: backend chosen or defaulted, fallback included), `search_spaces`,
//!   `search_models`, `space_api`, `space_call`, and one tool per endpoint of each Space the
//!   server was started with ([`SpaceTool`]), its schema built from the Space's API.
//! * Files: inputs are local paths (or URLs); a path is read only under the configured
//!   directories and the roots the client declares ([`hfs_generate::Readable`]). Outputs are
//!   saved under the output directory with the generation names and provenance, and returned as
//!   `resource_link` content plus `structuredContent` (`hfs.generate/1`: path, MIME type, size
//!   and sha256 of each file, the seed, the backend).
//! * Progress: queue position, ETA and progress units become `notifications/progress` when the
//!   client sent a progress token, with a heartbeat while a job runs; a client's cancellation
//!   cancels the job on the server.
//! * Errors are tool results with `isError`, the library's message and its hints in the words of
//!   this front end (tool arguments, not CLI flags); the server keeps serving.
//!
//! Both protocol eras are served by the SDK: the initialize handshake (2025-11-25 and older) and
//! per-request metadata (2026-07-28), over stdio ([`serve_stdio`]) or Streamable HTTP
//! ([`serve_http`], loopback hosts only unless more are allowed).
//!
//! No environment, no terminal: [`McpConfig`] comes in, protocol messages go out.
//!
//! ```
//! assert!(hfs_mcp::valid_tool_name("tongyi-mai_z-image-turbo_generate"));
//! assert!(!hfs_mcp::valid_tool_name("has space"));
//! ```

// Errors carry the libraries' errors whole (as `hfs-generate` does); built once per failed call.
#![allow(clippy::result_large_err)]

mod advice;
mod args;
mod progress;
mod reply;
mod roots;
mod server;
mod space_tools;
mod tools;

use std::path::PathBuf;
use std::time::Duration;

pub use server::{HfsMcp, serve_http, serve_stdio};
pub use space_tools::{SpaceSpec, SpaceTool, space_tools, valid_tool_name};

use hfs_generate::{Backend, GenTask, Generator};

/// Everything the server needs; nothing is read from the environment.
#[derive(Clone)]
pub struct McpConfig {
    /// Runs generations and calls (its Gradio options carry the token policy of the CLI).
    pub generator: Generator,
    /// Space and model search.
    pub hub: hfs_hub::HubClient,
    /// Each task's default backends, in order (a call that names none, and `fallback: ["auto"]`).
    pub defaults: Vec<(GenTask, Vec<Backend>)>,
    /// Directories under which input files may be read (the client's roots are added).
    pub allow_dirs: Vec<PathBuf>,
    /// Where outputs and `hfs-manifest.jsonl` go.
    pub output_dir: PathBuf,
    /// Return images inline too (base64 `image` content) when at most this many bytes.
    pub inline_images: Option<u64>,
    /// Per backend attempt.
    pub timeout: Option<Duration>,
    /// How often a running job reports progress when nothing else happens (at most 15 s, so a
    /// client that resets its timeout on progress never times out).
    pub heartbeat: Duration,
    /// Endpoints exposed as tools of their own.
    pub space_tools: Vec<SpaceTool>,
}

impl McpConfig {
    fn defaults_for(&self, task: GenTask) -> Vec<Backend> {
        self.defaults.iter().find(|(t, _)| *t == task).map(|(_, b)| b.clone()).unwrap_or_default()
    }
}

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("cannot serve MCP: {0}")]
    Serve(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}
