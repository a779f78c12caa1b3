//! Attacks on a running server: paths that try to leave the capsule, idle and stalled
//! connections, more clients than the limit, request floods, shutdown mid-request, and log
//! forgery. Each test fails if the defence it names is removed.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{get, gopher, prepare, request, Running, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What no answer may ever contain: the secrets planted outside the capsule's boundary.
const SECRETS: [&str; 3] = ["TOPSECRET", "PRIVATE KEY", "BEGIN CERTIFICATE"];

/// A capsule booby-trapped with everything a route must never reach: dotfiles, a symlink to
/// a secret outside, a symlinked folder outside, and the certificates kept inside the content
/// folder. Returns the folder that holds it and the outside folder (kept alive by the caller).
fn trapped() -> (tempfile::TempDir, tempfile::TempDir) {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "TOPSECRET outside").unwrap();
    let dir = prepare(&[
        (".secret", b"TOPSECRET dotfile"),
        (".env", b"TOPSECRET=1"),
        (".git/config", b"TOPSECRET git"),
        (
            "posts/.hidden.md",
            b"---\ndate: 2024-01-01\n---\nTOPSECRET hidden post",
        ),
        (
            ".well-known/security.txt",
            b"Contact: mailto:me@example.org\n",
        ),
    ]);
    let capsule = dir.path().join("capsule");
    std::os::unix::fs::symlink(outside.path().join("secret"), capsule.join("leak")).unwrap();
    std::os::unix::fs::symlink(outside.path(), capsule.join("leakdir")).unwrap();
    (dir, outside)
}

async fn trapped_server() -> (TestServer, tempfile::TempDir) {
    let (dir, outside) = trapped();
    // The certificates live inside the content folder here, as a careless setup might have it.
    let server = TestServer::start_in(dir, &[("gemini.certs", "\"capsule/certs\"")]).await;
    assert!(server.capsule().join("certs/key.pem").exists());
    (server, outside)
}

const HOSTILE_PATHS: [&str; 56] = [
    "/../etc/passwd",
    "/../../../../etc/passwd",
    "/..",
    "/.",
    "/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/.%2e/etc/passwd",
    "/%2e./etc/passwd",
    "/..%2fetc%2fpasswd",
    "/%2fetc%2fpasswd",
    "/posts/../../etc/passwd",
    "/posts/..",
    "/posts/.",
    "/posts/%2e%2e/.secret",
    "/./.secret",
    "/.secret",
    "/.git/config",
    "/.git/",
    "/.git",
    "/.env",
    "/.htaccess",
    "/leak",
    "/leak/",
    "/leakdir/secret",
    "/leakdir/",
    "/certs/key.pem",
    "/certs/cert.pem",
    "/certs/",
    "/certs",
    "/certs/../certs/key.pem",
    "/..\\etc\\passwd",
    "/posts/..%5c..%5cetc%5cpasswd",
    "/%5c..%5c.secret",
    "/about%00",
    "/%00/.secret",
    "/%c0%ae%c0%ae/etc/passwd",
    "/%252e%252e/etc/passwd",
    "//etc/passwd",
    "/etc/passwd",
    "/proc/self/environ",
    "/about.md",
    "/posts/2023-11-20-back-market-adventures.md",
    "/capsule/about.md",
    "/.well-known/../.secret",
    "/....//....//etc/passwd",
    "/posts/.hidden",
    "/posts/.hidden.md",
    "/~root/.ssh/id_rsa",
    "/%2e",
    "/%2e%2e",
    "/a/b/c/../../../.secret",
    "/config.toml",
    "/../config.toml",
    "/../certs/key.pem",
    "/.well-known/%2e%2e/.secret",
    "/posts/back-market-adventures/../../.secret",
];

