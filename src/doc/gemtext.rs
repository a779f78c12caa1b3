//! Hand-written gemtext (a `.gmi` file of the capsule) read into the document model, so that it
//! can be served to Gopher too.

use super::text::normalize_line_ends;
use super::{Block, Document, Inline, Link, ListItem, Marker};

/// Reads gemtext into the document model. Every line keeps its words; runs of link, list and
/// quote lines become one block each.
pub fn parse(source: &str) -> Document {
    let source = normalize_line_ends(source);
    let mut blocks: Vec<Block> = Vec::new();
    let mut preformatted: Option<(String, Vec<&str>)> = None;
    for line in source.lines() {
        if let Some((alt, lines)) = &mut preformatted {
            if line.starts_with("```") {
                let text = lines.join("\n");
                blocks.push(Block::Preformatted {
                    alt: std::mem::take(alt),
                    text,
                });
                preformatted = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        if let Some(alt) = line.strip_prefix("```") {
            preformatted = Some((alt.trim().to_string(), Vec::new()));
        } else if let Some(rest) = line.strip_prefix("=>") {
            let rest = rest.trim();
            if rest.is_empty() {
                continue;
            }
            let (target, label) = rest
                .split_once(char::is_whitespace)
                .map_or((rest, ""), |(t, l)| (t, l.trim()));
            let link = Link {
                label: label.to_string(),
                target: target.to_string(),
                is_image: false,
            };
            match blocks.last_mut() {
                Some(Block::Links(list)) => list.push(link),
                _ => blocks.push(Block::Links(vec![link])),
            }
        } else if let Some(rest) = line.strip_prefix('#') {
            let extra = rest.chars().take_while(|c| *c == '#').count().min(2);
            let text = rest.trim_start_matches('#').trim();
            let level = u8::try_from(extra + 1).unwrap_or(3);
            blocks.push(Block::Heading {
                level,
                content: vec![Inline::Text(text.to_string())],
            });
        } else if let Some(rest) = line.strip_prefix("* ") {
            let item = ListItem {
                depth: 0,
                marker: Marker::Bullet,
                content: vec![Inline::Text(rest.trim().to_string())],
            };
            match blocks.last_mut() {
                Some(Block::List(items)) => items.push(item),
                _ => blocks.push(Block::List(vec![item])),
            }
        } else if let Some(rest) = line.strip_prefix('>') {
            let paragraph = vec![Inline::Text(rest.trim().to_string())];
            match blocks.last_mut() {
                Some(Block::Quote(paragraphs)) => paragraphs.push(paragraph),
                _ => blocks.push(Block::Quote(vec![paragraph])),
            }
        } else if !line.trim().is_empty() {
            blocks.push(Block::Paragraph(vec![Inline::Text(
                line.trim().to_string(),
            )]));
        } else if !matches!(blocks.last(), None | Some(Block::Paragraph(_))) {
            // A blank line ends a run of links, items or quote lines.
            blocks.push(Block::Paragraph(Vec::new()));
        }
    }
    if let Some((alt, lines)) = preformatted {
        blocks.push(Block::Preformatted {
            alt,
            text: lines.join("\n"),
        });
    }
    blocks.retain(|block| !matches!(block, Block::Paragraph(p) if p.is_empty()));
    Document {
        blocks,
        notes: Vec::new(),
        navigation: Vec::new(),
    }
}
