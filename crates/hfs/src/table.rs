//! Tables for humans: plain columns that wrap to the terminal width (full width when piped).

use comfy_table::{ContentArrangement, Table, presets};

pub fn new(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    t
}

/// Cuts text to `max` characters with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= max { s } else { format!("{}…", s.chars().take(max.saturating_sub(1)).collect::<String>()) }
}

/// Prints a table on stdout. Cells hold server text (Space titles, descriptions), so control
/// sequences are stripped from the rendered table.
pub fn print(p: &crate::printer::Printer, t: &Table) {
    p.out(&format!("{t}\n"));
}
