//! One session (one `session_hash`) and, for multiplexed protocols, the single task that reads its
//! `queue/data` stream and routes each message to the job it belongs to.
//!
//! Jobs never block each other: each has its own unbounded channel, the reader never waits on a
//! job, and messages that arrive before their job registered are buffered (the join answer can
//! come after the first messages).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use url::Url;

use crate::http::{Http, SHORT_TIMEOUT, send_within};
use crate::protocol::message::{self, Msg};
use crate::protocol::sse;

/// What a job's route receives: a queue message, or the end of the stream under it.
#[derive(Debug)]
pub(crate) enum Routed {
    Msg(Msg),
    /// The stream failed while the job was pending.
    Lost {
        message: String,
        session_not_found: bool,
        server_stopped: bool,
    },
}

/// Messages kept for events no job has registered yet: a job's first messages can beat its join
/// answer by a few, so a small bound loses nothing real, and a server flooding unknown event ids
/// cannot grow memory.
const EARLY_EVENTS: usize = 64;
const EARLY_MESSAGES_PER_EVENT: usize = 64;

/// A stream that keeps ending quickly with jobs pending, bringing them nothing, is reopened after
/// a growing pause (100 ms, doubling to 2 s), and given up on after this many such ends in a row.
/// A stream that lasted (a proxy cutting long waits) or brought a job a message is reopened at once.
const MAX_IDLE_REOPENS: u32 = 6;
const LASTING_STREAM: Duration = Duration::from_secs(10);

#[derive(Default)]
struct State {
    routes: HashMap<String, mpsc::UnboundedSender<Routed>>,
    /// Messages for unknown events, in arrival order of the events.
    early: HashMap<String, Vec<Msg>>,
    early_order: std::collections::VecDeque<String>,
    abandoned: HashSet<String>,
    reader_running: bool,
}

pub(crate) struct Session {
    pub(crate) hash: String,
    state: Mutex<State>,
}

/// What the reader needs to open the stream.
#[derive(Clone)]
pub(crate) struct StreamCtx {
    pub(crate) http: Http,
    pub(crate) url: Url,
    pub(crate) idle_timeout: Duration,
    pub(crate) has_close_stream: bool,
    /// Largest single SSE event accepted.
    pub(crate) max_event: usize,
}

impl Session {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self { hash: uuid::Uuid::new_v4().simple().to_string(), state: Mutex::default() })
    }

    /// Starts routing `event_id`'s messages to the returned receiver, opening the stream if needed.
    pub(crate) fn register(self: &Arc<Self>, event_id: &str, ctx: &StreamCtx) -> mpsc::UnboundedReceiver<Routed> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut st = self.state.lock().expect("session lock");
        let mut done = false;
        st.early_order.retain(|id| id != event_id);
        for m in st.early.remove(event_id).unwrap_or_default() {
            done |= matches!(m, Msg::Completed { .. });
            let _ = tx.send(Routed::Msg(m));
        }
        if !done {
            st.routes.insert(event_id.to_string(), tx);
            if !st.reader_running {
                st.reader_running = true;
                tokio::spawn(read_loop(self.clone(), ctx.clone()));
            }
        }
        rx
    }

    /// Stops routing an event the job no longer waits for (cancelled locally).
    pub(crate) fn abandon(&self, event_id: &str) {
        let mut st = self.state.lock().expect("session lock");
        st.routes.remove(event_id);
        st.abandoned.insert(event_id.to_string());
    }

    /// Routes one message; returns whether it was for a job that waits on it.
    fn dispatch(&self, event_id: Option<String>, msg: Msg) -> bool {
        let mut st = self.state.lock().expect("session lock");
        match (event_id, msg) {
            (_, Msg::Broadcast { message, session_not_found }) => {
                let server_stopped = message.contains("Server stopped");
                let any = !st.routes.is_empty();
                for (_, tx) in st.routes.drain() {
                    let _ = tx.send(Routed::Lost { message: message.clone(), session_not_found, server_stopped });
                }
                any
            }
            (Some(id), msg) => {
                if st.abandoned.contains(&id) {
                    if matches!(msg, Msg::Completed { .. }) {
                        st.abandoned.remove(&id);
                    }
                    return false;
                }
                let terminal = matches!(msg, Msg::Completed { .. });
                match st.routes.get(&id) {
                    Some(tx) => {
                        let _ = tx.send(Routed::Msg(msg));
                        if terminal {
                            st.routes.remove(&id);
                        }
                        true
                    }
                    None => {
                        st.buffer_early(id, msg);
                        false
                    }
                }
            }
            (None, _) => false,
        }
    }

    #[cfg(test)]
    fn early_len(&self) -> (usize, usize) {
        let st = self.state.lock().expect("session lock");
        (st.early.len(), st.early.values().map(Vec::len).sum())
    }

    /// True when no job waits on the stream and only abandoned events remain: nothing we want will
    /// arrive, so the stream can close (closing it also tells the server to drop that work).
    fn only_abandoned(&self) -> bool {
        let st = self.state.lock().expect("session lock");
        st.routes.is_empty() && !st.abandoned.is_empty()
    }

    /// Called when a stream ends. Returns whether a new stream must be opened for pending jobs.
    fn stream_ended(&self, got_messages: bool, why: &str) -> bool {
        let mut st = self.state.lock().expect("session lock");
        if st.routes.is_empty() {
            st.reader_running = false;
            // A closed stream delivers nothing more for them.
            st.abandoned.clear();
            return false;
        }
        if got_messages {
            return true;
        }
        for (_, tx) in st.routes.drain() {
            let _ = tx.send(Routed::Lost { message: why.to_string(), session_not_found: false, server_stopped: false });
        }
        st.reader_running = false;
        false
    }
}

