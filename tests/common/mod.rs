//! What the integration tests share: a real server on 127.0.0.1 port 0 over a temporary copy
//! of the shipped capsule, and a real TLS client that accepts its self-signed certificate.

#![allow(dead_code)] // each test file uses its own part of this

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{aws_lc_rs::default_provider, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme, SupportedProtocolVersion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;

use gemhole::{Config, Overrides, Server};

/// How long a change may take to show; the server promises two seconds, the slack is for
/// loaded CI machines.
pub const PATIENCE: Duration = Duration::from_secs(8);

/// Polls `check` until it holds or [`PATIENCE`] runs out.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not seen within {PATIENCE:?}");
}

/// The repository's own capsule, which the tests serve a copy of.
pub fn shipped_capsule() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("capsule")
}

pub fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A running server and the folder it serves from. Stops when dropped.
pub struct TestServer {
    pub gemini: SocketAddr,
    pub gopher: SocketAddr,
    pub dir: tempfile::TempDir,
    pub fingerprint: String,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

/// What every test server runs with unless a test says otherwise: loopback, system-chosen
/// ports, and a short request timeout so tests of it are quick.
const BASE_CONFIG: &[(&str, &str)] = &[
    ("site.title", "\"Test capsule\""),
    ("site.author", "\"Jules Spender\""),
    ("gemini.listen", "[\"127.0.0.1:0\"]"),
    ("gopher.listen", "[\"127.0.0.1:0\"]"),
    ("limits.request_timeout_secs", "2"),
];

impl TestServer {
    /// Serves a copy of the shipped capsule plus `extra` files, with `config` (dotted keys and
    /// TOML values) over [`BASE_CONFIG`].
    pub async fn start(extra: &[(&str, &[u8])], config: &[(&str, &str)]) -> TestServer {
        TestServer::start_in(prepare(extra), config).await
    }

    /// Serves `dir/capsule`, made by [`prepare`] and changed by the test as it needs.
    pub async fn start_in(dir: tempfile::TempDir, config: &[(&str, &str)]) -> TestServer {
        let mut keys: Vec<(&str, &str)> = BASE_CONFIG.to_vec();
        for &(key, value) in config {
            match keys.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => keys.push((key, value)),
            }
        }
        let text: String = keys.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
        let config = Config::from_toml(
            &dir.path().join("config.toml"),
            &text,
            &Overrides::default(),
        )
        .unwrap();
        let server = Server::bind(&config).await.unwrap();
        let gemini = server.gemini_addrs()[0];
        let gopher = server.gopher_addrs()[0];
        let fingerprint = server.fingerprint().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        TestServer {
            gemini,
            gopher,
            dir,
            fingerprint,
            stop: Some(stop),
            done: Some(done),
        }
    }

