//! Tool results: saved files as `resource_link` content (a `file://` URI, name, MIME type, size)
//! plus `structuredContent`; failures as `isError` results carrying the message and hints.

use std::path::Path;

use base64::Engine;
use hfs_core::Hint;
use hfs_generate::{GenError, GenOutcome, GenTask};
use hfs_schema::{ErrorInfo, HintDoc};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

use crate::advice::advice;

/// A generation's or call's result.
pub(crate) fn outcome(o: &GenOutcome, inline_images: Option<u64>) -> CallToolResult {
    let doc = o.doc();
    let mut content = Vec::new();
    let mut summary = Vec::new();
    if let Some(t) = doc.text.as_deref() {
        summary.push(t.trim().to_string());
    }
    for f in &o.files {
        let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mime = f.mime_type.clone().unwrap_or_else(|| "application/octet-stream".into());
        let mut link = json!({"type": "resource_link", "uri": file_uri(&f.path), "name": name, "mimeType": mime, "size": f.size});
        link["description"] = Value::String(format!("saved at {}", f.path.display()));
        content.push(link);
        if mime.starts_with("image/")
            && inline_images.is_some_and(|cap| f.size <= cap)
            && let Ok(bytes) = std::fs::read(&f.path)
        {
            content.push(json!({"type": "image", "data": base64::engine::general_purpose::STANDARD.encode(bytes), "mimeType": mime}));
        }
        summary.push(format!("saved {} ({mime}, {} bytes, sha256 {})", f.path.display(), f.size, f.sha256));
    }
    if o.task == GenTask::Call && o.files.is_empty() {
        // A call's answer is its values; a generation's is its files.
        let values = Value::Array(doc.values.clone()).to_string();
        summary.push(if values.len() > 4000 {
            format!("{}…", &values[..values.char_indices().nth(3999).map(|(i, _)| i).unwrap_or(0)])
        } else {
            values
        });
    }
    let mut made = format!("made with {}", o.backend.label());
    if let Some(s) = o.seed {
        made.push_str(&format!(", seed {s}"));
    }
    summary.push(made);
    for w in &doc.warnings {
        summary.push(format!("warning: {}", clean(w)));
    }
    content.insert(0, json!({"type": "text", "text": summary.join("\n")}));
    let structured = serde_json::to_value(&doc).unwrap_or(Value::Null);
    build(json!({"content": content, "structuredContent": structured, "isError": false}))
}

/// A success with a structured document and a text rendering of it.
pub(crate) fn document(text: String, doc: Value) -> CallToolResult {
    build(json!({"content": [{"type": "text", "text": text}], "structuredContent": doc, "isError": false}))
}

/// A failure the caller should read: the message, then what would help.
pub(crate) fn failure(kind: &str, message: &str, hints: &[Hint], retry_after: Option<std::time::Duration>) -> CallToolResult {
    let message = clean(message);
    let hints: Vec<HintDoc> =
        hints.iter().map(|h| HintDoc { hint: h.clone(), advice: advice(h) }).filter(|h| !h.advice.is_empty()).collect();
    let mut text = message.clone();
    for h in &hints {
        text.push_str(&format!("\nhint: {}", h.advice));
    }
    let info = ErrorInfo {
        kind: kind.into(),
        message,
        hints,
        retryable: matches!(kind, "rate_limited" | "queue_full" | "remote" | "space_not_running" | "timeout"),
        retry_after_s: retry_after.map(|d| d.as_secs()),
        exit_code: 0,
        status: None,
    };
    build(json!({
        "content": [{"type": "text", "text": text}],
        "structuredContent": {"schema": "hfs.error/1", "error": info},
        "isError": true,
    }))
}

/// An argument the tool cannot take.
pub(crate) fn usage(message: &str) -> CallToolResult {
    failure("usage", message, &[], None)
}

pub(crate) fn gen_error(e: &GenError) -> CallToolResult {
    let message = match e {
        GenError::Cancelled => "cancelled; the job was cancelled on the server".to_string(),
        e => hfs_core::text::with_sources(e),
    };
    failure(e.kind(), &message, &e.hints(), e.retry_after())
}

fn build(mut v: Value) -> CallToolResult {
    // Required from 2026-07-28 on; the SDK drops it for peers on older revisions.
    v["resultType"] = Value::String("complete".into());
    // The SDK's types are non-exhaustive: built from the protocol's JSON, which is their contract.
    serde_json::from_value(v).unwrap_or_else(|e| {
        serde_json::from_value(
            json!({"content": [{"type": "text", "text": format!("internal error building the result: {e}")}], "isError": true}),
        )
        .expect("a plain error result")
    })
}

pub(crate) fn file_uri(path: &Path) -> String {
    url::Url::from_file_path(path).map(|u| u.to_string()).unwrap_or_else(|_| format!("file://{}", path.display()))
}

/// Server text (an app's exception) as one safe block: no terminal escapes.
fn clean(s: &str) -> String {
    hfs_core::text::strip_terminal_escapes(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_error_results_with_advice() {
        let r = failure("app_error", "Boom \x1b[31mred\x1b[0m", &[Hint::OtherSpace], None);
        assert_eq!(r.is_error, Some(true));
        let v = serde_json::to_value(&r).unwrap();
        let text = v["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("Boom red\nhint: use another Space"), "{text}");
        assert_eq!(v["structuredContent"]["error"]["kind"], "app_error");
    }

    #[test]
    fn file_uris_are_escaped() {
        assert_eq!(file_uri(Path::new("/tmp/a b#c.png")), "file:///tmp/a%20b%23c.png");
    }
}
