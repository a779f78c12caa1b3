//! HTML found inside markdown, reduced to the words a reader should see: tags removed, comments
//! and script or style content dropped, `<br>` kept as a line break, block-level tags as
//! paragraph breaks, and the common character references decoded.
//!
//! This is no HTML parser and does not try to be: it serves the few tags writers put in
//! markdown, and whatever it meets it turns into text without ever failing.

use super::{Inline, Inlines};

/// What a piece of HTML is made of, token by token.
enum Token<'a> {
    Text(&'a str),
    Tag { name: String, closing: bool },
}

/// An HTML block as paragraphs of inline content (empty paragraphs left out).
pub fn to_paragraphs(source: &str) -> Vec<Inlines> {
    let mut paragraphs = Vec::new();
    let mut current = Inlines::new();
    let mut skipping: Option<String> = None;
    for token in tokens(source) {
        match token {
            Token::Tag { name, closing } if skipping.is_some() => {
                if closing && skipping.as_deref() == Some(name.as_str()) {
                    skipping = None;
                }
            }
            Token::Text(_) if skipping.is_some() => {}
            Token::Tag { name, closing } => {
                if !closing && matches!(name.as_str(), "script" | "style") {
                    skipping = Some(name);
                } else if name == "br" {
                    current.push(Inline::LineBreak);
                } else if is_block_tag(&name) {
                    end_paragraph(&mut paragraphs, &mut current);
                }
            }
            Token::Text(text) => {
                for (index, part) in text.split("\n\n").enumerate() {
                    if index > 0 {
                        end_paragraph(&mut paragraphs, &mut current);
                    }
                    append_text(&mut current, part);
                }
            }
        }
    }
    end_paragraph(&mut paragraphs, &mut current);
    paragraphs
}

/// Inline HTML (one tag, or a comment) as inline content: a line break for `<br>`, nothing for
/// any other tag or comment, text for anything that is not a tag.
pub fn inline(source: &str) -> Inlines {
    let mut out = Inlines::new();
    for token in tokens(source) {
        match token {
            Token::Tag { name, .. } if name == "br" => out.push(Inline::LineBreak),
            Token::Tag { .. } => {}
            Token::Text(text) => append_text(&mut out, text),
        }
    }
    out
}

fn end_paragraph(paragraphs: &mut Vec<Inlines>, current: &mut Inlines) {
    while matches!(current.last(), Some(Inline::LineBreak)) {
        current.pop();
    }
    if let Some(Inline::Text(last)) = current.last_mut() {
        last.truncate(last.trim_end().len());
    }
    let has_words = current.iter().any(|inline| match inline {
        Inline::Text(text) => !text.trim().is_empty(),
        _ => false,
    });
    if has_words {
        paragraphs.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

/// Appends source text with its newlines folded to spaces and its references decoded; leading
/// white space of a paragraph is dropped.
fn append_text(out: &mut Inlines, text: &str) {
    let mut folded = decode_references(&text.replace(['\n', '\r', '\t'], " "));
    if out.is_empty() || matches!(out.last(), Some(Inline::LineBreak)) {
        folded = folded.trim_start().to_string();
    }
    if folded.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text(last)) => last.push_str(&folded),
        _ => out.push(Inline::Text(folded)),
    }
}

fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "table"
            | "tr"
            | "blockquote"
            | "pre"
            | "hr"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "details"
            | "summary"
            | "figure"
            | "figcaption"
    )
}

/// Splits HTML into text and tags; comments, doctypes and processing instructions vanish. A `<`
/// that opens no tag is text.
fn tokens(source: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('<') {
        if open > 0 {
            tokens.push(Token::Text(&rest[..open]));
        }
        let after = &rest[open..];
        let opens_tag = after[1..]
            .starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !opens_tag {
            tokens.push(Token::Text("<"));
            rest = &after[1..];
            continue;
        }
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = after.find('>') else {
            tokens.push(Token::Text(after));
            return tokens;
        };
        let inside = &after[1..close];
        match tag_name(inside) {
            Some((name, closing)) => tokens.push(Token::Tag { name, closing }),
            None if inside.starts_with(['!', '?']) => {}
            None => tokens.push(Token::Text(&after[..=close])),
        }
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        tokens.push(Token::Text(rest));
    }
    tokens
}

fn tag_name(inside: &str) -> Option<(String, bool)> {
    let (closing, body) = match inside.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, inside),
    };
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let starts_with_letter = name.starts_with(|c: char| c.is_ascii_alphabetic());
    starts_with_letter.then(|| (name.to_ascii_lowercase(), closing))
}

/// Decodes the character references writers use; anything unknown stays as written.
fn decode_references(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[1..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| !c.is_control())
                }
            }?;
            Some((ch, end))
        });
        match decoded {
            Some((ch, end)) => {
                out.push(ch);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::plain_text;

    fn texts(source: &str) -> Vec<String> {
        to_paragraphs(source)
            .iter()
            .map(|p| plain_text(p))
            .collect()
    }

    #[test]
    fn blocks_become_paragraphs() {
        assert_eq!(
            texts("<p>One &amp; <em>two</em></p>\n<p>Three<br>four &#x263A; &bogus; 1 < 2</p>"),
            ["One & two", "Three\nfour ☺ &bogus; 1 < 2"]
        );
    }

    #[test]
    fn comments_and_scripts_vanish() {
        assert!(texts("<!-- a\ncomment -->").is_empty());
        assert_eq!(
            texts("<script>alert(1)</script><p>kept</p><style>p{}</style>"),
            ["kept"]
        );
        assert!(texts("<!-- never closed").is_empty());
    }

    #[test]
    fn inline_tags() {
        assert_eq!(inline("<br />"), [Inline::LineBreak]);
        assert!(inline("<span class=x>").is_empty());
        assert!(inline("<!-- c -->").is_empty());
    }
}
