//! Shared mutable state: the configured Spaces (with their stage-script
//! cursors), the tokens, and the log of requests received.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::config::{Config, SpaceConfig, TokenConfig};

#[derive(Clone, Default)]
pub struct AppState {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    spaces: BTreeMap<String, Space>,
    tokens: BTreeMap<String, TokenConfig>,
    requests: Vec<RequestRecord>,
}

struct Space {
    config: SpaceConfig,
    /// Position in `config.stages`; unused without a script.
    cursor: usize,
}

/// One received request, as tests see it. Holds only whether auth headers
/// were present, never their values, so logs can't leak tokens.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub authorization: bool,
    pub x_hf_authorization: bool,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let state = Self::default();
        {
            let mut inner = state.lock();
            for (id, space) in config.spaces {
                inner.spaces.insert(
                    id,
                    Space {
                        config: space,
                        cursor: 0,
                    },
                );
            }
            inner.tokens = config.tokens;
        }
        state
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking handler must not wedge every later test request.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn space(&self, id: &str) -> Option<SpaceConfig> {
        self.lock().spaces.get(id).map(|s| s.config.clone())
    }

    /// Adds or replaces a Space; a replaced Space restarts its stage script.
    pub fn put_space(&self, id: String, config: SpaceConfig) {
        self.lock().spaces.insert(id, Space { config, cursor: 0 });
    }

    /// The stage to report now, moving the script one step on (the last
    /// step repeats). Without a script it is always `stage`.
    pub fn next_stage(&self, id: &str) -> Option<String> {
        let mut inner = self.lock();
        let space = inner.spaces.get_mut(id)?;
        let Some(stages) = &space.config.stages else {
            return Some(space.config.stage.clone());
        };
        let stage = stages[space.cursor.min(stages.len() - 1)].clone();
        if space.cursor + 1 < stages.len() {
            space.cursor += 1;
        }
        Some(stage)
    }

    pub fn token(&self, token: &str) -> Option<TokenConfig> {
        self.lock().tokens.get(token).cloned()
    }

    pub fn log_request(&self, record: RequestRecord) {
        self.lock().requests.push(record);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) -> usize {
        let mut inner = self.lock();
        let n = inner.requests.len();
        inner.requests.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(json: &str) -> SpaceConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn stage_script_advances_and_last_repeats() {
        let state = AppState::default();
        state.put_space(
            "a/b".into(),
            space(r#"{"host":"http://x","stages":["SLEEPING","APP_STARTING","RUNNING"]}"#),
        );
        let seen: Vec<_> = (0..5).map(|_| state.next_stage("a/b").unwrap()).collect();
        assert_eq!(
            seen,
            ["SLEEPING", "APP_STARTING", "RUNNING", "RUNNING", "RUNNING"]
        );
        // Replacing the Space restarts its script.
        state.put_space(
            "a/b".into(),
            space(r#"{"host":"http://x","stages":["BUILDING","RUNNING"]}"#),
        );
        assert_eq!(state.next_stage("a/b").as_deref(), Some("BUILDING"));
        assert_eq!(state.next_stage("nobody/here"), None);
    }
}
