//! What a running call reports: the typed events a progress bar, a JSON-lines printer or a
//! batch scheduler consume.

use serde::Serialize;
use serde_json::Value;

use crate::Error;

/// One unit of `gr.Progress`: fractional (`progress`) or counted (`index` of `length`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgressUnit {
    pub index: Option<u64>,
    pub length: Option<u64>,
    pub unit: Option<String>,
    pub progress: Option<f64>,
    pub desc: Option<String>,
}

impl ProgressUnit {
    pub(crate) fn from_json(v: &Value) -> Self {
        Self {
            index: v.get("index").and_then(Value::as_u64),
            length: v.get("length").and_then(Value::as_u64),
            unit: v.get("unit").and_then(Value::as_str).map(str::to_string),
            progress: v.get("progress").and_then(Value::as_f64),
            desc: v.get("desc").and_then(Value::as_str).map(str::to_string),
        }
    }

    /// Completion in 0..=1 when known. tqdm-style units count finished steps (`index + 1`).
    pub fn fraction(&self) -> Option<f64> {
        if let Some(p) = self.progress {
            return Some(p.clamp(0.0, 1.0));
        }
        match (self.index, self.length) {
            (Some(i), Some(l)) if l > 0 => Some((i.saturating_add(1) as f64 / l as f64).min(1.0)),
            _ => None,
        }
    }
}

/// The level of a `gr.Info` / `gr.Warning` / `gr.Success` message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Info,
    Warning,
    Success,
    Error,
}

impl LogLevel {
    pub(crate) fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "warning" | "warn" => Self::Warning,
            "success" => Self::Success,
            "error" => Self::Error,
            _ => Self::Info,
        }
    }
}

/// The result of a finished call: one value per output component, files still as FileData.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    /// One value per API-visible output (State and layout outputs removed).
    pub values: Vec<Value>,
}

/// Something that happened to a call, in order. The last event is `Completed` or `Failed`.
#[derive(Debug)]
pub enum Event {
    /// The app accepted the call and named it (`event_id`): from here on it may run even if this
    /// client goes away, so a log of work in flight records the id.
    Accepted { event_id: String },
    /// Waiting in the queue (`rank` is 0-based; `eta` in seconds).
    Queued { rank: Option<u64>, queue_size: Option<u64>, eta: Option<f64> },
    /// A worker picked the call up.
    Started { eta: Option<f64> },
    /// `gr.Progress` update: one unit per nested bar.
    Progress(Vec<ProgressUnit>),
    /// A toast from the app.
    Log { level: LogLevel, title: Option<String>, message: String },
    /// An intermediate value of a generator (diffs already applied).
    Output(Outputs),
    /// Done; authoritative final values.
    Completed(Outputs),
    /// Failed, cancelled or past its deadline.
    Failed(Error),
}

impl Event {
    pub fn is_terminal(&self) -> bool {
        matches!(self, Event::Completed(_) | Event::Failed(_))
    }
}
