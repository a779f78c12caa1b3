//! Configuration: `config.toml` and command-line overrides, checked once into a [`Config`].
//!
//! Every key is optional and has the default DESIGN.md gives. An unknown key, a value of the
//! wrong kind, a bad address or a content folder that is not there is an error that names the
//! file, the line and the key, so start-up stops with one line that says what to fix. Relative
//! paths in the file are relative to the file; paths given on the command line are relative to
//! the working directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The file read when `--config` is not given; when it is missing, every default applies.
pub const DEFAULT_PATH: &str = "config.toml";

/// The checked configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub site: Site,
    pub gemini: Gemini,
    pub gopher: Gopher,
    pub limits: Limits,
    pub log: Log,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub title: String,
    pub author: Option<String>,
    pub description: Option<String>,
    pub lang: String,
    /// The public name: in links, certificates and Gopher menus.
    pub hostname: String,
    /// Other names Gemini answers to (`www.` forms, an onion name); all go in a made
    /// certificate.
    pub aliases: Vec<String>,
    pub content: PathBuf,
    /// Follow changes to the content folder as they happen (else on SIGHUP only).
    pub watch: bool,
}

#[derive(Debug, Clone)]
pub struct Gemini {
    pub enabled: bool,
    pub listen: Vec<SocketAddr>,
    /// Holds `cert.pem` and `key.pem`.
    pub certs: PathBuf,
    /// The public port, when it differs from the one bound (behind a port forward).
    pub port: Option<u16>,
    /// Expect a HAProxy PROXY header (v1 or v2) before TLS on every connection.
    pub proxy_protocol: bool,
}

#[derive(Debug, Clone)]
pub struct Gopher {
    pub enabled: bool,
    pub listen: Vec<SocketAddr>,
    /// The port menus advertise, when it differs from the one bound.
    pub port: Option<u16>,
    /// Text width in display columns.
    pub wrap: usize,
    /// Expect a HAProxy PROXY header (v1 or v2) before the selector on every connection.
    pub proxy_protocol: bool,
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    /// For the TLS handshake and the request line together.
    pub request_timeout: Duration,
    /// Upper bound of the rendered-page cache.
    pub cache_bytes: u64,
    /// Requests per client address per minute; 0 is no limit.
    pub rate_limit_per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct Log {
    /// A `tracing` filter: `info`, `debug`, `gemhole=debug,warn`, ...
    pub level: String,
    pub log_ips: bool,
}

/// Values from the command line that win over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub content: Option<PathBuf>,
    pub hostname: Option<String>,
    pub gemini_listen: Vec<SocketAddr>,
    pub gopher_listen: Vec<SocketAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{origin}: {key} = {value:?}: {reason}")]
    Invalid {
        origin: String,
        key: String,
        value: String,
        reason: String,
    },
}

/// The file's shape. `deny_unknown_fields` makes a misspelt key an error, not a silent default.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct FileConfig {
    site: SiteSection,
    gemini: GeminiSection,
    gopher: GopherSection,
    limits: LimitsSection,
    log: LogSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct SiteSection {
    title: Option<String>,
    author: Option<String>,
    description: Option<String>,
    lang: Option<String>,
    hostname: Option<Names>,
    content: Option<PathBuf>,
    watch: Option<bool>,
}

/// One name, or a list of names.
#[derive(Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct GeminiSection {
    enabled: bool,
    listen: Vec<SocketAddr>,
    certs: PathBuf,
    port: Option<u16>,
    proxy_protocol: bool,
}

impl Default for GeminiSection {
    fn default() -> Self {
        GeminiSection {
            enabled: true,
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 1965))],
            certs: PathBuf::from("certs"),
            port: None,
            proxy_protocol: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct GopherSection {
    enabled: bool,
    listen: Vec<SocketAddr>,
    port: Option<u16>,
    wrap: usize,
    proxy_protocol: bool,
}

impl Default for GopherSection {
    fn default() -> Self {
        GopherSection {
            enabled: true,
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 7070))],
            port: None,
            wrap: 70,
            proxy_protocol: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct LimitsSection {
    max_connections: usize,
    request_timeout_secs: u64,
    cache_mib: u64,
    rate_limit_per_minute: u32,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_connections: 1024,
            request_timeout_secs: 10,
            cache_mib: 16,
            rate_limit_per_minute: 0,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct LogSection {
    level: String,
    log_ips: bool,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            level: "info".to_string(),
            log_ips: false,
        }
    }
}

