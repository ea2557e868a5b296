//! Streaming file transfers: uploads of inputs (local or fetched from a URL) and downloads of
//! outputs, never holding a whole file in memory, never leaving a partial file behind.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use hfs_core::write::AtomicFile;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use url::Url;

use crate::Error;
use crate::client::Inner;
use crate::filedata::{FileData, FileInput, Upload};
use crate::http::{error_body, json_body, send};
use crate::target::join;

/// Uploads each file the caller named and puts the server's FileData where its marker was.
pub(crate) async fn prepare_inputs(inner: &Inner, fn_index: usize, data: &mut [Value], uploads: Vec<Upload>) -> Result<(), Error> {
    for Upload { index, pointer, file } in uploads {
        if inner.protocol == crate::protocol::Protocol::Ws {
            let fd = v3_input(inner, fn_index, index, &file).await?;
            if let Some(slot) = data.get_mut(index).and_then(|v| v.pointer_mut(&pointer)) {
                *slot = fd;
            }
            continue;
        }
        let server_path = match &file {
            FileInput::Url { url, name } => upload_from_url(inner, url, name).await?,
            FileInput::Local { path, name } => upload_local(inner, path, name).await?,
        };
        let mut fd = json!({"path": server_path, "orig_name": file.name()});
        if inner.protocol.tags_files() {
            fd["meta"] = json!({"_type": "gradio.FileData"});
        }
        if let Some(slot) = data.get_mut(index).and_then(|v| v.pointer_mut(&pointer)) {
            *slot = fd;
        }
    }
    Ok(())
}

/// A 3.x input file: an Image takes a `data:` URL (its preprocessing decodes base64); anything
/// else is uploaded and sent as `{name, is_file: true}`, or inline when the app has no upload route.
async fn v3_input(inner: &Inner, fn_index: usize, index: usize, file: &FileInput) -> Result<Value, Error> {
    let kind = inner
        .config
        .dependencies
        .iter()
        .find(|d| d.fn_index == fn_index)
        .and_then(|d| d.inputs.get(index))
        .and_then(|id| inner.config.component(*id))
        .map(|c| c.kind.to_lowercase());
    let (local, _dir) = match file {
        FileInput::Local { path, .. } => (path.clone(), None),
        FileInput::Url { url, name } => {
            let (dir, path) = fetch_to_temp(inner, url, name).await?;
            (path, Some(dir))
        }
    };
    let inline = || async {
        let bytes = tokio::fs::read(&local).await.map_err(|source| Error::InputFile { path: local.display().to_string(), source })?;
        let mime = mime_guess::from_path(file.name()).first_or_octet_stream();
        Ok::<_, Error>(crate::protocol::v3::data_url(mime.as_ref(), &bytes))
    };
    let size = tokio::fs::metadata(&local).await.map_err(|source| Error::InputFile { path: local.display().to_string(), source })?.len();
    if let Some(max) = inner.config.max_file_size.filter(|m| size > *m) {
        return Err(Error::FileTooLarge { path: local.display().to_string(), size, max });
    }
    if kind.as_deref() == Some("image") {
        // Decoded whole by the app anyway; bounded like a provider's inline input.
        if size > INLINE_MAX {
            return Err(Error::FileTooLarge { path: local.display().to_string(), size, max: INLINE_MAX });
        }
        return Ok(Value::String(inline().await?));
    }
    match upload_local(inner, &local, file.name()).await {
        Ok(server_path) => Ok(crate::protocol::v3::uploaded(&server_path, file.name(), Some(size))),
        // 3.x apps before the upload route take files inline.
        Err(Error::Http { status: 404 | 405, .. }) if size <= INLINE_MAX => {
            Ok(json!({"name": file.name(), "data": inline().await?, "is_file": false, "orig_name": file.name(), "size": size}))
        }
        Err(e) => Err(e),
    }
}

/// The largest file sent inline (base64 in the call's JSON) to a 3.x app.
const INLINE_MAX: u64 = 100 << 20;

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
    let paths = json_body(resp, &inner.options.limits, &url).await?;
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
    let (_dir, local) = fetch_to_temp(inner, url, orig_name).await?;
    upload_local(inner, &local, orig_name).await
}

