//! The run's log, `DIR/hfs-manifest.jsonl` (`hfs.manifest/1`): one JSON object a line, appended
//! and fsynced record by record, held by one process at a time (an exclusive `flock` on the file
//! itself, so a killed process never leaves a stale lock).
//!
//! Records: `planned` (an [`Item`]), `started` (attempt, backend, remote job id), `done` (the
//! generation's provenance record plus `item` and `attempt`), `failed` (attempt, class, message,
//! whether final). Single generations append `done` records without `item`; they are history,
//! not work. A pipeline run adds `pipeline` (its source and vars, first) and `skipped` (a step
//! not run because an input it takes failed).

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hfs_generate::provenance::MANIFEST;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::BatchError;
use crate::spec::Item;

/// The schema every record carries.
pub const SCHEMA: &str = "hfs.manifest/1";

/// The open manifest of a run directory, locked for this process.
pub struct Manifest {
    file: File,
    path: PathBuf,
}

/// What a run directory's manifest says so far.
#[derive(Debug, Default)]
pub struct State {
    /// Every planned item, first record of each key, in plan order.
    pub items: Vec<Item>,
    /// Keys with a `done` record.
    pub done: HashSet<String>,
    /// The highest attempt recorded per key.
    pub attempts: HashMap<String, u32>,
    /// The last failure recorded per key (class and message), for items not done.
    pub last_failure: HashMap<String, String>,
    /// Whether a torn last line was dropped.
    pub torn: bool,
    /// The `pipeline` record of a pipeline run (the pipeline's source and vars), the first one.
    pub pipeline: Option<Value>,
}

impl State {
    /// Planned items without a `done` record, in plan order.
    pub fn not_done(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !self.done.contains(&i.key))
    }
}

/// The fields every record has, read without building the rest (a 100,000-item manifest is
/// read in well under a second).
#[derive(Deserialize)]
struct Head {
    record: Option<String>,
    item: Option<String>,
    attempt: Option<u32>,
    class: Option<String>,
    message: Option<String>,
}

#[derive(Serialize)]
struct Planned<'a> {
    schema: &'static str,
    record: &'static str,
    #[serde(flatten)]
    item: &'a Item,
    run: &'a str,
    at: u64,
}

impl Manifest {
    /// Opens (creating) `dir/hfs-manifest.jsonl` and takes the run's lock; another process
    /// holding it is [`BatchError::Busy`]. A torn last line (a write cut short by a crash) is
    /// dropped from the file; a bad line before the last is [`BatchError::Corrupt`], naming it.
    /// Temp files a killed run left (`.hfs-*.part`) are removed: with the lock held, no other
    /// hfs process writes here.
    pub fn open(dir: &Path) -> Result<(Manifest, State), BatchError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let path = dir.join(MANIFEST);
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(|e| io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(BatchError::Busy { dir: dir.to_path_buf() }),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path, e)),
        }
        // Streamed: a 100,000-item log is read in well under a second without holding it.
        let parsed = parse(std::io::BufReader::with_capacity(1 << 20, &file), &path)?;
        if parsed.keep < parsed.len {
            // Appends go after the last whole line, not after the fragment.
            file.set_len(parsed.keep).map_err(|e| io(&path, e))?;
            file.sync_all().map_err(|e| io(&path, e))?;
        }
        file.seek(SeekFrom::End(0)).map_err(|e| io(&path, e))?;
        if parsed.keep > 0 && parsed.keep == parsed.len && !parsed.ends_with_newline {
            // A whole last record whose newline never reached the disk: end it, so the next
            // record starts on a line of its own.
            file.write_all(b"\n").and_then(|_| file.sync_data()).map_err(|e| io(&path, e))?;
        }
        let state = parsed.state;
        remove_stale_temp_files(dir);
        Ok((Manifest { file, path }, state))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and fsyncs it before returning.
    pub fn append(&mut self, record: &Value) -> Result<(), BatchError> {
        let mut line = serde_json::to_vec(record).unwrap_or_default();
        line.push(b'\n');
        self.write(&line)
    }

    /// Appends `planned` records for `items` (one write, one fsync).
    pub fn plan(&mut self, items: &[&Item], run: &str) -> Result<(), BatchError> {
        let at = now();
        let mut buf = Vec::with_capacity(items.len() * 256);
        for item in items {
            serde_json::to_writer(&mut buf, &Planned { schema: SCHEMA, record: "planned", item, run, at }).unwrap_or_default();
            buf.push(b'\n');
        }
        self.write(&buf)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), BatchError> {
        self.file.write_all(bytes).map_err(|e| io(&self.path, e))?;
        self.file.sync_data().map_err(|e| io(&self.path, e))
    }
}

