//! The adapter: picks a Space's endpoint for a task and maps a request onto its parameters by
//! name, label, component and range — no preset needed.

use hfs_gradio::{Args, Endpoint, Parameter, Visibility};
use serde_json::{Map, Value, json};

use crate::plan::{Candidate, Plan, Send, Source};
use crate::presets::{Preset, role_named};
use crate::{Backend, GenError, GenRequest, GenTask};

/// What a parameter is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Prompt,
    Negative,
    Seed,
    Randomize,
    Width,
    Height,
    Size,
    Steps,
    Guidance,
    Duration,
    Voice,
    Language,
    Image,
    Audio,
}

/// `Negative Prompt` → `negative_prompt`.
fn norm(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

fn words(p: &Parameter) -> String {
    let name = p.name.as_deref().map(norm).unwrap_or_default();
    let label = p.label.as_deref().map(norm).unwrap_or_default();
    format!("{name} {label}")
}

fn component(p: &Parameter) -> String {
    p.component.as_deref().unwrap_or_default().to_ascii_lowercase()
}

fn schema_types(p: &Parameter) -> Vec<String> {
    let mut out = Vec::new();
    match p.schema.get("type") {
        Some(Value::String(t)) => out.push(t.clone()),
        Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str).map(str::to_string)),
        _ => {}
    }
    out
}

fn is_number(p: &Parameter) -> bool {
    let c = component(p);
    c == "slider" || c == "number" || schema_types(p).iter().any(|t| t == "number" || t == "integer")
}

fn is_bool(p: &Parameter) -> bool {
    component(p) == "checkbox" || schema_types(p).iter().any(|t| t == "boolean")
}

fn is_text(p: &Parameter) -> bool {
    let c = component(p);
    (c == "textbox" || c == "textarea" || c == "text" || (c.is_empty() && schema_types(p).iter().any(|t| t == "string")))
        && p.choices().is_none()
}

fn has_any(hay: &str, needles: &[&str]) -> bool {
    hay.split(' ').any(|w| needles.iter().any(|n| w == *n || w.split('_').any(|part| part == *n)))
}

/// The role of one parameter, from its name, label, component and type.
pub(crate) fn role_of(p: &Parameter, task: GenTask) -> Option<Role> {
    let w = words(p);
    let c = component(p);
    if c == "image" || c == "imageeditor" || (p.is_file() && has_any(&w, &["image", "img", "frame", "photo", "picture"])) {
        return Some(Role::Image);
    }
    if c == "audio" || (p.is_file() && has_any(&w, &["audio", "speech", "voice_sample", "recording"])) {
        return Some(Role::Audio);
    }
    if is_bool(p) {
        return (w.contains("random")).then_some(Role::Randomize);
    }
    if is_number(p) {
        return if has_any(&w, &["seed"]) {
            Some(Role::Seed)
        } else if has_any(&w, &["width"]) {
            Some(Role::Width)
        } else if has_any(&w, &["height"]) {
            Some(Role::Height)
        } else if has_any(&w, &["steps", "step"]) && !w.contains("step_size") {
            Some(Role::Steps)
        } else if has_any(&w, &["guidance", "cfg"]) {
            Some(Role::Guidance)
        } else if has_any(&w, &["duration", "seconds", "length"]) {
            Some(Role::Duration)
        } else {
            None
        };
    }
    if p.choices().is_some() || c == "dropdown" || c == "radio" {
        return if has_any(&w, &["resolution", "size", "aspect", "ratio", "dimensions"]) {
            Some(Role::Size)
        } else if has_any(&w, &["language", "lang"]) {
            Some(Role::Language)
        } else if has_any(&w, &["voice", "speaker"]) {
            Some(Role::Voice)
        } else {
            None
        };
    }
    if is_text(p) {
        if has_any(&w, &["negative", "neg"]) {
            return Some(Role::Negative);
        }
        if has_any(&w, &["language", "lang"]) {
            return Some(Role::Language);
        }
        if has_any(&w, &["voice", "speaker", "instruct", "style"]) || (task == GenTask::Speech && has_any(&w, &["description"])) {
            return Some(Role::Voice);
        }
        if has_any(&w, &["prompt", "text", "instruction", "caption", "positive", "input", "query", "message", "content", "description"]) {
            return Some(Role::Prompt);
        }
    }
    None
}

