//! The CLI's words for the libraries' structured hints: the one place that names flags,
//! commands and environment variables in advice.

use hfs_core::Hint;

/// The advice for one hint, as `hint: …` shows it.
pub fn advice(h: &Hint) -> String {
    match h {
        Hint::LogIn => {
            "create a token at https://huggingface.co/settings/tokens, then run `hfs auth login` or set HF_TOKEN".into()
        }
        Hint::TokenWithAccess => {
            "if it is private: create a token that can read it at https://huggingface.co/settings/tokens, then run `hfs auth login`, set HF_TOKEN or pass --token".into()
        }
        Hint::TokenPermission => "check the token's permissions at https://huggingface.co/settings/tokens".into(),
        Hint::AppCredentials => "pass --auth USER:PASS".into(),
        Hint::PickEndpoint { endpoints } if !endpoints.is_empty() => format!(
            "name one: `hfs call SPACE {0} …`, or `--endpoint {0}` for image, video, speech, transcribe and chat (see `hfs api SPACE`)",
            endpoints[0]
        ),
        Hint::PickEndpoint { .. } => "see `hfs api SPACE` for its endpoints".into(),
        Hint::GiveParameter { name } => format!("pass it as {name}=VALUE"),
        Hint::PositionalOnly { name } => format!("drop `{name}=` and give every argument by position, in order (see `hfs api SPACE`)"),
        Hint::FixParameter { name: Some(n) } => format!("fix `{n}` (--param {n}=VALUE)"),
        Hint::FixParameter { name: None } => "check the parameters (--param KEY=VALUE)".into(),
        Hint::PickProvider { providers } if providers.is_empty() => "try another --provider".into(),
        Hint::PickProvider { providers } => format!("pass --provider with one of: {}", providers.join(", ")),
        Hint::ProviderWithKey => "or pass --provider with --provider-key".into(),
        Hint::ProviderKey { key_variable: Some(v), .. } => format!("pass --provider-key or set {v}"),
        Hint::ProviderKey { .. } => "pass --provider-key".into(),
        Hint::FindModel { task } => format!("pick a model that has one (`hfs search models --task {task}`)"),
        Hint::Billing => "bill an organization with --bill-to ORG".into(),
        Hint::WaitLonger => "allow a longer wait with --wait DURATION (default 10m)".into(),
        Hint::LongerDeadline => "raise --timeout to wait longer".into(),
        Hint::CheckEndpoints => "check your network connection, and HF_ENDPOINT / HF_ROUTER_URL if set".into(),
        Hint::RetryLater { after_secs: Some(s) } => format!("try again in {s}s"),
        Hint::RetryLater { after_secs: None } => "try again later".into(),
        Hint::OtherSpace => "use another Space, or duplicate this one (or give --fallback)".into(),
        Hint::CheckQuota => "see what is left and when it resets with `hfs quota`".into(),
        Hint::AllowDirectory { .. } => "copy the file under an allowed directory, or start `hfs mcp` with --allow-dir DIR".into(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_become_flag_advice() {
        assert!(advice(&Hint::LogIn).contains("hfs auth login"));
        assert_eq!(advice(&Hint::GiveParameter { name: "seed".into() }), "pass it as seed=VALUE");
        assert!(advice(&Hint::PickProvider { providers: vec!["fal-ai".into(), "replicate".into()] }).contains("--provider"));
        assert!(
            advice(&Hint::ProviderKey { provider: "openai".into(), key_variable: Some("OPENAI_API_KEY".into()) })
                .contains("OPENAI_API_KEY")
        );
    }
}
