//! Errors raised inside the app's function (docs/protocol/gradio.md#calling).

use hfs_gradio::{Error, ErrorClass, ParamProblem};
use serde_json::json;

use crate::support::*;

per_version!(
    gr_error_message_and_title,
    crash_with_show_error,
    crash_without_show_error_hides_details,
    invalid_input_fails,
    validator_rejects_before_the_function_runs,
);

/// Ports test_client.py "error raising" (`gr.Error("Cannot divide by zero!")`) and docs/protocol/gradio.md#calling: the
/// message without the Python repr quotes 4.x adds, the title on 5+.
async fn gr_error_message_and_title(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/fail", args().arg("x")).await;
    let e = t.error();
    let Error::App { message, title } = e else { panic!("{e:?}") };
    assert_eq!(message.as_deref(), Some("Boom: x"));
    if v.major >= 5 {
        assert_eq!(title.as_deref(), Some("Custom title"));
    } else {
        assert_eq!(title, &None);
    }
    assert_eq!(e.class(), ErrorClass::Remote { retryable: false });
    assert!(e.to_string().contains("Boom: x"), "{e}");
    let e = c.predict(&ep("/calc"), &args().arg(1).arg("divide").arg(0)).await.unwrap_err();
    assert!(matches!(&e, Error::App { message: Some(m), .. } if m == "Cannot divide by zero!"), "{e:?}");
    // The client is still usable after an error.
    assert_eq!(values(&c, "/greet", args().arg("A").arg("B").arg(false)).await[0], "B, A.");
}

/// docs/protocol/gradio.md#calling: a plain exception in an app with show_error=True gives its message.
async fn crash_with_show_error(v: V) {
    let c = v.connect("main").await;
    let e = call(&c, "/crash", args().arg("y")).await.result.unwrap_err();
    assert!(matches!(&e, Error::App { message: Some(m), .. } if m == "plain exception y"), "{e:?}");
}

/// docs/protocol/gradio.md#calling: with show_error=False the server sends `error: null`; the error says details are hidden.
async fn crash_without_show_error_hides_details(v: V) {
    let c = v.connect("limits").await;
    let e = call(&c, "/crash", args().arg("y")).await.result.unwrap_err();
    assert!(matches!(e, Error::App { message: None, .. }), "{e:?}");
    assert!(e.to_string().contains("details hidden"), "{e}");
    assert!(!e.to_string().contains("plain exception"));
}

/// Ports test_client.py "invalid input (`'foo'` as a number) ⇒ result() raises".
async fn invalid_input_fails(v: V) {
    let c = v.connect("main").await;
    let e = c.predict(&ep("/calc"), &args().arg("foo").arg("add").arg(1)).await.unwrap_err();
    assert!(matches!(e, Error::App { .. } | Error::Validation(_) | Error::Http { .. }), "{e:?}");
    assert!(matches!(e.class(), ErrorClass::Remote { .. }), "{e:?}");
}

/// docs/protocol/gradio.md#calling `validator=` (5.50 and 6.x): invalid inputs are refused at join (422) with each failing
/// parameter's name and message, before the function runs (its run counter stays 0); valid ones
/// are called normally. Older versions have no validator: the function just runs.
async fn validator_rejects_before_the_function_runs(v: V) {
    let c = v.connect("main").await;
    let token = format!("checked-{}-{}", v.version, std::process::id());
    let runs = |c: hfs_gradio::Client, token: String| async move { values(&c, "/ticks", args().arg(token)).await[0].as_f64().unwrap() };
    if !v.at_least(5, 50) {
        assert_eq!(values(&c, "/checked", args().arg(token.as_str()).arg(-1)).await, vec![json!(format!("{token} x-1"))]);
        assert_eq!(runs(c.clone(), token).await, 1.0);
        return;
    }
    let problem = |p: &str, m: &str| ParamProblem { parameter: p.into(), message: m.into() };
    let e = c.predict(&ep("/checked"), &args().arg("ab").arg(-1)).await.unwrap_err();
    let Error::Validation(problems) = &e else { panic!("{e:?}") };
    assert_eq!(problems, &[problem("text", "too short"), problem("n", "must not be negative")]);
    assert_eq!(e.class(), ErrorClass::Remote { retryable: false });
    assert!(e.to_string().contains("- n: must not be negative"), "{e}");

    let e = c.predict(&ep("/checked"), &args().arg(token.as_str()).arg(-1)).await.unwrap_err();
    assert!(matches!(&e, Error::Validation(p) if p == &[problem("n", "must not be negative")]), "{e:?}");
    assert_eq!(runs(c.clone(), token.clone()).await, 0.0, "the function ran despite the validator");

    assert_eq!(values(&c, "/checked", args().arg(token.as_str()).arg(2)).await, vec![json!(format!("{token} x2"))]);
    assert_eq!(runs(c.clone(), token).await, 1.0);
}
