//! Ctrl-C for the whole process. A command that can cancel its work on the server (a Space call,
//! a provider job) asks for the first interrupt with [`first`]: it cancels, then reports
//! "interrupted" once the server confirmed. A second interrupt, or the first one while no command
//! handles it, ends the command at once: `main` drops it (so temp files are removed) and exits 130.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

static COUNT: OnceLock<watch::Sender<u32>> = OnceLock::new();
static HANDLED: AtomicBool = AtomicBool::new(false);

fn sender() -> &'static watch::Sender<u32> {
    COUNT.get_or_init(|| watch::channel(0).0)
}

/// Starts counting interrupts (once tokio handles SIGINT, the default action never comes back,
/// so this runs for the whole process).
pub fn install() {
    let tx = sender();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            tx.send_modify(|n| *n = n.saturating_add(1));
        }
    });
}

/// Resolves at the first interrupt; the caller then cancels its work gracefully.
pub async fn first() {
    HANDLED.store(true, Ordering::SeqCst);
    let mut rx = sender().subscribe();
    let _ = rx.wait_for(|n| *n >= 1).await;
}

/// Resolves when the process must stop now: a second interrupt, or one nobody handles.
pub async fn exit_now() {
    let mut rx = sender().subscribe();
    let _ = rx.wait_for(|n| *n >= 2 || (*n >= 1 && !HANDLED.load(Ordering::SeqCst))).await;
}
