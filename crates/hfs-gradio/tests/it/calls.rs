//! Arguments (keyword, positional, defaults, mistakes), session state and plain values.

use hfs_gradio::{CallOptions, Error, ErrorClass};
use serde_json::{Value, json};

use crate::support::*;

per_version!(
    keyword_and_mixed_arguments,
    defaults_fill_missing_arguments,
    bad_arguments_fail_before_any_request,
    state_persists_per_session,
    json_and_several_outputs,
    update_dicts_are_returned_raw,
    unicode_and_nel_survive,
    big_output_survives,
    event_data_reaches_the_listener,
    unqueued_endpoint_works_through_the_queue,
);

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Ports test_client.py keyword-argument checks: `predict(num1=3, operation="add", num2=3)` = 6,
/// mixed positional + keyword = 36. Before 4.23 `/info` has no names: positions work, keywords
/// are refused (Usage) without a request.
async fn keyword_and_mixed_arguments(v: V) {
    let c = v.connect("main").await;
    let positional = values(&c, "/calc", args().arg(3).arg("add").arg(3)).await;
    assert_eq!(num(&positional[0]), 6.0);
    if !v.has_param_names() {
        let e = c.submit(&ep("/calc"), &args().kwarg("num1", 3), Default::default()).refused();
        assert!(matches!(&e, Error::KeywordsUnsupported { name, .. } if name == "num1"), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Usage);
        return;
    }
    let kw = values(&c, "/calc", args().kwarg("num1", 3).kwarg("operation", "add").kwarg("num2", 3)).await;
    assert_eq!(num(&kw[0]), 6.0);
    // Keyword order does not matter.
    let kw = values(&c, "/calc", args().kwarg("num2", 4).kwarg("operation", "subtract").kwarg("num1", 10)).await;
    assert_eq!(num(&kw[0]), 6.0);
    let mixed = values(&c, "/calc", args().arg(3).arg("multiply").kwarg("num2", 12)).await;
    assert_eq!(num(&mixed[0]), 36.0);
}

/// Ports test_client.py "defaults: predict(num2=10) = 20; predict(num2=33, operation='multiply')":
/// parameters left out take their default: `/info`'s on 4.23+, the component's initial value
/// from `/config` before (trailing positions only, as there are no names).
async fn defaults_fill_missing_arguments(v: V) {
    let c = v.connect("main").await;
    assert_eq!(num(&values(&c, "/calc", args().arg(3)).await[0]), 13.0);
    assert_eq!(num(&values(&c, "/calc", args().arg(3).arg("multiply")).await[0]), 30.0);
    assert_eq!(values(&c, "/greet", args().arg("World")).await, vec![json!("Hello, World.")]);
    let e = c.submit(&ep("/calc"), &args(), Default::default()).refused();
    assert_eq!(e.class(), ErrorClass::Usage);
    if v.has_param_names() {
        assert!(matches!(&e, Error::MissingParameter { name, .. } if name == "num1"), "{e:?}");
        assert_eq!(num(&values(&c, "/calc", args().kwarg("num1", 3)).await[0]), 13.0);
        assert_eq!(num(&values(&c, "/calc", args().kwarg("num1", 3).kwarg("operation", "multiply")).await[0]), 30.0);
        assert_eq!(num(&values(&c, "/calc", args().arg(5).kwarg("num2", 1)).await[0]), 6.0);
        assert_eq!(values(&c, "/greet", args().kwarg("name", "World")).await, vec![json!("Hello, World.")]);
        assert_eq!(values(&c, "/greet", args().arg("World").kwarg("excited", true)).await, vec![json!("Hello, World!")]);
    } else {
        assert!(matches!(&e, Error::MissingPositional { position: 1, label, .. } if label == "num1"), "{e:?}");
    }
}

/// Ports test_client.py "missing required ⇒ TypeError" and test_utils.py `construct_args`
/// (invalid keyword, positional/keyword conflict, too many): every mistake is a Usage error
/// from `submit` itself, before anything is sent. The state counter proves no request went out.
async fn bad_arguments_fail_before_any_request(v: V) {
    let c = v.connect("main").await;
    let usage = |e: Error| {
        assert_eq!(e.class(), ErrorClass::Usage, "{e:?}");
        e
    };
    let submit = |name: &str, a| c.submit(&ep(name), &a, Default::default()).map(|_| ());

    // A call that fails validation must not run: the session counter is still at 0 afterwards.
    let e = usage(submit("/state_inc", args().arg(1)).unwrap_err());
    assert!(matches!(e, Error::TooManyArguments { expected: 0, given: 1, .. }), "{e:?}");
    let e = usage(submit("/state_inc", args().kwarg("n", 1)).unwrap_err());
    assert!(matches!(e, Error::TooManyArguments { expected: 0, given: 1, .. }), "no parameters (not 'no information'): {e:?}");
    let e = usage(submit("/calc", args().arg(1).arg("add").arg(2).arg(3)).unwrap_err());
    assert!(matches!(e, Error::TooManyArguments { expected: 3, given: 4, .. }), "{e:?}");
    assert_eq!(values(&c, "/state_inc", args()).await, vec![json!("1")], "the refused call must not have run");

    if v.has_param_names() {
        let e = usage(submit("/calc", args().kwarg("num2", 1)).unwrap_err());
        assert!(matches!(&e, Error::MissingParameter { name, .. } if name == "num1"), "{e:?}");
        assert!(!e.to_string().contains("=VALUE"), "the library names no CLI syntax: {e}");
        assert_eq!(e.hints(), vec![hfs_gradio::Hint::GiveParameter { name: "num1".into() }]);
        let e = usage(submit("/calc", args().kwarg("nmu1", 1)).unwrap_err());
        let Error::UnknownParameter { name, suggestion, valid, .. } = &e else { panic!("{e:?}") };
        assert_eq!((name.as_str(), suggestion.as_deref()), ("nmu1", Some("num1")));
        assert_eq!(valid, &["num1", "operation", "num2"]);
        assert!(e.to_string().contains("did you mean `num1`"), "{e}");
        let e = usage(submit("/calc", args().arg(3).kwarg("num1", 4)).unwrap_err());
        assert!(matches!(&e, Error::DuplicateParameter(n) if n == "num1"), "{e:?}");
        let e = usage(submit("/greet", args().kwarg("greeting", "Hi")).unwrap_err());
        assert!(matches!(&e, Error::MissingParameter { name, .. } if name == "name"), "{e:?}");
    } else {
        let e = usage(submit("/calc", args()).unwrap_err());
        assert!(matches!(e, Error::MissingPositional { position: 1, .. }), "{e:?}");
        let e = usage(submit("/calc", args().arg(3).kwarg("num1", 4)).unwrap_err());
        assert!(matches!(e, Error::KeywordsUnsupported { .. }), "{e:?}");
    }
}

