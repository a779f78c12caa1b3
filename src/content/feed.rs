//! The Atom feed of the newest posts as fetched over one protocol: every link in it is a URL of
//! that protocol, so a Gopher reader's feed reader stays in Gopherspace and a Gemini reader's in
//! Geminispace.
//!
//! Dates are days, so entries are stamped at noon UTC of their day; an undated post is stamped
//! with its file's modification time.

use std::sync::Arc;
use std::time::SystemTime;

use super::cache::Rendered;
use super::forms::{gopher_endpoint, rendered};
use crate::proto::gopher::ItemType;
use crate::proto::{gemini, url, Protocol};
use crate::render::atom::{self, Feed, FeedEntry};
use crate::site::{link_to, Page, Site};

/// How many posts the feed carries.
const ENTRIES: usize = 50;

/// The feed of `site` as fetched over `protocol`.
pub fn atom(site: &Site, protocol: Protocol) -> Rendered {
    let settings = &site.settings;
    let host = &settings.hostname;
    let url_of = |route: &str, kind: ItemType| match protocol {
        Protocol::Gemini => url::gemini(
            host,
            settings.gemini_port.unwrap_or(gemini::DEFAULT_PORT),
            route,
        ),
        Protocol::Gopher => url::gopher(host, gopher_endpoint(site).port, kind, route),
    };
    let author = settings.author.as_deref().unwrap_or(&settings.title);
    let entries = site
        .posts()
        .take(ENTRIES)
        .map(|page| FeedEntry {
            title: &page.title,
            url: url_of(&link_to(&page.route), ItemType::Text),
            stamp: timestamp(page),
            author: page.author.as_deref().filter(|name| *name != author),
            summary: page.description.as_deref(),
            tags: &page.tags,
        })
        .collect();
    let feed = Feed {
        title: &settings.title,
        subtitle: settings.description.as_deref(),
        author,
        home: url_of("/", ItemType::Menu),
        self_url: url_of("/atom.xml", ItemType::Text),
        entries,
    };
    rendered(atom::atom(&feed), Arc::from(atom::MEDIA_TYPE))
}

/// Noon UTC of the post's date, or its file's modification time when it has none.
fn timestamp(page: &Page) -> String {
    match page.date {
        Some(date) => format!("{date}T12:00:00Z"),
        None => atom::rfc3339(page.modified.unwrap_or(SystemTime::UNIX_EPOCH)),
    }
}
