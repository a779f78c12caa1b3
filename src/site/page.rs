//! A post or page: what its source's front matter says, resolved against the site's defaults,
//! and the route it is served at.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use rustc_hash::FxHashSet;

use super::front::Date;
use super::links::folder_of;
use super::problem::Problem;
use super::settings::Settings;
use super::source::Source;
use crate::doc::outline;

///
/// A snapshot holds one for every page of the capsule, so the rarer parts are boxed slices,
/// and the names many pages share (tags, authors) are shared strings (see [`SharedNames`]).
#[derive(Debug, Clone)]
pub struct Page {
    pub route: Arc<str>,
    /// The source's path below the content folder, `/`-separated, as the writer sees it.
    pub rel: Box<str>,
    /// Where the source is opened below the content folder, when that is not `rel` (a symlink
    /// the scan vetted, resolved): see [`Page::file`].
    opened: Option<Box<str>>,
    pub title: Box<str>,
    pub date: Option<Date>,
    pub author: Option<Arc<str>>,
    pub description: Option<Box<str>>,
    pub tags: Box<[Arc<str>]>,
    pub lang: Option<Box<str>>,
    pub toc: bool,
    /// Routes it was served at before, each answered with a redirect to `route`.
    pub aliases: Box<[String]>,
    /// Front matter keys that look misspelt: (line, key, the key likely meant).
    pub misspelt: Box<[(usize, String, &'static str)]>,
    pub is_post: bool,
    /// True when neither front matter nor a heading gave a title (the file name stands in).
    pub untitled: bool,
    /// When the source last changed, as the scan saw it; dates undated posts in the feed.
    pub modified: Option<SystemTime>,
}

impl Page {
    /// Where the source is opened below the content folder (symlinks the scan vetted
    /// resolved).
    pub fn file(&self) -> &str {
        self.opened.as_deref().unwrap_or(&self.rel)
    }

    /// Makes this page's tags and author the strings `names` holds, where it holds them.
    pub fn share_names(&mut self, names: &mut SharedNames) {
        for tag in self.tags.iter_mut() {
            names.share(tag);
        }
        if let Some(author) = &mut self.author {
            names.share(author);
        }
    }
}

/// Names many pages carry (a tag, an author), each kept once: a blog of 100,000 posts has a
/// few dozen tags.
#[derive(Default)]
pub struct SharedNames(FxHashSet<Arc<str>>);

impl SharedNames {
    /// Makes `name` the copy held here, keeping it when it is the first.
    fn share(&mut self, name: &mut Arc<str>) {
        match self.0.get(name) {
            Some(held) => *name = held.clone(),
            None => {
                self.0.insert(name.clone());
            }
        }
    }
}

/// True for the files that are posts and pages rather than files served as they are.
pub fn is_markdown(rel: &str) -> bool {
    rel.ends_with(".md") || rel.ends_with(".markdown")
}

/// Where a source is: its path for messages, its path below the content folder as the writer
/// sees it, and where it is opened.
pub struct Location<'a> {
    pub path: &'a Path,
    pub rel: &'a str,
    pub file: &'a str,
}

/// The page `source` describes, or `None` for a draft, which is never served.
pub fn describe(
    settings: &Settings,
    at: &Location<'_>,
    source: &Source,
) -> Result<Option<Page>, Problem> {
    let (path, rel) = (at.path, at.rel);
    let meta = source.front_matter(path)?;
    if meta.draft {
        return Ok(None);
    }
    let file_stem = rel
        .rsplit('/')
        .next()
        .unwrap_or(rel)
        .trim_end_matches(".markdown")
        .trim_end_matches(".md");
    // A page bundle (`folder/index.md`, Hugo's and Zola's layout; `_index.md` for a section)
    // is the folder's page: named after the folder, served at the folder's route.
    let bundle = matches!(file_stem, "index" | "_index");
    let folder = folder_of(rel);
    let stem = match (bundle, folder.rsplit('/').next()) {
        (true, Some(name)) if !name.is_empty() => name,
        _ => file_stem,
    };
    // Where the page's route goes: its folder's parent for a bundle, its own folder otherwise.
    let route_folder = match bundle {
        true => folder_of(folder),
        false => folder,
    };
    let found_title = meta
        .title
        .clone()
        .or_else(|| outline::first_heading(source.body()));
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
        match route_folder {
            "" => format!("/{slug}"),
            dir => format!("/{dir}/{slug}"),
        }
    };
    Ok(Some(Page {
        route: Arc::from(route),
        rel: rel.into(),
        opened: (at.file != rel).then(|| at.file.into()),
        title: title.into(),
        date: meta.date,
        author: meta
            .author
            .map(Arc::from)
            .or_else(|| settings.author.clone()),
        description: meta.description.map(String::into_boxed_str),
        tags: meta.tags.into_iter().map(Arc::from).collect(),
        lang: meta.lang.map(String::into_boxed_str),
        toc: meta.toc,
        aliases: meta.aliases.into(),
        misspelt: meta.misspelt.into(),
        is_post,
        untitled,
        modified: None,
    }))
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
