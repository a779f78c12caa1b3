//! Tags: the posts gathered under each tag a writer gave them, and the tag's route name.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::page::Page;
use super::problem::Problem;

/// Two spellings of one tag: the same words, whatever their case.
fn same_tag(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// A tag and the posts under it.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The route name: lower case, spaces as `-`.
    pub slug: String,
    /// The tag as a writer first spelled it.
    pub name: String,
    /// Indexes into the pages, newest first.
    pub(super) posts: Vec<usize>,
}

impl Tag {
    /// How many posts carry it.
    pub fn count(&self) -> usize {
        self.posts.len()
    }

    /// The route of the tag's page.
    pub fn route(&self) -> String {
        route_of(&self.slug)
    }
}

/// The route of the page of the tag with this slug.
pub fn route_of(slug: &str) -> String {
    format!("/tags/{slug}")
}

/// The tags of `posts` (indexes into `pages`, newest first), by slug; each tag's posts newest
/// first. `root` is the content folder, where problems name the files.
pub fn collect(
    root: &Path,
    pages: &[Arc<Page>],
    posts: &[usize],
    problems: &mut Vec<Problem>,
) -> Vec<Tag> {
    let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
    // Each spelling's slug, worked out once: a blog has few tags and many posts.
    let mut slugs: FxHashMap<&str, String> = FxHashMap::default();
    // Oldest first, so a tag is named as a writer first spelled it.
    for &i in posts.iter().rev() {
        let Some(page) = pages.get(i) else { continue };
        for name in &page.tags {
            let slug = slugs.entry(name).or_insert_with(|| tag_slug(name));
            if slug.is_empty() {
                continue;
            }
            if !tags.contains_key(slug.as_str()) {
                let tag = Tag {
                    slug: slug.clone(),
                    name: name.to_string(),
                    posts: Vec::new(),
                };
                tags.insert(slug.clone(), tag);
            }
            let Some(tag) = tags.get_mut(slug.as_str()) else {
                continue;
            };
            if *tag.name != **name && !same_tag(&tag.name, name) {
                problems.push(Problem::warning(
                    &root.join(page.file()),
                    format!(
                        "tag \"{name}\" shares the page /tags/{} with \"{}\"; spell them alike, or apart",
                        tag.slug, tag.name
                    ),
                ));
            }
            if tag.posts.last() != Some(&i) {
                tag.posts.push(i);
            }
        }
    }
    let mut tags: Vec<Tag> = tags.into_values().collect();
    for tag in &mut tags {
        tag.posts.reverse();
    }
    tags
}

/// A tag as a route name: lower case, white space (and the `/` and `\\` no route segment can
/// hold) as `-`, every other character kept (links percent-encode what a URL must), so `c#`
/// and `c` are two tags.
pub fn tag_slug(tag: &str) -> String {
    let lowered = tag.trim().to_lowercase();
    let kept: String = lowered
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c.is_whitespace() || matches!(c, '/' | '\\') {
            true => '-',
            false => c,
        })
        .collect();
    let mut slug = String::with_capacity(kept.len());
    for c in kept.chars() {
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    slug.trim_matches(['-', '.']).to_string()
}
