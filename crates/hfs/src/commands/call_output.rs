//! Saving a call's output files and rendering its result as text, JSON or JSON lines.

use std::path::{Path, PathBuf};

use hfs_gradio::{Client, Endpoint, Event};
use serde_json::{Value, json};

use crate::exit::CliError;
use crate::slug::slug;

/// Outputs with every FileData replaced by what was saved locally.
pub struct Saved {
    pub outputs: Vec<Value>,
    pub files: Vec<PathBuf>,
}

/// Downloads every file of every output into `dir`, named `{endpoint}-{label or index}[-{item}].{ext}`.
pub async fn save(client: &Client, endpoint: &Endpoint, values: &[Value], dir: &Path, download: bool) -> Result<Saved, CliError> {
    let ep = slug(endpoint.api_name.as_deref().unwrap_or(&format!("fn{}", endpoint.fn_index)));
    let labels = endpoint.output_labels();
    let mut outputs = Vec::with_capacity(values.len());
    let mut files = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let mut value = value.clone();
        let found = client.files_in(&value);
        let label = labels.get(i).cloned().flatten().map(|l| slug(&l)).unwrap_or_else(|| i.to_string());
        for (k, (ptr, fd)) in found.iter().enumerate() {
            let stem = if found.len() > 1 { format!("{ep}-{label}-{}", k + 1) } else { format!("{ep}-{label}") };
            let url = client.file_url(fd).to_string();
            let replacement = if download {
                let saved = client.download(fd, dir, &stem).await?;
                files.push(saved.path.clone());
                json!({"path": saved.path, "mime_type": saved.mime_type.or(fd.mime_type.clone()), "size": saved.size,
                       "orig_name": fd.orig_name, "url": url})
            } else {
                json!({"path": null, "mime_type": fd.mime_type, "size": fd.size, "orig_name": fd.orig_name, "url": url})
            };
            if let Some(slot) = value.pointer_mut(ptr) {
                *slot = replacement;
            } else if ptr.is_empty() {
                value = replacement;
            }
        }
        outputs.push(value);
    }
    Ok(Saved { outputs, files })
}

/// The `--json` object (schema `hfs.call/1`).
pub fn result_json(target: &str, endpoint: &Endpoint, saved: &Saved, duration_ms: u128) -> Value {
    json!({
        "schema": "hfs.call/1",
        "target": target,
        "endpoint": endpoint.api_name.clone().map(Value::String).unwrap_or_else(|| json!(endpoint.fn_index)),
        "outputs": saved.outputs,
        "files": saved.files,
        "duration_ms": duration_ms,
    })
}

/// Human-readable result: one line per output, files as their local paths.
pub fn result_text(endpoint: &Endpoint, saved: &Saved) -> String {
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

/// The local (or remote, with --no-download) location of a replaced FileData.
fn saved_path(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    if !(o.contains_key("url") && o.contains_key("orig_name") && o.contains_key("path")) {
        return None;
    }
    match o.get("path") {
        Some(Value::String(p)) => Some(p.clone()),
        _ => o.get("url").and_then(Value::as_str).map(str::to_string),
    }
}

/// Gallery items (`{image|video: file, caption}`) and 4.x/5.x videos (`{video, subtitles}`).
fn saved_path_in_item(v: &Value) -> Option<String> {
    ["image", "video", "file"].iter().find_map(|k| v.get(k).and_then(saved_path))
}

/// One JSON line for `--stream`; `None` for events not reported there.
pub fn event_json(ev: &Event) -> Option<Value> {
    Some(match ev {
        Event::Queued { rank, queue_size, eta } => json!({"event": "queued", "rank": rank, "queue_size": queue_size, "eta": eta}),
        Event::Progress(units) => json!({"event": "progress", "units": units,
                                         "fraction": units.last().and_then(|u| u.fraction())}),
        Event::Log { level, title, message } => json!({"event": "log", "level": level, "title": title, "message": message}),
        Event::Output(o) => json!({"event": "output", "outputs": o.values}),
        Event::Started { .. } | Event::Completed(_) | Event::Failed(_) => return None,
    })
}
