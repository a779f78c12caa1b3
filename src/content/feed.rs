//! The Atom 1.0 feed of the newest posts, written for one protocol at a time: every link in it
//! is a URL of the protocol the feed was fetched over, so a Gopher reader's feed reader stays in
//! Gopherspace and a Gemini reader's in Geminispace.
//!
//! Dates are days, so entries are stamped at noon UTC of their day; an undated post is stamped
//! with its file's modification time. All text is escaped; the feed is plain XML with the Atom
//! default namespace.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::site::{link_to, Page, Site};
use super::text::escape_markup as escape;
use super::Protocol;

/// How many posts the feed carries.
pub const ENTRIES: usize = 50;

pub const MEDIA_TYPE: &str = "application/atom+xml";

/// The feed of `site` as fetched over `protocol`.
pub fn atom(site: &Site, protocol: Protocol) -> String {
    let settings = &site.settings;
    let urls = Urls::new(site, protocol);
    let posts: Vec<&Page> = site.posts().take(ENTRIES).collect();
    let updated = posts
        .iter()
        .map(|page| timestamp(page))
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());

    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut xml, 1, "title", &settings.title);
    if let Some(description) = &settings.description {
        element(&mut xml, 1, "subtitle", description);
    }
    element(&mut xml, 1, "id", &urls.home);
    link(&mut xml, 1, "alternate", &urls.home);
    link(&mut xml, 1, "self", &urls.feed);
    element(&mut xml, 1, "updated", &updated);
    // Atom wants an author for the feed or for every entry; the site's name stands in.
    let site_author = settings.author.as_deref().unwrap_or(&settings.title);
    author(&mut xml, 1, site_author);
    element(&mut xml, 1, "generator", "gemhole");
    for page in posts {
        let url = urls.page(&page.route);
        xml.push_str("  <entry>\n");
        element(&mut xml, 2, "title", &page.title);
        element(&mut xml, 2, "id", &url);
        link(&mut xml, 2, "alternate", &url);
        let stamp = timestamp(page);
        element(&mut xml, 2, "published", &stamp);
        element(&mut xml, 2, "updated", &stamp);
        if let Some(name) = page.author.as_deref().filter(|name| *name != site_author) {
            author(&mut xml, 2, name);
        }
        if let Some(description) = &page.description {
            element(&mut xml, 2, "summary", description);
        }
        for tag in &page.tags {
            let _ = writeln!(xml, "    <category term=\"{}\"/>", escape(tag));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// The URLs a feed names, in one protocol's scheme.
struct Urls {
    home: String,
    feed: String,
    /// Prepended to a page's route.
    page_prefix: String,
}

impl Urls {
    fn new(site: &Site, protocol: Protocol) -> Urls {
        let host = &site.settings.hostname;
        match protocol {
            Protocol::Gemini => {
                let home = super::gemini_url(host, site.settings.gemini_port.unwrap_or(1965));
                let base = home.trim_end_matches('/').to_string();
                Urls {
                    feed: format!("{base}/atom.xml"),
                    page_prefix: base,
                    home,
                }
            }
            Protocol::Gopher => {
                let port = site.gopher_endpoint().port;
                Urls {
                    home: format!("gopher://{host}:{port}/1/"),
                    feed: format!("gopher://{host}:{port}/0/atom.xml"),
                    page_prefix: format!("gopher://{host}:{port}/0"),
                }
            }
        }
    }

    fn page(&self, route: &str) -> String {
        format!("{}{}", self.page_prefix, link_to(route))
    }
}

/// Noon UTC of the post's date, or its file's modification time when it has none.
fn timestamp(page: &Page) -> String {
    match page.date {
        Some(date) => format!("{date}T12:00:00Z"),
        None => rfc3339(page.modified.unwrap_or(SystemTime::UNIX_EPOCH)),
    }
}

fn rfc3339(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stamp = time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).unwrap_or(0))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        stamp.year(),
        u8::from(stamp.month()),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    )
}

fn indent(xml: &mut String, depth: usize) {
    xml.push_str(&"  ".repeat(depth));
}

fn element(xml: &mut String, depth: usize, name: &str, text: &str) {
    indent(xml, depth);
    let _ = writeln!(xml, "<{name}>{}</{name}>", escape(text));
}

fn link(xml: &mut String, depth: usize, rel: &str, href: &str) {
    indent(xml, depth);
    let _ = writeln!(xml, "<link rel=\"{rel}\" href=\"{}\"/>", escape(href));
}

fn author(xml: &mut String, depth: usize, name: &str) {
    indent(xml, depth);
    let _ = writeln!(xml, "<author><name>{}</name></author>", escape(name));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modification_times_are_rfc3339() {
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(rfc3339(time), "2023-11-14T22:13:20Z");
    }
}
