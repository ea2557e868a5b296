//! Running a plan on its backend, with fallback to the next backend when this one cannot serve.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use hfs_core::Action;
use hfs_gradio::{CallOptions, Client, ClientOptions, EndpointRef, Event, FileSlot};
use hfs_inference::{InferenceClient, InferenceEvent, InferenceTask, JobEvent, MediaRequest, Outcome, OutputSpec, ProviderChoice, Task};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::adapter::{plan_call, plan_space};
use crate::error::Attempt;
use crate::plan::{Plan, Send, Source};
use crate::presets::Presets;
use crate::provenance::{GenFile, PNG_KEYWORD, append_record, embed_in_png, sha256_file};
use crate::{Backend, GenError, GenRequest, GenTask};

/// What a running generation reports: the libraries' events, tagged with the backend.
#[derive(Debug)]
pub enum GenEvent {
    /// The plan is made; the call starts.
    Planned {
        backend: String,
        endpoint: Option<String>,
        warnings: Vec<String>,
    },
    Gradio {
        backend: String,
        event: Event,
    },
    Inference {
        backend: String,
        event: InferenceEvent,
    },
    /// The backend accepted the call: its job id (a Gradio event id, a provider request id)
    /// when it gave one. From here on the work may run (and bill) even if this process dies.
    Submitted {
        backend: String,
        job_id: Option<String>,
    },
    /// The backend finished its part (the outputs arrived); what is left is local: downloading,
    /// hashing, recording. A scheduler may give the backend its next call now.
    Received {
        backend: String,
    },
    /// `backend` failed in a way another may not; `next` is tried.
    FallingBack {
        backend: String,
        error: String,
        next: String,
    },
}

/// How one generation runs.
#[derive(Clone, Debug, Default)]
pub struct GenOptions {
    /// Where files and `hfs-manifest.jsonl` go.
    pub out_dir: PathBuf,
    /// Per backend attempt.
    pub timeout: Option<Duration>,
    pub cancel: CancellationToken,
    pub events: Option<UnboundedSender<GenEvent>>,
    /// Leave `hfs-manifest.jsonl` alone: the caller (a batch run) writes the record itself,
    /// from [`GenOutcome::record`].
    pub skip_manifest: bool,
    /// Only files under these directories may be read and uploaded (`None`: any file the
    /// process can read). An MCP server sets it so an agent cannot make hfs send `~/.ssh`.
    pub readable: Option<std::sync::Arc<crate::Readable>>,
}

impl GenOptions {
    fn emit(&self, e: GenEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(e);
        }
    }
}

/// What a generation produced, and how.
#[derive(Clone, Debug, Serialize)]
pub struct GenOutcome {
    pub task: GenTask,
    pub backend: Backend,
    pub plan: Plan,
    pub files: Vec<GenFile>,
    /// The seed the output was made with: read from an output that carries it, else the one sent.
    pub seed: Option<u64>,
    /// The outputs as returned, every file replaced by its local copy.
    pub values: Vec<Value>,
    /// The text, for transcription.
    pub text: Option<String>,
    pub fallbacks: Vec<Attempt>,
    pub duration_ms: u64,
    /// The provenance record written to the manifest.
    pub record: Value,
}

