//! Live feedback on stderr while a call runs: queue position, a progress bar, the app's messages.
//! Bars only on a terminal; messages from the app are always shown unless `--quiet`. Everything
//! the app sends (descriptions, units, messages) is shown as text, stripped of terminal control
//! sequences, and never becomes part of a progress template.

use std::io::IsTerminal;
use std::time::Duration;

use hfs_core::text::one_line;
use hfs_gradio::{Event, LogLevel};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Live {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Live {
    pub fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(spinner_style());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message("connecting");
            bar
        });
        Self { bar, quiet }
    }

    pub fn on_event(&mut self, ev: &Event) {
        match ev {
            Event::Queued { rank, queue_size, eta } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(queue_message(*rank, *queue_size, *eta));
                }
            }
            Event::Started { .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message("running");
                }
            }
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
            Event::Log { level, title, message } => {
                if self.quiet {
                    return;
                }
                let line = log_line(*level, title.as_deref(), message);
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
            Event::Output(_) => {
                if let Some(bar) = &self.bar {
                    bar.set_message("receiving outputs");
                }
            }
            Event::Completed(_) | Event::Failed(_) => self.finish(),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
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
