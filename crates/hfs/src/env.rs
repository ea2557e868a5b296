//! Everything hfs reads from the environment, in one place (the libraries read none of it).

use hfs_hub::{HubConfig, Token, TokenEnv, TokenSource, discover_token};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `HF_ENDPOINT` and `HF_ROUTER_URL`.
pub fn hub_config() -> anyhow::Result<HubConfig> {
    let endpoint = var("HF_ENDPOINT");
    let router = var("HF_ROUTER_URL");
    HubConfig::new(endpoint.as_deref(), router.as_deref())
        .map_err(|e| anyhow::anyhow!("HF_ENDPOINT or HF_ROUTER_URL is not a valid URL ({e}); fix or unset it"))
}

/// The token as `huggingface_hub` finds it; `--token` wins. `HF_HUB_DISABLE_IMPLICIT_TOKEN`
/// turns off everything but `--token`.
pub fn token(explicit: Option<&str>) -> Option<(Token, TokenSource)> {
    let disabled = var("HF_HUB_DISABLE_IMPLICIT_TOKEN").is_some_and(|v| matches!(v.to_ascii_uppercase().as_str(), "1" | "ON" | "YES" | "TRUE"));
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
