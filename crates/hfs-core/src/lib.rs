//! What every hfs library shares, so each concern has exactly one implementation:
//!
//! * [`ErrorClass`]: how a caller (the CLI, a batch scheduler) should treat a failure.
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
pub mod mime;
pub mod naming;
pub mod sse;
pub mod text;
pub mod time;
pub mod write;

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

pub mod hint;
pub use hint::Hint;
