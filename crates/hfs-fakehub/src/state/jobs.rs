//! Asynchronous jobs of the synthesised providers (fal queue, replicate
//! predictions, together videos, wavespeed, zai): each advances one step per
//! status poll, or with the wall clock when the model says `seconds`.

use std::time::Instant;

use super::AppState;
use crate::config::SynthModel;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub provider: String,
    /// The provider model id it was submitted for.
    pub model_id: String,
    pub model: SynthModel,
    /// The submitted JSON body (echoed back as `input` by replicate).
    pub input: serde_json::Value,
    pub created: Instant,
    /// Unix seconds at submit.
    pub created_unix: u64,
    pub polls: u32,
    pub canceled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting; `position` is how many jobs are ahead.
    Queued {
        position: u32,
    },
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl Phase {
    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Succeeded | Phase::Failed | Phase::Canceled)
    }
}

impl Job {
    /// Where the job is now. The first half of its steps (or time) it is
    /// queued, the rest running, then done (or failed).
    pub fn phase(&self) -> Phase {
        if self.canceled {
            return Phase::Canceled;
        }
        let (done, queued, position) = match self.model.seconds {
            Some(total) => {
                let f = if total <= 0.0 { 1.0 } else { self.created.elapsed().as_secs_f64() / total };
                (f >= 1.0, f < 0.5, 0)
            }
            None => {
                let n = self.model.steps;
                let half = n.div_ceil(2);
                (self.polls >= n, self.polls < half, half.saturating_sub(1 + self.polls))
            }
        };
        if done {
            if self.model.fail { Phase::Failed } else { Phase::Succeeded }
        } else if queued {
            Phase::Queued { position }
        } else {
            Phase::Running
        }
    }
}

impl AppState {
    /// A fresh id, unique in this server, shaped like the provider's.
    pub fn new_id(&self, prefix: &str) -> String {
        let mut inner = self.lock();
        inner.next_id += 1;
        let n = inner.next_id;
        // Mix so ids don't look sequential, but stay deterministic per run.
        let mixed = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (u64::from(std::process::id()) << 17)) & 0xFFFF_FFFF_FFFF;
        format!("{prefix}{mixed:012x}{n:04}")
    }

    pub fn add_job(&self, job: Job) {
        self.lock().jobs.insert(job.id.clone(), job);
    }

    /// The job `id` of `provider`, counting this as a status poll when `poll`.
    pub fn job(&self, provider: &str, id: &str, poll: bool) -> Option<Job> {
        let mut inner = self.lock();
        let job = inner.jobs.get_mut(id).filter(|j| j.provider == provider)?;
        if poll && !job.phase().is_terminal() {
            job.polls += 1;
        }
        Some(job.clone())
    }

    /// Cancels a job that is not finished; answers the job as it was before.
    pub fn cancel_job(&self, provider: &str, id: &str) -> Option<Job> {
        let mut inner = self.lock();
        let job = inner.jobs.get_mut(id).filter(|j| j.provider == provider)?;
        let before = job.clone();
        if !job.phase().is_terminal() {
            job.canceled = true;
        }
        Some(before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(steps: u32, fail: bool) -> Job {
        Job {
            id: "j".into(),
            provider: "p".into(),
            model_id: "m".into(),
            model: serde_json::from_value(serde_json::json!({"result": "video", "steps": steps, "fail": fail})).unwrap(),
            input: serde_json::Value::Null,
            created: Instant::now(),
            created_unix: 0,
            polls: 0,
            canceled: false,
        }
    }

    #[test]
    fn three_steps_queue_then_run_then_finish() {
        let mut j = job(3, false);
        let mut seen = vec![j.phase()];
        for _ in 0..3 {
            j.polls += 1;
            seen.push(j.phase());
        }
        assert_eq!(seen, [Phase::Queued { position: 1 }, Phase::Queued { position: 0 }, Phase::Running, Phase::Succeeded]);
        let mut j = job(1, true);
        j.polls = 1;
        assert_eq!(j.phase(), Phase::Failed);
        assert_eq!(job(0, false).phase(), Phase::Succeeded);
    }
}
