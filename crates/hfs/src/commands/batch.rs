//! Batches: `-n`, `--prompts`, `--vary`, `--shard` on any generation command, and `hfs resume
//! DIR`. The plan, the manifest and the scheduling are `hfs-batch`'s; this module reads the
//! flags, shows the run (a bar and a line per job on a terminal), prints a line per item done
//! with `--json`, the summary, and maps the outcome to the exit code (0 all done, 1 some failed
//! or left, 130 after Ctrl-C).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use hfs_batch::{BatchEvent, Item, Manifest, RunOptions, Spec, Stop, Summary};
use hfs_generate::{Backend, GenEvent, GenRequest, GenTask, Generator};
use hfs_schema::BatchDoc;

use crate::cli::{BatchArgs, GlobalArgs, InferArgs, ResumeArgs};
use crate::exit::{self, CliError};
use crate::printer::Printer;

/// Whether the flags ask for more than one generation.
pub fn is_batch(b: &BatchArgs) -> bool {
    b.count > 1 || b.prompts.is_some() || !b.vary.is_empty() || b.shard.is_some()
}

/// A new run (or the same plan again: what is done already is skipped).
#[allow(clippy::too_many_arguments)]
pub async fn run_new(
    p: &Printer,
    generator: &Generator,
    batch: &BatchArgs,
    out_dir: &Path,
    task: GenTask,
    base: GenRequest,
    backends: Vec<Backend>,
    timeout: Option<Duration>,
) -> Result<(), CliError> {
    let main = match task {
        GenTask::Transcribe => "audio",
        GenTask::Speech => "text",
        _ => "prompt",
    };
    let lines = match &batch.prompts {
        Some(path) => {
            let text = if path.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| CliError::Usage(format!("cannot read the prompts from stdin: {e}")))?
            } else {
                std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read `{}`: {e}", path.display())))?
            };
            hfs_batch::parse_prompts(&text, main).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?
        }
        None => vec![],
    };
    let vary = batch.vary.iter().map(|v| hfs_batch::parse_vary(v)).collect::<Result<Vec<_>, _>>().map_err(CliError::Usage)?;
    let shard = batch.shard.as_deref().map(hfs_batch::parse_shard).transpose().map_err(CliError::Usage)?;
    let spec = Spec { task, base, backends, lines, vary, n: batch.count };

    // Plan without seeds, check every distinct item against its backend (unknown parameters,
    // bad values: exit 2 before anything is sent) and learn the seed range and concurrency.
    let unseeded = absolute_inputs(spec.items(&vec![None; spec.n as usize])?)?;
    let (range, concurrency) = validate(generator, &unseeded).await?;
    let items = absolute_inputs(spec.items(&hfs_batch::draw_seeds(spec.n, range))?)?;
    let items: Vec<Item> = match shard {
        Some(s) => items.into_iter().filter(|i| i.in_shard(s)).collect(),
        None => items,
    };
    // The run's directory once the plan is sound: bad input leaves nothing behind.
    let (mut manifest, state) = Manifest::open(out_dir)?;
    if state.torn {
        p.note("the manifest's last line was cut short (a crash while writing it); it was dropped");
    }
    let run_id = run_id();
    let (todo, skipped) = hfs_batch::plan(&mut manifest, &state, items, &run_id)?;
    let opts = RunOptions {
        out_dir: out_dir.to_path_buf(),
        jobs: batch.jobs.map(|j| j as usize),
        attempts: batch.attempts,
        max_time: batch.max_time,
        timeout,
        pause_on_quota: todo.len() > 1 || batch.wait_quota,
        concurrency,
        ..Default::default()
    };
    let gallery = batch.gallery;
    finish(p, out_dir, gallery, execute(p, generator, manifest, todo, &state.attempts, skipped, &run_id, opts).await)
}

/// With `--gallery`, the run's page is written whatever the outcome (failures are on it too).
pub(super) fn finish(p: &Printer, dir: &Path, gallery: bool, r: Result<(), CliError>) -> Result<(), CliError> {
    if gallery {
        match hfs_gallery::write(dir) {
            Ok(page) => p.status(&format!("gallery: {}", page.display())),
            Err(e) => p.warn(&format!("the gallery was not written: {e}")),
        }
    }
    r
}

