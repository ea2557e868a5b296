//! The scheduler: items run concurrently within a global limit and per-backend lanes; failures
//! are retried, waited out, moved to a fallback backend or recorded final, by the shared core's
//! error classes; every step is in the manifest before the next one starts.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use hfs_core::Action;
use hfs_generate::{Attempt, Backend, GenError, GenEvent, GenOptions, GenOutcome, Generator};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::BatchError;
use crate::manifest::now as unix_now;
use crate::manifest::{Manifest, SCHEMA};
use crate::spec::Item;

/// How a run runs.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Where files go (the manifest's directory).
    pub out_dir: PathBuf,
    /// Calls in flight at most (`None`: sized to the backends).
    pub jobs: Option<usize>,
    /// Attempts per item that count (a backend that is unreachable or out of quota is waited
    /// for without spending them).
    pub attempts: u32,
    /// The whole run stops (in-flight calls cancelled and recorded) after this long.
    pub max_time: Option<Duration>,
    /// Per attempt.
    pub timeout: Option<Duration>,
    /// How long an item waits for a backend it cannot reach (a Space restarting, the network
    /// gone) before it fails.
    pub wait: Duration,
    /// Out of ZeroGPU quota with no fallback: pause the backend until the reset (a run of
    /// several items; or one item when asked) instead of failing the item.
    pub pause_on_quota: bool,
    pub cancel: CancellationToken,
    pub events: Option<UnboundedSender<BatchEvent>>,
    /// The concurrency a backend declared (by [`Backend::label`]), where known.
    pub concurrency: HashMap<String, usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            out_dir: PathBuf::from("."),
            jobs: None,
            attempts: 4,
            max_time: None,
            timeout: None,
            wait: Duration::from_secs(600),
            pause_on_quota: true,
            cancel: CancellationToken::new(),
            events: None,
            concurrency: HashMap::new(),
        }
    }
}

/// What a run reports as it goes.
#[derive(Debug)]
pub enum BatchEvent {
    Started {
        item: Arc<Item>,
        backend: String,
        attempt: u32,
    },
    /// The backend accepted the call (the `started` record is written).
    Submitted {
        item: Arc<Item>,
        backend: String,
        job_id: Option<String>,
    },
    /// What the generation reports (queue position, progress, logs).
    Progress {
        item: Arc<Item>,
        event: GenEvent,
    },
    Retrying {
        item: Arc<Item>,
        backend: String,
        error: String,
        after: Duration,
    },
    FellBack {
        item: Arc<Item>,
        from: String,
        to: String,
        error: String,
    },
    /// A backend takes nothing until `until` (a quota reset, a rate limit, a restart).
    Paused {
        backend: String,
        until: std::time::SystemTime,
        reason: String,
    },
    Done {
        item: Arc<Item>,
        outcome: Box<GenOutcome>,
    },
    /// An attempt failed; `last`: the item failed for good (else it is retried, waits, moves on,
    /// or is left for `resume` because the run is stopping).
    Failed {
        item: Arc<Item>,
        error: String,
        last: bool,
    },
}

/// Why a run stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    Cancelled,
    MaxTime,
}

impl Stop {
    /// As `hfs.batch/1` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Cancelled => "cancelled",
            Stop::MaxTime => "max_time",
        }
    }
}

/// An item that failed for good (this run): the `hfs.batch/1` type itself, so the summary a
/// caller gets is the one the CLI prints.
pub type Failure = hfs_schema::BatchFailure;

/// A step not run because an input it takes failed.
pub type Skipped = hfs_schema::PipelineSkip;

/// What comes after an item in a run whose work grows as it goes (a pipeline's later steps).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // most are `Run`s, moved straight into a queue
pub enum Then {
    /// Run this item (planned first if the manifest does not have it yet).
    Run(Item),
    /// Record that this will not run.
    Skip(Skipped),
}

/// Told when items end, it says what runs next. A plain batch has nothing after its items.
pub trait Follow {
    /// `item` is done; `record` is its `done` record as written (files, seed, text, values).
    fn done(&mut self, item: &Item, record: &Value) -> Vec<Then>;
    /// `item` failed for good (this run): what will not run because of it.
    fn failed(&mut self, item: &Item, reason: &str) -> Vec<Then>;
}

/// Nothing after any item.
pub struct Nothing;

