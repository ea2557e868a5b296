//! `image`, `video`, `speech` and `transcribe` on any Space (or provider) through `hfs-generate`:
//! backends from `--space`/`--model`/`--fallback` or the task's defaults, `--explain`, live
//! progress, Ctrl-C, `hfs.generate/1`.

use std::path::{Path, PathBuf};

use hfs_generate::{Backend, GenEvent, GenOptions, GenOutcome, GenRequest, GenTask, Generator, Plan};
use hfs_schema::ExplainDoc;
use serde_json::Value;

use crate::cli::{BatchArgs, ConnectArgs, GenArgs, GlobalArgs, InferArgs};
use crate::exit::CliError;
use crate::printer::Printer;

/// The task's default backends, in order (used when neither `--space` nor `--model` is given,
/// and by `--fallback auto`): the config file's `[defaults]`, else the built-in ones.
pub fn default_backends(task: GenTask) -> Result<Vec<Backend>, CliError> {
    match crate::env::default_backends(task.as_str())? {
        Some(list) => {
            list.iter().map(|b| Backend::parse(b).map_err(|e| CliError::Usage(format!("[defaults] {}: {e}", task.as_str())))).collect()
        }
        None => Ok(builtin_backends(task)),
    }
}

/// The built-in default backends of a task.
pub fn builtin_backends(task: GenTask) -> Vec<Backend> {
    // No endpoint: the built-in presets name it (and the heuristics take over if the Space changed).
    let space = |s: &str| Backend::Space { space: s.into(), endpoint: None };
    let model = |m: &str| Backend::Provider { model: m.into(), provider: None };
    match task {
        GenTask::Image => vec![space("Tongyi-MAI/Z-Image-Turbo"), model("black-forest-labs/FLUX.1-schnell")],
        GenTask::Video => vec![space("alexnasa/ltx-2-TURBO")],
        GenTask::Speech => vec![space("Qwen/Qwen3-TTS"), model("hexgrad/Kokoro-82M")],
        GenTask::Transcribe => vec![model("openai/whisper-large-v3")],
        // Chat without a Space is the `chat` command's chat completion; a raw call names its Space.
        GenTask::Chat | GenTask::Call => vec![],
    }
}

/// The input of one command.
pub struct Input {
    pub task: GenTask,
    pub prompt: Option<String>,
    pub image: Option<PathBuf>,
    pub audio: Option<PathBuf>,
}

pub async fn run(
    global: &GlobalArgs,
    p: &Printer,
    generation: &GenArgs,
    run: &InferArgs,
    batch: &BatchArgs,
    out_dir: &Path,
    input: Input,
) -> Result<(), CliError> {
    let req = request(generation, run, &input)?;
    let backends = backends(generation, run, input.task)?;
    let generator = generator(global, p, run, &backends).await?;
    if super::batch::is_batch(batch) {
        if generation.explain {
            return Err(CliError::Usage("--explain shows one generation's plan; drop -n, --prompts, --vary and --shard".into()));
        }
        return super::batch::run_new(p, &generator, batch, out_dir, input.task, req, backends, run.timeout).await;
    }
    if generation.explain {
        let plan = generator.plan(input.task, &req, &backends[0]).await?;
        return explain(p, &plan);
    }
    loop {
        match generate_once(p, &generator, &req, &backends, run, out_dir, input.task).await {
            // --wait-quota: out of ZeroGPU quota with a known reset, wait for it and go again.
            Err(CliError::Gradio(hfs_gradio::Error::QuotaExceeded { retry_in: Some(d), .. })) if batch.wait_quota => {
                p.status(&format!("out of ZeroGPU quota; it resets in {}: waiting (--wait-quota)", hfs_gradio::fmt_duration(d)));
                tokio::select! {
                    _ = tokio::time::sleep(d + std::time::Duration::from_millis(200)) => {}
                    _ = crate::signals::first() => return Err(CliError::Interrupted),
                }
            }
            r => return r,
        }
    }
}

