//! What a markdown body says that is read without rendering it: its first level-1 heading (a
//! title for a file without one) and where its links are (for `gemhole check`). Both read the
//! body with the same options as the parser, so they agree with what is rendered.

use pulldown_cmark::{Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use super::markdown::OPTIONS;
use super::text::collapse_spaces;

/// The words of the body's first level-1 heading, as the renderer would show them: a title
/// for a file whose front matter gives none.
pub fn first_heading(markdown: &str) -> Option<String> {
    let mut in_heading = false;
    let mut words = String::new();
    for event in Parser::new_ext(markdown, OPTIONS) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => in_heading = true,
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                let title = collapse_spaces(&words);
                if !title.is_empty() {
                    return Some(title);
                }
                in_heading = false;
            }
            Event::Text(text) if in_heading => words.push_str(&text),
            Event::Code(code) if in_heading => {
                words.push('`');
                words.push_str(&code);
                words.push('`');
            }
            Event::SoftBreak | Event::HardBreak if in_heading => words.push(' '),
            _ => {}
        }
    }
    None
}

/// A link or image as written, and the line of the body it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenLink {
    pub target: String,
    /// 1-based, counted in the body.
    pub line: usize,
    pub is_image: bool,
}

/// Every link and image target in a markdown body (anchors and e-mail addresses left out), for
/// checking where they lead.
pub fn link_targets(markdown: &str) -> Vec<WrittenLink> {
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(markdown, OPTIONS).into_offset_iter() {
        let (target, is_image) = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if link_type != LinkType::Email => (dest_url, false),
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            _ => continue,
        };
        if target.is_empty() || target.starts_with('#') {
            continue;
        }
        let line = markdown[..range.start.min(markdown.len())]
            .matches('\n')
            .count()
            + 1;
        found.push(WrittenLink {
            target: target.to_string(),
            line,
            is_image,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_links_keep_their_lines() {
        let found = link_targets("intro\n\n[a](x.md) and ![i](pic.png)\n\n[up](#top) <me@x.example>\n\n[r]\n\n[r]: https://r.example");
        let shape: Vec<(&str, usize, bool)> = found
            .iter()
            .map(|l| (l.target.as_str(), l.line, l.is_image))
            .collect();
        assert_eq!(
            shape,
            [
                ("x.md", 3, false),
                ("pic.png", 3, true),
                ("https://r.example", 7, false)
            ]
        );
    }
}
