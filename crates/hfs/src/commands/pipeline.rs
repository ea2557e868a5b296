//! `hfs run PIPELINE.toml`: a pipeline checked whole before anything runs (`hfs-pipeline`), its
//! steps on the batch scheduler with the batch's progress, `--json` lines and Ctrl-C, a summary
//! per step; `hfs resume DIR` of a pipeline run (from the source the manifest keeps).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use hfs_batch::{Manifest, RunOptions, State, Summary, Then};
use hfs_generate::{Backend, GenTask, Generator};
use hfs_pipeline::{Pipeline, Walker};
use hfs_schema::{PipelineDoc, PipelineExplainDoc, PipelineStepCount, PipelineStepPlan};
use serde_json::Value;

use super::batch;
use crate::cli::{GlobalArgs, InferArgs, ResumeArgs, RunArgs, RunFlags};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &RunArgs) -> Result<(), CliError> {
    let path = &args.pipeline;
    let source =
        std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read the pipeline `{}`: {e}", path.display())))?;
    let mut overrides = Vec::new();
    for v in &args.vars {
        let (k, val) = v
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::Usage(format!("--var takes NAME=VALUE, got `{v}`")))?;
        overrides.push((k.trim().to_string(), val.to_string()));
    }
    let base = std::path::absolute(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    let pipeline = compile(&source, &path.display().to_string(), &base, &overrides)?;
    let dir = match &args.output_dir {
        Some(d) => d.clone(),
        None => PathBuf::from(path.file_stem().map(|s| s.to_os_string()).unwrap_or_else(|| "hfs-run".into())),
    };
    let generator = generator(global, p, &args.run, &pipeline).await?;
    if args.explain {
        return explain(p, &generator, &pipeline).await;
    }
    if args.resume && !dir.join(hfs_generate::provenance::MANIFEST).is_file() {
        return Err(CliError::Usage(format!("--resume: `{}` holds no run to continue", dir.display())));
    }
    check(&generator, &pipeline).await?;
    let opened = Manifest::open(&dir)?;
    execute(p, &generator, &pipeline, &dir, &args.run, opened).await
}

/// `hfs resume DIR` where DIR holds a pipeline run: the last pipeline recorded, as it was run.
pub async fn resume(global: &GlobalArgs, p: &Printer, args: &ResumeArgs, manifest: Manifest, state: State) -> Result<(), CliError> {
    let rec = state.pipeline.clone().unwrap_or(Value::Null);
    let source = rec["source"].as_str().unwrap_or_default();
    let name = rec["name"].as_str().unwrap_or("pipeline");
    let base = PathBuf::from(rec["base"].as_str().unwrap_or("."));
    // --var values were applied as text; list vars are the file's own.
    let overrides: Vec<(String, String)> = rec["vars"]
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default();
    let pipeline = compile(source, name, &base, &overrides)?;
    let flags = &args.run;
    let generator = generator(global, p, flags, &pipeline).await?;
    execute(p, &generator, &pipeline, &args.dir, flags, (manifest, state)).await
}

fn compile(source: &str, name: &str, base: &Path, overrides: &[(String, String)]) -> Result<Pipeline, CliError> {
    let mut defaults: HashMap<&'static str, Vec<Backend>> = HashMap::new();
    for t in GenTask::ALL {
        defaults.insert(t.as_str(), super::generate::default_backends(t)?);
    }
    hfs_pipeline::compile(source, name, base, overrides, &|t| defaults.get(t.as_str()).cloned().unwrap_or_default())
        .map_err(|e| CliError::Usage(e.to_string()))
}

async fn generator(global: &GlobalArgs, p: &Printer, flags: &RunFlags, pipeline: &Pipeline) -> Result<Generator, CliError> {
    let backends: Vec<Backend> = pipeline.steps.iter().flat_map(|s| s.backends.clone()).collect();
    let infer = InferArgs {
        model: None,
        provider: "auto".into(),
        params: vec![],
        timeout: flags.timeout,
        retries: 3,
        poll_interval: None,
        provider_key: flags.provider_key.clone(),
        bill_to: flags.bill_to.clone(),
    };
    super::generate::generator(global, p, &infer, &backends).await
}

/// The line of `[steps.NAME]` in the file.
fn step_line(pipeline: &Pipeline, step: &str) -> Option<usize> {
    let header = format!("[steps.{step}]");
    pipeline.source.lines().position(|l| l.trim() == header).map(|i| i + 1)
}

