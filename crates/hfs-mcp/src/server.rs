//! The MCP server: tools listed from the fixed set and the configured Spaces, each call run as
//! its own job (progress, cancellation from the client, a deadline per backend attempt).

use std::sync::Arc;

use hfs_generate::{Candidate, GenError, GenOptions, GenTask};
use hfs_gradio::{Endpoint, Visibility};
use hfs_hub::SpaceSearch;
use hfs_schema::{SearchModelsDoc, SearchSpacesDoc};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::args::{self, Run, only};
use crate::reply;
use crate::roots::{self, Roots, RootsCache};
use crate::space_tools;
use crate::tools::{self, Def, Kind};
use crate::{McpConfig, McpError};

/// The server. Cheap to clone; each connection (a stdio session, an HTTP session) gets its own
/// view of the client's roots.
#[derive(Clone)]
pub struct HfsMcp {
    inner: Arc<Inner>,
    roots: Arc<RootsCache>,
}

struct Inner {
    config: McpConfig,
    /// The configured directories, resolved once.
    readable: hfs_generate::Readable,
    defs: Vec<Def>,
    tools: Vec<Tool>,
}

impl HfsMcp {
    pub fn new(config: McpConfig) -> HfsMcp {
        let mut defs = tools::fixed();
        defs.extend(config.space_tools.iter().enumerate().map(|(i, t)| space_tools::def(i, t)));
        let tools = defs.iter().filter_map(|d| serde_json::from_value(d.tool.clone()).ok()).collect();
        let readable = hfs_generate::Readable::new(config.allow_dirs.iter().cloned());
        HfsMcp { inner: Arc::new(Inner { config, readable, defs, tools }), roots: Default::default() }
    }

    /// The names of the fixed tools (a Space's tools are named around them).
    pub fn fixed_tool_names() -> Vec<String> {
        tools::fixed().into_iter().map(|d| d.name).collect()
    }

    /// Every tool's name, as listed.
    pub fn tool_names(&self) -> Vec<String> {
        self.inner.defs.iter().map(|d| d.name.clone()).collect()
    }

    fn session(&self) -> HfsMcp {
        HfsMcp { inner: self.inner.clone(), roots: Default::default() }
    }

    fn config(&self) -> &McpConfig {
        &self.inner.config
    }

