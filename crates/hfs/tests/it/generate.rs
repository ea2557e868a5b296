//! `hfs image|video|speech|transcribe|chat --space …`: the adapter on eight Spaces of our own with
//! different signatures and output shapes (`tests/spaces/apps/gen_*.py`), on every pinned Gradio version —
//! older servers name no parameters, so there the mapping works from labels and positions.

use std::path::Path;

use serde_json::Value;

use crate::support::{Hfs, V, per_version, sha256_hex};

per_version!(
    dropdown_resolution_tuple_output_and_seed,
    sliders_are_snapped_and_the_right_endpoint_chosen,
    endpoint_follows_the_input,
    video_speech_and_transcription,
    quota_error_then_fallback,
    unknown_parameter_is_a_usage_error,
    presets_win_until_the_api_changes,
    a_paused_space_falls_back,
    chat_with_a_chat_interface,
    defaults_come_from_the_config_file,
    a_full_queue_falls_back,
);

fn space_url(v: &V, app: &str) -> String {
    hfs_testkit::shared_gen_spaces(v.version).url(app).to_string()
}

/// An argument by name, whatever the server calls it (`random_seed` on 4.23+, `Random Seed`
/// before, where only labels exist).
fn arg<'a>(doc: &'a Value, key: &str) -> &'a Value {
    let norm = |s: &str| s.to_ascii_lowercase().replace([' ', '_'], "");
    let args = doc["arguments"].as_object().unwrap_or_else(|| panic!("no arguments: {doc}"));
    args.iter().find(|(k, _)| norm(k) == norm(key)).map(|(_, v)| v).unwrap_or_else(|| panic!("no argument {key}: {doc}"))
}

fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert!(b.starts_with(b"\x89PNG"), "{} is not a PNG", path.display());
    let be = |o: usize| u32::from_be_bytes(b[o..o + 4].try_into().unwrap());
    (be(16), be(20))
}

fn manifest(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("hfs-manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad manifest line ({e}): {l}")))
        .collect()
}