async fn generate_once(
    p: &Printer,
    generator: &Generator,
    req: &GenRequest,
    backends: &[Backend],
    run: &InferArgs,
    out_dir: &Path,
    task: GenTask,
) -> Result<(), CliError> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let opts = GenOptions {
        out_dir: out_dir.to_path_buf(),
        timeout: run.timeout,
        cancel: Default::default(),
        events: Some(tx),
        skip_manifest: false,
        readable: None,
    };
    let cancel = opts.cancel.clone();
    let mut progress = p.progress("connecting");
    let generating = generator.generate(task, req, backends, &opts);
    tokio::pin!(generating);
    let mut ctrl_c = Box::pin(crate::signals::first());
    let mut interrupted = false;
    let outcome = loop {
        tokio::select! {
            r = &mut generating => break r,
            Some(ev) = rx.recv() => match ev {
                GenEvent::Gradio { event, .. } => progress.gradio(&event),
                GenEvent::Inference { event, .. } => progress.inference(&event),
                GenEvent::Planned { backend, endpoint, warnings } => {
                    for w in warnings {
                        p.warn(&w);
                    }
                    tracing::debug!(%backend, ?endpoint, "planned");
                }
                GenEvent::Submitted { .. } => {}
                GenEvent::Received { .. } => progress.message("downloading the outputs"),
                GenEvent::FallingBack { backend, error, next } => {
                    p.note(&format!("{backend} failed ({}); trying {next}", hfs_core::text::one_line(&error)));
                }
            },
            _ = &mut ctrl_c, if !interrupted => {
                interrupted = true;
                cancel.cancel();
            }
        }
    };
    progress.clear();
    let o = outcome.map_err(|e| if interrupted { CliError::Interrupted } else { CliError::from(e) })?;
    print_outcome(p, &o);
    Ok(())
}

fn request(generation: &GenArgs, run: &InferArgs, input: &Input) -> Result<GenRequest, CliError> {
    let (width, height) = match &generation.size {
        Some(s) => {
            let (w, h) =
                GenRequest::parse_size(s).ok_or_else(|| CliError::Usage(format!("--size takes WxH (e.g. 1344x768), got `{s}`")))?;
            (Some(w), Some(h))
        }
        None => (generation.width, generation.height),
    };
    let aspect = match &generation.aspect {
        Some(a) => Some(GenRequest::parse_aspect(a).ok_or_else(|| CliError::Usage(format!("--aspect takes W:H (e.g. 16:9), got `{a}`")))?),
        None => None,
    };
    let mut params = Vec::new();
    for raw in &run.params {
        let (k, v) = raw
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::Usage(format!("--param takes NAME=VALUE, got `{raw}`")))?;
        params.push((k.trim().to_string(), v.to_string()));
    }
    let mut req = GenRequest {
        prompt: input.prompt.clone(),
        negative: generation.negative.clone(),
        seed: generation.seed,
        width,
        height,
        aspect,
        steps: generation.steps,
        guidance: generation.guidance,
        duration: generation.duration,
        voice: generation.voice.clone(),
        language: generation.language.clone(),
        image: input.image.clone(),
        audio: input.audio.clone(),
        params,
        ..Default::default()
    };
    input_files(&mut req)?;
    Ok(req)
}

/// The request's input files by absolute path (a batch's `hfs resume` finds them from any
/// directory); a missing one is a usage error naming it.
pub fn input_files(req: &mut GenRequest) -> Result<(), CliError> {
    for f in [&mut req.image, &mut req.audio].into_iter().flatten() {
        // A URL is fetched by hfs and uploaded to the Space.
        if hfs_generate::input_url(f).is_some() {
            continue;
        }
        if !f.is_file() {
            return Err(CliError::Usage(format!("no file `{}`", f.display())));
        }
        *f = std::path::absolute(&*f).unwrap_or_else(|_| f.clone());
    }
    Ok(())
}

fn backends(generation: &GenArgs, run: &InferArgs, task: GenTask) -> Result<Vec<Backend>, CliError> {
    let mut list = Vec::new();
    if let Some(s) = &generation.space {
        list.push(Backend::Space { space: s.clone(), endpoint: generation.endpoint.clone() });
    }
    if let Some(m) = run.model.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        let provider = (run.provider != "auto").then(|| run.provider.clone());
        list.push(Backend::Provider { model: m.into(), provider });
    }
    let explicit = !list.is_empty();
    for f in &generation.fallback {
        if f.trim() == "auto" {
            list.extend(default_backends(task)?);
        } else {
            list.push(Backend::parse(f).map_err(|e| CliError::Usage(format!("--fallback: {e}")))?);
        }
    }
    if !explicit && generation.fallback.is_empty() {
        list = default_backends(task)?;
    }
    if list.is_empty() {
        return Err(CliError::Usage("no backend: give --space, --model or --fallback".into()));
    }
    Ok(list)
}

