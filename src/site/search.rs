//! Full-text search over the snapshot: an in-memory inverted index built with it.
//!
//! Words are folded (lower case, accents removed: `Café` finds `cafe`) and every word of a
//! page's title, tags, description and body points to the pages holding it and in which fields.
//! A query matches pages that hold every one of its words (a word of three letters or more also
//! matches as a prefix: `refurb` finds `refurbished`); pages are ranked by where the words occur,
//! title first. Only the postings are kept, not the texts: an excerpt is cut from the source
//! when results are shown (see [`super::excerpt`]).
//!
//! The index is compact because it is the largest thing gemhole holds. Each distinct word is
//! stored once, end to end with the others in one string. Each word has two lists of pages: the
//! pages whose title, tags or description hold it (the gap from the page before and three field
//! bits, as variable-length bytes), and the pages whose body does. The body list is the gaps
//! alone, mostly one byte a page, or, for a word in more than about one page in eight (`the`,
//! `time`), a bitmap of one bit a page, whichever is shorter. All lists are in one byte string,
//! so the whole index is a handful of allocations however many words it holds.

use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const TITLE: u8 = 1;
const TAGS: u8 = 2;
const DESCRIPTION: u8 = 4;
const BODY: u8 = 8;

/// Bits of a fields posting that hold the fields (title, tags, description); the page gap sits
/// above them. The body has a list of its own.
const FIELD_BITS: u32 = 3;

/// Query words shorter than this match whole words only.
const PREFIX_MIN_CHARS: usize = 3;

/// The most bytes of words and lists one index holds, so that offsets fit in 32 bits; pages
/// that would go past it are left out of the search, and the build says so.
const MAX_INDEX_BYTES: usize = u32::MAX as usize;

/// What one page offers to the index.
pub struct Entry<'a> {
    pub title: &'a str,
    pub tags: &'a [Arc<str>],
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
    /// Every folded word, sorted, end to end: found by binary search, prefixes as a run of
    /// neighbours.
    text: String,
    /// For each word, in the same order, where it and its lists end.
    words: Vec<WordEnds>,
    /// Each word's fields list, then its body list.
    lists: Vec<u8>,
    /// How many pages the index covers: the length of a body bitmap is this in bits.
    documents: u32,
}

/// Where one word ends in [`SearchIndex::text`], and where its fields list and its body list
/// end in [`SearchIndex::lists`]; each starts where the word before ends.
#[derive(Debug, Clone, Copy, Default)]
struct WordEnds {
    text: u32,
    fields: u32,
    body: u32,
}

/// One word's pages while the index is built: `gap << 3 | fields` for the title, tags and
/// description, as LEB128 varints (seven bits a byte, the high bit saying more follow), and the
/// body's pages.
#[derive(Default)]
struct Postings {
    fields: Gaps,
    body: Body,
}

/// A word's body pages while the index is built: gaps until they would take more bytes than a
/// bitmap of the builder's run of pages, then that bitmap, so that a common word costs a bit a
/// page from the start rather than a byte.
enum Body {
    Gaps(Gaps),
    /// Bit `n` stands for the page `first + n` of the run.
    Bitmap(Box<[u8]>),
}

impl Default for Body {
    fn default() -> Body {
        Body::Gaps(Gaps::default())
    }
}

impl Body {
    /// Adds `page` of the run `pages`, in which it comes after every page added before.
    fn push(&mut self, page: u32, pages: &Range<u32>) {
        match self {
            Body::Gaps(gaps) => {
                gaps.push(page, 0, 0);
                let len = bitmap_len(pages.end - pages.start);
                if gaps.bytes.len() >= len {
                    let mut bits = vec![0; len].into_boxed_slice();
                    for (page, _) in decode(&gaps.bytes, 0) {
                        set_bit(&mut bits, page - pages.start);
                    }
                    *self = Body::Bitmap(bits);
                }
            }
            Body::Bitmap(bits) => set_bit(bits, page - pages.start),
        }
    }