impl Follow for Nothing {
    fn done(&mut self, _: &Item, _: &Value) -> Vec<Then> {
        vec![]
    }
    fn failed(&mut self, _: &Item, _: &str) -> Vec<Then> {
        vec![]
    }
}

/// How a run ended.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Summary {
    /// Items this run was asked to finish.
    pub total: usize,
    pub done: usize,
    pub failed: Vec<Failure>,
    /// Items already done in the manifest (not run again).
    pub skipped: usize,
    /// Items left unfinished because the run stopped.
    pub not_run: usize,
    pub stopped: Option<Stop>,
    pub duration_ms: u64,
    /// Steps not run because an input failed (pipelines).
    pub blocked: Vec<Skipped>,
    /// Items done by this run, by step (pipelines).
    pub done_by_step: HashMap<String, usize>,
    /// Items failed for good in this run, by step (pipelines).
    pub failed_by_step: HashMap<String, usize>,
}

/// The `skipped` record of a step that will not run.
pub fn skipped_record(s: &Skipped, run_id: &str) -> Value {
    json!({
        "schema": SCHEMA, "record": "skipped", "step": s.step, "group": s.group, "because": s.because,
        "reason": s.reason, "run": run_id, "at": unix_now(),
    })
}

/// One item on its way: which backend it is on, its attempts, when it may go again.
struct Work {
    /// This attempt's number in the run (to match its `Received` signal).
    ticket: u64,
    item: Arc<Item>,
    backend: usize,
    /// The lane of that backend (its [`Backend::label`]).
    lane: String,
    /// The last attempt number recorded for this item (across runs).
    attempt: u32,
    /// Attempts spent in this run that count against [`RunOptions::attempts`].
    counted: u32,
    not_before: Option<Instant>,
    unreachable_since: Option<Instant>,
    fallbacks: Vec<Attempt>,
}

impl Work {
    fn new(item: Item, attempt: u32) -> Work {
        let lane = item.backends[0].label();
        Work {
            ticket: 0,
            item: Arc::new(item),
            backend: 0,
            lane,
            attempt,
            counted: 0,
            not_before: None,
            unreachable_since: None,
            fallbacks: vec![],
        }
    }

    fn backend(&self) -> &Backend {
        &self.item.backends[self.backend]
    }

    fn has_next(&self) -> bool {
        self.backend + 1 < self.item.backends.len()
    }

    /// On to the next backend, noting why the last one was left.
    fn fall_back(&mut self, why: String) {
        self.fallbacks.push(Attempt { backend: self.lane.clone(), error: why });
        self.backend += 1;
        self.lane = self.backend().label();
        self.counted = 0;
        self.not_before = None;
    }
}

/// One backend's share of the run: its queue of items (in plan order; retries in front) and
/// how many of them it may run at once.
struct Lane {
    queue: VecDeque<Work>,
    limit: usize,
    running: usize,
    paused_until: Option<Instant>,
    /// Paused for quota (items with a fallback move on instead of waiting).
    quota: bool,
    backoff: Duration,
}

impl Lane {
    /// Paused until a ZeroGPU quota resets.
    fn out_of_quota(&self) -> bool {
        self.quota && self.paused_until.is_some_and(|t| t > Instant::now())
    }
}

/// Appends `planned` records for the items the manifest does not have yet and returns the ones
/// to run (not done) and how many are done already.
pub fn plan(manifest: &mut Manifest, state: &crate::State, items: Vec<Item>, run: &str) -> Result<(Vec<Item>, usize), BatchError> {
    let known: std::collections::HashSet<&str> = state.items.iter().map(|i| i.key.as_str()).collect();
    let new: Vec<&Item> = items.iter().filter(|i| !known.contains(i.key.as_str())).collect();
    if !new.is_empty() {
        manifest.plan(&new, run)?;
    }
    let before = items.len();
    let todo: Vec<Item> = items.into_iter().filter(|i| !state.done.contains(&i.key)).collect();
    let skipped = before - todo.len();
    Ok((todo, skipped))
}

/// Runs `items` to the end (or until cancelled or out of time), recording every step in
/// `manifest`. `attempts` holds the attempts already recorded per key (from an earlier run).
pub async fn run(
    generator: &Generator,
    manifest: Manifest,
    items: Vec<Item>,
    attempts: &HashMap<String, u32>,
    run_id: &str,
    opts: &RunOptions,
) -> Result<Summary, BatchError> {
    run_following(generator, manifest, items, attempts, &Default::default(), run_id, opts, &mut Nothing).await
}

