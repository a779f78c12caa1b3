//! The document model and its parsers: what a page says, with no trace of where it came from
//! (markdown, gemtext, HTML fragments) or where it goes (Gemini or Gopher).
//!
//! Parsers build a [`Document`]; renderers walk it. Neither side ever sees the other's format, so
//! a construct is interpreted once and both protocols show the same words in the same order.
//! Inline links stay where they occur in the text ([`Inline::Link`]) and each renderer decides
//! how to surface them: gemtext puts link lines after the block, Gopher numbers them. This
//! module knows nothing of files, routes or protocols, and imports nothing else of gemhole's.

pub mod gemtext;
mod html;
pub mod markdown;
pub mod outline;
pub mod text;

/// A parsed page body: blocks in reading order, then its footnotes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Footnotes in number order; numbers are assigned by first reference.
    pub notes: Vec<Note>,
    /// The way on from the page, shown after the body and the notes: its tags, the posts
    /// before and after it, home, and the same page on the other protocol.
    pub navigation: Vec<Link>,
}

/// What every post and page opens with: its title, then one line of date and author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleBlock {
    pub title: String,
    /// `YYYY-MM-DD · Author`, or whichever part exists.
    pub byline: Option<String>,
}

/// One unit of layout. Lists and quotes are flat, because gemtext cannot nest them; the depth a
/// list item had is kept for the renderers that can show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Level as written (1 to 6); renderers cap it to what they can show.
    Heading {
        level: u8,
        content: Inlines,
    },
    Paragraph(Inlines),
    List(Vec<ListItem>),
    /// Each element is one paragraph of the quote, nested quotes flattened into it.
    Quote(Vec<Inlines>),
    /// Verbatim text; `alt` is the fence's info string (a language name) or empty.
    Preformatted {
        alt: String,
        text: String,
    },
    Table(Table),
    Rule,
    /// Link lines standing on their own, as in an index page or a run of gemtext `=>` lines.
    Links(Vec<Link>),
    /// Links each followed by a line about it, as search results are.
    Entries(Vec<Entry>),
}

/// A link and a line that says what is behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub link: Link,
    pub summary: String,
}

/// One item of a flattened list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// 0 for a top-level item, 1 for an item of a list inside it, and so on.
    pub depth: usize,
    pub marker: Marker,
    pub content: Inlines,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Bullet,
    /// The item's number as the list counts it from its written start.
    Number(u64),
    /// A task list item, checked or not.
    Task(bool),
}

/// A table: the header row (if any) and body rows, cells as inline content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub align: Vec<Align>,
    pub header: Option<Vec<Inlines>>,
    pub rows: Vec<Vec<Inlines>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A footnote's text, already numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub number: usize,
    pub content: Inlines,
}

pub type Inlines = Vec<Inline>;

/// Inline content: text with its links and note references where the writer put them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text with markup already removed (code spans keep their backticks).
    Text(String),
    Link(Link),
    /// A reference to [`Note`] with this number.
    NoteRef(usize),
    /// A hard line break inside a paragraph.
    LineBreak,
}

/// A link or an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The visible words (an image's alt text); may be empty.
    pub label: String,
    /// A URL with a scheme, or, once the site has resolved it, an absolute capsule route (`/x`).
    pub target: String,
    pub is_image: bool,
}

impl Link {
    /// What a link line should show: the label, or a word that says what it is when empty.
    pub fn display_label(&self) -> &str {
        match self.label.trim() {
            "" if self.is_image => "image",
            label => label,
        }
    }

    /// True for a target inside this capsule rather than a URL with a scheme.
    pub fn is_local(&self) -> bool {
        self.target.starts_with('/')
    }
}

/// How a footnote is marked, in the text and in front of the note: superscript digits (or, in
/// ASCII, `^` and the number), which no reader takes for a link number (clients number link
/// lines `[1]`, `[2]`...).
pub fn note_marker(number: usize, typography: text::Typography) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    if !typography.superscript {
        return format!("^{number}");
    }
    number
        .to_string()
        .chars()
        .filter_map(|digit| digit.to_digit(10).and_then(|d| DIGITS.get(d as usize)))
        .collect()
}

/// Plain text of inline content: link labels in place, note references as their markers,
/// line breaks as `\n`.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(text),
            Inline::Link(link) => out.push_str(&link.label),
            Inline::NoteRef(number) => {
                out.push_str(&note_marker(*number, text::Typography::UNICODE))
            }
            Inline::LineBreak => out.push('\n'),
        }
    }
    out
}

/// The one link of content that holds nothing else but white space, if it is such content.
/// Such a paragraph or list item becomes a link line in place.
pub fn sole_link(inlines: &[Inline]) -> Option<&Link> {
    let mut found = None;
    for inline in inlines {
        match inline {
            Inline::Link(link) if found.is_none() => found = Some(link),
            Inline::Text(text) if text.trim().is_empty() => {}
            Inline::LineBreak => {}
            _ => return None,
        }
    }
    found
}

