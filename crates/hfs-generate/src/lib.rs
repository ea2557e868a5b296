//! Generation without knowing the API: say what you want (an image of a prompt, a video from a
//! first frame, speech from text, a transcript) and run it on any Gradio Space or any provider.
//!
//! * [`GenRequest`]: the options, in no backend's terms (prompt, seed, size or aspect, steps,
//!   guidance, negative prompt, duration, voice, language, input files, extra parameters).
//! * The adapter picks a Space's endpoint from its API (inputs and outputs by component and
//!   type, ranked by fit, name and unmapped parameters) and maps the options onto its parameters
//!   by name, label, component and range: seeds are always sent (drawn when not given, with
//!   randomize flags off), sizes snapped to sliders or matched to resolution choices.
//! * A [`Plan`] says what will be sent and where each value came from, before anything is.
//! * [`Generator::generate`] runs it, falls back to the next [`Backend`] when one cannot serve
//!   (by the error's [`hfs_core::Action`], never by its text), saves every file as
//!   `{task}-{prompt}-{seed}[-{i}].{ext}` and records its provenance in `hfs-manifest.jsonl`
//!   (and in PNG files themselves).
//!
//! No terminal, no environment: options come in, events go out through a channel.

// Errors carry the libraries' errors whole; built once per failed generation.
#![allow(clippy::result_large_err)]

mod adapter;
mod backend;
mod error;
mod plan;
pub mod presets;
pub mod provenance;
mod request;
mod run;

pub use backend::Backend;
pub use error::{Attempt, GenError};
pub use plan::{Candidate, Plan, Source};
pub use presets::{Preset, Presets};
pub use provenance::GenFile;
pub use request::{GenRequest, GenTask};
pub use run::{GenEvent, GenOptions, GenOutcome, Generator};
