//! The live content service: the current site snapshot, its reload, the render cache, and the
//! answer to "what is at this route, for this protocol".
//!
//! The answer is a [`Resource`]: rendered bytes and their media type, an open file to send, a
//! redirect, a prompt, a "not now", or nothing. This module never sees a socket, a request line
//! or a status code; the protocol front ends map resources to their own framing. The site
//! itself is an immutable [`Site`] snapshot behind an atomic pointer, and rendered bodies live
//! in a byte-bounded cache that outlives snapshots.
//!
//! Answering never blocks an async worker: a cache hit answers inline with no system call;
//! rendering, searching and opening files run on the blocking pool under a deadline, and a
//! search that arrives while the index is still being built waits a moment at most.

mod cache;
mod feed;
mod forms;
mod item_types;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use tokio::sync::Notify;

use crate::proto::Protocol;
use crate::site::{Index, Problem, Route, Severity, Site, SiteError, StaticFile};
pub use cache::Form;
use cache::{Key, RenderCache, Rendered};
pub use forms::{media_type, oversized_pages, render_file};

pub use crate::site::{GopherSettings, Settings, SizeLimits, DEFAULT_WRAP};

/// How long work on the blocking pool (a render, a search, opening a file) may take before the
/// reader is told to come back.
const WORK_DEADLINE: Duration = Duration::from_secs(10);

/// How long a search waits for the index still being built before it says "not yet".
const INDEX_WAIT: Duration = Duration::from_secs(2);

/// What a reader is told to wait for the search index.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// What a route leads to, ready for a front end to frame.
#[derive(Debug)]
pub enum Resource {
    /// A rendered page, menu or index: `body` is complete (for Gopher, terminator included)
    /// and shared; `mime` its media type.
    Document {
        body: Bytes,
        mime: Arc<str>,
    },
    /// A file of the capsule, open, to be sent as it is.
    File {
        file: tokio::fs::File,
        mime: String,
    },
    /// The route lives elsewhere (a folder route without its slash).
    Redirect(String),
    /// The route needs words from the reader first; this is what to ask.
    Prompt(&'static str),
    /// Not now: the answer is not ready (the search index is being built, the work ran past
    /// its deadline); come back later, after `retry_after` when it is known.
    Unavailable {
        reason: &'static str,
        retry_after: Option<Duration>,
    },
    NotFound,
}

/// The live site: the current snapshot and the render cache that outlives snapshots.
pub struct Content {
    site: ArcSwap<Site>,
    cache: Arc<RenderCache>,
    /// Held for a whole rescan, so two reloads (SIGHUP and the watcher) never race and an
    /// older snapshot never replaces a newer one.
    reloading: Mutex<()>,
    /// Woken when a snapshot's search index is built.
    index_built: Arc<Notify>,
}

/// How much of the content folder a reload reads again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rescan {
    /// Only the files that changed since the last scan: what the folder watch asks for.
    Changed,
    /// Every file, whatever the last scan saw: for SIGHUP, and when the watch lost track.
    Everything,
}

/// What a reader is asked before a search.
const SEARCH_PROMPT: &str = "Search posts and pages";

impl Content {
    /// Builds the first snapshot. Problems with single files are logged, not returned. The
    /// search index is built on a thread of its own meanwhile, so serving starts at once.
    pub fn load(settings: Settings) -> Result<Content, SiteError> {
        let cache = Arc::new(RenderCache::new(settings.cache_bytes));
        let site = Arc::new(Site::build(Arc::new(settings))?);
        log_problems(&site);
        render_home(&cache, &site);
        let index_built = Arc::new(Notify::new());
        let (indexed, built) = (site.clone(), index_built.clone());
        let spawned = std::thread::Builder::new()
            .name("search-index".to_string())
            .spawn(move || {
                yield_to_readers();
                indexed.build_search_index();
                built.notify_waiters();
            });
        if let Err(err) = spawned {
            // Built instead by the next reload; searches say "not yet" until then.
            tracing::warn!("cannot start the search index thread: {err}");
        }
        Ok(Content {
            site: ArcSwap::new(site),
            cache,
            reloading: Mutex::new(()),
            index_built,
        })
    }

