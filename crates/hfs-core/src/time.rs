//! Deadline arithmetic on durations a user or a server chose: saturating, never a panic.

use std::time::Duration;

/// `now + d`, or `None` when that is beyond what the clock can represent (no deadline, in effect).
pub fn deadline_after(d: Duration) -> Option<tokio::time::Instant> {
    tokio::time::Instant::now().checked_add(d)
}

/// `now + d` for `std` instants, likewise.
pub fn std_deadline_after(d: Duration) -> Option<std::time::Instant> {
    std::time::Instant::now().checked_add(d)
}

/// Seconds from a server (Retry-After, a quota reset) as a duration, capped at a day: no wait a
/// server names is worth more than that, and the cap keeps later sums far from overflow.
pub fn server_wait(secs: u64) -> Duration {
    Duration::from_secs(secs.min(MAX_SERVER_WAIT_SECS))
}

/// The longest wait hfs takes from a server's word.
pub const MAX_SERVER_WAIT_SECS: u64 = 24 * 3600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_durations_are_no_deadline_not_a_panic() {
        assert!(deadline_after(Duration::MAX).is_none());
        assert!(std_deadline_after(Duration::from_secs(u64::MAX)).is_none());
        assert!(deadline_after(Duration::from_secs(5)).is_some());
        assert_eq!(server_wait(u64::MAX), Duration::from_secs(MAX_SERVER_WAIT_SECS));
    }
}
