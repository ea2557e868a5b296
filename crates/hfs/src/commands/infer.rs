//! What `image`, `video`, `speech`, `transcribe` and `chat` share: the client from flags and the
//! environment, `--param` parsing, live status on stderr, Ctrl-C, output names, errors.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hfs_inference::{InferenceClient, InferenceEvent, InferenceOptions, OutputSpec, ProviderChoice, SavedFile, Served};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value, json};

use crate::cli::{GlobalArgs, InferArgs};
use crate::env;
use crate::exit::{CliError, report};
use crate::slug::slug;

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

/// A running inference command: the client, its live display and Ctrl-C handling.
pub struct Session {
    pub client: InferenceClient,
    pub provider: ProviderChoice,
    pub live: Live,
    pub started: Instant,
}

/// Builds the client: hub and router URLs, the HF token, provider keys (`--provider-key`, else
/// each provider's usual variable), `HFS_PROVIDER_URL_*` overrides, retries, poll interval,
/// timeout, bill-to, live events and a Ctrl-C that cancels the job.
pub async fn session(global: &GlobalArgs, args: &InferArgs) -> Result<Session, CliError> {
    let hub = env::hub_config().map_err(|e| CliError::Usage(e.to_string()))?;
    let token = env::token_refreshed(global.token.as_deref(), &hub).await?;
    if let Some((t, source)) = &token {
        tracing::debug!(token = %t.redacted(), %source, "using a Hugging Face token");
    }
    let provider = ProviderChoice::parse(Some(&args.provider));
    let mut opts = InferenceOptions {
        poll_interval: args.poll_interval,
        timeout: args.timeout,
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
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    opts.events = Some(tx);
    let cancel = opts.cancel.clone();
    tokio::spawn(async move {
        crate::signals::first().await;
        cancel.cancel();
    });

    let live = Live::new(args.quiet);
    let shown = live.clone();
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            shown.on_event(&ev);
        }
    });
    let policy = hfs_hub::TokenPolicy::new(token.map(|(t, _)| t), &hub);
    let client = InferenceClient::new(env::http_client(), hub, policy, opts);
    Ok(Session { client, provider, live, started: Instant::now() })
}

impl Session {
    pub fn duration_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }

    /// Runs a library call; after Ctrl-C it gets a few seconds to cancel the provider's job.
    pub async fn guarded<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, hfs_inference::InferenceError>>,
    ) -> Result<T, CliError> {
        let cancel = self.client.options().cancel.clone();
        tokio::pin!(fut);
        let r = tokio::select! {
            r = &mut fut => r,
            _ = cancel.cancelled() => match tokio::time::timeout(Duration::from_secs(5), &mut fut).await {
                Ok(r) => r,
                Err(_) => return Err(CliError::Interrupted),
            },
        };
        r.map_err(CliError::from)
    }
}

/// Which media task a command runs.
#[derive(Clone, Copy)]
pub enum Media {
    TextToImage,
    ImageToImage,
    TextToVideo,
    ImageToVideo,
    TextToSpeech,
}

/// `image`, `video` and `speech`: one prompt (and maybe an input image) in, one file out.
/// Prints the file's path, or the `schema` object with `--json`.
pub async fn media(
    global: &GlobalArgs,
    args: &InferArgs,
    dir: &std::path::Path,
    schema: &str,
    task: Media,
    prompt: &str,
    input: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let model = model(args)?;
    let params = params(&args.params)?;
    let input = match input {
        Some(p) => Some(hfs_inference::InputFile::read(p).await?),
        None => None,
    };
    let s = session(global, args).await?;
    let mut req = hfs_inference::MediaRequest::new(model.clone(), s.provider.clone()).prompt(prompt).params(params);
    if let Some(f) = input {
        req = req.input(f);
    }
    let out = output_spec(dir, &model);
    let c = &s.client;
    let result = match task {
        Media::TextToImage => s.guarded(c.text_to_image(&req, &out)).await,
        Media::ImageToImage => s.guarded(c.image_to_image(&req, &out)).await,
        Media::TextToVideo => s.guarded(c.text_to_video(&req, &out)).await,
        Media::ImageToVideo => s.guarded(c.image_to_video(&req, &out)).await,
        Media::TextToSpeech => s.guarded(c.text_to_speech(&req, &out)).await,
    };
    s.live.clear();
    let o = result?;
    if args.json {
        let mut v = served_json(schema, &model, &o.served, s.duration_ms());
        v["files"] = json!([file_json(&o.file)]);
        println!("{v}");
    } else {
        println!("{}", o.file.path.display());
    }
    Ok(())
}

