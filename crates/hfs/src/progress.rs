//! The one live display of a running call, over the libraries' events: a Gradio job's queue
//! position, progress bar and messages, or a provider job's status, retries and logs.
//! Bars only on a terminal; log lines from the app or provider always unless `-q`. Everything a
//! server sends (descriptions, units, statuses, messages) is shown as text, stripped of terminal
//! control sequences, and never becomes part of a progress template.

use std::time::Duration;

use hfs_core::text::one_line;
use hfs_gradio::{Event, LogLevel};
use hfs_inference::InferenceEvent;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    /// `bar`: draw a spinner/bar (a terminal, not `-q`); `quiet`: drop log lines too.
    pub fn new(bar: bool, quiet: bool, first: &str) -> Self {
        let bar = bar.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(spinner_style());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message(first.to_string());
            bar
        });
        Self { bar, quiet }
    }

    pub fn message(&self, m: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(m.into());
        }
    }

    /// A line above the bar (or on stderr), unless `-q`.
    fn log(&self, line: String) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// A Gradio job's event.
    pub fn gradio(&mut self, ev: &Event) {
        match ev {
            Event::Queued { rank, queue_size, eta } => self.message(queue_message(*rank, *queue_size, *eta)),
            Event::Started { .. } => self.message("running"),
            Event::Accepted { .. } => {}
            Event::Progress(units) => {
                if let (Some(bar), Some(u)) = (&self.bar, units.last()) {
                    let desc = u.desc.as_deref().map(one_line).unwrap_or_else(|| "running".into());
                    match (u.index, u.length, u.fraction()) {
                        (Some(i), Some(len), _) => {
                            bar.set_style(bar_style());
                            bar.set_prefix(u.unit.as_deref().map(one_line).unwrap_or_else(|| "steps".into()));
                            bar.set_length(len);
                            bar.set_position(i.saturating_add(1).min(len));
                        }
                        (_, _, Some(f)) => {
                            bar.set_style(bar_style());
                            bar.set_prefix("%");
                            bar.set_length(100);
                            bar.set_position((f * 100.0).round() as u64);
                        }
                        _ => {}
                    }
                    bar.set_message(desc);
                }
            }
            Event::Log { level, title, message } => self.log(log_line(*level, title.as_deref(), message)),
            Event::Output(_) => self.message("receiving outputs"),
            Event::Completed(_) | Event::Failed(_) => self.clear(),
        }
    }

    /// A provider job's event. Provider text (statuses, reasons) is shown on one line.
    pub fn inference(&mut self, ev: &InferenceEvent) {
        match ev {
            InferenceEvent::Log { message } => self.log(format!("log: {}", hfs_core::text::strip_terminal_escapes(message))),
            ev => self.message(inference_message(ev)),
        }
    }

    /// Clears the bar (before results or streamed text go to stdout).
    pub fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// A provider job's state on one line.
fn inference_message(ev: &InferenceEvent) -> String {
    match ev {
        InferenceEvent::Resolved { provider, provider_model, .. } => {
            format!("{} ({}): sending", one_line(provider), one_line(provider_model))
        }
        InferenceEvent::Submitted { provider, job_id } => match job_id {
            Some(j) => format!("{provider}: job {} submitted", one_line(j)),
            None => format!("{provider}: waiting for the answer"),
        },
        InferenceEvent::Status { status, queue_position } => match queue_position {
            Some(p) => format!("{}: position {p} in the queue", one_line(status)),
            None => one_line(status),
        },
        InferenceEvent::Log { message } => format!("log: {}", one_line(message)),
        InferenceEvent::Retrying { attempt, wait_ms, reason } => {
            format!("retry {attempt} in {:.1}s ({})", *wait_ms as f64 / 1000.0, one_line(reason))
        }
        InferenceEvent::Downloading { .. } => "downloading the output".into(),
    }
}

/// The live display of a batch: one overall bar (done / failed / running, rate, ETA) and a line
/// per running job with its queue position or progress, on a terminal; without one (and not
/// `-q`), a line per finished item on stderr.
pub struct BatchProgress {
    multi: Option<indicatif::MultiProgress>,
    overall: Option<ProgressBar>,
    jobs: std::collections::HashMap<String, ProgressBar>,
    quiet: bool,
    total: u64,
    finished: u64,
    failed: u64,
}

