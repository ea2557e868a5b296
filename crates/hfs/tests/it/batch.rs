//! Batch runs (`-n`, `--prompts`, `--vary`, `--shard`, `hfs resume`) against real Gradio servers
//! (`tests/spaces/apps/gen_batch.py`: 50 ms a call, 4 at a time, a queue of 4, a ZeroGPU quota
//! error every 23rd call), through the fake Hub where a Space id is needed, with a fault-injecting
//! proxy for what real servers do not produce on cue (429, 503), the Space's server killed and
//! restarted, and hfs itself killed at random points and resumed.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Hfs, V, any_version, bin, clean_env, fake, per_version, sha256_hex};

per_version!(copies_and_variations_run_once);
any_version!(
    two_hundred_items_through_rate_limits_queue_full_and_quota,
    killed_at_random_points_and_resumed,
    a_space_restarted_mid_run_is_waited_for,
    one_process_holds_a_run_and_ctrl_c_stops_cleanly,
    a_torn_last_line_is_tolerated_and_damage_is_named,
    prompt_files_variations_failures_and_shards,
    max_time_stops_the_run_and_wait_quota_waits,
    on_a_terminal_the_run_draws_its_bars,
);

fn batch_url(v: &V) -> String {
    hfs_testkit::shared_batch_space(v.version).url("gen_batch").to_string()
}

/// Every manifest record, in order.
pub(crate) fn records(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("hfs-manifest.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

pub(crate) fn of<'a>(recs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    recs.iter().filter(|r| r["record"] == kind).collect()
}

/// The run's invariants: every planned item done exactly once, every file it names whole (its
/// hash as recorded), no temp file left. Returns the planned keys.
#[track_caller]
fn exactly_once(dir: &Path) -> Vec<String> {
    let recs = records(dir);
    let planned: Vec<String> = of(&recs, "planned").iter().map(|r| r["item"].as_str().unwrap().to_string()).collect();
    let unique: HashSet<&String> = planned.iter().collect();
    assert_eq!(unique.len(), planned.len(), "an item was planned twice");
    let mut done: HashMap<String, usize> = HashMap::new();
    for r in of(&recs, "done") {
        *done.entry(r["item"].as_str().expect("batch done records name their item").to_string()).or_default() += 1;
        for f in r["files"].as_array().unwrap() {
            let path = Path::new(f["path"].as_str().unwrap());
            assert!(path.is_file(), "{} is missing", path.display());
            assert_eq!(sha256_hex(path), f["sha256"], "{} is not what was recorded", path.display());
            assert_eq!(std::fs::metadata(path).unwrap().len(), f["size"].as_u64().unwrap());
        }
    }
    for k in &planned {
        assert_eq!(done.get(k), Some(&1), "item {k} done {:?} times", done.get(k));
    }
    assert_eq!(done.len(), planned.len(), "done records for unplanned items");
    let parts: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.starts_with(".hfs-"))
        .collect();
    assert!(parts.is_empty(), "temp files left: {parts:?}");
    planned
}

pub(crate) fn json_lines(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

fn png_width(path: &str) -> u32 {
    let b = std::fs::read(path).unwrap();
    u32::from_be_bytes(b[16..20].try_into().unwrap())
}

/// `hfs ARGS…` started in the background (clean environment), for runs a test kills.
pub(crate) fn spawn(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(bin());
    clean_env(&mut cmd, home);
    cmd.envs(env.iter().copied()).args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    cmd.spawn().expect("spawn hfs")
}

pub(crate) fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

pub(crate) fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill {sig} failed");
}

/// Ends a child within `limit` (killing it if it hangs) and returns its exit code and stderr.
pub(crate) fn finish(mut child: Child, limit: Duration) -> (Option<i32>, String) {
    use std::io::Read;
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hfs did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    (status.code(), err)
}

