//! The site snapshot: every route of the capsule and what answers it, built in one pass over
//! the content folder and never changed afterwards.
//!
//! Start-up reads each markdown file's front matter (and, for an untitled file, its first `#`
//! heading), not its rendered body; bodies are rendered on request. A file that cannot be read
//! is left out with a [`Problem`] and the rest of the site is built without it. The snapshot
//! also turns a page's source into a [`crate::doc::Document`] ready for either renderer, and
//! writes the words of the pages it generates. It knows nothing of sockets or protocol framing,
//! only the public addresses its settings give for links.

pub mod check;
mod document;
mod excerpt;
pub mod front;
mod links;
pub mod page;
pub mod problem;
mod readings;
pub mod routes;
mod scan;
pub mod search;
mod segments;
mod settings;
pub mod source;
pub mod starter;
pub mod tags;
mod templates;
pub mod words;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::doc::Link;
use crate::files::Folder;

pub use links::{folder_of, link_to};
pub use page::Page;
use page::SharedNames;
pub use problem::{Problem, Severity};
use readings::{Reading, Readings, ScanStart};
use routes::Paged;
use routes::Routes;
pub use routes::{Index, Route, StaticFile};
use search::IndexBuilder;
pub use segments::SiteSearch;
pub use settings::{GopherSettings, Settings, SizeLimits, DEFAULT_WRAP};
pub use source::{Source, SourceError};
pub use tags::Tag;

/// Why no site could be built at all (a single bad file never does this).
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("content folder {path} cannot be opened: {source} (set [site] content in config.toml or pass --content)")]
    ContentFolder {
        path: PathBuf,
        source: std::io::Error,
    },
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

/// Files to read before a scan spreads the reading over more than one core.
const PARALLEL_READS: usize = 256;

/// One immutable view of the capsule.
#[derive(Debug)]
pub struct Site {
    pub settings: Arc<Settings>,
    /// Distinguishes snapshots, so cached renderings of an older one are never served; a
    /// later build has a larger one.
    pub generation: u64,
    /// The content folder, canonical.
    root: PathBuf,
    /// The content folder, held open: every file is opened below it.
    folder: Folder,
    /// In the order of their sources' paths below the content folder (the walk's order), so a
    /// page is found by its source with a binary search (see [`Site::page_from`]).
    pages: Vec<Arc<Page>>,
    /// Indexes into `pages`: the posts, newest first.
    posts: Vec<usize>,
    /// Indexes into `pages`: the pages that are not posts, by route (home lists them, and a
    /// blog has a handful among thousands of posts).
    standalone: Vec<usize>,
    routes: Routes,
    tags: Vec<Tag>,
    /// Built after the snapshot, from the sources: see [`Site::build_search_index`] and
    /// [`Site::update_search_index`].
    search: OnceLock<SiteSearch>,
    problems: Vec<Problem>,
    unreadable: Vec<Problem>,
    /// Hand-written gemtext files, listed with the pages.
    gemtext_pages: Vec<Link>,
    /// What each file gave, for the next scan to reuse.
    readings: Readings,
}

/// A hand-written gemtext file: served as it is over Gemini, converted for Gopher.
pub fn is_gemtext(rel: &str) -> bool {
    rel.ends_with(".gmi") || rel.ends_with(".gemini")
}

impl Site {
    /// Scans the content folder and builds a snapshot, reading every file. Bad files become
    /// problems, not errors; what could not be read at all is kept apart (see
    /// [`Site::unreadable`]).
    pub fn build(settings: Arc<Settings>) -> Result<Site, SiteError> {
        Site::scan(settings, &Readings::default(), ScanStart::now())
    }

    /// Scans the content folder again and builds the next snapshot, reading only the files
    /// that changed since this one was built (see [`readings`]); the rest of what it gave is
    /// taken over. The result is the snapshot [`Site::build`] would give.
    pub fn rebuild(&self) -> Result<Site, SiteError> {
        Site::scan(self.settings.clone(), &self.readings, ScanStart::now())
    }

