//! Gemini requests: reading the one request line a connection carries, and checking it.
//!
//! The specification asks for an absolute URL of at most 1024 bytes followed by CRLF. Anything
//! else gets status 59 (bad request) with the reason; a URL for another scheme gets 53 (proxy
//! request refused). Paths are percent-decoded here and dot segments or encoded separators are
//! refused rather than normalised, so the route that reaches the content layer is exactly the
//! one the client named.

use percent_encoding::percent_decode_str;
use tokio::io::AsyncRead;

use crate::net::line::{self, LineEnd, LineError};
pub use crate::proto::gemini::MAX_URL_BYTES;

/// A checked request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Lower case, without a trailing dot; IPv6 literals keep their brackets.
    pub host: String,
    pub port: Option<u16>,
    /// Percent-decoded, starting with `/`, free of dot segments and control characters.
    pub path: String,
    /// As sent, still percent-encoded.
    pub query: Option<String>,
}

/// Why a request is refused, and with which status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Status 59.
    #[error("{0}")]
    Malformed(&'static str),
    /// Status 53.
    #[error("{0}")]
    NotServed(&'static str),
}

use RequestError::{Malformed, NotServed};

/// Reads one request line, CRLF removed. Reads at most 1026 bytes whatever the client sends.
pub async fn read_line<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Vec<u8>, RequestError> {
    match line::read_line(reader, MAX_URL_BYTES).await {
        Ok(line) => match line.end {
            LineEnd::CrLf => Ok(line.bytes),
            LineEnd::Lf => Err(Malformed("request must end with CRLF, not a bare LF")),
            LineEnd::Eof => Err(Malformed("request must end with CRLF")),
        },
        Err(LineError::TooLong) => Err(Malformed("request is longer than 1024 bytes")),
        Err(LineError::Closed) => Err(Malformed("request must end with CRLF")),
        Err(LineError::Unreadable) => Err(Malformed("request could not be read")),
    }
}

/// Checks a request line (without its CRLF).
pub fn parse(line: &[u8]) -> Result<Request, RequestError> {
    let line = std::str::from_utf8(line).map_err(|_| Malformed("request is not UTF-8"))?;
    if line.is_empty() {
        return Err(Malformed("empty request; send an absolute gemini:// URL"));
    }
    if line.len() > MAX_URL_BYTES {
        return Err(Malformed("request is longer than 1024 bytes"));
    }
    if line.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Malformed("URL contains white space or control characters"));
    }
    let (scheme, rest) = line
        .split_once(':')
        .filter(|(scheme, _)| is_scheme(scheme))
        .ok_or(Malformed("not an absolute URL; send gemini://host/path"))?;
    if !scheme.eq_ignore_ascii_case("gemini") {
        return Err(NotServed("this server only answers gemini:// URLs"));
    }
    let rest = rest
        .strip_prefix("//")
        .ok_or(Malformed("URL has no host; send gemini://host/path"))?;
    if rest.contains('#') {
        return Err(Malformed("URL must not have a fragment"));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(Malformed("URL must not have userinfo"));
    }
    let (host, port) = split_host_port(authority)?;
    let (raw_path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query.to_string())),
        None => (path_and_query, None),
    };
    Ok(Request {
        host,
        port,
        path: decode_path(raw_path)?,
        query,
    })
}

fn is_scheme(scheme: &str) -> bool {
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), RequestError> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let close = v6
            .find(']')
            .ok_or(Malformed("unclosed IPv6 address in URL"))?;
        let host = &authority[..close + 2];
        let after = &v6[close + 1..];
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or(Malformed("unexpected text after the IPv6 address"))?,
            ),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(digits) => Some(
            digits
                .parse::<u16>()
                .ok()
                .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                .ok_or(Malformed("port is not a number from 0 to 65535"))?,
        ),
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '[' | ']' | ':'));
    if !valid {
        return Err(Malformed("URL has no valid host"));
    }
    Ok((host, port))
}

