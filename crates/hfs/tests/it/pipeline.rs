//! `hfs run PIPELINE.toml` against real Gradio servers: the shipped example (prompt → image on
//! the Z-Image-Turbo mimic → video on the ltx-2-TURBO mimic → narration on the Qwen3-TTS mimic)
//! through the fake Hub, a failing step whose later steps are skipped, hfs SIGKILLed mid-pipeline
//! and resumed (nothing redone), and validation that stops a bad file before anything runs.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::batch::{child_running, finish, json_lines, of, records, signal, spawn, wait_for};
use crate::support::{Hfs, V, any_version, fake, sha256_hex};

any_version!(
    the_example_pipeline_runs_on_the_mimic_spaces,
    a_failing_step_skips_what_it_feeds,
    killed_mid_pipeline_and_resumed,
    a_bad_file_stops_before_anything_runs,
);

fn example() -> std::path::PathBuf {
    hfs_testkit::repo_root().join("examples/pipelines/prompt-to-film.toml")
}

/// Every planned item done exactly once, its files whole; returns the done records by key.
#[track_caller]
fn exactly_once(dir: &Path) -> HashMap<String, Value> {
    let recs = records(dir);
    let planned: Vec<&str> = of(&recs, "planned").iter().map(|r| r["item"].as_str().unwrap()).collect();
    assert_eq!(planned.iter().collect::<HashSet<_>>().len(), planned.len(), "an item was planned twice");
    let mut done = HashMap::new();
    for r in of(&recs, "done") {
        let key = r["item"].as_str().unwrap().to_string();
        assert!(done.insert(key.clone(), r.clone()).is_none(), "item {key} done twice");
        for f in r["files"].as_array().unwrap() {
            let path = Path::new(f["path"].as_str().unwrap());
            assert_eq!(sha256_hex(path), f["sha256"], "{} is not what was recorded", path.display());
        }
    }
    for k in &planned {
        assert!(done.contains_key(*k), "item {k} not done");
    }
    done
}

/// The example with its two prompts and `n = 2`: 4 images, 4 videos (each from its own image),
/// 2 narrations; every record says which items fed it; run again, it has nothing to do.
fn the_example_pipeline_runs_on_the_mimic_spaces(v: V) {
    let spaces = hfs_testkit::shared_gen_spaces(v.version);
    let hub = fake(&json!({"spaces": {
        "Tongyi-MAI/Z-Image-Turbo": {"host": spaces.url("gen_zimage")},
        "alexnasa/ltx-2-TURBO": {"host": spaces.url("gen_video")},
        "Qwen/Qwen3-TTS": {"host": spaces.url("gen_tts")},
    }}));
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("film");
    let o = out.to_str().unwrap();
    let file = example();
    let f = file.to_str().unwrap();
    let plan = Hfs::new().env("HF_ENDPOINT", &hub.url).args(["run", f, "--explain", "--json"]).run().ok().json();
    assert_eq!(plan["schema"], "hfs.pipeline.explain/1");
    assert_eq!(plan["instances"], 2);
    let runs: Vec<(&str, u64)> =
        plan["steps"].as_array().unwrap().iter().map(|s| (s["step"].as_str().unwrap(), s["runs"].as_u64().unwrap())).collect();
    assert_eq!(runs, [("picture", 4), ("clip", 4), ("narration", 2)]);
    assert_eq!(plan["steps"][0]["plan"]["endpoint"], "/generate", "{plan}");
    assert_eq!(plan["steps"][1]["after"], json!(["picture"]));
    assert!(!out.exists(), "--explain writes nothing");
    let text = Hfs::new().env("HF_ENDPOINT", &hub.url).args(["run", f, "--explain"]).run().ok();
    assert!(text.stdout.contains("[clip] video · runs 4 · after picture"), "{text:?}");

    let r = Hfs::new().env("HF_ENDPOINT", &hub.url).args(["run", f, "-o", o, "-j", "4", "--json"]).run().ok();
    let lines = json_lines(&r.stdout);
    let doc = lines.last().unwrap();
    assert_eq!(doc["schema"], "hfs.pipeline/1", "{r:?}");
    assert_eq!((doc["done"].as_u64(), doc["failed"].as_u64(), doc["skipped"].as_u64()), (Some(10), Some(0), Some(0)), "{doc}");
    let per: Vec<(String, u64)> =
        doc["steps"].as_array().unwrap().iter().map(|s| (s["step"].as_str().unwrap().into(), s["done"].as_u64().unwrap())).collect();
    assert_eq!(per, [("picture".into(), 4), ("clip".into(), 4), ("narration".into(), 2)]);
    assert!(lines[..lines.len() - 1].iter().all(|l| l["schema"] == "hfs.generate/1" && l["step"].is_string()));
    let done = exactly_once(&out);
    assert_eq!(done.len(), 10);
    let planned: HashMap<String, Value> =
        of(&records(&out), "planned").into_iter().map(|p| (p["item"].as_str().unwrap().to_string(), p.clone())).collect();
    let by_step = |s: &str| planned.values().filter(|p| p["step"] == s).cloned().collect::<Vec<_>>();
    let pictures = by_step("picture");
    assert_eq!(pictures.len(), 4);
    let prompts: HashSet<&str> = pictures.iter().map(|p| p["request"]["prompt"].as_str().unwrap()).collect();
    assert_eq!(prompts, HashSet::from(["a red fox at dawn", "a lighthouse in a storm"]));
    // Each clip was made from its own picture: its input is that picture's file.
    let mut fed = HashSet::new();
    for clip in by_step("clip") {
        let input = clip["inputs"][0].as_str().unwrap();
        assert!(fed.insert(input.to_string()), "two clips from one picture");
        let picture_file = done[input]["files"][0]["path"].as_str().unwrap();
        let image = clip["request"]["image"].as_str().unwrap();
        assert_eq!(Path::new(image).file_name(), Path::new(picture_file).file_name());
        assert_eq!(clip["group"], planned[input]["group"], "a clip belongs to its picture's instance");
        assert!(done[clip["item"].as_str().unwrap()]["files"][0]["path"].as_str().unwrap().ends_with(".mp4"));
    }
    for n in by_step("narration") {
        assert!(n["request"]["prompt"].as_str().unwrap().contains(' '), "{n}");
        assert_eq!(n["request"]["voice"], "a calm documentary narrator");
    }
    // The same file again: everything is done.
    let again = Hfs::new().env("HF_ENDPOINT", &hub.url).args(["run", f, "-o", o]).run().ok();
    assert!(again.stderr.contains("nothing to do: all 10 items"), "{again:?}");
    assert_eq!(exactly_once(&out).len(), 10);
}

