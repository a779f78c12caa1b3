//! Prose as a reader sees it: white space folded, control characters gone, line ends as LF.
//! Parsers use it on what they read, renderers on what they write.

use std::borrow::Cow;

/// The marks gemhole writes in words of its own (quotes around a tag or a query, the ellipsis
/// of a cut excerpt, the separator of a byline, a footnote's marker): typographic ones where
/// every reader shows them (Gemini), ASCII where old clients garble anything else (Gopher).
/// The writer's own words are never changed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Typography {
    pub open_quote: &'static str,
    pub close_quote: &'static str,
    pub ellipsis: &'static str,
    /// Between the date and the author of a byline.
    pub separator: &'static str,
    /// Superscript digits for footnote markers, or `^` before plain ones.
    pub superscript: bool,
}

impl Typography {
    pub const UNICODE: Typography = Typography {
        open_quote: "\u{201c}",
        close_quote: "\u{201d}",
        ellipsis: "\u{2026}",
        separator: " \u{b7} ",
        superscript: true,
    };

    pub const ASCII: Typography = Typography {
        open_quote: "\"",
        close_quote: "\"",
        ellipsis: "...",
        separator: " - ",
        superscript: false,
    };

    /// `text` between quotes.
    pub fn quoted(&self, text: &str) -> String {
        format!("{}{text}{}", self.open_quote, self.close_quote)
    }
}

/// A space that holds two words together: wrapping never breaks a line there.
pub const NO_BREAK: char = '\u{a0}';

/// White space where a line may break (all but [`NO_BREAK`]).
fn is_break(c: char) -> bool {
    c.is_whitespace() && c != NO_BREAK
}

/// The words of a text: what lies between the places a line may break.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_break).filter(|word| !word.is_empty())
}

/// White space runs folded to one space, ends trimmed, control characters dropped: how a
/// reader sees a line of prose (and nothing in it can move a terminal's cursor).
pub fn collapse_spaces(text: &str) -> String {
    // Controls go first, so none can leave a lone space behind.
    let visible: Cow<'_, str> = match text.contains(|c: char| c.is_control() && !c.is_whitespace())
    {
        false => Cow::Borrowed(text),
        true => Cow::Owned(
            text.chars()
                .filter(|c| !c.is_control() || c.is_whitespace())
                .collect(),
        ),
    };
    words(&visible).collect::<Vec<_>>().join(" ")
}

/// Line ends as LF only: CRLF and lone CR (as old Mac editors write) become LF, so nothing
/// downstream, preformatted text included, ever carries a CR.
pub fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    match text.contains('\r') {
        false => Cow::Borrowed(text),
        true => Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")),
    }
}

/// Where the first bare URL in `text` is (`http`, `https`, `gemini` or `gopher`, starting a
/// word), without the punctuation that ends a sentence after it.
pub(super) fn bare_url(text: &str) -> Option<(usize, usize)> {
    const SCHEMES: [&str; 4] = ["https://", "http://", "gemini://", "gopher://"];
    let mut from = 0;
    while let Some(found) = text[from..].find("://").map(|at| at + from) {
        let start = SCHEMES.iter().find_map(|scheme| {
            let at = found.checked_sub(scheme.len() - 3)?;
            if text.get(at..at + scheme.len()) != Some(*scheme) {
                return None;
            }
            let starts_word = text[..at]
                .chars()
                .next_back()
                .map_or(true, |c| !c.is_alphanumeric());
            starts_word.then_some(at)
        });
        let rest = &text[found + 3..];
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(rest.len());
        let mut end = found + 3 + len;
        // A sentence's full stop or a closing bracket is not the URL's, unless it opened one.
        while let Some(last) = text[..end].chars().next_back() {
            let opened = text[start.unwrap_or(found)..end].matches('(').count();
            let closed = text[start.unwrap_or(found)..end].matches(')').count();
            if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | '\'')
                || (last == ')' && closed > opened)
            {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        match start {
            Some(start) if end > found + 3 => return Some((start, end)),
            _ => from = found + 3,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_loses_control_characters_and_line_ends_become_lf() {
        assert_eq!(collapse_spaces(" a\u{0}b \u{1b}[31m  c\r\n"), "ab [31m c");
        assert_eq!(collapse_spaces("\u{2} \u{2}"), "");
        assert_eq!(normalize_line_ends("a\r\nb\rc\n"), "a\nb\nc\n");
    }
}
