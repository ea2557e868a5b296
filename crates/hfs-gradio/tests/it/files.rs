//! Files: uploads (local, several, image, URL), downloads of every media output, size limits.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hfs_gradio::{ClientOptions, Error, ErrorClass, FileData, Token, local_file, url_file};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

per_version!(
    upload_local_file,
    upload_several_files,
    upload_image,
    upload_video,
    upload_gallery,
    url_input_is_fetched_and_uploaded,
    download_image,
    download_gallery_keeps_every_item_and_caption,
    download_audio,
    download_video,
    download_streamed_audio_whole,
    download_file_is_atomic_and_unique,
    failed_download_leaves_no_file,
    max_file_size_is_checked_before_upload,
    save_outputs_names_every_file_and_replaces_it,
);

const SAMPLE: &[u8] = b"hello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\nhello from hfs\n";
const SAMPLE_SHA: &str = "cf75727ae16051730b44a85e0ea243fdccc845a17c185a2abaabc351dfc0f632";

/// A 3×2 RGB PNG.
const PNG_3X2: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0, 18, 22, 241, 77, 0, 0, 0, 21, 73,
    68, 65, 84, 120, 156, 99, 228, 58, 33, 199, 192, 192, 192, 192, 192, 192, 196, 0, 3, 0, 17, 8, 0, 244, 141, 71, 152, 184, 0, 0, 0, 0,
    73, 69, 78, 68, 174, 66, 96, 130,
];

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => vec![],
    };
    names.sort();
    names
}

/// The single file in an output value.
fn only_file(c: &hfs_gradio::Client, v: &Value) -> (String, FileData) {
    let mut files = c.files_in(v);
    assert_eq!(files.len(), 1, "one file in {v}");
    files.pop().unwrap()
}

/// `(width, height)` from a PNG's IHDR.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {:?}", &bytes[..bytes.len().min(8)]);
    let be = |o: usize| u32::from_be_bytes(bytes[o..o + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Ports test_client.py "upload keeps orig_name" and docs/protocol/gradio.md#files: the app receives the exact
/// bytes under the original name.
async fn upload_local_file(v: V) {
    let c = v.connect("main").await;
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "sample.txt", SAMPLE);
    let out = values(&c, "/file_in", args().arg(local_file(&p))).await;
    assert_eq!(out, vec![json!(format!("sample.txt:150:{SAMPLE_SHA}"))]);
    // The same file again (content-addressed on the server) and a missing one.
    assert_eq!(values(&c, "/file_in", args().arg(local_file(&p))).await, out);
    let e = c.predict(&ep("/file_in"), &args().arg(local_file(dir.path().join("missing.txt")))).await.unwrap_err();
    assert!(matches!(e, Error::InputFile { .. }), "{e:?}");
    assert_eq!(e.class(), ErrorClass::LocalIo);
}

/// docs/protocol/gradio.md#files `file_count="multiple"`: a list of files, each uploaded, order kept.
async fn upload_several_files(v: V) {
    let c = v.connect("main").await;
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"alpha\n");
    let b = write(dir.path(), "b b.txt", b"beta beta\n");
    let out = values(&c, "/files_in", args().arg(json!([local_file(&a), local_file(&b)]))).await;
    assert_eq!(
        out,
        vec![json!([
            "a.txt:6:b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060",
            "b b.txt:10:77e4ae400f6bd4ea22d74a712cb25af0e1ef2d15fc06561817af047677afa7fc",
        ])]
    );
}

/// Ports test_client.py "upload keeps orig_name (cheetah1.jpg)" for an Image input.
async fn upload_image(v: V) {
    let c = v.connect("main").await;
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "tiny.png", PNG_3X2);
    assert_eq!(values(&c, "/image_in", args().arg(local_file(&p))).await, vec![json!("3x2")]);
}

/// A 1 s 32×32 test-pattern mp4 made with ffmpeg.
fn make_mp4(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    let status = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=32x32:rate=5", "-pix_fmt", "yuv420p"])
        .arg(&p)
        .stdin(std::process::Stdio::null())
        .status()
        .expect("ffmpeg must be installed to make the test video");
    assert!(status.success(), "ffmpeg failed: {status}");
    p
}

/// docs/protocol/gradio.md#files Video input: 4.x/5.x take `{video, subtitles}`, 6.x the FileData itself; the library
/// wraps a plain file accordingly (`adapt_shape`) and the app gets the exact file.
async fn upload_video(v: V) {
    let c = v.connect("main").await;
    let dir = tempfile::tempdir().unwrap();
    let p = make_mp4(dir.path(), "clip.mp4");
    let size = std::fs::metadata(&p).unwrap().len();
    assert_eq!(c.endpoint(&ep("/video_in")).unwrap().parameters.as_ref().unwrap()[0].component.as_deref(), Some("Video"));
    let out = values(&c, "/video_in", args().arg(local_file(&p))).await;
    assert_eq!(out, vec![json!(format!("clip.mp4:{size}"))]);
}

