//! The line of a search result: a window of a page's prose around the first word searched
//! for, cut at word boundaries.

use super::search::{fold, words};

/// A one-line excerpt of `body` around the first place any query word occurs in its prose (not
/// in code or headings): markup dropped, at most about `max` characters, `ellipsis` wherever
/// the paragraph goes on past it (a paragraph written over several lines is one text here, so
/// a cut at a line's end is marked like any other).
pub fn excerpt(body: &str, query: &str, max: usize, ellipsis: &str) -> Option<String> {
    let terms: Vec<Vec<char>> = words(query).map(|w| w.chars().collect()).collect();
    prose_paragraphs(body).find_map(|paragraph| {
        let text: Vec<char> = paragraph.chars().collect();
        let folded: Vec<char> = text.iter().map(|&c| fold(c)).collect();
        let at = terms.iter().filter_map(|term| find(&folded, term)).min()?;
        Some(window(&text, at, max, ellipsis))
    })
}

/// The paragraphs of prose of a markdown body, markup dropped: code and headings left out
/// (code says little out of context, headings mostly repeat the title), each list item and
/// quote line a paragraph of its own.
fn prose_paragraphs(body: &str) -> impl Iterator<Item = String> + '_ {
    let mut in_code = false;
    let mut current = String::new();
    let mut lines = body.lines();
    std::iter::from_fn(move || loop {
        let Some(line) = lines.next() else {
            return (!current.is_empty()).then(|| std::mem::take(&mut current));
        };
        let trimmed = line.trim_start();
        let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
        if fence {
            in_code = !in_code;
        }
        let starts_item = trimmed.starts_with(['-', '*', '+', '>']) || trimmed.starts_with('#');
        let ends_paragraph = fence || in_code || trimmed.is_empty() || starts_item;
        let done = match ends_paragraph && !current.is_empty() {
            true => Some(std::mem::take(&mut current)),
            false => None,
        };
        if !(fence || in_code || trimmed.starts_with('#')) {
            let words = strip_markup(line);
            if !words.is_empty() {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(&words);
            }
        }
        if done.is_some() {
            return done;
        }
    })
}

fn find(haystack: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Up to `max` characters of `text` around position `at`, cut at word boundaries.
fn window(text: &[char], at: usize, max: usize, ellipsis: &str) -> String {
    // From the line's start when the match is early in it; else a third of the room before it,
    // and never less room than the end of the line leaves.
    let start = match at < max / 2 {
        true => 0,
        false => (at - max / 3).min(text.len().saturating_sub(max)),
    };
    let end = (start + max).min(text.len());
    let mut start_cut = start;
    if start > 0 {
        while start_cut < at && !text[start_cut - 1].is_whitespace() {
            start_cut += 1;
        }
    }
    let mut end_cut = end;
    if end < text.len() {
        while end_cut > at && !text[end_cut].is_whitespace() {
            end_cut -= 1;
        }
    }
    let middle: String = text[start_cut..end_cut].iter().collect();
    let mut out = String::new();
    if start_cut > 0 {
        out.push_str(ellipsis);
    }
    out.push_str(middle.trim());
    if end_cut < text.len() {
        out.push_str(ellipsis);
    }
    out
}

/// A markdown line as plain words: emphasis, heading and quote markers and link targets gone.
fn strip_markup(line: &str) -> String {
    let line = line.trim_start_matches(['#', '>', ' ', '\t']);
    let line = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .unwrap_or(line);
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(close) = rest.find("](") {
        out.push_str(&rest[..close]);
        let after = &rest[close + 2..];
        rest = after.find(')').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out.replace(['*', '_', '`', '[', ']', '!'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_over_several_lines_is_cut_with_marks_at_both_ends() {
        let body = "Start of a paragraph that goes on\nand the needle is here, then it\ngoes on and on for a long while after.";
        let cut = excerpt(body, "needle", 40, "...").unwrap();
        assert!(cut.starts_with("...") && cut.ends_with("..."), "{cut}");
        assert!(cut.contains("needle"), "{cut}");
    }

    #[test]
    fn excerpts_come_from_the_matching_line() {
        let body = "# Title\n\nFirst line.\n\n```\nrefurbished in code\n```\n\nA **long** line about [refurbished](https://x.example) devices and much more text after it that goes on";
        assert_eq!(
            excerpt(body, "REFURBISHED", 40, "…").as_deref(),
            Some("A long line about refurbished devices…")
        );
        assert_eq!(excerpt(body, "absent", 40, "…"), None);
        let long = format!("{} needle {}", "word ".repeat(30), "tail ".repeat(30));
        let cut = excerpt(&long, "needle", 30, "…").unwrap();
        assert!(
            cut.starts_with('…') && cut.ends_with('…') && cut.contains("needle"),
            "{cut}"
        );
    }
}
