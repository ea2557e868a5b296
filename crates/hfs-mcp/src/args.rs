//! Tool arguments into generation requests: the same options, backends and coercion as the CLI,
//! checked as strictly (an unknown argument is an error with a did-you-mean, never ignored).

use std::path::PathBuf;

use hfs_generate::{Backend, GenRequest, GenTask};
use hfs_gradio::Endpoint;
use serde_json::{Map, Value};

use crate::roots::absolute;

/// A generation or a call, ready to run.
pub(crate) struct Run {
    pub task: GenTask,
    pub req: GenRequest,
    pub backends: Vec<Backend>,
    /// Local files it will read (checked against the readable directories before anything runs).
    pub paths: Vec<PathBuf>,
}

const BACKEND_KEYS: &[&str] = &["space", "endpoint", "model", "provider", "fallback", "params"];

/// The options each generation tool takes (besides the backend keys), by tool argument name.
fn options(task: GenTask) -> &'static [&'static str] {
    match task {
        GenTask::Image => &["prompt", "negative_prompt", "seed", "width", "height", "aspect", "steps", "guidance", "image"],
        GenTask::Video => &["prompt", "image", "negative_prompt", "seed", "duration", "width", "height", "aspect", "steps", "guidance"],
        GenTask::Speech => &["text", "voice", "language", "seed"],
        GenTask::Transcribe => &["audio", "language"],
        GenTask::Chat | GenTask::Call => &[],
    }
}

/// Arguments other than `known` are refused, with a did-you-mean.
pub(crate) fn only(args: &Map<String, Value>, known: &[&str]) -> Result<(), String> {
    match args.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(unknown(k, known, "this tool")),
        None => Ok(()),
    }
}

/// "unknown argument `k` — did you mean …?; TOOL takes: …"
pub(crate) fn unknown(k: &str, known: &[&str], tool: &str) -> String {
    let hint = hfs_core::text::suggest(k, known.iter().copied()).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default();
    format!("unknown argument `{k}`{hint}; {tool} takes: {}", known.join(", "))
}

/// `generate_*` / `transcribe` arguments.
pub(crate) fn generation(task: GenTask, args: &Map<String, Value>, defaults: &dyn Fn(GenTask) -> Vec<Backend>) -> Result<Run, String> {
    let known: Vec<&str> = options(task).iter().chain(BACKEND_KEYS).copied().collect();
    only(args, &known)?;
    let mut req = GenRequest::default();
    let mut paths = Vec::new();
    for (k, v) in args {
        if BACKEND_KEYS.contains(&k.as_str()) || v.is_null() {
            continue;
        }
        let key = match k.as_str() {
            "negative_prompt" => "negative",
            "text" => "prompt",
            other => other,
        };
        if matches!(key, "image" | "audio") {
            let s = v.as_str().ok_or_else(|| format!("`{k}` takes a file path or URL (a string)"))?;
            // A URL is fetched by hfs and uploaded to the Space (a provider needs a local file).
            let p = if s.starts_with("http://") || s.starts_with("https://") {
                url::Url::parse(s).map_err(|e| format!("`{k}`: `{s}` is not a valid URL ({e})"))?;
                PathBuf::from(s)
            } else {
                let p = absolute(s);
                if !p.is_file() {
                    return Err(format!("`{k}`: no file `{s}`"));
                }
                paths.push(p.clone());
                p
            };
            if key == "image" {
                req.image = Some(p);
            } else {
                req.audio = Some(p);
            }
            continue;
        }
        req.set(key, v).map_err(|e| e.replace(&format!("`{key}`"), &format!("`{k}`")))?;
    }
    let required = match task {
        GenTask::Speech => "text",
        GenTask::Transcribe => "audio",
        _ => "prompt",
    };
    if args.get(required).is_none_or(Value::is_null) {
        return Err(format!("`{required}` is required"));
    }
    if let Some(params) = args.get("params").filter(|v| !v.is_null()) {
        let params = params.as_object().ok_or("`params` takes an object of parameter names and values")?;
        for (name, v) in params {
            // Sent as given: an agent's text is never read as a file (`@path`) or a URL.
            req.params.push((name.clone(), text_of(v)));
            req.literal.push(name.clone());
        }
    }
    let backends = backends(task, args, defaults)?;
    Ok(Run { task, req, backends, paths })
}

