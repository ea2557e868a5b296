//! Cancelling calls and deadlines.

use std::time::{Duration, Instant};

use hfs_gradio::{CallOptions, Error, ErrorClass, Event};
use serde_json::json;

use crate::support::*;

per_version!(cancel_running_generator_then_start_fresh, cancel_stops_the_generator_on_the_server, cancel_before_start, deadline_exceeded);

/// Ports test_client.py "cancel /iterate after 3 ITERATING statuses ⇒ result raises, outputs
/// ⊆ 0..5, CANCELLED" and "after cancelling a generator, a new job on the same endpoint starts
/// fresh". 4.31+ cancels on the server (`/cancel`); older versions only abandon the job locally
/// (no listener of the app cancels `/iterate`), so the new job may wait for the old generator there.
async fn cancel_running_generator_then_start_fresh(v: V) {
    let c = v.connect("main").await;
    let mut job = c.submit(&ep("/iterate"), &args(), Default::default()).unwrap();
    let mut seen = vec![];
    while seen.len() < 3 {
        if let Event::Output(o) = wait_for(&mut job, "an output", |e| matches!(e, Event::Output(_))).await {
            seen.push(o.values[0].as_f64().unwrap());
        }
    }
    assert_eq!(seen, [0.0, 1.0, 2.0]);
    let t0 = Instant::now();
    job.cancel();
    let t = trace(job).await;
    assert!(matches!(t.error(), Error::Cancelled), "{:?}", t.result);
    assert_eq!(t.error().class(), ErrorClass::Cancelled);
    assert!(t0.elapsed() < Duration::from_secs(6), "cancel took {:?}", t0.elapsed());
    for o in &t.outputs {
        assert!(o[0].as_f64().unwrap() <= 5.0, "{:?}", t.outputs);
    }

    let mut again = c.submit(&ep("/iterate"), &args(), Default::default()).unwrap();
    let Event::Output(first) = wait_for(&mut again, "the first output", |e| matches!(e, Event::Output(_))).await else { unreachable!() };
    assert_eq!(first.values[0].as_f64(), Some(0.0), "the new job starts from scratch");
    again.cancel_handle().cancel();
    assert!(matches!(again.result().await, Err(Error::Cancelled)));
}

/// How many iterations `/ticker` ran for `token` (the app records it as it goes).
async fn ticks(c: &hfs_gradio::Client, token: &str) -> f64 {
    let out = values(c, "/ticks", args().arg(token)).await;
    out[0].as_f64().unwrap_or_else(|| panic!("ticks: {out:?}"))
}

/// Ports gradio_client's `Endpoint.make_cancel` (docs/protocol/gradio.md#calling): cancelling really stops the generator on
/// the server. 4.31+ posts `/cancel`; before that the server has no such route, and the client
/// triggers the app's own `cancels=[ticker]` listener (`stop`) as Python does. Proof: the app's
/// per-token counter stops growing, and the endpoint (concurrency limit 1) is free at once.
async fn cancel_stops_the_generator_on_the_server(v: V) {
    let c = v.connect("main").await;
    let token = format!("cancel-{}-{}", v.version, std::process::id());
    let mut job = c.submit(&ep("/ticker"), &args().arg(token.as_str()), Default::default()).unwrap();
    for _ in 0..3 {
        wait_for(&mut job, "an output", |e| matches!(e, Event::Output(_))).await;
    }
    job.cancel();
    assert!(matches!(job.result().await, Err(Error::Cancelled)));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let stopped_at = ticks(&c, &token).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let later = ticks(&c, &token).await;
    assert_eq!(later, stopped_at, "the generator kept running on the server after the cancel");
    assert!((3.0..=20.0).contains(&stopped_at), "stopped after {stopped_at} of 60 iterations");

    // The slot is free: a new ticker starts now instead of waiting ~10 s for the old one.
    let t0 = Instant::now();
    let again = format!("{token}-again");
    let mut job = c.submit(&ep("/ticker"), &args().arg(again.as_str()), Default::default()).unwrap();
    let Event::Output(first) = wait_for(&mut job, "the first output", |e| matches!(e, Event::Output(_))).await else { unreachable!() };
    assert_eq!(first.values[0].as_f64(), Some(0.0));
    assert!(t0.elapsed() < Duration::from_secs(5), "the new job waited {:?}", t0.elapsed());
    job.cancel();
    assert!(matches!(job.result().await, Err(Error::Cancelled)));
}

/// Ports test_client.py "cancel a queued /long job while STARTING ⇒ CancelledError, < 10 s".
async fn cancel_before_start(v: V) {
    let c = v.connect("main").await;
    let t0 = Instant::now();
    let job = c.submit(&ep("/sleep"), &args().arg(8), Default::default()).unwrap();
    job.cancel();
    let r = job.result().await;
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert!(t0.elapsed() < Duration::from_secs(7), "cancel took {:?}", t0.elapsed());
}

/// Ports test_client.py "result(timeout=0.05) on a 10 s job raises TimeoutError": the deadline
/// ends the call quickly (loose bound, not a speed test); a generous deadline does not interfere.
async fn deadline_exceeded(v: V) {
    let c = v.connect("main").await;
    let t0 = Instant::now();
    let opts = CallOptions { deadline: Some(Duration::from_secs(1)), ..Default::default() };
    let r = c.submit(&ep("/long"), &args(), opts).unwrap().result().await;
    let e = r.unwrap_err();
    assert!(matches!(e, Error::DeadlineExceeded(d) if d == Duration::from_secs(1)), "{e:?}");
    assert_eq!(e.class(), ErrorClass::Deadline);
    assert!(t0.elapsed() < Duration::from_secs(5), "took {:?}", t0.elapsed());

    let opts = CallOptions { deadline: Some(Duration::from_secs(60)), ..Default::default() };
    let out = c.submit(&ep("/greet"), &args().arg("D").arg("Hi").arg(false), opts).unwrap().result().await.unwrap();
    assert_eq!(out.values, vec![json!("Hi, D.")]);
}
