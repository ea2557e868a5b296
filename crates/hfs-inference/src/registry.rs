//! The provider registry: one table row per provider (docs/protocol/inference.md#providers-and-tasks), one route per task.
//! Adding a provider or a task is a new row here; the payload styles, response decoders and
//! asynchronous flows below are shared.

use serde::Serialize;

/// An inference task, named as the Hub's `inferenceProviderMapping` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Task {
    TextToImage,
    ImageToImage,
    TextToVideo,
    ImageToVideo,
    TextToSpeech,
    SpeechRecognition,
    Chat,
    FeatureExtraction,
}

impl Task {
    /// The Hub's name for the task (`conversational` for chat).
    pub fn hub_name(self) -> &'static str {
        match self {
            Task::TextToImage => "text-to-image",
            Task::ImageToImage => "image-to-image",
            Task::TextToVideo => "text-to-video",
            Task::ImageToVideo => "image-to-video",
            Task::TextToSpeech => "text-to-speech",
            Task::SpeechRecognition => "automatic-speech-recognition",
            Task::Chat => "conversational",
            Task::FeatureExtraction => "feature-extraction",
        }
    }

    /// Whether a mapping entry's task fits this task.
    pub fn accepts(self, mapped: &str) -> bool {
        mapped == self.hub_name()
            || (self == Task::FeatureExtraction && mapped == "sentence-similarity")
            || (self == Task::Chat && mapped == "text-generation")
    }
}

/// How the request body is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `{"inputs": …, "parameters": {…}}`, raw bytes for audio/image inputs.
    HfInference,
    /// fal: `{"prompt"}` / `{"text"}` / `{"audio_url"}` / `{"image_url"}`.
    Fal,
    /// `{"input": {…}, "version"?}`.
    Replicate,
    /// together `/v1/images/generations` with `response_format: base64`.
    TogetherImages,
    /// nscale `/v1/images/generations` with `response_format: b64_json` and `size`.
    NscaleImages,
    /// together `/v2/videos`.
    TogetherVideo,
    /// wavespeed `{"prompt"}` / `{"image"}`.
    Wavespeed,
    /// zai-org async images `{"model", "prompt"}`.
    Zai,
    /// novita `{"prompt"}`.
    Novita,
    /// OpenAI-compatible chat completions (`model` first).
    OpenAiChat,
    /// OpenAI-compatible `/audio/speech` `{"input", "model"}`.
    OpenAiSpeech,
    /// OpenAI-compatible embeddings `{"input", "model"}`.
    OpenAiEmbeddings,
}

/// How the (final) response becomes an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// The body is the media file.
    Bytes,
    /// `data[0].b64_json`.
    B64Json,
    /// A URL at the first of these JSON pointers that has one, fetched without a token.
    Url(&'static [&'static str]),
    /// Replicate's `output`: a URL string or a list of them (or text for ASR).
    ReplicateOutput,
    /// `{"text": …}` (ASR).
    Text,
    /// Nested float arrays or OpenAI `data[].embedding`.
    Embeddings,
    /// An OpenAI chat completion.
    Chat,
}

/// How the result is obtained after the first request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// The response to the request is the result.
    Sync,
    /// fal queue: submit, poll `…/status`, fetch the result (docs/protocol/inference.md#per-task-formats).
    FalQueue,
    /// replicate: `Prefer: wait`, then poll `/v1/predictions/{id}` (docs/protocol/inference.md#per-task-formats).
    Replicate,
    /// together `/v2/videos` job (docs/protocol/inference.md#per-task-formats).
    TogetherVideo,
    /// wavespeed job (docs/protocol/inference.md#per-task-formats).
    Wavespeed,
    /// zai-org async result (docs/protocol/inference.md#per-task-formats).
    Zai,
}

impl Flow {
    /// Default poll interval, from the official clients.
    pub fn default_poll(self) -> std::time::Duration {
        use std::time::Duration;
        match self {
            Flow::Sync => Duration::ZERO,
            Flow::FalQueue | Flow::Wavespeed => Duration::from_millis(500),
            Flow::Replicate => Duration::from_secs(1),
            Flow::TogetherVideo => Duration::from_secs(2),
            Flow::Zai => Duration::from_secs(5),
        }
    }
}

/// One task of one provider. `path` is appended to the provider base; `{pid}` is the provider's
/// model id, `{hf_id}` the Hub id.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub task: Task,
    pub path: &'static str,
    pub style: Style,
    pub decode: Decode,
    pub flow: Flow,
}

/// A provider: its id (the router path segment), direct base URL(s), the auth scheme of its own
/// keys, the environment variable its users usually keep that key in, and its routes.
#[derive(Debug)]
pub struct ProviderSpec {
    pub id: &'static str,
    /// Direct base URL; empty when the provider is only reachable through the router.
    pub direct: &'static str,
    /// Direct base of the queue API when it differs (fal).
    pub direct_queue: Option<&'static str>,
    /// `Authorization` scheme for the provider's own key (`Key` for fal, else `Bearer`).
    pub key_scheme: &'static str,
    /// The environment variable holding the provider's own key, by convention.
    pub key_env: Option<&'static str>,
    /// Whether HF tokens are refused (model id used verbatim, no mapping).
    pub direct_only: bool,
    pub routes: &'static [Route],
}

