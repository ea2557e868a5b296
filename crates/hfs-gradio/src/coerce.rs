//! Arguments as text (a command line, an agent's tool call) coerced to an endpoint's schema:
//! numbers, booleans, enums (with suggestions), JSON, files.
//!
//! The text syntax: `@path` or `@https://…` is a file (`@@` for a literal leading `@`),
//! `@a.png,@b.png` a list of files. A parameter whose schema is a file also takes a bare
//! existing path or URL. Values that do not fit the schema are [`Error::InvalidValue`]s naming
//! the parameter.
//!
//! ```
//! use hfs_gradio::{TextArg, coerce};
//! let v = coerce("42", None, false, "seed").unwrap();
//! assert_eq!(v, serde_json::json!("42")); // no schema: text stays text
//! let _ = TextArg::Keyword { name: "seed".into(), value: "42".into() };
//! ```

use std::path::Path;

use serde_json::Value;

use crate::endpoint::{Endpoint, Parameter};
use crate::filedata::{local_file, url_file};
use crate::{Args, Error};

/// One argument as text, before the endpoint's schema is applied.
#[derive(Clone, Debug, PartialEq)]
pub enum TextArg {
    Keyword {
        name: String,
        value: String,
    },
    /// `literal`: taken as written (`@` is not a file, `name=` not a keyword).
    Positional {
        value: String,
        literal: bool,
    },
}

/// Coerces every argument against the endpoint's parameters. Errors are usage errors.
pub fn coerce_args(endpoint: &Endpoint, raw: &[TextArg]) -> Result<Args, Error> {
    let params = endpoint.parameters.as_deref();
    let mut args = Args::new();
    let mut position = 0;
    for a in raw {
        match a {
            TextArg::Positional { value, literal } => {
                let p = params.and_then(|ps| ps.get(position));
                let name = p.map(Parameter::display_name).unwrap_or_else(|| format!("argument {}", position + 1));
                args.positional.push(coerce(value, p, *literal, &name)?);
                position += 1;
            }
            TextArg::Keyword { name, value } => {
                // Unknown names are reported when the call is built, with suggestions.
                let p = params.and_then(|ps| ps.iter().find(|p| p.name.as_deref() == Some(name.as_str())));
                args.keyword.push((name.clone(), coerce(value, p, false, name)?));
            }
        }
    }
    Ok(args)
}

fn invalid(parameter: &str, message: String) -> Error {
    Error::InvalidValue { parameter: parameter.to_string(), message }
}

/// One value, from text to JSON, guided by the parameter's schema when there is one.
pub fn coerce(raw: &str, param: Option<&Parameter>, literal: bool, name: &str) -> Result<Value, Error> {
    if !literal {
        if let Some(rest) = raw.strip_prefix("@@") {
            return coerce(&format!("@{rest}"), param, true, name);
        }
        if raw.starts_with('@') {
            return files(raw, param, name);
        }
    }
    let Some(p) = param else {
        // No schema: JSON objects and lists are parsed, everything else is text.
        return Ok(parse_json_container(raw).unwrap_or_else(|| Value::String(raw.to_string())));
    };
    if p.is_file() {
        if raw.starts_with("http://") || raw.starts_with("https://") || Path::new(raw).exists() {
            return files(&format!("@{raw}"), Some(p), name);
        }
        return Err(invalid(name, format!("expects a file; pass @path/to/file or @https://… (no file `{raw}`)")));
    }
    if let Some(choices) = p.choices()
        && !p.schema.get("type").is_some_and(|t| t == "array")
    {
        return choice(raw, &choices, name);
    }
    let types = schema_types(&p.schema);
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("integer")
        && let Ok(i) = raw.trim().parse::<i64>()
    {
        return Ok(i.into());
    }
    if (has("number") || has("integer"))
        && let Some(n) = parse_number(raw)
    {
        return Ok(n);
    }
    if has("boolean")
        && let Some(b) = parse_bool(raw)
    {
        return Ok(b.into());
    }
    if (has("array") || has("object"))
        && let Some(v) = parse_json_container(raw)
    {
        return Ok(v);
    }
    if has("null") && raw == "null" {
        return Ok(Value::Null);
    }
    if has("string") || types.is_empty() {
        if types.is_empty()
            && let Some(v) = parse_json_container(raw)
        {
            return Ok(v);
        }
        return Ok(Value::String(raw.to_string()));
    }
    Err(invalid(name, format!("expected {}, got `{raw}`", describe_types(&types))))
}

fn files(raw: &str, param: Option<&Parameter>, name: &str) -> Result<Value, Error> {
    let items: Vec<&str> = raw.split(",@").collect();
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item = if i == 0 { item.strip_prefix('@').unwrap_or(item) } else { item };
        values.push(one_file(item, name)?);
    }
    let list_wanted = param.is_some_and(Parameter::is_file_list);
    if values.len() == 1 && !list_wanted {
        return Ok(values.remove(0));
    }
    Ok(Value::Array(values))
}

