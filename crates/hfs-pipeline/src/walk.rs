//! Running a pipeline: its instances (one per combination of list vars), each step's items as
//! soon as what they take exists, and what a failure leaves unrun.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hfs_batch::{Follow, Item, Skipped, Then};
use hfs_generate::GenRequest;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::parse::{Pipeline, Step, Template};
use crate::template::{self, Output, Piece, Ref};

/// One combination of the list vars: the vars' values and its key (the items' `group`).
#[derive(Clone, Debug)]
pub struct Instance {
    pub key: String,
    pub vars: BTreeMap<String, Value>,
}

fn hash16(v: &Value) -> String {
    let digest = Sha256::digest(v.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl Pipeline {
    /// A step's request for `--explain` and checking before a run: the first instance's vars,
    /// other steps' outputs as placeholders (`<steps.NAME.files[0]>`; a seed taken from one is
    /// left to the backend).
    pub fn preview(&self, step: &Step) -> GenRequest {
        let vars = self.instances().into_iter().next().map(|i| i.vars).unwrap_or_default();
        let fill = |v: &Value| -> Option<(Value, bool)> {
            let mut tainted = false;
            let out = map_strings(v, &mut |s| {
                let pieces = template::parse(s).ok()?;
                let mut out = String::new();
                for p in pieces {
                    match p {
                        Piece::Text(t) => out.push_str(&t),
                        Piece::Ref(Ref::Var(n), _) => out.push_str(&vars.get(&n).map(text_of).unwrap_or_default()),
                        Piece::Ref(Ref::Step { output: Output::Seed, .. }, _) => return None,
                        Piece::Ref(r @ Ref::Step { .. }, _) => {
                            if let Ref::Step { output, .. } = &r {
                                tainted |= output.is_server_text();
                            }
                            out.push_str(&format!("<{}>", r.to_string().trim_start_matches("{{ ").trim_end_matches(" }}")));
                        }
                    }
                }
                Some(out)
            })?;
            Some((out, tainted))
        };
        let mut req = GenRequest::default();
        for (k, t) in &step.options {
            if let Some((v, _)) = fill(&t.0) {
                let v = match (k.as_str(), &v) {
                    ("image" | "audio", Value::String(p)) if !p.starts_with('<') => Value::String(self.base.join(p).display().to_string()),
                    _ => v,
                };
                let _ = req.set(k, &v);
            }
        }
        for (k, t) in &step.params {
            if let Some((v, tainted)) = fill(&t.0) {
                req.params.push((k.clone(), text_of(&v)));
                if tainted {
                    req.literal.push(k.clone());
                }
            }
        }
        for (i, t) in step.positional.iter().enumerate() {
            if let Some((v, tainted)) = fill(&t.0) {
                req.positional.push(text_of(&v));
                if tainted {
                    req.literal.push(i.to_string());
                }
            }
        }
        req
    }

    /// Every combination of the list vars, first var slowest (one instance without list vars).
    pub fn instances(&self) -> Vec<Instance> {
        let mut out: Vec<BTreeMap<String, Value>> = vec![BTreeMap::new()];
        for var in &self.vars {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    var.values.iter().map(move |v| {
                        let mut m = prefix.clone();
                        m.insert(var.name.clone(), v.clone());
                        m
                    })
                })
                .collect();
        }
        out.into_iter().map(|vars| Instance { key: hash16(&json!(vars)), vars }).collect()
    }

    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// Every step that takes from `name`, directly or through others, in run order.
    pub fn dependants(&self, name: &str) -> Vec<&Step> {
        let mut found: Vec<&Step> = Vec::new();
        for s in &self.steps {
            if s.after.iter().any(|a| a == name || found.iter().any(|f| &f.name == a)) {
                found.push(s);
            }
        }
        found
    }

    /// Every step `name` takes from, directly or through others.
    pub fn ancestors(&self, name: &str) -> HashSet<String> {
        let mut out = HashSet::new();
        let mut todo: Vec<String> = self.step(name).map(|s| s.after.clone()).unwrap_or_default();
        while let Some(a) = todo.pop() {
            if out.insert(a.clone())
                && let Some(s) = self.step(&a)
            {
                todo.extend(s.after.clone());
            }
        }
        out
    }

    /// How many items a step makes per instance: its `n` times the copies of every step it
    /// takes from (each copy feeds its own run of the later steps).
    pub fn runs_per_instance(&self, name: &str) -> u64 {
        let own = self.step(name).map(|s| s.n as u64).unwrap_or(1);
        self.ancestors(name).iter().filter_map(|a| self.step(a)).fold(own, |acc, s| acc.saturating_mul(s.n as u64))
    }

    /// The pipeline's identity in a run directory (source and the vars as applied).
    pub fn record(&self) -> Value {
        let vars: serde_json::Map<String, Value> =
            self.vars.iter().map(|v| (v.name.clone(), if v.list { Value::Array(v.values.clone()) } else { v.values[0].clone() })).collect();
        json!({"schema": hfs_batch::manifest::SCHEMA, "record": "pipeline", "name": self.name, "base": self.base,
               "source": self.source, "vars": vars, "at": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)})
    }
}