impl Config {
    /// Reads `path` (or [`DEFAULT_PATH`] when `None`, all defaults if that is missing), applies
    /// `overrides`, and checks the result.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let (file, origin, base) = match path {
            Some(path) => {
                let text = read(path)?;
                (
                    parse(path, &text)?,
                    path.display().to_string(),
                    parent(path),
                )
            }
            None => {
                let path = Path::new(DEFAULT_PATH);
                match std::fs::read_to_string(path) {
                    Ok(text) => (
                        parse(path, &text)?,
                        DEFAULT_PATH.to_string(),
                        PathBuf::new(),
                    ),
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => (
                        FileConfig::default(),
                        "defaults".to_string(),
                        PathBuf::new(),
                    ),
                    Err(source) => {
                        return Err(ConfigError::Read {
                            path: path.to_path_buf(),
                            source,
                        })
                    }
                }
            }
        };
        Config::check(file, overrides, &origin, &base)
    }

    /// Parses configuration text as if read from `path`; for tests and tools.
    pub fn from_toml(
        path: &Path,
        text: &str,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let file = parse(path, text)?;
        Config::check(file, overrides, &path.display().to_string(), &parent(path))
    }

    fn check(
        file: FileConfig,
        overrides: &Overrides,
        origin: &str,
        base: &Path,
    ) -> Result<Config, ConfigError> {
        let invalid =
            |key: &'static str, value: &dyn std::fmt::Debug, reason: &str| ConfigError::Invalid {
                origin: origin.to_string(),
                key: key.to_string(),
                value: format!("{value:?}").trim_matches('"').to_string(),
                reason: reason.to_string(),
            };
        let content = match &overrides.content {
            Some(dir) => dir.clone(),
            None => base.join(
                file.site
                    .content
                    .unwrap_or_else(|| PathBuf::from("capsule")),
            ),
        };
        if !content.is_dir() {
            return Err(invalid(
                "site.content",
                &content.display(),
                "no such folder; create it or point --content at your capsule",
            ));
        }
        let names: Vec<String> = match (&overrides.hostname, file.site.hostname) {
            (Some(name), _) => vec![name.clone()],
            (None, Some(Names::One(name))) => vec![name],
            (None, Some(Names::Many(names))) => names,
            (None, None) => vec!["localhost".to_string()],
        };
        if names.is_empty() {
            return Err(invalid(
                "site.hostname",
                &names,
                "give at least one name, such as \"example.org\"",
            ));
        }
        let mut names: Vec<String> = names
            .iter()
            .map(|name| name.trim_end_matches('.').to_ascii_lowercase())
            .collect();
        if let Some(bad) = names.iter().find(|name| !is_hostname(name)) {
            return Err(invalid(
                "site.hostname",
                bad,
                "not a host name; use letters, digits, '-' and '.', such as example.org",
            ));
        }
        names.dedup();
        let hostname = names.remove(0);
        let lang = file.site.lang.unwrap_or_else(|| "en".to_string());
        let valid_lang = !lang.is_empty()
            && lang
                .split('-')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !valid_lang {
            return Err(invalid(
                "site.lang",
                &lang,
                "not a language tag; use one like en or pt-BR",
            ));
        }
        let title = file.site.title.unwrap_or_else(|| {
            std::fs::canonicalize(&content)
                .ok()
                .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "gemhole".to_string())
        });

        let mut gemini = file.gemini;
        if !overrides.gemini_listen.is_empty() {
            gemini.listen = overrides.gemini_listen.clone();
        }
        check_listener(
            origin,
            "gemini",
            gemini.enabled,
            &gemini.listen,
            gemini.port,
            1965,
        )?;
        let mut gopher = file.gopher;
        if !overrides.gopher_listen.is_empty() {
            gopher.listen = overrides.gopher_listen.clone();
        }
        check_listener(
            origin,
            "gopher",
            gopher.enabled,
            &gopher.listen,
            gopher.port,
            7070,
        )?;
        if !(20..=1000).contains(&gopher.wrap) {
            return Err(invalid(
                "gopher.wrap",
                &gopher.wrap,
                "must be from 20 to 1000 columns",
            ));
        }
        if !gemini.enabled && !gopher.enabled {
            return Err(invalid(
                "gemini.enabled",
                &false,
                "Gemini and Gopher are both disabled; enable at least one",
            ));
        }

        let limits = file.limits;
        if limits.max_connections == 0 {
            return Err(invalid("limits.max_connections", &0, "must be at least 1"));
        }
        if limits.request_timeout_secs == 0 {
            return Err(invalid(
                "limits.request_timeout_secs",
                &0,
                "must be at least 1",
            ));
        }
        if !is_log_filter(&file.log.level) {
            return Err(invalid(
                "log.level",
                &file.log.level,
                "not a log level; use error, warn, info, debug or trace",
            ));
        }
        Ok(Config {
            site: Site {
                title,
                author: file.site.author,
                description: file.site.description,
                lang,
                hostname,
                aliases: names,
                content,
                watch: file.site.watch.unwrap_or(true),
            },
            gemini: Gemini {
                enabled: gemini.enabled,
                listen: gemini.listen,
                certs: base.join(gemini.certs),
                port: gemini.port,
                proxy_protocol: gemini.proxy_protocol,
            },
            gopher: Gopher {
                enabled: gopher.enabled,
                listen: gopher.listen,
                port: gopher.port,
                wrap: gopher.wrap,
                proxy_protocol: gopher.proxy_protocol,
            },
            limits: Limits {
                max_connections: limits.max_connections,
                request_timeout: Duration::from_secs(limits.request_timeout_secs),
                cache_bytes: limits.cache_mib.saturating_mul(1024 * 1024),
                rate_limit_per_minute: limits.rate_limit_per_minute,
            },
            log: Log {
                level: file.log.level,
                log_ips: file.log.log_ips,
            },
        })
    }
}

