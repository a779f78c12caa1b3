//! Gopher text and menus from the document model, following RENDERING.md.
//!
//! Posts and pages become type 0 text: wrapped at the configured width in display columns,
//! links numbered `[n]` through the page and listed under `Links` as absolute URLs, CRLF line
//! ends, leading dots doubled, and the `.` terminator. Index pages and a page's links become
//! type 1 menus: four TAB-separated fields per line, display text cut to 67 columns, the public
//! host and port in every item. Which item type a capsule route has is asked of the site
//! through [`ItemTypes`]; this module reads no files.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use percent_encoding::percent_decode_str;

use super::doc::{Block, Document, Inline, Inlines, Link, Marker, TitleBlock};
use super::text::{collapse_spaces, table_lines, truncate, url_text, width, wrap, NO_BREAK};

/// The most columns a menu line's display text may take.
pub const MENU_WIDTH: usize = 67;

/// Where this Gopher hole is reached, as clients are told.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// Text width in display columns.
    pub wrap: usize,
}

/// The item type a capsule route is served as (`0` text, `1` menu, `I` image, ...).
pub trait ItemTypes {
    fn item_type(&self, route: &str) -> char;
}

/// The item type of a file, by its media type (gemtext is served to Gopher as text).
pub fn item_type_of(mime: &str) -> char {
    match mime {
        "image/gif" => 'g',
        "text/html" => 'h',
        "application/gopher-menu" => '1',
        mime if mime.starts_with("text/") => '0',
        mime if mime.starts_with("image/") => 'I',
        _ => '9',
    }
}

/// The CAPS file (version 1) that tells clients how this server's selectors work.
pub fn caps(version: &str) -> String {
    let mut text = Text::default();
    for line in [
        "CAPS".to_string(),
        String::new(),
        "CapsVersion=1".to_string(),
        "ExpireCapsAfter=3600".to_string(),
        String::new(),
        "PathDelimeter=/".to_string(),
        "PathIdentity=.".to_string(),
        "PathParent=..".to_string(),
        "PathParentDouble=FALSE".to_string(),
        "PathKeepPreDelimeter=FALSE".to_string(),
        String::new(),
        "ServerSoftware=gemhole".to_string(),
        format!("ServerSoftwareVersion={version}"),
        "ServerDefaultEncoding=utf-8".to_string(),
    ] {
        text.push(line);
    }
    text.finish()
}

/// A menu being written: lines appended to one buffer, the terminator added at the end.
/// Large menus (an archive of thousands of posts) are written without a string per line.
#[derive(Default)]
struct Menu {
    out: String,
}

impl Menu {
    fn with_capacity(lines: usize) -> Menu {
        Menu {
            out: String::with_capacity(lines * 80),
        }
    }

    /// One line: type, display text, selector, host, port. TABs and line breaks in the text
    /// become spaces, and the display is cut to [`MENU_WIDTH`] columns.
    fn line(&mut self, kind: char, display: &str, selector: [&str; 2], host: &str, port: u16) {
        self.out.push(kind);
        // Cleaned before it is cut, so the cut measures what is shown.
        let display = match display.contains(['\t', '\r', '\n']) {
            true => Cow::Owned(display.replace(['\t', '\r', '\n'], " ")),
            false => Cow::Borrowed(display),
        };
        self.out.push_str(&truncate(&display, MENU_WIDTH));
        self.out.push('\t');
        for part in selector {
            push_clean(&mut self.out, part);
        }
        self.out.push('\t');
        self.out.push_str(host);
        self.out.push('\t');
        let _ = write!(self.out, "{port}");
        self.out.push_str("\r\n");
    }

    fn info(&mut self, text: &str) {
        self.line('i', text, ["", ""], "null.host", 1);
    }

    /// A link as an item, its label collapsed (or its URL when it has none).
    fn item(&mut self, link: &Link, at: &Endpoint, types: &dyn ItemTypes) {
        let item = item_for(link, at, types);
        let label = collapsed(link.display_label());
        let display = if label.is_empty() {
            link.target.as_str()
        } else {
            &label
        };
        let selector = [item.selector_prefix, &item.selector];
        self.line(item.kind, display, selector, item.host, item.port);
    }

    fn finish(mut self) -> String {
        self.out.push_str(".\r\n");
        self.out
    }
}

/// Text with TABs and line breaks turned into spaces, as a menu field must be.
fn push_clean(out: &mut String, text: &str) {
    if !text.contains(['\t', '\r', '\n']) {
        out.push_str(text);
        return;
    }
    out.extend(text.chars().map(|c| match c {
        '\t' | '\r' | '\n' => ' ',
        c => c,
    }));
}

