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

use crate::http::{Http, send};
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

#[derive(Default)]
struct State {
    routes: HashMap<String, mpsc::UnboundedSender<Routed>>,
    early: HashMap<String, Vec<Msg>>,
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

    fn dispatch(&self, event_id: Option<String>, msg: Msg) {
        let mut st = self.state.lock().expect("session lock");
        match (event_id, msg) {
            (_, Msg::Broadcast { message, session_not_found }) => {
                let server_stopped = message.contains("Server stopped");
                for (_, tx) in st.routes.drain() {
                    let _ = tx.send(Routed::Lost { message: message.clone(), session_not_found, server_stopped });
                }
            }
            (Some(id), msg) => {
                if st.abandoned.contains(&id) {
                    if matches!(msg, Msg::Completed { .. }) {
                        st.abandoned.remove(&id);
                    }
                    return;
                }
                let terminal = matches!(msg, Msg::Completed { .. });
                match st.routes.get(&id) {
                    Some(tx) => {
                        let _ = tx.send(Routed::Msg(msg));
                        if terminal {
                            st.routes.remove(&id);
                        }
                    }
                    None => st.early.entry(id).or_default().push(msg),
                }
            }
            (None, _) => {}
        }
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

async fn read_loop(session: Arc<Session>, ctx: StreamCtx) {
    loop {
        let (got, why) = read_once(&session, &ctx).await;
        if !session.stream_ended(got, &why) {
            return;
        }
        tracing::debug!("queue stream ended with jobs pending; reopening");
    }
}

/// Reads one `queue/data` response. Returns whether any message arrived, and why it ended.
async fn read_once(session: &Session, ctx: &StreamCtx) -> (bool, String) {
    let mut url = ctx.url.clone();
    url.query_pairs_mut().append_pair("session_hash", &session.hash);
    let rb = ctx.http.get(url.clone()).header("accept", "text/event-stream");
    let resp = match send(rb, &url).await {
        Ok(r) => r,
        Err(e) => return (false, e.to_string()),
    };
    if !resp.status().is_success() {
        let status = resp.status();
        return (false, format!("the queue stream answered HTTP {status}"));
    }
    let mut events = Box::pin(sse::events(resp.bytes_stream()));
    let mut got = false;
    loop {
        let next = match tokio::time::timeout(ctx.idle_timeout, events.next()).await {
            Ok(n) => n,
            Err(_) => {
                return (got, format!("no message or heartbeat from the app for {}s", ctx.idle_timeout.as_secs()));
            }
        };
        let payload = match next {
            None => return (got, "the app closed the queue stream".into()),
            Some(Err(e)) => return (got, format!("the queue stream broke: {e}")),
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
            Msg::CloseStream if ctx.has_close_stream => return (got, "the app closed the queue stream".into()),
            Msg::Broadcast { .. } => {
                session.dispatch(None, env.msg);
                return (got, "the app reported a session-wide failure".into());
            }
            msg => session.dispatch(env.event_id, msg),
        }
        if session.only_abandoned() {
            return (got, "no job is waiting on the stream".into());
        }
    }
}
