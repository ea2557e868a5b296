//! The `--help` of every command, snapshotted: a change of interface (a flag added, renamed or
//! reworded) shows up in review as a snapshot diff. Also: a closed stdout ends a command quietly.

use crate::support::{Hfs, closed_stdout};

const COMMANDS: &[&[&str]] = &[
    &[],
    &["api"],
    &["call"],
    &["auth"],
    &["auth", "status"],
    &["auth", "login"],
    &["auth", "logout"],
    &["space"],
    &["space", "info"],
    &["quota"],
    &["search"],
    &["search", "spaces"],
    &["search", "models"],
    &["models"],
    &["presets"],
    &["resume"],
    &["run"],
    &["gallery"],
    &["image"],
    &["video"],
    &["speech"],
    &["transcribe"],
    &["chat"],
    &["mcp"],
];

#[test]
fn help_of_every_command() {
    for cmd in COMMANDS {
        // A fixed width, so the wrapping is the same on every machine.
        let r = Hfs::new().args(cmd.iter().copied()).arg("--help").env("COLUMNS", "100").run().ok();
        let name = if cmd.is_empty() { "hfs".to_string() } else { format!("hfs_{}", cmd.join("_")) };
        insta::assert_snapshot!(name, r.stdout);
    }
}

/// `hfs auth logout | head -0`: the reader is gone before hfs writes; hfs ends without a panic,
/// a message or a failure code (it used to panic in `println!`, exit 101).
#[test]
fn a_closed_stdout_ends_quietly() {
    let (code, stderr) = closed_stdout(&["auth", "logout"]);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(code, Some(0), "{stderr}");
}
