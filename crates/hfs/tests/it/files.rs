//! Files: `@path` uploads (single, lists, `@@` literals) and every kind of output file saved in
//! `-o DIR` as `{endpoint}-{label or index}[-{item}].{ext}`, never overwriting.
//!
//! Ports gradio_client checks (docs/protocol/gradio.md#upstream-test-scenarios): `test_upload_file` / `handle_file`
//! round trips, `test_file_list` (multiple files), `test_gallery_with_captions`,
//! `test_audio_output`, `test_video_output` (`{video, subtitles}` on 4.x/5.x, FileData on 6.x),
//! `test_download_files` (downloads land in the output dir) and `max_file_size`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::call::nothing_sent;
use crate::support::{Hfs, Run, V, call_result, list_dir, per_version, same_output_lock, sha256_hex};

per_version!(
    upload_one_file,
    upload_file_lists,
    at_at_is_a_literal,
    upload_errors,
    video_and_gallery_uploads,
    image_output,
    gallery_output,
    audio_output,
    video_output,
    file_output,
    streamed_audio_output,
    never_overwrites,
    default_output_dir_and_no_download,
    max_file_size,
);

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

/// `file_in` answers `name:size:sha256` of what it received.
fn summary(path: &Path) -> String {
    let size = std::fs::metadata(path).unwrap().len();
    format!("{}:{size}:{}", path.file_name().unwrap().to_string_lossy(), sha256_hex(path))
}

/// `name=VALUE` where the server knows parameter names, else just `VALUE`.
fn kw(v: &V, name: &str, value: &str) -> String {
    if v.has_param_names() { format!("{name}={value}") } else { value.to_string() }
}

fn call_json(v: &V, out: &Path, args: &[&str]) -> (Run, Value) {
    let r = v.hfs(&["call", "@main"]).args(args).args(["--json", "-o", out.to_str().unwrap()]).run().ok();
    let j = r.json();
    assert_on_disk(&j, out);
    (r, j)
}

/// The `files` of a `--json` result are exactly what is in the output dir (no temp files left),
/// in output order, each a regular file of the reported size.
#[track_caller]
fn assert_on_disk(j: &Value, out: &Path) {
    let files: Vec<PathBuf> = j["files"].as_array().unwrap().iter().map(|f| PathBuf::from(f.as_str().unwrap())).collect();
    for f in &files {
        assert_eq!(f.parent(), Some(out), "{f:?} is not in the output dir");
        assert!(f.is_file(), "{f:?} does not exist");
    }
    let mut names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(list_dir(out), names, "the output dir holds other files than those reported: {j:#}");
}

/// Every `{"path", "mime_type", "size", "orig_name", "url"}` in an output value.
fn saved_files(v: &Value) -> Vec<&Value> {
    match v {
        Value::Object(o) if o.contains_key("path") && o.contains_key("url") && o.contains_key("orig_name") => vec![v],
        Value::Object(o) => o.values().flat_map(saved_files).collect(),
        Value::Array(a) => a.iter().flat_map(saved_files).collect(),
        _ => vec![],
    }
}

#[track_caller]
fn check_saved(f: &Value, expected_path: &Path, mime_prefix: &str) -> Vec<u8> {
    assert_eq!(f["path"], expected_path.to_str().unwrap(), "{f:#}");
    let bytes = std::fs::read(expected_path).unwrap();
    assert_eq!(f["size"].as_u64(), Some(bytes.len() as u64), "{f:#}");
    // Gradio 4.44/5.x declare no MIME type for audio and serve it as application/octet-stream, and
    // hfs-gradio then reports none although it recognised the WAV (known gap): null or right.
    match f["mime_type"].as_str() {
        Some(m) => assert!(m.starts_with(mime_prefix), "mime_type should start with {mime_prefix}: {f:#}"),
        None => assert!(mime_prefix.starts_with("audio/"), "no mime_type: {f:#}"),
    }
    assert!(f["url"].as_str().is_some_and(|u| u.starts_with("http://127.0.0.1:")), "{f:#}");
    bytes
}

fn is_png(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG\r\n\x1a\n")
}

fn png_size(b: &[u8]) -> (u32, u32) {
    (u32::from_be_bytes(b[16..20].try_into().unwrap()), u32::from_be_bytes(b[20..24].try_into().unwrap()))
}

