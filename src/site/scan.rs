//! Walking the content folder: which files exist and may be served.
//!
//! This is where the capsule's boundary is drawn, once, before any request arrives: dotfiles and
//! dot-folders are left out (`.well-known/` excepted), a symlink is followed only when its target
//! lies inside the content folder, excluded folders (the certificates) are never entered, and
//! names that are not UTF-8 are reported rather than served. Requests are later answered from
//! the table built from this walk, so no request path is ever joined onto the filesystem.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::problem::Problem;
use super::source::is_transient;

/// How deep folders may nest; deeper ones are reported and left out.
const MAX_DEPTH: usize = 32;

/// A file that may be served.
#[derive(Debug, Clone)]
pub struct Found {
    /// Where it is (inside the content folder, symlinks resolved), for messages.
    pub path: PathBuf,
    /// Its path below the content folder with `/` separators, as routes are written.
    pub rel: String,
    /// Where it is below the content folder once the symlinks the walk vetted are resolved:
    /// what is opened, through no symlink at all.
    pub file: String,
    /// The file as the walk saw it.
    pub stamp: Stamp,
}

/// What tells a file unchanged since it was last read: the same inode on the same device, the
/// same length, and the same modification and status-change times (a write moves both; only
/// `touch` can set the first back, and nothing the second). Kept for every file of the capsule,
/// so the times are single numbers of nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    /// When the file's status last changed, in nanoseconds since the epoch.
    changed: i64,
    /// When the file was last modified, the same way; [`NO_TIME`] when the system has no time.
    modified: i64,
}

/// A modification time the system could not give.
const NO_TIME: i64 = i64::MIN;

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Stamp {
        let nanos =
            |secs: i64, nanos: i64| secs.saturating_mul(1_000_000_000).saturating_add(nanos);
        Stamp {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            changed: nanos(meta.ctime(), meta.ctime_nsec()),
            modified: match meta.modified() {
                Ok(_) => nanos(meta.mtime(), meta.mtime_nsec()).max(NO_TIME + 1),
                Err(_) => NO_TIME,
            },
        }
    }

    /// The file's device and inode: which file it is, whatever its name.
    pub fn inode(&self) -> (u64, u64) {
        (self.device, self.inode)
    }

    /// When the file's status last changed, in nanoseconds since the epoch, and whether the
    /// file system keeps such times finer than a second (it gave a fraction).
    pub fn changed_nanos(&self) -> (i128, bool) {
        (i128::from(self.changed), self.changed % 1_000_000_000 != 0)
    }

    /// When the file was last modified.
    pub fn modified(&self) -> Option<SystemTime> {
        let since = Duration::from_nanos(self.modified.unsigned_abs());
        match self.modified {
            NO_TIME => None,
            0.. => UNIX_EPOCH.checked_add(since),
            _ => UNIX_EPOCH.checked_sub(since),
        }
    }
}

/// What a walk found: the servable files sorted by `rel`, the reasons for whatever was left
/// out that a writer would want to know about, and the folders and files that could not be
/// read at all (the walk is then not the whole capsule).
pub struct Walk {
    pub found: Vec<Found>,
    pub problems: Vec<Problem>,
    pub unreadable: Vec<Problem>,
}

/// Every servable file below `root` (which must be canonical).
pub fn walk(root: &Path, excluded: &[PathBuf]) -> Walk {
    let mut walker = Walker {
        root,
        excluded,
        walk: Walk {
            found: Vec::new(),
            problems: Vec::new(),
            unreadable: Vec::new(),
        },
        visited: HashSet::new(),
    };
    walker.visit(root, "", "", 0);
    walker.walk.found.sort_by(|a, b| a.rel.cmp(&b.rel));
    walker.walk
}

struct Walker<'a> {
    root: &'a Path,
    excluded: &'a [PathBuf],
    walk: Walk,
    /// Canonical folders already walked, so a symlink loop ends.
    visited: HashSet<PathBuf>,
}

