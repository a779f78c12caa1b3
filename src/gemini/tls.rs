//! The capsule's certificates and the rustls configuration that serves them.
//!
//! Gemini trusts on first use: a client pins the certificate it first sees, so a certificate
//! must never change by surprise. On first start (no `cert.pem`, no `key.pem`) one is made with
//! rcgen: ECDSA P-256, names = every configured host name and `localhost`, valid until the end
//! of year 9999 (RFC 5280's "no well-defined expiration"), the key readable by its owner only.
//! A certificate a user put there is never overwritten; half a pair, or a pair that does not
//! match, stops start-up with the reason.
//!
//! Beside the default pair, `certs/<name>/` may hold a pair for one name, served when a client
//! asks for that name by SNI (a CA's certificate for one alias, say). A client that sends no SNI
//! or an unknown name gets the default. [`Certificates::reload`] reads everything again and
//! swaps it in whole for new connections; a broken replacement is refused and the certificates
//! in use stay. When what is loaded changes, TLS sessions start afresh (a new ticket key, an
//! empty session cache): a client that would have resumed makes a full handshake instead, and
//! sees the new certificate.
//!
//! Certificate and key files are read as content files are: opened without blocking, only when
//! they are regular files, and only up to a bound. A FIFO put in place of `cert.pem` is refused
//! at once instead of hanging every later reload.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use rustls::crypto::aws_lc_rs::cipher_suite::{
    TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};
use rustls::crypto::aws_lc_rs::default_provider;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::files::{self, ReadError};

pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

/// TLS 1.2 sessions kept for resumption (about 100 bytes each).
const SESSION_CACHE: usize = 4096;

/// The cipher suites, in the order the server picks them whatever the client prefers: SHA-256
/// suites first. A Gemini answer is a few KiB, so a handshake costs far more than the bulk
/// encryption, and most of the handshake beyond the key exchange and the signature is hashing
/// (the transcript, and HKDF in the key schedule): SHA-256 costs much less than SHA-384 where
/// the processor has instructions for it (x86-64 SHA extensions, ARMv8 crypto), as servers
/// commonly do. AES-GCM before ChaCha20-Poly1305, both being cheap for an answer this size.
/// Every suite of the provider's defaults stays, so every client that could connect still can.
const CIPHER_SUITES: &[rustls::SupportedCipherSuite] = &[
    TLS13_AES_128_GCM_SHA256,
    TLS13_CHACHA20_POLY1305_SHA256,
    TLS13_AES_256_GCM_SHA384,
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
];

/// The most a certificate or key file may hold: a chain is a few KiB, so a file this large is
/// not one.
const MAX_PEM_BYTES: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{found} exists but {missing} does not; restore {missing}, or move {found} away to have a new pair made (clients that pinned the old certificate will warn)")]
    HalfPair { found: PathBuf, missing: PathBuf },
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{cert} and {key} do not belong together ({reason}); put back the matching key or certificate")]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    #[error("TLS cannot be set up: {0}")]
    Config(String),
    #[error("cannot create a certificate in {dir}: {reason}")]
    Create { dir: PathBuf, reason: String },
    #[error("{0} already holds a certificate; add --force to replace it (clients that pinned it will warn)")]
    Exists(PathBuf),
}

/// One loaded set: the default pair and the pairs chosen by name.
#[derive(Debug)]
struct Loaded {
    default: Arc<CertifiedKey>,
    by_name: HashMap<String, Arc<CertifiedKey>>,
}

impl Loaded {
    /// Whether `other` serves the same certificates for the same names. Keys need no
    /// comparing: each was checked to match its certificate.
    fn same_as(&self, other: &Loaded) -> bool {
        self.default.cert == other.default.cert
            && self.by_name.len() == other.by_name.len()
            && self.by_name.iter().all(|(name, pair)| {
                other
                    .by_name
                    .get(name)
                    .is_some_and(|theirs| theirs.cert == pair.cert)
            })
    }
}

