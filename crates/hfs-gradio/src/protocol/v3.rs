//! Gradio 3.x values (docs/protocol/gradio.md §3.13, §4.5): files are `{name, data, is_file,
//! orig_name?, size?}` (a server path when `is_file`, else inline base64), images come back as
//! `data:` URLs. Outputs are turned into the FileData shape the rest of the client knows, so
//! saving, naming and the no-clobber rule are the same as on 4.x+.

use serde_json::{Map, Value, json};

/// Output components whose bare string value is a file (a `data:` URL on 3.x).
const FILE_COMPONENTS: &[&str] = &["image", "audio", "video", "file", "model3d", "gallery", "annotatedimage", "uploadbutton"];

/// The API outputs with every 3.x file as a FileData (`path` for a server file, `url` for an
/// inline `data:` URL). `components` are the outputs' component types, aligned with `values`.
pub(crate) fn outputs(values: Vec<Value>, components: &[String]) -> Vec<Value> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let filey = components.get(i).is_some_and(|c| FILE_COMPONENTS.contains(&c.to_lowercase().as_str()));
            convert(v, filey)
        })
        .collect()
}

fn convert(v: Value, filey: bool) -> Value {
    match v {
        Value::Object(o) if is_v3_file(&o) => file(&o),
        Value::String(s) if filey && s.starts_with("data:") => inline(&s, None),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| convert(x, filey)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, convert(x, filey))).collect()),
        other => other,
    }
}

fn is_v3_file(o: &Map<String, Value>) -> bool {
    o.get("name").is_some_and(Value::is_string) && o.contains_key("is_file") && o.contains_key("data")
}

fn file(o: &Map<String, Value>) -> Value {
    let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
    let orig = o.get("orig_name").and_then(Value::as_str).map(str::to_string).or_else(|| base_name(name));
    match o.get("data").and_then(Value::as_str).filter(|d| d.starts_with("data:")) {
        Some(data) if o.get("is_file") != Some(&Value::Bool(true)) => inline(data, orig),
        _ => json!({"path": name, "url": null, "size": o.get("size").and_then(Value::as_u64), "orig_name": orig, "mime_type": null}),
    }
}

fn inline(data: &str, orig: Option<String>) -> Value {
    let mime = data.strip_prefix("data:").and_then(|r| r.split([';', ',']).next()).filter(|m| m.contains('/')).map(str::to_string);
    json!({"path": "", "url": data, "size": null, "orig_name": orig, "mime_type": mime})
}

fn base_name(p: &str) -> Option<String> {
    p.rsplit(['/', '\\']).next().filter(|n| !n.is_empty()).map(str::to_string)
}

/// An input file for 3.x: the server path an upload returned.
pub(crate) fn uploaded(server_path: &str, orig_name: &str, size: Option<u64>) -> Value {
    json!({"name": server_path, "data": null, "is_file": true, "orig_name": orig_name, "size": size})
}

/// An input file sent inline (an Image, or an app without an upload route): a `data:` URL.
pub(crate) fn data_url(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The bytes of a `data:…;base64,` URL.
pub(crate) fn decode_data_url(url: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let (head, body) = url.strip_prefix("data:")?.split_once(',')?;
    if !head.ends_with(";base64") {
        return Some(percent_decoded(body));
    }
    base64::engine::general_purpose::STANDARD.decode(body.trim()).ok()
}

fn percent_decoded(s: &str) -> Vec<u8> {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned().into_bytes()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_data_urls_become_file_data() {
        let out = outputs(
            vec![
                json!({"name": "/tmp/gradio/abc/out.txt", "data": null, "is_file": true, "orig_name": "out.txt", "size": 4}),
                json!("data:image/png;base64,iVBORw0KGgo="),
                json!([[{"name": "/tmp/g/red.png", "data": null, "is_file": true}, "cap"]]),
                json!("data:text/plain,not a file"),
            ],
            &["file".into(), "image".into(), "gallery".into(), "textbox".into()],
        );
        assert_eq!(out[0]["path"], "/tmp/gradio/abc/out.txt");
        assert_eq!(out[0]["size"], 4);
        assert!(crate::filedata::is_file_data(&out[0], false));
        assert_eq!((out[1]["path"].as_str(), out[1]["mime_type"].as_str()), (Some(""), Some("image/png")));
        assert!(out[1]["url"].as_str().unwrap().starts_with("data:image/png"));
        assert_eq!(out[2][0][0]["orig_name"], "red.png");
        assert_eq!(out[3], "data:text/plain,not a file", "a text output is left as text");
        assert_eq!(decode_data_url("data:image/png;base64,aGk=").unwrap(), b"hi");
        assert_eq!(decode_data_url("data:text/plain,a%20b").unwrap(), b"a b");
        assert!(decode_data_url("nope").is_none());
        assert!(data_url("image/png", b"hi").starts_with("data:image/png;base64,aGk="));
    }
}
