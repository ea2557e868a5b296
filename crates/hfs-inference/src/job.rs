//! Per-call jobs: one submit, one stream of that call's events, its own cancel and deadline.
//!
//! Concurrent calls on one [`InferenceClient`] never mix events or share a cancel, so a batch
//! scheduler or an MCP server can run many at once on one client (and one mapping cache).
//!
//! ```no_run
//! # async fn f(client: hfs_inference::InferenceClient, req: hfs_inference::MediaRequest) {
//! use futures::StreamExt;
//! use hfs_inference::{CallOptions, InferenceTask, JobEvent, OutputSpec, Task};
//! let task = InferenceTask::Media { task: Task::TextToImage, request: req, output: OutputSpec::new(".", "fox") };
//! let mut job = client.submit(task, CallOptions { timeout: Some(std::time::Duration::from_secs(60)) });
//! while let Some(ev) = job.next().await {
//!     match ev {
//!         JobEvent::Progress(e) => eprintln!("{e:?}"),
//!         JobEvent::Completed(outcome) => println!("{outcome:?}"),
//!         JobEvent::Failed(e) => eprintln!("{e}"),
//!         _ => {}
//!     }
//! }
//! # }
//! ```

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::Stream;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_util::sync::CancellationToken;

use crate::chat::{ChatRequest, ChatResult};
use crate::output::OutputSpec;
use crate::registry::Task;
use crate::tasks::{MediaOutput, MediaRequest, Transcription};
use crate::{InferenceClient, InferenceError, InferenceEvent};

/// Limits of one call.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Wall-clock limit of the whole call (submit, polling, download). On expiry the provider's
    /// job is cancelled where the provider allows it, and the call fails with
    /// [`InferenceError::Timeout`].
    pub timeout: Option<Duration>,
}

/// What one call runs.
#[derive(Clone, Debug)]
pub enum InferenceTask {
    /// A media-producing task (text-to-image, image-to-image, text-to-video, image-to-video,
    /// text-to-speech), its file saved under `output`.
    Media { task: Task, request: MediaRequest, output: OutputSpec },
    /// Automatic speech recognition of the request's input file.
    Transcribe { request: MediaRequest },
    /// A chat completion; with `request.stream`, content arrives as [`JobEvent::Token`]s first.
    Chat { request: ChatRequest },
}

/// What a finished call produced.
#[derive(Clone, Debug)]
pub enum Outcome {
    Media(MediaOutput),
    Transcription(Transcription),
    Chat(ChatResult),
}

/// What a job's stream yields: its events in order, then exactly one `Completed` or `Failed`.
#[derive(Debug)]
pub enum JobEvent {
    Progress(InferenceEvent),
    /// A piece of a streamed chat answer.
    Token(String),
    Completed(Outcome),
    Failed(InferenceError),
}

/// The running state of one call, threaded through every request it makes.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    start: Instant,
    pub limit: Option<Duration>,
    events: Option<UnboundedSender<JobEvent>>,
    pub cancel: CancellationToken,
}

impl Call {
    /// A call with no deadline, no events and a cancel nobody holds (the plain async methods).
    pub fn detached() -> Self {
        Self { start: Instant::now(), limit: None, events: None, cancel: CancellationToken::new() }
    }

    pub fn remaining(&self) -> Option<Duration> {
        self.limit.map(|l| l.saturating_sub(self.start.elapsed()))
    }

    pub fn emit(&self, e: InferenceEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(JobEvent::Progress(e));
        }
    }

    pub fn emit_status(&self, status: &str, queue_position: Option<u64>) {
        if !status.is_empty() {
            self.emit(InferenceEvent::Status { status: status.to_string(), queue_position });
        }
    }

    fn token(&self, t: &str) {
        if let Some(tx) = &self.events {
            let _ = tx.send(JobEvent::Token(t.to_string()));
        }
    }
}

/// One submitted call. Dropping it cancels the call (the provider's job is cancelled where the
/// provider allows it).
pub struct InferenceJob {
    id: u64,
    rx: UnboundedReceiver<JobEvent>,
    cancel: CancellationToken,
    _guard: tokio_util::sync::DropGuard,
}

impl InferenceJob {
    /// This call's id, unique within the process (for logs and manifests).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Asks the call to stop: polling ends, the provider's job is cancelled where it can be, and
    /// the stream then ends with `Failed(Cancelled)`.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A handle that cancels this call from elsewhere (a Ctrl-C handler, a scheduler).
    pub fn cancel_handle(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits for the end, dropping the events.
    pub async fn outcome(mut self) -> Result<Outcome, InferenceError> {
        use futures::StreamExt;
        while let Some(ev) = self.next().await {
            match ev {
                JobEvent::Completed(o) => return Ok(o),
                JobEvent::Failed(e) => return Err(e),
                _ => {}
            }
        }
        Err(InferenceError::Cancelled)
    }
}

impl Stream for InferenceJob {
    type Item = JobEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<JobEvent>> {
        self.rx.poll_recv(cx)
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl InferenceClient {
    /// Starts one call on the current tokio runtime and returns its job at once.
    pub fn submit(&self, task: InferenceTask, opts: CallOptions) -> InferenceJob {
        let (tx, rx) = unbounded_channel();
        let cancel = CancellationToken::new();
        let call = Call { start: Instant::now(), limit: opts.timeout, events: Some(tx.clone()), cancel: cancel.clone() };
        let client = self.clone();
        tokio::spawn(async move {
            let result = match task {
                InferenceTask::Media { task, request, output } => client.media_in(task, &request, &output, &call).await.map(Outcome::Media),
                InferenceTask::Transcribe { request } => client.speech_to_text_in(&request, &call).await.map(Outcome::Transcription),
                InferenceTask::Chat { request } => {
                    let c = call.clone();
                    client.chat_in(&request, &mut |t| c.token(t), &call).await.map(Outcome::Chat)
                }
            };
            let _ = tx.send(match result {
                Ok(o) => JobEvent::Completed(o),
                Err(e) => JobEvent::Failed(e),
            });
        });
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        InferenceJob { id, rx, _guard: cancel.clone().drop_guard(), cancel }
    }
}
