//! Connecting by URL, reading `/config` + `/info`, and picking endpoints.

use hfs_gradio::{Client, ClientOptions, EndpointRef, Error, ErrorClass, Visibility};
use serde_json::json;

use crate::support::*;

per_version!(
    by_url_with_and_without_trailing_slash,
    info_parameters,
    private_endpoint_is_not_callable,
    unknown_endpoint_suggests,
    fn_index_calls,
    undocumented_endpoint_is_callable
);

/// Ports test_client.py "root_url ... with or without trailing /" and @gradio/client `init`
/// "connect by URL": both forms reach the same app, whose API root depends on the version.
async fn by_url_with_and_without_trailing_slash(v: V) {
    let with = v.url("main");
    assert!(with.ends_with('/'));
    let without = with.trim_end_matches('/').to_string();
    let a = Client::connect(&with, ClientOptions::default()).await.unwrap();
    let b = Client::connect(&without, ClientOptions::default()).await.unwrap();
    assert_eq!(a.base_url(), b.base_url());
    assert_eq!(a.base_url().as_str(), with);
    let api = if v.major >= 5 { format!("{with}gradio_api/") } else { with.clone() };
    assert_eq!(a.api_url().as_str(), api);
    assert_eq!(b.api_url().as_str(), api);
    let protocol = match v.version {
        "4.5.0" => "sse",
        "4.16.0" => "sse_v1",
        "4.20.0" => "sse_v2",
        _ => "sse_v3",
    };
    assert_eq!(a.protocol().as_str(), protocol);
    for c in [&a, &b] {
        let out = values(c, "/greet", args().arg("World").arg("Hi").arg(true)).await;
        assert_eq!(out, vec![json!("Hi, World!")]);
    }
}

/// Ports test_client.py "exact /info for the calculator" (names, defaults, Literal choices) and
/// "State components never appear in /info parameters". Names and defaults exist on 4.23+ only;
/// older servers give positions, and keywords are refused before sending.
async fn info_parameters(v: V) {
    let c = v.connect("main").await;
    let greet = c.endpoint(&ep("/greet")).unwrap();
    let params = greet.parameters.as_ref().expect("/greet has parameter info");
    assert_eq!(params.len(), 3);
    let calc = c.endpoint(&ep("calc")).unwrap(); // a name without the slash works too
    let cparams = calc.parameters.as_ref().unwrap();
    assert_eq!(cparams.len(), 3);
    assert_eq!(cparams[1].choices(), Some(vec![json!("add"), json!("subtract"), json!("multiply"), json!("divide")]), "Radio choices");
    assert_eq!(calc.returns.len(), 1);
    assert_eq!(c.endpoint(&ep("/multi")).unwrap().returns.len(), 3);
    // gr.State is not an API parameter; its output is not an API output.
    let state = c.endpoint(&ep("/state_inc")).unwrap();
    assert_eq!(state.parameters.as_ref().map(Vec::len), Some(0));
    assert_eq!(state.output_components(), ["textbox"]);
    if v.has_param_names() {
        let names: Vec<_> = params.iter().map(|p| p.name.clone().unwrap()).collect();
        assert_eq!(names, ["name", "greeting", "excited"]);
        let defaults: Vec<_> = params.iter().map(|p| (p.has_default, p.default.clone())).collect();
        assert_eq!(defaults, vec![(false, None), (true, Some(json!("Hello"))), (true, Some(json!(false)))]);
        let cdefaults: Vec<_> = cparams.iter().map(|p| (p.name.clone().unwrap(), p.default.clone())).collect();
        assert_eq!(cdefaults, vec![("num1".into(), None), ("operation".into(), Some(json!("add"))), ("num2".into(), Some(json!(10)))]);
        assert_eq!(cparams[1].python_type.as_deref(), Some("Literal['add', 'subtract', 'multiply', 'divide']"));
    } else {
        // No names; defaults are the components' initial values from `/config` (the server's rule).
        assert!(params.iter().all(|p| p.name.is_none()), "{params:?}");
        let labels: Vec<_> = params.iter().map(|p| p.label.clone().unwrap()).collect();
        assert_eq!(labels, ["name", "greeting", "excited"]);
        assert_eq!((params[1].has_default, params[1].default.clone()), (true, Some(json!("Hello"))));
        assert_eq!((params[2].has_default, params[2].default.clone()), (true, Some(json!(false))));
        assert!(!cparams[0].has_default, "num1 has no initial value: {:?}", cparams[0]);
        assert_eq!(cparams[1].default, Some(json!("add")));
        assert_eq!(cparams[2].default.as_ref().and_then(|d| d.as_f64()), Some(10.0));
        let e = c.submit(&ep("/greet"), &args().kwarg("name", "x"), Default::default()).refused();
        assert!(matches!(e, Error::KeywordsUnsupported { .. }), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Usage);
    }
}

