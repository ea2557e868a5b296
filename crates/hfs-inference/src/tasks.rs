//! Media tasks, ASR and feature extraction: payloads per provider style, the asynchronous flows,
//! and decoding the result into a saved file, text or vectors.

use std::path::Path;

use base64::Engine;
use reqwest::{Method, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};
use url::Url;

use crate::client::{Resend, Target, join};
use crate::job::Call;

use crate::output::{OutputSpec, SavedFile, save_bytes, save_response};
use crate::registry::{Decode, Flow, Style, Task};
use crate::{InferenceClient, InferenceError, InferenceEvent, ProviderChoice};

/// An input file (image or audio). Providers take inputs inline (a raw body, base64 or a data
/// URL), so it is read into memory once, up to a size cap, and shared, not copied, by retries.
#[derive(Clone, Debug)]
pub struct InputFile {
    pub bytes: bytes::Bytes,
    pub mime: String,
}

/// The largest input file sent inline to a provider (their own request limits are lower).
pub const MAX_INPUT_BYTES: u64 = 100 << 20;

impl InputFile {
    /// Reads a local file (at most [`MAX_INPUT_BYTES`]); the MIME type comes from its content,
    /// else its extension.
    pub async fn read(path: &Path) -> Result<Self, InferenceError> {
        Self::read_capped(path, MAX_INPUT_BYTES).await
    }

    /// Reads a local file of at most `max` bytes (checked before reading, and while reading, in
    /// case it grows).
    pub async fn read_capped(path: &Path, max: u64) -> Result<Self, InferenceError> {
        use tokio::io::AsyncReadExt;
        let shown = path.display().to_string();
        let io = |source| InferenceError::InputFile { path: shown.clone(), source };
        let file = tokio::fs::File::open(path).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        let too_big = |size: u64| InferenceError::InputTooLarge { path: shown.clone(), size, max };
        if size > max {
            return Err(too_big(size));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        let read = file.take(max.saturating_add(1)).read_to_end(&mut bytes).await.map_err(io)?;
        if read as u64 > max {
            return Err(too_big(read as u64));
        }
        let mime = hfs_core::mime::sniff_mime(&bytes[..bytes.len().min(64)], &path.to_string_lossy());
        Ok(Self { bytes: bytes.into(), mime })
    }

    pub fn from_bytes(bytes: impl Into<bytes::Bytes>, mime: impl Into<String>) -> Self {
        Self { bytes: bytes.into(), mime: mime.into() }
    }

    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }

    /// `data:<mime>;base64,…`. fal only takes some audio types, so WAV is sent as `audio/x-wav`.
    pub fn data_url(&self) -> String {
        let mime = match self.mime.as_str() {
            "audio/wav" | "audio/wave" | "audio/vnd.wave" => "audio/x-wav",
            "audio/mp3" => "audio/mpeg",
            m => m,
        };
        format!("data:{mime};base64,{}", self.base64())
    }
}

/// One media call: the model, the provider, the prompt and/or input file, and extra
/// provider-specific parameters (deep-merged into the payload last).
#[derive(Clone, Debug)]
pub struct MediaRequest {
    pub model: String,
    pub provider: ProviderChoice,
    pub prompt: Option<String>,
    pub input: Option<InputFile>,
    pub params: Map<String, Value>,
}

impl MediaRequest {
    pub fn new(model: impl Into<String>, provider: ProviderChoice) -> Self {
        Self { model: model.into(), provider, prompt: None, input: None, params: Map::new() }
    }
    pub fn prompt(mut self, p: impl Into<String>) -> Self {
        self.prompt = Some(p.into());
        self
    }
    pub fn input(mut self, f: InputFile) -> Self {
        self.input = Some(f);
        self
    }
    pub fn params(mut self, p: Map<String, Value>) -> Self {
        self.params = p;
        self
    }
}

/// Which provider did the work.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Served {
    pub provider: String,
    pub provider_model: String,
    pub routed: bool,
    pub flow: Flow,
    /// The provider's job or request id, for asynchronous flows.
    pub job_id: Option<String>,
}

/// A generated file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MediaOutput {
    pub file: SavedFile,
    pub served: Served,
}

