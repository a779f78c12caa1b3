//! The words of the pages the site generates (home, all posts, tags, one tag, search results),
//! as documents: the same words for every protocol, each renderer giving them its own form.

use super::excerpt;
use super::links::link_to;
use super::page::Page;
use super::routes::Index;
use super::search::{self, SearchIndex};
use super::tags::Tag;
use super::Site;
use crate::doc::text::collapse_spaces;
use crate::doc::{Block, Document, Entry, Inline, Link};

/// How many posts the home page lists before pointing to the archive.
const HOME_POSTS: usize = 10;

/// How many results a search shows.
const SEARCH_RESULTS: usize = 50;

/// How long a search result's excerpt may be, in characters.
const EXCERPT_CHARS: usize = 110;

impl Site {
    /// The line an index shows for a post: `YYYY-MM-DD Title`, the gemlog convention.
    fn post_link(page: &Page) -> Link {
        let label = match page.date {
            Some(date) => format!("{date} {}", page.title),
            None => page.title.clone(),
        };
        Link {
            label,
            target: link_to(&page.route),
            is_image: false,
        }
    }

    /// A generated index page as a document, the same words for every protocol. `elsewhere`
    /// holds links to this site on the other protocols, shown on the home page.
    pub fn index_document(&self, index: Index, elsewhere: Vec<Link>) -> Document {
        let mut blocks = vec![Block::Heading {
            level: 1,
            content: vec![Inline::Text(self.settings.title.clone())],
        }];
        match index {
            Index::Home => self.home(&mut blocks, elsewhere),
            Index::Posts => self.archive(&mut blocks),
            Index::Tags => self.tag_list(&mut blocks),
            Index::Tag(i) => match self.tags.get(i) {
                Some(tag) => self.tag_page(tag, &mut blocks),
                None => return Document::default(),
            },
        }
        Document {
            blocks,
            notes: Vec::new(),
        }
    }

    fn home(&self, blocks: &mut Vec<Block>, elsewhere: Vec<Link>) {
        if let Some(description) = &self.settings.description {
            blocks.push(Block::Paragraph(vec![Inline::Text(description.clone())]));
        }
        let pages: Vec<Link> = self
            .standalone_pages()
            .into_iter()
            .map(|page| Link {
                label: page.title.clone(),
                target: link_to(&page.route),
                is_image: false,
            })
            .collect();
        if !pages.is_empty() {
            blocks.push(heading(2, "Pages"));
            blocks.push(Block::Links(pages));
        }
        // Only as many post links as the page shows.
        let posts: Vec<Link> = self.posts().take(HOME_POSTS).map(Site::post_link).collect();
        if !posts.is_empty() {
            blocks.push(heading(2, "Posts"));
            blocks.push(Block::Links(posts));
            let mut more = vec![local_link("/posts/", "All posts")];
            if !self.tags.is_empty() {
                more.push(local_link("/tags/", "Tags"));
            }
            more.push(local_link("/atom.xml", "Atom feed"));
            more.push(local_link("/search", "Search"));
            blocks.push(Block::Links(more));
        }
        if !elsewhere.is_empty() {
            blocks.push(Block::Links(elsewhere));
        }
    }

    fn archive(&self, blocks: &mut Vec<Block>) {
        blocks.push(heading(2, "All posts"));
        let posts: Vec<Link> = self.posts().map(Site::post_link).collect();
        if posts.is_empty() {
            blocks.push(Block::Paragraph(vec![Inline::Text(
                "Nothing here yet.".to_string(),
            )]));
        } else {
            blocks.push(Block::Links(posts));
        }
        blocks.push(Block::Links(vec![local_link("/", "Home")]));
    }

    fn tag_list(&self, blocks: &mut Vec<Block>) {
        blocks.push(heading(2, "Tags"));
        let tags = self
            .tags
            .iter()
            .map(|tag| {
                let count = match tag.count() {
                    1 => "1 post".to_string(),
                    n => format!("{n} posts"),
                };
                let route = link_to(&tag.route());
                local_link(&route, &format!("{} ({count})", tag.name))
            })
            .collect();
        blocks.push(Block::Links(tags));
        blocks.push(Block::Links(vec![local_link("/", "Home")]));
    }

    /// The page of one tag: its posts, newest first.
    fn tag_page(&self, tag: &Tag, blocks: &mut Vec<Block>) {
        blocks.push(heading(
            2,
            &format!("Posts tagged \u{201c}{}\u{201d}", tag.name),
        ));
        let posts = tag
            .posts
            .iter()
            .filter_map(|&i| self.pages.get(i))
            .map(Site::post_link)
            .collect();
        blocks.push(Block::Links(posts));
        blocks.push(Block::Links(vec![
            local_link("/tags/", "All tags"),
            local_link("/", "Home"),
        ]));
    }

    /// The results of a search in `index` (this snapshot's) as a document: best matches
    /// first, each with an excerpt. Reads the sources of the results shown: call it off the
    /// async workers.
    pub fn search_document(&self, index: &SearchIndex, query: &str) -> Document {
        let query = collapse_spaces(query);
        let mut hits = index.search(&query);
        // Equal scores: newest first, as everywhere else.
        hits.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| {
                let date = |hit: &search::Hit| self.pages.get(hit.page).and_then(|p| p.date);
                date(b).cmp(&date(a))
            })
        });
        let found = hits.len();
        let entries: Vec<Entry> = hits
            .iter()
            .take(SEARCH_RESULTS)
            .filter_map(|hit| self.pages.get(hit.page))
            .map(|page| Entry {
                link: Site::post_link(page),
                summary: self.excerpt(page, &query),
            })
            .collect();
        let summary = match found {
            0 => format!("Nothing matches \u{201c}{query}\u{201d}."),
            1 => format!("1 page matches \u{201c}{query}\u{201d}."),
            n if n > SEARCH_RESULTS => format!(
                "{n} pages match \u{201c}{query}\u{201d}; the best {SEARCH_RESULTS} are shown."
            ),
            n => format!("{n} pages match \u{201c}{query}\u{201d}."),
        };
        let mut blocks = vec![
            heading(1, &format!("{}: search", self.settings.title)),
            Block::Paragraph(vec![Inline::Text(summary)]),
        ];
        if !entries.is_empty() {
            blocks.push(Block::Entries(entries));
        }
        blocks.push(Block::Links(vec![
            local_link("/search", "Search again"),
            local_link("/", "Home"),
        ]));
        Document {
            blocks,
            notes: Vec::new(),
        }
    }

    /// A line of a page around the words searched for (its description when the source cannot
    /// be read now or the words are only in its title or tags).
    fn excerpt(&self, page: &Page, query: &str) -> String {
        let from_body = self
            .read_source(&page.file, &page.source)
            .ok()
            .and_then(|source| excerpt::excerpt(source.body(), query, EXCERPT_CHARS));
        from_body
            .or_else(|| page.description.clone())
            .unwrap_or_default()
    }
}

pub(super) fn heading(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        content: vec![Inline::Text(text.to_string())],
    }
}

pub(super) fn local_link(route: &str, label: &str) -> Link {
    Link {
        label: label.to_string(),
        target: route.to_string(),
        is_image: false,
    }
}
