//! Lenient typed views over an app's `/config`. The raw JSON is kept; fields a version lacks are `None`.

use std::collections::HashMap;

use serde_json::Value;

use crate::protocol::Protocol;

/// A component of the app (only what the client needs).
#[derive(Clone, Debug)]
pub struct Component {
    pub id: i64,
    pub kind: String,
    pub label: Option<String>,
    /// State and layout components are not part of the API.
    pub skip_api: bool,
    /// The initial value (`props.value`), which the server uses as the parameter's default.
    pub value: Option<Value>,
    /// Every prop as the config gives it (`minimum`, `maximum`, `step`, `choices`, …).
    pub props: Value,
}

/// How an endpoint is exposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Public,
    /// Callable but hidden from the docs (`show_api=False`, `api_visibility="undocumented"`).
    Undocumented,
    /// Refused by clients (`api_name=False`, `api_visibility="private"`).
    Private,
}

/// An event listener (`dependencies[i]`).
#[derive(Clone, Debug)]
pub struct Dependency {
    pub fn_index: usize,
    /// With a leading slash; `None` when unnamed or hidden.
    pub api_name: Option<String>,
    pub visibility: Visibility,
    pub inputs: Vec<i64>,
    pub outputs: Vec<i64>,
    pub backend_fn: bool,
    pub generator: bool,
    /// `connection: "stream"` listeners get `process_streaming`, never diffs.
    pub streaming_input: bool,
    /// fn_indexes this listener cancels (pre-4.31 cancellation).
    pub cancels: Vec<usize>,
    /// `queue: false`: the listener bypasses the queue (`None`: the app's default).
    pub queue: Option<bool>,
}

/// The parts of `/config` the client uses.
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub version: String,
    pub protocol_name: Option<String>,
    pub api_prefix: String,
    pub max_file_size: Option<u64>,
    pub connect_heartbeat: bool,
    /// Parsed as u64: real apps use ids above 2^53.
    pub app_id: Option<u64>,
    pub space_id: Option<String>,
    pub components: HashMap<i64, Component>,
    pub dependencies: Vec<Dependency>,
    pub raw: Value,
}

const LAYOUT: &[&str] = &["state", "row", "column", "group", "accordion", "tabs", "tab", "tabitem", "form", "box", "sidebar"];

