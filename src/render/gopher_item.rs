//! A document's link as Gopher shows it: a menu item (local routes as their own type, native
//! `gopher://` items, everything else as an `h` item with a `URL:` selector), or an absolute
//! URL for the `Links` list of a text.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use super::layout::url_text;
use super::{Endpoint, ItemTypes};
use crate::doc::text::collapse_spaces;
use crate::doc::Link;
use crate::proto::gopher::{ItemType, Menu, Target};
use crate::proto::url;

/// How a link appears as a menu item: its type, selector, host and port.
struct Item<'a> {
    kind: ItemType,
    /// `URL:` for links to other schemes, written before the selector.
    selector_prefix: &'static str,
    selector: Cow<'a, str>,
    host: &'a str,
    port: u16,
}

fn item_for<'a>(link: &'a Link, at: &'a Endpoint, types: &dyn ItemTypes) -> Item<'a> {
    if link.is_local() {
        let route = percent_decode_str(&link.target).decode_utf8_lossy();
        return Item {
            kind: types.item_type(&route),
            selector_prefix: "",
            selector: route,
            host: &at.host,
            port: at.port,
        };
    }
    if let Some(native) = url::parse_gopher(&link.target) {
        return Item {
            kind: native.kind,
            selector_prefix: "",
            selector: native.selector,
            host: native.host,
            port: native.port,
        };
    }
    Item {
        kind: ItemType::Html,
        selector_prefix: "URL:",
        selector: Cow::Borrowed(&link.target),
        host: &at.host,
        port: at.port,
    }
}

/// Writes `link` as a menu item, its label collapsed (or its URL when it has none).
pub fn write_item(menu: &mut Menu, link: &Link, at: &Endpoint, types: &dyn ItemTypes) {
    let item = item_for(link, at, types);
    let label = collapsed(link.display_label());
    let display = if label.is_empty() {
        link.target.as_str()
    } else {
        &label
    };
    let to = Target {
        selector: [item.selector_prefix, &item.selector],
        host: item.host,
        port: item.port,
    };
    menu.line(item.kind, display, to);
}

/// The absolute URL of a link, for the `Links` list of a text.
pub fn absolute_url(link: &Link, at: &Endpoint, types: &dyn ItemTypes) -> String {
    if !link.is_local() {
        return url_text(&link.target).into_owned();
    }
    let item = item_for(link, at, types);
    // A target can hold a line break (`&#10;` in markdown): encoded, as in any URL here.
    url::gopher(&at.host, at.port, item.kind, &url_text(&link.target))
}

/// [`collapse_spaces`], without a copy when there is nothing to collapse.
fn collapsed(text: &str) -> Cow<'_, str> {
    let tidy = !text.contains(|c: char| (c.is_whitespace() && c != ' ') || c.is_control())
        && !text.contains("  ")
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    match tidy {
        true => Cow::Borrowed(text),
        false => Cow::Owned(collapse_spaces(text)),
    }
}