    async fn dispatch(&self, def: &Def, request: &CallToolRequestParams, ctx: &RequestContext<RoleServer>) -> CallToolResponse {
        let args = request.arguments.clone().unwrap_or_default();
        let cfg = self.config();
        match &def.kind {
            Kind::Generate(task) => match args::generation(*task, &args, &|t| cfg.defaults_for(t)) {
                Ok(run) => self.run(run, request, ctx).await,
                Err(m) => reply::usage(&m).into(),
            },
            Kind::SpaceCall => {
                if let Err(m) = only(&args, &["space", "endpoint", "arguments"]) {
                    return reply::usage(&m).into();
                }
                let Some(space) = args.get("space").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) else {
                    return reply::usage("`space` is required").into();
                };
                let arguments = match args.get("arguments") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(m)) => m.clone(),
                    Some(_) => return reply::usage("`arguments` takes an object of parameter names and values").into(),
                };
                let client = match cfg.generator.client(space.trim()).await {
                    Ok(c) => c,
                    Err(e) => return reply::gen_error(&e).into(),
                };
                let endpoint = match pick_endpoint(space, client.endpoints(), args.get("endpoint").and_then(Value::as_str)) {
                    Ok(e) => e,
                    Err(e) => return reply::gen_error(&e).into(),
                };
                match args::call(space.trim(), &endpoint, &arguments) {
                    Ok(run) => self.run(run, request, ctx).await,
                    Err(m) => reply::usage(&m).into(),
                }
            }
            Kind::Space(i) => {
                let t = &cfg.space_tools[*i];
                match space_tools::to_endpoint_args(t, &args).and_then(|a| args::call(&t.space, &t.endpoint, &a)) {
                    Ok(run) => self.run(run, request, ctx).await,
                    Err(m) => reply::usage(&m).into(),
                }
            }
            Kind::SpaceApi => self.space_api(&args).await.into(),
            Kind::SearchSpaces => self.search_spaces(&args).await.into(),
            Kind::SearchModels => self.search_models(&args).await.into(),
        }
    }

    /// One generation or call: the readable directories settled, then the job with its events
    /// forwarded as progress until it ends.
    async fn run(&self, run: Run, request: &CallToolRequestParams, ctx: &RequestContext<RoleServer>) -> CallToolResponse {
        let cfg = self.config();
        let readable = match roots::readable(&self.inner.readable, &self.roots, ctx, request, &run.paths).await {
            Roots::Ready(r) => r,
            Roots::Ask(ask) => return ask.into(),
        };
        for p in &run.paths {
            if let Err(e) = readable.check(p) {
                return reply::gen_error(&e).into();
            }
        }
        if let Err(e) = std::fs::create_dir_all(&cfg.output_dir) {
            return reply::failure("local_io", &format!("cannot create the output directory {}: {e}", cfg.output_dir.display()), &[], None)
                .into();
        }
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let opts = GenOptions {
            out_dir: cfg.output_dir.clone(),
            timeout: cfg.timeout,
            // Cancelled when the client cancels the request (or goes away): the job is
            // cancelled on the server.
            cancel: ctx.ct.clone(),
            events: Some(tx),
            skip_manifest: false,
            readable: Some(Arc::new(readable)),
        };
        let forwarding = tokio::spawn(crate::progress::forward(ctx.peer.clone(), ctx.meta.get_progress_token(), cfg.heartbeat, rx));
        let outcome = cfg.generator.generate(run.task, &run.req, &run.backends, &opts).await;
        drop(opts);
        let _ = forwarding.await;
        match outcome {
            Ok(o) => reply::outcome(&o, cfg.inline_images).into(),
            Err(e) => {
                tracing::info!(task = run.task.as_str(), "tool call failed: {e}");
                reply::gen_error(&e).into()
            }
        }
    }

    async fn space_api(&self, args: &Map<String, Value>) -> CallToolResult {
        if let Err(m) = only(args, &["space", "all"]) {
            return reply::usage(&m);
        }
        let Some(space) = args.get("space").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) else {
            return reply::usage("`space` is required");
        };
        let all = args.get("all").and_then(Value::as_bool).unwrap_or(false);
        let client = match self.config().generator.client(space.trim()).await {
            Ok(c) => c,
            Err(e) => return reply::gen_error(&e),
        };
        let shown: Vec<&Endpoint> = client
            .endpoints()
            .iter()
            .filter(|e| e.visibility == Visibility::Public || (all && e.visibility == Visibility::Undocumented))
            .collect();
        let mut text = format!("{space}: Gradio {} at {}\n", client.config().version, client.base_url());
        for e in &shown {
            let params: Vec<String> = e
                .parameters
                .iter()
                .flatten()
                .map(|p| {
                    let ty = p.python_type.clone().unwrap_or_else(|| "any".into());
                    if p.has_default { format!("{} ({ty}, optional)", p.display_name()) } else { format!("{} ({ty})", p.display_name()) }
                })
                .collect();
            text.push_str(&format!(
                "{}: {}\n",
                e.display_name(),
                if params.is_empty() { "no parameters".into() } else { params.join(", ") }
            ));
        }
        let doc = hfs_schema::ApiDoc {
            schema: hfs_schema::ApiDoc::SCHEMA.into(),
            target: space.into(),
            url: client.base_url().to_string(),
            gradio_version: client.config().version.clone(),
            protocol: client.protocol().as_str().into(),
            endpoints: shown.iter().map(|e| hfs_gradio::describe_endpoint(e)).collect(),
        };
        reply::document(text, serde_json::to_value(doc).unwrap_or(Value::Null))
    }

    async fn search_spaces(&self, args: &Map<String, Value>) -> CallToolResult {
        if let Err(m) = only(args, &["query", "category", "limit", "include_non_running"]) {
            return reply::usage(&m);
        }
        let query = args.get("query").and_then(Value::as_str).map(str::to_string).filter(|q| !q.trim().is_empty());
        let category = args.get("category").and_then(Value::as_str).map(str::to_string);
        if query.is_none() && category.is_none() {
            return reply::usage("give `query` or `category`");
        }
        if let Some(c) = category.as_deref().filter(|c| !hfs_hub::SPACE_CATEGORIES.contains(c)) {
            return reply::usage(&format!("unknown category `{c}`; use one of: {}", hfs_hub::SPACE_CATEGORIES.join(", ")));
        }
        let limit = args.get("limit").and_then(Value::as_u64).unwrap_or(10).clamp(1, 100) as usize;
        let q = SpaceSearch {
            query,
            category,
            include_non_running: args.get("include_non_running").and_then(Value::as_bool).unwrap_or(false),
            limit: Some(limit),
        };
        let hits = match self.config().hub.search_spaces(&q).await {
            Ok(h) => h,
            Err(e) => return reply::failure(e.kind(), &hfs_core::text::with_sources(&e), &e.hints(), e.retry_after()),
        };
        let mut text = String::new();
        for h in &hits {
            text.push_str(&format!(
                "{} — {}{}\n",
                h.id,
                h.title.as_deref().unwrap_or(""),
                h.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            ));
        }
        if hits.is_empty() {
            text.push_str("No Spaces found.");
        }
        let spaces = hits.into_iter().map(hfs_hub::SpaceHit::doc).collect();
        let doc = SearchSpacesDoc { schema: SearchSpacesDoc::SCHEMA.into(), spaces };
        reply::document(hfs_core::text::strip_terminal_escapes(&text).into_owned(), serde_json::to_value(doc).unwrap_or(Value::Null))
    }

    async fn search_models(&self, args: &Map<String, Value>) -> CallToolResult {
        if let Err(m) = only(args, &["task", "provider", "query", "limit"]) {
            return reply::usage(&m);
        }
        let Some(task) = args.get("task").and_then(Value::as_str).filter(|t| !t.trim().is_empty()) else {
            return reply::usage("`task` is required (a pipeline tag such as text-to-image)");
        };
        let provider = args.get("provider").and_then(Value::as_str).unwrap_or("all");
        let query = args.get("query").and_then(Value::as_str);
        let limit = args.get("limit").and_then(Value::as_u64).unwrap_or(20).clamp(1, 100) as usize;
        let models = match self.config().hub.list_models(Some(task), provider, query, limit).await {
            Ok(m) => m,
            Err(e) => return reply::failure(e.kind(), &hfs_core::text::with_sources(&e), &e.hints(), e.retry_after()),
        };
        let mut text = String::new();
        for m in &models {
            let providers: Vec<&str> = m.providers.iter().map(|p| p.provider.as_str()).collect();
            text.push_str(&format!("{} — {}\n", m.id, providers.join(", ")));
        }
        if models.is_empty() {
            text.push_str(&format!("No {task} models served by {provider}."));
        }
        let models = models.into_iter().map(hfs_hub::ModelHit::doc).collect();
        let doc = SearchModelsDoc { schema: SearchModelsDoc::SCHEMA.into(), task: task.into(), models };
        reply::document(hfs_core::text::strip_terminal_escapes(&text).into_owned(), serde_json::to_value(doc).unwrap_or(Value::Null))
    }
}

