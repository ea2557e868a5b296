//! FileData: recognising files in any output shape, marking local files and URLs as inputs.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

/// Key of the object that marks "upload this" in an input value; never sent to the server.
pub const MARKER: &str = "_hfs_file";

/// An input value meaning "upload this local file".
pub fn local_file(path: impl AsRef<Path>) -> Value {
    let p = path.as_ref();
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    json!({ MARKER: "local", "path": p.to_string_lossy(), "orig_name": name })
}

/// An input value meaning "download this URL (by hfs itself) and upload it".
pub fn url_file(url: &str) -> Value {
    let name = url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments().and_then(|mut s| s.next_back().map(percent_decode)))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "file".into());
    json!({ MARKER: "url", "path": url, "orig_name": name })
}

/// `remote%20data.txt` → `remote data.txt` (invalid sequences are kept as they are).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A file in an app's output (or a prepared input).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileData {
    pub path: String,
    pub url: Option<String>,
    pub size: Option<u64>,
    pub orig_name: Option<String>,
    pub mime_type: Option<String>,
    pub is_stream: bool,
}

impl FileData {
    pub fn from_json(v: &Value) -> Option<Self> {
        let o = v.as_object()?;
        Some(Self {
            path: o.get("path")?.as_str()?.to_string(),
            url: o.get("url").and_then(Value::as_str).map(str::to_string),
            size: o.get("size").and_then(Value::as_u64),
            orig_name: o.get("orig_name").and_then(Value::as_str).map(str::to_string),
            mime_type: o.get("mime_type").and_then(Value::as_str).map(str::to_string),
            is_stream: o.get("is_stream").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

const FILE_KEYS: &[&str] = &["path", "url", "size", "orig_name", "mime_type", "is_stream", "meta", "alt_text", "b64"];

/// Whether `v` is a FileData. Tagged protocols (4.21+) mark them with `meta._type`; before that, a
/// dict whose keys are all FileData keys and that has a string `path` (not just any dict with `path`).
pub fn is_file_data(v: &Value, tagged: bool) -> bool {
    let Some(o) = v.as_object() else { return false };
    if !o.get("path").is_some_and(Value::is_string) {
        return false;
    }
    if o.get("meta").and_then(|m| m.get("_type")).and_then(Value::as_str) == Some("gradio.FileData") {
        return true;
    }
    !tagged && o.keys().all(|k| FILE_KEYS.contains(&k.as_str())) && o.contains_key("orig_name")
}

/// Every FileData in `v`, with its JSON pointer, in document order.
pub fn find_files(v: &Value, tagged: bool) -> Vec<(String, FileData)> {
    let mut out = Vec::new();
    walk(v, String::new(), tagged, &mut out);
    out
}

fn walk(v: &Value, ptr: String, tagged: bool, out: &mut Vec<(String, FileData)>) {
    if is_file_data(v, tagged) {
        if let Some(f) = FileData::from_json(v) {
            out.push((ptr, f));
        }
        return;
    }
    match v {
        Value::Array(list) => {
            for (i, item) in list.iter().enumerate() {
                walk(item, format!("{ptr}/{i}"), tagged, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                walk(item, format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1")), tagged, out);
            }
        }
        _ => {}
    }
}

/// JSON pointers of every upload marker in an input value.
pub(crate) fn find_markers(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn go(v: &Value, ptr: String, out: &mut Vec<String>) {
        match v {
            Value::Object(map) if map.contains_key(MARKER) => out.push(ptr),
            Value::Object(map) => {
                for (k, item) in map {
                    go(item, format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            Value::Array(list) => {
                for (i, item) in list.iter().enumerate() {
                    go(item, format!("{ptr}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    go(v, String::new(), &mut out);
    out
}

pub use hfs_core::naming::sanitize_filename;

/// A file the caller wants uploaded as an input. Built only from the caller's own arguments (the
/// markers of [`local_file`] and [`url_file`] in the values it passed), never from anything a
/// server sent: a server default that looks like a marker is sent back to it as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileInput {
    /// Upload this local file.
    Local { path: PathBuf, name: String },
    /// Fetch this URL (by hfs itself, with the token only where the policy allows) and upload it.
    Url { url: String, name: String },
}

impl FileInput {
    fn from_marker(v: &Value) -> Option<Self> {
        let kind = v.get(MARKER)?.as_str()?;
        let path = v.get("path")?.as_str()?.to_string();
        let name = v.get("orig_name").and_then(Value::as_str).map(sanitize_filename).unwrap_or_else(|| "file".into());
        Some(match kind {
            "url" => FileInput::Url { url: path, name },
            _ => FileInput::Local { path: PathBuf::from(path), name },
        })
    }

    /// The name the server is told.
    pub fn name(&self) -> &str {
        match self {
            FileInput::Local { name, .. } | FileInput::Url { name, .. } => name,
        }
    }
}

/// One upload a call needs: `data[index]` at JSON pointer `pointer` becomes the uploaded FileData.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Upload {
    pub index: usize,
    pub pointer: String,
    pub file: FileInput,
}

/// Takes the upload markers out of one of the caller's values (each replaced by `null` until its
/// upload is done), returning where each one was.
pub(crate) fn take_markers(v: &mut Value, index: usize, out: &mut Vec<Upload>) {
    for pointer in find_markers(v) {
        let Some(slot) = v.pointer_mut(&pointer) else { continue };
        if let Some(file) = FileInput::from_marker(slot) {
            *slot = Value::Null;
            out.push(Upload { index, pointer, file });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_in_any_shape() {
        let tag = json!({"_type": "gradio.FileData"});
        let f = |p: &str| json!({"path": p, "url": null, "size": null, "orig_name": p, "mime_type": null, "is_stream": false, "meta": tag});
        let gallery = json!([{"image": f("a.png"), "caption": "x"}, {"image": f("b.png"), "caption": null}]);
        let video5 = json!({"video": f("v.mp4"), "subtitles": null});
        let update = json!({"__type__": "update", "value": f("u.txt"), "visible": true});
        let all = json!([gallery, video5, f("plain.wav"), update, [f("l1"), f("l2")], {"path": "not-a-file"}]);
        let found: Vec<_> = find_files(&all, true).into_iter().map(|(p, f)| (p, f.path)).collect();
        assert_eq!(
            found,
            vec![
                ("/0/0/image".to_string(), "a.png".to_string()),
                ("/0/1/image".into(), "b.png".into()),
                ("/1/video".into(), "v.mp4".into()),
                ("/2".into(), "plain.wav".into()),
                ("/3/value".into(), "u.txt".into()),
                ("/4/0".into(), "l1".into()),
                ("/4/1".into(), "l2".into()),
            ]
        );
    }

    #[test]
    fn untagged_protocols_use_the_key_set() {
        let old = json!({"path": "/tmp/gradio/x/out.txt", "url": null, "size": 9, "orig_name": "out.txt", "mime_type": null});
        assert!(is_file_data(&old, false));
        assert!(!is_file_data(&old, true), "4.21+ files carry meta");
        assert!(!is_file_data(&json!({"path": "/x", "note": "json output"}), false));
    }

    #[test]
    fn markers() {
        let v = json!([local_file("/tmp/a b.png"), {"video": url_file("https://x.org/v/clip.mp4?x=1"), "subtitles": null}]);
        assert_eq!(find_markers(&v), vec!["/0", "/1/video"]);
        assert_eq!(v[1]["video"]["orig_name"], "clip.mp4");
        assert_eq!(v[0]["orig_name"], "a b.png");
        assert_eq!(url_file("http://h/remote%20data.txt")["orig_name"], "remote data.txt");
        assert_eq!(url_file("http://h/bad%zz%2")["orig_name"], "bad%zz%2");
    }

    #[test]
    fn markers_become_uploads_and_leave_nulls() {
        let mut v = json!({"video": local_file("/tmp/../x/clip.mp4"), "subtitles": url_file("https://h/s.vtt")});
        let mut out = Vec::new();
        take_markers(&mut v, 3, &mut out);
        assert_eq!(v, json!({"video": null, "subtitles": null}));
        assert_eq!(
            out[0],
            Upload {
                index: 3,
                pointer: "/video".into(),
                file: FileInput::Local { path: "/tmp/../x/clip.mp4".into(), name: "clip.mp4".into() }
            }
        );
        assert_eq!(out[1].file, FileInput::Url { url: "https://h/s.vtt".into(), name: "s.vtt".into() });
    }
}
