//! One request on one new connection, the way Gemini and Gopher clients make them: connect,
//! (TLS handshake), send the request line, read the answer to the end of the stream.
//!
//! Everything here is timed from the start of `connect` to the end of the answer, because that
//! is what a reader waits for; a failure is reported with the step it happened in, so that the
//! load generator can count refused connections, failed handshakes, broken streams and
//! timeouts apart.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, HandshakeKind, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Size of the buffer answers are read through; answers are counted, not kept.
const READ_CHUNK: usize = 16 * 1024;

/// The step a request failed in; each is counted on its own line of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureKind {
    Connect,
    Handshake,
    Io,
    Timeout,
    /// The answer was read but the server closed TCP without a TLS `close_notify`, so the
    /// client cannot tell a complete answer from a truncated one.
    NoCloseNotify,
}

impl FailureKind {
    /// The name used in reports and JSON keys.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect",
            FailureKind::Handshake => "handshake",
            FailureKind::Io => "io",
            FailureKind::Timeout => "timeout",
            FailureKind::NoCloseNotify => "no_close_notify",
        }
    }
}

/// A failed request: the step, and the reason for the human report.
#[derive(Debug)]
pub struct Failure {
    pub kind: FailureKind,
    pub reason: String,
}

impl Failure {
    fn new(kind: FailureKind, error: impl fmt::Display) -> Self {
        Failure {
            kind,
            reason: error.to_string(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.reason)
    }
}

impl std::error::Error for Failure {}

/// What came back for one request.
#[derive(Debug)]
pub struct Answer {
    /// From the start of `connect` to the end of the answer.
    pub latency: Duration,
    /// Bytes of the answer (header included), after TLS.
    pub bytes: u64,
    /// The first bytes of the answer, at most as many as were asked for.
    pub head: Vec<u8>,
    /// False when a Gemini server closed without `close_notify`; always true for Gopher.
    pub close_notify: bool,
    /// True when the TLS handshake resumed an earlier session.
    pub resumed: bool,
}

/// The protocol-specific half of a request.
#[derive(Clone)]
pub enum Protocol {
    Gemini {
        connector: TlsConnector,
        server_name: ServerName<'static>,
    },
    Gopher,
}

/// Everything needed to make requests to one server but the request line; cheap to clone into
/// each worker.
#[derive(Clone)]
pub struct Request {
    pub addr: SocketAddr,
    pub protocol: Protocol,
    pub timeout: Duration,
}

impl Request {
    /// Sends `line` (CRLF included) on a new connection, keeping the first `keep` bytes of the
    /// answer.
    pub async fn send(&self, line: &[u8], keep: usize) -> Result<Answer, Failure> {
        let started = Instant::now();
        let exchange = self.exchange(line, keep, started);
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::new(
                FailureKind::Timeout,
                format!("no complete answer within {:?}", self.timeout),
            )),
        }
    }

    /// The status a report files this answer under: Gemini's two-digit code, or for Gopher
    /// `ok` when something came back that is not an error item (type `3`).
    pub fn status(&self, head: &[u8]) -> String {
        match self.protocol {
            Protocol::Gemini { .. } => match head {
                [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    String::from_utf8_lossy(&head[..2]).into_owned()
                }
                _ => "invalid".to_string(),
            },
            Protocol::Gopher => match head.first() {
                Some(b'3') | None => "err".to_string(),
                Some(_) => "ok".to_string(),
            },
        }
    }

    async fn exchange(
        &self,
        line: &[u8],
        keep: usize,
        started: Instant,
    ) -> Result<Answer, Failure> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .map_err(|e| Failure::new(FailureKind::Connect, e))?;
        tcp.set_nodelay(true)
            .map_err(|e| Failure::new(FailureKind::Connect, e))?;
        match &self.protocol {
            Protocol::Gemini {
                connector,
                server_name,
            } => {
                let mut tls = connector
                    .connect(server_name.clone(), tcp)
                    .await
                    .map_err(|e| Failure::new(FailureKind::Handshake, e))?;
                let resumed = tls.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed);
                write_line(&mut tls, line).await?;
                let mut answer = read_to_end(&mut tls, keep, started).await?;
                answer.resumed = resumed;
                Ok(answer)
            }
            Protocol::Gopher => {
                let mut tcp = tcp;
                write_line(&mut tcp, line).await?;
                read_to_end(&mut tcp, keep, started).await
            }
        }
    }
}

async fn write_line<S: AsyncWriteExt + Unpin>(stream: &mut S, line: &[u8]) -> Result<(), Failure> {
    stream
        .write_all(line)
        .await
        .map_err(|e| Failure::new(FailureKind::Io, e))?;
    stream
        .flush()
        .await
        .map_err(|e| Failure::new(FailureKind::Io, e))
}

/// Reads until the server closes. rustls reports a TCP close without `close_notify` as
/// `UnexpectedEof`; when an answer had already arrived that is recorded on the answer (the
/// status still counts), and with nothing read it is a broken stream.
async fn read_to_end<S: AsyncRead + Unpin>(
    stream: &mut S,
    keep: usize,
    started: Instant,
) -> Result<Answer, Failure> {
    let mut buf = vec![0u8; READ_CHUNK];
    let mut head = Vec::new();
    let mut bytes: u64 = 0;
    let close_notify = loop {
        match stream.read(&mut buf).await {
            Ok(0) => break true,
            Ok(n) => {
                let room = keep.saturating_sub(head.len()).min(n);
                head.extend_from_slice(&buf[..room]);
                bytes += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && bytes > 0 => break false,
            Err(e) => return Err(Failure::new(FailureKind::Io, e)),
        }
    };
    Ok(Answer {
        latency: started.elapsed(),
        bytes,
        head,
        close_notify,
        resumed: false,
    })
}

/// The host of a `gemini://` URL, for SNI; `localhost` when the URL names none.
pub fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        "localhost"
    } else {
        host
    }
}

/// A TLS client like a Gemini client's first visit: any certificate is taken (Gemini trusts
/// on first use, and the servers measured make their own), but the handshake signatures are
/// still checked, so the server does all the cryptography a real client makes it do.
/// Resumption is off unless asked for, so that every request pays for a full handshake.
pub fn tls_connector(resume: bool) -> anyhow::Result<TlsConnector> {
    let provider = Arc::new(ring::default_provider());
    let verifier = Arc::new(AnyCertificate {
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.resumption = if resume {
        Resumption::default()
    } else {
        Resumption::disabled()
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Accepts every certificate; verifies handshake signatures with the provider's algorithms.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn sni_comes_from_the_url_host() {
        assert_eq!(url_host("gemini://localhost/posts/x"), "localhost");
        assert_eq!(url_host("gemini://example.org:1965/"), "example.org");
        assert_eq!(url_host("gemini://[::1]:1965/"), "::1");
        assert_eq!(url_host("gemini:///x"), "localhost");
        assert_eq!(url_host("example.org/x"), "example.org");
    }
}
