//! Shared state: what never changes after start-up (listener URLs,
//! recordings) and what tests change at run time (Spaces and their stage
//! scripts, faults, the request log), behind one lock.

mod faults;
mod jobs;
mod log;
mod spaces;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::Value;

use crate::config::{ChatModelConfig, Config, ModelConfig, ProviderConfig, RefreshConfig, SynthModel, TokenConfig};
use crate::origin::Urls;
use crate::recordings::Library;

pub use jobs::{Job, Phase};
pub use log::RequestRecord;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Mutex<Inner>>,
    fixed: Arc<Fixed>,
}

/// Set once at start-up.
pub struct Fixed {
    pub urls: Urls,
    pub library: Library,
    /// Hits of the recorded semantic-search response.
    pub search_hits: Vec<Value>,
    /// When the fake started, for times given relative to it.
    pub started_at: SystemTime,
}

impl Fixed {
    pub fn new(urls: Urls, library: Library, search_hits: Vec<Value>) -> Fixed {
        Fixed { urls, library, search_hits, started_at: SystemTime::now() }
    }
}

#[derive(Default)]
struct Inner {
    spaces: BTreeMap<String, spaces::Space>,
    tokens: BTreeMap<String, TokenConfig>,
    models: BTreeMap<String, ModelConfig>,
    chat_models: Vec<ChatModelConfig>,
    refresh_tokens: BTreeMap<String, RefreshConfig>,
    faults: Vec<faults::Fault>,
    requests: Vec<RequestRecord>,
    providers: BTreeMap<String, ProviderConfig>,
    jobs: BTreeMap<String, Job>,
    next_id: u64,
}

impl AppState {
    pub fn new(config: Config, fixed: Fixed) -> Self {
        let state = AppState { inner: Arc::default(), fixed: Arc::new(fixed) };
        for (id, space) in config.spaces {
            state.put_space(id, space);
        }
        state.add_faults(config.faults);
        {
            let mut inner = state.lock();
            inner.tokens = config.tokens;
            inner.models = config.models;
            inner.chat_models = config.chat_models;
            inner.refresh_tokens = config.refresh_tokens;
            inner.providers = config.providers;
        }
        state
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking handler must not wedge every later test request.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn fixed(&self) -> &Fixed {
        &self.fixed
    }

    pub fn urls(&self) -> &Urls {
        &self.fixed.urls
    }

    pub fn token(&self, token: &str) -> Option<TokenConfig> {
        self.lock().tokens.get(token).cloned()
    }

    pub fn model(&self, id: &str) -> Option<ModelConfig> {
        self.lock().models.get(id).cloned()
    }

    pub fn models(&self) -> Vec<(String, ModelConfig)> {
        self.lock().models.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn chat_models(&self) -> Vec<ChatModelConfig> {
        self.lock().chat_models.clone()
    }

    /// A synthesised model of `provider`, by provider model id.
    pub fn synth_model(&self, provider: &str, id: &str) -> Option<SynthModel> {
        self.lock().providers.get(provider)?.models.get(id).cloned()
    }

    /// All synthesised models of `provider`.
    pub fn synth_models(&self, provider: &str) -> Vec<(String, SynthModel)> {
        self.lock().providers.get(provider).map(|p| p.models.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
    }

    /// Is `key` a configured direct key of `provider`?
    pub fn provider_key(&self, provider: &str, key: &str) -> bool {
        self.lock().providers.get(provider).is_some_and(|p| p.keys.iter().any(|k| k == key))
    }

    pub fn refresh_grant(&self, refresh_token: &str) -> Option<RefreshConfig> {
        self.lock().refresh_tokens.get(refresh_token).cloned()
    }
}

#[cfg(test)]
impl AppState {
    pub fn for_tests() -> Self {
        AppState::new(Config::default(), Fixed::new(Urls::default(), Library::default(), Vec::new()))
    }
}
