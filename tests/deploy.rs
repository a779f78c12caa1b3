//! Running in production: certificates replaced while serving, CA chains, several host names
//! with a certificate per name, and the PROXY protocol from a load balancer.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{get, gopher, prepare, Running, TestServer, GEMINI_RESCANNED_ON_SIGHUP};
use gemhole::gemini::tls::{self, fingerprint};
use rustls::client::{Resumption, Tls12Resumption};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, HandshakeKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The certificate chain a client is shown when it asks for `server_name` (an IP address
/// sends no SNI).
async fn chain_seen(addr: SocketAddr, server_name: &str) -> Vec<String> {
    let tls = common::tls_connect(addr, common::client_config(), server_name).await;
    let (_, session) = tls.get_ref();
    session
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(fingerprint)
        .collect()
}

fn file_fingerprint(cert: &Path) -> String {
    tls::summaries(cert.parent().unwrap())
        .unwrap()
        .into_iter()
        .find(|s| s.path == cert)
        .unwrap()
        .fingerprint
}

fn openssl(args: &[&str], dir: &Path) {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA and a leaf it signed for `localhost`, written as a full-chain `cert.pem` (leaf first)
/// and the leaf's `key.pem` in `dir`. `algorithm` is `rsa` or `ec`.
fn ca_issued_pair(dir: &Path, algorithm: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let key_options: &[&str] = match algorithm {
        "rsa" => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        _ => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    };
    for key in ["ca.key", "key.pem"] {
        let mut args = vec!["genpkey", "-out", key];
        args.extend_from_slice(key_options);
        openssl(&args, dir);
    }
    openssl(
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=Test CA",
            "-days",
            "3650",
            "-out",
            "ca.pem",
        ],
        dir,
    );
    openssl(
        &[
            "req",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            "/CN=localhost",
            "-out",
            "leaf.csr",
        ],
        dir,
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "san.ext",
            "-out",
            "leaf.pem",
        ],
        dir,
    );
    let chain = [
        std::fs::read(dir.join("leaf.pem")).unwrap(),
        std::fs::read(dir.join("ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("cert.pem"), chain).unwrap();
    for scratch in [
        "ca.key", "ca.pem", "ca.srl", "leaf.csr", "leaf.pem", "san.ext",
    ] {
        let _ = std::fs::remove_file(dir.join(scratch));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ca_chains_load_with_rsa_and_ecdsa_keys() {
    for algorithm in ["rsa", "ec"] {
        let dir = prepare(&[]);
        ca_issued_pair(&dir.path().join("certs"), algorithm);
        let server = TestServer::start_in(dir, &[]).await;
        let chain = chain_seen(server.gemini, "localhost").await;
        assert_eq!(chain.len(), 2, "{algorithm}: the whole chain is sent");
        assert_eq!(
            chain[0],
            file_fingerprint(&server.dir.path().join("certs/cert.pem"))
        );
        assert_eq!(
            get(server.gemini, "gemini://localhost/").await.status(),
            "20",
            "{algorithm}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_names_each_with_its_certificate_by_sni() {
    let dir = prepare(&[]);
    let certs = dir.path().join("certs");
    tls::regenerate(
        &certs.join("www.example.org"),
        &["www.example.org".to_string()],
        false,
    )
    .unwrap();
    let server = TestServer::start_in(
        dir,
        &[(
            "site.hostname",
            "[\"example.org\", \"www.example.org\", \"abcdef.onion\"]",
        )],
    )
    .await;
    let default = file_fingerprint(&certs.join("cert.pem"));
    let www = file_fingerprint(&certs.join("www.example.org/cert.pem"));
    assert_ne!(default, www);
    assert_eq!(
        chain_seen(server.gemini, "www.example.org").await,
        [www.as_str()]
    );
    assert_eq!(
        chain_seen(server.gemini, "example.org").await,
        [default.as_str()]
    );
    assert_eq!(
        chain_seen(server.gemini, "unknown.example").await,
        [default.as_str()]
    );
    assert_eq!(
        chain_seen(server.gemini, "127.0.0.1").await,
        [default.as_str()]
    );
    // The made certificate names every host name.
    let summary = &tls::summaries(&certs).unwrap()[0];
    assert_eq!(
        summary.names,
        [
            "example.org",
            "www.example.org",
            "abcdef.onion",
            "localhost",
            "127.0.0.1",
            "::1"
        ]
    );
    // Requests for any of the names are answered; another host is not.
    for host in ["example.org", "WWW.example.org.", "abcdef.onion"] {
        let reply = common::request(
            server.gemini,
            format!("gemini://{host}/\r\n").as_bytes(),
            "example.org",
            false,
        )
        .await;
        assert_eq!(reply.status(), "20", "{host}");
    }
    assert_eq!(
        get(server.gemini, "gemini://other.example/").await.status(),
        "53"
    );
    // Gopher menus carry the first name.
    let menu = String::from_utf8(gopher(server.gopher, b"/\r\n").await).unwrap();
    assert!(menu.contains("\t/about\texample.org\t"), "{menu}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_certificate_is_served_on_sighup_without_dropping_connections() {
    let dir = prepare(&[]);
    let running = Running::start(dir.path(), GEMINI_RESCANNED_ON_SIGHUP);
    let addr = running.gemini.unwrap();
    let certs = dir.path().join("certs");
    let old = chain_seen(addr, "localhost").await;

    // A connection in flight across the swap.
    let mut in_flight = common::tls_connect(addr, common::client_config(), "localhost").await;
    in_flight.write_all(b"gemini://localhost/ab").await.unwrap();

    // A broken replacement is refused and the old certificate stays.
    std::fs::write(
        certs.join("cert.pem"),
        "-----BEGIN CERTIFICATE-----\ngarbage\n",
    )
    .unwrap();
    running.signal("HUP");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(chain_seen(addr, "localhost").await, old);
    assert!(
        running
            .log()
            .iter()
            .any(|l| l.contains("certificate not replaced")),
        "{:#?}",
        running.log()
    );

    tls::regenerate(&certs, &["localhost".to_string()], true).unwrap();
    let new = vec![file_fingerprint(&certs.join("cert.pem"))];
    assert_ne!(new, old);
    running.signal("HUP");
    let start = Instant::now();
    while chain_seen(addr, "localhost").await != new {
        assert!(
            start.elapsed() < Duration::from_secs(8),
            "the new certificate was never served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    in_flight.write_all(b"out\r\n").await.unwrap();
    let mut reply = Vec::new();
    in_flight.read_to_end(&mut reply).await.unwrap();
    assert!(
        reply.starts_with(b"20 text/gemini"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_replaced_on_disk_is_picked_up_by_itself() {
    let server = TestServer::start(&[], &[]).await;
    let old = chain_seen(server.gemini, "localhost").await;
    let certs = server.dir.path().join("certs");
    tls::regenerate(&certs, &["localhost".to_string()], true).unwrap();
    let new = vec![file_fingerprint(&certs.join("cert.pem"))];
    assert_ne!(old, new);
    let start = Instant::now();
    while chain_seen(server.gemini, "localhost").await != new {
        assert!(
            start.elapsed() < Duration::from_secs(8),
            "the new certificate was never served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The longest a test below waits for anything, so that a hang fails rather than stalls.
const PATIENCE: Duration = Duration::from_secs(10);

/// [`chain_seen`], failing the test when the handshake does not finish in time.
async fn chain_seen_in_time(addr: SocketAddr, server_name: &str) -> Vec<String> {
    tokio::time::timeout(PATIENCE, chain_seen(addr, server_name))
        .await
        .expect("no TLS handshake in time")
}

/// Waits until the server has served `wanted` (the chain a new client sees).
async fn until_served(addr: SocketAddr, wanted: &[String]) {
    let start = Instant::now();
    while chain_seen_in_time(addr, "localhost").await != wanted {
        assert!(
            start.elapsed() < PATIENCE,
            "the new certificate was never served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `count` lines of the server's log satisfy `wanted`; false if they never do.
async fn logged(running: &Running, count: usize, wanted: impl Fn(&str) -> bool) -> bool {
    let start = Instant::now();
    while running.log().iter().filter(|l| wanted(l)).count() < count {
        if start.elapsed() > PATIENCE {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// Runs `gemhole args` in `dir` to its end: whether it succeeded, and what it printed. None
/// when it was still running after [`PATIENCE`] (it is killed then).
fn gemhole_in(dir: &Path, args: &[&str]) -> Option<(bool, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let printed = [output.stdout, output.stderr].concat();
    Some((
        output.status.success(),
        String::from_utf8_lossy(&printed).into_owned(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_in_place_of_the_certificate_is_refused_and_sighup_keeps_working() {
    let dir = prepare(&[]);
    // The content is rescanned on SIGHUP only: each rescan logged is a SIGHUP acted on.
    let running = Running::start(dir.path(), GEMINI_RESCANNED_ON_SIGHUP);
    let addr = running.gemini.unwrap();
    let certs = dir.path().join("certs");
    let old = chain_seen_in_time(addr, "localhost").await;

    std::fs::remove_file(certs.join("cert.pem")).unwrap();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        certs.join("cert.pem"),
        rustix::fs::Mode::from_raw_mode(0o644),
    )
    .unwrap();
    running.signal("HUP");
    let refused = |line: &str| {
        line.contains("certificate not replaced")
            && line.contains("cert.pem")
            && line.contains("FIFO")
    };
    assert!(
        logged(&running, 1, refused).await,
        "the FIFO was not refused: {:#?}",
        running.log()
    );
    assert_eq!(chain_seen_in_time(addr, "localhost").await, old);
    let (succeeded, printed) =
        gemhole_in(dir.path(), &["cert"]).expect("`gemhole cert` waited on the FIFO");
    assert!(
        !succeeded && printed.contains("cert.pem") && printed.contains("FIFO"),
        "{printed}"
    );

    let (succeeded, printed) = gemhole_in(dir.path(), &["cert", "--regenerate", "--force"])
        .expect("`gemhole cert --regenerate` did not finish");
    assert!(succeeded, "{printed}");
    let new = vec![file_fingerprint(&certs.join("cert.pem"))];
    assert_ne!(new, old);
    running.signal("HUP");
    assert!(
        logged(&running, 2, |line| line.contains("reloaded ")).await,
        "the second SIGHUP was not acted on: {:#?}",
        running.log()
    );
    until_served(addr, &new).await;
}

/// The cipher suite a handshake with `client` settles on.
async fn suite_chosen(addr: SocketAddr, client: ClientConfig) -> rustls::CipherSuite {
    let handshake = async {
        let tls = common::tls_connect(addr, Arc::new(client), "localhost").await;
        tls.get_ref().1.negotiated_cipher_suite().unwrap().suite()
    };
    tokio::time::timeout(PATIENCE, handshake)
        .await
        .expect("no handshake in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sha256_suites_are_chosen_first_and_every_default_suite_still_connects() {
    use rustls::crypto::aws_lc_rs::{cipher_suite, default_provider};
    use rustls::version::{TLS12, TLS13};
    use rustls::CipherSuite;

    let server = TestServer::start(&[], &[]).await;
    // A client's own order (AES-256 first, as rustls and OpenSSL send) does not decide.
    let preferring_aes256 = [
        (&TLS13, CipherSuite::TLS13_AES_128_GCM_SHA256),
        (&TLS12, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
    ];
    for (version, expected) in preferring_aes256 {
        let client = common::client_config_for(&[version]);
        assert_eq!(suite_chosen(server.gemini, client).await, expected);
    }
    // A client that offers one suite only gets it, whichever it is.
    let only = [
        (&TLS13, cipher_suite::TLS13_AES_256_GCM_SHA384),
        (&TLS13, cipher_suite::TLS13_CHACHA20_POLY1305_SHA256),
        (
            &TLS12,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ),
        (
            &TLS12,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ),
    ];
    for (version, suite) in only {
        let provider = rustls::crypto::CryptoProvider {
            cipher_suites: vec![suite],
            ..default_provider()
        };
        let client = common::client_config_with(provider, &[version]);
        assert_eq!(suite_chosen(server.gemini, client).await, suite.suite());
    }
}

/// One request over a connection made with `client`: how the handshake went, and the
/// fingerprint of the certificate the client holds for the server.
async fn session(addr: SocketAddr, client: &Arc<ClientConfig>) -> (HandshakeKind, String) {
    let exchange = async {
        let mut tls = common::tls_connect(addr, client.clone(), "localhost").await;
        // Read to the end: a TLS 1.3 ticket comes after the handshake.
        tls.write_all(b"gemini://localhost/\r\n").await.unwrap();
        let mut reply = Vec::new();
        tls.read_to_end(&mut reply).await.unwrap();
        assert!(
            reply.starts_with(b"20 "),
            "{}",
            String::from_utf8_lossy(&reply)
        );
        let (_, connection) = tls.get_ref();
        let leaf = &connection.peer_certificates().unwrap()[0];
        (connection.handshake_kind().unwrap(), fingerprint(leaf))
    };
    tokio::time::timeout(PATIENCE, exchange)
        .await
        .expect("no reply in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_certificate_ends_session_resumption() {
    let server = TestServer::start(&[], &[]).await;
    let certs = server.dir.path().join("certs");
    let tls13 = common::client_config_for(&[&rustls::version::TLS13]);
    let tls12_tickets = common::client_config_for(&[&rustls::version::TLS12]);
    let mut tls12_session_ids = common::client_config_for(&[&rustls::version::TLS12]);
    tls12_session_ids.resumption =
        Resumption::in_memory_sessions(16).tls12_resumption(Tls12Resumption::SessionIdOnly);
    for (how, client) in [
        ("TLS 1.3 ticket", tls13),
        ("TLS 1.2 ticket", tls12_tickets),
        ("TLS 1.2 session id", tls12_session_ids),
    ] {
        // The same client throughout, keeping what it needs to resume.
        let client = Arc::new(client);
        let (kind, old) = session(server.gemini, &client).await;
        assert_eq!(kind, HandshakeKind::Full, "{how}");
        assert_eq!(
            session(server.gemini, &client).await,
            (HandshakeKind::Resumed, old.clone()),
            "{how}: a returning client resumes"
        );
        tls::regenerate(&certs, &["localhost".to_string()], true).unwrap();
        let new = file_fingerprint(&certs.join("cert.pem"));
        assert_ne!(new, old);
        until_served(server.gemini, std::slice::from_ref(&new)).await;
        assert_eq!(
            session(server.gemini, &client).await,
            (HandshakeKind::Full, new),
            "{how}: after a new certificate, a returning client sees it"
        );
    }
}

/// Sends a PROXY header, then a Gemini request over TLS on the same connection.
async fn gemini_behind_proxy(addr: SocketAddr, header: &[u8]) -> Option<String> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(header).await.unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(common::client_config())
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .ok()?;
    tls.write_all(b"gemini://localhost/\r\n").await.ok()?;
    let mut reply = Vec::new();
    tls.read_to_end(&mut reply).await.ok()?;
    let reply = String::from_utf8_lossy(&reply).into_owned();
    Some(reply.lines().next().unwrap_or("").to_string())
}

fn v2_header(client: [u8; 4], port: u16) -> Vec<u8> {
    let mut header = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    header.extend([0x21, 0x11, 0, 12]);
    header.extend(client);
    header.extend([127, 0, 0, 1]);
    header.extend(port.to_be_bytes());
    header.extend(1965u16.to_be_bytes());
    header
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_protocol_headers_by_hand() {
    let server = TestServer::start(
        &[],
        &[
            ("gemini.proxy_protocol", "true"),
            ("gopher.proxy_protocol", "true"),
            ("limits.rate_limit_per_minute", "1"),
        ],
    )
    .await;
    // v1 and v2, from two clients: each has its own budget, so both are served...
    let v1 = b"PROXY TCP4 192.0.2.10 127.0.0.1 40000 1965\r\n";
    assert_eq!(
        gemini_behind_proxy(server.gemini, v1).await.as_deref(),
        Some("20 text/gemini; charset=utf-8; lang=en")
    );
    let v2 = v2_header([192, 0, 2, 20], 40001);
    assert_eq!(
        gemini_behind_proxy(server.gemini, &v2).await.as_deref(),
        Some("20 text/gemini; charset=utf-8; lang=en")
    );
    // ...and the limit falls on the client the header names, not on the balancer.
    let again = b"PROXY TCP4 192.0.2.10 127.0.0.1 40002 1965\r\n";
    assert_eq!(
        gemini_behind_proxy(server.gemini, again).await.as_deref(),
        Some("44 60")
    );
    let gopher_v1 = [
        b"PROXY TCP4 192.0.2.30 127.0.0.1 40003 70\r\n".as_slice(),
        b"/about\r\n",
    ]
    .concat();
    assert!(gopher(server.gopher, &gopher_v1)
        .await
        .starts_with(b"iAbout me"));
    let gopher_v2 = [v2_header([192, 0, 2, 40], 40004), b"/about\r\n".to_vec()].concat();
    assert!(gopher(server.gopher, &gopher_v2)
        .await
        .starts_with(b"iAbout me"));

    // Without a valid header, not a byte is answered.
    assert_eq!(gemini_behind_proxy(server.gemini, b"").await, None);
    assert!(refused_reply(server.gopher, b"/about\r\n").await.is_empty());
    assert!(
        refused_reply(server.gopher, b"PROXY TCP4 nonsense\r\n/about\r\n")
            .await
            .is_empty()
    );
}

/// What a server sends before it drops a connection (which may end in a reset, as a refused
/// connection with unread bytes does).
async fn refused_reply(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(raw).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the connection was left open");
    received
}

/// Sends `parts` one after the other, `pause` apart, and returns whatever came back.
async fn slowly(addr: SocketAddr, parts: &[&[u8]], pause: Duration) -> Vec<u8> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    for part in parts {
        tokio::time::sleep(pause).await;
        // The server may have closed already; what it answered is what counts.
        if tcp.write_all(part).await.is_err() {
            break;
        }
    }
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the connection was left open");
    received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_deadline_covers_the_proxy_header_and_the_request() {
    // request_timeout_secs is 2: the header and the selector must both be in by then.
    let server = TestServer::start(&[], &[("gopher.proxy_protocol", "true")]).await;
    let header = b"PROXY TCP4 192.0.2.50 127.0.0.1 40005 70\r\n".as_slice();
    let selector = b"/about\r\n".as_slice();
    let in_time = slowly(
        server.gopher,
        &[header, selector],
        Duration::from_millis(300),
    )
    .await;
    assert!(in_time.starts_with(b"iAbout me"), "{in_time:?}");
    // Each part alone within the timeout, but the two together past it: not answered.
    let late = slowly(
        server.gopher,
        &[header, selector],
        Duration::from_millis(1300),
    )
    .await;
    assert!(
        !late.starts_with(b"iAbout me"),
        "{:?}",
        String::from_utf8_lossy(&late)
    );
}

#[test]
fn a_certificate_that_does_not_name_the_host_is_warned_about() {
    let dir = prepare(&[]);
    let made = Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(dir.path())
        .args(["--hostname", "old.example", "cert", "--regenerate"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let config = "[site]\nhostname = \"new.example\"\n[gemini]\nlisten = [\"127.0.0.1:0\"]\n\
                  [gopher]\nlisten = [\"127.0.0.1:0\"]\n";
    let server = Running::start(dir.path(), config);
    let log = server.log();
    assert!(
        log.iter().any(|line| line.contains(
            "names old.example, localhost, 127.0.0.1, ::1, not new.example: clients will warn"
        )),
        "{}",
        log.join("\n")
    );
}

/// The binary's allocator gives pages that fall free back to the system from a thread of its
/// own: without it, memory a scan or an index build freed stayed the server's (at 100,000
/// posts, about 100 MiB).
#[test]
fn the_server_runs_the_allocator_thread_that_hands_freed_memory_back() {
    let dir = prepare(&[]);
    let running = Running::start(dir.path(), GEMINI_RESCANNED_ON_SIGHUP);
    let tasks = Path::new("/proc")
        .join(running.child.id().to_string())
        .join("task");
    let names: Vec<String> = std::fs::read_dir(tasks)
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .collect();
    assert!(
        names.iter().any(|name| name == "jemalloc_bg_thd"),
        "{names:?}"
    );
}
