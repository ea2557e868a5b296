//! Shared helpers: one test per Gradio version for each check, the shared test Spaces, and a
//! recorder that turns a job's event stream into something easy to assert on.

use std::future::Future;
use std::time::Duration;

use hfs_gradio::{Args, CallOptions, Client, ClientOptions, EndpointRef, Error, Event, Job, LogLevel, Outputs, ProgressUnit};
use hfs_testkit::GradioVersion;
use serde_json::Value;

/// Upper bound for one check (server start-up excluded): a hang fails instead of blocking the run.
const CHECK_TIMEOUT: Duration = Duration::from_secs(240);

/// Expands each check `async fn NAME(v: V)` into a module `NAME` with one multi-threaded tokio
/// test per pinned Gradio version (the list lives once, in `hfs-testkit`); versions missing from
/// `HFS_GRADIO_VERSIONS` are skipped (the test passes and says so on stderr).
macro_rules! per_version {
    ($($check:ident),+ $(,)?) => { hfs_testkit::per_gradio_version!(async $crate::support::run; $($check),+); };
}
pub(crate) use per_version;

/// What a check gets: the version under test and its shared test Spaces.
#[derive(Clone, Copy)]
pub struct V(pub GradioVersion);

impl std::ops::Deref for V {
    type Target = GradioVersion;
    fn deref(&self) -> &GradioVersion {
        &self.0
    }
}

impl V {
    pub async fn connect(&self, app: &str) -> Client {
        self.connect_with(app, ClientOptions::default()).await
    }

    pub async fn connect_with(&self, app: &str, options: ClientOptions) -> Client {
        let url = self.url(app);
        let client = Client::connect(&url, options).await.unwrap_or_else(|e| panic!("connect {url}: {e}"));
        assert_eq!(client.config().version, self.version, "the shared server runs another Gradio");
        client
    }
}

/// Runs one check against one version (skipping versions not selected).
pub async fn run<F, Fut>(version: &'static str, check: F)
where
    F: FnOnce(V) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(v) = tokio::task::spawn_blocking(move || GradioVersion::selected(version)).await.expect("start test Spaces") else {
        return;
    };
    let v = V(v);
    tokio::time::timeout(CHECK_TIMEOUT, check(v)).await.unwrap_or_else(|_| panic!("check timed out after {CHECK_TIMEOUT:?}"));
}

pub fn ep(name: &str) -> EndpointRef {
    EndpointRef::Name(name.to_string())
}

pub fn args() -> Args {
    Args::new()
}

/// Everything a job reported, in order.
#[derive(Debug)]
pub struct Trace {
    pub outputs: Vec<Vec<Value>>,
    pub progress: Vec<Vec<ProgressUnit>>,
    pub logs: Vec<(LogLevel, Option<String>, String)>,
    pub queued: usize,
    pub started: usize,
    /// Event ids the app gave the call (`Event::Accepted`).
    pub accepted: Vec<String>,
    pub result: Result<Outputs, Error>,
}

impl Trace {
    pub fn values(&self) -> &[Value] {
        match &self.result {
            Ok(o) => &o.values,
            Err(e) => panic!("the call failed: {e} ({e:?}); trace: {self:?}"),
        }
    }

    pub fn error(&self) -> &Error {
        match &self.result {
            Ok(o) => panic!("the call succeeded with {:?}, expected an error", o.values),
            Err(e) => e,
        }
    }

    /// The first value of each intermediate output.
    pub fn first_outputs(&self) -> Vec<Value> {
        self.outputs.iter().map(|o| o[0].clone()).collect()
    }
}

/// Drains a job; panics if it emits anything after its terminal event.
pub async fn trace(mut job: Job) -> Trace {
    let mut t =
        Trace { outputs: vec![], progress: vec![], logs: vec![], queued: 0, started: 0, accepted: vec![], result: Err(Error::Cancelled) };
    let mut terminal = None;
    while let Some(ev) = job.next_event().await {
        assert!(terminal.is_none(), "event after the terminal one: {ev:?}");
        match ev {
            Event::Queued { .. } => t.queued += 1,
            Event::Started { .. } => t.started += 1,
            Event::Accepted { event_id } => t.accepted.push(event_id),
            Event::Progress(units) => t.progress.push(units),
            Event::Log { level, title, message } => t.logs.push((level, title, message)),
            Event::Output(o) => t.outputs.push(o.values),
            Event::Completed(o) => terminal = Some(Ok(o)),
            Event::Failed(e) => terminal = Some(Err(e)),
        }
    }
    t.result = terminal.expect("the job ended without a terminal event");
    t
}

/// Submits and drains.
pub async fn call(client: &Client, name: &str, a: Args) -> Trace {
    let job = client.submit(&ep(name), &a, CallOptions::default()).unwrap_or_else(|e| panic!("submit {name}: {e}"));
    trace(job).await
}

/// Submits and returns the final values (panics on failure).
pub async fn values(client: &Client, name: &str, a: Args) -> Vec<Value> {
    let out = client.predict(&ep(name), &a).await.unwrap_or_else(|e| panic!("{name}: {e} ({e:?})"));
    out.values
}

/// Waits for the next event matching `pred` (panics if the job ends first or it takes too long).
pub async fn wait_for(job: &mut Job, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    let fut = async {
        while let Some(ev) = job.next_event().await {
            if pred(&ev) {
                return ev;
            }
            assert!(!ev.is_terminal(), "the job ended before {what}: {ev:?}");
        }
        panic!("the job ended before {what}");
    };
    tokio::time::timeout(Duration::from_secs(60), fut).await.unwrap_or_else(|_| panic!("no {what} within 60 s"))
}

/// `unwrap_err` for `submit`, whose `Job` has no `Debug`.
pub trait Refused {
    fn refused(self) -> Error;
}

impl Refused for Result<Job, Error> {
    fn refused(self) -> Error {
        match self {
            Ok(_) => panic!("submit accepted a call it should have refused"),
            Err(e) => e,
        }
    }
}
