//! The one way hfs writes a result file: bytes go to a private temp file in the destination
//! directory through a 1 MiB buffer, are fsynced, and the file is renamed to `{stem}.{ext}` without
//! overwriting anything (`{stem}-2.{ext}`, `{stem}-3.{ext}`… when taken). A failure or a drop at any
//! point leaves no file under a final name, and the temp file is removed.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use crate::naming::sanitize_filename;

/// Bytes kept from the start of a file, to recognise its format.
pub const HEAD_LEN: usize = 64;

/// A file write that failed; `path` is the file or directory being written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{path}`: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// A file being written. Dropping it before [`AtomicFile::persist`] removes the temp file.
pub struct AtomicFile {
    out: BufWriter<tokio::fs::File>,
    tmp: tempfile::TempPath,
    dir: PathBuf,
    head: Vec<u8>,
    size: u64,
    /// A PNG chunk to put right after `IHDR` if the file turns out to be a PNG; the first bytes
    /// are held in `pending` until that is known.
    inject: Option<Vec<u8>>,
    inject_again: Option<Vec<u8>>,
    pending: Vec<u8>,
}

/// The PNG signature and `IHDR` chunk: 8 + 4 + 4 + 13 + 4 bytes.
const PNG_HEADER_LEN: usize = 33;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// An `iTXt` chunk (uncompressed UTF-8 `text` under `keyword`) with its CRC.
pub fn png_text_chunk(keyword: &str, text: &str) -> Vec<u8> {
    // keyword, NUL, compression flag 0, method 0, language tag "", NUL, translated keyword "", NUL, text
    let mut data = Vec::with_capacity(keyword.len() + text.len() + 5);
    data.extend_from_slice(keyword.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    chunk.extend_from_slice(b"iTXt");
    chunk.extend_from_slice(&data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"iTXt");
    crc.update(&data);
    chunk.extend_from_slice(&crc.finalize().to_be_bytes());
    chunk
}

/// Whether `bytes` starts with a PNG signature and a well-formed `IHDR` header.
pub fn is_png_header(bytes: &[u8]) -> bool {
    bytes.len() >= PNG_HEADER_LEN && bytes.starts_with(PNG_SIGNATURE) && bytes[8..12] == [0, 0, 0, 13] && &bytes[12..16] == b"IHDR"
}

/// `bytes` with `chunk` inserted right after `IHDR`, before the image data (the pixels are not
/// re-encoded); `None` when `bytes` is not a PNG.
pub fn insert_png_chunk(bytes: &[u8], chunk: &[u8]) -> Option<Vec<u8>> {
    if !is_png_header(bytes) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() + chunk.len());
    out.extend_from_slice(&bytes[..PNG_HEADER_LEN]);
    out.extend_from_slice(chunk);
    out.extend_from_slice(&bytes[PNG_HEADER_LEN..]);
    Some(out)
}

impl AtomicFile {
    /// Starts a file in `dir` (created if missing).
    pub async fn create_in(dir: &Path) -> Result<Self, WriteError> {
        let err = |source| WriteError { path: dir.display().to_string(), source };
        tokio::fs::create_dir_all(dir).await.map_err(err)?;
        let dir2 = dir.to_path_buf();
        let tmp = tokio::task::spawn_blocking(move || tempfile::Builder::new().prefix(".hfs-").suffix(".part").tempfile_in(dir2))
            .await
            .map_err(|e| err(std::io::Error::other(e)))?
            .map_err(err)?;
        let (file, tmp) = tmp.into_parts();
        // Writes of 1 MiB: tokio's File hands each write to a blocking thread, and body chunks are
        // tens of KiB, so writing them one by one costs a thread round trip per chunk.
        let out = BufWriter::with_capacity(1 << 20, tokio::fs::File::from_std(file));
        Ok(Self {
            out,
            tmp,
            dir: dir.to_path_buf(),
            head: Vec::with_capacity(HEAD_LEN),
            size: 0,
            inject: None,
            inject_again: None,
            pending: Vec::new(),
        })
    }

    /// If the file being written is a PNG, `chunk` (see [`png_text_chunk`]) goes in right after
    /// its `IHDR`, as the bytes stream through — no second pass over the file.
    pub fn insert_after_png_header(&mut self, chunk: Vec<u8>) {
        self.inject_again = Some(chunk.clone());
        self.inject = Some(chunk);
    }

