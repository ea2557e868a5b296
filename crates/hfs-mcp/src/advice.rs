//! This front end's words for the libraries' hints: tool arguments and the server's own
//! options, never the CLI's flags for a single command.

use hfs_core::Hint;

pub(crate) fn advice(h: &Hint) -> String {
    match h {
        Hint::LogIn => {
            "this server needs a Hugging Face token: run `hfs auth login` (or set HF_TOKEN) where it runs, then restart it".into()
        }
        Hint::TokenWithAccess => "if the Space is private, the server's Hugging Face token must be able to read it".into(),
        Hint::TokenPermission => "check the server token's permissions at https://huggingface.co/settings/tokens".into(),
        Hint::AppCredentials => "this app asks for a username and password, which tools cannot pass; use another Space".into(),
        Hint::PickEndpoint { endpoints } if !endpoints.is_empty() => {
            format!("pass `endpoint` (one of: {}); space_api lists what each takes", endpoints.join(", "))
        }
        Hint::PickEndpoint { .. } => "see space_api for its endpoints".into(),
        Hint::GiveParameter { name } => format!("pass `{name}` in the arguments"),
        Hint::PositionalOnly { .. } => "this endpoint has no parameter names; call it from the hfs CLI with positional arguments".into(),
        Hint::FixParameter { name: Some(n) } => format!("fix the value of `{n}`"),
        Hint::FixParameter { name: None } => "check the arguments against space_api".into(),
        Hint::PickProvider { providers } if providers.is_empty() => "try another `provider`".into(),
        Hint::PickProvider { providers } => format!("pass `provider` as one of: {}", providers.join(", ")),
        Hint::ProviderWithKey => "or use a provider whose key the server has".into(),
        Hint::ProviderKey { key_variable: Some(v), .. } => format!("the server needs this provider's key: set {v} where it runs"),
        Hint::ProviderKey { .. } => "the server needs this provider's own key".into(),
        Hint::FindModel { task } => format!("pick a model that one serves (search_models with task `{task}`)"),
        Hint::Billing => "check credits and billing on the server's Hugging Face account".into(),
        Hint::WaitLonger => "the Space is still starting: call again in a minute".into(),
        Hint::LongerDeadline => "the server's --timeout was reached; restart it with a longer one".into(),
        Hint::CheckEndpoints => "the server cannot reach Hugging Face: check its network and HF_ENDPOINT / HF_ROUTER_URL".into(),
        Hint::RetryLater { after_secs: Some(s) } => format!("call again in {s}s"),
        Hint::RetryLater { after_secs: None } => "call again later".into(),
        Hint::OtherSpace => "use another Space (search_spaces), or pass `fallback`".into(),
        Hint::CheckQuota => "the ZeroGPU quota of the server's account is used up until it resets; pass `fallback` to run elsewhere".into(),
        Hint::AllowDirectory { allowed, .. } if allowed.is_empty() => {
            "this server may read no directory: restart it with --allow-dir DIR, or have the client declare a root".into()
        }
        Hint::AllowDirectory { allowed, .. } => {
            format!("use a file under {} (or a root the client declares); the server's --allow-dir sets more", allowed.join(", "))
        }
        _ => String::new(),
    }
}