impl ResolvesServerCert for Loaded {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let by_name = hello
            .server_name()
            .map(|name| name.trim_end_matches('.').to_ascii_lowercase())
            .and_then(|name| self.by_name.get(&name).cloned());
        Some(by_name.unwrap_or_else(|| self.default.clone()))
    }
}

/// What new connections get: a set of certificates and the rustls configuration made for it,
/// swapped together.
#[derive(Debug)]
struct Serving {
    loaded: Arc<Loaded>,
    config: Arc<ServerConfig>,
}

impl Serving {
    /// TLS 1.2 and 1.3 with the aws-lc-rs provider and the suites in [`CIPHER_SUITES`]' order,
    /// certificates from `loaded`; no client certificates are asked for. A returning client resumes its session: by a TLS 1.3
    /// ticket (sealed with a key that rotates, so the server keeps nothing per client), or
    /// from a bounded cache of TLS 1.2 sessions. Both are this configuration's own, so a
    /// session begun under other certificates is not resumed: the client makes a full
    /// handshake and sees the certificate now served.
    fn new(loaded: Loaded) -> Result<Serving, TlsError> {
        let loaded = Arc::new(loaded);
        let provider = CryptoProvider {
            cipher_suites: CIPHER_SUITES.to_vec(),
            ..default_provider()
        };
        let mut config = ServerConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(loaded.clone());
        config.ignore_client_order = true;
        config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()
            .map_err(|e| TlsError::Config(e.to_string()))?;
        // One request per connection: one ticket is all a client can use before it reconnects.
        config.send_tls13_tickets = 1;
        config.session_storage = rustls::server::ServerSessionMemoryCache::new(SESSION_CACHE);
        Ok(Serving {
            loaded,
            config: Arc::new(config),
        })
    }
}

/// The certificates the Gemini listener serves, replaced whole on reload.
#[derive(Debug)]
pub struct Certificates {
    dir: PathBuf,
    serving: ArcSwap<Serving>,
    /// One reload at a time (SIGHUP and the folder watch both reload), so an older read of the
    /// files never replaces a newer one.
    reloading: Mutex<()>,
}

impl Certificates {
    /// Loads `dir/cert.pem` and `dir/key.pem` (making both first when both are missing, for
    /// `names` and `localhost`) and any `dir/<name>/` pairs. The flag says whether a pair was
    /// made.
    pub fn load_or_create(dir: &Path, names: &[String]) -> Result<(Certificates, bool), TlsError> {
        let created = match pair_state(dir)? {
            PairState::Present => false,
            PairState::Absent => {
                write_self_signed(dir, names)?;
                true
            }
        };
        let certificates = Certificates {
            dir: dir.to_path_buf(),
            serving: ArcSwap::from_pointee(Serving::new(load_all(dir)?)?),
            reloading: Mutex::new(()),
        };
        Ok((certificates, created))
    }

    /// Reads the files again and serves them to new connections. When they changed, sessions
    /// start afresh: no client resumes one from before, so each sees the new certificate. On
    /// any error the certificates in use stay, and the error says what is wrong.
    pub fn reload(&self) -> Result<(), TlsError> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if pair_state(&self.dir)? == PairState::Absent {
            return Err(TlsError::Read {
                path: self.dir.join(CERT_FILE),
                reason: "the certificate and key are gone".to_string(),
            });
        }
        let loaded = load_all(&self.dir)?;
        if !loaded.same_as(&self.serving.load().loaded) {
            self.serving.store(Arc::new(Serving::new(loaded)?));
        }
        Ok(())
    }

    /// SHA-256 of the default certificate: what clients pin.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.serving.load().loaded.default.cert[0])
    }

    /// What the next connection's handshake runs with: the configuration for the certificates
    /// loaded now (a connection keeps the one it began with). Asked for per connection; it
    /// costs a reference count.
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.serving.load().config.clone())
    }
}

#[derive(Debug, PartialEq, Eq)]
enum PairState {
    Present,
    Absent,
}

