//! `hfs mcp`: the MCP server over stdio (the default) or Streamable HTTP, configured from the
//! same settings as every other command (token, Hub, defaults, presets).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use hfs_generate::{Backend, GenTask};
use hfs_mcp::{HfsMcp, McpConfig, SpaceSpec};
use tokio_util::sync::CancellationToken;

use crate::cli::{GlobalArgs, InferArgs, McpArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &McpArgs) -> Result<(), CliError> {
    if args.heartbeat.is_zero() || args.heartbeat > std::time::Duration::from_secs(15) {
        return Err(CliError::Usage("--heartbeat takes a duration from 1ms to 15s (clients give up on silent calls)".into()));
    }
    let specs = args
        .spaces
        .iter()
        .map(|s| SpaceSpec::parse(s).map_err(|e| CliError::Usage(format!("--space: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let http = args.http.as_deref().map(parse_addr).transpose()?;
    let cwd = std::env::current_dir().map_err(|e| CliError::Other(e.into()))?;
    let allow_dirs = if args.allow_dirs.is_empty() { vec![cwd.clone()] } else { args.allow_dirs.clone() };
    for d in &allow_dirs {
        if !d.is_dir() {
            return Err(CliError::Usage(format!("--allow-dir: `{}` is not a directory", d.display())));
        }
    }
    let allow_dirs = allow_dirs.into_iter().map(|d| std::path::absolute(&d).unwrap_or(d)).collect();
    let output_dir = std::path::absolute(&args.output_dir).unwrap_or_else(|_| cwd.join(&args.output_dir));

    let infer = InferArgs {
        model: None,
        provider: "auto".into(),
        params: vec![],
        timeout: args.timeout,
        retries: 3,
        poll_interval: None,
        provider_key: None,
        bill_to: args.bill_to.clone(),
    };
    // Any call may name a provider model: the providers' client is always there.
    let mut generator = super::generate::generator_for(global, p, &infer, true).await?;
    // Here the agent names the apps, not the user: an explicit --token goes only where any token
    // goes (the Hub's hosts), never to an app URL an agent chose.
    generator.gradio.token_to_target = false;
    let (hub, _) = crate::env::hub_client(global.token.as_deref(), p).await?;
    let mut defaults: Vec<(GenTask, Vec<Backend>)> = Vec::new();
    for t in GenTask::ALL {
        defaults.push((t, super::generate::default_backends(t)?));
    }
    let fixed = HfsMcp::fixed_tool_names();
    let reserved: Vec<&str> = fixed.iter().map(String::as_str).collect();
    if !specs.is_empty() {
        p.status(&format!("reading the API of {} Space(s)…", specs.len()));
    }
    let space_tools = hfs_mcp::space_tools(&generator, &specs, &reserved).await?;
    let server = HfsMcp::new(McpConfig {
        generator,
        hub,
        defaults,
        allow_dirs,
        output_dir,
        inline_images: args.inline_images.then_some(args.inline_max),
        timeout: args.timeout,
        heartbeat: args.heartbeat,
        space_tools,
    });

    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        crate::signals::first().await;
        stop.cancel();
    });
    match http {
        None => {
            // stdout carries protocol messages only; everything else goes to stderr.
            tracing::info!(tools = server.tool_names().len(), "serving MCP on stdio");
            hfs_mcp::serve_stdio(server, shutdown).await.map_err(|e| CliError::Other(e.into()))
        }
        Some(addr) => {
            let listener =
                tokio::net::TcpListener::bind(addr).await.map_err(|e| CliError::Usage(format!("--http: cannot listen on {addr}: {e}")))?;
            let bound = listener.local_addr().map_err(|e| CliError::Other(e.into()))?;
            let url = format!("http://{}/mcp", host_port(bound));
            let mut hosts = args.allowed_hosts.clone();
            if !bound.ip().is_loopback() && !bound.ip().is_unspecified() {
                hosts.push(bound.ip().to_string());
            }
            if p.json() {
                p.doc(&hfs_schema::McpListeningDoc {
                    schema: hfs_schema::McpListeningDoc::SCHEMA.into(),
                    url: url.clone(),
                    tools: server.tool_names(),
                });
            } else {
                p.out(&format!("{url}\n"));
            }
            p.status(&format!("serving MCP on {url} with {} tools (Ctrl-C stops)", server.tool_names().len()));
            hfs_mcp::serve_http(server, listener, hosts, shutdown).await.map_err(|e| CliError::Other(e.into()))
        }
    }
}

/// `PORT` (on 127.0.0.1), `HOST:PORT` or `[V6]:PORT`; `localhost` is the IPv4 loopback.
fn parse_addr(s: &str) -> Result<SocketAddr, CliError> {
    let bad = || CliError::Usage(format!("--http takes PORT or HOST:PORT, got `{s}`"));
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Some(port) = s.strip_prefix("localhost:") {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port.parse().map_err(|_| bad())?));
    }
    s.parse().map_err(|_| bad())
}

fn host_port(a: SocketAddr) -> String {
    match a.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", a.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", a.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse_addr("8000").unwrap().to_string(), "127.0.0.1:8000");
        assert_eq!(parse_addr("localhost:0").unwrap().to_string(), "127.0.0.1:0");
        assert_eq!(parse_addr("[::1]:9").unwrap().to_string(), "[::1]:9");
        assert!(parse_addr("nope").is_err());
    }
}
