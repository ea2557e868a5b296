//! From the file's text to a checked [`Pipeline`]: every error found is reported at once, each
//! with its line and column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hfs_generate::{Backend, GenRequest, GenTask};
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::error::{Diagnostic, PipelineError};
use crate::template::{self, Output, Piece, Ref};

/// A var: one value, or a list (the whole pipeline runs once per value).
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    pub name: String,
    pub values: Vec<Value>,
    pub list: bool,
}

/// A value of a step as written, references kept (`{{ … }}` inside strings).
#[derive(Clone, Debug, PartialEq)]
pub struct Template(pub Value);

/// One step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub name: String,
    pub task: GenTask,
    /// The first serves; the others are fallbacks (`fallback = [...]`).
    pub backends: Vec<Backend>,
    /// Copies per instance: later steps run once per copy.
    pub n: u32,
    /// Options by their long name (`prompt`, `text`, `image`, `seed`, `aspect`, …).
    pub options: Vec<(String, Template)>,
    /// The backend's own parameters (`params = {…}`; a call's keyword `args`).
    pub params: Vec<(String, Template)>,
    /// A call's positional `args = [...]`.
    pub positional: Vec<Template>,
    /// The steps it takes outputs from, in the file's order.
    pub after: Vec<String>,
    /// The step's table as JSON (part of its items' keys: editing a step runs it again).
    pub definition: Value,
}

/// A checked pipeline.
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// How the file is named in messages.
    pub name: String,
    pub source: String,
    /// Where relative input paths are found (the file's directory).
    pub base: PathBuf,
    /// In the file's order, `--var` values applied.
    pub vars: Vec<Var>,
    /// In an order they can run in: every step after the ones it takes from (the file's order
    /// otherwise).
    pub steps: Vec<Step>,
}

/// A table with every key and value where it is in the file.
type Table = BTreeMap<Spanned<String>, Spanned<toml::Value>>;
type Span = std::ops::Range<usize>;
type Built = (Step, Span, Vec<(Ref, Span)>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    vars: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    steps: Option<BTreeMap<Spanned<String>, Spanned<Table>>>,
}

const BACKEND_KEYS: &[&str] = &["task", "space", "endpoint", "model", "provider", "fallback", "n"];
const SHARED: &[&str] =
    &["seed", "width", "height", "size", "aspect", "steps", "guidance", "negative", "duration", "voice", "language", "params"];

/// The keys a step of `task` takes.
pub fn keys_of(task: GenTask) -> Vec<&'static str> {
    let own: &[&str] = match task {
        GenTask::Image | GenTask::Video => &["prompt", "image"],
        GenTask::Speech => &["text"],
        GenTask::Transcribe => &["audio"],
        GenTask::Chat => &["prompt"],
        GenTask::Call => &["args"],
    };
    let shared: &[&str] = if task == GenTask::Call { &[] } else { SHARED };
    BACKEND_KEYS.iter().chain(own).chain(shared).copied().collect()
}

/// "an image", "a video", …
fn a(task: GenTask) -> String {
    let t = task.as_str();
    if t.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {t}") } else { format!("a {t}") }
}

/// What a step of `task` gives later steps.
pub fn gives(task: GenTask, o: Output) -> bool {
    match task {
        GenTask::Image | GenTask::Video | GenTask::Speech => matches!(o, Output::File(_) | Output::Seed | Output::Value(_)),
        GenTask::Transcribe | GenTask::Chat => matches!(o, Output::Text | Output::Value(_)),
        GenTask::Call => true,
    }
}

/// Line and column (1-based, in characters) of a byte offset.
pub(crate) fn position(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let mut end = offset;
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

struct Checker<'a> {
    source: &'a str,
    found: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        let (line, col) = position(self.source, span.start);
        let text = self.source.lines().nth(line - 1).unwrap_or("").to_string();
        let width = self.source.get(span.clone()).map(|s| s.lines().next().unwrap_or("").chars().count()).unwrap_or(1).max(1);
        self.found.push(Diagnostic { line, col, width, message: message.into(), text });
    }
}