/// A transcription.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Transcription {
    pub text: String,
    pub chunks: Option<Value>,
    pub served: Served,
}

enum Body {
    Json(Value),
    Raw(bytes::Bytes, String),
}

enum Outcome {
    Json(Value),
    Response(Response),
}

impl InferenceClient {
    pub async fn text_to_image(&self, req: &MediaRequest, out: &OutputSpec) -> Result<MediaOutput, InferenceError> {
        self.media(Task::TextToImage, req, out).await
    }
    pub async fn image_to_image(&self, req: &MediaRequest, out: &OutputSpec) -> Result<MediaOutput, InferenceError> {
        self.media(Task::ImageToImage, req, out).await
    }
    pub async fn text_to_video(&self, req: &MediaRequest, out: &OutputSpec) -> Result<MediaOutput, InferenceError> {
        self.media(Task::TextToVideo, req, out).await
    }
    pub async fn image_to_video(&self, req: &MediaRequest, out: &OutputSpec) -> Result<MediaOutput, InferenceError> {
        self.media(Task::ImageToVideo, req, out).await
    }
    pub async fn text_to_speech(&self, req: &MediaRequest, out: &OutputSpec) -> Result<MediaOutput, InferenceError> {
        self.media(Task::TextToSpeech, req, out).await
    }

    /// Any media-producing task, saved under `out`, with no deadline and no events; use
    /// [`InferenceClient::submit`] for those and for cancelling.
    pub async fn media(&self, task: Task, req: &MediaRequest, out: &OutputSpec) -> Result<MediaOutput, InferenceError> {
        self.media_in(task, req, out, &Call::detached()).await
    }

    pub(crate) async fn media_in(
        &self,
        task: Task,
        req: &MediaRequest,
        out: &OutputSpec,
        call: &Call,
    ) -> Result<MediaOutput, InferenceError> {
        let target = self.resolve(&req.model, task, &req.provider, call).await?;
        let (outcome, job_id) = self.run(&target, task, req, call).await?;
        let file = self.decode_file(&target, outcome, out, call).await?;
        Ok(MediaOutput { file, served: served(&target, job_id) })
    }

    /// Automatic speech recognition of `req.input` (no deadline, no events; see
    /// [`InferenceClient::submit`]).
    pub async fn speech_to_text(&self, req: &MediaRequest) -> Result<Transcription, InferenceError> {
        self.speech_to_text_in(req, &Call::detached()).await
    }

    pub(crate) async fn speech_to_text_in(&self, req: &MediaRequest, call: &Call) -> Result<Transcription, InferenceError> {
        let target = self.resolve(&req.model, Task::SpeechRecognition, &req.provider, call).await?;
        let (outcome, job_id) = self.run(&target, Task::SpeechRecognition, req, call).await?;
        let v = match outcome {
            Outcome::Json(v) => v,
            Outcome::Response(r) => self.read_json(&target, r, call).await?,
        };
        let v = if target.route.decode == Decode::ReplicateOutput { v.get("output").cloned().unwrap_or(Value::Null) } else { v };
        let text = match &v {
            Value::String(s) => s.clone(),
            Value::Array(l) => l.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(""),
            o => ["/text", "/output", "/transcription", "/translation"]
                .iter()
                .find_map(|p| o.pointer(p).and_then(Value::as_str))
                .map(str::to_string)
                .ok_or_else(|| protocol(&target, format!("no transcription in {}", short(&v))))?,
        };
        let chunks = v.get("chunks").or_else(|| v.get("segments")).cloned();
        Ok(Transcription { text, chunks, served: served(&target, job_id) })
    }

