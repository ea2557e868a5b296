//! What every hfs library shares, so each concern has exactly one implementation:
//!
//! * [`ErrorClass`]: how a caller (the CLI, a batch scheduler) should treat a failure.
//! * [`Hint`]: what would help, as data; each front end says it in its own words.
//! * [`body`]: reading a server's body with a size cap and an idle timeout (nothing a server sends
//!   is read unbounded).
//! * [`sse`]: Server-Sent Events framing, linear in the input and with an event size cap.
//! * [`text`]: removing terminal control sequences from server text before a person sees it.
//! * [`naming`]: file names that are safe on every OS.
//! * [`mime`]: picking a file extension from a MIME type, the first bytes or a name.
//! * [`write`]: the one atomic, no-clobber file writer.
//! * [`time`]: deadline arithmetic that never overflows.
//!
//! ```
//! use hfs_core::{naming::sanitize_filename, text::strip_terminal_escapes};
//! assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
//! assert_eq!(strip_terminal_escapes("\x1b[31mred\x1b[0m"), "red");
//! ```

pub mod body;
pub mod hint;
pub mod mime;
pub mod naming;
pub mod sse;
pub mod text;
pub mod time;
pub mod write;

pub use hint::Hint;

/// How a caller (a CLI, a batch scheduler) should treat an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Bad input found before anything was sent: fix the command.
    Usage,
    /// Failed on the remote side or on the way; `retryable` says whether trying again may help.
    Remote { retryable: bool },
    /// The caller's deadline passed.
    Deadline,
    /// The call was cancelled.
    Cancelled,
    /// A local file could not be read or written.
    LocalIo,
}

/// What a scheduler (a batch run, a fallback chain) should do after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Try the same thing again (with the scheduler's own backoff).
    Retry,
    /// Try the same thing again after this long (the server said so).
    RetryAfter(std::time::Duration),
    /// This backend cannot do it now (paused, out of quota, not served): try another one.
    FallBack,
    /// Trying again cannot help (bad input, cancelled, a local failure): report it.
    GiveUp,
}

impl ErrorClass {
    /// The action for an error of this class when nothing more specific is known.
    ///
    /// ```
    /// use hfs_core::{Action, ErrorClass};
    /// use std::time::Duration;
    /// assert_eq!(ErrorClass::Remote { retryable: true }.default_action(Some(Duration::from_secs(3))), Action::RetryAfter(Duration::from_secs(3)));
    /// assert_eq!(ErrorClass::Usage.default_action(None), Action::GiveUp);
    /// ```
    pub fn default_action(self, retry_after: Option<std::time::Duration>) -> Action {
        match self {
            ErrorClass::Remote { retryable: true } => retry_after.map(Action::RetryAfter).unwrap_or(Action::Retry),
            ErrorClass::Remote { retryable: false }
            | ErrorClass::Usage
            | ErrorClass::Deadline
            | ErrorClass::Cancelled
            | ErrorClass::LocalIo => Action::GiveUp,
        }
    }
}