    /// Rescans the content folder and swaps the new snapshot in. Problems not seen in the
    /// previous snapshot are logged; when the folder cannot be read at all, the old snapshot
    /// stays. Blocks for the whole rescan: call it off the async workers.
    pub fn reload(&self, rescan: Rescan) {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.site.load_full();
        let started = std::time::Instant::now();
        let built = match rescan {
            Rescan::Changed => old.rebuild(),
            Rescan::Everything => Site::build(old.settings.clone()),
        };
        let site = match built {
            Ok(site) => site,
            Err(err) => {
                tracing::error!("reload failed, still serving the last good site: {err}");
                return;
            }
        };
        if !site.unreadable().is_empty() {
            for problem in site.unreadable() {
                tracing::error!("rescan incomplete, still serving the last good site: {problem}");
            }
            return;
        }
        // Ready before it is served: search never goes missing after an edit.
        match rescan {
            Rescan::Changed => site.update_search_index(&old),
            Rescan::Everything => site.build_search_index(),
        };
        self.index_built.notify_waiters();
        for problem in site.problems() {
            if !old.problems().contains(problem) {
                log_problem(problem);
            }
        }
        tracing::info!(
            "reloaded {}: {} posts, {} pages, in {} ms",
            old.settings.content.display(),
            site.posts().count(),
            site.standalone_pages().len(),
            started.elapsed().as_millis()
        );
        if site.generation > self.site.load().generation {
            render_home(&self.cache, &site);
            self.site.store(Arc::new(site));
        }
    }

    /// The snapshot requests are answered from now.
    pub fn snapshot(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// Answers `route` (a decoded absolute path, or a Gopher selector) for `protocol`;
    /// `query` is what the reader typed (decoded), for the routes that take one.
    pub async fn answer(&self, protocol: Protocol, route: &str, query: Option<&str>) -> Resource {
        let site = self.site.load_full();
        match site.route(route) {
            Some(Route::Redirect(to)) => Resource::Redirect(to.clone()),
            Some(Route::Search) => match query.filter(|q| !q.trim().is_empty()) {
                Some(query) => self.search(site.clone(), protocol, query).await,
                None => Resource::Prompt(SEARCH_PROMPT),
            },
            Some(Route::File(file)) if protocol == Protocol::Gopher && is_gemtext(&file.path) => {
                let key = key(&site, Form::GopherText, &file.route);
                let file = file.clone();
                self.cached(key, site.clone(), move |site| {
                    forms::render_gemtext_file(site, &file)
                })
                .await
            }
            Some(Route::File(file)) => open(site.clone(), (**file).clone()).await,
            Some(Route::Feed(route)) => {
                let key = key(&site, Form::feed(protocol), route);
                self.cached(key, site.clone(), move |site| {
                    Ok(feed::atom(site, protocol))
                })
                .await
            }
            Some(Route::Index(index, route)) => {
                let (key, index) = (key(&site, Form::index(protocol), route), *index);
                self.cached(key, site.clone(), move |site| {
                    Ok(forms::render_index(site, index, protocol))
                })
                .await
            }
            Some(Route::Page(i)) => self.page(&site, *i, Form::page(protocol)).await,
            None => self.derived(&site, protocol, route).await,
        }
    }

    /// A route that names another by a suffix: a post or page asked for with a trailing
    /// slash (sent to its route), or a page's plain text (Gopher).
    async fn derived(&self, site: &Arc<Site>, protocol: Protocol, route: &str) -> Resource {
        if let Some(bare) = route.strip_suffix('/') {
            if let Some(Route::Page(_) | Route::File(_)) = site.route(bare) {
                return Resource::Redirect(bare.to_string());
            }
        }
        let text_of = route
            .strip_suffix(forms::TEXT_SUFFIX)
            .map(|r| site.route(r));
        match (protocol, text_of) {
            (Protocol::Gopher, Some(Some(Route::Page(i)))) => {
                self.page(site, *i, Form::GopherText).await
            }
            _ => Resource::NotFound,
        }
    }

    async fn page(&self, site: &Arc<Site>, index: usize, form: Form) -> Resource {
        let Some(page) = site.page(index) else {
            return Resource::NotFound;
        };
        let (key, page) = (key(site, form, &page.route), page.clone());
        self.cached(key, site.clone(), move |site| {
            forms::render_page(site, &page, form)
        })
        .await
    }

    /// The rendering `key` names: from the cache at once when it is there, else made by
    /// `render` on the blocking pool (and cached).
    async fn cached(
        &self,
        key: Key,
        site: Arc<Site>,
        render: impl FnOnce(&Site) -> Result<Rendered, Problem> + Send + 'static,
    ) -> Resource {
        if let Some(rendered) = self.cache.get(&key) {
            return document(rendered);
        }
        let cache = self.cache.clone();
        let made = off_the_workers(move || cache.get_or_render(&key, || render(&site))).await;
        match made {
            Some(Ok(rendered)) => document(rendered),
            Some(Err(problem)) => {
                tracing::warn!("{problem}");
                Resource::NotFound
            }
            None => too_slow(),
        }
    }

    /// A search, once the index is there (waiting for it a moment at most), run on the
    /// blocking pool: it reads the sources of the results for their excerpts.
    async fn search(&self, site: Arc<Site>, protocol: Protocol, query: &str) -> Resource {
        if site.search_index().is_none() {
            let built = self.index_built.notified();
            tokio::pin!(built);
            built.as_mut().enable();
            if site.search_index().is_none() {
                let _ = tokio::time::timeout(INDEX_WAIT, built).await;
            }
        }
        if site.search_index().is_none() {
            return Resource::Unavailable {
                reason: "the search index is still being built; try again in a moment",
                retry_after: Some(RETRY_AFTER),
            };
        }
        let query = query.to_string();
        let searched = off_the_workers(move || {
            let index = site.search_index()?;
            let doc = site.search_document(index, &query, forms::typography(protocol));
            Some(forms::render_document(&site, &doc, protocol))
        })
        .await;
        match searched {
            Some(Some(rendered)) => document(rendered),
            _ => too_slow(),
        }
    }
}

/// How much lower than the readers' the first index build's CPU priority is (the nice value
/// added): it takes every core for seconds at 100,000 posts, just as the first readers arrive.
const INDEX_NICENESS: i32 = 10;

/// Lowers the calling thread's CPU priority for background work; the threads it starts inherit
/// it (Linux keeps a nice value per thread). A reader's work then gets a core at once, and the
/// background work still has whatever CPU the readers leave.
fn yield_to_readers() {
    let thread = rustix::thread::gettid();
    let lowered = rustix::process::getpriority_process(Some(thread))
        .and_then(|nice| rustix::process::setpriority_process(Some(thread), nice + INDEX_NICENESS));
    if let Err(err) = lowered {
        tracing::debug!("the search index is built at the readers' priority: {err}");
    }
}

/// Runs `work` on the blocking pool; `None` when it did not finish within [`WORK_DEADLINE`]
/// (it is not stopped, but no reader waits for it) or could not run.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    match tokio::time::timeout(WORK_DEADLINE, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(done)) => Some(done),
        Ok(Err(err)) => {
            tracing::error!("content work failed: {err}");
            None
        }
        Err(_) => None,
    }
}

