//! The site snapshot: every route of the capsule and what answers it, built in one pass over
//! the content folder and never changed afterwards.
//!
//! Start-up reads each markdown file's front matter (and, for an untitled file, its first `#`
//! line), not its rendered body; bodies are rendered on request. A file that cannot be read is
//! left out with a [`Problem`] and the rest of the site is built without it. The snapshot also
//! knows how to turn a page's source into a [`Document`] ready for either renderer: links made
//! into routes, the title heading folded into the title block, the table of contents added.
//! It knows nothing about protocols beyond the public addresses it puts in links.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use rustc_hash::FxHashMap;

use super::doc::{plain_text, Block, Document, Entry, Inline, Link, ListItem, Marker, TitleBlock};
use super::gopher::{self, Endpoint, ItemTypes};
use super::page::{self, Date, FrontMatter};
use super::problem::Problem;
use super::search::{self, IndexBuilder, SearchIndex};
use super::text::collapse_spaces;
use super::{markdown, scan};

/// What the content layer needs to know of the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub title: String,
    pub author: Option<String>,
    pub description: Option<String>,
    pub lang: String,
    /// The public host name, for absolute links.
    pub hostname: String,
    /// The content folder.
    pub content: PathBuf,
    /// Folders inside the content folder that are never served (the certificates).
    pub excluded: Vec<PathBuf>,
    /// Upper bound of the rendered-body cache, in bytes.
    pub cache_bytes: u64,
    /// The public Gemini port, when Gemini is served.
    pub gemini_port: Option<u16>,
    /// How Gopher is served, when it is.
    pub gopher: Option<GopherSettings>,
}

/// The public side of the Gopher listener.
#[derive(Debug, Clone)]
pub struct GopherSettings {
    pub port: u16,
    /// Text width in display columns.
    pub wrap: usize,
}

/// Why no site could be built at all (a single bad file never does this).
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("content folder {path} cannot be opened: {source} (set [site] content in config.toml or pass --content)")]
    ContentFolder {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Gopher text width when none is configured.
pub const DEFAULT_WRAP: usize = 70;

/// How many posts the home page lists before pointing to the archive.
const HOME_POSTS: usize = 10;

/// How many results a search shows.
const SEARCH_RESULTS: usize = 50;

/// How long a search result's excerpt may be, in characters.
const EXCERPT_CHARS: usize = 110;

static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A post or page: what its front matter says, resolved against the site's defaults.
#[derive(Debug, Clone)]
pub struct Page {
    pub route: Arc<str>,
    /// Where the source is read from.
    pub source: PathBuf,
    /// The source's path below the content folder, `/`-separated.
    pub rel: String,
    pub title: String,
    pub date: Option<Date>,
    pub author: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub lang: Option<String>,
    pub toc: bool,
    pub is_post: bool,
    /// True when neither front matter nor a heading gave a title (the file name stands in).
    pub untitled: bool,
    /// When the source last changed, as the scan saw it; dates undated posts in the feed.
    pub modified: Option<SystemTime>,
}

/// A file served as it is.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub route: Arc<str>,
    pub path: PathBuf,
}

/// The index pages the site generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Home,
    Posts,
    Tags,
    /// The posts under one tag: an index into [`Site::tags`].
    Tag(usize),
}

/// A tag and the posts under it.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The route name: lower case, spaces as `-`.
    pub slug: String,
    /// The tag as a writer first spelled it.
    pub name: String,
    /// Indexes into the pages, newest first.
    posts: Vec<usize>,
}