/// `hfs resume DIR`: every planned item not done, as planned.
pub async fn resume(global: &GlobalArgs, p: &Printer, args: &ResumeArgs) -> Result<(), CliError> {
    let shard = args.run.shard.as_deref().map(hfs_batch::parse_shard).transpose().map_err(CliError::Usage)?;
    let (manifest, state) = Manifest::open(&args.dir)?;
    if state.torn {
        p.note("the manifest's last line was cut short (a crash while writing it); it was dropped");
    }
    if state.pipeline.is_some() {
        return super::pipeline::resume(global, p, args, manifest, state).await;
    }
    if state.items.is_empty() {
        return Err(hfs_batch::BatchError::NothingPlanned { dir: args.dir.clone() }.into());
    }
    let in_shard = |i: &&Item| shard.is_none_or(|s| i.in_shard(s));
    let todo: Vec<Item> = state.not_done().filter(in_shard).cloned().collect();
    let skipped = state.items.iter().filter(in_shard).count() - todo.len();
    if todo.is_empty() {
        // Nothing to do: no client to build, nothing to connect to.
        drop(manifest);
        report(p, &args.dir, &Summary { skipped, ..Default::default() });
        if !p.json() && skipped == 0 {
            p.status("nothing to do: no planned item falls in this shard");
        }
        return finish(p, &args.dir, args.run.gallery, Ok(()));
    }
    let mut backends: Vec<Backend> = Vec::new();
    for b in todo.iter().flat_map(|i| &i.backends) {
        if !backends.contains(b) {
            backends.push(b.clone());
        }
    }
    let infer = InferArgs {
        model: None,
        provider: "auto".into(),
        params: vec![],
        timeout: args.run.timeout,
        retries: 3,
        poll_interval: None,
        provider_key: args.run.provider_key.clone(),
        bill_to: args.run.bill_to.clone(),
    };
    let generator = super::generate::generator(global, p, &infer, &backends).await?;
    let opts = RunOptions {
        out_dir: args.dir.clone(),
        jobs: args.run.jobs.map(|j| j as usize),
        attempts: args.run.attempts,
        max_time: args.run.max_time,
        timeout: args.run.timeout,
        pause_on_quota: true,
        ..Default::default()
    };
    finish(p, &args.dir, args.run.gallery, execute(p, &generator, manifest, todo, &state.attempts, skipped, &run_id(), opts).await)
}

pub(super) fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

/// Every item's input files checked and made absolute (per-line files come from the prompts file).
fn absolute_inputs(mut items: Vec<Item>) -> Result<Vec<Item>, CliError> {
    for item in &mut items {
        super::generate::input_files(&mut item.request)?;
    }
    Ok(items)
}

/// Plans the first copy of every distinct item on its first backend, until a backend cannot be
/// reached (the run then waits for it). Returns the first plan's seed range and the backends'
/// declared concurrency.
async fn validate(generator: &Generator, items: &[Item]) -> Result<(Option<(u64, u64)>, HashMap<String, usize>), CliError> {
    let mut range = None;
    let mut first = true;
    let mut concurrency = HashMap::new();
    for item in items.iter().filter(|i| i.copy == 0).take(1000) {
        let backend = &item.backends[0];
        match generator.plan(item.task, &item.request, backend).await {
            Ok(plan) => {
                if first {
                    range = plan.seed_range;
                    first = false;
                }
                if let Some(c) = plan.concurrency {
                    concurrency.insert(backend.label(), c);
                }
            }
            Err(e) if e.class() == hfs_core::ErrorClass::Usage => return Err(e.into()),
            // Unreachable or failing now: the scheduler retries or waits; seeds stay in the
            // common 32-bit range.
            Err(e) => {
                tracing::debug!(error = %e, "cannot plan ahead");
                if first {
                    range = Some((0, 2_147_483_647));
                }
                break;
            }
        }
    }
    Ok((range, concurrency))
}