/// Every link in inline content, in order of appearance.
pub fn links(inlines: &[Inline]) -> impl Iterator<Item = &Link> {
    inlines.iter().filter_map(|inline| match inline {
        Inline::Link(link) => Some(link),
        _ => None,
    })
}

impl Block {
    /// Every link in this block, in reading order.
    pub fn links(&self) -> Vec<&Link> {
        match self {
            Block::Heading { content, .. } | Block::Paragraph(content) => links(content).collect(),
            Block::List(items) => items.iter().flat_map(|item| links(&item.content)).collect(),
            Block::Quote(paragraphs) => paragraphs.iter().flat_map(|p| links(p)).collect(),
            Block::Table(table) => table
                .header
                .iter()
                .chain(table.rows.iter())
                .flatten()
                .flat_map(|cell| links(cell))
                .collect(),
            Block::Links(list) => list.iter().collect(),
            Block::Entries(entries) => entries.iter().map(|entry| &entry.link).collect(),
            Block::Preformatted { .. } | Block::Rule => Vec::new(),
        }
    }
}

impl Document {
    /// Applies `f` to every link target, as when the site turns relative paths into routes.
    pub fn rewrite_links(&mut self, mut f: impl FnMut(&str) -> String) {
        for link in self.links_mut() {
            link.target = f(&link.target);
        }
    }

    fn links_mut(&mut self) -> Vec<&mut Link> {
        fn from_inlines<'a>(inlines: &'a mut Inlines, out: &mut Vec<&'a mut Link>) {
            for inline in inlines.iter_mut() {
                if let Inline::Link(link) = inline {
                    out.push(link);
                }
            }
        }
        let mut out = Vec::new();
        for block in &mut self.blocks {
            match block {
                Block::Heading { content, .. } | Block::Paragraph(content) => {
                    from_inlines(content, &mut out)
                }
                Block::List(items) => {
                    for item in items {
                        from_inlines(&mut item.content, &mut out);
                    }
                }
                Block::Quote(paragraphs) => {
                    for paragraph in paragraphs {
                        from_inlines(paragraph, &mut out);
                    }
                }
                Block::Table(table) => {
                    for cell in table
                        .header
                        .iter_mut()
                        .chain(table.rows.iter_mut())
                        .flatten()
                    {
                        from_inlines(cell, &mut out);
                    }
                }
                Block::Links(list) => out.extend(list.iter_mut()),
                Block::Entries(entries) => out.extend(entries.iter_mut().map(|e| &mut e.link)),
                Block::Preformatted { .. } | Block::Rule => {}
            }
        }
        for note in &mut self.notes {
            from_inlines(&mut note.content, &mut out);
        }
        out
    }

    /// Every link of the page in reading order, notes last: the order Gopher numbers them in.
    pub fn all_links(&self) -> Vec<&Link> {
        let mut all: Vec<&Link> = self.blocks.iter().flat_map(Block::links).collect();
        all.extend(self.notes.iter().flat_map(|note| links(&note.content)));
        all
    }

    /// The plain text of the section headings (`##` and `###`), for a table of contents.
    pub fn section_headings(&self) -> Vec<(u8, String)> {
        self.blocks
            .iter()
            .filter_map(|block| match block {
                Block::Heading { level, content } if (2..=3).contains(level) => {
                    Some((*level, plain_text(content)))
                }
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(target: &str) -> Inline {
        Inline::Link(Link {
            label: "x".into(),
            target: target.into(),
            is_image: false,
        })
    }

    #[test]
    fn sole_link_ignores_surrounding_white_space_only() {
        let alone = vec![
            Inline::Text(" ".into()),
            link("/a"),
            Inline::Text("\n".into()),
        ];
        assert_eq!(sole_link(&alone).map(|l| l.target.as_str()), Some("/a"));
        let in_sentence = vec![Inline::Text("see ".into()), link("/a")];
        assert!(sole_link(&in_sentence).is_none());
        let two = vec![link("/a"), link("/b")];
        assert!(sole_link(&two).is_none());
    }

    #[test]
    fn rewrite_reaches_notes_and_link_blocks() {
        let mut doc = Document {
            blocks: vec![Block::Links(vec![Link {
                label: String::new(),
                target: "a".into(),
                is_image: false,
            }])],
            notes: vec![Note {
                number: 1,
                content: vec![link("b")],
            }],
            navigation: Vec::new(),
        };
        doc.rewrite_links(|t| format!("/{t}"));
        let targets: Vec<_> = doc.all_links().iter().map(|l| l.target.clone()).collect();
        assert_eq!(targets, ["/a", "/b"]);
    }
}