/// Opens a capsule file for sending, on the blocking pool under the deadline: below the
/// content folder through no symlink, a regular file, never waiting on a FIFO.
async fn open(site: Arc<Site>, file: StaticFile) -> Resource {
    let mime = match is_gemtext(&file.path) {
        // Hand-written gemtext is a page: it says its language, as rendered pages do.
        true => format!(
            "{}; lang={}",
            crate::proto::gemini::GEMTEXT,
            site.settings.lang
        ),
        false => media_type(&file.path),
    };
    let path = file.path.clone();
    match off_the_workers(move || site.open(&file.file)).await {
        Some(Ok(opened)) => Resource::File {
            file: tokio::fs::File::from_std(opened),
            mime,
        },
        // Gone since the scan, or swapped for something that is not a plain file.
        Some(Err(err))
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidInput
            ) =>
        {
            tracing::warn!("{}: not served: {err}", path.display());
            Resource::NotFound
        }
        Some(Err(err)) => {
            tracing::warn!("{}: cannot open: {err}", path.display());
            Resource::Unavailable {
                reason: "this file cannot be read just now",
                retry_after: None,
            }
        }
        None => too_slow(),
    }
}

fn too_slow() -> Resource {
    Resource::Unavailable {
        reason: "this is taking too long; try again in a moment",
        retry_after: None,
    }
}

/// Renders `site`'s home page for every protocol into the cache before the snapshot is served:
/// it is the page readers ask for first. At 100,000 posts its first request otherwise waited
/// for a core while the search index was being built (5 to 9 ms, where a cached one takes 0.1).
/// Blocks: call it off the async workers.
fn render_home(cache: &RenderCache, site: &Site) {
    let Some(Route::Index(Index::Home, route)) = site.route("/") else {
        return;
    };
    for protocol in [Protocol::Gemini, Protocol::Gopher] {
        let key = key(site, Form::index(protocol), route);
        let rendered = cache.get_or_render(&key, || {
            Ok::<_, Problem>(forms::render_index(site, Index::Home, protocol))
        });
        drop(rendered);
    }
}

fn key(site: &Site, form: Form, route: &Arc<str>) -> Key {
    Key {
        generation: site.generation,
        form,
        route: route.clone(),
    }
}

fn document(rendered: Rendered) -> Resource {
    Resource::Document {
        body: rendered.body,
        mime: rendered.mime,
    }
}

fn is_gemtext(path: &Path) -> bool {
    path.to_str().is_some_and(crate::site::is_gemtext)
}

