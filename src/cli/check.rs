//! `gemhole check`: every problem in the capsule, one line each; exit 1 on errors.

use std::process::ExitCode;
use std::sync::Arc;

use crate::config::Config;
use crate::content;
use crate::site::{self, Severity, Site};

/// `1 error`, `2 errors`.
fn counted(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

pub fn check(config: &Config) -> anyhow::Result<ExitCode> {
    let site = Site::build(Arc::new(config.configured_content_settings()))?;
    let mut problems = site::check::check(&site);
    problems.extend(content::oversized_pages(&site));
    let here = std::env::current_dir().unwrap_or_default();
    for problem in &problems {
        let mut shown = problem.clone();
        if let Ok(relative) = problem.path.strip_prefix(&here) {
            shown.path = relative.to_path_buf();
        }
        println!("{shown}");
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    println!(
        "{}: {}, {}, {}",
        config.site.content.display(),
        counted(site.pages().len(), "page or post", "pages and posts"),
        counted(errors, "error", "errors"),
        counted(warnings, "warning", "warnings")
    );
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
