//! A call's result as text, as `hfs.call/1`, and its events as `--stream` lines. Saving the files
//! is the library's ([`hfs_gradio::Client::save_outputs`]).

use hfs_gradio::{Endpoint, Event, SavedOutputs, SavedValue};
use hfs_schema::{CallDoc, EndpointRef, StreamEvent, StreamLine};
use serde_json::Value;

/// The `--json` document (and, with `event: completed`, the last `--stream` line).
pub fn result_doc(target: &str, endpoint: &Endpoint, saved: &SavedOutputs, duration_ms: u64) -> CallDoc {
    CallDoc {
        schema: CallDoc::SCHEMA.into(),
        event: None,
        target: target.into(),
        endpoint: match &endpoint.api_name {
            Some(n) => EndpointRef::Name(n.clone()),
            None => EndpointRef::Index(endpoint.fn_index),
        },
        outputs: saved.outputs.clone(),
        files: saved.files.clone(),
        duration_ms,
    }
}

/// Human-readable result: one line per output, files as their local paths.
pub fn result_text(endpoint: &Endpoint, saved: &SavedOutputs) -> String {
    let labels = endpoint.output_labels();
    let mut out = String::new();
    for (i, v) in saved.outputs.iter().enumerate() {
        let label = labels.get(i).cloned().flatten().unwrap_or_else(|| format!("output {i}"));
        out.push_str(&format!("{label}: {}\n", render_value(v)));
    }
    if saved.outputs.is_empty() {
        out.push_str("(no outputs)\n");
    }
    out
}

fn render_value(v: &Value) -> String {
    if let Some(p) = saved_path(v).or_else(|| saved_path_in_item(v)) {
        return p;
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| saved_path(i).is_some() || saved_path_in_item(i).is_some()) => {
            items
                .iter()
                .map(|i| {
                    let path = saved_path(i).or_else(|| saved_path_in_item(i)).unwrap_or_default();
                    match i.get("caption").and_then(Value::as_str) {
                        Some(c) => format!("\n  {path}  ({c})"),
                        None => format!("\n  {path}"),
                    }
                })
                .collect()
        }
        other => other.to_string(),
    }
}

/// The local (or remote, with --no-download) location of a saved FileData.
fn saved_path(v: &Value) -> Option<String> {
    let s = SavedValue::from_value(v)?;
    Some(s.path.map(|p| p.display().to_string()).unwrap_or(s.url))
}

/// Gallery items (`{image|video: file, caption}`) and 4.x/5.x videos (`{video, subtitles}`).
fn saved_path_in_item(v: &Value) -> Option<String> {
    ["image", "video", "file"].iter().find_map(|k| v.get(k).and_then(saved_path))
}

/// One `--stream` line; `None` for events not reported there.
pub fn stream_line(ev: &Event) -> Option<StreamLine> {
    let event = match ev {
        Event::Queued { rank, queue_size, eta } => StreamEvent::Queued { rank: *rank, queue_size: *queue_size, eta: *eta },
        Event::Progress(units) => StreamEvent::Progress {
            units: serde_json::to_value(units).unwrap_or(Value::Null),
            fraction: units.last().and_then(|u| u.fraction()),
        },
        Event::Log { level, title, message } => {
            StreamEvent::Log { level: serde_json::to_value(level).unwrap_or(Value::Null), title: title.clone(), message: message.clone() }
        }
        Event::Output(o) => StreamEvent::Output { outputs: o.values.clone() },
        Event::Accepted { .. } | Event::Started { .. } | Event::Completed(_) | Event::Failed(_) => return None,
    };
    Some(StreamLine::new(event))
}
