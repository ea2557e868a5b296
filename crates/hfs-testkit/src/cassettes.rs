//! Recorded bodies read straight from the cassette YAML in `tests/fixtures/hf-cassettes`, with
//! a parser independent of the fake's, so tests don't trust the fake to tell them what was recorded.

use base64::Engine;
use serde_yaml_ng::Value;

/// The recorded cassettes (`tests/fixtures/hf-cassettes`, see its NOTICE).
pub fn cassettes_dir() -> std::path::PathBuf {
    crate::repo_root().join("tests/fixtures/hf-cassettes")
}

/// The response body of the first interaction in `file` whose URI contains `uri_part`
/// (`!!binary` bodies decoded).
pub fn recorded_body(file: &str, uri_part: &str) -> Vec<u8> {
    let path = cassettes_dir().join(file);
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
    let items = doc["interactions"].as_sequence().unwrap();
    // The YAML parser drops the `!!binary` tag, so look for it in each interaction's raw text.
    let chunks: Vec<&str> = raw.split("\n- request:").skip(1).collect();
    for (item, chunk) in items.iter().zip(chunks) {
        if item["request"]["uri"].as_str().unwrap().contains(uri_part) {
            let s = item["response"]["body"]["string"].as_str().unwrap_or("");
            if chunk.contains("\n      string: !!binary") {
                let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                return base64::engine::general_purpose::STANDARD.decode(compact).unwrap();
            }
            return s.as_bytes().to_vec();
        }
    }
    panic!("no interaction with {uri_part} in {file}");
}
