//! Connecting to an app: resolving a Space through the Hub, waiting for it to run, logging in,
//! reading `/config` and `/info` once, and submitting calls.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hfs_hub::{HubClient, HubConfig, SpaceStage, Token, TokenPolicy};
use serde_json::Value;
use tokio::task::JoinHandle;
use url::Url;

use crate::args::{Args, build_data};
use crate::config::AppConfig;
use crate::endpoint::{Endpoint, EndpointRef, resolve};
use crate::error::Error;
use crate::filedata::FileData;
use crate::http::{Http, SHORT_TIMEOUT, build_client_with_jar, error_body, error_body_raw, json_body, parse_headers, retry_after, send};
use crate::job::{CallOptions, Job};
use crate::protocol::Protocol;
use crate::session::Session;
use crate::target::{Target, join};
use crate::transfer::{self, SavedFile};

/// Called with each stage while waiting for a Space to start (for live feedback).
pub type StageCallback = Arc<dyn Fn(&SpaceStage) + Send + Sync>;

/// How to connect. Everything is explicit: the library reads no environment variables.
#[derive(Clone)]
pub struct ClientOptions {
    pub hub: HubConfig,
    pub token: Option<Token>,
    /// The user gave the token explicitly for this app: send it (as `X-HF-Authorization`) to the
    /// app's own origin too, even when the Hub did not name it. Never to any other origin.
    pub token_to_target: bool,
    /// Username and password for apps launched with `auth=`.
    pub auth: Option<(String, String)>,
    /// Extra headers sent on every request to the app's origin (never to another origin: not a
    /// redirect target, not an output URL on another host, not a URL input).
    pub headers: Vec<(String, String)>,
    pub user_agent: String,
    /// How long to wait for a sleeping or building Space.
    pub space_wait: Duration,
    /// How long to retry a `/config` that answers 5xx or a non-JSON page (a Space waking up).
    pub config_retry: Duration,
    /// A stream with no message (not even a heartbeat) for this long is considered lost.
    pub stream_idle_timeout: Duration,
    pub on_stage: Option<StageCallback>,
    /// At most this many calls of this client are in the app's queue at once (0: no limit); the
    /// others wait locally, in submit order. Gradio sends every queued job an `estimation` message
    /// each time any job starts, so N jobs queued at once cost the server and us O(N²) messages.
    /// The default, 40, is Gradio's default worker count (and gradio_client's `max_workers`).
    pub max_in_flight: usize,
    /// Size and idle-time bounds of every body read from the app (JSON answers, error pages,
    /// downloads, SSE events).
    pub limits: hfs_core::body::Limits,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            hub: HubConfig::default(),
            token: None,
            token_to_target: false,
            auth: None,
            headers: Vec::new(),
            user_agent: concat!("hfs/", env!("CARGO_PKG_VERSION")).to_string(),
            space_wait: Duration::from_secs(600),
            config_retry: Duration::from_secs(120),
            stream_idle_timeout: Duration::from_secs(90),
            on_stage: None,
            max_in_flight: 40,
            limits: hfs_core::body::Limits::default(),
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("hub", &self.hub)
            .field("token", &self.token)
            .field("auth", &self.auth.as_ref().map(|(u, _)| (u, "***")))
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) http: Http,
    pub(crate) options: ClientOptions,
    pub(crate) target: Target,
    pub(crate) base: Url,
    pub(crate) api: Url,
    pub(crate) config: AppConfig,
    pub(crate) protocol: Protocol,
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) info: Value,
    /// The Space's hardware as the Hub reports it (`zero-a10g`, `t4-small`, …); `None` for URLs.
    pub(crate) hardware: Option<String>,
    session: Mutex<Arc<Session>>,
    heartbeat: Mutex<Option<(String, JoinHandle<()>)>>,
    /// Permits for calls in flight (`ClientOptions::max_in_flight`); `None` when unlimited.
    pub(crate) in_flight: Option<Arc<tokio::sync::Semaphore>>,
}

impl Inner {
    pub(crate) fn session(&self) -> Arc<Session> {
        self.session.lock().expect("session lock").clone()
    }

