//! Which recording answers a request: among those of the same listener,
//! method and path, the ones with the same normalised query; the request
//! body only breaks ties between several such recordings.

use serde_json::Value;

use super::cassette::Interaction;
use crate::query::Params;

/// `candidates` share the request's listener, method and path, in fixture
/// order; the earliest wins a tie so identical recordings resolve stably.
pub fn best<'a>(candidates: impl IntoIterator<Item = &'a Interaction>, query: &Params, body: &[u8]) -> Option<&'a Interaction> {
    let mut best: Option<(&Interaction, i64)> = None;
    for it in candidates.into_iter().filter(|it| &it.query == query) {
        let s = score(&it.request_body, body);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((it, s));
        }
    }
    best.map(|(it, _)| it)
}

/// How well a recorded request body fits the one sent. Exact bytes beat
/// equal JSON, which beats partial agreement. For JSON objects, `stream`
/// dominates (it decides between a JSON and an SSE answer; absent means
/// false, the OpenAI default); then each top-level field counts +1 when it
/// agrees and -1 when it differs.
fn score(recorded: &[u8], sent: &[u8]) -> i64 {
    if recorded == sent {
        return i64::MAX;
    }
    let (Some(a), Some(b)) = (json_object(recorded), json_object(sent)) else {
        return 0;
    };
    if a == b {
        return i64::MAX - 1;
    }
    let stream = |o: &serde_json::Map<String, Value>| o.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let mut s = if stream(&a) == stream(&b) { 1_000 } else { 0 };
    for (k, v) in &b {
        match a.get(k) {
            Some(w) if w == v => s += 1,
            Some(_) => s -= 1,
            None => {}
        }
    }
    s
}

fn json_object(bytes: &[u8]) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(bytes).ok()? {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::Origin;

    fn rec(source: &str, query: &str, body: &str) -> Interaction {
        Interaction {
            source: source.into(),
            origin: Origin::Router,
            method: "POST".into(),
            path: "/p".into(),
            query: Params::parse(Some(query)),
            request_body: body.as_bytes().to_vec(),
            status: 200,
            headers: vec![],
            body: vec![],
            text: true,
        }
    }

    fn pick<'a>(recs: &'a [Interaction], query: &str, body: &str) -> Option<&'a str> {
        best(recs, &Params::parse(Some(query)), body.as_bytes()).map(|i| i.source.as_str())
    }

    #[test]
    fn body_only_breaks_ties_and_stream_decides_first() {
        let recs = [
            rec("plain", "", r#"{"model": "m", "stream": false, "messages": [1]}"#),
            rec("sse", "", r#"{"model": "m", "max_tokens": 20, "stream": true, "messages": [1]}"#),
            rec("other-query", "x=1", r#"{"stream": true}"#),
        ];
        assert_eq!(pick(&recs, "", r#"{"stream": true, "messages": [9]}"#), Some("sse"));
        assert_eq!(pick(&recs, "", r#"{"messages": [1], "model": "m"}"#), Some("plain"));
        // Re-ordered keys are the same JSON.
        assert_eq!(pick(&recs, "", r#"{"messages": [1], "stream": true, "model": "m", "max_tokens": 20}"#), Some("sse"));
        // Bodies never rescue a different query, and non-JSON bodies tie to the first.
        assert_eq!(pick(&recs, "x=1", "\u{0}binary"), Some("other-query"));
        assert_eq!(pick(&recs, "", "\u{0}binary"), Some("plain"));
        assert_eq!(pick(&recs, "y=2", ""), None);
    }

    #[test]
    fn stream_outweighs_other_agreeing_fields() {
        let recs = [
            rec("json", "", r#"{"stream": false, "max_tokens": 200, "stop": ["x"], "model": "m"}"#),
            rec("sse", "", r#"{"stream": true, "model": "other"}"#),
        ];
        assert_eq!(pick(&recs, "", r#"{"stream": true, "max_tokens": 200, "stop": ["x"], "model": "m"}"#), Some("sse"));
        // No `stream` means a non-streamed call.
        let recs = [
            rec("sse", "", r#"{"stream": true, "max_tokens": 200, "stop": ["x"], "model": "m"}"#),
            rec("json", "", r#"{"stream": false, "model": "other"}"#),
        ];
        assert_eq!(pick(&recs, "", r#"{"max_tokens": 200, "stop": ["x"], "model": "m"}"#), Some("json"));
    }

    #[test]
    fn exact_bytes_win() {
        let recs = [rec("a", "", "{\"k\": 1}"), rec("b", "", "{\"k\":1}")];
        assert_eq!(pick(&recs, "", "{\"k\":1}"), Some("b"));
        assert_eq!(pick(&recs, "", "{ \"k\" : 1 }"), Some("a"));
    }
}
