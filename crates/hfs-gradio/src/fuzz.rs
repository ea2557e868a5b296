//! Property-based fuzzing of everything this crate parses from a server: queue messages, output
//! diffs, `/config` and `/info`, FileData in any output shape, ZeroGPU quota messages. Invariants:
//! no panic, bounded results, round trips where one exists. CI runs proptest's default 256 cases
//! per property; `PROPTEST_CASES=20000 cargo test -p hfs-gradio fuzz` runs a longer search.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::config::AppConfig;
use crate::endpoint::Endpoint;
use crate::filedata::{find_files, is_file_data};
use crate::protocol::{diff, message};

/// Keys Gradio uses, so generated objects hit the parsers' interesting paths.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("msg".to_string()),
        Just("event_id".into()),
        Just("output".into()),
        Just("data".into()),
        Just("success".into()),
        Just("path".into()),
        Just("url".into()),
        Just("orig_name".into()),
        Just("meta".into()),
        Just("_type".into()),
        Just("is_stream".into()),
        Just("components".into()),
        Just("dependencies".into()),
        Just("id".into()),
        Just("inputs".into()),
        Just("outputs".into()),
        Just("named_endpoints".into()),
        Just("parameters".into()),
        Just("props".into()),
        Just("value".into()),
        "[a-z_]{1,6}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop_oneof![
            Just("gradio.FileData".to_string()),
            Just("process_completed".into()),
            Just("process_generating".into()),
            Just("estimation".into()),
            Just("/predict".into()),
            "\\PC{0,12}"
        ]
        .prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 96, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn op() -> impl Strategy<Value = Value> {
    let action = prop_oneof![Just("replace"), Just("append"), Just("add"), Just("delete"), Just("frobnicate")];
    let step = prop_oneof![(0u64..4).prop_map(Value::from), key().prop_map(Value::from), Just(json!(null))];
    (action, proptest::collection::vec(step, 0..4), json()).prop_map(|(a, p, v)| json!([a, p, v]))
}

proptest! {
    #[test]
    fn any_message_parses_or_errs(v in json(), kind in prop_oneof![Just("process_completed"), Just("process_generating"), Just("progress"), Just("log"), Just("estimation"), Just("unexpected_error"), Just("send_data")]) {
        let _ = message::parse(&v.to_string());
        let mut obj = match v { Value::Object(m) => m, other => { let mut m = Map::new(); m.insert("output".into(), other); m } };
        obj.insert("msg".into(), json!(kind));
        let _ = message::parse(&Value::Object(obj).to_string());
    }

    /// Whatever a 3.x app returns, turning its files into FileData is total, and every FileData
    /// it makes is one the rest of the client recognises.
    #[test]
    fn any_v3_output_converts(values in proptest::collection::vec(json(), 0..4), name in "\\PC{0,20}", data in prop_oneof![Just(Value::Null), "data:[a-z/]{0,10};base64,[A-Za-z0-9+/=]{0,16}".prop_map(Value::from)]) {
        let mut values = values;
        values.push(json!({"name": name, "data": data, "is_file": true}));
        let components = vec!["image".to_string(), "gallery".into(), "file".into()];
        let out = crate::protocol::v3::outputs(values, &components);
        let last = out.last().unwrap();
        prop_assert!(crate::filedata::is_file_data(last, false), "{last}");
        let _ = crate::protocol::v3::decode_data_url(&last.to_string());
    }

    #[test]
    fn any_bytes_as_a_message(s in "\\PC{0,200}") {
        let _ = message::parse(&s);
    }

    /// Diffs: never a panic, and whatever they build stays within the depth bound.
    #[test]
    fn diffs_never_panic_and_stay_shallow(prev in json(), ops in proptest::collection::vec(op(), 0..8)) {
        if let Ok(v) = diff::apply(&prev, &Value::Array(ops)) {
            prop_assert!(depth(&v) <= diff::MAX_DEPTH.max(depth(&prev)));
        }
    }

    /// Any `/config` and `/info` build endpoints without panicking.
    #[test]
    fn any_config_and_info_build_endpoints(config in json(), info in json(), comps in proptest::collection::vec((0i64..6, prop_oneof![Just("textbox"), Just("state"), Just("row"), Just("image")]), 0..6), deps in proptest::collection::vec((proptest::collection::vec(0i64..6, 0..4), proptest::collection::vec(0i64..6, 0..4)), 0..4)) {
        let _ = Endpoint::build_all(&AppConfig::from_json(config.clone()), &info);
        let shaped = json!({
            "version": "5.0.0", "protocol": "sse_v3",
            "components": comps.iter().map(|(id, t)| json!({"id": id, "type": t, "props": {"value": config.clone()}})).collect::<Vec<_>>(),
            "dependencies": deps.iter().enumerate().map(|(i, (ins, outs))| json!({"id": i, "api_name": format!("e{i}"), "inputs": ins, "outputs": outs})).collect::<Vec<_>>(),
        });
        let cfg = AppConfig::from_json(shaped);
        let endpoints = Endpoint::build_all(&cfg, &info);
        for e in &endpoints {
            let _ = crate::endpoint::describe(e);
            let _ = e.output_labels();
            let _ = crate::args::build_data(e, &crate::Args::new().arg(config.clone()), 5);
        }
    }

    /// Every FileData found is where its pointer says, and is a FileData.
    #[test]
    fn found_files_round_trip_through_their_pointers(v in json(), tagged in any::<bool>()) {
        for (ptr, f) in find_files(&v, tagged) {
            let at = v.pointer(&ptr);
            prop_assert!(at.is_some(), "{ptr}");
            prop_assert!(is_file_data(at.unwrap(), tagged));
            prop_assert_eq!(&f.path, at.unwrap()["path"].as_str().unwrap());
        }
    }

    /// A server's defaults never become uploads, whatever they hold.
    #[test]
    fn server_defaults_never_become_uploads(default in json(), marker_path in "\\PC{0,20}") {
        let marker = json!({"_hfs_file": "local", "path": marker_path, "orig_name": "x"});
        let info = json!({"named_endpoints": {"/e": {"parameters": [
            {"parameter_name": "a", "parameter_has_default": true, "parameter_default": default},
            {"parameter_name": "b", "parameter_has_default": true, "parameter_default": [marker.clone(), {"v": marker}]},
        ]}}});
        let cfg = AppConfig::from_json(json!({"version": "5.0.0", "protocol": "sse_v3", "dependencies": [{"id": 0, "api_name": "e", "inputs": [1, 2]}]}));
        let e = &Endpoint::build_all(&cfg, &info)[0];
        let prepared = crate::args::build_data(e, &crate::Args::new(), 5).unwrap();
        prop_assert!(prepared.uploads.is_empty());
        let mine = crate::args::build_data(e, &crate::Args::new().kwarg("a", crate::local_file("/tmp/mine.png")), 5).unwrap();
        prop_assert_eq!(mine.uploads.len(), 1);
    }

    #[test]
    fn quota_messages_never_panic(prefix in "\\PC{0,40}", nums in proptest::collection::vec("[0-9]{0,25}", 0..4)) {
        let msg = format!("{prefix} exceeded your GPU quota. retry in {}", nums.join(":"));
        if let Some(e) = crate::quota::parse_quota_error(&msg) {
            prop_assert!(e.retry_after().is_none_or(|d| d.as_secs() <= hfs_core::time::MAX_SERVER_WAIT_SECS));
        }
        let _ = crate::quota::parse_quota_error(&prefix);
    }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(l) => 1 + l.iter().map(depth).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 1,
    }
}
