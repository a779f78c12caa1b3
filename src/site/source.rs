//! A markdown source read once: its text and where its body starts, shared by everything that
//! needs the file for one use (building the snapshot, indexing, rendering, excerpts, check), so
//! no use reads or splits it twice.

use std::fs;
use std::path::Path;

use super::front::{self, FrontMatter};
use super::problem::Problem;

/// A source file's text, with its front matter block located but not yet read.
#[derive(Debug, Clone)]
pub struct Source {
    text: String,
    /// Byte range of the front matter block (between its fences), and how it is written.
    block: Option<(usize, usize, front::Format)>,
    body_start: usize,
}

impl Source {
    /// Reads `path` as UTF-8 text and finds its body, or says why it cannot be served.
    pub fn read(path: &Path) -> Result<Source, Problem> {
        Source::from_text(path, read_text(path)?)
    }

    /// A source from text already read (`path` names it in problems).
    pub fn from_text(path: &Path, text: String) -> Result<Source, Problem> {
        let located = front::locate(&text)
            .map_err(|err| Problem::error(path, err.message.clone()).at_line(err.line))?;
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

/// Reads a file of the capsule as UTF-8 text, or says why not.
pub fn read_text(path: &Path) -> Result<String, Problem> {
    let bytes =
        fs::read(path).map_err(|err| Problem::error(path, format!("cannot read: {err}")))?;
    String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Problem::error(path, "not valid UTF-8; save it as UTF-8".to_string()).at_line(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_read_gives_front_matter_and_body() {
        let path = Path::new("x.md");
        let source = Source::from_text(path, "---\ntitle: T\n---\n\nbody".to_string()).unwrap();
        assert_eq!(source.body(), "\nbody");
        assert_eq!(source.lines_before_body(), 3);
        assert_eq!(
            source.front_matter(path).unwrap().title.as_deref(),
            Some("T")
        );
        let plain = Source::from_text(path, "just text".to_string()).unwrap();
        assert_eq!(plain.body(), "just text");
        assert_eq!(plain.front_matter(path).unwrap(), FrontMatter::default());
        let broken = Source::from_text(path, "---\nnever closed\n".to_string()).unwrap_err();
        assert_eq!(broken.line, Some(1));
    }
}
