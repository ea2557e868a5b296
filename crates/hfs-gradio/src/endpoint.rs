//! Endpoints: a dependency from `/config` joined with its `/info` entry, and how callers pick one.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{AppConfig, Dependency, Visibility};
use crate::error::{Error, suggest};

/// One parameter of an endpoint, as `/info` describes it.
#[derive(Clone, Debug, Serialize)]
pub struct Parameter {
    /// `parameter_name` (4.23+); `None` on older servers, where only positions work.
    pub name: Option<String>,
    pub label: Option<String>,
    pub component: Option<String>,
    /// JSON schema of the value.
    pub schema: Value,
    /// Python-style type (`str`, `float`, `filepath`, `Literal['a', 'b']`).
    pub python_type: Option<String>,
    pub has_default: bool,
    pub default: Option<Value>,
    pub example: Option<Value>,
    /// The input component's props from `/config` (`minimum`, `maximum`, `step`, `choices`,
    /// `label`, …); `Null` when unknown.
    #[serde(skip)]
    pub props: Value,
}

impl Parameter {
    pub(crate) fn from_info(v: &Value) -> Self {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let has_default = v.get("parameter_has_default").and_then(Value::as_bool).unwrap_or(false);
        Self {
            name: s("parameter_name"),
            label: s("label"),
            component: s("component"),
            schema: v.get("type").cloned().unwrap_or(Value::Null),
            python_type: match v.get("serializer").and_then(Value::as_str) {
                // Gradio 3.x says what a file parameter is by its serializer only.
                Some("ImgSerializable" | "FileSerializable" | "VideoSerializable") => Some("filepath".into()),
                Some("GallerySerializable") => Some("list[filepath]".into()),
                _ => v.pointer("/python_type/type").and_then(Value::as_str).map(str::to_string),
            },
            has_default,
            default: has_default.then(|| v.get("parameter_default").cloned().unwrap_or(Value::Null)),
            example: v.get("example_input").cloned(),
            props: Value::Null,
        }
    }

    /// The name to show: `parameter_name`, else the label.
    pub fn display_name(&self) -> String {
        self.name.clone().or_else(|| self.label.clone()).unwrap_or_else(|| "?".into())
    }

    /// A numeric prop of the component (`minimum`, `maximum`, `step`).
    pub fn prop_f64(&self, key: &str) -> Option<f64> {
        self.props.get(key).and_then(Value::as_f64)
    }

    /// Allowed values when the schema is an enum (Radio, Dropdown).
    pub fn choices(&self) -> Option<Vec<Value>> {
        let e = self.schema.get("enum").or_else(|| self.schema.pointer("/items/enum"))?;
        e.as_array().cloned()
    }

    /// Whether the value is a file (or files): the schema references FileData.
    pub fn is_file(&self) -> bool {
        let t = self.python_type.as_deref().unwrap_or_default();
        t.contains("filepath") || self.schema.to_string().contains("FileData")
    }

    pub fn is_file_list(&self) -> bool {
        self.is_file()
            && (self.schema.get("type").and_then(Value::as_str) == Some("array")
                || self.python_type.as_deref().is_some_and(|t| t.starts_with("list[")))
    }
}

/// One return value of an endpoint.
#[derive(Clone, Debug, Serialize)]
pub struct Return {
    pub label: Option<String>,
    pub component: Option<String>,
    pub schema: Value,
    pub python_type: Option<String>,
}

impl Return {
    fn from_info(v: &Value) -> Self {
        Self {
            label: v.get("label").and_then(Value::as_str).map(str::to_string),
            component: v.get("component").and_then(Value::as_str).map(str::to_string),
            schema: v.get("type").cloned().unwrap_or(Value::Null),
            python_type: v.pointer("/python_type/type").and_then(Value::as_str).map(str::to_string),
        }
    }
}

/// What the server needs for one input slot of the dependency.
#[derive(Clone, Debug)]
pub(crate) enum InputSlot {
    /// A `gr.State`: the client sends `null`, the server uses the session's value.
    State,
    /// The next API parameter.
    Param,
}

/// A callable endpoint of an app.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub fn_index: usize,
    /// With the leading slash; `None` for unnamed listeners.
    pub api_name: Option<String>,
    pub visibility: Visibility,
    pub generator: bool,
    /// `None` when the server gave no parameter information (old Gradio, undocumented endpoints).
    pub parameters: Option<Vec<Parameter>>,
    pub returns: Vec<Return>,
    pub description: Option<String>,
    pub(crate) input_slots: Vec<InputSlot>,
    /// Positions in the wire `data` array of the outputs the API exposes (State/layout dropped).
    pub(crate) output_positions: Vec<usize>,
    pub(crate) output_components: Vec<String>,
    pub(crate) output_component_labels: Vec<Option<String>>,
    pub(crate) streaming_input: bool,
    /// Runs through the queue (3.x apps may take `queue=False` listeners by `POST /run/predict`).
    pub(crate) queued: bool,
}