impl GenOutcome {
    /// The `hfs.generate/1` document of this outcome (`--json`, a batch's lines, an MCP tool's
    /// structured result).
    pub fn doc(&self) -> hfs_schema::GenerateDoc {
        hfs_schema::GenerateDoc {
            schema: hfs_schema::GenerateDoc::SCHEMA.into(),
            task: self.task.as_str().into(),
            // What served it (host and Gradio version, or provider, provider model and job id).
            backend: self.record.get("backend").cloned().unwrap_or_else(|| serde_json::to_value(&self.backend).unwrap_or(Value::Null)),
            seed: self.seed,
            arguments: Value::Object(self.plan.arguments.clone()),
            files: self
                .files
                .iter()
                .map(|f| hfs_schema::GeneratedFile {
                    path: f.path.clone(),
                    mime_type: f.mime_type.clone(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                })
                .collect(),
            values: self.values.clone(),
            text: self.text.clone().filter(|_| matches!(self.task, GenTask::Transcribe | GenTask::Chat)),
            fallbacks: self.fallbacks.iter().map(|a| serde_json::to_value(a).unwrap_or(Value::Null)).collect(),
            warnings: self.plan.warnings.clone(),
            duration_ms: self.duration_ms,
            item: None,
            step: None,
        }
    }
}

/// Runs generations: Space backends through `hfs-gradio`, provider backends through
/// `hfs-inference`. Holds no environment: options come in.
#[derive(Clone)]
pub struct Generator {
    pub gradio: ClientOptions,
    pub inference: Option<InferenceClient>,
    /// How known Spaces take the options ([`Presets::builtin`] plus the user's).
    pub presets: Presets,
    /// Connected Spaces, reused by later generations (a batch connects once per Space, not per
    /// item); an entry is dropped when a call on it fails, so a restarted Space is read again.
    pub clients: ClientCache,
}

/// Connected Gradio clients by Space id or URL. Cheap to clone; clones share the cache.
#[derive(Clone, Default)]
pub struct ClientCache(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Client>>>);

impl ClientCache {
    async fn get(&self, space: &str, options: &ClientOptions) -> Result<Client, hfs_gradio::Error> {
        if let Some(c) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(space) {
            return Ok(c.clone());
        }
        let c = Client::connect(space, options.clone()).await?;
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(space.to_string(), c.clone());
        Ok(c)
    }

    fn forget(&self, space: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(space);
    }
}

impl Generator {
    /// The connected client of a Space (cached; a Space is connected once): its endpoints and
    /// parameters, for callers that describe them (`hfs mcp` builds tool schemas from them).
    pub async fn client(&self, space: &str) -> Result<Client, GenError> {
        Ok(self.clients.get(space, &self.gradio).await?)
    }

    /// The plan for one backend, without calling anything (a Space is connected to read its API).
    pub async fn plan(&self, task: GenTask, req: &GenRequest, backend: &Backend) -> Result<Plan, GenError> {
        Ok(self.prepare(task, req, backend).await?.0)
    }

    async fn prepare(&self, task: GenTask, req: &GenRequest, backend: &Backend) -> Result<(Plan, Option<Client>), GenError> {
        match backend {
            Backend::Space { space, endpoint } => {
                let client = self.clients.get(space, &self.gradio).await?;
                if task == GenTask::Call {
                    let mut plan = plan_call(space, client.endpoints(), req, endpoint.as_deref())?;
                    plan.concurrency = space_concurrency(&client, plan.endpoint.as_deref());
                    return Ok((plan, Some(client)));
                }
                let preset = self.presets.find(space, task);
                let chat_interface = client.config().raw.get("mode").and_then(Value::as_str) == Some("chat_interface");
                let mut plan = plan_space(space, client.endpoints(), task, req, endpoint.as_deref(), preset, chat_interface)?;
                plan.concurrency = space_concurrency(&client, plan.endpoint.as_deref());
                if let (Some(pr), Some(e)) = (preset, endpoint)
                    && e != &pr.endpoint
                {
                    plan.warnings.push(format!("the endpoint {e} was asked for: the preset ({}) is not used", pr.endpoint));
                }
                Ok((plan, Some(client)))
            }
            Backend::Provider { model, provider } => Ok((plan_provider(task, req, model, provider.as_deref())?, None)),
        }
    }

