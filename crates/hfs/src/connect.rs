//! Turning command-line and environment settings into a connected client.

use std::io::IsTerminal;
use std::sync::Arc;

use hfs_gradio::{Client, ClientOptions, Error, SpaceStage};

use crate::cli::{ConnectArgs, GlobalArgs};
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;

/// Builds the client options: hub location, token (and where it may go), auth, headers.
pub async fn options(global: &GlobalArgs, p: &Printer, args: &ConnectArgs) -> Result<ClientOptions, CliError> {
    let hub = env::hub_config()?;
    let token = env::token_refreshed(global.token.as_deref(), &hub, p).await?;
    if let Some((t, source)) = &token {
        tracing::debug!(token = %t.redacted(), %source, "using a Hugging Face token");
    }
    let auth = match &args.auth {
        Some(a) => Some(
            a.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .ok_or_else(|| CliError::Usage(format!("--auth takes USER:PASS, got `{}`", a.split(':').next().unwrap_or_default())))?,
        ),
        None => None,
    };
    let headers = args
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| CliError::Usage(format!("-H takes 'Name: value', got `{h}`")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let printer = *p;
    let on_stage: Option<hfs_gradio::StageCallback> = (!p.quiet()).then(|| {
        let last = std::sync::Mutex::new(None::<String>);
        Arc::new(move |stage: &SpaceStage| {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if last.as_deref() != Some(stage.as_str()) {
                printer.status(&format!("Space is {stage}; waiting for it to start…"));
                *last = Some(stage.as_str().to_string());
            }
        }) as hfs_gradio::StageCallback
    });
    Ok(ClientOptions {
        hub,
        // An explicit --token is for this app: its origin gets it too, no other origin does.
        token_to_target: global.token.is_some(),

        token: token.map(|(t, _)| t),
        auth,
        headers,
        space_wait: args.wait,
        on_stage,
        limits: env::limits()?,
        ..ClientOptions::default()
    })
}

/// Connects; an app that needs a login and no `--auth` gets a prompt on a terminal.
pub async fn connect(global: &GlobalArgs, p: &Printer, args: &ConnectArgs) -> Result<Client, CliError> {
    let mut opts = options(global, p, args).await?;
    match Client::connect(&args.target, opts.clone()).await {
        Err(Error::AuthRequired { .. }) if opts.auth.is_none() && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            opts.auth = Some(prompt_credentials().map_err(|e| CliError::Other(e.into()))?);
            Ok(Client::connect(&args.target, opts).await?)
        }
        other => Ok(other?),
    }
}

fn prompt_credentials() -> std::io::Result<(String, String)> {
    eprint!("This app needs a login.\nUsername: ");
    let mut user = String::new();
    std::io::stdin().read_line(&mut user)?;
    let pass = rpassword::prompt_password("Password: ")?;
    Ok((user.trim().to_string(), pass))
}
