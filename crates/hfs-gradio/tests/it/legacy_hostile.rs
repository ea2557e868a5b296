//! A hostile Gradio 3.x app: a loopback server that answers `/config` and `/info` like 3.50.2 and
//! then misbehaves on the websocket on cue (silence, an oversized frame, a close before the result,
//! garbage frames). Each ends in a typed error within its bound, never a hang or a crash.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use hfs_gradio::{Args, Client, ClientOptions, EndpointRef, Error, Limits};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone, Copy)]
enum Fault {
    /// After `send_data`, nothing more.
    Silence,
    /// A frame larger than the client's message cap.
    HugeFrame,
    /// The socket closes after `process_starts`.
    EarlyClose,
    /// Frames that are not JSON, unknown messages, then a normal result.
    GarbageThenResult,
}

fn config() -> serde_json::Value {
    json!({
        "version": "3.50.2", "mode": "blocks", "enable_queue": true,
        "components": [{"id": 1, "type": "textbox", "props": {"label": "x", "value": ""}},
                       {"id": 2, "type": "textbox", "props": {"label": "out"}}],
        "dependencies": [{"targets": [3], "inputs": [1], "outputs": [2], "backend_fn": true, "api_name": "echo",
                          "queue": null, "types": {"continuous": false, "generator": false}, "cancels": []}],
    })
}

fn info() -> serde_json::Value {
    json!({"named_endpoints": {"/echo": {
        "parameters": [{"label": "x", "type": {"type": "string"}, "python_type": {"type": "str"}, "component": "Textbox", "serializer": "StringSerializable"}],
        "returns": [{"label": "out", "type": {"type": "string"}, "python_type": {"type": "str"}, "component": "Textbox", "serializer": "StringSerializable"}]}},
        "unnamed_endpoints": {}})
}

async fn http_reply(mut s: TcpStream, path: &str) {
    let body = match path {
        p if p.starts_with("/config") => config().to_string(),
        p if p.starts_with("/info") => info().to_string(),
        _ => {
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
            return;
        }
    };
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body.as_bytes()).await;
}

async fn ws_session(s: TcpStream, fault: Fault) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(s).await else { return };
    let send = |v: serde_json::Value| Message::Text(v.to_string().into());
    let _ = ws.send(send(json!({"msg": "send_hash"}))).await;
    let _ = ws.next().await;
    let _ = ws.send(send(json!({"msg": "estimation", "rank": 0, "queue_size": 1, "rank_eta": 0.1}))).await;
    let _ = ws.send(send(json!({"msg": "send_data"}))).await;
    let _ = ws.next().await;
    match fault {
        Fault::Silence => tokio::time::sleep(Duration::from_secs(60)).await,
        Fault::HugeFrame => {
            let big = "x".repeat(2 << 20);
            let _ = ws.send(send(json!({"msg": "process_completed", "output": {"data": [big]}, "success": true}))).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        Fault::EarlyClose => {
            let _ = ws.send(send(json!({"msg": "process_starts"}))).await;
            let _ = ws.close(None).await;
        }
        Fault::GarbageThenResult => {
            let _ = ws.send(Message::Text("not json {".into())).await;
            let _ = ws.send(send(json!({"msg": "something_new", "x": 1}))).await;
            let _ = ws.send(Message::Binary(vec![0, 1, 2].into())).await;
            let _ = ws.send(send(json!({"msg": "process_completed", "output": {"data": ["ok"]}, "success": true}))).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Starts the app; every connection is HTTP or, for `/queue/join`, a websocket.
async fn hostile(fault: Fault) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = [0u8; 512];
                let n = s.peek(&mut head).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&head[..n]).lines().next().unwrap_or_default().to_string();
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                if path.starts_with("/queue/join") {
                    ws_session(s, fault).await;
                } else {
                    let mut s = s;
                    let mut buf = vec![0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    http_reply(s, &path).await;
                }
            });
        }
    });
    url
}

async fn call(fault: Fault) -> (Result<hfs_gradio::Outputs, Error>, Duration) {
    let url = hostile(fault).await;
    let options = ClientOptions {
        stream_idle_timeout: Duration::from_secs(1),
        limits: Limits { json_bytes: 1 << 20, ..Limits::default() },
        ..ClientOptions::default()
    };
    let c = Client::connect(&url, options).await.unwrap();
    let started = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(20), c.predict(&EndpointRef::Name("/echo".into()), &Args::new().arg("hi")))
        .await
        .expect("the call must end on its own");
    (r, started.elapsed())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_socket_ends_at_the_idle_timeout() {
    let (r, took) = call(Fault::Silence).await;
    assert!(matches!(r, Err(Error::ConnectionLost(_))), "{r:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_frame_is_refused() {
    // A 2 MiB result against a 1 MiB message cap: refused as it arrives, not taken as the result.
    let (r, took) = call(Fault::HugeFrame).await;
    match &r {
        Err(Error::ConnectionLost(m)) => assert!(!m.starts_with("no message"), "refused by the cap, not by silence: {m}"),
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_close_before_the_result_is_connection_lost() {
    let (r, _) = call(Fault::EarlyClose).await;
    match r {
        Err(Error::ConnectionLost(m)) => assert!(m.contains("closed") || m.contains("websocket"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_frames_are_skipped() {
    let (r, _) = call(Fault::GarbageThenResult).await;
    assert_eq!(r.unwrap().values, [json!("ok")]);
}