impl BatchProgress {
    pub fn new(bar: bool, quiet: bool, total: usize) -> Self {
        let (multi, overall) = if bar {
            let multi = indicatif::MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(total as u64));
            overall.set_style(
                ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg} · {per_sec} · ETA {eta} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            overall.enable_steady_tick(Duration::from_millis(200));
            (Some(multi), Some(overall))
        } else {
            (None, None)
        };
        let mut p = Self { multi, overall, jobs: Default::default(), quiet, total: total as u64, finished: 0, failed: 0 };
        p.counts();
        p
    }

    fn counts(&mut self) {
        if let Some(o) = &self.overall {
            o.set_message(format!("done, {} failed, {} running", self.failed, self.jobs.len()));
        }
    }

    /// A line above the bars (or on stderr), unless `-q`.
    pub fn log(&self, line: &str) {
        if self.quiet {
            return;
        }
        let line = hfs_core::text::strip_terminal_escapes(line);
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    /// A job started: its own line, titled with its prompt.
    pub fn start(&mut self, key: &str, title: &str) {
        if let Some(m) = &self.multi {
            let bar = m.add(ProgressBar::new_spinner());
            bar.set_style(ProgressStyle::with_template("  {spinner} {prefix} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            let t: String = one_line(title).chars().take(40).collect();
            bar.set_prefix(t);
            bar.set_message("connecting");
            bar.enable_steady_tick(Duration::from_millis(120));
            self.jobs.insert(key.to_string(), bar);
        }
        self.counts();
    }

    /// What a running job reports.
    pub fn job_message(&self, key: &str, message: &str) {
        if let Some(bar) = self.jobs.get(key) {
            bar.set_message(one_line(message));
        }
    }

    pub fn inference(&self, key: &str, ev: &InferenceEvent) {
        match ev {
            InferenceEvent::Log { message } => self.log(&format!("log: {}", one_line(message))),
            ev => self.job_message(key, &inference_message(ev)),
        }
    }

    pub fn gradio(&self, key: &str, ev: &Event) {
        let m = match ev {
            Event::Queued { rank, queue_size, eta } => queue_message(*rank, *queue_size, *eta),
            Event::Started { .. } => "running".into(),
            Event::Progress(units) => match units.last().and_then(|u| u.fraction()) {
                Some(f) => format!("{:.0}%", f * 100.0),
                None => "running".into(),
            },
            Event::Output(_) => "receiving outputs".into(),
            _ => return,
        };
        self.job_message(key, &m);
    }

    /// A job ended (done, or failed for this attempt).
    pub fn end(&mut self, key: &str, finished: bool, failed: bool) {
        if let Some(bar) = self.jobs.remove(key) {
            bar.finish_and_clear();
            if let Some(m) = &self.multi {
                m.remove(&bar);
            }
        }
        if finished {
            self.finished += 1;
            if failed {
                self.failed += 1;
            }
            if let Some(o) = &self.overall {
                o.set_position(self.finished.min(self.total));
            }
        }
        self.counts();
    }

    pub fn clear(&mut self) {
        for (_, bar) in self.jobs.drain() {
            bar.finish_and_clear();
        }
        if let Some(o) = self.overall.take() {
            o.finish_and_clear();
        }
    }
}

impl Drop for BatchProgress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// `queued: position 3 of 10, ~12s` (ranks are 0-based on the wire).
fn queue_message(rank: Option<u64>, queue_size: Option<u64>, eta: Option<f64>) -> String {
    let pos = match (rank, queue_size) {
        (Some(r), Some(q)) => format!("position {} of {q}", r.saturating_add(1)),
        (Some(r), None) => format!("position {}", r.saturating_add(1)),
        _ => "waiting".into(),
    };
    let eta = eta.filter(|e| e.is_finite() && *e > 0.5).map(|e| format!(", ~{}s", e.round() as u64)).unwrap_or_default();
    format!("queued: {pos}{eta}")
}

/// `warning (Title): message`, the app's text made safe for a terminal.
fn log_line(level: LogLevel, title: Option<&str>, message: &str) -> String {
    let tag = match level {
        LogLevel::Info => "info",
        LogLevel::Warning => "warning",
        LogLevel::Success => "success",
        LogLevel::Error => "error",
    };
    let title =
        title.map(one_line).filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case(tag)).map(|t| format!(" ({t})")).unwrap_or_default();
    format!("{tag}{title}: {}", hfs_core::text::strip_terminal_escapes(message))
}

// Fixed templates: the app's words go in `{msg}` and `{prefix}`, which indicatif prints as text.
fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {prefix} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_words_never_reach_a_template() {
        // A unit like `{}` or `{bar:x}` used to be pasted into the template and panic.
        let bar = ProgressBar::hidden();
        bar.set_style(bar_style());
        for unit in ["{}", "{bar:30}", "{{", "}", "{msg"] {
            bar.set_prefix(one_line(unit));
            bar.set_length(10);
            bar.set_position(3);
        }
        assert_eq!(bar.prefix(), "{msg");
    }

    #[test]
    fn app_text_is_stripped_and_numbers_saturate() {
        assert_eq!(log_line(LogLevel::Warning, Some("\x1b]0;t\x07Heads up"), "\x1b[2Jboom\x1b]52;c;eA==\x07"), "warning (Heads up): boom");
        assert_eq!(
            queue_message(Some(u64::MAX), Some(u64::MAX), Some(f64::INFINITY)),
            format!("queued: position {} of {}", u64::MAX, u64::MAX)
        );
    }
}
