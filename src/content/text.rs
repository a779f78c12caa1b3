//! Plain-text layout shared by the renderers: display width (East Asian wide characters count
//! two columns), word wrapping, cutting to a width, and tables drawn as aligned columns.
//!
//! Knows nothing about gemtext or Gopher framing; only how text occupies a terminal's columns.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::doc::{plain_text, Align, Inlines, Table};

/// Columns a string occupies on a terminal.
pub fn width(text: &str) -> usize {
    // Printable ASCII is one column a byte; most words are that.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.len();
    }
    UnicodeWidthStr::width(text)
}

/// A space that holds two words together: wrapping never breaks a line there.
pub const NO_BREAK: char = '\u{a0}';

/// White space where a line may break (all but [`NO_BREAK`]).
fn is_break(c: char) -> bool {
    c.is_whitespace() && c != NO_BREAK
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_break).filter(|word| !word.is_empty())
}

/// White space runs folded to one space, ends trimmed, control characters dropped: how a
/// reader sees a line of prose (and nothing in it can move a terminal's cursor).
pub fn collapse_spaces(text: &str) -> String {
    // Controls go first, so none can leave a lone space behind.
    let visible: Cow<'_, str> = match text.contains(|c: char| c.is_control() && !c.is_whitespace())
    {
        false => Cow::Borrowed(text),
        true => Cow::Owned(
            text.chars()
                .filter(|c| !c.is_control() || c.is_whitespace())
                .collect(),
        ),
    };
    words(&visible).collect::<Vec<_>>().join(" ")
}

/// Line ends as LF only: CRLF and lone CR (as old Mac editors write) become LF, so nothing
/// downstream, preformatted text included, ever carries a CR.
pub fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    match text.contains('\r') {
        false => Cow::Borrowed(text),
        true => Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")),
    }
}

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

/// Cuts `text` to at most `max` columns, ending in `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(ch);
        used += w;
    }
    // Per-character widths can undercount what the string shows (emoji sequences joined by
    // U+200D, say); the whole string's width is what must fit.
    while width(&out) + 1 > max && out.pop().is_some() {}
    out.truncate(out.trim_end().len());
    out.push('…');
    Cow::Owned(out)
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

/// Text safe inside HTML or XML elements and attribute values. Control characters that XML
/// 1.0 cannot carry are dropped.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
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
    use crate::content::doc::Inline;

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
    fn wide_characters_count_two_columns() {
        assert_eq!(width("日本語"), 6);
        assert_eq!(wrap("日本 語日 本語", 5, "", ""), ["日本", "語日", "本語"]);
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(truncate("short", 7), "short");
        let family = "👩\u{200d}💻".repeat(10);
        assert!(
            width(&truncate(&family, 7)) <= 7,
            "{}",
            truncate(&family, 7)
        );
    }

    #[test]
    fn prose_loses_control_characters_and_line_ends_become_lf() {
        assert_eq!(collapse_spaces(" a\u{0}b \u{1b}[31m  c\r\n"), "ab [31m c");
        assert_eq!(collapse_spaces("\u{2} \u{2}"), "");
        assert_eq!(normalize_line_ends("a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn markup_escaping() {
        assert_eq!(
            escape_markup("a & b <c> \"d\" 'e'\u{1}"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;"
        );
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
