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

use crate::cli::{Cli, Command, SearchCommand, SpaceCommand};
use crate::exit::{self, CliError};

/// Prints a failed command's error on stderr and, with `--json`, as `hfs.error/1` on stdout (as
/// `hfs call` does), so scripts always get one JSON object.
fn report(r: Result<(), CliError>, json: bool) -> Result<(), CliError> {
    if let Err(e) = &r {
        if json {
            println!("{}", serde_json::json!({"schema": "hfs.error/1", "error": e.to_json()}));
        }
        exit::report(e);
    }
    r
}

/// Runs the command and returns the process exit code.
pub async fn dispatch(cli: Cli) -> i32 {
    let result = match &cli.command {
        Command::Api(args) => api::run(&cli.global, args).await,
        Command::Call(args) => call::run(&cli.global, args).await,
        // `auth status --json` prints its own `logged_in: false` object.
        Command::Auth(cmd) => report(auth::run(&cli.global, cmd).await, false),
        Command::Space(cmd @ SpaceCommand::Info { json, .. }) => report(space::run(&cli.global, cmd).await, json.json),
        Command::Quota(flag) => report(quota::run(&cli.global, flag).await, flag.json),
        Command::Search(cmd) => {
            let json = match cmd {
                SearchCommand::Spaces { json, .. } | SearchCommand::Models { json, .. } => json.json,
            };
            report(search::run(&cli.global, cmd).await, json)
        }
        Command::Models(args) => report(models::run(&cli.global, args).await, args.json.json),
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
