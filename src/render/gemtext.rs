//! A [`Document`] written as gemtext (text/gemini), following RENDERING.md.
//!
//! Gemtext has no inline links, no nesting and no escaping, so the renderer puts a block's links
//! on `=>` lines after it, flattens lists and quotes, and guards text lines that would otherwise
//! be read as another line type.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::layout::{inline_lines, table_lines, url_text};
use crate::doc::text::{collapse_spaces, Typography};
use crate::doc::{
    links, note_marker, sole_link, Block, Document, Inlines, Link, ListItem, Marker, TitleBlock,
};

/// What marks each level of a nested list item below the first, in gemtext.
const DEPTH_MARK: &str = "· ";

/// Renders a page: the title block when given, the blocks, then the notes. LF line ends, one
/// LF at the end.
pub fn render(title: Option<&TitleBlock>, doc: &Document) -> String {
    let mut out = Writer::default();
    if let Some(title) = title {
        out.start_block();
        let heading = collapse_spaces(&title.title);
        if !heading.is_empty() {
            out.line(&format!("# {heading}"));
        }
        if let Some(byline) = title.byline.as_deref().map(collapse_spaces) {
            out.text(&byline);
        }
    }
    for block in &doc.blocks {
        out.start_block();
        out.block(block);
    }
    if !doc.notes.is_empty() {
        out.start_block();
        out.line("## Notes");
        out.start_block();
        for note in &doc.notes {
            let text = inline_lines(&note.content).join(" ");
            let marker = note_marker(note.number, Typography::UNICODE);
            out.text(&format!("{marker} {text}"));
        }
        out.link_lines(doc.notes.iter().flat_map(|note| links(&note.content)));
    }
    if !doc.navigation.is_empty() {
        out.start_block();
        doc.navigation.iter().for_each(|link| out.link_line(link));
    }
    out.finish()
}

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    /// One blank line between blocks.
    fn start_block(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn line(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
    }

    /// A text line, guarded so it cannot turn into a line of another type.
    fn text(&mut self, line: &str) {
        if starts_like_markup(line) {
            // A zero-width space keeps the line a text line without changing what it shows.
            self.out.push('\u{200b}');
        }
        self.line(line);
    }

    fn link_line(&mut self, link: &Link) {
        let url = url_text(&link.target);
        let label = collapse_spaces(link.display_label());
        if label.is_empty() || label == link.target {
            let _ = writeln!(self.out, "=> {url}");
        } else {
            let _ = writeln!(self.out, "=> {url} {label}");
        }
    }

    /// The link lines that follow a block: in order of appearance, each URL once.
    fn link_lines<'a>(&mut self, links: impl Iterator<Item = &'a Link>) {
        let mut seen: HashSet<&str> = HashSet::new();
        for link in links {
            if seen.insert(&link.target) {
                self.link_line(link);
            }
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, content } => {
                let text = inline_lines(content).join(" ");
                if !text.is_empty() {
                    let hashes = "#".repeat(usize::from((*level).clamp(1, 3)));
                    self.line(&format!("{hashes} {text}"));
                }
                self.link_lines(links(content));
            }
            Block::Paragraph(content) => match sole_link(content) {
                Some(link) => self.link_line(link),
                None => {
                    self.text_lines(content, "");
                    self.link_lines(links(content));
                }
            },
            Block::List(items) => self.list(items),
            Block::Quote(paragraphs) => {
                for paragraph in paragraphs {
                    for line in inline_lines(paragraph) {
                        self.line(&format!("> {line}"));
                    }
                }
                self.link_lines(paragraphs.iter().flat_map(|p| links(p)));
            }
            Block::Preformatted { alt, text } => {
                self.preformatted(&collapse_spaces(alt), text.split('\n'));
            }
            Block::Table(table) => {
                self.preformatted("table", table_lines(table).iter().map(String::as_str));
                self.link_lines(block.links().into_iter());
            }
            Block::Rule => self.line("---"),
            Block::Links(list) => list.iter().for_each(|link| self.link_line(link)),
            Block::Entries(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    if i > 0 {
                        self.start_block();
                    }
                    self.link_line(&entry.link);
                    self.text(&collapse_spaces(&entry.summary));
                }
            }
        }
    }

    /// A preformatted block. The one change ever made to its lines: one that starts with the
    /// toggle would end the block early, so it keeps its look but loses that power.
    fn preformatted<'a>(&mut self, alt: &str, lines: impl Iterator<Item = &'a str>) {
        self.line(&format!("```{alt}"));
        for line in lines {
            if line.starts_with("```") {
                self.out.push('\u{200b}');
            }
            self.line(line);
        }
        self.line("```");
    }

    fn list(&mut self, items: &[ListItem]) {
        let mut after: Vec<&Link> = Vec::new();
        for item in items {
            if let Some(link) = sole_link(&item.content) {
                self.link_line(link);
                continue;
            }
            // Gemtext has one level of list: deeper items carry a dot for each level down.
            let depth = DEPTH_MARK.repeat(item.depth);
            let prefix = match item.marker {
                Marker::Bullet => format!("* {depth}"),
                Marker::Number(n) => format!("{depth}{n}. "),
                Marker::Task(true) => format!("* {depth}[x] "),
                Marker::Task(false) => format!("* {depth}[ ] "),
            };
            self.text_lines(&item.content, &prefix);
            after.extend(links(&item.content));
        }
        self.link_lines(after.into_iter());
    }

    /// The lines of inline content; the first one after `prefix` (unguarded: the prefix is
    /// the line type), the others as guarded text lines.
    fn text_lines(&mut self, content: &Inlines, prefix: &str) {
        let lines = inline_lines(content);
        let mut lines = lines.iter();
        match (lines.next(), prefix) {
            (Some(first), "") => self.text(first),
            (Some(first), prefix) => self.line(&format!("{prefix}{first}")),
            (None, "") => {}
            (None, prefix) => self.line(prefix.trim_end()),
        }
        for line in lines {
            self.text(line);
        }
    }

    fn finish(mut self) -> String {
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.out
    }
}

