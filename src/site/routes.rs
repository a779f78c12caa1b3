//! The route table: every route the snapshot answers and what answers it. Routes are the same
//! names in both protocols; which protocol asks is not this table's business.

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
    Posts,
    Tags,
    /// The posts under one tag: an index into [`super::Site::tags`].
    Tag(usize),
}

/// What a route leads to.
#[derive(Debug, Clone)]
pub enum Route {
    /// An index into [`super::Site::pages`].
    Page(usize),
    File(StaticFile),
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
    /// Keys come from the capsule only (requests just look up), so a fast hash is safe.
    table: FxHashMap<String, Route>,
}

impl Routes {
    /// The routes every site has, whatever its files.
    pub fn generated() -> Routes {
        let mut routes = Routes::default();
        for (route, index) in [
            ("/", Index::Home),
            ("/posts/", Index::Posts),
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
    pub fn claim(&mut self, route: &str, target: Route) -> bool {
        if self.table.contains_key(route) {
            return false;
        }
        self.table.insert(route.to_string(), target);
        true
    }

    pub fn get(&self, route: &str) -> Option<&Route> {
        self.table.get(route)
    }

    #[cfg(test)]
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.table.keys().cloned().collect();
        names.sort();
        names
    }
}
