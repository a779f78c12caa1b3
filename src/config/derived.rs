//! Settings derived from the checked configuration for the parts that do not read it: what the
//! content layer needs, and every name the capsule answers to.

use std::net::SocketAddr;
use std::sync::Arc;

use super::Config;
use crate::content::{GopherSettings, Settings};

impl Config {
    /// What the content layer needs, given the public ports (`None` for a protocol that is
    /// not served).
    pub fn content_settings(&self, gemini_port: Option<u16>, gopher_port: Option<u16>) -> Settings {
        Settings {
            title: self.site.title.clone(),
            author: self.site.author.as_deref().map(Arc::from),
            description: self.site.description.clone(),
            lang: self.site.lang.clone(),
            hostname: self.site.hostname.clone(),
            content: self.site.content.clone(),
            excluded: vec![self.gemini.certs.clone()],
            cache_bytes: self.limits.cache_bytes,
            sizes: self.limits.sizes,
            gemini_port,
            redirects: self.redirects.clone(),
            gopher: gopher_port.map(|port| GopherSettings {
                port,
                wrap: self.gopher.wrap,
                ascii: self.gopher.ascii,
            }),
        }
    }

    /// The content settings with the public ports as configured, before anything is bound
    /// (for `gemhole render` and `gemhole check`).
    pub fn configured_content_settings(&self) -> Settings {
        let port = |enabled: bool, port: Option<u16>, listen: &[SocketAddr]| {
            enabled.then(|| port.or(listen.first().map(SocketAddr::port)).unwrap_or(0))
        };
        self.content_settings(
            port(self.gemini.enabled, self.gemini.port, &self.gemini.listen),
            port(self.gopher.enabled, self.gopher.port, &self.gopher.listen),
        )
    }

    /// Every name the capsule answers to: the host name first, then its aliases.
    pub fn host_names(&self) -> Vec<String> {
        std::iter::once(self.site.hostname.clone())
            .chain(self.site.aliases.iter().cloned())
            .collect()
    }
}
