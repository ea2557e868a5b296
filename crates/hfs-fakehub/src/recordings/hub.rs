//! Hub JSON fixtures (`hub/` beside the cassettes): real responses used as
//! data by synthesised routes rather than replayed as-is.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

/// The hits of the recorded semantic-search response; none without fixtures.
pub fn search_hits(fixtures: Option<&Path>) -> anyhow::Result<Vec<Value>> {
    let Some(dir) = fixtures else {
        return Ok(Vec::new());
    };
    let file = dir.join("hub/spaces-semantic-search.json");
    if !file.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    match serde_json::from_str(&text).with_context(|| format!("parsing {}", file.display()))? {
        Value::Array(hits) => Ok(hits),
        _ => bail!("{} is not a JSON array", file.display()),
    }
}
