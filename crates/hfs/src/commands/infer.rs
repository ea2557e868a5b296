//! What `image`, `video`, `speech`, `transcribe` and `chat` share: the client from flags and the
//! environment, `--param` parsing, one job run with live progress and Ctrl-C, output names.

use std::time::{Duration, Instant};

use futures::StreamExt;
use hfs_inference::{CallOptions, InferenceClient, InferenceOptions, InferenceTask, JobEvent, Outcome, ProviderChoice};
use serde_json::{Map, Value};

use crate::cli::{GlobalArgs, InferArgs};
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;

/// A provider's direct base URL from `HFS_PROVIDER_URL_<ID>` (`fal-ai` → `HFS_PROVIDER_URL_FAL_AI`).
pub fn provider_url_var(id: &str) -> String {
    format!("HFS_PROVIDER_URL_{}", id.to_ascii_uppercase().replace(['-', '.'], "_"))
}

/// `--model`, required while Inference Providers is the only backend.
pub fn model(args: &InferArgs) -> Result<String, CliError> {
    match args.model.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => Ok(m.to_string()),
        _ => Err(CliError::Usage(
            "--model ID is required (e.g. --model black-forest-labs/FLUX.1-dev; `hfs search models --task …` lists some)".into(),
        )),
    }
}

/// `--param k=v` pairs: values are JSON when they parse, else strings.
pub fn params(raw: &[String]) -> Result<Map<String, Value>, CliError> {
    let mut out = Map::new();
    for p in raw {
        let (k, v) = p
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::Usage(format!("--param takes KEY=VALUE, got `{p}`")))?;
        let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string()));
        out.insert(k.trim().to_string(), value);
    }
    Ok(out)
}

/// A running inference command: the client and the provider choice.
pub struct Session {
    pub client: InferenceClient,
    pub provider: ProviderChoice,
    started: Instant,
    timeout: Option<Duration>,
}

/// Builds the client: hub and router URLs, the HF token, provider keys (`--provider-key`, else
/// each provider's usual variable), `HFS_PROVIDER_URL_*` overrides, retries, poll interval and
/// bill-to. The deadline is the job's, not the client's.
pub async fn session(global: &GlobalArgs, p: &Printer, args: &InferArgs) -> Result<Session, CliError> {
    let hub = env::hub_config()?;
    let token = env::token_refreshed(global.token.as_deref(), &hub, p).await?;
    if let Some((t, source)) = &token {
        tracing::debug!(token = %t.redacted(), %source, "using a Hugging Face token");
    }
    let provider = ProviderChoice::parse(Some(&args.provider));
    let mut opts = InferenceOptions {
        poll_interval: args.poll_interval,
        bill_to: args.bill_to.clone(),
        limits: env::limits()?,
        ..InferenceOptions::default()
    };
    opts.retry.max_retries = args.retries;
    for spec in hfs_inference::registry::PROVIDERS {
        if let Some(key) = spec.key_env.and_then(|v| std::env::var(v).ok()).filter(|k| !k.is_empty()) {
            opts.provider_keys.insert(spec.id.to_string(), key);
        }
        if let Some(u) = std::env::var(provider_url_var(spec.id)).ok().filter(|u| !u.is_empty()) {
            let url =
                url::Url::parse(&u).map_err(|e| CliError::Usage(format!("{}: `{u}` is not a URL ({e})", provider_url_var(spec.id))))?;
            opts.provider_urls.insert(spec.id.to_string(), url);
        }
    }
    if let Some(key) = &args.provider_key {
        match &provider {
            ProviderChoice::Named(p) => {
                opts.provider_keys.insert(p.clone(), key.clone());
            }
            ProviderChoice::Auto => return Err(CliError::Usage("--provider-key needs --provider (whose key is it?)".into())),
        }
    }
    let policy = hfs_hub::TokenPolicy::new(token.map(|(t, _)| t), &hub);
    let client = InferenceClient::new(env::http_client(), hub, policy, opts);
    Ok(Session { client, provider, started: Instant::now(), timeout: args.timeout })
}

impl Session {
    pub fn duration_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Runs one job with live progress on stderr. Streamed chat pieces go to `on_token` (the
    /// progress line is cleared before the first). After Ctrl-C the job gets a few seconds to
    /// cancel the provider's work; a closed stdout cancels it too.
    pub async fn run(
        &self,
        p: &Printer,
        task: InferenceTask,
        mut on_token: impl FnMut(&str) -> Result<(), crate::printer::Closed>,
    ) -> Result<Outcome, CliError> {
        let mut job = self.client.submit(task, CallOptions { timeout: self.timeout });
        let mut progress = p.progress("resolving the provider");
        let mut ctrl_c = Box::pin(crate::signals::first());
        let mut grace: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
        let mut reader_gone = false;
        loop {
            let ev = tokio::select! {
                ev = job.next() => ev,
                _ = &mut ctrl_c, if grace.is_none() => {
                    job.cancel();
                    grace = Some(Box::pin(tokio::time::sleep(Duration::from_secs(5))));
                    continue;
                }
                _ = async { grace.as_mut().expect("armed").await }, if grace.is_some() => return Err(CliError::Interrupted),
            };
            let Some(ev) = ev else { return Err(CliError::Interrupted) };
            match ev {
                JobEvent::Progress(e) => progress.inference(&e),
                JobEvent::Token(t) => {
                    progress.clear();
                    if !reader_gone && on_token(&t).is_err() {
                        reader_gone = true;
                        job.cancel();
                    }
                }
                JobEvent::Completed(o) => return Ok(o),
                JobEvent::Failed(_) if reader_gone => std::process::exit(0),
                JobEvent::Failed(hfs_inference::InferenceError::Cancelled) if grace.is_some() => return Err(CliError::Interrupted),
                JobEvent::Failed(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_are_json_when_they_parse() {
        let p =
            params(&["steps=30".into(), "loop=true".into(), "name=a=b".into(), "size={\"w\":2}".into(), "s=hello world".into()]).unwrap();
        assert_eq!(Value::Object(p), json!({"steps": 30, "loop": true, "name": "a=b", "size": {"w": 2}, "s": "hello world"}));
        assert!(params(&["nokey".into()]).is_err());
        assert!(params(&["=v".into()]).is_err());
    }

    #[test]
    fn provider_url_variables() {
        assert_eq!(provider_url_var("fal-ai"), "HFS_PROVIDER_URL_FAL_AI");
        assert_eq!(provider_url_var("zai-org"), "HFS_PROVIDER_URL_ZAI_ORG");
    }
}