/// [`collapse_spaces`], without a copy when there is nothing to collapse.
fn collapsed(text: &str) -> Cow<'_, str> {
    let tidy = !text.contains(|c: char| (c.is_whitespace() && c != ' ') || c.is_control())
        && !text.contains("  ")
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    match tidy {
        true => Cow::Borrowed(text),
        false => Cow::Owned(collapse_spaces(text)),
    }
}

/// One menu line (see [`Menu::line`]), on its own.
pub fn menu_line(kind: char, display: &str, selector: &str, host: &str, port: u16) -> String {
    let mut menu = Menu::default();
    menu.line(kind, display, ["", selector], host, port);
    menu.out
}

/// A menu holding only a search item, for a search selector requested without words.
pub fn search_prompt(prompt: &str, selector: &str, at: &Endpoint) -> String {
    let mut menu = Menu::default();
    menu.line('7', prompt, ["", selector], &at.host, at.port);
    menu.finish()
}

/// An error answer: one type 3 line and the terminator.
pub fn error_menu(message: &str) -> String {
    let mut menu = Menu::default();
    menu.line('3', message, ["", ""], "null.host", 1);
    menu.finish()
}

/// How a link appears as a menu item: its type, selector, host and port.
struct Item<'a> {
    kind: char,
    /// `URL:` for links to other schemes, written before the selector.
    selector_prefix: &'static str,
    selector: Cow<'a, str>,
    host: &'a str,
    port: u16,
}

fn item_for<'a>(link: &'a Link, at: &'a Endpoint, types: &dyn ItemTypes) -> Item<'a> {
    if link.is_local() {
        let route = percent_decode_str(&link.target).decode_utf8_lossy();
        return Item {
            kind: types.item_type(&route),
            selector_prefix: "",
            selector: route,
            host: &at.host,
            port: at.port,
        };
    }
    if let Some(item) = parse_gopher_url(&link.target) {
        return item;
    }
    Item {
        kind: 'h',
        selector_prefix: "URL:",
        selector: Cow::Borrowed(&link.target),
        host: &at.host,
        port: at.port,
    }
}

/// `gopher://host[:port][/T[selector]]` as a native item (RFC 4266).
fn parse_gopher_url(url: &str) -> Option<Item<'_>> {
    let rest = url.strip_prefix("gopher://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            (host, port.parse().ok()?)
        }
        _ => (authority, 70),
    };
    // A host no Gopher client could dial (or that would break the menu line) is no native item.
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let mut chars = path.chars();
    let kind = chars.next().unwrap_or('1');
    if !kind.is_ascii_graphic() {
        return None;
    }
    Some(Item {
        kind,
        selector_prefix: "",
        selector: percent_decode_str(chars.as_str()).decode_utf8_lossy(),
        host,
        port,
    })
}

/// The absolute URL of a link, for the `Links` list of a text.
fn absolute_url(link: &Link, at: &Endpoint, types: &dyn ItemTypes) -> String {
    if !link.is_local() {
        return url_text(&link.target).into_owned();
    }
    let item = item_for(link, at, types);
    format!(
        "gopher://{}:{}/{}{}",
        at.host, at.port, item.kind, link.target
    )
}

/// Numbers links through a page in order of appearance; a URL seen again keeps its number.
#[derive(Default)]
struct Numbering<'a> {
    order: Vec<&'a Link>,
    numbers: HashMap<&'a str, usize>,
}

impl<'a> Numbering<'a> {
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

/// Text lines being built; CRLF, dot-stuffing and the terminator are added at the end.
#[derive(Default)]
struct Text {
    lines: Vec<String>,
}

impl Text {
    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    fn underlined(&mut self, heading: &str, rule: char, max: usize) {
        let lines = wrap(heading, max, "", "");
        let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0);
        self.lines.extend(lines);
        self.lines.push(rule.to_string().repeat(widest));
    }

