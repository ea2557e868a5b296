//! The fixed tools: their names, descriptions and JSON schemas.

use hfs_generate::GenTask;
use serde_json::{Map, Value, json};

/// What a tool does.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Generate(GenTask),
    SearchSpaces,
    SearchModels,
    SpaceApi,
    SpaceCall,
    /// One endpoint of a Space the server was started with (index into the config's list).
    Space(usize),
}

/// A tool as listed, and what it does.
#[derive(Clone, Debug)]
pub(crate) struct Def {
    pub name: String,
    pub kind: Kind,
    /// The `Tool` as the protocol carries it.
    pub tool: Value,
}

pub(crate) fn fixed() -> Vec<Def> {
    let gen_tool = |task: GenTask, name: &str, title: &str, description: &str, props: Value, required: &[&str]| {
        let mut p = props.as_object().cloned().unwrap_or_default();
        p.extend(backend_props());
        Def {
            name: name.into(),
            kind: Kind::Generate(task),
            tool: tool(name, title, description, object(p, required), Some(generate_output()), false),
        }
    };
    vec![
        gen_tool(
            GenTask::Image,
            "generate_image",
            "Generate an image",
            "Generate an image from a prompt (with `image`: edit that image) on any Gradio Space or Inference Providers model. \
             Without `space` or `model` the configured default backends run, falling back in order. The file is saved on this \
             machine and returned as a resource link with its path, size, sha256, seed and backend.",
            json!({
                "prompt": {"type": "string", "description": "What to generate"},
                "negative_prompt": {"type": "string", "description": "What to avoid"},
                "seed": seed(),
                "width": {"type": "integer", "minimum": 1, "description": "Width in pixels (snapped to what the backend takes)"},
                "height": {"type": "integer", "minimum": 1, "description": "Height in pixels"},
                "aspect": aspect(),
                "steps": {"type": "integer", "minimum": 1, "description": "Inference steps"},
                "guidance": {"type": "number", "description": "Guidance scale"},
                "image": input_file("An input image to edit"),
            }),
            &["prompt"],
        ),
        gen_tool(
            GenTask::Video,
            "generate_video",
            "Generate a video",
            "Generate a video from a prompt (with `image`: animate that image as the first frame) on any Gradio Space or \
             Inference Providers model. Long jobs report progress; the file is saved on this machine and returned as a resource link.",
            json!({
                "prompt": {"type": "string", "description": "What happens in the video"},
                "image": input_file("The first frame"),
                "negative_prompt": {"type": "string", "description": "What to avoid"},
                "seed": seed(),
                "duration": {"type": "number", "exclusiveMinimum": 0, "description": "Length in seconds"},
                "width": {"type": "integer", "minimum": 1, "description": "Width in pixels"},
                "height": {"type": "integer", "minimum": 1, "description": "Height in pixels"},
                "aspect": aspect(),
                "steps": {"type": "integer", "minimum": 1, "description": "Inference steps"},
                "guidance": {"type": "number", "description": "Guidance scale"},
            }),
            &["prompt"],
        ),
        gen_tool(
            GenTask::Speech,
            "generate_speech",
            "Read text aloud",
            "Turn text into speech on any Gradio Space or Inference Providers model; the audio file is saved on this machine \
             and returned as a resource link.",
            json!({
                "text": {"type": "string", "description": "The text to speak"},
                "voice": {"type": "string", "description": "A voice or speaker the backend offers"},
                "language": {"type": "string", "description": "The language of the text"},
                "seed": seed(),
            }),
            &["text"],
        ),
        gen_tool(
            GenTask::Transcribe,
            "transcribe",
            "Transcribe audio",
            "Transcribe an audio file on any Gradio Space or Inference Providers model; returns the text.",
            json!({
                "audio": input_file("The audio file to transcribe"),
                "language": {"type": "string", "description": "The spoken language, when the backend takes one"},
            }),
            &["audio"],
        ),
        Def {
            name: "search_spaces".into(),
            kind: Kind::SearchSpaces,
            tool: tool(
                "search_spaces",
                "Find Spaces",
                "Find Hugging Face Spaces by what they do (semantic search) or by category. Returns ids to pass as `space`.",
                object(
                    props(json!({
                        "query": {"type": "string", "description": "What the Space should do, e.g. \"make music from a prompt\""},
                        "category": {"type": "string", "enum": hfs_hub::SPACE_CATEGORIES, "description": "A category instead of (or with) a query"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
                        "include_non_running": {"type": "boolean", "default": false, "description": "Also paused and sleeping Spaces"},
                    })),
                    &[],
                ),
                None,
                true,
            ),
        },
        Def {
            name: "search_models".into(),
            kind: Kind::SearchModels,
            tool: tool(
                "search_models",
                "Find provider models",
                "Find models that Inference Providers serve for a task. Returns ids to pass as `model`.",
                object(
                    props(json!({
                        "task": {"type": "string", "description": "A pipeline tag: text-to-image, text-to-video, image-to-video, text-to-speech, automatic-speech-recognition, …"},
                        "provider": {"type": "string", "default": "all", "description": "Only models this provider serves"},
                        "query": {"type": "string", "description": "Words in the model id"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    })),
                    &["task"],
                ),
                None,
                true,
            ),
        },
        Def {
            name: "space_api".into(),
            kind: Kind::SpaceApi,
            tool: tool(
                "space_api",
                "Describe a Space's API",
                "A Gradio Space's endpoints: each one's parameters (names, types, defaults, choices) and return values, for space_call.",
                object(
                    props(json!({
                        "space": {"type": "string", "description": "A Space id (owner/name) or Gradio app URL"},
                        "all": {"type": "boolean", "default": false, "description": "Include undocumented endpoints"},
                    })),
                    &["space"],
                ),
                None,
                true,
            ),
        },
        Def {
            name: "space_call".into(),
            kind: Kind::SpaceCall,
            tool: tool(
                "space_call",
                "Call a Space endpoint",
                "Call any endpoint of any Gradio Space with named arguments (see space_api), coerced to the endpoint's types. \
                 File parameters take a local path or an http(s) URL; output files are saved on this machine and returned as resource links.",
                object(
                    props(json!({
                        "space": {"type": "string", "description": "A Space id (owner/name) or Gradio app URL"},
                        "endpoint": {"type": "string", "description": "The endpoint, e.g. /predict (optional when the Space has one)"},
                        "arguments": {"type": "object", "additionalProperties": true, "description": "Arguments by parameter name (or label); the rest keep their defaults"},
                    })),
                    &["space"],
                ),
                Some(generate_output()),
                false,
            ),
        },
    ]
}

pub(crate) fn tool(name: &str, title: &str, description: &str, input: Value, output: Option<Value>, read_only: bool) -> Value {
    let mut t = json!({
        "name": name,
        "title": title,
        "description": description,
        "inputSchema": input,
        "annotations": {"title": title, "readOnlyHint": read_only, "openWorldHint": true, "destructiveHint": false},
    });
    if let Some(o) = output {
        t["outputSchema"] = o;
    }
    t
}

pub(crate) fn object(properties: Map<String, Value>, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn props(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn backend_props() -> Map<String, Value> {
    props(json!({
        "space": {"type": "string", "description": "A Gradio Space (owner/name) or app URL to run on; omit space and model for the defaults"},
        "endpoint": {"type": "string", "description": "The Space's endpoint, e.g. /generate (omit: hfs picks the one that fits)"},
        "model": {"type": "string", "description": "An Inference Providers model (owner/name) to run on instead of a Space"},
        "provider": {"type": "string", "description": "The provider for `model` (omit: the first that serves it)"},
        "fallback": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Backends to try next when one cannot serve (out of quota, paused, queue full): Space ids, model:OWNER/NAME[@provider], or \"auto\" for the defaults"
        },
        "params": {"type": "object", "additionalProperties": true, "description": "Extra parameters by the backend's own names (see space_api), sent as given"},
    }))
}

fn seed() -> Value {
    json!({"type": "integer", "minimum": 0, "description": "The seed (omit: hfs draws one and reports it)"})
}

fn aspect() -> Value {
    json!({"type": "string", "pattern": "^[0-9]+:[0-9]+$", "description": "Aspect ratio W:H, e.g. 16:9"})
}

pub(crate) fn input_file(what: &str) -> Value {
    json!({"type": "string", "description": format!("{what}: a local file path (under the directories this server may read) or an http(s) URL")})
}

/// The structured result of a generation or call: `hfs.generate/1`.
pub(crate) fn generate_output() -> Value {
    json!({
        "type": "object",
        "properties": {
            "schema": {"type": "string", "const": "hfs.generate/1"},
            "task": {"type": "string"},
            "backend": {"type": "object", "description": "What served it: a Space (host, Gradio version, endpoint) or a provider (model, provider)"},
            "seed": {"type": ["integer", "null"]},
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "mime_type": {"type": ["string", "null"]},
                        "size": {"type": "integer"},
                        "sha256": {"type": "string"},
                    },
                    "required": ["path", "size", "sha256"],
                },
            },
            "text": {"type": ["string", "null"]},
            "values": {"type": "array"},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "duration_ms": {"type": "integer"},
        },
        "required": ["schema", "task", "files"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_tool_is_well_formed() {
        let tools = fixed();
        let mut names: Vec<&str> = tools.iter().map(|d| d.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 8);
        for d in &tools {
            assert!(crate::valid_tool_name(&d.name), "{}", d.name);
            let schema = &d.tool["inputSchema"];
            assert_eq!(schema["type"], "object");
            for r in schema["required"].as_array().unwrap() {
                assert!(schema["properties"].get(r.as_str().unwrap()).is_some(), "{}: required {r} is not a property", d.name);
            }
            let _: rmcp::model::Tool = serde_json::from_value(d.tool.clone()).expect("a protocol Tool");
        }
    }
}
