//! The client: options, model mapping (cached), provider choice, routed vs direct endpoints,
//! and one place that sends requests with retries and turns error answers into typed errors.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hfs_hub::{HubClient, HubConfig, ProviderEntry, RetryPolicy, Token, TokenPolicy};
use reqwest::{Method, RequestBuilder, Response};
use url::Url;

use crate::error::{faulty_parameter, next_step, server_message};
use crate::job::Call;
use crate::registry::{self, ProviderSpec, Route, Task};
use crate::{InferenceError, InferenceEvent};

/// How calls are made. The CLI fills this from flags and the environment; the library reads none.
#[derive(Clone, Debug)]
pub struct InferenceOptions {
    /// Poll interval of asynchronous jobs; `None` uses each provider's usual interval.
    pub poll_interval: Option<Duration>,
    /// Retries of 429/502/503/504 and dropped connections: count, backoff, total waiting budget.
    pub retry: RetryPolicy,
    /// Direct base URLs replacing a provider's own (keyed by provider id), e.g. for tests.
    pub provider_urls: HashMap<String, Url>,
    /// Providers' own keys (keyed by provider id): calls with a non-`hf_` key go direct.
    pub provider_keys: HashMap<String, String>,
    /// `X-HF-Bill-To` on routed calls.
    pub bill_to: Option<String>,
    /// Size and idle-time bounds of every body read from a provider or CDN.
    pub limits: hfs_core::body::Limits,
}

impl Default for InferenceOptions {
    fn default() -> Self {
        Self {
            poll_interval: None,
            retry: RetryPolicy {
                max_retries: 3,
                base_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(8),
                budget: Duration::from_secs(60),
            },
            provider_urls: HashMap::new(),
            provider_keys: HashMap::new(),
            bill_to: None,
            limits: hfs_core::body::Limits::default(),
        }
    }
}

/// An Inference Providers client. Cheap to clone; clones share the mapping cache.
#[derive(Clone)]
pub struct InferenceClient {
    pub(crate) http: reqwest::Client,
    pub(crate) hub: HubClient,
    pub(crate) opts: InferenceOptions,
    mappings: Arc<Mutex<HashMap<String, Vec<ProviderEntry>>>>,
}

/// Which provider to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderChoice {
    /// The first live provider hfs knows in the Hub's order (the user's preference order).
    Auto,
    Named(String),
}

impl ProviderChoice {
    /// `None`, `""` and `"auto"` mean [`ProviderChoice::Auto`].
    pub fn parse(s: Option<&str>) -> Self {
        match s.map(str::trim) {
            None | Some("") | Some("auto") => ProviderChoice::Auto,
            Some(p) => ProviderChoice::Named(p.to_string()),
        }
    }
}

/// Where one call goes.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub spec: &'static ProviderSpec,
    pub route: &'static Route,
    pub pid: String,
    pub hf_id: String,
    /// Base URL: `ROUTER/{provider}` when routed, else the provider's own.
    pub base: Url,
    pub routed: bool,
    pub auth: Option<String>,
}

impl InferenceClient {
    /// `http` should not send credentials across redirects; `policy` carries the HF token.
    pub fn new(http: reqwest::Client, config: HubConfig, policy: TokenPolicy, opts: InferenceOptions) -> Self {
        let hub = HubClient::new(http.clone(), config, policy);
        Self { http, hub, opts, mappings: Arc::default() }
    }

    /// The same client with a token (convenience for library users).
    pub fn with_token(http: reqwest::Client, config: HubConfig, token: Option<Token>, opts: InferenceOptions) -> Self {
        let policy = TokenPolicy::new(token, &config);
        Self::new(http, config, policy, opts)
    }

    pub fn options(&self) -> &InferenceOptions {
        &self.opts
    }

    pub(crate) fn router(&self) -> &Url {
        &self.hub.config().router
    }

    fn hf_token(&self) -> Option<&str> {
        self.hub.policy().token().map(Token::expose)
    }

    /// The Hub's providers for a model (both mapping forms), fetched once per client.
    pub async fn model_providers(&self, model: &str) -> Result<Vec<ProviderEntry>, InferenceError> {
        if let Some(m) = self.mappings.lock().expect("mapping cache").get(model) {
            return Ok(m.clone());
        }
        let entries = self.hub.model_providers(model).await?;
        self.mappings.lock().expect("mapping cache").insert(model.to_string(), entries.clone());
        Ok(entries)
    }