/// A step that fails for good: the steps that take from it are recorded as skipped, with the
/// reason; the other instance runs to the end; exit 1. A raw `call` step takes two steps' outputs.
fn a_failing_step_skips_what_it_feeds(v: V) {
    let batch = hfs_testkit::shared_batch_space(v.version).url("gen_batch").to_string();
    let spaces = hfs_testkit::shared_gen_spaces(v.version);
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("fails.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[vars]
prompt = ["a calm sea", "forbidden fruit"]

[steps.picture]
task = "image"
space = "{batch}"
prompt = "{{{{ prompt }}}}"

[steps.clip]
task = "video"
space = "{video}"
image = "{{{{ steps.picture.files[0] }}}}"
prompt = "drift"

[steps.raw]
task = "call"
space = "{tts}"
endpoint = "/generate_voice_design"
args = {{ text = "{{{{ prompt }}}}", voice_description = "seed {{{{ steps.picture.seed }}}} and {{{{ steps.clip.values[1] }}}}" }}
"#,
            video = spaces.url("gen_video"),
            tts = spaces.url("gen_tts"),
        ),
    )
    .unwrap();
    let out = temp.path().join("out");
    let r = Hfs::new().args(["run", file.to_str().unwrap(), "-o", out.to_str().unwrap(), "--json", "--gallery"]).run();
    assert_eq!(r.code, Some(1), "{r:?}");
    let doc = json_lines(&r.stdout).into_iter().rev().find(|d| d["schema"] == "hfs.pipeline/1").unwrap();
    assert_eq!((doc["done"].as_u64(), doc["failed"].as_u64(), doc["skipped"].as_u64()), (Some(3), Some(1), Some(2)), "{doc}");
    let skips: Vec<&str> = doc["skips"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(skips, ["clip", "raw"]);
    assert!(doc["skips"][0]["reason"].as_str().unwrap().contains("its input step `picture` failed"), "{doc}");
    assert!(r.stderr.contains("skipped clip: its input step `picture` failed"), "{r:?}");
    let recs = records(&out);
    assert_eq!(of(&recs, "skipped").len(), 2);
    assert_eq!(of(&recs, "pipeline").len(), 1);
    // The call got the seed the picture was made with, and the clip's second output.
    let raw = of(&recs, "planned").into_iter().find(|p| p["step"] == "raw").unwrap().clone();
    let picture = of(&recs, "done").into_iter().find(|d| d["step"] == "picture").unwrap().clone();
    let voice =
        raw["request"]["params"].as_array().unwrap().iter().find(|p| p[0] == "voice_description").unwrap()[1].as_str().unwrap().to_string();
    assert!(voice.starts_with(&format!("seed {} and ", picture["seed"])), "{voice}");
    assert_eq!(raw["request"]["literal"], json!(["voice_description"]), "server text is sent as text");
    let raw_done = of(&recs, "done").into_iter().find(|d| d["step"] == "raw").unwrap().clone();
    assert!(raw_done["files"][0]["path"].as_str().unwrap().contains("call-generate_voice_design"), "{raw_done}");
    let page = std::fs::read_to_string(out.join("index.html")).expect("--gallery writes the page");
    assert!(page.contains("picture · image") && page.contains("raw · call"), "pipeline cards name their step");
}