impl ProviderSpec {
    pub fn route(&self, task: Task) -> Option<&'static Route> {
        self.routes.iter().find(|r| r.task == task)
    }
}

const fn r(task: Task, path: &'static str, style: Style, decode: Decode, flow: Flow) -> Route {
    Route { task, path, style, decode, flow }
}

const fn chat(path: &'static str) -> Route {
    r(Task::Chat, path, Style::OpenAiChat, Decode::Chat, Flow::Sync)
}

use Decode as D;
use Flow as F;
use Style as S;
use Task as T;

const FAL_IMAGE: &[&str] = &["/images/0/url", "/image/url"];
const FAL_VIDEO: &[&str] = &["/video/url"];
const FAL_AUDIO: &[&str] = &["/audio/url", "/audio_url/url", "/audio"];

const fn openai(id: &'static str, direct: &'static str, key_env: &'static str, routes: &'static [Route]) -> ProviderSpec {
    ProviderSpec { id, direct, direct_queue: None, key_scheme: "Bearer", key_env: Some(key_env), direct_only: false, routes }
}

/// Every provider hfs knows, in the spec's order.
pub static PROVIDERS: &[ProviderSpec] = &[
    openai("baseten", "https://inference.baseten.co", "BASETEN_API_KEY", &[chat("/v1/chat/completions")]),
    openai("cerebras", "https://api.cerebras.ai", "CEREBRAS_API_KEY", &[chat("/v1/chat/completions")]),
    openai("cohere", "https://api.cohere.com", "COHERE_API_KEY", &[chat("/compatibility/v1/chat/completions")]),
    openai(
        "deepinfra",
        "https://api.deepinfra.com",
        "DEEPINFRA_API_KEY",
        &[
            chat("/v1/openai/chat/completions"),
            r(T::FeatureExtraction, "/v1/openai/embeddings", S::OpenAiEmbeddings, D::Embeddings, F::Sync),
            r(T::TextToSpeech, "/v1/openai/audio/speech", S::OpenAiSpeech, D::Bytes, F::Sync),
        ],
    ),
    ProviderSpec {
        id: "fal-ai",
        direct: "https://fal.run",
        direct_queue: Some("https://queue.fal.run"),
        key_scheme: "Key",
        key_env: Some("FAL_KEY"),
        direct_only: false,
        routes: &[
            r(T::TextToImage, "/{pid}", S::Fal, D::Url(FAL_IMAGE), F::Sync),
            r(T::TextToSpeech, "/{pid}", S::Fal, D::Url(FAL_AUDIO), F::Sync),
            r(T::SpeechRecognition, "/{pid}", S::Fal, D::Text, F::Sync),
            r(T::ImageToImage, "/{pid}", S::Fal, D::Url(FAL_IMAGE), F::FalQueue),
            r(T::TextToVideo, "/{pid}", S::Fal, D::Url(FAL_VIDEO), F::FalQueue),
            r(T::ImageToVideo, "/{pid}", S::Fal, D::Url(FAL_VIDEO), F::FalQueue),
        ],
    },
    openai("featherless-ai", "https://api.featherless.ai", "FEATHERLESS_API_KEY", &[chat("/v1/chat/completions")]),
    openai("fireworks-ai", "https://api.fireworks.ai", "FIREWORKS_API_KEY", &[chat("/inference/v1/chat/completions")]),
    openai("groq", "https://api.groq.com", "GROQ_API_KEY", &[chat("/openai/v1/chat/completions")]),
    ProviderSpec {
        id: "hf-inference",
        direct: "",
        direct_queue: None,
        key_scheme: "Bearer",
        key_env: None,
        direct_only: false,
        routes: &[
            r(T::TextToImage, "/models/{hf_id}", S::HfInference, D::Bytes, F::Sync),
            r(T::ImageToImage, "/models/{hf_id}", S::HfInference, D::Bytes, F::Sync),
            r(T::TextToSpeech, "/models/{hf_id}", S::HfInference, D::Bytes, F::Sync),
            r(T::SpeechRecognition, "/models/{hf_id}", S::HfInference, D::Text, F::Sync),
            r(T::FeatureExtraction, "/models/{hf_id}/pipeline/feature-extraction", S::HfInference, D::Embeddings, F::Sync),
            r(T::Chat, "/models/{hf_id}/v1/chat/completions", S::OpenAiChat, D::Chat, F::Sync),
        ],
    },
    openai(
        "novita",
        "https://api.novita.ai",
        "NOVITA_API_KEY",
        &[chat("/v3/openai/chat/completions"), r(T::TextToVideo, "/v3/hf/{pid}", S::Novita, D::Url(&["/video/video_url"]), F::Sync)],
    ),
    openai(
        "nscale",
        "https://inference.api.nscale.com",
        "NSCALE_API_KEY",
        &[chat("/v1/chat/completions"), r(T::TextToImage, "/v1/images/generations", S::NscaleImages, D::B64Json, F::Sync)],
    ),
    ProviderSpec {
        id: "openai",
        direct: "https://api.openai.com",
        direct_queue: None,
        key_scheme: "Bearer",
        key_env: Some("OPENAI_API_KEY"),
        direct_only: true,
        routes: &[chat("/v1/chat/completions")],
    },
    openai("ovhcloud", "https://oai.endpoints.kepler.ai.cloud.ovh.net", "OVHCLOUD_API_KEY", &[chat("/v1/chat/completions")]),
    openai("publicai", "https://api.publicai.co", "PUBLICAI_API_KEY", &[chat("/v1/chat/completions")]),
    ProviderSpec {
        id: "replicate",
        direct: "https://api.replicate.com",
        direct_queue: None,
        key_scheme: "Bearer",
        key_env: Some("REPLICATE_API_TOKEN"),
        direct_only: false,
        routes: &[
            r(T::TextToImage, "/v1/models/{pid}/predictions", S::Replicate, D::ReplicateOutput, F::Replicate),
            r(T::ImageToImage, "/v1/models/{pid}/predictions", S::Replicate, D::ReplicateOutput, F::Replicate),
            r(T::TextToSpeech, "/v1/models/{pid}/predictions", S::Replicate, D::ReplicateOutput, F::Replicate),
            r(T::TextToVideo, "/v1/models/{pid}/predictions", S::Replicate, D::ReplicateOutput, F::Replicate),
            r(T::ImageToVideo, "/v1/models/{pid}/predictions", S::Replicate, D::ReplicateOutput, F::Replicate),
            r(T::SpeechRecognition, "/v1/models/{pid}/predictions", S::Replicate, D::ReplicateOutput, F::Replicate),
        ],
    },
    openai(
        "scaleway",
        "https://api.scaleway.ai",
        "SCW_SECRET_KEY",
        &[chat("/v1/chat/completions"), r(T::FeatureExtraction, "/v1/embeddings", S::OpenAiEmbeddings, D::Embeddings, F::Sync)],
    ),
    openai(
        "together",
        "https://api.together.xyz",
        "TOGETHER_API_KEY",
        &[
            chat("/v1/chat/completions"),
            r(T::TextToImage, "/v1/images/generations", S::TogetherImages, D::B64Json, F::Sync),
            r(T::ImageToImage, "/v1/images/generations", S::TogetherImages, D::B64Json, F::Sync),
            r(T::FeatureExtraction, "/v1/embeddings", S::OpenAiEmbeddings, D::Embeddings, F::Sync),
            r(T::TextToSpeech, "/v1/audio/speech", S::OpenAiSpeech, D::Bytes, F::Sync),
            r(T::TextToVideo, "/v2/videos", S::TogetherVideo, D::Url(&["/outputs/video_url"]), F::TogetherVideo),
            r(T::ImageToVideo, "/v2/videos", S::TogetherVideo, D::Url(&["/outputs/video_url"]), F::TogetherVideo),
        ],
    ),
    openai(
        "wavespeed",
        "https://api.wavespeed.ai",
        "WAVESPEED_API_KEY",
        &[
            r(T::TextToImage, "/api/v3/{pid}", S::Wavespeed, D::Url(&["/data/outputs/0"]), F::Wavespeed),
            r(T::ImageToImage, "/api/v3/{pid}", S::Wavespeed, D::Url(&["/data/outputs/0"]), F::Wavespeed),
            r(T::TextToVideo, "/api/v3/{pid}", S::Wavespeed, D::Url(&["/data/outputs/0"]), F::Wavespeed),
            r(T::ImageToVideo, "/api/v3/{pid}", S::Wavespeed, D::Url(&["/data/outputs/0"]), F::Wavespeed),
        ],
    ),
    openai(
        "zai-org",
        "https://api.z.ai",
        "ZAI_API_KEY",
        &[
            chat("/api/paas/v4/chat/completions"),
            r(T::TextToImage, "/api/paas/v4/async/images/generations", S::Zai, D::Url(&["/image_result/0/url"]), F::Zai),
        ],
    ),
];

/// The provider with this id, if hfs knows it.
pub fn provider(id: &str) -> Option<&'static ProviderSpec> {
    PROVIDERS.iter().find(|p| p.id == id)
}

/// Ids of the providers serving `task`.
pub fn providers_for(task: Task) -> Vec<&'static str> {
    PROVIDERS.iter().filter(|p| p.route(task).is_some()).map(|p| p.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_provider_is_known_and_unique() {
        let ids: Vec<_> = PROVIDERS.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 19);
        let mut sorted = ids.clone();
        sorted.dedup();
        assert_eq!(sorted, ids);
        assert_eq!(providers_for(Task::TextToVideo), ["fal-ai", "novita", "replicate", "together", "wavespeed"]);
        assert!(provider("black-forest-labs").is_none(), "removed providers stay removed");
    }
}
