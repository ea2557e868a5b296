//! The one owner of stdout, stderr and progress (uv's `Printer` is the model).
//!
//! * `--json` (and `call --stream`): stdout carries only JSON documents, one a line, each a
//!   `hfs-schema` type; a failure is an `hfs.error/1` document (or a stream `error` event).
//! * `-q`: nothing on stderr but errors and their hints; no progress.
//! * `-v`: debug logs on stderr (set up in `main`).
//! * A closed stdout (`hfs api X | head -1`) ends the command quietly: no panic, no message.
//!
//! Everything written is stripped of terminal control sequences (server text reaches stdout in
//! tables, results and chat tokens).

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::exit::CliError;
use crate::progress::Progress;

/// What stdout carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// JSON lines of events while a call runs (`hfs call --stream`).
    Stream,
}

/// Where a failure happened, for `hfs.error/1`.
#[derive(Clone, Debug, Default)]
pub struct ErrorContext {
    pub command: String,
    pub target: Option<String>,
    pub model: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct Printer {
    format: Format,
    quiet: bool,
}

/// stdout was closed by the reader; the command should stop quietly.
#[derive(Debug)]
pub struct Closed;

impl Printer {
    pub fn new(format: Format, quiet: bool) -> Self {
        Self { format, quiet }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// `--json` or `--stream`: stdout is for JSON only.
    pub fn json(&self) -> bool {
        self.format != Format::Text
    }

    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// A whole `--json` document on one line. A closed stdout ends the process quietly: the
    /// document is the command's last act, so nothing is left undone.
    pub fn doc<T: Serialize>(&self, doc: &T) {
        let line = serde_json::to_string(doc).expect("schema types serialise");
        finish_on_close(write_out(&format!("{line}\n")));
    }

    /// One JSON line of a stream; `Err(Closed)` lets the caller cancel its work before stopping.
    pub fn line<T: Serialize>(&self, doc: &T) -> Result<(), Closed> {
        let line = serde_json::to_string(doc).expect("schema types serialise");
        write_out(&format!("{line}\n"))
    }

    /// Text for people on stdout (results, tables), stripped of control sequences.
    pub fn out(&self, text: &str) {
        finish_on_close(write_out(&hfs_core::text::strip_terminal_escapes(text)));
    }

    /// A piece of streamed text (chat tokens), flushed at once.
    pub fn piece(&self, text: &str) -> Result<(), Closed> {
        write_out(&hfs_core::text::strip_terminal_escapes(text))
    }

    /// A status line on stderr (`Space is BUILDING; waiting…`), unless `-q`.
    pub fn status(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}", hfs_core::text::strip_terminal_escapes(msg));
        }
    }

    /// `warning: …` on stderr, unless `-q`.
    pub fn warn(&self, msg: &str) {
        self.status(&format!("warning: {msg}"));
    }

    /// `note: …` on stderr, unless `-q`.
    pub fn note(&self, msg: &str) {
        self.status(&format!("note: {msg}"));
    }

    /// The live display of one call: a spinner or bar on a terminal (never with `-q`), the
    /// app's or provider's log lines unless `-q`.
    pub fn progress(&self, first: &str) -> Progress {
        Progress::new(!self.quiet && std::io::stderr().is_terminal(), self.quiet, first)
    }

    /// The live display of a batch of `total` items.
    pub fn batch_progress(&self, total: usize) -> crate::progress::BatchProgress {
        crate::progress::BatchProgress::new(!self.quiet && std::io::stderr().is_terminal(), self.quiet, total)
    }

    /// Reports a failure: `error: …` and hints on stderr always; with `--json` an
    /// `hfs.error/1` document on stdout, with `--stream` an `error` event.
    pub fn error(&self, e: &CliError, ctx: &ErrorContext) {
        match self.format {
            Format::Json => {
                let mut doc = hfs_schema::ErrorDoc::new(ctx.command.clone(), e.info());
                doc.target = ctx.target.clone();
                doc.model = ctx.model.clone();
                let _ = self.line(&doc);
            }
            Format::Stream => {
                let _ = self.line(&hfs_schema::StreamLine::new(hfs_schema::StreamEvent::Error { error: e.info() }));
            }
            Format::Text => {}
        }
        self.error_text(e);
    }

    /// `error: …` and its hints on stderr only (always, even with `-q`).
    pub fn error_text(&self, e: &CliError) {
        eprint!("{}", crate::exit::render(e));
    }
}

fn write_out(s: &str) -> Result<(), Closed> {
    let mut out = std::io::stdout().lock();
    // A closed pipe, or any other failure to write stdout (a full disk under a redirect): the
    // output has nowhere to go either way.
    out.write_all(s.as_bytes()).and_then(|_| out.flush()).map_err(|_| Closed)
}

fn finish_on_close(r: Result<(), Closed>) {
    if r.is_err() {
        // The reader is gone: what is left to say has nowhere to go. Exit 0 like `head`'s
        // writers conventionally do (ripgrep, uv), without a panic or a message.
        std::process::exit(0);
    }
}
