//! Walking the content folder: which files exist and may be served.
//!
//! This is where the capsule's boundary is drawn, once, before any request arrives: dotfiles and
//! dot-folders are left out (`.well-known/` excepted), a symlink is followed only when its target
//! lies inside the content folder, excluded folders (the certificates) are never entered, and
//! names that are not UTF-8 are reported rather than served. Requests are later answered from
//! the table built from this walk, so no request path is ever joined onto the filesystem.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::problem::Problem;

/// How deep folders may nest; deeper ones are reported and left out.
const MAX_DEPTH: usize = 32;

/// A file that may be served.
#[derive(Debug, Clone)]
pub struct Found {
    /// Where to read it (inside the content folder, symlinks resolved).
    pub path: PathBuf,
    /// Its path below the content folder with `/` separators, as routes are written.
    pub rel: String,
}

/// Every servable file below `root` (which must be canonical), sorted by `rel`, and the reasons
/// for whatever was left out that a writer would want to know about.
pub fn walk(root: &Path, excluded: &[PathBuf]) -> (Vec<Found>, Vec<Problem>) {
    let mut walker = Walker {
        root,
        excluded,
        found: Vec::new(),
        problems: Vec::new(),
        visited: HashSet::new(),
    };
    walker.visit(root, "", 0);
    walker.found.sort_by(|a, b| a.rel.cmp(&b.rel));
    (walker.found, walker.problems)
}

struct Walker<'a> {
    root: &'a Path,
    excluded: &'a [PathBuf],
    found: Vec<Found>,
    problems: Vec<Problem>,
    /// Canonical folders already walked, so a symlink loop ends.
    visited: HashSet<PathBuf>,
}

impl Walker<'_> {
    fn visit(&mut self, dir: &Path, rel_dir: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.problems.push(Problem::warning(
                dir,
                format!("folders nest deeper than {MAX_DEPTH} levels; the rest is not served"),
            ));
            return;
        }
        if !self.visited.insert(dir.to_path_buf()) {
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.problems.push(Problem::error(
                    dir,
                    format!("cannot read this folder: {err}"),
                ));
                return;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                self.problems.push(Problem::warning(
                    &path,
                    "file name is not UTF-8; rename it to serve it".to_string(),
                ));
                continue;
            };
            let is_well_known = depth == 0 && name == ".well-known";
            if name.starts_with('.') && !is_well_known {
                continue;
            }
            // Resolve symlinks and keep only what stays inside the capsule.
            let Ok(real) = fs::canonicalize(&path) else {
                self.problems.push(Problem::warning(
                    &path,
                    "broken symlink; not served".to_string(),
                ));
                continue;
            };
            if !real.starts_with(self.root) {
                self.problems.push(Problem::warning(
                    &path,
                    "symlink points outside the content folder; not served".to_string(),
                ));
                continue;
            }
            if self.excluded.iter().any(|ex| real.starts_with(ex)) {
                continue;
            }
            let rel = if rel_dir.is_empty() {
                name
            } else {
                format!("{rel_dir}/{name}")
            };
            match fs::metadata(&real) {
                Ok(meta) if meta.is_dir() => self.visit(&real, &rel, depth + 1),
                Ok(meta) if meta.is_file() => self.found.push(Found { path: real, rel }),
                Ok(_) => {}
                Err(err) => self
                    .problems
                    .push(Problem::error(&path, format!("cannot read: {err}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(root: &Path, excluded: &[PathBuf]) -> Vec<String> {
        let root = fs::canonicalize(root).unwrap();
        walk(&root, excluded).0.into_iter().map(|f| f.rel).collect()
    }

    #[test]
    fn dotfiles_are_hidden_except_well_known() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::create_dir_all(root.join(".well-known")).unwrap();
        fs::create_dir_all(root.join("posts/.drafts")).unwrap();
        fs::write(root.join(".git/config"), "x").unwrap();
        fs::write(root.join(".env"), "x").unwrap();
        fs::write(root.join(".well-known/security.txt"), "x").unwrap();
        fs::write(root.join("posts/.drafts/a.md"), "x").unwrap();
        fs::write(root.join("posts/b.md"), "x").unwrap();
        assert_eq!(rels(root, &[]), [".well-known/security.txt", "posts/b.md"]);
    }

    #[test]
    fn symlinks_out_of_the_capsule_and_excluded_folders_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("inside.txt"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("leak")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("leakdir")).unwrap();
        std::os::unix::fs::symlink(root.join("inside.txt"), root.join("alias.txt")).unwrap();
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        fs::create_dir(root.join("certs")).unwrap();
        fs::write(root.join("certs/key.pem"), "x").unwrap();
        let excluded = [fs::canonicalize(root.join("certs")).unwrap()];
        assert_eq!(rels(root, &excluded), ["alias.txt", "inside.txt"]);
    }
}
