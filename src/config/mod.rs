//! Configuration: `config.toml` and command-line overrides, checked once into a [`Config`].
//!
//! Every key is optional and has the default DESIGN.md gives. An unknown key, a value of the
//! wrong kind, a bad address or a content folder that is not there is an error that names the
//! file, the line and the key, so start-up stops with one line that says what to fix. Relative
//! paths in the file are relative to the file; paths given on the command line are relative to
//! the working directory.

mod check;
mod derived;
mod file;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::content::SizeLimits;
use file::FileConfig;

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
    /// Old routes and where they lead now (`[redirects]`), each starting with `/`.
    pub redirects: Vec<(String, String)>,
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
    /// Every word in ASCII, transliterated, for old clients.
    pub ascii: bool,
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
    /// Connections one client address (an IPv6 /64) may hold open at once.
    pub max_connections_per_client: usize,
    /// How long a client may accept no bytes of a response before it is cut off.
    pub send_idle: Duration,
    /// Bounds on what is read and rendered.
    pub sizes: SizeLimits,
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
    #[error("cannot read {path}: {error}; check the path and that gemhole may read it")]
    Read {
        path: PathBuf,
        error: std::io::Error,
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
                    Err(error) => {
                        return Err(ConfigError::Read {
                            path: path.to_path_buf(),
                            error,
                        })
                    }
                }
            }
        };
        check::check(file, overrides, &origin, &base)
    }

    /// Parses configuration text as if read from `path`; for tests and tools.
    pub fn from_toml(
        path: &Path,
        text: &str,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let file = parse(path, text)?;
        check::check(file, overrides, &path.display().to_string(), &parent(path))
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        path: path.to_path_buf(),
        error,
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
        let mut message = err.message().replace('\n', " ");
        if message.contains("expected a sequence") {
            message.push_str("; write it as a list, such as [\"value\"]");
        }
        if message == "invalid socket address syntax" {
            message.push_str(
                "; write an IP address and a port, such as \"127.0.0.1:7070\" or \"[::1]:7070\" (a host name will not do)",
            );
        }
        // Name the key the value was given for, when the line holds one.
        if let Some(key) = key_on_line(text, line).filter(|key| !message.contains(key.as_str())) {
            message = format!("{key}: {message}");
        }
        ConfigError::Syntax {
            path: path.to_path_buf(),
            line,
            message,
        }
    })
}

/// `section.key` for a `key = value` line of a TOML text (1-based `line`), as written.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let key = lines.get(line.checked_sub(1)?)?.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let section = lines[..line - 1]
        .iter()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(str::trim);
    Some(match section {
        Some(section) => format!("{section}.{key}"),
        None => key.to_string(),
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
    fn ipv6_host_names_with_or_without_brackets() {
        for name in ["::1", "[::1]"] {
            let config = load(&format!("[site]\nhostname = \"{name}\"\n")).unwrap();
            assert_eq!(config.site.hostname, "::1", "{name}");
        }
        let err = load("[site]\nhostname = \"[not-ipv6]\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("site.hostname"), "{err}");
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
