//! The words of the pages the site generates (home, all posts, tags, one tag, search results),
//! as documents: the same words for every protocol, each renderer giving them its own form.

use super::excerpt;
use super::links::link_to;
use super::page::Page;
use super::routes::{Index, Paged, Route};
use super::search;
use super::segments::SiteSearch;
use super::tags::{route_of, tag_slug, Tag};
use super::Site;
use crate::doc::text::{collapse_spaces, Typography};
use crate::doc::{Block, Document, Entry, Inline, Link};

/// How many posts the home page lists before pointing to the archive.
const HOME_POSTS: usize = 10;

/// How many results a search shows.
const SEARCH_RESULTS: usize = 50;

/// How long a search result's excerpt may be, in characters.
const EXCERPT_CHARS: usize = 110;

impl Site {
    /// The way on from a page, after its body and notes, the same words on both protocols:
    /// its tags, the posts before and after it by date, home and all posts. `elsewhere` is
    /// the same page on the other protocol, when it is served.
    pub fn navigation(&self, page: &Page, elsewhere: Option<Link>) -> Vec<Link> {
        let mut links: Vec<Link> = page
            .tags
            .iter()
            .map(|name| {
                local_link(
                    &link_to(&route_of(&tag_slug(name))),
                    &format!("Tagged: {name}"),
                )
            })
            .collect();
        if let Some(Route::Page(index)) = self.route(&page.route) {
            let position = self.posts.iter().position(|p| p == index);
            let neighbour = |at: Option<usize>| {
                at.and_then(|at| self.posts.get(at))
                    .and_then(|&i| self.pages.get(i))
            };
            // Posts are newest first: the one before in the list is the next one written.
            if let Some(older) = neighbour(position.map(|p| p + 1)) {
                links.push(local_link(
                    &link_to(&older.route),
                    &format!("Previous post: {}", older.title),
                ));
            }
            if let Some(newer) = neighbour(position.and_then(|p| p.checked_sub(1))) {
                links.push(local_link(
                    &link_to(&newer.route),
                    &format!("Next post: {}", newer.title),
                ));
            }
        }
        links.push(local_link("/", &format!("Home: {}", self.settings.title)));
        links.push(local_link("/posts/", "All posts"));
        links.extend(elsewhere);
        links
    }

    /// The line an index shows for a post: `YYYY-MM-DD Title`, the gemlog convention.
    fn post_link(page: &Page) -> Link {
        let label = match page.date {
            Some(date) => format!("{date} {}", page.title),
            None => page.title.to_string(),
        };
        Link {
            label,
            target: link_to(&page.route),
            is_image: false,
        }
    }

    /// A generated index page as a document, the same words for every protocol. `elsewhere`
    /// holds links to this site on the other protocols, shown on the home page.
    /// Each has a title of its own, so that a client's tab, history and bookmarks tell them
    /// apart, and (but home) the site's title as the way home.
    pub fn index_document(
        &self,
        index: Index,
        elsewhere: Vec<Link>,
        typography: Typography,
    ) -> Document {
        let numbered = |title: String, paged: Paged| match paged.pages {
            1 => title,
            pages => format!("{title}, page {} of {pages}", paged.page),
        };
        let mut blocks = Vec::new();
        match index {
            Index::Home => {
                blocks.push(heading(1, &self.settings.title));
                self.home(&mut blocks, elsewhere);
            }
            Index::Posts { page } => {
                let Some(paged) = Paged::of(page, self.posts.len()) else {
                    return Document::default();
                };
                blocks.push(heading(1, &numbered("All posts".to_string(), paged)));
                self.archive(paged, &mut blocks);
            }
            Index::Tags => {
                blocks.push(heading(1, "Tags"));
                self.tag_list(&mut blocks);
            }
            Index::Tag { tag, page } => {
                let Some((tag, paged)) = self
                    .tags
                    .get(tag)
                    .and_then(|tag| Some((tag, Paged::of(page, tag.count())?)))
                else {
                    return Document::default();
                };
                let title = format!("Posts tagged {}", typography.quoted(&tag.name));
                blocks.push(heading(1, &numbered(title, paged)));
                self.tag_page(tag, paged, &mut blocks);
            }
        }
        Document {
            blocks,
            notes: Vec::new(),
            navigation: Vec::new(),
        }
    }

