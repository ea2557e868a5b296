//! One module per subcommand.

mod api;
mod call;
mod call_args;
mod call_output;

use crate::cli::{Cli, Command};
use crate::exit;

/// Runs the command and returns the process exit code.
pub async fn dispatch(cli: Cli) -> i32 {
    let result = match &cli.command {
        Command::Api(args) => api::run(&cli.global, args).await,
        Command::Call(args) => call::run(&cli.global, args).await,
    };
    match result {
        Ok(()) => exit::OK,
        Err(e) => e.code(),
    }
}
