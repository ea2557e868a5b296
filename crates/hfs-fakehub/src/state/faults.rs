//! Scripted faults and how many times each still fires.

use serde_json::{Value, json};

use super::AppState;
use crate::config::FaultConfig;

pub(super) struct Fault {
    config: FaultConfig,
    /// `None` fires forever.
    remaining: Option<u32>,
}

impl AppState {
    pub fn add_faults(&self, faults: Vec<FaultConfig>) {
        let mut inner = self.lock();
        for config in faults {
            let remaining = config.times;
            if remaining != Some(0) {
                inner.faults.push(Fault { config, remaining });
            }
        }
    }

    /// The first fault matching this request, counted down; a fault that
    /// has fired its `times` is gone.
    pub fn take_fault(&self, origin: &str, method: &str, path: &str) -> Option<FaultConfig> {
        let mut inner = self.lock();
        let i = inner.faults.iter().position(|f| f.config.matches(origin, method, path))?;
        let fault = &mut inner.faults[i];
        let config = fault.config.clone();
        if let Some(n) = &mut fault.remaining {
            *n -= 1;
        }
        if fault.remaining == Some(0) {
            inner.faults.remove(i);
        }
        Some(config)
    }

    /// Faults still armed, for `GET /_fake/faults`.
    pub fn faults(&self) -> Value {
        let inner = self.lock();
        Value::Array(
            inner
                .faults
                .iter()
                .map(|f| {
                    json!({
                        "path": f.config.path,
                        "method": f.config.method,
                        "origin": f.config.origin,
                        "status": f.config.status,
                        "remaining": f.remaining,
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::config::FaultConfig;
    use crate::state::AppState;

    #[test]
    fn faults_count_down_then_disappear() {
        let state = AppState::for_tests();
        let f: FaultConfig = serde_json::from_str(r#"{"path":"/a","status":503,"times":2}"#).unwrap();
        let forever: FaultConfig = serde_json::from_str(r#"{"path":"/b","status":500}"#).unwrap();
        state.add_faults(vec![f, forever]);
        assert_eq!(state.take_fault("hub", "GET", "/a").map(|f| f.status), Some(503));
        assert_eq!(state.faults()[0]["remaining"], 1);
        assert!(state.take_fault("hub", "GET", "/a").is_some());
        assert!(state.take_fault("hub", "GET", "/a").is_none());
        for _ in 0..3 {
            assert!(state.take_fault("router", "POST", "/b").is_some());
        }
        assert_eq!(state.faults().as_array().unwrap().len(), 1);
    }
}
