//! `DIR/index.html` for any run directory: one self-contained page (inline CSS and JS, no
//! network, relative links, so the folder can be moved or zipped) with a card per item of the
//! manifest — thumbnails, video and audio players, the prompt, seed, backend, options and
//! timings, failures with their reasons — and a filter by text and status.
//!
//! Fast with thousands of items: images are lazy-loaded with explicit sizes (the layout never
//! jumps), media is `preload="none"`. Everything from the manifest (prompts, server messages,
//! file names) is HTML-escaped: a prompt like `<script>` is text on the page, never markup.
//!
//! ```no_run
//! let page = hfs_gallery::write(std::path::Path::new("out"))?;
//! println!("{}", page.display());
//! # Ok::<(), hfs_gallery::GalleryError>(())
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The page's file name in the run directory.
pub const INDEX: &str = "index.html";
/// Marks a page hfs wrote (only such a page is replaced).
const GENERATOR: &str = r#"<meta name="generator" content="hfs gallery">"#;

#[derive(Debug, thiserror::Error)]
pub enum GalleryError {
    #[error(transparent)]
    Manifest(Box<hfs_batch::BatchError>),
    #[error("`{}` has no hfs-manifest.jsonl: nothing was generated there", .0.display())]
    NoManifest(PathBuf),
    #[error("`{}` exists and was not written by hfs; move it away to write the gallery", .0.display())]
    NotOurs(PathBuf),
    #[error("cannot write `{}`: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<hfs_batch::BatchError> for GalleryError {
    fn from(e: hfs_batch::BatchError) -> Self {
        GalleryError::Manifest(Box::new(e))
    }
}

/// How an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Done,
    Failed,
    Pending,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Pending => "pending",
        }
    }
}

/// One card.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The batch item's key (`None` for a single generation).
    pub key: Option<String>,
    pub task: String,
    pub title: String,
    pub status: Status,
    /// File names in the directory, with their MIME types.
    pub files: Vec<(String, Option<String>)>,
    pub seed: Option<u64>,
    pub backend: String,
    pub arguments: Value,
    pub duration_ms: Option<u64>,
    /// The last failure's reason.
    pub error: Option<String>,
    pub attempts: u32,
    /// A pipeline item's instance: its cards are shown together (an image next to the video
    /// made from it).
    pub group: Option<String>,
}