    /// Holds `heartbeat/{session}` open when the app asks for it (State cleanup, streams).
    pub(crate) fn start_heartbeat(&self) {
        if !self.config.connect_heartbeat {
            return;
        }
        let hash = self.session().hash.clone();
        let mut hb = self.heartbeat.lock().expect("heartbeat lock");
        if hb.as_ref().is_some_and(|(h, _)| *h == hash) {
            return;
        }
        if let Some((_, task)) = hb.take() {
            task.abort();
        }
        let http = self.http.clone();
        let url = join(&self.api, &format!("heartbeat/{hash}"));
        let task = tokio::spawn(async move {
            let mut backoff = Duration::from_secs(1);
            for _ in 0..8 {
                if let Ok(resp) = send(http.get(url.clone()), &url).await {
                    if resp.status().is_client_error() && resp.status().as_u16() != 429 {
                        return;
                    }
                    let mut body = resp.bytes_stream();
                    while let Some(Ok(_)) = futures::StreamExt::next(&mut body).await {}
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        });
        *hb = Some((hash, task));
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some((_, task)) = self.heartbeat.get_mut().ok().and_then(Option::take) {
            task.abort();
        }
    }
}

/// A connection to one Gradio app. Cheap to clone; clones share the session, cookies and config.
/// Many calls may run at once on one client.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base.as_str()).field("version", &self.inner.config.version).finish()
    }
}

impl Client {
    /// Connects to a Space id (`owner/name`) or an http(s) URL.
    pub async fn connect(src: &str, options: ClientOptions) -> Result<Client, Error> {
        let target = Target::parse(src)?;
        let policy = TokenPolicy::new(options.token.clone(), &options.hub);
        let extra = parse_headers(&options.headers)?;
        let (client, jar) = build_client_with_jar(&options.user_agent)?;
        let (base, hardware) = match &target {
            Target::Url(u) => (u.clone(), None),
            Target::Space(id) => {
                let hub = HubClient::new(client.clone(), options.hub.clone(), policy.clone());
                resolve_space(&hub, &client, &policy, &extra, id, &options).await?
            }
        };
        if options.token_to_target {
            policy.trust_space_host(&base);
        }
        let mut http = Http::new(client, policy, extra, Some(&base));
        http.jar = Some(jar);
        if let Some((user, pass)) = &options.auth {
            login(&http, &base, user, pass).await?;
        }
        let (config, info) = fetch_config_and_info(&http, &base, &target, &options).await?;
        let protocol = config.protocol().map_err(|p| Error::Protocol(format!("unknown queue protocol `{p}`")))?;
        if protocol == Protocol::Ws && config.version_tuple().0 < 3 {
            return Err(Error::UnsupportedProtocol { protocol: "ws".into(), version: config.version.clone() });
        }
        let api = api_root(&base, &config.api_prefix);
        let endpoints = Endpoint::build_all(&config, &info);
        let in_flight = (options.max_in_flight > 0).then(|| Arc::new(tokio::sync::Semaphore::new(options.max_in_flight)));
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                options,
                target,
                base,
                api,
                config,
                protocol,
                endpoints,
                info,
                hardware,
                session: Mutex::new(Session::new()),
                heartbeat: Mutex::new(None),
                in_flight,
            }),
        })
    }

    /// The app's base URL (what requests are sent to).
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The root of the app's API routes (`BASE/gradio_api/` on 5.x+, `BASE/` before).
    pub fn api_url(&self) -> &Url {
        &self.inner.api
    }

    pub fn target(&self) -> &Target {
        &self.inner.target
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    pub fn protocol(&self) -> &Protocol {
        &self.inner.protocol
    }

    /// The Space's hardware as the Hub reports it (`zero-a10g` is ZeroGPU); `None` for a URL.
    pub fn hardware(&self) -> Option<&str> {
        self.inner.hardware.as_deref()
    }

    /// Whether the Space runs on ZeroGPU (shared GPUs with a per-user quota).
    pub fn is_zero_gpu(&self) -> bool {
        self.hardware().is_some_and(|h| h.starts_with("zero-"))
    }

    /// The raw `/info` answer.
    pub fn api_info(&self) -> &Value {
        &self.inner.info
    }

    /// Every backend endpoint, private ones included (they cannot be called).
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.inner.endpoints
    }

    pub fn endpoint(&self, which: &EndpointRef) -> Result<&Endpoint, Error> {
        resolve(&self.inner.endpoints, which)
    }

    /// The session id all calls of this client share (so `gr.State` persists between them).
    pub fn session_hash(&self) -> String {
        self.inner.session().hash.clone()
    }

    /// Starts a fresh session: State is forgotten for new calls.
    pub fn reset_session(&self) {
        *self.inner.session.lock().expect("session lock") = Session::new();
    }

    /// Validates the arguments (no request is made when they are wrong) and starts the call.
    pub fn submit(&self, which: &EndpointRef, args: &Args, opts: CallOptions) -> Result<Job, Error> {
        let endpoint = self.endpoint(which)?.clone();
        let prepared = build_data(&endpoint, args, self.inner.config.version_tuple().0)?;
        Ok(Job::spawn(self.inner.clone(), endpoint, prepared, opts))
    }

    /// Submits and waits for the final outputs.
    pub async fn predict(&self, which: &EndpointRef, args: &Args) -> Result<crate::Outputs, Error> {
        self.submit(which, args, CallOptions::default())?.result().await
    }

    /// Whether outputs of this app tag their files with `meta._type` (used to find files in outputs).
    pub fn tags_files(&self) -> bool {
        self.inner.protocol.tags_files()
    }

    /// Every file in an output value, with its JSON pointer.
    pub fn files_in(&self, value: &Value) -> Vec<(String, FileData)> {
        crate::filedata::find_files(value, self.tags_files())
    }

    /// Where an output file would be downloaded from.
    pub fn file_url(&self, f: &FileData) -> Url {
        transfer::download_url(&self.inner, f)
    }

    /// Downloads an output file into `dir` as `{stem}.{ext}` (unique, atomic, streamed).
    pub async fn download(&self, f: &FileData, dir: &Path, stem: &str) -> Result<SavedFile, Error> {
        transfer::download(&self.inner, f, dir, stem, None).await
    }

    /// [`Client::download`], putting `png_chunk` (see `hfs_core::write::png_text_chunk`) after the
    /// header of a PNG as it streams to disk.
    pub async fn download_with_png_chunk(&self, f: &FileData, dir: &Path, stem: &str, png_chunk: &[u8]) -> Result<SavedFile, Error> {
        transfer::download(&self.inner, f, dir, stem, Some(png_chunk)).await
    }

    /// Uploads a local file and returns its server path.
    pub async fn upload(&self, path: &Path) -> Result<String, Error> {
        let name = crate::filedata::sanitize_filename(&path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        transfer::upload_local(&self.inner, path, &name).await
    }
}