/// What a route leads to.
#[derive(Debug, Clone)]
pub enum Route {
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

/// One immutable view of the capsule.
#[derive(Debug)]
pub struct Site {
    pub settings: Arc<Settings>,
    /// Distinguishes snapshots, so cached renderings of an older one are never served.
    pub generation: u64,
    /// The content folder, canonical.
    root: PathBuf,
    pages: Vec<Page>,
    /// Indexes into `pages`: the posts, newest first.
    posts: Vec<usize>,
    /// Keys come from the capsule only (requests just look up), so a fast hash is safe.
    routes: FxHashMap<String, Route>,
    /// Routes of markdown sources by their path below the content folder, to resolve links.
    source_routes: HashMap<String, Arc<str>>,
    tags: Vec<Tag>,
    /// Built after the snapshot, from the sources: see [`Site::search_index`].
    search: OnceLock<SearchIndex>,
    problems: Vec<Problem>,
}

/// The characters a path must percent-encode to stand in a URL.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A route as it is written in a link.
pub fn link_to(route: &str) -> String {
    utf8_percent_encode(route, PATH).to_string()
}

fn is_markdown(rel: &str) -> bool {
    rel.ends_with(".md") || rel.ends_with(".markdown")
}

impl Site {
    /// Scans the content folder and builds a snapshot. Bad files become problems, not errors.
    pub fn build(settings: Arc<Settings>) -> Result<Site, SiteError> {
        let root =
            fs::canonicalize(&settings.content).map_err(|source| SiteError::ContentFolder {
                path: settings.content.clone(),
                source,
            })?;
        let excluded: Vec<PathBuf> = settings
            .excluded
            .iter()
            .filter_map(|dir| fs::canonicalize(dir).ok())
            .collect();
        let (found, mut problems) = scan::walk(&root, &excluded);
        let mut site = Site {
            settings,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            root: root.clone(),
            pages: Vec::new(),
            posts: Vec::new(),
            routes: FxHashMap::default(),
            source_routes: HashMap::new(),
            tags: Vec::new(),
            search: OnceLock::new(),
            problems: Vec::new(),
        };
        for (route, index) in [
            ("/", Index::Home),
            ("/posts/", Index::Posts),
            ("/tags/", Index::Tags),
        ] {
            site.add_route(route, Route::Index(index, Arc::from(route)));
        }
        site.add_route("/posts", Route::Redirect("/posts/".to_string()));
        site.add_route("/tags", Route::Redirect("/tags/".to_string()));
        site.add_route("/atom.xml", Route::Feed(Arc::from("/atom.xml")));
        site.add_route("/search", Route::Search);

        for file in found {
            if is_markdown(&file.rel) {
                match site.read_page(&file.path, &file.rel) {
                    Ok(Some(page)) => site.add_page(page, &mut problems),
                    Ok(None) => {}
                    Err(problem) => problems.push(problem),
                }
            } else {
                let route: Arc<str> = Arc::from(format!("/{}", file.rel));
                let static_file = StaticFile {
                    route: route.clone(),
                    path: file.path,
                };
                site.add_route(&route, Route::File(static_file));
            }
        }
        site.posts = (0..site.pages.len())
            .filter(|&i| site.pages[i].is_post)
            .collect();
        let pages = &site.pages;
        site.posts.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            // Newest first; undated posts last; then by title.
            b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title))
        });
        site.collect_tags(&mut problems);
        site.problems = problems;
        Ok(site)
    }

    /// Gathers the posts' tags into tag pages, newest posts first.
    fn collect_tags(&mut self, problems: &mut Vec<Problem>) {
        let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
        // Oldest first, so a tag is named as a writer first spelled it.
        for &i in self.posts.iter().rev() {
            for name in &self.pages[i].tags {
                let slug = tag_slug(name);
                if slug.is_empty() {
                    continue;
                }
                let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
                    slug,
                    name: name.clone(),
                    posts: Vec::new(),
                });
                if !tag.posts.contains(&i) {
                    tag.posts.push(i);
                }
            }
        }
        for tag in tags.values_mut() {
            tag.posts.reverse();
        }
        for (index, tag) in tags.values().enumerate() {
            let route: Arc<str> = Arc::from(format!("/tags/{}", tag.slug));
            if !self.add_route(&route, Route::Index(Index::Tag(index), route.clone())) {
                problems.push(Problem::warning(
                    &self.root,
                    format!("tag page {route} is hidden by a file with the same route"),
                ));
            }
        }
        self.tags = tags.into_values().collect();
    }

    fn add_route(&mut self, route: &str, target: Route) -> bool {
        if self.routes.contains_key(route) {
            return false;
        }
        self.routes.insert(route.to_string(), target);
        true
    }

    fn add_page(&mut self, page: Page, problems: &mut Vec<Problem>) {
        let index = self.pages.len();
        if !self.add_route(&page.route, Route::Page(index)) {
            problems.push(Problem::error(
                &page.source,
                format!(
                    "route {} is already taken by another file; give this one a different `slug`",
                    page.route
                ),
            ));
            return;
        }
        self.source_routes
            .insert(page.rel.clone(), page.route.clone());
        self.pages.push(page);
    }

    /// Reads a markdown source's metadata. `Ok(None)` for a draft, never served.
    fn read_page(&self, path: &Path, rel: &str) -> Result<Option<Page>, Problem> {
        let text = read_source(path)?;
        let (page, _) = self.describe(path, rel, &text)?;
        Ok(page.map(|mut page| {
            page.modified = fs::metadata(path).and_then(|m| m.modified()).ok();
            page
        }))
    }

    /// The search index, built from the sources on first need. Building it reads every page
    /// again, so the server starts serving first and builds it on another thread (a search
    /// arriving meanwhile waits for it); a reload builds it before its snapshot is swapped in.
    pub fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| {
            let started = std::time::Instant::now();
            // Contiguous runs of pages on every core, merged in order.
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let run = self.pages.len().div_ceil(cores).max(64);
            let builders: Vec<IndexBuilder> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..self.pages.len())
                    .step_by(run)
                    .map(|start| scope.spawn(move || self.index_pages(start, run)))
                    .collect();
                workers
                    .into_iter()
                    .map(|worker| worker.join().unwrap_or_default())
                    .collect()
            });
            let mut builders = builders.into_iter();
            let mut builder = builders.next().unwrap_or_default();
            for later in builders {
                builder.merge(later);
            }
            let index = builder.finish();
            tracing::debug!(
                "search index of {} pages built in {} ms",
                self.pages.len(),
                started.elapsed().as_millis()
            );
            index
        })
    }

    /// The page a source describes (or `None` for a draft), and its body.
    pub fn describe<'a>(
        &self,
        path: &Path,
        rel: &str,
        text: &'a str,
    ) -> Result<(Option<Page>, &'a str), Problem> {
        let split = page::split(text)
            .map_err(|err| Problem::error(path, err.message.clone()).at_line(err.line))?;
        let meta: FrontMatter = split.meta;
        if meta.draft {
            return Ok((None, split.body));
        }
        let stem = rel
            .rsplit('/')
            .next()
            .unwrap_or(rel)
            .trim_end_matches(".markdown")
            .trim_end_matches(".md");
        let found_title = meta.title.clone().or_else(|| first_heading(split.body));
        let untitled = found_title.is_none();
        let title = found_title.unwrap_or_else(|| stem.to_string());
        let is_post = rel.starts_with("posts/");
        let slug = match &meta.slug {
            Some(slug) if is_valid_slug(slug) => slug.clone(),
            _ => default_slug(stem).to_string(),
        };
        let route = if is_post {
            format!("/posts/{slug}")
        } else {
            match rel.rsplit_once('/') {
                Some((dir, _)) => format!("/{dir}/{slug}"),
                None => format!("/{slug}"),
            }
        };
        let page = Page {
            route: Arc::from(route),
            source: path.to_path_buf(),
            rel: rel.to_string(),
            title,
            date: meta.date,
            author: meta.author.or_else(|| self.settings.author.clone()),
            description: meta.description,
            tags: meta.tags,
            lang: meta.lang,
            toc: meta.toc,
            is_post,
            untitled,
            modified: None,
        };
        Ok((Some(page), split.body))
    }

    pub fn route(&self, route: &str) -> Option<&Route> {
        self.routes.get(route)
    }

    pub fn page(&self, index: usize) -> Option<&Page> {
        self.pages.get(index)
    }

    /// Posts, newest first.
    pub fn posts(&self) -> impl Iterator<Item = &Page> {
        self.posts.iter().filter_map(|&i| self.pages.get(i))
    }

    /// Pages that are not posts, by route.
    pub fn standalone_pages(&self) -> Vec<&Page> {
        let mut pages: Vec<&Page> = self.pages.iter().filter(|p| !p.is_post).collect();
        pages.sort_by(|a, b| a.route.cmp(&b.route));
        pages
    }

    /// The pages numbered `start` and on, `count` of them, indexed.
    fn index_pages(&self, start: usize, count: usize) -> IndexBuilder {
        let mut builder = IndexBuilder::default();
        for (number, page) in self.pages.iter().enumerate().skip(start).take(count) {
            // A source that went bad since the scan is left out until the next one.
            let Ok(text) = read_source(&page.source) else {
                continue;
            };
            builder.add(
                number,
                &search::Entry {
                    title: &page.title,
                    tags: &page.tags,
                    description: page.description.as_deref(),
                    body: page::body(&text),
                },
            );
        }
        builder
    }

    /// Every page and post.
    pub fn pages(&self) -> &[Page] {
        &self.pages
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

    /// Where Gopher clients reach this site; links in Gopher text are made absolute with it.
    pub fn gopher_endpoint(&self) -> Endpoint {
        let settings = &self.settings;
        let (port, wrap) = settings
            .gopher
            .as_ref()
            .map_or((70, DEFAULT_WRAP), |g| (g.port, g.wrap));
        Endpoint {
            host: settings.hostname.clone(),
            port,
            wrap,
        }
    }

    /// The media language of a page.
    pub fn lang_of<'a>(&'a self, page: &'a Page) -> &'a str {
        page.lang.as_deref().unwrap_or(&self.settings.lang)
    }

    /// A page's body as a document ready to render, and its title block.
    pub fn page_document(&self, page: &Page, body: &str) -> (TitleBlock, Document) {
        let mut doc = markdown::parse(body);
        let title = take_title_heading(&mut doc, &page.title);
        if page.toc {
            insert_contents(&mut doc);
        }
        let from_dir = page.rel.rsplit_once('/').map_or("", |(dir, _)| dir);
        doc.rewrite_links(|target| self.resolve_link(from_dir, target));
        if !page.tags.is_empty() {
            let tags = page
                .tags
                .iter()
                .map(|name| {
                    local_link(
                        &link_to(&format!("/tags/{}", tag_slug(name))),
                        &format!("Tagged: {name}"),
                    )
                })
                .collect();
            doc.blocks.push(Block::Links(tags));
        }
        let byline: Vec<String> = page
            .date
            .map(|d| d.to_string())
            .into_iter()
            .chain(page.author.clone())
            .collect();
        let title_block = TitleBlock {
            title,
            byline: (!byline.is_empty()).then(|| byline.join(" · ")),
        };
        (title_block, doc)
    }

    /// Turns a link as written in `from_dir` into what a reader can follow: URLs with a scheme
    /// stay; a path to a capsule source becomes its route; any other path becomes an absolute
    /// route. Fragments are dropped (neither protocol has anchors); a path that climbs out of
    /// the capsule is left as written.
    pub fn resolve_link(&self, from_dir: &str, target: &str) -> String {
        if has_scheme(target) || target.starts_with("//") {
            return target.to_string();
        }
        let without_fragment = target.split('#').next().unwrap_or("");
        let (path, query) = match without_fragment.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (without_fragment, None),
        };
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let joined = match decoded.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None if from_dir.is_empty() => decoded.to_string(),
            None => format!("{from_dir}/{decoded}"),
        };
        let mut segments: Vec<&str> = Vec::new();
        for segment in joined.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    if segments.pop().is_none() {
                        return target.to_string();
                    }
                }
                segment => segments.push(segment),
            }
        }
        let rel = segments.join("/");
        let mut route = match self.source_routes.get(&rel) {
            Some(route) => route.to_string(),
            None if decoded.ends_with('/') && !rel.is_empty() => format!("/{rel}/"),
            None => format!("/{rel}"),
        };
        route = link_to(&route);
        if let Some(query) = query {
            route.push('?');
            route.push_str(query);
        }
        route
    }

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
        let settings = &self.settings;
        let mut blocks = vec![Block::Heading {
            level: 1,
            content: vec![Inline::Text(settings.title.clone())],
        }];
        // Only as many post links as the page shows.
        let shown_posts = match index {
            Index::Home => HOME_POSTS,
            Index::Posts => usize::MAX,
            Index::Tags | Index::Tag(_) => 0,
        };
        let posts: Vec<Link> = self
            .posts()
            .take(shown_posts)
            .map(Site::post_link)
            .collect();
        match index {
            Index::Home => {
                if let Some(description) = &settings.description {
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
            Index::Posts => {
                blocks.push(heading(2, "All posts"));
                if posts.is_empty() {
                    blocks.push(Block::Paragraph(vec![Inline::Text(
                        "Nothing here yet.".to_string(),
                    )]));
                } else {
                    blocks.push(Block::Links(posts));
                }
                blocks.push(Block::Links(vec![local_link("/", "Home")]));
            }
            Index::Tags => {
                blocks.push(heading(2, "Tags"));
                let tags = self
                    .tags
                    .iter()
                    .map(|tag| {
                        let count = match tag.posts.len() {
                            1 => "1 post".to_string(),
                            n => format!("{n} posts"),
                        };
                        let route = link_to(&format!("/tags/{}", tag.slug));
                        local_link(&route, &format!("{} ({count})", tag.name))
                    })
                    .collect();
                blocks.push(Block::Links(tags));
                blocks.push(Block::Links(vec![local_link("/", "Home")]));
            }
            Index::Tag(i) => {
                let Some(tag) = self.tags.get(i) else {
                    return Document::default();
                };
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
        }
        Document {
            blocks,
            notes: Vec::new(),
        }
    }

    /// The results of a search as a document: best matches first, each with an excerpt.
    pub fn search_document(&self, query: &str) -> Document {
        let query = collapse_spaces(query);
        let mut hits = self.search_index().search(&query);
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
        let from_body = read_source(&page.source).ok().and_then(|text| {
            let body = page::split(&text).ok()?.body.to_string();
            search::excerpt(&body, query, EXCERPT_CHARS)
        });
        from_body
            .or_else(|| page.description.clone())
            .unwrap_or_default()
    }
}

impl ItemTypes for Site {
    fn item_type(&self, route: &str) -> char {
        let path = route.split('?').next().unwrap_or(route);
        match self.route(path) {
            Some(Route::Page(_)) => '0',
            Some(Route::Index(..) | Route::Redirect(_)) => '1',
            Some(Route::Feed(_)) => '0',
            Some(Route::Search) => '7',
            Some(Route::File(file)) => gopher::item_type_of(&super::media_type(&file.path)),
            None if path.ends_with("/links") => '1',
            None => '0',
        }
    }
}

fn heading(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        content: vec![Inline::Text(text.to_string())],
    }
}