/// Every record of a manifest as JSON, with its line number, without locking it (`hfs gallery`,
/// inspection). The same rules as [`Manifest::open`]: a torn last line is left out, damage before
/// it is [`BatchError::Corrupt`].
pub fn records(dir: &Path) -> Result<Vec<(usize, Value)>, BatchError> {
    let path = dir.join(MANIFEST);
    let file = File::open(&path).map_err(|e| io(&path, e))?;
    let mut lines = Lines::new(std::io::BufReader::with_capacity(1 << 20, file));
    let mut out = Vec::new();
    while let Some(line) = lines.next().map_err(|e| io(&path, e))? {
        match serde_json::from_slice::<Value>(line.text) {
            Ok(v) if v.is_object() => out.push((line.number, v)),
            _ if line.last => break,
            Ok(_) => return Err(BatchError::Corrupt { path, line: line.number, message: "not a JSON object".into() }),
            Err(e) => return Err(BatchError::Corrupt { path, line: line.number, message: e.to_string() }),
        }
    }
    Ok(out)
}

/// The non-blank lines of a manifest, one at a time, numbered from 1, each knowing where it
/// starts and whether it is the last (the only line a crash can have cut short).
struct Lines<R> {
    r: R,
    buf: Vec<u8>,
    number: usize,
    /// Bytes read so far.
    offset: u64,
    /// Whether the bytes read so far end with a newline.
    ended: bool,
}

struct Line<'a> {
    number: usize,
    /// Where the line starts.
    start: u64,
    /// Without its newline.
    text: &'a [u8],
    last: bool,
}

impl<R: std::io::BufRead> Lines<R> {
    fn new(r: R) -> Self {
        Lines { r, buf: Vec::new(), number: 0, offset: 0, ended: false }
    }

    fn next(&mut self) -> std::io::Result<Option<Line<'_>>> {
        loop {
            self.buf.clear();
            let n = self.r.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            let start = self.offset;
            self.offset += n as u64;
            self.ended = self.buf.last() == Some(&b'\n');
            let last = !self.ended || self.r.fill_buf()?.is_empty();
            let len = if self.ended { n - 1 } else { n };
            if !self.buf[..len].iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(Line { number: self.number, start, text: &self.buf[..len], last }));
            }
        }
    }
}

/// What reading a manifest found.
struct Parsed {
    state: State,
    /// Bytes that are whole records (a torn last line excluded).
    keep: u64,
    /// Bytes read.
    len: u64,
    ends_with_newline: bool,
}

/// Reads the records one line at a time.
fn parse(r: impl std::io::BufRead, path: &Path) -> Result<Parsed, BatchError> {
    let mut state = State::default();
    let mut planned = HashSet::new();
    let mut lines = Lines::new(r);
    while let Some(line) = lines.next().map_err(|e| io(path, e))? {
        let (number, text) = (line.number, line.text);
        let head: Head = match serde_json::from_slice(text) {
            // A line cut short by a crash is the last one; anything else is damage.
            Err(_) | Ok(Head { record: None, .. }) if line.last => {
                let keep = line.start;
                state.torn = true;
                return Ok(Parsed { state, keep, len: lines.offset, ends_with_newline: lines.ended });
            }
            Err(e) => return Err(BatchError::Corrupt { path: path.to_path_buf(), line: number, message: e.to_string() }),
            Ok(h) => h,
        };
        if head.record.as_deref() == Some("pipeline") && state.pipeline.is_none() {
            state.pipeline = serde_json::from_slice(text).ok();
            continue;
        }
        let (Some(record), Some(key)) = (head.record.as_deref(), head.item) else {
            continue;
        };
        if let Some(a) = head.attempt {
            let e = state.attempts.entry(key.clone()).or_default();
            *e = (*e).max(a);
        }
        match record {
            "planned" if !planned.contains(&key) => {
                let item: Item = serde_json::from_slice(text).map_err(|e| BatchError::Corrupt {
                    path: path.to_path_buf(),
                    line: number,
                    message: format!("a planned record: {e}"),
                })?;
                planned.insert(key);
                state.items.push(item);
            }
            "done" => {
                state.last_failure.remove(&key);
                state.done.insert(key);
            }
            "failed" => {
                let why = format!("{}: {}", head.class.unwrap_or_default(), head.message.unwrap_or_default());
                state.last_failure.insert(key, why);
            }
            _ => {}
        }
    }
    Ok(Parsed { state, keep: lines.offset, len: lines.offset, ends_with_newline: lines.ended })
}

fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".hfs-") && name.ends_with(".part") && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