fn backends(task: GenTask, args: &Map<String, Value>, defaults: &dyn Fn(GenTask) -> Vec<Backend>) -> Result<Vec<Backend>, String> {
    let s = |k: &str| -> Result<Option<String>, String> {
        match args.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(format!("`{k}` takes a string")),
        }
    };
    let (space, endpoint, model, provider) = (s("space")?, s("endpoint")?, s("model")?, s("provider")?);
    if space.is_some() && model.is_some() {
        return Err("give `space` or `model`, not both (put the other in `fallback`)".into());
    }
    if endpoint.is_some() && space.is_none() {
        return Err("`endpoint` needs `space`".into());
    }
    if provider.is_some() && model.is_none() {
        return Err("`provider` needs `model`".into());
    }
    let mut list = Vec::new();
    if let Some(space) = space {
        let endpoint = endpoint.map(|e| format!("/{}", e.trim_start_matches('/')));
        list.push(Backend::Space { space, endpoint });
    }
    if let Some(model) = model {
        list.push(Backend::Provider { model, provider: provider.filter(|p| p != "auto") });
    }
    let explicit = !list.is_empty();
    let fallback = match args.get("fallback") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => {
            a.iter().map(|v| v.as_str().map(str::to_string).ok_or("`fallback` takes a list of strings")).collect::<Result<Vec<_>, _>>()?
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(_) => return Err("`fallback` takes a list of strings".into()),
    };
    for f in &fallback {
        if f.trim() == "auto" {
            list.extend(defaults(task));
        } else {
            list.push(Backend::parse(f).map_err(|e| format!("`fallback`: {e}"))?);
        }
    }
    if !explicit && fallback.is_empty() {
        list = defaults(task);
    }
    if list.is_empty() {
        return Err("no backend: give `space` or `model` (no defaults are configured for this task)".into());
    }
    Ok(list)
}

/// `space_call` (and a Space's own tools): arguments by the endpoint's names or labels. A file
/// parameter takes a path or URL (or a list of them); every other value is sent as given, so an
/// agent's text is never read as a file.
pub(crate) fn call(space: &str, endpoint: &Endpoint, arguments: &Map<String, Value>) -> Result<Run, String> {
    let params = endpoint.parameters.clone().unwrap_or_default();
    let mut req = GenRequest::default();
    let mut paths = Vec::new();
    for (name, v) in arguments {
        if v.is_null() {
            continue;
        }
        let p =
            params.iter().find(|p| p.name.as_deref() == Some(name)).or_else(|| params.iter().find(|p| p.label.as_deref() == Some(name)));
        match p {
            Some(p) if p.is_file() => {
                let items: Vec<&str> = match v {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) if p.is_file_list() => a
                        .iter()
                        .map(|x| x.as_str().ok_or_else(|| format!("`{name}` takes file paths or URLs")))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(format!("`{name}` is a file parameter: give a path or an http(s) URL")),
                };
                let mut specs = Vec::new();
                for item in items {
                    if item.starts_with("http://") || item.starts_with("https://") {
                        specs.push(format!("@{item}"));
                        continue;
                    }
                    let path = absolute(item);
                    if !path.is_file() {
                        return Err(format!("`{name}`: no file `{item}`"));
                    }
                    specs.push(format!("@{}", path.display()));
                    paths.push(path);
                }
                // `@a,@b` is how the coercion takes several files.
                req.params.push((name.clone(), specs.join(",")));
            }
            // Unknown names go through too: the planner answers with a did-you-mean.
            _ => {
                req.params.push((name.clone(), text_of(v)));
                req.literal.push(name.clone());
            }
        }
    }
    Ok(Run {
        task: GenTask::Call,
        req,
        backends: vec![Backend::Space { space: space.to_string(), endpoint: endpoint.api_name.clone() }],
        paths,
    })
}

