//! The Gemini capsule over real TLS: pages, statuses, malformed requests, and a third-party
//! client (`openssl s_client`).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{get, golden, request, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const POST: &str = "gemini://localhost/posts/back-market-adventures";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_lists_pages_and_posts_in_gemlog_form() {
    let server = TestServer::start(&[], &[]).await;
    let reply = get(server.gemini, "gemini://localhost/").await;
    assert_eq!(reply.header, "20 text/gemini; charset=utf-8; lang=en");
    let text = reply.text();
    assert!(text.starts_with("# Test capsule\n"), "{text}");
    assert!(text.contains("\n=> /about About me\n"), "{text}");
    assert!(
        text.contains("\n=> /posts/back-market-adventures 2023-11-20 Back Market Adventures\n"),
        "{text}"
    );
    let gopher = format!(
        "\n=> gopher://localhost:{}/1/ Also on Gopher\n",
        server.gopher.port()
    );
    assert!(text.contains(&gopher), "{text}");
    assert!(reply.clean_close, "no close_notify");
    // An empty path is the home page too, without a redirect.
    assert_eq!(get(server.gemini, "gemini://localhost").await.text(), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_index_is_a_subscribable_gemlog() {
    let server = TestServer::start(
        &[(
            "posts/2024-02-01-newer.md",
            b"---\ntitle: A newer post\ndate: 2024-02-01\n---\nHello.",
        )],
        &[],
    )
    .await;
    let text = get(server.gemini, "gemini://localhost/posts/").await.text();
    let links: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("=> /posts/"))
        .collect();
    assert_eq!(
        links,
        [
            "=> /posts/newer 2024-02-01 A newer post",
            "=> /posts/back-market-adventures 2023-11-20 Back Market Adventures"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_post_and_the_page_match_their_golden_files() {
    let server = TestServer::start(&[], &[]).await;
    // The golden files were made with the repository's config.toml; this server has another
    // title and Gopher port, which only the navigation at the end shows.
    let body = |text: &str| {
        text.rsplit_once("\n\n")
            .map_or("", |(body, _)| body)
            .to_string()
    };
    let post = get(server.gemini, POST).await;
    assert_eq!(post.header, "20 text/gemini; charset=utf-8; lang=en");
    assert_eq!(
        body(&post.text()),
        body(&golden("back-market-adventures.gmi"))
    );
    assert!(!post.text().contains("**"));
    let navigation = post.text().rsplit_once("\n\n").unwrap().1.to_string();
    assert!(
        navigation
            .starts_with("=> / Home: Test capsule\n=> /posts/ All posts\n=> gopher://localhost:"),
        "{navigation}"
    );

    let about = get(server.gemini, "gemini://localhost/about").await;
    assert_eq!(body(&about.text()), body(&golden("about.gmi")));
    // The link follows its paragraph as a link line.
    let about_text = about.text();
    let lines: Vec<&str> = about_text.lines().collect();
    let link = lines
        .iter()
        .position(|l| l.starts_with("=> https://www.backmarket.com/"))
        .unwrap();
    assert!(
        lines[link - 1].ends_with("(Definitive proof that choosing refurbished helps the planet).")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_for_missing_pages_and_folders() {
    let server = TestServer::start(&[], &[]).await;
    assert_eq!(
        get(server.gemini, "gemini://localhost/nope").await.header,
        "51 Not found"
    );
    assert_eq!(
        get(server.gemini, "gemini://localhost/posts").await.header,
        "31 /posts/"
    );
    let missing_post = get(server.gemini, "gemini://localhost/posts/nope").await;
    assert_eq!(missing_post.status(), "51");
    assert!(missing_post.clean_close);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_keep_their_bytes_and_type() {
    let png = [0x89, b'P', b'N', b'G', 0, 1, 2, 3];
    let server = TestServer::start(
        &[
            ("images/dot.png", &png),
            ("hello.gmi", b"# Hand-written\n=> /about About\n"),
            ("notes.txt", b"plain\n"),
        ],
        &[],
    )
    .await;
    let image = get(server.gemini, "gemini://localhost/images/dot.png").await;
    assert_eq!(image.header, "20 image/png");
    assert_eq!(image.body, png);
    let gmi = get(server.gemini, "gemini://localhost/hello.gmi").await;
    assert_eq!(gmi.header, "20 text/gemini; charset=utf-8; lang=en");
    assert_eq!(gmi.body, b"# Hand-written\n=> /about About\n");
    assert_eq!(
        get(server.gemini, "gemini://localhost/notes.txt")
            .await
            .header,
        "20 text/plain"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_59() {
    let server = TestServer::start(&[], &[]).await;
    let cases: &[(&str, &[u8], bool)] = &[
        ("bare LF", b"gemini://localhost/\n", false),
        ("no line end at all", b"gemini://localhost/", true),
        ("empty line", b"\r\n", false),
        ("relative reference", b"/posts/\r\n", false),
        ("no scheme", b"localhost/about\r\n", false),
        ("plain text", b"hello there\r\n", false),
        ("userinfo", b"gemini://me@localhost/\r\n", false),
        ("fragment", b"gemini://localhost/about#x\r\n", false),
        ("not UTF-8", b"gemini://localhost/\xff\xfe\r\n", false),
        (
            "dot segments",
            b"gemini://localhost/posts/../about\r\n",
            false,
        ),
        (
            "encoded dots",
            b"gemini://localhost/%2e%2e/etc/passwd\r\n",
            false,
        ),
        (
            "encoded slash",
            b"gemini://localhost/posts%2fback-market-adventures\r\n",
            false,
        ),
    ];
    for (what, raw, close_after) in cases {
        let reply = request(server.gemini, raw, "localhost", *close_after).await;
        assert_eq!(reply.status(), "59", "{what}: {}", reply.header);
        assert!(reply.body.is_empty(), "{what}");
        assert!(reply.clean_close, "{what}: no close_notify");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_length_limit_is_1024_bytes() {
    let server = TestServer::start(&[], &[]).await;
    let base = "gemini://localhost/";
    let exact = format!("{base}{}", "a".repeat(1024 - base.len()));
    assert_eq!(exact.len(), 1024);
    assert_eq!(get(server.gemini, &exact).await.status(), "51");
    let over = format!("{exact}a");
    assert_eq!(get(server.gemini, &over).await.status(), "59");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_schemes_hosts_and_ports_get_53() {
    let server = TestServer::start(&[], &[]).await;
    let port = server.gemini.port();
    for url in [
        "https://localhost/".to_string(),
        "http://localhost/".to_string(),
        "gopher://localhost/".to_string(),
        "gemini://example.com/".to_string(),
        format!("gemini://localhost:{}/", port.wrapping_add(1)),
    ] {
        assert_eq!(get(server.gemini, &url).await.status(), "53", "{url}");
    }
    // Our own host, in any case, with a trailing dot, with our port, or by the address dialled.
    for url in [
        format!("gemini://LOCALHOST.:{port}/about"),
        "gemini://127.0.0.1/about".to_string(),
    ] {
        assert_eq!(get(server.gemini, &url).await.status(), "20", "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_without_sni_still_get_the_certificate() {
    let server = TestServer::start(&[], &[]).await;
    let reply = request(
        server.gemini,
        b"gemini://127.0.0.1/\r\n",
        "127.0.0.1",
        false,
    )
    .await;
    assert_eq!(reply.status(), "20");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_instead_of_tls_is_closed_without_a_byte() {
    let server = TestServer::start(&[], &[]).await;
    let mut tcp = tokio::net::TcpStream::connect(server.gemini).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut received))
        .await
        .expect("connection left open")
        .ok();
    assert!(received.is_empty(), "{received:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_closed_by_the_timeout() {
    let server = TestServer::start(&[], &[]).await;
    let mut tls = common::tls_connect(server.gemini, common::client_config(), "localhost").await;
    let mut received = Vec::new();
    // request_timeout_secs is 2 in the test configuration.
    let read = tokio::time::timeout(Duration::from_secs(8), tls.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "still open after the request timeout");
    assert!(received.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_s_client_reads_the_home_page() {
    let server = TestServer::start(&[], &[]).await;
    let connect = format!("127.0.0.1:{}", server.gemini.port());
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new("openssl")
            .args([
                "s_client",
                "-connect",
                &connect,
                "-servername",
                "localhost",
                "-quiet",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl is needed for this test");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"gemini://localhost/\r\n")
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("20 text/gemini"), "{stdout}");
    assert!(
        stdout.contains("2023-11-20 Back Market Adventures"),
        "{stdout}"
    );
    // The fingerprint announced at start is the one a client computes (and pins).
    let connect = format!("127.0.0.1:{}", server.gemini.port());
    let pinned = tokio::task::spawn_blocking(move || {
        let script = format!(
            "openssl s_client -connect {connect} -servername localhost </dev/null 2>/dev/null \
             | openssl x509 -noout -fingerprint -sha256"
        );
        Command::new("sh").args(["-c", &script]).output().unwrap()
    })
    .await
    .unwrap();
    let pinned = String::from_utf8_lossy(&pinned.stdout);
    let pinned = pinned.trim().rsplit('=').next().unwrap_or("");
    assert_eq!(pinned, server.fingerprint);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_post_ends_with_the_way_on_to_its_neighbours_and_home() {
    let post = |date: &str, title: &str| {
        format!("---\ntitle: {title}\ndate: {date}\ntags: [walks]\n---\nWords.\n").into_bytes()
    };
    let (older, newer) = (post("2024-01-01", "Older"), post("2024-02-01", "Newer"));
    let server = TestServer::start(
        &[
            ("posts/2024-01-01-older.md", &older),
            ("posts/2024-02-01-newer.md", &newer),
        ],
        &[],
    )
    .await;
    let text = get(server.gemini, "gemini://localhost/posts/newer")
        .await
        .text();
    let way_on = text.rsplit_once("\n\n").unwrap().1;
    let gopher_port = server.gopher.port();
    assert_eq!(
        way_on,
        format!(
            "=> /tags/walks Tagged: walks\n=> /posts/older Previous post: Older\n\
             => / Home: Test capsule\n=> /posts/ All posts\n\
             => gopher://localhost:{gopher_port}/1/posts/newer This page on Gopher\n"
        )
    );
    let older = get(server.gemini, "gemini://localhost/posts/older")
        .await
        .text();
    assert!(
        older.contains("=> /posts/newer Next post: Newer\n"),
        "{older}"
    );
    assert!(
        older.contains("=> /posts/back-market-adventures Previous post: Back Market Adventures\n"),
        "{older}"
    );
    // A post asked for with a trailing slash is sent to its route.
    let slash = get(server.gemini, "gemini://localhost/posts/older/").await;
    assert_eq!(slash.header, "31 /posts/older");
}