#[allow(clippy::too_many_arguments)]
async fn execute(
    p: &Printer,
    generator: &Generator,
    manifest: Manifest,
    todo: Vec<Item>,
    attempts: &HashMap<String, u32>,
    skipped: usize,
    run_id: &str,
    opts: RunOptions,
) -> Result<(), CliError> {
    let dir = opts.out_dir.clone();
    let total = todo.len();
    let run = Run { manifest, todo, attempts, planned: &Default::default(), run_id, total, skipped };
    let summary = drive(p, generator, run, opts, &mut hfs_batch::Nothing).await?;
    report(p, &dir, &summary);
    exit_for(&summary)
}

/// The exit of a run that reported itself: 130 after Ctrl-C, 1 when anything failed or is left.
pub(super) fn exit_for(summary: &Summary) -> Result<(), CliError> {
    Err(CliError::Reported(match summary.stopped {
        Some(Stop::Cancelled) => exit::INTERRUPTED,
        _ if !summary.failed.is_empty() || summary.not_run > 0 || !summary.blocked.is_empty() => exit::FAILURE,
        _ => return Ok(()),
    }))
}

/// What a run starts from.
pub(super) struct Run<'a> {
    pub manifest: Manifest,
    pub todo: Vec<Item>,
    pub attempts: &'a HashMap<String, u32>,
    /// Keys the manifest has planned already.
    pub planned: &'a std::collections::HashSet<String>,
    pub run_id: &'a str,
    /// Items the bar counts (a pipeline knows more than it starts with).
    pub total: usize,
    /// Items done already.
    pub skipped: usize,
}

/// Runs the scheduler with the terminal's progress, the `--json` lines and Ctrl-C; the summary
/// back, not reported.
pub(super) async fn drive(
    p: &Printer,
    generator: &Generator,
    run: Run<'_>,
    mut opts: RunOptions,
    follow: &mut dyn hfs_batch::Follow,
) -> Result<Summary, CliError> {
    let dir = opts.out_dir.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    opts.events = Some(tx);
    let cancel = opts.cancel.clone();
    let mut progress = p.batch_progress(run.total);
    let skipped = run.skipped;
    if skipped > 0 {
        progress.log(&format!("{skipped} item(s) already done in {}: skipped", dir.display()));
    }
    let mut out = Output { p, warned: Default::default() };
    let running = hfs_batch::run_following(generator, run.manifest, run.todo, run.attempts, run.planned, run.run_id, &opts, follow);
    tokio::pin!(running);
    let mut ctrl_c = Box::pin(crate::signals::first());
    let mut interrupted = false;
    let summary = loop {
        tokio::select! {
            r = &mut running => break r,
            Some(ev) = rx.recv() => out.event(&mut progress, ev),
            _ = &mut ctrl_c, if !interrupted => {
                interrupted = true;
                progress.log("interrupted: cancelling the calls in flight (Ctrl-C again to quit at once)");
                cancel.cancel();
            }
        }
    };
    while let Ok(ev) = rx.try_recv() {
        out.event(&mut progress, ev);
    }
    progress.clear();
    let mut summary = summary?;
    summary.skipped = skipped;
    Ok(summary)
}

struct Output<'a> {
    p: &'a Printer,
    /// Plan warnings already shown (every item of a run tends to have the same ones).
    warned: std::collections::HashSet<String>,
}