/// docs/protocol/gradio.md#files Gallery input: a list of files becomes `[{image, caption: null}, …]`; order and names kept.
async fn upload_gallery(v: V) {
    let c = v.connect("main").await;
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "first.png", PNG_3X2);
    let b = write(dir.path(), "second.png", PNG_3X2);
    let out = values(&c, "/gallery_in", args().arg(json!([local_file(&a), local_file(&b)]))).await;
    assert_eq!(out, vec![json!(["first.png", "second.png"])]);
}

/// docs/protocol/gradio.md#files streaming audio output (`gr.Audio(streaming=True)`, 3 chunks of 0.25 s of 16 kHz 16-bit
/// wav): the FileData says `is_stream`; the download is the whole audio (all chunks), never the
/// HLS playlist: 5.x/6.x `…/playlist.m3u8` is fetched as `…/playlist-file`, 4.x (no playlist)
/// from `url`, or `API/stream/<path>` where 4.0–4.20 give no url. Downloaded before the client
/// (and so its heartbeat) goes away, since that frees the stream.
async fn download_streamed_audio_whole(v: V) {
    let c = v.connect("main").await;
    let t = call(&c, "/stream_audio", args().arg(3)).await;
    assert!(!t.outputs.is_empty(), "no intermediate output");
    let (_, f) = only_file(&c, &t.values()[0]);
    assert!(f.is_stream, "{f:?}");
    let url = c.file_url(&f);
    if v.major >= 5 {
        assert!(f.path.ends_with("/playlist.m3u8"), "{f:?}");
        assert!(url.path().ends_with("/playlist-file"), "{url}");
    } else {
        assert!(url.path().starts_with("/stream/"), "{url}");
    }
    let dir = tempfile::tempdir().unwrap();
    let saved = c.download(&f, dir.path(), "stream").await.unwrap();
    let bytes = std::fs::read(&saved.path).unwrap();
    assert!(!bytes.starts_with(b"#EXTM3U"), "got the playlist, not the audio");
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE", "not a wav file: {:?}", &bytes[..bytes.len().min(16)]);
    assert_eq!(saved.path.extension().unwrap(), "wav");
    // Duration from the byte rate (4.x streams leave the size fields at 0xffffffff): all three
    // chunks, not just the first.
    let byte_rate = u32::from_le_bytes(bytes[28..32].try_into().unwrap()) as f64;
    let seconds = (bytes.len() - 44) as f64 / byte_rate;
    assert!((0.7..1.2).contains(&seconds), "{seconds:.3} s of audio ({} bytes, {byte_rate} B/s)", bytes.len());
}