/// A finished item, as later steps see it.
#[derive(Clone, Debug)]
struct Finished {
    key: String,
    /// This item and every item upstream of it, by step (an instance of a later step takes
    /// only items that agree on their common upstream: the video made from image 2 is narrated
    /// with image 2's prompt, not image 1's).
    lineage: BTreeMap<String, String>,
    record: Value,
}

/// Walks a pipeline's DAG as items end ([`Follow`]): what runs next, what is skipped.
pub struct Walker<'p> {
    p: &'p Pipeline,
    dir: PathBuf,
    instances: HashMap<String, Instance>,
    /// Per instance and step, the items finished so far.
    finished: HashMap<(String, String), Vec<Finished>>,
    /// `done` records found in the directory (an earlier run's), by key.
    earlier: HashMap<String, Value>,
    /// Keys handed out already.
    spawned: HashSet<String>,
    index: usize,
    /// Items found done in the directory and not run again.
    pub already_done: usize,
    /// Items done already, by step.
    pub already_by_step: HashMap<String, usize>,
}

impl<'p> Walker<'p> {
    /// `records`: the run directory's manifest (an earlier run's `done` records are reused, not
    /// run again); `shard`: only instances in shard K of N (by instance key).
    pub fn new(p: &'p Pipeline, dir: &Path, records: &[Value], shard: Option<(u32, u32)>) -> Walker<'p> {
        let instances = p
            .instances()
            .into_iter()
            .filter(|i| shard.is_none_or(|(k, n)| u64::from_str_radix(&i.key, 16).unwrap_or(0) % n as u64 == (k.saturating_sub(1)) as u64))
            .map(|i| (i.key.clone(), i))
            .collect();
        let earlier = records
            .iter()
            .filter(|r| r["record"] == "done")
            .filter_map(|r| Some((r.get("item")?.as_str()?.to_string(), r.clone())))
            .collect();
        Walker {
            p,
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
            instances,
            finished: HashMap::new(),
            earlier,
            spawned: HashSet::new(),
            index: 0,
            already_done: 0,
            already_by_step: HashMap::new(),
        }
    }

    /// The instances this walker runs, in plan order.
    pub fn instance_keys(&self) -> Vec<String> {
        self.p.instances().into_iter().map(|i| i.key).filter(|k| self.instances.contains_key(k)).collect()
    }

    /// What to run first: the steps that take from no other, in every instance; items an
    /// earlier run finished are followed (their later steps planned) without running them.
    pub fn start(&mut self) -> Vec<Then> {
        let mut out = Vec::new();
        for group in self.instance_keys() {
            for step in self.p.steps.iter().filter(|s| s.after.is_empty()) {
                out.extend(self.make(&group, step, &[]));
            }
        }
        out
    }

    /// The items of `step` in `group` taking `inputs` (one finished item per step it takes
    /// from), `n` copies; those done already are followed at once.
    fn make(&mut self, group: &str, step: &Step, inputs: &[&Finished]) -> Vec<Then> {
        let mut out = Vec::new();
        let lineage: BTreeMap<String, String> = inputs.iter().flat_map(|f| f.lineage.clone()).collect();
        let input_keys: Vec<String> = inputs.iter().map(|f| f.key.clone()).collect();
        for copy in 0..step.n {
            let key = hash16(&json!({
                "step": step.name, "definition": step.definition, "group": group, "inputs": input_keys, "copy": copy,
            }));
            if !self.spawned.insert(key.clone()) {
                continue;
            }
            let request = match self.request(group, step, inputs, copy) {
                Ok(r) => r,
                Err((because, reason)) => {
                    out.extend(self.skip_from(group, &step.name, because.unwrap_or_else(|| key.clone()), reason));
                    continue;
                }
            };
            let item = Item {
                key: key.clone(),
                index: self.index,
                task: step.task,
                request,
                backends: step.backends.clone(),
                copy,
                step: Some(step.name.clone()),
                group: Some(group.to_string()),
                inputs: input_keys.clone(),
            };
            self.index += 1;
            if let Some(record) = self.earlier.get(&key).cloned() {
                self.already_done += 1;
                *self.already_by_step.entry(step.name.clone()).or_default() += 1;
                out.extend(self.finish(&item, lineage.clone(), record));
            } else {
                out.push(Then::Run(item));
            }
        }
        out
    }

    /// Notes `item` finished and makes every item of a later step that can now run.
    fn finish(&mut self, item: &Item, mut lineage: BTreeMap<String, String>, record: Value) -> Vec<Then> {
        let (Some(step), Some(group)) = (item.step.clone(), item.group.clone()) else { return vec![] };
        lineage.insert(step.clone(), item.key.clone());
        let me = Finished { key: item.key.clone(), lineage, record };
        self.finished.entry((group.clone(), step.clone())).or_default().push(me.clone());
        let mut out = Vec::new();
        let later: Vec<&'p Step> = self.p.steps.iter().filter(|s| s.after.contains(&step)).collect();
        for s in later {
            // Every combination of finished inputs with this item in its place, agreeing on what
            // they share upstream.
            let mut combos: Vec<Vec<Finished>> = vec![vec![]];
            for a in &s.after {
                let options: Vec<Finished> =
                    if a == &step { vec![me.clone()] } else { self.finished.get(&(group.clone(), a.clone())).cloned().unwrap_or_default() };
                let mut next = Vec::new();
                for c in combos {
                    for o in options.iter().filter(|o| agrees(&c, o)) {
                        let mut with = c.clone();
                        with.push(o.clone());
                        next.push(with);
                    }
                }
                combos = next;
            }
            for c in combos {
                let refs: Vec<&Finished> = c.iter().collect();
                out.extend(self.make(&group, s, &refs));
            }
        }
        out
    }

    /// `step` (and every step after it) will not run in `group`.
    fn skip_from(&self, group: &str, step: &str, because: String, reason: String) -> Vec<Then> {
        let mut out =
            vec![Then::Skip(Skipped { step: step.into(), group: Some(group.into()), because: because.clone(), reason: reason.clone() })];
        for d in self.p.dependants(step) {
            out.push(Then::Skip(Skipped {
                step: d.name.clone(),
                group: Some(group.into()),
                because: because.clone(),
                reason: format!("its input step `{step}` did not run ({reason})"),
            }));
        }
        out
    }

    /// The request of one item: every template resolved. An output that is not there (a file
    /// index past the files a step made) is `Err((the input's key, why))`.
    fn request(&self, group: &str, step: &Step, inputs: &[&Finished], copy: u32) -> Result<GenRequest, (Option<String>, String)> {
        let vars = &self.instances[group].vars;
        let mut req = GenRequest::default();
        let resolve = |t: &Template| -> Result<(Value, bool), (Option<String>, String)> { self.resolve(&t.0, vars, step, inputs) };
        for (k, t) in &step.options {
            let (v, _) = resolve(t)?;
            let v = match (k.as_str(), &v) {
                // Input files: a path of the run's own outputs, or one the file names (from its directory).
                ("image" | "audio", Value::String(p)) => Value::String(self.p.base.join(p).display().to_string()),
                _ => v,
            };
            req.set(k, &v).map_err(|e| (None, format!("step `{}`: {e}", step.name)))?;
        }
        if let (Some(seed), true) = (req.seed, copy > 0) {
            req.seed = Some(seed.saturating_add(copy as u64));
        }
        for (k, t) in &step.params {
            let (v, tainted) = resolve(t)?;
            req.params.push((k.clone(), text_of(&v)));
            if tainted {
                req.literal.push(k.clone());
            }
        }
        for (i, t) in step.positional.iter().enumerate() {
            let (v, tainted) = resolve(t)?;
            req.positional.push(text_of(&v));
            if tainted {
                req.literal.push(i.to_string());
            }
        }
        Ok(req)
    }

    /// A value with its references filled in, and whether it carries a server's text.
    fn resolve(
        &self,
        v: &Value,
        vars: &BTreeMap<String, Value>,
        step: &Step,
        inputs: &[&Finished],
    ) -> Result<(Value, bool), (Option<String>, String)> {
        match v {
            Value::String(s) => {
                let pieces = template::parse(s).map_err(|(_, m)| (None, m))?;
                let mut tainted = false;
                let mut values = Vec::new();
                for p in &pieces {
                    match p {
                        Piece::Text(t) => values.push(Value::String(t.clone())),
                        Piece::Ref(r, _) => {
                            if let Ref::Step { output, .. } = r {
                                tainted |= output.is_server_text();
                            }
                            values.push(self.value_of(r, vars, step, inputs)?);
                        }
                    }
                }
                // A reference alone keeps its type (a seed stays a number).
                if values.len() == 1 && matches!(pieces[0], Piece::Ref(..)) {
                    return Ok((values.remove(0), tainted));
                }
                Ok((Value::String(values.iter().map(text_of).collect()), tainted))
            }
            Value::Array(items) => {
                let mut t = false;
                let mut out = Vec::new();
                for i in items {
                    let (v, ti) = self.resolve(i, vars, step, inputs)?;
                    t |= ti;
                    out.push(v);
                }
                Ok((Value::Array(out), t))
            }
            Value::Object(map) => {
                let mut t = false;
                let mut out = serde_json::Map::new();
                for (k, i) in map {
                    let (v, ti) = self.resolve(i, vars, step, inputs)?;
                    t |= ti;
                    out.insert(k.clone(), v);
                }
                Ok((Value::Object(out), t))
            }
            other => Ok((other.clone(), false)),
        }
    }

    fn value_of(
        &self,
        r: &Ref,
        vars: &BTreeMap<String, Value>,
        step: &Step,
        inputs: &[&Finished],
    ) -> Result<Value, (Option<String>, String)> {
        match r {
            Ref::Var(name) => vars.get(name).cloned().ok_or_else(|| (None, format!("no var `{name}`"))),
            Ref::Step { step: from, output } => {
                // The input that is `from`'s item (every referenced step is one the step takes from).
                let f = inputs
                    .iter()
                    .find(|f| f.lineage.get(from) == Some(&f.key))
                    .ok_or_else(|| (None, format!("step `{}` has no input from `{from}`", step.name)))?;
                let (key, record) = (f.key.clone(), &f.record);
                let missing = |what: String| (Some(key.clone()), format!("step `{from}` gave {what}"));
                match output {
                    Output::File(i) => {
                        let files = record["files"].as_array().cloned().unwrap_or_default();
                        let path = files.get(*i).and_then(|f| f["path"].as_str()).ok_or_else(|| {
                            missing(format!(
                                "{} file(s); {} does not exist",
                                files.len(),
                                Ref::Step { step: from.clone(), output: *output }
                            ))
                        })?;
                        // Outputs live in the run directory: found there wherever it was moved.
                        let name = Path::new(path).file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from(path));
                        Ok(Value::String(self.dir.join(name).display().to_string()))
                    }
                    Output::Seed => record.get("seed").filter(|s| s.is_u64()).cloned().ok_or_else(|| missing("no seed".into())),
                    Output::Text => record.get("text").filter(|t| t.is_string()).cloned().ok_or_else(|| missing("no text".into())),
                    Output::Value(i) => {
                        let values = record["values"].as_array().cloned().unwrap_or_default();
                        values.get(*i).cloned().ok_or_else(|| missing(format!("{} value(s); values[{i}] does not exist", values.len())))
                    }
                }
            }
        }
    }
}

