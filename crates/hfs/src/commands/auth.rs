//! `hfs auth status|login|logout`: one login shared with the `hf` CLI.

use std::io::{IsTerminal, Read};

use hfs_hub::{HubClient, StoredToken, Token, TokenPolicy, TokenSource};
use hfs_schema::AuthDoc;

use crate::cli::{AuthCommand, GlobalArgs};
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, cmd: &AuthCommand) -> Result<(), CliError> {
    match cmd {
        AuthCommand::Status => status(global, p).await,
        AuthCommand::Login { token_name } => login(global, p, token_name.as_deref()).await,
        AuthCommand::Logout { token_name } => logout(p, token_name.as_deref()),
    }
}

/// `logged_in: false`: with `--json` that is the answer, printed here (exit 1 all the same).
fn not_logged_in(p: &Printer, source: Option<&TokenSource>, error: Option<String>, message: String) -> CliError {
    if p.json() {
        p.doc(&AuthDoc {
            schema: AuthDoc::SCHEMA.into(),
            logged_in: false,
            source: source.map(env::source_label),
            error,
            ..Default::default()
        });
    }
    CliError::NotLoggedIn(message)
}

async fn status(global: &GlobalArgs, p: &Printer) -> Result<(), CliError> {
    let (hub, source) = env::hub_client(global.token.as_deref(), p).await?;
    let Some(source) = source else {
        let msg = "not logged in: no token in --token, HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the token file";
        return Err(not_logged_in(p, None, None, msg.into()));
    };
    let me = match hub.whoami().await {
        Ok(me) => me,
        Err(e @ hfs_hub::HubError::InvalidToken { .. }) => {
            let msg = match &source {
                TokenSource::Env(var) => format!("{e} (the token came from ${var}: fix or unset it)"),
                other => format!("{e} (the token came from {})", env::source_label(other)),
            };
            return Err(not_logged_in(p, Some(&source), Some(e.to_string()), msg));
        }
        Err(e) => return Err(CliError::Hub(e)),
    };
    let hub_url = hub.config().endpoint.as_str().trim_end_matches('/').to_string();
    if p.json() {
        p.doc(&AuthDoc {
            schema: AuthDoc::SCHEMA.into(),
            logged_in: true,
            user: Some(me.name),
            kind: Some(me.kind),
            fullname: me.fullname,
            orgs: Some(me.orgs),
            token_name: me.token_name,
            token_role: me.token_role,
            source: Some(env::source_label(&source)),
            hub: Some(hub_url),
            error: None,
        });
        return Ok(());
    }
    let mut out = format!("Logged in to {hub_url} as {}{}\n", me.name, me.fullname.as_ref().map(|f| format!(" ({f})")).unwrap_or_default());
    if !me.orgs.is_empty() {
        out.push_str(&format!("  orgs:   {}\n", me.orgs.join(", ")));
    }
    if let Some(n) = &me.token_name {
        out.push_str(&format!("  token:  {n}{}\n", me.token_role.as_ref().map(|r| format!(" (role {r})")).unwrap_or_default()));
    }
    out.push_str(&format!("  from:   {}\n", env::source_label(&source)));
    p.out(&out);
    Ok(())
}

async fn login(global: &GlobalArgs, p: &Printer, name: Option<&str>) -> Result<(), CliError> {
    let raw = match &global.token {
        Some(t) => t.clone(),
        None if std::io::stdin().is_terminal() => {
            p.status("Paste a token from https://huggingface.co/settings/tokens (input is hidden).");
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
    let hub_cfg = env::hub_config()?;
    let hub = HubClient::new(env::http_client(), hub_cfg.clone(), TokenPolicy::new(Some(token.clone()), &hub_cfg));
    let me = hub.whoami().await.map_err(CliError::Hub)?;
    let section = name.map(str::to_string).or(me.token_name.clone()).unwrap_or_else(|| format!("oauth-{}", me.name));
    let store = env::token_store().map_err(CliError::Other)?;
    store
        .save_login(&section, StoredToken { hf_token: token.expose().to_string(), ..Default::default() })
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot save the token in {}: {e}", store.token_path.display())))?;
    if p.json() {
        p.doc(&AuthDoc {
            schema: AuthDoc::SCHEMA.into(),
            logged_in: true,
            user: Some(me.name.clone()),
            token_name: Some(section.clone()),
            source: Some(store.token_path.display().to_string()),
            ..Default::default()
        });
    } else {
        p.out(&format!("Logged in as {} (token `{section}`); saved to {}\n", me.name, store.token_path.display()));
    }
    if let Some((_, TokenSource::Env(var))) = env::token(None) {
        p.note(&format!("${var} is set and takes precedence over the saved token"));
    }
    Ok(())
}

fn logout(p: &Printer, name: Option<&str>) -> Result<(), CliError> {
    let store = env::token_store().map_err(CliError::Other)?;
    let had_active = store.read_active().is_some();
    let removed = store.logout(name).map_err(|e| CliError::Other(anyhow::anyhow!("cannot remove the saved token: {e}")))?;
    match (name, removed.is_empty(), had_active) {
        (Some(n), true, _) => return Err(CliError::Usage(format!("no saved token named `{n}`"))),
        _ if p.json() => p.doc(&AuthDoc { schema: AuthDoc::SCHEMA.into(), logged_in: false, ..Default::default() }),
        (None, true, false) => p.out("Not logged in; nothing to remove.\n"),
        _ => p.out(&format!(
            "Logged out{}.\n",
            if removed.is_empty() { String::new() } else { format!(" (removed `{}`)", removed.join("`, `")) }
        )),
    }
    if let Some((_, TokenSource::Env(var))) = env::token(None) {
        p.note(&format!("${var} is still set, so hfs keeps using that token"));
    }
    Ok(())
}
