//! What a run is: the product of prompt lines × variations × N copies, each an [`Item`] with a
//! stable key, its own seed and its backends.

use std::collections::HashSet;

use hfs_generate::{Backend, GenRequest, GenTask};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::BatchError;

/// One line of a prompts file: a prompt, or a JSON object with `prompt` and any per-item options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Line {
    /// 1-based line number in the file (0 when the line is the command's own prompt).
    pub number: usize,
    /// Options by name, applied with [`GenRequest::set`] (`space`, `endpoint`, `model` and
    /// `provider` choose the item's backend instead).
    pub options: Vec<(String, Value)>,
}

/// A run before it is expanded.
#[derive(Clone, Debug)]
pub struct Spec {
    pub task: GenTask,
    /// The command's options, shared by every item.
    pub base: GenRequest,
    /// Backends in order (the first serves; the others are fallbacks).
    pub backends: Vec<Backend>,
    /// Prompt lines; empty means one item source, `base` itself.
    pub lines: Vec<Line>,
    /// `--vary KEY=V1,V2,…`, in order: every combination is an item source.
    pub vary: Vec<(String, Vec<String>)>,
    /// Copies of every combination, with distinct seeds.
    pub n: u32,
}

/// One unit of work, as the manifest's `planned` record holds it: everything needed to run it
/// again (the request with its seed, the backends), and the key that names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable across runs: a hash of the canonical inputs, backends and seed (`item` in records).
    #[serde(rename = "item")]
    pub key: String,
    /// Position in the plan (the order items run in).
    pub index: usize,
    pub task: GenTask,
    pub request: GenRequest,
    pub backends: Vec<Backend>,
    /// Which of the N copies this is (it tells copies apart when the backend takes no seed).
    #[serde(default)]
    pub copy: u32,
    /// The pipeline step this item runs (`None` in a plain batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The pipeline instance it belongs to (a key of its vars' values): a run's items of one
    /// instance are shown together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The items whose outputs it takes, by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
}

impl Item {
    /// The key of these inputs: the first 16 hex digits of the SHA-256 of their canonical JSON
    /// (struct fields in declaration order, so the same inputs always give the same key).
    pub fn key_of(task: GenTask, request: &GenRequest, backends: &[Backend], copy: u32) -> String {
        let canonical = json!({
            "task": task,
            "request": request,
            "backends": backends,
            // Copies differ by seed; without one, by number.
            "copy": if request.seed.is_some() { Value::Null } else { json!(copy) },
        });
        let digest = Sha256::digest(canonical.to_string().as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// Whether this item falls in shard `k` of `n` (1-based `k`): by its key, so every shard of
    /// one plan is disjoint and together they cover it, with no coordination.
    pub fn in_shard(&self, (k, n): (u32, u32)) -> bool {
        let h = u64::from_str_radix(self.key.get(..16).unwrap_or(&self.key), 16).unwrap_or(0);
        n == 0 || h % n as u64 == (k.saturating_sub(1)) as u64
    }

    /// A short description for people: the prompt, or the input file.
    pub fn title(&self) -> String {
        let r = &self.request;
        r.prompt
            .clone()
            .or_else(|| r.audio.as_ref().map(|p| p.display().to_string()))
            .or_else(|| r.image.as_ref().map(|p| p.display().to_string()))
            .unwrap_or_else(|| self.task.as_str().to_string())
    }
}

/// `--shard K/N`.
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--shard takes K/N with 1 ≤ K ≤ N (e.g. 2/4), got `{s}`");
    let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// `KEY=V1,V2,…` (a value may not contain a comma; use a prompts file for such values).
pub fn parse_vary(s: &str) -> Result<(String, Vec<String>), String> {
    let (k, vs) = s.split_once('=').ok_or_else(|| format!("--vary takes KEY=V1,V2,…, got `{s}`"))?;
    let key = k.trim();
    if key.is_empty() {
        return Err(format!("--vary needs a name before `=`, got `{s}`"));
    }
    let values: Vec<String> = vs.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return Err(format!("--vary {key} has no values"));
    }
    Ok((key.to_string(), values))
}

/// A prompts file: one prompt a line (blank lines and `#` comments skipped), or JSON lines, each an
/// object with the main input (`prompt`; `text` for speech; `audio` for transcription) and any
/// per-item options. `main` is the option a plain line sets.
pub fn parse_prompts(text: &str, main: &str) -> Result<Vec<Line>, BatchError> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let bad = |message: String| BatchError::Prompts { line: number, message };
        let options = if t.starts_with('{') {
            let v: Value = serde_json::from_str(t).map_err(|e| bad(format!("not a JSON object: {e}")))?;
            let Value::Object(map) = v else { return Err(bad("not a JSON object".into())) };
            let options: Vec<(String, Value)> = map.into_iter().map(|(k, v)| (if k == "text" { "prompt".into() } else { k }, v)).collect();
            let main_key = if main == "text" { "prompt" } else { main };
            if !options.iter().any(|(k, _)| k == main_key) {
                return Err(bad(format!("the object has no `{main}`")));
            }
            options
        } else {
            vec![(if main == "text" { "prompt".into() } else { main.to_string() }, Value::String(t.to_string()))]
        };
        lines.push(Line { number, options });
    }
    if lines.is_empty() {
        return Err(BatchError::Prompts { line: 0, message: "the file has no prompts".into() });
    }
    Ok(lines)
}

