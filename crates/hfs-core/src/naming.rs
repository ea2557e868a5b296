//! File names: safe on every OS, never a path, never empty.

/// Device names Windows reserves in any directory, with or without an extension
/// (<https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file>): CON, PRN, AUX, NUL,
/// COM0–COM9, LPT0–LPT9 and the superscript-digit forms COM¹²³ and LPT¹²³.
fn is_reserved(stem: &str) -> bool {
    let upper = stem.trim_end_matches(' ').to_ascii_uppercase();
    if matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") {
        return true;
    }
    let Some(rest) = upper.strip_prefix("COM").or_else(|| upper.strip_prefix("LPT")) else { return false };
    let mut chars = rest.chars();
    matches!((chars.next(), chars.next()), (Some('0'..='9' | '¹' | '²' | '³'), None))
}

/// A file name safe on every OS (gradio_client's `strip_invalid_filename_characters`, plus no
/// path separators, no control characters, no dot-only or reserved names, at most 200 bytes).
pub fn sanitize_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut s: String = base.chars().filter(|c| !c.is_control() && !"<>:\"/\\|?*`$!{}".contains(*c)).collect();
    while s.ends_with(' ') || s.ends_with('.') {
        s.pop();
    }
    s = s.trim_start_matches('.').trim().to_string();
    if is_reserved(s.split('.').next().unwrap_or_default()) {
        s.insert(0, '_');
    }
    if s.len() > 200 {
        let (stem, ext) = match s.rfind('.') {
            Some(i) if s.len() - i <= 16 => (s[..i].to_string(), s[i..].to_string()),
            _ => (s.clone(), String::new()),
        };
        let mut cut = 200 - ext.len();
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        s = format!("{}{ext}", &stem[..cut]);
    }
    if s.is_empty() || s.starts_with('.') { format!("file{s}") } else { s }
}

/// `Output Image (1)` → `output-image-1`: lower-case ASCII words joined by `-`, never empty,
/// at most 60 characters (output names, tool names).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    let mut out: String = out.chars().take(60).collect();
    while out.ends_with('-') {
        out.pop();
    }
    match out.as_str() {
        "" => "output".into(),
        reserved if is_reserved(reserved) => format!("output-{reserved}"),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("a<b>c:d?.png"), "abcd.png");
        assert_eq!(sanitize_filename(".."), "file");
        assert_eq!(sanitize_filename(".hidden"), "hidden");
        assert_eq!(sanitize_filename("trailing. . "), "trailing");
        assert_eq!(sanitize_filename("new\nline\x1b[31m.txt"), "newline[31m.txt");
        let long = format!("{}.png", "x".repeat(300));
        let s = sanitize_filename(&long);
        assert!(s.len() <= 200 && s.ends_with(".png"), "{s}");
        assert_eq!(sanitize_filename("C:\\Users\\me\\cat.jpg"), "cat.jpg");
    }

    #[test]
    fn every_windows_reserved_name() {
        for n in ["CON", "prn", "Aux", "NUL", "COM0", "COM1", "com9", "LPT0", "LPT1", "lpt9", "COM¹", "COM²", "LPT³"] {
            for name in [n.to_string(), format!("{n}.txt"), format!("{n}.tar.gz"), format!("{n} .png")] {
                let s = sanitize_filename(&name);
                assert!(s.starts_with('_'), "{name:?} → {s:?}");
            }
        }
        // `$` is dropped, so CONIN$ and CONOUT$ cannot come out whole.
        assert_eq!(sanitize_filename("CONIN$"), "CONIN");
        for ok in ["CONSOLE.txt", "COM10", "LPT", "nul_thing.png", "COMA.txt", "auxiliary"] {
            assert_eq!(sanitize_filename(ok), ok);
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Output Image (1)"), "output-image-1");
        assert_eq!(slug("/generate_image"), "generate_image");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("ünïcödé"), "n-c-d");
        assert_eq!(slug("???"), "output");
        assert_eq!(slug("con"), "output-con");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any name a server sends becomes one path component: no separator, no `..`, not
        /// empty, not reserved, at most 200 bytes, stable when sanitised again.
        #[test]
        fn names_are_single_safe_components(name in "\\PC{0,300}") {
            let s = sanitize_filename(&name);
            prop_assert!(!s.is_empty() && s.len() <= 200);
            prop_assert!(!s.contains(['/', '\\']) && s != "." && s != ".." && !s.starts_with('.'));
            prop_assert!(!is_reserved(s.split('.').next().unwrap_or_default()));
            prop_assert_eq!(sanitize_filename(&s), s.clone());
            let slugged = slug(&name);
            prop_assert!(!slugged.is_empty() && slugged.len() <= 60 + 7);
        }
    }
}
