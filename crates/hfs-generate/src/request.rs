//! What the user wants, in no backend's terms.

use std::path::PathBuf;

use serde::Serialize;

/// The kind of output asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GenTask {
    /// Text-to-image; image-to-image with an input image.
    Image,
    /// Text-to-video; image-to-video with an input image (the first frame).
    Video,
    /// Text-to-speech.
    Speech,
    /// Speech recognition of an input audio file.
    Transcribe,
    /// One chat turn with a Space's chat endpoint (a `gr.ChatInterface` is recognised from its
    /// config, whatever its endpoint is named).
    Chat,
}

impl GenTask {
    pub fn as_str(self) -> &'static str {
        match self {
            GenTask::Image => "image",
            GenTask::Video => "video",
            GenTask::Speech => "speech",
            GenTask::Transcribe => "transcribe",
            GenTask::Chat => "chat",
        }
    }
}

/// One generation request. Every option is optional; a backend that cannot take one says so in
/// the plan's warnings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GenRequest {
    pub prompt: Option<String>,
    pub negative: Option<String>,
    pub seed: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `W:H`, e.g. `(16, 9)`.
    pub aspect: Option<(u32, u32)>,
    pub steps: Option<u32>,
    pub guidance: Option<f64>,
    pub duration: Option<f64>,
    pub voice: Option<String>,
    pub language: Option<String>,
    /// An input image (image-to-image, image-to-video).
    pub image: Option<PathBuf>,
    /// An input audio file (speech recognition).
    pub audio: Option<PathBuf>,
    /// Extra arguments by the backend's own parameter names, as text (coerced to the schema).
    pub params: Vec<(String, String)>,
}

impl GenRequest {
    /// `WxH` (`x` or `×`) into width and height.
    pub fn parse_size(s: &str) -> Option<(u32, u32)> {
        let (w, h) = s.trim().split_once(['x', 'X', '×'])?;
        Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
    }

    /// `W:H` into a ratio.
    pub fn parse_aspect(s: &str) -> Option<(u32, u32)> {
        let (w, h) = s.trim().split_once(':')?;
        let (w, h) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
        (w > 0 && h > 0).then_some((w, h))
    }
}
