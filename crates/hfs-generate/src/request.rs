//! What the user wants, in no backend's terms.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of output asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// config, whatever its endpoint is named); with a provider model, a chat completion.
    Chat,
    /// A raw endpoint call (`hfs call`): the arguments by the endpoint's own names (or by
    /// position), every output kept, every file saved.
    Call,
}

impl GenTask {
    pub const ALL: [GenTask; 6] = [GenTask::Image, GenTask::Video, GenTask::Speech, GenTask::Transcribe, GenTask::Chat, GenTask::Call];

    pub fn parse(s: &str) -> Option<GenTask> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GenTask::Image => "image",
            GenTask::Video => "video",
            GenTask::Speech => "speech",
            GenTask::Transcribe => "transcribe",
            GenTask::Chat => "chat",
            GenTask::Call => "call",
        }
    }
}

/// One generation request. Every option is optional; a backend that cannot take one says so in
/// the plan's warnings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
    /// An input image (image-to-image, image-to-video): a path, or an http(s) URL (on a Space).
    pub image: Option<PathBuf>,
    /// An input audio file (speech recognition): a path, or an http(s) URL (on a Space).
    pub audio: Option<PathBuf>,
    /// Extra arguments by the backend's own parameter names, as text (coerced to the schema).
    pub params: Vec<(String, String)>,
    /// Arguments by position (a raw call to an endpoint whose parameters have no names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub positional: Vec<String>,
    /// Parameters (by name, or position as `"0"`, `"1"`, …) whose text is sent as text and never
    /// read as a file or a URL: values that carry what a server sent (another step's output).
    /// A file parameter refuses them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub literal: Vec<String>,
}

impl GenRequest {
    /// The options [`GenRequest::set`] knows by name (anything else is a backend parameter).
    pub const OPTIONS: &'static [&'static str] = &[
        "prompt", "negative", "seed", "width", "height", "size", "aspect", "steps", "guidance", "duration", "voice", "language", "image",
        "audio",
    ];

    /// Sets one option by its name (a command's long option without dashes: `aspect`, `steps`,
    /// `voice`, …) from text or JSON; any other name is an extra parameter for the backend.
    pub fn set(&mut self, key: &str, value: &Value) -> Result<(), String> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => return Err(format!("`{key}` has no value")),
            other => other.to_string(),
        };
        let bad = |what: &str| format!("`{key}` takes {what}, got `{text}`");
        let int = |t: &str| t.trim().parse::<u32>().map_err(|_| bad("a whole number"));
        let float = |t: &str| t.trim().parse::<f64>().ok().filter(|f| f.is_finite()).ok_or_else(|| bad("a number"));
        match key {
            "prompt" | "text" => self.prompt = Some(text),
            "negative" => self.negative = Some(text),
            "seed" => self.seed = Some(text.trim().parse().map_err(|_| bad("a whole number"))?),
            "width" => self.width = Some(int(&text)?),
            "height" => self.height = Some(int(&text)?),
            "size" => {
                let (w, h) = Self::parse_size(&text).ok_or_else(|| bad("WxH (e.g. 1344x768)"))?;
                (self.width, self.height) = (Some(w), Some(h));
            }
            "aspect" => self.aspect = Some(Self::parse_aspect(&text).ok_or_else(|| bad("W:H (e.g. 16:9)"))?),
            "steps" => self.steps = Some(int(&text)?),
            "guidance" => self.guidance = Some(float(&text)?),
            "duration" => self.duration = Some(float(&text)?),
            "voice" => self.voice = Some(text),
            "language" => self.language = Some(text),
            "image" => self.image = Some(PathBuf::from(text)),
            "audio" => self.audio = Some(PathBuf::from(text)),
            _ if key.trim().is_empty() => return Err("an option needs a name".into()),
            _ => {
                self.params.retain(|(k, _)| k != key);
                self.params.push((key.to_string(), text));
            }
        }
        Ok(())
    }

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

/// The URL an input file option holds, when it is one (`https://…`) rather than a path.
pub fn input_url(p: &std::path::Path) -> Option<&str> {
    p.to_str().filter(|s| s.starts_with("http://") || s.starts_with("https://"))
}
