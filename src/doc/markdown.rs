//! Markdown to [`Document`]: the only place that sees pulldown-cmark events.
//!
//! CommonMark with GitHub's tables, footnotes, strikethrough and task lists. Emphasis markers are
//! dropped, code spans keep their backticks, HTML is reduced to its text, and containers that
//! gemtext cannot nest (lists in lists, quotes in quotes) are flattened here, keeping the depth
//! the renderers may use. Link targets stay as written; making them routes is the site's job.

use std::collections::HashMap;

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

use super::html;
use super::text::{self, normalize_line_ends};
use super::{Align, Block, Document, Inline, Inlines, Link, ListItem, Marker, Note, Table};

/// The markdown gemhole reads, the same for every reading of a body: CommonMark with GitHub's
/// tables, footnotes, strikethrough and task lists.
pub(super) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_DEFINITION_LIST);

/// The deepest a list item is shown; deeper ones show at this depth. Nothing a writer means
/// nests deeper, and each level costs every wrapped line of the item its indent.
pub const MAX_LIST_DEPTH: usize = 8;

/// The most of an image's alt text that joins the label of the link or image around it: with
/// images nested in images, each label would hold all those inside it.
const MAX_NESTED_LABEL: usize = 200;

/// Parses a markdown body (front matter already removed).
pub fn parse(markdown: &str) -> Document {
    let mut builder = Builder::default();
    let markdown = normalize_line_ends(markdown);
    for event in Parser::new_ext(&markdown, OPTIONS) {
        builder.event(event);
    }
    builder.finish()
}

/// A link or image whose label is still being read.
struct OpenLink {
    target: Option<String>,
    is_image: bool,
    label: String,
}

/// One list being read, for numbering its items.
struct OpenList {
    next_number: Option<u64>,
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    /// Text events not yet taken in (see [`Builder::flush_prose`]).
    prose: String,
    /// Inline content of the paragraph, heading, item or cell being read.
    inline: Inlines,
    links: Vec<OpenLink>,
    /// Images found inside a link's label, placed after that link closes.
    images_in_label: Vec<Link>,
    heading: Option<u8>,

    lists: Vec<OpenList>,
    items: Vec<ListItem>,
    item: Option<ListItem>,

    quote_depth: usize,
    quote: Vec<Inlines>,

    /// The fence info and text of the code block being read.
    code: Option<(String, String)>,
    html_block: Option<String>,

    table: Option<Table>,
    row: Vec<Inlines>,

