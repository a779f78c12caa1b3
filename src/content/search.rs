//! Full-text search over the snapshot: an in-memory inverted index built with it.
//!
//! Words are folded (lower case, accents removed: `Café` finds `cafe`) and every word of a
//! page's title, tags, description and body points to the pages holding it and in which fields.
//! A query matches pages that hold every one of its words (a word of three letters or more also
//! matches as a prefix: `refurb` finds `refurbished`); pages are ranked by where the words occur,
//! title first. Only the postings are kept, not the texts: an excerpt is cut from the source
//! when results are shown.

use std::collections::{BTreeMap, HashMap};

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const TITLE: u8 = 1;
const TAGS: u8 = 2;
const DESCRIPTION: u8 = 4;
const BODY: u8 = 8;

/// Query words shorter than this match whole words only.
const PREFIX_MIN_CHARS: usize = 3;

/// What one page offers to the index.
pub struct Entry<'a> {
    pub title: &'a str,
    pub tags: &'a [String],
    pub description: Option<&'a str>,
    pub body: &'a str,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    /// The page's position in the order pages were added.
    page: u32,
    /// The fields the word occurs in, as a bit set.
    fields: u8,
}

/// A page that matches, and how well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub page: usize,
    pub score: u32,
}

#[derive(Debug, Default)]
pub struct SearchIndex {
    words: BTreeMap<Box<str>, Vec<Posting>>,
}

impl SearchIndex {
    /// Adds a page; pages are numbered in the order they are added.
    pub fn add(&mut self, page: usize, entry: &Entry<'_>) {
        let Ok(page) = u32::try_from(page) else {
            return;
        };
        let mut fields: HashMap<String, u8> = HashMap::new();
        let mut note = |text: &str, field: u8| {
            for word in words(text) {
                *fields.entry(word).or_default() |= field;
            }
        };
        note(entry.title, TITLE);
        entry.tags.iter().for_each(|tag| note(tag, TAGS));
        if let Some(description) = entry.description {
            note(description, DESCRIPTION);
        }
        note(entry.body, BODY);
        for (word, fields) in fields {
            self.words
                .entry(word.into_boxed_str())
                .or_default()
                .push(Posting { page, fields });
        }
    }

    /// Pages holding every word of `query`, best first; among equals, the page added first.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let mut terms: Vec<String> = words(query).collect();
        terms.sort();
        terms.dedup();
        let mut scores: Option<HashMap<u32, u32>> = None;
        for term in &terms {
            let matches = self.term_scores(term);
            scores = Some(match scores {
                None => matches,
                Some(previous) => previous
                    .into_iter()
                    .filter_map(|(page, score)| matches.get(&page).map(|s| (page, score + s)))
                    .collect(),
            });
        }
        let mut hits: Vec<Hit> = scores
            .unwrap_or_default()
            .into_iter()
            .map(|(page, score)| Hit {
                page: page as usize,
                score,
            })
            .collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.page.cmp(&b.page)));
        hits
    }

    /// For one query word: each page holding it (or, when long enough, a word it begins),
    /// with the weight of the best field it occurs in.
    fn term_scores(&self, term: &str) -> HashMap<u32, u32> {
        let mut best: HashMap<u32, u32> = HashMap::new();
        let prefix = term.chars().count() >= PREFIX_MIN_CHARS;
        let candidates = self
            .words
            .range::<str, _>((std::ops::Bound::Included(term), std::ops::Bound::Unbounded))
            .take_while(|(word, _)| word.starts_with(term))
            .filter(|(word, _)| prefix || &***word == term);
        for (word, postings) in candidates {
            let exact_bonus = if &**word == term { 1 } else { 0 };
            for posting in postings {
                let weight = field_weight(posting.fields) * 2 + exact_bonus;
                let score = best.entry(posting.page).or_default();
                *score = (*score).max(weight);
            }
        }
        best
    }
}

fn field_weight(fields: u8) -> u32 {
    [(TITLE, 8), (TAGS, 4), (DESCRIPTION, 2), (BODY, 1)]
        .iter()
        .filter(|(field, _)| fields & field != 0)
        .map(|(_, weight)| weight)
        .sum()
}

/// A character as search compares it: lower case, without accents. One character in, one out,
/// so positions in folded text are positions in the original.
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let base = c.nfd().find(|d| !is_combining_mark(*d)).unwrap_or(c);
    let mut lower = base.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ => base,
    }
}

/// The folded words of a text.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| word.chars().map(fold).collect())
}

/// A one-line excerpt of `body` around the first place any query word occurs in its prose (not
/// in code or headings): markup dropped, at most about `max` characters, `…` where it was cut.
pub fn excerpt(body: &str, query: &str, max: usize) -> Option<String> {
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
            return Some(window(&text, at, max));
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
fn window(text: &[char], at: usize, max: usize) -> String {
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
        out.push('…');
    }
    out.push_str(middle.trim());
    if end_cut < text.len() {
        out.push('…');
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

    fn index(pages: &[(&str, &[&str], &str)]) -> (SearchIndex, Vec<Vec<String>>) {
        let mut index = SearchIndex::default();
        let mut tags = Vec::new();
        for (i, (title, page_tags, body)) in pages.iter().enumerate() {
            let page_tags: Vec<String> = page_tags.iter().map(|t| t.to_string()).collect();
            index.add(
                i,
                &Entry {
                    title,
                    tags: &page_tags,
                    description: None,
                    body,
                },
            );
            tags.push(page_tags);
        }
        (index, tags)
    }

    fn pages(index: &SearchIndex, query: &str) -> Vec<usize> {
        index.search(query).iter().map(|hit| hit.page).collect()
    }

    #[test]
    fn every_word_must_match_in_any_case_and_accent() {
        let (index, _) = index(&[
            ("Café culture", &[], "We drank coffee."),
            ("Tea time", &["drinks"], "No CAFE here, only tea."),
            ("Other", &[], "Nothing."),
        ]);
        assert_eq!(pages(&index, "cafe"), [0, 1]);
        assert_eq!(pages(&index, "CAFÉ tea"), [1]);
        assert_eq!(pages(&index, "drinks"), [1]);
        assert!(pages(&index, "cafe nothing").is_empty());
        assert!(pages(&index, "").is_empty());
        assert!(pages(&index, "  !!! ").is_empty());
    }

    #[test]
    fn long_words_match_as_prefixes_and_titles_rank_first() {
        let (index, _) = index(&[
            ("Notes", &[], "refurbished phones"),
            ("Refurbished tech", &[], "a story"),
        ]);
        assert_eq!(pages(&index, "refurb"), [1, 0]);
        assert!(pages(&index, "re").is_empty());
    }

    #[test]
    fn excerpts_come_from_the_matching_line() {
        let body = "# Title\n\nFirst line.\n\n```\nrefurbished in code\n```\n\nA **long** line about [refurbished](https://x.example) devices and much more text after it that goes on";
        assert_eq!(
            excerpt(body, "REFURBISHED", 40).as_deref(),
            Some("A long line about refurbished devices…")
        );
        assert_eq!(excerpt(body, "absent", 40), None);
        let long = format!("{} needle {}", "word ".repeat(30), "tail ".repeat(30));
        let cut = excerpt(&long, "needle", 30).unwrap();
        assert!(
            cut.starts_with('…') && cut.ends_with('…') && cut.contains("needle"),
            "{cut}"
        );
    }

    #[test]
    fn folding_keeps_positions() {
        assert_eq!("Ünïcödé".chars().map(fold).collect::<String>(), "unicode");
        assert_eq!(fold('İ'), 'i');
        assert_eq!(fold('日'), '日');
    }
}
