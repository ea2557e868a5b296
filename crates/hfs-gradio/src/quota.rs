//! Recognising ZeroGPU quota errors in app error messages.

use std::time::Duration;

use crate::Error;

/// `You have exceeded your GPU quota (60s requested vs. 56s left). … retry in 0:09:48` becomes
/// `Error::QuotaExceeded` with the wait.
pub(crate) fn parse_quota_error(message: &str) -> Option<Error> {
    let lower = message.to_ascii_lowercase();
    if !(lower.contains("gpu quota") || lower.contains("zerogpu quota")) {
        return None;
    }
    let retry_in = lower.find("retry in").and_then(|i| parse_hms(lower[i + 8..].trim_start()));
    Some(Error::QuotaExceeded { message: strip_html(message), retry_in })
}

/// `H:MM:SS` or `MM:SS` at the start of `s`.
fn parse_hms(s: &str) -> Option<Duration> {
    let token: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
    let parts: Vec<u64> = token.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    // Numbers from a server: saturate instead of overflowing (capped at a day anyway).
    let secs = match parts.as_slice() {
        [h, m, s] => h.saturating_mul(3600).saturating_add(m.saturating_mul(60)).saturating_add(*s),
        [m, s] => m.saturating_mul(60).saturating_add(*s),
        _ => return None,
    };
    Some(hfs_core::time::server_wait(secs))
}

fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_retry_time() {
        let e = parse_quota_error(
            "You have exceeded your GPU quota (60s requested vs. 56s left). Sign-up on Hugging Face to get more quotas or retry in 0:09:48",
        )
        .unwrap();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(588)));
        assert!(e.to_string().contains("resets in 9m48s"), "{e}");
    }

    #[test]
    fn html_link_variant_has_no_wait() {
        let e = parse_quota_error("You have exceeded your GPU quota (60s requested vs. 56s left). <a href=\"https://huggingface.co/join\">Create a free account</a> to get more usage quota.").unwrap();
        assert_eq!(e.retry_after(), None);
        let Error::QuotaExceeded { message, .. } = e else { panic!() };
        assert!(!message.contains("<a"));
    }

    #[test]
    fn huge_numbers_saturate() {
        let e = parse_quota_error(&format!("exceeded your GPU quota. retry in {}:00:00", u64::MAX)).unwrap();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(hfs_core::time::MAX_SERVER_WAIT_SECS)));
        let e = parse_quota_error("exceeded your GPU quota. retry in 99999999999999999999:1").unwrap();
        assert_eq!(e.retry_after(), None, "a number beyond u64 is no wait, not a panic");
    }

    #[test]
    fn other_errors_are_not_quota() {
        assert!(parse_quota_error("Boom: x").is_none());
    }
}