/// The roles of an endpoint's parameters; the first unclaimed text box is the prompt when no
/// parameter is named like one.
fn roles(ps: &[Parameter], task: GenTask) -> Vec<Option<Role>> {
    let mut roles: Vec<Option<Role>> = ps.iter().map(|p| role_of(p, task)).collect();
    if !roles.contains(&Some(Role::Prompt))
        && task != GenTask::Transcribe
        && let Some(i) = ps.iter().enumerate().position(|(i, p)| roles[i].is_none() && is_text(p))
    {
        roles[i] = Some(Role::Prompt);
    }
    // Only the first of each role is used; later ones keep their defaults.
    let mut seen = Vec::new();
    for r in roles.iter_mut() {
        if let Some(role) = *r {
            if seen.contains(&role) && role != Role::Randomize {
                *r = None;
            } else {
                seen.push(role);
            }
        }
    }
    roles
}

const MEDIA: &[&str] = &["image", "gallery", "annotatedimage", "imageeditor"];

/// How well an endpoint fits the task: `None` when it does not, with why.
fn fit(e: &Endpoint, task: GenTask, with_image: bool) -> Result<i64, String> {
    let Some(ps) = &e.parameters else { return Err("no parameter information".into()) };
    let outs = e.output_components();
    let out_ok = match task {
        GenTask::Image => outs.iter().any(|c| MEDIA.contains(&c.as_str())),
        GenTask::Video => outs.iter().any(|c| c == "video"),
        GenTask::Speech => outs.iter().any(|c| c == "audio"),
        GenTask::Transcribe => outs.iter().any(|c| c == "textbox" || c == "text" || c == "json"),
        GenTask::Chat => outs.iter().any(|c| ["chatbot", "textbox", "markdown", "text", "json"].contains(&c.as_str())),
        // A raw call names its endpoint; whatever it returns is kept.
        GenTask::Call => true,
    };
    if !out_ok {
        return Err(format!("no {} output", task.as_str()));
    }
    let roles = roles(ps, task);
    let has = |r: Role| roles.contains(&Some(r));
    let image_required = ps.iter().zip(&roles).any(|(p, r)| *r == Some(Role::Image) && !p.has_default);
    match task {
        GenTask::Transcribe if !has(Role::Audio) => return Err("no audio input".into()),
        GenTask::Chat if !has(Role::Prompt) => return Err("no message input".into()),
        GenTask::Image | GenTask::Video | GenTask::Speech if !(has(Role::Prompt) || (with_image && has(Role::Image))) => {
            return Err("no text prompt".into());
        }
        GenTask::Image | GenTask::Video if with_image && !has(Role::Image) => return Err("no image input".into()),
        GenTask::Image if !with_image && image_required => return Err("needs an input image".into()),
        GenTask::Video if !with_image && image_required => return Err("needs an input image (give one)".into()),
        _ => {}
    }
    let unmapped_required = ps.iter().zip(&roles).filter(|(p, r)| r.is_none() && !p.has_default).count() as i64;
    let name = e.api_name.as_deref().map(norm).unwrap_or_default();
    let task_words: &[&str] = match (task, with_image) {
        (GenTask::Image, false) => &["txt2img", "text2img", "text_to_image", "t2i", "generate_image"],
        (GenTask::Image, true) => &["img2img", "image_to_image", "i2i", "edit"],
        (GenTask::Video, true) => &["generate_video", "i2v", "image_to_video", "img2vid", "animate"],
        (GenTask::Video, false) => &["generate_video", "t2v", "text_to_video", "video"],
        (GenTask::Speech, _) => &["tts", "speak", "synthesize", "generate_voice", "voice", "speech", "generate_audio"],
        (GenTask::Transcribe, _) => &["transcribe", "asr", "recognize", "speech_to_text", "stt"],
        (GenTask::Chat, _) => &["chat", "respond", "reply", "answer", "converse"],
        (GenTask::Call, _) => &[],
    };
    let generic = ["generate", "infer", "run", "predict"];
    let name_score = if task_words.iter().any(|w| name.contains(w)) {
        3
    } else if generic.iter().any(|w| name.contains(w)) {
        2
    } else {
        0
    };
    let mapped = roles.iter().filter(|r| r.is_some()).count() as i64;
    Ok(100 + name_score * 10 + mapped - unmapped_required * 20)
}

