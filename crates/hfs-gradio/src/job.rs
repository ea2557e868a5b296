//! A submitted call: the handle the caller holds, and the task that drives it.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::args::Prepared;
use crate::client::Inner;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::event::{Event, Outputs};
use crate::http::{SHORT_TIMEOUT, error_body, error_body_raw, json_body, retry_after, send, send_within};
use crate::protocol::message::{self, Msg};
use crate::protocol::{Protocol, diff, sse};
use crate::session::{Routed, StreamCtx};
use crate::target::join;
use crate::transfer::prepare_inputs;

/// Per-call options.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Give up (and cancel on the server) when this much time has passed since submit.
    pub deadline: Option<Duration>,
    /// `event_data` for listeners that read `gr.EventData`.
    pub event_data: Option<Value>,
}

/// Cancels a job from anywhere (a Ctrl-C handler, another task). Cheap to clone.
#[derive(Clone, Debug)]
pub struct CancelHandle(Arc<watch::Sender<bool>>);

impl CancelHandle {
    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

/// A running call. Poll it as a [`Stream`] of [`Event`]s (the last is `Completed` or `Failed`), or
/// await [`Job::result`]. Dropping it before it finishes cancels the call on the server.
pub struct Job {
    rx: mpsc::UnboundedReceiver<Event>,
    cancel: CancelHandle,
    endpoint: Endpoint,
}

impl Job {
    pub(crate) fn spawn(inner: Arc<Inner>, endpoint: Endpoint, prepared: Prepared, opts: CallOptions) -> Job {
        let (tx, rx) = mpsc::unbounded_channel();
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let ep = endpoint.clone();
        tokio::spawn(async move {
            let driver = Driver { inner, endpoint: ep, tx, cancel: cancel_rx, opts };
            driver.run(prepared).await;
        });
        Job { rx, cancel: CancelHandle(Arc::new(cancel_tx)), endpoint }
    }

    /// The endpoint this job calls.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The next event; `None` after the terminal one.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Asks the server to cancel; the job then ends with `Error::Cancelled`.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Waits for the final outputs, skipping intermediate events.
    pub async fn result(mut self) -> Result<Outputs, Error> {
        while let Some(ev) = self.rx.recv().await {
            match ev {
                Event::Completed(o) => return Ok(o),
                Event::Failed(e) => return Err(e),
                _ => {}
            }
        }
        Err(Error::ConnectionLost("the job ended without a result".into()))
    }
}

impl Stream for Job {
    type Item = Event;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx)
    }
}

/// Why the driver stopped waiting.
enum Stop {
    Cancelled,
    Deadline(Duration),
    Dropped,
}

struct Driver {
    inner: Arc<Inner>,
    endpoint: Endpoint,
    tx: mpsc::UnboundedSender<Event>,
    cancel: watch::Receiver<bool>,
    opts: CallOptions,
}

/// The job's view of the outputs so far (for applying diffs).
struct Progressive {
    last: Vec<Value>,
}

impl Driver {
    async fn run(mut self, prepared: Prepared) {
        // A deadline too far away to represent is no deadline.
        let deadline = self.opts.deadline.and_then(hfs_core::time::deadline_after);
        let Prepared { mut data, uploads } = prepared;
        let result = {
            let work = async {
                // Wait for a slot (`ClientOptions::max_in_flight`) unless cancelled or dropped first.
                let _permit = match self.inner.in_flight.clone() {
                    Some(slots) => {
                        let mut cancel = self.cancel.clone();
                        tokio::select! {
                            p = slots.acquire_owned() => p.ok(),
                            _ = Self::stop_signal(&mut cancel, &self.tx, None, None) => return Err(Error::Cancelled),
                        }
                    }
                    None => None,
                };
                // Uploads can take long: a cancel (Ctrl-C) or a dropped job stops them at once.
                self.unless_stopped(prepare_inputs(&self.inner, self.endpoint.fn_index, &mut data, uploads)).await?;
                match self.inner.protocol {
                    Protocol::Ws if !self.endpoint.queued => self.run_predict(data).await,
                    Protocol::Ws => self.run_ws(data, deadline).await,
                    Protocol::SseV0 => self.run_v0(data, deadline).await,
                    _ => self.run_multiplexed(data, deadline).await,
                }
            };
            // Uploads are bounded by the deadline too.
            match deadline {
                Some(d) => tokio::time::timeout_at(d, work)
                    .await
                    .unwrap_or_else(|_| Err(Error::DeadlineExceeded(self.opts.deadline.unwrap_or_default()))),
                None => work.await,
            }
        };
        let ev = match result {
            Ok(outputs) => Event::Completed(outputs),
            Err(e) => Event::Failed(e),
        };
        let _ = self.tx.send(ev);
    }

