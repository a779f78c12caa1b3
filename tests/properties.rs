//! Properties of everything gemhole reads from the network or from a writer's files: on any
//! input the request parsers give a request that is safe to serve or a clean error, and the
//! renderers give gemtext, Gopher text and Gopher menus that a client reads back exactly as
//! meant (line types, CRLF framing, dot-stuffing, menu fields, widths), without panicking.
//!
//! The rules themselves live in `fuzz/src/invariants.rs`, shared with the cargo-fuzz targets;
//! this file feeds them inputs from proptest strategies: arbitrary bytes and strings, and text
//! assembled from the fragments where markdown, gemtext and URLs change meaning. Inputs that
//! once broke a rule are kept in `properties.proptest-regressions` and tried first.

#[path = "../fuzz/src/invariants.rs"]
mod invariants;

use invariants::ByTrailingSlash;

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};

use gemhole::doc::{gemtext as gemtext_source, markdown, Document, TitleBlock};
use gemhole::gemini::request as gemini;
use gemhole::gopher::request as gopher;
use gemhole::proto::columns as text;
use gemhole::render::{gemtext, gopher_menu, gopher_text, Endpoint};
use gemhole::site::front as page;
use proptest::prelude::*;
use tokio::io::{AsyncRead, ReadBuf};

// ---------------------------------------------------------------------------------------------
// Strategies

/// Pieces of request lines where URL and selector parsing change course.
#[rustfmt::skip]
const REQUEST_FRAGMENTS: &[&str] = &[
    "gemini://", "GEMINI://", "gopher://", "https://", "URL:", "GET ", " HTTP/1.1", "h",
    "example.org", "Example.ORG.", "[::1]", "[", "]", ":", "1965", "99999", "/", ".", "..",
    "%2e", "%2E%2e", "%2f", "%5C", "%00", "%0a", "%C3%A9", "%", "%zz", "?", "#", "@", "\\",
    "\t", "\r", "\n", " ", "+", "!", "$", "é", "日本", "\u{85}", "\u{7f}", "\u{a0}", "\u{202e}",
];

/// Pieces of markdown and gemtext that open, close or guard a construct.
#[rustfmt::skip]
const MARKDOWN_FRAGMENTS: &[&str] = &[
    "# ", "## ", "#### ", "####### ", "* ", "- ", "+ ", "1. ", "7) ", "> ", ">> ", "```", "````",
    "~~~", "```rust", "[x](", "](", "](<", ">)", ")", "[", "]", "![", "![alt](", "<", ">",
    "<https://a.example/x>", "https://b.example", "gopher://g.example:70/0/x", "gopher://",
    "/local/path", "x.md", "mailto:me@x.example", "me@x.example", "|", "| a | b |\n|---|---|\n",
    "|:-:|", "---", "***", "___", "\n", "\n\n", "  \n", "\\\n", "[^1]", "[^1]: ", "[^n]", "[r]",
    "[r]: /ref\n", "<br>", "<!--", "-->", "<div>", "</div>", "<a href=\"/h\">", "    ", "\t", " ",
    ".", "..", "=>", "*", "**", "_", "`", "``", "\\", "&amp;", "&#10;", "- [ ] ", "- [x] ", "word",
    "日本", "語", "\u{200b}", "\u{a0}", "\u{3000}", "\u{feff}", "\u{2028}", "❤\u{fe0f}",
    "👩\u{200d}💻", "e\u{301}", "\r", "\r\n", "%20", "%0D%0A", "%09", "\u{1b}", "\0",
    "long-word-that-keeps-going-well-past-any-line-width-a-gopher-client-might-use",
];

/// Pieces of front matter, in both YAML and TOML, well and badly formed.
#[rustfmt::skip]
const FRONT_MATTER_FRAGMENTS: &[&str] = &[
    "title: ", "date: ", "date = ", "tags: ", "tags = [", "- ", "author = \"", "draft: ",
    "toc: true", "2024-02-30", "2023-11-20T10:00:00Z", "\"", "'", "[", "]", "{", "\n", ": ", "= ",
    "\t", "é", "\u{feff}", "---", "+++",
];

