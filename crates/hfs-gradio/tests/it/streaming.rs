//! Generators, progress and log events.

use hfs_gradio::{Error, ErrorClass, LogLevel};
use serde_json::{Value, json};

use crate::support::*;

per_version!(generator_outputs_in_order, json_generator, generator_failing_midway, progress_events, log_events, chatbot_streams);

/// Ports test_client.py "generator: job.outputs() and iterating yield the values in order" and
/// docs/protocol/gradio.md#calling "the final message is authoritative": every diff protocol must rebuild the prefixes.
async fn generator_outputs_in_order(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/count", args().arg(5)).await;
    assert_eq!(t.first_outputs(), ["0", "01", "012", "0123", "01234"].map(|s| json!(s)).to_vec());
    assert_eq!(t.values(), [json!("01234")]);
    assert_eq!(t.started, 1);
    // The app named the call once, before it ran (what a batch records as the remote job id).
    assert_eq!(t.accepted.len(), 1, "{:?}", t.accepted);
    assert!(!t.accepted[0].is_empty());
    assert!(c.endpoint(&ep("/count")).unwrap().generator);
    assert!(!c.endpoint(&ep("/greet")).unwrap().generator);
}

/// JSON-list generator (diffs with `add`/`replace` on 4.17+): every intermediate list is whole.
async fn json_generator(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/json_gen", args().arg(4)).await;
    let expected: Vec<Value> = (1..=4).map(|n| Value::Array((0..n).map(|i| json!({"i": i})).collect())).collect();
    assert_eq!(t.first_outputs(), expected);
    assert_eq!(t.values(), [expected[3].clone()]);
}

/// Ports @gradio/client `submit` "server error mid-stream terminates" and test_client.py
/// "errors mid-stream": the outputs before the failure arrive, then the app's error.
async fn generator_failing_midway(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/fail_midway", args().arg(6)).await;
    assert_eq!(t.first_outputs(), vec![json!("0"), json!("01"), json!("012")]);
    let e = t.error();
    assert!(matches!(e, Error::App { message: Some(m), .. } if m == "failed at 3"), "{e:?}");
    assert_eq!(e.class(), ErrorClass::Remote { retryable: false });
}

/// Ports test_client.py progress check ("some status has PROGRESS with
/// ProgressUnit(index=i, length=20, unit='steps')"): tqdm units with index/length/unit/desc.
async fn progress_events(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/generate_image", args().arg("cat").arg(7).arg(32).arg(24).arg(5)).await;
    assert!(!t.progress.is_empty(), "no progress events");
    let units: Vec<_> = t
        .progress
        .iter()
        .map(|p| {
            assert_eq!(p.len(), 1, "one bar: {p:?}");
            p[0].clone()
        })
        .collect();
    for u in &units {
        assert_eq!(u.length, Some(5), "{u:?}");
        assert_eq!(u.unit.as_deref(), Some("steps"), "{u:?}");
        assert_eq!(u.desc.as_deref(), Some("denoising"), "{u:?}");
        assert!(u.index.is_some_and(|i| i <= 5), "{u:?}");
        let f = u.fraction().unwrap();
        assert!((0.0..=1.0).contains(&f));
    }
    let idx: Vec<u64> = units.iter().map(|u| u.index.unwrap()).collect();
    assert!(idx.windows(2).all(|w| w[0] <= w[1]), "progress goes forward: {idx:?}");
    let out = t.values();
    assert_eq!(out.len(), 2);
    assert!(c.files_in(&out[0]).len() == 1, "an image file: {out:?}");
    assert_eq!(out[1].as_f64(), Some(7.0));
}

/// gr.Info / gr.Warning arrive as log events with their level (and a title on 5+); they are
/// never terminal.
async fn log_events(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/notify", args().arg("x")).await;
    assert_eq!(t.values(), [json!("x")]);
    let got: Vec<_> = t.logs.iter().map(|(l, _, m)| (*l, m.as_str())).collect();
    assert_eq!(got, vec![(LogLevel::Info, "info message x"), (LogLevel::Warning, "warning message")]);
    let titles: Vec<_> = t.logs.iter().map(|(_, title, _)| title.as_deref()).collect();
    if v.major >= 5 {
        assert_eq!(titles, [Some("Info"), Some("Warning")]);
    } else {
        assert_eq!(titles, [None, None]);
    }
}

/// Ports test_client.py "chatbot message format round-trip": the streamed chatbot history is
/// rebuilt from diffs (`add` a message, `append` to its text) in every history format.
async fn chatbot_streams(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/chat", args().arg("hi there").arg(json!([]))).await;
    assert!(t.outputs.len() >= 3, "streamed word by word: {:?}", t.outputs);
    let last = &t.values()[0];
    let reply = if v.major >= 6 {
        last[1]["content"][0]["text"].clone()
    } else if v.at_least(4, 44) {
        last[1]["content"].clone()
    } else {
        last[0][1].clone()
    };
    assert_eq!(reply, json!("echo: hi there"), "{last}");
    assert_eq!(t.outputs.last().unwrap()[0], *last, "the last intermediate value equals the final one");
}