    /// Runs `fut` unless the caller cancels or drops the job first (before the app knows the
    /// call, nothing needs cancelling on the server).
    async fn unless_stopped<T>(&self, fut: impl std::future::Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let mut cancel = self.cancel.clone();
        tokio::select! {
            r = fut => r,
            stop = Self::stop_signal(&mut cancel, &self.tx, None, None) => Err(match stop {
                Stop::Deadline(d) => Error::DeadlineExceeded(d),
                Stop::Cancelled | Stop::Dropped => Error::Cancelled,
            }),
        }
    }

    fn emit(&self, ev: Event) {
        let _ = self.tx.send(ev);
    }

    /// Resolves when the caller cancels, the deadline passes or the Job is dropped.
    async fn stop_signal(
        cancel: &mut watch::Receiver<bool>,
        tx: &mpsc::UnboundedSender<Event>,
        deadline: Option<Instant>,
        total: Option<Duration>,
    ) -> Stop {
        let deadline_fut = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => futures::future::pending().await,
            }
        };
        tokio::select! {
            cancelled = async { cancel.wait_for(|c| *c).await.is_ok() } => {
                if cancelled { Stop::Cancelled } else { futures::future::pending().await }
            }
            _ = deadline_fut => Stop::Deadline(total.unwrap_or_default()),
            _ = tx.closed() => Stop::Dropped,
        }
    }

    async fn join(&self, data: &[Value]) -> Result<String, Error> {
        let url = join(&self.inner.api, "queue/join");
        let body = json!({
            "data": data,
            "event_data": self.opts.event_data,
            "fn_index": self.endpoint.fn_index,
            "trigger_id": null,
            "session_hash": self.inner.session().hash,
        });
        let rb = self.inner.http.post(url.clone()).header("x-gradio-user", "api").json(&body).timeout(SHORT_TIMEOUT);
        let resp = send(rb, &url).await?;
        let status = resp.status().as_u16();
        if status == 200 {
            let v = json_body(resp, &self.inner.options.limits, &url).await?;
            return v
                .get("event_id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| Error::Protocol(format!("join answer without event_id: {v}")));
        }
        Err(self.join_error(status, resp, &url).await)
    }

    async fn join_error(&self, status: u16, resp: reqwest::Response, url: &url::Url) -> Error {
        let wait = retry_after(&resp);
        let text = error_body_raw(resp).await;
        let json: Option<Value> = serde_json::from_str(&text).ok();
        let detail = json.as_ref().and_then(|v| v.get("detail")).cloned();
        let detail_str = match &detail {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => text.chars().take(300).collect(),
        };
        match status {
            503 if detail_str.contains("Queue is stopped") => Error::ServerStopped,
            503 => Error::QueueFull { detail: detail_str },
            429 => Error::RateLimited { url: url.to_string(), retry_after: wait },
            401 => Error::AuthRequired { message: None },
            422 => match detail.as_ref().and_then(Value::as_array) {
                Some(list) if list.iter().any(|d| d.get("__type__").and_then(Value::as_str) == Some("validate")) => Error::Validation(
                    list.iter()
                        .filter(|d| d.get("is_valid") != Some(&Value::Bool(true)))
                        .map(|d| crate::error::ParamProblem {
                            parameter: d.get("parameter_name").and_then(Value::as_str).unwrap_or("?").to_string(),
                            message: d.get("message").and_then(Value::as_str).unwrap_or("invalid").to_string(),
                        })
                        .collect(),
                ),
                _ => Error::Http { status, url: url.to_string(), body: detail_str },
            },
            _ => Error::Http { status, url: url.to_string(), body: detail_str },
        }
    }

    async fn run_multiplexed(&mut self, data: Vec<Value>, deadline: Option<Instant>) -> Result<Outputs, Error> {
        let event_id = self.unless_stopped(self.join(&data)).await?;
        self.emit(Event::Accepted { event_id: event_id.clone() });
        self.inner.start_heartbeat();
        let session = self.inner.session();
        let ctx = StreamCtx {
            http: self.inner.http.clone(),
            url: join(&self.inner.api, "queue/data"),
            idle_timeout: self.inner.options.stream_idle_timeout,
            has_close_stream: self.inner.protocol == Protocol::SseV3,
            max_event: self.inner.options.limits.json_bytes,
        };
        let mut rx = session.register(&event_id, &ctx);
        let mut prog = Progressive { last: Vec::new() };
        let mut cancel = self.cancel.clone();
        let tx = self.tx.clone();
        let total = self.opts.deadline;
        loop {
            let routed = tokio::select! {
                r = rx.recv() => r,
                stop = Self::stop_signal(&mut cancel, &tx, deadline, total) => {
                    return Err(self.stop_multiplexed(stop, &event_id, &mut rx).await);
                }
            };
            let Some(routed) = routed else {
                return Err(Error::ConnectionLost("the queue stream ended".into()));
            };
            match routed {
                Routed::Msg(m) => {
                    if let Some(done) = self.handle(m, &mut prog)? {
                        return Ok(done);
                    }
                }
                Routed::Lost { message, session_not_found, server_stopped } => {
                    return Err(if session_not_found {
                        Error::SessionNotFound
                    } else if server_stopped {
                        Error::ServerStopped
                    } else {
                        Error::ConnectionLost(message)
                    });
                }
            }
        }
    }

    /// Cancels on the server (`/cancel` on 4.31+, else the app's cancelling listener if any), then
    /// reports why we stopped.
    async fn stop_multiplexed(&self, stop: Stop, event_id: &str, rx: &mut mpsc::UnboundedReceiver<Routed>) -> Error {
        let (major, minor, _) = self.inner.config.version_tuple();
        let mut ended = false;
        if (major, minor) >= (4, 31) {
            let url = join(&self.inner.api, "cancel");
            let body = json!({"session_hash": self.inner.session().hash, "fn_index": self.endpoint.fn_index, "event_id": event_id});
            match send(self.inner.http.post(url.clone()).json(&body).timeout(Duration::from_secs(10)), &url).await {
                Ok(r) if r.status().is_success() => {
                    // The server answers with a final empty `process_completed`; wait briefly for it so
                    // the session stream is left clean.
                    ended = tokio::time::timeout(Duration::from_secs(3), async {
                        while let Some(m) = rx.recv().await {
                            if matches!(m, Routed::Msg(Msg::Completed { .. }) | Routed::Lost { .. }) {
                                return true;
                            }
                        }
                        false
                    })
                    .await
                    .unwrap_or(false);
                }
                Ok(r) => {
                    let status = r.status();
                    tracing::debug!(%status, "cancel refused: {}", error_body(r).await);
                }
                Err(e) => tracing::debug!("cancel failed: {e}"),
            }
        } else if !self.trigger_cancel_listener().await {
            self.reset_iterator(event_id).await;
        }
        if !ended {
            self.inner.session().abandon(event_id);
        }
        match stop {
            Stop::Cancelled | Stop::Dropped => Error::Cancelled,
            Stop::Deadline(d) => Error::DeadlineExceeded(d),
        }
    }

    /// Cancels on a server without `/cancel` (before 4.31) the way gradio_client does: run the
    /// app's listener whose `cancels` list holds this endpoint (the one cancelling the fewest
    /// others), `POST API/api/predict/ {"data": [], "fn_index", "session_hash"}`; its function
    /// cancels the session's running task of each listed endpoint. Returns whether such a listener
    /// was found.
    async fn trigger_cancel_listener(&self) -> bool {
        let me = self.endpoint.fn_index;
        let Some(dep) = self
            .inner
            .config
            .dependencies
            .iter()
            .filter(|d| d.backend_fn && d.cancels.contains(&me))
            .min_by_key(|d| d.cancels.iter().filter(|i| **i != me).count())
        else {
            return false;
        };
        let others: Vec<usize> = dep.cancels.iter().copied().filter(|i| *i != me).collect();
        if !others.is_empty() {
            tracing::debug!(
                fn_index = dep.fn_index,
                ?others,
                "the cancelling listener also cancels other endpoints' running jobs of this session"
            );
        }
        let url = join(&self.inner.api, "api/predict/");
        let body = json!({"data": [], "fn_index": dep.fn_index, "session_hash": self.inner.session().hash});
        match send(self.inner.http.post(url.clone()).json(&body).timeout(Duration::from_secs(10)), &url).await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => {
                let status = r.status();
                tracing::debug!(%status, "cancelling listener refused: {}", error_body(r).await);
            }
            Err(e) => tracing::debug!("cancelling listener failed: {e}"),
        }
        true
    }

    /// `POST API/reset {"event_id"}`: what gradio_client 0.x does on cancel; on 4.9–4.30 it stops
    /// a running generator of the event (a plain function keeps running; its result is dropped).
    async fn reset_iterator(&self, event_id: &str) {
        let url = join(&self.inner.api, "reset");
        let body = json!({"event_id": event_id, "session_hash": self.inner.session().hash, "fn_index": self.endpoint.fn_index});
        match send(self.inner.http.post(url.clone()).json(&body).timeout(Duration::from_secs(10)), &url).await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::debug!(status = %r.status(), "reset refused"),
            Err(e) => tracing::debug!("reset failed: {e}"),
        }
    }

    /// sse v0 (Gradio 4.0–4.8): one stream per call; data is posted when the server asks for it.
    async fn run_v0(&mut self, data: Vec<Value>, deadline: Option<Instant>) -> Result<Outputs, Error> {
        let session_hash = self.inner.session().hash.clone();
        let mut url = join(&self.inner.api, "queue/join");
        url.query_pairs_mut().append_pair("fn_index", &self.endpoint.fn_index.to_string()).append_pair("session_hash", &session_hash);
        // `x-gradio-user: api` as on the multiplexed join: the app's `gr.Request` is this request.
        let rb = self.inner.http.get(url.clone()).header("accept", "text/event-stream").header("x-gradio-user", "api");
        let resp = self.unless_stopped(send_within(rb, &url, SHORT_TIMEOUT)).await?;
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            return Err(self.join_error(status, resp, &url).await);
        }
        let mut events = Box::pin(sse::events(resp.bytes_stream(), self.inner.options.limits.json_bytes));
        let mut prog = Progressive { last: Vec::new() };
        let mut cancel = self.cancel.clone();
        let tx = self.tx.clone();
        let total = self.opts.deadline;
        let idle = self.inner.options.stream_idle_timeout;
        loop {
            let next = tokio::select! {
                n = tokio::time::timeout(idle, events.next()) => n,
                stop = Self::stop_signal(&mut cancel, &tx, deadline, total) => {
                    // 4.0–4.8 have no `/cancel`: trigger the app's own cancelling listener if it has
                    // one, then close the stream (which drops the event if it has not started).
                    self.trigger_cancel_listener().await;
                    return Err(match stop { Stop::Deadline(d) => Error::DeadlineExceeded(d), _ => Error::Cancelled });
                }
            };
            let payload = match next {
                Err(_) => return Err(Error::ConnectionLost(format!("no message from the app for {}s", idle.as_secs()))),
                Ok(None) => return Err(Error::ConnectionLost("the app closed the stream before the result".into())),
                Ok(Some(Err(e))) => return Err(Error::ConnectionLost(e.to_string())),
                Ok(Some(Ok(p))) => p,
            };
            let Ok(env) = message::parse(&payload) else { continue };
            match env.msg {
                Msg::SendData { event_id } => {
                    if let Some(id) = &event_id {
                        self.emit(Event::Accepted { event_id: id.clone() });
                    }
                    let url = join(&self.inner.api, "queue/data");
                    let body = json!({"data": data, "event_data": self.opts.event_data, "fn_index": self.endpoint.fn_index,
                                      "trigger_id": null, "session_hash": session_hash, "event_id": event_id});
                    let resp = send(self.inner.http.post(url.clone()).json(&body).timeout(SHORT_TIMEOUT), &url).await?;
                    if !resp.status().is_success() {
                        let status = resp.status().as_u16();
                        return Err(Error::Http { status, url: url.to_string(), body: error_body(resp).await });
                    }
                }
                Msg::QueueFull => return Err(Error::QueueFull { detail: "the app's queue is full".into() }),
                Msg::Broadcast { message, session_not_found } => {
                    return Err(if session_not_found {
                        Error::SessionNotFound
                    } else if message.contains("Server stopped") {
                        Error::ServerStopped
                    } else {
                        Error::ConnectionLost(message)
                    });
                }
                m => {
                    if let Some(done) = self.handle(m, &mut prog)? {
                        return Ok(done);
                    }
                }
            }
        }
    }

    /// Turns one message into events; returns the outputs when the job is done.
    fn handle(&self, m: Msg, prog: &mut Progressive) -> Result<Option<Outputs>, Error> {
        match m {
            Msg::Estimation { rank, queue_size, eta } => self.emit(Event::Queued { rank, queue_size, eta }),
            Msg::Starts { eta } => self.emit(Event::Started { eta }),
            Msg::Progress(units) => self.emit(Event::Progress(units)),
            Msg::Log { level, title, message } => self.emit(Event::Log { level, title, message }),
            Msg::Generating { output, success, diffable } => {
                if !success {
                    return Err(self.app_error(&output, None));
                }
                let data = output.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
                let use_diffs = diffable && self.inner.protocol.sends_diffs() && !self.endpoint.streaming_input && !prog.last.is_empty();
                let full = if use_diffs {
                    data.iter()
                        .enumerate()
                        .map(|(i, ops)| diff::apply(prog.last.get(i).unwrap_or(&Value::Null), ops))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| Error::Protocol(format!("bad output diff: {e}")))?
                } else {
                    data
                };
                self.emit(Event::Output(Outputs { values: self.outputs(&full) }));
                prog.last = full;
            }
            Msg::Completed { output, success, title } => {
                if !success {
                    return Err(self.app_error(&output, title));
                }
                // An event cancelled on the server completes with `output: {}` (no `data`). Our own
                // cancel is handled where it is sent; reaching here, the app ended the call itself.
                let Some(data) = output.get("data").and_then(Value::as_array) else {
                    return Err(Error::NoResult);
                };
                return Ok(Some(Outputs { values: self.outputs(data) }));
            }
            Msg::QueueFull => return Err(Error::QueueFull { detail: "the app's queue is full".into() }),
            Msg::Heartbeat | Msg::CloseStream | Msg::SendData { .. } | Msg::SendHash | Msg::Broadcast { .. } => {}
            Msg::Unknown(kind) => tracing::debug!("ignoring unknown message `{kind}`"),
        }
        Ok(None)
    }

    /// The API's outputs of a wire `data` array (3.x files as FileData).
    fn outputs(&self, data: &[Value]) -> Vec<Value> {
        let values = self.endpoint.api_outputs(data);
        match self.inner.protocol {
            Protocol::Ws => crate::protocol::v3::outputs(values, self.endpoint.output_components()),
            _ => values,
        }
    }

    /// Gradio 3.x's queue: one websocket per call (`ws(s)://BASE/queue/join`). The server asks for
    /// the session (`send_hash`) and then the data (`send_data`); events follow as text frames,
    /// intermediate values whole. Cancelling closes the socket, runs the app's cancelling
    /// listener if it has one, and resets the session's iterator (`POST /reset`).
    async fn run_ws(&mut self, data: Vec<Value>, deadline: Option<Instant>) -> Result<Outputs, Error> {
        use futures::SinkExt;
        use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};
        let session_hash = self.inner.session().hash.clone();
        let http_url = join(&self.inner.api, "queue/join");
        let mut ws_url = http_url.clone();
        let scheme = if http_url.scheme() == "https" { "wss" } else { "ws" };
        ws_url.set_scheme(scheme).map_err(|_| Error::Protocol(format!("cannot make a websocket URL of {http_url}")))?;
        let mut request = ws_url.as_str().into_client_request().map_err(|e| Error::Protocol(format!("websocket request: {e}")))?;
        // The token and headers the policy gives this origin, as for every other request.
        request.headers_mut().extend(self.inner.http.headers_for(&http_url));
        let config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(self.inner.options.limits.json_bytes))
            .max_frame_size(Some(self.inner.options.limits.json_bytes));
        let connecting = async {
            match tokio::time::timeout(SHORT_TIMEOUT, tokio_tungstenite::connect_async_with_config(request, Some(config), false)).await {
                Err(_) => Err(Error::ConnectionLost(format!("no websocket from {ws_url} within {}s", SHORT_TIMEOUT.as_secs()))),
                Ok(Err(tungstenite::Error::Http(resp))) => {
                    let status = resp.status().as_u16();
                    Err(match status {
                        401 => Error::AuthRequired { message: None },
                        403 => Error::AccessDenied { url: http_url.to_string(), status },
                        429 => Error::RateLimited { url: http_url.to_string(), retry_after: None },
                        _ => Error::Http { status, url: http_url.to_string(), body: String::new() },
                    })
                }
                Ok(Err(e)) => Err(Error::ConnectionLost(format!("websocket to {ws_url}: {e}"))),
                Ok(Ok((ws, _))) => Ok(ws),
            }
        };
        let ws = self.unless_stopped(connecting).await?;
        let (mut sink, mut stream) = futures::StreamExt::split(ws);
        let mut prog = Progressive { last: Vec::new() };
        let mut cancel = self.cancel.clone();
        let tx = self.tx.clone();
        let total = self.opts.deadline;
        let idle = self.inner.options.stream_idle_timeout;
        let fn_index = self.endpoint.fn_index;
        loop {
            let next = tokio::select! {
                n = tokio::time::timeout(idle, stream.next()) => n,
                stop = Self::stop_signal(&mut cancel, &tx, deadline, total) => {
                    let _ = sink.close().await;
                    // The app's own cancelling listener if it has one, and the session's iterator
                    // reset either way (a generator stops at its next step).
                    self.trigger_cancel_listener().await;
                    self.reset_session().await;
                    return Err(match stop { Stop::Deadline(d) => Error::DeadlineExceeded(d), _ => Error::Cancelled });
                }
            };
            let text = match next {
                Err(_) => return Err(Error::ConnectionLost(format!("no message from the app for {}s", idle.as_secs()))),
                Ok(None) | Ok(Some(Ok(Message::Close(_)))) => {
                    return Err(Error::ConnectionLost("the app closed the websocket before the result".into()));
                }
                Ok(Some(Err(e))) => return Err(Error::ConnectionLost(e.to_string())),
                Ok(Some(Ok(Message::Text(t)))) => t.to_string(),
                Ok(Some(Ok(_))) => continue,
            };
            let Ok(env) = message::parse(&text) else { continue };
            let reply = match env.msg {
                Msg::SendHash => json!({"fn_index": fn_index, "session_hash": session_hash}),
                Msg::SendData { .. } => {
                    json!({"data": data, "event_data": self.opts.event_data, "fn_index": fn_index, "session_hash": session_hash})
                }
                Msg::QueueFull => return Err(Error::QueueFull { detail: "the app's queue is full".into() }),
                m => {
                    if let Some(done) = self.handle(m, &mut prog)? {
                        let _ = sink.close().await;
                        return Ok(done);
                    }
                    continue;
                }
            };
            sink.send(Message::Text(reply.to_string().into())).await.map_err(|e| Error::ConnectionLost(format!("websocket: {e}")))?;
        }
    }

    /// `POST /reset {session_hash, fn_index}`: stops the session's running generator (3.x).
    async fn reset_session(&self) {
        let url = join(&self.inner.api, "reset");
        let body = json!({"session_hash": self.inner.session().hash, "fn_index": self.endpoint.fn_index});
        match send(self.inner.http.post(url.clone()).json(&body).timeout(Duration::from_secs(10)), &url).await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::debug!(status = %r.status(), "reset refused"),
            Err(e) => tracing::debug!("reset failed: {e}"),
        }
    }

    /// A 3.x listener outside the queue (`queue=False`): `POST /run/predict` with the fn_index;
    /// one answer, a generator's first value only.
    async fn run_predict(&mut self, data: Vec<Value>) -> Result<Outputs, Error> {
        let url = join(&self.inner.api, "run/predict");
        let body = json!({"data": data, "event_data": self.opts.event_data, "fn_index": self.endpoint.fn_index,
                          "session_hash": self.inner.session().hash});
        let rb = self.inner.http.post(url.clone()).json(&body).timeout(SHORT_TIMEOUT);
        let resp = self.unless_stopped(send(rb, &url)).await?;
        let status = resp.status().as_u16();
        let v = match json_body(resp, &self.inner.options.limits, &url).await {
            Ok(v) => v,
            Err(e) if status == 200 => return Err(e),
            Err(_) => return Err(Error::Http { status, url: url.to_string(), body: String::new() }),
        };
        if let Some(values) = v.get("data").and_then(Value::as_array).filter(|_| status == 200) {
            return Ok(Outputs { values: self.outputs(values) });
        }
        if v.get("error").is_some() {
            return Err(self.app_error(&v, None));
        }
        Err(Error::Http { status, url: url.to_string(), body: v.to_string().chars().take(300).collect() })
    }

    fn app_error(&self, output: &Value, title: Option<String>) -> Error {
        let raw = output.get("error").and_then(Value::as_str).map(str::to_string);
        let title = output.get("title").and_then(Value::as_str).map(str::to_string).or(title);
        let message = raw.map(|m| {
            // Gradio 4.x sends the Python repr: `'Boom: x'`.
            let (major, _, _) = self.inner.config.version_tuple();
            if major < 5 && m.len() >= 2 && ((m.starts_with('\'') && m.ends_with('\'')) || (m.starts_with('"') && m.ends_with('"'))) {
                m[1..m.len() - 1].to_string()
            } else {
                m
            }
        });
        if let Some(m) = &message
            && let Some(q) = crate::quota::parse_titled(m, title.as_deref())
        {
            return q;
        }
        Error::App { message, title }
    }
}
