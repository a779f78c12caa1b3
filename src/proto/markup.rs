//! Escaping for the few HTML and XML documents the protocols send besides their own: the page
//! behind a Gopher `URL:` selector, the answer to a web browser, and the Atom feed.

/// Text safe inside HTML or XML elements and attribute values. Control characters that XML
/// 1.0 cannot carry are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_escaping() {
        assert_eq!(
            escape("a & b <c> \"d\" 'e'\u{1}"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;"
        );
    }
}