    /// Embeddings of `inputs`: one vector (or token matrix) per input, as the provider returns them.
    pub async fn feature_extraction(
        &self,
        model: &str,
        provider: &ProviderChoice,
        inputs: &[String],
        params: Map<String, Value>,
    ) -> Result<(Value, Served), InferenceError> {
        let call = &Call::detached();
        let target = self.resolve(model, Task::FeatureExtraction, provider, call).await?;
        let mut req = MediaRequest::new(model, provider.clone()).params(params);
        req.prompt = None;
        let body = match target.route.style {
            Style::HfInference => json!({"inputs": inputs}),
            _ => json!({"input": inputs, "model": target.pid}),
        };
        let body = bytes::Bytes::from(merge_params(body, &req.params).to_string());
        let url = self.route_url(&target);
        let resp = self
            .send(target.spec.id, call, Resend::SubmitOnce, || {
                self.request(Method::POST, url.clone(), target.auth.as_deref(), target.routed)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await?;
        let v = self.read_json(&target, resp, call).await?;
        let vectors = match v.get("data").and_then(Value::as_array) {
            Some(items) => Value::Array(items.iter().filter_map(|i| i.get("embedding").cloned()).collect()),
            None => v,
        };
        Ok((vectors, served(&target, None)))
    }

    pub(crate) fn route_url(&self, t: &Target) -> Url {
        let path = if t.route.style == Style::Replicate && t.pid.contains(':') {
            "/v1/predictions".to_string()
        } else {
            t.route.path.replace("{pid}", &t.pid).replace("{hf_id}", &t.hf_id)
        };
        let mut url = join(&t.base, &path);
        if t.route.flow == Flow::FalQueue && t.routed {
            url.set_query(Some("_subdomain=queue"));
        }
        url
    }

    fn poll_interval(&self, flow: Flow) -> std::time::Duration {
        self.opts.poll_interval.unwrap_or_else(|| flow.default_poll())
    }

    /// Submits and, for asynchronous flows, polls until the job is done.
    async fn run(&self, t: &Target, task: Task, req: &MediaRequest, call: &Call) -> Result<(Outcome, Option<String>), InferenceError> {
        // Serialised once: a retried submit sends the same bytes without copying them.
        let body = match payload(t, task, req)? {
            Body::Json(v) => (bytes::Bytes::from(v.to_string()), "application/json".to_string()),
            Body::Raw(b, mime) => (b, mime),
        };
        let url = self.route_url(t);
        let image_task = matches!(task, Task::TextToImage | Task::ImageToImage);
        let build = || {
            let mut r = self.request(Method::POST, url.clone(), t.auth.as_deref(), t.routed);
            if image_task {
                r = r.header(reqwest::header::ACCEPT, "image/png");
            }
            if t.route.flow == Flow::Replicate {
                r = r.header("Prefer", "wait");
            }
            if t.spec.id == "zai-org" {
                r = r.header("Accept-Language", "en-US,en").header("x-source-channel", "hugging_face");
            }
            r.header(reqwest::header::CONTENT_TYPE, body.1.as_str()).body(body.0.clone())
        };
        let resp = self.send(t.spec.id, call, Resend::SubmitOnce, build).await?;
        match t.route.flow {
            Flow::Sync => {
                call.emit(InferenceEvent::Submitted { provider: t.spec.id.into(), job_id: None });
                Ok((Outcome::Response(resp), None))
            }
            Flow::FalQueue => self.fal_queue(t, self.read_json(t, resp, call).await?, call).await,
            Flow::Replicate => self.replicate(t, self.read_json(t, resp, call).await?, call).await,
            Flow::TogetherVideo => self.together_video(t, &url, self.read_json(t, resp, call).await?, call).await,
            Flow::Wavespeed => self.wavespeed(t, self.read_json(t, resp, call).await?, call).await,
            Flow::Zai => self.zai(t, self.read_json(t, resp, call).await?, call).await,
        }
    }

    /// GET a poll URL with the target's auth (retried like every request).
    async fn poll_get(&self, t: &Target, url: &Url, call: &Call) -> Result<Value, InferenceError> {
        let resp =
            self.send(t.spec.id, call, Resend::Idempotent, || self.request(Method::GET, url.clone(), t.auth.as_deref(), t.routed)).await?;
        self.read_json(t, resp, call).await
    }

    /// Awaits a polling loop; on timeout or cancel, asks the provider to cancel the job.
    async fn guarded<Fut, C, CFut>(&self, work: Fut, cancel: C) -> Result<Value, InferenceError>
    where
        Fut: std::future::Future<Output = Result<Value, InferenceError>>,
        C: FnOnce() -> CFut,
        CFut: std::future::Future<Output = ()>,
    {
        let result = work.await;
        if matches!(result, Err(InferenceError::Timeout(_) | InferenceError::Cancelled)) {
            // Best effort, bounded: the job should not keep running (and billing) on the provider.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), cancel()).await;
        }
        result
    }

    async fn fal_queue(&self, t: &Target, submitted: Value, call: &Call) -> Result<(Outcome, Option<String>), InferenceError> {
        let id = submitted.get("request_id").and_then(Value::as_str).map(str::to_string);
        call.emit(InferenceEvent::Submitted { provider: t.spec.id.into(), job_id: id.clone() });
        let response_url = submitted
            .get("response_url")
            .and_then(Value::as_str)
            .ok_or_else(|| protocol(t, format!("no response_url in {}", short(&submitted))))?;
        let path = Url::parse(response_url).map_err(|_| protocol(t, format!("bad response_url `{response_url}`")))?.path().to_string();
        // Poll URLs: the router base when routed, the queue host when direct — never from the host name.
        let at = |suffix: &str| {
            let mut u = join(&t.base, &format!("{path}{suffix}"));
            if t.routed {
                u.set_query(Some("_subdomain=queue"));
            }
            u
        };
        let status_url = at("/status");
        let mut status = submitted.get("status").and_then(Value::as_str).unwrap_or("").to_string();
        call.emit_status(&status, submitted.get("queue_position").and_then(Value::as_u64));
        let mut seen_logs = 0usize;
        if status != "COMPLETED" {
            let interval = self.poll_interval(t.route.flow);
            let work = async {
                loop {
                    self.pause(interval, call).await?;
                    let v = self.poll_get(t, &status_url, call).await?;
                    let s = v.get("status").and_then(Value::as_str).unwrap_or("").to_string();
                    if s != status {
                        call.emit_status(&s, v.get("queue_position").and_then(Value::as_u64));
                        status = s.clone();
                    }
                    if let Some(logs) = v.get("logs").and_then(Value::as_array) {
                        for l in logs.iter().skip(seen_logs) {
                            let m = l.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| l.to_string());
                            call.emit(InferenceEvent::Log { message: m });
                        }
                        seen_logs = seen_logs.max(logs.len());
                    }
                    match s.as_str() {
                        "COMPLETED" => return Ok(v),
                        "FAILED" | "CANCELED" | "CANCELLED" | "ERROR" => {
                            return Err(InferenceError::JobFailed {
                                provider: t.spec.id.into(),
                                job_id: id.clone(),
                                message: v
                                    .get("error")
                                    .map(|e| e.as_str().map(str::to_string).unwrap_or_else(|| e.to_string()))
                                    .unwrap_or_else(|| format!("status {s}")),
                            });
                        }
                        _ => {}
                    }
                }
            };
            let v = self
                .guarded(work, || async {
                    let _ = self.request(Method::PUT, at("/cancel"), t.auth.as_deref(), t.routed).send().await;
                })
                .await?;
            if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
                return Err(InferenceError::JobFailed {
                    provider: t.spec.id.into(),
                    job_id: id,
                    message: e.as_str().map(str::to_string).unwrap_or_else(|| e.to_string()),
                });
            }
        }
        let result = self.poll_get(t, &at(""), call).await?;
        Ok((Outcome::Json(result), id))
    }

