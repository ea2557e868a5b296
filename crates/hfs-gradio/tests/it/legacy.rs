//! Gradio 3.x (websocket queue): refused at connect with a clear error, never a hang.
//! Ports the official clients' "Unknown protocol: ws" refusal (docs/protocol/gradio.md#legacy-flows).

use std::time::{Duration, Instant};

use hfs_gradio::{Client, ClientOptions, Error};
use hfs_testkit::SpaceServer;

#[tokio::test(flavor = "multi_thread")]
async fn gradio_3_is_refused_clearly() {
    let server = tokio::task::spawn_blocking(|| SpaceServer::start("3.50.2", &["legacy3"])).await.unwrap();
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(30), Client::connect(server.url("legacy3"), ClientOptions::default()))
        .await
        .expect("connecting to a Gradio 3 app must not hang");
    match result {
        Err(e @ Error::UnsupportedProtocol { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("3.50.2") && msg.contains("ws") && msg.contains("Gradio 3.x"), "{msg}");
            assert_eq!(e.class(), hfs_gradio::ErrorClass::Remote { retryable: false });
        }
        other => panic!("expected UnsupportedProtocol, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}