/// `-n 3 --seed 11 --vary width=128,256`: six items, seeds 11–13 at each width, one JSON line
/// each and a summary; the same command again finds every item done and runs nothing.
fn copies_and_variations_run_once(v: V) {
    let url = batch_url(&v);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let args = ["image", "a fox", "-n", "3", "--seed", "11", "--vary", "width=128,256", "--space", &url, "-o", o, "--json"];
    let r = Hfs::new().args(args).run().ok();
    let lines = json_lines(&r.stdout);
    let (items, summary) = lines.split_at(lines.len() - 1);
    assert_eq!(summary[0]["schema"], "hfs.batch/1", "{r:?}");
    assert_eq!((summary[0]["done"].as_u64(), summary[0]["failed"].as_u64(), summary[0]["skipped"].as_u64()), (Some(6), Some(0), Some(0)));
    let mut made = HashSet::new();
    for doc in items {
        assert_eq!(doc["schema"], "hfs.generate/1");
        assert!(doc["item"].as_str().is_some_and(|k| k.len() == 16), "{doc}");
        let path = doc["files"][0]["path"].as_str().unwrap();
        made.insert((doc["seed"].as_u64().unwrap(), png_width(path) * 64));
    }
    let want: HashSet<(u64, u32)> = [11, 12, 13].into_iter().flat_map(|s| [(s, 128), (s, 256)]).collect();
    assert_eq!(made, want, "{r:?}");
    let planned = exactly_once(out.path());
    assert_eq!(planned.len(), 6);
    let again = Hfs::new().args(args).run().ok();
    let last = json_lines(&again.stdout).pop().unwrap();
    assert_eq!((last["done"].as_u64(), last["skipped"].as_u64()), (Some(0), Some(6)), "{again:?}");
    assert_eq!(exactly_once(out.path()).len(), 6);
}

