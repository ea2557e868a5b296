//! Batch runs of generations that survive anything: `-n` copies with distinct seeds, prompt
//! files, variations, concurrency per backend, retries by error class, and a manifest that makes
//! `resume` exactly-once.
//!
//! * [`Spec::items`] expands a run into [`Item`]s, each with a stable key (a hash of its
//!   canonical inputs, backends and seed): re-running the same plan finds the same keys, and
//!   `--shard K/N` splits a plan by key with no coordination.
//! * [`Manifest::open`] takes the run directory (one process at a time), reads what is planned
//!   and done (a torn last line tolerated, damage elsewhere named by line) and removes temp
//!   files a killed run left.
//! * [`run`] schedules the items on a [`hfs_generate::Generator`]: `planned`, `started` (with
//!   the remote job id, before waiting), `done` and `failed` records are fsynced as they happen,
//!   files reach their final names only complete, so a `SIGKILL` at any moment loses at most
//!   the calls in flight.
//!
//! ```no_run
//! # async fn demo(generator: hfs_generate::Generator) -> Result<(), hfs_batch::BatchError> {
//! use hfs_batch::{Manifest, RunOptions, Spec};
//! use hfs_generate::{Backend, GenRequest, GenTask};
//!
//! let spec = Spec {
//!     task: GenTask::Image,
//!     base: GenRequest { prompt: Some("a red fox".into()), seed: Some(7), ..Default::default() },
//!     backends: vec![Backend::Space { space: "owner/app".into(), endpoint: None }],
//!     lines: vec![],
//!     vary: vec![],
//!     n: 4, // seeds 7, 8, 9, 10
//! };
//! let dir = std::path::Path::new("out");
//! let (mut manifest, state) = Manifest::open(dir)?;
//! let (todo, _skipped) = hfs_batch::plan(&mut manifest, &state, spec.items(&[])?, "run-1")?;
//! let opts = RunOptions { out_dir: dir.into(), ..Default::default() };
//! let summary = hfs_batch::run(&generator, manifest, todo, &state.attempts, "run-1", &opts).await?;
//! assert_eq!(summary.done + summary.failed.len() + summary.not_run, summary.total);
//! # Ok(()) }
//! ```

// Errors carry the libraries' errors whole.
#![allow(clippy::result_large_err)]

mod error;
pub mod manifest;
mod run;
pub mod spec;

pub use error::BatchError;
pub use manifest::{Manifest, State};
pub use run::{
    BatchEvent, Failure, Follow, Nothing, RunOptions, Skipped, Stop, Summary, Then, class_name, plan, run, run_following, skipped_record,
};
pub use spec::{Item, Line, Spec, draw_seeds, parse_prompts, parse_shard, parse_vary};
