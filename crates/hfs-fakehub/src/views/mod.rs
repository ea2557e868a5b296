//! Pure functions turning config into the JSON bodies the real Hub sends.
//! Kept apart from routing so replayed fixtures can later be compared with
//! them field by field.

pub mod model;
pub mod ordered;
pub mod search;
pub mod space;
pub mod whoami;

/// Fixed timestamps: fake data must be deterministic for snapshot tests.
pub const CREATED_AT: &str = "2025-01-01T00:00:00.000Z";
pub const LAST_MODIFIED: &str = "2025-01-02T00:00:00.000Z";

/// A stable hex string derived from `seed` (FNV-1a, repeated), shaped like
/// the Hub's Mongo ids (24 chars) and git shas (40 chars).
pub fn fake_hex(seed: &str, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut round: u64 = 0;
    while out.len() < len {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round;
        for b in seed.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
        round += 1;
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fake_hex_is_stable_sized_and_seed_dependent() {
        let a = super::fake_hex("a/b", 40);
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, super::fake_hex("a/b", 40));
        assert_ne!(a, super::fake_hex("a/c", 40));
    }
}