    async fn replicate(&self, t: &Target, first: Value, call: &Call) -> Result<(Outcome, Option<String>), InferenceError> {
        let id = first.get("id").and_then(Value::as_str).map(str::to_string);
        call.emit(InferenceEvent::Submitted { provider: t.spec.id.into(), job_id: id.clone() });
        let check = |v: &Value| -> Result<Option<Value>, InferenceError> {
            match v.get("status").and_then(Value::as_str).unwrap_or("") {
                "succeeded" => Ok(Some(v.clone())),
                s @ ("failed" | "canceled") => Err(InferenceError::JobFailed {
                    provider: t.spec.id.into(),
                    job_id: v.get("id").and_then(Value::as_str).map(str::to_string),
                    message: v.get("error").and_then(|e| e.as_str().map(str::to_string)).unwrap_or_else(|| format!("prediction {s}")),
                }),
                _ => Ok(None),
            }
        };
        let mut status = first.get("status").and_then(Value::as_str).unwrap_or("").to_string();
        call.emit_status(&status, None);
        if let Some(done) = check(&first)? {
            return Ok((Outcome::Json(done), id));
        }
        // `Prefer: wait` answers with the output as soon as it exists, even while the
        // prediction is still `processing` (as recorded): use it, as the official clients do.
        if first.get("output").is_some_and(|o| o.is_string() || o.as_array().is_some_and(|l| !l.is_empty())) {
            return Ok((Outcome::Json(first), id));
        }
        let Some(pred) = id.clone() else { return Err(protocol(t, format!("prediction without id: {}", short(&first)))) };
        let get = join(&t.base, &format!("v1/predictions/{pred}"));
        let cancel = join(&t.base, &format!("v1/predictions/{pred}/cancel"));
        let interval = self.poll_interval(t.route.flow);
        let work = async {
            loop {
                self.pause(interval, call).await?;
                let v = self.poll_get(t, &get, call).await?;
                let s = v.get("status").and_then(Value::as_str).unwrap_or("").to_string();
                if s != status {
                    call.emit_status(&s, None);
                    status = s;
                }
                if let Some(done) = check(&v)? {
                    return Ok(done);
                }
            }
        };
        let v = self
            .guarded(work, || async {
                let _ = self.request(Method::POST, cancel.clone(), t.auth.as_deref(), t.routed).send().await;
            })
            .await?;
        Ok((Outcome::Json(v), id))
    }

