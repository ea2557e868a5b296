//! `hfs call` words: the endpoint (if any), `name=value` keywords and positional values. Coercing
//! them to the endpoint's schema is the library's job ([`hfs_gradio::coerce_args`]).

use hfs_gradio::{EndpointRef, TextArg as RawArg};

/// The endpoint word (if any) and the arguments, split from the command line.
pub fn split(args: &[String], raw: &[String], fn_index: Option<usize>) -> Result<(EndpointRef, Vec<RawArg>), String> {
    let mut rest = args;
    let mut which = match fn_index {
        Some(i) => EndpointRef::FnIndex(i),
        None => EndpointRef::Only,
    };
    if let Some(first) = args.first().filter(|a| a.starts_with('/')) {
        if fn_index.is_some() {
            return Err(format!("give either an endpoint ({first}) or --fn-index, not both"));
        }
        which = EndpointRef::Name(first.clone());
        rest = &args[1..];
    }
    let mut out: Vec<RawArg> = rest
        .iter()
        .map(|a| match a.split_once('=') {
            Some((name, value)) if is_name(name) => RawArg::Keyword { name: name.to_string(), value: value.to_string() },
            _ => RawArg::Positional { value: a.clone(), literal: false },
        })
        .collect();
    out.extend(raw.iter().map(|v| RawArg::Positional { value: v.clone(), literal: true }));
    Ok((which, out))
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_endpoint_keywords_and_literals() {
        let args: Vec<String> = ["/greet", "name=Bob", "plain", "a b=c", "x-y=1"].iter().map(|s| s.to_string()).collect();
        let raw = vec!["k=v".to_string()];
        let (which, parsed) = split(&args, &raw, None).unwrap();
        assert_eq!(which, EndpointRef::Name("/greet".into()));
        assert_eq!(
            parsed,
            vec![
                RawArg::Keyword { name: "name".into(), value: "Bob".into() },
                RawArg::Positional { value: "plain".into(), literal: false },
                RawArg::Positional { value: "a b=c".into(), literal: false },
                RawArg::Positional { value: "x-y=1".into(), literal: false },
                RawArg::Positional { value: "k=v".into(), literal: true },
            ]
        );
        assert!(split(&args, &[], Some(1)).is_err());
    }
}
