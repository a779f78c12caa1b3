//! Checking what the file and the flags say: every value is tried here once, and a bad one
//! stops start-up with the file, the key and what to do.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::file::{
    FileConfig, GeminiSection, GopherSection, Names, SiteSection, DEFAULT_GOPHER_PORT,
};
use super::{Config, ConfigError, Gemini, Gopher, Limits, Log, Overrides, Site, SizeLimits};
use crate::proto::gemini;

/// Where a value came from (the file, or "defaults"), for messages.
struct Origin<'a>(&'a str);

impl Origin<'_> {
    fn invalid(&self, key: &str, value: &dyn std::fmt::Debug, reason: &str) -> ConfigError {
        ConfigError::Invalid {
            origin: self.0.to_string(),
            key: key.to_string(),
            value: format!("{value:?}").trim_matches('"').to_string(),
            reason: reason.to_string(),
        }
    }
}

/// The checked configuration from a parsed file, the flags, where the file came from (for
/// messages) and the folder its relative paths start from.
pub(super) fn check(
    file: FileConfig,
    overrides: &Overrides,
    origin: &str,
    base: &Path,
) -> Result<Config, ConfigError> {
    let origin = Origin(origin);
    let site = site(file.site, overrides, &origin, base)?;
    let (gemini, gopher) = listeners(file.gemini, file.gopher, overrides, &origin, base)?;
    let limits = file.limits;
    if limits.max_connections == 0 {
        return Err(origin.invalid("limits.max_connections", &0, "must be at least 1"));
    }
    for (key, value) in [
        ("limits.request_timeout_secs", limits.request_timeout_secs),
        ("limits.send_idle_secs", limits.send_idle_secs),
        ("limits.max_source_kib", limits.max_source_kib),
        ("limits.max_front_matter_kib", limits.max_front_matter_kib),
        ("limits.max_page_kib", limits.max_page_kib),
        (
            "limits.max_connections_per_client",
            limits.max_connections_per_client as u64,
        ),
    ] {
        if value == 0 {
            return Err(origin.invalid(key, &0, "must be at least 1"));
        }
    }
    if !is_log_filter(&file.log.level) {
        return Err(origin.invalid(
            "log.level",
            &file.log.level,
            "not a log level; use error, warn, info, debug or trace",
        ));
    }
    let mut redirects = Vec::new();
    for (from, to) in file.redirects {
        if !from.starts_with('/') || !to.starts_with('/') {
            return Err(origin.invalid(
                &format!("redirects.{from:?}"),
                &to,
                "both routes must start with /, such as \"/old\" = \"/posts/new\"",
            ));
        }
        redirects.push((from, to));
    }
    Ok(Config {
        site,
        gemini,
        gopher,
        limits: Limits {
            max_connections: limits.max_connections,
            request_timeout: Duration::from_secs(limits.request_timeout_secs),
            cache_bytes: limits.cache_mib.saturating_mul(1024 * 1024),
            rate_limit_per_minute: limits.rate_limit_per_minute,
            max_connections_per_client: limits.max_connections_per_client,
            send_idle: Duration::from_secs(limits.send_idle_secs),
            sizes: SizeLimits {
                source: limits.max_source_kib.saturating_mul(1024),
                front_matter: limits.max_front_matter_kib.saturating_mul(1024),
                page: limits.max_page_kib.saturating_mul(1024),
            },
        },
        log: Log {
            level: file.log.level,
            log_ips: file.log.log_ips,
        },
        redirects,
    })
}

fn site(
    file: SiteSection,
    overrides: &Overrides,
    origin: &Origin<'_>,
    base: &Path,
) -> Result<Site, ConfigError> {
    let content = match &overrides.content {
        Some(dir) => dir.clone(),
        None => base.join(file.content.unwrap_or_else(|| PathBuf::from("capsule"))),
    };
    if !content.is_dir() {
        let origin = match overrides.content {
            Some(_) => Origin("--content"),
            None => Origin(origin.0),
        };
        return Err(origin.invalid(
            "site.content",
            &content.display(),
            "no such folder; create it or point --content at your capsule",
        ));
    }
    let (hostname, aliases) = host_names(file.hostname, overrides, origin)?;
    let lang = file.lang.unwrap_or_else(|| "en".to_string());
    let valid_lang = !lang.is_empty()
        && lang
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if !valid_lang {
        return Err(origin.invalid(
            "site.lang",
            &lang,
            "not a language tag; use one like en or pt-BR",
        ));
    }
    let title = file.title.unwrap_or_else(|| {
        std::fs::canonicalize(&content)
            .ok()
            .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "gemhole".to_string())
    });
    Ok(Site {
        title,
        author: file.author,
        description: file.description,
        lang,
        hostname,
        aliases,
        content,
        watch: file.watch.unwrap_or(true),
    })
}