impl AppConfig {
    pub fn from_json(raw: Value) -> Self {
        let s = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        let components = raw
            .get("components")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|c| {
                        let id = c.get("id")?.as_i64()?;
                        let kind = c.get("type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
                        let skip_api = c.get("skip_api").and_then(Value::as_bool).unwrap_or_else(|| LAYOUT.contains(&kind.as_str()))
                            || kind == "state";
                        let label = c.pointer("/props/label").and_then(Value::as_str).map(str::to_string);
                        let value = c.pointer("/props/value").filter(|v| !v.is_null()).cloned();
                        let props = c.get("props").cloned().unwrap_or(Value::Null);
                        Some((id, Component { id, kind, label, skip_api, value, props }))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let dependencies = raw
            .get("dependencies")
            .and_then(Value::as_array)
            .map(|list| list.iter().enumerate().map(|(i, d)| Dependency::from_json(i, d)).collect())
            .unwrap_or_default();
        Self {
            version: s("version").unwrap_or_else(|| "2.0".into()),
            protocol_name: s("protocol"),
            api_prefix: s("api_prefix").unwrap_or_default(),
            max_file_size: raw.get("max_file_size").and_then(Value::as_u64),
            // Missing before 4.29, where there is no heartbeat route to hold open.
            connect_heartbeat: raw.get("connect_heartbeat").and_then(Value::as_bool).unwrap_or(false),
            app_id: raw.get("app_id").and_then(Value::as_u64),
            space_id: s("space_id"),
            components,
            dependencies,
            raw,
        }
    }

    pub fn protocol(&self) -> Result<Protocol, String> {
        Protocol::parse(self.protocol_name.as_deref())
    }

    /// `(major, minor, patch)` of the server's Gradio version; unparsable parts are 0.
    pub fn version_tuple(&self) -> (u64, u64, u64) {
        parse_version(&self.version)
    }

    pub fn component(&self, id: i64) -> Option<&Component> {
        self.components.get(&id)
    }
}

impl Dependency {
    fn from_json(position: usize, d: &Value) -> Self {
        let fn_index = d.get("id").and_then(Value::as_u64).map(|i| i as usize).unwrap_or(position);
        let api_name = d.get("api_name").and_then(Value::as_str).map(|n| format!("/{}", n.trim_start_matches('/')));
        let visibility = match d.get("api_visibility").and_then(Value::as_str) {
            Some("private") => Visibility::Private,
            Some("undocumented") => Visibility::Undocumented,
            Some(_) => Visibility::Public,
            // Before 6.0: `api_name: false` is private, `show_api: false` undocumented.
            None if d.get("api_name") == Some(&Value::Bool(false)) => Visibility::Private,
            None if d.get("show_api") == Some(&Value::Bool(false)) => Visibility::Undocumented,
            None => Visibility::Public,
        };
        let ids = |k: &str| -> Vec<i64> {
            d.get(k).and_then(Value::as_array).map(|l| l.iter().filter_map(Value::as_i64).collect()).unwrap_or_default()
        };
        Self {
            fn_index,
            api_name,
            visibility,
            inputs: ids("inputs"),
            outputs: ids("outputs"),
            backend_fn: d.get("backend_fn").and_then(Value::as_bool).unwrap_or(true),
            generator: d.pointer("/types/generator").and_then(Value::as_bool).unwrap_or(false),
            streaming_input: d.get("connection").and_then(Value::as_str) == Some("stream"),
            cancels: ids("cancels").into_iter().filter_map(|i| usize::try_from(i).ok()).collect(),
            queue: d.get("queue").and_then(Value::as_bool),
        }
    }
}

pub(crate) fn parse_version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split(['.', '-', '+', 'b', 'r']).map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn app_id_above_2_pow_53_is_exact() {
        let raw: Value = serde_json::from_str(r#"{"version":"6.31.0","protocol":"sse_v3","app_id":16784234733103160913}"#).unwrap();
        assert_eq!(AppConfig::from_json(raw).app_id, Some(16784234733103160913));
    }

    #[test]
    fn visibility_across_versions() {
        let cfg = AppConfig::from_json(json!({
            "version": "5.50.0", "protocol": "sse_v3",
            "dependencies": [
                {"id": 0, "api_name": "a", "show_api": true},
                {"id": 1, "api_name": false},
                {"id": 2, "api_name": "c", "show_api": false},
                {"id": 7, "api_name": "d", "api_visibility": "private"},
            ]
        }));
        let vis: Vec<_> = cfg.dependencies.iter().map(|d| (d.fn_index, d.api_name.clone(), d.visibility)).collect();
        assert_eq!(
            vis,
            vec![
                (0, Some("/a".into()), Visibility::Public),
                (1, None, Visibility::Private),
                (2, Some("/c".into()), Visibility::Undocumented),
                (7, Some("/d".into()), Visibility::Private),
            ]
        );
    }

    #[test]
    fn missing_fields_are_tolerated() {
        let cfg = AppConfig::from_json(json!({"dependencies": [{}], "components": [{"id": 1}], "unknown": {"x": 1}}));
        assert_eq!(cfg.version, "2.0");
        assert_eq!(cfg.protocol(), Ok(Protocol::Ws));
        assert_eq!(cfg.dependencies[0].fn_index, 0);
        assert!(cfg.max_file_size.is_none());
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("4.44.1"), (4, 44, 1));
        assert_eq!(parse_version("5.0.0b3"), (5, 0, 0));
    }
}
