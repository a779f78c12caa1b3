//! How many columns text takes on a reader's terminal (East Asian wide characters count two),
//! and how to cut it to fit. Gopher menus are cut by it and Gopher texts wrapped by it.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns a string occupies on a terminal.
pub fn width(text: &str) -> usize {
    // Printable ASCII is one column a byte; most words are that.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.len();
    }
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns, ending in `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(ch);
        used += w;
    }
    // Per-character widths can undercount what the string shows (emoji sequences joined by
    // U+200D, say); the whole string's width is what must fit.
    while width(&out) + 1 > max && out.pop().is_some() {}
    out.truncate(out.trim_end().len());
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("日本語"), 6);
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(truncate("short", 7), "short");
        let family = "👩\u{200d}💻".repeat(10);
        assert!(
            width(&truncate(&family, 7)) <= 7,
            "{}",
            truncate(&family, 7)
        );
    }
}
