//! Full-text search over the snapshot: an in-memory inverted index built with it.
//!
//! Words are folded (lower case, accents removed: `Café` finds `cafe`) and every word of a
//! page's title, tags, description and body points to the pages holding it and in which fields.
//! A query matches pages that hold every one of its words (a word of three letters or more also
//! matches as a prefix: `refurb` finds `refurbished`); pages are ranked by where the words occur,
//! title first. Only the postings are kept, not the texts: an excerpt is cut from the source
//! when results are shown (see [`super::excerpt`]).
//!
//! The index is compact because it is the largest thing gemhole holds: each distinct word is
//! stored once, and each word's pages are a list of small numbers (the gap from the page
//! before, and four field bits) in variable-length bytes, mostly one or two per page.

use rustc_hash::FxHashMap;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const TITLE: u8 = 1;
const TAGS: u8 = 2;
const DESCRIPTION: u8 = 4;
const BODY: u8 = 8;

/// Bits of a posting that hold the fields; the page gap sits above them.
const FIELD_BITS: u32 = 4;
const FIELD_MASK: u64 = (1 << FIELD_BITS) - 1;

/// Query words shorter than this match whole words only.
const PREFIX_MIN_CHARS: usize = 3;

/// What one page offers to the index.
pub struct Entry<'a> {
    pub title: &'a str,
    pub tags: &'a [String],
    pub description: Option<&'a str>,
    pub body: &'a str,
}

/// A page that matches, and how well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub page: usize,
    pub score: u32,
}

/// The finished index, read-only.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Every folded word with its id, sorted by word: found by binary search, prefixes as a
    /// run of neighbours.
    words: Vec<(Box<str>, u32)>,
    /// For each word id, the pages holding it, by ascending page (see [`Postings`]).
    postings: Vec<Box<[u8]>>,
}

/// One word's pages while the index is built: `gap << 4 | fields` per page, each as a
/// LEB128 varint (seven bits a byte, the high bit saying more follow).
#[derive(Default)]
struct Postings {
    bytes: Vec<u8>,
    last_page: u32,
}

impl Postings {
    fn push(&mut self, page: u32, fields: u8) {
        let gap = page - self.last_page;
        self.last_page = page;
        push_varint(
            &mut self.bytes,
            u64::from(gap) << FIELD_BITS | u64::from(fields),
        );
    }

    /// Appends `later`, whose pages all come after this list's.
    fn append(&mut self, later: Postings) {
        let mut pages = decode(&later.bytes);
        let Some((first_page, fields)) = pages.next() else {
            return;
        };
        // Only the first entry's gap changes: it was counted from page 0.
        let first_len = varint_len(&later.bytes);
        self.push(first_page, fields);
        self.bytes.extend_from_slice(&later.bytes[first_len..]);
        self.last_page = later.last_page;
    }
}

fn push_varint(bytes: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return;
        }
        bytes.push(byte | 0x80);
    }
}

/// The length in bytes of the varint that `bytes` starts with.
fn varint_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|byte| byte & 0x80 == 0)
        .map_or(bytes.len(), |last| last + 1)
}

/// The (page, fields) pairs of one word's encoded postings.
fn decode(bytes: &[u8]) -> impl Iterator<Item = (u32, u8)> + '_ {
    let mut rest = bytes;
    let mut page: u64 = 0;
    std::iter::from_fn(move || {
        let mut value: u64 = 0;
        let mut shift = 0;
        loop {
            let (&byte, tail) = rest.split_first()?;
            rest = tail;
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 || shift > 63 {
                break;
            }
        }
        page += value >> FIELD_BITS;
        Some((u32::try_from(page).ok()?, (value & FIELD_MASK) as u8))
    })
}

/// Collects pages into a [`SearchIndex`]. Buffers are reused from page to page, so adding a
/// page allocates only for words never seen before.
#[derive(Default)]
pub struct IndexBuilder {
    ids: FxHashMap<Box<str>, u32>,
    postings: Vec<Postings>,
    /// The current page's words and the fields they occur in.
    page_words: FxHashMap<u32, u8>,
    folded: String,
}

impl IndexBuilder {
    /// Adds page number `page`; pages must be added in increasing order.
    pub fn add(&mut self, page: usize, entry: &Entry<'_>) {
        let Some(page) = u32::try_from(page)
            .ok()
            .filter(|p| p.leading_zeros() >= FIELD_BITS)
        else {
            return;
        };
        self.note(entry.title, TITLE);
        for tag in entry.tags {
            self.note(tag, TAGS);
        }
        if let Some(description) = entry.description {
            self.note(description, DESCRIPTION);
        }
        self.note(entry.body, BODY);
        for (id, fields) in self.page_words.drain() {
            if let Some(list) = self.postings.get_mut(id as usize) {
                list.push(page, fields);
            }
        }
    }