    /// Known live providers serving `model` for `task`, in the Hub's order.
    pub async fn serving_providers(&self, model: &str, task: Task) -> Vec<String> {
        let Ok(entries) = self.model_providers(model).await else { return Vec::new() };
        entries
            .iter()
            .filter(|e| e.status.as_deref().is_none_or(|s| s == "live"))
            .filter(|e| e.task.as_deref().is_none_or(|t| task.accepts(t)))
            .filter(|e| registry::provider(&e.provider).is_some_and(|p| p.route(task).is_some()))
            .map(|e| e.provider.clone())
            .collect()
    }

    /// Chooses the provider and provider-side model id for a task.
    pub(crate) async fn resolve(&self, model: &str, task: Task, choice: &ProviderChoice, call: &Call) -> Result<Target, InferenceError> {
        let known = || registry::PROVIDERS.iter().map(|p| p.id.to_string()).collect::<Vec<_>>();
        let (spec, pid) = match choice {
            ProviderChoice::Named(name) => {
                let spec =
                    registry::provider(name).ok_or_else(|| InferenceError::UnknownProvider { provider: name.clone(), known: known() })?;
                if spec.route(task).is_none() {
                    return Err(InferenceError::TaskUnsupported {
                        provider: name.clone(),
                        task: task.hub_name(),
                        supported: registry::providers_for(task).into_iter().map(str::to_string).collect(),
                    });
                }
                let pid = if spec.direct_only || spec.id == "hf-inference" {
                    // openai: the model id verbatim; hf-inference: the Hub id (no mapping, as upstream).
                    model.to_string()
                } else {
                    let entries = self.model_providers(model).await?;
                    match entries.iter().find(|e| e.provider == spec.id) {
                        Some(e) => {
                            if let Some(t) = e.task.as_deref().filter(|t| !task.accepts(t)) {
                                return Err(InferenceError::Usage(format!(
                                    "provider `{}` serves `{model}` for {t}, not {}",
                                    spec.id,
                                    task.hub_name()
                                )));
                            }
                            match e.status.as_deref() {
                                Some("staging") => tracing::warn!("`{model}` on {} is in staging: meant for test purposes only", spec.id),
                                Some("error") => tracing::warn!("`{model}` on {} failed its latest health check", spec.id),
                                _ => {}
                            }
                            e.provider_id.clone().unwrap_or_else(|| model.to_string())
                        }
                        None => {
                            return Err(InferenceError::NotServedBy {
                                model: model.into(),
                                provider: spec.id.into(),
                                task: task.hub_name(),
                                serving: self.serving_providers(model, task).await,
                            });
                        }
                    }
                };
                (spec, pid)
            }
            ProviderChoice::Auto => {
                let entries = self.model_providers(model).await?;
                let pick = entries.iter().find(|e| {
                    e.status.as_deref().is_none_or(|s| s == "live")
                        && e.task.as_deref().is_none_or(|t| task.accepts(t))
                        && registry::provider(&e.provider).is_some_and(|p| p.route(task).is_some() && !p.direct_only)
                });
                match pick {
                    Some(e) => {
                        (registry::provider(&e.provider).expect("checked"), e.provider_id.clone().unwrap_or_else(|| model.to_string()))
                    }
                    None => {
                        return Err(InferenceError::NoProvider {
                            model: model.into(),
                            task: task.hub_name(),
                            mapped: entries.iter().map(|e| format!("{} ({})", e.provider, e.status.as_deref().unwrap_or("?"))).collect(),
                        });
                    }
                }
            }
        };
        let route = spec.route(task).expect("checked");
        let (base, routed, auth) = self.endpoint(spec, route)?;
        call.emit(InferenceEvent::Resolved { provider: spec.id.into(), provider_model: pid.clone(), routed });
        Ok(Target { spec, route, pid, hf_id: model.to_string(), base, routed, auth })
    }

    /// Routed (`ROUTER/{provider}`, HF token) or direct (the provider's base, its own key).
    /// A provider's own key goes direct unless it is an `hf_` token; the HF token always goes
    /// through the router, never to a provider host.
    fn endpoint(&self, spec: &ProviderSpec, route: &Route) -> Result<(Url, bool, Option<String>), InferenceError> {
        let own = self.opts.provider_keys.get(spec.id).map(String::as_str).filter(|k| !k.is_empty());
        match own {
            Some(key) if !key.starts_with("hf_") && !spec.direct.is_empty() => {
                let base = match self.opts.provider_urls.get(spec.id) {
                    Some(u) => u.clone(),
                    None => {
                        let s = match route.flow {
                            registry::Flow::FalQueue => spec.direct_queue.unwrap_or(spec.direct),
                            _ => spec.direct,
                        };
                        Url::parse(s).expect("registry URLs are valid")
                    }
                };
                Ok((base, false, Some(format!("{} {key}", spec.key_scheme))))
            }
            _ if spec.direct_only => {
                Err(InferenceError::NeedsProviderKey { provider: spec.id.into(), key_variable: spec.key_env.map(str::to_string) })
            }
            _ => {
                let key = own.or(self.hf_token());
                Ok((join(self.router(), spec.id), true, key.map(|k| format!("Bearer {k}"))))
            }
        }
    }