/// Text built from `fragments`, with arbitrary characters, short words and long runs of one
/// fragment (deep nesting, lines wider than any limit) mixed in.
fn soup(fragments: &'static [&'static str], pieces: Range<usize>) -> impl Strategy<Value = String> {
    let fragment = move || prop::sample::select(fragments);
    let piece = prop_oneof![
        8 => fragment().prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z ]{1,8}",
        1 => (fragment(), 2usize..40).prop_map(|(fragment, times)| fragment.repeat(times)),
    ];
    prop::collection::vec(piece, pieces).prop_map(|pieces| pieces.concat())
}

/// Request lines: arbitrary bytes, URLs and selectors assembled from their parts, and URLs
/// around the length limit.
fn request_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..1100),
        soup(REQUEST_FRAGMENTS, 0..24).prop_map(String::into_bytes),
        "[a-z/.%]{1005,1020}".prop_map(|path| format!("gemini://h/{path}").into_bytes()),
    ]
}

/// What a client sends: arbitrary bytes, request-like text, or a line near the length limit
/// with any line end (or none) and a few bytes after it.
fn request_stream() -> impl Strategy<Value = Vec<u8>> {
    let ending = prop::sample::select(&["\r\n", "\n", "\r", ""][..]);
    let near_limit = (
        1020usize..1030,
        ending,
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(length, ending, tail)| {
            [vec![b'a'; length], ending.as_bytes().to_vec(), tail].concat()
        });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..1100),
        soup(REQUEST_FRAGMENTS, 0..24).prop_map(String::into_bytes),
        near_limit,
    ]
}

/// How a connection splits what it delivers: the sizes of successive reads, repeated.
fn read_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..700, 1..8)
}

/// A link or image whose destination, between `<` and `>`, is a scheme (or a scheme and
/// host, or nothing) and then URL parts, white space and all.
fn odd_link() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(&["gopher://", "gopher://h/", "https://", "/", ""][..]);
    (scheme, soup(REQUEST_FRAGMENTS, 0..8), prop::bool::ANY).prop_map(|(scheme, rest, image)| {
        let target = format!("{scheme}{rest}").replace(['<', '>', '\n', '\r'], "");
        let bang = if image { "!" } else { "" };
        format!("{bang}[link](<{target}>)")
    })
}

/// A fenced or indented code block whose lines are themselves markdown and gemtext, which
/// must come out verbatim.
fn code_block() -> impl Strategy<Value = String> {
    let fence = prop::sample::select(&["```", "````", "~~~", "```gemini"][..]);
    let lines = prop::collection::vec(soup(MARKDOWN_FRAGMENTS, 0..4), 1..5);
    (prop::bool::ANY, fence, lines).prop_map(|(indented, fence, lines)| {
        if indented {
            format!("\n\n    {}\n\n", lines.join("\n    "))
        } else {
            format!("\n{fence}\n{}\n{}\n", lines.join("\n"), &fence[..3])
        }
    })
}

/// A table whose cells are markdown and gemtext fragments, which must stay inside it.
fn table() -> impl Strategy<Value = String> {
    let cell = || soup(MARKDOWN_FRAGMENTS, 0..3).prop_map(|cell| cell.replace(['|', '\n'], " "));
    let row = move || prop::collection::vec(cell(), 1..4).prop_map(|cells| cells.join(" | "));
    (row(), prop::collection::vec(row(), 1..4)).prop_map(|(header, rows)| {
        let columns = header.matches(" | ").count() + 1;
        let rule = vec!["---"; columns].join("|");
        format!(
            "\n\n| {header} |\n|{rule}|\n| {} |\n\n",
            rows.join(" |\n| ")
        )
    })
}

/// Markdown: any string at all, or one assembled from markdown fragments, odd links, code
/// blocks and tables.
fn any_markdown() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            4 => soup(MARKDOWN_FRAGMENTS, 0..12),
            1 => odd_link(),
            1 => code_block(),
            1 => table(),
        ],
        0..6,
    );
    prop_oneof![any::<String>(), pieces.prop_map(|pieces| pieces.concat())]
}

/// A prose word: mostly short, sometimes wide characters, sometimes wider than any line.
fn prose_word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z]{1,10}",
        1 => Just("日本語".to_string()),
        1 => "[a-zA-Z]{15,40}",
        1 => Just("https://example.org/a/path/much/longer/than/a/line/is/wide".to_string()),
    ]
}

fn prose_words(count: Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(prose_word(), count).prop_map(|words| words.join(" "))
}

