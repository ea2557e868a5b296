//! Keeping a browser login alive: a stored token with `refresh_token` and `expires_at` is refreshed
//! through the Hub when less than 24 h remain, under the lock `huggingface_hub` uses.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::store::{StoredToken, TokenStore};
use crate::{HubClient, HubError};

/// Refresh when less than this is left (huggingface_hub's rule).
pub const REFRESH_MARGIN_SECS: u64 = 24 * 3600;

/// If the active token is a refreshable login close to expiry, refreshes it and returns the new
/// value; otherwise returns `None`. `hub` must be a client without a token (the refresh token is
/// the credential).
pub async fn refresh_if_needed(store: &TokenStore, hub: &HubClient, client_id: &str) -> Result<Option<String>, HubError> {
    let io = |e: std::io::Error| HubError::Decode { url: store.stored_path().display().to_string(), message: e.to_string() };
    let Some(active) = store.read_active() else { return Ok(None) };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let due = |t: &StoredToken| t.refresh_token.is_some() && t.expires_at.is_some_and(|e| e < now + REFRESH_MARGIN_SECS);
    if !store.read_stored().map_err(io)?.values().any(|t| t.hf_token == active && due(t)) {
        return Ok(None);
    }
    let _lock = store.lock(crate::store::LOCK_WAIT).map_err(io)?;
    // Another process may have refreshed while we waited for the lock.
    let stored = store.read_stored().map_err(io)?;
    let Some((name, entry)) = stored.iter().find(|(_, t)| t.hf_token == active).map(|(n, t)| (n.clone(), t.clone())) else {
        return Ok(store.read_active().filter(|t| *t != active));
    };
    if !due(&entry) {
        return Ok(None);
    }
    let refreshed = hub.refresh_token(entry.refresh_token.as_deref().unwrap_or_default(), client_id).await?;
    let new_entry = StoredToken {
        hf_token: refreshed.access_token.clone(),
        refresh_token: refreshed.refresh_token.or(entry.refresh_token),
        expires_at: refreshed.expires_in.map(|s| now + s).or(entry.expires_at),
        extra: entry.extra,
    };
    store.replace_token(&name, new_entry).map_err(io)?;
    Ok(Some(refreshed.access_token))
}
