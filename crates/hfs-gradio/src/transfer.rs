//! Streaming file transfers: uploads of inputs (local or fetched from a URL) and downloads of
//! outputs, never holding a whole file in memory, never leaving a partial file behind.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use url::Url;

use crate::Error;
use crate::client::Inner;
use crate::filedata::{FileData, MARKER, find_markers, sanitize_filename};
use crate::http::{error_body, send};
use crate::target::join;

/// Uploads every marked file in `data` and replaces each marker with the server's FileData.
pub(crate) async fn prepare_inputs(inner: &Inner, data: &mut [Value]) -> Result<(), Error> {
    for item in data.iter_mut() {
        for ptr in find_markers(item) {
            let marker = item.pointer(&ptr).cloned().unwrap_or(Value::Null);
            let kind = marker.get(MARKER).and_then(Value::as_str).unwrap_or_default().to_string();
            let path = marker.get("path").and_then(Value::as_str).unwrap_or_default().to_string();
            let orig = marker.get("orig_name").and_then(Value::as_str).map(sanitize_filename).unwrap_or_else(|| "file".into());
            let server_path = match kind.as_str() {
                "url" => upload_from_url(inner, &path, &orig).await?,
                _ => upload_local(inner, Path::new(&path), &orig).await?,
            };
            let mut fd = json!({"path": server_path, "orig_name": orig});
            if inner.protocol.tags_files() {
                fd["meta"] = json!({"_type": "gradio.FileData"});
            }
            if let Some(slot) = item.pointer_mut(&ptr) {
                *slot = fd;
            }
        }
    }
    Ok(())
}

/// Uploads one local file (streamed), after checking the app's size limit. Returns the server path.
pub(crate) async fn upload_local(inner: &Inner, path: &Path, orig_name: &str) -> Result<String, Error> {
    let shown = path.display().to_string();
    let file = tokio::fs::File::open(path).await.map_err(|source| Error::InputFile { path: shown.clone(), source })?;
    let meta = file.metadata().await.map_err(|source| Error::InputFile { path: shown.clone(), source })?;
    if !meta.is_file() {
        return Err(Error::InputFile { path: shown, source: std::io::Error::other("not a regular file") });
    }
    let size = meta.len();
    if let Some(max) = inner.config.max_file_size.filter(|m| size > *m) {
        return Err(Error::FileTooLarge { path: shown, size, max });
    }
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024));
    let mime = mime_guess::from_path(orig_name).first_or_octet_stream();
    let part = Part::stream_with_length(body, size)
        .file_name(orig_name.to_string())
        .mime_str(mime.as_ref())
        .map_err(|e| Error::Protocol(e.to_string()))?;
    let url = join(&inner.api, "upload");
    let resp = send(inner.http.post(url.clone()).multipart(Form::new().part("files", part)), &url).await?;
    let status = resp.status().as_u16();
    match status {
        200..=299 => {}
        413 => {
            let max = inner.config.max_file_size.unwrap_or(0);
            return Err(Error::FileTooLarge { path: shown, size, max });
        }
        401 => return Err(Error::AuthRequired { message: None }),
        _ => return Err(Error::Http { status, url: url.to_string(), body: error_body(resp).await }),
    }
    let paths: Value = resp.json().await.map_err(|e| Error::Protocol(format!("upload answer: {e}")))?;
    // A wrong field name gets `200 []`: check we got our file back.
    paths
        .as_array()
        .and_then(|l| l.first())
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::Protocol(format!("upload of {shown} returned no server path ({paths})")))
}

/// Fetches a URL input ourselves (streamed to a temp file, token only where the policy allows),
/// then uploads it like a local file, so it works whatever the server may fetch.
async fn upload_from_url(inner: &Inner, url: &str, orig_name: &str) -> Result<String, Error> {
    let parsed =
        Url::parse(url).map_err(|_| Error::InvalidValue { parameter: "file".into(), message: format!("`{url}` is not a valid URL") })?;
    let dir = tempfile::tempdir().map_err(|source| Error::OutputFile { path: "temporary directory".into(), source })?;
    let local = dir.path().join(orig_name);
    let resp = inner.http.get_following(parsed, false).await?;
    if !resp.status().is_success() {
        let status = resp.status().as_u16();
        return Err(Error::Download { url: url.into(), message: format!("HTTP {status}: {}", error_body(resp).await) });
    }
    stream_to_file(resp, &local, url).await?;
    upload_local(inner, &local, orig_name).await
}

async fn stream_to_file(resp: reqwest::Response, dest: &Path, url: &str) -> Result<u64, Error> {
    let out_err = |source| Error::OutputFile { path: dest.display().to_string(), source };
    let mut file = tokio::fs::File::create(dest).await.map_err(out_err)?;
    let mut stream = resp.bytes_stream();
    let mut n = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::Download { url: url.into(), message: e.to_string() })?;
        n += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(out_err)?;
    }
    file.flush().await.map_err(out_err)?;
    Ok(n)
}

/// A downloaded output file.
#[derive(Clone, Debug)]
pub struct SavedFile {
    pub path: PathBuf,
    pub size: u64,
    pub mime_type: Option<String>,
}

