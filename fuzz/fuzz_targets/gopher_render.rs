//! Any text as a markdown body (and as a `.gmi` file), with any title block and wrap width,
//! rendered to Gopher: the type 0 text has CRLF line ends; the document as an index menu and as
//! a page's menu have four TAB-separated fields per line and display text of at most 67
//! columns.

#![no_main]

use gemhole::doc::{gemtext, markdown, Document, TitleBlock};
use gemhole::render::gopher_menu::{render_menu, render_page};
use gemhole::render::gopher_text::render_text;
use gemhole::render::Endpoint;
use invariants::{ByTrailingSlash, Verdict};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Page<'a> {
    wrap: u8,
    title: Option<(&'a str, Option<&'a str>)>,
    source: &'a str,
}

/// Every Gopher rule, for a document rendered as text, as a menu and as a links menu.
fn gopher_rules(title: Option<&TitleBlock>, doc: &Document, at: &Endpoint) -> Verdict {
    let text = render_text(title, doc, at, &ByTrailingSlash);
    invariants::gopher_text_crlf(&text)?;
    let page = title.cloned().unwrap_or(TitleBlock {
        title: "page".to_string(),
        byline: None,
    });
    for menu in [
        render_menu(doc, at, &ByTrailingSlash),
        render_page(&page, doc, at, &ByTrailingSlash),
    ] {
        invariants::gopher_menu_fields(&menu)?;
        invariants::gopher_menu_display_width(&menu)?;
    }
    Ok(())
}

fuzz_target!(|page: Page<'_>| {
    let title = page.title.map(|(title, author)| TitleBlock {
        title: title.to_string(),
        byline: author.map(|author| format!("2024-01-02 · {author}")),
    });
    // The widths a configuration accepts start at 20.
    let at = Endpoint {
        host: "example.org".to_string(),
        port: 70,
        wrap: 20 + usize::from(page.wrap),
    };
    for doc in [markdown::parse(page.source), gemtext::parse(page.source)] {
        if let Err(why) = gopher_rules(title.as_ref(), &doc, &at) {
            panic!("{page:?}: {why}");
        }
    }
});
