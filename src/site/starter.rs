//! `gemhole new`: a post or page begun for a writer, named and front-mattered as the capsule
//! expects, so that it is served the moment it is saved.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::front::Date;

/// What to begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Under `posts/`, dated, with an empty tag list.
    Post,
    /// At the top of the capsule.
    Page,
}

/// A source just written: where, and the route it is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begun {
    pub path: PathBuf,
    pub route: String,
}

/// Writes a new source titled `title` in the capsule at `content`; never replaces a file.
pub fn begin(content: &Path, title: &str, kind: Kind, today: Date) -> io::Result<Begun> {
    let slug = slug(title);
    if slug.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{title:?} has no letters or digits to name a file after; give another title"),
        ));
    }
    let quoted = title.replace('\\', "\\\\").replace('"', "\\\"");
    let (path, route, text) = match kind {
        Kind::Post => (
            content.join("posts").join(format!("{today}-{slug}.md")),
            format!("/posts/{slug}"),
            format!("---\ntitle: \"{quoted}\"\ndate: {today}\ntags: []\n---\n\n"),
        ),
        Kind::Page => (
            content.join(format!("{slug}.md")),
            format!("/{slug}"),
            format!("---\ntitle: \"{quoted}\"\n---\n\n"),
        ),
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|err| match err.kind() {
            io::ErrorKind::AlreadyExists => io::Error::new(
                err.kind(),
                format!(
                    "{} exists already; it is left as it is (give another title)",
                    path.display()
                ),
            ),
            _ => err,
        })?;
    file.write_all(text.as_bytes())?;
    Ok(Begun { path, route })
}

/// A title as a file and route name: lower case letters and digits, `-` between words.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_begun_once_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let today = Date::parse("2024-06-01").unwrap();
        let begun = begin(dir.path(), "Hello, \"World\"!", Kind::Post, today).unwrap();
        assert_eq!(begun.route, "/posts/hello-world");
        assert!(begun.path.ends_with("posts/2024-06-01-hello-world.md"));
        let text = std::fs::read_to_string(&begun.path).unwrap();
        assert_eq!(
            text,
            "---\ntitle: \"Hello, \\\"World\\\"!\"\ndate: 2024-06-01\ntags: []\n---\n\n"
        );
        let again = begin(dir.path(), "Hello, World", Kind::Post, today).unwrap_err();
        assert!(again.to_string().contains("exists already"), "{again}");
        let page = begin(dir.path(), "Now", Kind::Page, today).unwrap();
        assert_eq!(page.route, "/now");
        assert!(begin(dir.path(), "!!!", Kind::Page, today).is_err());
    }
}