    fn home(&self, blocks: &mut Vec<Block>, elsewhere: Vec<Link>) {
        if let Some(description) = &self.settings.description {
            blocks.push(Block::Paragraph(vec![Inline::Text(description.clone())]));
        }
        let mut pages: Vec<Link> = self
            .standalone_pages()
            .into_iter()
            .map(|page| Link {
                label: page.title.to_string(),
                target: link_to(&page.route),
                is_image: false,
            })
            .chain(self.gemtext_pages.iter().cloned())
            .collect();
        pages.sort_by(|a, b| a.target.cmp(&b.target));
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

    fn archive(&self, paged: Paged, blocks: &mut Vec<Block>) {
        let posts: Vec<Link> = self.posts[paged.range(self.posts.len())]
            .iter()
            .filter_map(|&i| self.page(i))
            .map(Site::post_link)
            .collect();
        if posts.is_empty() {
            blocks.push(Block::Paragraph(vec![Inline::Text(
                "Nothing here yet.".to_string(),
            )]));
        } else {
            blocks.push(Block::Links(posts));
        }
        let mut more = pager(paged, "/posts/");
        more.push(self.way_home());
        blocks.push(Block::Links(more));
    }

    /// The link home, by the site's title.
    fn way_home(&self) -> Link {
        local_link("/", &self.settings.title)
    }

    fn tag_list(&self, blocks: &mut Vec<Block>) {
        if self.tags.is_empty() {
            blocks.push(Block::Paragraph(vec![Inline::Text(
                "No post has a tag yet.".to_string(),
            )]));
        }
        let tags: Vec<Link> = self
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
        if !tags.is_empty() {
            blocks.push(Block::Links(tags));
        }
        blocks.push(Block::Links(vec![self.way_home()]));
    }

    /// The page of one tag: its posts, newest first.
    fn tag_page(&self, tag: &Tag, paged: Paged, blocks: &mut Vec<Block>) {
        let posts = tag.posts[paged.range(tag.posts.len())]
            .iter()
            .filter_map(|&i| self.page(i))
            .map(Site::post_link)
            .collect();
        blocks.push(Block::Links(posts));
        let mut more = pager(paged, &tag.route());
        more.extend([local_link("/tags/", "All tags"), self.way_home()]);
        blocks.push(Block::Links(more));
    }

    /// The results of a search in `index` (this snapshot's) as a document: best matches
    /// first, each with an excerpt. Reads the sources of the results shown: call it off the
    /// async workers.
    pub fn search_document(
        &self,
        index: &SiteSearch,
        query: &str,
        typography: Typography,
    ) -> Document {
        let query = collapse_spaces(query);
        let mut hits = index.search(&query);
        // Equal scores: newest first, as everywhere else; then in the order of the pages.
        hits.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| {
                let date = |hit: &search::Hit| self.pages.get(hit.page).and_then(|p| p.date);
                date(b).cmp(&date(a)).then(a.page.cmp(&b.page))
            })
        });
        let found = hits.len();
        let entries: Vec<Entry> = hits
            .iter()
            .take(SEARCH_RESULTS)
            .filter_map(|hit| self.pages.get(hit.page))
            .map(|page| Entry {
                link: Site::post_link(page),
                summary: self.excerpt(page, &query, typography),
            })
            .collect();
        let quoted = typography.quoted(&query);
        let summary = match found {
            0 => format!("Nothing matches {quoted}."),
            1 => format!("1 page matches {quoted}."),
            n if n > SEARCH_RESULTS => {
                format!("{n} pages match {quoted}; the best {SEARCH_RESULTS} are shown.")
            }
            n => format!("{n} pages match {quoted}."),
        };
        let mut blocks = vec![
            heading(1, &format!("Search results for {quoted}")),
            Block::Paragraph(vec![Inline::Text(summary)]),
        ];
        if !entries.is_empty() {
            blocks.push(Block::Entries(entries));
        }
        blocks.push(Block::Links(vec![
            local_link("/search", "Search again"),
            self.way_home(),
        ]));
        Document {
            blocks,
            notes: Vec::new(),
            navigation: Vec::new(),
        }
    }

    /// A line of a page around the words searched for (its description when the source cannot
    /// be read now or the words are only in its title or tags).
    fn excerpt(&self, page: &Page, query: &str, typography: Typography) -> String {
        let from_body = self
            .read_source(page.file(), &self.source_path(page))
            .ok()
            .and_then(|source| {
                excerpt::excerpt(source.body(), query, EXCERPT_CHARS, typography.ellipsis)
            });
        from_body
            .or_else(|| page.description.as_deref().map(str::to_string))
            .unwrap_or_default()
    }
}

/// The links to the pages before and after `paged` of the list whose first page is `first`.
fn pager(paged: Paged, first: &str) -> Vec<Link> {
    let newer = paged.newer().map(|p| (p, "Newer posts"));
    let older = paged.older().map(|p| (p, "Older posts"));
    newer
        .into_iter()
        .chain(older)
        .map(|(p, label)| local_link(&link_to(&p.route(first)), label))
        .collect()
}

/// The link to the page being read, on the protocol named `protocol`.
pub fn elsewhere(protocol: &str, url: String) -> Link {
    Link {
        label: format!("This page on {protocol}"),
        target: url,
        is_image: false,
    }
}

/// The link to the page's plain-text form, for readers who save or pipe it (Gopher).
pub fn as_plain_text(route: &str) -> Link {
    local_link(route, "This page as plain text")
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
