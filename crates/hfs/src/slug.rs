/// `Output Image (1)` → `output-image-1`: lower-case ASCII words joined by `-`, never empty.
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
    if out.is_empty() { "output".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(slug("Output Image (1)"), "output-image-1");
        assert_eq!(slug("/generate_image"), "generate_image");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("ünïcödé"), "n-c-d");
        assert_eq!(slug("???"), "output");
    }
}
