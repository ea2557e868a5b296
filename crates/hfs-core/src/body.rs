//! Reading bodies from servers nobody here controls: every read has a size cap and an idle
//! timeout, so a stalled, endless or decompression-bomb body ends in a typed error, not a hang or
//! an out-of-memory kill.
//!
//! The functions take any stream of byte chunks (`reqwest::Response::bytes_stream()`), so this
//! crate does not depend on an HTTP client. Sizes count decoded bytes: with automatic gzip, the cap
//! applies to what the body inflates to.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

/// The default cap on a JSON answer (`/config`, `/info`, a provider's result).
pub const JSON_LIMIT: usize = 16 << 20;
/// The cap on an error answer: only its first part is ever shown.
pub const ERROR_LIMIT: usize = 64 << 10;
/// The default idle timeout of a body read: no byte for this long means the server stalled.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Limits for reading server bodies. Libraries take one in their options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON (or other whole-body) answer read into memory.
    pub json_bytes: usize,
    /// Largest error body read (the rest is dropped).
    pub error_bytes: usize,
    /// Longest gap between two chunks of a body.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { json_bytes: JSON_LIMIT, error_bytes: ERROR_LIMIT, idle: IDLE_TIMEOUT }
    }
}

/// Why a body could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the answer is larger than {} (hfs reads at most that much)", human_bytes(*.limit as u64))]
    TooLarge { limit: usize },
    #[error("the server sent nothing for {} while sending the answer", crate::text::fmt_secs(*.0))]
    Idle(Duration),
    #[error("the answer broke off: {0}")]
    Broken(String),
}

/// Reads a whole body into memory, failing once it passes `limit` bytes or stalls for `idle`.
pub async fn read_limited<S, E>(body: S, limit: usize, idle: Duration) -> Result<Bytes, BodyError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Display,
{
    let mut body = std::pin::pin!(body);
    let mut buf = BytesMut::new();
    loop {
        match tokio::time::timeout(idle, body.next()).await {
            Err(_) => return Err(BodyError::Idle(idle)),
            Ok(None) => return Ok(buf.freeze()),
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e.to_string())),
            Ok(Some(Ok(chunk))) => {
                if buf.len().saturating_add(chunk.len()) > limit {
                    return Err(BodyError::TooLarge { limit });
                }
                buf.extend_from_slice(&chunk);
            }
        }
    }
}

/// Reads at most `limit` bytes of a body and stops there (for error messages): never fails; a
/// stall or a break just ends what is kept.
pub async fn read_prefix<S, E>(body: S, limit: usize, idle: Duration) -> Bytes
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let mut body = std::pin::pin!(body);
    let mut buf = BytesMut::new();
    while buf.len() < limit {
        match tokio::time::timeout(idle, body.next()).await {
            Ok(Some(Ok(chunk))) => {
                let take = chunk.len().min(limit - buf.len());
                buf.extend_from_slice(&chunk[..take]);
            }
            _ => break,
        }
    }
    buf.freeze()
}

/// The chunks of a body, each awaited at most `idle` (for streaming a download to disk). This sits
/// on the download hot path, so a chunk only notes the time; the one timer is moved to
/// `last chunk + idle` when it fires early, not re-armed per chunk.
pub fn with_idle_timeout<S, E>(body: S, idle: Duration) -> impl Stream<Item = Result<Bytes, BodyError>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Display,
{
    IdleTimeout { body, sleep: Box::pin(tokio::time::sleep(idle)), last: tokio::time::Instant::now(), idle, done: false }
}

struct IdleTimeout<S> {
    body: S,
    sleep: Pin<Box<tokio::time::Sleep>>,
    /// When the last chunk arrived.
    last: tokio::time::Instant,
    idle: Duration,
    done: bool,
}

impl<S, E> Stream for IdleTimeout<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Display,
{
    type Item = Result<Bytes, BodyError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let item = match Pin::new(&mut this.body).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.last = tokio::time::Instant::now();
                return Poll::Ready(Some(Ok(chunk)));
            }
            Poll::Ready(Some(Err(e))) => Some(Err(BodyError::Broken(e.to_string()))),
            Poll::Ready(None) => None,
            Poll::Pending => loop {
                match this.sleep.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(()) => match this.last.checked_add(this.idle) {
                        // Chunks came since the timer was set: wait until `idle` after the last.
                        Some(due) if due > tokio::time::Instant::now() => this.sleep.as_mut().reset(due),
                        _ => break Some(Err(BodyError::Idle(this.idle))),
                    },
                }
            },
        };

        this.done = true;
        Poll::Ready(item)
    }
}

/// `16 MiB`, `64 KiB`, `512 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 || v.fract() == 0.0 { format!("{} {}", v as u64, UNITS[u]) } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: Vec<&'static [u8]>) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
        futures::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from_static(p))))
    }

    #[tokio::test]
    async fn whole_bodies_under_the_cap() {
        let b = read_limited(chunks(vec![b"ab", b"cd"]), 4, IDLE_TIMEOUT).await.unwrap();
        assert_eq!(&b[..], b"abcd");
        let e = read_limited(chunks(vec![b"ab", b"cde"]), 4, IDLE_TIMEOUT).await.unwrap_err();
        assert_eq!(e, BodyError::TooLarge { limit: 4 });
        assert!(e.to_string().contains("4 B"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_times_out() {
        let stalled = chunks(vec![b"x"]).chain(futures::stream::pending());
        let e = read_limited(stalled, 100, Duration::from_secs(3)).await.unwrap_err();
        assert_eq!(e, BodyError::Idle(Duration::from_secs(3)));
        let prefix = read_prefix(chunks(vec![b"xyz"]).chain(futures::stream::pending()), 100, Duration::from_secs(1)).await;
        assert_eq!(&prefix[..], b"xyz");
    }

    #[tokio::test(start_paused = true)]
    async fn a_streamed_body_ends_at_its_first_long_silence() {
        let body = chunks(vec![b"a", b"b"]).chain(futures::stream::pending());
        let got: Vec<_> = with_idle_timeout(body, Duration::from_secs(2)).collect().await;
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[2], Err(BodyError::Idle(Duration::from_secs(2))));
        // Chunks 1.5 s apart never trip a 2 s bound, however long the body lasts.
        let slow = futures::stream::iter(0..5).then(|_| async {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            Ok::<_, std::io::Error>(Bytes::from_static(b"s"))
        });
        let got: Vec<_> = with_idle_timeout(Box::pin(slow), Duration::from_secs(2)).collect().await;
        assert!(got.iter().all(Result::is_ok) && got.len() == 5, "{got:?}");
        let whole: Vec<_> = with_idle_timeout(chunks(vec![b"x"]), Duration::from_secs(2)).collect().await;
        assert_eq!(whole, vec![Ok(Bytes::from_static(b"x"))], "a body that ends is not an error");
    }

    #[tokio::test]
    async fn prefix_stops_at_the_limit() {
        let p = read_prefix(chunks(vec![b"abc", b"def"]), 4, IDLE_TIMEOUT).await;
        assert_eq!(&p[..], b"abcd");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(16 << 20), "16 MiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(12), "12 B");
    }
}