fn pair_state(dir: &Path) -> Result<PairState, TlsError> {
    let cert = dir.join(CERT_FILE);
    let key = dir.join(KEY_FILE);
    match (cert.exists(), key.exists()) {
        (true, true) => Ok(PairState::Present),
        (false, false) => Ok(PairState::Absent),
        (true, false) => Err(TlsError::HalfPair {
            found: cert,
            missing: key,
        }),
        (false, true) => Err(TlsError::HalfPair {
            found: key,
            missing: cert,
        }),
    }
}

/// The default pair and every `<name>/` pair below `dir`.
fn load_all(dir: &Path) -> Result<Loaded, TlsError> {
    let default = load_pair(dir)?;
    let mut by_name = HashMap::new();
    let entries = fs::read_dir(dir).map_err(|e| TlsError::Read {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        if path.is_dir() && pair_state(&path)? == PairState::Present {
            by_name.insert(name.trim_end_matches('.').to_string(), load_pair(&path)?);
        }
    }
    Ok(Loaded { default, by_name })
}

/// The pair in `dir`: a certificate chain (leaf first, as a CA delivers it) and its key
/// (PKCS#8, PKCS#1 RSA or SEC1 EC), checked to belong together.
fn load_pair(dir: &Path) -> Result<Arc<CertifiedKey>, TlsError> {
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    let read_error = |path: &Path, reason: String| TlsError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&read_pem(&cert_path, "certificate")?)
            .collect::<Result<_, _>>()
            .map_err(|e| read_error(&cert_path, e.to_string()))?;
    if chain.is_empty() {
        return Err(read_error(
            &cert_path,
            "no CERTIFICATE block in it".to_string(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&read_pem(&key_path, "key")?)
        .map_err(|e| read_error(&key_path, format!("no usable private key ({e})")))?;
    let signing_key = default_provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| read_error(&key_path, e.to_string()))?;
    let certified = CertifiedKey::new(chain, signing_key);
    certified.keys_match().map_err(|e| TlsError::Mismatch {
        cert: cert_path.clone(),
        key: key_path.clone(),
        reason: e.to_string(),
    })?;
    Ok(Arc::new(certified))
}

/// The bytes of the certificate or key file at `path` (`what` says which, for the error): opened
/// without blocking and only when it is a regular file, since a FIFO there would never answer,
/// and read up to [`MAX_PEM_BYTES`].
fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>, TlsError> {
    let read_error = |reason: String| TlsError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let file = files::open_regular(path).map_err(|e| match e.kind() {
        // Something other than a regular file is there.
        io::ErrorKind::InvalidInput => read_error(format!("{e}; put the {what} back")),
        _ => read_error(e.to_string()),
    })?;
    files::read_bounded(file, MAX_PEM_BYTES).map_err(|e| match e {
        ReadError::TooLarge { .. } => read_error(format!(
            "{e}; a {what} file holds a few KiB, is it the right file?"
        )),
        ReadError::Io(e) => read_error(e.to_string()),
    })
}

/// Makes a self-signed pair for `names` (and `localhost`) in `dir`. Either both files are
/// written or neither is left behind.
pub fn write_self_signed(dir: &Path, names: &[String]) -> Result<(), TlsError> {
    let error = |reason: String| TlsError::Create {
        dir: dir.to_path_buf(),
        reason,
    };
    // The loopback names too, so a reader on the machine itself can dial 127.0.0.1 or ::1
    // (Amfora checks the address against the certificate).
    let mut sans: Vec<String> = names.to_vec();
    for local in ["localhost", "127.0.0.1", "::1"] {
        if !sans.iter().any(|n| n == local) {
            sans.push(local.to_string());
        }
    }
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| error(e.to_string()))?;
    let mut params =
        rcgen::CertificateParams::new(sans.clone()).map_err(|e| error(e.to_string()))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, sans[0].as_str());
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = time::Date::from_calendar_date(9999, time::Month::December, 31)
        .map_err(|e| error(e.to_string()))?
        .with_hms(23, 59, 59)
        .map_err(|e| error(e.to_string()))?
        .assume_utc();
    let cert = params
        .self_signed(&key_pair)
        .map_err(|e| error(e.to_string()))?;

    fs::create_dir_all(dir).map_err(|e| error(e.to_string()))?;
    // Written beside the final names and renamed into place, so a running server that reloads
    // meanwhile sees the old pair or the new one, never half of one.
    let staged_key = dir.join(".key.pem.new");
    let staged_cert = dir.join(".cert.pem.new");
    let staged = write_private(&staged_key, key_pair.serialize_pem().as_bytes(), 0o600)
        .and_then(|()| write_private(&staged_cert, cert.pem().as_bytes(), 0o644))
        .and_then(|()| fs::rename(&staged_key, dir.join(KEY_FILE)))
        .and_then(|()| fs::rename(&staged_cert, dir.join(CERT_FILE)));
    if let Err(e) = staged {
        let _ = fs::remove_file(&staged_key);
        let _ = fs::remove_file(&staged_cert);
        return Err(error(e.to_string()));
    }
    Ok(())
}

