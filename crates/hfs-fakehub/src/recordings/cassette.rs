//! vcrpy cassettes (YAML): `interactions: [{request: {method, uri, headers,
//! body}, response: {status: {code}, headers, body: {string}}}]`, with binary
//! bodies as `!!binary` base64.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;

use super::yaml::{self, Node};
use crate::origin::Origin;
use crate::query::Params;

/// One recorded exchange, keyed the way the fake serves it.
#[derive(Debug, Clone)]
pub struct Interaction {
    /// `file.yaml#N`, for debugging which recording answered.
    pub source: String,
    pub origin: Origin,
    pub method: String,
    /// The path on the fake's listener: the recorded path, prefixed with
    /// `/{host}` for the assets listener.
    pub path: String,
    pub query: Params,
    pub request_body: Vec<u8>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Recorded as text (so asset URLs in it may be rewritten), not bytes.
    pub text: bool,
}

pub fn load(path: &Path) -> anyhow::Result<Vec<Interaction>> {
    let text = std::fs::read_to_string(path)?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let doc = yaml::parse(&text)?;
    let Some(Node::Seq(items)) = doc.get("interactions") else {
        bail!("no `interactions` list");
    };
    items.iter().enumerate().map(|(i, item)| interaction(item, format!("{name}#{i}")).with_context(|| format!("interaction {i}"))).collect()
}

fn interaction(node: &Node, source: String) -> anyhow::Result<Interaction> {
    let req = node.get("request").context("no request")?;
    let resp = node.get("response").context("no response")?;
    let uri = req.get("uri").and_then(Node::str).context("no request uri")?;
    let url = url::Url::parse(uri).with_context(|| format!("bad uri {uri:?}"))?;
    let mut host = url.host_str().context("uri without host")?.to_string();
    if let Some(port) = url.port() {
        host = format!("{host}:{port}");
    }
    let origin = Origin::of_host(&host);
    let path = match origin {
        Origin::Assets => format!("/{host}{}", url.path()),
        _ => url.path().to_string(),
    };
    let method = req.get("method").and_then(Node::str).context("no method")?.to_ascii_uppercase();
    let (request_body, _) = body(req.get("body"))?;
    let status =
        resp.get("status").and_then(|s| s.get("code")).and_then(Node::str).context("no status code")?.parse().context("status code")?;
    let (body, text) = body(resp.get("body").and_then(|b| b.get("string")))?;
    Ok(Interaction {
        source,
        origin,
        method,
        path,
        query: Params::parse(url.query()),
        request_body,
        status,
        headers: headers(resp.get("headers")),
        body,
        text,
    })
}

/// Bytes of a body, and whether it was recorded as text.
fn body(node: Option<&Node>) -> anyhow::Result<(Vec<u8>, bool)> {
    match node {
        None | Some(Node::Null) => Ok((Vec::new(), true)),
        Some(Node::Scalar { text, binary: false }) => Ok((text.clone().into_bytes(), true)),
        Some(Node::Scalar { text, binary: true }) => {
            // Base64 is wrapped over many lines in the YAML block scalar.
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(compact).context("bad !!binary body")?;
            Ok((bytes, false))
        }
        Some(other) => bail!("unexpected body {other:?}"),
    }
}

/// vcrpy stores each header as a list of values.
fn headers(node: Option<&Node>) -> Vec<(String, String)> {
    let Some(Node::Map(entries)) = node else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, values) in entries {
        match values {
            Node::Seq(vs) => out.extend(vs.iter().filter_map(Node::str).map(|v| (name.clone(), v.to_string()))),
            Node::Scalar { text, .. } => out.push((name.clone(), text.clone())),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASSETTE: &str = r#"interactions:
- request:
    body: '{"a": 1}'
    headers:
      Accept:
      - '*/*'
    method: post
    uri: https://router.huggingface.co/x/y?expand=z
  response:
    body:
      string: !!binary |
        iVBORw0K
    headers:
      Content-Type:
      - image/png
    status:
      code: 201
      message: Created
- request:
    body: null
    headers: {}
    method: GET
    uri: https://v3.fal.media/files/a.png
  response:
    body:
      string: ''
    headers: {}
    status:
      code: 404
      message: Not Found
"#;

    #[test]
    fn reads_interactions_with_origins_and_binary_bodies() {
        let dir = std::env::temp_dir().join(format!("fakehub-cassette-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.yaml");
        std::fs::write(&file, CASSETTE).unwrap();
        let got = load(&file).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        let a = &got[0];
        assert_eq!((a.origin, a.method.as_str(), a.path.as_str()), (Origin::Router, "POST", "/x/y"));
        assert_eq!(a.query, Params::parse(Some("expand[]=z")));
        assert_eq!(a.request_body, br#"{"a": 1}"#);
        assert_eq!((a.status, a.text), (201, false));
        assert_eq!(a.body, b"\x89PNG\r\n");
        assert_eq!(a.headers, [("Content-Type".to_string(), "image/png".to_string())]);
        assert_eq!(a.source, "t.yaml#0");

        let b = &got[1];
        assert_eq!((b.origin, b.path.as_str()), (Origin::Assets, "/v3.fal.media/files/a.png"));
        assert!(b.request_body.is_empty() && b.body.is_empty() && b.text);
    }
}
