//! What each file of a scan gave, kept with the snapshot so that the next scan reads again only
//! the files that changed.
//!
//! A file is taken as unchanged when the walk finds it at the same place with the same
//! [`Stamp`] (inode, length, modification and status-change times) as when it was read, and it
//! had settled by then: a file whose status changed within one tick of the file system's clock
//! before it was read could change again in that same tick without its stamp showing it, so it
//! is read again next time. A file system that gives times to the nanosecond ticks at most
//! every few milliseconds (the kernel's coarse clock), so [`FINE_TICK_NANOS`] is allowed; one that
//! gives whole seconds may count in twos (FAT), so [`COARSE_TICK_NANOS`] is. What could not be read just now (out
//! of file descriptors, an I/O error) is never kept. Nothing here opens a file: the snapshot
//! reads, this only remembers.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustc_hash::{FxHashMap, FxHasher};

use super::page::Page;
use super::problem::Problem;
use super::scan::{Found, Stamp};
use crate::doc::Link;

/// How long before a scan a file's status must have last changed for its reading to be trusted
/// later, on a file system whose times have fractions of a second: longer than any kernel tick.
pub const FINE_TICK_NANOS: i128 = 50_000_000;

/// The same, where times are whole seconds: FAT's clock counts in twos.
pub const COARSE_TICK_NANOS: i128 = 2_000_000_000;

/// What one file gave. Kept for every file of the capsule, so as small as a pointer and a tag:
/// the rarer readings are boxed.
#[derive(Debug, Clone)]
pub enum Reading {
    Page(Arc<Page>),
    /// A markdown source marked `draft`: never served.
    Draft,
    /// A markdown source that cannot be served, and why.
    Broken(Box<Problem>),
    /// A hand-written gemtext file, served as it is, listed with the pages under this link
    /// (none when its text could not be read).
    Gemtext(Option<Box<Link>>),
    /// Any other file, served as it is.
    File,
}

/// One file's reading, and what it was read from.
#[derive(Debug)]
struct Kept {
    /// A hash of where the file was found and where it was opened ([`place`]): a file renamed
    /// keeps its inode but is another page.
    place: u64,
    stamp: Stamp,
    reading: Reading,
}

/// The readings of one scan, by the files' inodes: finding one costs a hash of 16 bytes.
#[derive(Debug, Default)]
pub struct Readings {
    kept: FxHashMap<(u64, u64), Kept>,
}

/// When a scan began, to tell which files had settled when they were read.
#[derive(Debug, Clone, Copy)]
pub struct ScanStart {
    nanos: i128,
}

impl ScanStart {
    pub fn now() -> ScanStart {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i128::try_from(since.as_nanos()).unwrap_or(i128::MAX)
            });
        ScanStart { nanos }
    }

    /// A scan `secs` seconds from now, by which every file written so far has settled.
    #[cfg(test)]
    pub fn later_by(secs: i64) -> ScanStart {
        ScanStart {
            nanos: ScanStart::now().nanos + i128::from(secs) * 1_000_000_000,
        }
    }

    /// A scan that began a millisecond after the status of the file at `path` last changed.
    #[cfg(test)]
    pub fn just_after_change_of(path: &std::path::Path) -> ScanStart {
        let stamp = Stamp::of(&std::fs::metadata(path).unwrap());
        ScanStart {
            nanos: stamp.changed_nanos().0 + 1_000_000,
        }
    }

    /// Whether a file with this stamp had settled when the scan began.
    fn settled(&self, stamp: &Stamp) -> bool {
        let (changed, fine) = stamp.changed_nanos();
        let tick = match fine {
            true => FINE_TICK_NANOS,
            false => COARSE_TICK_NANOS,
        };
        changed + tick < self.nanos
    }
}

impl Readings {
    /// The reading of `found` from this scan, when the file is the one read then and had
    /// settled before.
    pub fn unchanged(&self, found: &Found) -> Option<&Reading> {
        let kept = self.kept.get(&found.stamp.inode())?;
        (kept.stamp == found.stamp && kept.place == place(found)).then_some(&kept.reading)
    }

    /// Keeps what `found` gave, unless it may change unseen (see the module's words).
    pub fn keep(&mut self, found: &Found, reading: &Reading, start: ScanStart) {
        if !start.settled(&found.stamp) {
            return;
        }
        let kept = Kept {
            place: place(found),
            stamp: found.stamp,
            reading: reading.clone(),
        };
        // A file found twice (a symlink to it beside it) is two places: the last one is kept.
        self.kept.insert(found.stamp.inode(), kept);
    }
}

/// Where `found` is, as one number: its path as the writer sees it and where it is opened.
fn place(found: &Found) -> u64 {
    let mut hasher = FxHasher::default();
    (&found.rel, &found.file).hash(&mut hasher);
    hasher.finish()
}
