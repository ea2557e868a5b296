//! A minimal YAML document tree built from parser events. It exists because
//! the serde YAML crates resolve `!!binary` scalars to plain strings, losing
//! the one fact that tells a cassette's binary body (base64) from a text body
//! that happens to look like base64.

use anyhow::{Context, bail};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    /// A scalar's text; `binary` when tagged `!!binary`.
    Scalar {
        text: String,
        binary: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Parses the first document of `text`.
pub fn parse(text: &str) -> anyhow::Result<Node> {
    let mut builder = Builder::default();
    Parser::new_from_str(text).load(&mut builder, false).context("YAML syntax")?;
    if let Some(e) = builder.error {
        bail!(e);
    }
    builder.root.context("empty YAML document")
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    root: Option<Node>,
    error: Option<String>,
}

enum Open {
    Seq(Vec<Node>),
    /// Entries so far, and a key still waiting for its value.
    Map(Vec<(String, Node)>, Option<String>),
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                self.root.get_or_insert(node);
            }
            Some(Open::Seq(items)) => items.push(node),
            Some(Open::Map(entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => match node {
                    Node::Scalar { text, .. } => *pending = Some(text),
                    Node::Null => *pending = Some(String::new()),
                    _ => self.fail("only scalar mapping keys are supported"),
                },
            },
        }
    }

    fn fail(&mut self, msg: &str) {
        self.error.get_or_insert_with(|| msg.to_string());
    }
}

fn is_binary(tag: &Option<Tag>) -> bool {
    tag.as_ref().is_some_and(|t| t.suffix == "binary" && matches!(t.handle.as_str(), "tag:yaml.org,2002:" | "!!"))
}

/// YAML 1.1/1.2 core-schema nulls; only untagged plain scalars qualify, so
/// a quoted `'null'` body stays the text "null".
fn is_null(text: &str, style: TScalarStyle, tag: &Option<Tag>) -> bool {
    tag.is_none() && style == TScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        match ev {
            Event::Scalar(text, style, _anchor, tag) => {
                let node = if is_null(&text, style, &tag) {
                    Node::Null
                } else {
                    let binary = is_binary(&tag);
                    Node::Scalar { text, binary }
                };
                self.push(node);
            }
            Event::SequenceStart(..) => self.stack.push(Open::Seq(Vec::new())),
            Event::MappingStart(..) => self.stack.push(Open::Map(Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(items)) => self.push(Node::Seq(items)),
                Some(Open::Map(entries, _)) => self.push(Node::Map(entries)),
                None => self.fail("unbalanced YAML events"),
            },
            Event::Alias(_) => self.fail("YAML aliases are not supported in cassettes"),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_binary_tag_nulls_and_quoting() {
        let doc = parse("a: null\nb: 'null'\nc: !!binary |\n  aGVsbG8=\nd:\n- x\n- 'two\n  words'\ne: 200\n").unwrap();
        assert_eq!(doc.get("a"), Some(&Node::Null));
        assert_eq!(doc.get("b").and_then(Node::str), Some("null"));
        assert_eq!(doc.get("c"), Some(&Node::Scalar { text: "aGVsbG8=\n".into(), binary: true }));
        let Some(Node::Seq(items)) = doc.get("d") else { panic!("{doc:?}") };
        assert_eq!(items[1].str(), Some("two words"));
        assert_eq!(doc.get("e").and_then(Node::str), Some("200"));
        assert_eq!(doc.get("missing"), None);
    }

    #[test]
    fn reports_syntax_errors() {
        assert!(parse("a: [unclosed").is_err());
    }
}
