//! An independent reading of the recorded cassettes, to tell the replay
//! tests what the fake must send back. Uses serde_yaml_ng, not the fake's
//! own parser; since that resolves `!!binary` to its base64 text, binary
//! bodies are recognised from the raw YAML of each interaction instead.

use base64::Engine;
use serde_yaml_ng::Value;

use super::{FakeHub, fixtures_dir};

#[derive(Debug, Clone)]
pub struct Rec {
    /// `file.yaml#N`, as the fake names its recordings.
    pub source: String,
    pub method: String,
    pub host: String,
    /// Path and query as recorded.
    pub target: String,
    pub req_body: Vec<u8>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub text: bool,
}

impl Rec {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The listener base URL and path the fake serves this recording at.
    pub fn location(&self, hub: &FakeHub) -> (String, String) {
        match self.host.as_str() {
            "huggingface.co" => (hub.url.clone(), self.target.clone()),
            "router.huggingface.co" => (hub.router.clone(), self.target.clone()),
            host => (hub.assets.clone(), format!("/{host}{}", self.target)),
        }
    }

    /// The body the fake must send: text bodies with asset URLs pointing at
    /// the assets listener, binary bodies as recorded.
    pub fn expected_body(&self, assets: &str) -> Vec<u8> {
        if !self.text {
            return self.body.clone();
        }
        let mut text = String::from_utf8(self.body.clone()).unwrap();
        for host in ["v3.fal.media", "replicate.delivery", "api.replicate.com", "stream.replicate.com"] {
            text = text.replace(&format!("https://{host}/"), &format!("{assets}/{host}/"));
        }
        text.into_bytes()
    }
}

/// Every recording, in the fake's order (file name, then position); parsed
/// once per test binary since the YAML is megabytes.
pub fn all() -> &'static [Rec] {
    static ALL: std::sync::OnceLock<Vec<Rec>> = std::sync::OnceLock::new();
    ALL.get_or_init(parse_all)
}

fn parse_all() -> Vec<Rec> {
    let dir = fixtures_dir().join("hf-cassettes");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read_to_string(&file).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
        let items = doc["interactions"].as_sequence().unwrap();
        // vcrpy writes one `- request:` item per interaction at column 0.
        let chunks: Vec<&str> = raw.split("\n- request:").skip(1).collect();
        assert_eq!(chunks.len(), items.len(), "{name}");
        for (i, (item, chunk)) in items.iter().zip(chunks).enumerate() {
            let req_binary = chunk.contains("\n    body: !!binary");
            let resp_binary = chunk.contains("\n      string: !!binary");
            out.push(rec(format!("{name}#{i}"), item, req_binary, resp_binary));
        }
    }
    out
}

fn bytes(v: &Value, binary: bool) -> Vec<u8> {
    match v.as_str() {
        None => Vec::new(),
        Some(s) if binary => {
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(compact).unwrap()
        }
        Some(s) => s.as_bytes().to_vec(),
    }
}

fn rec(source: String, item: &Value, req_binary: bool, resp_binary: bool) -> Rec {
    let req = &item["request"];
    let resp = &item["response"];
    let uri = req["uri"].as_str().unwrap();
    let rest = uri.strip_prefix("https://").unwrap();
    let (host, target) = rest.split_at(rest.find('/').unwrap());
    let headers = resp["headers"]
        .as_mapping()
        .unwrap()
        .iter()
        .flat_map(|(k, vs)| {
            let k = k.as_str().unwrap().to_string();
            vs.as_sequence().unwrap().iter().map(move |v| (k.clone(), v.as_str().unwrap().to_string()))
        })
        .collect();
    Rec {
        source,
        method: req["method"].as_str().unwrap().to_string(),
        host: host.to_string(),
        target: target.to_string(),
        req_body: bytes(&req["body"], req_binary),
        status: resp["status"]["code"].as_u64().unwrap() as u16,
        headers,
        body: bytes(&resp["body"]["string"], resp_binary),
        text: !resp_binary,
    }
}

/// The single recording whose source contains `file` and target `target`.
pub fn find(file: &str, method: &str, target: &str) -> Rec {
    let found: Vec<&Rec> = all().iter().filter(|r| r.source.contains(file) && r.method == method && r.target.contains(target)).collect();
    assert_eq!(found.len(), 1, "{file} {method} {target}: {found:?}");
    found[0].clone()
}
