//! The route table: every route the snapshot answers and what answers it. Routes are the same
//! names in both protocols; which protocol asks is not this table's business.

use std::collections::hash_map::Entry;
use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::FxHashMap;

/// A file served as it is.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub route: Arc<str>,
    /// Where it is, for messages and its media type.
    pub path: PathBuf,
    /// Where it is opened below the content folder.
    pub file: String,
}

/// The index pages the site generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Home,
    /// One page (counted from 1) of the list of every post, newest first: the first is
    /// `/posts/`.
    Posts {
        page: usize,
    },
    Tags,
    /// One page of the posts under one tag: `tag` indexes [`super::Site::tags`].
    Tag {
        tag: usize,
        page: usize,
    },
}

/// How many posts a list page shows; a longer list goes on over more pages, so that no page
/// grows with the blog.
pub const POSTS_PER_PAGE: usize = 200;

/// Which page of a list of posts, counted from 1, and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Paged {
    pub page: usize,
    pub pages: usize,
}

impl Paged {
    /// Page `page` of a list of `posts` posts, if it has one (a list of none has one page).
    pub fn of(page: usize, posts: usize) -> Option<Paged> {
        Paged::all(posts).nth(page.checked_sub(1)?)
    }

    /// Each page of a list of `posts` posts.
    pub fn all(posts: usize) -> impl Iterator<Item = Paged> {
        let pages = posts.div_ceil(POSTS_PER_PAGE).max(1);
        (1..=pages).map(move |page| Paged { page, pages })
    }

    /// The positions of the posts this page shows, in a list of `len`.
    pub fn range(&self, len: usize) -> std::ops::Range<usize> {
        let start = ((self.page - 1) * POSTS_PER_PAGE).min(len);
        start..(start + POSTS_PER_PAGE).min(len)
    }

    /// The route of this page of the list whose first page is at `first` (ending in `/`, or
    /// not: the later pages go below it either way).
    pub fn route(&self, first: &str) -> String {
        match self.page {
            1 => first.to_string(),
            page => format!("{}/page/{page}/", first.trim_end_matches('/')),
        }
    }

    pub fn newer(&self) -> Option<Paged> {
        (self.page > 1).then_some(Paged {
            page: self.page - 1,
            ..*self
        })
    }

    pub fn older(&self) -> Option<Paged> {
        (self.page < self.pages).then_some(Paged {
            page: self.page + 1,
            ..*self
        })
    }
}

/// What a route leads to. The table holds one for every file of the capsule; the largest
/// target is boxed to keep the others small.
#[derive(Debug, Clone)]
pub enum Route {
    /// An index into [`super::Site::pages`].
    Page(usize),
    File(Box<StaticFile>),
    Index(Index, Arc<str>),
    /// The Atom feed.
    Feed(Arc<str>),
    /// Full-text search.
    Search,
    /// A folder route without its slash: where to send the client instead.
    Redirect(String),
}

/// Routes and their targets; the first to claim a route keeps it.
#[derive(Debug, Default)]
pub struct Routes {
    /// Keys come from the capsule only (requests just look up), so a fast hash is safe. A
    /// page's key is the page's own route, shared.
    table: FxHashMap<Arc<str>, Route>,
}

impl Routes {
    /// The routes every site has, whatever its files.
    pub fn generated() -> Routes {
        let mut routes = Routes::default();
        for (route, index) in [
            ("/", Index::Home),
            ("/posts/", Index::Posts { page: 1 }),
            ("/tags/", Index::Tags),
        ] {
            routes.claim(route, Route::Index(index, Arc::from(route)));
        }
        routes.claim("/posts", Route::Redirect("/posts/".to_string()));
        routes.claim("/tags", Route::Redirect("/tags/".to_string()));
        routes.claim("/atom.xml", Route::Feed(Arc::from("/atom.xml")));
        routes.claim("/search", Route::Search);
        routes
    }

    /// Takes `route` for `target`; false when it was already taken.
    pub fn claim(&mut self, route: impl Into<Arc<str>>, target: Route) -> bool {
        match self.table.entry(route.into()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(free) => {
                free.insert(target);
                true
            }
        }
    }

    pub fn get(&self, route: &str) -> Option<&Route> {
        self.table.get(route)
    }

    #[cfg(test)]
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.table.keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    }
}