    /// The auto chat route: `ROUTER/v1/chat/completions` with the HF token.
    pub(crate) fn auto_chat_target(&self) -> Result<(Url, Option<String>), InferenceError> {
        if let Some(t) = self.hf_token() {
            Ok((join(self.router(), "v1/chat/completions"), Some(format!("Bearer {t}"))))
        } else {
            Err(InferenceError::NeedsToken("automatic provider choice for chat".into()))
        }
    }

    /// A request with the target's auth and, when routed, `X-HF-Bill-To`.
    pub(crate) fn request(&self, method: Method, url: Url, auth: Option<&str>, routed: bool) -> RequestBuilder {
        let mut req = self.http.request(method, url);
        // Marked sensitive so it is never logged; a key a header cannot carry is not sent (the
        // call then fails with the provider's own "unauthorized", never with a mangled header).
        if let Some(mut v) = auth.and_then(|a| reqwest::header::HeaderValue::from_str(a).ok()) {
            v.set_sensitive(true);
            req = req.header(reqwest::header::AUTHORIZATION, v);
        }
        if routed && let Some(b) = &self.opts.bill_to {
            req = req.header("X-HF-Bill-To", b);
        }
        req
    }

    /// Sends with retries on 429 (honouring Retry-After), 502, 503, 504 and dropped
    /// connections, bounded by count, waiting budget and the deadline. Any other non-2xx
    /// answer becomes [`InferenceError::Api`] at once.
    ///
    /// A [`Resend::SubmitOnce`] request (a job submit, a sync generation, a chat completion: work
    /// that is billed) is sent again only when the answer proves it was not taken: 429, or 503
    /// with `Retry-After`. A 502/504 or a connection dropped after sending may mean the provider
    /// is already running it, and a second submit would run and bill it twice.
    pub(crate) async fn send(
        &self,
        provider: &str,
        call: &Call,
        resend: Resend,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, InferenceError> {
        let policy = &self.opts.retry;
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            let req = build();
            let sent = self.within(call, async { Ok(req.send().await) }).await?;

            let (err, server_wait) = match sent {
                // Redirects of reads go back to the caller, which follows them (asset fetches).
                Ok(resp) if resp.status().is_success() || (resend == Resend::Idempotent && resp.status().is_redirection()) => {
                    return Ok(resp);
                }

                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let err = self.api_error(provider, resp).await;
                    let w = err.retry_after();
                    let again = match resend {
                        Resend::Idempotent => matches!(status, 429 | 502 | 503 | 504),
                        Resend::SubmitOnce => status == 429 || (status == 503 && w.is_some()),
                    };
                    if !again {
                        return Err(err);
                    }
                    (err, w)
                }
                Err(e) if e.is_connect() || e.is_builder() => {
                    let url = e.url().map(|u| u.to_string()).unwrap_or_default();
                    return Err(InferenceError::Connect { url, cause: root_cause(&e) });
                }
                Err(e) => {
                    let url = e.url().map(|u| u.to_string()).unwrap_or_default();
                    let err = InferenceError::Connect { url, cause: root_cause(&e) };
                    if resend == Resend::SubmitOnce {
                        return Err(err);
                    }
                    (err, None)
                }
            };
            let wait = server_wait.unwrap_or_else(|| jitter(policy.backoff(attempt)));
            let over_deadline = call.remaining().is_some_and(|r| wait >= r);
            if attempt >= policy.max_retries || waited.saturating_add(wait) > policy.budget || over_deadline {
                return Err(err);
            }
            attempt += 1;
            call.emit(InferenceEvent::Retrying { attempt, wait_ms: wait.as_millis() as u64, reason: err.to_string() });
            tracing::debug!(error = %err, ?wait, "inference request failed; retrying");
            self.pause(wait, call).await?;
            waited = waited.saturating_add(wait);
        }
    }

    /// Runs `fut` unless cancelled or past the deadline first (body reads, downloads).
    pub(crate) async fn within<T>(
        &self,
        call: &Call,
        fut: impl std::future::Future<Output = Result<T, InferenceError>>,
    ) -> Result<T, InferenceError> {
        tokio::select! {
            r = fut => r,
            _ = call.cancel.cancelled() => Err(InferenceError::Cancelled),
            _ = sleep_until(call) => Err(InferenceError::Timeout(call.limit.unwrap_or_default())),
        }
    }

    /// Reads a whole answer into memory: at most the JSON cap (decoded), each chunk within the
    /// idle timeout, the whole within the call's deadline.
    pub(crate) async fn read_whole(&self, resp: Response, call: &Call) -> Result<bytes::Bytes, InferenceError> {
        let url = resp.url().to_string();
        let limits = self.opts.limits;
        let read = async {
            hfs_core::body::read_limited(resp.bytes_stream(), limits.json_bytes, limits.idle)
                .await
                .map_err(|e| InferenceError::Download { url, message: e.to_string() })
        };
        self.within(call, read).await
    }

    /// Sleeps, unless cancelled or past the deadline first.
    pub(crate) async fn pause(&self, d: Duration, call: &Call) -> Result<(), InferenceError> {
        self.within(call, async {
            tokio::time::sleep(d).await;
            Ok(())
        })
        .await
    }

    /// An error answer as a typed error: status, request id, the server's message, a next step.
    pub(crate) async fn api_error(&self, provider: &str, resp: Response) -> InferenceError {
        let status = resp.status().as_u16();
        let url = resp.url().to_string();
        let h = resp.headers();
        let request_id = ["x-request-id", "x-amzn-trace-id", "x-amz-cf-id"]
            .iter()
            .find_map(|n| h.get(*n).and_then(|v| v.to_str().ok()).map(str::to_string));
        let header_msg = h.get("x-error-message").and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = hfs_hub::retry_after(h);
        let body = hfs_core::body::read_prefix(resp.bytes_stream(), hfs_core::body::ERROR_LIMIT, Duration::from_secs(10)).await;
        let body = String::from_utf8_lossy(&body).into_owned();
        let mut message = server_message(&body);
        if (message == "(no details)" || message == "(an HTML page)")
            && let Some(m) = header_msg
        {
            message = m;
        }
        let parameter = if matches!(status, 400 | 422) { faulty_parameter(&body) } else { None };
        InferenceError::Api {
            provider: provider.to_string(),
            status,
            url,
            request_id,
            message,
            next_step: next_step(status, provider, parameter.as_deref()),
            parameter,
            retry_after,
        }
    }

    /// Fetches an output asset from a provider CDN: a plain GET, never with a token.
    pub(crate) async fn fetch_asset(&self, url: &str, call: &Call) -> Result<Response, InferenceError> {
        let parsed = Url::parse(url)
            .map_err(|_| InferenceError::Protocol { provider: "provider".into(), message: format!("output URL `{url}` is not a URL") })?;
        call.emit(InferenceEvent::Downloading { url: url.to_string() });
        // CDNs redirect to signed storage URLs: follow, a bounded number of hops. No credential
        // is ever sent on these requests, so following cannot leak one.
        let mut at = parsed;
        for _ in 0..MAX_ASSET_REDIRECTS {
            let resp = self.send("the asset host", call, Resend::Idempotent, || self.http.get(at.clone())).await;
            let resp = match resp {
                Ok(r) => r,
                Err(InferenceError::Api { status, url, message, .. }) => {
                    return Err(InferenceError::Download { url, message: format!("HTTP {status}: {message}") });
                }
                Err(e) => return Err(e),
            };
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            let next = resp.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).and_then(|l| at.join(l).ok());
            match next {
                Some(n) if matches!(n.scheme(), "http" | "https") => at = n,
                _ => {
                    return Err(InferenceError::Download {
                        url: at.to_string(),
                        message: format!("HTTP {} without a usable Location", resp.status().as_u16()),
                    });
                }
            }
        }
        Err(InferenceError::Download { url: url.to_string(), message: format!("more than {MAX_ASSET_REDIRECTS} redirects") })
    }
}

async fn sleep_until(call: &Call) {
    match call.remaining() {
        Some(r) => tokio::time::sleep(r).await,
        None => std::future::pending().await,
    }
}

/// Backoff plus up to 25% random jitter.
fn jitter(d: Duration) -> Duration {
    let r = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    d.saturating_add(d / 4000 * r)
}

/// Redirect hops followed when fetching an output asset.
pub(crate) const MAX_ASSET_REDIRECTS: usize = 10;

/// Whether a request may be sent again after a failure that does not prove it was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Reads (polls, asset downloads): retried on 429/502/503/504 and dropped connections.
    Idempotent,
    /// Work that runs and bills once per request: retried only on 429 and 503 with Retry-After.
    SubmitOnce,
}

/// `base/path`, keeping any sub-path of base.
pub(crate) fn join(base: &Url, path: &str) -> Url {
    let s = format!("{}/{}", base.as_str().trim_end_matches('/'), path.trim_start_matches('/'));
    Url::parse(&s).unwrap_or_else(|_| base.clone())
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