/// 200 items at `-j 10` on a Space (through the fake Hub) behind a proxy that answers some joins
/// 429 (with Retry-After) or 503; the app's queue holds 8, so some joins are `queue_full`; every
/// 23rd call runs out of ZeroGPU quota (resetting in 0.3 s). Every item is done exactly once, and
/// the manifest shows each kind of failure retried.
fn two_hundred_items_through_rate_limits_queue_full_and_quota(v: V) {
    let temp = tempfile::tempdir().unwrap();
    let gradio_tmp = temp.path().join("gradio");
    let server = hfs_testkit::SpaceServer::start_with(
        v.version,
        &["gen_batch"],
        &[("HFS_BATCH_QUOTA_RESET", "0:00:00.300000"), ("GRADIO_TEMP_DIR", gradio_tmp.to_str().unwrap())],
    );
    let upstream = server.authority("gen_batch");
    let joins = Arc::new(AtomicUsize::new(0));
    let counter = joins.clone();
    let proxy = hfs_testkit::hostile::Hostile::start(move |req, out| {
        if req.method == "POST" && req.path().ends_with("/queue/join") {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            if n.is_multiple_of(37) {
                return out.body(429, "application/json", br#"{"error":"Too Many Requests"}"#, &[("retry-after", "1")]);
            }
            if n.is_multiple_of(29) {
                return out.body(503, "text/html", b"<html>503 Service Temporarily Unavailable</html>", &[]);
            }
        }
        hfs_testkit::hostile::forward(req, out, &upstream);
    });
    let hub = fake(&json!({"spaces": {"tests/batch": {"host": format!("{}/", proxy.url())}}}));
    let out = temp.path().join("run");
    let r = Hfs::new()
        .env("HF_ENDPOINT", &hub.url)
        .args(["image", "a lighthouse", "-n", "200", "-j", "10", "--space", "tests/batch", "-o", out.to_str().unwrap(), "--json"])
        .run()
        .ok();
    let last = json_lines(&r.stdout).pop().unwrap();
    assert_eq!(last["done"], 200, "{r:?}");
    assert_eq!(exactly_once(&out).len(), 200);
    let recs = records(&out);
    let failed = of(&recs, "failed");
    let seen = |what: &str| failed.iter().any(|f| f["message"].as_str().unwrap_or_default().to_lowercase().contains(what));
    assert!(failed.iter().all(|f| f["final"] == false), "a failure was final: {failed:?}");
    assert!(failed.iter().any(|f| f["class"] == "quota"), "no quota failure: {failed:?}");
    for what in ["queue is full", "429", "503"] {
        assert!(seen(what), "no `{what}` failure recorded: {failed:?}");
    }
    // Every started record carries the app's event id, written before the result.
    let started = of(&recs, "started");
    assert!(started.len() >= 200 && started.iter().all(|s| s["job_id"].as_str().is_some_and(|j| !j.is_empty())), "{started:?}");
    assert!(joins.load(Ordering::SeqCst) > 200);
}

/// hfs SIGKILLed at random points of a run, again and again (alternating a new run of the same
/// plan and `hfs resume`), then resumed to the end: every item done exactly once, every file
/// whole, no temp file left.
fn killed_at_random_points_and_resumed(v: V) {
    let url = batch_url(&v);
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    // "slow…" takes 0.5 s a call: 48 items 2 at a time take about 12 s, more than six rounds
    // killed within 1.65 s each can finish, so every kill lands mid-run.
    let new_run = ["image", "slow red fox", "-n", "48", "--seed", "100", "-j", "2", "--space", &url, "-o", o];
    let resume = ["resume", o, "-j", "2"];
    let nanos = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    let mut kills = 0;
    for round in 0..6 {
        let planned = !of(&records(out.path()), "planned").is_empty();
        let args: &[&str] = if round % 2 == 0 || !planned { &new_run } else { &resume };
        let child = spawn(home.path(), args, &[]);
        std::thread::sleep(Duration::from_millis(150 + nanos() % 1500));
        if child_running(&child) {
            signal(&child, "-KILL");
            kills += 1;
        }
        let _ = finish(child, Duration::from_secs(30));
    }
    assert!(kills >= 3, "the run was too fast to kill ({kills} kills)");
    let r = Hfs::new().args(["resume", o, "-j", "8"]).run().ok();
    assert!(r.stderr.contains(" done, 0 failed"), "{r:?}");
    assert_eq!(exactly_once(out.path()).len(), 48);
    // Resuming a finished run does nothing.
    let r = Hfs::new().args(resume).run().ok();
    assert!(r.stderr.contains("nothing to do: all 48 items"), "{r:?}");
}

pub(crate) fn child_running(child: &Child) -> bool {
    Path::new(&format!("/proc/{}", child.id())).exists()
        && !std::fs::read_to_string(format!("/proc/{}/stat", child.id())).is_ok_and(|s| s.contains(") Z "))
}

/// The Space's server is killed mid-run and started again on the same port: the run waits for
/// it (the lost calls are recorded, not counted as attempts) and finishes every item.
fn a_space_restarted_mid_run_is_waited_for(v: V) {
    let temp = tempfile::tempdir().unwrap();
    let port = hfs_testkit::free_port();
    let app = format!("gen_batch@{port}");
    let gradio_tmp = temp.path().join("gradio");
    // 30 calls of 0.3 s, 2 at a time: 4.5 s of work, so the kill after 4 lands mid-run.
    let env = [("HFS_BATCH_MS", "300"), ("HFS_BATCH_QUOTA_EVERY", "0"), ("GRADIO_TEMP_DIR", gradio_tmp.to_str().unwrap())];
    let server = hfs_testkit::SpaceServer::start_with(v.version, &[app.as_str()], &env);
    let hub = fake(&json!({"spaces": {"tests/batch": {"host": format!("http://127.0.0.1:{port}/")}}}));
    let out = temp.path().join("run");
    let o = out.to_str().unwrap();
    let child = spawn(
        temp.path(),
        &["image", "a storm", "-n", "30", "-j", "2", "--attempts", "1", "--space", "tests/batch", "-o", o],
        &[("HF_ENDPOINT", &hub.url)],
    );
    wait_for("four items done", Duration::from_secs(60), || of(&records(&out), "done").len() >= 4);
    server.kill();
    std::thread::sleep(Duration::from_millis(500));
    let server = hfs_testkit::SpaceServer::start_with(v.version, &[app.as_str()], &env);
    let (code, stderr) = finish(child, Duration::from_secs(120));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("cannot reach it"), "the wait was not shown: {stderr}");
    assert_eq!(exactly_once(&out).len(), 30);
    drop(server);
}

/// A second process on a running batch's directory gets a clear error (a resume, and a single
/// generation too); Ctrl-C stops the run: the calls in flight are cancelled and recorded, the
/// summary says how to resume, exit 130; the resume finishes it.
fn one_process_holds_a_run_and_ctrl_c_stops_cleanly(v: V) {
    let url = batch_url(&v);
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let child = spawn(home.path(), &["image", "slow boat", "-n", "40", "-j", "2", "--seed", "1", "--space", &url, "-o", o], &[]);
    wait_for("the first item done", Duration::from_secs(60), || !of(&records(out.path()), "done").is_empty());
    Hfs::new().args(["resume", o]).run().fails(2).says(&["another hfs process is running the batch"]);
    Hfs::new().args(["image", "x", "--space", &url, "-o", o]).run().fails(1).says(&["batch run in another hfs process holds"]);
    // Ctrl-C while a call is in flight (not while every item waits out a ZeroGPU quota reset,
    // which the shared Space gives every 23rd call): more started than ended.
    wait_for("a call in flight", Duration::from_secs(60), || {
        let recs = records(out.path());
        of(&recs, "started").len() > of(&recs, "done").len() + of(&recs, "failed").len()
    });
    signal(&child, "-INT");
    let (code, stderr) = finish(child, Duration::from_secs(60));
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains(&format!("hfs resume {o}")), "{stderr}");
    let recs = records(out.path());
    let cancelled: Vec<_> = of(&recs, "failed").into_iter().filter(|f| f["class"] == "cancelled").collect();
    assert!(!cancelled.is_empty() && cancelled.iter().all(|f| f["final"] == false), "{recs:?}");
    assert!(of(&recs, "done").len() < 40);
    Hfs::new().args(["resume", o, "-j", "4"]).run().ok();
    assert_eq!(exactly_once(out.path()).len(), 40);
}