    async fn together_video(
        &self,
        t: &Target,
        submit: &Url,
        first: Value,
        call: &Call,
    ) -> Result<(Outcome, Option<String>), InferenceError> {
        let id = first
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| protocol(t, format!("video job without id: {}", short(&first))))?;
        call.emit(InferenceEvent::Submitted { provider: t.spec.id.into(), job_id: Some(id.clone()) });
        let get = join(submit, &id);
        let v = self
            .poll_until(t, &get, Some(&id), Some(&first), call, |v| {
                let s = v.get("status").and_then(Value::as_str).unwrap_or("");
                match s {
                    "completed" => Phase::Done,
                    "failed" | "cancelled" | "canceled" => Phase::Failed(
                        v.pointer("/error/message").or_else(|| v.get("error")).map(text_of).unwrap_or_else(|| format!("status {s}")),
                    ),
                    _ => Phase::Running(s.to_string()),
                }
            })
            .await?;
        Ok((Outcome::Json(v), Some(id)))
    }

    async fn wavespeed(&self, t: &Target, first: Value, call: &Call) -> Result<(Outcome, Option<String>), InferenceError> {
        let data = first.get("data").cloned().unwrap_or(first.clone());
        let id = data.get("id").and_then(Value::as_str).map(str::to_string);
        call.emit(InferenceEvent::Submitted { provider: t.spec.id.into(), job_id: id.clone() });
        let get = data
            .pointer("/urls/get")
            .and_then(Value::as_str)
            .ok_or_else(|| protocol(t, format!("no data.urls.get in {}", short(&first))))?;
        // Keep only the path: the router (when routed) or the override base is where we poll.
        let path = Url::parse(get).map_err(|_| protocol(t, format!("bad urls.get `{get}`")))?.path().to_string();
        let get = join(&t.base, &path);
        let v = self
            .poll_until(t, &get, id.as_deref(), None, call, |v| {
                let s = v.pointer("/data/status").and_then(Value::as_str).unwrap_or("");
                match s {
                    "completed" => Phase::Done,
                    "failed" => Phase::Failed(
                        v.pointer("/data/error").and_then(Value::as_str).filter(|e| !e.is_empty()).unwrap_or("the job failed").to_string(),
                    ),
                    _ => Phase::Running(s.to_string()),
                }
            })
            .await?;
        Ok((Outcome::Json(v), id))
    }

    async fn zai(&self, t: &Target, first: Value, call: &Call) -> Result<(Outcome, Option<String>), InferenceError> {
        let id = first
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| protocol(t, format!("job without id: {}", short(&first))))?;
        call.emit(InferenceEvent::Submitted { provider: t.spec.id.into(), job_id: Some(id.clone()) });
        let get = join(&t.base, &format!("api/paas/v4/async-result/{id}"));
        let v = self
            .poll_until(t, &get, Some(&id), Some(&first), call, |v| {
                let s = v.get("task_status").and_then(Value::as_str).unwrap_or("");
                match s {
                    "SUCCESS" => Phase::Done,
                    "FAIL" | "FAILED" => Phase::Failed(
                        v.pointer("/error/message")
                            .or_else(|| v.get("error"))
                            .or_else(|| v.get("message"))
                            .map(text_of)
                            .unwrap_or_else(|| "the job failed".into()),
                    ),
                    _ => Phase::Running(s.to_string()),
                }
            })
            .await?;
        Ok((Outcome::Json(v), Some(id)))
    }

    /// Polls `get` (after checking `first`, the submit answer, when it already carries a state)
    /// until `phase` says the job is done or failed, reporting each new status as an event.
    async fn poll_until(
        &self,
        t: &Target,
        get: &Url,
        job_id: Option<&str>,
        first: Option<&Value>,
        call: &Call,
        phase: impl Fn(&Value) -> Phase,
    ) -> Result<Value, InferenceError> {
        let mut status = String::new();
        let mut settle = |v: &Value| -> Result<bool, InferenceError> {
            match phase(v) {
                Phase::Done => Ok(true),
                Phase::Failed(message) => {
                    Err(InferenceError::JobFailed { provider: t.spec.id.into(), job_id: job_id.map(str::to_string), message })
                }
                Phase::Running(s) => {
                    if s != status {
                        call.emit_status(&s, None);
                        status = s;
                    }
                    Ok(false)
                }
            }
        };
        if let Some(v) = first
            && settle(v)?
        {
            return Ok(v.clone());
        }
        let interval = self.poll_interval(t.route.flow);
        loop {
            self.pause(interval, call).await?;
            let v = self.poll_get(t, get, call).await?;
            if settle(&v)? {
                return Ok(v);
            }
        }
    }

    /// The final answer as a saved file: raw bytes, base64 in JSON, or a URL fetched without a token.
    async fn decode_file(&self, t: &Target, outcome: Outcome, out: &OutputSpec, call: &Call) -> Result<SavedFile, InferenceError> {
        let v = match (t.route.decode, outcome) {
            (Decode::Bytes, Outcome::Response(r)) => {
                let ct = r.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
                if ct.starts_with("application/json") {
                    let v = self.read_json(t, r, call).await?;
                    return Err(protocol(t, format!("expected a media file, got JSON: {}", short(&v))));
                }
                return self.within(call, save_response(r, out, self.opts.limits.idle)).await;
            }
            (_, Outcome::Response(r)) => self.read_json(t, r, call).await?,
            (_, Outcome::Json(v)) => v,
        };
        let url = match t.route.decode {
            Decode::B64Json => {
                let b64 = v
                    .pointer("/data/0/b64_json")
                    .and_then(Value::as_str)
                    .ok_or_else(|| protocol(t, format!("no data[0].b64_json in {}", short(&v))))?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|e| protocol(t, format!("bad base64 image: {e}")))?;
                return save_bytes(&bytes, None, out).await;
            }
            Decode::Url(ptrs) => ptrs
                .iter()
                .find_map(|p| v.pointer(p).and_then(Value::as_str))
                .map(str::to_string)
                .ok_or_else(|| protocol(t, format!("no output URL in {}", short(&v))))?,
            Decode::ReplicateOutput => match v.get("output") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(l)) if l.first().and_then(Value::as_str).is_some() => l[0].as_str().unwrap_or_default().to_string(),
                _ => {
                    return Err(protocol(t, format!("the prediction has no output (the provider did not finish in time?): {}", short(&v))));
                }
            },
            other => return Err(protocol(t, format!("{other:?} does not produce a file"))),
        };
        if let Some(rest) = url.strip_prefix("data:") {
            let (meta, data) = rest.split_once(',').ok_or_else(|| protocol(t, "bad data URL".into()))?;
            let mime = meta.split(';').next().filter(|m| !m.is_empty());
            let bytes = if meta.ends_with(";base64") {
                base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| protocol(t, format!("bad data URL: {e}")))?
            } else {
                data.as_bytes().to_vec()
            };
            return save_bytes(&bytes, mime, out).await;
        }
        let resp = self.fetch_asset(&url, call).await?;
        self.within(call, save_response(resp, out, self.opts.limits.idle)).await
    }
}