/// Replaces the pair in `dir` with a new self-signed one for `names`; refuses to replace an
/// existing pair unless `force`.
pub fn regenerate(dir: &Path, names: &[String], force: bool) -> Result<(), TlsError> {
    if !force && (dir.join(CERT_FILE).exists() || dir.join(KEY_FILE).exists()) {
        return Err(TlsError::Exists(dir.to_path_buf()));
    }
    write_self_signed(dir, names)
}

/// Writes a new file with `mode` from its first byte on.
fn write_private(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let _ = fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// SHA-256 of a certificate as colon-separated upper-case hex.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, cert.as_ref());
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// What `gemhole cert` shows of a certificate file.
#[derive(Debug)]
pub struct Summary {
    pub path: PathBuf,
    pub fingerprint: String,
    pub names: Vec<String>,
    pub not_before: String,
    pub not_after: String,
}

/// The leaf certificate of `dir/cert.pem`, and of each `dir/<name>/cert.pem`, summarised.
pub fn summaries(dir: &Path) -> Result<Vec<Summary>, TlsError> {
    let mut dirs = vec![dir.to_path_buf()];
    if let Ok(entries) = fs::read_dir(dir) {
        let mut named: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join(CERT_FILE).exists())
            .collect();
        named.sort();
        dirs.extend(named);
    }
    dirs.iter().map(|d| summary(&d.join(CERT_FILE))).collect()
}

