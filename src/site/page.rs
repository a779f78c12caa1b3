//! A post or page: what its source's front matter says, resolved against the site's defaults,
//! and the route it is served at.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use super::front::Date;
use super::links::folder_of;
use super::problem::Problem;
use super::settings::Settings;
use super::source::Source;
use crate::doc::outline;

#[derive(Debug, Clone)]
pub struct Page {
    pub route: Arc<str>,
    /// The source's path below the content folder, `/`-separated, as the writer sees it.
    pub rel: String,
    /// Where the source is opened below the content folder (symlinks the scan vetted
    /// resolved).
    pub file: String,
    pub title: String,
    pub date: Option<Date>,
    pub author: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub lang: Option<String>,
    pub toc: bool,
    /// Routes it was served at before, each answered with a redirect to `route`.
    pub aliases: Vec<String>,
    /// Front matter keys that look misspelt: (line, key, the key likely meant).
    pub misspelt: Vec<(usize, String, &'static str)>,
    pub is_post: bool,
    /// True when neither front matter nor a heading gave a title (the file name stands in).
    pub untitled: bool,
    /// When the source last changed, as the scan saw it; dates undated posts in the feed.
    pub modified: Option<SystemTime>,
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
        rel: rel.to_string(),
        file: at.file.to_string(),
        title,
        date: meta.date,
        author: meta.author.or_else(|| settings.author.clone()),
        description: meta.description,
        tags: meta.tags,
        lang: meta.lang,
        toc: meta.toc,
        aliases: meta.aliases,
        misspelt: meta.misspelt,
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
