//! `{{ … }}` references inside a step's string values: `{{ var }}`, `{{ steps.NAME.files[i] }}`,
//! `{{ steps.NAME.seed }}`, `{{ steps.NAME.text }}`, `{{ steps.NAME.values[i] }}`.

/// What a step can give a later one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Output {
    /// The i-th file it saved.
    File(usize),
    /// The seed it was made with.
    Seed,
    /// Its text (a transcript, a chat answer, a call's first text output).
    Text,
    /// The i-th output value as the server returned it (files as their local copies).
    Value(usize),
}

impl Output {
    /// As written in a reference.
    pub fn as_str(&self) -> String {
        match self {
            Output::File(i) => format!("files[{i}]"),
            Output::Seed => "seed".into(),
            Output::Text => "text".into(),
            Output::Value(i) => format!("values[{i}]"),
        }
    }

    /// Whether what it gives is a server's text (never to be read as a path).
    pub fn is_server_text(&self) -> bool {
        matches!(self, Output::Text | Output::Value(_))
    }
}

/// One reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ref {
    Var(String),
    Step { step: String, output: Output },
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ref::Var(v) => write!(f, "{{{{ {v} }}}}"),
            Ref::Step { step, output } => write!(f, "{{{{ steps.{step}.{} }}}}", output.as_str()),
        }
    }
}

/// A piece of a string: text as written, or a reference.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    /// A reference and where it starts in the string (a byte offset, for error positions).
    Ref(Ref, usize),
}

/// A string split into text and references; a syntax error with its byte offset in the string.
pub fn parse(s: &str) -> Result<Vec<Piece>, (usize, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Piece::Text(rest[..open].to_string()));
        }
        let at = offset + open;
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or((at, "`{{` is not closed with `}}`".to_string()))?;
        let inner = after[..close].trim();
        out.push(Piece::Ref(reference(inner).map_err(|m| (at, m))?, at));
        let used = open + 2 + close + 2;
        rest = &rest[used..];
        offset += used;
    }
    if rest.contains("}}") {
        return Err((offset + rest.find("}}").unwrap_or(0), "`}}` without an opening `{{`".into()));
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    Ok(out)
}

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && c.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn reference(inner: &str) -> Result<Ref, String> {
    if inner.is_empty() {
        return Err("an empty reference `{{ }}`".into());
    }
    let Some(rest) = inner.strip_prefix("steps.") else {
        if is_name(inner) {
            return Ok(Ref::Var(inner.to_string()));
        }
        return Err(format!("`{inner}` is not a reference: use {{{{ var }}}} or {{{{ steps.NAME.files[0] }}}}"));
    };
    let (step, output) =
        rest.split_once('.').ok_or_else(|| format!("`{inner}` names no output: use steps.NAME.files[i], .seed, .text or .values[i]"))?;
    if !is_name(step) {
        return Err(format!("`{step}` is not a step name"));
    }
    let index = |what: &str| -> Result<usize, String> {
        let i = output.strip_prefix(what).and_then(|r| r.strip_prefix('[')).and_then(|r| r.strip_suffix(']'));
        match i {
            Some(i) => i.trim().parse().map_err(|_| format!("`{output}`: the index must be a whole number, e.g. {what}[0]")),
            None => Err(format!("`{what}` needs an index: {what}[0]")),
        }
    };
    let output = match output {
        "seed" => Output::Seed,
        "text" => Output::Text,
        o if o.starts_with("files") => Output::File(index("files")?),
        o if o.starts_with("values") => Output::Value(index("values")?),
        o => {
            let known = ["files", "seed", "text", "values"];
            let hint = hfs_core::text::suggest(o.split('[').next().unwrap_or(o), known)
                .map(|s| format!(" — did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(format!("steps.{step} has no output `{o}`{hint} (files[i], seed, text, values[i])"));
        }
    };
    Ok(Ref::Step { step: step.to_string(), output })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_references() {
        let p = parse("a {{ prompt }}, then {{steps.pic.files[1]}}!").unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Text("a ".into()),
                Piece::Ref(Ref::Var("prompt".into()), 2),
                Piece::Text(", then ".into()),
                Piece::Ref(Ref::Step { step: "pic".into(), output: Output::File(1) }, 21),
                Piece::Text("!".into()),
            ]
        );
        assert_eq!(parse("plain").unwrap(), vec![Piece::Text("plain".into())]);
        assert_eq!(parse("{{ steps.a.seed }}").unwrap()[0], Piece::Ref(Ref::Step { step: "a".into(), output: Output::Seed }, 0));
    }

    #[test]
    fn bad_references_say_what_is_wrong_and_where() {
        assert_eq!(parse("x {{ prompt").unwrap_err().0, 2);
        assert!(parse("{{ steps.a.file[0] }}").unwrap_err().1.contains("did you mean `files`"));
        assert!(parse("{{ steps.a.files }}").unwrap_err().1.contains("files[0]"));
        assert!(parse("{{ steps.a.files[x] }}").unwrap_err().1.contains("whole number"));
        assert!(parse("{{ steps.a }}").unwrap_err().1.contains("names no output"));
        assert!(parse("{{ }}").is_err());
        assert!(parse("a }} b").is_err());
        assert!(parse("{{ two words }}").is_err());
    }
}
