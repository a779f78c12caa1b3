//! What the site needs to know of the configuration: the site's words, where the capsule is,
//! and the public addresses it puts in links.

use std::path::PathBuf;
use std::sync::Arc;

/// Bounds on what is read and rendered, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimits {
    /// A markdown or gemtext source read into memory.
    pub source: u64,
    /// A source's front matter block.
    pub front_matter: u64,
    /// A rendered page; a longer one is cut, with a note saying so.
    pub page: u64,
}

/// Gopher text width when none is configured.
pub const DEFAULT_WRAP: usize = 70;

#[derive(Debug, Clone)]
pub struct Settings {
    pub title: String,
    pub author: Option<Arc<str>>,
    pub description: Option<String>,
    pub lang: String,
    /// The public host name, for absolute links.
    pub hostname: String,
    /// The content folder.
    pub content: PathBuf,
    /// Folders inside the content folder that are never served (the certificates).
    pub excluded: Vec<PathBuf>,
    /// Upper bound of the rendered-body cache, in bytes.
    pub cache_bytes: u64,
    /// Bounds on what is read and rendered.
    pub sizes: SizeLimits,
    /// The public Gemini port, when Gemini is served.
    pub gemini_port: Option<u16>,
    /// How Gopher is served, when it is.
    pub gopher: Option<GopherSettings>,
    /// Old routes and where they lead now (`[redirects]`).
    pub redirects: Vec<(String, String)>,
}

/// The public side of the Gopher listener.
#[derive(Debug, Clone)]
pub struct GopherSettings {
    pub port: u16,
    /// Text width in display columns.
    pub wrap: usize,
    /// Every word in ASCII, transliterated, for old clients.
    pub ascii: bool,
}

#[cfg(test)]
impl Settings {
    /// Settings for a test capsule in `content`: Gemini on its default port, no Gopher.
    pub fn for_tests(content: &std::path::Path) -> Settings {
        Settings {
            title: "Test".into(),
            author: Some("Site Author".into()),
            description: None,
            lang: "en".into(),
            hostname: "localhost".into(),
            content: content.to_path_buf(),
            excluded: Vec::new(),
            cache_bytes: 1 << 20,
            sizes: SizeLimits {
                source: 1 << 20,
                front_matter: 64 << 10,
                page: 2 << 20,
            },
            gemini_port: Some(1965),
            gopher: None,
            redirects: Vec::new(),
        }
    }
}