/// [`run`], with `follow` told as items end and the items it returns run too (planned first
/// unless `planned` has their key): a pipeline's DAG, each step starting as soon as what it takes
/// exists. Items of pipeline steps get their outputs (`values`, `text`) in their `done` record,
/// so a later run can resolve what they feed without calling anything.
#[allow(clippy::too_many_arguments)]
pub async fn run_following(
    generator: &Generator,
    manifest: Manifest,
    items: Vec<Item>,
    attempts: &HashMap<String, u32>,
    planned: &std::collections::HashSet<String>,
    run_id: &str,
    opts: &RunOptions,
    follow: &mut dyn Follow,
) -> Result<Summary, BatchError> {
    let mut planned = planned.clone();
    let started = Instant::now();
    let manifest = Mutex::new(manifest);
    let mut summary = Summary { total: items.len(), ..Default::default() };
    let global = opts.jobs.unwrap_or(16).max(1);
    let mut lanes: HashMap<String, Lane> = HashMap::new();
    // Lanes in the order they appeared: each round of starting gives every lane a turn.
    let mut order: Vec<String> = Vec::new();
    for item in items {
        let attempt = attempts.get(&item.key).copied().unwrap_or(0);
        enqueue(&mut lanes, &mut order, Work::new(item, attempt), false, opts, global);
    }
    let halt = CancellationToken::new();
    let deadline = opts.max_time.and_then(|d| Instant::now().checked_add(d));
    let mut running = FuturesUnordered::new();
    // Attempts whose backend is done (outputs arrived) while their files download: they no longer
    // hold a backend slot, so the backend gets its next call without waiting for our disk.
    let (released_tx, mut released_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let mut released: std::collections::HashSet<u64> = Default::default();
    let mut tickets = 0u64;
    let emit = |e: BatchEvent| {
        if let Some(tx) = &opts.events {
            let _ = tx.send(e);
        }
    };
    let record = |v: Value| manifest.lock().unwrap_or_else(|e| e.into_inner()).append(&v);
    // What an item's end brings: new items planned and queued, skips recorded.
    let mut absorb = |thens: Vec<Then>, lanes: &mut HashMap<String, Lane>, order: &mut Vec<String>, summary: &mut Summary| {
        for then in thens {
            match then {
                Then::Run(item) => {
                    if planned.insert(item.key.clone()) {
                        manifest.lock().unwrap_or_else(|e| e.into_inner()).plan(&[&item], run_id)?;
                    }
                    summary.total += 1;
                    let attempt = attempts.get(&item.key).copied().unwrap_or(0);
                    enqueue(lanes, order, Work::new(item, attempt), false, opts, global);
                }
                Then::Skip(s) => {
                    record(skipped_record(&s, run_id))?;
                    summary.blocked.push(s);
                }
            }
        }
        Ok::<(), BatchError>(())
    };

    loop {
        // Start what may start, a lane at a time (each in plan order), within the global limit
        // (calls on backends; downloads in flight are bounded at as many again) and each lane's.
        // Only the front of a lane's queue is looked at: the work per event does not grow with
        // the size of the run.
        let now = Instant::now();
        'fill: loop {
            let mut started_one = false;
            for label in &order {
                if halt.is_cancelled() || running.len() - released.len() >= global || running.len() >= 2 * global {
                    break 'fill;
                }
                let lane = lanes.get_mut(label).expect("every lane in the order exists");
                if lane.running >= lane.limit || lane.paused_until.is_some_and(|t| t > now) {
                    continue;
                }
                let Some(pos) = lane.queue.iter().position(|w| w.not_before.is_none_or(|t| t <= now)) else { continue };
                let mut w = lane.queue.remove(pos).expect("position is in range");
                lane.running += 1;
                w.attempt += 1;
                tickets += 1;
                w.ticket = tickets;
                let backend = w.backend().clone();
                emit(BatchEvent::Started { item: w.item.clone(), backend: w.lane.clone(), attempt: w.attempt });
                let (ticket, label) = (w.ticket, w.lane.clone());
                let fut = Box::pin(attempt(generator, w, backend, opts, halt.child_token(), &manifest, run_id, released_tx.clone()));
                running.push(Attempting { ticket, label, fut });
                started_one = true;
            }
            if !started_one {
                break;
            }
        }
        if running.is_empty() && (halt.is_cancelled() || lanes.values().all(|l| l.queue.is_empty())) {
            break;
        }
        // Wake for the first lane or item that becomes ready, if nothing finishes first: a paused
        // lane's end, or the first retry due at the front of a lane with room.
        let wake = lanes
            .values()
            .filter(|l| !l.queue.is_empty())
            .filter_map(|l| match l.paused_until {
                Some(t) if t > now => Some(t),
                _ if l.running < l.limit => l.queue.iter().map_while(|w| w.not_before).min(),
                _ => None,
            })
            .min();
        tokio::select! {
            Some((mut w, result)) = running.next(), if !running.is_empty() => {
                let label = w.lane.clone();
                if !released.remove(&w.ticket)
                    && let Some(lane) = lanes.get_mut(&label)
                {
                    lane.running -= 1;
                }
                match result {
                    Ok(outcome) => {
                        let mut rec = outcome.record.clone();
                        rec["item"] = json!(w.item.key);
                        rec["attempt"] = json!(w.attempt);
                        rec["run"] = json!(run_id);
                        if rec.get("files").is_none_or(|f| f.as_array().is_some_and(Vec::is_empty)) && outcome.text.is_some() {
                            rec["text"] = json!(outcome.text);
                        }
                        if !w.fallbacks.is_empty() {
                            rec["fallbacks"] = serde_json::to_value(&w.fallbacks).unwrap_or(Value::Null);
                        }
                        if let Some(step) = &w.item.step {
                            // What later steps take from it, kept for a resume.
                            rec["step"] = json!(step);
                            rec["text"] = json!(outcome.text);
                            rec["values"] = Value::Array(outcome.values.clone());
                            *summary.done_by_step.entry(step.clone()).or_default() += 1;
                        }
                        record(rec.clone())?;
                        if let Some(lane) = lanes.get_mut(&label) {
                            lane.backoff = Duration::ZERO;
                        }
                        summary.done += 1;
                        emit(BatchEvent::Done { item: w.item.clone(), outcome: Box::new(outcome) });
                        let thens = follow.done(&w.item, &rec);
                        absorb(thens, &mut lanes, &mut order, &mut summary)?;
                    }
                    Err(e) => {
                        let decision = decide(&e, &mut w, &mut lanes, opts, halt.is_cancelled());
                        hand_on_if_out_of_quota(&mut lanes, &mut order, &label, opts, global);
                        let last = matches!(decision, Next::Fail);
                        record(json!({
                            "schema": SCHEMA, "record": "failed", "item": w.item.key, "attempt": w.attempt, "run": run_id,
                            "backend": label, "class": class_name(&e), "message": e.to_string(),
                            "final": last, "at": unix_now(),
                        }))?;
                        emit(BatchEvent::Failed { item: w.item.clone(), error: e.to_string(), last });
                        match decision {
                            Next::Stopped => summary.not_run += 1,
                            Next::Fail => {
                                summary.failed.push(Failure {
                                    item: w.item.key.clone(),
                                    title: w.item.title(),
                                    backend: label,
                                    class: class_name(&e).into(),
                                    message: e.to_string(),
                                    attempts: w.attempt,
                                });
                                if let Some(step) = &w.item.step {
                                    *summary.failed_by_step.entry(step.clone()).or_default() += 1;
                                }
                                let thens = follow.failed(&w.item, &hfs_core::text::one_line(&e.to_string()));
                                absorb(thens, &mut lanes, &mut order, &mut summary)?;
                            }
                            Next::Retry(after) => {
                                emit(BatchEvent::Retrying { item: w.item.clone(), backend: label, error: e.to_string(), after });
                                w.not_before = Some(Instant::now() + after);
                                enqueue(&mut lanes, &mut order, w, true, opts, global);
                            }
                            Next::Pause { until, reason } => {
                                emit(BatchEvent::Paused { backend: label, until: std::time::SystemTime::now() + until.saturating_duration_since(Instant::now()), reason });
                                enqueue(&mut lanes, &mut order, w, true, opts, global);
                            }
                            Next::FallBack => {
                                let to = w.item.backends[w.backend + 1].label();
                                emit(BatchEvent::FellBack { item: w.item.clone(), from: label, to, error: e.to_string() });
                                w.fall_back(e.to_string());
                                enqueue(&mut lanes, &mut order, w, true, opts, global);
                            }
                        }
                    }
                }
            }
            Some(ticket) = released_rx.recv() => {
                // Only an attempt still running holds a slot to give back.
                let label = running.iter().find_map(|f: &Attempting<'_>| (f.ticket == ticket).then(|| f.label.clone()));
                if let Some(label) = label
                    && released.insert(ticket)
                    && let Some(lane) = lanes.get_mut(&label)
                {
                    lane.running = lane.running.saturating_sub(1);
                }
            }
            _ = sleep_until(wake), if wake.is_some() && !halt.is_cancelled() => {}
            _ = opts.cancel.cancelled(), if !halt.is_cancelled() => {
                summary.stopped = Some(Stop::Cancelled);
                halt.cancel();
            }
            _ = sleep_until(deadline), if deadline.is_some() && !halt.is_cancelled() => {
                summary.stopped = Some(Stop::MaxTime);
                halt.cancel();
            }
        }
    }
    summary.not_run += lanes.values().map(|l| l.queue.len()).sum::<usize>();
    summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => futures::future::pending().await,
    }
}

