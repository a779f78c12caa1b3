//! Plain-text layout shared by the renderers: word wrapping in display columns, lines of
//! inline content, URLs fit for a line, and tables drawn as aligned columns.
//!
//! Knows nothing about gemtext or Gopher framing; only how text occupies a terminal's columns.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::doc::text::{collapse_spaces, words};
use crate::doc::{plain_text, Align, Inlines, Table};
use crate::proto::columns::width;

/// The lines of inline content as a reader sees them: one per hard break, spaces collapsed.
pub fn inline_lines(inlines: &Inlines) -> Vec<String> {
    plain_text(inlines)
        .split('\n')
        .map(collapse_spaces)
        .filter(|line| !line.is_empty())
        .collect()
}

/// Greedy word wrap to `width` columns. The first line starts with `first`, the others with
/// `rest`; a word wider than the room stands alone on its line, unbroken (URLs stay whole), and
/// words joined by [`NO_BREAK`] stay on one line.
pub fn wrap(text: &str, max: usize, first: &str, rest: &str) -> Vec<String> {
    // Lines are sized for the width up front (bytes may exceed columns; then they grow).
    let new_line = |lead: &str| {
        let mut line = String::with_capacity(max + 16);
        line.push_str(lead);
        line
    };
    let mut lines = Vec::with_capacity(text.len() / max.max(1) + 1);
    let mut line = new_line(first);
    let mut line_width = width(first);
    let mut empty = true;
    for word in words(text) {
        let word_width = width(word);
        if !empty && line_width + 1 + word_width > max {
            lines.push(std::mem::replace(&mut line, new_line(rest)));
            line_width = width(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_width += 1;
        }
        line.push_str(word);
        line_width += word_width;
        empty = false;
    }
    if !empty || lines.is_empty() {
        line.truncate(line.trim_end().len());
        lines.push(line);
    }
    lines
}

/// A URL as a line of text can carry it: white space and control characters, which would end
/// the URL or the line, percent-encoded.
pub fn url_text(url: &str) -> Cow<'_, str> {
    if !url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len() + 8);
    for c in url.chars() {
        if c.is_whitespace() || c.is_control() {
            let mut utf8 = [0u8; 4];
            for byte in c.encode_utf8(&mut utf8).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A table as lines of aligned columns, with a rule under the header row.
pub fn table_lines(table: &Table) -> Vec<String> {
    let cells = |row: &Vec<Inlines>| -> Vec<String> {
        row.iter()
            .map(|cell| collapse_spaces(&plain_text(cell)))
            .collect()
    };
    let header = table.header.as_ref().map(cells);
    let rows: Vec<Vec<String>> = table.rows.iter().map(cells).collect();
    let columns = header
        .iter()
        .chain(rows.iter())
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in header.iter().chain(rows.iter()) {
        for (column, cell) in row.iter().enumerate() {
            widths[column] = widths[column].max(width(cell));
        }
    }
    let aligned_width = widths.iter().sum::<usize>() + 3 * columns.saturating_sub(1);
    if aligned_width > MAX_ALIGNED_TABLE {
        return unaligned_lines(header.as_ref(), &rows);
    }
    let draw = |row: &Vec<String>| -> String {
        let padded: Vec<String> = (0..columns)
            .map(|column| {
                let cell = row.get(column).map_or("", String::as_str);
                let align = table.align.get(column).copied().unwrap_or(Align::Left);
                pad(cell, widths[column], align)
            })
            .collect();
        padded.join(" | ").trim_end().to_string()
    };
    let mut lines = Vec::new();
    if let Some(header) = &header {
        lines.push(draw(header));
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        lines.push(rule.join("-+-"));
    }
    lines.extend(rows.iter().map(draw));
    lines
}

/// The widest a table is drawn with its columns aligned, in display columns. Aligning pads
/// every cell to its column's widest, so one long cell would be repeated as spaces on every
/// row: past this, the table is drawn unaligned.
pub const MAX_ALIGNED_TABLE: usize = 200;

/// A table too wide to align: each row's cells as they are, between ` | `.
fn unaligned_lines(header: Option<&Vec<String>>, rows: &[Vec<String>]) -> Vec<String> {
    let mut lines = Vec::with_capacity(rows.len() + 2);
    if let Some(header) = header {
        lines.push(header.join(" | ").trim_end().to_string());
        lines.push("---".to_string());
    }
    lines.extend(
        rows.iter()
            .map(|row| row.join(" | ").trim_end().to_string()),
    );
    lines
}

fn pad(cell: &str, to: usize, align: Align) -> String {
    let room = to.saturating_sub(width(cell));
    let (left, right) = match align {
        Align::Left => (0, room),
        Align::Right => (room, 0),
        Align::Center => (room / 2, room - room / 2),
    };
    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Inline;

    #[test]
    fn wrap_fits_words_and_keeps_long_ones_whole() {
        let lines = wrap("aaa bbb ccc https://very.long.example/path", 10, "* ", "  ");
        assert_eq!(
            lines,
            ["* aaa bbb", "  ccc", "  https://very.long.example/path"]
        );
        assert_eq!(wrap("", 10, "> ", "> "), [">"]);
        assert_eq!(wrap("one two\u{a0}[1]", 9, "", ""), ["one", "two\u{a0}[1]"]);
    }

    #[test]
    fn a_table_too_wide_to_align_is_drawn_as_it_is() {
        let cell = |s: &str| vec![Inline::Text(s.into())];
        let long = "x".repeat(MAX_ALIGNED_TABLE);
        let table = Table {
            align: vec![Align::Left, Align::Left],
            header: Some(vec![cell(&long), cell("b")]),
            rows: vec![vec![cell("1"), cell("2")]],
        };
        let lines = table_lines(&table);
        assert_eq!(lines[1..], ["---", "1 | 2"]);
        assert!(lines.iter().map(|l| l.len()).sum::<usize>() < 2 * MAX_ALIGNED_TABLE);
    }

    #[test]
    fn wide_characters_wrap_by_columns() {
        assert_eq!(wrap("日本 語日 本語", 5, "", ""), ["日本", "語日", "本語"]);
    }

    #[test]
    fn tables_align_by_display_width() {
        let cell = |s: &str| vec![Inline::Text(s.into())];
        let table = Table {
            align: vec![Align::Left, Align::Right],
            header: Some(vec![cell("name"), cell("n")]),
            rows: vec![vec![cell("日本"), cell("10")], vec![cell("x"), cell("2")]],
        };
        assert_eq!(
            table_lines(&table),
            ["name |  n", "-----+---", "日本 | 10", "x    |  2"]
        );
    }
}