fn one_file(spec: &str, name: &str) -> Result<Value, Error> {
    if spec.starts_with("http://") || spec.starts_with("https://") {
        url::Url::parse(spec).map_err(|e| invalid(name, format!("`{spec}` is not a valid URL ({e})")))?;
        return Ok(url_file(spec));
    }
    let path = Path::new(spec);
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(local_file(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))),
        Ok(_) => Err(invalid(name, format!("`{spec}` is not a regular file"))),
        Err(e) => Err(invalid(name, format!("cannot read file `{spec}`: {e} (use @@ for a literal leading @)"))),
    }
}

fn choice(raw: &str, choices: &[Value], name: &str) -> Result<Value, Error> {
    for c in choices {
        match c {
            Value::String(s) if s == raw => return Ok(c.clone()),
            Value::Number(n) if parse_number(raw).is_some_and(|v| v.as_f64() == n.as_f64()) => return Ok(c.clone()),
            Value::Bool(b) if parse_bool(raw) == Some(*b) => return Ok(c.clone()),
            _ => {}
        }
    }
    let names: Vec<String> = choices.iter().map(|c| c.as_str().map(str::to_string).unwrap_or_else(|| c.to_string())).collect();
    let best =
        hfs_core::text::suggest(raw, names.iter().map(String::as_str)).map(|n| format!(" — did you mean `{n}`?")).unwrap_or_default();
    Err(invalid(name, format!("`{raw}` is not one of {}{best}", names.join(", "))))
}

fn schema_types(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match schema.get("type") {
        Some(Value::String(t)) => out.push(t.clone()),
        Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str).map(str::to_string)),
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            for s in list {
                out.extend(schema_types(s));
            }
        }
    }
    out
}

fn describe_types(types: &[String]) -> String {
    let words: Vec<&str> = types
        .iter()
        .map(|t| match t.as_str() {
            "number" => "a number",
            "integer" => "an integer",
            "boolean" => "true or false",
            "array" => "a JSON list",
            "object" => "a JSON object",
            "null" => "null",
            _ => "text",
        })
        .collect();
    words.join(" or ")
}

fn parse_number(raw: &str) -> Option<Value> {
    let t = raw.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i.into());
    }
    let f = t.parse::<f64>().ok().filter(|f| f.is_finite())?;
    serde_json::Number::from_f64(f).map(Value::Number)
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn parse_json_container(raw: &str) -> Option<Value> {
    let t = raw.trim_start();
    if t.starts_with('[') || t.starts_with('{') { serde_json::from_str(raw).ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param(schema: Value) -> Parameter {
        Parameter {
            name: Some("p".into()),
            label: None,
            component: None,
            schema,
            python_type: None,
            has_default: false,
            default: None,
            example: None,
            props: Value::Null,
        }
    }

    #[test]
    fn coerces_by_schema() {
        assert_eq!(coerce("3", Some(&param(json!({"type": "number"}))), false, "p").unwrap(), json!(3));
        assert_eq!(coerce("2.5", Some(&param(json!({"type": "number"}))), false, "p").unwrap(), json!(2.5));
        assert!(coerce("foo", Some(&param(json!({"type": "number"}))), false, "p").is_err());
        assert_eq!(coerce("yes", Some(&param(json!({"type": "boolean"}))), false, "p").unwrap(), json!(true));
        assert_eq!(coerce("[1,2]", Some(&param(json!({"type": "array"}))), false, "p").unwrap(), json!([1, 2]));
        assert_eq!(coerce("3", Some(&param(json!({"type": "string"}))), false, "p").unwrap(), json!("3"));
        assert_eq!(coerce("@@x", Some(&param(json!({"type": "string"}))), false, "p").unwrap(), json!("@x"));
        assert_eq!(coerce("@x", Some(&param(json!({"type": "string"}))), true, "p").unwrap(), json!("@x"));
        assert_eq!(coerce("{\"a\":1}", None, false, "p").unwrap(), json!({"a": 1}));
        assert_eq!(coerce("5", None, false, "p").unwrap(), json!("5"));
    }

    #[test]
    fn enums_suggest() {
        let p = param(json!({"type": "string", "enum": ["add", "subtract", "multiply", "divide"]}));
        assert_eq!(coerce("add", Some(&p), false, "operation").unwrap(), json!("add"));
        let e = coerce("multiplyy", Some(&p), false, "operation").unwrap_err().to_string();
        assert!(e.contains("did you mean `multiply`"), "{e}");
    }

    #[test]
    fn files_and_lists_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.png");
        let b = dir.path().join("b.png");
        std::fs::write(&a, b"x").unwrap();
        std::fs::write(&b, b"y").unwrap();
        let v = coerce(&format!("@{}", a.display()), None, false, "img").unwrap();
        assert_eq!(v["_hfs_file"], "local");
        let v = coerce(&format!("@{},@{}", a.display(), b.display()), None, false, "imgs").unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        let v = coerce("@https://example.com/cat.png", None, false, "img").unwrap();
        assert_eq!(v["_hfs_file"], "url");
        assert!(coerce("@/no/such/file.png", None, false, "img").is_err());
    }
}
