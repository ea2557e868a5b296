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
        Ok(Self { out, tmp, dir: dir.to_path_buf(), head: Vec::with_capacity(HEAD_LEN), size: 0 })
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
        let r = self.out.write_all(chunk).await;
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