fn upload_one_file(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "payload.bin", &pattern(3000, 7));
    let r = v.hfs(&["call", "@main", "/file_in"]).args([kw(&v, "f", &format!("@{}", p.display()))]).run().ok();
    assert_eq!(r.text_output("file_in output"), summary(&p), "the server got other bytes");
    // A relative path, from the working directory.
    let r = v.hfs(&["call", "@main", "/file_in", "@payload.bin"]).current_dir(dir.path()).run().ok();
    assert_eq!(r.text_output("file_in output"), summary(&p));
    // A file parameter takes an existing path without `@` too.
    let r = v.hfs(&["call", "@main", "/file_in", "payload.bin"]).current_dir(dir.path()).run().ok();
    assert_eq!(r.text_output("file_in output"), summary(&p));
    // An image upload read back by PIL on the server.
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/generate_image", "cat", "1", "40", "24", "1"]);
    let img = j["files"][0].as_str().unwrap().to_string();
    let r = v.hfs(&["call", "@main", "/image_in", &format!("@{img}")]).run().ok();
    assert_eq!(r.text_output("image_in output"), "40x24");
}

fn upload_file_lists(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"first file\n");
    let b = write(dir.path(), "b.bin", &pattern(5000, 3));
    let url = v.url("main");
    let list = format!("@{},@{}", a.display(), b.display());
    let r = v.hfs(&["call", "@main", "/files_in", "--json"]).args([kw(&v, "fs", &list)]).run().ok();
    assert_eq!(call_result(&r.json(), &url, "/files_in")[0], json!([summary(&a), summary(&b)]), "{r:?}");
    // One file for a list parameter is a list of one.
    let r = v.hfs(&["call", "@main", "/files_in", "--json"]).args([kw(&v, "fs", &format!("@{}", b.display()))]).run().ok();
    assert_eq!(r.json()["outputs"][0], json!([summary(&b)]), "{r:?}");
}

