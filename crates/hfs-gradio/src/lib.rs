//! A Gradio client for Spaces and any Gradio app, speaking every queue protocol from Gradio 4.0
//! (`sse`) to 6.x (`sse_v3`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), hfs_gradio::Error> {
//! use hfs_gradio::{Args, Client, ClientOptions, EndpointRef, Event};
//! let client = Client::connect("http://127.0.0.1:7860/", ClientOptions::default()).await?;
//! let mut job = client.submit(&EndpointRef::Name("/greet".into()), &Args::new().kwarg("name", "World"), Default::default())?;
//! while let Some(event) = job.next_event().await {
//!     match event {
//!         Event::Progress(units) => eprintln!("{units:?}"),
//!         Event::Completed(out) => println!("{:?}", out.values),
//!         Event::Failed(e) => return Err(e),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The client never reads the environment: tokens, hub location and headers come in
//! [`ClientOptions`]. Calls stream typed [`Event`]s and fail with typed [`Error`]s whose
//! [`Error::class`] tells a caller whether to fix its input, retry, wait or give up.

mod args;
mod client;
mod coerce;
mod config;
mod endpoint;
mod error;
mod event;
mod filedata;
#[cfg(test)]
mod fuzz;
mod http;
mod job;
mod quota;
mod save;
mod session;
mod target;
mod transfer;

pub mod protocol;

pub use args::Args;
pub use client::{Client, ClientOptions, StageCallback};
pub use coerce::{TextArg, coerce, coerce_args};
pub use config::{AppConfig, Component, Dependency, Visibility};
pub use endpoint::{Endpoint, EndpointRef, Parameter, Return, describe as describe_endpoint};
pub use error::{Action, Error, ErrorClass, Hint, ParamProblem, fmt_duration};
pub use event::{Event, LogLevel, Outputs, ProgressUnit};
pub use filedata::{FileData, FileInput, MARKER as FILE_MARKER, find_files, is_file_data, local_file, sanitize_filename, url_file};
pub use hfs_core::body::Limits;
pub use hfs_core::mime::extension_for;
pub use hfs_hub::{HubConfig, SpaceStage, Token};
pub use http::build_client;
pub use job::{CallOptions, CancelHandle, Job};
pub use save::{FileSlot, SavedOutputs, SavedValue};
pub use target::Target;
pub use transfer::SavedFile;
