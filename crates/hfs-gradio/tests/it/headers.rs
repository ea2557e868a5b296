//! What the app receives (the `headers` endpoint echoes request headers): the token policy over
//! the wire when connecting by URL, user headers and `x-gradio-user`.

use hfs_gradio::{ClientOptions, Token};
use serde_json::{Value, json};

use crate::support::*;

per_version!(token_not_sent_to_a_plain_url, explicit_token_is_sent_to_the_target, user_headers_are_sent);

pub async fn echoed(c: &hfs_gradio::Client) -> Value {
    values(c, "/headers", args().arg("x")).await.remove(0)
}

fn token_opts(to_target: bool) -> ClientOptions {
    ClientOptions {
        token: Token::new("hf_x"),
        token_to_target: to_target,
        headers: vec![("X-Test-Header".into(), "yes".into())],
        ..Default::default()
    }
}

/// hfs policy (docs/protocol/gradio.md#auth-zerogpu-rate-limits recommendation): a saved token is never sent to a host that is neither the
/// Hub nor a Space host. Ports test_client.py "x-gradio-user received by the app is `api`".
async fn token_not_sent_to_a_plain_url(v: V) {
    let c = v.connect_with("main", token_opts(false)).await;
    let h = echoed(&c).await;
    assert_eq!(h["x-hf-authorization"], Value::Null, "{h}");
    assert_eq!(h["authorization"], Value::Null, "{h}");
    assert_eq!(h["x-test-header"], "yes", "{h}");
    assert_eq!(h["x-gradio-user"], "api", "{h}");
}

/// Ports test_client.py "with a token, headers contain x-hf-authorization: Bearer <tok>": an
/// explicit token goes to the app's origin, as X-HF-Authorization (never Authorization). Other
/// origins never get it (the hostile-server tests check redirects and output URLs).
async fn explicit_token_is_sent_to_the_target(v: V) {
    let c = v.connect_with("main", token_opts(true)).await;
    let h = echoed(&c).await;
    assert_eq!(h["x-hf-authorization"], "Bearer hf_x", "{h}");
    assert_eq!(h["authorization"], Value::Null, "{h}");
    assert_eq!(h["x-test-header"], "yes", "{h}");
    assert_eq!(h["x-gradio-user"], "api", "{h}");
}

/// Ports test_client.py "user headers are added; a user `authorization` header is kept as given".
async fn user_headers_are_sent(v: V) {
    let opts = ClientOptions {
        headers: vec![("authorization".into(), "Bearer mine".into()), ("x-test-header".into(), "custom".into())],
        ..Default::default()
    };
    let c = v.connect_with("main", opts).await;
    let h = echoed(&c).await;
    assert_eq!(h["authorization"], "Bearer mine", "{h}");
    assert_eq!(h["x-test-header"], "custom", "{h}");
    assert_eq!(h["x-hf-authorization"], Value::Null, "{h}");
    assert_eq!(h["x-gradio-user"], json!("api"), "{h}");
}