/// A JSON argument as the coercion's text: strings as they are, anything else as JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn defaults(_: GenTask) -> Vec<Backend> {
        vec![Backend::Space { space: "d/efault".into(), endpoint: None }]
    }

    #[test]
    fn options_backends_and_defaults() {
        let r =
            generation(GenTask::Image, &map(json!({"prompt": "a fox", "seed": 7, "aspect": "16:9", "negative_prompt": "blur"})), &defaults)
                .unwrap();
        assert_eq!(r.req.prompt.as_deref(), Some("a fox"));
        assert_eq!((r.req.seed, r.req.aspect, r.req.negative.as_deref()), (Some(7), Some((16, 9)), Some("blur")));
        assert_eq!(r.backends, defaults(GenTask::Image));
        let r = generation(
            GenTask::Image,
            &map(json!({"prompt": "x", "model": "a/b", "provider": "fal-ai", "fallback": ["auto", "space:c/d/run"]})),
            &defaults,
        )
        .unwrap();
        assert_eq!(r.backends.len(), 3);
        assert_eq!(r.backends[2], Backend::Space { space: "c/d".into(), endpoint: Some("/run".into()) });
        let r =
            generation(GenTask::Speech, &map(json!({"text": "hi", "params": {"speed": 1.5, "note": "@/etc/passwd"}})), &defaults).unwrap();
        assert_eq!(r.req.prompt.as_deref(), Some("hi"));
        assert_eq!(r.req.params, [("speed".to_string(), "1.5".to_string()), ("note".into(), "@/etc/passwd".into())]);
        assert_eq!(r.req.literal, ["speed", "note"], "an agent's text is never read as a file");
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let e = |v: Value| generation(GenTask::Image, &map(v), &defaults).err().unwrap();
        assert!(e(json!({"prompt": "x", "sed": 1})).contains("did you mean `seed`"));
        assert_eq!(e(json!({"seed": 1})), "`prompt` is required");
        assert!(e(json!({"prompt": "x", "seed": "many"})).contains("`seed` takes a whole number"));
        assert!(e(json!({"prompt": "x", "space": "a/b", "model": "c/d"})).contains("not both"));
        assert!(e(json!({"prompt": "x", "image": "/no/such/file.png"})).contains("no file"));
        assert!(e(json!({"prompt": "x", "fallback": ["nonsense"]})).contains("`fallback`"));
        assert!(
            generation(GenTask::Transcribe, &map(json!({"audio": "/no/such.wav", "seed": 1})), &defaults)
                .err()
                .unwrap()
                .contains("unknown argument `seed`")
        );
    }

    #[test]
    fn call_arguments_files_and_text() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("in.png");
        std::fs::write(&f, b"x").unwrap();
        let params: Vec<hfs_gradio::Parameter> = serde_json::from_value::<Vec<Value>>(json!([
            {"name": "img", "schema": {"$ref": "FileData"}},
            {"name": "caption", "schema": {"type": "string"}},
        ]))
        .unwrap()
        .into_iter()
        .map(|v| hfs_gradio::Parameter {
            name: v["name"].as_str().map(str::to_string),
            label: None,
            component: None,
            schema: v["schema"].clone(),
            python_type: None,
            has_default: false,
            default: None,
            example: None,
            props: Value::Null,
        })
        .collect();
        let e = Endpoint::from_parts("/run", params, vec!["image".into()]);
        let r = call("a/b", &e, &map(json!({"img": f.to_str().unwrap(), "caption": "@/etc/passwd"}))).unwrap();
        assert_eq!(r.paths, std::slice::from_ref(&f));
        assert_eq!(r.req.params[0], ("img".to_string(), format!("@{}", f.display())));
        assert_eq!(r.req.literal, ["caption"]);
        assert!(call("a/b", &e, &map(json!({"img": "/no/such.png"}))).err().unwrap().contains("no file"));
        let r = call("a/b", &e, &map(json!({"img": "https://example.com/x.png"}))).unwrap();
        assert!(r.paths.is_empty());
    }
}
