//! The hfs-gradio side of the library scenarios of `bench/run`. Each mode prints one JSON object
//! on stdout; the harness runs every mode in a fresh process.
//!
//! ```text
//! hfs-bench seq URL N                  # N sequential /echo calls on one client: latency per call
//! hfs-bench burst URL N                # N /echo jobs submitted at once on one client: wall, CPU, RSS
//! hfs-bench transfer URL FILE DIR      # upload FILE, download it back into DIR: seconds each way
//! ```

use std::path::Path;
use std::time::Instant;

use hfs_gradio::{Args, CallOptions, Client, ClientOptions, EndpointRef, FileData};
use serde_json::{Value, json};

/// Process CPU seconds (user + system) and peak RSS in KiB so far.
fn rusage() -> (f64, u64) {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(ru.ru_utime) + secs(ru.ru_stime), ru.ru_maxrss as u64)
}

fn echo() -> EndpointRef {
    EndpointRef::Name("/echo".into())
}

async fn connect(url: &str) -> Client {
    Client::connect(url, ClientOptions::default()).await.unwrap_or_else(|e| fail(&format!("connect: {e}")))
}

fn fail(msg: &str) -> ! {
    eprintln!("hfs-bench: {msg}");
    std::process::exit(1);
}

async fn seq(url: &str, n: usize) -> Value {
    let client = connect(url).await;
    let args = Args::new().kwarg("text", "hello");
    // One warm-up call: connection pool, session stream.
    client.predict(&echo(), &args).await.unwrap_or_else(|e| fail(&format!("warm-up: {e}")));
    let mut ms = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let out = client.predict(&echo(), &args).await.unwrap_or_else(|e| fail(&format!("call: {e}")));
        assert_eq!(out.values.first(), Some(&json!("hello")));
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let total = start.elapsed().as_secs_f64();
    json!({"calls": n, "mean_ms": total * 1e3 / n as f64, "min_ms": ms.iter().cloned().fold(f64::MAX, f64::min), "max_ms": ms.iter().cloned().fold(0.0, f64::max)})
}

async fn burst(url: &str, n: usize) -> Value {
    let client = connect(url).await;
    client.predict(&echo(), &Args::new().kwarg("text", "warm-up")).await.unwrap_or_else(|e| fail(&format!("warm-up: {e}")));
    let (cpu0, _) = rusage();
    let start = Instant::now();
    let window: usize = std::env::var("HFS_BENCH_WINDOW").ok().and_then(|w| w.parse().ok()).unwrap_or(0);
    let results = if window > 0 {
        use futures::StreamExt;
        futures::stream::iter(0..n)
            .map(|i| {
                client
                    .submit(&echo(), &Args::new().kwarg("text", format!("job {i}")), CallOptions::default())
                    .unwrap_or_else(|e| fail(&format!("submit: {e}")))
                    .result()
            })
            .buffered(window)
            .collect::<Vec<_>>()
            .await
    } else {
        let jobs: Vec<_> = (0..n)
            .map(|i| {
                client
                    .submit(&echo(), &Args::new().kwarg("text", format!("job {i}")), CallOptions::default())
                    .unwrap_or_else(|e| fail(&format!("submit: {e}")))
            })
            .collect();
        futures::future::join_all(jobs.into_iter().map(|j| j.result())).await
    };
    let wall = start.elapsed().as_secs_f64();
    let (cpu1, maxrss) = rusage();
    let mut errors = 0;
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(out) if out.values.first() == Some(&json!(format!("job {i}"))) => {}
            Ok(out) => fail(&format!("job {i} returned {:?}", out.values)),
            Err(e) => {
                errors += 1;
                eprintln!("hfs-bench: job {i}: {e}");
            }
        }
    }
    json!({"jobs": n, "errors": errors, "wall_s": wall, "cpu_s": cpu1 - cpu0, "cpu_per_job_ms": (cpu1 - cpu0) * 1e3 / n as f64, "maxrss_kib": maxrss})
}

async fn transfer(url: &str, file: &Path, dir: &Path) -> Value {
    let client = connect(url).await;
    let size = std::fs::metadata(file).unwrap_or_else(|e| fail(&format!("{}: {e}", file.display()))).len();
    let t = Instant::now();
    let server_path = client.upload(file).await.unwrap_or_else(|e| fail(&format!("upload: {e}")));
    let upload_s = t.elapsed().as_secs_f64();
    let fd = FileData { path: server_path.clone(), url: None, size: Some(size), orig_name: None, mime_type: None, is_stream: false };
    let t = Instant::now();
    let saved = client.download(&fd, dir, "download").await.unwrap_or_else(|e| fail(&format!("download: {e}")));
    let download_s = t.elapsed().as_secs_f64();
    if saved.size != size {
        fail(&format!("downloaded {} bytes, uploaded {size}", saved.size));
    }
    let _ = std::fs::remove_file(&saved.path);
    let (_, maxrss) = rusage();
    json!({"bytes": size, "upload_s": upload_s, "download_s": download_s, "server_path": server_path, "maxrss_kib": maxrss})
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    fn usage() -> ! {
        fail("usage: hfs-bench seq URL N | burst URL N | transfer URL FILE DIR")
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let out = match argv.get(1).map(String::as_str) {
        Some("seq") if argv.len() == 4 => rt.block_on(seq(&argv[2], argv[3].parse().unwrap_or_else(|_| usage()))),
        Some("burst") if argv.len() == 4 => rt.block_on(burst(&argv[2], argv[3].parse().unwrap_or_else(|_| usage()))),
        Some("transfer") if argv.len() == 5 => rt.block_on(transfer(&argv[2], Path::new(&argv[3]), Path::new(&argv[4]))),
        _ => usage(),
    };
    println!("{out}");
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
}
