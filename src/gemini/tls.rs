//! The capsule's certificate and the rustls configuration that serves it.
//!
//! Gemini trusts on first use: a client pins the certificate it first sees, so the certificate
//! must never change by surprise. On first start (no `cert.pem`, no `key.pem`) one is made with
//! rcgen: ECDSA P-256, names = the host name and `localhost`, valid until the end of year 9999
//! (RFC 5280's "no well-defined expiration"), the key readable by its owner only. A certificate
//! a user put there is never overwritten; half a pair, or a pair that does not match, stops
//! start-up with the reason.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::ring::default_provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

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
}

/// A loaded certificate, ready for rustls.
#[derive(Debug)]
pub struct Identity {
    pub key: Arc<CertifiedKey>,
    /// SHA-256 of the leaf certificate, as `AB:CD:...`: what clients pin.
    pub fingerprint: String,
    /// True when this start made it.
    pub created: bool,
}

/// Loads `dir/cert.pem` and `dir/key.pem`, making both first when both are missing.
pub fn load_or_create(dir: &Path, hostname: &str) -> Result<Identity, TlsError> {
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    let created = match (cert_path.exists(), key_path.exists()) {
        (true, true) => false,
        (false, false) => {
            create(dir, hostname)?;
            true
        }
        (true, false) => {
            return Err(TlsError::HalfPair {
                found: cert_path,
                missing: key_path,
            })
        }
        (false, true) => {
            return Err(TlsError::HalfPair {
                found: key_path,
                missing: cert_path,
            })
        }
    };
    let key = load(&cert_path, &key_path)?;
    Ok(Identity {
        fingerprint: fingerprint(&key.cert[0]),
        key,
        created,
    })
}

fn load(cert_path: &Path, key_path: &Path) -> Result<Arc<CertifiedKey>, TlsError> {
    let read_error = |path: &Path, reason: String| TlsError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| read_error(cert_path, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_error(cert_path, e.to_string()))?;
    if chain.is_empty() {
        return Err(read_error(
            cert_path,
            "no CERTIFICATE block in it".to_string(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|e| read_error(key_path, format!("no usable private key ({e})")))?;
    let signing_key = default_provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| read_error(key_path, e.to_string()))?;
    let certified = CertifiedKey::new(chain, signing_key);
    certified.keys_match().map_err(|e| TlsError::Mismatch {
        cert: cert_path.to_path_buf(),
        key: key_path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(Arc::new(certified))
}

fn create(dir: &Path, hostname: &str) -> Result<(), TlsError> {
    let error = |reason: String| TlsError::Create {
        dir: dir.to_path_buf(),
        reason,
    };
    let mut names = vec![hostname.to_string()];
    if hostname != "localhost" {
        names.push("localhost".to_string());
    }
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| error(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| error(e.to_string()))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, hostname);
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
    let key_path = dir.join(KEY_FILE);
    write_new(&key_path, key_pair.serialize_pem().as_bytes(), 0o600)
        .map_err(|e| error(e.to_string()))?;
    if let Err(e) = write_new(&dir.join(CERT_FILE), cert.pem().as_bytes(), 0o644) {
        // Leave no half pair behind: the next start would refuse it.
        let _ = fs::remove_file(&key_path);
        return Err(error(e.to_string()));
    }
    Ok(())
}

/// Writes a file that must not exist yet, with `mode` from its first byte on.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
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
    let digest = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Serves the one certificate whatever the client asks for, SNI or not (a client that dials
/// an IP address sends no SNI and must still get it).
#[derive(Debug)]
struct OneCertificate(Arc<CertifiedKey>);

impl ResolvesServerCert for OneCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// TLS 1.2 and 1.3 with the ring provider; no client certificates are asked for.
pub fn server_config(identity: &Identity) -> Result<Arc<ServerConfig>, TlsError> {
    let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(OneCertificate(identity.key.clone())));
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn first_start_makes_a_pair_and_later_starts_keep_it() {
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        let first = load_or_create(&certs, "example.org").unwrap();
        assert!(first.created);
        let mode = fs::metadata(certs.join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = load_or_create(&certs, "example.org").unwrap();
        assert!(!again.created);
        assert_eq!(first.fingerprint, again.fingerprint);
        assert_eq!(first.fingerprint.len(), 32 * 3 - 1);
    }

    #[test]
    fn half_pairs_and_mismatches_refuse_to_start() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        load_or_create(a.path(), "a.example").unwrap();
        load_or_create(b.path(), "b.example").unwrap();
        fs::copy(b.path().join(KEY_FILE), a.path().join("other-key.pem")).unwrap();
        fs::rename(a.path().join("other-key.pem"), a.path().join(KEY_FILE)).unwrap();
        let err = load_or_create(a.path(), "a.example").unwrap_err();
        assert!(matches!(err, TlsError::Mismatch { .. }), "{err}");

        fs::remove_file(b.path().join(KEY_FILE)).unwrap();
        let before = fs::read(b.path().join(CERT_FILE)).unwrap();
        let err = load_or_create(b.path(), "b.example").unwrap_err();
        assert!(matches!(err, TlsError::HalfPair { .. }), "{err}");
        assert_eq!(fs::read(b.path().join(CERT_FILE)).unwrap(), before);
    }
}
