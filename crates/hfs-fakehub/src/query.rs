//! Query strings, normalised so that equivalent spellings compare equal:
//! percent-decoding, `expand[]=x` ≡ `expand=x` (JS vs Python clients), and
//! parameter order ignored.

/// Decoded `(name, value)` pairs, `[]` stripped from names, in request
/// order (repeated values keep their order); equality ignores order.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl PartialEq for Params {
    fn eq(&self, other: &Params) -> bool {
        self.sorted() == other.sorted()
    }
}
impl Eq for Params {}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| {
                let k = k.strip_suffix("[]").unwrap_or(&k).to_string();
                (k, v.into_owned())
            })
            .collect();
        Params(pairs)
    }

    fn sorted(&self) -> Vec<&(String, String)> {
        let mut pairs: Vec<_> = self.0.iter().collect();
        pairs.sort();
        pairs
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable parameter; comma-separated lists are
    /// split too, as the Hub accepts both `filter=a&filter=b` and `filter=a,b`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).flat_map(|(_, v)| v.split(',')).map(str::trim).filter(|v| !v.is_empty()).collect()
    }

    /// A positive `limit`-style number, if given and valid.
    pub fn number(&self, name: &str) -> Option<usize> {
        self.get(name)?.parse().ok()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn brackets_encoding_and_order_do_not_matter() {
        let a = Params::parse(Some("expand[]=inferenceProviderMapping&b=2"));
        let b = Params::parse(Some("b=2&expand=inferenceProviderMapping"));
        let c = Params::parse(Some("expand%5B%5D=inferenceProviderMapping&b=2"));
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_ne!(a, Params::parse(Some("expand=other&b=2")));
        assert_eq!(Params::parse(None), Params::parse(Some("")));
    }

    #[test]
    fn repeated_and_comma_separated_values() {
        let p = Params::parse(Some("sdk=gradio&sdk=docker&filter=a,b&limit=3&full=true"));
        assert_eq!(p.all("sdk"), ["gradio", "docker"]);
        assert_eq!(p.all("filter"), ["a", "b"]);
        assert_eq!(p.number("limit"), Some(3));
        assert!(p.flag("full") && !p.flag("nope"));
    }
}