/// The endpoint asked for, or the Space's only public one.
fn pick_endpoint(space: &str, endpoints: &[Endpoint], want: Option<&str>) -> Result<Endpoint, GenError> {
    let public: Vec<&Endpoint> = endpoints.iter().filter(|e| e.visibility == Visibility::Public && e.api_name.is_some()).collect();
    let candidates =
        || public.iter().map(|e| Candidate { endpoint: e.display_name(), fits: true, score: 0, note: String::new() }).collect();
    let no = |why: String| GenError::NoEndpoint { space: space.into(), task: GenTask::Call.as_str(), why, candidates: candidates() };
    match want.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => {
            let want = format!("/{}", w.trim_start_matches('/'));
            // Undocumented endpoints can be called by name too, as with `hfs call`.
            endpoints
                .iter()
                .find(|e| e.api_name.as_deref() == Some(want.as_str()) && e.visibility != Visibility::Private)
                .cloned()
                .ok_or_else(|| no(format!("it has no endpoint `{want}`")))
        }
        None if public.len() == 1 => Ok(public[0].clone()),
        None => Err(no(format!("it has {} public endpoints; pass `endpoint`", public.len()))),
    }
}

impl ServerHandler for HfsMcp {
    fn get_info(&self) -> ServerConfig {
        let cfg = self.config();
        let dirs: Vec<String> = cfg.allow_dirs.iter().map(|d| d.display().to_string()).collect();
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("hfs", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "hfs runs generations on any Hugging Face Space (Gradio app) or Inference Providers model. Use generate_image, \
                 generate_video, generate_speech and transcribe for media (the defaults pick a backend; `fallback` adds more), \
                 search_spaces and search_models to find backends, space_api and space_call for any Space endpoint. Outputs are \
                 saved under {} and returned as resource links; input files are read only under {} and the client's roots.",
                cfg.output_dir.display(),
                if dirs.is_empty() { "no directory".to_string() } else { dirs.join(", ") }
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(&self, request: CallToolRequestParams, ctx: RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        let Some(def) = self.inner.defs.iter().find(|d| d.name == request.name) else {
            return Err(ErrorData::invalid_params(format!("unknown tool `{}`", request.name), None));
        };
        tracing::debug!(tool = %def.name, "tool call");
        Ok(self.dispatch(def, &request, &ctx).await)
    }

    async fn on_roots_list_changed(&self, _ctx: NotificationContext<RoleServer>) {
        self.roots.forget();
    }
}

/// Serves one client over stdin/stdout until it closes them or `shutdown` fires. Nothing but
/// protocol messages is written to stdout.
pub async fn serve_stdio(server: HfsMcp, shutdown: CancellationToken) -> Result<(), McpError> {
    let running = server.session().serve(rmcp::transport::stdio()).await.map_err(|e| McpError::Serve(e.to_string()))?;
    tokio::select! {
        r = running.waiting() => { r.map_err(|e| McpError::Serve(e.to_string()))?; }
        _ = shutdown.cancelled() => {}
    }
    Ok(())
}

/// Serves Streamable HTTP at `/mcp` on `listener` until `shutdown` fires. Requests whose `Host`
/// is not in `allowed_hosts` (loopback names by default) are refused: a web page cannot reach
/// the server through DNS rebinding.
pub async fn serve_http(
    server: HfsMcp,
    listener: tokio::net::TcpListener,
    allowed_hosts: Vec<String>,
    shutdown: CancellationToken,
) -> Result<(), McpError> {
    let mut config = StreamableHttpServerConfig::default().with_cancellation_token(shutdown.child_token());
    if !allowed_hosts.is_empty() {
        let mut hosts = config.allowed_hosts.clone();
        hosts.extend(allowed_hosts);
        config = config.with_allowed_hosts(hosts);
    }
    let s = server.clone();
    let service = StreamableHttpService::new(move || Ok(s.session()), Arc::new(LocalSessionManager::default()), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(|source| McpError::Listen { addr, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_arguments_are_refused() {
        let args = json!({"space": "a/b", "endpont": "/x"});
        let e = only(args.as_object().unwrap(), &["space", "endpoint"]).unwrap_err();
        assert!(e.contains("did you mean `endpoint`"), "{e}");
    }
}
