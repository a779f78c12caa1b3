//! The one place `gemini://` and `gopher://` URLs are written (and Gopher URLs read): IPv6
//! addresses in brackets, default ports left out, Gopher selectors after their item type as
//! RFC 4266 has it.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use super::gemini;
use super::gopher::{self, ItemType};

/// A host as it stands in a URL's authority: an IPv6 address gets brackets.
pub fn authority_host(host: &str) -> Cow<'_, str> {
    match host.contains(':') && !host.starts_with('[') {
        true => Cow::Owned(format!("[{host}]")),
        false => Cow::Borrowed(host),
    }
}

fn authority(host: &str, port: u16, default_port: u16) -> String {
    let host = authority_host(host);
    match port == default_port {
        true => host.into_owned(),
        false => format!("{host}:{port}"),
    }
}

/// `gemini://host[:port]` followed by `path` (which starts with `/`, or is empty).
pub fn gemini(host: &str, port: u16, path: &str) -> String {
    format!(
        "gemini://{}{path}",
        authority(host, port, gemini::DEFAULT_PORT)
    )
}

/// `gopher://host[:port]/` : a hole's address, as a reader types it.
pub fn gopher_root(host: &str, port: u16) -> String {
    format!("gopher://{}/", authority(host, port, gopher::DEFAULT_PORT))
}

/// `gopher://host[:port]/<type><selector>`: an item, as RFC 4266 writes it.
pub fn gopher(host: &str, port: u16, kind: ItemType, selector: &str) -> String {
    format!(
        "gopher://{}/{}{selector}",
        authority(host, port, gopher::DEFAULT_PORT),
        kind.as_char()
    )
}

/// A `gopher://` URL taken apart, as a menu item needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GopherUrl<'a> {
    pub host: &'a str,
    pub port: u16,
    pub kind: ItemType,
    /// Percent-decoded.
    pub selector: Cow<'a, str>,
}

/// Reads `gopher://host[:port][/T[selector]]`; `None` for anything else, and for a host no
/// Gopher client could dial (or that would break a menu line).
pub fn parse_gopher(url: &str) -> Option<GopherUrl<'_>> {
    let rest = url.strip_prefix("gopher://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            (host, port.parse().ok()?)
        }
        _ => (authority, gopher::DEFAULT_PORT),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let mut chars = path.chars();
    let kind = chars.next().unwrap_or('1');
    if !kind.is_ascii_graphic() {
        return None;
    }
    Some(GopherUrl {
        host,
        port,
        kind: ItemType::from_char(kind),
        selector: percent_decode_str(chars.as_str()).decode_utf8_lossy(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_are_left_out_and_ipv6_gets_brackets() {
        assert_eq!(gemini("example.org", 1965, "/"), "gemini://example.org/");
        assert_eq!(gemini("::1", 1966, "/x"), "gemini://[::1]:1966/x");
        assert_eq!(gemini("[::1]", 1965, ""), "gemini://[::1]");
        assert_eq!(
            gopher("::1", 7070, ItemType::Text, "/about"),
            "gopher://[::1]:7070/0/about"
        );
        assert_eq!(
            gopher("example.org", 70, ItemType::Menu, "/"),
            "gopher://example.org/1/"
        );
        assert_eq!(gopher_root("localhost", 7070), "gopher://localhost:7070/");
    }

    #[test]
    fn gopher_urls_are_read_back() {
        let url = parse_gopher("gopher://other.example:7070/0/x%20y").unwrap();
        assert_eq!(
            (url.host, url.port, url.kind, &*url.selector),
            ("other.example", 7070, ItemType::Text, "/x y")
        );
        let url = parse_gopher("gopher://[::1]:70/1/").unwrap();
        assert_eq!((url.host, url.port), ("::1", 70));
        assert_eq!(parse_gopher("gopher://h").unwrap().kind, ItemType::Menu);
        assert!(parse_gopher("gopher://\t\t").is_none());
        assert!(parse_gopher("https://h/").is_none());
    }
}
