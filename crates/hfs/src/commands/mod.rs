//! One module per subcommand.

mod api;
mod auth;
mod call;
mod call_args;
mod call_output;
mod chat;
mod image;
mod infer;
mod models;
mod quota;
mod search;
mod space;
mod speech;
mod transcribe;
mod video;

use crate::cli::{Cli, Command};
use crate::exit::{self, CliError};

/// Prints a failed command's error on stderr.
fn report(r: Result<(), CliError>) -> Result<(), CliError> {
    if let Err(e) = &r {
        exit::report(e);
    }
    r
}

/// Runs the command and returns the process exit code.
pub async fn dispatch(cli: Cli) -> i32 {
    let result = match &cli.command {
        Command::Api(args) => api::run(&cli.global, args).await,
        Command::Call(args) => call::run(&cli.global, args).await,
        Command::Auth(cmd) => report(auth::run(&cli.global, cmd).await),
        Command::Space(cmd) => report(space::run(&cli.global, cmd).await),
        Command::Quota(flag) => report(quota::run(&cli.global, flag).await),
        Command::Search(cmd) => report(search::run(&cli.global, cmd).await),
        Command::Models(args) => report(models::run(&cli.global, args).await),
        Command::Image(args) => image::run(&cli.global, args).await,
        Command::Video(args) => video::run(&cli.global, args).await,
        Command::Speech(args) => speech::run(&cli.global, args).await,
        Command::Transcribe(args) => transcribe::run(&cli.global, args).await,
        Command::Chat(args) => chat::run(&cli.global, args).await,
    };
    match result {
        Ok(()) => exit::OK,
        Err(e) => e.code(),
    }
}