    /// Runs the request on the first backend, moving to the next when one fails in a way another
    /// would not (out of quota, paused, queue full, not served…); bad input stops at once.
    pub async fn generate(&self, task: GenTask, req: &GenRequest, backends: &[Backend], opts: &GenOptions) -> Result<GenOutcome, GenError> {
        let mut fallbacks = Vec::new();
        // A batch run holding the directory (an exclusive lock on its manifest) is not mixed with.
        let _shared = if !opts.skip_manifest {
            Some(crate::provenance::hold_shared(&opts.out_dir).map_err(|e| io_err(&opts.out_dir, e))?)
        } else {
            None
        };
        for (i, backend) in backends.iter().enumerate() {
            match self.run_one(task, req, backend, opts, &fallbacks).await {
                Ok(o) => return Ok(o),
                Err(e) => {
                    if let Backend::Space { space, .. } = backend
                        && e.action() != Action::GiveUp
                    {
                        self.clients.forget(space);
                    }
                    let next = backends.get(i + 1);
                    match (e.action(), next) {
                        (Action::GiveUp, _) | (_, None) => return Err(e),
                        (_, Some(n)) => {
                            opts.emit(GenEvent::FallingBack { backend: backend.label(), error: e.to_string(), next: n.label() });
                            fallbacks.push(Attempt { backend: backend.label(), error: e.to_string() });
                        }
                    }
                }
            }
        }
        Err(GenError::Usage("no backend to run on".into()))
    }