/// Where to fetch an output file from: `API/file=<path>` of our own base (the server's `root` may
/// be wrong behind proxies), the `url` for streams (`API/stream/<path>` when it has none, as on
/// 4.0–4.20), the path itself when it is a remote URL.
pub(crate) fn download_url(inner: &Inner, f: &FileData) -> Url {
    if f.is_stream {
        // 4.0–4.20 send `{path: "<session>/<run>/<component>", is_stream: true}` without a url; the
        // stream route then gives the whole media file once the generator has finished.
        let relative = (!f.path.is_empty() && !f.path.starts_with('/') && !f.path.contains("://")).then(|| format!("stream/{}", f.path));
        if let Some(u) = f.url.as_ref().or(relative.as_ref()) {
            let u = inner.api.join(u).unwrap_or_else(|_| join(&inner.api, u));
            // The playlist is text; `playlist-file` is the whole media file.
            if u.path().ends_with("/playlist.m3u8") {
                let p = u.path().trim_end_matches("playlist.m3u8").to_string() + "playlist-file";
                let mut u2 = u.clone();
                u2.set_path(&p);
                return u2;
            }
            return u;
        }
    }
    if (f.path.starts_with("http://") || f.path.starts_with("https://"))
        && let Ok(u) = Url::parse(&f.path)
    {
        return u;
    }
    let encoded: String = f
        .path
        .split('/')
        .map(|seg| url::form_urlencoded::byte_serialize(seg.as_bytes()).collect::<String>().replace('+', "%20"))
        .collect::<Vec<_>>()
        .join("/");
    join(&inner.api, &format!("file={encoded}"))
}

/// Downloads `f` into `dir` as `{stem}.{ext}` (`-2`, `-3`… if taken), atomically: the bytes go to a
/// temp file in `dir` that is renamed without overwriting anything; on failure nothing is left.
pub(crate) async fn download(inner: &Inner, f: &FileData, dir: &Path, stem: &str) -> Result<SavedFile, Error> {
    let url = download_url(inner, f);
    let out_err = |source: std::io::Error| Error::OutputFile { path: dir.display().to_string(), source };
    tokio::fs::create_dir_all(dir).await.map_err(out_err)?;
    let tmp = tempfile::Builder::new().prefix(".hfs-").suffix(".part").tempfile_in(dir).map_err(out_err)?;
    let (std_file, tmp_path) = tmp.into_parts();
    let mut file = tokio::fs::File::from_std(std_file);
    // Gradio 4.x rewrites a content-addressed output file in place when an identical result is
    // produced again, which can cut a concurrent download short: try again from the start.
    let mut attempt = 0;
    let fetched = loop {
        attempt += 1;
        match fetch_into(inner, &url, &mut file, &tmp_path).await {
            Err(DownloadFailure::Body(message)) if attempt < 3 => {
                tracing::debug!(%url, "download broke off ({message}); retrying");
                file.set_len(0).await.map_err(out_err)?;
                file.seek(std::io::SeekFrom::Start(0)).await.map_err(out_err)?;
                tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
            }
            Err(DownloadFailure::Body(message)) => {
                return Err(Error::Download {
                    url: url.to_string(),
                    message: format!("{message} (after {attempt} attempts; retry the call)"),
                });
            }
            Err(DownloadFailure::Other(e)) => return Err(e),
            Ok(fetched) => break fetched,
        }
    };
    file.sync_all().await.map_err(out_err)?;
    drop(file);
    let ext = crate::mime::extension_for(
        f.mime_type.as_deref(),
        fetched.header_mime.as_deref(),
        &fetched.head,
        f.orig_name.as_deref().unwrap_or(&f.path),
    );
    // The declared type, else the server's, else the one of the format we recognised.
    let mime = f
        .mime_type
        .clone()
        .or(fetched.header_mime.filter(|m| m != "application/octet-stream"))
        .or_else(|| mime_guess::from_ext(&ext).first().map(|m| m.essence_str().to_string()));
    let stem = sanitize_filename(stem);
    // Temp files are private (0600); the result gets the usual mode for new files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp_path, std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp_path = tmp_path;
    for n in 1u32.. {
        let name = if n == 1 { format!("{stem}.{ext}") } else { format!("{stem}-{n}.{ext}") };
        let dest = if dir == Path::new(".") { PathBuf::from(&name) } else { dir.join(&name) };
        match tmp_path.persist_noclobber(&dest) {
            Ok(()) => return Ok(SavedFile { path: dest, size: fetched.size, mime_type: mime }),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp_path = e.path,
            Err(e) => return Err(Error::OutputFile { path: dest.display().to_string(), source: e.error }),
        }
    }
    unreachable!("u32 range exhausted")
}

struct Fetched {
    header_mime: Option<String>,
    head: Vec<u8>,
    size: u64,
}

enum DownloadFailure {
    /// The body broke off: worth another try.
    Body(String),
    Other(Error),
}

/// Streams `url` into `file`, keeping the first bytes (to recognise the format).
async fn fetch_into(inner: &Inner, url: &Url, file: &mut tokio::fs::File, dest: &Path) -> Result<Fetched, DownloadFailure> {
    let resp = inner.http.get_following(url.clone(), false).await.map_err(DownloadFailure::Other)?;
    if !resp.status().is_success() {
        let status = resp.status().as_u16();
        return Err(DownloadFailure::Other(Error::Download {
            url: url.to_string(),
            message: format!("HTTP {status}: {}", error_body(resp).await),
        }));
    }
    let header_mime = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_string());
    let out_err = |source: std::io::Error| DownloadFailure::Other(Error::OutputFile { path: dest.display().to_string(), source });
    let mut head = Vec::with_capacity(64);
    let mut size = 0u64;
    let mut stream = resp.bytes_stream();
    // Writes of 1 MiB: tokio's File hands each write to a blocking thread, and body chunks are tens
    // of KiB, so writing them one by one costs a thread round trip per chunk.
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, file);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| DownloadFailure::Body(e.to_string()))?;
        if head.len() < 64 {
            head.extend_from_slice(&chunk[..chunk.len().min(64 - head.len())]);
        }
        size += chunk.len() as u64;
        out.write_all(&chunk).await.map_err(out_err)?;
    }
    out.flush().await.map_err(out_err)?;
    Ok(Fetched { header_mime, head, size })
}
