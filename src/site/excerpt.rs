//! The line of a search result: a window of a page's prose around the first word searched
//! for, cut at word boundaries.

use super::search::{fold, words};

/// A one-line excerpt of `body` around the first place any query word occurs in its prose (not
/// in code or headings): markup dropped, at most about `max` characters, `…` where it was cut.
pub fn excerpt(body: &str, query: &str, max: usize, ellipsis: &str) -> Option<String> {
    let terms: Vec<Vec<char>> = words(query).map(|w| w.chars().collect()).collect();
    let mut in_code = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        // Code says little out of context, and headings mostly repeat the title.
        if in_code || trimmed.starts_with('#') {
            continue;
        }
        let text: Vec<char> = strip_markup(line).chars().collect();
        let folded: Vec<char> = text.iter().map(|&c| fold(c)).collect();
        let found = terms.iter().filter_map(|term| find(&folded, term)).min();
        if let Some(at) = found {
            return Some(window(&text, at, max, ellipsis));
        }
    }
    None
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