/// The provenance text chunk, read by PIL (a standard PNG reader, not our code).
fn pil_text(v: &V, path: &Path) -> Value {
    let py = hfs_testkit::python_for(v.version);
    let out = std::process::Command::new(py)
        .args(["-c", "import sys; from PIL import Image; print(Image.open(sys.argv[1]).info['hfs'])"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Z-Image-Turbo's shape: a resolution dropdown, a `random_seed` flag, and (gallery, seed text,
/// seed number) out. `--aspect 16:9` picks the 16:9 choice; the seed is sent with randomizing off,
/// so the output is reproducible; the record is in the manifest and in the PNG itself.
fn dropdown_resolution_tuple_output_and_seed(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let r = v
        .hfs(&["image", "a red fox", "--space", &space_url(&v, "gen_zimage"), "--aspect", "16:9", "--seed", "7", "-o", d, "--json"])
        .run()
        .ok();
    let doc = r.json();
    assert_eq!(doc["schema"], "hfs.generate/1");
    assert_eq!(doc["backend"]["endpoint"], "/generate", "{doc}");
    assert_eq!(doc["seed"], 7, "{doc}");
    assert_eq!(arg(&doc, "resolution"), "1344x768 ( 16:9 )");
    assert_eq!(arg(&doc, "random_seed"), false);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{doc}");
    let path = Path::new(files[0]["path"].as_str().unwrap());
    assert_eq!(path.file_name().unwrap(), "image-a-red-fox-7.png");
    assert_eq!(png_size(path), (21, 12), "1344x768 at 1/64");
    assert_eq!(files[0]["sha256"], sha256_hex(path));
    let m = manifest(dir.path());
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["schema"], "hfs.manifest/1");
    assert_eq!(m[0]["seed"], 7);
    assert_eq!(m[0]["files"][0]["sha256"], sha256_hex(path));
    assert_eq!(m[0]["backend"]["gradio_version"], v.version);
    let chunk = pil_text(&v, path);
    assert_eq!(chunk["seed"], 7);
    assert_eq!(chunk["backend"]["endpoint"], "/generate");
    assert_eq!(chunk["prompt"], "a red fox");
    // Without --seed, hfs draws one and the server uses it (its own randomizing is off).
    let r = v.hfs(&["image", "a red fox", "--space", &space_url(&v, "gen_zimage"), "-o", d, "--json"]).run().ok();
    let doc = r.json();
    assert!(doc["seed"].is_u64(), "{doc}");
    assert_eq!(&doc["seed"], arg(&doc, "seed"), "the seed the app used is the one sent: {doc}");
    assert_eq!(manifest(dir.path()).len(), 2, "appended");
}

/// FLUX.1-schnell's shape: width/height sliders (256–2048, step 32). 1000×500 becomes 992×512
/// with a warning; the image endpoint is chosen over a text-only one.
fn sliders_are_snapped_and_the_right_endpoint_chosen(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let r = v
        .hfs(&["image", "a cat", "--space", &space_url(&v, "gen_flux"), "--width", "1000", "--height", "500", "--steps", "2", "-o", d])
        .run()
        .ok();
    assert!(r.stderr.contains("using 992") && r.stderr.contains("using 512"), "{r:?}");
    let path = r.stdout.trim();
    assert!(path.ends_with(".png"), "{r:?}");
    assert_eq!(png_size(Path::new(path)), (31, 16), "992x512 at 1/32: {r:?}");
    let m = manifest(dir.path());
    assert_eq!(m[0]["backend"]["endpoint"], "/infer");
    let norm =
        |k: &str| m[0]["arguments"].as_object().unwrap().iter().find(|(n, _)| n.to_ascii_lowercase().contains(k)).map(|(_, v)| v.clone());
    assert_eq!(norm("steps"), Some(serde_json::json!(2)));
    assert_eq!(norm("randomize"), Some(serde_json::json!(false)));
}

/// One Space, two image endpoints: without an input image `/txt2img` (a captioned gallery, two
/// files numbered), with one `/img2img`. `--explain` lists every candidate and calls nothing.
fn endpoint_follows_the_input(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let url = space_url(&v, "gen_multi");
    let r = v.hfs(&["image", "a castle", "--space", &url, "--seed", "3", "--negative", "fog", "-o", d, "--json"]).run().ok();
    let doc = r.json();
    assert_eq!(doc["backend"]["endpoint"], "/txt2img", "{doc}");
    assert_eq!(arg(&doc, "negative_prompt"), "fog");
    let names: Vec<&str> =
        doc["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["image-a-castle-3-1.png", "image-a-castle-3-2.png"]);
    let input = dir.path().join("image-a-castle-3-1.png");
    let r = v.hfs(&["image", "make it red", "--space", &url, "--image", input.to_str().unwrap(), "-o", d, "--json"]).run().ok();
    assert_eq!(r.json()["backend"]["endpoint"], "/img2img", "{r:?}");
    assert_eq!(png_size(Path::new(r.json()["files"][0]["path"].as_str().unwrap())), (8, 8));
    // The manifest records the input by path and hash.
    let last = manifest(dir.path()).pop().unwrap();
    let image_arg = last["arguments"].as_object().unwrap().values().find(|a| a.get("sha256").is_some()).cloned().unwrap_or_default();
    assert_eq!(image_arg["sha256"], sha256_hex(&input), "{last}");
    let before = manifest(dir.path()).len();
    let r = v.hfs(&["image", "a castle", "--space", &url, "--explain", "--json", "--seed", "1"]).run().ok();
    let plan = r.json();
    assert_eq!(plan["schema"], "hfs.explain/1");
    assert_eq!(plan["endpoint"], "/txt2img");
    let notes: Vec<(String, bool)> = plan["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["endpoint"].as_str().unwrap().to_string(), c["fits"].as_bool().unwrap()))
        .collect();
    assert_eq!(notes, [("/txt2img".to_string(), true), ("/img2img".to_string(), false), ("/caption".to_string(), false)], "{plan}");
    assert_eq!(
        plan["sources"].as_object().unwrap().values().filter(|s| s["from"] == "default").count(),
        2,
        "negative prompt and count keep their defaults: {plan}"
    );
    assert_eq!(manifest(dir.path()).len(), before, "--explain calls nothing");
    if v.version == "6.31.0" {
        let r = v.hfs(&["image", "a castle", "--space", &url, "--explain", "--seed", "1"]).run().ok();
        insta::with_settings!({filters => vec![(r"http://127\.0\.0\.1:\d+/", "[SPACE]")]}, {
            insta::assert_snapshot!("explain_text", r.stdout);
        });
    }
}

/// Image-to-video from a first frame, text-to-speech with a voice description and a language
/// choice, and speech recognition of the result, each on its own Space.
fn video_speech_and_transcription(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (video_url, tts_url, asr_url) = (space_url(&v, "gen_video"), space_url(&v, "gen_tts"), space_url(&v, "gen_asr"));
    let frame = dir.path().join("frame.png");
    std::fs::write(&frame, include_bytes!("../../../../tests/fixtures/images/frame.png")).unwrap();
    let r = v
        .hfs(&["video", "a slow pan", "--space", &video_url, "--image", frame.to_str().unwrap(), "--duration", "1", "--seed", "4", "-o", d])
        .run()
        .ok();
    let video = r.stdout.trim().to_string();
    assert!(video.ends_with("video-a-slow-pan-4.mp4"), "{r:?}");
    assert_eq!(&std::fs::read(&video).unwrap()[4..8], b"ftyp");
    let r = v
        .hfs(&[
            "speech",
            "hello there, how are you",
            "--space",
            &tts_url,
            "--voice",
            "a deep voice",
            "--language",
            "english",
            "-o",
            d,
            "--json",
        ])
        .run()
        .ok();
    let doc = r.json();
    assert_eq!(doc["backend"]["endpoint"], "/generate_voice_design", "{doc}");
    assert_eq!(arg(&doc, "voice_description"), "a deep voice");
    assert_eq!(arg(&doc, "language"), "English", "matched to the choice: {doc}");
    let audio = doc["files"][0]["path"].as_str().unwrap().to_string();
    let r = v.hfs(&["transcribe", &audio, "--space", &asr_url]).run().ok();
    assert!(r.stdout.contains("seconds of audio"), "{r:?}");
}

/// A Space out of ZeroGPU quota: alone, the error says when it resets and how to check; with
/// `--fallback`, hfs moves on, says why, and records the failed backend.
fn quota_error_then_fallback(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let quota = space_url(&v, "gen_quota");
    v.hfs(&["image", "x", "--space", &quota, "-o", d]).run().fails(1).says(&["quota", "resets in 1m23s", "hfs quota"]);
    let flux = format!("space:{}", space_url(&v, "gen_flux"));
    let r = v.hfs(&["image", "x", "--space", &quota, "--fallback", &flux, "-o", d, "--json"]).run().ok();
    assert!(r.stderr.contains("trying"), "{r:?}");
    let doc = r.json();
    assert_eq!(doc["backend"]["endpoint"], "/infer", "{doc}");
    assert!(doc["fallbacks"][0]["error"].as_str().unwrap().contains("quota"), "{doc}");
    assert!(manifest(dir.path())[0]["fallbacks"][0]["backend"].as_str().unwrap().contains(quota.trim_end_matches('/')));
}

/// A parameter the Space does not have is refused before anything runs, with a suggestion.
fn unknown_parameter_is_a_usage_error(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let url = space_url(&v, "gen_flux");
    let r = v.hfs(&["image", "x", "--space", &url, "--param", "guidanse_scale=2", "-o", dir.path().to_str().unwrap()]).run().fails(2);
    if v.has_param_names() {
        assert!(r.stderr.contains("did you mean `guidance_scale`"), "{r:?}");
    }
    assert!(!dir.path().join("hfs-manifest.jsonl").exists());
}

/// A fake Hub whose Space ids run on this version's generation test Spaces.
fn gen_hub(v: &V) -> hfs_testkit::FakeHub {
    crate::support::fake(&serde_json::json!({"spaces": {
        "tests/multi": {"host": space_url(v, "gen_multi")},
        "tests/flux": {"host": space_url(v, "gen_flux")},
        "tests/paused": {"host": space_url(v, "gen_flux"), "stage": "PAUSED"},
    }}))
}

fn in_home(home: &Path, hub: &hfs_testkit::FakeHub, args: &[&str]) -> Hfs {
    Hfs::new().env("HOME", home).env("HF_ENDPOINT", &hub.url).args(args)
}

/// A user preset for a Space id wins over the heuristics (its fixed values are sent); when the
/// Space no longer has what it names, hfs says so and the heuristics take over. `hfs presets`
/// lists the built-in ones and the user's.
fn presets_win_until_the_api_changes(v: V) {
    let hub = gen_hub(&v);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".config/hfs/presets");
    std::fs::create_dir_all(&dir).unwrap();
    let param = if v.has_param_names() { "num_images" } else { "images" };
    std::fs::write(
        dir.join("multi.toml"),
        format!("space = \"tests/multi\"\ntask = \"image\"\nendpoint = \"/txt2img\"\n[set]\n{param} = 1\n"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = in_home(home.path(), &hub, &["image", "a castle", "--space", "tests/multi", "-o", o, "--json"]).run().ok();
    let doc = r.json();
    assert_eq!(doc["files"].as_array().unwrap().len(), 1, "the preset's value was sent: {doc}");
    let plan = in_home(home.path(), &hub, &["image", "a castle", "--space", "tests/multi", "--explain", "--json"]).run().ok().json();
    assert_eq!(plan["sources"][param]["from"], "preset", "{plan}");
    // The Space changed under the preset: a warning, and the heuristics still find /txt2img.
    std::fs::write(
        dir.join("multi.toml"),
        "space = \"tests/multi\"\ntask = \"image\"\nendpoint = \"/txt2img\"\n[roles]\nprompt = \"gone\"\n",
    )
    .unwrap();
    let r = in_home(home.path(), &hub, &["image", "a castle", "--space", "tests/multi", "--explain", "--json"]).run().ok();
    assert!(r.stderr.contains("no longer matches") || r.json()["warnings"].to_string().contains("no longer matches"), "{r:?}");
    assert_eq!(r.json()["endpoint"], "/txt2img");
    // A preset file that does not parse is named, not skipped silently.
    std::fs::write(dir.join("broken.toml"), "space = [").unwrap();
    let r = in_home(home.path(), &hub, &["presets", "--json"]).run().ok();
    assert!(r.stderr.contains("broken.toml"), "{r:?}");
    let list = r.json();
    assert_eq!(list["schema"], "hfs.presets/1");
    let spaces: Vec<&str> = list["presets"].as_array().unwrap().iter().map(|p| p["space"].as_str().unwrap()).collect();
    assert!(spaces.contains(&"Tongyi-MAI/Z-Image-Turbo") && spaces.contains(&"tests/multi"), "{spaces:?}");
}

/// A paused Space is another backend's turn: hfs moves on and records why.
fn a_paused_space_falls_back(v: V) {
    let hub = gen_hub(&v);
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r =
        in_home(home.path(), &hub, &["image", "x", "--space", "tests/paused", "--fallback", "tests/flux", "-o", o, "--json"]).run().ok();
    let doc = r.json();
    assert_eq!(doc["backend"]["space"], "tests/flux", "{doc}");
    assert!(doc["fallbacks"][0]["error"].as_str().unwrap().contains("PAUSED"), "{doc}");
    // Without a fallback the error says what it means.
    in_home(home.path(), &hub, &["image", "x", "--space", "tests/paused", "-o", o]).run().fails(1).says(&["PAUSED"]);
}

/// A `gr.ChatInterface` is found from its config whatever its endpoint is called (`/chat` before
/// 6.x, the function's name `/respond` on 6.x); the answer goes to stdout.
fn chat_with_a_chat_interface(v: V) {
    let url = space_url(&v, "gen_chat");
    let r = v.hfs(&["chat", "hello", "--space", &url]).run().ok();
    assert_eq!(r.stdout.trim(), "echo: hello (0 earlier turns)", "{r:?}");
    let r = v.hfs(&["chat", "hello", "--space", &url, "--json"]).run().ok();
    let doc = r.json();
    assert_eq!(doc["task"], "chat");
    assert_eq!(doc["text"], "echo: hello (0 earlier turns)", "{doc}");
    // The Blocks chatbot of the main app (a history in, a history out) works too: the last
    // assistant message is the answer.
    let r = v.hfs(&["chat", "hi there", "--space", &v.url("main"), "--endpoint", "/chat"]).run().ok();
    assert_eq!(r.stdout.trim(), "echo: hi there", "{r:?}");
}

/// With neither `--space` nor `--model`, the task's defaults come from the config file's
/// `[defaults]` (the paused Space first: the list is a fallback chain); a bad file is named.
fn defaults_come_from_the_config_file(v: V) {
    let hub = gen_hub(&v);
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join(".config/hfs");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "[defaults]\nimage = [\"space:tests/paused\", \"tests/flux\"]\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = in_home(home.path(), &hub, &["image", "a cat", "-o", o, "--json"]).run().ok();
    let doc = r.json();
    assert_eq!(doc["backend"]["space"], "tests/flux", "{doc}");
    assert_eq!(doc["fallbacks"].as_array().unwrap().len(), 1, "{doc}");
    std::fs::write(cfg.join("config.toml"), "[defaults]\nimage = \"tests/flux\"\n").unwrap();
    in_home(home.path(), &hub, &["image", "a cat", "-o", o]).run().fails(2).says(&["config.toml", "defaults.image"]);
}

/// A Space whose queue is full is another backend's turn: one job runs, one waits, so a third
/// is refused with queue-full and hfs moves on to the fallback.
fn a_full_queue_falls_back(v: V) {
    let busy = space_url(&v, "gen_busy");
    let mut running = crate::support::Spawned::start(&["call", &busy, "/infer", "a", "6", "--stream", "--no-download"]);
    assert_eq!(running.next_json().expect("first job's first event")["event"], "queued");
    std::thread::sleep(std::time::Duration::from_millis(1500)); // it leaves the queue and runs
    let mut waiting = crate::support::Spawned::start(&["call", &busy, "/infer", "b", "0", "--stream", "--no-download"]);
    assert_eq!(waiting.next_json().expect("second job's first event")["event"], "queued");
    let out = tempfile::tempdir().unwrap();
    let flux = format!("space:{}", space_url(&v, "gen_flux"));
    let r = v.hfs(&["image", "x", "--space", &busy, "--fallback", &flux, "-o", out.path().to_str().unwrap(), "--json"]).run().ok();
    let doc = r.json();
    assert_eq!(doc["backend"]["endpoint"], "/infer", "{doc}");
    assert!(doc["backend"]["space"].as_str().unwrap().contains(&space_url(&v, "gen_flux")), "{doc}");
    assert!(doc["fallbacks"][0]["error"].as_str().unwrap().contains("queue is full"), "{doc}");
    running.wait(std::time::Duration::from_secs(60)).ok();
    waiting.wait(std::time::Duration::from_secs(60)).ok();
}