pub(crate) fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn io(path: &Path, source: std::io::Error) -> BatchError {
    BatchError::Io { path: path.to_path_buf(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hfs_generate::{Backend, GenRequest, GenTask};
    use serde_json::json;

    fn item(n: u64) -> Item {
        let request = GenRequest { prompt: Some(format!("p{n}")), seed: Some(n), ..Default::default() };
        let backends = vec![Backend::Space { space: "a/b".into(), endpoint: None }];
        Item {
            key: Item::key_of(GenTask::Image, &request, &backends, 0),
            index: n as usize,
            task: GenTask::Image,
            request,
            backends,
            copy: 0,
            step: None,
            group: None,
            inputs: vec![],
        }
    }

    #[test]
    fn planned_items_and_done_keys_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (item(1), item(2));
        {
            let (mut m, s) = Manifest::open(dir.path()).unwrap();
            assert!(s.items.is_empty());
            m.plan(&[&a, &b], "r1").unwrap();
            m.append(&json!({"schema": SCHEMA, "record": "started", "item": a.key, "attempt": 1})).unwrap();
            m.append(&json!({"schema": SCHEMA, "record": "done", "item": a.key, "attempt": 1, "files": []})).unwrap();
            m.append(&json!({"schema": SCHEMA, "record": "failed", "item": b.key, "attempt": 2, "class": "remote", "message": "x"}))
                .unwrap();
            // A single generation's record: history, not work.
            m.append(&json!({"schema": SCHEMA, "record": "done", "task": "image"})).unwrap();
        }
        let (_m, s) = Manifest::open(dir.path()).unwrap();
        assert_eq!(s.items, vec![a.clone(), b.clone()]);
        assert_eq!(s.not_done().map(|i| i.key.clone()).collect::<Vec<_>>(), vec![b.key.clone()]);
        assert_eq!(s.attempts[&b.key], 2);
        assert_eq!(s.last_failure[&b.key], "remote: x");
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_appends_follow_the_last_whole_line() {
        let dir = tempfile::tempdir().unwrap();
        let a = item(1);
        {
            let (mut m, _) = Manifest::open(dir.path()).unwrap();
            m.plan(&[&a], "r").unwrap();
        }
        let path = dir.path().join(MANIFEST);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"schema":"hfs.manifest/1","record":"done","item":"#).unwrap();
        drop(f);
        let (mut m, s) = Manifest::open(dir.path()).unwrap();
        assert!(s.torn);
        assert_eq!(s.not_done().count(), 1);
        m.append(&json!({"record": "done", "item": a.key})).unwrap();
        drop(m);
        let (_m, s) = Manifest::open(dir.path()).unwrap();
        assert!(!s.torn);
        assert_eq!(s.not_done().count(), 0);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn a_whole_last_record_without_its_newline_is_kept_and_ended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST);
        std::fs::write(&path, "{\"record\":\"done\",\"item\":\"a\"}").unwrap();
        let (mut m, s) = Manifest::open(dir.path()).unwrap();
        assert!(s.done.contains("a") && !s.torn);
        m.append(&json!({"record": "done", "item": "b"})).unwrap();
        drop(m);
        let (_m, s) = Manifest::open(dir.path()).unwrap();
        assert_eq!(s.done.len(), 2);
    }

    #[test]
    fn damage_before_the_last_line_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST);
        std::fs::write(&path, "{\"record\":\"done\"}\n{garbage\n{\"record\":\"done\"}\n").unwrap();
        match Manifest::open(dir.path()) {
            Err(BatchError::Corrupt { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected corruption at line 2, got {:?}", other.err()),
        }
    }

    #[test]
    fn one_process_holds_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let (_held, _) = Manifest::open(dir.path()).unwrap();
        // flock locks belong to the open file description: a second open conflicts, as another
        // process would.
        assert!(matches!(Manifest::open(dir.path()), Err(BatchError::Busy { .. })));
    }

    #[test]
    fn stale_temp_files_are_removed_when_the_run_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".hfs-abc.part"), b"half").unwrap();
        std::fs::write(dir.path().join("keep.png"), b"whole").unwrap();
        let _ = Manifest::open(dir.path()).unwrap();
        assert!(!dir.path().join(".hfs-abc.part").exists());
        assert!(dir.path().join("keep.png").exists());
    }
}

/// The manifest is read after crashes, by hand-edits and from other tools: whatever bytes it
/// holds, reading it is an answer or an error naming a line, never a panic; and a whole log cut
/// anywhere reads as a prefix of itself.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&bytes[..], Path::new("m"));
        }

        #[test]
        fn a_log_cut_anywhere_is_a_prefix(n in 1usize..6, cut in any::<prop::sample::Index>()) {
            let mut log = String::new();
            for i in 0..n {
                log.push_str(&format!("{{\"schema\":\"hfs.manifest/1\",\"record\":\"done\",\"item\":\"k{i}\",\"attempt\":1}}\n"));
            }
            let at = cut.index(log.len() + 1);
            let parsed = parse(&log.as_bytes()[..at], Path::new("m")).expect("a cut log is never damage");
            let (state, keep) = (parsed.state, parsed.keep as usize);
            prop_assert!(keep <= at);
            prop_assert_eq!(state.done.len(), log[..keep].lines().count());
            // A whole record may lack only its newline (`open` adds it before appending).
            let whole = log[..keep].is_empty() || log[..keep].ends_with('\n') || log[..keep].ends_with('}');
            prop_assert!(whole, "kept a fragment: {:?}", &log[..keep]);
        }
    }
}
