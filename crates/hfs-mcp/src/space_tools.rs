//! A Space's endpoints as tools of their own (`hfs mcp --space OWNER/NAME[/endpoint]`): named
//! within the spec's rules, with input schemas built from the Space's API (types, choices,
//! ranges, defaults; file parameters as paths or URLs).

use hfs_generate::{GenError, Generator};
use hfs_gradio::{Endpoint, Parameter, Visibility};
use serde_json::{Map, Value, json};

use crate::tools::{Def, Kind, generate_output, input_file, object, tool};

/// A Space (and optionally one endpoint) to expose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceSpec {
    /// A Space id or app URL.
    pub space: String,
    /// With its leading slash; `None`: every public endpoint.
    pub endpoint: Option<String>,
}

impl SpaceSpec {
    /// `OWNER/NAME`, `OWNER/NAME/endpoint`, or an app URL (every endpoint).
    pub fn parse(s: &str) -> Result<SpaceSpec, String> {
        let s = s.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            return Ok(SpaceSpec { space: s.into(), endpoint: None });
        }
        let parts: Vec<&str> = s.splitn(3, '/').collect();
        match parts.as_slice() {
            [o, n] if !o.is_empty() && !n.is_empty() => Ok(SpaceSpec { space: s.into(), endpoint: None }),
            [o, n, e] if !o.is_empty() && !n.is_empty() && !e.is_empty() => {
                Ok(SpaceSpec { space: format!("{o}/{n}"), endpoint: Some(format!("/{}", e.trim_start_matches('/'))) })
            }
            _ => Err(format!("`{s}` is not a Space: use OWNER/NAME, OWNER/NAME/ENDPOINT or an app URL")),
        }
    }
}

/// One exposed endpoint: its tool and how its arguments map onto the endpoint's parameters.
#[derive(Clone, Debug)]
pub struct SpaceTool {
    pub name: String,
    pub space: String,
    pub endpoint: Endpoint,
    /// The tool as listed.
    pub(crate) tool: Value,
    /// Tool argument name → the endpoint's parameter name (or label).
    pub(crate) keys: Vec<(String, String)>,
}

/// Whether `name` is a valid MCP tool name: 1–128 of `A-Z a-z 0-9 _ - .`.
pub fn valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Connects to each Space and builds its tools; names that would clash get the owner (then a
/// number) added. Fails on the first Space that cannot be read or endpoint it does not have.
pub async fn space_tools(generator: &Generator, specs: &[SpaceSpec], reserved: &[&str]) -> Result<Vec<SpaceTool>, GenError> {
    let mut out: Vec<SpaceTool> = Vec::new();
    for spec in specs {
        let client = generator.client(&spec.space).await?;
        let public: Vec<&Endpoint> =
            client.endpoints().iter().filter(|e| e.visibility == Visibility::Public && e.api_name.is_some()).collect();
        let chosen: Vec<&Endpoint> = match &spec.endpoint {
            Some(want) => {
                let e = public.iter().find(|e| e.api_name.as_deref() == Some(want.as_str())).ok_or_else(|| GenError::NoEndpoint {
                    space: spec.space.clone(),
                    task: "call",
                    why: format!("it has no public endpoint `{want}`"),
                    candidates: public
                        .iter()
                        .map(|e| hfs_generate::Candidate { endpoint: e.display_name(), fits: true, score: 0, note: String::new() })
                        .collect(),
                })?;
                vec![*e]
            }
            None => public,
        };
        for e in chosen {
            let taken = |n: &str| reserved.contains(&n) || out.iter().any(|t| t.name == n);
            let short = tool_name(&spec.space, e, false);
            let mut name = if taken(&short) { tool_name(&spec.space, e, true) } else { short };
            let base = name.clone();
            let mut i = 2;
            while taken(&name) {
                let suffix = format!("_{i}");
                name = format!("{}{suffix}", &base[..base.len().min(128 - suffix.len())]);
                i += 1;
            }
            out.push(build(name, &spec.space, e));
        }
    }
    Ok(out)
}

/// `{space name}_{endpoint}` (with the owner when `full`), in the spec's alphabet, lower case.
fn tool_name(space: &str, e: &Endpoint, full: bool) -> String {
    let id = if let Ok(u) = url::Url::parse(space) {
        format!("{}_{}", u.host_str().unwrap_or("app"), u.port().map(|p| p.to_string()).unwrap_or_default())
    } else if full {
        space.to_string()
    } else {
        space.rsplit('/').next().unwrap_or(space).to_string()
    };
    let endpoint = e.api_name.as_deref().unwrap_or("call").trim_start_matches('/');
    let raw = format!("{id}_{endpoint}");
    let mut name: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c.to_ascii_lowercase() } else { '_' }).collect();
    name = name.trim_matches('_').to_string();
    name.truncate(128);
    if name.is_empty() { "space_call_endpoint".into() } else { name }
}

