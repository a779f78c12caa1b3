//! The content layer: the capsule folder turned into answers.
//!
//! It answers one question, "what is at this route, for this protocol", with a [`Resource`]:
//! rendered bytes and their media type, a file to send, a redirect, or nothing. It never sees a
//! socket, a request line or a status code; the protocol front ends map resources to their own
//! framing. The site itself is an immutable [`Site`] snapshot behind an atomic pointer, and
//! rendered bodies live in a byte-bounded cache keyed by source identity.

pub mod cache;
pub mod doc;
pub mod gemtext;
mod html;
pub mod markdown;
pub mod page;
pub mod problem;
mod scan;
pub mod site;
pub mod text;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;

use cache::{Key, RenderCache, Rendered, Stamp};
pub use problem::{Problem, Severity};
use site::{Index, Page, Route};
pub use site::{Settings, Site, SiteError};

/// Which front end asks; rendering differs, the words do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Gemini,
}

/// What a route leads to, ready for a front end to frame.
#[derive(Debug, Clone)]
pub enum Resource {
    /// A rendered page or index: `body` is complete and shared, `mime` its media type.
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
    NotFound,
}

/// The live site: the current snapshot and the render cache that outlives snapshots.
pub struct Content {
    site: ArcSwap<Site>,
    cache: RenderCache,
}

impl Content {
    /// Builds the first snapshot. Problems with single files are logged, not returned.
    pub fn load(settings: Settings) -> Result<Content, SiteError> {
        let cache = RenderCache::new(settings.cache_bytes);
        let site = Site::build(Arc::new(settings))?;
        log_problems(&site);
        Ok(Content {
            site: ArcSwap::from_pointee(site),
            cache,
        })
    }

    /// The snapshot requests are answered from now.
    pub fn snapshot(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// Answers `route` (a decoded absolute path) for `protocol`.
    pub fn resolve(&self, protocol: Protocol, route: &str) -> Resource {
        let site = self.site.load();
        match site.route(route) {
            None => Resource::NotFound,
            Some(Route::Redirect(to)) => Resource::Redirect(to.clone()),
            Some(Route::File(file)) => Resource::File {
                path: file.path.clone(),
                mime: media_type(&file.path),
            },
            Some(Route::Index(index, route)) => {
                let key = Key {
                    generation: site.generation,
                    protocol,
                    route: route.clone(),
                    stamp: None,
                };
                let rendered = self
                    .cache
                    .get_or_render::<()>(&key, || Ok(render_index(&site, *index, protocol)));
                rendered.map_or(Resource::NotFound, document)
            }
            Some(Route::Page(i)) => match site.page(*i) {
                Some(page) => self.page(&site, page, protocol),
                None => Resource::NotFound,
            },
        }
    }

    fn page(&self, site: &Site, page: &Page, protocol: Protocol) -> Resource {
        // The source's identity now, not at the last scan: an edit shows at once.
        let Ok(meta) = std::fs::metadata(&page.source) else {
            return Resource::NotFound;
        };
        let key = Key {
            generation: site.generation,
            protocol,
            route: page.route.clone(),
            stamp: Some(Stamp::of(&meta)),
        };
        let rendered = self
            .cache
            .get_or_render(&key, || render_page(site, page, protocol));
        match rendered {
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

/// Renders a page from its source as it is on disk now.
fn render_page(site: &Site, page: &Page, protocol: Protocol) -> Result<Rendered, Problem> {
    let text = site::read_source(&page.source)?;
    let (fresh, body) = site.describe(&page.source, &page.rel, &text)?;
    // A source edited into a draft since the last scan is hidden at once.
    let fresh = fresh
        .ok_or_else(|| Problem::warning(&page.source, "is now a draft; not served".to_string()))?;
    let (title, doc) = site.page_document(&fresh, body);
    match protocol {
        Protocol::Gemini => Ok(Rendered {
            body: Bytes::from(gemtext::render(Some(&title), &doc)),
            mime: gemtext_mime(site.lang_of(&fresh)),
        }),
    }
}

fn render_index(site: &Site, index: Index, protocol: Protocol) -> Rendered {
    match protocol {
        Protocol::Gemini => {
            let doc = site.index_document(index, Vec::new());
            Rendered {
                body: Bytes::from(gemtext::render(None, &doc)),
                mime: gemtext_mime(&site.settings.lang),
            }
        }
    }
}

fn gemtext_mime(lang: &str) -> Arc<str> {
    Arc::from(format!("{}; lang={lang}", gemtext::MEDIA_TYPE))
}

/// The media type of a capsule file, by its extension.
pub fn media_type(path: &Path) -> String {
    match path.extension().and_then(|e| e.to_str()) {
        Some("gmi" | "gemini") => gemtext::MEDIA_TYPE.to_string(),
        _ => mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_string(),
    }
}

/// Renders one source file the way the server would serve it: through the site when the file
/// is part of it (so its links resolve), on its own otherwise.
pub fn render_file(site: &Site, path: &Path, protocol: Protocol) -> Result<String, Problem> {
    let text = site::read_source(path)?;
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = match site.page_by_source(&canonical) {
        Some(page) => page.rel.clone(),
        None => path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    };
    if rel.ends_with(".gmi") {
        return match protocol {
            Protocol::Gemini => Ok(text),
        };
    }
    let (page, body) = site.describe(path, &rel, &text)?;
    let page = page.ok_or_else(|| {
        Problem::warning(
            path,
            "is a draft (`draft: true`); it is never served".to_string(),
        )
    })?;
    let (title, doc) = site.page_document(&page, body);
    match protocol {
        Protocol::Gemini => Ok(gemtext::render(Some(&title), &doc)),
    }
}

fn log_problems(site: &Site) {
    for problem in site.problems() {
        match problem.severity {
            Severity::Error => tracing::warn!("left out: {problem}"),
            Severity::Warning => tracing::info!("{problem}"),
        }
    }
}
