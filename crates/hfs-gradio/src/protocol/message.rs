//! Lenient typed views of the queue messages every SSE protocol version sends.

use serde_json::Value;

use crate::event::{LogLevel, ProgressUnit};

/// One message from a queue stream. Unknown kinds are kept, never fatal.
#[derive(Clone, Debug)]
pub enum Msg {
    Estimation {
        rank: Option<u64>,
        queue_size: Option<u64>,
        eta: Option<f64>,
    },
    Starts {
        eta: Option<f64>,
    },
    Progress(Vec<ProgressUnit>),
    Log {
        level: LogLevel,
        title: Option<String>,
        message: String,
    },
    /// `process_generating` (`diffable`) or `process_streaming` (never diffed).
    Generating {
        output: Value,
        success: bool,
        diffable: bool,
    },
    Completed {
        output: Value,
        success: bool,
        title: Option<String>,
    },
    /// sse v0: the server asks for the call's data.
    /// 3.x websocket: the server asks for the session hash and fn_index.
    SendHash,
    SendData {
        event_id: Option<String>,
    },
    QueueFull,
    Heartbeat,
    CloseStream,
    /// A failure for the whole session (`unexpected_error`, 4.9's `server_stopped`).
    Broadcast {
        message: String,
        session_not_found: bool,
    },
    Unknown(String),
}

/// A parsed message and the event it belongs to (`None` for session-wide messages and sse v0).
#[derive(Clone, Debug)]
pub struct Envelope {
    pub event_id: Option<String>,
    pub msg: Msg,
}

pub fn parse(payload: &str) -> Result<Envelope, String> {
    let v: Value = serde_json::from_str(payload).map_err(|e| format!("{e} in {}", preview(payload)))?;
    let kind = v.get("msg").and_then(Value::as_str).unwrap_or_default();
    let f64_of = |k: &str| v.get(k).and_then(Value::as_f64);
    let u64_of = |k: &str| v.get(k).and_then(Value::as_u64);
    let str_of = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let success = v.get("success").and_then(Value::as_bool).unwrap_or(true);
    let msg = match kind {
        "estimation" => Msg::Estimation { rank: u64_of("rank"), queue_size: u64_of("queue_size"), eta: f64_of("rank_eta") },
        "process_starts" => Msg::Starts { eta: f64_of("eta") },
        "progress" => Msg::Progress(
            v.get("progress_data").and_then(Value::as_array).map(|l| l.iter().map(ProgressUnit::from_json).collect()).unwrap_or_default(),
        ),
        "log" => Msg::Log {
            level: LogLevel::parse(v.get("level").and_then(Value::as_str).unwrap_or("info")),
            title: str_of("title"),
            message: str_of("log").unwrap_or_default(),
        },
        "process_generating" | "process_streaming" => {
            Msg::Generating { output: v.get("output").cloned().unwrap_or(Value::Null), success, diffable: kind == "process_generating" }
        }
        "process_completed" => Msg::Completed { output: v.get("output").cloned().unwrap_or(Value::Null), success, title: str_of("title") },
        "send_data" => Msg::SendData { event_id: str_of("event_id") },
        "send_hash" => Msg::SendHash,
        "queue_full" => Msg::QueueFull,
        "heartbeat" => Msg::Heartbeat,
        "close_stream" => Msg::CloseStream,
        "unexpected_error" => Msg::Broadcast {
            message: str_of("message").unwrap_or_else(|| "unexpected error".into()),
            session_not_found: v.get("session_not_found").and_then(Value::as_bool).unwrap_or(false),
        },
        "server_stopped" => Msg::Broadcast { message: "Server stopped unexpectedly.".into(), session_not_found: false },
        other => Msg::Unknown(other.to_string()),
    };
    let event_id = match msg {
        Msg::SendData { .. } => None,
        _ => v.get("event_id").and_then(Value::as_str).map(str::to_string),
    };
    Ok(Envelope { event_id, msg })
}

fn preview(s: &str) -> String {
    let p: String = s.chars().take(120).collect();
    if p.len() < s.len() { format!("{p}…") } else { p }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ported from @gradio/client `handle_message` tests (docs/protocol/gradio.md#upstream-test-scenarios): every message type.
    #[test]
    fn maps_every_message_type() {
        let cases = [
            (r#"{"msg":"estimation","event_id":"e","rank":2,"queue_size":5,"rank_eta":1.5}"#, "Estimation"),
            (r#"{"msg":"process_starts","event_id":"e","eta":null}"#, "Starts"),
            (
                r#"{"msg":"progress","event_id":"e","progress_data":[{"index":1,"length":3,"unit":"steps","progress":null,"desc":"d"}]}"#,
                "Progress",
            ),
            (r#"{"msg":"log","event_id":"e","log":"hi","level":"warning","duration":10.0,"visible":true,"title":"Warning"}"#, "Log"),
            (r#"{"msg":"process_generating","event_id":"e","output":{"data":["0"]},"success":true}"#, "Generating"),
            (r#"{"msg":"process_streaming","event_id":"e","output":{"data":["0"]},"success":true}"#, "Generating"),
            (r#"{"msg":"process_completed","event_id":"e","output":{"data":[1]},"success":true}"#, "Completed"),
            (r#"{"msg":"send_data","event_id":"e"}"#, "SendData"),
            (r#"{"msg":"queue_full"}"#, "QueueFull"),
            (r#"{"msg":"heartbeat","event_id":null}"#, "Heartbeat"),
            (r#"{"msg":"close_stream","event_id":null}"#, "CloseStream"),
            (
                r#"{"msg":"unexpected_error","event_id":null,"message":"404: Not Found","session_not_found":true,"success":false}"#,
                "Broadcast",
            ),
            (r#"{"msg":"server_stopped","success":false}"#, "Broadcast"),
            (r#"{"msg":"something_new","extra":[1,2]}"#, "Unknown"),
        ];
        for (raw, want) in cases {
            let env = parse(raw).unwrap();
            let got = format!("{:?}", env.msg);
            assert!(got.starts_with(want), "{raw} => {got}");
        }
    }

    #[test]
    fn keeps_event_ids_and_details() {
        let env = parse(
            r#"{"msg": "estimation", "event_id": "abc", "rank": 0, "queue_size": 1, "rank_eta": null, "avg_event_process_time": 0.0}"#,
        )
        .unwrap();
        assert_eq!(env.event_id.as_deref(), Some("abc"));
        assert!(matches!(env.msg, Msg::Estimation { rank: Some(0), queue_size: Some(1), eta: None }));
        let env =
            parse(r#"{"msg":"unexpected_error","event_id":null,"message":"404: Not Found","session_not_found":true,"success":false}"#)
                .unwrap();
        assert!(matches!(env.msg, Msg::Broadcast { session_not_found: true, .. }));
        assert!(parse("not json").is_err());
    }
}