    fn len(&self) -> usize {
        match self {
            Body::Gaps(gaps) => gaps.bytes.len(),
            Body::Bitmap(bits) => bits.len(),
        }
    }

    /// The pages, ascending, for a run starting at `first`.
    fn pages(&self, first: u32) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Body::Gaps(gaps) => Box::new(decode(&gaps.bytes, 0).map(|(page, _)| page)),
            Body::Bitmap(bits) => Box::new(bitmap_pages(bits).map(move |bit| first + bit)),
        }
    }
}

/// Pages in ascending order, each as its gap from the one before (the first from page 0) with
/// `FIELD_BITS` of fields below it, or none.
#[derive(Default)]
struct Gaps {
    bytes: Vec<u8>,
    last_page: u32,
}

impl Gaps {
    fn push(&mut self, page: u32, low: u64, low_bits: u32) {
        let gap = page - self.last_page;
        self.last_page = page;
        push_varint(&mut self.bytes, u64::from(gap) << low_bits | low);
    }

    /// Writes `runs`, each of whose pages come after those of the one before, to `out` as one
    /// list.
    fn write_joined<'a>(runs: impl Iterator<Item = &'a Gaps>, low_bits: u32, out: &mut Vec<u8>) {
        let mut last = None;
        for run in runs.filter(|run| !run.bytes.is_empty()) {
            run.write_after(last, low_bits, out);
            last = Some(run.last_page);
        }
    }

    /// Writes this list to `out` as if it went on from `after`, a list whose pages all come
    /// before this one's (only the first gap changes: it was counted from page 0).
    fn write_after(&self, after: Option<u32>, low_bits: u32, out: &mut Vec<u8>) {
        let (Some(last), Some((first, low))) = (after, decode(&self.bytes, low_bits).next()) else {
            out.extend_from_slice(&self.bytes);
            return;
        };
        let first_len = varint_len(&self.bytes);
        push_varint(out, u64::from(first - last) << low_bits | u64::from(low));
        out.extend_from_slice(&self.bytes[first_len..]);
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

/// The (page, low bits) pairs of a list of gaps with `low_bits` below each.
fn decode(bytes: &[u8], low_bits: u32) -> impl Iterator<Item = (u32, u8)> + '_ {
    let mut rest = bytes;
    let mut page: u64 = 0;
    let mask = (1u64 << low_bits) - 1;
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
        page += value >> low_bits;
        Some((u32::try_from(page).ok()?, (value & mask) as u8))
    })
}

/// The bytes of a bitmap of `documents` pages.
fn bitmap_len(documents: u32) -> usize {
    (documents as usize).div_ceil(8)
}

fn set_bit(bits: &mut [u8], bit: u32) {
    if let Some(byte) = bits.get_mut(bit as usize / 8) {
        *byte |= 1 << (bit % 8);
    }
}

/// The numbers of the bits set, ascending.
fn bitmap_pages(bits: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bits.iter().enumerate().flat_map(|(at, &byte)| {
        (0..8u32)
            .filter(move |bit| byte & (1 << bit) != 0)
            .map(move |bit| at as u32 * 8 + bit)
    })
}

/// The pages of a body list: a bitmap when it is exactly [`bitmap_len`] long (a list of gaps
/// is kept only when it is shorter), else gaps.
fn body_pages(list: &[u8], documents: u32) -> Box<dyn Iterator<Item = u32> + '_> {
    match list.len() == bitmap_len(documents) {
        true => Box::new(bitmap_pages(list)),
        false => Box::new(decode(list, 0).map(|(page, _)| page)),
    }
}

/// Collects pages into a [`SearchIndex`]. Buffers are reused from page to page, so adding a
/// page allocates only for words never seen before.
pub struct IndexBuilder {
    ids: FxHashMap<Box<str>, u32>,
    postings: Vec<Postings>,
    /// The current page's words and the fields they occur in.
    page_words: FxHashMap<u32, u8>,
    folded: String,
    /// The numbers of the pages this builder may be given.
    pages: Range<u32>,
    /// Bytes of words and lists so far, and how many more may come (see [`MAX_INDEX_BYTES`]).
    bytes: usize,
    room: usize,
    /// Pages left out: past the room, or not of this builder's run.
    left_out: usize,
}

