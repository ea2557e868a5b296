//! `hfs`: Hugging Face Spaces and Inference Providers from the command line.

// CliError carries the libraries' errors whole; it is built once per failed command.
#![allow(clippy::result_large_err)]

mod cli;
mod commands;
mod connect;
mod env;
mod exit;
mod hints;
mod printer;
mod progress;
mod signals;
mod table;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    init_logging(cli.global.verbose);
    // One thread: a command is I/O-bound, and worker threads (stacks, malloc arenas) would cost
    // more memory than they save time; file I/O still runs on tokio's blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let code = runtime.block_on(async {
        signals::install();
        tokio::select! {
            code = commands::dispatch(cli) => code,
            // Dropping the command's future removes its temp files before we exit.
            _ = signals::exit_now() => {
                eprintln!("interrupted; exiting without waiting for the server");
                exit::INTERRUPTED
            }
        }
    });
    // Don't wait for background tasks (heartbeats, streams) of a finished command.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(code);
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "hfs=debug,hfs_gradio=debug,hfs_hub=debug",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("HFS_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Header values are never logged by hfs; reqwest marks the token header sensitive too.
    // Colours only on a terminal: logs redirected to a file or a pipe stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).with_ansi(ansi).init();
}