/// Where a generated file goes: `{dir}/{model-slug}.{ext}` (`-2`, `-3`… when taken).
pub fn output_spec(dir: &std::path::Path, model: &str) -> OutputSpec {
    let name = model.rsplit('/').next().unwrap_or(model);
    OutputSpec::new(dir, slug(name))
}

/// A saved file as `--json` shows it.
pub fn file_json(f: &SavedFile) -> Value {
    json!({"path": f.path, "size": f.size, "mime_type": f.mime_type, "url": f.url})
}

/// The fields every media/ASR `--json` object shares.
pub fn served_json(schema: &str, model: &str, served: &Served, duration_ms: u128) -> Value {
    json!({
        "schema": schema,
        "model": model,
        "provider": served.provider,
        "provider_model": served.provider_model,
        "routed": served.routed,
        "job_id": served.job_id,
        "duration_ms": duration_ms,
    })
}

/// Reports a failure: `hfs.error/1` on stdout with `--json`, `error: …` on stderr always.
pub fn finish(result: Result<(), CliError>, json: bool, model: Option<&str>) -> Result<(), CliError> {
    if let Err(e) = &result {
        if json {
            println!("{}", json!({"schema": "hfs.error/1", "model": model, "error": e.to_json()}));
        }
        report(e);
    }
    result
}

/// Live status on stderr: a spinner with the provider, job status and queue position on a
/// terminal; provider log lines always (unless `--quiet`).
#[derive(Clone)]
pub struct Live {
    bar: Arc<Mutex<Option<ProgressBar>>>,
    quiet: bool,
}

impl Live {
    fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("template"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message("resolving the provider");
            bar
        });
        Self { bar: Arc::new(Mutex::new(bar)), quiet }
    }

    fn on_event(&self, ev: &InferenceEvent) {
        // Provider text (statuses, reasons) is shown on one line, without control sequences.
        let ev = &sanitized(ev);

        let guard = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let bar = guard.as_ref();
        match ev {
            InferenceEvent::Resolved { provider, provider_model, .. } => {
                if let Some(b) = bar {
                    b.set_message(format!("{provider} ({provider_model}): sending"));
                }
            }
            InferenceEvent::Submitted { provider, job_id } => {
                if let Some(b) = bar {
                    b.set_message(match job_id {
                        Some(j) => format!("{provider}: job {j} submitted"),
                        None => format!("{provider}: waiting for the answer"),
                    });
                }
            }
            InferenceEvent::Status { status, queue_position } => {
                if let Some(b) = bar {
                    b.set_message(match queue_position {
                        Some(p) => format!("{status}: position {p} in the queue"),
                        None => status.clone(),
                    });
                }
            }
            InferenceEvent::Log { message } => {
                if !self.quiet {
                    match bar {
                        Some(b) => b.println(format!("log: {message}")),
                        None => eprintln!("log: {message}"),
                    }
                }
            }
            InferenceEvent::Retrying { attempt, wait_ms, reason } => {
                if let Some(b) = bar {
                    b.set_message(format!("retry {attempt} in {:.1}s ({reason})", *wait_ms as f64 / 1000.0));
                }
            }
            InferenceEvent::Downloading { .. } => {
                if let Some(b) = bar {
                    b.set_message("downloading the output");
                }
            }
        }
    }

    /// Clears the spinner (before printing results or streamed tokens).
    pub fn clear(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}

/// An event with its provider-sent text made safe for a terminal line.
fn sanitized(ev: &InferenceEvent) -> InferenceEvent {
    use hfs_core::text::one_line;
    match ev {
        InferenceEvent::Status { status, queue_position } => {
            InferenceEvent::Status { status: one_line(status), queue_position: *queue_position }
        }
        InferenceEvent::Retrying { attempt, wait_ms, reason } => {
            InferenceEvent::Retrying { attempt: *attempt, wait_ms: *wait_ms, reason: one_line(reason) }
        }
        InferenceEvent::Submitted { provider, job_id } => {
            InferenceEvent::Submitted { provider: provider.clone(), job_id: job_id.as_deref().map(one_line) }
        }
        InferenceEvent::Log { message } => InferenceEvent::Log { message: hfs_core::text::strip_terminal_escapes(message).into_owned() },
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn outputs_are_named_after_the_model() {
        assert_eq!(output_spec(std::path::Path::new("."), "black-forest-labs/FLUX.1-dev").stem, "flux-1-dev");
    }
}