/// Reads and checks a pipeline. `overrides` are `--var NAME=VALUE`; `defaults` gives a task's
/// backends when a step names none (or `fallback = ["auto"]`).
pub fn compile(
    source: &str,
    name: &str,
    base: &Path,
    overrides: &[(String, String)],
    defaults: &dyn Fn(GenTask) -> Vec<Backend>,
) -> Result<Pipeline, PipelineError> {
    let mut c = Checker { source, found: vec![] };
    let raw: RawFile = match toml::from_str(source) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            c.at(span, e.message().to_string());
            return Err(PipelineError::Invalid { file: name.into(), diagnostics: c.found });
        }
    };

    // Vars, in the file's order, then --var.
    let mut vars: Vec<(Var, std::ops::Range<usize>)> = Vec::new();
    let mut raw_vars: Vec<_> = raw.vars.into_iter().flatten().collect();
    raw_vars.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in raw_vars {
        let span = v.span();
        match v.into_inner() {
            toml::Value::Array(items) if items.is_empty() => {
                c.at(span.clone(), format!("var `{}` is an empty list: nothing would run", k.get_ref()));
                vars.push((Var { name: k.get_ref().clone(), values: vec![], list: true }, span));
            }
            toml::Value::Array(items) => {
                if items.iter().any(|i| matches!(i, toml::Value::Array(_) | toml::Value::Table(_))) {
                    c.at(span.clone(), format!("var `{}`: a list of vars holds plain values (text, numbers, booleans)", k.get_ref()));
                }
                vars.push((Var { name: k.get_ref().clone(), values: items.into_iter().map(json).collect(), list: true }, span));
            }
            toml::Value::Table(_) => c.at(span, format!("var `{}` is a table; a var is a value or a list of values", k.get_ref())),
            other => vars.push((Var { name: k.get_ref().clone(), values: vec![json(other)], list: false }, span)),
        }
    }
    let mut unknown_overrides = Vec::new();
    for (k, v) in overrides {
        match vars.iter_mut().find(|(var, _)| &var.name == k) {
            Some((var, _)) => *var = Var { name: k.clone(), values: vec![Value::String(v.clone())], list: false },
            None => unknown_overrides.push((k.clone(), v.clone())),
        }
    }

    // Steps.
    let Some(steps) = raw.steps else {
        c.at(0..0, "the pipeline has no steps: add a [steps.NAME] table with a `task`");
        return Err(PipelineError::Invalid { file: name.into(), diagnostics: c.found });
    };
    let steps_span = source.find("[steps").map(|i| i..i + 7).unwrap_or(0..0);
    let mut raw_steps: Vec<_> = steps.into_iter().collect();
    raw_steps.sort_by_key(|(k, _)| k.span().start);
    if raw_steps.is_empty() {
        c.at(steps_span, "[steps] is empty: add a [steps.NAME] table with a `task`");
    }
    let step_names: Vec<String> = raw_steps.iter().map(|(k, _)| k.get_ref().clone()).collect();
    let mut tasks: HashMap<String, GenTask> = HashMap::new();
    // Each step with its table's place and its references' places.
    let mut built: Vec<Built> = Vec::new();
    // A first pass for every step's task: references check what the referenced step gives.
    for (k, table) in &raw_steps {
        let t = table.get_ref().iter().find(|(key, _)| key.get_ref() == "task");
        if let Some((_, v)) = t
            && let Some(task) = v.get_ref().as_str().and_then(GenTask::parse)
        {
            tasks.insert(k.get_ref().clone(), task);
        }
    }
    let mut vars_used: HashSet<String> = HashSet::new();
    for (k, table) in raw_steps {
        let step_name = k.get_ref().clone();
        let header = k.span();
        if !step_name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
            c.at(header.clone(), format!("step name `{step_name}`: use letters, digits, `_` and `-` (it is used in references)"));
        }
        let table_span = table.span();
        let mut entries: Vec<_> = table.into_inner().into_iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let task = match entries.iter().find(|(key, _)| key.get_ref() == "task") {
            None => {
                c.at(header.clone(), format!("step `{step_name}` has no `task` (image, video, speech, transcribe, chat or call)"));
                continue;
            }
            Some((_, v)) => match v.get_ref().as_str().and_then(GenTask::parse) {
                Some(t) => t,
                None => {
                    let given = v.get_ref().as_str().map(str::to_string).unwrap_or_else(|| v.get_ref().to_string());
                    let names = GenTask::ALL.map(GenTask::as_str);
                    let hint = hfs_core::text::suggest(&given, names).map(|s| format!(" — did you mean `{s}`?")).unwrap_or(".".into());
                    c.at(v.span(), format!("unknown task `{given}`{hint} A task is one of {}", names.join(", ")));
                    continue;
                }
            },
        };
        let allowed = keys_of(task);
        let mut step = Step {
            name: step_name.clone(),
            task,
            backends: vec![],
            n: 1,
            options: vec![],
            params: vec![],
            positional: vec![],
            after: vec![],
            definition: Value::Null,
        };
        let mut definition = serde_json::Map::new();
        let mut refs: Vec<(Ref, std::ops::Range<usize>)> = Vec::new();
        let get = |key: &str| entries.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| (v.get_ref().clone(), v.span()));
        let (space, endpoint, model, provider, fallback) = (get("space"), get("endpoint"), get("model"), get("provider"), get("fallback"));
        let text = |v: &toml::Value| v.as_str().map(str::to_string);
        let check_text = |c: &mut Checker, what: &str, v: &Option<(toml::Value, std::ops::Range<usize>)>| {
            if let Some((v, span)) = v
                && v.as_str().is_none_or(|s| s.trim().is_empty())
            {
                c.at(span.clone(), format!("`{what}` takes text"));
            }
        };
        for (what, v) in [("space", &space), ("endpoint", &endpoint), ("model", &model), ("provider", &provider)] {
            check_text(&mut c, what, v);
        }
        match (&space, &model) {
            (Some(_), Some((_, span))) => c.at(span.clone(), format!("step `{step_name}` names both a `space` and a `model`; give one")),
            (Some((s, _)), None) => step
                .backends
                .push(Backend::Space { space: text(s).unwrap_or_default(), endpoint: endpoint.as_ref().and_then(|(e, _)| text(e)) }),
            (None, Some((m, _))) => step.backends.push(Backend::Provider {
                model: text(m).unwrap_or_default(),
                provider: provider.as_ref().and_then(|(p, _)| text(p)).filter(|p| p != "auto"),
            }),
            (None, None) if task == GenTask::Call => c.at(header.clone(), format!("step `{step_name}` is a call: it needs a `space`")),
            (None, None) => step.backends.extend(defaults(task)),
        }
        if let (Some((_, span)), None) = (&endpoint, &space) {
            c.at(span.clone(), "`endpoint` goes with `space`");
        }
        if let (Some((_, span)), None) = (&provider, &model) {
            c.at(span.clone(), "`provider` goes with `model`");
        }
        if task == GenTask::Call && model.is_some() {
            c.at(model.as_ref().map(|(_, s)| s.clone()).unwrap_or_default(), "a call runs on a Space's endpoint, not a model");
        }
        if step.backends.is_empty() && c.found.is_empty() && space.is_none() && model.is_none() {
            c.at(header.clone(), format!("step `{step_name}`: {} has no default backend; give a `space` or a `model`", task.as_str()));
        }
        if let Some((f, span)) = &fallback {
            let list: Vec<toml::Value> = match f {
                toml::Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            for b in list {
                match b.as_str() {
                    Some("auto") => {
                        for d in defaults(task) {
                            if !step.backends.contains(&d) {
                                step.backends.push(d);
                            }
                        }
                    }
                    Some(s) => match Backend::parse(s) {
                        Ok(b) if !step.backends.contains(&b) => step.backends.push(b),
                        Ok(_) => {}
                        Err(e) => c.at(span.clone(), format!("fallback: {e}")),
                    },
                    None => c.at(span.clone(), "`fallback` is a list of backends: [\"space:OWNER/NAME\", \"model:ID@provider\", \"auto\"]"),
                }
            }
        }
        if let Some((n, span)) = get("n") {
            match n.as_integer() {
                Some(n) if (1..=10_000).contains(&n) => step.n = n as u32,
                _ => c.at(span, "`n` takes a whole number from 1 to 10000"),
            }
        }
        for (key, value) in &entries {
            let (k, span) = (key.get_ref().as_str(), value.span());
            definition.insert(k.to_string(), json(value.get_ref().clone()));
            if !allowed.contains(&k) {
                let hint = match (task, k) {
                    (GenTask::Speech, "prompt") => " — a speech step takes `text`".to_string(),
                    (GenTask::Image | GenTask::Video | GenTask::Chat, "text") => " — this step takes `prompt`".to_string(),
                    (GenTask::Call, _) if SHARED.contains(&k) || k == "prompt" => {
                        " — a call takes the endpoint's own parameters in `args`".to_string()
                    }
                    (_, "param") => " — did you mean `params`?".to_string(),
                    _ => hfs_core::text::suggest(k, allowed.iter().copied()).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default(),
                };
                c.at(key.span(), format!("unknown option `{k}` for step `{step_name}` ({} step){hint}", a(task)));
                continue;
            }
            if BACKEND_KEYS.contains(&k) {
                continue;
            }
            let v = json(value.get_ref().clone());
            match k {
                "params" | "args" => match &v {
                    Value::Object(map) => {
                        for (pk, pv) in map {
                            collect_refs(&mut c, pv, &span, &mut refs);
                            step.params.push((pk.clone(), Template(pv.clone())));
                        }
                    }
                    Value::Array(items) if k == "args" => {
                        for item in items {
                            collect_refs(&mut c, item, &span, &mut refs);
                            step.positional.push(Template(item.clone()));
                        }
                    }
                    _ => c.at(span, format!("`{k}` is a table of the endpoint's parameters: {k} = {{ name = \"value\" }}")),
                },
                _ => {
                    let before = refs.len();
                    collect_refs(&mut c, &v, &span, &mut refs);
                    if refs.len() == before {
                        // No reference: the value is checked now, as the command would check it.
                        if let Err(e) = GenRequest::default().set(k, &v) {
                            c.at(span.clone(), e);
                        }
                        if matches!(k, "image" | "audio")
                            && let Some(p) = v.as_str()
                            && !base.join(p).is_file()
                        {
                            c.at(span.clone(), format!("`{k}`: no file `{p}` (relative paths are from the pipeline file's directory)"));
                        }
                    } else if matches!(k, "image" | "audio")
                        && let Some((r, rspan)) =
                            refs[before..].iter().find(|(r, _)| matches!(r, Ref::Step { output, .. } if output.is_server_text()))
                    {
                        // A server's text is never a path hfs reads.
                        c.at(rspan.clone(), format!("`{k}` takes a file: {r} is text a server sent; reference a file output (files[i])"));
                    }
                    step.options.push((k.to_string(), Template(v)));
                }
            }
        }
        let has = |k: &str| step.options.iter().any(|(o, _)| o == k);
        let missing = match task {
            GenTask::Image | GenTask::Chat if !has("prompt") => Some("a `prompt`"),
            GenTask::Video if !has("prompt") && !has("image") => Some("a `prompt` or an `image`"),
            GenTask::Speech if !has("text") => Some("a `text`"),
            GenTask::Transcribe if !has("audio") => Some("an `audio` file"),
            _ => None,
        };
        if let Some(what) = missing {
            c.at(header.clone(), format!("step `{step_name}` ({} step) needs {what}", a(task)));
        }
        for (r, span) in &refs {
            match r {
                Ref::Var(v) => {
                    vars_used.insert(v.clone());
                    if !vars.iter().any(|(var, _)| &var.name == v) && !unknown_overrides.iter().any(|(k, _)| k == v) {
                        let names: Vec<&str> = vars.iter().map(|(v, _)| v.name.as_str()).collect();
                        let hint = hfs_core::text::suggest(v, names).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
                        c.at(span.clone(), format!("no var `{v}`{hint}; declare it in [vars] or pass --var {v}=VALUE"));
                    }
                }
                Ref::Step { step: s, output } => {
                    if s == &step_name {
                        c.at(span.clone(), format!("step `{step_name}` refers to itself"));
                        continue;
                    }
                    match tasks.get(s) {
                        None if !step_names.contains(s) => {
                            let hint = hfs_core::text::suggest(s, step_names.iter().map(String::as_str))
                                .map(|x| format!(" — did you mean `{x}`?"))
                                .unwrap_or_default();
                            c.at(span.clone(), format!("no step `{s}`{hint}"));
                        }
                        None => {}
                        Some(t) if !gives(*t, *output) => c.at(
                            span.clone(),
                            format!(
                                "step `{s}` is {} step: it gives no {}{}",
                                a(*t),
                                output.as_str(),
                                match t {
                                    GenTask::Transcribe | GenTask::Chat => " (it gives text and values[i])",
                                    _ => " (it gives files[i], seed and values[i])",
                                }
                            ),
                        ),
                        Some(_) if !step.after.contains(s) => step.after.push(s.clone()),
                        Some(_) => {}
                    }
                }
            }
        }
        step.definition = Value::Object(definition);
        built.push((step, table_span, refs));
    }
    for (k, _) in &unknown_overrides {
        if !vars_used.contains(k) {
            let names: Vec<&str> = vars.iter().map(|(v, _)| v.name.as_str()).collect();
            let hint = hfs_core::text::suggest(k, names).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default();
            c.found.push(Diagnostic::general(format!("--var {k}: the pipeline has no var `{k}`{hint}")));
        }
    }
    for (k, v) in unknown_overrides {
        vars.push((Var { name: k, values: vec![Value::String(v)], list: false }, 0..0));
    }

    // Cycles, then an order to run in.
    let order = match topo(&built.iter().map(|(s, _, _)| s).collect::<Vec<_>>()) {
        Ok(order) => order,
        Err(cycle) => {
            let first = &cycle[0];
            let next = &cycle[1 % cycle.len()];
            let span = built
                .iter()
                .find(|(s, _, _)| &s.name == first)
                .and_then(|(_, _, refs)| {
                    refs.iter().find(|(r, _)| matches!(r, Ref::Step { step, .. } if step == next)).map(|(_, s)| s.clone())
                })
                .unwrap_or(0..0);
            let mut path = cycle.clone();
            path.push(cycle[0].clone());
            c.at(span, format!("the steps form a cycle: {}", path.join(" → ")));
            vec![]
        }
    };
    if !c.found.is_empty() {
        return Err(PipelineError::Invalid { file: name.into(), diagnostics: c.found });
    }
    let mut by_name: HashMap<String, Step> = built.into_iter().map(|(s, _, _)| (s.name.clone(), s)).collect();
    let steps = order.into_iter().filter_map(|n| by_name.remove(&n)).collect();
    Ok(Pipeline {
        name: name.into(),
        source: source.into(),
        base: base.to_path_buf(),
        vars: vars.into_iter().map(|(v, _)| v).collect(),
        steps,
    })
}

