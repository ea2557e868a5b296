//! The commands on a Gradio 3.x app (3.50.2, `tests/spaces/apps/legacy3.py`), unchanged from
//! 4.x+: `hfs api`, `hfs call` (names from labels, files saved), generation with the adapter
//! picking the 3.x text-to-image endpoint, a batch, and the MCP server's `space_call`.

use std::path::Path;

use serde_json::{Value, json};

use crate::batch::json_lines;
use crate::support::Hfs;

fn app() -> String {
    static S: std::sync::OnceLock<hfs_testkit::SpaceServer> = std::sync::OnceLock::new();
    S.get_or_init(|| hfs_testkit::SpaceServer::start("3.50.2", &["legacy3"])).url("legacy3").to_string()
}

/// Width and height from a PNG's IHDR.
fn png_size(p: &Path) -> (u32, u32) {
    let b = std::fs::read(p).unwrap();
    assert!(b.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", p.display());
    (u32::from_be_bytes(b[16..20].try_into().unwrap()), u32::from_be_bytes(b[20..24].try_into().unwrap()))
}

#[test]
fn api_and_call_on_a_3x_app() {
    let url = app();
    let r = Hfs::new().args(["api", &url]).run().ok();
    assert!(r.stdout.contains("Gradio 3.50.2 (ws)"), "{r:?}");
    assert!(r.stdout.contains("greeting  str  default \"Hello\""), "{r:?}");
    assert!(r.stdout.contains("f  filepath  required  File"), "file parameters are known by their serializer: {r:?}");
    let r = Hfs::new().args(["call", &url, "/greet", "name=Ann", "--json"]).run().ok();
    assert_eq!(r.json()["outputs"], json!(["Hello, Ann."]), "{r:?}");
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = Hfs::new().args(["call", &url, "/image_out", "seed=3", "-o", o, "--json"]).run().ok();
    let files = r.json()["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 1, "{r:?}");
    assert_eq!(png_size(Path::new(files[0].as_str().unwrap_or_else(|| files[0]["path"].as_str().unwrap()))), (16, 16));
    let r = Hfs::new().args(["call", &url, "/fail", "x"]).run().fails(1);
    assert!(r.stderr.contains("Boom: x"), "{r:?}");
}

#[test]
fn generation_batch_and_mcp_on_a_3x_app() {
    let url = app();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = Hfs::new().args(["image", "a red fox", "--space", &url, "--seed", "5", "-o", o, "--json"]).run().ok();
    let j = r.json();
    assert_eq!((j["backend"]["endpoint"].as_str(), j["seed"].as_u64()), (Some("/txt2img"), Some(5)), "{j}");
    assert_eq!(j["backend"]["gradio_version"], "3.50.2");
    assert_eq!(png_size(Path::new(j["files"][0]["path"].as_str().unwrap())), (32, 32));

    let batch = tempfile::tempdir().unwrap();
    let b = batch.path().to_str().unwrap();
    let r = Hfs::new().args(["image", "a harbour", "-n", "3", "--seed", "10", "--space", &url, "-o", b, "--json"]).run().ok();
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.last().unwrap()["done"], 3, "{r:?}");
    let seeds: Vec<u64> = lines.iter().filter(|l| l["schema"] == "hfs.generate/1").map(|l| l["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds.len(), 3);

    // The MCP server calls it like any other Space (one client, stdio, the handshake era).
    let work = tempfile::tempdir().unwrap();
    let spec = json!({
        "transport": "stdio", "mode": "legacy", "cwd": work.path(),
        "command": [crate::support::bin(), "mcp", "-o", work.path().join("out")],
        "env": {"HOME": work.path()},
        "steps": [{"op": "call", "tool": "space_call", "args": {"space": url, "endpoint": "/greet", "arguments": {"name": "Mo"}}}],
    });
    let file = work.path().join("spec.json");
    std::fs::write(&file, spec.to_string()).unwrap();
    let o = std::process::Command::new(hfs_testkit::mcp_python())
        .arg(hfs_testkit::repo_root().join("tests/mcp/drive.py"))
        .arg(&file)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let result = &doc["results"][0]["result"];
    assert_eq!(result["structuredContent"]["values"], json!(["Hello, Mo."]), "{doc}");
}