fn lane_for<'a>(lanes: &'a mut HashMap<String, Lane>, w: &Work, opts: &RunOptions, global: usize) -> &'a mut Lane {
    lanes.entry(w.lane.clone()).or_insert_with(|| {
        let declared = opts.concurrency.get(&w.lane).copied();
        let default = match w.backend() {
            // Gradio runs one call per endpoint at a time unless the app says otherwise; two in
            // flight keep the next one queued behind the running one.
            Backend::Space { .. } => declared.unwrap_or(2),
            Backend::Provider { .. } => declared.unwrap_or(4),
        };
        // The first backend gets `-j` as asked; fallbacks keep their own (smaller) default.
        let limit = match opts.jobs {
            // Asked for: -j wins over a declared limit (the app queues the rest).
            Some(j) if w.backend == 0 => j,
            Some(j) => default.min(j),
            None => default,
        };
        Lane {
            queue: VecDeque::new(),
            limit: limit.clamp(1, global),
            running: 0,
            paused_until: None,
            quota: false,
            backoff: Duration::ZERO,
        }
    })
}

/// Puts `w` in its lane's queue (in front: a retry keeps its place in the plan). A lane out of
/// quota sends an item that has a fallback straight on to it.
fn enqueue(lanes: &mut HashMap<String, Lane>, order: &mut Vec<String>, mut w: Work, front: bool, opts: &RunOptions, global: usize) {
    loop {
        if !lanes.contains_key(&w.lane) {
            order.push(w.lane.clone());
        }
        let lane = lane_for(lanes, &w, opts, global);
        if lane.out_of_quota() && w.has_next() {
            w.fall_back("out of quota (paused)".into());
            continue;
        }
        if front {
            lane.queue.push_front(w);
        } else {
            lane.queue.push_back(w);
        }
        return;
    }
}

