//! Saving outputs: right extension (MIME type, else magic bytes), safe unique names, atomically
//! (a temp file in the target directory renamed without overwriting anything).

use std::path::{Path, PathBuf};

use futures::StreamExt;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

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

struct Temp {
    file: tokio::fs::File,
    path: tempfile::TempPath,
}

async fn temp_in(dir: &Path) -> Result<Temp, InferenceError> {
    let out_err = |source| InferenceError::OutputFile { path: dir.display().to_string(), source };
    tokio::fs::create_dir_all(dir).await.map_err(out_err)?;
    let tmp = tempfile::Builder::new().prefix(".hfs-").suffix(".part").tempfile_in(dir).map_err(out_err)?;
    let (f, path) = tmp.into_parts();
    Ok(Temp { file: tokio::fs::File::from_std(f), path })
}

fn persist(tmp: tempfile::TempPath, out: &OutputSpec, ext: &str) -> Result<PathBuf, InferenceError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644));
    }
    let stem = hfs_gradio::sanitize_filename(&out.stem);
    let stem = if stem.is_empty() { "output".to_string() } else { stem };
    let mut tmp = tmp;
    for n in 1u32.. {
        let name = if n == 1 { format!("{stem}.{ext}") } else { format!("{stem}-{n}.{ext}") };
        let dest = if out.dir == Path::new(".") { PathBuf::from(&name) } else { out.dir.join(&name) };
        match tmp.persist_noclobber(&dest) {
            Ok(()) => return Ok(dest),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.path,
            Err(e) => return Err(InferenceError::OutputFile { path: dest.display().to_string(), source: e.error }),
        }
    }
    unreachable!("u32 range exhausted")
}

fn mime_of(header: Option<&str>, ext: &str) -> Option<String> {
    header
        .map(|m| m.split(';').next().unwrap_or(m).trim().to_string())
        .filter(|m| !m.is_empty() && m != "application/octet-stream" && m != "binary/octet-stream")
        .or_else(|| mime_guess::from_ext(ext).first().map(|m| m.essence_str().to_string()))
}

/// Saves bytes already in memory (raw responses, base64 payloads).
pub async fn save_bytes(bytes: &[u8], mime: Option<&str>, out: &OutputSpec) -> Result<SavedFile, InferenceError> {
    let mut t = temp_in(&out.dir).await?;
    let out_err = |source| InferenceError::OutputFile { path: out.dir.display().to_string(), source };
    t.file.write_all(bytes).await.map_err(out_err)?;
    t.file.sync_all().await.map_err(out_err)?;
    drop(t.file);
    let ext = hfs_gradio::extension_for(None, mime, &bytes[..bytes.len().min(64)], "");
    let path = persist(t.path, out, &ext)?;
    Ok(SavedFile { path, size: bytes.len() as u64, mime_type: mime_of(mime, &ext), url: None })
}

/// Streams a response body into a file (never held in memory).
pub async fn save_response(resp: reqwest::Response, out: &OutputSpec) -> Result<SavedFile, InferenceError> {
    let url = resp.url().to_string();
    let header = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut t = temp_in(&out.dir).await?;
    let out_err = |source| InferenceError::OutputFile { path: out.dir.display().to_string(), source };
    let mut head = Vec::with_capacity(64);
    let mut size = 0u64;
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| InferenceError::Download { url: url.clone(), message: e.to_string() })?;
        if head.len() < 64 {
            head.extend_from_slice(&chunk[..chunk.len().min(64 - head.len())]);
        }
        size += chunk.len() as u64;
        t.file.write_all(&chunk).await.map_err(out_err)?;
    }
    t.file.sync_all().await.map_err(out_err)?;
    drop(t.file);
    let name = url.rsplit('/').next().unwrap_or("").split('?').next().unwrap_or("").to_string();
    let ext = hfs_gradio::extension_for(None, header.as_deref(), &head, &name);
    let path = persist(t.path, out, &ext)?;
    Ok(SavedFile { path, size, mime_type: mime_of(header.as_deref(), &ext), url: Some(url) })
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