pub async fn generator(global: &GlobalArgs, p: &Printer, run: &InferArgs, backends: &[Backend]) -> Result<Generator, CliError> {
    // A provider client (its own HTTP client, certificates loaded) only when a provider may run.
    generator_for(global, p, run, backends.iter().any(|b| matches!(b, Backend::Provider { .. }))).await
}

/// The generator, with an Inference Providers client when `providers` may run.
pub async fn generator_for(global: &GlobalArgs, p: &Printer, run: &InferArgs, providers: bool) -> Result<Generator, CliError> {
    let connect = ConnectArgs { target: String::new(), auth: None, headers: vec![], wait: std::time::Duration::from_secs(600) };
    let gradio = crate::connect::options(global, p, &connect).await?;
    let inference = match providers {
        true => Some(super::infer::session(global, p, run).await?.client),
        false => None,
    };
    Ok(Generator { gradio, inference, presets: crate::env::presets(p), clients: Default::default() })
}

fn explain(p: &Printer, plan: &Plan) -> Result<(), CliError> {
    if p.json() {
        p.doc(&explain_doc(plan));
        return Ok(());
    }
    p.out(&plan_text(plan));
    Ok(())
}

/// `hfs.explain/1` of a plan.
pub fn explain_doc(plan: &Plan) -> ExplainDoc {
    ExplainDoc {
        schema: ExplainDoc::SCHEMA.into(),
        backend: serde_json::to_value(&plan.backend).unwrap_or(Value::Null),
        endpoint: plan.endpoint.clone(),
        arguments: Value::Object(plan.arguments.clone()),
        sources: Value::Object(plan.sources.clone()),
        candidates: serde_json::to_value(&plan.candidates).unwrap_or(Value::Null),
        warnings: plan.warnings.clone(),
        seed: plan.seed,
    }
}

/// A plan as `--explain` shows it.
pub fn plan_text(plan: &Plan) -> String {
    let mut out = format!("backend:   {}\n", plan.backend.label());
    if let Some(e) = &plan.endpoint {
        out.push_str(&format!("endpoint:  {e}\n"));
    }
    out.push_str("arguments:\n");
    let width = plan.arguments.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    for (k, val) in &plan.arguments {
        let source = plan.sources.get(k).map(source_text).unwrap_or_default();
        out.push_str(&format!("  {k:width$}  {}  ({source})\n", short(val)));
    }
    if plan.candidates.len() > 1 {
        out.push_str("candidates:\n");
        for c in &plan.candidates {
            out.push_str(&format!("  {}  {}\n", c.endpoint, if c.fits { format!("fits (score {})", c.score) } else { c.note.clone() }));
        }
    }
    if !plan.warnings.is_empty() {
        out.push_str("warnings:\n");
        for w in &plan.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}

fn source_text(s: &Value) -> String {
    let from = s.get("from").and_then(Value::as_str).unwrap_or("?");
    match s.get("detail").and_then(Value::as_str) {
        Some("prompt") if from == "option" => "the prompt".into(),
        Some("audio") if from == "option" => "the audio file".into(),
        Some(d) if from == "option" => format!("--{d}"),
        Some(d) => format!("{from}: {d}"),
        None => from.to_string(),
    }
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if s.chars().count() > 60 { format!("{}…", s.chars().take(59).collect::<String>()) } else { s }
}

fn print_outcome(p: &Printer, o: &GenOutcome) {
    if p.json() {
        p.doc(&o.doc());
        return;
    }
    let mut out = String::new();
    if matches!(o.task, GenTask::Transcribe | GenTask::Chat) {
        out.push_str(&format!("{}\n", o.text.as_deref().unwrap_or_default().trim()));
    }
    for f in &o.files {
        out.push_str(&format!("{}\n", f.path.display()));
    }
    p.out(&out);
    let seed = o.seed.map(|s| format!(", seed {s}")).unwrap_or_default();
    let recorded = if o.files.is_empty() { String::new() } else { format!("; recorded in {}", hfs_generate::provenance::MANIFEST) };
    p.status(&format!("made with {}{seed}{recorded}", o.backend.label()));
}