fn build(name: String, space: &str, e: &Endpoint) -> SpaceTool {
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut keys = Vec::new();
    for (i, p) in e.parameters.iter().flatten().enumerate() {
        let original = p.name.clone().or_else(|| p.label.clone()).unwrap_or_else(|| format!("arg{i}"));
        let mut key: String = original.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
        if key.is_empty() || props.contains_key(&key) {
            key = format!("arg{i}");
        }
        props.insert(key.clone(), param_schema(p));
        if !p.has_default {
            required.push(key.clone());
        }
        keys.push((key, original));
    }
    let returns: Vec<String> =
        e.returns.iter().map(|r| r.component.clone().or_else(|| r.label.clone()).unwrap_or_else(|| "value".into())).collect();
    let mut description = format!("Call {} of the Gradio Space {space}", e.display_name());
    if let Some(d) = e.description.as_deref().filter(|d| !d.trim().is_empty()) {
        description.push_str(&format!(": {}", hfs_core::text::one_line(&hfs_core::text::strip_terminal_escapes(d))));
    }
    if !returns.is_empty() {
        description.push_str(&format!(". Returns: {}", returns.join(", ")));
    }
    description.push_str(". Output files are saved on this machine and returned as resource links.");
    let required: Vec<&str> = required.iter().map(String::as_str).collect();
    let tool =
        tool(&name, &format!("{space} {}", e.display_name()), &description, object(props, &required), Some(generate_output()), false);
    SpaceTool { name, space: space.into(), endpoint: e.clone(), tool, keys }
}

/// One parameter's schema: the server's JSON schema where it stands alone, refined with the
/// component's choices, range and default; a file parameter is a path or URL.
fn param_schema(p: &Parameter) -> Value {
    let what = p.label.clone().or_else(|| p.component.clone()).unwrap_or_else(|| p.display_name());
    if p.is_file_list() {
        return json!({"type": "array", "items": input_file("A file"), "description": format!("{what}: local file paths or http(s) URLs")});
    }
    if p.is_file() {
        return input_file(&what);
    }
    // A schema that points elsewhere (`$ref`, `$defs`) cannot be checked by the client: any value.
    let text = p.schema.to_string();
    let mut s = match clean_schema(&p.schema) {
        Value::Object(m) if !text.contains("$ref") && !text.contains("$defs") => m,
        _ => Map::new(),
    };
    if let Some(choices) = p.choices() {
        s.entry("enum").or_insert(Value::Array(choices));
    }
    let numeric = s.get("type").is_some_and(|t| t == "number" || t == "integer");
    if numeric {
        for (prop, key) in [("minimum", "minimum"), ("maximum", "maximum")] {
            if let Some(v) = p.prop_f64(prop) {
                s.entry(key).or_insert(json!(v));
            }
        }
    }
    if let Some(d) = p.default.as_ref().filter(|d| !d.is_null()) {
        s.insert("default".into(), d.clone());
    }
    let mut description = what;
    if let Some(c) = &p.component {
        description.push_str(&format!(" ({c})"));
    }
    s.insert("description".into(), Value::String(hfs_core::text::one_line(&description)));
    Value::Object(s)
}

/// The part of a server's schema that is valid JSON Schema: Gradio writes some things of its own
/// (`"type": {}` for a JSON component, `additional_description`), which a client that checks
/// schemas would reject. Unknown keywords and malformed values are dropped, so what is left says
/// less, never something false.
fn clean_schema(v: &Value) -> Value {
    const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object", "null"];
    let Value::Object(m) = v else { return json!({}) };
    let mut out = Map::new();
    for (k, v) in m {
        let kept = match (k.as_str(), v) {
            ("type", Value::String(t)) if TYPES.contains(&t.as_str()) => Some(v.clone()),
            ("type", Value::Array(ts)) if !ts.is_empty() && ts.iter().all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t))) => {
                Some(v.clone())
            }
            ("enum", Value::Array(a)) if !a.is_empty() => Some(v.clone()),
            ("const" | "default", _) => Some(v.clone()),
            ("description", Value::String(_)) => Some(v.clone()),
            ("minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum", Value::Number(_)) => Some(v.clone()),
            ("minItems" | "maxItems" | "minLength" | "maxLength", Value::Number(n)) if n.is_u64() => Some(v.clone()),
            ("items", Value::Object(_)) => Some(clean_schema(v)),
            ("additionalProperties", Value::Bool(_)) => Some(v.clone()),
            ("additionalProperties", Value::Object(_)) => Some(clean_schema(v)),
            ("properties", Value::Object(ps)) => Some(Value::Object(ps.iter().map(|(k, p)| (k.clone(), clean_schema(p))).collect())),
            ("required", Value::Array(a)) if a.iter().all(Value::is_string) => Some(v.clone()),
            ("anyOf" | "oneOf", Value::Array(a)) if !a.is_empty() => Some(Value::Array(a.iter().map(clean_schema).collect())),
            _ => None,
        };
        if let Some(kept) = kept {
            out.insert(k.clone(), kept);
        }
    }
    Value::Object(out)
}

