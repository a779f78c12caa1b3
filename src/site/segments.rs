//! A snapshot's search, kept up to date after an edit without reading every page again.
//!
//! The search is made of segments, each a [`SearchIndex`] over some pages. The first is built
//! over every page at a full index; a later snapshot takes it over and adds one segment over the
//! pages that are new or changed since then, built afresh at each reload. A page is matched in
//! the first segment only while the snapshot still holds the very page that segment indexed
//! (pages not read again are shared between snapshots, so that is a pointer comparison); a
//! changed page is matched in the second. Once the second outgrows [`most_changed`], the next
//! reload indexes everything again and the search is one segment anew.
//!
//! This module knows pages only as shared values to compare; reading their sources to index
//! them is the snapshot's job.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::page::Page;
use super::search::{Hit, SearchIndex};

/// One index over some pages, and where those pages are in the snapshot searched.
#[derive(Debug)]
struct Segment {
    index: Arc<SearchIndex>,
    /// The page each document number of `index` stands for, as it was indexed.
    indexed: Arc<[Arc<Page>]>,
    /// For each document number, that page's number in the snapshot searched, or [`GONE`]
    /// when the snapshot no longer holds the page as indexed.
    to_page: Box<[u32]>,
}

const GONE: u32 = u32::MAX;

/// Search over one snapshot's pages.
#[derive(Debug)]
pub struct SiteSearch {
    /// The segment over every page of the last full index, then (after an edit) the one over
    /// the pages changed since.
    segments: Vec<Segment>,
}

/// The most pages a segment of changes may cover before everything is indexed again: a
/// thirty-second of the site, and at least 64, so that each reload reads little.
pub fn most_changed(pages: usize) -> usize {
    (pages / 32).max(64)
}

impl SiteSearch {
    /// The search over `pages`, indexed whole in `index` (document number = page number).
    pub fn whole(pages: &[Arc<Page>], index: SearchIndex) -> SiteSearch {
        SiteSearch {
            segments: vec![Segment {
                index: Arc::new(index),
                indexed: pages.into(),
                to_page: (0..pages.len()).map(page_number).collect(),
            }],
        }
    }

    /// What of this search a snapshot holding `pages` can take over, and which of its pages
    /// are not covered by it and must be indexed.
    pub fn carry_over(&self, pages: &[Arc<Page>]) -> Carried {
        let Some(whole) = self.segments.first() else {
            return Carried {
                segment: None,
                uncovered: (0..pages.len()).collect(),
            };
        };
        let numbers: FxHashMap<*const Page, u32> = pages
            .iter()
            .enumerate()
            .map(|(number, page)| (Arc::as_ptr(page), page_number(number)))
            .collect();
        let mut covered = vec![false; pages.len()];
        let to_page = whole
            .indexed
            .iter()
            .map(|page| match numbers.get(&Arc::as_ptr(page)) {
                Some(&number) => {
                    covered[number as usize] = true;
                    number
                }
                None => GONE,
            })
            .collect();
        Carried {
            segment: Some(Segment {
                index: whole.index.clone(),
                indexed: whole.indexed.clone(),
                to_page,
            }),
            uncovered: (0..pages.len()).filter(|&i| !covered[i]).collect(),
        }
    }

    /// The search made of what was carried over and `index`, over the pages it left
    /// uncovered (document number = position in [`Carried::uncovered`]).
    pub fn with_changes(carried: Carried, pages: &[Arc<Page>], index: SearchIndex) -> SiteSearch {
        let changed = &carried.uncovered;
        let changes = Segment {
            index: Arc::new(index),
            indexed: changed.iter().map(|&i| pages[i].clone()).collect(),
            to_page: changed.iter().map(|&i| page_number(i)).collect(),
        };
        SiteSearch {
            segments: carried.segment.into_iter().chain([changes]).collect(),
        }
    }

    /// Pages holding every word of `query` (by their number in the snapshot), in no order.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        self.segments
            .iter()
            .flat_map(|segment| {
                segment.index.search(query).into_iter().filter_map(|hit| {
                    let page = *segment.to_page.get(hit.page)?;
                    (page != GONE).then_some(Hit {
                        page: page as usize,
                        score: hit.score,
                    })
                })
            })
            .collect()
    }
}

/// What a new snapshot takes over from the last one's search.
pub struct Carried {
    segment: Option<Segment>,
    /// The new snapshot's pages that no segment taken over covers, by number, ascending.
    pub uncovered: Vec<usize>,
}

fn page_number(number: usize) -> u32 {
    u32::try_from(number).unwrap_or(GONE)
}