    /// A scan that began at `start`, taking over from `previous` what did not change.
    fn scan(
        settings: Arc<Settings>,
        previous: &Readings,
        start: ScanStart,
    ) -> Result<Site, SiteError> {
        let unopenable = |source| SiteError::ContentFolder {
            path: settings.content.clone(),
            source,
        };
        let root = fs::canonicalize(&settings.content).map_err(unopenable)?;
        let folder = Folder::open(&root).map_err(unopenable)?;
        let excluded: Vec<PathBuf> = settings
            .excluded
            .iter()
            .filter_map(|dir| fs::canonicalize(dir).ok())
            .collect();
        let walk = scan::walk(&root, &excluded);
        let mut site = Site {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            root,
            folder,
            pages: Vec::new(),
            posts: Vec::new(),
            standalone: Vec::new(),
            routes: Routes::generated(),
            tags: Vec::new(),
            search: OnceLock::new(),
            problems: walk.problems,
            unreadable: walk.unreadable,
            gemtext_pages: Vec::new(),
            readings: Readings::default(),
            settings,
        };
        let readings = site.read_all(&walk.found, previous);
        for (found, reading) in walk.found.into_iter().zip(readings) {
            match reading {
                Ok(reading) => {
                    site.readings.keep(&found, &reading, start);
                    site.add_found(found, reading);
                }
                Err(problem) => site.unreadable.push(problem),
            }
        }
        // Old routes last: a file or page that is there now wins over a redirect.
        let moved: Vec<(String, Arc<str>, PathBuf)> = site
            .pages
            .iter()
            .flat_map(|page| {
                page.aliases
                    .iter()
                    .map(|alias| (alias.clone(), page.route.clone(), site.source_path(page)))
            })
            .chain(site.settings.redirects.iter().map(|(from, to)| {
                (
                    from.clone(),
                    Arc::from(to.as_str()),
                    site.settings.content.clone(),
                )
            }))
            .collect();
        for (from, to, source) in moved {
            site.add_redirect(&from, &to, &source);
        }
        let pages = &site.pages;
        site.posts = (0..pages.len()).filter(|&i| pages[i].is_post).collect();
        site.posts.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            // Newest first; undated posts last; then by title.
            b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title))
        });
        site.standalone = (0..pages.len()).filter(|&i| !pages[i].is_post).collect();
        site.standalone
            .sort_by(|&a, &b| pages[a].route.cmp(&pages[b].route));
        site.tags = tags::collect(&site.root, &site.pages, &site.posts, &mut site.problems);
        // The archive's first page is claimed before any file; its later pages now.
        let later = Paged::all(site.posts.len()).skip(1);
        let archive =
            later.map(|paged| (paged.route("/posts/"), Index::Posts { page: paged.page }));
        let tag_pages = site.tags.iter().enumerate().flat_map(|(tag, about)| {
            Paged::all(about.count()).map(move |paged| {
                (
                    paged.route(&about.route()),
                    Index::Tag {
                        tag,
                        page: paged.page,
                    },
                )
            })
        });
        let lists: Vec<(String, Index)> = archive.chain(tag_pages).collect();
        for (route, index) in lists {
            site.add_list_page(route, index);
        }
        Ok(site)
    }

    /// What each file the scan found gives, in order: taken over from `previous` when the file
    /// is unchanged, else read, on every core when there are many to read. An error is a file
    /// that cannot be read just now.
    fn read_all(
        &self,
        found: &[scan::Found],
        previous: &Readings,
    ) -> Vec<Result<Reading, Problem>> {
        let mut readings: Vec<Option<Result<Reading, Problem>>> = found
            .iter()
            .map(|found| previous.unchanged(found).cloned().map(Ok))
            .collect();
        let unread: Vec<usize> = (0..found.len())
            .filter(|&i| readings[i].is_none())
            .collect();
        let read_run = |run: &[usize]| -> Vec<Result<Reading, Problem>> {
            let mut names = SharedNames::default();
            run.iter()
                .map(|&i| self.read_found(&found[i], &mut names))
                .collect()
        };
        // A reader that panicked leaves its files unread: this scan is then incomplete.
        let failed = |run: &[usize]| -> Vec<Result<Reading, Problem>> {
            let failure = |i: usize| Problem::error(&found[i].path, "reading failed".to_string());
            run.iter().map(|&i| Err(failure(i))).collect()
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let run = unread.len().div_ceil(cores).max(PARALLEL_READS);
        let read: Vec<Vec<Result<Reading, Problem>>> = match unread.len() > run {
            false => vec![read_run(&unread)],
            true => std::thread::scope(|scope| {
                let workers: Vec<_> = unread
                    .chunks(run)
                    .map(|chunk| (chunk, scope.spawn(move || read_run(chunk))))
                    .collect();
                workers
                    .into_iter()
                    .map(|(chunk, worker)| worker.join().unwrap_or_else(|_| failed(chunk)))
                    .collect()
            }),
        };
        for (i, reading) in unread.into_iter().zip(read.into_iter().flatten()) {
            readings[i] = Some(reading);
        }
        readings.into_iter().flatten().collect()
    }

    /// Reads one file the scan found, for what it gives; an error when it cannot be read just
    /// now. A page's tags and author become the strings `names` holds.
    fn read_found(&self, found: &scan::Found, names: &mut SharedNames) -> Result<Reading, Problem> {
        if !page::is_markdown(&found.rel) {
            return Ok(match is_gemtext(&found.rel) {
                true => Reading::Gemtext(self.gemtext_link(found).map(Box::new)),
                false => Reading::File,
            });
        }
        let at = page::Location {
            path: &found.path,
            rel: &found.rel,
            file: &found.file,
        };
        match self.read_page(&at) {
            Ok(Some(mut page)) => {
                page.modified = found.stamp.modified();
                page.share_names(names);
                Ok(Reading::Page(Arc::new(page)))
            }
            Ok(None) => Ok(Reading::Draft),
            Err(err) if err.transient => Err(err.problem),
            Err(err) => Ok(Reading::Broken(Box::new(err.problem))),
        }
    }

    /// Takes in one file the scan found, with what it gave: a page, or a file served as it is.
    fn add_found(&mut self, found: scan::Found, reading: Reading) {
        match reading {
            Reading::Page(page) => return self.add_page(page),
            Reading::Draft => return,
            Reading::Broken(problem) => return self.problems.push(*problem),
            Reading::Gemtext(link) => self.gemtext_pages.extend(link.map(|link| *link)),
            Reading::File => {}
        }
        let route: Arc<str> = Arc::from(format!("/{}", found.rel));
        let file = StaticFile {
            route: route.clone(),
            path: found.path,
            file: found.file,
        };
        if !self
            .routes
            .claim(route.clone(), Route::File(Box::new(file)))
        {
            self.problems.push(Problem::warning(
                &self.root.join(&found.rel),
                format!("is hidden: gemhole answers {route} itself; rename the file to serve it"),
            ));
        }
    }

    /// A hand-written gemtext file as a page to list, titled by its first `#` line; `None`
    /// when its text cannot be read.
    fn gemtext_link(&self, found: &scan::Found) -> Option<Link> {
        let opened = self.folder.open_file(&found.file);
        let text = source::read_text(opened, &found.path, self.settings.sizes.source).ok()?;
        let title = text
            .lines()
            .find_map(|line| line.strip_prefix('#').filter(|rest| !rest.starts_with('#')))
            .map(crate::doc::text::collapse_spaces)
            .filter(|title| !title.is_empty())
            .unwrap_or_else(|| found.rel.clone());
        Some(Link {
            label: title,
            target: link_to(&format!("/{}", found.rel)),
            is_image: false,
        })
    }

    /// Serves the list page `index` at `route`, and sends `route` without its trailing slash
    /// there too.
    fn add_list_page(&mut self, route: String, index: Index) {
        let route: Arc<str> = Arc::from(route);
        if !self
            .routes
            .claim(route.clone(), Route::Index(index, route.clone()))
        {
            self.problems.push(Problem::warning(
                &self.root,
                format!("list page {route} is hidden by a file with the same route"),
            ));
            return;
        }
        if let Some(bare) = route.strip_suffix('/') {
            self.routes.claim(bare, Route::Redirect(route.to_string()));
        }
    }

    /// Sends `from` (and `from` without its trailing slash) to `to`, unless something else is
    /// served there.
    fn add_redirect(&mut self, from: &str, to: &str, source: &Path) {
        for old in [from, from.trim_end_matches('/')] {
            if old.is_empty() || old == to {
                continue;
            }
            let taken = !self.routes.claim(old, Route::Redirect(to.to_string()));
            if taken && old == from {
                self.problems.push(Problem::warning(
                    source,
                    format!("{from} is served already; it is not redirected to {to}"),
                ));
            }
        }
    }

    fn add_page(&mut self, page: Arc<Page>) {
        let index = self.pages.len();
        if !self.routes.claim(page.route.clone(), Route::Page(index)) {
            self.problems.push(Problem::error(
                &self.source_path(&page),
                format!(
                    "route {} is already taken by another file; give this one a different `slug`",
                    page.route
                ),
            ));
            return;
        }
        self.pages.push(page);
    }

    /// Reads a markdown source's metadata. `Ok(None)` for a draft, never served.
    fn read_page(&self, at: &page::Location<'_>) -> Result<Option<Page>, SourceError> {
        let source = self.read_source(at.file, at.path)?;
        page::describe(&self.settings, at, &source).map_err(|problem| SourceError {
            problem,
            transient: false,
        })
    }

    /// The page whose source is at `rel` below the content folder.
    pub fn page_from(&self, rel: &str) -> Option<&Page> {
        let found = self
            .pages
            .binary_search_by(|page| (*page.rel).cmp(rel))
            .ok()?;
        self.page(found)
    }

    /// Where `page`'s source is, for messages (symlinks the scan vetted resolved).
    pub fn source_path(&self, page: &Page) -> PathBuf {
        self.root.join(page.file())
    }

    /// Reads the markdown source at `file` below the content folder (`path` names it).
    pub fn read_source(&self, file: &str, path: &Path) -> Result<Source, SourceError> {
        Source::read(&self.folder, file, path, &self.settings.sizes)
    }

    /// Opens a file of the capsule at `file` below the content folder: regular files only,
    /// through no symlink, without blocking.
    pub fn open(&self, file: &str) -> std::io::Result<std::fs::File> {
        self.folder.open_file(file)
    }

    /// What could not be read at all in this scan (a folder, a file: out of file descriptors,
    /// an I/O error): when there is any, the snapshot is not the whole capsule.
    pub fn unreadable(&self) -> &[Problem] {
        &self.unreadable
    }

    /// The search index, once it is built.
    pub fn search_index(&self) -> Option<&SiteSearch> {
        self.search.get()
    }

    /// Builds the search index (or waits for the build under way). It reads every page again,
    /// so the server starts serving first and builds it on a thread of its own. Blocks: never
    /// call it on an async worker.
    pub fn build_search_index(&self) -> &SiteSearch {
        self.search.get_or_init(|| self.index_everything())
    }

    /// Builds the search index from the one of `previous`, an earlier snapshot of the same
    /// capsule: only the pages this snapshot read anew are indexed, unless they are too many
    /// (see [`segments::most_changed`]) or `previous` had no index yet, when everything is. A
    /// reload calls it before its snapshot is swapped in. Blocks: never call it on an async
    /// worker.
    pub fn update_search_index(&self, previous: &Site) -> &SiteSearch {
        self.search.get_or_init(|| {
            let Some(before) = previous.search_index() else {
                return self.index_everything();
            };
            let carried = before.carry_over(&self.pages);
            let changed = &carried.uncovered;
            if changed.len() > segments::most_changed(self.pages.len()) {
                return self.index_everything();
            }
            let index = self.index_pages(changed, 0, 1).finish();
            tracing::debug!("search index: {} pages indexed again", changed.len());
            SiteSearch::with_changes(carried, &self.pages, index)
        })
    }

    /// Indexes every page, on every core: contiguous runs of pages, merged in order.
    fn index_everything(&self) -> SiteSearch {
        let started = std::time::Instant::now();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let run = self.pages.len().div_ceil(cores).max(64);
        let numbers: Vec<usize> = (0..self.pages.len()).collect();
        let runs = numbers.len().div_ceil(run);
        let builders: Vec<IndexBuilder> = std::thread::scope(|scope| {
            let workers: Vec<_> = numbers
                .chunks(run)
                .enumerate()
                .map(|(chunk, numbers)| {
                    scope.spawn(move || self.index_pages(numbers, chunk * run, runs))
                })
                .collect();
            // A run whose worker panicked is left out of the search.
            workers
                .into_iter()
                .filter_map(|worker| worker.join().ok())
                .collect()
        });
        let search = SiteSearch::whole(&self.pages, IndexBuilder::finish_all(builders));
        tracing::debug!(
            "search index of {} pages built in {} ms",
            self.pages.len(),
            started.elapsed().as_millis()
        );
        search
    }

    pub fn route(&self, route: &str) -> Option<&Route> {
        self.routes.get(route)
    }

    pub fn page(&self, index: usize) -> Option<&Page> {
        self.pages.get(index).map(|page| &**page)
    }

    /// Posts, newest first.
    pub fn posts(&self) -> impl Iterator<Item = &Page> {
        self.posts.iter().filter_map(|&i| self.page(i))
    }

    /// Pages that are not posts, by route.
    pub fn standalone_pages(&self) -> Vec<&Page> {
        self.standalone
            .iter()
            .filter_map(|&i| self.page(i))
            .collect()
    }

    /// The pages numbered `numbers` (ascending), indexed as documents `first` and on, as one
    /// of `runs` runs of pages to be finished together.
    fn index_pages(&self, numbers: &[usize], first: usize, runs: usize) -> IndexBuilder {
        let mut builder = IndexBuilder::for_pages(first..first + numbers.len(), runs);
        for (document, &number) in (first..).zip(numbers) {
            let Some(page) = self.pages.get(number) else {
                continue;
            };
            // A source that went bad since the scan is left out until the next one.
            let Ok(source) = self.read_source(page.file(), &self.source_path(page)) else {
                continue;
            };
            builder.add(
                document,
                &search::Entry {
                    title: &page.title,
                    tags: &page.tags,
                    description: page.description.as_deref(),
                    body: source.body(),
                },
            );
        }
        builder
    }

    /// Every page and post.
    pub fn pages(&self) -> impl ExactSizeIterator<Item = &Page> {
        self.pages.iter().map(|page| &**page)
    }

    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// What was left out or looks wrong, for the log and for `gemhole check`.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The path below the content folder of a file inside it, `/`-separated.
    pub fn source_rel(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        Some(parts?.join("/"))
    }

    /// The media language of a page.
    pub fn lang_of<'a>(&'a self, page: &'a Page) -> &'a str {
        page.lang.as_deref().unwrap_or(&self.settings.lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Block;
    use tags::tag_slug;

    fn site_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let site = Site::build(Arc::new(Settings::for_tests(dir.path()))).unwrap();
        (dir, site)
    }

    fn routes_of(site: &Site) -> Vec<String> {
        site.routes.names()
    }

    /// A scan long after every file was written, so each counts as settled.
    fn settled_scan(settings: &Arc<Settings>, previous: &Readings) -> Site {
        Site::scan(settings.clone(), previous, ScanStart::later_by(60)).unwrap()
    }

    fn page_at<'a>(site: &'a Site, route: &str) -> &'a Arc<Page> {
        match site.route(route) {
            Some(Route::Page(index)) => &site.pages[*index],
            other => panic!("{route}: {other:?}"),
        }
    }

    /// What a snapshot serves, to compare one built afresh with one built from another.
    fn served(site: &Site) -> Vec<String> {
        let pages = site
            .pages()
            .map(|p| format!("{} {} {:?}", p.route, p.title, p.tags));
        let problems = site.problems().iter().map(|p| p.to_string());
        routes_of(site)
            .into_iter()
            .chain(pages)
            .chain(problems)
            .collect()
    }

    #[test]
    fn a_rebuild_reads_only_what_changed_and_equals_a_fresh_build() {
        let (dir, _) = site_with(&[
            ("posts/a.md", "---\ndate: 2023-01-01\ntags: [x]\n---\nA"),
            ("posts/b.md", "---\ndate: 2023-01-02\n---\nB"),
            ("posts/c.md", "---\ndate: nope\n---\n"),
            ("hello.gmi", "# Hello\n"),
        ]);
        let settings = Arc::new(Settings::for_tests(dir.path()));
        let first = settled_scan(&settings, &Readings::default());
        let root = dir.path();
        fs::write(
            root.join("posts/b.md"),
            "---\ndate: 2023-01-02\ntitle: Bee\n---\nB",
        )
        .unwrap();
        fs::write(
            root.join("posts/d.md"),
            "---\ndate: 2023-01-04\ntags: [x]\n---\nD",
        )
        .unwrap();
        fs::remove_file(root.join("posts/a.md")).unwrap();
        fs::write(root.join("about.md"), "# About").unwrap();
        let second = settled_scan(&settings, &first.readings);
        assert_eq!(
            served(&second),
            served(&settled_scan(&settings, &Readings::default()))
        );
        assert_eq!(&*page_at(&second, "/posts/b").title, "Bee");
        assert!(second.route("/posts/a").is_none());
        assert_eq!(second.tags()[0].posts.len(), 1);
        assert!(second
            .problems()
            .iter()
            .any(|p| p.message.contains("not a date")));

        // Untouched files are taken over, not read again.
        fs::write(root.join("about.md"), "# About me").unwrap();
        let third = settled_scan(&settings, &second.readings);
        assert!(Arc::ptr_eq(
            page_at(&second, "/posts/d"),
            page_at(&third, "/posts/d")
        ));
        assert_eq!(&*page_at(&third, "/about").title, "About me");
        assert_eq!(third.gemtext_pages.len(), 1);
    }

    /// The routes of the pages `site` finds for `query`, sorted.
    fn found(site: &Site, query: &str) -> Vec<String> {
        let index = site.search_index().expect("built");
        let mut routes: Vec<String> = index
            .search(query)
            .iter()
            .map(|hit| site.pages[hit.page].route.to_string())
            .collect();
        routes.sort();
        routes
    }

    #[test]
    fn an_updated_search_index_finds_what_a_fresh_one_does() {
        let (dir, _) = site_with(&[
            ("posts/a.md", "---\ndate: 2023-01-01\n---\nantelope"),
            ("posts/b.md", "---\ndate: 2023-01-02\n---\nbadger"),
            ("posts/c.md", "---\ndate: 2023-01-03\n---\ncamel badger"),
        ]);
        let settings = Arc::new(Settings::for_tests(dir.path()));
        let first = settled_scan(&settings, &Readings::default());
        first.build_search_index();
        let root = dir.path();
        fs::write(root.join("posts/b.md"), "---\ndate: 2023-01-02\n---\nzebra").unwrap();
        fs::write(
            root.join("posts/d.md"),
            "---\ndate: 2023-01-04\n---\nzebra camel",
        )
        .unwrap();
        fs::remove_file(root.join("posts/a.md")).unwrap();
        let second = settled_scan(&settings, &first.readings);
        second.update_search_index(&first);
        let fresh = settled_scan(&settings, &Readings::default());
        fresh.build_search_index();
        for query in [
            "zebra",
            "badger",
            "antelope",
            "camel",
            "camel zebra",
            "nothing",
        ] {
            assert_eq!(found(&second, query), found(&fresh, query), "{query}");
        }
        assert_eq!(found(&second, "zebra"), ["/posts/b", "/posts/d"]);
        assert_eq!(found(&second, "badger"), ["/posts/c"]);

        // A change on top of a change: the changed pages are indexed again, the rest kept.
        fs::write(root.join("posts/d.md"), "---\ndate: 2023-01-04\n---\nyak").unwrap();
        let third = settled_scan(&settings, &second.readings);
        third.update_search_index(&second);
        assert_eq!(found(&third, "zebra"), ["/posts/b"]);
        assert_eq!(found(&third, "yak camel"), Vec::<String>::new());
        assert_eq!(found(&third, "camel"), ["/posts/c"]);
    }

    #[test]
    fn long_lists_of_posts_go_on_over_pages() {
        let posts: Vec<(String, String)> = (0..450)
            .map(|i| {
                let tags = if i % 2 == 0 { "[even]" } else { "[]" };
                let text = format!("---\ndate: 2023-01-01\ntitle: P{i:03}\ntags: {tags}\n---\n");
                (format!("posts/p{i:03}.md"), text)
            })
            .collect();
        let files: Vec<(&str, &str)> = posts
            .iter()
            .map(|(r, t)| (r.as_str(), t.as_str()))
            .collect();
        let (_dir, site) = site_with(&files);
        let lists: Vec<String> = routes_of(&site)
            .into_iter()
            .filter(|r| r.contains("/page/"))
            .collect();
        assert_eq!(
            lists,
            [
                "/posts/page/2",
                "/posts/page/2/",
                "/posts/page/3",
                "/posts/page/3/",
                "/tags/even/page/2",
                "/tags/even/page/2/"
            ]
        );
        assert!(
            matches!(site.route("/posts/page/3"), Some(Route::Redirect(to)) if to == "/posts/page/3/")
        );
        let words = |route: &str| {
            let Some(Route::Index(index, _)) = site.route(route) else {
                panic!("{route}")
            };
            let doc =
                site.index_document(*index, Vec::new(), crate::doc::text::Typography::UNICODE);
            let mut links = Vec::new();
            let mut title = String::new();
            for block in &doc.blocks {
                match block {
                    Block::Heading { content, .. } => title = format!("{content:?}"),
                    Block::Links(found) => links.extend(found.iter().map(|l| l.label.clone())),
                    _ => {}
                }
            }
            (title, links)
        };
        let (title, links) = words("/posts/");
        assert!(title.contains("All posts, page 1 of 3"), "{title}");
        assert_eq!(links.len(), 200 + 2, "{links:?}");
        assert_eq!(links[200..], ["Older posts", "Test"]);
        let (title, links) = words("/posts/page/3/");
        assert!(title.contains("page 3 of 3"), "{title}");
        assert_eq!(links.len(), 50 + 2);
        assert_eq!(links[50..], ["Newer posts", "Test"]);
        let (_, links) = words("/posts/page/2/");
        assert_eq!(links[200..], ["Newer posts", "Older posts", "Test"]);
        let (title, links) = words("/tags/even/page/2/");
        assert!(title.contains("page 2 of 2"), "{title}");
        assert_eq!(links.len(), 25 + 3);
    }

    #[test]
    fn a_file_changed_just_before_its_scan_is_read_again_next_time() {
        let (dir, _) = site_with(&[("posts/a.md", "---\ndate: 2023-01-01\n---\nA")]);
        let settings = Arc::new(Settings::for_tests(dir.path()));
        // Its status changed a moment before: a write later in the same tick would not show.
        let start = ScanStart::just_after_change_of(&dir.path().join("posts/a.md"));
        let first = Site::scan(settings.clone(), &Readings::default(), start).unwrap();
        let second = settled_scan(&settings, &first.readings);
        assert!(!Arc::ptr_eq(
            page_at(&first, "/posts/a"),
            page_at(&second, "/posts/a")
        ));
    }

    #[test]
    fn routes_for_posts_pages_and_files() {
        let (_dir, site) = site_with(&[
            (
                "posts/2023-11-20-first.md",
                "---\ndate: 2023-11-20\n---\nhi",
            ),
            (
                "posts/custom.md",
                "---\ndate: 2024-01-01\nslug: renamed\n---\nhi",
            ),
            ("about.md", "no front matter"),
            ("notes/deep.md", "x"),
            ("images/cat.png", "png"),
            ("hello.gmi", "# hi"),
        ]);
        assert_eq!(
            routes_of(&site),
            [
                "/",
                "/about",
                "/atom.xml",
                "/hello.gmi",
                "/images/cat.png",
                "/notes/deep",
                "/posts",
                "/posts/",
                "/posts/first",
                "/posts/renamed",
                "/search",
                "/tags",
                "/tags/"
            ]
        );
        let order: Vec<&str> = site.posts().map(|p| &*p.route).collect();
        assert_eq!(order, ["/posts/renamed", "/posts/first"]);
    }

    #[test]
    fn drafts_broken_files_and_duplicates() {
        let (_dir, site) = site_with(&[
            (
                "posts/a.md",
                "---\ndate: 2023-01-01\ndraft: true\n---\nsecret",
            ),
            ("posts/b.md", "---\ndate: nope\n---\n"),
            ("posts/c.md", "---\ndate: 2023-01-02\nslug: same\n---\n"),
            ("posts/d.md", "---\ndate: 2023-01-03\nslug: same\n---\n"),
            (
                "bad.md",
                b"caf\xe9"
                    .iter()
                    .map(|&b| b as char)
                    .collect::<String>()
                    .as_str(),
            ),
        ]);
        assert!(site.route("/posts/a").is_none());
        assert!(site.route("/posts/b").is_none());
        assert!(site.route("/posts/same").is_some());
        let messages: Vec<String> = site.problems().iter().map(|p| p.to_string()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("b.md:2") && m.contains("not a date")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("d.md") && m.contains("already taken")),
            "{messages:?}"
        );
    }

    #[test]
    fn titles_fall_back_to_heading_then_file_name() {
        let (_dir, site) = site_with(&[
            ("one.md", "intro\n\n# The Heading\n"),
            ("two.md", "```\n# code\n```\n"),
        ]);
        let titles: Vec<&str> = site.standalone_pages().iter().map(|p| &*p.title).collect();
        assert_eq!(titles, ["The Heading", "two"]);
    }

    #[test]
    fn every_page_is_found_by_its_source() {
        let (_dir, site) = site_with(&[
            ("z.md", ""),
            ("a/b.md", ""),
            ("a.md", ""),
            ("a-b.md", ""),
            ("a/b/c.md", ""),
            ("posts/2023-01-01-q.md", "---\ndate: 2023-01-01\n---\n"),
        ]);
        assert_eq!(site.pages().len(), 6);
        for page in site.pages() {
            let found = site.page_from(&page.rel).map(|p| &p.route);
            assert_eq!(found, Some(&page.route), "{}", page.rel);
        }
        assert!(site.page_from("a/c.md").is_none());
    }

    #[test]
    fn links_to_sources_become_routes() {
        let (_dir, site) = site_with(&[
            ("posts/2023-11-20-x.md", "---\ndate: 2023-11-20\n---\n"),
            ("about.md", ""),
        ]);
        assert_eq!(site.resolve_link("", "posts/2023-11-20-x.md"), "/posts/x");
        assert_eq!(site.resolve_link("posts", "../about.md#me"), "/about");
        assert_eq!(
            site.resolve_link("posts", "img/a b.png"),
            "/posts/img/a%20b.png"
        );
        assert_eq!(site.resolve_link("posts", "/about.md?x=1"), "/about?x=1");
        assert_eq!(
            site.resolve_link("", "../../etc/passwd"),
            "../../etc/passwd"
        );
        assert_eq!(
            site.resolve_link("", "https://a.example/x.md"),
            "https://a.example/x.md"
        );
        assert_eq!(
            site.resolve_link("", "mailto:me@x.example"),
            "mailto:me@x.example"
        );
    }

    #[test]
    fn tags_get_url_safe_routes_and_count_posts() {
        let (_dir, site) = site_with(&[
            (
                "posts/a.md",
                "---\ndate: 2023-01-01\ntags: [Small Web, rust]\n---\n",
            ),
            (
                "posts/b.md",
                "---\ndate: 2023-02-01\ntags: small   web\n---\n",
            ),
            (
                "posts/c.md",
                "---\ndate: 2023-03-01\ndraft: true\ntags: [rust]\n---\n",
            ),
        ]);
        let tags: Vec<(&str, &str, usize)> = site
            .tags()
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str(), t.posts.len()))
            .collect();
        assert_eq!(tags, [("rust", "rust", 1), ("small-web", "Small Web", 2)]);
        assert!(site.route("/tags/small-web").is_some());
        assert_eq!(tag_slug("  C++ / Rust?  "), "c++-rust?");
        assert_eq!(tag_slug("C#"), "c#");
        assert!(site.problems().is_empty(), "{:?}", site.problems());
        let (_dir, clash) = site_with(&[
            (
                "posts/a.md",
                "---\ndate: 2023-01-01\ntags: [small-web]\n---\n",
            ),
            (
                "posts/b.md",
                "---\ndate: 2023-02-01\ntags: [Small Web]\n---\n",
            ),
        ]);
        assert!(clash
            .problems()
            .iter()
            .any(|p| p.message.contains("shares the page /tags/small-web")));
        assert_eq!(tag_slug("Café Culture"), "café-culture");
    }

    #[test]
    fn search_finds_posts_by_body_words_best_first() {
        let (_dir, site) = site_with(&[
            (
                "posts/a.md",
                "---\ndate: 2023-01-01\ntitle: Gardening\n---\nTomatoes and a refurbished laptop.",
            ),
            (
                "posts/b.md",
                "---\ndate: 2023-02-01\ntitle: Refurbished phones\n---\nWhy I buy them.",
            ),
        ]);
        let doc = site.search_document(
            site.build_search_index(),
            "refurbished",
            crate::doc::text::Typography::UNICODE,
        );
        let Some(Block::Entries(entries)) = doc.blocks.get(2) else {
            panic!("{doc:?}")
        };
        let found: Vec<&str> = entries.iter().map(|e| e.link.target.as_str()).collect();
        assert_eq!(found, ["/posts/b", "/posts/a"]);
        assert_eq!(entries[1].summary, "Tomatoes and a refurbished laptop.");
    }
}