impl Walker<'_> {
    /// Walks `dir`, which the writer sees as `rel_dir` and which lies at `file_dir` below the
    /// content folder once symlinks are resolved (the two differ below a symlinked folder).
    fn visit(&mut self, dir: &Path, rel_dir: &str, file_dir: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.walk.problems.push(Problem::warning(
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
                self.cannot_read(dir, "cannot read this folder", &err);
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    self.cannot_read(dir, "cannot read this folder to the end", &err);
                    return;
                }
            };
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                self.walk.problems.push(Problem::warning(
                    &path,
                    "file name is not UTF-8; rename it to serve it".to_string(),
                ));
                continue;
            };
            let is_well_known = depth == 0 && name == ".well-known";
            if name.starts_with('.') && !is_well_known {
                continue;
            }
            if name.contains(['\t', '\r', '\n']) {
                self.walk.problems.push(Problem::warning(
                    &path,
                    "file name holds a TAB or line break, which no request can name; rename it to serve it".to_string(),
                ));
                continue;
            }
            // Resolve symlinks and keep only what stays inside the capsule. What is not a
            // symlink lies where its name says: the folder walked is canonical already.
            let is_symlink = entry.file_type().is_ok_and(|kind| kind.is_symlink());
            let (real, meta, file) = if is_symlink {
                let Ok(real) = fs::canonicalize(&path) else {
                    self.walk.problems.push(Problem::warning(
                        &path,
                        "broken symlink; not served".to_string(),
                    ));
                    continue;
                };
                if !real.starts_with(self.root) {
                    self.walk.problems.push(Problem::warning(
                        &path,
                        "symlink points outside the content folder; not served".to_string(),
                    ));
                    continue;
                }
                let meta = fs::metadata(&real);
                let Some(file) = below(self.root, &real) else {
                    continue;
                };
                (real, meta, file)
            } else {
                (path.clone(), entry.metadata(), joined(file_dir, &name))
            };
            if self.excluded.iter().any(|ex| real.starts_with(ex)) {
                continue;
            }
            let rel = joined(rel_dir, &name);
            match meta {
                Ok(meta) if meta.is_dir() => self.visit(&real, &rel, &file, depth + 1),
                Ok(meta) if meta.is_file() => self.walk.found.push(Found {
                    path: real,
                    rel,
                    file,
                    stamp: Stamp::of(&meta),
                }),
                Ok(_) => {}
                Err(err) => self.cannot_read(&path, "cannot read", &err),
            }
        }
    }

    /// Notes what could not be read: apart, when the reason may pass (the walk then missed
    /// part of the capsule), else as a problem of the capsule's.
    fn cannot_read(&mut self, path: &Path, what: &str, err: &std::io::Error) {
        let problem = Problem::error(path, format!("{what}: {err}"));
        match is_transient(err) {
            true => self.walk.unreadable.push(problem),
            false => self.walk.problems.push(problem),
        }
    }
}

/// `name` in the folder `dir` (`/`-separated, empty for the top), as a path below the top.
fn joined(dir: &str, name: &str) -> String {
    match dir.is_empty() {
        true => name.to_string(),
        false => format!("{dir}/{name}"),
    }
}

/// `path` below `root` as `/`-separated names, if it is below it and its names are UTF-8.
fn below(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let names: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(names?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(root: &Path, excluded: &[PathBuf]) -> Vec<String> {
        let root = fs::canonicalize(root).unwrap();
        walk(&root, excluded)
            .found
            .into_iter()
            .map(|f| f.rel)
            .collect()
    }

    #[test]
    fn a_stamp_gives_back_the_modification_time_before_and_after_the_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        let file = fs::File::create(&path).unwrap();
        for time in [
            SystemTime::now(),
            UNIX_EPOCH - Duration::new(86_400 * 365 * 30, 250_000_000),
        ] {
            file.set_modified(time).unwrap();
            let meta = fs::metadata(&path).unwrap();
            assert_eq!(Stamp::of(&meta).modified(), Some(time));
        }
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
