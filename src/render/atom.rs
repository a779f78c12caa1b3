//! The Atom 1.0 feed, written from a [`Feed`] whose URLs the caller chose (those of the
//! protocol the feed was fetched over, so a reader's feed reader stays in that space).
//!
//! All text is escaped; the feed is plain XML with the Atom default namespace.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::SystemTime;

use crate::proto::markup::escape;

pub const MEDIA_TYPE: &str = "application/atom+xml";

/// What a feed says, ready to write.
pub struct Feed<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    /// Atom wants an author for the feed or for every entry.
    pub author: &'a str,
    pub home: String,
    pub self_url: String,
    pub entries: Vec<FeedEntry<'a>>,
}

/// One post in a feed.
pub struct FeedEntry<'a> {
    pub title: &'a str,
    pub url: String,
    /// RFC 3339; both published and updated.
    pub stamp: String,
    /// Only when it is not the feed's author.
    pub author: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub tags: &'a [Arc<str>],
}

/// The feed as XML.
pub fn atom(feed: &Feed<'_>) -> String {
    let updated = feed
        .entries
        .iter()
        .map(|entry| entry.stamp.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut xml, 1, "title", feed.title);
    if let Some(subtitle) = feed.subtitle {
        element(&mut xml, 1, "subtitle", subtitle);
    }
    element(&mut xml, 1, "id", &feed.home);
    link(&mut xml, 1, "alternate", &feed.home);
    link(&mut xml, 1, "self", &feed.self_url);
    element(&mut xml, 1, "updated", updated);
    author(&mut xml, 1, feed.author);
    element(&mut xml, 1, "generator", "gemhole");
    for entry in &feed.entries {
        xml.push_str("  <entry>\n");
        element(&mut xml, 2, "title", entry.title);
        element(&mut xml, 2, "id", &entry.url);
        link(&mut xml, 2, "alternate", &entry.url);
        element(&mut xml, 2, "published", &entry.stamp);
        element(&mut xml, 2, "updated", &entry.stamp);
        if let Some(name) = entry.author {
            author(&mut xml, 2, name);
        }
        if let Some(summary) = entry.summary {
            element(&mut xml, 2, "summary", summary);
        }
        for tag in entry.tags {
            let _ = writeln!(xml, "    <category term=\"{}\"/>", escape(tag));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// A moment as Atom writes it, to the second, in UTC.
pub fn rfc3339(time: SystemTime) -> String {
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
