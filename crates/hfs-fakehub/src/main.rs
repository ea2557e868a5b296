//! hfs-fakehub: a local stand-in for the Hugging Face Hub, for tests and
//! development only. Prints its base URL as the only stdout line, then
//! serves until stdin closes (so a dead test never leaks it) or a signal.

mod auth;
mod config;
mod errors;
mod routes;
mod state;
mod views;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::state::AppState;

#[derive(Debug, Parser)]
#[command(
    name = "hfs-fakehub",
    about = "A fake Hugging Face Hub for tests (loopback only)"
)]
struct Cli {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Loopback address to bind; anything else is refused.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// JSON config with `spaces` and `tokens`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Keep running when stdin closes (for manual use from a shell).
    #[arg(long)]
    no_stdin_watch: bool,
}

/// This server has no real auth; never let it listen beyond this machine.
fn loopback_ip(host: &str) -> anyhow::Result<IpAddr> {
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse()
            .with_context(|| format!("--host {host:?} is not an IP address"))?
    };
    if !ip.is_loopback() {
        bail!("refusing to bind non-loopback host {host}: hfs-fakehub is for local tests only");
    }
    Ok(ip)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let ip = loopback_ip(&cli.host)?;
    let config = match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, cli.port))
        .await
        .with_context(|| format!("binding {ip}:{}", cli.port))?;
    let addr = listener.local_addr()?;
    let app = routes::router(AppState::new(config));

    // The single stdout line tests wait for; flushed because stdout is a pipe.
    let mut out = std::io::stdout().lock();
    writeln!(out, "http://{addr}")?;
    out.flush()?;
    drop(out);

    tokio::select! {
        served = axum::serve(listener, app) => served.context("serving")?,
        () = shutdown_signal(!cli.no_stdin_watch) => {}
    }
    Ok(())
}

/// Resolves on SIGINT, SIGTERM, or (when watched) stdin EOF.
async fn shutdown_signal(watch_stdin: bool) {
    let stdin_eof = async {
        if !watch_stdin {
            return std::future::pending().await;
        }
        let (tx, rx) = oneshot::channel::<()>();
        // A plain thread: a blocking read must not hold up runtime shutdown.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = tx.send(());
        });
        let _ = rx.await;
    };
    let terminate = async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
        () = stdin_eof => {}
    }
}