/// A one-route HTTP server that records the request heads it gets.
async fn serve_file(body: &'static [u8]) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let found = head.starts_with("get /files/remote-data.txt?x=1 ");
                log.lock().unwrap().push(head);
                let reply = if found {
                    format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                } else {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                };
                let _ = sock.write_all(reply.as_bytes()).await;
                if found {
                    let _ = sock.write_all(body).await;
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// Ports test_client.py "URL input keeps bus.png" (docs/protocol/gradio.md#files): hfs fetches the URL itself (the app
/// may not reach it) and uploads it under its name. The HF token (not explicit) must not go to
/// that foreign host; a missing URL fails as a download error.
async fn url_input_is_fetched_and_uploaded(v: V) {
    const BODY: &[u8] = b"served over http\nserved over http\nserved over http\n";
    let (base, seen) = serve_file(BODY).await;
    let opts = ClientOptions { token: Token::new("hf_secret_token"), ..Default::default() };
    let c = v.connect_with("main", opts).await;
    let out = values(&c, "/file_in", args().arg(url_file(&format!("{base}/files/remote-data.txt?x=1")))).await;
    // The name is the URL's last path segment.
    assert_eq!(out, vec![json!("remote-data.txt:51:eef2f8f2bcf8cbeff3b6a78043d4ce09c9a8468f4c8d596d8856c6f22289adf4")]);
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(!heads[0].contains("authorization"), "the token leaked to a foreign host: {}", heads[0]);
    assert!(!heads[0].contains("hf_secret_token"));

    let e = c.predict(&ep("/file_in"), &args().arg(url_file(&format!("{base}/missing.txt")))).await.unwrap_err();
    assert!(matches!(&e, Error::Download { message, .. } if message.contains("404")), "{e:?}");
}

/// Image output (FileData; `format="png"` where the version has it): PNG bytes of the asked size.
async fn download_image(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/generate_image", args().arg(format!("dog {}", v.version)).arg(3).arg(40).arg(24).arg(1)).await;
    let (ptr, f) = only_file(&c, &out[0]);
    assert_eq!(ptr, "");
    let dir = tempfile::tempdir().unwrap();
    let saved = c.download(&f, dir.path(), "image").await.unwrap();
    assert_eq!(saved.path, dir.path().join("image.png"));
    let bytes = std::fs::read(&saved.path).unwrap();
    assert_eq!(saved.size, bytes.len() as u64);
    assert_eq!(png_size(&bytes), (40, 24));
}

/// docs/protocol/gradio.md#files Gallery `[{image: FileData, caption}]`: every item is found and downloadable, captions
/// stay in the value (the last one is null).
async fn download_gallery_keeps_every_item_and_caption(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/gallery", args().arg(3)).await;
    let items = out[0].as_array().unwrap_or_else(|| panic!("a list: {}", out[0]));
    assert_eq!(items.len(), 3);
    let captions: Vec<Value> = items.iter().map(|i| i["caption"].clone()).collect();
    assert_eq!(captions, vec![json!("caption 0"), json!("caption 1"), Value::Null]);
    let files = c.files_in(&out[0]);
    let ptrs: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(ptrs, ["/0/image", "/1/image", "/2/image"]);
    let dir = tempfile::tempdir().unwrap();
    let mut sizes = vec![];
    for (i, (_, f)) in files.iter().enumerate() {
        let saved = c.download(f, dir.path(), &format!("item{i}")).await.unwrap();
        sizes.push(png_size(&std::fs::read(&saved.path).unwrap()));
    }
    assert_eq!(sizes, vec![(8, 8); 3]);
    assert_eq!(listing(dir.path()), ["item0.png", "item1.png", "item2.png"]);
}

/// Audio output: a WAV file (RIFF/WAVE) with 0.5 s of 16 kHz 16-bit mono.
async fn download_audio(v: V) {
    let c = v.connect("main").await;
    let seconds = 0.5 + 0.01 * v.salt() as f64;
    let out = values(&c, "/audio", args().arg(seconds)).await;
    let (_, f) = only_file(&c, &out[0]);
    let dir = tempfile::tempdir().unwrap();
    let saved = c.download(&f, dir.path(), "tone").await.unwrap();
    assert_eq!(saved.path.extension().unwrap(), "wav");
    let bytes = std::fs::read(&saved.path).unwrap();
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE", "{:?}", &bytes[..12]);
    assert!(bytes.len() >= 16_000, "{} bytes", bytes.len());
}

/// Ports test_client.py "video job result is a downloaded path" and docs/protocol/gradio.md#files: 4.x/5.x wrap the video
/// as `{video, subtitles}`, 6.x sends the FileData itself; either way one mp4 is downloaded.
async fn download_video(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/video", args()).await;
    let (ptr, f) = only_file(&c, &out[0]);
    if v.major >= 6 {
        assert_eq!(ptr, "", "6.x: plain FileData: {}", out[0]);
    } else {
        assert_eq!(ptr, "/video", "4.x/5.x: {{video, subtitles}}: {}", out[0]);
        assert_eq!(out[0]["subtitles"], Value::Null);
    }
    let dir = tempfile::tempdir().unwrap();
    let saved = c.download(&f, dir.path(), "clip").await.unwrap();
    assert_eq!(saved.path.extension().unwrap(), "mp4");
    let bytes = std::fs::read(&saved.path).unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "mp4 magic");
}

/// docs/protocol/gradio.md#files and the hfs contract: downloads never overwrite (`-2` suffix), keep the exact bytes and
/// leave no temporary file behind.
async fn download_file_is_atomic_and_unique(v: V) {
    let c = v.connect("main").await;
    let text = format!("hello world {}", v.version);
    let out = values(&c, "/file_out", args().arg(text.as_str())).await;
    let (_, f) = only_file(&c, &out[0]);
    assert_eq!(f.orig_name.as_deref(), Some("out_hello wo.txt"));
    let dir = tempfile::tempdir().unwrap();
    let first = c.download(&f, dir.path(), "result").await.unwrap();
    let second = c.download(&f, dir.path(), "result").await.unwrap();
    assert_eq!(first.path, dir.path().join("result.txt"));
    assert_eq!(second.path, dir.path().join("result-2.txt"));
    for s in [&first, &second] {
        assert_eq!(std::fs::read_to_string(&s.path).unwrap(), text);
        assert_eq!(s.size, text.len() as u64);
    }
    assert_eq!(listing(dir.path()), ["result-2.txt", "result.txt"], "no temporary file left");
}

/// Ports test_client.py "download errors (404) raise and leave no file": a file the app never
/// made (4.x: 404; 5+: 403 "File not allowed") and a remote file path that is missing (404).
async fn failed_download_leaves_no_file(v: V) {
    let c = v.connect("main").await;
    let out = values(&c, "/file_out", args().arg(format!("gone {}", v.version))).await;
    let (_, mut f) = only_file(&c, &out[0]);
    f.path = format!("{}.missing", f.path);
    let dir = tempfile::tempdir().unwrap();
    let e = c.download(&f, dir.path(), "gone").await.unwrap_err();
    let Error::Download { message, .. } = &e else { panic!("{e:?}") };
    let status = if v.major >= 5 { "HTTP 403" } else { "HTTP 404" };
    assert!(message.starts_with(status), "{message}");
    assert_eq!(listing(dir.path()), Vec::<String>::new(), "nothing may be left behind");

    let (base, _) = serve_file(b"unused").await;
    f.path = format!("{base}/nothing/here.txt");
    let e = c.download(&f, dir.path(), "gone").await.unwrap_err();
    assert!(matches!(&e, Error::Download { message, .. } if message.starts_with("HTTP 404")), "{e:?}");
    assert_eq!(listing(dir.path()), Vec::<String>::new(), "nothing may be left behind");
}

/// Ports test_client.py "file larger than max_file_size ⇒ error; small file succeeds" (4.28+;
/// before that `launch(max_file_size=)` does not exist and any size goes).
async fn max_file_size_is_checked_before_upload(v: V) {
    let c = v.connect("limits").await;
    let dir = tempfile::tempdir().unwrap();
    let small = write(dir.path(), "small.bin", &[7u8; 500]);
    let big = write(dir.path(), "big.bin", &[7u8; 2000]);
    assert_eq!(values(&c, "/size", args().arg(local_file(&small))).await, vec![json!("500")]);
    if v.at_least(4, 28) {
        assert_eq!(c.config().max_file_size, Some(1024));
        let e = c.predict(&ep("/size"), &args().arg(local_file(&big))).await.unwrap_err();
        assert!(matches!(e, Error::FileTooLarge { size: 2000, max: 1024, .. }), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Usage);
        let e = c.upload(&big).await.unwrap_err();
        assert!(matches!(e, Error::FileTooLarge { .. }), "{e:?}");
    } else {
        assert_eq!(c.config().max_file_size, None);
        assert_eq!(values(&c, "/size", args().arg(local_file(&big))).await, vec![json!("2000")]);
    }
}

/// `save_outputs` (what `hfs call`, batch and MCP use after a call): every file of every output
/// saved under `{endpoint}-{label}-{n}`, each FileData replaced by what was saved; without
/// downloads nothing is written and the values keep the URLs.
async fn save_outputs_names_every_file_and_replaces_it(v: V) {
    let c = v.connect("main").await;
    let endpoint = c.endpoint(&ep("/gallery")).unwrap().clone();
    let out = values(&c, "/gallery", args().arg(3)).await;
    let dir = tempfile::tempdir().unwrap();
    let saved = c.save_outputs(&endpoint, &out, dir.path(), true).await.unwrap();
    assert_eq!(saved.files.len(), 3, "{saved:?}");
    let names: Vec<String> = saved.files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| n.starts_with("gallery-") && n.ends_with(".png")), "{names:?}");
    assert!(names.iter().enumerate().all(|(i, n)| n.contains(&format!("-{}.", i + 1))), "numbered items: {names:?}");
    assert_eq!(listing(dir.path()), {
        let mut n = names.clone();
        n.sort();
        n
    });
    let items = saved.outputs[0].as_array().unwrap();
    for (i, item) in items.iter().enumerate() {
        let sv = hfs_gradio::SavedValue::from_value(&item["image"]).unwrap_or_else(|| panic!("not replaced: {item}"));
        assert_eq!(sv.path.as_deref(), Some(saved.files[i].as_path()));
        assert_eq!(sv.size, Some(std::fs::metadata(&saved.files[i]).unwrap().len()));
        assert!(sv.url.starts_with("http://127.0.0.1:"), "{sv:?}");
    }
    assert_eq!(items[0]["caption"], "caption 0", "other fields stay");
    // Saving again never overwrites.
    let again = c.save_outputs(&endpoint, &out, dir.path(), true).await.unwrap();
    assert!(again.files.iter().all(|f| !saved.files.contains(f)), "{again:?}");
    // No downloads: nothing written, URLs kept.
    let empty = tempfile::tempdir().unwrap();
    let plain = c.save_outputs(&endpoint, &out, empty.path(), false).await.unwrap();
    assert!(plain.files.is_empty());
    assert!(listing(empty.path()).is_empty());
    let sv = hfs_gradio::SavedValue::from_value(&plain.outputs[0][0]["image"]).unwrap();
    assert_eq!(sv.path, None);
    assert!(!sv.url.is_empty());
}
