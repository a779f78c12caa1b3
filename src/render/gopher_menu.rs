//! Gopher type 1 menus from the document model: index pages (words as information lines, link
//! blocks as items) and a page's links menu. Every item carries the public host and port.

use std::collections::HashSet;

use super::gopher_item::write_item;
use super::gopher_text::{text_block, Numbering, Text};
use super::layout::wrap;
use super::{Endpoint, ItemTypes};
use crate::doc::text::collapse_spaces;
use crate::doc::{Block, Document};
use crate::proto::gopher::{ItemType, Menu, Target, MENU_WIDTH};

/// Renders an index document as a type 1 menu: words as information lines, link blocks as
/// items.
pub fn render_menu(doc: &Document, at: &Endpoint, types: &dyn ItemTypes) -> String {
    let links: usize = doc.blocks.iter().map(|block| block.links().len()).sum();
    let mut menu = Menu::with_capacity(links + 4 * doc.blocks.len());
    let mut numbering = Numbering::default();
    for (i, block) in doc.blocks.iter().enumerate() {
        if i > 0 {
            menu.info("");
        }
        match block {
            Block::Links(links) => {
                for link in links {
                    write_item(&mut menu, link, at, types);
                }
            }
            Block::Entries(entries) => {
                for entry in entries {
                    write_item(&mut menu, &entry.link, at, types);
                    for line in wrap(&collapse_spaces(&entry.summary), MENU_WIDTH, "  ", "  ") {
                        menu.info(&line);
                    }
                }
            }
            block => {
                let mut text = Text::default();
                text_block(&mut text, block, &mut numbering, MENU_WIDTH);
                for line in &text.lines {
                    menu.info(line);
                }
                for link in block.links() {
                    write_item(&mut menu, link, at, types);
                }
            }
        }
    }
    menu.finish()
}

/// The links menu of a page: its title, then one item per link in order, then the way back.
pub fn links_menu(
    title: &str,
    text_route: &str,
    doc: &Document,
    at: &Endpoint,
    types: &dyn ItemTypes,
) -> String {
    // The title came from front matter: shown as prose, without control characters.
    let title = collapse_spaces(title);
    let links = doc.all_links();
    let mut menu = Menu::with_capacity(links.len() + 4);
    menu.info(&format!("Links in \"{title}\""));
    menu.info("");
    let mut seen: HashSet<&str> = HashSet::new();
    for link in links {
        if seen.insert(&link.target) {
            write_item(&mut menu, link, at, types);
        }
    }
    menu.info("");
    let back = format!("Back to \"{title}\"");
    let to = Target {
        selector: ["", text_route],
        host: &at.host,
        port: at.port,
    };
    menu.line(ItemType::Text, &back, to);
    menu.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::markdown;
    use crate::render::testing::{at, AllText};

    #[test]
    fn links_menus_stay_well_formed() {
        let menu = links_menu(
            "T\u{1b}]0;x\u{7}",
            "/t",
            &Document::default(),
            &at(),
            &AllText,
        );
        let stray = |c: char| c.is_control() && !matches!(c, '\t' | '\r' | '\n');
        assert!(!menu.contains(stray), "{menu:?}");
        let doc = markdown::parse("[odd](<gopher://\t\t>)");
        let menu = links_menu("T", "/t", &doc, &at(), &AllText);
        assert!(
            menu.lines().all(|l| l.split('\t').count() == 4 || l == "."),
            "{menu:?}"
        );
    }

    #[test]
    fn links_menu_uses_native_items_where_it_can() {
        let doc = markdown::parse("[a](/about) [g](gopher://other.example:7070/0/x%20y) [w](https://w.example) [m](mailto:me@x.example) [a2](/about)");
        let menu = links_menu("T", "/t", &doc, &at(), &AllText);
        assert_eq!(
            menu,
            "iLinks in \"T\"\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n\
             0a\t/about\texample.org\t70\r\n0g\t/x y\tother.example\t7070\r\n\
             hw\tURL:https://w.example\texample.org\t70\r\nhm\tURL:mailto:me@x.example\texample.org\t70\r\n\
             i\t\tnull.host\t1\r\n0Back to \"T\"\t/t\texample.org\t70\r\n.\r\n"
        );
    }
}