/// A last line cut short (a crash mid-write) is dropped and the run goes on; damage before the
/// last line is an error naming the line; a directory with no plan says so.
fn a_torn_last_line_is_tolerated_and_damage_is_named(v: V) {
    let url = batch_url(&v);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    Hfs::new().args(["image", "a fox", "-n", "3", "--seed", "1", "--space", &url, "-o", o]).run().ok();
    let path = out.path().join("hfs-manifest.jsonl");
    let whole = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{whole}{{\"schema\":\"hfs.manifest/1\",\"record\":\"do")).unwrap();
    let r = Hfs::new().args(["resume", o]).run().ok();
    assert!(r.stderr.contains("cut short") && r.stderr.contains("all 3 items"), "{r:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), whole, "the fragment is removed, nothing else");
    let mut lines: Vec<&str> = whole.lines().collect();
    lines[1] = "{\"schema\": \"hfs.manifest/1\", \"record\": ";
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    Hfs::new().args(["resume", o]).run().fails(1).says(&["damaged at line 2"]);
    let empty = tempfile::tempdir().unwrap();
    Hfs::new().args(["resume", empty.path().to_str().unwrap()]).run().fails(2).says(&["no planned items"]);
}

/// `--prompts` with plain and JSON lines (per-item options), `--vary`, a prompt the app refuses
/// (final failures, listed with their reason, exit 1), and `--shard` covering the plan exactly
/// once across shards. Bad input is exit 2 before anything runs.
fn prompt_files_variations_failures_and_shards(v: V) {
    let url = batch_url(&v);
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("prompts.txt");
    std::fs::write(&prompts, "a fox\n\n# a comment\n{\"prompt\": \"an owl\", \"width\": 128}\n{\"prompt\": \"forbidden fruit\"}\n")
        .unwrap();
    let p = prompts.to_str().unwrap();
    let full = dir.path().join("full");
    let base = |out: &Path| -> Vec<String> {
        [
            "image",
            "--prompts",
            p,
            "--vary",
            "height=64,128",
            "-n",
            "2",
            "--seed",
            "5",
            "--space",
            &url,
            "-o",
            out.to_str().unwrap(),
            "--json",
        ]
        .map(String::from)
        .to_vec()
    };
    let r = Hfs::new().args(base(&full)).run();
    assert_eq!(r.code, Some(1), "{r:?}");
    let lines = json_lines(&r.stdout);
    let summary = lines.last().unwrap();
    assert_eq!((summary["done"].as_u64(), summary["failed"].as_u64()), (Some(8), Some(4)), "{summary}");
    assert!(
        summary["failures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["title"] == "forbidden fruit" && f["message"].as_str().unwrap().contains("not allowed")),
        "{summary}"
    );
    assert!(r.stderr.contains("4 failed") && r.stderr.contains("not allowed"), "{r:?}");
    let owl: Vec<&Value> = lines.iter().filter(|d| d["arguments"].to_string().contains("an owl")).collect();
    assert_eq!(owl.len(), 4);
    assert!(owl.iter().all(|d| png_width(d["files"][0]["path"].as_str().unwrap()) == 2), "the line's width is used");
    let recs = records(&full);
    // The app's refusal is final at once: one `remote` failure per refused item, never retried
    // (an attempt number above 1 only means the shared Space's quota error came first).
    let refused: Vec<_> = of(&recs, "failed").into_iter().filter(|f| f["class"] == "remote").collect();
    assert_eq!(refused.len(), 4);
    assert!(refused.iter().all(|f| f["final"] == true && f["message"].as_str().unwrap().contains("not allowed")), "{refused:?}");
    let planned: HashSet<String> = of(&recs, "planned").iter().map(|r| r["item"].as_str().unwrap().to_string()).collect();
    assert_eq!(planned.len(), 12);

    // Shards of the same plan: disjoint, and together the whole plan.
    let mut union = HashSet::new();
    for k in 1..=3 {
        let d = dir.path().join(format!("shard{k}"));
        let mut args = base(&d);
        args.extend(["--shard".to_string(), format!("{k}/3")]);
        let _ = Hfs::new().args(args).run();
        for r in of(&records(&d), "planned") {
            assert!(union.insert(r["item"].as_str().unwrap().to_string()), "an item is in two shards");
        }
    }
    assert_eq!(union, planned);

    // Bad input: nothing runs, nothing is written.
    let bad = dir.path().join("bad");
    let b = bad.to_str().unwrap();
    Hfs::new().args(["image", "x", "--vary", "width", "--space", &url, "-o", b]).run().fails(2).says(&["--vary takes KEY=V1,V2"]);
    Hfs::new().args(["image", "x", "--vary", "sed=1,2", "--space", &url, "-o", b]).run().fails(2).says(&["did you mean `seed`"]);
    Hfs::new().args(["image", "x", "--shard", "4/3", "--space", &url, "-o", b]).run().fails(2).says(&["--shard takes K/N"]);
    let both = Hfs::new().args(["image", "x", "--prompts", p, "--space", &url, "-o", b]).run();
    assert_eq!(both.code, Some(2), "a prompt and a prompts file: {both:?}");
    std::fs::write(&prompts, "ok\n{\"prompt\": 3, \n").unwrap();
    Hfs::new().args(["image", "--prompts", p, "--space", &url, "-o", b]).run().fails(2).says(&["line 2"]);
    assert!(!bad.join("hfs-manifest.jsonl").exists() || of(&records(&bad), "planned").is_empty());
}

/// `--max-time` stops a run (the calls in flight cancelled and recorded, exit 1, the JSON says
/// `max_time`) and `hfs resume` finishes it. A single generation out of quota fails at once
/// saying when it resets; with `--wait-quota` it waits for the reset and succeeds.
fn max_time_stops_the_run_and_wait_quota_waits(v: V) {
    let url = batch_url(&v);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let r = Hfs::new()
        .args(["image", "slow tide", "-n", "20", "-j", "2", "--seed", "3", "--max-time", "1s", "--space", &url, "-o", o, "--json"])
        .run();
    assert_eq!(r.code, Some(1), "{r:?}");
    let last = json_lines(&r.stdout).pop().unwrap();
    assert_eq!(last["stopped"], "max_time", "{last}");
    assert!(last["not_run"].as_u64().unwrap() > 0 && last["done"].as_u64().unwrap() < 20, "{last}");
    assert!(r.stderr.contains("stopped at --max-time") && r.stderr.contains(&format!("hfs resume {o}")), "{r:?}");
    Hfs::new().args(["resume", o, "-j", "4"]).run().ok();
    assert_eq!(exactly_once(out.path()).len(), 20);

    let unique = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let single = tempfile::tempdir().unwrap();
    let s = single.path().to_str().unwrap();
    Hfs::new().args(["image", &format!("quota-once a {unique}"), "--space", &url, "-o", s]).run().fails(1).says(&["quota", "resets in 1s"]);
    let r = Hfs::new().args(["image", &format!("quota-once b {unique}"), "--space", &url, "-o", s, "--wait-quota"]).run().ok();
    assert!(r.stderr.contains("waiting (--wait-quota)") && r.stdout.contains(".png"), "{r:?}");
}

/// On a terminal (a pty from `script`) the run draws its overall bar and job lines, and still ends
/// with the summary; the files are the same as without one.
fn on_a_terminal_the_run_draws_its_bars(v: V) {
    let url = batch_url(&v);
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let line = format!("{} image 'slow kite' -n 6 -j 2 --seed 1 --space {url} -o {}", bin().display(), out.path().display());
    let mut cmd = Command::new("script");
    clean_env(&mut cmd, home.path());
    let r = cmd.args(["-qefc", &line, "/dev/null"]).env("COLUMNS", "120").stdin(Stdio::null()).output().expect("script (util-linux)");
    let text = String::from_utf8_lossy(&r.stdout);
    assert_eq!(r.status.code(), Some(0), "{text}");
    assert!(text.contains("/6") && text.contains("running"), "no overall bar drawn: {text}");
    assert!(text.contains("6 done, 0 failed"), "{text}");
    assert_eq!(exactly_once(out.path()).len(), 6);
}