    pub fn capsule(&self) -> PathBuf {
        self.dir.path().join("capsule")
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            done.await.unwrap();
        }
    }

    /// Asserts that an ordinary reader is still served on both protocols: the about page over
    /// Gemini, the home menu over Gopher.
    pub async fn serves_a_reader(&self) {
        let reply = get(self.gemini, "gemini://localhost/about").await;
        assert_eq!(reply.status(), "20");
        let menu = gopher(self.gopher, b"/\r\n").await;
        assert!(menu.ends_with(b".\r\n"));
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A temporary folder holding `capsule/`: a copy of the shipped capsule plus `extra` files.
pub fn prepare(extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let capsule = dir.path().join("capsule");
    copy_dir(&shipped_capsule(), &capsule);
    for (rel, bytes) in extra {
        let path = capsule.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Copies the folder `from` to `to`, as `cp -r` does (a deploy script making a release).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A TCP connection to `addr` from the loopback address `source` (all of 127.0.0.0/8 is this
/// machine), so a test can play several clients.
pub async fn connect_from(source: std::net::Ipv4Addr, addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Sends `raw` to a Gopher server over plain TCP and reads everything it sends back.
pub async fn gopher(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(raw).await.unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut received),
    )
    .await
    .expect("the server did not close the connection")
    .unwrap();
    received
}

/// Runs a command-line client to completion (off the async runtime) and returns its stdout.
pub async fn run_client(program: &str, args: Vec<String>) -> String {
    let program = program.to_string();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&program)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{program} is needed for this test: {e}"))
    })
    .await
    .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a Gemini server sent back.
#[derive(Debug)]
pub struct Reply {
    /// The status line without CRLF.
    pub header: String,
    pub body: Vec<u8>,
    /// True when the server ended the session with close_notify.
    pub clean_close: bool,
}

impl Reply {
    pub fn status(&self) -> &str {
        self.header.split(' ').next().unwrap_or("")
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// Fetches `url` (CRLF added) with SNI `localhost`.
pub async fn get(addr: SocketAddr, url: &str) -> Reply {
    let raw = format!("{url}\r\n");
    request(addr, raw.as_bytes(), "localhost", false).await
}

/// A TLS connection to `addr` made with `client`, asking for `server_name` (an IP address
/// sends no SNI).
pub async fn tls_connect(
    addr: SocketAddr,
    client: Arc<ClientConfig>,
    server_name: &str,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from(server_name.to_string()).unwrap();
    TlsConnector::from(client).connect(name, tcp).await.unwrap()
}

/// Sends `raw` as it is over TLS to `server_name` (an IP address sends no SNI), optionally
/// closing the sending side after it, and reads the whole reply.
pub async fn request(addr: SocketAddr, raw: &[u8], server_name: &str, close_after: bool) -> Reply {
    let mut tls = tls_connect(addr, client_config(), server_name).await;
    tls.write_all(raw).await.unwrap();
    tls.flush().await.unwrap();
    if close_after {
        tls.shutdown().await.unwrap();
    }
    let mut received = Vec::new();
    let clean_close = tls.read_to_end(&mut received).await.is_ok();
    let split = received
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or_else(|| panic!("no status line in {:?}", String::from_utf8_lossy(&received)));
    Reply {
        header: String::from_utf8(received[..split].to_vec()).unwrap(),
        body: received[split + 2..].to_vec(),
        clean_close,
    }
}

/// A client that trusts any certificate, as a Gemini client does on first use.
pub fn client_config() -> Arc<ClientConfig> {
    Arc::new(client_config_for(rustls::DEFAULT_VERSIONS))
}

/// The same client speaking only `versions`, for a test to adjust (its session resumption,
/// say) before sharing it.
pub fn client_config_for(versions: &[&'static SupportedProtocolVersion]) -> ClientConfig {
    client_config_with(default_provider(), versions)
}

/// The same client with `provider`'s cipher suites (in its order of preference), for a test of
/// what the server chooses among them.
pub fn client_config_with(
    provider: CryptoProvider,
    versions: &[&'static SupportedProtocolVersion],
) -> ClientConfig {
    let provider = Arc::new(provider);
    ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(TrustOnFirstUse(provider)))
        .with_no_client_auth()
}

#[derive(Debug)]
struct TrustOnFirstUse(Arc<CryptoProvider>);

impl ServerCertVerifier for TrustOnFirstUse {
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
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A [`Running`] config with Gemini alone on a kernel-chosen port and no watcher: the
/// content is rescanned on SIGHUP only.
pub const GEMINI_RESCANNED_ON_SIGHUP: &str =
    "[site]\nwatch = false\n[gemini]\nlisten = [\"127.0.0.1:0\"]\n[gopher]\nenabled = false\n";

/// The real `gemhole` binary, started in `dir` with `config` as its config.toml, on the
/// addresses it logged; killed when dropped.
pub struct Running {
    pub child: Child,
    pub gemini: Option<SocketAddr>,
    pub gopher: Option<SocketAddr>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Running {
    pub fn start(dir: &Path, config: &str) -> Running {
        Running::start_wrapped(dir, config, &[])
    }

    /// Like [`Running::start`], the binary started through `wrapper` (a command and its
    /// arguments, the binary's path last), to run it under `ulimit`, say.
    pub fn start_wrapped(dir: &Path, config: &str, wrapper: &[&str]) -> Running {
        std::fs::write(dir.join("config.toml"), config).unwrap();
        let binary = env!("CARGO_BIN_EXE_gemhole");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let mut child = command
            .current_dir(dir)
            .env_remove("RUST_LOG")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (mut gemini, mut gopher) = (None, None);
        loop {
            let line = lines
                .next()
                .expect("gemhole exited before it was ready")
                .unwrap();
            let address = |marker: &str| {
                let listening = line.split(marker).nth(1)?.split("listening on ").nth(1)?;
                listening
                    .split([',', ')'])
                    .next()?
                    .parse::<SocketAddr>()
                    .ok()
            };
            gemini = gemini.or_else(|| address("Gemini: "));
            gopher = gopher.or_else(|| address("Gopher: "));
            let ready = line.contains("ready;");
            log.lock().unwrap().push(line);
            if ready {
                break;
            }
        }
        // Keep reading the log, so the server never blocks on a full pipe.
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Running {
            child,
            gemini,
            gopher,
            log,
        }
    }

    /// Every line logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