impl State {
    fn buffer_early(&mut self, id: String, msg: Msg) {
        if let Some(list) = self.early.get_mut(&id) {
            if list.len() < EARLY_MESSAGES_PER_EVENT {
                list.push(msg);
            } else if matches!(msg, Msg::Completed { .. })
                && let Some(last) = list.last_mut()
            {
                // Full: the terminal message still counts most; it takes the last place.
                *last = msg;
            }
            return;
        }

        if self.early.len() >= EARLY_EVENTS
            && let Some(oldest) = self.early_order.pop_front()
        {
            tracing::debug!(event_id = %oldest, "dropping buffered messages of an event no job waits for");
            self.early.remove(&oldest);
        }
        self.early_order.push_back(id.clone());
        self.early.insert(id, vec![msg]);
    }
}

async fn read_loop(session: Arc<Session>, ctx: StreamCtx) {
    let mut pause = Duration::from_millis(100);
    let mut idle_reopens = 0u32;
    loop {
        let opened = tokio::time::Instant::now();
        let (got, useful, why) = read_once(&session, &ctx).await;
        let healthy = useful || opened.elapsed() >= LASTING_STREAM;
        if healthy {
            idle_reopens = 0;
            pause = Duration::from_millis(100);
        } else {
            idle_reopens += 1;
        }
        // A stream that only ever brings heartbeats (or nothing a job waits for) is a stream that
        // does not work: stop reopening it, and tell the jobs why.
        let got = got && idle_reopens <= MAX_IDLE_REOPENS;
        if !session.stream_ended(got, &why) {
            return;
        }
        tracing::debug!(healthy, "queue stream ended with jobs pending ({why}); reopening");
        if !healthy {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }
}

/// Reads one `queue/data` response. Returns whether any message arrived, whether any reached a
/// waiting job, and why it ended.
async fn read_once(session: &Session, ctx: &StreamCtx) -> (bool, bool, String) {
    let mut url = ctx.url.clone();
    url.query_pairs_mut().append_pair("session_hash", &session.hash);
    let rb = ctx.http.get(url.clone()).header("accept", "text/event-stream");
    let resp = match send_within(rb, &url, SHORT_TIMEOUT).await {
        Ok(r) => r,
        Err(e) => return (false, false, e.to_string()),
    };
    if !resp.status().is_success() {
        let status = resp.status();
        return (false, false, format!("the queue stream answered HTTP {status}"));
    }
    let mut events = Box::pin(sse::events(resp.bytes_stream(), ctx.max_event));
    let mut got = false;
    let mut useful = false;
    loop {
        let next = match tokio::time::timeout(ctx.idle_timeout, events.next()).await {
            Ok(n) => n,
            Err(_) => {
                return (got, useful, format!("no message or heartbeat from the app for {}s", ctx.idle_timeout.as_secs()));
            }
        };
        let payload = match next {
            None => return (got, useful, "the app closed the queue stream".into()),
            // An oversized event is not something a reopened stream would fix.
            Some(Err(e @ sse::SseError::TooLarge(_))) => return (false, useful, e.to_string()),
            Some(Err(e)) => return (got, useful, format!("the queue stream broke: {e}")),
            Some(Ok(p)) => p,
        };
        let env = match message::parse(&payload) {
            Ok(env) => env,
            Err(e) => {
                tracing::debug!("ignoring unreadable queue message: {e}");
                continue;
            }
        };
        got = true;
        match env.msg {
            Msg::Heartbeat => {}
            Msg::CloseStream if ctx.has_close_stream => return (got, useful, "the app closed the queue stream".into()),
            Msg::Broadcast { .. } => {
                session.dispatch(None, env.msg);
                return (got, true, "the app reported a session-wide failure".into());
            }
            msg => useful |= session.dispatch(env.event_id, msg),
        }
        if session.only_abandoned() {
            return (got, useful, "no job is waiting on the stream".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_event_ids_are_buffered_within_bounds() {
        let s = Session::new();
        for i in 0..100_000 {
            s.dispatch(Some(format!("ghost-{i}")), Msg::Heartbeat);
            s.dispatch(Some("one".into()), Msg::Starts { eta: None });
        }
        let (events, messages) = s.early_len();
        assert!(events <= EARLY_EVENTS, "{events} events buffered");
        assert!(messages <= EARLY_EVENTS * EARLY_MESSAGES_PER_EVENT, "{messages} messages buffered");
        // A job's own early messages (a few, just before its join answer) are still delivered.
        s.dispatch(Some("late".into()), Msg::Starts { eta: None });
        s.dispatch(Some("late".into()), Msg::Completed { output: serde_json::json!({"data": [1]}), success: true, title: None });
        // Repeated terminal messages for one unknown id cannot grow its list past the cap either,
        // and the last one kept is terminal.
        for _ in 0..10_000 {
            s.dispatch(Some("flood".into()), Msg::Completed { output: serde_json::json!({}), success: true, title: None });
        }
        let st = s.state.lock().unwrap();
        assert_eq!(st.early["late"].len(), 2);
        assert_eq!(st.early["flood"].len(), EARLY_MESSAGES_PER_EVENT);
        assert!(matches!(st.early["flood"].last(), Some(Msg::Completed { .. })));
    }
}