fn summary(path: &Path) -> Result<Summary, TlsError> {
    let read_error = |reason: String| TlsError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let leaf = CertificateDer::pem_slice_iter(&read_pem(path, "certificate")?)
        .next()
        .ok_or_else(|| read_error("no CERTIFICATE block in it".to_string()))?
        .map_err(|e| read_error(e.to_string()))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(leaf.as_ref())
        .map_err(|e| read_error(format!("not an X.509 certificate: {e}")))?;
    let mut names: Vec<String> = parsed
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .map(|name| match name {
                    x509_parser::extensions::GeneralName::DNSName(dns) => dns.to_string(),
                    x509_parser::extensions::GeneralName::IPAddress(ip) => ip_text(ip),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        names.extend(
            parsed
                .subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_string)),
        );
    }
    let validity = parsed.validity();
    Ok(Summary {
        path: path.to_path_buf(),
        fingerprint: fingerprint(&leaf),
        names,
        not_before: validity.not_before.to_string(),
        not_after: validity.not_after.to_string(),
    })
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).map_or_else(
            |_| String::new(),
            |b| std::net::Ipv4Addr::from(b).to_string(),
        ),
        16 => <[u8; 16]>::try_from(bytes).map_or_else(
            |_| String::new(),
            |b| std::net::Ipv6Addr::from(b).to_string(),
        ),
        _ => format!("{bytes:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn first_start_makes_a_pair_and_later_starts_keep_it() {
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        let (first, created) =
            Certificates::load_or_create(&certs, &names(&["example.org"])).unwrap();
        assert!(created);
        let mode = fs::metadata(certs.join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let (again, created) =
            Certificates::load_or_create(&certs, &names(&["example.org"])).unwrap();
        assert!(!created);
        assert_eq!(first.fingerprint(), again.fingerprint());
        assert_eq!(first.fingerprint().len(), 32 * 3 - 1);
        let summary = &summaries(&certs).unwrap()[0];
        assert_eq!(
            summary.names,
            ["example.org", "localhost", "127.0.0.1", "::1"]
        );
        assert!(summary.not_after.contains("9999"), "{}", summary.not_after);
        assert!(!certs.join(".key.pem.new").exists());
    }

    #[test]
    fn half_pairs_and_mismatches_refuse_to_start() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        Certificates::load_or_create(a.path(), &names(&["a.example"])).unwrap();
        Certificates::load_or_create(b.path(), &names(&["b.example"])).unwrap();
        fs::copy(b.path().join(KEY_FILE), a.path().join(KEY_FILE)).unwrap();
        let err = Certificates::load_or_create(a.path(), &names(&["a.example"])).unwrap_err();
        assert!(matches!(err, TlsError::Mismatch { .. }), "{err}");

        fs::remove_file(b.path().join(KEY_FILE)).unwrap();
        let before = fs::read(b.path().join(CERT_FILE)).unwrap();
        let err = Certificates::load_or_create(b.path(), &names(&["b.example"])).unwrap_err();
        assert!(matches!(err, TlsError::HalfPair { .. }), "{err}");
        assert_eq!(fs::read(b.path().join(CERT_FILE)).unwrap(), before);
    }

    #[test]
    fn a_fifo_or_a_huge_file_in_place_of_a_certificate_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, _) = Certificates::load_or_create(dir.path(), &names(&["x.example"])).unwrap();
        let served = certs.fingerprint();
        let cert = dir.path().join(CERT_FILE);
        fs::remove_file(&cert).unwrap();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &cert,
            rustix::fs::Mode::from_raw_mode(0o644),
        )
        .unwrap();
        // No writer will ever come: the reload and the summary answer anyway.
        let err = certs.reload().unwrap_err().to_string();
        assert!(
            err.contains("cert.pem: not a regular file but a FIFO"),
            "{err}"
        );
        assert!(err.contains("put the certificate back"), "{err}");
        let err = summaries(dir.path()).unwrap_err().to_string();
        assert!(err.contains("FIFO"), "{err}");

        fs::remove_file(&cert).unwrap();
        fs::write(&cert, vec![b'\n'; 2 << 20]).unwrap();
        let err = certs.reload().unwrap_err().to_string();
        assert!(err.contains("more than the 1048576 allowed"), "{err}");
        assert_eq!(certs.fingerprint(), served);
    }

    #[test]
    fn reload_swaps_good_pairs_and_keeps_the_old_on_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, _) = Certificates::load_or_create(dir.path(), &names(&["x.example"])).unwrap();
        let old = certs.fingerprint();
        let config = certs.acceptor().config().clone();
        // Read again unchanged: sessions go on being resumed.
        certs.reload().unwrap();
        assert!(Arc::ptr_eq(&config, certs.acceptor().config()));
        regenerate(dir.path(), &names(&["x.example"]), true).unwrap();
        certs.reload().unwrap();
        let new = certs.fingerprint();
        assert_ne!(old, new);
        assert!(!Arc::ptr_eq(&config, certs.acceptor().config()));
        // A new pair for one name starts sessions afresh too.
        let config = certs.acceptor().config().clone();
        regenerate(
            &dir.path().join("www.x.example"),
            &names(&["www.x.example"]),
            false,
        )
        .unwrap();
        certs.reload().unwrap();
        assert_eq!(certs.fingerprint(), new);
        assert!(!Arc::ptr_eq(&config, certs.acceptor().config()));
        fs::write(dir.path().join(CERT_FILE), "garbage").unwrap();
        assert!(certs.reload().is_err());
        assert_eq!(certs.fingerprint(), new);
        assert!(matches!(
            regenerate(dir.path(), &names(&["x.example"]), false),
            Err(TlsError::Exists(_))
        ));
    }
}
