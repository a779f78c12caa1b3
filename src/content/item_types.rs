//! Which Gopher item type each capsule route is served as: the site knows what a route is, the
//! Gopher renderers ask what type to give its items.

use super::forms::TEXT_SUFFIX;
use super::media_type;
use crate::proto::gopher::ItemType;
use crate::render::ItemTypes;
use crate::site::{Route, Site};

/// A snapshot seen as a table of item types.
pub struct SiteTypes<'a>(pub &'a Site);

impl ItemTypes for SiteTypes<'_> {
    fn item_type(&self, route: &str) -> ItemType {
        let path = route.split('?').next().unwrap_or(route);
        match self.0.route(path) {
            Some(Route::Feed(_)) => ItemType::Text,
            Some(Route::Page(_) | Route::Index(..) | Route::Redirect(_)) => ItemType::Menu,
            Some(Route::Search) => ItemType::Search,
            Some(Route::File(file)) => ItemType::of_media_type(&media_type(&file.path)),
            None if path.ends_with(TEXT_SUFFIX) => ItemType::Text,
            None => ItemType::Text,
        }
    }
}
