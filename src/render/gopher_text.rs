//! Posts and pages as Gopher type 0 text, the form for saving and piping, following
//! RENDERING.md: wrapped at the configured width in display columns, links numbered `[n]`
//! through the page and listed under `Links` as absolute URLs, CRLF line ends. The text blocks
//! are shared with the page menus, which show the same words with the links as items.

use std::collections::HashMap;

use super::gopher_item::absolute_url;
use super::layout::{table_lines, wrap};
use super::{Endpoint, ItemTypes};
use crate::doc::text::{collapse_spaces, Typography, NO_BREAK};
use crate::doc::{note_marker, Block, Document, Inline, Inlines, Link, Marker, TitleBlock};
use crate::proto::columns::width;
use crate::proto::gopher::text_body;

/// Numbers links through a page in order of appearance; a URL seen again keeps its number.
/// In a menu, where each link is an item of its own, links keep their words only.
#[derive(Default)]
pub(super) struct Numbering<'a> {
    order: Vec<&'a Link>,
    numbers: HashMap<&'a str, usize>,
    /// No numbers: the links are items beside the text.
    in_menu: bool,
}

impl<'a> Numbering<'a> {
    pub(super) fn in_menu() -> Numbering<'a> {
        Numbering {
            in_menu: true,
            ..Numbering::default()
        }
    }

    fn number(&mut self, link: &'a Link) -> usize {
        if let Some(&n) = self.numbers.get(link.target.as_str()) {
            return n;
        }
        self.order.push(link);
        let n = self.order.len();
        self.numbers.insert(&link.target, n);
        n
    }
}

/// Text lines being built; CRLF line ends are added at the end.
#[derive(Default)]
pub(super) struct Text {
    pub(super) lines: Vec<String>,
}

impl Text {
    pub(super) fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    pub(super) fn underlined(&mut self, heading: &str, rule: char, max: usize) {
        let lines = wrap(heading, max, "", "");
        let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0);
        self.lines.extend(lines);
        self.lines.push(rule.to_string().repeat(widest));
    }

    fn finish(mut self) -> String {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        text_body(self.lines.iter().map(String::as_str))
    }
}

/// Renders a post or page as type 0 text.
pub fn render_text(
    title: Option<&TitleBlock>,
    doc: &Document,
    at: &Endpoint,
    types: &dyn ItemTypes,
) -> String {
    let mut out = Text::default();
    let mut numbering = Numbering::default();
    let max = at.wrap.max(20);
    if let Some(title) = title {
        title_lines(&mut out, title, max);
    }
    for block in &doc.blocks {
        out.blank();
        text_block(&mut out, block, &mut numbering, max);
    }
    notes(&mut out, doc, &mut numbering, max);
    if !doc.navigation.is_empty() {
        out.blank();
        for link in &doc.navigation {
            let line = link_words(link, &mut numbering);
            out.lines.extend(wrap(&line, max, "", ""));
        }
    }
    if !numbering.order.is_empty() {
        out.blank();
        out.underlined("Links", '-', max);
        for (i, link) in numbering.order.iter().enumerate() {
            out.push(format!("[{}] {}", i + 1, absolute_url(link, at, types)));
        }
    }
    out.finish()
}

/// The title, a line of `=` under it as wide as it (as wrapped), then the date and author.
pub(super) fn title_lines(out: &mut Text, title: &TitleBlock, max: usize) {
    let heading = collapse_spaces(&title.title);
    if !heading.is_empty() {
        out.underlined(&heading, '=', max);
    }
    if let Some(byline) = title.byline.as_deref().map(collapse_spaces) {
        out.lines.extend(wrap(&byline, max, "", ""));
    }
}

/// The notes under `Notes`, each after its marker.
pub(super) fn notes<'a>(
    out: &mut Text,
    doc: &'a Document,
    numbering: &mut Numbering<'a>,
    max: usize,
) {
    if doc.notes.is_empty() {
        return;
    }
    out.blank();
    out.underlined("Notes", '-', max);
    for note in &doc.notes {
        let marker = format!("{} ", note_marker(note.number, Typography::ASCII));
        let indent = " ".repeat(width(&marker));
        let text = inline_text(&note.content, numbering).join(" ");
        for line in wrap(&text, max, &marker, &indent) {
            out.push(line);
        }
    }
}

pub(super) fn text_block<'a>(
    out: &mut Text,
    block: &'a Block,
    numbering: &mut Numbering<'a>,
    max: usize,
) {
    match block {
        Block::Heading { level, content } => {
            let text = inline_text(content, numbering).join(" ");
            if text.is_empty() {
                return;
            }
            match level {
                1 => out.underlined(&text, '=', max),
                2 => out.underlined(&text, '-', max),
                // A form of its own, not markdown's `###`: underlined with `~`.
                _ => out.underlined(&text, '~', max),
            }
        }
        Block::Paragraph(content) => {
            for line in inline_text(content, numbering) {
                out.lines.extend(wrap(&line, max, "", ""));
            }
        }
        Block::List(items) => {
            for item in items {
                let indent = "  ".repeat(item.depth + 1);
                let marker = match item.marker {
                    Marker::Bullet => "* ".to_string(),
                    Marker::Number(n) => format!("{n}. "),
                    Marker::Task(true) => "* [x] ".to_string(),
                    Marker::Task(false) => "* [ ] ".to_string(),
                };
                let first = format!("{indent}{marker}");
                let rest = " ".repeat(width(&first));
                for (i, line) in inline_text(&item.content, numbering).iter().enumerate() {
                    let lead = if i == 0 { &first } else { &rest };
                    out.lines.extend(wrap(line, max, lead, &rest));
                }
            }
        }
        Block::Quote(paragraphs) => {
            for (i, paragraph) in paragraphs.iter().enumerate() {
                if i > 0 {
                    out.push(">".to_string());
                }
                for line in inline_text(paragraph, numbering) {
                    out.lines.extend(wrap(&line, max, "> ", "> "));
                }
            }
        }
        Block::Preformatted { text, .. } => {
            for line in text.split('\n') {
                out.push(indent_verbatim(line));
            }
        }
        Block::Table(table) => {
            for line in table_lines(table) {
                out.push(indent_verbatim(&line));
            }
            for link in block.links() {
                numbering.number(link);
            }
        }
        Block::Rule => out.push("---".to_string()),
        Block::Links(links) => {
            for link in links {
                let line = link_words(link, numbering);
                out.lines.extend(wrap(&line, max, "", ""));
            }
        }
        Block::Entries(entries) => {
            for entry in entries {
                let line = link_words(&entry.link, numbering);
                out.lines.extend(wrap(&line, max, "", ""));
                out.lines
                    .extend(wrap(&collapse_spaces(&entry.summary), max, "  ", "  "));
            }
        }
    }
}

