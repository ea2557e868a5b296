//! What can go wrong before anything runs.

/// One problem in the file, where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// 1-based; 0 when the problem has no place in the file (a `--var`).
    pub line: usize,
    pub col: usize,
    /// How many characters to underline.
    pub width: usize,
    pub message: String,
    /// The line's text.
    pub text: String,
}

impl Diagnostic {
    pub(crate) fn general(message: String) -> Diagnostic {
        Diagnostic { line: 0, col: 0, width: 0, message, text: String::new() }
    }

    /// `FILE:LINE:COL: message`, then the line with the place underlined.
    pub fn render(&self, file: &str) -> String {
        if self.line == 0 {
            return format!("{file}: {}", self.message);
        }
        let n = self.line.to_string();
        let pad = " ".repeat(n.len());
        let text = hfs_core::text::strip_terminal_escapes(&self.text);
        let indent: String = text.chars().take(self.col.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        format!(
            "{file}:{}:{}: {}\n {pad} |\n {n} | {text}\n {pad} | {indent}{}",
            self.line,
            self.col,
            self.message,
            "^".repeat(self.width.max(1))
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The file does not parse or does not check: every problem found, in the file's order.
    #[error("{}", render(file, diagnostics))]
    Invalid { file: String, diagnostics: Vec<Diagnostic> },
    #[error("{0}")]
    Usage(String),
}

fn render(file: &str, d: &[Diagnostic]) -> String {
    let mut sorted = d.to_vec();
    sorted.sort_by_key(|d| (d.line == 0, d.line, d.col));
    let n = sorted.len();
    let mut out: Vec<String> = sorted.iter().map(|d| d.render(file)).collect();
    if n > 1 {
        out.push(format!("{n} problems in {file}"));
    }
    out.join("\n")
}
