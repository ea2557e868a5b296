//! Provenance: what every output file was made from, in `hfs-manifest.jsonl` beside it and, for
//! PNG files, in an `iTXt` chunk of the file itself.

use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The manifest in an output directory: one JSON record a line, appended and fsynced.
pub const MANIFEST: &str = "hfs-manifest.jsonl";

/// The PNG text keyword the record is stored under (`PIL.Image.open(f).info["hfs"]`).
pub const PNG_KEYWORD: &str = "hfs";

/// A saved output file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GenFile {
    pub path: std::path::PathBuf,
    pub mime_type: Option<String>,
    pub size: u64,
    pub sha256: String,
}

/// sha256 of a file, hex, read in blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Takes a shared lock on an existing `dir/hfs-manifest.jsonl` for a single generation, so it
/// does not write into a directory a batch run holds (an exclusive lock): that is an error
/// (`WouldBlock`) at once, before anything is called. Without a manifest there is nothing to hold.
pub fn hold_shared(dir: &Path) -> std::io::Result<Option<std::fs::File>> {
    let f = match std::fs::File::open(dir.join(MANIFEST)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    match f.try_lock_shared() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Err(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            "a batch run in another hfs process holds this directory; write elsewhere or wait for it",
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Appends one record to `dir/hfs-manifest.jsonl` and fsyncs it before returning.
pub fn append_record(dir: &Path, record: &serde_json::Value) -> std::io::Result<()> {
    let path = dir.join(MANIFEST);
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    f.write_all(line.as_bytes())?;
    f.sync_all()
}

/// `bytes` with an `iTXt` chunk (`keyword`, UTF-8 `text`) right after `IHDR`, before the image
/// data, so readers that never decode pixels still see it. `None` when `bytes` is not a PNG.
pub fn with_png_text(bytes: &[u8], keyword: &str, text: &str) -> Option<Vec<u8>> {
    hfs_core::write::insert_png_chunk(bytes, &hfs_core::write::png_text_chunk(keyword, text))
}

/// Puts the record into a saved PNG (atomically: a temp file in the same directory renamed over
/// it). Returns whether the file was a PNG.
pub fn embed_in_png(path: &Path, text: &str) -> std::io::Result<bool> {
    let bytes = std::fs::read(path)?;
    let Some(new) = with_png_text(&bytes, PNG_KEYWORD, text) else { return Ok(false) };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".hfs-png-").tempfile_in(dir)?;
    // The rewritten file keeps the saved one's permissions (the temp file starts at 0600).
    tmp.as_file().set_permissions(std::fs::metadata(path)?.permissions())?;
    tmp.write_all(&new)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_text_goes_before_the_image_data_with_a_valid_crc() {
        // A 1×1 PNG.
        let png: Vec<u8> = [
            &b"\x89PNG\r\n\x1a\n"[..],
            &[0, 0, 0, 13],
            b"IHDR",
            &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde],
            &[0, 0, 0, 12],
            b"IDAT",
            &[0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0],
            &[0, 0, 0, 0],
            b"IEND",
            &[0xae, 0x42, 0x60, 0x82],
        ]
        .concat();
        let out = with_png_text(&png, "hfs", "{\"seed\":1}").unwrap();
        let itxt = out.windows(4).position(|w| w == b"iTXt").unwrap();
        let idat = out.windows(4).position(|w| w == b"IDAT").unwrap();
        assert!(itxt < idat);
        let len = u32::from_be_bytes(out[itxt - 4..itxt].try_into().unwrap()) as usize;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&out[itxt..itxt + 4 + len]);
        assert_eq!(&out[itxt + 4 + len..itxt + 8 + len], &crc.finalize().to_be_bytes());
        assert!(out.ends_with(&png[33..]), "the pixels are untouched");
        assert!(with_png_text(b"GIF89a", "hfs", "x").is_none());
    }
}
