//! Gopher requests: one selector line per connection (RFC 1436), as real clients send it.
//!
//! CRLF or a bare LF ends the line; a TAB separates search words; a Gopher+ flag after the TAB
//! (`+`, `!`, `$`, which the UMN client sends) is ignored and the plain answer given. Two things
//! that are not selectors are recognised: `URL:` links (RFC 4266 style, for clients that cannot
//! follow other schemes) and an HTTP request line sent to the Gopher port by mistake. Anything
//! that could step out of a folder or smuggle a control character is refused.

use tokio::io::AsyncRead;

use crate::net::line::{self, LineError};

/// The longest selector line accepted, in bytes (line end not counted).
pub const MAX_LINE_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A selector (always starting with `/`) and the search words, when any were sent.
    Selector {
        selector: String,
        query: Option<String>,
        /// A Gopher+ client's `$`: the menu with its items' attributes, as the UMN client
        /// asks for a server's first menu.
        with_attributes: bool,
    },
    /// `URL:<url>`: a link off this server.
    Url(String),
    /// A web browser's request line.
    Http,
}

/// Why a request is refused; each is answered with a type 3 line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("the connection closed before a selector was sent")]
    Closed,
    #[error("selector is longer than 1024 bytes")]
    TooLong,
    #[error("selector is not UTF-8")]
    NotUtf8,
    #[error("selector contains control characters")]
    Control,
    #[error("selector must not contain backslashes or . and .. segments")]
    Traversal,
}

/// Reads one request line (its CR LF or LF removed), reading at most 1026 bytes. A client
/// that half-closes after its selector without a line end is still heard.
pub async fn read_line<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Vec<u8>, RequestError> {
    match line::read_line(reader, MAX_LINE_BYTES).await {
        Ok(line) => Ok(line.bytes),
        Err(LineError::TooLong) => Err(RequestError::TooLong),
        Err(LineError::Closed | LineError::Unreadable) => Err(RequestError::Closed),
    }
}

/// Reads a request line (without its line end).
pub fn parse(line: &[u8]) -> Result<Request, RequestError> {
    let line = std::str::from_utf8(line).map_err(|_| RequestError::NotUtf8)?;
    if is_http(line) {
        return Ok(Request::Http);
    }
    let mut fields = line.split('\t');
    let selector = fields.next().unwrap_or("");
    let second = fields.next();
    let with_attributes = second == Some("$");
    let query = second
        .filter(|field| !field.is_empty() && !is_gopher_plus_flag(field))
        .map(str::to_string);
    if line.chars().any(|c| c.is_control() && c != '\t') {
        return Err(RequestError::Control);
    }
    if let Some(url) = selector.strip_prefix("URL:") {
        return Ok(Request::Url(url.to_string()));
    }
    if selector.contains('\\') {
        return Err(RequestError::Traversal);
    }
    if selector
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(RequestError::Traversal);
    }
    let selector = match selector {
        "" => "/".to_string(),
        s if s.starts_with('/') => s.to_string(),
        // Some clients drop the leading slash of a selector they were given.
        s => format!("/{s}"),
    };
    Ok(Request::Selector {
        selector,
        query,
        with_attributes,
    })
}

/// What a Gopher+ client sends after the TAB instead of search words: `+`, `!` or `$` alone,
/// `+` and a media type, `!` and attribute names. Words that merely start with one of those
/// characters (`+rust`) are words.
fn is_gopher_plus_flag(field: &str) -> bool {
    matches!(field, "+" | "!" | "$")
        || (field.starts_with('+') && field.contains('/'))
        || field.starts_with("!+")
}