/// Fetches a URL input into a temp directory (removed when the returned guard drops).
async fn fetch_to_temp(inner: &Inner, url: &str, orig_name: &str) -> Result<(tempfile::TempDir, PathBuf), Error> {
    let parsed =
        Url::parse(url).map_err(|_| Error::InvalidValue { parameter: "file".into(), message: format!("`{url}` is not a valid URL") })?;
    let dir = tempfile::tempdir().map_err(|source| Error::OutputFile { path: "temporary directory".into(), source })?;
    let resp = inner.http.get_following(parsed, false).await?;
    if !resp.status().is_success() {
        let status = resp.status().as_u16();
        return Err(Error::Download { url: url.into(), message: format!("HTTP {status}: {}", error_body(resp).await) });
    }
    let mut file = AtomicFile::create_in(dir.path()).await?;
    let mut body = Box::pin(hfs_core::body::with_idle_timeout(resp.bytes_stream(), inner.options.limits.idle));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| Error::Download { url: url.into(), message: e.to_string() })?;
        // The app's own limit, checked while fetching: a huge URL is not fetched whole first.
        if let Some(max) = inner.config.max_file_size.filter(|m| file.size() + chunk.len() as u64 > *m) {
            return Err(Error::FileTooLarge { path: url.into(), size: file.size() + chunk.len() as u64, max });
        }
        file.write(&chunk).await?;
    }
    let local = file.persist(orig_name, "").await?;
    Ok((dir, local))
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

/// Downloads `f` into `dir` as `{stem}.{ext}` (`-2`, `-3`… if taken), atomically (the shared
/// writer of `hfs-core`): on failure nothing is left.
pub(crate) async fn download(inner: &Inner, f: &FileData, dir: &Path, stem: &str, png_chunk: Option<&[u8]>) -> Result<SavedFile, Error> {
    let mut file = AtomicFile::create_in(dir).await?;
    if let Some(c) = png_chunk {
        file.insert_after_png_header(c.to_vec());
    }
    // A 3.x inline file: the bytes came with the message (bounded with it).
    if let Some(data) = f.url.as_deref().filter(|u| u.starts_with("data:")) {
        let bytes = crate::protocol::v3::decode_data_url(data)
            .ok_or_else(|| Error::Download { url: "data: URL".into(), message: "not valid base64".into() })?;
        file.write(&bytes).await?;
        let ext = hfs_core::mime::extension_for(f.mime_type.as_deref(), None, file.head(), f.orig_name.as_deref().unwrap_or("file"));
        let mime = f.mime_type.clone().or_else(|| hfs_core::mime::mime_for(None, &ext));
        let size = file.size();
        let path = file.persist(stem, &ext).await?;
        return Ok(SavedFile { path, size, mime_type: mime });
    }
    let url = download_url(inner, f);
    // Gradio 4.x rewrites a content-addressed output file in place when an identical result is
    // produced again, which can cut a concurrent download short: try again from the start.
    let mut attempt = 0;
    let header_mime = loop {
        attempt += 1;
        match fetch_into(inner, &url, &mut file).await {
            Err(DownloadFailure::Body(message)) if attempt < 3 => {
                tracing::debug!(%url, "download broke off ({message}); retrying");
                file.reset().await?;
                tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
            }
            Err(DownloadFailure::Body(message)) => {
                return Err(Error::Download {
                    url: url.to_string(),
                    message: format!("{message} (after {attempt} attempts; retry the call)"),
                });
            }
            Err(DownloadFailure::Other(e)) => return Err(e),
            Ok(header_mime) => break header_mime,
        }
    };
    let ext = hfs_core::mime::extension_for(
        f.mime_type.as_deref(),
        header_mime.as_deref(),
        file.head(),
        f.orig_name.as_deref().unwrap_or(&f.path),
    );
    // The declared type, else the server's, else the one of the format we recognised.
    let mime = f.mime_type.clone().or_else(|| hfs_core::mime::mime_for(header_mime.as_deref(), &ext));
    let size = file.size();
    let path = file.persist(stem, &ext).await?;
    Ok(SavedFile { path, size, mime_type: mime })
}

enum DownloadFailure {
    /// The body broke off or stalled: worth another try.
    Body(String),
    Other(Error),
}

/// Streams `url` into `file`; returns the response's Content-Type. Every chunk is awaited at most
/// the idle timeout, so a stalled server ends the download instead of hanging it.
async fn fetch_into(inner: &Inner, url: &Url, file: &mut AtomicFile) -> Result<Option<String>, DownloadFailure> {
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
    let mut body = Box::pin(hfs_core::body::with_idle_timeout(resp.bytes_stream(), inner.options.limits.idle));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| DownloadFailure::Body(e.to_string()))?;
        file.write(&chunk).await.map_err(|e| DownloadFailure::Other(e.into()))?;
    }
    Ok(header_mime)
}
