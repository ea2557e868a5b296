//! What a person (or an agent) can do about an error, as data.
//!
//! Library errors say what happened; their hints say what would help, without naming any flag,
//! environment variable or command of a particular front end. The CLI turns a hint into flag
//! advice (`--provider`, `hfs auth login`); an MCP server or a batch log can render it its own way.
//!
//! ```
//! use hfs_core::Hint;
//! let h = Hint::PickProvider { providers: vec!["fal-ai".into()] };
//! assert_eq!(serde_json::to_value(&h).unwrap()["kind"], "pick_provider");
//! ```

use serde::{Deserialize, Serialize};

/// One thing that would help. Front ends render each variant in their own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Hint {
    /// A valid Hugging Face token would help: none was given, or the one given was rejected.
    LogIn,
    /// The target may be private: a Hugging Face token with access to it would help.
    TokenWithAccess,
    /// The token lacks a permission (e.g. "Make calls to Inference Providers").
    TokenPermission,
    /// The app itself asks for a username and password.
    AppCredentials,
    /// Name one of these endpoints.
    PickEndpoint { endpoints: Vec<String> },
    /// Give the parameter by name (`name=VALUE` in the CLI).
    GiveParameter { name: String },
    /// This endpoint takes arguments by position only; `name` was given by name.
    PositionalOnly { name: String },
    /// Fix this parameter, or check the parameters sent when `name` is `None`.
    FixParameter { name: Option<String> },
    /// Use one of these providers (empty: another provider).
    PickProvider { providers: Vec<String> },
    /// The provider is reachable only with its own key, usually read from `key_variable`.
    ProviderKey { provider: String, key_variable: Option<String> },
    /// Or name a provider and give that provider's own key.
    ProviderWithKey,
    /// Pick a model that a provider serves for this task.
    FindModel { task: String },
    /// Check credits and billing, or bill an organization.
    Billing,
    /// Allow a longer wait for the Space to start.
    WaitLonger,
    /// Allow the call a longer deadline.
    LongerDeadline,
    /// Check that the configured Hub and router addresses are right, and the network.
    CheckEndpoints,
    /// Try again later (after `after_secs` when the server said).
    RetryLater { after_secs: Option<u64> },
    /// Use another Space (or duplicate this one).
    OtherSpace,
    /// See how much ZeroGPU quota is left and when it resets.
    CheckQuota,
    /// The file is outside the directories this front end may read: allow its directory, or
    /// copy the file into one of `allowed`.
    AllowDirectory { path: String, allowed: Vec<String> },
}
