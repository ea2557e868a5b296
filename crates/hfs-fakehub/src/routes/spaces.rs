//! Space routes: info, host and runtime (docs/protocol/inference.md#hub-apis,
//! docs/protocol/gradio.md#resolving-a-space).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};

use crate::config::SpaceConfig;
use crate::errors::{HubError, hub_json};
use crate::layers::auth::Caller;
use crate::state::AppState;
use crate::views::space;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/spaces/{owner}/{name}", get(info))
        .route("/api/spaces/{owner}/{name}/revision/{rev}", get(info_at_revision))
        .route("/api/spaces/{owner}/{name}/host", get(host))
        .route("/api/spaces/{owner}/{name}/runtime", get(runtime))
}

type SpacePath = Path<(String, String)>;

/// The Space if this caller may see it. Any configured token unlocks a
/// private Space; anonymous callers get the Hub's 401 "RepoNotFound". An
/// unknown Space is a 404 that a recording of the request may still answer.
fn visible(state: &AppState, caller: &Caller, owner: &str, name: &str) -> Result<(String, SpaceConfig), HubError> {
    let id = format!("{owner}/{name}");
    let space = state.space(&id).ok_or(HubError::RepoNotFound)?;
    if space.private && matches!(caller, Caller::Anonymous) {
        return Err(HubError::AuthRequired { repo: true });
    }
    Ok((id, space))
}

/// Moves the stage script on only for requests that were allowed to see it.
fn stage_now(state: &AppState, id: &str) -> Result<String, HubError> {
    state.next_stage(id).ok_or(HubError::RepoNotFound)
}

async fn info(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): SpacePath,
) -> Result<Response, HubError> {
    let (id, space) = visible(&state, &caller, &owner, &name)?;
    let stage = stage_now(&state, &id)?;
    Ok(hub_json(StatusCode::OK, space::info(&id, &space, &stage)))
}

async fn info_at_revision(
    state: State<AppState>,
    caller: Extension<Caller>,
    Path((owner, name, _rev)): Path<(String, String, String)>,
) -> Result<Response, HubError> {
    // Spaces have a single revision here; answer as for the default branch.
    info(state, caller, Path((owner, name))).await
}

async fn host(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): SpacePath,
) -> Result<Response, HubError> {
    let (id, space) = visible(&state, &caller, &owner, &name)?;
    Ok(hub_json(StatusCode::OK, space::host(&id, &space)))
}

async fn runtime(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): SpacePath,
) -> Result<Response, HubError> {
    let (id, space) = visible(&state, &caller, &owner, &name)?;
    let stage = stage_now(&state, &id)?;
    Ok(hub_json(StatusCode::OK, space::runtime(&id, &space, &stage)))
}