fn indent_verbatim(line: &str) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!("  {line}")
    }
}

/// How a link reads inside the text: its label and its number, which wrapping keeps together.
fn link_words<'a>(link: &'a Link, numbering: &mut Numbering<'a>) -> String {
    let label = collapse_spaces(link.display_label());
    if numbering.in_menu {
        return match link.is_image {
            true => format!("[image: {label}]"),
            false => label,
        };
    }
    let n = numbering.number(link);
    match (link.is_image, label.is_empty()) {
        (true, _) => format!("[image: {label}]{NO_BREAK}[{n}]"),
        (false, true) => format!("[{n}]"),
        (false, false) => format!("{label}{NO_BREAK}[{n}]"),
    }
}

/// Inline content as lines of words (one per hard break), links followed by their numbers.
fn inline_text<'a>(inlines: &'a Inlines, numbering: &mut Numbering<'a>) -> Vec<String> {
    let mut lines = vec![String::new()];
    for inline in inlines {
        let current = lines.last_mut().map(|l| l as &mut String);
        let Some(current) = current else { continue };
        match inline {
            Inline::Text(text) => current.push_str(text),
            Inline::Link(link) => current.push_str(&link_words(link, numbering)),
            Inline::NoteRef(n) => current.push_str(&note_marker(*n, Typography::ASCII)),
            Inline::LineBreak => lines.push(String::new()),
        }
    }
    lines
        .iter()
        .map(|line| collapse_spaces(line))
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::markdown;
    use crate::render::testing::{at, AllText};

    fn text(md: &str) -> String {
        render_text(None, &markdown::parse(md), &at(), &AllText)
    }

    #[test]
    fn paragraphs_wrap_and_links_are_numbered_once_per_url() {
        assert_eq!(
            text("Read [the docs](https://d.example) and [home](/) and [docs again](https://d.example)."),
            "Read the docs\u{a0}[1] and home\u{a0}[2]\r\nand docs again\u{a0}[1].\r\n\r\nLinks\r\n-----\r\n\
             [1] https://d.example\r\n[2] gopher://example.org/1/\r\n"
        );
    }

    #[test]
    fn headings_lists_quotes_and_code() {
        let out = text("## Section\n\n### Sub\n\n- a long item that must wrap around\n  - nested\n\n> quoted words that wrap onto a second line\n\n```\n.dot line\n  keep   spacing\n```");
        assert_eq!(
            out,
            "Section\r\n-------\r\n\r\nSub\r\n~~~\r\n\r\n  * a long item that must wrap\r\n    around\r\n    * nested\r\n\r\n\
             > quoted words that wrap onto\r\n> a second line\r\n\r\n  .dot line\r\n    keep   spacing\r\n"
        );
    }

    #[test]
    fn leading_dots_stay_as_written_and_long_words_stand_alone() {
        let out =
            text(".hidden starts with a dot\n\nand/a/very/long/word/that/cannot/wrap/at/all ok");
        assert!(out.starts_with(".hidden starts with a dot\r\n"), "{out}");
        assert!(
            out.contains("\r\nand/a/very/long/word/that/cannot/wrap/at/all\r\nok\r\n"),
            "{out}"
        );
    }

    #[test]
    fn a_line_break_in_a_local_target_cannot_break_a_line() {
        // Found by fuzzing: pulldown-cmark turns `&#10;` into a real line feed.
        let out = text("[l](/l/&#10;3)");
        assert!(
            out.contains("[1] gopher://example.org/0/l/%0A3\r\n"),
            "{out:?}"
        );
        assert!(out.split("\r\n").all(|line| !line.contains(['\r', '\n'])));
    }

    #[test]
    fn title_block_is_underlined_to_its_width() {
        let title = TitleBlock {
            title: "日本 post".into(),
            byline: Some("2024-01-01 · A".into()),
        };
        let out = render_text(Some(&title), &Document::default(), &at(), &AllText);
        assert_eq!(out, "日本 post\r\n=========\r\n2024-01-01 · A\r\n");
    }

    #[test]
    fn images_and_footnotes() {
        let out = text("![a cat](/cat.png) and a note[^1].\n\n[^1]: The note.");
        assert!(
            out.starts_with(
                "[image: a cat]\u{a0}[1] and a\r\nnote^1.\r\n\r\nNotes\r\n-----\r\n^1 The note.\r\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("[1] gopher://example.org/0/cat.png\r\n"),
            "{out}"
        );
    }
}