fn served(t: &Target, job_id: Option<String>) -> Served {
    Served { provider: t.spec.id.into(), provider_model: t.pid.clone(), routed: t.routed, flow: t.route.flow, job_id }
}

fn protocol(t: &Target, message: String) -> InferenceError {
    InferenceError::Protocol { provider: t.spec.id.into(), message }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 { format!("{}…", &s[..s.char_indices().nth(300).map(|(i, _)| i).unwrap_or(s.len())]) } else { s }
}

/// Where a polled job stands.
enum Phase {
    Running(String),
    Done,
    Failed(String),
}

/// A JSON error field as text (strings as they are, anything else as JSON).
fn text_of(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}

impl InferenceClient {
    /// Reads a JSON answer: at most the JSON cap (decoded), each chunk within the idle timeout,
    /// the whole within the call's deadline.
    pub(crate) async fn read_json(&self, t: &Target, r: Response, call: &Call) -> Result<Value, InferenceError> {
        let bytes = self.read_whole(r, call).await?;
        serde_json::from_slice(&bytes)
            .map_err(|_| protocol(t, format!("expected JSON, got: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(200)]))))
    }
}

/// Removes nulls recursively (empty objects and lists are kept).
pub fn drop_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, drop_nulls(v))).collect()),
        Value::Array(l) => Value::Array(l.into_iter().map(drop_nulls).collect()),
        other => other,
    }
}

