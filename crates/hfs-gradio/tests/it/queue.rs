//! The server's queue: a full queue, and many calls at once on one client.

use std::time::Duration;

use hfs_gradio::{Error, ErrorClass, Event};
use serde_json::json;

use crate::support::*;

per_version!(queue_full, many_concurrent_calls_on_one_client);

/// Ports test_client.py "queue(max_size=1): three concurrent submits ⇒ one raises QueueError".
/// The first job is let to start so that exactly one of the other two finds the queue full.
async fn queue_full(v: V) {
    let c = v.connect("queue1").await;
    let mut first = c.submit(&ep("/wait"), &args().arg(2), Default::default()).unwrap();
    wait_for(&mut first, "the first job to start", |e| matches!(e, Event::Started { .. })).await;
    let second = c.submit(&ep("/wait"), &args().arg(0.5), Default::default()).unwrap();
    let third = c.submit(&ep("/wait"), &args().arg(0.5), Default::default()).unwrap();
    let (a, b, c3) = tokio::join!(trace(first), trace(second), trace(third));
    assert_eq!(a.values(), [json!("waited")]);
    let (full, done): (Vec<_>, Vec<_>) = [b, c3].into_iter().partition(|t| t.result.is_err());
    assert_eq!(full.len(), 1, "exactly one QueueFull: {full:?} {done:?}");
    let e = full[0].error();
    assert!(matches!(e, Error::QueueFull { .. }), "{e:?}");
    assert_eq!(e.class(), ErrorClass::Remote { retryable: true });
    assert_eq!(done[0].values(), [json!("waited")]);
}

/// Ports test_client.py "max_workers=2 with 6 jobs: all complete" (the Python client once
/// deadlocked there): 8 calls and a running generator on one client, one shared stream.
async fn many_concurrent_calls_on_one_client(v: V) {
    let c = v.connect("main").await;
    let generator = c.submit(&ep("/count"), &args().arg(15), Default::default()).unwrap();
    let calls: Vec<_> = (0..8)
        .map(|i| c.submit(&ep("/greet"), &args().arg(format!("n{i}")).arg("Hi").arg(i % 2 == 0), Default::default()).unwrap())
        .collect();
    let all = async {
        let gen_trace = tokio::spawn(trace(generator));
        let results = futures::future::join_all(calls.into_iter().map(|j| j.result())).await;
        (gen_trace.await.unwrap(), results)
    };
    let (g, results) = tokio::time::timeout(Duration::from_secs(90), all).await.expect("deadlock: calls did not complete");
    for (i, r) in results.into_iter().enumerate() {
        let want = format!("Hi, n{i}{}", if i % 2 == 0 { "!" } else { "." });
        assert_eq!(r.unwrap_or_else(|e| panic!("call {i}: {e}")).values, vec![json!(want)]);
    }
    let full: String = (0..15).map(|i| i.to_string()).collect();
    assert_eq!(g.values(), [json!(full)]);
    assert_eq!(g.outputs.len(), 15);
}