impl Output<'_> {
    fn event(&mut self, progress: &mut crate::progress::BatchProgress, ev: BatchEvent) {
        match ev {
            BatchEvent::Started { item, .. } => progress.start(&item.key, &item.title()),
            BatchEvent::Submitted { item, .. } => progress.job_message(&item.key, "submitted"),
            BatchEvent::Progress { item, event } => match event {
                GenEvent::Gradio { event, .. } => progress.gradio(&item.key, &event),
                GenEvent::Inference { event, .. } => progress.inference(&item.key, &event),
                GenEvent::Planned { warnings, .. } => {
                    for w in warnings {
                        if self.warned.insert(w.clone()) {
                            progress.log(&format!("warning: {w}"));
                        }
                    }
                }
                GenEvent::Received { .. } => progress.job_message(&item.key, "downloading"),
                GenEvent::Submitted { .. } | GenEvent::FallingBack { .. } => {}
            },
            BatchEvent::Retrying { item, backend, error, after } => {
                progress.end(&item.key, false, false);
                progress.log(&format!(
                    "retrying {} on {backend} in {:.1}s: {}",
                    item.key,
                    after.as_secs_f64(),
                    hfs_core::text::one_line(&error)
                ));
            }
            BatchEvent::FellBack { item, from, to, error } => {
                progress.end(&item.key, false, false);
                progress.log(&format!("{}: {from} failed ({}); trying {to}", item.key, hfs_core::text::one_line(&error)));
            }
            BatchEvent::Paused { backend, until, reason } => {
                let left = until.duration_since(std::time::SystemTime::now()).unwrap_or_default();
                progress.log(&format!("{backend}: {reason}; paused for {}", hfs_gradio::fmt_duration(left)));
            }
            BatchEvent::Done { item, outcome } => {
                progress.end(&item.key, true, false);
                if self.p.json() {
                    let mut doc = outcome.doc();
                    doc.item = Some(item.key.clone());
                    doc.step = item.step.clone();
                    // A closed stdout ends the run where it is: the manifest has every step.
                    if self.p.line(&doc).is_err() {
                        std::process::exit(0);
                    }
                } else {
                    let mut text = String::new();
                    if matches!(item.task, GenTask::Transcribe) {
                        text.push_str(&format!("{}\n", outcome.text.as_deref().unwrap_or_default().trim()));
                    }
                    for f in &outcome.files {
                        text.push_str(&format!("{}\n", f.path.display()));
                    }
                    self.p.out(&text);
                }
            }
            BatchEvent::Failed { item, error, last } => {
                progress.end(&item.key, last, true);
                if last {
                    progress.log(&format!("failed: {} ({}): {}", item.key, item.title(), hfs_core::text::one_line(&error)));
                }
            }
        }
    }
}

/// The summary on stderr, and `hfs.batch/1` on stdout with `--json`.
fn report(p: &Printer, dir: &Path, s: &Summary) {
    if p.json() {
        p.doc(&BatchDoc {
            schema: BatchDoc::SCHEMA.into(),
            dir: dir.to_path_buf(),
            done: s.done,
            failed: s.failed.len(),
            skipped: s.skipped,
            not_run: s.not_run,
            duration_ms: s.duration_ms,
            stopped: s.stopped.map(|st| st.as_str().into()),
            failures: s.failed.clone(),
        });
    }
    if s.total == 0 && s.skipped > 0 {
        p.status(&format!("nothing to do: all {} items in {} are done", s.skipped, dir.display()));
        return;
    }
    let secs = s.duration_ms as f64 / 1000.0;
    let rate = if secs > 0.0 { format!(", {:.2} items/s", s.done as f64 / secs) } else { String::new() };
    let mut text = format!("{} done, {} failed, {} skipped as already done", s.done, s.failed.len(), s.skipped);
    if s.not_run > 0 {
        text.push_str(&format!(", {} not run", s.not_run));
    }
    text.push_str(&format!(" in {secs:.1}s{rate}; files and hfs-manifest.jsonl in {}", dir.display()));
    p.status(&text);
    failures_and_how(p, dir, s, "try the failed items again");
}

/// The failed items, then how to finish the run (`retry` says what `hfs resume` would do).
pub(super) fn failures_and_how(p: &Printer, dir: &Path, s: &Summary, retry: &str) {
    for f in &s.failed {
        p.status(&format!(
            "  failed {} ({}) on {} after {} attempt(s): {}",
            f.item,
            f.title,
            f.backend,
            f.attempts,
            hfs_core::text::one_line(&f.message)
        ));
    }
    let how = format!("hfs resume {}", shell_word(&dir.display().to_string()));
    match s.stopped {
        Some(Stop::Cancelled) => p.status(&format!("interrupted: the calls in flight were cancelled and recorded; finish with `{how}`")),
        Some(Stop::MaxTime) => p.status(&format!("stopped at --max-time; finish with `{how}`")),
        None if !s.failed.is_empty() => p.status(&format!("{retry} with `{how}`")),
        None => {}
    }
}

pub(super) fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
