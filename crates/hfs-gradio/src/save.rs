//! Saving every file of a call's outputs under good names, and replacing each FileData in the
//! outputs with what was saved: the step every front end (CLI, batch, MCP) needs after a call.

use std::path::{Path, PathBuf};

use hfs_core::naming::slug;
use serde::Serialize;
use serde_json::Value;

use crate::{Client, Endpoint, Error};

/// A call's outputs with every FileData replaced by a [`SavedValue`], and the files written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SavedOutputs {
    pub outputs: Vec<Value>,
    pub files: Vec<PathBuf>,
}

/// Where a file sits among a call's outputs, for naming it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileSlot {
    /// The output it belongs to.
    pub output: usize,
    /// Its position among that output's files, and how many there are.
    pub item: usize,
    pub in_output: usize,
    /// Its position among all files of the call, and how many there are.
    pub index: usize,
    pub total: usize,
}

/// What replaces a FileData in saved outputs. `path` is `None` when downloads were off.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavedValue {
    pub path: Option<PathBuf>,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    pub orig_name: Option<String>,
    pub url: String,
}

impl SavedValue {
    /// Reads one back from outputs (`None` for anything else).
    pub fn from_value(v: &Value) -> Option<SavedValue> {
        let o = v.as_object()?;
        if !(o.contains_key("url") && o.contains_key("orig_name") && o.contains_key("path")) {
            return None;
        }
        Some(SavedValue {
            path: o.get("path").and_then(Value::as_str).map(PathBuf::from),
            mime_type: o.get("mime_type").and_then(Value::as_str).map(str::to_string),
            size: o.get("size").and_then(Value::as_u64),
            orig_name: o.get("orig_name").and_then(Value::as_str).map(str::to_string),
            url: o.get("url").and_then(Value::as_str).unwrap_or_default().to_string(),
        })
    }
}

impl Client {
    /// Downloads every file of every output into `dir` (when `download`), named
    /// `{endpoint}-{label or index}[-{item}].{ext}`, never overwriting (`-2`, `-3`, …).
    pub async fn save_outputs(&self, endpoint: &Endpoint, values: &[Value], dir: &Path, download: bool) -> Result<SavedOutputs, Error> {
        let ep = slug(endpoint.api_name.as_deref().unwrap_or(&format!("fn{}", endpoint.fn_index)));
        let labels = endpoint.output_labels();
        let name = |f: FileSlot| {
            let label = labels.get(f.output).cloned().flatten().map(|l| slug(&l)).unwrap_or_else(|| f.output.to_string());
            if f.in_output > 1 { format!("{ep}-{label}-{}", f.item + 1) } else { format!("{ep}-{label}") }
        };
        self.save_outputs_named(values, dir, download, &name, None).await
    }

    /// [`Client::save_outputs`] with the caller's file stems (the extension comes from the file)
    /// and, optionally, a chunk every PNG gets after its header as it is written.
    pub async fn save_outputs_named(
        &self,
        values: &[Value],
        dir: &Path,
        download: bool,
        stem: &(dyn Fn(FileSlot) -> String + Sync),
        png_chunk: Option<&[u8]>,
    ) -> Result<SavedOutputs, Error> {
        let mut saved = SavedOutputs { outputs: Vec::with_capacity(values.len()), files: Vec::new() };
        let total: usize = values.iter().map(|v| self.files_in(v).len()).sum();
        let mut overall = 0;
        for (i, value) in values.iter().enumerate() {
            let mut value = value.clone();
            let found = self.files_in(&value);
            for (k, (ptr, fd)) in found.iter().enumerate() {
                let stem = stem(FileSlot { output: i, item: k, in_output: found.len(), index: overall, total });
                overall += 1;
                // A 3.x inline file has no URL: once saved, its bytes are not repeated; unsaved,
                // the `data:` URL is the file.
                let inline = fd.url.as_deref().filter(|u| u.starts_with("data:"));
                let url = match inline {
                    Some(_) if download => String::new(),
                    Some(data) => data.to_string(),
                    None => self.file_url(fd).to_string(),
                };
                let replacement = if download {
                    let file = match png_chunk {
                        Some(c) => self.download_with_png_chunk(fd, dir, &stem, c).await?,
                        None => self.download(fd, dir, &stem).await?,
                    };
                    saved.files.push(file.path.clone());
                    SavedValue {
                        path: Some(file.path),
                        mime_type: file.mime_type.or(fd.mime_type.clone()),
                        size: Some(file.size),
                        orig_name: fd.orig_name.clone(),
                        url,
                    }
                } else {
                    SavedValue { path: None, mime_type: fd.mime_type.clone(), size: fd.size, orig_name: fd.orig_name.clone(), url }
                };
                let replacement = serde_json::to_value(replacement).expect("plain data");
                if let Some(slot) = value.pointer_mut(ptr) {
                    *slot = replacement;
                } else if ptr.is_empty() {
                    value = replacement;
                }
            }
            saved.outputs.push(value);
        }
        Ok(saved)
    }
}
