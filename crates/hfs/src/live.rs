//! Live feedback on stderr while a call runs: queue position, a progress bar, the app's messages.
//! Bars only on a terminal; messages from the app are always shown unless `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

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
                    let pos = match (rank, queue_size) {
                        (Some(r), Some(q)) => format!("position {} of {q}", r + 1),
                        (Some(r), None) => format!("position {}", r + 1),
                        _ => "waiting".into(),
                    };
                    let eta = eta.filter(|e| *e > 0.5).map(|e| format!(", ~{}s", e.round() as u64)).unwrap_or_default();
                    bar.set_message(format!("queued: {pos}{eta}"));
                }
            }
            Event::Started { .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message("running");
                }
            }
            Event::Progress(units) => {
                if let (Some(bar), Some(u)) = (&self.bar, units.last()) {
                    let desc = u.desc.clone().unwrap_or_else(|| "running".into());
                    match (u.index, u.length, u.fraction()) {
                        (Some(i), Some(len), _) => {
                            bar.set_style(bar_style(u.unit.as_deref().unwrap_or("steps")));
                            bar.set_length(len);
                            bar.set_position((i + 1).min(len));
                        }
                        (_, _, Some(f)) => {
                            bar.set_style(bar_style("%"));
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
                let tag = match level {
                    LogLevel::Info => "info",
                    LogLevel::Warning => "warning",
                    LogLevel::Success => "success",
                    LogLevel::Error => "error",
                };
                let title = title.as_ref().filter(|t| !t.eq_ignore_ascii_case(tag)).map(|t| format!(" ({t})")).unwrap_or_default();
                let line = format!("{tag}{title}: {message}");
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

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("template")
}

fn bar_style(unit: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} [{{elapsed}}]"))
        .expect("template")
        .progress_chars("=> ")
}
