//! `gemhole check`: the capsule read as the server reads it, with everything a writer should
//! fix, one line each with its file and line.
//!
//! Errors are what the server leaves out or serves broken: front matter that does not parse,
//! dates that are not dates, files that are not UTF-8, routes taken twice, links to capsule
//! files that do not exist, missing images. Warnings are what it serves, but oddly: posts
//! without a date (listed last) or without a title (named after their file).

use std::path::Path;

use percent_encoding::percent_decode_str;

use super::document::PageLookup;
use super::links::folder_of;
use super::page::Page;
use super::problem::Problem;
use super::templates;
use super::Site;
use crate::doc::outline;

/// Every problem in the capsule, by file and line.
pub fn check(site: &Site) -> Vec<Problem> {
    let mut problems = site.problems().to_vec();
    problems.extend_from_slice(site.unreadable());
    for page in site.pages() {
        let path = site.source_path(page);
        if page.is_post && page.date.is_none() {
            problems.push(Problem::warning(
                &path,
                "post has no `date`; it is listed after the dated posts".to_string(),
            ));
        }
        for (line, key, likely) in &page.misspelt {
            problems.push(
                Problem::warning(
                    &path,
                    format!("`{key}` is not a key gemhole reads (it is ignored); did you mean `{likely}`?"),
                )
                .at_line(*line),
            );
        }
        if page.untitled {
            problems.push(Problem::warning(
                &path,
                "has no `title` and no `#` heading; its file name stands in".to_string(),
            ));
        }
        problems.extend(body_problems(site, page, &path));
    }
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    problems.dedup();
    problems
}

/// What a page's body holds that readers will not see as written: template tags taken out,
/// and links and images that point into the capsule at nothing. `source_path` names the source.
fn body_problems(site: &Site, page: &Page, source_path: &Path) -> Vec<Problem> {
    let Ok(source) = site.read_source(page.file(), source_path) else {
        return Vec::new();
    };
    let body_start_line = source.lines_before_body();
    let from_dir = folder_of(&page.rel);
    let lookup = PageLookup { site, page };
    let expanded = templates::expand(source.body(), &lookup);
    let mut problems: Vec<Problem> = expanded
        .removed
        .iter()
        .map(|(line, tag)| {
            Problem::warning(
                source_path,
                format!("template tag {tag} means nothing outside its generator; it is left out of what readers see"),
            )
            .at_line(body_start_line + line)
        })
        .collect();
    for link in outline::link_targets(&expanded.text) {
        let resolved = site.resolve_link(from_dir, &link.target);
        if !resolved.starts_with('/') {
            continue;
        }
        let path = resolved.split('?').next().unwrap_or(&resolved);
        let route = percent_decode_str(path).decode_utf8_lossy();
        if site.route(&route).is_none() {
            let what = if link.is_image {
                "image"
            } else {
                "link target"
            };
            problems.push(
                Problem::error(
                    source_path,
                    format!("{what} {} is not in the capsule", link.target),
                )
                .at_line(body_start_line + link.line),
            );
        }
    }
    problems
}