impl IndexBuilder {
    /// A builder for the pages numbered within `pages`, one of `parts` runs of pages to be
    /// finished together (see [`IndexBuilder::finish_all`]): each may hold its share of
    /// [`MAX_INDEX_BYTES`].
    pub fn for_pages(pages: Range<usize>, parts: usize) -> IndexBuilder {
        IndexBuilder::with_room(pages, MAX_INDEX_BYTES / parts.max(1))
    }

    /// A builder that holds at most `room` bytes of words and lists.
    fn with_room(pages: Range<usize>, room: usize) -> IndexBuilder {
        // Page numbers leave room for the three field bits in a 32-bit posting.
        let number = |page: usize| u32::try_from(page).unwrap_or(u32::MAX).min(u32::MAX >> 3);
        IndexBuilder {
            ids: FxHashMap::default(),
            postings: Vec::new(),
            page_words: FxHashMap::default(),
            folded: String::new(),
            pages: number(pages.start)..number(pages.end),
            bytes: 0,
            room,
            left_out: 0,
        }
    }

    /// Adds page number `page`, in this builder's run and after every page added before (a
    /// page that is not is left out).
    pub fn add(&mut self, page: usize, entry: &Entry<'_>) {
        let Some(page) = u32::try_from(page).ok().filter(|p| self.pages.contains(p)) else {
            self.left_out += 1;
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
        // A posting is at most five bytes a list; a page that might not fit is left out whole.
        if self.bytes + self.page_words.len() * 10 > self.room {
            self.page_words.clear();
            self.left_out += 1;
            return;
        }
        for (id, fields) in self.page_words.drain() {
            let Some(list) = self.postings.get_mut(id as usize) else {
                continue;
            };
            let before = list.fields.bytes.len() + list.body.len();
            if fields & !BODY != 0 {
                list.fields
                    .push(page, u64::from(fields & !BODY), FIELD_BITS);
            }
            if fields & BODY != 0 {
                list.body.push(page, &self.pages);
            }
            // A bitmap is never longer than the gaps it replaces.
            self.bytes =
                (self.bytes + list.fields.bytes.len() + list.body.len()).saturating_sub(before);
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
                    self.bytes += self.folded.len();
                    id
                }
            };
            *self.page_words.entry(id).or_default() |= field;
        }
    }

    pub fn finish(self) -> SearchIndex {
        IndexBuilder::finish_all(vec![self])
    }

    /// The index of the pages added to `builders`, whose pages each come after those of the
    /// builder before.
    pub fn finish_all(builders: Vec<IndexBuilder>) -> SearchIndex {
        let left_out: usize = builders.iter().map(|builder| builder.left_out).sum();
        if left_out > 0 {
            tracing::warn!("search: {left_out} pages left out of the index, which is full");
        }
        let documents = builders.iter().map(|b| b.pages.end).max().unwrap_or(0);
        // Every word with its list in each builder, sorted by word, then in builder order.
        let mut vocabulary: Vec<(&str, usize, u32)> = builders
            .iter()
            .enumerate()
            .flat_map(|(at, builder)| builder.ids.iter().map(move |(w, &id)| (&**w, at, id)))
            .collect();
        vocabulary.sort_unstable();
        let mut index = SearchIndex {
            documents,
            text: String::new(),
            words: Vec::with_capacity(vocabulary.len()),
            lists: Vec::with_capacity(builders.iter().map(|b| b.bytes).sum()),
        };
        let mut body = Vec::new();
        for run in vocabulary.chunk_by(|a, b| a.0 == b.0) {
            let lists = || {
                run.iter()
                    .filter_map(|&(_, at, id)| builders[at].postings.get(id as usize))
            };
            index.text.push_str(run[0].0);
            Gaps::write_joined(
                lists().map(|list| &list.fields),
                FIELD_BITS,
                &mut index.lists,
            );
            let fields_end = index.lists.len();
            body.clear();
            let mut last = 0;
            for (list, first) in run.iter().filter_map(|&(_, at, id)| {
                let builder = &builders[at];
                Some((builder.postings.get(id as usize)?, builder.pages.start))
            }) {
                for page in list.body.pages(first) {
                    push_varint(&mut body, u64::from(page - last));
                    last = page;
                }
            }
            match body.len() < bitmap_len(documents) {
                true => index.lists.extend_from_slice(&body),
                false => {
                    let map = index.lists.len();
                    index.lists.resize(map + bitmap_len(documents), 0);
                    for (page, _) in decode(&body, 0) {
                        index.lists[map + page as usize / 8] |= 1 << (page % 8);
                    }
                }
            }
            // Within MAX_INDEX_BYTES, which the builders' rooms add up to at most.
            let offset = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
            index.words.push(WordEnds {
                text: offset(index.text.len()),
                fields: offset(fields_end),
                body: offset(index.lists.len()),
            });
        }
        index.lists.shrink_to_fit();
        index.text.shrink_to_fit();
        tracing::debug!(
            "search index: {} words in {} bytes, lists {} bytes",
            index.words.len(),
            index.text.len(),
            index.lists.len()
        );
        index
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
        let candidates = (self.first_at_or_after(term)..self.words.len())
            .map(|number| (number, self.word(number)))
            .take_while(|(_, word)| word.starts_with(term))
            .filter(|(_, word)| prefix || *word == term);
        for (number, word) in candidates {
            let exact_bonus = u32::from(word == term);
            for (page, fields) in self.pages_of(number) {
                let weight = field_weight(fields) * 2 + exact_bonus;
                let score = best.entry(page).or_default();
                *score = (*score).max(weight);
            }
        }
        best
    }

    /// The number of the first word not sorting before `term`.
    fn first_at_or_after(&self, term: &str) -> usize {
        let (mut low, mut high) = (0, self.words.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.word(middle) < term {
                true => low = middle + 1,
                false => high = middle,
            }
        }
        low
    }

    /// Where word `number` starts: where the one before ends.
    fn start_of(&self, number: usize) -> WordEnds {
        number
            .checked_sub(1)
            .and_then(|before| self.words.get(before))
            .copied()
            .unwrap_or_default()
    }

    fn word(&self, number: usize) -> &str {
        let (start, end) = (self.start_of(number), self.words[number]);
        self.text
            .get(start.text as usize..end.text as usize)
            .unwrap_or_default()
    }

    /// The pages holding word `number`, ascending, each with the fields it is in.
    fn pages_of(&self, number: usize) -> impl Iterator<Item = (u32, u8)> + '_ {
        let (start, end) = (self.start_of(number), self.words[number]);
        let list = |from: u32, to: u32| {
            self.lists
                .get(from as usize..to as usize)
                .unwrap_or_default()
        };
        let mut fields = decode(list(start.body, end.fields), FIELD_BITS).peekable();
        let mut body = body_pages(list(end.fields, end.body), self.documents).peekable();
        std::iter::from_fn(
            move || match (fields.peek().copied(), body.peek().copied()) {
                (Some((page, bits)), Some(in_body)) if page == in_body => {
                    fields.next();
                    body.next();
                    Some((page, bits | BODY))
                }
                (Some((page, bits)), in_body) if in_body.map_or(true, |in_body| page < in_body) => {
                    fields.next();
                    Some((page, bits))
                }
                (_, Some(in_body)) => {
                    body.next();
                    Some((in_body, BODY))
                }
                (_, None) => None,
            },
        )
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

    fn index(pages: &[(&str, &[&str], &str)]) -> (SearchIndex, Vec<Vec<Arc<str>>>) {
        let mut index = IndexBuilder::for_pages(0..pages.len(), 1);
        let mut tags = Vec::new();
        for (i, (title, page_tags, body)) in pages.iter().enumerate() {
            let page_tags: Vec<Arc<str>> = page_tags.iter().map(|&t| Arc::from(t)).collect();
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
    fn gaps_round_trip() {
        let mut list = Gaps::default();
        let pages = [(0, 1), (1, 4), (200, 7), (70_000, 2), (268_435_455, 4)];
        for (page, fields) in pages {
            list.push(page, u64::from(fields), FIELD_BITS);
        }
        assert_eq!(decode(&list.bytes, FIELD_BITS).collect::<Vec<_>>(), pages);
        assert_eq!(list.bytes[..2], [1, 0x0c]);
    }

    fn body(body: &str) -> Entry<'_> {
        Entry {
            title: "",
            tags: &[],
            description: None,
            body,
        }
    }

    #[test]
    fn runs_of_pages_finished_together_equal_one_builder() {
        let pages: Vec<String> = (0..40)
            .map(|i| format!("word{} common page{} shared{}", i % 7, i, i % 3))
            .collect();
        let mut whole = IndexBuilder::for_pages(0..40, 1);
        let mut runs = [0..14, 14..27, 27..40].map(|pages| IndexBuilder::for_pages(pages, 3));
        for (i, text) in pages.iter().enumerate() {
            whole.add(i, &body(text));
            runs[i * 3 / 40].add(i, &body(text));
        }
        // A word on every page of a run is a bitmap of the run already.
        let common = &runs[1].postings[runs[1].ids["common"] as usize];
        assert!(matches!(common.body, Body::Bitmap(ref bits) if bits.len() == 2));
        let (whole, merged) = (whole.finish(), IndexBuilder::finish_all(runs.into()));
        for query in ["common", "word3", "shared1 word5", "page3", "page39"] {
            assert_eq!(ranked(&whole, query), ranked(&merged, query), "{query}");
        }
        assert_eq!(merged.search("common").len(), 40);
    }

    #[test]
    fn a_word_on_most_pages_is_a_bitmap_and_found_the_same() {
        let texts: Vec<String> = (0..1000)
            .map(|i| match i % 10 {
                0 => format!("rare{i} often"),
                _ => format!("often sometimes{}", i % 2),
            })
            .collect();
        let mut index = IndexBuilder::for_pages(0..1001, 1);
        for (i, text) in texts.iter().enumerate() {
            index.add(i, &body(text));
        }
        index.add(
            1000,
            &Entry {
                title: "Often",
                ..body("")
            },
        );
        let index = index.finish();
        let lists = |word: &str| {
            let number = index.first_at_or_after(word);
            let (start, end) = (index.start_of(number), index.words[number]);
            (
                (end.fields - start.body) as usize,
                (end.body - end.fields) as usize,
            )
        };
        // One bit a page for the body, and the title's one page as a list.
        assert_eq!(lists("often"), (2, bitmap_len(1001)));
        assert!(lists("rare990").1 < 4);
        let often = pages(&index, "often");
        assert_eq!(often.len(), 1001);
        assert_eq!(often[0], 1000, "the title ranks first");
        assert_eq!(pages(&index, "sometimes1").len(), 500);
        assert_eq!(pages(&index, "sometimes1 often").len(), 500);
        assert_eq!(pages(&index, "rare990 often"), [990]);
    }

    #[test]
    fn a_page_past_the_room_is_left_out_and_the_rest_still_found() {
        let mut index = IndexBuilder::with_room(0..3, 60);
        for (i, text) in ["alpha beta", "gamma delta", "epsilon zeta eta theta iota"]
            .iter()
            .enumerate()
        {
            index.add(i, &body(text));
        }
        assert_eq!(index.left_out, 1);
        let index = index.finish();
        assert_eq!(pages(&index, "delta"), [1]);
        assert!(pages(&index, "theta").is_empty());
    }

    #[test]
    fn folding_keeps_positions() {
        assert_eq!("Ünïcödé".chars().map(fold).collect::<String>(), "unicode");
        assert_eq!(fold('İ'), 'i');
        assert_eq!(fold('日'), '日');
    }
}
