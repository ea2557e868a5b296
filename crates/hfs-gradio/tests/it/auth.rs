//! Password-protected apps (`launch(auth=...)`, docs/protocol/gradio.md#auth-zerogpu-rate-limits).

use hfs_gradio::{Client, ClientOptions, Error};
use serde_json::json;

use crate::support::*;

per_version!(login_required, wrong_password, right_password);

fn with_auth(user: &str, pass: &str) -> ClientOptions {
    ClientOptions { auth: Some((user.into(), pass.into())), ..Default::default() }
}

/// Ports test_client.py "auth: connecting without credentials raises AuthenticationError".
async fn login_required(v: V) {
    let e = Client::connect(&v.url("auth"), ClientOptions::default()).await.unwrap_err();
    assert!(matches!(e, Error::AuthRequired { .. }), "{e:?}");
}

/// @gradio/client `resolve_cookies` "invalid credentials": a clear error, not a generic HTTP one.
async fn wrong_password(v: V) {
    let e = Client::connect(&v.url("auth"), with_auth("user", "wrong")).await.unwrap_err();
    assert!(matches!(e, Error::BadCredentials), "{e:?}");
}

/// Ports test_client.py "with auth=('user','pass') predictions work".
async fn right_password(v: V) {
    let c = Client::connect(&v.url("auth"), with_auth("user", "pass")).await.unwrap();
    assert_eq!(values(&c, "/echo", args().arg("secret stuff")).await, vec![json!("secret stuff")]);
    let t = call(&c, "/echo", args().arg("again")).await;
    assert_eq!(t.values(), [json!("again")]);
}
