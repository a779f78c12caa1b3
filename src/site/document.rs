//! A page's body made into a document ready for either renderer: links made into routes, the
//! opening heading folded into the title block, the table of contents and the tag links added.

use super::links::folder_of;
use super::page::Page;
use super::templates;
use super::words::heading;
use super::Site;
use crate::doc::text::{collapse_spaces, Typography};
use crate::doc::{markdown, plain_text, Block, Document, Inline, ListItem, Marker, TitleBlock};

impl Site {
    /// A page's body as a document ready to render, and its title block, its byline written
    /// with `typography`.
    pub fn page_document(
        &self,
        page: &Page,
        body: &str,
        typography: Typography,
    ) -> (TitleBlock, Document) {
        let lookup = PageLookup { site: self, page };
        let mut doc = markdown::parse(&templates::expand(body, &lookup).text);
        let title = take_title_heading(&mut doc, &page.title);
        relevel_headings(&mut doc);
        if page.toc {
            insert_contents(&mut doc);
        }
        let from_dir = folder_of(&page.rel);
        doc.rewrite_links(|target| self.resolve_link(from_dir, target));
        let byline: Vec<String> = page
            .date
            .map(|d| d.to_string())
            .into_iter()
            .chain(page.author.as_deref().map(str::to_string))
            .collect();
        let title_block = TitleBlock {
            title,
            byline: (!byline.is_empty()).then(|| byline.join(typography.separator)),
        };
        (title_block, doc)
    }
}

/// Removes the body's opening heading when it repeats the title, and says what the title block
/// should show. A heading that is the title followed by a subtitle (`Title: more words`) is the
/// fuller form of the same title: it replaces the short one in the title block, so no words are
/// lost and none are printed twice.
fn take_title_heading(doc: &mut Document, title: &str) -> String {
    let title = collapse_spaces(title);
    let Some(Block::Heading { content, .. }) = doc.blocks.first() else {
        return title;
    };
    let heading = collapse_spaces(&plain_text(content));
    let shown = if heading.eq_ignore_ascii_case(&title) {
        title
    } else {
        let extends = heading
            .get(..title.len())
            .zip(heading.get(title.len()..))
            .is_some_and(|(head, rest)| {
                head.eq_ignore_ascii_case(&title)
                    && rest
                        .trim_start()
                        .starts_with([':', '-', '–', '—', '|', ',', '(', '.'])
            });
        if !extends {
            return title;
        }
        heading
    };
    doc.blocks.remove(0);
    shown
}

/// What a page's template tags may ask for: its front matter's words, the site's, and the
/// capsule's `_includes/` files.
pub(super) struct PageLookup<'a> {
    pub(super) site: &'a Site,
    pub(super) page: &'a Page,
}

impl templates::Lookup for PageLookup<'_> {
    fn param(&self, key: &str) -> Option<String> {
        let (page, settings) = (self.page, &self.site.settings);
        match key {
            "title" => Some(page.title.to_string()),
            "description" | "summary" => page.description.as_deref().map(str::to_string),
            "author" => page.author.as_deref().map(str::to_string),
            "date" => page.date.map(|date| date.to_string()),
            "site.title" => Some(settings.title.clone()),
            "site.description" => settings.description.clone(),
            "site.author" => settings.author.as_deref().map(str::to_string),
            _ => None,
        }
    }

    fn include(&self, file: &str) -> Option<String> {
        if file.contains("..") || file.starts_with('/') {
            return None;
        }
        let rel = format!("_includes/{file}");
        let opened = self.site.open(&rel);
        let path = self.site.settings.content.join(&rel);
        super::source::read_text(opened, &path, self.site.settings.sizes.source).ok()
    }
}

/// Heading levels made relative: the title is the page's level 1, so the shallowest heading of
/// the body becomes level 2 and the deeper ones keep their distance from it, up to level 3.
fn relevel_headings(doc: &mut Document) {
    let shallowest = doc
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min();
    let Some(shallowest) = shallowest else {
        return;
    };
    for block in &mut doc.blocks {
        if let Block::Heading { level, .. } = block {
            *level = (*level - shallowest + 2).min(3);
        }
    }
}

/// A "Contents" list of the section headings, put before the body.
fn insert_contents(doc: &mut Document) {
    let items: Vec<ListItem> = doc
        .section_headings()
        .into_iter()
        .map(|(level, text)| ListItem {
            depth: usize::from(level - 2),
            marker: Marker::Bullet,
            content: vec![Inline::Text(text)],
        })
        .collect();
    if !items.is_empty() {
        doc.blocks.insert(0, Block::List(items));
        doc.blocks.insert(0, heading(2, "Contents"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_heading_is_folded_into_the_title_block() {
        let mut doc = markdown::parse("# Post\n\ntext");
        assert_eq!(take_title_heading(&mut doc, "Post"), "Post");
        assert_eq!(doc.blocks.len(), 1);

        let mut doc = markdown::parse("# Post: the long story\n\ntext");
        assert_eq!(take_title_heading(&mut doc, "Post"), "Post: the long story");
        assert_eq!(doc.blocks.len(), 1);

        let mut doc = markdown::parse("# Postscript\n\ntext");
        assert_eq!(take_title_heading(&mut doc, "Post"), "Post");
        assert_eq!(doc.blocks.len(), 2);
    }
}
