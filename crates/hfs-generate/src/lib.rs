//! Generation without knowing the API: say what you want (an image of a prompt, a video from a
//! first frame, speech from text, a transcript) and run it on any Gradio Space or any provider.
//!
//! * [`GenRequest`]: the options, in no backend's terms (prompt, seed, size or aspect, steps,
//!   guidance, negative prompt, duration, voice, language, input files, extra parameters).
//! * The adapter picks a Space's endpoint from its API (inputs and outputs by component and
//!   type, ranked by fit, name and unmapped parameters) and maps the options onto its parameters
//!   by name, label, component and range: seeds are always sent (drawn when not given, with
//!   randomize flags off), sizes snapped to sliders or matched to resolution choices.
//! * A [`Plan`] says what will be sent and where each value came from, before anything is.
//! * [`Generator::generate`] runs it, falls back to the next [`Backend`] when one cannot serve
//!   (by the error's [`hfs_core::Action`], never by its text), saves every file as
//!   `{task}-{prompt}-{seed}[-{i}].{ext}` and records its provenance in `hfs-manifest.jsonl`
//!   (and in PNG files themselves).
//!
//! No terminal, no environment: options come in, events go out through a channel.

// Errors carry the libraries' errors whole; built once per failed generation.
#![allow(clippy::result_large_err)]

mod adapter;
mod backend;
mod error;
mod plan;
pub mod presets;
pub mod provenance;
mod readable;
mod request;
mod run;

pub use backend::Backend;
pub use error::{Attempt, GenError};
pub use plan::{Candidate, Plan, Source};
pub use presets::{Preset, Presets};
pub use provenance::GenFile;
pub use readable::Readable;
pub use request::{GenRequest, GenTask, input_url};
pub use run::{GenEvent, GenOptions, GenOutcome, Generator};

/// Property tests of the parts that read what a server sent: choice labels, labelled outputs,
/// chat histories, and the whole mapping over arbitrary parameter lists.
#[cfg(test)]
mod fuzz {
    use hfs_gradio::Parameter;
    use proptest::prelude::*;
    use serde_json::Value;

    use crate::adapter::{choice_size, role_of};
    use crate::{GenRequest, GenTask};

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,20}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(
                    (prop_oneof![Just("role".to_string()), Just("content".into()), Just("text".into()), "[a-z]{1,6}"], inner),
                    0..4
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn param() -> impl Strategy<Value = Parameter> {
        (
            proptest::option::of("[a-zA-Z_ ]{0,16}"),
            proptest::option::of("[a-zA-Z_ ()]{0,20}"),
            proptest::option::of(prop_oneof![
                Just("Textbox"),
                Just("Slider"),
                Just("Number"),
                Just("Checkbox"),
                Just("Dropdown"),
                Just("Image"),
                Just("Audio"),
                Just("Radio")
            ]),
            value(),
            value(),
        )
            .prop_map(|(name, label, component, schema, props)| Parameter {
                name,
                label,
                component: component.map(str::to_string),
                schema,
                python_type: None,
                has_default: false,
                default: None,
                example: None,
                props,
            })
    }

    proptest! {
        /// Any choice label parses to a positive size or to nothing, never a panic.
        #[test]
        fn choice_labels(s in "\\PC{0,40}") {
            if let Some((w, h)) = choice_size(&s) {
                prop_assert!(w > 0.0 && h > 0.0);
            }
        }

        /// Whatever outputs a server returns, reading a seed or a chat answer from them is total.
        #[test]
        fn outputs(values in proptest::collection::vec(value(), 0..4), labels in proptest::collection::vec(proptest::option::of("[A-Za-z ]{0,10}"), 0..4)) {
            let _ = crate::run::seed_in_outputs(&values, &labels);
            let _ = crate::run::chat_text(&values);
        }

        /// Any parameter list: roles are assigned and a plan is made or refused with an error,
        /// never a panic (ranges, steps and defaults come from the server).
        #[test]
        fn plans(ps in proptest::collection::vec(param(), 0..6), seed in proptest::option::of(any::<u64>()), w in proptest::option::of(0u32..5000)) {
            for p in &ps {
                let _ = role_of(p, GenTask::Image);
            }
            let req = GenRequest { prompt: Some("x".into()), seed, width: w, height: w, aspect: Some((16, 9)), steps: Some(3), ..Default::default() };
            let e = hfs_gradio::Endpoint::from_parts("/infer", ps, vec!["image".into()]);
            let _ = crate::adapter::plan_space("a/b", &[e], GenTask::Image, &req, None, None, false);
        }
    }
}
