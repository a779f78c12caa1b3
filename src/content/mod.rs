//! The content layer: the capsule folder turned into answers.
//!
//! It answers one question, "what is at this route, for this protocol", with a [`Resource`]:
//! rendered bytes and their media type, a file to send, a redirect, or nothing. It never sees a
//! socket, a request line or a status code; the protocol front ends map resources to their own
//! framing. The site itself is an immutable [`Site`] snapshot behind an atomic pointer, and
//! rendered bodies live in a byte-bounded cache keyed by source identity.

pub mod cache;
pub mod check;
pub mod doc;
pub mod feed;
pub mod gemtext;
pub mod gopher;
mod html;
pub mod markdown;
pub mod page;
pub mod problem;
mod scan;
pub mod search;
pub mod site;
pub mod text;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;

use cache::{Form, Key, RenderCache, Rendered, Stamp};
use doc::Link;
pub use problem::{Problem, Severity};
pub use site::{GopherSettings, Settings, Site, SiteError};
use site::{Index, Page, Route, StaticFile};

/// Which front end asks; rendering differs, the words do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Gemini,
    Gopher,
}

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
    /// The route needs words from the reader first (Gemini status 10, with this prompt).
    Prompt(&'static str),
    NotFound,
}

/// The live site: the current snapshot and the render cache that outlives snapshots.
pub struct Content {
    site: ArcSwap<Site>,
    cache: RenderCache,
}

/// The suffix that turns a page's Gopher selector into its links menu.
const LINKS_SUFFIX: &str = "/links";

const GOPHER_TEXT: &str = "text/plain; charset=utf-8";

