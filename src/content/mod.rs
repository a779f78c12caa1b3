//! The live content service: the current site snapshot, its reload, the render cache, and the
//! answer to "what is at this route, for this protocol".
//!
//! The answer is a [`Resource`]: rendered bytes and their media type, a file to send, a
//! redirect, a prompt, or nothing. This module never sees a socket, a request line or a status
//! code; the protocol front ends map resources to their own framing. The site itself is an
//! immutable [`Site`] snapshot behind an atomic pointer, and rendered bodies live in a
//! byte-bounded cache that outlives snapshots.

mod cache;
mod feed;
mod forms;
mod item_types;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;

use crate::proto::Protocol;
use crate::site::{Problem, Route, Severity, Site, SiteError};
use cache::{Form, Key, RenderCache, Rendered};
pub use forms::{media_type, render_file};

pub use crate::site::{GopherSettings, Settings, DEFAULT_WRAP};

/// What a route leads to, ready for a front end to frame.
#[derive(Debug, Clone)]
pub enum Resource {
    /// A rendered page, menu or index: `body` is complete (for Gopher, terminator included)
    /// and shared; `mime` its media type.
    Document {
        body: Bytes,
        mime: Arc<str>,
    },
    /// A file of the capsule, sent as it is.
    File {
        path: PathBuf,
        mime: String,
    },
    /// The route lives elsewhere (a folder route without its slash).
    Redirect(String),
    /// The route needs words from the reader first; this is what to ask.
    Prompt(&'static str),
    NotFound,
}

/// The live site: the current snapshot and the render cache that outlives snapshots.
pub struct Content {
    site: ArcSwap<Site>,
    cache: RenderCache,
}

/// What a reader is asked before a search.
const SEARCH_PROMPT: &str = "Search the posts";

impl Content {
    /// Builds the first snapshot. Problems with single files are logged, not returned. The
    /// search index is built on a thread of its own meanwhile, so serving starts at once.
    pub fn load(settings: Settings) -> Result<Content, SiteError> {
        let cache = RenderCache::new(settings.cache_bytes);
        let site = Arc::new(Site::build(Arc::new(settings))?);
        log_problems(&site);
        let indexed = site.clone();
        let spawned = std::thread::Builder::new()
            .name("search-index".to_string())
            .spawn(move || {
                indexed.search_index();
            });
        if let Err(err) = spawned {
            // The first search builds it instead.
            tracing::warn!("cannot start the search index thread: {err}");
        }
        Ok(Content {
            site: ArcSwap::new(site),
            cache,
        })
    }

    /// Rescans the content folder and swaps the new snapshot in. Problems not seen in the
    /// previous snapshot are logged; when the folder cannot be read at all, the old snapshot
    /// stays.
    pub fn reload(&self) {
        let old = self.site.load_full();
        match Site::build(old.settings.clone()) {
            Ok(site) => {
                // Ready before it is served: search never goes missing after an edit.
                site.search_index();
                for problem in site.problems() {
                    if !old.problems().contains(problem) {
                        log_problem(problem);
                    }
                }
                tracing::info!(
                    "reloaded {}: {} posts, {} pages",
                    old.settings.content.display(),
                    site.posts().count(),
                    site.standalone_pages().len()
                );
                self.site.store(Arc::new(site));
            }
            Err(err) => tracing::error!("reload failed, still serving the last good site: {err}"),
        }
    }

    /// The snapshot requests are answered from now.
    pub fn snapshot(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// Answers `route` (a decoded absolute path, or a Gopher selector) for `protocol`;
    /// `query` is what the reader typed (decoded), for the routes that take one.
    pub fn resolve(&self, protocol: Protocol, route: &str, query: Option<&str>) -> Resource {
        let site = self.site.load();
        match site.route(route) {
            Some(Route::Redirect(to)) => Resource::Redirect(to.clone()),
            Some(Route::Search) => match query.filter(|q| !q.trim().is_empty()) {
                Some(query) => {
                    let doc = site.search_document(query);
                    document(forms::render_document(&site, &doc, protocol))
                }
                None => Resource::Prompt(SEARCH_PROMPT),
            },
            Some(Route::Feed(route)) => {
                self.cached(&site, route, Form::page(protocol), None, || {
                    Ok(feed::atom(&site, protocol))
                })
            }
            Some(Route::File(file)) if protocol == Protocol::Gopher && is_gemtext(&file.path) => {
                self.cached(
                    &site,
                    &file.route,
                    Form::GopherText,
                    Some(&file.path),
                    || forms::render_gemtext_file(&site, file),
                )
            }
            Some(Route::File(file)) => Resource::File {
                path: file.path.clone(),
                mime: media_type(&file.path),
            },
            Some(Route::Index(index, route)) => {
                self.cached(&site, route, Form::index(protocol), None, || {
                    Ok(forms::render_index(&site, *index, protocol))
                })
            }
            Some(Route::Page(i)) => self.page(&site, *i, Form::page(protocol)),
            None if protocol == Protocol::Gopher => {
                match route
                    .strip_suffix(forms::LINKS_SUFFIX)
                    .map(|r| site.route(r))
                {
                    Some(Some(Route::Page(i))) => self.page(&site, *i, Form::GopherMenu),
                    _ => Resource::NotFound,
                }
            }
            None => Resource::NotFound,
        }
    }

    fn page(&self, site: &Site, index: usize, form: Form) -> Resource {
        match site.page(index) {
            Some(page) => self.cached(site, &page.route, form, Some(&page.source), || {
                forms::render_page(site, page, form)
            }),
            None => Resource::NotFound,
        }
    }

    /// The cached rendering of `route` in `form`, made by `render` when missing. A `source`
    /// is checked now, not at the last scan, so an edit is served at once.
    fn cached(
        &self,
        site: &Site,
        route: &Arc<str>,
        form: Form,
        source: Option<&Path>,
        render: impl FnOnce() -> Result<Rendered, Problem>,
    ) -> Resource {
        let stamp = match source.map(std::fs::metadata) {
            None => None,
            Some(Ok(meta)) => Some(cache::Stamp::of(&meta)),
            Some(Err(_)) => return Resource::NotFound,
        };
        let key = Key {
            generation: site.generation,
            form,
            route: route.clone(),
            stamp,
        };
        match self.cache.get_or_render(&key, render) {
            Ok(rendered) => document(rendered),
            Err(problem) => {
                tracing::warn!("{problem}");
                Resource::NotFound
            }
        }
    }
}

fn document(rendered: Rendered) -> Resource {
    Resource::Document {
        body: rendered.body,
        mime: rendered.mime,
    }
}

fn is_gemtext(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("gmi" | "gemini")
    )
}

fn log_problems(site: &Site) {
    site.problems().iter().for_each(log_problem);
}

fn log_problem(problem: &Problem) {
    match problem.severity {
        Severity::Error => tracing::warn!("left out: {problem}"),
        Severity::Warning => tracing::info!("{problem}"),
    }
}