/// When `label` is out of quota, the items waiting in it that have a fallback move on to it.
fn hand_on_if_out_of_quota(lanes: &mut HashMap<String, Lane>, order: &mut Vec<String>, label: &str, opts: &RunOptions, global: usize) {
    let Some(lane) = lanes.get_mut(label) else { return };
    if !(lane.out_of_quota() && lane.queue.iter().any(Work::has_next)) {
        return;
    }
    let queue = std::mem::take(&mut lane.queue);
    for w in queue {
        // Those without one stay, in order; the others go to their next backend's lane.
        enqueue(lanes, order, w, false, opts, global);
    }
}

/// What to do after a failed attempt.
enum Next {
    Retry(Duration),
    Pause {
        until: Instant,
        reason: String,
    },
    FallBack,
    Fail,
    /// The run is stopping: recorded, not final, left for `resume`.
    Stopped,
}

fn decide(e: &GenError, w: &mut Work, lanes: &mut HashMap<String, Lane>, opts: &RunOptions, halting: bool) -> Next {
    if halting || matches!(e, GenError::Cancelled) {
        return Next::Stopped;
    }
    let has_next = w.has_next();
    let mut lane = lanes.get_mut(&w.lane);
    let now = Instant::now();
    if let Some(reset) = quota_reset(e) {
        if has_next {
            if let Some(lane) = lane {
                lane.quota = true;
                lane.paused_until = Some(now + reset.unwrap_or(Duration::from_secs(60)));
            }
            return Next::FallBack;
        }
        if !opts.pause_on_quota {
            return Next::Fail;
        }
        // Waiting for a reset spends no attempt; the lane holds every item until then.
        let until = now + reset.unwrap_or(Duration::from_secs(60)) + Duration::from_millis(200);
        if let Some(lane) = lane {
            lane.quota = true;
            lane.paused_until = Some(until);
        }
        return Next::Pause { until, reason: "out of ZeroGPU quota; waiting for the reset".into() };
    }
    if unreachable(e) {
        let since = *w.unreachable_since.get_or_insert(now);
        if now.duration_since(since) < opts.wait {
            // The backend is down or restarting: every item waits, and is not charged.
            let lane = lane.expect("a running item has a lane");
            lane.backoff = (lane.backoff * 2).clamp(Duration::from_millis(250), Duration::from_secs(5));
            let until = now + jitter(lane.backoff);
            lane.paused_until = Some(lane.paused_until.map_or(until, |t| t.max(until)));
            lane.quota = false;
            return Next::Pause { until, reason: format!("cannot reach it ({}); waiting", hfs_core::text::one_line(&e.to_string())) };
        }
        return if has_next { Next::FallBack } else { Next::Fail };
    }
    w.unreachable_since = None;
    if let (GenError::Gradio(hfs_gradio::Error::QueueFull { .. }), Some(lane)) = (e, lane.as_deref_mut()) {
        // The app's queue holds what is in flight now: send no more than that from here on.
        lane.limit = lane.running.max(1).min(lane.limit);
    }
    let lane = lane;
    match e.action() {
        Action::GiveUp => Next::Fail,
        Action::FallBack if has_next => Next::FallBack,
        Action::FallBack => Next::Fail,
        Action::Retry | Action::RetryAfter(_) => {
            w.counted += 1;
            if w.counted >= opts.attempts.max(1) {
                return if has_next { Next::FallBack } else { Next::Fail };
            }
            match e.action() {
                Action::RetryAfter(d) => {
                    // A rate limit is the backend's, not the item's: the lane waits too.
                    let d = d.min(Duration::from_secs(3600));
                    if let Some(lane) = lane {
                        lane.paused_until = Some(now + d);
                    }
                    Next::Retry(d)
                }
                _ => Next::Retry(jitter(Duration::from_millis(500) * 2u32.saturating_pow(w.counted.saturating_sub(1)).min(60))),
            }
        }
    }
}

