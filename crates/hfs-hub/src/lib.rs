//! Hugging Face Hub basics shared by every hfs backend.
//!
//! * [`HubConfig`]: where the Hub and the inference router live (`HF_ENDPOINT`, `HF_ROUTER_URL`).
//! * [`Token`] and [`discover_token`]: the user's token, found exactly as `huggingface_hub` finds it,
//!   and never printed.
//! * [`TokenPolicy`]: which hosts may receive that token, and in which header.
//! * [`HubClient`]: the few Hub API calls hfs needs (Space info, host and runtime).
//!
//! Nothing here reads the environment by itself: callers pass explicit values, so the CLI owns policy.

mod config;
mod error;
mod policy;
mod spaces;
mod token;

pub use config::{DEFAULT_ENDPOINT, DEFAULT_ROUTER, HubConfig};
pub use error::HubError;
pub use policy::{AuthHeader, TokenPolicy};
pub use spaces::{HubClient, SpaceInfo, SpaceRuntime, SpaceStage};
pub use token::{Token, TokenSource, TokenEnv, discover_token};