impl Endpoint {
    /// `/name`, or `fn_index N` for unnamed ones.
    pub fn display_name(&self) -> String {
        self.api_name.clone().unwrap_or_else(|| format!("fn_index {}", self.fn_index))
    }

    /// An endpoint described by hand: a public, named endpoint with these parameters and output
    /// components (for planning and tests without a server; it cannot be called).
    pub fn from_parts(api_name: &str, parameters: Vec<Parameter>, outputs: Vec<String>) -> Endpoint {
        Endpoint {
            fn_index: 0,
            api_name: Some(format!("/{}", api_name.trim_start_matches('/'))),
            visibility: Visibility::Public,
            generator: false,
            input_slots: parameters.iter().map(|_| InputSlot::Param).collect(),
            parameters: Some(parameters),
            returns: vec![],
            description: None,
            output_positions: (0..outputs.len()).collect(),
            output_component_labels: vec![None; outputs.len()],
            output_components: outputs,
            streaming_input: false,
            queued: true,
        }
    }

    /// The component type of each API output, lower-case (`image`, `gallery`, `video`…).
    pub fn output_components(&self) -> &[String] {
        &self.output_components
    }

    /// Labels of the outputs (from `/info`, else the components' labels), aligned with outputs.
    pub fn output_labels(&self) -> Vec<Option<String>> {
        (0..self.output_positions.len())
            .map(|i| self.returns.get(i).and_then(|r| r.label.clone()).or_else(|| self.output_component_labels[i].clone()))
            .collect()
    }

    pub(crate) fn build_all(config: &AppConfig, info: &Value) -> Vec<Endpoint> {
        let named = info.get("named_endpoints").and_then(Value::as_object);
        let unnamed = info.get("unnamed_endpoints").and_then(Value::as_object);
        config
            .dependencies
            .iter()
            .filter(|d| d.backend_fn)
            .map(|d| {
                let entry = match &d.api_name {
                    Some(n) => named.and_then(|m| m.get(n)),
                    None => unnamed.and_then(|m| m.get(&d.fn_index.to_string())),
                };
                Self::build(config, d, entry)
            })
            .collect()
    }

    fn build(config: &AppConfig, d: &Dependency, info: Option<&Value>) -> Endpoint {
        let param_components: Vec<i64> =
            d.inputs.iter().copied().filter(|id| config.component(*id).is_none_or(|c| c.kind != "state")).collect();
        let parameters = info.and_then(|i| i.get("parameters")).and_then(Value::as_array).map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut p = Parameter::from_info(v);
                    if let Some(c) = param_components.get(i).and_then(|id| config.component(*id)) {
                        p.props = c.props.clone();
                        if p.component.is_none() {
                            p.component = Some(c.kind.clone());
                        }
                    }
                    // Before 4.23 `/info` has no defaults; the server's rule is the component's
                    // initial value, which the config has.
                    if v.get("parameter_has_default").is_none()
                        && let Some(value) = param_components.get(i).and_then(|id| config.component(*id)).and_then(|c| c.value.clone())
                    {
                        p.has_default = true;
                        p.default = Some(value);
                    }
                    p
                })
                .collect::<Vec<_>>()
        });
        // Gradio 3.x names no parameter: its labels, made identifiers, name them where they are
        // unique (what its own UI and `view_api` show), so keyword arguments work.
        let parameters = match parameters {
            Some(mut ps) if config.version_tuple().0 == 3 && ps.iter().all(|p| p.name.is_none()) => {
                let names: Vec<Option<String>> = ps.iter().map(|p| p.label.as_deref().map(identifier)).collect();
                for (i, p) in ps.iter_mut().enumerate() {
                    if let Some(n) =
                        names[i].clone().filter(|n| !n.is_empty() && names.iter().filter(|m| m.as_deref() == Some(n)).count() == 1)
                    {
                        p.name = Some(n);
                    }
                }
                Some(ps)
            }
            other => other,
        };
        let returns = info
            .and_then(|i| i.get("returns"))
            .and_then(Value::as_array)
            .map(|list| list.iter().map(Return::from_info).collect())
            .unwrap_or_default();
        let input_slots = d
            .inputs
            .iter()
            .map(|id| match config.component(*id) {
                Some(c) if c.kind == "state" => InputSlot::State,
                _ => InputSlot::Param,
            })
            .collect();
        let mut output_positions = Vec::new();
        let mut output_components = Vec::new();
        let mut output_component_labels = Vec::new();
        for (pos, id) in d.outputs.iter().enumerate() {
            let comp = config.component(*id);
            if comp.is_some_and(|c| c.skip_api) {
                continue;
            }
            output_positions.push(pos);
            output_components.push(comp.map(|c| c.kind.clone()).unwrap_or_default());
            output_component_labels.push(comp.and_then(|c| c.label.clone()));
        }
        Endpoint {
            fn_index: d.fn_index,
            api_name: d.api_name.clone(),
            visibility: d.visibility,
            generator: d.generator,
            parameters,
            returns,
            description: info.and_then(|i| i.get("description")).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string),
            input_slots,
            output_positions,
            output_components,
            output_component_labels,
            streaming_input: d.streaming_input,
            queued: d.queue.unwrap_or(config.raw.get("enable_queue").and_then(Value::as_bool).unwrap_or(true)),
        }
    }

    /// Picks the API outputs out of a wire `data` array.
    pub(crate) fn api_outputs(&self, data: &[Value]) -> Vec<Value> {
        self.output_positions.iter().map(|p| data.get(*p).cloned().unwrap_or(Value::Null)).collect()
    }
}

