//! Turns positional and keyword arguments into the `data` array an endpoint expects.

use serde_json::Value;

use crate::endpoint::{Endpoint, InputSlot};
use crate::error::{Error, suggest};
use crate::filedata::{Upload, take_markers};

/// A call's wire `data` and the uploads it needs before it can be sent.
#[derive(Clone, Debug, Default)]
pub(crate) struct Prepared {
    pub data: Vec<Value>,
    pub uploads: Vec<Upload>,
}

/// A value for one parameter, and whether the caller gave it (only the caller's values may
/// name files to upload; a server's default is sent back as it came).
struct Slot {
    value: Value,
    from_caller: bool,
}

/// Arguments for a call: positional values, then keyword values by `parameter_name`.
#[derive(Clone, Debug, Default)]
pub struct Args {
    pub positional: Vec<Value>,
    pub keyword: Vec<(String, Value)>,
}

impl Args {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn arg(mut self, v: impl Into<Value>) -> Self {
        self.positional.push(v.into());
        self
    }

    pub fn kwarg(mut self, name: impl Into<String>, v: impl Into<Value>) -> Self {
        self.keyword.push((name.into(), v.into()));
        self
    }
}

/// Builds the wire `data` (State slots as `null`), applying defaults, and takes the caller's
/// upload markers out of it; every mistake is caught here, before anything is sent.
pub(crate) fn build_data(endpoint: &Endpoint, args: &Args, major_version: u64) -> Result<Prepared, Error> {
    let name = endpoint.display_name();
    let caller = |value: Value| Slot { value, from_caller: true };
    let values: Vec<Slot> = match &endpoint.parameters {
        None => {
            if let Some((k, _)) = args.keyword.first() {
                return Err(Error::KeywordsUnsupported { endpoint: name, name: k.clone() });
            }
            args.positional.iter().cloned().map(caller).collect()
        }
        Some(params) => {
            if args.positional.len() > params.len() {
                return Err(Error::TooManyArguments { endpoint: name, expected: params.len(), given: args.positional.len() });
            }
            let mut slots: Vec<Option<Value>> = params.iter().map(|_| None).collect();
            for (i, v) in args.positional.iter().enumerate() {
                slots[i] = Some(v.clone());
            }
            for (k, v) in &args.keyword {
                let Some(i) = params.iter().position(|p| p.name.as_deref() == Some(k.as_str())) else {
                    // A known empty parameter list is not "no parameter information".
                    if params.is_empty() {
                        let given = args.positional.len() + args.keyword.len();
                        return Err(Error::TooManyArguments { endpoint: name, expected: 0, given });
                    }
                    if params.iter().all(|p| p.name.is_none()) {
                        return Err(Error::KeywordsUnsupported { endpoint: name, name: k.clone() });
                    }
                    let valid: Vec<String> = params.iter().filter_map(|p| p.name.clone()).collect();
                    return Err(Error::UnknownParameter {
                        endpoint: name,
                        name: k.clone(),
                        suggestion: suggest(k, valid.iter().map(String::as_str)),
                        valid,
                    });
                };
                if slots[i].is_some() {
                    return Err(Error::DuplicateParameter(k.clone()));
                }
                slots[i] = Some(v.clone());
            }
            slots
                .into_iter()
                .zip(params)
                .enumerate()
                .map(|(i, (slot, p))| match slot {
                    Some(v) => Ok(caller(adapt_shape(v, p.component.as_deref(), major_version))),
                    None if p.has_default => Ok(Slot { value: p.default.clone().unwrap_or(Value::Null), from_caller: false }),
                    None => Err(match &p.name {
                        Some(n) => Error::MissingParameter { endpoint: name.clone(), name: n.clone() },
                        None => {
                            Error::MissingPositional { endpoint: name.clone(), position: i + 1, label: p.label.clone().unwrap_or_default() }
                        }
                    }),
                })
                .collect::<Result<_, _>>()?
        }
    };
    let mut prepared = Prepared::default();
    for (index, mut slot) in place_in_slots(endpoint, values).into_iter().enumerate() {
        if slot.from_caller {
            take_markers(&mut slot.value, index, &mut prepared.uploads);
        }
        prepared.data.push(slot.value);
    }
    Ok(prepared)
}

/// Puts API values into the dependency's input slots, with `null` for each State.
fn place_in_slots(endpoint: &Endpoint, values: Vec<Slot>) -> Vec<Slot> {
    let params_in_slots = endpoint.input_slots.iter().filter(|s| matches!(s, InputSlot::Param)).count();
    if params_in_slots != values.len() {
        // The app's config and info disagree (or there is no config info): send what we have.
        return values;
    }
    let mut values = values.into_iter();
    endpoint
        .input_slots
        .iter()
        .map(|slot| match slot {
            InputSlot::State => Slot { value: Value::Null, from_caller: false },
            InputSlot::Param => values.next().unwrap_or(Slot { value: Value::Null, from_caller: false }),
        })
        .collect()
}

/// Wraps plain files in the shapes some components expect: Gradio 4.x/5.x take a Video as
/// `{video, subtitles}` (6.x takes the FileData itself); a Gallery takes `{image|video, caption}` items.
fn adapt_shape(v: Value, component: Option<&str>, major: u64) -> Value {
    let is_file = |v: &Value| v.as_object().is_some_and(|o| o.contains_key("path") || o.contains_key(crate::filedata::MARKER));
    match component {
        Some("Video") if major < 6 && is_file(&v) => serde_json::json!({"video": v, "subtitles": null}),
        Some("Gallery") => match v {
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| {
                        if !is_file(&item) {
                            return item;
                        }
                        let name = item.get("orig_name").or_else(|| item.get("path")).and_then(Value::as_str).unwrap_or_default();
                        let key = if mime_guess::from_path(name).first().is_some_and(|m| m.type_() == "video") { "video" } else { "image" };
                        serde_json::json!({ key: item, "caption": null })
                    })
                    .collect(),
            ),
            single if is_file(&single) => serde_json::json!([{"image": single, "caption": null}]),
            other => other,
        },
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn video_and_gallery_shapes() {
        let f = crate::filedata::local_file("/tmp/clip.mp4");
        assert_eq!(adapt_shape(f.clone(), Some("Video"), 5), json!({"video": f, "subtitles": null}));
        assert_eq!(adapt_shape(f.clone(), Some("Video"), 6), f);
        let img = crate::filedata::local_file("/tmp/a.png");
        let g = adapt_shape(json!([img, f]), Some("Gallery"), 6);
        assert_eq!(g, json!([{"image": img, "caption": null}, {"video": f, "caption": null}]));
        assert_eq!(adapt_shape(json!("text"), Some("Textbox"), 6), json!("text"));
    }
}
