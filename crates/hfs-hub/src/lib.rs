//! Hugging Face Hub basics shared by every hfs backend.
//!
//! * [`HubConfig`]: where the Hub and the inference router live (`HF_ENDPOINT`, `HF_ROUTER_URL`).
//! * [`Token`] and [`discover_token`]: the user's token, found exactly as `huggingface_hub` finds it,
//!   and never printed.
//! * [`TokenPolicy`]: which hosts may receive that token, and in which header.
//! * [`HubClient`]: the few Hub API calls hfs needs (Space info, host and runtime).
//!
//! Nothing here reads the environment by itself: callers pass explicit values, so the CLI owns policy.

mod account;
mod client;
mod config;
mod discovery;
mod error;
mod policy;
mod refresh;
mod spaces;
mod store;
mod token;

pub use account::{DEFAULT_OAUTH_CLIENT_ID, Refreshed, WhoAmI, ZeroGpuQuota};
pub use client::{HubClient, retry_after};
pub use config::{DEFAULT_ENDPOINT, DEFAULT_ROUTER, HubConfig, RetryPolicy};
pub use discovery::{ChatModel, ModelHit, ProviderEntry, SPACE_CATEGORIES, SpaceHit, SpaceSearch, provider_entries};
pub use error::HubError;
pub use policy::{AuthHeader, TokenPolicy, origin_key};
pub use refresh::{REFRESH_MARGIN_SECS, refresh_if_needed};
pub use spaces::{SpaceInfo, SpaceRuntime, SpaceStage};
pub use store::{StoredToken, TokenStore, parse_ini, render_ini};
pub use token::{Token, TokenEnv, TokenSource, discover_token};
