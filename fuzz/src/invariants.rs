//! The invariants gemhole's request parsers and renderers keep on any input, written once and
//! used twice: the fuzz targets in `fuzz_targets/` panic when one fails, and
//! `tests/properties.rs` includes this file as a module and turns each into a proptest property.
//!
//! Every check takes what a parser or renderer produced and returns `Err` with a sentence naming
//! the rule that was broken and the offending line, so a failure reads the same in both
//! harnesses. The rules come from the protocols (Gemini, gemtext, RFC 1436), not from the code
//! under test.

use gemhole::doc::{Block, Document};
use gemhole::gemini::request::{self as gemini, MAX_URL_BYTES};
use gemhole::gopher::request as gopher;
use gemhole::proto::columns::width;
use gemhole::proto::gopher::{ItemType, MENU_WIDTH};
use gemhole::render::ItemTypes;

/// What a check found: nothing, or the rule an output broke.
pub type Verdict = Result<(), String>;

/// Item types as a site answers them: menus for folder routes, text for everything else. The
/// stand-in site the Gopher renderers are checked against.
pub struct ByTrailingSlash;

impl ItemTypes for ByTrailingSlash {
    fn item_type(&self, route: &str) -> ItemType {
        match route.ends_with('/') {
            true => ItemType::Menu,
            false => ItemType::Text,
        }
    }
}

