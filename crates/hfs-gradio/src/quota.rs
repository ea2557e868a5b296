//! Recognising ZeroGPU quota errors in app errors. The `spaces` package (0.51) raises them with
//! the title `ZeroGPU quota exceeded` and messages such as
//!
//! * `You have exceeded your free ZeroGPU quota (60s requested vs. 0s left). Try again in 0:01:23.`
//!   (also `Pro ZeroGPU`; older: `… GPU quota … retry in 0:09:48`): the wait is a Python
//!   timedelta, `H:MM:SS`, maybe with `.ffffff` and `N days, ` before it;
//! * `… exceeded your ZeroGPU runs limit …`;
//! * `Space app has reached its GPU limit …` (anonymous callers: logging in helps);
//! * `ZeroGPU pending credits exceeded …` (wait for the running tasks to finish).
//!
//! `ZeroGPU illegal duration` is not a quota: the request itself asks for too long a GPU slot, and
//! no wait or other account changes that; it stays an app error.

use std::time::Duration;

use crate::Error;

/// A quota error as [`Error::QuotaExceeded`] with the wait when it says one; `None` otherwise.
#[cfg(test)]
pub(crate) fn parse_quota_error(message: &str) -> Option<Error> {
    parse_titled(message, None)
}

/// As [`parse_quota_error`], also trusting the error title.
pub(crate) fn parse_titled(message: &str, title: Option<&str>) -> Option<Error> {
    let lower = message.to_ascii_lowercase();
    if lower.contains("illegal duration") {
        return None;
    }
    let titled = title.is_some_and(|t| t.to_ascii_lowercase().contains("zerogpu quota"));
    let quota = titled
        || lower.contains("gpu quota")
        || lower.contains("zerogpu quota")
        || lower.contains("zerogpu runs limit")
        || lower.contains("reached its gpu limit")
        || lower.contains("zerogpu pending credits");
    if !quota {
        return None;
    }
    let retry_in =
        ["retry in", "try again in"].iter().find_map(|k| lower.find(k).and_then(|i| parse_timedelta(lower[i + k.len()..].trim_start())));
    Some(Error::QuotaExceeded { message: strip_html(message), retry_in })
}

/// A Python timedelta at the start of `s`: `[N day(s), ]H:MM:SS[.ffffff]` (or `MM:SS`).
fn parse_timedelta(s: &str) -> Option<Duration> {
    let (days, rest) = match s.split_once(" day") {
        Some((d, rest)) if d.chars().all(|c| c.is_ascii_digit()) && !d.is_empty() => {
            let rest = rest.trim_start_matches('s').trim_start_matches(',').trim_start();
            (d.parse::<u64>().ok()?, rest)
        }
        _ => (0, s),
    };
    let hms = parse_hms(rest)?;
    Some(hfs_core::time::server_wait(days.saturating_mul(86_400).saturating_add(hms)))
}

/// `H:MM:SS` or `MM:SS` (fractions of a second dropped) at the start of `s`, in seconds.
fn parse_hms(s: &str) -> Option<u64> {
    let token: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
    let parts: Vec<u64> = token.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    // Numbers from a server: saturate instead of overflowing (capped at a day anyway).
    Some(match parts.as_slice() {
        [h, m, s] => h.saturating_mul(3600).saturating_add(m.saturating_mul(60)).saturating_add(*s),
        [m, s] => m.saturating_mul(60).saturating_add(*s),
        _ => return None,
    })
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
        assert!(parse_titled("ZeroGPU illegal duration: 400s requested", Some("ZeroGPU quota exceeded")).is_none(), "not a quota");
    }

    #[test]
    fn every_form_of_the_spaces_package() {
        let wait = |m: &str| parse_quota_error(m).unwrap_or_else(|| panic!("not recognised: {m}")).retry_after();
        assert_eq!(
            wait("You have exceeded your free ZeroGPU quota (60s requested vs. 0s left). Try again in 0:01:23."),
            Some(Duration::from_secs(83))
        );
        assert_eq!(
            wait("You have exceeded your Pro ZeroGPU quota (90s requested vs. 10s left). Try again in 1:02:03.500000."),
            Some(Duration::from_secs(3723))
        );
        assert_eq!(
            wait("You have exceeded your free ZeroGPU quota. Try again in 1 day, 0:00:10."),
            Some(Duration::from_secs(86_400)),
            "capped at a day"
        );
        assert_eq!(wait("You have exceeded your ZeroGPU runs limit. Try again in 0:00:30"), Some(Duration::from_secs(30)));
        assert_eq!(wait("Space app has reached its GPU limit. Sign in for more."), None);
        assert_eq!(wait("ZeroGPU pending credits exceeded. Wait for your running tasks to finish."), None);
        // The title alone is enough, whatever the text says.
        assert!(parse_titled("Please come back later", Some("ZeroGPU quota exceeded")).is_some());
    }
}