/// `GET / HTTP/1.1` and its kin.
fn is_http(line: &str) -> bool {
    let mut words = line.split(' ');
    let method = words.next().unwrap_or("");
    let version = words.nth(1).unwrap_or("");
    matches!(
        method,
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "CONNECT" | "PATCH"
    ) && version.starts_with("HTTP/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector(line: &str) -> (String, Option<String>) {
        match parse(line.as_bytes()) {
            Ok(Request::Selector {
                selector, query, ..
            }) => (selector, query),
            other => panic!("{line:?}: {other:?}"),
        }
    }

    #[test]
    fn selectors_searches_and_gopher_plus() {
        assert_eq!(selector(""), ("/".into(), None));
        assert_eq!(selector("/"), ("/".into(), None));
        assert_eq!(selector("/posts/x"), ("/posts/x".into(), None));
        assert_eq!(selector("about"), ("/about".into(), None));
        assert_eq!(
            selector("/search\tsmall web"),
            ("/search".into(), Some("small web".into()))
        );
        assert_eq!(selector("\t$"), ("/".into(), None));
        assert!(matches!(
            parse(b"\t$"),
            Ok(Request::Selector {
                with_attributes: true,
                ..
            })
        ));
        assert_eq!(selector("/about\t+"), ("/about".into(), None));
        assert_eq!(selector("/about\t!"), ("/about".into(), None));
        assert_eq!(
            selector("/search\twords\t+"),
            ("/search".into(), Some("words".into()))
        );
        assert_eq!(selector("/about\t+text/plain"), ("/about".into(), None));
        assert_eq!(selector("/about\t!+ABSTRACT"), ("/about".into(), None));
        for words in ["+rust", "!important", "$price", "+1 vote"] {
            assert_eq!(
                selector(&format!("/search\t{words}")),
                ("/search".into(), Some(words.into()))
            );
        }
    }

    #[test]
    fn urls_and_http() {
        assert_eq!(
            parse(b"URL:https://example.org/"),
            Ok(Request::Url("https://example.org/".into()))
        );
        assert_eq!(parse(b"GET / HTTP/1.1"), Ok(Request::Http));
        assert_eq!(parse(b"HEAD /x HTTP/1.0"), Ok(Request::Http));
        assert!(matches!(
            parse(b"GET me something"),
            Ok(Request::Selector { .. })
        ));
    }

    #[test]
    fn hostile_selectors_are_refused() {
        for (bad, why) in [
            (&b"/../etc/passwd"[..], RequestError::Traversal),
            (b"/posts/..", RequestError::Traversal),
            (b"..", RequestError::Traversal),
            (b"/./about", RequestError::Traversal),
            (b"/a\\..\\b", RequestError::Traversal),
            (b"/a\0b", RequestError::Control),
            (b"/a\x1bb", RequestError::Control),
            (b"/a\rb", RequestError::Control),
            (b"/\xff", RequestError::NotUtf8),
        ] {
            assert_eq!(parse(bad), Err(why), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[tokio::test]
    async fn line_reading() {
        let read = |bytes: Vec<u8>| async move { read_line(&mut bytes.as_slice()).await };
        assert_eq!(read(b"/x\r\n".to_vec()).await.unwrap(), b"/x");
        assert_eq!(read(b"/x\n".to_vec()).await.unwrap(), b"/x");
        assert_eq!(read(b"/x".to_vec()).await.unwrap(), b"/x");
        assert_eq!(read(Vec::new()).await, Err(RequestError::Closed));
        let exact = vec![b'a'; MAX_LINE_BYTES];
        assert!(read([exact.clone(), b"\r\n".to_vec()].concat())
            .await
            .is_ok());
        let over = vec![b'a'; MAX_LINE_BYTES + 1];
        assert_eq!(
            read([over, b"\r\n".to_vec()].concat()).await,
            Err(RequestError::TooLong)
        );
        assert_eq!(read(vec![b'a'; 100_000]).await, Err(RequestError::TooLong));
        assert_eq!(
            read(vec![b'a'; MAX_LINE_BYTES + 1]).await,
            Err(RequestError::TooLong)
        );
        assert!(read(vec![b'a'; MAX_LINE_BYTES]).await.is_ok());
    }
}
