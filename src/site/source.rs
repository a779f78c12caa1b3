//! A markdown source read once: its text and where its body starts, shared by everything that
//! needs the file for one use (building the snapshot, indexing, rendering, excerpts, check), so
//! no use reads or splits it twice.
//!
//! Sources are read through [`Folder`]: below the content folder, through no symlink, regular
//! files only, never blocking, and only up to `[limits] max_source_kib`; a front matter block
//! longer than `max_front_matter_kib` is refused before any parser sees it.

use std::fs::File;
use std::io;
use std::path::Path;

use super::front::{self, FrontMatter};
use super::problem::Problem;
use super::settings::SizeLimits;
use crate::files::{self, Folder, ReadError};

/// A source file's text, with its front matter block located but not yet read.
#[derive(Debug, Clone)]
pub struct Source {
    text: String,
    /// Byte range of the front matter block (between its fences), and how it is written.
    block: Option<(usize, usize, front::Format)>,
    body_start: usize,
}

/// Why a source was not read.
#[derive(Debug, Clone)]
pub struct SourceError {
    pub problem: Problem,
    /// The file could not be read just now (out of file descriptors, an I/O error): nothing
    /// says it is wrong, and what was served from it before should stay.
    pub transient: bool,
}

impl From<SourceError> for Problem {
    fn from(err: SourceError) -> Problem {
        err.problem
    }
}

impl Source {
    /// Reads the source at `file` below `folder`; `path` names it in problems.
    pub fn read(
        folder: &Folder,
        file: &str,
        path: &Path,
        sizes: &SizeLimits,
    ) -> Result<Source, SourceError> {
        let text = read_text(folder.open_file(file), path, sizes.source)?;
        Source::from_text(path, text, sizes).map_err(|problem| SourceError {
            problem,
            transient: false,
        })
    }

    /// A source from text already read (`path` names it in problems).
    pub fn from_text(path: &Path, text: String, sizes: &SizeLimits) -> Result<Source, Problem> {
        let located = front::locate(&text)
            .map_err(|err| Problem::error(path, err.message.clone()).at_line(err.line))?;
        if let Some((block, _)) = located.block {
            if block.len() as u64 > sizes.front_matter {
                return Err(Problem::error(
                    path,
                    format!(
                        "front matter is {} KiB, more than [limits] max_front_matter_kib = {}; shorten it (the body goes after the closing line)",
                        block.len().div_ceil(1024),
                        sizes.front_matter / 1024
                    ),
                )
                .at_line(1));
            }
        }
        let offset = |part: &str| part.as_ptr() as usize - text.as_ptr() as usize;
        let block = located
            .block
            .map(|(block, format)| (offset(block), offset(block) + block.len(), format));
        let body_start = offset(located.body);
        Ok(Source {
            block,
            body_start,
            text,
        })
    }

    /// What the front matter says (nothing, when there is none).
    pub fn front_matter(&self, path: &Path) -> Result<FrontMatter, Problem> {
        let Some((start, end, format)) = self.block else {
            return Ok(FrontMatter::default());
        };
        let block = self.text.get(start..end).unwrap_or_default();
        front::parse_block(block, format)
            .map_err(|err| Problem::error(path, err.message.clone()).at_line(err.line))
    }

    /// The markdown after the front matter.
    pub fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    /// How many lines come before the body: add it to a line of the body to get the file's.
    pub fn lines_before_body(&self) -> usize {
        let head = self.text.get(..self.body_start).unwrap_or_default();
        head.matches('\n').count()
    }
}

/// The text of the file at `path`, anywhere (a file given on the command line), read as a
/// capsule file is: regular files only, without blocking, up to `max` bytes, as UTF-8.
pub fn read_path(path: &Path, max: u64) -> Result<String, SourceError> {
    read_text(files::open_regular(path), path, max)
}

/// The text of a file just opened (or the reason it could not be), read up to `max` bytes as
/// UTF-8; `path` names it in problems.
pub fn read_text(opened: io::Result<File>, path: &Path, max: u64) -> Result<String, SourceError> {
    let unreadable = |err: &io::Error| SourceError {
        problem: Problem::error(path, format!("cannot read: {err}")),
        transient: is_transient(err),
    };
    let file = opened.map_err(|err| unreadable(&err))?;
    let bytes = files::read_bounded(file, max).map_err(|err| match err {
        ReadError::TooLarge { len, max } => SourceError {
            problem: Problem::error(
                path,
                format!(
                    "is {} KiB, more than [limits] max_source_kib = {}; not served (split it, or raise the limit)",
                    len.div_ceil(1024),
                    max / 1024
                ),
            ),
            transient: false,
        },
        ReadError::Io(err) => unreadable(&err),
    })?;
    String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        SourceError {
            problem: Problem::error(path, "not valid UTF-8; save it as UTF-8".to_string())
                .at_line(line),
            transient: false,
        }
    })
}

/// An error that says the file could not be read now, not that it is wrong: out of file
/// descriptors or memory, an I/O error. (A permission refused is the writer's to fix, and is
/// reported like any broken file.)
pub(super) fn is_transient(err: &io::Error) -> bool {
    use rustix::io::Errno;
    [
        Errno::IO,
        Errno::NOMEM,
        Errno::NFILE,
        Errno::MFILE,
        Errno::AGAIN,
    ]
    .iter()
    .any(|errno| err.raw_os_error() == Some(errno.raw_os_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes() -> SizeLimits {
        SizeLimits {
            source: 1 << 20,
            front_matter: 64,
            page: 1 << 20,
        }
    }

    #[test]
    fn one_read_gives_front_matter_and_body() {
        let path = Path::new("x.md");
        let text = "---\ntitle: T\n---\n\nbody".to_string();
        let source = Source::from_text(path, text, &sizes()).unwrap();
        assert_eq!(source.body(), "\nbody");
        assert_eq!(source.lines_before_body(), 3);
        assert_eq!(
            source.front_matter(path).unwrap().title.as_deref(),
            Some("T")
        );
        let plain = Source::from_text(path, "just text".to_string(), &sizes()).unwrap();
        assert_eq!(plain.body(), "just text");
        assert_eq!(plain.front_matter(path).unwrap(), FrontMatter::default());
        let broken = Source::from_text(path, "---\nnever closed\n".to_string(), &sizes());
        assert_eq!(broken.unwrap_err().line, Some(1));
    }

    #[test]
    fn front_matter_and_sources_over_their_bounds_are_refused() {
        let path = Path::new("x.md");
        let long = format!("---\ntitle: {}\n---\nbody", "x".repeat(100));
        let err = Source::from_text(path, long, &sizes()).unwrap_err();
        assert!(err.message.contains("max_front_matter_kib"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.md"), vec![b'a'; 2000]).unwrap();
        let folder = Folder::open(dir.path()).unwrap();
        let small = SizeLimits {
            source: 1000,
            ..sizes()
        };
        let err = Source::read(&folder, "big.md", Path::new("big.md"), &small).unwrap_err();
        assert!(
            err.problem.message.contains("max_source_kib"),
            "{}",
            err.problem
        );
        assert!(!err.transient);
        let gone = Source::read(&folder, "gone.md", Path::new("gone.md"), &small).unwrap_err();
        assert!(!gone.transient);
    }
}
