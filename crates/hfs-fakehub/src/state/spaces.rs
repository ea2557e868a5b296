//! Configured Spaces and their stage scripts.

use std::time::Instant;

use super::AppState;
use crate::config::{SpaceConfig, StageScript};

pub(super) struct Space {
    config: SpaceConfig,
    /// Position in a per-request script; unused otherwise.
    cursor: usize,
    /// Timed scripts count from here.
    configured_at: Instant,
}

impl Space {
    fn stage(&self) -> String {
        match &self.config.stages {
            None => self.config.stage.clone(),
            Some(StageScript::PerRequest(steps)) => steps[self.cursor.min(steps.len() - 1)].clone(),
            Some(StageScript::Timed(steps)) => {
                let elapsed = self.configured_at.elapsed().as_secs_f64();
                steps.iter().rev().find(|(_, at)| elapsed >= *at).map_or_else(|| self.config.stage.clone(), |(stage, _)| stage.clone())
            }
        }
    }
}

impl AppState {
    pub fn space(&self, id: &str) -> Option<SpaceConfig> {
        self.lock().spaces.get(id).map(|s| s.config.clone())
    }

    /// Adds or replaces a Space; a replaced Space restarts its stage script.
    pub fn put_space(&self, id: String, config: SpaceConfig) {
        let space = Space { config, cursor: 0, configured_at: Instant::now() };
        self.lock().spaces.insert(id, space);
    }

    /// The stage to report now. A per-request script moves one step on (the
    /// last step repeats); a timed one depends only on the clock.
    pub fn next_stage(&self, id: &str) -> Option<String> {
        let mut inner = self.lock();
        let space = inner.spaces.get_mut(id)?;
        let stage = space.stage();
        if let Some(StageScript::PerRequest(steps)) = &space.config.stages
            && space.cursor + 1 < steps.len()
        {
            space.cursor += 1;
        }
        Some(stage)
    }

    /// Every Space with its current stage, without moving any script on
    /// (listings and search only look).
    pub fn spaces(&self) -> Vec<(String, SpaceConfig, String)> {
        self.lock().spaces.iter().map(|(id, s)| (id.clone(), s.config.clone(), s.stage())).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::config::SpaceConfig;
    use crate::state::AppState;

    fn space(json: &str) -> SpaceConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn stage_script_advances_and_last_repeats() {
        let state = AppState::for_tests();
        state.put_space("a/b".into(), space(r#"{"host":"http://x","stages":["SLEEPING","APP_STARTING","RUNNING"]}"#));
        // Looking does not advance.
        assert_eq!(state.spaces()[0].2, "SLEEPING");
        let seen: Vec<_> = (0..5).map(|_| state.next_stage("a/b").unwrap()).collect();
        assert_eq!(seen, ["SLEEPING", "APP_STARTING", "RUNNING", "RUNNING", "RUNNING"]);
        // Replacing the Space restarts its script.
        state.put_space("a/b".into(), space(r#"{"host":"http://x","stages":["BUILDING","RUNNING"]}"#));
        assert_eq!(state.next_stage("a/b").as_deref(), Some("BUILDING"));
        assert_eq!(state.next_stage("nobody/here"), None);
    }

    #[test]
    fn timed_script_follows_the_clock_and_stage_applies_before_it() {
        let state = AppState::for_tests();
        state.put_space("a/t".into(), space(r#"{"host":"http://x","stage":"PAUSED","stages":[["BUILDING",0.5],["RUNNING",1.0]]}"#));
        assert_eq!(state.next_stage("a/t").as_deref(), Some("PAUSED"));
        // Requests alone do not move a timed script.
        assert_eq!(state.next_stage("a/t").as_deref(), Some("PAUSED"));
        std::thread::sleep(std::time::Duration::from_millis(700));
        assert_eq!(state.next_stage("a/t").as_deref(), Some("BUILDING"));
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert_eq!(state.spaces()[0].2, "RUNNING");
    }
}
