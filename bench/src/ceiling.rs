//! `ceiling`: the physical limit gemhole is measured against.
//!
//! A server that does only what a Gemini or Gopher exchange cannot avoid: accept, (the TLS
//! handshake, TLS 1.3 and 1.2, with the crypto provider and kind of certificate asked for),
//! read the request line, write a fixed answer held in memory, close. No parsing, routing,
//! rendering or logging. Whatever gemhole spends beyond what this spends, per request, is
//! gemhole's own cost; the gap in requests/s is how far it is from the limit of the machine.
//! Each provider and key kind has its own ceiling, so the cheapest handshake can be chosen by
//! measuring, and gemhole compared with the limit of the one it uses.
//!
//! It listens on loopback only, prints `listening on ADDR` as its first line (so a script can
//! ask for port 0 and learn the port), and stops on SIGINT or SIGTERM.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{ensure, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{signal, SignalKind};
use tokio_rustls::TlsAcceptor;

/// Gemini's request line: a URL of at most 1024 bytes and CRLF. Gopher selectors fit too.
const MAX_REQUEST_LINE: usize = 1026;
/// Time one connection may take in all, as a server must bound slow or silent clients.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept (out of file descriptors, say) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);
/// The Gemini header gemhole sends for a post, so both answers are byte for byte the same.
const GEMINI_HEADER: &[u8] = b"20 text/gemini; charset=utf-8; lang=en\r\n";

/// Minimal reference servers: the most a Gemini or Gopher server could do on this machine.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    protocol: ProtocolCommand,
}

#[derive(Debug, Subcommand)]
enum ProtocolCommand {
    /// TLS: handshake, read the request line, answer `20` with the body, close_notify, close.
    Gemini {
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Plain TCP: read the selector line, answer with the body, close.
    Gopher(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on; must be loopback. Port 0 picks a free port.
    #[arg(long)]
    listen: SocketAddr,
    /// File whose bytes are the answer's body.
    #[arg(long)]
    body: PathBuf,
}

#[derive(Debug, Args)]
struct TlsArgs {
    /// rustls crypto provider doing the handshake's cryptography.
    #[arg(long, value_enum, default_value_t = Provider::Ring)]
    provider: Provider,
    /// Kind of key of the self-signed certificate (gemhole makes ECDSA P-256).
    #[arg(long, value_enum, default_value_t = KeyKind::EcdsaP256)]
    key: KeyKind,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Provider {
    Ring,
    AwsLcRs,
}

impl Provider {
    /// The provider's defaults: its cipher suites, key exchange groups and signature schemes.
    fn crypto(self) -> CryptoProvider {
        match self {
            Provider::Ring => rustls::crypto::ring::default_provider(),
            Provider::AwsLcRs => rustls::crypto::aws_lc_rs::default_provider(),
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa2048,
}

impl KeyKind {
    /// rcgen's signature algorithm for the kind (RSA keys are 2048 bits by default).
    fn algorithm(self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            KeyKind::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyKind::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
            KeyKind::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

/// How connections are answered: the whole answer is built once, at start.
enum Answerer {
    Gemini {
        acceptor: TlsAcceptor,
        answer: Arc<[u8]>,
    },
    Gopher {
        answer: Arc<[u8]>,
    },
}

/// Errors end the program with one line (causes included) and exit status 1.
fn main() -> ExitCode {
    match start(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ceiling: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn start(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (ProtocolCommand::Gemini { serve: args, .. } | ProtocolCommand::Gopher(args)) =
        &cli.protocol;
    ensure!(
        args.listen.ip().is_loopback(),
        "refusing to listen on {}: ceiling serves loopback only (e.g. 127.0.0.1:0)",
        args.listen
    );
    let answerer = match &cli.protocol {
        ProtocolCommand::Gemini { serve: args, tls } => Answerer::Gemini {
            acceptor: tls_acceptor(tls)?,
            answer: answer_bytes(GEMINI_HEADER, args)?,
        },
        ProtocolCommand::Gopher(args) => Answerer::Gopher {
            answer: answer_bytes(b"", args)?,
        },
    };
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    announce(listener.local_addr()?)?;
    let counts = Arc::new(Counts::default());
    tokio::select! {
        () = accept_loop(listener, Arc::new(answerer), counts.clone()) => {}
        stopped = shutdown_signal() => stopped?,
    }
    eprintln!(
        "ceiling: {} connections answered, {} failed",
        counts.answered.load(Ordering::Relaxed),
        counts.failed.load(Ordering::Relaxed)
    );
    Ok(())
}

fn answer_bytes(header: &[u8], args: &ServeArgs) -> anyhow::Result<Arc<[u8]>> {
    let body = std::fs::read(&args.body)
        .with_context(|| format!("cannot read {}", args.body.display()))?;
    Ok([header, &body].concat().into())
}

/// The first line on stdout, flushed at once: scripts wait for it to learn the port.
fn announce(addr: SocketAddr) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on {addr}")?;
    stdout.flush()
}

/// A self-signed certificate for `localhost` with a key of the kind asked for (gemhole makes
/// ECDSA P-256), served with TLS 1.3 and 1.2 and rustls' default session cache, so that with
/// gemhole's provider and key both servers do the same cryptography per handshake.
fn tls_acceptor(tls: &TlsArgs) -> anyhow::Result<TlsAcceptor> {
    let key_pair = rcgen::KeyPair::generate_for(tls.key.algorithm())?;
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    let cert = params.self_signed(&key_pair)?;
    let chain = vec![CertificateDer::from(cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(tls.provider.crypto()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Connections answered and failed, reported on exit as a sanity check of the run.
#[derive(Debug, Default)]
struct Counts {
    answered: AtomicU64,
    failed: AtomicU64,
}

/// Accepts until the process is told to stop; each connection is its own task.
async fn accept_loop(listener: TcpListener, answerer: Arc<Answerer>, counts: Arc<Counts>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let answerer = answerer.clone();
                let counts = counts.clone();
                tokio::spawn(async move {
                    let outcome = tokio::time::timeout(CONNECTION_TIMEOUT, answerer.serve(stream));
                    let counter = match outcome.await {
                        Ok(Ok(())) => &counts.answered,
                        _ => &counts.failed,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                });
            }
            Err(e) => {
                eprintln!("ceiling: accept failed: {e}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

impl Answerer {
    async fn serve(&self, stream: TcpStream) -> io::Result<()> {
        stream.set_nodelay(true)?;
        match self {
            Answerer::Gemini { acceptor, answer } => {
                let tls = acceptor.accept(stream).await?;
                exchange(tls, answer).await
            }
            Answerer::Gopher { answer } => exchange(stream, answer).await,
        }
    }
}

/// Reads the request line, writes the answer and shuts the stream down: for TLS that sends
/// `close_notify` first, so the client knows the answer is complete.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    answer: &[u8],
) -> io::Result<()> {
    read_request_line(&mut stream).await?;
    stream.write_all(answer).await?;
    stream.shutdown().await
}

/// Reads up to the first LF; longer lines and early ends are errors.
async fn read_request_line<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<()> {
    let mut line = [0u8; MAX_REQUEST_LINE];
    let mut len = 0;
    while len < line.len() {
        let read = stream.read(&mut line[len..]).await?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if line[len..len + read].contains(&b'\n') {
            return Ok(());
        }
        len += read;
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "request line longer than 1026 bytes",
    ))
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() -> io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}
