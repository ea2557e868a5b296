//! Server text made safe to print: a log line, an error message or an output value can carry
//! terminal control sequences (colour, cursor moves, OSC 8 links, OSC 52 clipboard writes, window
//! titles). Human output passes server text through [`strip_terminal_escapes`] first.

use std::borrow::Cow;
use std::time::Duration;

/// Removes ANSI/ECMA-48 escape sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte escapes),
/// their 8-bit C1 forms, and every other control character except `\n` and `\t`.
pub fn strip_terminal_escapes(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\x1b' => match it.next() {
                Some('[') => skip_csi(&mut it),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut it),
                // nF escapes: intermediates 0x20-0x2F, then one final byte.
                Some(c) if ('\x20'..='\x2f').contains(&c) => {
                    while it.next_if(|c| ('\x20'..='\x2f').contains(c)).is_some() {}
                    it.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut it),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut it),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`strip_terminal_escapes`], and line breaks become spaces (for one-line displays).
pub fn one_line(s: &str) -> String {
    strip_terminal_escapes(s).replace(['\n', '\t'], " ")
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Parameters and intermediates, then one final byte in 0x40-0x7E.
fn skip_csi(it: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in it.by_ref() {
        if ('\x40'..='\x7e').contains(&c) {
            return;
        }
    }
}

/// Up to the string terminator: BEL, `ESC \` or the C1 ST.
fn skip_string(it: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = it.next() {
        match c {
            '\x07' | '\u{9c}' => return,
            '\x1b' => {
                it.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// `5s`, `90s`, `850ms` (for messages about timeouts).
pub fn fmt_secs(d: Duration) -> String {
    if d.as_secs() == 0 { format!("{}ms", d.as_millis()) } else { format!("{}s", d.as_secs()) }
}

/// `9m48s`, `1h02m`, `850ms`.
pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s == 0 {
        return format!("{}ms", d.as_millis());
    }
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// The candidate closest to `wanted` by edit distance (case-insensitive, a leading `/` ignored),
/// when it is close enough to be a plausible typo: the one "did you mean" rule of every library.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wanted = wanted.trim_start_matches('/').to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&wanted, &c.trim_start_matches('/').to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_every_kind_of_sequence() {
        assert_eq!(strip_terminal_escapes("\x1b[31mred\x1b[0m plain"), "red plain");
        assert_eq!(strip_terminal_escapes("\x1b]0;pwned\x07title"), "title");
        assert_eq!(strip_terminal_escapes("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"), "link");
        assert_eq!(strip_terminal_escapes("\x1b]52;c;aGk=\x07clip"), "clip");
        assert_eq!(strip_terminal_escapes("\x1bPq#0;2;0;0;0\x1b\\sixel"), "sixel");
        assert_eq!(strip_terminal_escapes("a\x1b(Bb\x1bcc"), "abc");
        assert_eq!(strip_terminal_escapes("\u{9b}2Jx\u{9d}0;t\u{9c}y"), "xy");
        assert_eq!(strip_terminal_escapes("back\x08\x08\rspace\x7f\0"), "backspace");
        assert_eq!(strip_terminal_escapes("rtl \u{202e}txt.exe"), "rtl txt.exe");
        assert_eq!(strip_terminal_escapes("keep\nlines\tand tabs, ünïcödé"), "keep\nlines\tand tabs, ünïcödé");
        assert!(matches!(strip_terminal_escapes("clean"), Cow::Borrowed(_)));
        assert_eq!(strip_terminal_escapes("cut \x1b[31"), "cut ");
        assert_eq!(one_line("a\nb\x1b[1m"), "a b");
    }

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_secs(588)), "9m48s");
        assert_eq!(fmt_duration(Duration::from_secs(5)), "5s");
        assert_eq!(fmt_duration(Duration::from_secs(3720)), "1h02m");
        assert_eq!(fmt_duration(Duration::MAX), format!("{}h{:02}m", u64::MAX / 3600, (u64::MAX % 3600) / 60));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a server sends, what is printed has no control character but `\n` and `\t`,
        /// and stripping twice changes nothing.
        #[test]
        fn nothing_that_drives_a_terminal_survives(s in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}]|\u{1b}\\[[0-9;]{0,4}[a-zA-Z]|\u{1b}\\][^\u{7}]{0,8}\u{7}){0,40}") {
            let out = strip_terminal_escapes(&s);
            prop_assert!(out.chars().all(|c| !is_unsafe(c)), "{:?}", out);
            let again = strip_terminal_escapes(&out).into_owned();
            prop_assert_eq!(again.as_str(), out.as_ref());
        }
    }
}

/// An error's message followed by those of its causes that it does not already include
/// (`cannot write out.png: No space left on device`).
pub fn with_sources(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(&format!(": {text}"));
        }
        src = s.source();
    }
    msg
}