/// A link or image with a label of words (never empty, so every line holds a word).
fn prose_link() -> impl Strategy<Value = String> {
    let target = prop_oneof![
        "/[a-z]{1,12}",
        "https://[a-z]{1,12}\\.example/[a-z]{0,30}",
        "gopher://[a-z]{1,8}\\.example/0/[a-z]{0,12}",
    ];
    (prop::bool::ANY, prose_words(1..4), target).prop_map(|(image, label, target)| {
        let bang = if image { "!" } else { "" };
        format!("{bang}[{label}]({target})")
    })
}

/// A block of prose words and links: a paragraph, heading, list item or quote.
fn prose_block() -> impl Strategy<Value = String> {
    let lead = prop::sample::select(&["", "# ", "## ", "### ", "- ", "1. ", "  - ", "> "][..]);
    let piece = prop_oneof![4 => prose_word(), 1 => prose_link()];
    (lead, prop::collection::vec(piece, 1..30))
        .prop_map(|(lead, pieces)| format!("{lead}{}", pieces.join(" ")))
}

/// Markdown that is only prose, so that every line of its Gopher text must fit the width.
fn prose_markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(prose_block(), 1..6).prop_map(|blocks| blocks.join("\n\n"))
}

/// A title block as the site builds one: a one-line title, maybe `date · author`.
fn prose_title() -> impl Strategy<Value = Option<TitleBlock>> {
    let byline = prose_words(1..4).prop_map(|author| format!("2024-01-02 · {author}"));
    let title = (prose_words(1..12), prop::option::of(byline))
        .prop_map(|(title, byline)| TitleBlock { title, byline });
    prop::option::of(title)
}

/// A title block whose title and author hold anything front matter can spell, line breaks
/// included (`author: "a\nb"` in YAML).
fn any_title() -> impl Strategy<Value = TitleBlock> {
    (any_markdown(), any_markdown()).prop_map(|(title, author)| TitleBlock {
        title,
        byline: Some(format!("2024-01-02 · {author}")),
    })
}

/// A markdown file: any string, or a front matter block of fragments (closed or not) and a
/// body.
fn markdown_file() -> impl Strategy<Value = String> {
    let fence = || prop::sample::select(&["---", "+++", "---\r", "--- ", "\u{feff}---"][..]);
    let file = (
        fence(),
        soup(FRONT_MATTER_FRAGMENTS, 0..16),
        prop::option::of(fence()),
        any_markdown(),
    )
        .prop_map(|(open, meta, close, body)| {
            let close = close.map_or(String::new(), |close| format!("\n{close}\n"));
            format!("{open}\n{meta}{close}{body}")
        });
    prop_oneof![any::<String>(), file]
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Turns an invariant's verdict into a proptest failure.
fn holds(verdict: invariants::Verdict) -> Result<(), TestCaseError> {
    verdict.map_err(TestCaseError::fail)
}

/// A reader that hands out its bytes in reads of the given sizes, as a slow client would, and
/// counts how many bytes were taken from it.
struct Trickle {
    bytes: Vec<u8>,
    sizes: Vec<usize>,
    taken: usize,
    reads: usize,
}

impl Trickle {
    fn new(bytes: Vec<u8>, sizes: Vec<usize>) -> Trickle {
        Trickle {
            bytes,
            sizes,
            taken: 0,
            reads: 0,
        }
    }
}

impl AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let size = this.sizes[this.reads % this.sizes.len()];
        let end = (this.taken + size.min(buffer.remaining())).min(this.bytes.len());
        buffer.put_slice(&this.bytes[this.taken..end]);
        this.taken = end;
        this.reads += 1;
        Poll::Ready(Ok(()))
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
        .block_on(future)
}

fn endpoint(wrap: usize) -> Endpoint {
    Endpoint {
        host: "example.org".to_string(),
        port: 70,
        wrap,
    }
}

/// The documents a source becomes, read as markdown and as a hand-written `.gmi` file.
fn documents(source: &str) -> [Document; 2] {
    [markdown::parse(source), gemtext_source::parse(source)]
}

/// A page as Gopher text.
fn gopher_page(title: Option<&TitleBlock>, doc: &Document, wrap: usize) -> String {
    let at = endpoint(wrap);
    gopher_text::render_text(title, doc, &at, &ByTrailingSlash)
}

