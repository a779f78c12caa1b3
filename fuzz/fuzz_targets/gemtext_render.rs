//! Any text as a markdown body, with any title block, rendered to gemtext: exactly one final
//! LF and no CR, one toggle pair per preformatted block or table, link lines with a URL,
//! well-formed headings and guarded text lines; then the gemtext parser reads the output back.
//! The same text read as a `.gmi` file and rendered again keeps the same rules.

#![no_main]

use gemhole::doc::{gemtext as gemtext_source, markdown, Document, TitleBlock};
use gemhole::render::gemtext;
use invariants::Verdict;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Page<'a> {
    title: Option<(&'a str, Option<&'a str>)>,
    source: &'a str,
}

/// Every gemtext rule, for a document and its rendering.
fn gemtext_rules(doc: &Document, rendered: &str) -> Verdict {
    invariants::gemtext_ends_with_one_line_feed(rendered)?;
    invariants::gemtext_has_no_carriage_return(rendered)?;
    invariants::gemtext_toggles_pair_up(doc, rendered)?;
    invariants::gemtext_link_lines(rendered)?;
    invariants::gemtext_headings_and_text_lines(rendered)
}

fuzz_target!(|page: Page<'_>| {
    let title = page.title.map(|(title, author)| TitleBlock {
        title: title.to_string(),
        byline: author.map(|author| format!("2024-01-02 · {author}")),
    });
    let doc = markdown::parse(page.source);
    let rendered = gemtext::render(title.as_ref(), &doc);
    if let Err(why) = gemtext_rules(&doc, &rendered) {
        panic!("markdown {:?}: {why}", page.source);
    }
    gemtext_source::parse(&rendered);

    let doc = gemtext_source::parse(page.source);
    if let Err(why) = gemtext_rules(&doc, &gemtext::render(None, &doc)) {
        panic!("gemtext {:?}: {why}", page.source);
    }
});