/// Whether `o` agrees with every item in `c` on the upstream items they share.
fn agrees(c: &[Finished], o: &Finished) -> bool {
    c.iter().all(|x| x.lineage.iter().all(|(step, key)| o.lineage.get(step).is_none_or(|k| k == key)))
}

/// `v` with every string replaced by `f`'s answer (`None` anywhere: `None`).
fn map_strings(v: &Value, f: &mut dyn FnMut(&str) -> Option<String>) -> Option<Value> {
    Some(match v {
        Value::String(s) => Value::String(f(s)?),
        Value::Array(a) => Value::Array(a.iter().map(|i| map_strings(i, f)).collect::<Option<_>>()?),
        Value::Object(m) => Value::Object(m.iter().map(|(k, i)| Some((k.clone(), map_strings(i, f)?))).collect::<Option<_>>()?),
        other => other.clone(),
    })
}

/// A value as text in a string or a parameter.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Follow for Walker<'_> {
    fn done(&mut self, item: &Item, record: &Value) -> Vec<Then> {
        // Its upstream items are the ones it took, and theirs.
        let mut lineage = BTreeMap::new();
        for k in &item.inputs {
            if let Some(f) = self.finished.values().flatten().find(|f| &f.key == k) {
                lineage.extend(f.lineage.clone());
            }
        }
        self.finish(item, lineage, record.clone())
    }

    fn failed(&mut self, item: &Item, reason: &str) -> Vec<Then> {
        let (Some(step), Some(group)) = (&item.step, &item.group) else { return vec![] };
        let mut out = Vec::new();
        for d in self.p.dependants(step) {
            let direct = d.after.contains(step);
            let why = if direct {
                format!("its input step `{step}` failed: {reason}")
            } else {
                format!("a step before it (`{step}`) failed: {reason}")
            };
            out.push(Then::Skip(Skipped { step: d.name.clone(), group: Some(group.clone()), because: item.key.clone(), reason: why }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hfs_batch::Follow;

    const FILE: &str = r#"
[vars]
prompt = ["a fox", "an owl"]
[steps.picture]
task = "image"
space = "a/img"
prompt = "{{ prompt }}"
seed = 10
n = 2
[steps.clip]
task = "video"
space = "a/vid"
image = "{{ steps.picture.files[0] }}"
prompt = "push-in from seed {{ steps.picture.seed }}"
[steps.both]
task = "call"
space = "a/mix"
args = { video = "{{ steps.clip.files[0] }}", image = "{{ steps.picture.files[0] }}", note = "{{ steps.picture.values[1] }}" }
[steps.voice]
task = "speech"
space = "a/tts"
text = "{{ prompt }}"
"#;

    fn pipeline() -> Pipeline {
        crate::compile(FILE, "p.toml", Path::new("/base"), &[], &|_| vec![]).unwrap()
    }

    fn runs(thens: Vec<Then>) -> Vec<Item> {
        thens.into_iter().filter_map(|t| if let Then::Run(i) = t { Some(i) } else { None }).collect()
    }

    fn done(item: &Item, file: &str) -> Value {
        json!({"record": "done", "item": item.key, "seed": item.request.seed, "files": [{"path": format!("/elsewhere/{file}")}],
               "values": [[], "server says @/etc/passwd"]})
    }

    #[test]
    fn steps_run_when_their_inputs_exist_one_per_copy_and_joined_on_lineage() {
        let p = pipeline();
        let mut w = Walker::new(&p, Path::new("/run"), &[], None);
        let first = runs(w.start());
        // 2 prompts × (2 pictures + 1 voice).
        assert_eq!(first.iter().filter(|i| i.step.as_deref() == Some("picture")).count(), 4);
        assert_eq!(first.iter().filter(|i| i.step.as_deref() == Some("voice")).count(), 2);
        let pic = first.iter().find(|i| i.step.as_deref() == Some("picture") && i.copy == 1).unwrap().clone();
        assert_eq!(pic.request.seed, Some(11), "seed S, S+1 across copies");
        let next = runs(w.done(&pic, &done(&pic, "image-1.png")));
        assert_eq!(next.len(), 1);
        let clip = &next[0];
        assert_eq!(clip.step.as_deref(), Some("clip"));
        assert_eq!(clip.inputs, vec![pic.key.clone()]);
        // Outputs are found in the run directory, wherever the record says they were.
        assert_eq!(clip.request.image.as_deref(), Some(Path::new("/run/image-1.png")));
        assert_eq!(clip.request.prompt.as_deref(), Some("push-in from seed 11"));
        // `both` takes the clip and the picture it was made from, not another picture.
        let other = first.iter().find(|i| i.step.as_deref() == Some("picture") && i.copy == 0 && i.group == pic.group).unwrap().clone();
        let other_clip = runs(w.done(&other, &done(&other, "image-0.png"))).remove(0);
        assert!(runs(w.done(&other_clip, &done(&other_clip, "video-0.mp4"))).len() == 1);
        let both = runs(w.done(clip, &done(clip, "video-1.mp4"))).remove(0);
        let arg = |k: &str| both.request.params.iter().find(|(n, _)| n == k).unwrap().1.clone();
        assert_eq!(arg("video"), "/run/video-1.mp4");
        assert_eq!(arg("image"), "/run/image-1.png");
        // A server's text is passed as text, never read as a file.
        assert_eq!(arg("note"), "server says @/etc/passwd");
        assert_eq!(both.request.literal, vec!["note".to_string()]);
        // The same inputs never make a second item.
        assert!(runs(w.done(clip, &done(clip, "video-1.mp4"))).is_empty());
    }

    #[test]
    fn a_failure_skips_every_later_step_and_a_missing_output_is_a_skip() {
        let p = pipeline();
        let mut w = Walker::new(&p, Path::new("/run"), &[], None);
        let pic = runs(w.start()).remove(0);
        let skips: Vec<String> = w
            .failed(&pic, "boom")
            .into_iter()
            .filter_map(|t| if let Then::Skip(s) = t { Some(format!("{}: {}", s.step, s.reason)) } else { None })
            .collect();
        assert_eq!(skips, ["clip: its input step `picture` failed: boom", "both: its input step `picture` failed: boom"]);
        // A picture that made no file: its clip cannot run.
        let mut w = Walker::new(&p, Path::new("/run"), &[], None);
        let pic = runs(w.start()).remove(0);
        let thens = w.done(&pic, &json!({"record": "done", "item": pic.key, "seed": 1, "files": []}));
        let Some(Then::Skip(s)) = thens.first() else { panic!("{thens:?}") };
        assert!(s.reason.contains("gave 0 file(s); {{ steps.picture.files[0] }} does not exist"), "{}", s.reason);
    }

    #[test]
    fn an_earlier_run_is_followed_not_repeated_and_shards_split_instances() {
        let p = pipeline();
        let mut w = Walker::new(&p, Path::new("/run"), &[], None);
        let first = runs(w.start());
        let pic = first[0].clone();
        let earlier = vec![done(&pic, "image-0.png")];
        let mut again = Walker::new(&p, Path::new("/run"), &earlier, None);
        let second = runs(again.start());
        assert_eq!(again.already_done, 1);
        assert!(!second.iter().any(|i| i.key == pic.key), "a done item is not run again");
        assert!(second.iter().any(|i| i.step.as_deref() == Some("clip") && i.inputs == vec![pic.key.clone()]), "its clip runs");
        // Keys are stable across walks.
        let keys: HashSet<String> = first.iter().map(|i| i.key.clone()).collect();
        assert!(second.iter().filter(|i| i.step.as_deref() != Some("clip")).all(|i| keys.contains(&i.key)));
        let a = runs(Walker::new(&p, Path::new("/run"), &[], Some((1, 2))).start()).len();
        let b = runs(Walker::new(&p, Path::new("/run"), &[], Some((2, 2))).start()).len();
        assert_eq!(a + b, first.len());
    }
}
