//! The cache of rendered bodies, bounded in bytes.
//!
//! A key names what was rendered: the snapshot generation (so pages, links and indexes follow
//! a rescan), the form it was rendered to, and the route. Values are shared [`Bytes`]: serving
//! a cached body copies nothing. Concurrent misses for one key render it once.

use std::sync::Arc;

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::proto::Protocol;

/// How a protocol presents a route; one route can be rendered in several forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// What Gemini serves: gemtext, or the feed with Gemini URLs.
    Gemini,
    /// A Gopher type 0 text (the feed with Gopher URLs is one too).
    GopherText,
    /// A Gopher type 1 menu: a post, a page or an index.
    GopherMenu,
}

impl Form {
    /// How `protocol` shows a post or page.
    pub fn page(protocol: Protocol) -> Form {
        match protocol {
            Protocol::Gemini => Form::Gemini,
            Protocol::Gopher => Form::GopherMenu,
        }
    }

    /// How `protocol` shows the feed.
    pub fn feed(protocol: Protocol) -> Form {
        match protocol {
            Protocol::Gemini => Form::Gemini,
            Protocol::Gopher => Form::GopherText,
        }
    }

    /// How `protocol` shows an index page.
    pub fn index(protocol: Protocol) -> Form {
        match protocol {
            Protocol::Gemini => Form::Gemini,
            Protocol::Gopher => Form::GopherMenu,
        }
    }
}

/// What was rendered: a route of one snapshot, in one form. An edit makes a new snapshot (the
/// watcher sees it), so a key never names stale text for long, and looking one up needs no
/// system call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub generation: u64,
    pub form: Form,
    pub route: Arc<str>,
}

/// A rendered body with its media type.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub mime: Arc<str>,
}

#[derive(Clone)]
struct ByteWeight;

impl Weighter<Key, Rendered> for ByteWeight {
    fn weight(&self, key: &Key, value: &Rendered) -> u64 {
        // The body, plus what the entry itself holds on to.
        (value.body.len() + value.mime.len() + key.route.len() + 96) as u64
    }
}

pub struct RenderCache {
    entries: Cache<Key, Rendered, ByteWeight>,
}

impl RenderCache {
    pub fn new(max_bytes: u64) -> RenderCache {
        // The item estimate only sizes the table; the byte bound is what limits it.
        let estimated_items = usize::try_from(max_bytes / 4096).unwrap_or(1024).max(16);
        RenderCache {
            entries: Cache::with_weighter(estimated_items, max_bytes, ByteWeight),
        }
    }

    /// The cached value for `key`, if it is there now; never waits.
    pub fn get(&self, key: &Key) -> Option<Rendered> {
        self.entries.get(key)
    }

    /// The cached value for `key`, or what `render` makes of it (then cached). Concurrent
    /// callers for one key wait for the one render: call it off the async workers.
    pub fn get_or_render<E>(
        &self,
        key: &Key,
        render: impl FnOnce() -> Result<Rendered, E>,
    ) -> Result<Rendered, E> {
        self.entries.get_or_insert_with(key, render)
    }

    /// Bytes held now.
    #[cfg(test)]
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(route: &str) -> Key {
        Key {
            generation: 1,
            form: Form::Gemini,
            route: Arc::from(route),
        }
    }

    #[test]
    fn stays_within_its_byte_bound() {
        let cache = RenderCache::new(64 * 1024);
        for i in 0..200 {
            let rendered = cache
                .get_or_render::<()>(&key(&format!("/p{i}")), || {
                    Ok(Rendered {
                        body: Bytes::from(vec![b'x'; 4000]),
                        mime: Arc::from("text/gemini"),
                    })
                })
                .unwrap();
            assert_eq!(rendered.body.len(), 4000);
        }
        assert!(cache.weight() <= 64 * 1024, "{}", cache.weight());
    }

    #[test]
    fn renders_once_per_key() {
        let cache = RenderCache::new(1 << 20);
        let mut calls = 0;
        for _ in 0..3 {
            cache
                .get_or_render::<()>(&key("/a"), || {
                    calls += 1;
                    Ok(Rendered {
                        body: Bytes::from_static(b"a"),
                        mime: Arc::from("text/gemini"),
                    })
                })
                .unwrap();
        }
        assert_eq!(calls, 1);
    }
}