    async fn run_one(
        &self,
        task: GenTask,
        req: &GenRequest,
        backend: &Backend,
        opts: &GenOptions,
        fallbacks: &[Attempt],
    ) -> Result<GenOutcome, GenError> {
        let started = Instant::now();
        let started_at = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let (plan, client) = self.prepare(task, req, backend).await?;
        if let Some(readable) = &opts.readable {
            // Checked on what will really be sent: every local file in the plan's arguments
            // (however it got there: an option, a parameter, `@path`) and a provider's input.
            let mut paths = crate::readable::local_files(&plan.arguments);
            if matches!(plan.send, Send::Provider { .. }) {
                paths.extend([&req.image, &req.audio].into_iter().flatten().filter(|p| crate::request::input_url(p).is_none()).cloned());
            }
            for p in paths {
                readable.check(&p)?;
            }
        }
        let label = plan.backend.label();
        opts.emit(GenEvent::Planned { backend: label.clone(), endpoint: plan.endpoint.clone(), warnings: plan.warnings.clone() });
        let stem_base = match (task, &plan.endpoint) {
            // A raw call is named by its endpoint (it has no prompt).
            (GenTask::Call, Some(e)) => format!("call-{}", hfs_core::naming::slug(e)),
            _ => stem(task, req, plan.seed),
        };
        // The record of what was sent (input files by path and hash); it goes into each PNG as the
        // file is written (without the files' own hashes), then whole into the manifest.
        let mut arguments = plan.arguments.clone();
        for (role, path) in [("image", &req.image), ("audio", &req.audio)] {
            if let Some(p) = path
                && let Some((name, _)) = plan.sources.iter().find(|(_, s)| s.get("detail").and_then(Value::as_str) == Some(role))
            {
                match crate::request::input_url(p) {
                    Some(url) => arguments.insert(name.clone(), json!({"url": url})),
                    None => arguments.insert(name.clone(), json!({"path": p, "sha256": sha256_file(p).map_err(|e| io_err(p, e))?})),
                };
            }
        }
        let record_for = |backend: Value, seed: Option<u64>| {
            json!({
                "schema": "hfs.manifest/1",
                "record": "done",
                "task": task,
                "prompt": req.prompt,
                "backend": backend,
                "arguments": arguments,
                "sources": plan.sources,
                "seed": seed,
                "warnings": plan.warnings,
                "fallbacks": fallbacks,
                "started_at": started_at,
                "duration_ms": started.elapsed().as_millis() as u64,
            })
        };
        let (values, saved, text, mut record, seed) = match (&plan.send, client) {
            (Send::Space { args }, Some(client)) => {
                let ep = EndpointRef::Name(plan.endpoint.clone().unwrap_or_default());
                let mut job = client.submit(&ep, args, CallOptions { deadline: opts.timeout, ..Default::default() })?;
                let mut cancelled = false;
                let outputs = loop {
                    match next_unless_cancelled(&mut job, &opts.cancel, &mut cancelled, |j| j.cancel()).await {
                        Some(Event::Completed(o)) => {
                            opts.emit(GenEvent::Received { backend: label.clone() });
                            break o;
                        }
                        Some(Event::Accepted { event_id }) => {
                            opts.emit(GenEvent::Submitted { backend: label.clone(), job_id: Some(event_id) })
                        }
                        Some(Event::Failed(hfs_gradio::Error::Cancelled)) if cancelled => return Err(GenError::Cancelled),
                        Some(Event::Failed(e)) => return Err(e.into()),
                        Some(other) => opts.emit(GenEvent::Gradio { backend: label.clone(), event: other }),
                        None => return Err(hfs_gradio::Error::NoResult.into()),
                    }
                };
                let name = |f: FileSlot| if f.total > 1 { format!("{stem_base}-{}", f.index + 1) } else { stem_base.clone() };
                let labels = client.endpoint(&ep).map(|e| e.output_labels()).unwrap_or_default();
                let seed = seed_in_outputs(&outputs.values, &labels).or(plan.seed);
                let backend_json = json!({
                    "kind": "space",
                    "space": match backend { Backend::Space { space, .. } => space.clone(), _ => String::new() },
                    "endpoint": plan.endpoint,
                    "host": client.base_url().as_str(),
                    "gradio_version": client.config().version,
                });
                let record = record_for(backend_json, seed);
                let chunk = hfs_core::write::png_text_chunk(PNG_KEYWORD, &record.to_string());
                let saved = client.save_outputs_named(&outputs.values, &opts.out_dir, true, &name, Some(&chunk)).await?;
                let text = if task == GenTask::Chat { chat_text(&outputs.values) } else { None }
                    .or_else(|| outputs.values.iter().find_map(|v| v.as_str().map(str::to_string)));
                // Embedded while streaming to disk.
                (saved.outputs, saved.files.into_iter().map(|p| (p, None, true)).collect::<Vec<_>>(), text, record, seed)
            }
            (Send::Provider { params }, _) => {
                let Backend::Provider { model, provider } = backend else { unreachable!("provider plans come from provider backends") };
                let Some(inference) = &self.inference else {
                    return Err(GenError::Usage("no Inference Providers client configured".into()));
                };
                let choice = ProviderChoice::parse(provider.as_deref());
                let mut request = MediaRequest::new(model.clone(), choice).params(params.clone());
                if let Some(p) = &req.prompt {
                    request = request.prompt(p.clone());
                }
                let input = match task {
                    GenTask::Transcribe => req.audio.as_ref(),
                    _ => req.image.as_ref(),
                };
                if let Some(path) = input {
                    if let Some(url) = crate::request::input_url(path) {
                        return Err(GenError::Usage(format!(
                            "{} takes a local input file, not a URL (`{url}`): download it first",
                            backend.label()
                        )));
                    }
                    request = request.input(hfs_inference::InputFile::read(path).await?);
                }
                let job_task = match task {
                    GenTask::Chat => InferenceTask::Chat {
                        request: hfs_inference::ChatRequest {
                            model: model.clone(),
                            provider: ProviderChoice::parse(provider.as_deref()),
                            messages: vec![hfs_inference::ChatMessage::new("user", req.prompt.clone().unwrap_or_default())],
                            max_tokens: None,
                            temperature: None,
                            stream: false,
                            params: params.clone(),
                        },
                    },
                    GenTask::Transcribe => InferenceTask::Transcribe { request },
                    _ => InferenceTask::Media {
                        task: provider_task(task, req.image.is_some()),
                        request,
                        output: OutputSpec::new(&opts.out_dir, stem_base.clone()),
                    },
                };
                let mut job = inference.submit(job_task, hfs_inference::CallOptions { timeout: opts.timeout });
                let mut cancelled = false;
                let outcome = loop {
                    match next_unless_cancelled(&mut job, &opts.cancel, &mut cancelled, |j| j.cancel()).await {
                        Some(JobEvent::Progress(InferenceEvent::Submitted { job_id, .. })) => {
                            opts.emit(GenEvent::Submitted { backend: label.clone(), job_id })
                        }
                        Some(JobEvent::Progress(e)) => opts.emit(GenEvent::Inference { backend: label.clone(), event: e }),
                        Some(JobEvent::Token(_)) => {}
                        Some(JobEvent::Completed(o)) => break o,
                        Some(JobEvent::Failed(hfs_inference::InferenceError::Cancelled)) if cancelled => return Err(GenError::Cancelled),
                        Some(JobEvent::Failed(e)) => return Err(e.into()),
                        None => return Err(GenError::Cancelled),
                    }
                };
                match outcome {
                    Outcome::Media(m) => {
                        let backend_json = json!({"kind": "provider", "model": model, "provider": m.served.provider,
                                            "provider_model": m.served.provider_model, "routed": m.served.routed, "job_id": m.served.job_id});
                        let record = record_for(backend_json, plan.seed);
                        (vec![], vec![(m.file.path.clone(), m.file.mime_type.clone(), false)], None, record, plan.seed)
                    }
                    Outcome::Transcription(t) => {
                        let backend_json = json!({"kind": "provider", "model": model, "provider": t.served.provider,
                                            "provider_model": t.served.provider_model, "routed": t.served.routed, "job_id": t.served.job_id});
                        let record = record_for(backend_json, None);
                        (vec![json!(t.text)], vec![], Some(t.text), record, None)
                    }
                    Outcome::Chat(c) => {
                        let backend_json = json!({"kind": "provider", "model": model, "provider": c.provider,
                                            "provider_model": c.model, "job_id": c.request_id});
                        let record = record_for(backend_json, None);
                        (vec![json!(c.content)], vec![], Some(c.content), record, None)
                    }
                }
            }
            _ => return Err(GenError::Usage("the plan has nothing to send".into())),
        };
        let embedded = record.to_string();
        let mut files = Vec::new();
        for (path, mime, done) in &saved {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
            let mime_type = hfs_core::mime::mime_for(mime.as_deref(), ext);
            // Files another library wrote (a provider's output) get the chunk afterwards.
            if !done && mime_type.as_deref() == Some("image/png") {
                embed_in_png(path, &embedded).map_err(|e| io_err(path, e))?;
            }
            let size = std::fs::metadata(path).map_err(|e| io_err(path, e))?.len();
            let sha256 = sha256_file(path).map_err(|e| io_err(path, e))?;
            files.push(GenFile { path: path.clone(), mime_type, size, sha256 });
        }
        record["files"] = serde_json::to_value(&files).unwrap_or(Value::Null);
        // The manifest records output files; a transcript alone leaves none.
        if !files.is_empty() && !opts.skip_manifest {
            append_record(&opts.out_dir, &record).map_err(|e| io_err(&opts.out_dir, e))?;
        }
        Ok(GenOutcome {
            task,
            backend: plan.backend.clone(),
            plan,
            files,
            seed,
            values,
            text,
            fallbacks: fallbacks.to_vec(),
            duration_ms: started.elapsed().as_millis() as u64,
            record,
        })
    }
}

/// The concurrency a Space's endpoint declares, where its config has it (a `concurrency_limit`
/// on the dependency); ZeroGPU Spaces get one call at a time, since every call spends the
/// caller's quota and the GPU is shared.
fn space_concurrency(client: &Client, endpoint: Option<&str>) -> Option<usize> {
    if client.is_zero_gpu() {
        return Some(1);
    }
    let ep = client.endpoint(&EndpointRef::Name(endpoint?.to_string())).ok()?;
    let deps = client.config().raw.get("dependencies")?.as_array()?;
    let dep = deps.iter().find(|d| d.get("id").and_then(Value::as_u64) == Some(ep.fn_index as u64)).or_else(|| deps.get(ep.fn_index))?;
    dep.get("concurrency_limit").and_then(Value::as_u64).filter(|n| *n > 0).map(|n| n as usize)
}

/// A job's next event; when `cancel` fires first, the job is asked to stop (once) and its events
/// keep coming until it reports the end.
async fn next_unless_cancelled<J: futures::Stream + Unpin>(
    job: &mut J,
    cancel: &CancellationToken,
    cancelled: &mut bool,
    stop: impl Fn(&J),
) -> Option<J::Item> {
    loop {
        tokio::select! {
            ev = job.next() => return ev,
            _ = cancel.cancelled(), if !*cancelled => {
                *cancelled = true;
                stop(job);
            }
        }
    }
}

fn io_err(path: &Path, source: std::io::Error) -> GenError {
    GenError::Output { path: path.display().to_string(), source }
}

/// `{task}-{prompt slug, ≤ 40 chars}-{seed}`.
fn stem(task: GenTask, req: &GenRequest, seed: Option<u64>) -> String {
    let mut s = task.as_str().to_string();
    if let Some(p) = &req.prompt {
        let slug = hfs_core::naming::slug(p);
        let cut: String = slug.chars().take(40).collect();
        let cut = cut.trim_end_matches('-');
        if !cut.is_empty() {
            s.push('-');
            s.push_str(cut);
        }
    }
    if let Some(seed) = seed {
        s.push_str(&format!("-{seed}"));
    }
    s
}

/// The seed an output reports: a number, or text with one number, labelled like a seed.
pub(crate) fn seed_in_outputs(values: &[Value], labels: &[Option<String>]) -> Option<u64> {
    let mut best = None;
    for (v, label) in values.iter().zip(labels) {
        if !label.as_deref().is_some_and(|l| l.to_ascii_lowercase().contains("seed")) {
            continue;
        }
        let n = match v {
            Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
            Value::String(s) => {
                let digits: Vec<&str> = s.split(|c: char| !c.is_ascii_digit()).filter(|d| !d.is_empty()).collect();
                if digits.len() == 1 { digits[0].parse().ok() } else { None }
            }
            _ => None,
        };
        if n.is_some() {
            best = n;
            // A number output wins over a text one.
            if v.is_number() {
                break;
            }
        }
    }
    best
}

/// The answer of a chat turn: a text output, or the last assistant message of a chatbot history
/// (`[{role, content}]` messages or `[[user, bot]]` pairs).
pub(crate) fn chat_text(values: &[Value]) -> Option<String> {
    fn content(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            // 6.x content parts: `[{"type": "text", "text": …}]`.
            Value::Array(parts) => Some(parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("")),
            Value::Object(o) => o.get("text").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
    }
    for v in values.iter().rev() {
        match v {
            Value::String(s) => return Some(s.clone()),
            Value::Array(items) => {
                let last = items.iter().rev().find_map(|m| match m {
                    Value::Object(o) if o.get("role").and_then(Value::as_str) == Some("assistant") => o.get("content").and_then(content),
                    Value::Array(pair) if pair.len() == 2 => content(&pair[1]),
                    _ => None,
                });
                if last.is_some() {
                    return last;
                }
            }
            _ => {}
        }
    }
    None
}

fn provider_task(task: GenTask, with_image: bool) -> Task {
    match (task, with_image) {
        (GenTask::Image, false) => Task::TextToImage,
        (GenTask::Image, true) => Task::ImageToImage,
        (GenTask::Video, false) => Task::TextToVideo,
        (GenTask::Video, true) => Task::ImageToVideo,
        (GenTask::Speech, _) => Task::TextToSpeech,
        (GenTask::Transcribe, _) => Task::SpeechRecognition,
        (GenTask::Chat | GenTask::Call, _) => Task::Chat,
    }
}

/// The plan for a provider: the request's options as the providers' common parameter names.
fn plan_provider(task: GenTask, req: &GenRequest, model: &str, provider: Option<&str>) -> Result<Plan, GenError> {
    let mut plan = Plan {
        backend: Backend::Provider { model: model.into(), provider: provider.map(str::to_string) },
        endpoint: None,
        arguments: Map::new(),
        sources: Map::new(),
        candidates: vec![],
        warnings: vec![],
        seed: None,
        // Providers take any 32-bit seed; several refuse larger ones.
        seed_range: matches!(task, GenTask::Image | GenTask::Video).then_some((0, 2_147_483_647)),
        concurrency: None,
        send: Send::Nothing,
    };
    let mut params = Map::new();
    let put = |plan: &mut Plan, params: &mut Map<String, Value>, k: &str, v: Value, s: Source| {
        params.insert(k.into(), v.clone());
        plan.set(k, v, s);
    };
    if task == GenTask::Call {
        return Err(GenError::Usage(format!("a raw call runs on a Space's endpoint, not on a model ({model})")));
    }
    if let Some(p) = &req.prompt {
        plan.set("prompt", json!(p), Source::Option("prompt".into()));
    } else if task != GenTask::Transcribe {
        // (A chat turn needs its message too.)
        return Err(GenError::Usage(format!("{} needs a prompt", task.as_str())));
    }
    if matches!(task, GenTask::Image | GenTask::Video) {
        // Providers differ on `seed` (some refuse parameters they do not know): sent when asked.
        if let Some(seed) = req.seed {
            plan.seed = Some(seed);
            put(&mut plan, &mut params, "seed", json!(seed), Source::Option("seed".into()));
        }
        let (w, h) = match (req.width, req.height, req.aspect) {
            (Some(w), Some(h), _) => (Some(w), Some(h)),
            (w, h, Some((aw, ah))) if w.is_none() || h.is_none() => {
                let area = 1024.0 * 1024.0;
                let ratio = aw as f64 / ah as f64;
                let wf = (area * ratio).sqrt();
                let snap = |x: f64| ((x / 64.0).round() * 64.0) as u32;
                (Some(w.unwrap_or(snap(wf))), Some(h.unwrap_or(snap(wf / ratio))))
            }
            (w, h, _) => (w, h),
        };
        if let Some(w) = w {
            let source =
                if req.width.is_some() { Source::Option("width".into()) } else { Source::Hfs("width from the aspect ratio".into()) };
            put(&mut plan, &mut params, "width", json!(w), source);
        }
        if let Some(h) = h {
            let source =
                if req.height.is_some() { Source::Option("height".into()) } else { Source::Hfs("height from the aspect ratio".into()) };
            put(&mut plan, &mut params, "height", json!(h), source);
        }
        if let Some(s) = req.steps {
            put(&mut plan, &mut params, "num_inference_steps", json!(s), Source::Option("steps".into()));
        }
        if let Some(g) = req.guidance {
            put(&mut plan, &mut params, "guidance_scale", json!(g), Source::Option("guidance".into()));
        }
        if let Some(n) = &req.negative {
            put(&mut plan, &mut params, "negative_prompt", json!(n), Source::Option("negative".into()));
        }
    }
    for (given, what) in [(req.voice.is_some(), "voice"), (req.language.is_some(), "language"), (req.duration.is_some(), "duration")] {
        if given {
            plan.warnings.push(format!("Inference Providers take no common `{what}` option; pass the provider's own name as a parameter"));
        }
    }
    if task != GenTask::Image && task != GenTask::Video && (req.seed.is_some() || req.steps.is_some() || req.width.is_some()) {
        plan.warnings.push(format!("{} takes no seed, steps or size; they are not sent", task.as_str()));
    }
    for (k, raw) in &req.params {
        let v = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone()));
        put(&mut plan, &mut params, k, v, Source::Param);
    }
    plan.send = Send::Provider { params };
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_task_prompt_and_seed() {
        let req = GenRequest { prompt: Some("A red fox, at dawn!".into()), ..Default::default() };
        assert_eq!(stem(GenTask::Image, &req, Some(7)), "image-a-red-fox-at-dawn-7");
        let long = GenRequest { prompt: Some("word ".repeat(30)), ..Default::default() };
        assert!(stem(GenTask::Image, &long, None).len() <= "image-".len() + 40);
    }

    #[test]
    fn seeds_are_read_from_labelled_outputs() {
        let labels = vec![Some("Generated Images".into()), Some("Seed Used".into()), Some("Seed Number".into())];
        assert_eq!(seed_in_outputs(&[json!([]), json!("Seed: 123"), json!(123)], &labels), Some(123));
        assert_eq!(seed_in_outputs(&[json!([]), json!("Seed: 5")], &labels[..2]), Some(5));
        assert_eq!(seed_in_outputs(&[json!(9)], &[Some("steps".into())]), None);
    }
}
