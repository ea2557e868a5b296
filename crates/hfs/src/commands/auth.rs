//! `hfs auth status|login|logout`: one login shared with the `hf` CLI.

use std::io::{IsTerminal, Read};

use hfs_hub::{HubClient, StoredToken, Token, TokenPolicy, TokenSource};
use serde_json::json;

use crate::cli::{AuthCommand, GlobalArgs};
use crate::env;
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, cmd: &AuthCommand) -> Result<(), CliError> {
    match cmd {
        AuthCommand::Status(flag) => status(global, flag.json).await,
        AuthCommand::Login { token_name } => login(global, token_name.as_deref()).await,
        AuthCommand::Logout { token_name } => logout(token_name.as_deref()),
    }
}

async fn status(global: &GlobalArgs, json: bool) -> Result<(), CliError> {
    let (hub, source) = env::hub_client(global.token.as_deref()).await?;
    let Some(source) = source else {
        let msg = "not logged in: no token in --token, HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the token file. Create one at https://huggingface.co/settings/tokens and run `hfs auth login`.";
        if json {
            println!("{}", json!({"schema": "hfs.auth/1", "logged_in": false}));
        }
        return Err(CliError::Other(anyhow::anyhow!(msg)));
    };
    let me = match hub.whoami().await {
        Ok(me) => me,
        Err(e) => {
            let invalid = matches!(e, hfs_hub::HubError::InvalidToken { .. });
            if json && invalid {
                println!("{}", json!({"schema": "hfs.auth/1", "logged_in": false, "source": source.to_string(), "error": e.to_string()}));
            }
            return Err(CliError::Other(match (invalid, &source) {
                (true, TokenSource::Env(var)) => anyhow::anyhow!("{e} (the token came from ${var}: fix or unset it)"),
                (true, _) => anyhow::anyhow!("{e} (the token came from {source})"),
                _ => e.into(),
            }));
        }
    };
    if json {
        println!(
            "{}",
            json!({"schema": "hfs.auth/1", "logged_in": true, "user": me.name, "type": me.kind, "fullname": me.fullname,
                   "orgs": me.orgs, "token_name": me.token_name, "token_role": me.token_role, "source": source.to_string(),
                   "hub": hub.config().endpoint.as_str().trim_end_matches('/')})
        );
        return Ok(());
    }
    println!(
        "Logged in to {} as {}{}",
        hub.config().endpoint.as_str().trim_end_matches('/'),
        me.name,
        me.fullname.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
    );
    if !me.orgs.is_empty() {
        println!("  orgs:   {}", me.orgs.join(", "));
    }
    if let Some(n) = &me.token_name {
        println!("  token:  {n}{}", me.token_role.as_ref().map(|r| format!(" (role {r})")).unwrap_or_default());
    }
    println!("  from:   {source}");
    Ok(())
}

async fn login(global: &GlobalArgs, name: Option<&str>) -> Result<(), CliError> {
    let raw = match &global.token {
        Some(t) => t.clone(),
        None if std::io::stdin().is_terminal() => {
            eprintln!("Paste a token from https://huggingface.co/settings/tokens (input is hidden).");
            rpassword::prompt_password("Token: ").map_err(|e| CliError::Other(e.into()))?
        }
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| CliError::Other(e.into()))?;
            s
        }
    };
    let token =
        Token::new(&raw).ok_or_else(|| CliError::Usage("no token given: pass it on stdin, at the prompt, or with --token".into()))?;
    if token.expose().starts_with("api_org") {
        return Err(CliError::Usage("organization tokens (api_org…) cannot log in; use a user access token".into()));
    }
    let hub_cfg = env::hub_config().map_err(CliError::Other)?;
    let hub = HubClient::new(env::http_client(), hub_cfg.clone(), TokenPolicy::new(Some(token.clone()), &hub_cfg));
    let me = hub.whoami().await.map_err(CliError::Hub)?;
    let section = name.map(str::to_string).or(me.token_name.clone()).unwrap_or_else(|| format!("oauth-{}", me.name));
    let store = env::token_store().map_err(CliError::Other)?;
    store
        .save_login(&section, StoredToken { hf_token: token.expose().to_string(), ..Default::default() })
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot save the token in {}: {e}", store.token_path.display())))?;
    println!("Logged in as {} (token `{section}`); saved to {}", me.name, store.token_path.display());
    if let Some((_, TokenSource::Env(var))) = env::token(None) {
        eprintln!("note: ${var} is set and takes precedence over the saved token");
    }
    Ok(())
}

fn logout(name: Option<&str>) -> Result<(), CliError> {
    let store = env::token_store().map_err(CliError::Other)?;
    let had_active = store.read_active().is_some();
    let removed = store.logout(name).map_err(|e| CliError::Other(anyhow::anyhow!("cannot remove the saved token: {e}")))?;
    match (name, removed.is_empty(), had_active) {
        (Some(n), true, _) => return Err(CliError::Usage(format!("no saved token named `{n}`"))),
        (None, true, false) => println!("Not logged in; nothing to remove."),
        _ => println!("Logged out{}.", if removed.is_empty() { String::new() } else { format!(" (removed `{}`)", removed.join("`, `")) }),
    }
    if let Some((_, TokenSource::Env(var))) = env::token(None) {
        eprintln!("note: ${var} is still set, so hfs keeps using that token");
    }
    Ok(())
}
