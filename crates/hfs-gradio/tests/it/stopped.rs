//! The app dies while a call runs.

use std::time::{Duration, Instant};

use hfs_gradio::{Client, ClientOptions, Error, ErrorClass, Event};
use hfs_testkit::SpaceServer;

use crate::support::*;

per_version!(server_stopped_mid_call);

/// docs/protocol/gradio.md#calling "never wait forever" / @gradio/client "broken_connection": killing the server (its own
/// process, not the shared one) ends the running job promptly with a retryable error.
async fn server_stopped_mid_call(v: V) {
    let version = v.version;
    let server = tokio::task::spawn_blocking(move || SpaceServer::start(version, &["main"])).await.unwrap();
    let c = Client::connect(server.url("main"), ClientOptions::default()).await.unwrap();
    let mut job = c.submit(&ep("/long"), &args(), Default::default()).unwrap();
    wait_for(&mut job, "the call to start", |e| matches!(e, Event::Started { .. })).await;
    let t0 = Instant::now();
    tokio::task::spawn_blocking(move || drop(server)).await.unwrap();
    let t = tokio::time::timeout(Duration::from_secs(30), trace(job)).await.expect("the job hangs after the server died");
    let e = t.error();
    assert!(matches!(e, Error::ServerStopped | Error::ConnectionLost(_)), "{e:?}");
    assert_eq!(e.class(), ErrorClass::Remote { retryable: true });
    assert!(t0.elapsed() < Duration::from_secs(20), "took {:?}", t0.elapsed());
}