/// What a reader is asked before a search.
const SEARCH_PROMPT: &str = "Search the posts";
const GOPHER_MENU: &str = "application/gopher-menu";

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
        match (site.route(route), protocol) {
            (Some(Route::Redirect(to)), _) => Resource::Redirect(to.clone()),
            (Some(Route::Search), _) => match query.filter(|q| !q.trim().is_empty()) {
                Some(query) => {
                    let doc = site.search_document(query);
                    let rendered = render_document(&site, &doc, protocol);
                    Resource::Document {
                        body: rendered.body,
                        mime: rendered.mime,
                    }
                }
                None => match protocol {
                    Protocol::Gemini => Resource::Prompt(SEARCH_PROMPT),
                    Protocol::Gopher => {
                        let menu =
                            gopher::search_prompt(SEARCH_PROMPT, route, &site.gopher_endpoint());
                        Resource::Document {
                            body: Bytes::from(menu),
                            mime: Arc::from(GOPHER_MENU),
                        }
                    }
                },
            },
            (Some(Route::Feed(route)), _) => {
                let form = match protocol {
                    Protocol::Gemini => Form::Gemini,
                    Protocol::Gopher => Form::GopherText,
                };
                self.cached(&site, route, form, None, || {
                    Ok(rendered(
                        feed::atom(&site, protocol),
                        Arc::from(feed::MEDIA_TYPE),
                    ))
                })
            }
            (Some(Route::File(file)), Protocol::Gopher) if is_gemtext(&file.path) => self.cached(
                &site,
                &file.route,
                Form::GopherText,
                Some(&file.path),
                || render_gemtext_file(&site, file),
            ),
            (Some(Route::File(file)), _) => Resource::File {
                path: file.path.clone(),
                mime: media_type(&file.path),
            },
            (Some(Route::Index(index, route)), _) => {
                let form = match protocol {
                    Protocol::Gemini => Form::Gemini,
                    Protocol::Gopher => Form::GopherMenu,
                };
                self.cached(&site, route, form, None, || {
                    Ok(render_index(&site, *index, protocol))
                })
            }
            (Some(Route::Page(i)), _) => {
                let form = match protocol {
                    Protocol::Gemini => Form::Gemini,
                    Protocol::Gopher => Form::GopherText,
                };
                self.page(&site, *i, form)
            }
            (None, Protocol::Gopher) => {
                let links_of = route.strip_suffix(LINKS_SUFFIX).map(|r| site.route(r));
                match links_of {
                    Some(Some(Route::Page(i))) => self.page(&site, *i, Form::GopherMenu),
                    _ if route == "/caps.txt" => Resource::Document {
                        body: Bytes::from(gopher::caps(env!("CARGO_PKG_VERSION"))),
                        mime: Arc::from(GOPHER_TEXT),
                    },
                    _ => Resource::NotFound,
                }
            }
            (None, Protocol::Gemini) => Resource::NotFound,
        }
    }

    fn page(&self, site: &Site, index: usize, form: Form) -> Resource {
        match site.page(index) {
            Some(page) => self.cached(site, &page.route, form, Some(&page.source), || {
                render_page(site, page, form)
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
            Some(Ok(meta)) => Some(Stamp::of(&meta)),
            Some(Err(_)) => return Resource::NotFound,
        };
        let key = Key {
            generation: site.generation,
            form,
            route: route.clone(),
            stamp,
        };
        match self.cache.get_or_render(&key, render) {
            Ok(rendered) => Resource::Document {
                body: rendered.body,
                mime: rendered.mime,
            },
            Err(problem) => {
                tracing::warn!("{problem}");
                Resource::NotFound
            }
        }
    }
}

/// Renders a page from its source as it is on disk now.
fn render_page(site: &Site, page: &Page, form: Form) -> Result<Rendered, Problem> {
    let text = site::read_source(&page.source)?;
    let (fresh, body) = site.describe(&page.source, &page.rel, &text)?;
    // A source edited into a draft since the last scan is hidden at once.
    let fresh = fresh
        .ok_or_else(|| Problem::warning(&page.source, "is now a draft; not served".to_string()))?;
    Ok(page_in_form(site, &fresh, body, form))
}

/// A page's body rendered in one form.
fn page_in_form(site: &Site, page: &Page, body: &str, form: Form) -> Rendered {
    let (title, doc) = site.page_document(page, body);
    let endpoint = site.gopher_endpoint();
    match form {
        Form::Gemini => rendered(
            gemtext::render(Some(&title), &doc),
            gemtext_mime(site.lang_of(page)),
        ),
        Form::GopherText => {
            let links_menu = format!("{}{LINKS_SUFFIX}", page.route);
            let links_menu = (!doc.all_links().is_empty()).then_some(links_menu.as_str());
            let text = gopher::render_text(Some(&title), &doc, links_menu, &endpoint, site);
            rendered(text, Arc::from(GOPHER_TEXT))
        }
        Form::GopherMenu => {
            let menu = gopher::links_menu(&title.title, &page.route, &doc, &endpoint, site);
            rendered(menu, Arc::from(GOPHER_MENU))
        }
    }
}

/// A hand-written gemtext file as Gopher text, its links resolved like a page's from `rel`.
fn gemtext_file_as_gopher(site: &Site, rel: &str, text: &str) -> Rendered {
    let mut doc = gemtext::parse(text);
    let from_dir = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
    doc.rewrite_links(|target| site.resolve_link(from_dir, target));
    let text = gopher::render_text(None, &doc, None, &site.gopher_endpoint(), site);
    rendered(text, Arc::from(GOPHER_TEXT))
}

fn render_gemtext_file(site: &Site, file: &StaticFile) -> Result<Rendered, Problem> {
    let text = site::read_source(&file.path)?;
    let rel = file.route.trim_start_matches('/');
    Ok(gemtext_file_as_gopher(site, rel, &text))
}

fn render_index(site: &Site, index: Index, protocol: Protocol) -> Rendered {
    let settings = &site.settings;
    // Each protocol's home page points to the other's, when both are served.
    let elsewhere = match protocol {
        Protocol::Gemini => settings.gopher.as_ref().map(|gopher| Link {
            label: "Also on Gopher".to_string(),
            target: format!("gopher://{}:{}/1/", settings.hostname, gopher.port),
            is_image: false,
        }),
        Protocol::Gopher => settings.gemini_port.map(|port| Link {
            label: "Also on Gemini".to_string(),
            target: gemini_url(&settings.hostname, port),
            is_image: false,
        }),
    };
    let doc = site.index_document(index, elsewhere.into_iter().collect());
    render_document(site, &doc, protocol)
}

/// A generated document (an index, search results) as the protocol shows it: gemtext, or a
/// Gopher menu.
fn render_document(site: &Site, doc: &doc::Document, protocol: Protocol) -> Rendered {
    match protocol {
        Protocol::Gemini => rendered(
            gemtext::render(None, doc),
            gemtext_mime(&site.settings.lang),
        ),
        Protocol::Gopher => rendered(
            gopher::render_menu(doc, &site.gopher_endpoint(), site),
            Arc::from(GOPHER_MENU),
        ),
    }
}

/// The capsule's Gemini home URL (the default port left out).
pub fn gemini_url(hostname: &str, port: u16) -> String {
    match port {
        1965 => format!("gemini://{hostname}/"),
        port => format!("gemini://{hostname}:{port}/"),
    }
}

fn rendered(text: String, mime: Arc<str>) -> Rendered {
    Rendered {
        body: Bytes::from(text),
        mime,
    }
}

fn gemtext_mime(lang: &str) -> Arc<str> {
    Arc::from(format!("{}; lang={lang}", gemtext::MEDIA_TYPE))
}

fn is_gemtext(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("gmi" | "gemini")
    )
}

/// The media type of a capsule file, by its extension.
pub fn media_type(path: &Path) -> String {
    if is_gemtext(path) {
        return gemtext::MEDIA_TYPE.to_string();
    }
    mime_guess::from_path(path)
        .first_or_octet_stream()
        .essence_str()
        .to_string()
}

/// Renders one source file the way the server would serve it: through the site when the file
/// is part of it (so its links resolve), on its own otherwise.
pub fn render_file(site: &Site, path: &Path, protocol: Protocol) -> Result<Bytes, Problem> {
    let text = site::read_source(path)?;
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = match site.source_rel(&canonical) {
        Some(rel) => rel,
        None => path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    };
    if is_gemtext(path) {
        return Ok(match protocol {
            Protocol::Gemini => Bytes::from(text),
            Protocol::Gopher => gemtext_file_as_gopher(site, &rel, &text).body,
        });
    }
    let (page, body) = site.describe(path, &rel, &text)?;
    let page = page.ok_or_else(|| {
        Problem::warning(
            path,
            "is a draft (`draft: true`); it is never served".to_string(),
        )
    })?;
    let form = match protocol {
        Protocol::Gemini => Form::Gemini,
        Protocol::Gopher => Form::GopherText,
    };
    Ok(page_in_form(site, &page, body, form).body)
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