    note_numbers: HashMap<String, usize>,
    note_order: Vec<String>,
    note_texts: HashMap<String, Inlines>,
    /// The label of the footnote definition being read.
    in_note: Option<String>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        // A run of text arrives in pieces (cut where emphasis might have begun); it is taken in
        // whole, so a URL in it is seen whole.
        if !matches!(event, Event::Text(_)) {
            self.flush_prose();
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code {
                Some((_, code)) => code.push_str(&text),
                None => self.prose.push_str(&text),
            },
            Event::Code(code) => self.text(&format!("`{code}`")),
            Event::InlineMath(math) | Event::DisplayMath(math) => self.text(&math),
            Event::Html(html) => match &mut self.html_block {
                Some(buffer) => buffer.push_str(&html),
                None => self.inline_html(&html),
            },
            Event::InlineHtml(html) => self.inline_html(&html),
            Event::FootnoteReference(label) => {
                let number = self.note_number(&label);
                match self.links.last_mut() {
                    Some(open) => open.label.push_str(&format!("[{number}]")),
                    None => self.inline.push(Inline::NoteRef(number)),
                }
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.line_break(),
            Event::Rule => self.push_block(Block::Rule),
            Event::TaskListMarker(checked) => {
                if let Some(item) = &mut self.item {
                    item.marker = Marker::Task(checked);
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.heading = Some(heading_level(level));
            }
            Tag::BlockQuote(_) => {
                if self.quote_depth == 0 && self.in_note.is_none() {
                    self.end_list_block();
                }
                self.quote_depth += 1;
            }
            Tag::CodeBlock(kind) => {
                let alt = match kind {
                    CodeBlockKind::Fenced(info) => info.trim().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((alt, String::new()));
            }
            Tag::HtmlBlock => self.html_block = Some(String::new()),
            Tag::List(start) => {
                // A list inside an item: the item's own words come first.
                self.finish_item();
                self.lists.push(OpenList { next_number: start });
            }
            Tag::Item => {
                self.finish_item();
                let depth = self.lists.len().saturating_sub(1).min(MAX_LIST_DEPTH);
                let marker = match self.lists.last_mut().and_then(|l| l.next_number.as_mut()) {
                    Some(number) => {
                        let marker = Marker::Number(*number);
                        *number = number.saturating_add(1);
                        marker
                    }
                    None => Marker::Bullet,
                };
                self.item = Some(ListItem {
                    depth,
                    marker,
                    content: Vec::new(),
                });
            }
            Tag::FootnoteDefinition(label) => {
                self.in_note = Some(label.to_string());
                // A label defined twice is numbered once: numbering looks it up.
                self.note_order.push(label.to_string());
            }
            Tag::Table(align) => {
                self.table = Some(Table {
                    align: align.into_iter().map(table_align).collect(),
                    ..Table::default()
                })
            }
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                // An anchor on the same page, or nothing at all: only the words remain.
                let target = if dest_url.starts_with('#') || dest_url.trim().is_empty() {
                    None
                } else if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    Some(format!("mailto:{dest_url}"))
                } else {
                    Some(dest_url.to_string())
                };
                self.links.push(OpenLink {
                    target,
                    is_image: false,
                    label: String::new(),
                });
            }
            Tag::Image { dest_url, .. } => self.links.push(OpenLink {
                target: (!dest_url.trim().is_empty()).then(|| dest_url.to_string()),
                is_image: true,
                label: String::new(),
            }),
            // Struck words must not read as if they stood: the marks stay.
            Tag::Strikethrough => self.text("~~"),
            // A term, then its definitions as the items of a list under it.
            Tag::DefinitionListTitle => self.end_list_block(),
            Tag::DefinitionListDefinition => {
                self.finish_item();
                self.item = Some(ListItem {
                    depth: 0,
                    marker: Marker::Bullet,
                    content: Vec::new(),
                });
            }
            Tag::Paragraph
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Superscript
            | Tag::Subscript
            | Tag::DefinitionList
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.end_paragraph(),
            TagEnd::Heading(_) => {
                let level = self.heading.take().unwrap_or(1);
                if self.in_note.is_some() || self.quote_depth > 0 || self.item.is_some() {
                    self.end_paragraph();
                } else {
                    let content = self.take_inline();
                    self.push_block(Block::Heading { level, content });
                }
            }
            TagEnd::BlockQuote(_) => {
                self.quote_depth = self.quote_depth.saturating_sub(1);
                if self.quote_depth == 0 {
                    self.end_quote_block();
                }
            }
            TagEnd::CodeBlock => {
                if let Some((alt, mut text)) = self.code.take() {
                    if text.ends_with('\n') {
                        text.pop();
                    }
                    if self.in_note.is_some() {
                        self.text(&text);
                    } else {
                        self.push_block(Block::Preformatted { alt, text });
                    }
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(source) = self.html_block.take() {
                    for paragraph in html::to_paragraphs(&source) {
                        self.inline = paragraph;
                        self.end_paragraph();
                    }
                }
            }
            TagEnd::List(_) => {
                self.finish_item();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.end_list_block();
                }
            }
            TagEnd::Item => self.finish_item(),
            TagEnd::FootnoteDefinition => {
                if let Some(label) = self.in_note.take() {
                    let content = self.take_inline();
                    self.note_texts.entry(label).or_default().extend(content);
                }
            }
            TagEnd::TableCell => {
                let cell = self.take_inline();
                self.row.push(cell);
            }
            TagEnd::TableHead => {
                let row = std::mem::take(&mut self.row);
                if let Some(table) = &mut self.table {
                    table.header = Some(row);
                }
            }
            TagEnd::TableRow => {
                let row = std::mem::take(&mut self.row);
                if let Some(table) = &mut self.table {
                    table.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.push_block(Block::Table(table));
                }
            }
            TagEnd::Link | TagEnd::Image => self.close_link(),
            TagEnd::Strikethrough => self.text("~~"),
            TagEnd::DefinitionListTitle => self.end_paragraph(),
            TagEnd::DefinitionListDefinition => self.finish_item(),
            TagEnd::DefinitionList => self.end_list_block(),
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// The run of the writer's prose read so far: a bare URL in it (the GFM autolink form)
    /// becomes a link, the URL staying in the sentence as its label.
    fn flush_prose(&mut self) {
        if self.prose.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.prose);
        if !self.links.is_empty() {
            return self.text(&text);
        }
        let mut rest = text.as_str();
        while let Some((start, end)) = text::bare_url(rest) {
            self.text(&rest[..start]);
            let url = &rest[start..end];
            self.inline.push(Inline::Link(Link {
                label: url.to_string(),
                target: url.to_string(),
                is_image: false,
            }));
            rest = &rest[end..];
        }
        self.text(rest);
    }

    fn text(&mut self, text: &str) {
        match self.links.last_mut() {
            Some(open) => open.label.push_str(text),
            None => push_text(&mut self.inline, text),
        }
    }

    fn line_break(&mut self) {
        match self.links.last_mut() {
            Some(open) => open.label.push(' '),
            None => self.inline.push(Inline::LineBreak),
        }
    }

    fn inline_html(&mut self, html: &str) {
        for inline in html::inline(html) {
            match inline {
                Inline::Text(text) => self.text(&text),
                Inline::LineBreak => self.line_break(),
                Inline::Link(_) | Inline::NoteRef(_) => {}
            }
        }
    }

    fn close_link(&mut self) {
        let Some(open) = self.links.pop() else {
            return;
        };
        let label = open.label.split_whitespace().collect::<Vec<_>>().join(" ");
        let link = open.target.map(|target| Link {
            label: label.clone(),
            target,
            is_image: open.is_image,
        });
        match (self.links.last_mut(), link) {
            // An image inside a link's label: its alt text joins the label, the image itself
            // follows the link.
            (Some(outer), link) => {
                push_bounded(&mut outer.label, &label, MAX_NESTED_LABEL);
                self.images_in_label.extend(link);
            }
            (None, Some(link)) => {
                self.inline.push(Inline::Link(link));
                let images = std::mem::take(&mut self.images_in_label);
                self.inline.extend(images.into_iter().map(Inline::Link));
            }
            // A link to an anchor on the same page: the words stay, the link goes.
            (None, None) => push_text(&mut self.inline, &label),
        }
    }

    fn note_number(&mut self, label: &str) -> usize {
        let next = self.note_numbers.len() + 1;
        *self.note_numbers.entry(label.to_string()).or_insert(next)
    }

    fn take_inline(&mut self) -> Inlines {
        std::mem::take(&mut self.inline)
    }

    /// Ends a paragraph: its content goes to the innermost container that is open.
    fn end_paragraph(&mut self) {
        let content = self.take_inline();
        if content.is_empty() {
            return;
        }
        if let Some(label) = &self.in_note {
            let note = self.note_texts.entry(label.clone()).or_default();
            if !note.is_empty() {
                push_text(note, " ");
            }
            note.extend(content);
        } else if self.quote_depth > 0 {
            self.quote.push(content);
        } else if let Some(item) = &mut self.item {
            if !item.content.is_empty() {
                item.content.push(Inline::LineBreak);
            }
            item.content.extend(content);
        } else {
            self.blocks.push(Block::Paragraph(content));
        }
    }

    /// Moves the words read so far into the open list item, and the item into the list.
    fn finish_item(&mut self) {
        let content = self.take_inline();
        if let Some(mut item) = self.item.take() {
            if self.quote_depth > 0 {
                // A list inside a quote reads as quoted lines.
                let mut line = vec![Inline::Text(match item.marker {
                    Marker::Number(n) => format!("{n}. "),
                    _ => "* ".to_string(),
                })];
                line.extend(item.content);
                line.extend(content);
                self.quote.push(line);
                return;
            }
            item.content.extend(content);
            if !item.content.is_empty() || !matches!(item.marker, Marker::Bullet) {
                self.items.push(item);
            }
        } else if !content.is_empty() {
            self.inline = content;
        }
    }

    fn end_list_block(&mut self) {
        self.finish_item();
        if !self.items.is_empty() {
            let items = std::mem::take(&mut self.items);
            self.blocks.push(Block::List(items));
        }
    }

    fn end_quote_block(&mut self) {
        if !self.quote.is_empty() {
            let paragraphs = std::mem::take(&mut self.quote);
            self.blocks.push(Block::Quote(paragraphs));
        }
    }

    /// Places a block that interrupts any list or quote it was written inside: gemtext cannot
    /// hold a code block or table inside either, so they end there and resume after it.
    fn push_block(&mut self, block: Block) {
        if self.in_note.is_some() {
            return;
        }
        let reopen_item = self.item.as_ref().map(|item| ListItem {
            content: Vec::new(),
            marker: Marker::Bullet,
            depth: item.depth,
        });
        self.end_list_block();
        self.end_quote_block();
        self.blocks.push(block);
        // The rest of the interrupted item (if any) continues as a new item at the same depth.
        if !self.lists.is_empty() {
            self.item = reopen_item;
        }
    }

    fn finish(mut self) -> Document {
        self.flush_prose();
        self.end_paragraph();
        self.end_list_block();
        self.end_quote_block();
        for label in std::mem::take(&mut self.note_order) {
            self.note_number(&label);
        }
        let mut notes: Vec<Note> = self
            .note_numbers
            .iter()
            .filter_map(|(label, &number)| {
                let content = self.note_texts.get(label)?.clone();
                Some(Note { number, content })
            })
            .collect();
        notes.sort_by_key(|note| note.number);
        Document {
            blocks: self.blocks,
            notes,
            navigation: Vec::new(),
        }
    }
}

/// Appends `text` to `label` while the label is shorter than `max` bytes, cut at a character
/// boundary.
fn push_bounded(label: &mut String, text: &str, max: usize) {
    let room = max.saturating_sub(label.len());
    let mut end = room.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    label.push_str(&text[..end]);
}

/// Appends text, joining it to the text before it so the model holds no needless splits.
fn push_text(inlines: &mut Inlines, text: &str) {
    if text.is_empty() {
        return;
    }
    match inlines.last_mut() {
        Some(Inline::Text(last)) => last.push_str(text),
        _ => inlines.push(Inline::Text(text.to_string())),
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn table_align(align: Alignment) -> Align {
    match align {
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
        Alignment::None | Alignment::Left => Align::Left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::plain_text;

    fn link(label: &str, target: &str) -> Inline {
        Inline::Link(Link {
            label: label.into(),
            target: target.into(),
            is_image: false,
        })
    }

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn emphasis_markers_are_dropped_and_code_keeps_backticks() {
        let doc = parse("Some *em*, **strong**, ~~gone~~ and `code`.");
        assert_eq!(
            doc.blocks,
            [Block::Paragraph(vec![text(
                "Some em, strong, ~~gone~~ and `code`."
            )])]
        );
    }

    #[test]
    fn soft_breaks_are_spaces_and_hard_breaks_stay() {
        let doc = parse("one\ntwo  \nthree");
        assert_eq!(
            doc.blocks,
            [Block::Paragraph(vec![
                text("one two"),
                Inline::LineBreak,
                text("three")
            ])]
        );
    }

    #[test]
    fn links_of_every_kind() {
        let doc = parse(
            "See [the site](https://a.example) and <https://b.example>, [ref][r], [here](#top) \
             and <me@c.example>.\n\n[r]: https://r.example",
        );
        assert_eq!(
            doc.blocks,
            [Block::Paragraph(vec![
                text("See "),
                link("the site", "https://a.example"),
                text(" and "),
                link("https://b.example", "https://b.example"),
                text(", "),
                link("ref", "https://r.example"),
                text(", here and "),
                link("me@c.example", "mailto:me@c.example"),
                text("."),
            ])]
        );
    }

    #[test]
    fn bare_urls_become_links_in_place() {
        let doc = parse("See https://a.example/x_(y). Or (gemini://b.example/), not xhttp://c.");
        assert_eq!(
            doc.blocks,
            [Block::Paragraph(vec![
                text("See "),
                link("https://a.example/x_(y)", "https://a.example/x_(y)"),
                text(". Or ("),
                link("gemini://b.example/", "gemini://b.example/"),
                text("), not xhttp://c."),
            ])]
        );
        let doc = parse("`https://code.example` and [https://l.example](https://l.example)");
        assert_eq!(doc.blocks[0].links().len(), 1);
        // What comes before `://` may be any text at all.
        assert!(parse("日://x é://y https://z").blocks[0].links().len() == 1);
    }

    #[test]
    fn definition_lists_are_a_term_and_its_items() {
        let doc = parse("Term\n: one\n: two\n\nNext\n: three\n");
        let shape: Vec<String> = doc
            .blocks
            .iter()
            .map(|block| match block {
                Block::Paragraph(p) => plain_text(p),
                Block::List(items) => items
                    .iter()
                    .map(|i| format!("* {}", plain_text(&i.content)))
                    .collect::<Vec<_>>()
                    .join(" / "),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(shape, ["Term", "* one / * two", "Next", "* three"]);
    }

    #[test]
    fn empty_targets_leave_only_words() {
        let doc = parse("[x]() and ![pic](<>)");
        assert_eq!(doc.blocks, [Block::Paragraph(vec![text("x and pic")])]);
    }

    #[test]
    fn image_inside_link_follows_it() {
        let doc = parse("[![badge](b.svg)](https://ci.example)");
        assert_eq!(
            doc.blocks,
            [Block::Paragraph(vec![
                link("badge", "https://ci.example"),
                Inline::Link(Link {
                    label: "badge".into(),
                    target: "b.svg".into(),
                    is_image: true
                }),
            ])]
        );
    }

    #[test]
    fn nested_lists_are_flattened_with_depth_and_numbers() {
        let doc =
            parse("- a\n  - b\n    1. c\n    2. d\n- e\n\n3. x\n4. y\n\n- [x] done\n- [ ] todo");
        let Block::List(items) = &doc.blocks[0] else {
            panic!("{:?}", doc.blocks)
        };
        let shape: Vec<_> = items
            .iter()
            .map(|i| (i.depth, i.marker, plain_text(&i.content)))
            .collect();
        assert_eq!(
            shape,
            [
                (0, Marker::Bullet, "a".to_string()),
                (1, Marker::Bullet, "b".to_string()),
                (2, Marker::Number(1), "c".to_string()),
                (2, Marker::Number(2), "d".to_string()),
                (0, Marker::Bullet, "e".to_string()),
            ]
        );
        let Block::List(numbered) = &doc.blocks[1] else {
            panic!()
        };
        assert_eq!(numbered[0].marker, Marker::Number(3));
        let Block::List(tasks) = &doc.blocks[2] else {
            panic!()
        };
        assert_eq!(tasks[0].marker, Marker::Task(true));
        assert_eq!(tasks[1].marker, Marker::Task(false));
        assert_eq!(plain_text(&tasks[1].content), "todo");
    }

    #[test]
    fn quotes_of_any_depth_are_paragraph_lists() {
        let doc = parse("> one\n> still one\n>\n> > two\n\nafter");
        assert_eq!(
            doc.blocks,
            [
                Block::Quote(vec![vec![text("one still one")], vec![text("two")]]),
                Block::Paragraph(vec![text("after")])
            ]
        );
    }

    #[test]
    fn code_blocks_keep_every_byte() {
        let doc = parse("```rust\n  let x = *y;\n\n# not a heading\n```\n\n    indented\n");
        assert_eq!(
            doc.blocks,
            [
                Block::Preformatted {
                    alt: "rust".into(),
                    text: "  let x = *y;\n\n# not a heading".into()
                },
                Block::Preformatted {
                    alt: String::new(),
                    text: "indented".into()
                }
            ]
        );
    }

    #[test]
    fn code_inside_a_list_splits_it() {
        let doc = parse("- one\n\n  ```\n  code\n  ```\n- two\n");
        assert!(
            matches!(doc.blocks.as_slice(), [Block::List(a), Block::Preformatted { .. }, Block::List(b)] if a.len() == 1 && b.len() == 1)
        );
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference() {
        let doc = parse("B[^b] then A[^a] and B again[^b].\n\n[^a]: Note A.\n[^b]: Note B with [link](https://n.example).");
        assert_eq!(
            doc.blocks,
            [Block::Paragraph(vec![
                text("B"),
                Inline::NoteRef(1),
                text(" then A"),
                Inline::NoteRef(2),
                text(" and B again"),
                Inline::NoteRef(1),
                text("."),
            ])]
        );
        assert_eq!(doc.notes.len(), 2);
        assert_eq!(doc.notes[0].number, 1);
        assert_eq!(plain_text(&doc.notes[0].content), "Note B with link.");
        assert_eq!(plain_text(&doc.notes[1].content), "Note A.");
    }

    #[test]
    fn tables_keep_alignment_and_cells() {
        let doc = parse("| a | b |\n|:--|--:|\n| 1 | [x](https://x.example) |");
        let Block::Table(table) = &doc.blocks[0] else {
            panic!("{:?}", doc.blocks)
        };
        assert_eq!(table.align, [Align::Left, Align::Right]);
        assert_eq!(table.header.as_ref().map(|h| h.len()), Some(2));
        assert_eq!(table.rows[0][1], vec![link("x", "https://x.example")]);
    }

    #[test]
    fn html_is_reduced_to_text() {
        let doc = parse("<!-- hidden -->\n\n<div>\nShown <b>bold</b><br>next\n</div>\n\nInline <i>tag</i> and <!-- gone --> text<br/>line");
        let texts: Vec<String> = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(p) => plain_text(p),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(texts, ["Shown bold\nnext", "Inline tag and  text\nline"]);
    }
}
