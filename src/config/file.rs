//! The configuration file's shape, and the one table of defaults: every key is optional, and
//! what a missing key means is said here and nowhere else.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::content::DEFAULT_WRAP;
use crate::proto::gemini;

/// The Gopher port gemhole listens on unless told otherwise: unprivileged, so a first start
/// needs no root (production uses 70).
pub(super) const DEFAULT_GOPHER_PORT: u16 = 7070;

/// The file's shape. `deny_unknown_fields` makes a misspelt key an error, not a silent default.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileConfig {
    pub(super) site: SiteSection,
    pub(super) gemini: GeminiSection,
    pub(super) gopher: GopherSection,
    pub(super) limits: LimitsSection,
    pub(super) log: LogSection,
    /// `"/old" = "/new"` lines.
    pub(super) redirects: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct SiteSection {
    pub(super) title: Option<String>,
    pub(super) author: Option<String>,
    pub(super) description: Option<String>,
    pub(super) lang: Option<String>,
    pub(super) hostname: Option<Names>,
    pub(super) content: Option<PathBuf>,
    pub(super) watch: Option<bool>,
}

/// One name, or a list of names.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Names {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct GeminiSection {
    pub(super) enabled: bool,
    pub(super) listen: Vec<SocketAddr>,
    pub(super) certs: PathBuf,
    pub(super) port: Option<u16>,
    pub(super) proxy_protocol: bool,
}

impl Default for GeminiSection {
    fn default() -> Self {
        GeminiSection {
            enabled: true,
            listen: vec![SocketAddr::from(([127, 0, 0, 1], gemini::DEFAULT_PORT))],
            certs: PathBuf::from("certs"),
            port: None,
            proxy_protocol: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct GopherSection {
    pub(super) enabled: bool,
    pub(super) listen: Vec<SocketAddr>,
    pub(super) port: Option<u16>,
    pub(super) wrap: usize,
    pub(super) ascii: bool,
    pub(super) proxy_protocol: bool,
}

impl Default for GopherSection {
    fn default() -> Self {
        GopherSection {
            enabled: true,
            listen: vec![SocketAddr::from(([127, 0, 0, 1], DEFAULT_GOPHER_PORT))],
            port: None,
            wrap: DEFAULT_WRAP,
            ascii: false,
            proxy_protocol: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct LimitsSection {
    pub(super) max_connections: usize,
    pub(super) request_timeout_secs: u64,
    pub(super) cache_mib: u64,
    pub(super) rate_limit_per_minute: u32,
    pub(super) max_connections_per_client: usize,
    pub(super) send_idle_secs: u64,
    pub(super) max_source_kib: u64,
    pub(super) max_front_matter_kib: u64,
    pub(super) max_page_kib: u64,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_connections: 1024,
            request_timeout_secs: 10,
            cache_mib: 16,
            rate_limit_per_minute: 0,
            // Sized for a 512 MiB VPS: a reader opens one or two connections at a time, a
            // post is a few KiB of markdown, its front matter a few hundred bytes.
            max_connections_per_client: 16,
            send_idle_secs: 30,
            max_source_kib: 1024,
            max_front_matter_kib: 64,
            max_page_kib: 2048,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct LogSection {
    pub(super) level: String,
    pub(super) log_ips: bool,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            level: "info".to_string(),
            log_ips: false,
        }
    }
}
