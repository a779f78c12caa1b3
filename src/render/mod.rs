//! Documents into bytes: gemtext, Gopher texts and menus, the Atom feed, and the plain-text
//! layout they share (width, wrapping, tables).
//!
//! A renderer walks the [`crate::doc`] model and writes one protocol's format with that
//! protocol's vocabulary from [`crate::proto`]. It reads no files and knows no capsule: what it
//! must know of the site (the public Gopher address, the item type of a local route) is handed
//! to it as an [`Endpoint`] and an [`ItemTypes`].

pub mod ascii;
pub mod atom;
pub mod cut;
pub mod gemtext;
mod gopher_item;
pub mod gopher_menu;
pub mod gopher_text;
pub mod layout;

use crate::proto::gopher::ItemType;

/// Where this Gopher hole is reached, as clients are told, and how wide its texts are.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// Text width in display columns.
    pub wrap: usize,
}

/// The item type a capsule route is served as; the site knows, the renderer asks.
pub trait ItemTypes {
    fn item_type(&self, route: &str) -> ItemType;
}

/// What the renderers' tests share: a table of item types by trailing slash, and an endpoint.
#[cfg(test)]
mod testing {
    use super::{Endpoint, ItemTypes};
    use crate::proto::gopher::ItemType;

    pub struct AllText;

    impl ItemTypes for AllText {
        fn item_type(&self, route: &str) -> ItemType {
            match route.ends_with('/') {
                true => ItemType::Menu,
                false => ItemType::Text,
            }
        }
    }

    pub fn at() -> Endpoint {
        Endpoint {
            host: "example.org".into(),
            port: 70,
            wrap: 30,
        }
    }
}
