//! A plan: the backend, the endpoint and every argument with where its value came from.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::Backend;

/// Where an argument's value came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "from", content = "detail", rename_all = "snake_case")]
pub enum Source {
    /// A request option (`prompt`, `seed`, `width`, …).
    Option(String),
    /// An extra argument given by the parameter's own name.
    Param,
    /// The endpoint's default (nothing sent; the server uses it).
    Default,
    /// Chosen by hfs, with why (a drawn seed, randomizing switched off, a snapped size).
    Hfs(String),
    /// A preset's fixed value (its origin).
    Preset(String),
}

/// An endpoint that was considered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub endpoint: String,
    /// Whether its inputs and outputs fit the task.
    pub fits: bool,
    pub score: i64,
    /// Why it does not fit, or what it maps.
    pub note: String,
}

/// What will be sent, before anything is.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub backend: Backend,
    /// The Space endpoint (`None` for providers).
    pub endpoint: Option<String>,
    /// Every parameter by name with the value sent (or its default).
    pub arguments: Map<String, Value>,
    pub sources: Map<String, Value>,
    pub candidates: Vec<Candidate>,
    pub warnings: Vec<String>,
    /// The seed sent (drawn by hfs when the request had none), when the backend takes one.
    pub seed: Option<u64>,
    /// The seeds the backend takes (`[min, max]`), when it takes one: a batch draws its seeds here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_range: Option<(u64, u64)>,
    /// How many calls the backend runs at once, where it says (a batch's default concurrency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    #[serde(skip)]
    pub(crate) send: Send,
}

/// The call itself.
#[derive(Clone, Debug, Default)]
pub(crate) enum Send {
    #[default]
    Nothing,
    /// Keyword arguments (servers that name parameters) or every value by position.
    Space { args: hfs_gradio::Args },
    /// A provider request's parameters.
    Provider { params: Map<String, Value> },
}

impl Plan {
    pub(crate) fn set(&mut self, name: &str, value: Value, source: Source) {
        self.arguments.insert(name.to_string(), value);
        self.sources.insert(name.to_string(), serde_json::to_value(source).unwrap_or(Value::Null));
    }
}
