//! Everything hfs reads from the environment, in one place (the libraries read none of it).

use hfs_hub::{HubConfig, Token, TokenEnv, TokenSource, discover_token};

use crate::exit::CliError;
use crate::printer::Printer;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `HF_ENDPOINT` and `HF_ROUTER_URL`; `HFS_HUB_RETRIES` (how often a Hub GET answered
/// 429/5xx is retried, 0 for never) and `HFS_HUB_BACKOFF` (the first retry delay, e.g. `200ms`).
/// A bad value is a usage error (exit 2) in every command.
pub fn hub_config() -> Result<HubConfig, CliError> {
    let endpoint = var("HF_ENDPOINT");
    let router = var("HF_ROUTER_URL");
    let mut retry = hfs_hub::RetryPolicy::default();
    if let Some(n) = var("HFS_HUB_RETRIES") {
        retry.max_retries =
            n.trim().parse().map_err(|_| CliError::Usage(format!("HFS_HUB_RETRIES must be a number of retries, got `{n}`")))?;
    }
    if let Some(d) = var("HFS_HUB_BACKOFF") {
        retry.base_delay = crate::cli::parse_duration(&d).map_err(|e| CliError::Usage(format!("HFS_HUB_BACKOFF: {e}")))?;
        retry.max_delay = retry.max_delay.max(retry.base_delay);
    }
    Ok(HubConfig::new(endpoint.as_deref(), router.as_deref())
        .map_err(|e| CliError::Usage(format!("HF_ENDPOINT or HF_ROUTER_URL is not a valid URL ({e}); fix or unset it")))?
        .with_retry(retry))
}

/// The token as `huggingface_hub` finds it; `--token` wins. `HF_HUB_DISABLE_IMPLICIT_TOKEN`
/// turns off everything but `--token`.
pub fn token(explicit: Option<&str>) -> Option<(Token, TokenSource)> {
    let disabled =
        var("HF_HUB_DISABLE_IMPLICIT_TOKEN").is_some_and(|v| matches!(v.to_ascii_uppercase().as_str(), "1" | "ON" | "YES" | "TRUE"));
    let env = if disabled {
        TokenEnv::default()
    } else {
        TokenEnv {
            hf_token: var("HF_TOKEN"),
            hugging_face_hub_token: var("HUGGING_FACE_HUB_TOKEN"),
            hf_token_path: var("HF_TOKEN_PATH"),
            hf_home: var("HF_HOME"),
            xdg_cache_home: var("XDG_CACHE_HOME"),
            home: var("HOME"),
        }
    };
    discover_token(explicit, &env)
}

/// Where `hfs auth login` saves the token (`HF_TOKEN_PATH`, else `$HF_HOME/token`).
pub fn token_store() -> anyhow::Result<hfs_hub::TokenStore> {
    let env = TokenEnv {
        hf_token_path: var("HF_TOKEN_PATH"),
        hf_home: var("HF_HOME"),
        xdg_cache_home: var("XDG_CACHE_HOME"),
        home: var("HOME"),
        ..Default::default()
    };
    let path = env.token_path().ok_or_else(|| anyhow::anyhow!("cannot tell where the token file goes: set HF_HOME or HOME"))?;
    Ok(hfs_hub::TokenStore::new(path))
}

/// The token, with a saved browser login refreshed when it is about to expire (as `hf` does).
/// A token an HTTP header cannot carry (a stray control or non-ASCII character in a file or a
/// variable) is a usage error here, never a silently empty or mangled header later.
pub async fn token_refreshed(explicit: Option<&str>, hub: &HubConfig, p: &Printer) -> Result<Option<(Token, TokenSource)>, CliError> {
    let Some((token, source)) = token(explicit) else { return Ok(None) };
    if !token.is_header_safe() {
        return Err(CliError::Usage(format!(
            "the token from {} contains characters an HTTP header cannot carry (control or non-ASCII characters); fix it or log in again",
            source_label(&source)
        )));
    }
    let TokenSource::File(path) = &source else { return Ok(Some((token, source))) };
    let store = hfs_hub::TokenStore::new(path.clone());
    let client_id = var("HF_DEVICE_CODE_OAUTH_CLIENT_ID").unwrap_or_else(|| hfs_hub::DEFAULT_OAUTH_CLIENT_ID.into());
    let anonymous = hfs_hub::HubClient::new(http_client(), hub.clone(), hfs_hub::TokenPolicy::new(None, hub));
    Ok(match hfs_hub::refresh_if_needed(&store, &anonymous, &client_id).await {
        Ok(Some(fresh)) => match Token::new(&fresh).filter(Token::is_header_safe) {
            Some(t) => Some((t, source)),
            None => {
                p.warn("the Hub's refreshed token cannot be sent in a header; using the saved one (run `hfs auth login` if calls fail)");
                Some((token, source))
            }
        },

        Ok(None) => Some((token, source)),
        Err(e) => {
            p.warn(&format!("could not refresh your saved login ({e}); run `hfs auth login` if calls fail"));
            Some((token, source))
        }
    })
}

/// Body read bounds: `HFS_IDLE_TIMEOUT` (longest silence inside a body, default 60s).
pub fn limits() -> Result<hfs_core::body::Limits, CliError> {
    let mut limits = hfs_core::body::Limits::default();
    if let Some(d) = var("HFS_IDLE_TIMEOUT") {
        limits.idle = crate::cli::parse_duration(&d).map_err(|e| CliError::Usage(format!("HFS_IDLE_TIMEOUT: {e}")))?;
    }
    Ok(limits)
}

/// The HTTP client every command uses.
pub fn http_client() -> reqwest::Client {
    hfs_gradio::build_client(concat!("hfs/", env!("CARGO_PKG_VERSION"))).expect("HTTP client")
}

/// A Hub client with the user's token (if any).
pub async fn hub_client(explicit: Option<&str>, p: &Printer) -> Result<(hfs_hub::HubClient, Option<TokenSource>), CliError> {
    let hub = hub_config()?;
    let token = token_refreshed(explicit, &hub, p).await?;
    let source = token.as_ref().map(|(_, s)| s.clone());
    let policy = hfs_hub::TokenPolicy::new(token.map(|(t, _)| t), &hub);
    Ok((hfs_hub::HubClient::new(http_client(), hub, policy), source))
}

/// Where a token came from, in the CLI's words (`--token`, `$HF_TOKEN`, a file path).
pub fn source_label(source: &TokenSource) -> String {
    match source {
        TokenSource::Explicit => "--token".into(),
        other => other.to_string(),
    }
}

/// Where the user's presets live: `$XDG_CONFIG_HOME/hfs/presets`, else `~/.config/hfs/presets`.
pub fn presets_dir() -> Option<std::path::PathBuf> {
    let base =
        var("XDG_CONFIG_HOME").map(std::path::PathBuf::from).or_else(|| var("HOME").map(|h| std::path::Path::new(&h).join(".config")))?;
    Some(base.join("hfs/presets"))
}

/// The built-in presets plus every `*.toml` in [`presets_dir`]; a file that does not parse is a
/// warning naming it (and the line), never a silent skip.
pub fn presets(p: &Printer) -> hfs_generate::Presets {
    let mut presets = hfs_generate::Presets::builtin();
    let Some(dir) = presets_dir() else { return presets };
    let Ok(entries) = std::fs::read_dir(&dir) else { return presets };
    let mut files: Vec<std::path::PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|f| f.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    for f in files {
        let origin = f.display().to_string();
        match std::fs::read_to_string(&f) {
            Ok(text) => {
                if let Err(e) = presets.add(&origin, &text) {
                    p.warn(&format!("preset ignored: {e}"));
                }
            }
            Err(e) => p.warn(&format!("preset ignored: cannot read {origin}: {e}")),
        }
    }
    presets
}

/// The config file: `$XDG_CONFIG_HOME/hfs/config.toml`, else `~/.config/hfs/config.toml`.
pub fn config_path() -> Option<std::path::PathBuf> {
    presets_dir().and_then(|d| d.parent().map(|p| p.join("config.toml")))
}

/// The `[defaults]` table of the config file: a task's default backends, in order
/// (`image = ["space:Tongyi-MAI/Z-Image-Turbo", "model:black-forest-labs/FLUX.1-schnell"]`).
/// No file is no defaults of the user's; a file that does not parse is a usage error naming it.
pub fn default_backends(task: &str) -> Result<Option<Vec<String>>, CliError> {
    let Some(path) = config_path() else { return Ok(None) };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::Usage(format!("cannot read {}: {e}", path.display()))),
    };
    let table: toml::Table = toml::from_str(&text).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    let Some(entry) = table.get("defaults").and_then(|d| d.get(task)) else { return Ok(None) };
    let list =
        entry.as_array().and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()).ok_or_else(|| {
            CliError::Usage(format!("{}: defaults.{task} must be a list of backends, e.g. [\"space:owner/name\"]", path.display()))
        })?;
    Ok(Some(list))
}