/// Every step planned on its first backend before anything runs: a parameter the Space does not
/// have, a value it refuses, an endpoint it lacks are usage errors now, not after an hour of
/// earlier steps. A backend that cannot be reached is left to the run (it waits for it).
async fn check(generator: &Generator, pipeline: &Pipeline) -> Result<(), CliError> {
    let mut problems = Vec::new();
    for step in &pipeline.steps {
        let req = pipeline.preview(step);
        // A file parameter filled from another step's output cannot be checked before it exists.
        let waits_for_file = req.params.iter().map(|(_, v)| v).chain(&req.positional).any(|v| v.starts_with("<steps."));
        match generator.plan(step.task, &req, &step.backends[0]).await {
            Ok(_) => {}
            Err(hfs_generate::GenError::Gradio(hfs_gradio::Error::InvalidValue { .. })) if waits_for_file => {}
            Err(e) if e.class() == hfs_core::ErrorClass::Usage => {
                let at = step_line(pipeline, &step.name).map(|l| format!("{}:{l}: ", pipeline.name)).unwrap_or_default();
                problems.push(format!("{at}step `{}` on {}: {e}", step.name, step.backends[0].label()));
            }
            Err(e) => tracing::debug!(step = %step.name, error = %e, "cannot plan ahead"),
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(CliError::Usage(problems.join("\n"))) }
}

async fn explain(p: &Printer, generator: &Generator, pipeline: &Pipeline) -> Result<(), CliError> {
    let instances = pipeline.instances().len() as u64;
    let mut steps = Vec::new();
    for step in &pipeline.steps {
        let (plan, note) = match generator.plan(step.task, &pipeline.preview(step), &step.backends[0]).await {
            Ok(plan) => (Some(plan), None),
            Err(e) => (None, Some(e.to_string())),
        };
        steps.push((step, plan, note));
    }
    let vars: serde_json::Map<String, Value> =
        pipeline.vars.iter().map(|v| (v.name.clone(), if v.list { Value::Array(v.values.clone()) } else { v.values[0].clone() })).collect();
    if p.json() {
        p.doc(&PipelineExplainDoc {
            schema: PipelineExplainDoc::SCHEMA.into(),
            pipeline: pipeline.name.clone(),
            instances,
            vars: Value::Object(vars),
            steps: steps
                .iter()
                .map(|(s, plan, note)| PipelineStepPlan {
                    step: s.name.clone(),
                    task: s.task.as_str().into(),
                    backends: s.backends.iter().map(Backend::label).collect(),
                    after: s.after.clone(),
                    n: s.n,
                    runs: instances * pipeline.runs_per_instance(&s.name),
                    plan: plan.as_ref().map(|pl| {
                        let mut v = serde_json::to_value(super::generate::explain_doc(pl)).unwrap_or(Value::Null);
                        if let Some(o) = v.as_object_mut() {
                            o.remove("schema");
                        }
                        v
                    }),
                    note: note.clone(),
                })
                .collect(),
        });
        return Ok(());
    }
    let lists: Vec<String> = pipeline.vars.iter().filter(|v| v.list).map(|v| format!("{} × {}", v.name, v.values.len())).collect();
    let mut out = format!(
        "{}: {} step(s), {instances} instance(s){}\n",
        pipeline.name,
        pipeline.steps.len(),
        if lists.is_empty() { String::new() } else { format!(" ({})", lists.join(", ")) }
    );
    for (s, plan, note) in &steps {
        let runs = instances * pipeline.runs_per_instance(&s.name);
        out.push_str(&format!(
            "\n[{}] {} · runs {runs}{} · after {}\n",
            s.name,
            s.task.as_str(),
            if s.n > 1 { format!(" (n = {})", s.n) } else { String::new() },
            if s.after.is_empty() { "nothing (starts at once)".to_string() } else { s.after.join(", ") }
        ));
        if s.backends.len() > 1 {
            let rest: Vec<String> = s.backends[1..].iter().map(Backend::label).collect();
            out.push_str(&format!("fallback:  {}\n", rest.join(", ")));
        }
        match (plan, note) {
            (Some(plan), _) => out.push_str(&super::generate::plan_text(plan)),
            (None, Some(n)) => {
                out.push_str(&format!("backend:   {}\nno plan yet: {}\n", s.backends[0].label(), hfs_core::text::one_line(n)))
            }
            (None, None) => {}
        }
    }
    p.out(&out);
    Ok(())
}

async fn execute(
    p: &Printer,
    generator: &Generator,
    pipeline: &Pipeline,
    dir: &Path,
    flags: &RunFlags,
    (mut manifest, state): (Manifest, State),
) -> Result<(), CliError> {
    if state.torn {
        p.note("the manifest's last line was cut short (a crash while writing it); it was dropped");
    }
    let shard = flags.shard.as_deref().map(hfs_batch::parse_shard).transpose().map_err(CliError::Usage)?;
    let records: Vec<Value> = hfs_batch::manifest::records(dir)?.into_iter().map(|(_, r)| r).collect();
    let record = pipeline.record();
    let same = |r: &Value| r["source"] == record["source"] && r["vars"] == record["vars"];
    if !records.iter().rev().find(|r| r["record"] == "pipeline").is_some_and(same) {
        manifest.append(&record)?;
    }
    let run_id = batch::run_id();
    let mut walker = Walker::new(pipeline, dir, &records, shard);
    let mut planned: HashSet<String> = state.items.iter().map(|i| i.key.clone()).collect();
    let (mut todo, mut first_skips) = (Vec::new(), Vec::new());
    for then in walker.start() {
        match then {
            Then::Run(item) => todo.push(item),
            Then::Skip(s) => {
                manifest.append(&hfs_batch::skipped_record(&s, &run_id))?;
                first_skips.push(s);
            }
        }
    }
    let new: Vec<&hfs_batch::Item> = todo.iter().filter(|i| !planned.contains(&i.key)).collect();
    if !new.is_empty() {
        manifest.plan(&new, &run_id)?;
    }
    planned.extend(todo.iter().map(|i| i.key.clone()));
    let instances = walker.instance_keys().len() as u64;
    let expected: u64 = pipeline.steps.iter().map(|s| instances * pipeline.runs_per_instance(&s.name)).sum();
    let already = walker.already_done;
    let total = (expected as usize).saturating_sub(already).max(todo.len());
    let opts = RunOptions {
        out_dir: dir.to_path_buf(),
        jobs: flags.jobs.map(|j| j as usize),
        attempts: flags.attempts,
        max_time: flags.max_time,
        timeout: flags.timeout,
        pause_on_quota: true,
        ..Default::default()
    };
    let run = batch::Run { manifest, todo, attempts: &state.attempts, planned: &planned, run_id: &run_id, total, skipped: 0 };
    let mut summary = batch::drive(p, generator, run, opts, &mut walker).await?;
    first_skips.append(&mut summary.blocked);
    summary.blocked = first_skips;
    summary.skipped = already;
    report(p, dir, pipeline, &walker, &summary);
    batch::finish(p, dir, flags.gallery, batch::exit_for(&summary))
}

/// Per step, then the whole run, on stderr; `hfs.pipeline/1` on stdout with `--json`.
fn report(p: &Printer, dir: &Path, pipeline: &Pipeline, walker: &Walker<'_>, s: &Summary) {
    let count = |m: &HashMap<String, usize>, k: &str| m.get(k).copied().unwrap_or(0);
    let steps: Vec<PipelineStepCount> = pipeline
        .steps
        .iter()
        .map(|st| PipelineStepCount {
            step: st.name.clone(),
            task: st.task.as_str().into(),
            done: count(&s.done_by_step, &st.name),
            failed: count(&s.failed_by_step, &st.name),
            skipped: s.blocked.iter().filter(|b| b.step == st.name).count(),
        })
        .collect();
    if p.json() {
        p.doc(&PipelineDoc {
            schema: PipelineDoc::SCHEMA.into(),
            dir: dir.to_path_buf(),
            pipeline: pipeline.name.clone(),
            done: s.done,
            failed: s.failed.len(),
            skipped: s.blocked.len(),
            already_done: s.skipped,
            not_run: s.not_run,
            duration_ms: s.duration_ms,
            stopped: s.stopped.map(|st| st.as_str().into()),
            steps: steps.clone(),
            failures: s.failed.clone(),
            skips: s.blocked.clone(),
        });
    }
    if s.total == 0 && s.blocked.is_empty() && s.skipped > 0 && s.stopped.is_none() {
        p.status(&format!("nothing to do: all {} items of {} in {} are done", s.skipped, pipeline.name, dir.display()));
        return;
    }
    let per_step: Vec<String> = steps
        .iter()
        .map(|c| {
            let mut t = format!("{} {} done", c.step, c.done + walker.already_by_step.get(&c.step).copied().unwrap_or(0));
            if c.failed > 0 {
                t.push_str(&format!(", {} failed", c.failed));
            }
            if c.skipped > 0 {
                t.push_str(&format!(", {} skipped", c.skipped));
            }
            t
        })
        .collect();
    p.status(&per_step.join(" · "));
    let secs = s.duration_ms as f64 / 1000.0;
    let mut text =
        format!("{} done, {} failed, {} skipped (an input failed), {} already done", s.done, s.failed.len(), s.blocked.len(), s.skipped);
    if s.not_run > 0 {
        text.push_str(&format!(", {} not run", s.not_run));
    }
    text.push_str(&format!(" in {secs:.1}s; files and hfs-manifest.jsonl in {}", dir.display()));
    p.status(&text);
    for b in s.blocked.iter().take(20) {
        p.status(&format!("  skipped {}: {}", b.step, hfs_core::text::one_line(&b.reason)));
    }
    if s.blocked.len() > 20 {
        p.status(&format!("  … and {} more skipped", s.blocked.len() - 20));
    }
    batch::failures_and_how(p, dir, s, "try the failed steps (and what they feed) again");
}
