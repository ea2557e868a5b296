//! The generated media: tiny but valid files (PNG, WAV, MP4 made once with
//! ffmpeg, in `assets/`), served on the assets listener under
//! `/{cdn-host}/synth/{name}.{ext}` so clients can check magic bytes.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub const PNG: &[u8] = include_bytes!("../../../assets/tiny.png");
pub const WAV: &[u8] = include_bytes!("../../../assets/tiny.wav");
pub const MP4: &[u8] = include_bytes!("../../../assets/tiny.mp4");
/// The PNG's size.
pub const PNG_SIDE: u32 = 8;

/// `(extension, content type, bytes)` of a media result kind.
pub fn of_kind(kind: &str) -> Option<(&'static str, &'static str, &'static [u8])> {
    Some(match kind {
        "image" => ("png", "image/png", PNG),
        "video" => ("mp4", "video/mp4", MP4),
        "audio" => ("wav", "audio/wav", WAV),
        _ => return None,
    })
}

fn of_ext(ext: &str) -> Option<(&'static str, &'static [u8])> {
    Some(match ext {
        "png" => ("image/png", PNG),
        "mp4" => ("video/mp4", MP4),
        "wav" => ("audio/wav", WAV),
        _ => return None,
    })
}

/// Where job `id`'s `kind` output is served, on the CDN `host`.
pub fn url(state: &AppState, host: &str, id: &str, kind: &str) -> String {
    let ext = of_kind(kind).map_or("bin", |k| k.0);
    format!("{}/{host}/synth/{id}.{ext}", state.urls().assets)
}

/// Raw media bytes with their content type.
pub fn bytes_response(kind: &str) -> Response {
    let (_, ct, bytes) = of_kind(kind).unwrap_or(("bin", "application/octet-stream", b""));
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// `GET /{host}/synth/{file}` on the assets listener.
pub async fn serve(Path((_host, file)): Path<(String, String)>) -> Response {
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    match of_ext(ext) {
        Some((ct, bytes)) => {
            let mut r = bytes.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            r
        }
        None => crate::router::unanswered().await,
    }
}