fn at_at_is_a_literal(v: V) {
    let r = v.hfs(&["call", "@main", "/greet"]).args([kw(&v, "name", "@@lit")]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, @lit.");
    let r = v.hfs(&["call", "@main", "/greet", "@@@x"]).run().ok();
    assert_eq!(r.text_output("greet output"), "Hello, @@x.");
}

fn upload_errors(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let r = v.hfs(&["call", "@main", "/file_in", "@no-such-file.png", "-v"]).current_dir(dir.path()).run().fails(2);
    let r = r.says(&["no-such-file.png", "@@"]);
    nothing_sent(&r);
    let r = v.hfs(&["call", "@main", "/file_in", "no-such-file.png", "-v"]).current_dir(dir.path()).run().fails(2).says(&["@path"]);
    nothing_sent(&r);
    let r = v.hfs(&["call", "@main", "/file_in", "@.", "-v"]).current_dir(dir.path()).run().fails(2).says(&["not a regular file"]);
    nothing_sent(&r);
}

/// A video and a list of images as inputs (`gr.Video`, `gr.Gallery`): the shapes each version
/// expects (`{video, subtitles}` on 4.x/5.x, `{image, caption}` gallery items) are built by hfs.
fn video_and_gallery_uploads(v: V) {
    let _serial = same_output_lock();
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/video"]);
    let video = PathBuf::from(j["files"][0].as_str().unwrap());
    let size = std::fs::metadata(&video).unwrap().len();
    let r = v.hfs(&["call", "@main", "/video_in"]).args([kw(&v, "v", &format!("@{}", video.display()))]).run().ok();
    assert_eq!(r.text_output("video_in output"), format!("video-video.mp4:{size}"));

    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/gallery", "2"]);
    let files: Vec<&str> = j["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let list = format!("@{},@{}", files[0], files[1]);
    let r = v.hfs(&["call", "@main", "/gallery_in", "--json"]).args([kw(&v, "g", &list)]).run().ok();
    assert_eq!(r.json()["outputs"][0], json!(["gallery-gallery-1.png", "gallery-gallery-2.png"]), "{r:?}");
}

fn image_output(v: V) {
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/generate_image", "red", "3", "48", "20", "2"]);
    let outputs = call_result(&j, &v.url("main"), "/generate_image");
    let bytes = check_saved(&outputs[0], &out.path().join("generate_image-image.png"), "image/");
    assert!(is_png(&bytes), "not a PNG");
    assert_eq!(png_size(&bytes), (48, 20));
    assert_eq!(outputs[1].as_f64(), Some(3.0));
    assert_eq!(j["files"], json!([out.path().join("generate_image-image.png")]));
    // Text mode prints the local path.
    let r = v.hfs(&["call", "@main", "/generate_image", "red", "-o", out.path().to_str().unwrap(), "-q"]).run().ok();
    assert_eq!(r.text_output("image"), out.path().join("generate_image-image-2.png").to_str().unwrap());
}

fn gallery_output(v: V) {
    let _serial = same_output_lock();
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/gallery", "3"]);
    let items = call_result(&j, &v.url("main"), "/gallery")[0].as_array().expect("gallery list").clone();
    assert_eq!(items.len(), 3);
    let captions: Vec<&Value> = items.iter().map(|i| &i["caption"]).collect();
    assert_eq!(captions, [&json!("caption 0"), &json!("caption 1"), &Value::Null]);
    for (k, item) in items.iter().enumerate() {
        let expected = out.path().join(format!("gallery-gallery-{}.png", k + 1));
        let bytes = check_saved(&item["image"], &expected, "image/");
        assert!(is_png(&bytes), "item {k} is not a PNG");
        assert_eq!(png_size(&bytes), (8, 8));
    }
    // Distinct images (colour from the index), saved in order.
    let contents: Vec<Vec<u8>> = (1..=3).map(|k| std::fs::read(out.path().join(format!("gallery-gallery-{k}.png"))).unwrap()).collect();
    assert!(contents[0] != contents[1] && contents[1] != contents[2]);
    // Text mode: every path, with its caption.
    let out2 = tempfile::tempdir().unwrap();
    let r = v.hfs(&["call", "@main", "/gallery", "2", "-o", out2.path().to_str().unwrap()]).run().ok();
    let p1 = out2.path().join("gallery-gallery-1.png");
    let p2 = out2.path().join("gallery-gallery-2.png");
    assert_eq!(r.stdout, format!("gallery: \n  {}  (caption 0)\n  {}\n", p1.display(), p2.display()), "{r:?}");
}

fn audio_output(v: V) {
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/audio", "0.25"]);
    let outputs = call_result(&j, &v.url("main"), "/audio");
    let files = saved_files(&outputs[0]);
    assert_eq!(files.len(), 1, "{j:#}");
    let bytes = check_saved(files[0], &out.path().join("audio-audio.wav"), "audio/");
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE", "not a WAV file");
    // 16 kHz, 16-bit mono for 0.25 s: 8000 bytes of samples plus the header.
    assert!((8000..8200).contains(&bytes.len()), "{} bytes", bytes.len());
}

fn video_output(v: V) {
    let _serial = same_output_lock();
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/video"]);
    let value = &call_result(&j, &v.url("main"), "/video")[0];
    // 6.x returns the FileData itself; 4.x/5.x `{video, subtitles}`.
    let file = if v.major >= 6 {
        value
    } else {
        assert_eq!(value["subtitles"], Value::Null, "{value:#}");
        &value["video"]
    };
    let bytes = check_saved(file, &out.path().join("video-video.mp4"), "video/");
    assert_eq!(&bytes[4..8], b"ftyp", "not an MP4 file");
    let r = v.hfs(&["call", "@main", "/video", "-o", out.path().to_str().unwrap()]).run().ok();
    assert_eq!(r.text_output("video"), out.path().join("video-video-2.mp4").to_str().unwrap());
}

fn file_output(v: V) {
    let out = tempfile::tempdir().unwrap();
    let (_, j) = call_json(&v, out.path(), &["/file_out", "hello file"]);
    let f = &call_result(&j, &v.url("main"), "/file_out")[0];
    let bytes = check_saved(f, &out.path().join("file_out-file_out-output.txt"), "text/plain");
    assert_eq!(bytes, b"hello file");
    assert_eq!(f["orig_name"], "out_hello fi.txt", "the server's name is reported, not used");
}

/// `Audio(streaming=True)`: the intermediate outputs are `is_stream` files; the final one is
/// downloaded as one WAV file.
fn streamed_audio_output(v: V) {
    let out = tempfile::tempdir().unwrap();
    let r = v.hfs(&["call", "@main", "/stream_audio", "2", "--stream", "-o", out.path().to_str().unwrap()]).run().ok();
    let lines = r.json_lines();
    assert!(lines.iter().any(|l| l["event"] == "output"), "no intermediate outputs: {r:?}");
    let last = lines.last().unwrap();
    let expected = out.path().join("stream_audio-stream_audio-output.wav");
    assert_eq!(last["files"], json!([expected]), "{r:?}");
    assert_on_disk(last, out.path());
    let bytes = check_saved(&last["outputs"][0], &expected, "audio/");
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE", "not a WAV file");
    assert!(bytes.len() > 8000, "two quarter-second chunks of 16 kHz audio: {} bytes", bytes.len());
}

/// A second identical call gets `-2` names; an existing file is never overwritten.
fn never_overwrites(v: V) {
    let _serial = same_output_lock();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let run = |args: &[&str]| v.hfs(&["call", "@main", "--json", "-o", dir]).args(args).run().ok().json();
    let first = run(&["/gallery", "2"]);
    let second = run(&["/gallery", "2"]);
    assert_eq!(first["files"], json!([out.path().join("gallery-gallery-1.png"), out.path().join("gallery-gallery-2.png")]));
    assert_eq!(second["files"], json!([out.path().join("gallery-gallery-1-2.png"), out.path().join("gallery-gallery-2-2.png")]));
    // Someone else's file where the next name would be: left alone, the next free name is used.
    std::fs::write(out.path().join("file_out-file_out-output.txt"), b"mine").unwrap();
    std::fs::write(out.path().join("file_out-file_out-output-2.txt"), b"mine too").unwrap();
    let third = run(&["/file_out", "new"]);
    assert_eq!(third["files"], json!([out.path().join("file_out-file_out-output-3.txt")]));
    assert_eq!(std::fs::read(out.path().join("file_out-file_out-output.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read(out.path().join("file_out-file_out-output-2.txt")).unwrap(), b"mine too");
    assert_eq!(std::fs::read(out.path().join("file_out-file_out-output-3.txt")).unwrap(), b"new");
    assert_eq!(list_dir(out.path()).len(), 7, "temp files left behind: {:?}", list_dir(out.path()));
    // A directory that does not exist yet is created.
    let nested = out.path().join("a/b");
    let j = v.hfs(&["call", "@main", "/file_out", "x", "--json", "-o", nested.to_str().unwrap()]).run().ok().json();
    assert_on_disk(&j, &nested);
}

fn default_output_dir_and_no_download(v: V) {
    let _serial = same_output_lock();
    let cwd = tempfile::tempdir().unwrap();
    let r = v.hfs(&["call", "@main", "/file_out", "here", "--json"]).current_dir(cwd.path()).run().ok();
    assert_eq!(r.json()["files"], json!(["file_out-file_out-output.txt"]), "{r:?}");
    assert_eq!(std::fs::read(cwd.path().join("file_out-file_out-output.txt")).unwrap(), b"here");

    let empty = tempfile::tempdir().unwrap();
    let r = Hfs::new().args(["call", &v.url("main"), "/gallery", "2", "--json", "--no-download"]).current_dir(empty.path()).run().ok();
    let j = r.json();
    assert_eq!(j["files"], json!([]));
    let files = saved_files(&j["outputs"][0]);
    assert_eq!(files.len(), 2, "{j:#}");
    for f in files {
        assert_eq!(f["path"], Value::Null);
        assert!(f["url"].as_str().unwrap().starts_with(&v.url("main")), "{f:#}");
    }
    assert!(list_dir(empty.path()).is_empty(), "--no-download wrote files");
}

/// `launch(max_file_size="1kb")` (4.28+): a larger upload is refused before it is sent.
fn max_file_size(v: V) {
    let dir = tempfile::tempdir().unwrap();
    let small = write(dir.path(), "small.bin", &pattern(500, 1));
    let big = write(dir.path(), "big.bin", &pattern(2048, 2));
    let r = v.hfs(&["call", "@limits", "/size", &format!("@{}", small.display())]).run().ok();
    assert_eq!(r.text_output("size output"), "500");
    let r = v.hfs(&["call", "@limits", "/size", &format!("@{}", big.display())]).run();
    if v.at_least(4, 28) {
        r.fails(2).says(&["2048 bytes", "1024 bytes", "smaller file"]);
    } else {
        assert_eq!(r.ok().text_output("size output"), "2048", "no limit before 4.28");
    }
}