/// Ranks the public endpoints for the task; the best fitting one first.
pub(crate) fn candidates(endpoints: &[Endpoint], task: GenTask, with_image: bool, chat_interface: bool) -> Vec<(Candidate, usize)> {
    let mut out: Vec<(Candidate, usize)> = endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| e.visibility == Visibility::Public && e.api_name.is_some())
        .map(|(i, e)| {
            let name = e.display_name();
            match fit(e, task, with_image) {
                // A `gr.ChatInterface`'s own endpoint takes the message first and answers text.
                Ok(score) if task == GenTask::Chat && chat_interface => {
                    (Candidate { endpoint: name, fits: true, score: score + 50, note: "the chat interface".into() }, i)
                }
                Ok(score) => (Candidate { endpoint: name, fits: true, score, note: "fits".into() }, i),
                Err(why) => (Candidate { endpoint: name, fits: false, score: 0, note: why }, i),
            }
        })
        .collect();
    out.sort_by(|a, b| b.0.fits.cmp(&a.0.fits).then(b.0.score.cmp(&a.0.score)));
    out
}

/// A random seed in `[min, max]`.
fn draw_seed(min: u64, max: u64) -> u64 {
    let span = max.saturating_sub(min).saturating_add(1);
    let r = (uuid::Uuid::new_v4().as_u128() as u64) % span.max(1);
    min.saturating_add(r)
}

/// `v` clamped to the slider's range and snapped to its step.
fn snap(p: &Parameter, v: f64) -> f64 {
    let min = p.prop_f64("minimum");
    let max = p.prop_f64("maximum");
    let mut x = v;
    if let Some(lo) = min {
        x = x.max(lo);
    }
    if let Some(hi) = max {
        x = x.min(hi);
    }
    if let Some(step) = p.prop_f64("step").filter(|s| *s > 0.0) {
        let base = min.unwrap_or(0.0);
        x = base + ((x - base) / step).round() * step;
        if let Some(hi) = max
            && x > hi
        {
            x -= step;
        }
    }
    x
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 { json!(v as i64) } else { json!(v) }
}