/// How a caller names the endpoint to call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointRef {
    /// `/name` or `name`.
    Name(String),
    FnIndex(usize),
    /// Only valid when the app has exactly one public endpoint.
    Only,
}

/// Resolves a reference against the app's endpoints (Python 2.x rules, plus names without a slash).
pub(crate) fn resolve<'a>(endpoints: &'a [Endpoint], which: &EndpointRef) -> Result<&'a Endpoint, Error> {
    let public_names =
        || -> Vec<String> { endpoints.iter().filter(|e| e.visibility == Visibility::Public).filter_map(|e| e.api_name.clone()).collect() };
    match which {
        EndpointRef::Name(n) => {
            let wanted = format!("/{}", n.trim_start_matches('/'));
            if let Some(e) = endpoints.iter().find(|e| e.api_name.as_deref() == Some(wanted.as_str())) {
                if e.visibility == Visibility::Private {
                    return Err(Error::PrivateEndpoint(wanted));
                }
                return Ok(e);
            }
            let valid = public_names();
            Err(Error::EndpointNotFound { suggestion: suggest(&wanted, valid.iter().map(String::as_str)), requested: wanted, valid })
        }
        EndpointRef::FnIndex(i) => endpoints
            .iter()
            .find(|e| e.fn_index == *i && e.visibility != Visibility::Private)
            .ok_or_else(|| Error::InvalidFnIndex { index: *i, valid: public_names() }),
        EndpointRef::Only => {
            let public: Vec<&Endpoint> = endpoints.iter().filter(|e| e.visibility == Visibility::Public && e.api_name.is_some()).collect();
            match public.as_slice() {
                [only] => Ok(only),
                _ => Err(Error::EndpointRequired(public_names())),
            }
        }
    }
}

/// An endpoint as JSON: name, parameters (with types, defaults, choices) and returns.
pub fn describe(e: &Endpoint) -> Value {
    let mut m = Map::new();
    m.insert("api_name".into(), e.api_name.clone().map(Value::String).unwrap_or(Value::Null));
    m.insert("fn_index".into(), e.fn_index.into());
    m.insert("generator".into(), e.generator.into());
    m.insert(
        "visibility".into(),
        match e.visibility {
            Visibility::Public => "public",
            Visibility::Undocumented => "undocumented",
            Visibility::Private => "private",
        }
        .into(),
    );
    if let Some(d) = &e.description {
        m.insert("description".into(), d.clone().into());
    }
    let params = e.parameters.as_ref().map(|ps| {
        ps.iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name, "label": p.label, "component": p.component,
                    "type": p.python_type, "schema": p.schema,
                    "required": !p.has_default, "default": p.default,
                    "choices": p.choices(), "example": p.example,
                })
            })
            .collect::<Vec<_>>()
    });
    m.insert("parameters".into(), params.map(Value::from).unwrap_or(Value::Null));
    m.insert(
        "returns".into(),
        e.returns
            .iter()
            .map(|r| serde_json::json!({"label": r.label, "component": r.component, "type": r.python_type, "schema": r.schema}))
            .collect::<Vec<_>>()
            .into(),
    );
    Value::Object(m)
}

/// A label as a parameter name: lower case, runs of anything but letters and digits as `_`.
fn identifier(label: &str) -> String {
    let mut out = String::new();
    for c in label.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) { format!("_{out}") } else { out }
}