/// A document as an index menu, and as the menu of a page titled `title`.
fn menus(doc: &Document, title: &str) -> [String; 2] {
    let at = endpoint(70);
    let title = TitleBlock {
        title: title.to_string(),
        byline: None,
    };
    [
        gopher_menu::render_menu(doc, &at, &ByTrailingSlash),
        gopher_menu::render_page(&title, doc, &at, &ByTrailingSlash),
    ]
}

/// Every line of Gopher text fits `wrap` columns or holds a single word. Words are told from
/// the markers around them (`*`, `>`, `###`, `1.`, `[1]`) by their letters.
fn fits_width(rendered: &str, wrap: usize) -> Result<(), TestCaseError> {
    for line in invariants::crlf_lines(rendered).map_err(TestCaseError::fail)? {
        let words = line
            .split(' ')
            .filter(|token| token.contains(char::is_alphabetic));
        prop_assert!(
            text::width(line) <= wrap || words.count() <= 1,
            "line of {} columns at wrap {}: {:?}",
            text::width(line),
            wrap,
            line
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Requests

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn gemini_requests_are_refused_or_safe(line in request_line()) {
        holds(invariants::gemini_request(&line))?;
    }

    #[test]
    fn gopher_requests_are_refused_or_safe(line in request_line()) {
        holds(invariants::gopher_request(&line))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// However the bytes arrive, a Gemini request line is what precedes the first LF when a CR
    /// ends it within 1024 bytes, and an error otherwise; at most 1026 bytes are read.
    #[test]
    fn gemini_line_reading_is_bounded_and_exact(bytes in request_stream(), sizes in read_sizes()) {
        let limit = gemini::MAX_URL_BYTES;
        let window = &bytes[..bytes.len().min(limit + 2)];
        let expected = window
            .iter()
            .position(|&b| b == b'\n')
            .and_then(|lf| window[..lf].strip_suffix(b"\r"))
            .filter(|line| line.len() <= limit);
        let mut reader = Trickle::new(bytes.clone(), sizes);
        let read = block_on(gemini::read_line(&mut reader));
        prop_assert_eq!(read.as_deref().ok(), expected);
        prop_assert!(reader.taken <= limit + 2, "read {} bytes", reader.taken);
    }

    /// However the bytes arrive, a Gopher selector line is a prefix of what was sent with no
    /// LF in it and at most 1024 bytes long, and at most 1026 bytes are read.
    #[test]
    fn gopher_line_reading_is_bounded(bytes in request_stream(), sizes in read_sizes()) {
        let limit = gopher::MAX_LINE_BYTES;
        let mut reader = Trickle::new(bytes.clone(), sizes);
        let read = block_on(gopher::read_line(&mut reader));
        prop_assert!(reader.taken <= limit + 2, "read {} bytes", reader.taken);
        if let Ok(line) = read {
            prop_assert!(line.len() <= limit, "accepted a line of {} bytes", line.len());
            prop_assert!(bytes.starts_with(&line));
            prop_assert!(!line.contains(&b'\n'));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Gemtext

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn gemtext_ends_with_one_line_feed(source in any_markdown(), title in prose_title()) {
        let rendered = gemtext::render(title.as_ref(), &markdown::parse(&source));
        holds(invariants::gemtext_ends_with_one_line_feed(&rendered))?;
    }

    #[test]
    fn gemtext_has_no_carriage_return(source in any_markdown()) {
        let rendered = gemtext::render(None, &markdown::parse(&source));
        holds(invariants::gemtext_has_no_carriage_return(&rendered))?;
    }

    #[test]
    fn gemtext_toggles_pair_up(source in any_markdown()) {
        let doc = markdown::parse(&source);
        holds(invariants::gemtext_toggles_pair_up(&doc, &gemtext::render(None, &doc)))?;
    }

    /// Link lines have a URL. Where toggles are out of step (their own property above), no
    /// line can be told to be outside preformatted text, so those inputs are left to it.
    #[test]
    fn gemtext_link_lines_have_a_url(source in any_markdown(), title in prose_title()) {
        let doc = markdown::parse(&source);
        let rendered = gemtext::render(title.as_ref(), &doc);
        prop_assume!(invariants::gemtext_toggles_pair_up(&doc, &rendered).is_ok());
        holds(invariants::gemtext_link_lines(&rendered))?;
    }

    /// Headings and text lines read back as what they are (given toggles in step, as above),
    /// and the gemtext parser takes the whole output.
    #[test]
    fn gemtext_headings_and_text_lines_read_back(
        source in any_markdown(),
        title in prose_title(),
    ) {
        let doc = markdown::parse(&source);
        let rendered = gemtext::render(title.as_ref(), &doc);
        gemtext_source::parse(&rendered);
        prop_assume!(invariants::gemtext_toggles_pair_up(&doc, &rendered).is_ok());
        holds(invariants::gemtext_headings_and_text_lines(&rendered))?;
    }

    /// A hand-written `.gmi` file, read into the model and written out again, is gemtext that
    /// keeps every rule above.
    #[test]
    fn gemtext_files_render_back_to_gemtext(source in soup(MARKDOWN_FRAGMENTS, 0..48)) {
        let doc = gemtext_source::parse(&source);
        let rendered = gemtext::render(None, &doc);
        holds(invariants::gemtext_ends_with_one_line_feed(&rendered))?;
        holds(invariants::gemtext_toggles_pair_up(&doc, &rendered))?;
        holds(invariants::gemtext_link_lines(&rendered))?;
        holds(invariants::gemtext_headings_and_text_lines(&rendered))?;
    }
}

// ---------------------------------------------------------------------------------------------
// Gopher

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn gopher_text_lines_end_with_crlf(source in any_markdown(), wrap in 20usize..120) {
        for doc in documents(&source) {
            holds(invariants::gopher_text_crlf(&gopher_page(None, &doc, wrap)))?;
        }
    }

    /// Prose is wrapped to the width: only a line holding a single word may be wider.
    #[test]
    fn gopher_prose_fits_the_wrap_width(
        source in prose_markdown(),
        title in prose_words(1..12),
        wrap in 20usize..120,
    ) {
        let title = TitleBlock { title, byline: None };
        let at = endpoint(wrap);
        let doc = markdown::parse(&source);
        let rendered = gopher_text::render_text(Some(&title), &doc, &at, &ByTrailingSlash);
        fits_width(&rendered, wrap)?;
    }

    /// The lines a page adds around its body, the byline and the pointer to its links menu,
    /// fit the width too.
    #[test]
    fn gopher_page_lines_fit_the_wrap_width(
        source in prose_markdown(),
        title in prose_title(),
        wrap in 20usize..120,
    ) {
        fits_width(&gopher_page(title.as_ref(), &markdown::parse(&source), wrap), wrap)?;
    }

    #[test]
    fn gopher_menus_have_four_fields(source in any_markdown(), title in any_markdown()) {
        for doc in documents(&source) {
            for menu in menus(&doc, &title) {
                holds(invariants::gopher_menu_fields(&menu))?;
            }
        }
    }

    #[test]
    fn gopher_menu_display_fits_67_columns(source in any_markdown(), title in any_markdown()) {
        for doc in documents(&source) {
            for menu in menus(&doc, &title) {
                holds(invariants::gopher_menu_display_width(&menu))?;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Title blocks and front matter

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever a title or author holds, the title block stays at most a heading and then one
    /// text line, the byline, in gemtext, and proper lines in Gopher text.
    #[test]
    fn title_blocks_stay_on_their_lines(title in any_title()) {
        let empty = Document::default();
        let rendered = gemtext::render(Some(&title), &empty);
        let lines: Vec<&str> = rendered.lines().collect();
        let (byline, heading) = lines.split_last().expect("a byline");
        prop_assert!(byline.starts_with("2024-01-02 ·"), "{:?}", rendered);
        prop_assert!(heading.len() <= 1 && heading.iter().all(|line| line.starts_with("# ")));
        holds(invariants::gemtext_headings_and_text_lines(&rendered))?;
        let page = gopher_page(Some(&title), &empty, 70);
        holds(invariants::gopher_text_crlf(&page))?;
    }

    /// Splitting front matter never panics, and the body it returns is the end of the file.
    #[test]
    fn front_matter_split_keeps_the_body(source in markdown_file()) {
        if let Ok(split) = page::split(&source) {
            prop_assert!(source.ends_with(split.body), "body {:?}", split.body);
        }
    }
}