/// Up to half of `d` off at random, so retries of many items do not arrive together.
fn jitter(d: Duration) -> Duration {
    let r = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    d.mul_f64(0.5 + r as f64 / 2000.0)
}

/// `Some(reset)` for a ZeroGPU quota error (`None` inside when it did not say when).
fn quota_reset(e: &GenError) -> Option<Option<Duration>> {
    match e {
        GenError::Gradio(hfs_gradio::Error::QuotaExceeded { retry_in, .. }) => Some(*retry_in),
        _ => None,
    }
}

/// The backend could not be reached or went away mid-call (a restart, a crash, the network).
fn unreachable(e: &GenError) -> bool {
    use hfs_gradio::Error as G;
    match e {
        GenError::Gradio(G::Connect { .. } | G::ConnectionLost(_) | G::ServerStopped | G::SessionNotFound) => true,
        GenError::Gradio(G::Hub(hfs_hub::HubError::Connect { .. })) => true,
        GenError::Gradio(G::Http { status: 502..=504, .. }) => false,
        GenError::Inference(hfs_inference::InferenceError::Connect { .. }) => true,
        _ => false,
    }
}

/// The error's class as the manifest names it.
pub fn class_name(e: &GenError) -> &'static str {
    use hfs_core::ErrorClass;
    if quota_reset(e).is_some() {
        return "quota";
    }
    match e.class() {
        ErrorClass::Usage => "usage",
        ErrorClass::Remote { retryable: true } => "remote_retryable",
        ErrorClass::Remote { retryable: false } => "remote",
        ErrorClass::Deadline => "deadline",
        ErrorClass::Cancelled => "cancelled",
        ErrorClass::LocalIo => "local_io",
    }
}

/// What an attempt ends with: the work item back, and how it went.
type Ended = (Work, Result<GenOutcome, GenError>);

