//! JSON objects whose key order matters. serde_json's map sorts keys (the
//! workspace does not enable `preserve_order`, and turning it on here would
//! change every other crate's JSON), but a provider mapping's order is the
//! user's preference order, which clients rely on.

use serde_json::Value;

/// Renders `{"k1": v1, "k2": v2, ...}` in the order given.
pub fn object(fields: &[(String, String)]) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", Value::from(k.as_str()))).collect();
    format!("{{{}}}", body.join(","))
}

/// A field whose value is an ordinary JSON value.
pub fn field(key: &str, value: &Value) -> (String, String) {
    (key.to_string(), value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_order_and_escapes_keys() {
        let inner = object(&[field("z", &json!(1)), field("a\"", &json!("x"))]);
        let outer = object(&[field("id", &json!("m")), ("map".to_string(), inner)]);
        assert_eq!(outer, r#"{"id":"m","map":{"z":1,"a\"":"x"}}"#);
        let parsed: Value = serde_json::from_str(&outer).unwrap();
        assert_eq!(parsed["map"]["a\""], "x");
    }
}