/// An enabled protocol needs an address to listen on, and a public port cannot be 0.
fn check_listener(
    origin: &str,
    section: &'static str,
    enabled: bool,
    listen: &[SocketAddr],
    port: Option<u16>,
    usual_port: u16,
) -> Result<(), ConfigError> {
    let invalid = |key: &str, value: String, reason: String| ConfigError::Invalid {
        origin: origin.to_string(),
        key: format!("{section}.{key}"),
        value,
        reason,
    };
    if enabled && listen.is_empty() {
        return Err(invalid(
            "listen",
            "[]".to_string(),
            format!("no address to listen on; give one such as \"127.0.0.1:{usual_port}\" or set enabled = false"),
        ));
    }
    if port == Some(0) {
        return Err(invalid(
            "port",
            "0".to_string(),
            "the public port cannot be 0".to_string(),
        ));
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn parse(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|err| {
        let line = err.span().map_or(1, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        ConfigError::Syntax {
            path: path.to_path_buf(),
            line,
            message: err.message().replace('\n', " "),
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("capsule")).unwrap();
        Config::from_toml(&dir.path().join("config.toml"), text, &Overrides::default())
    }

    #[test]
    fn every_key_is_optional() {
        let config = load("").unwrap();
        assert_eq!(config.site.hostname, "localhost");
        assert_eq!(config.site.lang, "en");
        assert_eq!(config.site.title, "capsule");
        assert_eq!(
            config.gemini.listen,
            [SocketAddr::from(([127, 0, 0, 1], 1965))]
        );
        assert_eq!(config.limits.max_connections, 1024);
        assert!(config.gemini.certs.ends_with("certs"));
        assert!(config.gemini.certs.is_absolute());
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let err = load("[site]\ntitle = \"x\"\ntitel = \"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":3:") && err.contains("titel"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let err = load("[gemini]\nlisten = [\"localhost\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2:") && err.contains("address"), "{err}");
        let err = load("[site]\nhostname = \"bad host\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("site.hostname"), "{err}");
        let err = load("[site]\ncontent = \"missing\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("site.content") && err.contains("no such folder"),
            "{err}"
        );
        let err = load("[gopher]\nlisten = []\n").unwrap_err().to_string();
        assert!(
            err.contains("gopher.listen") && err.contains("7070"),
            "{err}"
        );
        let err = load("[gemini]\nport = 0\n").unwrap_err().to_string();
        assert!(err.contains("gemini.port"), "{err}");
        let err = load("[gopher]\nwrap = 5\n").unwrap_err().to_string();
        assert!(err.contains("gopher.wrap"), "{err}");
        let err = load("[gemini]\nenabled = false\n[gopher]\nenabled = false\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("both disabled"), "{err}");
        let err = load("[log]\nlevel = \"loud!\"\n").unwrap_err().to_string();
        assert!(err.contains("log.level"), "{err}");
    }

    #[test]
    fn several_host_names() {
        let config =
            load("[site]\nhostname = [\"Example.org\", \"www.example.org.\", \"abc.onion\"]\n")
                .unwrap();
        assert_eq!(config.site.hostname, "example.org");
        assert_eq!(config.site.aliases, ["www.example.org", "abc.onion"]);
        let err = load("[site]\nhostname = []\n").unwrap_err().to_string();
        assert!(err.contains("site.hostname"), "{err}");
        let err = load("[site]\nhostname = [\"ok.example\", \"bad name\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad name"), "{err}");
    }

    #[test]
    fn overrides_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("other")).unwrap();
        let overrides = Overrides {
            content: Some(dir.path().join("other")),
            hostname: Some("Example.ORG.".into()),
            gemini_listen: vec![SocketAddr::from(([127, 0, 0, 1], 0))],
            gopher_listen: vec![SocketAddr::from(([127, 0, 0, 1], 0))],
        };
        let config = Config::from_toml(&dir.path().join("config.toml"), "", &overrides).unwrap();
        assert_eq!(config.site.hostname, "example.org");
        assert_eq!(config.gemini.listen[0].port(), 0);
        assert_eq!(config.gopher.listen[0].port(), 0);
        assert!(config.site.content.ends_with("other"));
    }
}