fn require(holds: bool, why: impl FnOnce() -> String) -> Verdict {
    if holds {
        Ok(())
    } else {
        Err(why())
    }
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

fn has_dot_segment(path: &str) -> bool {
    path.split('/')
        .any(|segment| segment == "." || segment == "..")
}

/// A Gemini request line is refused with an error, or it names a path that is safe to hand to
/// the content layer: rooted, without dot segments, control characters or backslashes, from a
/// line within the 1024-byte limit, on a non-empty lower-case host.
pub fn gemini_request(line: &[u8]) -> Verdict {
    let Ok(request) = gemini::parse(line) else {
        return Ok(());
    };
    let path = &request.path;
    require(line.len() <= MAX_URL_BYTES, || {
        format!("accepted a request of {} bytes", line.len())
    })?;
    require(path.starts_with('/'), || {
        format!("path {path:?} does not start with /")
    })?;
    require(!has_control(path), || {
        format!("path {path:?} holds a control character")
    })?;
    require(!path.contains('\\'), || {
        format!("path {path:?} holds a backslash")
    })?;
    require(!has_dot_segment(path), || {
        format!("path {path:?} holds a . or .. segment")
    })?;
    let host = &request.host;
    require(
        !host.is_empty() && *host == host.to_ascii_lowercase(),
        || format!("host {host:?} is empty or not lower case"),
    )
}

/// A Gopher request line is refused with an error, or its selector is rooted and free of dot
/// segments, backslashes and control characters (TAB included: it ends the selector), and
/// neither its search words nor a `URL:` target carry a control character.
pub fn gopher_request(line: &[u8]) -> Verdict {
    match gopher::parse(line) {
        Ok(gopher::Request::Selector {
            selector, query, ..
        }) => {
            require(selector.starts_with('/'), || {
                format!("selector {selector:?} does not start with /")
            })?;
            require(!has_control(&selector), || {
                format!("selector {selector:?} holds a control character")
            })?;
            require(!selector.contains('\\'), || {
                format!("selector {selector:?} holds a backslash")
            })?;
            require(!has_dot_segment(&selector), || {
                format!("selector {selector:?} holds a . or .. segment")
            })?;
            require(!query.as_deref().is_some_and(has_control), || {
                format!("search words {query:?} hold a control character")
            })
        }
        Ok(gopher::Request::Url(url)) => require(!has_control(&url), || {
            format!("URL {url:?} holds a control character")
        }),
        Ok(gopher::Request::Http) | Err(_) => Ok(()),
    }
}

/// Gemtext ends with exactly one line feed, so it is never empty and never trails blank lines.
pub fn gemtext_ends_with_one_line_feed(gemtext: &str) -> Verdict {
    require(
        gemtext.ends_with('\n') && !gemtext.ends_with("\n\n"),
        || format!("gemtext does not end with exactly one LF: {gemtext:?}"),
    )
}

/// Gemtext lines end with LF alone: no CR anywhere, not even inside preformatted text.
pub fn gemtext_has_no_carriage_return(gemtext: &str) -> Verdict {
    require(!gemtext.contains('\r'), || {
        format!("gemtext holds a CR: {gemtext:?}")
    })
}

/// Each preformatted block and table of the document is one pair of toggle lines and nothing
/// else starts with three backticks, so toggles pair up, the document never ends inside
/// preformatted text, and no verbatim line can close its block early and be read as markup.
pub fn gemtext_toggles_pair_up(doc: &Document, gemtext: &str) -> Verdict {
    let blocks = doc
        .blocks
        .iter()
        .filter(|block| matches!(block, Block::Preformatted { .. } | Block::Table(_)))
        .count();
    let toggles = gemtext
        .split_terminator('\n')
        .filter(|line| line.starts_with("```"))
        .count();
    require(toggles == 2 * blocks, || {
        format!("{toggles} toggle lines for {blocks} verbatim blocks in {gemtext:?}")
    })
}

/// The lines outside preformatted text, toggles left out.
fn gemtext_lines(gemtext: &str) -> impl Iterator<Item = &str> {
    let mut preformatted = false;
    gemtext.split_terminator('\n').filter(move |line| {
        if line.starts_with("```") {
            preformatted = !preformatted;
            return false;
        }
        !preformatted
    })
}

/// Every link line outside preformatted text is `=> URL` or `=> URL label`, with a URL that is
/// not empty and holds no white space (where clients and `gemtext::parse` end it) and a label
/// that is not blank.
pub fn gemtext_link_lines(gemtext: &str) -> Verdict {
    for line in gemtext_lines(gemtext) {
        if let Some(rest) = line.strip_prefix("=>") {
            link_line(rest).map_err(|why| format!("{why} in link line {line:?}"))?;
        }
    }
    Ok(())
}

/// Every heading outside preformatted text has one to three `#` and a space, and a text line
/// that begins with white space hides no other line type behind it, for the clients that trim
/// lines before reading them.
pub fn gemtext_headings_and_text_lines(gemtext: &str) -> Verdict {
    for line in gemtext_lines(gemtext) {
        if line.starts_with('#') {
            let level = line.chars().take_while(|&c| c == '#').count();
            require(level <= 3 && line[level..].starts_with(' '), || {
                format!("malformed heading line {line:?}")
            })?;
        } else if line.starts_with(char::is_whitespace) {
            require(!looks_like_markup(line.trim_start()), || {
                format!("text line {line:?} reads as markup once trimmed")
            })?;
        }
    }
    Ok(())
}

/// The rest of a link line after `=>`, as the renderer writes it.
fn link_line(rest: &str) -> Verdict {
    let rest = rest
        .strip_prefix(' ')
        .ok_or_else(|| "no space after =>".to_string())?;
    let (url, label) = match rest.split_once(' ') {
        Some((url, label)) => (url, Some(label)),
        None => (rest, None),
    };
    require(!url.is_empty(), || "empty URL".to_string())?;
    require(!url.contains(char::is_whitespace), || {
        format!("URL {url:?} holds white space")
    })?;
    require(!label.is_some_and(|label| label.trim().is_empty()), || {
        "blank label".to_string()
    })
}

/// True for the start of a link, heading, quote, list item or toggle line.
fn looks_like_markup(line: &str) -> bool {
    ["=>", "#", ">", "```", "* ", "*\t"]
        .iter()
        .any(|marker| line.starts_with(marker))
        || line == "*"
}

/// Every line of Gopher type 0 text ends with CRLF and holds no other CR or LF.
pub fn gopher_text_crlf(text: &str) -> Verdict {
    crlf_lines(text).map(drop)
}

/// The item lines of a Gopher menu: the `.` terminator at the end, every line before it
/// CRLF-ended.
fn menu_lines(menu: &str) -> Result<Vec<&str>, String> {
    let body = menu
        .strip_suffix(".\r\n")
        .ok_or_else(|| format!("menu does not end with the terminator: {menu:?}"))?;
    crlf_lines(body)
}

/// Every line of a Gopher menu has exactly four TAB-separated fields: a printable ASCII item
/// type followed by display text, a selector, a non-empty host and a port number; then the
/// terminator.
pub fn gopher_menu_fields(menu: &str) -> Verdict {
    for line in menu_lines(menu)? {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind_and_display, _selector, host, port] = fields[..] else {
            return Err(format!("{} fields in menu line {line:?}", fields.len()));
        };
        let kind = kind_and_display.chars().next();
        require(kind.is_some_and(|kind| kind.is_ascii_graphic()), || {
            format!("item type {kind:?} is not printable ASCII in {line:?}")
        })?;
        require(!host.is_empty() && port.parse::<u16>().is_ok(), || {
            format!("bad host or port in menu line {line:?}")
        })?;
    }
    Ok(())
}

/// The display text of every menu line takes at most 67 columns.
pub fn gopher_menu_display_width(menu: &str) -> Verdict {
    for line in menu_lines(menu)? {
        let mut kind_and_display = line.split('\t').next().unwrap_or("").chars();
        kind_and_display.next();
        let display = kind_and_display.as_str();
        require(width(display) <= MENU_WIDTH, || {
            format!("display text of {} columns in {line:?}", width(display))
        })?;
    }
    Ok(())
}

/// The lines of CRLF-ended text, each checked for a stray CR or LF of its own.
pub fn crlf_lines(body: &str) -> Result<Vec<&str>, String> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<&str> = body
        .strip_suffix("\r\n")
        .ok_or_else(|| format!("last line lacks its CRLF: {body:?}"))?
        .split("\r\n")
        .collect();
    for line in &lines {
        require(!line.contains(['\r', '\n']), || {
            format!("line {line:?} holds a bare CR or LF")
        })?;
    }
    Ok(lines)
}