/// The entries of a run directory's manifest, in the order items were first recorded.
pub fn entries(dir: &Path) -> Result<Vec<Entry>, GalleryError> {
    if !dir.join(hfs_generate::provenance::MANIFEST).is_file() {
        return Err(GalleryError::NoManifest(dir.to_path_buf()));
    }
    let mut out: Vec<Entry> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (_, r) in hfs_batch::manifest::records(dir)? {
        let key = r.get("item").and_then(Value::as_str).map(str::to_string);
        let at = key.as_ref().and_then(|k| by_key.get(k).copied());
        match r.get("record").and_then(Value::as_str) {
            Some("planned") if at.is_none() => {
                let req = r.get("request").cloned().unwrap_or(Value::Null);
                let title = ["prompt", "audio", "image"].iter().find_map(|k| req.get(*k).and_then(Value::as_str)).unwrap_or_default();
                let backend = r.pointer("/backends/0").map(backend_label).unwrap_or_default();
                let arguments = Value::Object(
                    req.as_object()
                        .map(|o| o.iter().filter(|(_, v)| !is_empty(v)).map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                );
                let task = match r.get("step").and_then(Value::as_str) {
                    Some(step) => format!("{step} · {}", str_of(&r, "task")),
                    None => str_of(&r, "task"),
                };
                let entry = Entry {
                    key: key.clone(),
                    task,
                    group: r.get("group").and_then(Value::as_str).map(str::to_string),
                    title: title.to_string(),
                    status: Status::Pending,
                    files: vec![],
                    seed: req.get("seed").and_then(Value::as_u64),
                    backend,
                    arguments,
                    duration_ms: None,
                    error: None,
                    attempts: 0,
                };
                if let Some(k) = key {
                    by_key.insert(k, out.len());
                }
                out.push(entry);
            }
            Some("done") => {
                let files = r
                    .get("files")
                    .and_then(Value::as_array)
                    .map(|fs| {
                        fs.iter()
                            .filter_map(|f| {
                                let name = Path::new(f.get("path")?.as_str()?).file_name()?.to_string_lossy().into_owned();
                                // Only files that are in this directory: the page links relatively.
                                dir.join(&name).is_file().then(|| (name, f.get("mime_type").and_then(Value::as_str).map(str::to_string)))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let done = Entry {
                    key: key.clone(),
                    task: str_of(&r, "task"),
                    title: str_of(&r, "prompt"),
                    status: Status::Done,
                    files,
                    seed: r.get("seed").and_then(Value::as_u64),
                    backend: r.get("backend").map(backend_label).unwrap_or_default(),
                    arguments: r.get("arguments").cloned().unwrap_or(Value::Null),
                    duration_ms: r.get("duration_ms").and_then(Value::as_u64),
                    error: None,
                    attempts: r.get("attempt").and_then(Value::as_u64).unwrap_or(1) as u32,
                    group: None,
                };
                match at {
                    Some(i) => {
                        let title = std::mem::take(&mut out[i].title);
                        let (task, group) = (std::mem::take(&mut out[i].task), out[i].group.take());
                        out[i] = Entry { title: if done.title.is_empty() { title } else { done.title.clone() }, task, group, ..done };
                    }
                    None => {
                        if let Some(k) = key {
                            by_key.insert(k, out.len());
                        }
                        out.push(done);
                    }
                }
            }
            Some("failed") => {
                if let Some(i) = at
                    && out[i].status != Status::Done
                {
                    out[i].error = Some(str_of(&r, "message"));
                    out[i].attempts = r.get("attempt").and_then(Value::as_u64).unwrap_or(0) as u32;
                    out[i].status = if r.get("final") == Some(&Value::Bool(true)) { Status::Failed } else { Status::Pending };
                }
            }
            _ => {}
        }
    }
    // A pipeline instance's items together, at the place of its first one.
    let mut first: HashMap<String, usize> = HashMap::new();
    let rank: Vec<usize> =
        out.iter().enumerate().map(|(i, e)| e.group.as_ref().map(|g| *first.entry(g.clone()).or_insert(i)).unwrap_or(i)).collect();
    let mut ranked: Vec<(usize, Entry)> = rank.into_iter().zip(out).collect();
    ranked.sort_by_key(|(r, _)| *r);
    Ok(ranked.into_iter().map(|(_, e)| e).collect())
}

/// Writes `DIR/index.html` (replacing only a page hfs wrote) and returns its path.
pub fn write(dir: &Path) -> Result<PathBuf, GalleryError> {
    let entries = entries(dir)?;
    let page = render(&entries, &dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into()));
    let path = dir.join(INDEX);
    if let Ok(existing) = std::fs::read_to_string(&path)
        && !existing.contains(GENERATOR)
    {
        return Err(GalleryError::NotOurs(path));
    }
    let io = |source| GalleryError::Io { path: path.clone(), source };
    // Whole or not at all: a temp file in the directory (named like the ones a batch cleans up
    // after a crash), renamed over the old page.
    let mut tmp = tempfile::Builder::new().prefix(".hfs-gallery-").suffix(".part").tempfile_in(dir).map_err(io)?;
    tmp.write_all(page.as_bytes()).and_then(|_| tmp.as_file().sync_all()).map_err(io)?;
    // Temp files are private (0600); the page is an ordinary file, readable like its images.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).map_err(io)?;
    }
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(path)
}

fn is_empty(v: &Value) -> bool {
    v.is_null() || v.as_array().is_some_and(Vec::is_empty)
}

fn str_of(r: &Value, k: &str) -> String {
    r.get(k).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// `space owner/app /endpoint`, `model id@provider`, from a record's or plan's backend.
fn backend_label(b: &Value) -> String {
    let s = |k: &str| b.get(k).and_then(Value::as_str);
    match s("kind") {
        Some("space") => format!("{}{}", s("space").unwrap_or("?"), s("endpoint").map(|e| format!(" {e}")).unwrap_or_default()),
        Some("provider") => format!("{}{}", s("model").unwrap_or("?"), s("provider").map(|p| format!("@{p}")).unwrap_or_default()),
        _ => String::new(),
    }
}

/// Text safe inside HTML text and quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A file name as a relative URL: every byte outside the unreserved set percent-encoded, so no
/// name can become a scheme, a path out of the directory or markup.
fn href(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    // A leading dot segment is harmless once encoded, but never start with a scheme-like name.
    format!("./{out}")
}

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:10px 16px;display:flex;gap:12px;align-items:center;flex-wrap:wrap;z-index:1}
header h1{font-size:16px;margin:0 12px 0 0}
header input{flex:1;min-width:200px;padding:6px 8px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(272px,1fr));gap:12px;padding:16px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;contain:content}
.card.failed{border-color:#d33}.card.pending{border-style:dashed}
.media{width:256px;height:256px;display:flex;align-items:center;justify-content:center;background:#eee;overflow:hidden}
.media img,.media video{width:256px;height:256px;object-fit:contain}
.media audio{width:256px}
.title{font-weight:600;margin:6px 0 2px;word-break:break-word}
.meta{color:#666;font-size:12px;word-break:break-all}
.err{color:#b00;font-size:12px;word-break:break-word}
details pre{white-space:pre-wrap;font-size:11px;max-height:160px;overflow:auto}
.hidden{display:none}
"#;

const SCRIPT: &str = r#"
(function(){
  var q=document.getElementById('q'), st=document.getElementById('status'), cards=[].slice.call(document.querySelectorAll('.card'));
  function apply(){
    var t=q.value.toLowerCase(), s=st.value, shown=0;
    cards.forEach(function(c){var ok=(!t||c.dataset.text.indexOf(t)>=0)&&(!s||c.dataset.status===s);c.classList.toggle('hidden',!ok);if(ok)shown++;});
    document.getElementById('count').textContent=shown+' of '+cards.length;
  }
  var h=new URLSearchParams(location.hash.slice(1));
  if(h.get('q'))q.value=h.get('q'); if(h.get('status'))st.value=h.get('status');
  q.addEventListener('input',apply); st.addEventListener('change',apply); apply();
  // What a test (or a curious person) can read back: items, visible ones, images that rendered.
  function report(){
    var imgs=[].slice.call(document.querySelectorAll('.card:not(.hidden) img'));
    document.body.dataset.report=JSON.stringify({items:cards.length,visible:cards.filter(function(c){return !c.classList.contains('hidden')}).length,
      images:imgs.length,rendered:imgs.filter(function(i){return i.complete&&i.naturalWidth>0}).length,
      media:[].slice.call(document.querySelectorAll('video,audio')).map(function(m){return m.getAttribute('src')})});
  }
  window.addEventListener('load',report); report();
})();
"#;

/// The page for these entries.
pub fn render(entries: &[Entry], title: &str) -> String {
    let count = |s: Status| entries.iter().filter(|e| e.status == s).count();
    let mut html = String::with_capacity(1024 + entries.len() * 1024);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{GENERATOR}<meta name=\"viewport\" content=\"width=device-width\">\
         <title>{} — hfs gallery</title><style>{STYLE}</style></head><body>\n<header><h1>{}</h1>\
         <span>{} done · {} failed · {} pending</span>\
         <input id=\"q\" type=\"search\" placeholder=\"filter by prompt, backend or seed\" aria-label=\"filter\">\
         <select id=\"status\" aria-label=\"status\"><option value=\"\">all</option><option value=\"done\">done</option>\
         <option value=\"failed\">failed</option><option value=\"pending\">pending</option></select><span id=\"count\"></span></header>\n<main>\n",
        escape(title),
        escape(title),
        count(Status::Done),
        count(Status::Failed),
        count(Status::Pending)
    );
    for e in entries {
        let seed = e.seed.map(|s| s.to_string()).unwrap_or_default();
        let text = format!("{} {} {} {} {}", e.title, e.backend, seed, e.task, e.key.as_deref().unwrap_or("")).to_lowercase();
        let _ =
            write!(html, "<div class=\"card {}\" data-status=\"{}\" data-text=\"{}\"", e.status.as_str(), e.status.as_str(), escape(&text));
        if let Some(k) = &e.key {
            let _ = write!(html, " id=\"item-{}\"", escape(k));
        }
        html.push_str("><div class=\"media\">");
        match e.files.first() {
            Some((name, mime)) => {
                let kind = mime.as_deref().unwrap_or("").split('/').next().unwrap_or("");
                let src = href(name);
                let alt = escape(&e.title);
                match kind {
                    "image" => {
                        let _ = write!(
                            html,
                            "<a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\" loading=\"lazy\" decoding=\"async\" width=\"256\" height=\"256\"></a>"
                        );
                    }
                    "video" => {
                        let _ = write!(html, "<video src=\"{src}\" controls preload=\"none\" width=\"256\" height=\"256\"></video>");
                    }
                    "audio" => {
                        let _ = write!(html, "<audio src=\"{src}\" controls preload=\"none\"></audio>");
                    }
                    _ => {
                        let _ = write!(html, "<a href=\"{src}\">{}</a>", escape(name));
                    }
                }
            }
            None => html.push_str(match e.status {
                Status::Failed => "failed",
                Status::Pending => "not done yet",
                Status::Done => "no file",
            }),
        }
        html.push_str("</div>");
        let _ = write!(html, "<div class=\"title\">{}</div>", escape(&e.title));
        let mut meta = vec![e.task.clone()];
        if !seed.is_empty() {
            meta.push(format!("seed {seed}"));
        }
        if !e.backend.is_empty() {
            meta.push(e.backend.clone());
        }
        if let Some(ms) = e.duration_ms {
            meta.push(format!("{:.1} s", ms as f64 / 1000.0));
        }
        if e.attempts > 1 {
            meta.push(format!("{} attempts", e.attempts));
        }
        let _ = write!(html, "<div class=\"meta\">{}</div>", escape(&meta.join(" · ")));
        for (name, _) in e.files.iter().skip(1) {
            let _ = write!(html, "<div class=\"meta\"><a href=\"{}\">{}</a></div>", href(name), escape(name));
        }
        if let Some(err) = &e.error {
            let _ = write!(html, "<div class=\"err\">{}</div>", escape(err));
        }
        if !e.arguments.is_null() {
            let pretty = serde_json::to_string_pretty(&e.arguments).unwrap_or_default();
            let _ = write!(html, "<details><summary>options</summary><pre>{}</pre></details>", escape(&pretty));
        }
        html.push_str("</div>\n");
    }
    let _ = writeln!(html, "</main><script>{SCRIPT}</script></body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write_manifest(dir: &Path, lines: &[Value]) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.join(hfs_generate::provenance::MANIFEST), text).unwrap();
    }

    #[test]
    fn items_are_planned_then_done_or_failed_and_single_generations_show_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("image-a-1.png"), b"png").unwrap();
        let backends = json!([{"kind": "space", "space": "o/a", "endpoint": null}]);
        write_manifest(
            dir.path(),
            &[
                json!({"record": "planned", "item": "k1", "task": "image", "request": {"prompt": "a fox", "seed": 1}, "backends": backends}),
                json!({"record": "planned", "item": "k2", "task": "image", "request": {"prompt": "<script>alert(1)</script>", "seed": 2}, "backends": backends}),
                json!({"record": "planned", "item": "k3", "task": "image", "request": {"prompt": "later", "seed": 3}, "backends": backends}),
                json!({"record": "done", "item": "k1", "task": "image", "prompt": "a fox", "seed": 1, "attempt": 2,
                       "backend": {"kind": "space", "space": "o/a", "endpoint": "/infer"},
                       "files": [{"path": "/elsewhere/image-a-1.png", "mime_type": "image/png"}, {"path": "missing.png"}]}),
                json!({"record": "failed", "item": "k2", "attempt": 1, "message": "not <allowed>", "final": true}),
                json!({"record": "done", "task": "speech", "prompt": "hello", "backend": {"kind": "provider", "model": "m", "provider": "p"}, "files": []}),
            ],
        );
        let es = entries(dir.path()).unwrap();
        assert_eq!(es.len(), 4);
        assert_eq!((es[0].status, es[0].files.len(), es[0].backend.as_str(), es[0].attempts), (Status::Done, 1, "o/a /infer", 2));
        assert_eq!((es[1].status, es[1].error.as_deref()), (Status::Failed, Some("not <allowed>")));
        assert_eq!(es[2].status, Status::Pending);
        assert_eq!((es[3].key.as_deref(), es[3].backend.as_str()), (None, "m@p"));
        let page = std::fs::read_to_string(write(dir.path()).unwrap()).unwrap();
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"), "escaped");
        assert!(page.contains("not &lt;allowed&gt;"));
        assert!(page.contains(r#"<img src="./image-a-1.png""#) && page.contains(r#"loading="lazy""#));
        assert!(page.contains("2 done · 1 failed · 1 pending"), "the single generation is done too");
        // Written again over our own page; someone else's page is left alone.
        write(dir.path()).unwrap();
        std::fs::write(dir.path().join(INDEX), "<html>mine</html>").unwrap();
        assert!(matches!(write(dir.path()), Err(GalleryError::NotOurs(_))));
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".part")).collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn names_become_relative_links_that_cannot_escape() {
        assert_eq!(href("image-a b.png"), "./image-a%20b.png");
        assert_eq!(href("javascript:x"), "./javascript%3Ax");
        assert_eq!(href("\"><x"), "./%22%3E%3Cx");
        assert_eq!(escape("a\u{1b}[2J\"<'&"), "a[2J&quot;&lt;&#39;&amp;");
    }

    #[test]
    fn a_directory_without_a_manifest_says_so() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(write(dir.path()), Err(GalleryError::NoManifest(_))));
    }
}
