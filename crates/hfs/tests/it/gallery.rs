//! `hfs gallery` and `--gallery`, checked in a real headless Chromium (Debian's `chromium`,
//! installed by `scripts/setup-test-env`): the page's own script reports what the browser did
//! (`<body data-report>`: items, visible items, images that rendered, media sources), read back
//! from `--dump-dom`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Hfs, V, any_version};

any_version!(a_run_renders_in_a_real_browser, a_thousand_items_load_within_a_generous_bound);

fn chromium() -> PathBuf {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|b| Path::new("/usr/bin").join(b))
        .find(|p| p.exists())
        .expect("no chromium: run scripts/setup-test-env (it installs Debian's chromium)")
}

/// Chromium's flags for a container: no sandbox (root), no GPU, a tall window so every card is
/// in view (lazy images outside it would not load), time to load what the page asks for.
fn browser(extra: &[&str]) -> Command {
    let mut c = Command::new(chromium());
    c.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1400,4000"]);
    c.args(extra).stdin(Stdio::null()).stderr(Stdio::null());
    c
}

/// The page loaded (with `#hash`), as the browser saw it: its report and its DOM.
fn load(page: &Path, hash: &str) -> (Value, String) {
    let url = format!("file://{}{hash}", page.display());
    let out = browser(&["--virtual-time-budget=10000", "--dump-dom", &url]).output().expect("run chromium");
    assert!(out.status.success(), "chromium failed on {url}");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let at = dom.find("data-report=\"").unwrap_or_else(|| panic!("the page wrote no report: {}", &dom[..dom.len().min(2000)]));
    let rest = &dom[at + "data-report=\"".len()..];
    let raw = &rest[..rest.find('"').unwrap()];
    let json = raw.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    (serde_json::from_str(&json).unwrap_or_else(|e| panic!("bad report ({e}): {json}")), dom)
}

/// A batch with done and failed items (`--gallery` writes the page at the end), a speech and a
/// video generation in the same directory, then `hfs gallery`: in the browser every image
/// renders, the media sources are files of the directory, and the filter hides what does not
/// match. A screenshot is kept as a test artifact.
fn a_run_renders_in_a_real_browser(v: V) {
    let batch = hfs_testkit::shared_batch_space(v.version).url("gen_batch").to_string();
    let spaces = hfs_testkit::shared_gen_spaces(v.version);
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let o = run.to_str().unwrap();
    let prompts = dir.path().join("prompts.txt");
    std::fs::write(&prompts, "a red fox <b>bold</b>\nforbidden fruit\n").unwrap();
    let r = Hfs::new()
        .args(["image", "--prompts", prompts.to_str().unwrap(), "-n", "2", "--seed", "4", "--space", &batch, "-o", o, "--gallery"])
        .run();
    assert_eq!(r.code, Some(1), "two items are refused by the app: {r:?}");
    assert!(r.stderr.contains(&format!("gallery: {o}/index.html")), "{r:?}");
    let first_png =
        std::fs::read_dir(&run).unwrap().flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "png")).unwrap();
    Hfs::new().args(["speech", "hello there", "--space", spaces.url("gen_tts"), "-o", o]).run().ok();
    Hfs::new()
        .args(["video", "slow push-in", "--image", first_png.to_str().unwrap(), "--space", spaces.url("gen_video"), "-o", o])
        .run()
        .ok();
    let r = Hfs::new().args(["gallery", o, "--json"]).run().ok();
    assert_eq!(r.json(), json!({"schema": "hfs.gallery/1", "page": format!("{o}/index.html")}));
    let page = run.join("index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("a red fox &lt;b&gt;bold&lt;/b&gt;") && !html.contains("<b>bold"), "prompts are text, not markup");
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "src=\"/", "href=\"/"] {
        assert!(!html.contains(attr), "no network and no absolute path: every link is relative ({attr})");
    }

    let (report, dom) = load(&page, "");
    assert_eq!(report["items"], 6, "{report}");
    assert_eq!(report["images"], 2, "{report}");
    assert_eq!(report["rendered"], 2, "every image renders (natural width > 0): {report}");
    let media: Vec<&str> = report["media"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(media.len(), 2, "{report}");
    for src in media {
        assert!(run.join(src.trim_start_matches("./")).is_file(), "{src} does not resolve to a file of the run");
    }
    assert!(dom.contains("This prompt is not allowed by the app."), "failures show their reason");

    let (report, _) = load(&page, "#q=forbidden");
    assert_eq!(report["visible"], 2, "{report}");
    let (report, _) = load(&page, "#status=done");
    assert_eq!(report["visible"], 4, "{report}");
    let (report, _) = load(&page, "#q=seed%20nobody");
    assert_eq!(report["visible"], 0, "{report}");

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gallery.png");
    let _ = std::fs::remove_file(&shot);
    let ok = browser(&["--window-size=1400,900", &format!("--screenshot={}", shot.display()), &format!("file://{}", page.display())])
        .status()
        .unwrap();
    assert!(ok.success() && std::fs::metadata(&shot).map(|m| m.len() > 1000).unwrap_or(false), "no screenshot at {}", shot.display());
}

/// 1,000 items (a manifest of done records over real PNGs): the page is written and loads in the
/// browser within a generous bound, with every card there.
fn a_thousand_items_load_within_a_generous_bound(v: V) {
    let batch = hfs_testkit::shared_batch_space(v.version).url("gen_batch").to_string();
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("big");
    let o = run.to_str().unwrap();
    Hfs::new().args(["image", "a tile", "--seed", "1", "--space", &batch, "-o", o]).run().ok();
    let png = std::fs::read_dir(&run).unwrap().flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "png")).unwrap();
    let bytes = std::fs::read(&png).unwrap();
    let mut manifest = String::new();
    for i in 0..1000 {
        let name = format!("image-tile-{i}.png");
        std::fs::write(run.join(&name), &bytes).unwrap();
        let key = format!("{i:016x}");
        manifest.push_str(&format!("{}\n", json!({"schema": "hfs.manifest/1", "record": "planned", "item": key, "index": i, "task": "image",
            "request": {"prompt": format!("tile {i}"), "seed": i}, "backends": [{"kind": "space", "space": "o/a", "endpoint": null}], "copy": 0})));
        manifest.push_str(&format!(
            "{}\n",
            json!({"schema": "hfs.manifest/1", "record": "done", "item": key, "task": "image", "prompt": format!("tile {i}"),
            "seed": i, "backend": {"kind": "space", "space": "o/a", "endpoint": "/infer"}, "duration_ms": 900,
            "files": [{"path": run.join(&name), "mime_type": "image/png", "size": bytes.len(), "sha256": "0"}]})
        ));
    }
    std::fs::write(run.join("hfs-manifest.jsonl"), manifest).unwrap();
    Hfs::new().args(["gallery", o]).run().ok();
    let start = Instant::now();
    let (report, _) = load(&run.join("index.html"), "");
    let took = start.elapsed();
    assert_eq!(report["items"], 1000, "{report}");
    assert!(report["rendered"].as_u64().unwrap() > 0, "the images in view render: {report}");
    assert!(took < Duration::from_secs(60), "1,000 items took {took:?} to load");
}