fn assert_secret_free(what: &str, reply: &[u8]) {
    let text = String::from_utf8_lossy(reply);
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} revealed {secret}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_routes_never_leave_the_capsule() {
    let (server, _outside) = trapped_server().await;
    for path in HOSTILE_PATHS {
        let raw = format!("gemini://localhost{path}\r\n");
        let reply = request(server.gemini, raw.as_bytes(), "localhost", false).await;
        assert!(
            matches!(reply.status(), "51" | "59"),
            "{path} answered {}",
            reply.header
        );
        assert!(reply.body.is_empty(), "{path}");
        assert_secret_free(path, &reply.body);
        assert!(reply.clean_close, "{path}: no close_notify");
    }
    // The boundary keeps what belongs inside: .well-known and ordinary pages.
    let known = get(server.gemini, "gemini://localhost/.well-known/security.txt").await;
    assert_eq!(known.status(), "20");
    assert_eq!(
        get(server.gemini, "gemini://localhost/about")
            .await
            .status(),
        "20"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gopher_selectors_never_leave_the_capsule() {
    let (server, _outside) = trapped_server().await;
    let mut selectors: Vec<Vec<u8>> = HOSTILE_PATHS
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
    selectors.extend(
        [
            &b"../../etc/passwd"[..],
            b"..",
            b"\\..\\.secret",
            b"C:\\Windows\\win.ini",
            b"/a\x00b",
            b"\x00",
            b"/.secret\x00.txt",
            b"/a\rb",
            b"/\x1b[2J",
            b"/\xff\xfe",
            b"/.secret\t$",
            b"/certs/key.pem\t+",
            b"/leak\tsearch words",
            b"URL:javascript:alert(1)",
            b"URL:file:///etc/passwd",
        ]
        .iter()
        .map(|s| s.to_vec()),
    );
    selectors.push(vec![b'/'; 5000]);
    selectors.push([b"/".to_vec(), b"../".repeat(500)].concat());
    for selector in &selectors {
        let shown = String::from_utf8_lossy(selector).into_owned();
        let raw = [selector.as_slice(), b"\r\n"].concat();
        let reply = gopher(server.gopher, &raw).await;
        assert!(
            reply.starts_with(b"3"),
            "{shown:?} answered {:?}",
            String::from_utf8_lossy(&reply)
        );
        assert!(reply.ends_with(b"\t\tnull.host\t1\r\n.\r\n"), "{shown:?}");
        assert_secret_free(&shown, &reply);
    }
    assert!(selectors.len() >= 40);
    let known = gopher(server.gopher, b"/.well-known/security.txt\r\n").await;
    assert_eq!(known, b"Contact: mailto:me@example.org\n");
}

/// Opens `count` connections that say nothing, each from a loopback address of its own
/// (127.0.2.0 upwards: as many clients), none of them the tests' own 127.0.0.1.
async fn idle_connections(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let mut idle = Vec::with_capacity(count);
    for n in 0..count as u32 {
        let source = std::net::Ipv4Addr::from(0x7f00_0200 + n);
        idle.push(common::connect_from(source, addr).await);
    }
    idle
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_idle_connections_do_not_starve_a_reader() {
    // A long request timeout: were the reader queued behind the idle connections, it would
    // wait that long; answered within a small fraction of it, it was not.
    let server = TestServer::start(&[], &[("limits.request_timeout_secs", "30")]).await;
    let _gemini_idle = idle_connections(server.gemini, 300).await;
    let _gopher_idle = idle_connections(server.gopher, 300).await;
    let served = tokio::time::timeout(Duration::from_secs(3), server.serves_a_reader()).await;
    assert!(
        served.is_ok(),
        "a reader waited behind 600 idle connections"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_stalled_mid_request_does_not_hold_up_another() {
    let server = TestServer::start(&[], &[("limits.request_timeout_secs", "30")]).await;
    let mut stalled =
        common::tls_connect(server.gemini, common::client_config(), "localhost").await;
    stalled.write_all(b"gemini://localhost/ab").await.unwrap();
    stalled.flush().await.unwrap();
    let mut half = TcpStream::connect(server.gopher).await.unwrap();
    half.write_all(b"/abo").await.unwrap();
    let served = tokio::time::timeout(Duration::from_secs(3), async {
        assert_eq!(
            get(server.gemini, "gemini://localhost/").await.status(),
            "20"
        );
        assert!(gopher(server.gopher, b"/about\r\n")
            .await
            .starts_with(b"iAbout me"));
    })
    .await;
    assert!(served.is_ok(), "a stalled client held up another");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_connection_limit_clients_wait_and_are_served() {
    let server = TestServer::start(
        &[],
        &[
            ("limits.max_connections", "2"),
            ("limits.request_timeout_secs", "1"),
        ],
    )
    .await;
    // Two idle clients take both places; a third waits for the timeout to free one.
    let _idle = idle_connections(server.gemini, 2).await;
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        get(server.gemini, "gemini://localhost/about"),
    )
    .await
    .expect("the waiting client was never served");
    assert_eq!(reply.status(), "20");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_44_and_type_3() {
    let server = TestServer::start(&[], &[("limits.rate_limit_per_minute", "3")]).await;
    for _ in 0..3 {
        assert_eq!(
            get(server.gemini, "gemini://localhost/").await.status(),
            "20"
        );
    }
    let limited = get(server.gemini, "gemini://localhost/").await;
    assert_eq!(limited.status(), "44");
    let seconds: u64 = limited.header[3..].parse().unwrap();
    assert!((1..=60).contains(&seconds), "{}", limited.header);
    // One budget per client, both protocols together.
    let menu = String::from_utf8(gopher(server.gopher, b"/\r\n").await).unwrap();
    assert!(
        menu.starts_with("3Too many requests; try again in "),
        "{menu}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_flight_and_refuses_new_ones() {
    let server = TestServer::start(&[], &[("limits.request_timeout_secs", "30")]).await;
    let addr = server.gemini;
    let mut in_flight = common::tls_connect(addr, common::client_config(), "localhost").await;
    in_flight.write_all(b"gemini://localhost/ab").await.unwrap();
    in_flight.flush().await.unwrap();
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown began"
    );
    in_flight.write_all(b"out\r\n").await.unwrap();
    let mut reply = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut in_flight, &mut reply)
        .await
        .unwrap();
    assert!(
        reply.starts_with(b"20 text/gemini"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .expect("shutdown did not finish")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_what_is_still_open_after_the_grace() {
    // A file far larger than the socket buffers, asked for by a client that does not read.
    let big = vec![b'x'; 64 << 20];
    let server = TestServer::start(&[("big.bin", &big)], &[]).await;
    let mut stalled = TcpStream::connect(server.gopher).await.unwrap();
    stalled.write_all(b"/big.bin\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The shutdown grace is 10 s; the server's write timeout (30 s) has not run out by then.
    tokio::time::timeout(Duration::from_secs(20), server.stop())
        .await
        .expect("shutdown did not finish");
    // The server is gone, so its connection must be too: reading now ends early.
    let mut received = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::io::AsyncReadExt::read_to_end(&mut stalled, &mut received),
    )
    .await
    .expect("the connection outlived the server");
    assert!(
        read.is_err() || received.len() < big.len(),
        "the whole file was still sent after shutdown"
    );
}

/// A port free on both loopback addresses, as far as one can tell without holding it.
fn free_dual_stack_port() -> u16 {
    let v6 = std::net::TcpListener::bind("[::1]:0").unwrap();
    v6.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv4_and_ipv6_listen_side_by_side_on_one_port() {
    let port = free_dual_stack_port();
    let listen = format!("[\"127.0.0.1:{port}\", \"[::1]:{port}\"]");
    let server = TestServer::start(&[], &[("gemini.listen", &listen)]).await;
    let v4 = SocketAddr::from(([127, 0, 0, 1], port));
    let v6: SocketAddr = format!("[::1]:{port}").parse().unwrap();
    assert_eq!(get(v4, "gemini://localhost/").await.status(), "20");
    assert_eq!(get(v6, "gemini://localhost/").await.status(), "20");
    assert_eq!(
        get(v6, &format!("gemini://[::1]:{port}/")).await.status(),
        "20"
    );
    drop(server);
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = prepare(&[]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(dir.path())
        .args(["--gemini-listen", &format!("127.0.0.1:{port}")])
        .args(["--gopher-listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!(
            "gemhole: cannot listen on 127.0.0.1:{port} for Gemini"
        )) && last.contains("stop it or change `listen`"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_log_lines_cannot_be_forged_and_keep_addresses_out() {
    let dir = prepare(&[]);
    let config = "[gemini]\nlisten = [\"127.0.0.1:0\"]\n[gopher]\nlisten = [\"127.0.0.1:0\"]\n";
    let running = Running::start(dir.path(), config);
    let forged = b"/x\r\n";
    let attack = [
        b"/about\x1b[31m\nINFO gemhole::access: gopher \"/admin\" 0".as_slice(),
        b"\r\n",
    ]
    .concat();
    gopher(running.gopher.unwrap(), &attack).await;
    gopher(running.gopher.unwrap(), forged).await;
    get(running.gemini.unwrap(), "gemini://localhost/about").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = running.log();
    let access: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("gemhole::access"))
        .collect();
    assert!(access.len() >= 3, "{log:#?}");
    assert!(
        !log.iter().any(|l| l.contains('\u{1b}')),
        "raw escape in the log: {log:#?}"
    );
    assert!(
        !log.iter().any(|l| l.starts_with("INFO gemhole::access")),
        "{log:#?}"
    );
    assert!(
        access
            .iter()
            .any(|l| l.contains("gemini \"gemini://localhost/about\" 20")),
        "{log:#?}"
    );
    assert!(
        !access.iter().any(|l| l.contains("127.0.0.1:")),
        "addresses logged: {access:#?}"
    );

    let with_ips = "[log]\nlog_ips = true\n".to_string() + config;
    let dir = prepare(&[]);
    let running = Running::start(dir.path(), &with_ips);
    get(running.gemini.unwrap(), "gemini://localhost/").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = running.log();
    assert!(
        log.iter()
            .any(|l| l.contains("gemhole::access") && l.contains("from 127.0.0.1:")),
        "{log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_take_every_connection() {
    // Long request timeout: a reader queued behind the idle sockets would wait that long.
    let server = TestServer::start(&[], &[("limits.request_timeout_secs", "30")]).await;
    let flooder = std::net::Ipv4Addr::new(127, 0, 0, 9);
    let mut idle = Vec::new();
    for _ in 0..2_100 {
        idle.push(common::connect_from(flooder, server.gemini).await);
    }
    let served = tokio::time::timeout(Duration::from_secs(5), server.serves_a_reader()).await;
    assert!(
        served.is_ok(),
        "a reader waited behind one address's 2,100 sockets"
    );
    // The flooder kept only its share: the rest were closed at once.
    let mut closed = 0;
    for stream in &mut idle {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(20), stream.read(&mut byte)).await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            closed += 1;
        }
    }
    assert!(closed >= 2_100 - 16, "only {closed} of 2,100 were closed");
}

/// A Gopher client that reads `path` at about `rate` bytes a second and counts what it got.
async fn read_slowly(addr: SocketAddr, path: &str, rate: usize) -> usize {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("{path}\r\n").as_bytes())
        .await
        .unwrap();
    let mut chunk = vec![0u8; rate / 10];
    let mut total = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return total,
            Ok(n) => total += n,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_slow_reader_gets_all_of_a_large_file() {
    // 4 MiB at 128 KiB/s: 32 s, longer than any whole-response timeout could allow, with
    // bytes accepted all along.
    let big = vec![b'x'; 4 << 20];
    let server = TestServer::start(&[("big.bin", &big)], &[]).await;
    let got = read_slowly(server.gopher, "/big.bin", 128 << 10).await;
    assert_eq!(got, big.len(), "the transfer was cut");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_is_cut_off_and_logged_as_cut() {
    let dir = prepare(&[]);
    std::fs::write(dir.path().join("capsule/big.bin"), vec![b'x'; 64 << 20]).unwrap();
    let config = "[gemini]\nlisten = [\"127.0.0.1:0\"]\n[gopher]\nlisten = [\"127.0.0.1:0\"]\n\
                  [limits]\nsend_idle_secs = 2\n";
    let server = Running::start(dir.path(), config);
    let mut stalled = TcpStream::connect(server.gopher.unwrap()).await.unwrap();
    stalled.write_all(b"/big.bin\r\n").await.unwrap();
    // Reading nothing for the idle time: the server gives up and closes.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stalled.read_to_end(&mut received))
        .await
        .expect("the stalled connection was left open");
    assert!(read.is_err() || received.len() < 64 << 20);
    let log = server.log();
    assert!(
        log.iter()
            .any(|line| line.contains("gopher \"/big.bin\" 0") && line.contains("B cut ")),
        "{}",
        log.join("\n")
    );
}
