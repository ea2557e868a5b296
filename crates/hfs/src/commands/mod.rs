//! One module per subcommand. Each `run` gets the global options and the printer, and returns its
//! error; [`dispatch`] reports every error the same way (`error:`/`hint:` on stderr, and
//! `hfs.error/1` on stdout with `--json`) and maps it to the exit code.

mod api;
mod auth;
mod batch;
mod call;
mod call_args;
mod call_output;
mod chat;
mod gallery;
mod generate;
mod image;
mod infer;
mod mcp;
mod models;
mod pipeline;
mod presets;
mod quota;
mod search;
mod space;
mod speech;
mod transcribe;
mod video;

use crate::cli::{AuthCommand, Cli, Command, SearchCommand, SpaceCommand};
use crate::exit::{self, CliError};
use crate::printer::{ErrorContext, Format, Printer};

/// The printer for this command line: `--json`, `call --stream`, `-q`.
pub fn printer(cli: &Cli) -> Printer {
    let format = match &cli.command {
        Command::Call(a) if a.stream => Format::Stream,
        _ if cli.global.json => Format::Json,
        _ => Format::Text,
    };
    Printer::new(format, cli.global.quiet)
}

/// Runs the command and returns the process exit code.
pub async fn dispatch(cli: Cli) -> i32 {
    let p = printer(&cli);
    let g = &cli.global;
    let result = match &cli.command {
        Command::Call(a) if a.stream && g.json => Err(CliError::Usage("--stream prints JSON lines already; drop --json".into())),
        Command::Api(args) => api::run(g, &p, args).await,
        Command::Call(args) => call::run(g, &p, args).await,
        Command::Auth(cmd) => auth::run(g, &p, cmd).await,
        Command::Space(cmd) => space::run(g, &p, cmd).await,
        Command::Quota => quota::run(g, &p).await,
        Command::Search(cmd) => search::run(g, &p, cmd).await,
        Command::Models(args) => models::run(g, &p, args).await,
        Command::Presets => presets::run(g, &p).await,
        Command::Resume(args) => batch::resume(g, &p, args).await,
        Command::Run(args) => pipeline::run(g, &p, args).await,
        Command::Gallery(args) => gallery::run(&p, args),
        Command::Image(args) => image::run(g, &p, args).await,
        Command::Video(args) => video::run(g, &p, args).await,
        Command::Speech(args) => speech::run(g, &p, args).await,
        Command::Transcribe(args) => transcribe::run(g, &p, args).await,
        Command::Chat(args) => chat::run(g, &p, args).await,
        Command::Mcp(args) => mcp::run(g, &p, args).await,
    };
    match result {
        Ok(()) => exit::OK,
        Err(CliError::Reported(code)) => code,
        Err(e) => {
            // `auth status --json` answers `logged_in: false` itself: that is its document.
            if matches!(e, CliError::NotLoggedIn(_)) {
                p.error_text(&e);
            } else {
                p.error(&e, &context(&cli.command));
            }
            e.code()
        }
    }
}

/// The command's name, target and model, for `hfs.error/1`.
fn context(cmd: &Command) -> ErrorContext {
    let (command, target, model) = match cmd {
        Command::Api(a) => ("api", Some(a.connect.target.clone()), None),
        Command::Call(a) => ("call", Some(a.connect.target.clone()), None),
        Command::Auth(AuthCommand::Status) => ("auth status", None, None),
        Command::Auth(AuthCommand::Login { .. }) => ("auth login", None, None),
        Command::Auth(AuthCommand::Logout { .. }) => ("auth logout", None, None),
        Command::Space(SpaceCommand::Info { space }) => ("space info", Some(space.clone()), None),
        Command::Quota => ("quota", None, None),
        Command::Search(SearchCommand::Spaces { .. }) => ("search spaces", None, None),
        Command::Search(SearchCommand::Models { .. }) => ("search models", None, None),
        Command::Models(_) => ("models", None, None),
        Command::Presets => ("presets", None, None),
        Command::Resume(a) => ("resume", Some(a.dir.display().to_string()), None),
        Command::Run(a) => ("run", Some(a.pipeline.display().to_string()), None),
        Command::Gallery(a) => ("gallery", Some(a.dir.display().to_string()), None),
        Command::Image(a) => ("image", None, a.run.model.clone()),
        Command::Video(a) => ("video", None, a.run.model.clone()),
        Command::Speech(a) => ("speech", None, a.run.model.clone()),
        Command::Transcribe(a) => ("transcribe", None, a.run.model.clone()),
        Command::Chat(a) => ("chat", None, a.run.model.clone()),
        Command::Mcp(_) => ("mcp", None, None),
    };
    ErrorContext { command: command.into(), target, model }
}
