//! A running job's events as `notifications/progress`: queue position, ETA, progress units, the
//! backend's logs, and a heartbeat when nothing else happens, so a client that resets its
//! request timeout on progress never gives up on a long generation.

use std::time::{Duration, Instant};

use hfs_generate::GenEvent;
use hfs_gradio::Event;
use hfs_inference::InferenceEvent;
use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use tokio::sync::mpsc::UnboundedReceiver;

/// Forwards events until the sender is dropped (the job ended). Without a progress token the
/// client asked for none: events are drained and nothing is sent.
pub(crate) async fn forward(
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
    heartbeat: Duration,
    mut rx: UnboundedReceiver<GenEvent>,
) {
    let started = Instant::now();
    let mut sent = 0u64;
    let mut last = Instant::now();
    loop {
        let due = last + heartbeat;
        let message = tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => match message(&ev) {
                    Some(m) => m,
                    None => continue,
                },
                None => return,
            },
            _ = tokio::time::sleep_until(due.into()) => format!("still running ({}s)", started.elapsed().as_secs()),
        };
        last = Instant::now();
        let Some(token) = &token else { continue };
        sent += 1;
        // `progress` only ever grows (the spec asks it to); the total is unknown up front.
        let note = ProgressNotificationParam::new(token.clone(), sent as f64).with_message(message);
        if let Err(e) = peer.notify_progress(note).await {
            tracing::debug!("progress notification not delivered: {e}");
        }
    }
}

/// What an event says, in a line; `None` for events that say nothing new.
pub(crate) fn message(ev: &GenEvent) -> Option<String> {
    let clean = |s: &str| hfs_core::text::one_line(&hfs_core::text::strip_terminal_escapes(s));
    Some(match ev {
        GenEvent::Planned { backend, endpoint, .. } => match endpoint {
            Some(e) if !backend.contains(e.as_str()) => format!("running on {backend} ({e})"),
            Some(_) => format!("running on {backend}"),
            None => format!("running on {backend}"),
        },
        GenEvent::Submitted { backend, .. } => format!("accepted by {backend}"),
        GenEvent::Received { .. } => "downloading the outputs".into(),
        GenEvent::FallingBack { backend, error, next } => format!("{backend} failed ({}); trying {next}", clean(error)),
        GenEvent::Gradio { event, .. } => match event {
            Event::Queued { rank, queue_size, eta } => {
                let mut m = "in the queue".to_string();
                if let Some(r) = rank {
                    m.push_str(&format!(": position {}", r + 1));
                    if let Some(n) = queue_size {
                        m.push_str(&format!(" of {n}"));
                    }
                }
                if let Some(eta) = eta.filter(|e| e.is_finite() && *e >= 0.0) {
                    m.push_str(&format!(", about {}s", eta.round() as u64));
                }
                m
            }
            Event::Started { .. } => "started".into(),
            Event::Progress(units) => {
                let parts: Vec<String> = units
                    .iter()
                    .map(|u| {
                        let what = u.desc.as_deref().map(clean).unwrap_or_else(|| "progress".into());
                        match (u.index, u.length, u.progress) {
                            (Some(i), Some(n), _) => {
                                format!("{what} {i}/{n}{}", u.unit.as_deref().map(|x| format!(" {}", clean(x))).unwrap_or_default())
                            }
                            (_, _, Some(p)) if p.is_finite() => format!("{what} {}%", (p * 100.0).round() as i64),
                            _ => what,
                        }
                    })
                    .collect();
                if parts.is_empty() {
                    return None;
                }
                parts.join(", ")
            }
            Event::Log { message, .. } => clean(message),
            Event::Output(_) => "partial output received".into(),
            Event::Accepted { .. } | Event::Completed(_) | Event::Failed(_) => return None,
        },
        GenEvent::Inference { event, .. } => match event {
            InferenceEvent::Resolved { provider, provider_model, .. } => format!("on {provider} ({})", clean(provider_model)),
            InferenceEvent::Submitted { provider, .. } => format!("submitted to {provider}"),
            InferenceEvent::Status { status, queue_position } => match queue_position {
                Some(q) => format!("{} (queue position {q})", clean(status)),
                None => clean(status),
            },
            InferenceEvent::Log { message } => clean(message),
            InferenceEvent::Retrying { reason, wait_ms, .. } => format!("retrying in {}s ({})", wait_ms.div_ceil(1000), clean(reason)),
            InferenceEvent::Downloading { .. } => "downloading the output".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradio(event: Event) -> GenEvent {
        GenEvent::Gradio { backend: "space:a/b".into(), event }
    }

    #[test]
    fn events_become_lines() {
        assert_eq!(
            message(&gradio(Event::Queued { rank: Some(1), queue_size: Some(4), eta: Some(2.6) })).unwrap(),
            "in the queue: position 2 of 4, about 3s"
        );
        let unit = hfs_gradio::ProgressUnit {
            index: Some(3),
            length: Some(8),
            unit: Some("steps".into()),
            progress: None,
            desc: Some("denoising".into()),
        };
        assert_eq!(message(&gradio(Event::Progress(vec![unit]))).unwrap(), "denoising 3/8 steps");
        let log = Event::Log { level: hfs_gradio::LogLevel::Info, title: None, message: "\x1b[31mred\x1b[0m\nline".into() };
        assert_eq!(message(&gradio(log)).unwrap(), "red line", "server text is stripped of escapes and kept on one line");
        assert!(message(&gradio(Event::Accepted { event_id: "x".into() })).is_none());
    }
}
