//! Every validation error, with its line and column, as a person reads it (snapshots).

use std::path::Path;

use hfs_generate::{Backend, GenTask};
use hfs_pipeline::compile;

fn defaults(task: GenTask) -> Vec<Backend> {
    match task {
        GenTask::Image => vec![Backend::Space { space: "Tongyi-MAI/Z-Image-Turbo".into(), endpoint: None }],
        GenTask::Video => vec![Backend::Space { space: "alexnasa/ltx-2-TURBO".into(), endpoint: None }],
        GenTask::Speech => vec![Backend::Space { space: "Qwen/Qwen3-TTS".into(), endpoint: None }],
        GenTask::Transcribe => vec![Backend::Provider { model: "openai/whisper-large-v3".into(), provider: None }],
        _ => vec![],
    }
}

fn errors(source: &str) -> String {
    errors_with(source, &[])
}

fn errors_with(source: &str, vars: &[(&str, &str)]) -> String {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    match compile(source, "pipe.toml", Path::new("."), &vars, &defaults) {
        Ok(p) => panic!("compiled: {:?}", p.steps.iter().map(|s| &s.name).collect::<Vec<_>>()),
        Err(e) => e.to_string(),
    }
}

const GOOD: &str = r#"
[vars]
prompt = ["a red fox at dawn", "a lighthouse in a storm"]

[steps.picture]
task = "image"
prompt = "{{ prompt }}"
aspect = "16:9"
n = 2

[steps.clip]
task = "video"
image = "{{ steps.picture.files[0] }}"
prompt = "slow cinematic push-in"

[steps.voice]
task = "speech"
text = "{{ prompt }}"
"#;

#[test]
fn a_good_file_compiles_in_run_order() {
    let p = compile(GOOD, "pipe.toml", Path::new("."), &[], &defaults).unwrap();
    let names: Vec<&str> = p.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["picture", "clip", "voice"]);
    assert_eq!(p.instances().len(), 2);
    assert_eq!(p.runs_per_instance("clip"), 2);
    assert_eq!(p.runs_per_instance("voice"), 1);
    assert_eq!(p.steps[1].after, ["picture"]);
    assert_eq!(p.steps[0].backends, defaults(GenTask::Image));
    // --var replaces a list with one value.
    let p = compile(GOOD, "pipe.toml", Path::new("."), &[("prompt".into(), "an owl".into())], &defaults).unwrap();
    assert_eq!(p.instances().len(), 1);
    // A later step may come first in the file: the order follows the references.
    let reordered = "[steps.b]\ntask = \"video\"\nimage = \"{{ steps.a.files[0] }}\"\n[steps.a]\ntask = \"image\"\nprompt = \"x\"\n";
    let p = compile(reordered, "pipe.toml", Path::new("."), &[], &defaults).unwrap();
    assert_eq!(p.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn syntax_errors_name_their_place() {
    insta::assert_snapshot!(errors("[steps.a]\ntask = \"image\nprompt = \"x\"\n"));
    insta::assert_snapshot!(errors("[vars]\nx = 1\n"));
    insta::assert_snapshot!(errors("[step.a]\ntask = \"image\"\n"));
}

#[test]
fn unknown_tasks_and_options() {
    insta::assert_snapshot!(errors("[steps.a]\ntask = \"imgae\"\nprompt = \"x\"\n"));
    insta::assert_snapshot!(errors("[steps.a]\ntask = \"image\"\nprompt = \"x\"\naspct = \"16:9\"\nparam = { a = 1 }\n"));
    insta::assert_snapshot!(errors("[steps.a]\ntask = \"speech\"\nprompt = \"hello\"\n"));
    insta::assert_snapshot!(errors("[steps.a]\nprompt = \"x\"\n"));
    insta::assert_snapshot!(errors("[steps.a]\ntask = \"image\"\nprompt = \"x\"\nsteps = \"many\"\nn = 0\naspect = \"wide\"\n"));
}

#[test]
fn references_to_missing_steps_vars_and_outputs() {
    insta::assert_snapshot!(errors(
        "[vars]\nprompt = \"x\"\n[steps.picture]\ntask = \"image\"\nprompt = \"{{ promt }}\"\n[steps.clip]\ntask = \"video\"\nimage = \"{{ steps.pictur.files[0] }}\"\n"
    ));
    insta::assert_snapshot!(errors(
        "[steps.t]\ntask = \"transcribe\"\naudio = \"Cargo.toml\"\n[steps.v]\ntask = \"speech\"\ntext = \"{{ steps.t.files[0] }} and {{ steps.t.seed }}\"\n"
    ));
    insta::assert_snapshot!(errors("[steps.a]\ntask = \"image\"\nprompt = \"{{ steps.a.seed }} {{ steps.a.file[0] }} {{ oops\"\n"));
    // A server's text never becomes a path hfs reads.
    insta::assert_snapshot!(errors(
        "[steps.chat]\ntask = \"chat\"\nspace = \"o/c\"\nprompt = \"x\"\n[steps.pic]\ntask = \"image\"\nprompt = \"y\"\nimage = \"{{ steps.chat.text }}\"\n"
    ));
}

#[test]
fn cycles_backends_and_vars() {
    insta::assert_snapshot!(errors(
        "[steps.a]\ntask = \"video\"\nimage = \"{{ steps.b.files[0] }}\"\n[steps.b]\ntask = \"image\"\nprompt = \"x\"\nimage = \"{{ steps.a.files[0] }}\"\n"
    ));
    insta::assert_snapshot!(errors(
        "[steps.a]\ntask = \"call\"\nargs = { x = 1 }\n[steps.b]\ntask = \"image\"\nprompt = \"x\"\nspace = \"a/b\"\nmodel = \"c/d\"\nendpoint = \"/x\"\n[steps.c]\ntask = \"image\"\nprompt = \"x\"\nprovider = \"fal-ai\"\nfallback = [\"nonsense\"]\n"
    ));
    insta::assert_snapshot!(errors_with(
        "[vars]\nprompt = []\n[steps.a]\ntask = \"image\"\nprompt = \"{{ prompt }}\"\n",
        &[("promt", "x")]
    ));
}
