//! Gopher type 1 menus from the document model: posts and pages (their words as information
//! lines, each block's links as items right after it, the way on as items), and the index pages
//! the site generates. Every item carries the public host and port.

use super::gopher_item::write_item;
use super::gopher_text::{notes, text_block, title_lines, Numbering, Text};
use super::layout::wrap;
use super::{Endpoint, ItemTypes};
use crate::doc::text::collapse_spaces;
use crate::doc::{links, Block, Document, TitleBlock};
use crate::proto::gopher::{Menu, MENU_WIDTH};

/// A post or page as a menu: its title block, its blocks with their links as items after
/// each, its notes, and its navigation as items.
pub fn render_page(
    title: &TitleBlock,
    doc: &Document,
    at: &Endpoint,
    types: &dyn ItemTypes,
) -> String {
    let items: usize = doc.blocks.iter().map(|block| block.links().len()).sum();
    let mut menu = Menu::with_capacity(items + 4 * doc.blocks.len());
    let mut head = Text::default();
    title_lines(&mut head, title, MENU_WIDTH);
    head.lines.iter().for_each(|line| menu.info(line));
    blocks(&mut menu, &doc.blocks, at, types);
    if !doc.notes.is_empty() {
        menu.info("");
    }
    let mut numbering = Numbering::in_menu();
    let mut end = Text::default();
    notes(&mut end, doc, &mut numbering, MENU_WIDTH);
    end.lines.iter().for_each(|line| menu.info(line));
    for note in &doc.notes {
        links(&note.content).for_each(|link| write_item(&mut menu, link, at, types));
    }
    if !doc.navigation.is_empty() {
        menu.info("");
        for link in &doc.navigation {
            write_item(&mut menu, link, at, types);
        }
    }
    menu.finish()
}

/// Renders an index document as a type 1 menu: words as information lines, link blocks as
/// items.
pub fn render_menu(doc: &Document, at: &Endpoint, types: &dyn ItemTypes) -> String {
    let links: usize = doc.blocks.iter().map(|block| block.links().len()).sum();
    let mut menu = Menu::with_capacity(links + 4 * doc.blocks.len());
    blocks(&mut menu, &doc.blocks, at, types);
    menu.finish()
}

/// Each block's words as information lines and its links as items after them, a blank line
/// between blocks.
fn blocks(menu: &mut Menu, blocks: &[Block], at: &Endpoint, types: &dyn ItemTypes) {
    let mut numbering = Numbering::in_menu();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 || !menu.lines().is_empty() {
            menu.info("");
        }
        match block {
            Block::Links(links) => {
                for link in links {
                    write_item(menu, link, at, types);
                }
            }
            Block::Entries(entries) => {
                for entry in entries {
                    write_item(menu, &entry.link, at, types);
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
                    write_item(menu, link, at, types);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::markdown;
    use crate::render::testing::{at, AllText};

    fn title(text: &str) -> TitleBlock {
        TitleBlock {
            title: text.to_string(),
            byline: None,
        }
    }

    #[test]
    fn page_menus_stay_well_formed() {
        let menu = render_page(
            &title("T\u{1b}]0;x\u{7}"),
            &Document::default(),
            &at(),
            &AllText,
        );
        let stray = |c: char| c.is_control() && !matches!(c, '\t' | '\r' | '\n');
        assert!(!menu.contains(stray), "{menu:?}");
        let doc = markdown::parse("[odd](<gopher://\t\t>)");
        let menu = render_page(&title("T"), &doc, &at(), &AllText);
        assert!(
            menu.lines().all(|l| l.split('\t').count() == 4 || l == "."),
            "{menu:?}"
        );
    }

    #[test]
    fn a_page_menu_has_each_blocks_links_after_it_as_native_items_where_it_can() {
        let doc = markdown::parse("See [a](/about) and [g](gopher://other.example:7070/0/x%20y).\n\n[w](https://w.example) [m](mailto:me@x.example) [a2](/about)");
        let menu = render_page(&title("T"), &doc, &at(), &AllText);
        assert_eq!(
            menu,
            "iT\t\tnull.host\t1\r\ni=\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n\
             iSee a and g.\t\tnull.host\t1\r\n\
             0a\t/about\texample.org\t70\r\n0g\t/x y\tother.example\t7070\r\n\
             i\t\tnull.host\t1\r\niw m a2\t\tnull.host\t1\r\n\
             hw\tURL:https://w.example\texample.org\t70\r\nhm\tURL:mailto:me@x.example\texample.org\t70\r\n\
             0a2\t/about\texample.org\t70\r\n.\r\n"
        );
    }
}