/// True for a line that a gemtext reader would take for a link, heading, list item, quote or
/// preformatting toggle, with or without white space before it.
fn starts_like_markup(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("=>")
        || line.starts_with('#')
        || line.starts_with('>')
        || line.starts_with("```")
        || line == "*"
        || line.starts_with("* ")
        || line.starts_with("*\t")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{gemtext, markdown};

    fn md(source: &str) -> String {
        render(None, &markdown::parse(source))
    }

    #[test]
    fn links_follow_their_paragraph_once_each() {
        assert_eq!(
            md("Read [a](https://a.example), [b](https://b.example) and [a again](https://a.example).\n\nNext."),
            "Read a, b and a again.\n=> https://a.example a\n=> https://b.example b\n\nNext.\n"
        );
    }

    #[test]
    fn a_paragraph_that_is_only_a_link_is_a_link_line() {
        assert_eq!(md("[Home](/)"), "=> / Home\n");
        assert_eq!(md("<https://x.example>"), "=> https://x.example\n");
        assert_eq!(md("![](pic.png)"), "=> pic.png image\n");
        assert_eq!(md("![A cat](cat.jpg)"), "=> cat.jpg A cat\n");
    }

    #[test]
    fn anchors_keep_their_words_only() {
        assert_eq!(md("Go [up](#top)."), "Go up.\n");
    }

    #[test]
    fn headings_cap_at_three() {
        assert_eq!(
            md("# a\n\n## b\n\n#### c\n\n###### d"),
            "# a\n\n## b\n\n### c\n\n### d\n"
        );
    }

    #[test]
    fn lists_flatten_and_number_as_written() {
        assert_eq!(
            md("- one [l](https://l.example)\n  - two\n- [x] done\n\n7. seven\n8. eight\n\n- [only](https://o.example)"),
            "* one l\n* · two\n* [x] done\n=> https://l.example l\n\n7. seven\n8. eight\n\n=> https://o.example only\n"
        );
    }

    #[test]
    fn quotes_code_tables_rules() {
        assert_eq!(
            md("> a\n> b\n>\n> > c [q](https://q.example)"),
            "> a b\n> c q\n=> https://q.example q\n"
        );
        assert_eq!(md("```sh\n$ ls\n  # x\n```"), "```sh\n$ ls\n  # x\n```\n");
        assert_eq!(
            md("| a | bb |\n|---|---|\n| ccc | d |"),
            "```table\na   | bb\n----+---\nccc | d\n```\n"
        );
        assert_eq!(md("a\n\n---\n\nb"), "a\n\n---\n\nb\n");
    }

    #[test]
    fn footnotes_go_under_notes() {
        assert_eq!(
            md("Text[^n].\n\n[^n]: See [x](https://x.example)."),
            "Text¹.\n\n## Notes\n\n¹ See x.\n=> https://x.example x\n"
        );
    }

    #[test]
    fn lines_that_look_like_markup_are_guarded() {
        let out = md("\\# not a heading\n\n\\=> not a link\n\n\\* not an item");
        for line in out.lines().filter(|l| !l.is_empty()) {
            assert!(line.starts_with('\u{200b}'), "{line:?}");
        }
    }

    #[test]
    fn title_block_and_single_trailing_newline() {
        let title = TitleBlock {
            title: "Post".into(),
            byline: Some("2023-11-20 · Jules".into()),
        };
        assert_eq!(
            render(Some(&title), &markdown::parse("Body\n\n\n")),
            "# Post\n2023-11-20 · Jules\n\nBody\n"
        );
        assert_eq!(render(None, &Document::default()), "\n");
    }

    #[test]
    fn hostile_titles_urls_and_line_ends_stay_well_formed() {
        let title = TitleBlock {
            title: " \r ".into(),
            byline: Some("2024-01-02 · A\n=> not a link\r".into()),
        };
        let doc = markdown::parse(
            "    code\r\n\r\n[x](<https://h\u{a0}h/a b>)\r\n\r\n# \u{0}\r\n\r\n#\u{0}",
        );
        let out = render(Some(&title), &doc);
        assert_eq!(
            out,
            "2024-01-02 · A => not a link\n\n```\ncode\n```\n\n=> https://h%C2%A0h/a%20b x\n\n\u{200b}#\n"
        );
    }

    #[test]
    fn a_fence_inside_verbatim_text_cannot_end_it() {
        assert_eq!(
            md("~~~\n```\ninside\n~~~"),
            "```\n\u{200b}```\ninside\n```\n"
        );
        assert_eq!(
            md("| a |\n|---|\n| ```x |"),
            "```table\na\n----\n\u{200b}```x\n```\n"
        );
    }

    #[test]
    fn gemtext_parses_into_the_model() {
        let doc = gemtext::parse(
            "# T\n\ntext\n=> /a A\n=> gemini://b.example\n\n* i\n* j\n> q\n```alt\n  pre\n```\n",
        );
        assert_eq!(render(None, &doc), "# T\n\ntext\n\n=> /a A\n=> gemini://b.example\n\n* i\n* j\n\n> q\n\n```alt\n  pre\n```\n");
    }
}
