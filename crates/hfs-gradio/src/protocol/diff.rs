//! Applies the edit operations Gradio sends for generator outputs (`sse_v2` and later).

use serde_json::Value;

/// The deepest value diffs may build: serde_json's own parsing limit. Each operation's value was
/// parsed under that limit, but operations nest into each other, and a value much deeper than
/// this would overflow the stack when it is dropped or printed.
pub const MAX_DEPTH: usize = 128;

/// Applies one output's list of `[action, path, value]` operations to its previous value.
pub fn apply(previous: &Value, ops: &Value) -> Result<Value, String> {
    let ops = ops.as_array().ok_or("diff is not a list")?;
    let mut value = previous.clone();
    for op in ops {
        let op = op.as_array().filter(|o| o.len() == 3).ok_or("diff operation is not [action, path, value]")?;
        let action = op[0].as_str().ok_or("diff action is not a string")?;
        let path = op[1].as_array().ok_or("diff path is not a list")?;
        // Where the value lands is `path.len()` deep; what it holds adds its own depth.
        if path.len().saturating_add(depth(&op[2])) > MAX_DEPTH {
            return Err(format!("diff builds a value deeper than {MAX_DEPTH} levels"));
        }
        apply_one(&mut value, action, path, op[2].clone())?;
    }
    Ok(value)
}

/// Nesting depth of a value (a scalar is 1). Only called on values serde parsed, so bounded.
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(l) => 1 + l.iter().map(depth).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 1,
    }
}

fn apply_one(target: &mut Value, action: &str, path: &[Value], value: Value) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return match action {
            "replace" => {
                *target = value;
                Ok(())
            }
            "append" => append(target, value),
            other => Err(format!("diff action `{other}` needs a path")),
        };
    };
    let mut parent = target;
    for key in parents {
        parent = step(parent, key)?;
    }
    match (action, parent) {
        ("replace", p) => {
            *step(p, last)? = value;
            Ok(())
        }
        ("append", p) => append(step(p, last)?, value),
        ("add", Value::Array(list)) => {
            let i = index(last)?;
            if i > list.len() {
                return Err(format!("diff add at {i} beyond list of {}", list.len()));
            }
            list.insert(i, value);
            Ok(())
        }
        ("add", Value::Object(map)) => {
            map.insert(key_str(last)?, value);
            Ok(())
        }
        ("delete", Value::Array(list)) => {
            let i = index(last)?;
            if i >= list.len() {
                return Err(format!("diff delete at {i} beyond list of {}", list.len()));
            }
            list.remove(i);
            Ok(())
        }
        ("delete", Value::Object(map)) => {
            map.remove(&key_str(last)?);
            Ok(())
        }
        (other, _) => Err(format!("unknown or misplaced diff action `{other}`")),
    }
}

fn step<'a>(v: &'a mut Value, key: &Value) -> Result<&'a mut Value, String> {
    match v {
        Value::Array(list) => {
            let i = index(key)?;
            list.get_mut(i).ok_or_else(|| format!("diff path index {i} out of range"))
        }
        Value::Object(map) => {
            let k = key_str(key)?;
            Ok(map.entry(k).or_insert(Value::Null))
        }
        _ => Err(format!("diff path {key} goes through a scalar")),
    }
}

fn append(target: &mut Value, value: Value) -> Result<(), String> {
    match (target, value) {
        (Value::String(s), Value::String(add)) => {
            s.push_str(&add);
            Ok(())
        }
        (Value::Array(list), Value::Array(add)) => {
            list.extend(add);
            Ok(())
        }
        (t @ Value::Null, v) => {
            *t = v;
            Ok(())
        }
        (t, v) => Err(format!("cannot append {v} to {t}")),
    }
}

fn index(key: &Value) -> Result<usize, String> {
    key.as_u64().map(|i| i as usize).ok_or_else(|| format!("diff list index {key} is not a number"))
}

fn key_str(key: &Value) -> Result<String, String> {
    match key {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("diff key {other} is not a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Ported from @gradio/client `apply_diff` tests (js/client/src/test/api_info.test.ts upstream).
    #[test]
    fn js_client_delete_cases() {
        let v = apply(&json!([{"a": 1}, {"b": 2}]), &json!([["delete", [0], null], ["delete", [0], null]])).unwrap();
        assert_eq!(v, json!([]));
        let v = apply(&json!(["a", "b", "c"]), &json!([["replace", [0], "d"], ["delete", [1], null], ["delete", [1], null]])).unwrap();
        assert_eq!(v, json!(["d"]));
    }

    #[test]
    fn string_append_and_replace_at_root() {
        assert_eq!(apply(&json!("0"), &json!([["append", [], "1"]])).unwrap(), json!("01"));
        assert_eq!(apply(&json!("12"), &json!([["replace", [], "35"]])).unwrap(), json!("35"));
        assert_eq!(apply(&json!("x"), &json!([])).unwrap(), json!("x"), "empty ops = unchanged");
    }

    #[test]
    fn chatbot_message_diffs() {
        let prev = json!([{"role": "user", "content": [{"text": "hi", "type": "text"}]}]);
        let v = apply(&prev, &json!([["add", [1], {"role": "assistant", "content": [{"text": "Hello", "type": "text"}]}]])).unwrap();
        let v = apply(&v, &json!([["append", [1, "content", 0, "text"], " there"]])).unwrap();
        assert_eq!(v[1]["content"][0]["text"], json!("Hello there"));
    }

    #[test]
    fn object_add_and_delete() {
        let v = apply(&json!({"a": 1, "b": 2}), &json!([["add", ["c"], 3], ["delete", ["a"], null]])).unwrap();
        assert_eq!(v, json!({"b": 2, "c": 3}));
    }

    #[test]
    fn nesting_ops_cannot_build_values_deeper_than_serde_parses() {
        // Each op nests one level deeper at the end of the last one: without the depth bound the
        // value grows to 100,000 levels and dropping it overflows the stack.
        let mut v = json!([]);
        let mut path: Vec<Value> = Vec::new();
        let mut failed = None;
        for i in 0..100_000 {
            let ops = json!([["add", Value::Array(path.iter().cloned().chain([json!(0)]).collect()), []]]);
            match apply(&v, &ops) {
                Ok(next) => v = next,
                Err(e) => {
                    failed = Some((i, e));
                    break;
                }
            }
            path.push(json!(0));
        }
        let (at, e) = failed.expect("the depth bound must stop the nesting");
        assert!(at < MAX_DEPTH, "stopped at {at}");
        assert!(e.contains("deeper than"), "{e}");
        assert!(apply(&json!(null), &json!([["replace", [], [[[[1]]]]]])).is_ok());
    }

    #[test]
    fn bad_ops_are_errors_not_panics() {
        assert!(apply(&json!([1]), &json!([["frobnicate", [0], 1]])).is_err());
        assert!(apply(&json!([1]), &json!([["delete", [5], null]])).is_err());
        assert!(apply(&json!(1), &json!([["append", [], "x"]])).is_err());
        assert!(apply(&json!([1]), &json!("nope")).is_err());
    }
}