/// Ports test_client.py test_state ("increment returns 1,2,3; after reset_session 1") and
/// "two concurrent jobs keep their own state": State lives in the client's session.
async fn state_persists_per_session(v: V) {
    let a = v.connect("main").await;
    let b = v.connect("main").await;
    assert_ne!(a.session_hash(), b.session_hash());
    for i in 1..=3 {
        assert_eq!(values(&a, "/state_inc", args()).await, vec![json!(i.to_string())]);
    }
    assert_eq!(values(&b, "/state_inc", args()).await, vec![json!("1")], "another client has its own state");
    let a2 = a.clone();
    assert_eq!(values(&a2, "/state_inc", args()).await, vec![json!("4")], "clones share the session");
    let old = a.session_hash();
    a.reset_session();
    assert_ne!(a.session_hash(), old);
    assert_eq!(values(&a, "/state_inc", args()).await, vec![json!("1")], "reset_session forgets the state");
    assert_eq!(values(&a, "/state_inc", args()).await, vec![json!("2")]);
    assert_eq!(values(&b, "/state_inc", args()).await, vec![json!("2")]);
}

/// JSON values round-trip; several outputs come back in order (State/layout outputs dropped).
async fn json_and_several_outputs(v: V) {
    let c = v.connect("main").await;
    let obj = json!({"a": [1, 2.5, null, true], "b": {"c": "ü", "d": []}});
    assert_eq!(values(&c, "/echo_json", args().arg(obj.clone())).await, vec![obj]);
    // A JSON value with a `path` key is not mistaken for a file. (Not sent: 4.x servers would.)
    assert!(c.files_in(&json!({"path": "/not/a/file", "note": "json"})).is_empty());
    let out = values(&c, "/multi", args().arg("abc")).await;
    assert_eq!(out.len(), 3);
    assert_eq!(out[0], json!("abc"));
    assert_eq!(num(&out[1]), 3.0);
    assert_eq!(out[2], json!({"x": "abc"}));
}

/// docs/protocol/gradio.md#files: an output updated with `gr.update(...)` comes back as the raw update dict (like Python).
async fn update_dicts_are_returned_raw(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/update", args().arg("x")).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["__type__"], "update", "{out:?}");
    assert_eq!(out[0]["value"], "hi x");
    assert_eq!(out[0]["visible"], true);
}

/// Ports test_client.py "output with unicode and None second output is decoded; NEL survives".
async fn unicode_and_nel_survive(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/unicode", args()).await;
    assert_eq!(out, vec![json!("before\u{85}after ünïcödé ✓"), Value::Null]);
}

/// Ports test_client.py "a job with gr.Info and a 720 000-char result returns the exact string".
async fn big_output_survives(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/big", args()).await;
    let s = out[0].as_str().expect("a string");
    assert_eq!(s.len(), 720_000);
    assert!(s.bytes().all(|b| b == b'x'));
}

/// Ports test_client.py "event_data is forwarded": a listener reading `gr.EventData`
/// (`collects_event_data`) returns `evt._data`, i.e. exactly the `event_data` of the call (sent
/// with the join on sse_v1+, with `send_data` on 4.0–4.8).
async fn event_data_reaches_the_listener(v: V) {
    let c = v.connect("main").await;
    assert!(c.endpoint(&ep("/event_data")).is_ok());
    let dep = c.config().raw["dependencies"].as_array().unwrap().iter().find(|d| d["api_name"] == "event_data").unwrap();
    assert_eq!(dep["collects_event_data"], true);
    let payload = json!({"foo": "bar", "baz": 123});
    let opts = CallOptions { event_data: Some(payload.clone()), ..Default::default() };
    let out = c.submit(&ep("/event_data"), &args(), opts).unwrap().result().await.unwrap();
    assert_eq!(out.values, vec![payload]);
}

/// docs/protocol/gradio.md#calling: a `queue=False` listener is still called through `queue/join`, as Python 2.x does
/// (JS would use `/run`); it works on every version.
async fn unqueued_endpoint_works_through_the_queue(v: V) {
    let c = v.connect("main").await;
    let fn_index = c.endpoint(&ep("/queue_off")).unwrap().fn_index;
    let dep = c.config().raw["dependencies"].as_array().unwrap().iter().find(|d| d["api_name"] == "queue_off").unwrap();
    assert_eq!(dep["queue"], false, "fn {fn_index}: {dep}");
    let t = call(&c, "/queue_off", args().arg("x")).await;
    assert_eq!(t.values(), [json!("unqueued x")]);
    assert_eq!(values(&c, "/queue_off", args().arg("y")).await, vec![json!("unqueued y")]);
}