/// `1024x1024 ( 1:1 )`, `832×1216`, `16:9 (1344x768)` → the pixel size it names.
pub(crate) fn choice_size(s: &str) -> Option<(f64, f64)> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let a: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && matches!(chars[j], 'x' | 'X' | '×' | '*') {
                j += 1;
                while j < chars.len() && chars[j] == ' ' {
                    j += 1;
                }
                let bstart = j;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j > bstart {
                    let b: String = chars[bstart..j].iter().collect();
                    if let (Ok(w), Ok(h)) = (a.parse::<f64>(), b.parse::<f64>())
                        && w > 0.0
                        && h > 0.0
                    {
                        return Some((w, h));
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The allowed choice closest in aspect ratio to `target`, then in area.
fn closest_choice(choices: &[Value], target_aspect: f64, target_area: f64) -> Option<Value> {
    choices
        .iter()
        .filter_map(|c| {
            let s = c.as_str()?;
            let (w, h) = choice_size(s)?;
            Some((c.clone(), ((w / h) / target_aspect).ln().abs(), ((w * h) - target_area).abs()))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.2.total_cmp(&b.2)))
        .map(|(c, _, _)| c)
}

fn default_f64(p: &Parameter) -> Option<f64> {
    p.default.as_ref().and_then(Value::as_f64).or_else(|| p.props.get("value").and_then(Value::as_f64))
}

/// Plans a call of `endpoint` (or the best fitting one) for the request.
pub(crate) fn plan_space(
    space: &str,
    endpoints: &[Endpoint],
    task: GenTask,
    req: &GenRequest,
    endpoint: Option<&str>,
    preset: Option<&Preset>,
    chat_interface: bool,
) -> Result<Plan, GenError> {
    let with_image = req.image.is_some();
    let ranked = candidates(endpoints, task, with_image, chat_interface);
    let mut warnings = Vec::new();
    // A preset that still matches the Space's API wins over the heuristics.
    let preset = preset.filter(|_| endpoint.is_none()).and_then(|pr| match preset_fit(pr, endpoints) {
        Ok(i) => Some((pr, i)),
        Err(why) => {
            warnings.push(format!("the preset for {} no longer matches its API ({why}); using the heuristics", pr.space));
            None
        }
    });
    let chosen = match (endpoint, preset) {
        (_, Some((_, i))) => i,
        (endpoint, None) => match endpoint {
            Some(name) => {
                let want = format!("/{}", name.trim_start_matches('/'));
                let i =
                    endpoints.iter().position(|e| e.api_name.as_deref() == Some(want.as_str())).ok_or_else(|| GenError::NoEndpoint {
                        space: space.into(),
                        task: task.as_str(),
                        why: format!("it has no endpoint `{want}`"),
                        candidates: ranked.iter().map(|(c, _)| c.clone()).collect(),
                    })?;
                if let Some((c, _)) = ranked.iter().find(|(c, _)| c.endpoint == want && !c.fits) {
                    warnings.push(format!("{want} does not look like a {} endpoint ({}); using it as asked", task.as_str(), c.note));
                }
                i
            }
            None => match ranked.first() {
                Some((c, i)) if c.fits => {
                    let others: Vec<&str> = ranked.iter().skip(1).filter(|(c, _)| c.fits).map(|(c, _)| c.endpoint.as_str()).collect();
                    if !others.is_empty() {
                        warnings.push(format!(
                            "chose {} over {} (best fit; pass an endpoint to pick another)",
                            c.endpoint,
                            others.join(", ")
                        ));
                    }
                    *i
                }
                _ => {
                    return Err(GenError::NoEndpoint {
                        space: space.into(),
                        task: task.as_str(),
                        why: "no public endpoint takes a prompt and returns that kind of output".into(),
                        candidates: ranked.iter().map(|(c, _)| c.clone()).collect(),
                    });
                }
            },
        },
    };
    let e = &endpoints[chosen];
    let ps = e.parameters.clone().unwrap_or_default();
    let mut roles = roles(&ps, task);
    if let Some((pr, _)) = preset {
        for (role, name) in &pr.roles {
            let Some(role) = role_named(role) else { continue };
            roles.iter_mut().filter(|r| **r == Some(role)).for_each(|r| *r = None);
            if let Some(i) = param_index(&ps, name) {
                roles[i] = Some(role);
            }
        }
    }
    let mut plan = Plan {
        backend: Backend::Space { space: space.into(), endpoint: e.api_name.clone() },
        endpoint: e.api_name.clone(),
        arguments: Map::new(),
        sources: Map::new(),
        candidates: ranked.iter().map(|(c, _)| c.clone()).collect(),
        warnings,
        seed: None,
        seed_range: None,
        concurrency: None,
        send: Send::Nothing,
    };
    let name_of = |i: usize| ps[i].display_name();
    let mut values: Vec<Option<Value>> = vec![None; ps.len()];
    let mut used = Vec::new();
    let has_seed = roles.contains(&Some(Role::Seed));
    // Size: a target from width/height, else an aspect with the default area.
    let wi = roles.iter().position(|r| *r == Some(Role::Width));
    let hi = roles.iter().position(|r| *r == Some(Role::Height));
    let size_i = roles.iter().position(|r| *r == Some(Role::Size));
    for (i, role) in roles.iter().enumerate() {
        let Some(role) = role else { continue };
        let p = &ps[i];
        let name = name_of(i);
        let (value, source): (Option<Value>, Source) = match role {
            Role::Prompt => (req.prompt.clone().map(Value::String), Source::Option("prompt".into())),
            Role::Negative => (req.negative.clone().map(Value::String), Source::Option("negative".into())),
            Role::Voice => (req.voice.clone().map(Value::String), Source::Option("voice".into())),
            Role::Language => match (&req.language, p.choices()) {
                (Some(l), Some(choices)) => {
                    let hit =
                        choices.iter().find(|c| c.as_str().is_some_and(|s| s.eq_ignore_ascii_case(l) || norm(s).starts_with(&norm(l))));
                    match hit {
                        Some(c) => (Some(c.clone()), Source::Option("language".into())),
                        None => {
                            plan.warnings.push(format!("language `{l}` is not one of {name}'s choices; it keeps its default"));
                            (None, Source::Default)
                        }
                    }
                }
                (l, _) => (l.clone().map(Value::String), Source::Option("language".into())),
            },
            Role::Seed => {
                let min = p.prop_f64("minimum").unwrap_or(0.0).max(0.0) as u64;
                let max = p.prop_f64("maximum").filter(|m| *m >= 1.0).unwrap_or(2_147_483_647.0).min(9.0e15) as u64;
                plan.seed_range = Some((min, max.min(2_147_483_647).max(min)));
                match req.seed {
                    Some(s) => {
                        if s < min || s > max {
                            plan.warnings.push(format!("seed {s} is outside {name}'s range {min}..={max}"));
                        }
                        plan.seed = Some(s);
                        (Some(json!(s)), Source::Option("seed".into()))
                    }
                    None => {
                        let s = draw_seed(min, max.min(2_147_483_647));
                        plan.seed = Some(s);
                        (Some(json!(s)), Source::Hfs("seed drawn by hfs so the output is reproducible".into()))
                    }
                }
            }
            Role::Randomize if has_seed => (Some(json!(false)), Source::Hfs("off: the seed is sent".into())),
            Role::Randomize => (None, Source::Default),
            Role::Width | Role::Height => {
                let given = if *role == Role::Width { req.width } else { req.height };
                let target = match (given, req.aspect) {
                    (Some(v), _) => Some(v as f64),
                    (None, Some((aw, ah))) => {
                        let dw = wi.map(|j| default_f64(&ps[j]).unwrap_or(1024.0)).unwrap_or(1024.0);
                        let dh = hi.map(|j| default_f64(&ps[j]).unwrap_or(1024.0)).unwrap_or(1024.0);
                        let area = dw * dh;
                        let ratio = aw as f64 / ah as f64;
                        let w = (area * ratio).sqrt();
                        Some(if *role == Role::Width { w } else { w / ratio })
                    }
                    _ => None,
                };
                match target {
                    Some(t) => {
                        let v = snap(p, t);
                        if (v - t).abs() >= 0.5 && given.is_some() {
                            plan.warnings.push(format!("{name} {t} is not allowed: using {v} (the slider's range and step)"));
                        }
                        let what = if *role == Role::Width { "width" } else { "height" };
                        let source = if given.is_some() {
                            Source::Option(what.into())
                        } else {
                            Source::Hfs(format!("{what} from the aspect ratio"))
                        };
                        (Some(number(v)), source)
                    }
                    None => (None, Source::Default),
                }
            }
            Role::Size => {
                let choices = p.choices().unwrap_or_default();
                let default_size = p.default.as_ref().and_then(Value::as_str).and_then(choice_size);
                let target = match (req.width, req.height, req.aspect) {
                    (Some(w), Some(h), _) => Some((w as f64 / h as f64, w as f64 * h as f64)),
                    (_, _, Some((aw, ah))) => Some((aw as f64 / ah as f64, default_size.map(|(w, h)| w * h).unwrap_or(1024.0 * 1024.0))),
                    _ => None,
                };
                match target.and_then(|(aspect, area)| closest_choice(&choices, aspect, area)) {
                    Some(c) => {
                        if let (Some(w), Some(h)) = (req.width, req.height)
                            && choice_size(c.as_str().unwrap_or_default()) != Some((w as f64, h as f64))
                        {
                            plan.warnings.push(format!("{w}x{h} is not one of {name}'s choices: using {}", c.as_str().unwrap_or_default()));
                        }
                        (Some(c), Source::Option(if req.aspect.is_some() { "aspect".into() } else { "size".into() }))
                    }
                    None => (None, Source::Default),
                }
            }
            Role::Steps => (req.steps.map(|s| number(snap(p, s as f64))), Source::Option("steps".into())),
            Role::Guidance => (req.guidance.map(|g| number(snap(p, g))), Source::Option("guidance".into())),
            Role::Duration => (req.duration.map(|d| number(snap(p, d))), Source::Option("duration".into())),
            Role::Image => (req.image.as_ref().map(|f| input_file(f)), Source::Option("image".into())),
            Role::Audio => (req.audio.as_ref().map(|f| input_file(f)), Source::Option("audio".into())),
        };
        if let Some(v) = value {
            used.push(*role);
            values[i] = Some(v.clone());
            plan.set(&name, display(&v), source);
        }
    }
    if wi.is_none() && hi.is_none() && size_i.is_none() && (req.width.is_some() || req.height.is_some() || req.aspect.is_some()) {
        plan.warnings.push(format!("{} takes no size; width, height and aspect are ignored", e.display_name()));
    }
    for (given, role, what) in [
        (req.negative.is_some(), Role::Negative, "negative prompt"),
        (req.steps.is_some(), Role::Steps, "steps"),
        (req.guidance.is_some(), Role::Guidance, "guidance"),
        (req.duration.is_some(), Role::Duration, "duration"),
        (req.voice.is_some(), Role::Voice, "voice"),
        (req.language.is_some(), Role::Language, "language"),
        (req.seed.is_some(), Role::Seed, "seed"),
        (req.image.is_some(), Role::Image, "input image"),
    ] {
        if given && !roles.contains(&Some(role)) {
            plan.warnings.push(format!("{} takes no {what}; it is not sent", e.display_name()));
        }
    }
    if req.prompt.is_none() && roles.contains(&Some(Role::Prompt)) && task != GenTask::Transcribe {
        return Err(GenError::Usage(format!("{} needs a prompt", e.display_name())));
    }
    if let Some((pr, _)) = preset {
        for (name, v) in &pr.set {
            if let Some(i) = param_index(&ps, name) {
                values[i] = Some(v.clone());
                plan.set(&name_of(i), v.clone(), Source::Preset(pr.origin.clone()));
            }
        }
    }
    // Extra arguments by the Space's own names, coerced like `hfs call`.
    for (k, raw) in &req.params {
        let Some(i) = ps.iter().position(|p| p.name.as_deref() == Some(k.as_str()) || p.label.as_deref() == Some(k.as_str())) else {
            let names: Vec<String> = ps.iter().map(Parameter::display_name).collect();
            let suggestion = hfs_core::text::suggest(k, names.iter().map(String::as_str));
            return Err(GenError::UnknownParameter { endpoint: e.display_name(), name: k.clone(), suggestion, valid: names });
        };
        let v = coerce_param(req, k, raw, &ps[i])?;
        values[i] = Some(v.clone());
        plan.set(&name_of(i), display(&v), Source::Param);
    }
    // Everything else keeps its default.
    for (i, p) in ps.iter().enumerate() {
        if values[i].is_none() {
            plan.set(&name_of(i), p.default.clone().unwrap_or(Value::Null), Source::Default);
        }
    }
    let named = ps.iter().all(|p| p.name.is_some());
    let mut args = Args::new();
    if named {
        for (i, v) in values.into_iter().enumerate() {
            if let Some(v) = v {
                args.keyword.push((ps[i].name.clone().unwrap_or_default(), v));
            }
        }
    } else {
        for (i, v) in values.into_iter().enumerate() {
            match v.or_else(|| ps[i].default.clone()) {
                Some(v) => args.positional.push(v),
                None => {
                    return Err(GenError::Usage(format!(
                        "{} takes arguments by position and `{}` has no default; give it with a parameter",
                        e.display_name(),
                        name_of(i)
                    )));
                }
            }
        }
    }
    plan.send = Send::Space { args };
    Ok(plan)
}

/// One extra argument, coerced like `hfs call`; one that carries a server's output
/// ([`GenRequest::literal`]) is text as given, and a file parameter refuses it: nothing a server
/// sends can make hfs read a local file.
/// An input file option as the value sent: a local file, or a URL hfs downloads and uploads (a URL
/// given by the user or the agent, never one a server sent).
fn input_file(f: &std::path::Path) -> Value {
    match crate::request::input_url(f) {
        Some(url) => hfs_gradio::url_file(url),
        None => hfs_gradio::local_file(f),
    }
}

fn coerce_param(req: &GenRequest, key: &str, raw: &str, p: &Parameter) -> Result<Value, GenError> {
    if !req.literal.iter().any(|l| l == key) {
        return hfs_gradio::coerce(raw, Some(p), false, key).map_err(GenError::Gradio);
    }
    if p.is_file() {
        return Err(GenError::Usage(format!(
            "`{key}` is a file parameter and its value is another step's text output; only a file output (files[i]) or a path you wrote can fill it"
        )));
    }
    hfs_gradio::coerce(raw, Some(p), true, key).map_err(GenError::Gradio)
}

/// Plans a raw call of `endpoint` (the Space's only public endpoint when `None`): the arguments by
/// the endpoint's own names (or labels) and by position, coerced like `hfs call`, the rest left
/// to their defaults.
pub(crate) fn plan_call(space: &str, endpoints: &[Endpoint], req: &GenRequest, endpoint: Option<&str>) -> Result<Plan, GenError> {
    let public: Vec<&Endpoint> = endpoints.iter().filter(|e| e.visibility == Visibility::Public && e.api_name.is_some()).collect();
    let listed = || public.iter().map(|e| Candidate { endpoint: e.display_name(), fits: true, score: 0, note: String::new() }).collect();
    let e = match endpoint {
        Some(name) => {
            let want = format!("/{}", name.trim_start_matches('/'));
            public.iter().find(|e| e.api_name.as_deref() == Some(want.as_str())).ok_or_else(|| GenError::NoEndpoint {
                space: space.into(),
                task: GenTask::Call.as_str(),
                why: format!("it has no endpoint `{want}`"),
                candidates: listed(),
            })?
        }
        None if public.len() == 1 => public[0],
        None => {
            return Err(GenError::NoEndpoint {
                space: space.into(),
                task: GenTask::Call.as_str(),
                why: format!("it has {} public endpoints; name one", public.len()),
                candidates: listed(),
            });
        }
    };
    let ps = e.parameters.clone().ok_or_else(|| GenError::Usage(format!("{} has no parameter information", e.display_name())))?;
    let mut plan = Plan {
        backend: Backend::Space { space: space.into(), endpoint: e.api_name.clone() },
        endpoint: e.api_name.clone(),
        arguments: Map::new(),
        sources: Map::new(),
        candidates: vec![],
        warnings: vec![],
        seed: None,
        seed_range: None,
        concurrency: None,
        send: Send::Nothing,
    };
    let mut values: Vec<Option<Value>> = vec![None; ps.len()];
    if req.positional.len() > ps.len() {
        return Err(GenError::Usage(format!("{} takes {} arguments, {} given", e.display_name(), ps.len(), req.positional.len())));
    }
    for (i, raw) in req.positional.iter().enumerate() {
        values[i] = Some(coerce_param(req, &i.to_string(), raw, &ps[i])?);
    }
    for (k, raw) in &req.params {
        let Some(i) = param_index(&ps, k) else {
            let names: Vec<String> = ps.iter().map(Parameter::display_name).collect();
            let suggestion = hfs_core::text::suggest(k, names.iter().map(String::as_str));
            return Err(GenError::UnknownParameter { endpoint: e.display_name(), name: k.clone(), suggestion, valid: names });
        };
        if values[i].is_some() {
            return Err(GenError::Usage(format!("`{k}` is given twice (by name and by position)")));
        }
        values[i] = Some(coerce_param(req, k, raw, &ps[i])?);
    }
    let named = ps.iter().all(|p| p.name.is_some());
    let mut args = Args::new();
    for (i, p) in ps.iter().enumerate() {
        let name = p.display_name();
        match values[i].take() {
            Some(v) => {
                plan.set(&name, display(&v), Source::Param);
                if named {
                    args.keyword.push((p.name.clone().unwrap_or_default(), v));
                } else {
                    args.positional.push(v);
                }
            }
            None => {
                plan.set(&name, p.default.clone().unwrap_or(Value::Null), Source::Default);
                if !p.has_default && p.default.is_none() {
                    return Err(GenError::Usage(format!("{} needs `{name}`: give it in the arguments", e.display_name())));
                }
                if !named {
                    args.positional.push(p.default.clone().unwrap_or(Value::Null));
                }
            }
        }
    }
    plan.send = Send::Space { args };
    Ok(plan)
}

fn param_index(ps: &[Parameter], name: &str) -> Option<usize> {
    ps.iter().position(|p| p.name.as_deref() == Some(name)).or_else(|| ps.iter().position(|p| p.label.as_deref() == Some(name)))
}

/// The endpoint a preset names, if it and every parameter the preset names still exist.
fn preset_fit(pr: &Preset, endpoints: &[Endpoint]) -> Result<usize, String> {
    let i = endpoints
        .iter()
        .position(|e| e.api_name.as_deref() == Some(pr.endpoint.as_str()) && e.visibility == Visibility::Public)
        .ok_or_else(|| format!("no endpoint {}", pr.endpoint))?;
    let ps = endpoints[i].parameters.as_deref().unwrap_or_default();
    let missing: Vec<&str> = pr
        .roles
        .iter()
        .map(|(_, n)| n.as_str())
        .chain(pr.set.iter().map(|(n, _)| n.as_str()))
        .filter(|n| param_index(ps, n).is_none())
        .collect();
    if missing.is_empty() { Ok(i) } else { Err(format!("{} has no parameter {}", pr.endpoint, missing.join(", "))) }
}

/// A value as the plan shows it: local files as their paths.
fn display(v: &Value) -> Value {
    match v.get("path") {
        Some(p) if v.get("_hfs_file").is_some() => p.clone(),
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_choices_parse() {
        assert_eq!(choice_size("1024x1024 ( 1:1 )"), Some((1024.0, 1024.0)));
        assert_eq!(choice_size("832×1216"), Some((832.0, 1216.0)));
        assert_eq!(choice_size("16:9 (1344x768)"), Some((1344.0, 768.0)));
        assert_eq!(choice_size("square"), None);
        let choices = vec![json!("1024x1024 ( 1:1 )"), json!("1344x768 ( 16:9 )"), json!("768x1344 ( 9:16 )")];
        assert_eq!(closest_choice(&choices, 16.0 / 9.0, 1024.0 * 1024.0), Some(json!("1344x768 ( 16:9 )")));
        assert_eq!(closest_choice(&choices, 0.5, 1.0), Some(json!("768x1344 ( 9:16 )")));
    }

    #[test]
    fn names_normalise_and_suggest() {
        assert_eq!(norm("Negative Prompt"), "negative_prompt");
        assert_eq!(norm("Number of inference steps"), "number_of_inference_steps");
        assert_eq!(hfs_core::text::suggest("sed", ["seed", "prompt"]), Some("seed".into()));
    }

    #[test]
    fn seeds_stay_in_range() {
        for _ in 0..100 {
            let s = draw_seed(5, 9);
            assert!((5..=9).contains(&s));
        }
        assert_eq!(draw_seed(7, 7), 7);
    }
}