/// Percent-decodes a path and refuses what could step out of a folder or hide a separator.
pub fn decode_path(raw: &str) -> Result<String, RequestError> {
    if raw.is_empty() {
        return Ok("/".to_string());
    }
    if !raw.starts_with('/') {
        return Err(Malformed("path must start with /"));
    }
    if raw.contains('\\') {
        return Err(Malformed("path must not contain a backslash"));
    }
    let bytes = raw.as_bytes();
    for (i, _) in raw.match_indices('%') {
        let escape = bytes.get(i + 1..i + 3).unwrap_or(&[]);
        if escape.len() != 2 || !escape.iter().all(u8::is_ascii_hexdigit) {
            return Err(Malformed("path has a broken percent escape"));
        }
        if escape.eq_ignore_ascii_case(b"2f") || escape.eq_ignore_ascii_case(b"5c") {
            return Err(Malformed("path must not contain an encoded / or \\"));
        }
    }
    let path = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Malformed("path is not UTF-8 once decoded"))?;
    if path.chars().any(char::is_control) {
        return Err(Malformed("path contains control characters"));
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(Malformed("path must not contain . or .. segments"));
    }
    Ok(path.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Request {
        parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn absolute_urls_are_split() {
        assert_eq!(
            ok("gemini://Example.ORG.:1965/posts/x?a%20b"),
            Request {
                host: "example.org".into(),
                port: Some(1965),
                path: "/posts/x".into(),
                query: Some("a%20b".into()),
            }
        );
        assert_eq!(ok("gemini://h").path, "/");
        assert_eq!(ok("GEMINI://h/").path, "/");
        assert_eq!(ok("gemini://[::1]:1965/").host, "[::1]");
        assert_eq!(ok("gemini://h/caf%C3%A9").path, "/café");
        assert_eq!(ok("gemini://h:/x").port, None);
    }

    #[test]
    fn malformed_requests_are_refused() {
        for bad in [
            "",
            "/posts/x",
            "posts",
            "hello world",
            "gemini:/h/",
            "gemini:h",
            "//h/x",
            "gemini://user@h/",
            "gemini://h/#frag",
            "gemini://h/a b",
            "gemini://h:99999/",
            "gemini://h:1x/",
            "gemini:///x",
            "gemini://h/../etc/passwd",
            "gemini://h/a/%2e%2e/b",
            "gemini://h/a%2fb",
            "gemini://h/a%5Cb",
            "gemini://h/a\\b",
            "gemini://h/%zz",
            "gemini://h/%00",
            "gemini://h/./x",
            "gemini://[::1/",
            "gemini://h\u{7f}/",
        ] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(RequestError::Malformed(_))),
                "{bad:?} gave {:?}",
                parse(bad.as_bytes())
            );
        }
        assert!(parse(b"gemini://h/\xff").is_err());
    }

    #[test]
    fn other_schemes_are_not_served() {
        for other in ["https://h/", "http://h/", "gopher://h/1/", "mailto:me@h"] {
            assert_eq!(
                parse(other.as_bytes()),
                Err(RequestError::NotServed(
                    "this server only answers gemini:// URLs"
                ))
            );
        }
    }

    #[tokio::test]
    async fn line_reading_bounds_and_endings() {
        let read = |bytes: Vec<u8>| async move { read_line(&mut bytes.as_slice()).await };
        assert_eq!(
            read(b"gemini://h/\r\n".to_vec()).await.unwrap(),
            b"gemini://h/"
        );
        assert!(read(b"gemini://h/\n".to_vec()).await.is_err());
        assert!(read(b"gemini://h/".to_vec()).await.is_err());
        let exact = format!("gemini://h/{}", "a".repeat(MAX_URL_BYTES - 11));
        assert_eq!(exact.len(), MAX_URL_BYTES);
        assert!(read(format!("{exact}\r\n").into_bytes()).await.is_ok());
        assert!(read(format!("{exact}a\r\n").into_bytes()).await.is_err());
        assert!(read(vec![b'a'; 100_000]).await.is_err());
    }
}