/// An attempt in flight, with what the scheduler needs to find it by.
struct Attempting<'a> {
    ticket: u64,
    label: String,
    fut: std::pin::Pin<Box<dyn std::future::Future<Output = Ended> + 'a>>,
}

impl std::future::Future for Attempting<'_> {
    type Output = Ended;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        self.fut.as_mut().poll(cx)
    }
}

#[allow(clippy::too_many_arguments)]
async fn attempt(
    generator: &Generator,
    w: Work,
    backend: Backend,
    opts: &RunOptions,
    cancel: CancellationToken,
    manifest: &Mutex<Manifest>,
    run_id: &str,
    released: tokio::sync::mpsc::UnboundedSender<u64>,
) -> Ended {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let gopts =
        GenOptions { out_dir: opts.out_dir.clone(), timeout: opts.timeout, cancel, events: Some(tx), skip_manifest: true, readable: None };
    let item = w.item.clone();
    let generating = async {
        let r = generator.generate(item.task, &item.request, std::slice::from_ref(&backend), &gopts).await;
        drop(gopts);
        r
    };
    let forwarding = async {
        let mut write_error = None;
        while let Some(event) = rx.recv().await {
            match event {
                GenEvent::Submitted { backend, job_id } => {
                    // Written before waiting for the result: a crash from here on leaves a record
                    // of work that may have run on the server.
                    let r = manifest.lock().unwrap_or_else(|e| e.into_inner()).append(&json!({
                        "schema": SCHEMA, "record": "started", "item": item.key, "attempt": w.attempt, "run": run_id,
                        "backend": backend, "job_id": job_id, "at": unix_now(),
                    }));
                    if let Err(e) = r {
                        write_error.get_or_insert(e);
                    }
                    if let Some(events) = &opts.events {
                        let _ = events.send(BatchEvent::Submitted { item: item.clone(), backend, job_id });
                    }
                }
                event => {
                    if matches!(event, GenEvent::Received { .. }) {
                        let _ = released.send(w.ticket);
                    }
                    if let Some(events) = &opts.events {
                        let _ = events.send(BatchEvent::Progress { item: item.clone(), event });
                    }
                }
            }
        }
        write_error
    };
    let (result, write_error) = tokio::join!(generating, forwarding);
    let result = match (result, write_error) {
        (Ok(_), Some(BatchError::Io { path, source })) => Err(GenError::Output { path: path.display().to_string(), source }),
        (r, _) => r,
    };
    (w, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hfs_generate::GenRequest;

    fn work(backends: usize) -> Work {
        let backends: Vec<Backend> = (0..backends).map(|i| Backend::Space { space: format!("a/b{i}"), endpoint: None }).collect();
        let item = Item {
            key: "k".into(),
            index: 0,
            task: hfs_generate::GenTask::Image,
            request: GenRequest::default(),
            backends,
            copy: 0,
            step: None,
            group: None,
            inputs: vec![],
        };
        Work::new(item, 1)
    }

    fn lanes(w: &Work) -> HashMap<String, Lane> {
        let mut l = HashMap::new();
        lane_for(&mut l, w, &RunOptions::default(), 16).running = 2;
        l
    }

    fn quota() -> GenError {
        GenError::Gradio(hfs_gradio::Error::QuotaExceeded { message: "quota".into(), retry_in: Some(Duration::from_secs(30)) })
    }

    #[test]
    fn quota_pauses_the_backend_or_moves_to_the_fallback() {
        let opts = RunOptions::default();
        let mut w = work(1);
        let mut l = lanes(&w);
        assert!(matches!(decide(&quota(), &mut w, &mut l, &opts, false), Next::Pause { .. }));
        let lane = &l["space:a/b0"];
        assert!(lane.quota && lane.paused_until.is_some_and(|t| t > Instant::now() + Duration::from_secs(29)));
        assert_eq!(w.counted, 0, "waiting for a reset spends no attempt");
        let mut w = work(2);
        let mut l = lanes(&w);
        assert!(matches!(decide(&quota(), &mut w, &mut l, &opts, false), Next::FallBack));
        // A single generation fails at once instead.
        let mut w = work(1);
        let mut l = lanes(&w);
        assert!(matches!(decide(&quota(), &mut w, &mut l, &RunOptions { pause_on_quota: false, ..opts }, false), Next::Fail));
    }

    #[test]
    fn a_lane_out_of_quota_hands_its_waiting_items_with_a_fallback_on() {
        let opts = RunOptions::default();
        let (mut lanes, mut order) = (HashMap::new(), Vec::new());
        enqueue(&mut lanes, &mut order, work(2), false, &opts, 16);
        enqueue(&mut lanes, &mut order, work(1), false, &opts, 16);
        let lane = lanes.get_mut("space:a/b0").unwrap();
        (lane.quota, lane.paused_until) = (true, Some(Instant::now() + Duration::from_secs(30)));
        hand_on_if_out_of_quota(&mut lanes, &mut order, "space:a/b0", &opts, 16);
        assert_eq!(lanes["space:a/b0"].queue.len(), 1, "the item without a fallback waits");
        let moved = &lanes["space:a/b1"].queue[0];
        assert_eq!((moved.backend, moved.fallbacks.len()), (1, 1));
        assert_eq!(order, ["space:a/b0", "space:a/b1"]);
        // One that arrives while the lane is out of quota goes straight on.
        enqueue(&mut lanes, &mut order, work(2), true, &opts, 16);
        assert_eq!(lanes["space:a/b1"].queue.len(), 2);
    }

    #[test]
    fn retryable_failures_spend_attempts_then_fall_back_or_fail() {
        let opts = RunOptions { attempts: 3, ..Default::default() };
        let full = || GenError::Gradio(hfs_gradio::Error::QueueFull { detail: "full".into() });
        let mut w = work(1);
        let mut l = lanes(&w);
        assert!(matches!(decide(&full(), &mut w, &mut l, &opts, false), Next::Retry(_)));
        // A full queue caps the lane at what is in flight.
        assert_eq!(l["space:a/b0"].limit, 2);
        assert!(matches!(decide(&full(), &mut w, &mut l, &opts, false), Next::Retry(_)));
        assert!(matches!(decide(&full(), &mut w, &mut l, &opts, false), Next::Fail));
        let mut w = work(2);
        let mut l = lanes(&w);
        for _ in 0..2 {
            decide(&full(), &mut w, &mut l, &opts, false);
        }
        assert!(matches!(decide(&full(), &mut w, &mut l, &opts, false), Next::FallBack));
        // A rate limit's Retry-After is honoured, for the whole backend.
        let limited = GenError::Gradio(hfs_gradio::Error::RateLimited { url: "u".into(), retry_after: Some(Duration::from_secs(7)) });
        let mut w = work(1);
        let mut l = lanes(&w);
        assert!(matches!(decide(&limited, &mut w, &mut l, &opts, false), Next::Retry(d) if d == Duration::from_secs(7)));
        assert!(l["space:a/b0"].paused_until.is_some());
    }

    #[test]
    fn an_unreachable_backend_is_waited_for_within_the_wait() {
        let lost = GenError::Gradio(hfs_gradio::Error::ConnectionLost("gone".into()));
        let mut w = work(1);
        let mut l = lanes(&w);
        let opts = RunOptions { attempts: 1, ..Default::default() };
        for _ in 0..10 {
            assert!(matches!(decide(&lost, &mut w, &mut l, &opts, false), Next::Pause { .. }));
        }
        assert_eq!(w.counted, 0);
        let mut w = work(1);
        w.unreachable_since = Some(Instant::now() - Duration::from_secs(3600));
        assert!(matches!(decide(&lost, &mut w, &mut l, &opts, false), Next::Fail));
    }

    #[test]
    fn bad_input_and_app_errors_fail_at_once_and_a_stop_is_not_final() {
        let opts = RunOptions::default();
        let app = GenError::Gradio(hfs_gradio::Error::App { message: Some("no".into()), title: None });
        let mut w = work(2);
        let mut l = lanes(&w);
        assert!(matches!(decide(&app, &mut w, &mut l, &opts, false), Next::Fail));
        assert!(matches!(decide(&GenError::Usage("x".into()), &mut w, &mut l, &opts, false), Next::Fail));
        assert!(matches!(decide(&app, &mut w, &mut l, &opts, true), Next::Stopped));
        assert!(matches!(decide(&GenError::Cancelled, &mut w, &mut l, &opts, false), Next::Stopped));
        assert_eq!(class_name(&quota()), "quota");
        assert_eq!(class_name(&app), "remote");
    }
}
