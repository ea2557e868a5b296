//! Applies the edit operations Gradio sends for generator outputs (`sse_v2` and later).

use serde_json::Value;

/// Applies one output's list of `[action, path, value]` operations to its previous value.
pub fn apply(previous: &Value, ops: &Value) -> Result<Value, String> {
    let ops = ops.as_array().ok_or("diff is not a list")?;
    let mut value = previous.clone();
    for op in ops {
        let op = op.as_array().filter(|o| o.len() == 3).ok_or("diff operation is not [action, path, value]")?;
        let action = op[0].as_str().ok_or("diff action is not a string")?;
        let path = op[1].as_array().ok_or("diff path is not a list")?;
        apply_one(&mut value, action, path, op[2].clone())?;
    }
    Ok(value)
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

    // Ported from @gradio/client `apply_diff` tests (gradio-protocol.md §7.4).
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
    fn bad_ops_are_errors_not_panics() {
        assert!(apply(&json!([1]), &json!([["frobnicate", [0], 1]])).is_err());
        assert!(apply(&json!([1]), &json!([["delete", [5], null]])).is_err());
        assert!(apply(&json!(1), &json!([["append", [], "x"]])).is_err());
        assert!(apply(&json!([1]), &json!("nope")).is_err());
    }
}
