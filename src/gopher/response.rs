//! The answers the Gopher front end writes itself: errors, the HTML page behind a `URL:`
//! selector, and the reply to a web browser that knocked on the Gopher port. Menus and texts
//! come ready-made from the content layer.

use crate::proto::gopher::error_menu;
use crate::proto::markup::escape as escape_markup;
use crate::proto::url;

/// Schemes a `URL:` selector may send a reader to.
const SAFE_SCHEMES: [&str; 6] = ["http", "https", "gemini", "ftp", "mailto", "irc"];

/// A type 3 error menu.
pub fn error(message: &str) -> Vec<u8> {
    error_menu(message).into_bytes()
}

/// The small HTML page that sends a Gopher client's reader on to `url`, or `None` when the
/// URL's scheme is not one a reader should be sent to.
pub fn url_page(url: &str) -> Option<Vec<u8>> {
    let scheme = url.split_once(':')?.0.to_ascii_lowercase();
    if !SAFE_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    let url = escape_markup(url);
    Some(
        format!(
            "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"refresh\" content=\"1; url={url}\">\n<title>Leaving Gopherspace</title>\n\
             </head>\n<body>\n<p>This link leaves Gopherspace for <a href=\"{url}\">{url}</a>.</p>\n\
             </body>\n</html>\n"
        )
        .into_bytes(),
    )
}

/// An HTTP 400 answer that tells a web browser where the Gopher hole is.
pub fn http_refusal(host: &str, port: u16) -> Vec<u8> {
    let address = escape_markup(&url::gopher_root(host, port));
    let body = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>This is a Gopher server</title></head>\n\
         <body>\n<h1>This is a Gopher server</h1>\n\
         <p>Open <a href=\"{address}\">{address}</a> in a Gopher client (lynx, Lagrange, Bombadillo) \
         or with <code>curl {address}</code>.</p>\n</body>\n</html>\n"
    );
    format!(
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_pages_escape_and_refuse_unsafe_schemes() {
        let page =
            String::from_utf8(url_page("https://e.example/?a=1&b=\"<x>\"").unwrap()).unwrap();
        assert!(
            page.contains("url=https://e.example/?a=1&amp;b=&quot;&lt;x&gt;&quot;\""),
            "{page}"
        );
        assert!(!page.contains("<x>"));
        assert!(url_page("javascript:alert(1)").is_none());
        assert!(url_page("data:text/html,x").is_none());
        assert!(url_page("no scheme").is_none());
        assert!(url_page("gemini://g.example/").is_some());
    }

    #[test]
    fn http_refusal_is_a_complete_response() {
        let reply = String::from_utf8(http_refusal("localhost", 7070)).unwrap();
        assert!(reply.starts_with("HTTP/1.0 400 Bad Request\r\n"));
        assert!(reply.contains("gopher://localhost:7070/"));
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
