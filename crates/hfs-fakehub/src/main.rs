//! hfs-fakehub: a local stand-in for the Hugging Face Hub, the inference
//! router and the providers' asset CDNs, for tests and development only.
//! Prints the Hub's base URL as the only stdout line (`GET /_fake/info`
//! names the other two), then serves until stdin closes (so a dead test
//! never leaks it) or a signal.

mod assets;
mod config;
mod errors;
mod layers;
mod origin;
mod query;
mod recordings;
mod router;
mod routes;
mod state;
mod views;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::origin::Urls;
use crate::recordings::Library;
use crate::state::{AppState, Fixed};

#[derive(Debug, Parser)]
#[command(name = "hfs-fakehub", about = "A fake Hugging Face Hub, inference router and asset CDN for tests (loopback only)")]
struct Cli {
    /// Hub port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Router port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    router_port: u16,
    /// Asset CDN port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    assets_port: u16,
    /// Loopback address to bind; anything else is refused.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// JSON config (spaces, tokens, models, chat_models, refresh_tokens, faults,
    /// providers).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Recorded fixtures: `hf-cassettes/*.yaml` and `hub/*.json`. Defaults to
    /// the repository's `tests/fixtures`.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Keep running when stdin closes (for manual use from a shell).
    #[arg(long)]
    no_stdin_watch: bool,
}

/// This server has no real auth; never let it listen beyond this machine.
fn loopback_ip(host: &str) -> anyhow::Result<IpAddr> {
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().with_context(|| format!("--host {host:?} is not an IP address"))?
    };
    if !ip.is_loopback() {
        bail!("refusing to bind non-loopback host {host}: hfs-fakehub is for local tests only");
    }
    Ok(ip)
}

/// An explicit `--fixtures` must exist; the default is used only if it does.
fn fixtures_dir(explicit: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    if let Some(dir) = explicit {
        if !dir.is_dir() {
            bail!("--fixtures {} is not a directory", dir.display());
        }
        return Ok(Some(dir.to_path_buf()));
    }
    // crates/hfs-fakehub → the repository root → `tests/fixtures` (see its NOTICE).
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    Ok(default.is_dir().then_some(default))
}

async fn bind(ip: IpAddr, port: u16, what: &str) -> anyhow::Result<(TcpListener, String)> {
    let listener =
        TcpListener::bind(SocketAddr::new(ip, port)).await.with_context(|| format!("binding the {what} listener to {ip}:{port}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    Ok((listener, url))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let ip = loopback_ip(&cli.host)?;
    let config = match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let fixtures = fixtures_dir(cli.fixtures.as_deref())?;
    let search_hits = recordings::hub::search_hits(fixtures.as_deref())?;
    let cassettes = fixtures.map(|d| d.join("hf-cassettes")).filter(|d| d.is_dir());

    let (hub, hub_url) = bind(ip, cli.port, "hub").await?;
    let (router, router_url) = bind(ip, cli.router_port, "router").await?;
    let (assets, assets_url) = bind(ip, cli.assets_port, "assets").await?;
    let urls = Urls { hub: hub_url.clone(), router: router_url, assets: assets_url };
    let library = Library::open(cassettes.as_deref())?;
    let state = AppState::new(config, Fixed::new(urls, library, search_hits));

    // The single stdout line tests wait for; flushed because stdout is a pipe.
    let mut out = std::io::stdout().lock();
    writeln!(out, "{hub_url}")?;
    out.flush()?;
    drop(out);

    tokio::select! {
        served = axum::serve(hub, routes::router(state.clone())) => served.context("serving the hub")?,
        served = axum::serve(router, router::router(state.clone())) => served.context("serving the router")?,
        served = axum::serve(assets, assets::router(state)) => served.context("serving assets")?,
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