/// hfs SIGKILLed at random points of a pipeline, again and again (new runs of the same file and
/// `hfs resume`), then resumed to the end: every item of every step done exactly once, each
/// clip from a picture that is done.
fn killed_mid_pipeline_and_resumed(v: V) {
    let batch = hfs_testkit::shared_batch_space(v.version).url("gen_batch").to_string();
    let video = hfs_testkit::shared_gen_spaces(v.version).url("gen_video").to_string();
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("slow.toml");
    // "slow…" takes 0.5 s a picture: 12 pictures 2 at a time, then their clips, take well over
    // the rounds' time, so every kill lands mid-run.
    std::fs::write(
        &file,
        format!(
            "[steps.picture]\ntask = \"image\"\nspace = \"{batch}\"\nprompt = \"slow sunrise\"\nseed = 100\nn = 12\n\n[steps.clip]\ntask = \"video\"\nspace = \"{video}\"\nimage = \"{{{{ steps.picture.files[0] }}}}\"\nprompt = \"pan\"\n"
        ),
    )
    .unwrap();
    let (f, out) = (file.to_str().unwrap(), temp.path().join("out"));
    let o = out.to_str().unwrap();
    let nanos = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    let mut kills = 0;
    for round in 0..5 {
        let planned = out.join("hfs-manifest.jsonl").exists();
        let args: Vec<&str> = if round % 2 == 1 && planned { vec!["resume", o, "-j", "2"] } else { vec!["run", f, "-o", o, "-j", "2"] };
        let child = spawn(temp.path(), &args, &[]);
        std::thread::sleep(Duration::from_millis(300 + nanos() % 1200));
        if child_running(&child) {
            signal(&child, "-KILL");
            kills += 1;
        }
        let _ = finish(child, Duration::from_secs(30));
    }
    assert!(kills >= 3, "the run was too fast to kill ({kills} kills)");
    wait_for("nothing", Duration::from_secs(1), || true);
    let r = Hfs::new().args(["resume", o, "-j", "4"]).run().ok();
    assert!(r.stderr.contains("picture 12 done · clip 12 done"), "{r:?}");
    let done = exactly_once(&out);
    assert_eq!(done.len(), 24);
    let recs = records(&out);
    let seeds: HashSet<u64> = of(&recs, "done").iter().filter(|d| d["step"] == "picture").map(|d| d["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds, (100..112).collect(), "seeds S, S+1, … once each");
    for clip in of(&recs, "planned").into_iter().filter(|p| p["step"] == "clip") {
        assert!(done.contains_key(clip["inputs"][0].as_str().unwrap()));
    }
    let again = Hfs::new().args(["run", f, "-o", o]).run().ok();
    assert!(again.stderr.contains("nothing to do: all 24 items"), "{again:?}");
}

/// A file with mistakes: every one reported with its line and column, exit 2, nothing written;
/// a parameter the Space does not have is caught before the first step runs.
fn a_bad_file_stops_before_anything_runs(v: V) {
    let url = hfs_testkit::shared_gen_spaces(v.version).url("gen_zimage").to_string();
    let temp = tempfile::tempdir().unwrap();
    let bad = temp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[steps.picture]\ntask = \"image\"\nprompt = \"x\"\naspct = \"16:9\"\n\n[steps.clip]\ntask = \"vidoe\"\n\n[steps.voice]\ntask = \"speech\"\ntext = \"{{ steps.pictur.seed }}\"\n",
    )
    .unwrap();
    let out = temp.path().join("out");
    let r = Hfs::new().args(["run", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]).run().fails(2);
    for want in [
        "bad.toml:4:1: unknown option `aspct`",
        "did you mean `aspect`",
        "bad.toml:7:8: unknown task `vidoe`",
        "bad.toml:11:9: no step `pictur`",
        "3 problems",
    ] {
        assert!(r.stderr.contains(want), "no `{want}`: {r:?}");
    }
    assert!(!out.exists(), "nothing written");
    if v.has_param_names() {
        let p = temp.path().join("param.toml");
        std::fs::write(&p, format!("[steps.picture]\ntask = \"image\"\nspace = \"{url}\"\nprompt = \"x\"\nparams = {{ sed = 3 }}\n"))
            .unwrap();
        let r = Hfs::new().args(["run", p.to_str().unwrap(), "-o", out.to_str().unwrap()]).run().fails(2);
        assert!(r.stderr.contains("param.toml:1: step `picture`") && r.stderr.contains("did you mean `seed`"), "{r:?}");
        assert!(!out.exists(), "nothing written");
    }
    let r = Hfs::new().args(["run", bad.to_str().unwrap(), "--var", "x"]).run().fails(2);
    assert!(r.stderr.contains("--var takes NAME=VALUE"), "{r:?}");
}