    fn err(&self, source: std::io::Error) -> WriteError {
        WriteError { path: self.dir.display().to_string(), source }
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), WriteError> {
        if self.head.len() < HEAD_LEN {
            let take = chunk.len().min(HEAD_LEN - self.head.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.size += chunk.len() as u64;
        if self.inject.is_some() {
            self.pending.extend_from_slice(chunk);
            if self.pending.len() < PNG_HEADER_LEN {
                return Ok(());
            }
            return self.flush_pending().await;
        }
        let r = self.out.write_all(chunk).await;
        r.map_err(|e| self.err(e))
    }

    /// Writes the held first bytes, with the PNG chunk after `IHDR` when they are a PNG's.
    async fn flush_pending(&mut self) -> Result<(), WriteError> {
        let data = std::mem::take(&mut self.pending);
        let inject = self.inject.take();
        let r = async {
            match inject {
                Some(chunk) if is_png_header(&data) => {
                    self.out.write_all(&data[..PNG_HEADER_LEN]).await?;
                    self.out.write_all(&chunk).await?;
                    self.size += chunk.len() as u64;
                    self.out.write_all(&data[PNG_HEADER_LEN..]).await
                }
                _ => self.out.write_all(&data).await,
            }
        }
        .await;
        r.map_err(|e| self.err(e))
    }

    /// Empties the file, to write it again from the start (a retried download).
    pub async fn reset(&mut self) -> Result<(), WriteError> {
        let r = async {
            self.out.flush().await?;
            self.out.get_mut().set_len(0).await?;
            self.out.get_mut().seek(std::io::SeekFrom::Start(0)).await.map(|_| ())
        }
        .await;
        r.map_err(|e| self.err(e))?;
        self.head.clear();
        self.size = 0;
        self.pending.clear();
        self.inject = self.inject_again.clone();
        Ok(())
    }

    /// The first bytes written (up to [`HEAD_LEN`]).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Flushes, fsyncs and renames to `{stem}.{ext}` in the directory (the stem sanitised; a
    /// number added when the name is taken). Returns the final path.
    pub async fn persist(mut self, stem: &str, ext: &str) -> Result<PathBuf, WriteError> {
        if !self.pending.is_empty() {
            self.flush_pending().await?;
        }
        let r = async {
            self.out.flush().await?;
            self.out.get_mut().sync_all().await
        }
        .await;
        r.map_err(|e| self.err(e))?;
        let Self { out, tmp, dir, .. } = self;
        drop(out);
        let stem = match sanitize_filename(stem) {
            s if s.is_empty() => "output".to_string(),
            s => s,
        };
        // No extension stays none (sanitising "" would give "file").
        let ext = if ext.is_empty() { String::new() } else { sanitize_filename(ext) };
        tokio::task::spawn_blocking(move || persist_noclobber(tmp, &dir, &stem, &ext))
            .await
            .map_err(|e| WriteError { path: "output file".into(), source: std::io::Error::other(e) })?
    }
}

fn persist_noclobber(tmp: tempfile::TempPath, dir: &Path, stem: &str, ext: &str) -> Result<PathBuf, WriteError> {
    // Temp files are private (0600); the result gets the usual mode for new files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = tmp;
    for n in 1u32.. {
        let name = match (n, ext.is_empty()) {
            (1, false) => format!("{stem}.{ext}"),
            (1, true) => stem.to_string(),
            (_, false) => format!("{stem}-{n}.{ext}"),
            (_, true) => format!("{stem}-{n}"),
        };
        let dest = if dir == Path::new(".") { PathBuf::from(&name) } else { dir.join(&name) };
        match tmp.persist_noclobber(&dest) {
            Ok(()) => return Ok(dest),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.path,
            Err(e) => return Err(WriteError { path: dest.display().to_string(), source: e.error }),
        }
    }
    unreachable!("u32 range exhausted")
}

/// Writes bytes already in memory as one atomic file.
pub async fn write_bytes(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf, WriteError> {
    let mut f = AtomicFile::create_in(dir).await?;
    f.write(bytes).await?;
    f.persist(stem, ext).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_png_chunk_goes_in_after_ihdr_however_the_bytes_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde]);
        png.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
        let chunk = png_text_chunk("hfs", "{\"seed\":1}");
        for piece in [1, 5, 33, 1000] {
            let mut f = AtomicFile::create_in(dir.path()).await.unwrap();
            f.insert_after_png_header(chunk.clone());
            for c in png.chunks(piece) {
                f.write(c).await.unwrap();
            }
            let size = f.size();
            let path = f.persist("p", "png").await.unwrap();
            let got = std::fs::read(&path).unwrap();
            assert_eq!(got, insert_png_chunk(&png, &chunk).unwrap(), "pieces of {piece}");
            assert_eq!(size, got.len() as u64);
        }
        // Not a PNG, or too short to be one: written as is.
        for bytes in [&b"GIF89a and more bytes than a png header has, surely"[..], &b"tiny"[..]] {
            let mut f = AtomicFile::create_in(dir.path()).await.unwrap();
            f.insert_after_png_header(chunk.clone());
            f.write(bytes).await.unwrap();
            let path = f.persist("x", "bin").await.unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
        }
        // A retried download gets the chunk once, in the new bytes.
        let mut f = AtomicFile::create_in(dir.path()).await.unwrap();
        f.insert_after_png_header(chunk.clone());
        f.write(&png[..40]).await.unwrap();
        f.reset().await.unwrap();
        f.write(&png).await.unwrap();
        let path = f.persist("r", "png").await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), insert_png_chunk(&png, &chunk).unwrap());
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn never_overwrites_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out.png"), b"precious").unwrap();
        let a = write_bytes(dir.path(), "out", "png", b"one").await.unwrap();
        let b = write_bytes(dir.path(), "../out", "png", b"two").await.unwrap();
        assert_eq!(names(dir.path()), ["out-2.png", "out-3.png", "out.png"]);
        let _ = std::fs::remove_file(dir.path().join("clip.mp4"));

        assert_eq!(std::fs::read(dir.path().join("out.png")).unwrap(), b"precious");
        assert_eq!(std::fs::read(a).unwrap(), b"one");
        assert_eq!(std::fs::read(b).unwrap(), b"two");
        let c = write_bytes(dir.path(), "clip.mp4", "", b"three").await.unwrap();
        assert_eq!(c.file_name().unwrap(), "clip.mp4", "no extension added");
    }

    #[tokio::test]
    async fn dropped_or_reset_writes() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create_in(dir.path()).await.unwrap();
        f.write(b"partial").await.unwrap();
        drop(f);
        assert!(names(dir.path()).is_empty(), "a dropped write leaves nothing");
        let mut f = AtomicFile::create_in(dir.path()).await.unwrap();
        f.write(b"broken off").await.unwrap();
        f.reset().await.unwrap();
        f.write(b"\x89PNG whole").await.unwrap();
        assert_eq!(f.head(), b"\x89PNG whole");
        assert_eq!(f.size(), 10);
        let p = f.persist("x", "png").await.unwrap();
        assert_eq!(std::fs::read(p).unwrap(), b"\x89PNG whole");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("x.png")).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
    }
}