    fn finish(mut self) -> String {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        let size: usize = self.lines.iter().map(|line| line.len() + 3).sum();
        let mut out = String::with_capacity(size + 3);
        for line in &self.lines {
            if line.starts_with('.') {
                out.push('.');
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str(".\r\n");
        out
    }
}

/// Renders a post or page as type 0 text. `links_menu` is the selector of its links menu,
/// pointed to from the last line when the page has links.
pub fn render_text(
    title: Option<&TitleBlock>,
    doc: &Document,
    links_menu: Option<&str>,
    at: &Endpoint,
    types: &dyn ItemTypes,
) -> String {
    let mut out = Text::default();
    let mut numbering = Numbering::default();
    let max = at.wrap.max(20);
    if let Some(title) = title {
        let heading = collapse_spaces(&title.title);
        if !heading.is_empty() {
            out.underlined(&heading, '=', max);
        }
        if let Some(byline) = title.byline.as_deref().map(collapse_spaces) {
            out.lines.extend(wrap(&byline, max, "", ""));
        }
    }
    for block in &doc.blocks {
        out.blank();
        text_block(&mut out, block, &mut numbering, max);
    }
    if !doc.notes.is_empty() {
        out.blank();
        out.underlined("Notes", '-', max);
        for note in &doc.notes {
            let number = format!("[{}] ", note.number);
            let indent = " ".repeat(width(&number));
            let text = inline_text(&note.content, &mut numbering).join(" ");
            for line in wrap(&text, max, &number, &indent) {
                out.push(line);
            }
        }
    }
    if !numbering.order.is_empty() {
        out.blank();
        out.underlined("Links", '-', max);
        for (i, link) in numbering.order.iter().enumerate() {
            out.push(format!("[{}] {}", i + 1, absolute_url(link, at, types)));
        }
        if let Some(menu) = links_menu {
            out.blank();
            let pointer = format!(
                "These links as a menu: gopher://{}:{}/1{menu}",
                at.host, at.port
            );
            out.lines.extend(wrap(&pointer, max, "", ""));
        }
    }
    out.finish()
}

fn text_block<'a>(out: &mut Text, block: &'a Block, numbering: &mut Numbering<'a>, max: usize) {
    match block {
        Block::Heading { level, content } => {
            let text = inline_text(content, numbering).join(" ");
            if text.is_empty() {
                return;
            }
            match level {
                1 => out.underlined(&text, '=', max),
                2 => out.underlined(&text, '-', max),
                _ => out.lines.extend(wrap(&text, max, "### ", "    ")),
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
    let n = numbering.number(link);
    let label = collapse_spaces(link.display_label());
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
            Inline::NoteRef(n) => current.push_str(&format!("[{n}]")),
            Inline::LineBreak => lines.push(String::new()),
        }
    }
    lines
        .iter()
        .map(|line| collapse_spaces(line))
        .filter(|line| !line.is_empty())
        .collect()
}

/// Renders an index document as a type 1 menu: words as information lines, link blocks as
/// items.
pub fn render_menu(doc: &Document, at: &Endpoint, types: &dyn ItemTypes) -> String {
    let links: usize = doc.blocks.iter().map(|block| block.links().len()).sum();
    let mut menu = Menu::with_capacity(links + 4 * doc.blocks.len());
    let mut numbering = Numbering::default();
    for (i, block) in doc.blocks.iter().enumerate() {
        if i > 0 {
            menu.info("");
        }
        match block {
            Block::Links(links) => {
                for link in links {
                    menu.item(link, at, types);
                }
            }
            Block::Entries(entries) => {
                for entry in entries {
                    menu.item(&entry.link, at, types);
                    for line in wrap(&collapse_spaces(&entry.summary), MENU_WIDTH, "  ", "  ") {
                        menu.info(&line);
                    }
                }
            }
            block => {
                let mut text = Text::default();
                text_block(&mut text, block, &mut numbering, MENU_WIDTH);
                for line in &text.lines {
                    menu.info(line);
                }
                for link in block.links() {
                    menu.item(link, at, types);
                }
            }
        }
    }
    menu.finish()
}

/// The links menu of a page: its title, then one item per link in order, then the way back.
pub fn links_menu(
    title: &str,
    text_route: &str,
    doc: &Document,
    at: &Endpoint,
    types: &dyn ItemTypes,
) -> String {
    // The title came from front matter: shown as prose, without control characters.
    let title = collapse_spaces(title);
    let links = doc.all_links();
    let mut menu = Menu::with_capacity(links.len() + 4);
    menu.info(&format!("Links in \"{title}\""));
    menu.info("");
    let mut seen: Vec<&str> = Vec::new();
    for link in links {
        if !seen.contains(&link.target.as_str()) {
            seen.push(&link.target);
            menu.item(link, at, types);
        }
    }
    menu.info("");
    let back = format!("Back to \"{title}\"");
    menu.line('0', &back, ["", text_route], &at.host, at.port);
    menu.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown;

    struct AllText;

    impl ItemTypes for AllText {
        fn item_type(&self, route: &str) -> char {
            if route.ends_with('/') {
                '1'
            } else {
                '0'
            }
        }
    }

    fn at() -> Endpoint {
        Endpoint {
            host: "example.org".into(),
            port: 70,
            wrap: 30,
        }
    }

    fn text(md: &str) -> String {
        render_text(
            None,
            &markdown::parse(md),
            Some("/p/links"),
            &at(),
            &AllText,
        )
    }

    #[test]
    fn paragraphs_wrap_and_links_are_numbered_once_per_url() {
        assert_eq!(
            text("Read [the docs](https://d.example) and [home](/) and [docs again](https://d.example)."),
            "Read the docs\u{a0}[1] and home\u{a0}[2]\r\nand docs again\u{a0}[1].\r\n\r\nLinks\r\n-----\r\n\
             [1] https://d.example\r\n[2] gopher://example.org:70/1/\r\n\r\n\
             These links as a menu:\r\ngopher://example.org:70/1/p/links\r\n.\r\n"
        );
    }

    #[test]
    fn headings_lists_quotes_and_code() {
        let out = text("## Section\n\n### Sub\n\n- a long item that must wrap around\n  - nested\n\n> quoted words that wrap onto a second line\n\n```\n.dot line\n  keep   spacing\n```");
        assert_eq!(
            out,
            "Section\r\n-------\r\n\r\n### Sub\r\n\r\n  * a long item that must wrap\r\n    around\r\n    * nested\r\n\r\n\
             > quoted words that wrap onto\r\n> a second line\r\n\r\n  .dot line\r\n    keep   spacing\r\n.\r\n"
        );
    }

    #[test]
    fn leading_dots_are_doubled_and_long_words_stand_alone() {
        let out =
            text(".hidden starts with a dot\n\nhttps://a.very.long.example/that/cannot/wrap ok");
        assert!(out.starts_with("..hidden starts with a dot\r\n"), "{out}");
        assert!(
            out.contains("\r\nhttps://a.very.long.example/that/cannot/wrap\r\nok\r\n"),
            "{out}"
        );
    }

    #[test]
    fn title_block_is_underlined_to_its_width() {
        let title = TitleBlock {
            title: "日本 post".into(),
            byline: Some("2024-01-01 · A".into()),
        };
        let out = render_text(Some(&title), &Document::default(), None, &at(), &AllText);
        assert_eq!(out, "日本 post\r\n=========\r\n2024-01-01 · A\r\n.\r\n");
    }

    #[test]
    fn images_and_footnotes() {
        let out = text("![a cat](/cat.png) and a note[^1].\n\n[^1]: The note.");
        assert!(out.starts_with("[image: a cat]\u{a0}[1] and a\r\nnote[1].\r\n\r\nNotes\r\n-----\r\n[1] The note.\r\n"), "{out}");
        assert!(
            out.contains("[1] gopher://example.org:70/0/cat.png\r\n"),
            "{out}"
        );
    }

    #[test]
    fn menu_lines_have_four_fields_and_cut_display() {
        let long = "x".repeat(100);
        let line = menu_line('0', &format!("{long}\tsneaky"), "/a\tb", "h", 70);
        let fields: Vec<&str> = line.trim_end_matches("\r\n").split('\t').collect();
        assert_eq!(fields.len(), 4, "{line:?}");
        assert_eq!(width(fields[0]) - 1, MENU_WIDTH);
        assert!(fields[0].ends_with('…'));
        assert_eq!(
            error_menu("Not found"),
            "3Not found\t\tnull.host\t1\r\n.\r\n"
        );
        let menu = links_menu(
            "T\u{1b}]0;x\u{7}",
            "/t",
            &Document::default(),
            &at(),
            &AllText,
        );
        let stray = |c: char| c.is_control() && !matches!(c, '\t' | '\r' | '\n');
        assert!(!menu.contains(stray), "{menu:?}");
        let doc = markdown::parse("[odd](<gopher://\t\t>)");
        let menu = links_menu("T", "/t", &doc, &at(), &AllText);
        assert!(
            menu.lines().all(|l| l.split('\t').count() == 4 || l == "."),
            "{menu:?}"
        );
    }

    #[test]
    fn links_menu_uses_native_items_where_it_can() {
        let doc = markdown::parse("[a](/about) [g](gopher://other.example:7070/0/x%20y) [w](https://w.example) [m](mailto:me@x.example) [a2](/about)");
        let menu = links_menu("T", "/t", &doc, &at(), &AllText);
        assert_eq!(
            menu,
            "iLinks in \"T\"\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n\
             0a\t/about\texample.org\t70\r\n0g\t/x y\tother.example\t7070\r\n\
             hw\tURL:https://w.example\texample.org\t70\r\nhm\tURL:mailto:me@x.example\texample.org\t70\r\n\
             i\t\tnull.host\t1\r\n0Back to \"T\"\t/t\texample.org\t70\r\n.\r\n"
        );
    }
}