fn api_root(base: &Url, prefix: &str) -> Url {
    let p = prefix.trim_matches('/');
    if p.is_empty() { base.clone() } else { join(base, &format!("{p}/")) }
}

/// Space id → host through the Hub, waiting while the Space starts.
async fn resolve_space(
    hub: &HubClient,
    client: &reqwest::Client,
    policy: &TokenPolicy,
    extra: &reqwest::header::HeaderMap,
    id: &str,
    options: &ClientOptions,
) -> Result<(Url, Option<String>), Error> {
    let info = hub.space_info(id).await?;
    let mut host = info.host.clone().ok_or_else(|| Error::Protocol(format!("the Hub gave no host for Space `{id}`")))?;
    if !host.path().ends_with('/') {
        let p = format!("{}/", host.path());
        host.set_path(&p);
    }
    let Some(mut runtime) = info.runtime else { return Ok((host, None)) };
    let started = tokio::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    let mut woken = false;
    loop {
        let stage = runtime.stage.clone();
        if stage.is_running() {
            return Ok((host, runtime.hardware.clone().or(runtime.requested_hardware.clone())));
        }
        if !stage.is_transient() {
            return Err(Error::SpaceNotRunning { id: id.into(), stage, message: runtime.error_message });
        }
        if let Some(cb) = &options.on_stage {
            cb(&stage);
        }
        if !woken && matches!(stage, SpaceStage::Sleeping | SpaceStage::Stopped) {
            // Any request to the host wakes a sleeping Space (even when we will not wait for it).
            woken = true;
            let http = Http::new(client.clone(), policy.clone(), extra.clone(), Some(&host));
            let _ = send(http.get(host.clone()).timeout(Duration::from_secs(10)), &host).await;
        }
        if started.elapsed() >= options.space_wait {
            return Err(Error::SpaceStartTimeout { id: id.into(), stage, waited: started.elapsed() });
        }
        tokio::time::sleep(delay.min(options.space_wait.saturating_sub(started.elapsed()))).await;
        delay = (delay * 2).min(Duration::from_secs(5));
        runtime = hub.space_runtime(id).await?;
    }
}