/// Deep-merges `extra` into `base`: objects merged recursively, anything else overwritten.
pub fn deep_merge(base: &mut Value, extra: &Value) {
    match (base, extra) {
        (Value::Object(b), Value::Object(e)) => {
            for (k, v) in e {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => deep_merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, e) => *b = e.clone(),
    }
}

fn merge_params(mut body: Value, params: &Map<String, Value>) -> Value {
    deep_merge(&mut body, &Value::Object(params.clone()));
    drop_nulls(body)
}

/// Moves `from` to `to` in `params` (provider spellings of the same option).
fn rename(params: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(v) = params.remove(from) {
        params.entry(to.to_string()).or_insert(v);
    }
}

/// `width`+`height` → `"WxH"` under `key`.
fn size_string(params: &mut Map<String, Value>, key: &str) {
    if let (Some(w), Some(h)) = (params.get("width").cloned(), params.get("height").cloned()) {
        params.remove("width");
        params.remove("height");
        params.insert(
            key.into(),
            Value::String(format!(
                "{}x{}",
                w.as_u64().map(|n| n.to_string()).unwrap_or_else(|| w.to_string()),
                h.as_u64().map(|n| n.to_string()).unwrap_or_else(|| h.to_string())
            )),
        );
    }
}

/// The request body for one task in the target's payload style (docs/protocol/inference.md#per-task-formats).
fn payload(t: &Target, task: Task, req: &MediaRequest) -> Result<Body, InferenceError> {
    let mut p = req.params.clone();
    let prompt = req.prompt.clone();
    let need_input = || req.input.as_ref().ok_or_else(|| InferenceError::Usage(format!("{} needs an input file", task.hub_name())));
    let obj = |v: Value, p: &Map<String, Value>| Ok(Body::Json(merge_params(v, p)));
    match t.route.style {
        Style::HfInference => match task {
            Task::SpeechRecognition | Task::ImageToImage => {
                let f = need_input()?;
                if let Some(pr) = prompt {
                    p.entry("prompt").or_insert(Value::String(pr));
                }
                if p.is_empty() {
                    Ok(Body::Raw(f.bytes.clone(), f.mime.clone()))
                } else {
                    Ok(Body::Json(drop_nulls(json!({"inputs": f.base64(), "parameters": p}))))
                }
            }
            _ => Ok(Body::Json(drop_nulls(json!({"inputs": prompt.unwrap_or_default(), "parameters": p})))),
        },
        Style::Fal => {
            if let (Some(w), Some(h)) = (p.remove("width"), p.remove("height")) {
                p.insert("image_size".into(), json!({"width": w, "height": h}));
            }
            rename(&mut p, "target_size", "image_size");
            let v = match task {
                Task::TextToSpeech => json!({"text": prompt}),
                Task::SpeechRecognition => json!({"audio_url": need_input()?.data_url()}),
                Task::ImageToImage => {
                    let u = need_input()?.data_url();
                    json!({"image_url": u, "image_urls": [u], "prompt": prompt})
                }
                Task::ImageToVideo => json!({"image_url": need_input()?.data_url(), "prompt": prompt}),
                _ => json!({"prompt": prompt}),
            };
            obj(v, &p)
        }
        Style::Replicate => {
            let mut input = match task {
                Task::TextToSpeech => json!({"text": prompt}),
                Task::SpeechRecognition => json!({"audio": need_input()?.data_url()}),
                Task::ImageToImage | Task::ImageToVideo => {
                    let u = need_input()?.data_url();
                    json!({"prompt": prompt, "image": u, "images": [u], "input_image": u, "input_images": [u]})
                }
                _ => json!({"prompt": prompt}),
            };
            deep_merge(&mut input, &Value::Object(p));
            let mut body = json!({"input": drop_nulls(input)});
            if let Some((_, version)) = t.pid.split_once(':') {
                body["version"] = Value::String(version.to_string());
            }
            Ok(Body::Json(body))
        }
        Style::TogetherImages => {
            rename(&mut p, "num_inference_steps", "steps");
            let mut v = json!({"prompt": prompt.unwrap_or_default(), "response_format": "base64", "model": t.pid});
            if task == Task::ImageToImage {
                let u = need_input()?.data_url();
                let pid = t.pid.to_ascii_lowercase();
                if pid.contains("kontext") && pid.contains("flux.1") {
                    v["image_url"] = Value::String(u);
                } else {
                    v["reference_images"] = json!([u]);
                }
            }
            obj(v, &p)
        }
        Style::NscaleImages => {
            p.remove("num_inference_steps");
            p.remove("cfg_scale");
            size_string(&mut p, "size");
            obj(json!({"response_format": "b64_json", "prompt": prompt, "model": t.pid}), &p)
        }
        Style::TogetherVideo => {
            rename(&mut p, "num_inference_steps", "steps");
            let mut v = json!({"prompt": prompt, "model": t.pid});
            if task == Task::ImageToVideo {
                v["frame_images"] = json!([{"input_image": need_input()?.data_url(), "frame": "first"}]);
            }
            obj(v, &p)
        }
        Style::Wavespeed => {
            let mut v = json!({"prompt": prompt});
            if matches!(task, Task::ImageToImage | Task::ImageToVideo) {
                v["image"] = Value::String(need_input()?.data_url());
            }
            obj(v, &p)
        }
        Style::Zai => {
            size_string(&mut p, "size");
            obj(json!({"model": t.pid, "prompt": prompt}), &p)
        }
        Style::Novita => obj(json!({"prompt": prompt}), &p),
        Style::OpenAiSpeech => obj(json!({"input": prompt, "model": t.pid}), &p),
        Style::OpenAiEmbeddings => obj(json!({"input": prompt, "model": t.pid}), &p),
        Style::OpenAiChat => Err(InferenceError::Usage("chat goes through InferenceClient::chat".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn inputs_are_capped_before_reading_and_shared_by_retries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.png");
        std::fs::write(&p, b"\x89PNG\r\n\x1a\n0123456789").unwrap();
        let e = InputFile::read_capped(&p, 8).await.unwrap_err();
        assert!(matches!(e, InferenceError::InputTooLarge { size: 18, max: 8, .. }), "{e}");
        assert_eq!(e.class(), crate::ErrorClass::Usage);
        let f = InputFile::read_capped(&p, 1024).await.unwrap();
        assert_eq!(f.mime, "image/png");
        // A retry clones the request body: the bytes are shared, not copied.
        let again = f.clone();
        assert_eq!(again.bytes.as_ptr(), f.bytes.as_ptr());
    }

    #[test]
    fn merge_and_nulls() {
        let mut a = json!({"a": {"b": 1, "c": 2}, "d": null, "e": []});
        deep_merge(&mut a, &json!({"a": {"c": 3, "x": null}, "f": {}}));
        assert_eq!(drop_nulls(a), json!({"a": {"b": 1, "c": 3}, "e": [], "f": {}}));
    }
}
