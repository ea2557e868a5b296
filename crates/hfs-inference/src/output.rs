//! Saving outputs: right extension (MIME type, else magic bytes), safe unique names, atomically,
//! with the one writer of `hfs-core` (temp file, fsync, no-clobber rename).

use std::path::PathBuf;

use futures::StreamExt;
use serde::Serialize;

use crate::InferenceError;

/// Where and under which name an output goes: `{dir}/{stem}.{ext}` (`-2`, `-3`… if taken).
#[derive(Clone, Debug)]
pub struct OutputSpec {
    pub dir: PathBuf,
    pub stem: String,
}

impl OutputSpec {
    pub fn new(dir: impl Into<PathBuf>, stem: impl Into<String>) -> Self {
        Self { dir: dir.into(), stem: stem.into() }
    }
}

/// A saved output file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavedFile {
    pub path: PathBuf,
    pub size: u64,
    pub mime_type: Option<String>,
    /// Where the bytes came from, when they were downloaded.
    pub url: Option<String>,
}

impl From<hfs_core::write::WriteError> for InferenceError {
    fn from(e: hfs_core::write::WriteError) -> Self {
        InferenceError::OutputFile { path: e.path, source: e.source }
    }
}

/// Saves bytes already in memory (raw responses, base64 payloads), with the shared atomic writer.
pub async fn save_bytes(bytes: &[u8], mime: Option<&str>, out: &OutputSpec) -> Result<SavedFile, InferenceError> {
    let ext = hfs_core::mime::extension_for(None, mime, &bytes[..bytes.len().min(64)], "");
    let path = hfs_core::write::write_bytes(&out.dir, &out.stem, &ext, bytes).await?;
    Ok(SavedFile { path, size: bytes.len() as u64, mime_type: hfs_core::mime::mime_for(mime, &ext), url: None })
}

/// Streams a response body into a file (never held in memory), each chunk awaited at most `idle`.
pub async fn save_response(resp: reqwest::Response, out: &OutputSpec, idle: std::time::Duration) -> Result<SavedFile, InferenceError> {
    let url = resp.url().to_string();
    let header = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut file = hfs_core::write::AtomicFile::create_in(&out.dir).await?;
    let mut body = Box::pin(hfs_core::body::with_idle_timeout(resp.bytes_stream(), idle));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| InferenceError::Download { url: url.clone(), message: e.to_string() })?;
        file.write(&chunk).await?;
    }
    let name = url.rsplit('/').next().unwrap_or("").split('?').next().unwrap_or("").to_string();
    let ext = hfs_core::mime::extension_for(None, header.as_deref(), file.head(), &name);
    let size = file.size();
    let path = file.persist(&out.stem, &ext).await?;
    Ok(SavedFile { path, size, mime_type: hfs_core::mime::mime_for(header.as_deref(), &ext), url: Some(url) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unique_names_and_extension_from_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputSpec::new(dir.path(), "../evil/name");
        let a = save_bytes(b"\x89PNG\r\n\x1a\nxxxx", None, &out).await.unwrap();
        let b = save_bytes(b"\x89PNG\r\n\x1a\nyyyy", Some("application/octet-stream"), &out).await.unwrap();
        assert_eq!(a.path.parent().unwrap(), dir.path());
        assert!(a.path.to_string_lossy().ends_with(".png"), "{:?}", a.path);
        assert_ne!(a.path, b.path);
        assert!(b.path.to_string_lossy().ends_with("-2.png"), "{:?}", b.path);
        assert_eq!(a.mime_type.as_deref(), Some("image/png"));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no temp file left: {names:?}");
    }
}