/// Ports test_client.py "private endpoints: not listed; submit(fn_index=<private>) raises".
/// 6.x keeps the name `/secret` (api_visibility="private"); ≤5.x has `api_name=False`, so the
/// name does not exist at all. Either way nothing can call it.
async fn private_endpoint_is_not_callable(v: V) {
    let c = v.connect("main").await;
    // 4.5 also lists the `cancels=` listener of the app's stop button (`api_name=False`).
    let cancellers: Vec<usize> = c.config().dependencies.iter().filter(|d| !d.cancels.is_empty()).map(|d| d.fn_index).collect();
    let private: Vec<_> =
        c.endpoints().iter().filter(|e| e.visibility == Visibility::Private && !cancellers.contains(&e.fn_index)).collect();
    assert_eq!(
        private.len(),
        1,
        "exactly one private endpoint: {:?}",
        c.endpoints().iter().map(|e| (&e.api_name, e.visibility)).collect::<Vec<_>>()
    );
    let fn_index = private[0].fn_index;
    let e = c.submit(&EndpointRef::FnIndex(fn_index), &args().arg("x"), Default::default()).refused();
    assert!(matches!(&e, Error::InvalidFnIndex { index, .. } if *index == fn_index), "{e:?}");
    assert_eq!(e.class(), ErrorClass::Usage);
    let e = c.endpoint(&ep("/secret")).unwrap_err();
    if v.major >= 6 {
        assert!(matches!(&e, Error::PrivateEndpoint(n) if n == "/secret"), "{e:?}");
    } else {
        assert!(matches!(e, Error::EndpointNotFound { .. }), "{e:?}");
    }
    assert_eq!(e.class(), ErrorClass::Usage);
    // Not listed among the valid names either.
    let Error::EndpointNotFound { valid, .. } = c.endpoint(&ep("/nope")).unwrap_err() else { panic!() };
    assert!(!valid.iter().any(|n| n == "/secret"), "{valid:?}");
    assert!(valid.iter().any(|n| n == "/greet"));
}

/// Ports @gradio/client `submit` "predict rejects for unknown endpoints", with a did-you-mean.
async fn unknown_endpoint_suggests(v: V) {
    let c = v.connect("main").await;
    let e = c.submit(&ep("/gret"), &args().arg("x"), Default::default()).refused();
    let Error::EndpointNotFound { requested, suggestion, valid } = &e else { panic!("{e:?}") };
    assert_eq!(requested, "/gret");
    assert_eq!(suggestion.as_deref(), Some("/greet"));
    assert!(valid.contains(&"/calc".to_string()));
    assert!(e.to_string().contains("did you mean `/greet`"), "{e}");
    assert_eq!(e.class(), ErrorClass::Usage);
    // Far from every name: no suggestion.
    let Error::EndpointNotFound { suggestion, .. } = c.endpoint(&ep("/zzzzzzzzzz")).unwrap_err() else { panic!() };
    assert_eq!(suggestion, None);
    // Many public endpoints: one must be named.
    assert!(matches!(c.endpoint(&EndpointRef::Only), Err(Error::EndpointRequired(_))));
}

/// Ports test_client.py "generator via fn_index: job.outputs() == ['0','1','2']" (our count
/// accumulates, so the intermediate values are prefixes).
async fn fn_index_calls(v: V) {
    let c = v.connect("main").await;
    let count = c.endpoint(&ep("/count")).unwrap().fn_index;
    let greet = c.endpoint(&ep("/greet")).unwrap().fn_index;
    assert_ne!(count, greet);
    let t = trace(c.submit(&EndpointRef::FnIndex(count), &args().arg(3), Default::default()).unwrap()).await;
    assert_eq!(t.first_outputs(), vec![json!("0"), json!("01"), json!("012")]);
    assert_eq!(t.values(), [json!("012")]);
    let out = c.predict(&EndpointRef::FnIndex(greet), &args().arg("Ada").arg("Hey").arg(false)).await.unwrap();
    assert_eq!(out.values, vec![json!("Hey, Ada.")]);
    let e = c.endpoint(&EndpointRef::FnIndex(10_000)).unwrap_err();
    assert!(matches!(e, Error::InvalidFnIndex { index: 10_000, .. }), "{e:?}");
}

/// An undocumented endpoint (`show_api=False` / `api_visibility="undocumented"`) is still callable.
async fn undocumented_endpoint_is_callable(v: V) {
    let c = v.connect("main").await;
    let hidden = c.endpoint(&ep("/hidden")).unwrap();
    let expected = if v.at_least(4, 16) { Visibility::Undocumented } else { Visibility::Public };
    assert_eq!(hidden.visibility, expected);
    assert_eq!(values(&c, "/hidden", args().arg("x")).await, vec![json!("hidden x")]);
}