    fn note(&mut self, text: &str, field: u8) {
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            self.folded.clear();
            self.folded.extend(word.chars().map(fold));
            let id = match self.ids.get(self.folded.as_str()) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(self.postings.len()).unwrap_or(u32::MAX);
                    self.ids.insert(self.folded.as_str().into(), id);
                    self.postings.push(Postings::default());
                    id
                }
            };
            *self.page_words.entry(id).or_default() |= field;
        }
    }

    /// Takes in the index of pages that all come after this one's.
    pub fn merge(&mut self, later: IndexBuilder) {
        let mut later_postings: Vec<Option<Postings>> =
            later.postings.into_iter().map(Some).collect();
        for (word, later_id) in later.ids {
            let Some(list) = later_postings
                .get_mut(later_id as usize)
                .and_then(Option::take)
            else {
                continue;
            };
            match self.ids.get(&word) {
                Some(&id) => {
                    if let Some(own) = self.postings.get_mut(id as usize) {
                        own.append(list);
                    }
                }
                None => {
                    let id = u32::try_from(self.postings.len()).unwrap_or(u32::MAX);
                    self.ids.insert(word, id);
                    self.postings.push(list);
                }
            }
        }
    }

    pub fn finish(self) -> SearchIndex {
        let mut words: Vec<(Box<str>, u32)> = self.ids.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let postings = self
            .postings
            .into_iter()
            .map(|list| list.bytes.into_boxed_slice())
            .collect();
        SearchIndex { words, postings }
    }
}

impl SearchIndex {
    /// Pages holding every word of `query`, with their scores, in no order.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let mut terms: Vec<String> = words(query).collect();
        terms.sort();
        terms.dedup();
        let mut scores: Option<FxHashMap<u32, u32>> = None;
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
        scores
            .unwrap_or_default()
            .into_iter()
            .map(|(page, score)| Hit {
                page: page as usize,
                score,
            })
            .collect()
    }

    /// For one query word: each page holding it (or, when long enough, a word it begins),
    /// with the weight of the best field it occurs in.
    fn term_scores(&self, term: &str) -> FxHashMap<u32, u32> {
        let mut best: FxHashMap<u32, u32> = FxHashMap::default();
        let prefix = term.chars().count() >= PREFIX_MIN_CHARS;
        let first = self.words.partition_point(|(word, _)| &**word < term);
        let candidates = self.words[first..]
            .iter()
            .take_while(|(word, _)| word.starts_with(term))
            .filter(|(word, _)| prefix || &**word == term);
        for (word, id) in candidates {
            let exact_bonus = u32::from(&**word == term);
            let Some(postings) = self.postings.get(*id as usize) else {
                continue;
            };
            for (page, fields) in decode(postings) {
                let weight = field_weight(fields) * 2 + exact_bonus;
                let score = best.entry(page).or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn index(pages: &[(&str, &[&str], &str)]) -> (SearchIndex, Vec<Vec<String>>) {
        let mut index = IndexBuilder::default();
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
        (index.finish(), tags)
    }

    /// Best first; among equals, the lower page number.
    fn ranked(index: &SearchIndex, query: &str) -> Vec<Hit> {
        let mut hits = index.search(query);
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.page.cmp(&b.page)));
        hits
    }

    fn pages(index: &SearchIndex, query: &str) -> Vec<usize> {
        ranked(index, query).iter().map(|hit| hit.page).collect()
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
    fn postings_round_trip() {
        let mut list = Postings::default();
        let pages = [(0, 1), (1, 8), (200, 15), (70_000, 2), (268_435_455, 4)];
        for (page, fields) in pages {
            list.push(page, fields);
        }
        assert_eq!(decode(&list.bytes).collect::<Vec<_>>(), pages);
        assert_eq!(list.bytes[..2], [1, 0x18]);
    }

    #[test]
    fn merged_builders_equal_one_builder() {
        let pages: Vec<String> = (0..40)
            .map(|i| format!("word{} common page{} shared{}", i % 7, i, i % 3))
            .collect();
        fn entry(body: &str) -> Entry<'_> {
            Entry {
                title: "",
                tags: &[],
                description: None,
                body,
            }
        }
        let mut whole = IndexBuilder::default();
        let mut first = IndexBuilder::default();
        let mut second = IndexBuilder::default();
        for (i, body) in pages.iter().enumerate() {
            whole.add(i, &entry(body));
            match i < 23 {
                true => first.add(i, &entry(body)),
                false => second.add(i, &entry(body)),
            }
        }
        first.merge(second);
        let (whole, merged) = (whole.finish(), first.finish());
        for query in ["common", "word3", "shared1 word5", "page3", "page39"] {
            assert_eq!(ranked(&whole, query), ranked(&merged, query), "{query}");
        }
        assert_eq!(merged.search("common").len(), 40);
    }

    #[test]
    fn folding_keeps_positions() {
        assert_eq!("Ünïcödé".chars().map(fold).collect::<String>(), "unicode");
        assert_eq!(fold('İ'), 'i');
        assert_eq!(fold('日'), '日');
    }
}