fn local_link(route: &str, label: &str) -> Link {
    Link {
        label: label.to_string(),
        target: route.to_string(),
        is_image: false,
    }
}

/// Reads a source as UTF-8 text, or says why not.
pub fn read_source(path: &Path) -> Result<String, Problem> {
    let bytes =
        fs::read(path).map_err(|err| Problem::error(path, format!("cannot read: {err}")))?;
    String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Problem::error(path, "not valid UTF-8; save it as UTF-8".to_string()).at_line(line)
    })
}

/// `scheme:` at the start, as RFC 3986 spells a scheme.
fn has_scheme(target: &str) -> bool {
    match target.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// A tag as a route name: lower case, white space as `-`, characters that mean something in
/// a URL or a selector dropped.
pub fn tag_slug(tag: &str) -> String {
    let lowered = tag.trim().to_lowercase();
    let kept: String = lowered
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))
        .collect();
    let mut slug = String::with_capacity(kept.len());
    for c in kept.chars() {
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    slug.trim_matches(['-', '.']).to_string()
}

/// A file name without a leading `YYYY-MM-DD-`.
fn default_slug(stem: &str) -> &str {
    match (stem.get(..10), stem.get(10..)) {
        (Some(date), Some(rest)) if Date::parse(date).is_some() => rest
            .strip_prefix('-')
            .filter(|s| !s.is_empty())
            .unwrap_or(stem),
        _ => stem,
    }
}

fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && !slug.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '%')
        })
}

/// The text of the first level-1 ATX heading outside code fences: a title for an untitled file.
fn first_heading(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some("```");
        } else if trimmed.starts_with("~~~") {
            fence = Some("~~~");
        } else if let Some(text) = trimmed.strip_prefix("# ") {
            let text = collapse_spaces(text.trim_end_matches('#'));
            if !text.is_empty() {
                return Some(text);
            }
        }
    }
    None
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

    fn site_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let settings = Settings {
            title: "Test".into(),
            author: Some("Site Author".into()),
            description: None,
            lang: "en".into(),
            hostname: "localhost".into(),
            content: dir.path().to_path_buf(),
            excluded: Vec::new(),
            cache_bytes: 1 << 20,
            gemini_port: Some(1965),
            gopher: None,
        };
        let site = Site::build(Arc::new(settings)).unwrap();
        (dir, site)
    }

    fn routes_of(site: &Site) -> Vec<String> {
        let mut routes: Vec<String> = site.routes.keys().cloned().collect();
        routes.sort();
        routes
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
        let titles: Vec<&str> = site
            .standalone_pages()
            .iter()
            .map(|p| p.title.as_str())
            .collect();
        assert_eq!(titles, ["The Heading", "two"]);
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
        assert_eq!(tag_slug("  C++ / Rust?  "), "c++-rust");
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
        let doc = site.search_document("refurbished");
        let Some(Block::Entries(entries)) = doc.blocks.get(2) else {
            panic!("{doc:?}")
        };
        let found: Vec<&str> = entries.iter().map(|e| e.link.target.as_str()).collect();
        assert_eq!(found, ["/posts/b", "/posts/a"]);
        assert_eq!(entries[1].summary, "Tomatoes and a refurbished laptop.");
    }

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