/// A tool's arguments by the endpoint's parameter names.
pub(crate) fn to_endpoint_args(t: &SpaceTool, args: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (k, v) in args {
        let Some((_, original)) = t.keys.iter().find(|(key, _)| key == k) else {
            let all: Vec<&str> = t.keys.iter().map(|(k, _)| k.as_str()).collect();
            return Err(crate::args::unknown(k, &all, &t.name));
        };
        out.insert(original.clone(), v.clone());
    }
    Ok(out)
}

pub(crate) fn def(i: usize, t: &SpaceTool) -> Def {
    Def { name: t.name.clone(), kind: Kind::Space(i), tool: t.tool.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: Option<&str>, label: Option<&str>, component: &str, schema: Value, default: Option<Value>, props: Value) -> Parameter {
        Parameter {
            name: name.map(str::to_string),
            label: label.map(str::to_string),
            component: Some(component.into()),
            schema,
            python_type: None,
            has_default: default.is_some(),
            default,
            example: None,
            props,
        }
    }

    #[test]
    fn specs_parse() {
        assert_eq!(SpaceSpec::parse("a/b").unwrap(), SpaceSpec { space: "a/b".into(), endpoint: None });
        assert_eq!(SpaceSpec::parse("a/b/generate").unwrap().endpoint.as_deref(), Some("/generate"));
        assert_eq!(SpaceSpec::parse("http://127.0.0.1:7860/").unwrap().endpoint, None);
        assert!(SpaceSpec::parse("nope").is_err());
    }

    #[test]
    fn tools_from_an_api() {
        let ps = vec![
            param(Some("prompt"), Some("Prompt"), "Textbox", json!({"type": "string"}), None, Value::Null),
            param(Some("steps"), Some("Steps"), "Slider", json!({"type": "number"}), Some(json!(8)), json!({"minimum": 1, "maximum": 50})),
            param(Some("style"), None, "Dropdown", json!({"type": "string", "enum": ["a", "b"]}), Some(json!("a")), Value::Null),
            param(None, Some("Input image"), "Image", json!({"$ref": "#/$defs/FileData"}), None, Value::Null),
            param(Some("history"), None, "Chatbot", json!({"$defs": {"X": {}}, "type": "array"}), Some(json!([])), Value::Null),
        ];
        let e = Endpoint::from_parts("/Generate Image", ps, vec!["image".into()]);
        let t = build(tool_name("Tongyi-MAI/Z-Image-Turbo", &e, false), "Tongyi-MAI/Z-Image-Turbo", &e);
        assert_eq!(t.name, "z-image-turbo_generate_image");
        assert!(valid_tool_name(&t.name));
        let s = &t.tool["inputSchema"];
        assert_eq!(s["required"], json!(["prompt", "Input_image"]));
        assert_eq!(s["properties"]["steps"]["minimum"], 1.0);
        assert_eq!(s["properties"]["steps"]["maximum"], 50.0);
        assert_eq!(s["properties"]["steps"]["default"], 8);
        assert_eq!(s["properties"]["style"]["enum"], json!(["a", "b"]));
        assert_eq!(s["properties"]["Input_image"]["type"], "string");
        assert!(s["properties"]["history"].get("type").is_none(), "a schema with $defs becomes any value");
        let odd =
            json!({"type": {}, "additional_description": "x", "items": {"type": "nope", "enum": ["a"]}, "anyOf": [{"type": "string"}, 3]});
        assert_eq!(clean_schema(&odd), json!({"items": {"enum": ["a"]}, "anyOf": [{"type": "string"}, {}]}));
        let args = to_endpoint_args(&t, json!({"Input_image": "/x.png", "prompt": "p"}).as_object().unwrap()).unwrap();
        assert!(args.contains_key("Input image"), "labels map back");
        assert!(to_endpoint_args(&t, json!({"promt": 1}).as_object().unwrap()).unwrap_err().contains("did you mean `prompt`"));
        let _: rmcp::model::Tool = serde_json::from_value(t.tool.clone()).unwrap();
        assert_eq!(tool_name("http://127.0.0.1:7860/", &e, false), "127.0.0.1_7860_generate_image");
    }
}