/// The public host name and the other names the capsule answers to.
fn host_names(
    file: Option<Names>,
    overrides: &Overrides,
    origin: &Origin<'_>,
) -> Result<(String, Vec<String>), ConfigError> {
    let names: Vec<String> = match (&overrides.hostname, file) {
        (Some(name), _) => vec![name.clone()],
        (None, Some(Names::One(name))) => vec![name],
        (None, Some(Names::Many(names))) => names,
        (None, None) => vec!["localhost".to_string()],
    };
    if names.is_empty() {
        return Err(origin.invalid(
            "site.hostname",
            &names,
            "give at least one name, such as \"example.org\"",
        ));
    }
    let mut names: Vec<String> = names.iter().map(|name| canonical_name(name)).collect();
    if let Some(bad) = names.iter().find(|name| !is_hostname(name)) {
        return Err(origin.invalid(
            "site.hostname",
            bad,
            "not a host name; use letters, digits, '-' and '.', such as example.org",
        ));
    }
    names.dedup();
    let hostname = names.remove(0);
    Ok((hostname, names))
}

/// A name as gemhole keeps it: lower case, no trailing dot, an IPv6 address without the
/// brackets a URL puts around it (the URL builders put them back).
fn canonical_name(name: &str) -> String {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(inner) if inner.parse::<std::net::Ipv6Addr>().is_ok() => inner.to_string(),
        _ => name,
    }
}

fn listeners(
    mut gemini: GeminiSection,
    mut gopher: GopherSection,
    overrides: &Overrides,
    origin: &Origin<'_>,
    base: &Path,
) -> Result<(Gemini, Gopher), ConfigError> {
    if !overrides.gemini_listen.is_empty() {
        gemini.listen = overrides.gemini_listen.clone();
    }
    check_listener(
        origin,
        "gemini",
        gemini.enabled,
        &gemini.listen,
        gemini.port,
        gemini::DEFAULT_PORT,
    )?;
    if !overrides.gopher_listen.is_empty() {
        gopher.listen = overrides.gopher_listen.clone();
    }
    check_listener(
        origin,
        "gopher",
        gopher.enabled,
        &gopher.listen,
        gopher.port,
        DEFAULT_GOPHER_PORT,
    )?;
    if !(20..=1000).contains(&gopher.wrap) {
        return Err(origin.invalid(
            "gopher.wrap",
            &gopher.wrap,
            "must be from 20 to 1000 columns",
        ));
    }
    if !gemini.enabled && !gopher.enabled {
        return Err(origin.invalid(
            "gemini.enabled",
            &false,
            "Gemini and Gopher are both disabled; enable at least one",
        ));
    }
    Ok((
        Gemini {
            enabled: gemini.enabled,
            listen: gemini.listen,
            certs: base.join(gemini.certs),
            port: gemini.port,
            proxy_protocol: gemini.proxy_protocol,
        },
        Gopher {
            enabled: gopher.enabled,
            listen: gopher.listen,
            port: gopher.port,
            wrap: gopher.wrap,
            ascii: gopher.ascii,
            proxy_protocol: gopher.proxy_protocol,
        },
    ))
}

/// An enabled protocol needs an address to listen on, and a public port cannot be 0.
fn check_listener(
    origin: &Origin<'_>,
    section: &'static str,
    enabled: bool,
    listen: &[SocketAddr],
    port: Option<u16>,
    usual_port: u16,
) -> Result<(), ConfigError> {
    if enabled && listen.is_empty() {
        return Err(origin.invalid(
            &format!("{section}.listen"),
            &"[]",
            &format!("no address to listen on; give one such as \"127.0.0.1:{usual_port}\" or set enabled = false"),
        ));
    }
    if port == Some(0) {
        return Err(origin.invalid(
            &format!("{section}.port"),
            &0,
            "the public port cannot be 0",
        ));
    }
    Ok(())
}

/// A level (`info`) or a list of `target=level` directives, as `tracing` filters are written.
fn is_log_filter(filter: &str) -> bool {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    !filter.trim().is_empty()
        && filter.split(',').all(|directive| {
            let level = directive.rsplit('=').next().unwrap_or("").trim();
            let target = directive.rsplit_once('=').map_or("", |(target, _)| target);
            LEVELS.iter().any(|known| known.eq_ignore_ascii_case(level))
                && target
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-'))
        })
}

/// A DNS name (letters, digits, hyphens, dots; a trailing dot allowed), an IPv4 address, or
/// an IPv6 address.
fn is_hostname(name: &str) -> bool {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}