const BACKEND_KEYS: [&str; 4] = ["space", "endpoint", "model", "provider"];

impl Spec {
    /// The items of this run, in order: for each line, each combination of variations, `n`
    /// copies. Copies take seeds `S, S+1, …` when a seed is given (by the command, the line or a
    /// variation), else `seeds[copy]` (drawn once for the run, so every combination is made with
    /// the same seeds and differs only by what varies). Items with the same key are one item.
    pub fn items(&self, seeds: &[Option<u64>]) -> Result<Vec<Item>, BatchError> {
        let base_line = [Line::default()];
        let lines: &[Line] = if self.lines.is_empty() { &base_line } else { &self.lines };
        let combos = combinations(&self.vary);
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        for line in lines {
            let at = |message: String| {
                if line.number == 0 { BatchError::Usage(message) } else { BatchError::Prompts { line: line.number, message } }
            };
            let mut req = self.base.clone();
            let mut backends = self.backends.clone();
            let get = |k: &str| {
                line.options.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
            };
            if let Some(space) = get("space") {
                backends = vec![Backend::Space { space, endpoint: get("endpoint") }];
            } else if let Some(model) = get("model") {
                backends = vec![Backend::Provider { model, provider: get("provider").filter(|p| p != "auto") }];
            } else if get("endpoint").is_some() || get("provider").is_some() {
                return Err(at("`endpoint` goes with `space`, and `provider` with `model`".into()));
            }
            for (k, v) in &line.options {
                if !BACKEND_KEYS.contains(&k.as_str()) {
                    req.set(k, v).map_err(at)?;
                }
            }
            for combo in &combos {
                let mut r = req.clone();
                for (k, v) in combo {
                    r.set(k, &Value::String(v.clone())).map_err(|e| BatchError::Usage(format!("--vary: {e}")))?;
                }
                let given = r.seed;
                for copy in 0..self.n.max(1) {
                    let mut r = r.clone();
                    r.seed = match given {
                        Some(s) => Some(s.saturating_add(copy as u64)),
                        None => seeds.get(copy as usize).copied().flatten(),
                    };
                    let key = Item::key_of(self.task, &r, &backends, copy);
                    if seen.insert(key.clone()) {
                        items.push(Item {
                            key,
                            index: items.len(),
                            task: self.task,
                            request: r,
                            backends: backends.clone(),
                            copy,
                            step: None,
                            group: None,
                            inputs: vec![],
                        });
                    }
                }
            }
        }
        Ok(items)
    }
}

/// Every combination of the variations, first key slowest (one empty combination when none).
fn combinations(vary: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut out = vec![vec![]];
    for (k, values) in vary {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<(String, String)>| {
                values.iter().map(move |v| {
                    let mut c = prefix.clone();
                    c.push((k.clone(), v.clone()));
                    c
                })
            })
            .collect();
    }
    out
}

