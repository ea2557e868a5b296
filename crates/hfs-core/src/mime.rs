//! Picking a file extension for a saved file: MIME type first, then the bytes, then the name.

/// Extension (without dot) for a file, from its declared MIME type, the response's Content-Type,
/// its first bytes, or its original name, in that order of trust.
pub fn extension_for(mime: Option<&str>, header_mime: Option<&str>, head: &[u8], name: &str) -> String {
    let generic = |m: &&str| !is_generic(m);
    for m in [mime, header_mime].into_iter().flatten().filter(generic) {
        if let Some(e) = ext_from_mime(m) {
            return e;
        }
    }
    if let Some(e) = sniff(head) {
        return e.to_string();
    }
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && (1..=8).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            ext.to_ascii_lowercase()
        }
        _ => "bin".into(),
    }
}

fn ext_from_mime(m: &str) -> Option<String> {
    let m = m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase();
    // Common media types first: mime_guess's first choice is not always the usual one.
    let known = match m.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => "wav",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/flac" | "audio/x-flac" => "flac",
        "audio/ogg" => "ogg",
        "audio/aac" => "aac",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/quicktime" => "mov",
        "text/plain" => "txt",
        "text/vtt" => "vtt",
        "application/json" => "json",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/vnd.apple.mpegurl" => "m3u8",
        _ => "",
    };
    if !known.is_empty() {
        return Some(known.to_string());
    }
    mime_guess::get_mime_extensions_str(&m).and_then(|e| e.first()).map(|e| e.to_string())
}

/// Magic numbers of the formats generators produce.
fn sniff(b: &[u8]) -> Option<&'static str> {
    let at = |off: usize, sig: &[u8]| b.len() >= off + sig.len() && &b[off..off + sig.len()] == sig;
    Some(match () {
        _ if at(0, b"\x89PNG\r\n\x1a\n") => "png",
        _ if at(0, b"\xff\xd8\xff") => "jpg",
        _ if at(0, b"GIF8") => "gif",
        _ if at(0, b"RIFF") && at(8, b"WEBP") => "webp",
        _ if at(0, b"RIFF") && at(8, b"WAVE") => "wav",
        _ if at(0, b"fLaC") => "flac",
        _ if at(0, b"OggS") => "ogg",
        _ if at(0, b"ID3") || at(0, b"\xff\xfb") => "mp3",
        _ if at(4, b"ftypqt") => "mov",
        _ if at(4, b"ftyp") => "mp4",
        _ if at(0, b"\x1a\x45\xdf\xa3") => "webm",
        _ if at(0, b"%PDF") => "pdf",
        _ => return None,
    })
}

/// The MIME type to report for a saved file: the declared one unless it is generic, else the one
/// of the extension chosen.
pub fn mime_for(declared: Option<&str>, ext: &str) -> Option<String> {
    declared
        .map(|m| m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase())
        .filter(|m| !is_generic(m))
        .or_else(|| mime_guess::from_ext(ext).first().map(|m| m.essence_str().to_string()))
}

/// `application/octet-stream`, `binary/octet-stream` (S3's default) and empty types say nothing.
pub fn is_generic(m: &str) -> bool {
    matches!(m.split(';').next().unwrap_or(m).trim(), "application/octet-stream" | "binary/octet-stream" | "")
}

/// The MIME type of a local file: from its bytes, else its name.
pub fn sniff_mime(head: &[u8], name: &str) -> String {
    let ext = extension_for(None, None, head, name);
    mime_guess::from_ext(&ext).first_or_octet_stream().essence_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_then_bytes_then_name() {
        assert_eq!(extension_for(Some("image/png"), None, b"", "x.jpg"), "png");
        assert_eq!(extension_for(None, Some("audio/x-wav"), b"", "x"), "wav");
        assert_eq!(extension_for(None, Some("application/octet-stream"), b"\x89PNG\r\n\x1a\n....", "x"), "png");
        assert_eq!(extension_for(None, None, b"\0\0\0\x18ftypisom", "clip"), "mp4");
        assert_eq!(extension_for(None, None, b"hello", "out_abc.TXT"), "txt");
        assert_eq!(extension_for(None, None, b"hello", "noext"), "bin");
        assert_eq!(extension_for(Some("text/vtt"), None, b"", "s"), "vtt");
    }
}