/// `POST BASE/login` for apps launched with `auth=`; the cookie store keeps the session cookie.
async fn login(http: &Http, base: &Url, user: &str, pass: &str) -> Result<(), Error> {
    let url = join(base, "login");
    let rb = http.post(url.clone()).form(&[("username", user), ("password", pass)]).timeout(SHORT_TIMEOUT);
    let resp = send(rb, &url).await?;
    match resp.status().as_u16() {
        200..=299 => Ok(()),
        // The app has no login (302 to the root): nothing to do.
        300..=399 => Ok(()),
        400 | 401 | 403 => Err(Error::BadCredentials),
        status => Err(Error::Http { status, url: url.to_string(), body: error_body(resp).await }),
    }
}

/// Reads `/config` (retrying while a Space wakes up) and `/info`, the latter speculatively at the
/// 5.x+ location in parallel with the config, so the common case costs one round trip.
async fn fetch_config_and_info(http: &Http, base: &Url, target: &Target, options: &ClientOptions) -> Result<(AppConfig, Value), Error> {
    let spec_url = join(base, "gradio_api/info?all_endpoints=True");
    let (config, speculative) =
        tokio::join!(fetch_config(http, base, target, options), fetch_info(http, spec_url.clone(), &options.limits));
    let config = config?;
    let prefix = config.api_prefix.trim_matches('/');
    let info = if prefix == "gradio_api" {
        match speculative {
            Ok(v) => Ok(v),
            // Asked before the config answered: the app may not have been up yet (a Space
            // starting, a server restarting), so ask again now that it is.
            Err(_) => fetch_info(http, spec_url, &options.limits).await,
        }
    } else {
        let url = join(&api_root(base, &config.api_prefix), "info?all_endpoints=True");
        fetch_info(http, url, &options.limits).await
    };
    let info = info.unwrap_or_else(|e| {
        tracing::debug!("no API info ({e}); endpoints take positional arguments only");
        Value::Null
    });
    Ok((config, info))
}

async fn fetch_info(http: &Http, url: Url, limits: &hfs_core::body::Limits) -> Result<Value, Error> {
    let resp = http.get_following(url.clone(), true).await?;
    if !resp.status().is_success() {
        return Err(Error::Http { status: resp.status().as_u16(), url: url.to_string(), body: error_body(resp).await });
    }
    json_body(resp, limits, &url).await
}

async fn fetch_config(http: &Http, base: &Url, target: &Target, options: &ClientOptions) -> Result<AppConfig, Error> {
    let url = join(base, "config");
    let started = tokio::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    let waking_allowed = matches!(target, Target::Space(_));
    loop {
        let failure = match http.get_following(url.clone(), true).await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                match status {
                    200 => match json_body(resp, &options.limits, &url).await {
                        Ok(v) if v.is_object() => return Ok(AppConfig::from_json(v)),
                        Err(e @ Error::Body { .. }) => return Err(e),
                        _ if waking_allowed => "a non-JSON page".to_string(),
                        _ => return Err(Error::NotGradio { url: url.to_string(), detail: "the answer is not JSON".into() }),
                    },
                    401 => {
                        let text = error_body_raw(resp).await;
                        return Err(match serde_json::from_str::<Value>(&text) {
                            Ok(v) => Error::AuthRequired {
                                message: v.pointer("/detail/auth_message").and_then(Value::as_str).map(str::to_string),
                            },
                            // Not JSON: the Spaces proxy refusing a private Space.
                            Err(_) => Error::AccessDenied { url: url.to_string(), status },
                        });
                    }
                    403 => return Err(Error::AccessDenied { url: url.to_string(), status }),
                    404 => return Err(Error::NotGradio { url: url.to_string(), detail: "HTTP 404".into() }),
                    429 => return Err(Error::RateLimited { url: url.to_string(), retry_after: retry_after(&resp) }),
                    500..=599 => format!("HTTP {status}"),
                    _ => return Err(Error::Http { status, url: url.to_string(), body: error_body(resp).await }),
                }
            }
            Err(e) if waking_allowed => e.to_string(),
            Err(e) => return Err(e),
        };
        if started.elapsed() + delay > options.config_retry {
            return Err(Error::NotGradio {
                url: url.to_string(),
                detail: format!("still {failure} after {}s", started.elapsed().as_secs()),
            });
        }
        tracing::debug!("config not ready ({failure}); retrying in {delay:?}");
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(8));
    }
}