/// `n` distinct seeds in `[min, max]` (fewer distinct ones only when the range is smaller).
pub fn draw_seeds(n: u32, range: Option<(u64, u64)>) -> Vec<Option<u64>> {
    let Some((min, max)) = range else { return vec![None; n as usize] };
    let span = max.saturating_sub(min).saturating_add(1).max(1);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n as usize);
    while out.len() < n as usize {
        let s = min.saturating_add((uuid::Uuid::new_v4().as_u128() as u64) % span);
        if seen.insert(s) || seen.len() as u64 >= span {
            out.push(Some(s));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            task: GenTask::Image,
            base: GenRequest { prompt: Some("a fox".into()), ..Default::default() },
            backends: vec![Backend::Space { space: "a/b".into(), endpoint: None }],
            lines: vec![],
            vary: vec![],
            n: 1,
        }
    }

    #[test]
    fn seeds_count_up_from_the_given_one() {
        let s = Spec { n: 4, base: GenRequest { seed: Some(7), ..spec().base }, ..spec() };
        let items = s.items(&[]).unwrap();
        assert_eq!(items.iter().map(|i| i.request.seed).collect::<Vec<_>>(), [Some(7), Some(8), Some(9), Some(10)]);
    }

    #[test]
    fn the_run_is_lines_times_variations_times_n() {
        let lines = parse_prompts("a fox\n\n# skipped\n{\"prompt\": \"an owl\", \"steps\": 4}\n", "prompt").unwrap();
        assert_eq!(lines[1].number, 4);
        let s = Spec { lines, vary: vec![parse_vary("aspect=1:1,16:9").unwrap()], n: 3, ..spec() };
        let seeds = draw_seeds(3, Some((0, 1000)));
        let items = s.items(&seeds).unwrap();
        assert_eq!(items.len(), 2 * 2 * 3);
        // The same seeds across prompts and variations; distinct across copies.
        assert_eq!(items[0].request.seed, items[3].request.seed);
        assert_ne!(items[0].request.seed, items[1].request.seed);
        assert_eq!(items[6].request.steps, Some(4));
        assert_eq!(items[3].request.aspect, Some((16, 9)));
        let keys: HashSet<_> = items.iter().map(|i| &i.key).collect();
        assert_eq!(keys.len(), items.len());
    }

    #[test]
    fn keys_are_stable_and_depend_on_every_input() {
        let a = spec().items(&[Some(1)]).unwrap();
        let b = spec().items(&[Some(1)]).unwrap();
        assert_eq!(a[0].key, b[0].key);
        assert_eq!(a[0].key.len(), 16);
        let c = spec().items(&[Some(2)]).unwrap();
        assert_ne!(a[0].key, c[0].key);
        let d = Spec { backends: vec![Backend::Space { space: "a/c".into(), endpoint: None }], ..spec() }.items(&[Some(1)]).unwrap();
        assert_ne!(a[0].key, d[0].key);
        // Without seeds, copies differ by number.
        let e = Spec { n: 2, ..spec() }.items(&[None, None]).unwrap();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn shards_cover_the_plan_exactly_once() {
        let items = Spec { n: 100, ..spec() }.items(&draw_seeds(100, Some((0, u32::MAX as u64)))).unwrap();
        for n in 1..6 {
            for it in &items {
                assert_eq!((1..=n).filter(|k| it.in_shard((*k, n))).count(), 1);
            }
        }
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err() && parse_shard("5/4").is_err() && parse_shard("x").is_err());
    }

    #[test]
    fn bad_lines_name_their_number() {
        let e = parse_prompts("ok\n{\"steps\": 3}\n", "prompt").unwrap_err();
        assert!(matches!(e, BatchError::Prompts { line: 2, .. }), "{e}");
        let e = parse_prompts("{not json\n", "prompt").unwrap_err();
        assert!(matches!(e, BatchError::Prompts { line: 1, .. }));
        let lines = parse_prompts("{\"prompt\": \"x\", \"steps\": \"many\"}", "prompt").unwrap();
        let e = Spec { lines, ..spec() }.items(&[None]).unwrap_err();
        assert!(e.to_string().contains("line 1") && e.to_string().contains("steps"), "{e}");
        assert!(parse_prompts("\n# only comments\n", "prompt").is_err());
    }

    #[test]
    fn a_line_can_choose_its_backend() {
        let lines = parse_prompts("{\"prompt\": \"x\", \"model\": \"m/n\", \"provider\": \"fal-ai\"}", "prompt").unwrap();
        let items = Spec { lines, ..spec() }.items(&[None]).unwrap();
        assert_eq!(items[0].backends, vec![Backend::Provider { model: "m/n".into(), provider: Some("fal-ai".into()) }]);
    }

    #[test]
    fn drawn_seeds_are_distinct_and_in_range() {
        let s = draw_seeds(50, Some((10, 1000)));
        let set: HashSet<_> = s.iter().collect();
        assert_eq!(set.len(), 50);
        assert!(s.iter().all(|x| (10..=1000).contains(&x.unwrap())));
        // A range smaller than n repeats rather than looping forever.
        assert_eq!(draw_seeds(5, Some((3, 4))).len(), 5);
    }
}