fn log_problems(site: &Site) {
    site.problems().iter().for_each(log_problem);
    for problem in site.unreadable() {
        tracing::error!("not read, so not served until the next rescan: {problem}");
    }
}

fn log_problem(problem: &Problem) {
    match problem.severity {
        Severity::Error => tracing::warn!("left out: {problem}"),
        Severity::Warning => tracing::info!("{problem}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_work_yields_to_readers_and_so_do_the_threads_it_starts() {
        let nice = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        std::thread::spawn(move || {
            let before = nice();
            yield_to_readers();
            let after = nice();
            assert_eq!(after, (before + INDEX_NICENESS).min(19));
            assert_eq!(std::thread::spawn(nice).join().unwrap(), after);
        })
        .join()
        .unwrap();
    }

    fn capsule() -> (tempfile::TempDir, Settings) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        std::fs::write(dir.path().join("about.md"), "# About\n\nMe.").unwrap();
        std::fs::write(
            dir.path().join("posts/2024-01-01-a.md"),
            "---\ntitle: A post\ndate: 2024-01-01\n---\nWords to find.",
        )
        .unwrap();
        let settings = Settings::for_tests(dir.path());
        (dir, settings)
    }

    /// A live site whose search index is never built unless the test builds it.
    fn unindexed(settings: Settings) -> Content {
        Content {
            site: ArcSwap::new(Arc::new(Site::build(Arc::new(settings)).unwrap())),
            cache: Arc::new(RenderCache::new(1 << 20)),
            reloading: Mutex::new(()),
            index_built: Arc::new(Notify::new()),
        }
    }

    fn is_document(resource: &Resource) -> bool {
        matches!(resource, Resource::Document { .. })
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_search_waiting_for_the_index_holds_up_nothing_and_then_says_not_yet() {
        let (_dir, settings) = capsule();
        let content = unindexed(settings);
        // One thread runs both: were the search to block it, the page could not be answered.
        let search = content.answer(Protocol::Gemini, "/search", Some("words"));
        tokio::pin!(search);
        let page = content.answer(Protocol::Gemini, "/about", None);
        tokio::select! {
            biased;
            answer = &mut search => panic!("the search answered before the index: {answer:?}"),
            answer = page => assert!(is_document(&answer), "{answer:?}"),
        }
        match search.await {
            Resource::Unavailable {
                retry_after: Some(_),
                ..
            } => {}
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_search_goes_on_once_the_index_is_built() {
        let (_dir, settings) = capsule();
        let content = Arc::new(unindexed(settings));
        let building = content.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            building.snapshot().build_search_index();
            building.index_built.notify_waiters();
        });
        let answer = content
            .answer(Protocol::Gopher, "/search", Some("words"))
            .await;
        let Resource::Document { body, .. } = answer else {
            panic!("{answer:?}")
        };
        assert!(String::from_utf8_lossy(&body).contains("A post"));
    }

    #[test]
    fn the_home_page_is_rendered_before_a_snapshot_is_served() {
        let (dir, settings) = capsule();
        let content = Content::load(settings).unwrap();
        let home = |content: &Content| {
            let site = content.snapshot();
            [Protocol::Gemini, Protocol::Gopher].map(|protocol| {
                let home: Arc<str> = Arc::from("/");
                content
                    .cache
                    .get(&key(&site, Form::index(protocol), &home))
                    .map(|rendered| String::from_utf8_lossy(&rendered.body).into_owned())
            })
        };
        let [gemini, gopher] = home(&content);
        assert!(gemini.unwrap().contains("=> /posts/a "));
        assert!(gopher.unwrap().contains("A post"));
        std::fs::write(
            dir.path().join("posts/2024-02-01-b.md"),
            "---\ntitle: Another post\ndate: 2024-02-01\n---\nMore.",
        )
        .unwrap();
        content.reload(Rescan::Everything);
        let [gemini, _] = home(&content);
        assert!(gemini.unwrap().contains("Another post"));
    }

    #[test]
    fn reloads_never_put_an_older_snapshot_back() {
        let (_dir, settings) = capsule();
        let content = Arc::new(Content::load(settings).unwrap());
        let reloaders: Vec<_> = (0..4)
            .map(|_| {
                let content = content.clone();
                std::thread::spawn(move || (0..5).for_each(|_| content.reload(Rescan::Everything)))
            })
            .collect();
        let mut seen = content.snapshot().generation;
        while reloaders.iter().any(|r| !r.is_finished()) {
            let now = content.snapshot().generation;
            assert!(now >= seen, "generation went back from {seen} to {now}");
            seen = now;
        }
        for reloader in reloaders {
            reloader.join().unwrap();
        }
    }
}