/// Every reference in a value (strings inside lists and tables too), positioned in the file:
/// at the reference itself when the value's text holds it verbatim, else at the value.
fn collect_refs(c: &mut Checker, v: &Value, span: &std::ops::Range<usize>, out: &mut Vec<(Ref, std::ops::Range<usize>)>) {
    match v {
        Value::String(s) => match template::parse(s) {
            Ok(pieces) => {
                for p in pieces {
                    if let Piece::Ref(r, at) = p {
                        let written = &s[at..];
                        let len = written.find("}}").map(|e| e + 2).unwrap_or(2);
                        let raw = c.source.get(span.clone()).unwrap_or("");
                        let pos = raw.find(&written[..len]).map(|o| span.start + o..span.start + o + len).unwrap_or(span.clone());
                        out.push((r, pos));
                    }
                }
            }
            Err((at, m)) => {
                let raw = c.source.get(span.clone()).unwrap_or("");
                let pos = raw.find(&s[at..s.len().min(at + 2)]).map(|o| span.start + o..span.start + o + 2).unwrap_or(span.clone());
                c.at(pos, m);
            }
        },
        Value::Array(items) => items.iter().for_each(|i| collect_refs(c, i, span, out)),
        Value::Object(map) => map.values().for_each(|i| collect_refs(c, i, span, out)),
        _ => {}
    }
}

/// The steps in an order they can run in (the given order where free), or a cycle.
fn topo(steps: &[&Step]) -> Result<Vec<String>, Vec<String>> {
    let mut done: Vec<String> = Vec::new();
    let mut left: Vec<&Step> = steps.to_vec();
    while !left.is_empty() {
        let ready = left.iter().position(|s| s.after.iter().all(|a| done.contains(a) || !steps.iter().any(|x| &x.name == a)));
        match ready {
            Some(i) => done.push(left.remove(i).name.clone()),
            None => {
                // Every step left waits on another one left: walk the waits until one repeats.
                let mut path = vec![left[0].name.clone()];
                loop {
                    let cur = left.iter().find(|s| s.name == *path.last().unwrap_or(&String::new())).copied();
                    let Some(next) = cur.and_then(|s| s.after.iter().find(|a| left.iter().any(|x| &x.name == *a))) else {
                        return Err(path);
                    };
                    if let Some(at) = path.iter().position(|p| p == next) {
                        return Err(path.split_off(at));
                    }
                    path.push(next.clone());
                }
            }
        }
    }
    Ok(done)
}

/// A TOML value as JSON.
pub(crate) fn json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, json(v))).collect()),
    }
}
