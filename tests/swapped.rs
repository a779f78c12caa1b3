//! A hostile capsule, against a real server: files swapped after the scan for a symlink to the
//! TLS key or for a FIFO, a huge sparse source, names no request can hold, a file hidden by a
//! generated route, and a rescan that runs out of file descriptors. Each time the server
//! leaks nothing, freezes nothing, says what it left out, and goes on answering.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{eventually, get, gopher, prepare, TestServer};

/// Puts `make` (a symlink, a FIFO) at `path` in one rename, as an attacker with write access
/// to the capsule would, so there is no moment without a file there.
fn swap_in(path: &Path, make: impl FnOnce(&Path)) {
    let staged = path.with_extension("staged");
    make(&staged);
    std::fs::rename(&staged, path).unwrap();
}

fn fifo(at: &Path) {
    let status = Command::new("mkfifo").arg(at).status().unwrap();
    assert!(status.success());
}

fn gemhole(args: &[&str], dir: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_swapped_for_a_symlink_to_the_key_is_never_served() {
    let server = TestServer::start(
        &[
            ("leak.txt", b"harmless"),
            (
                "posts/2024-02-02-leak.md",
                b"---\ntitle: Leak\ndate: 2024-02-02\n---\nharmless",
            ),
        ],
        &[],
    )
    .await;
    let capsule = server.capsule();
    eventually("the files served", || async {
        gopher(server.gopher, b"/leak.txt\r\n").await == b"harmless"
    })
    .await;
    // Swapped after the scan: the route table still names both files.
    let key = server.dir.path().join("certs/key.pem");
    assert!(std::fs::read_to_string(&key)
        .unwrap()
        .contains("PRIVATE KEY"));
    for file in ["leak.txt", "posts/2024-02-02-leak.md"] {
        swap_in(&capsule.join(file), |at| {
            std::os::unix::fs::symlink(&key, at).unwrap()
        });
    }
    // Right after the swap and until well after the rescan, on both protocols.
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        for selector in ["/leak.txt", "/posts/leak"] {
            let text = gopher(server.gopher, format!("{selector}\r\n").as_bytes()).await;
            assert!(
                !String::from_utf8_lossy(&text).contains("PRIVATE"),
                "{selector}"
            );
            let reply = get(server.gemini, &format!("gemini://localhost{selector}")).await;
            assert!(!String::from_utf8_lossy(&reply.body).contains("PRIVATE"));
            assert_ne!(reply.status(), "20", "{selector}: {}", reply.header);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_swapped_in_freezes_nothing() {
    let server = TestServer::start(
        &[
            ("fifo.txt", b"plain"),
            (
                "posts/2024-02-03-fifo.md",
                b"---\ntitle: Pipe\ndate: 2024-02-03\n---\nplain",
            ),
        ],
        &[],
    )
    .await;
    eventually("the files served", || async {
        gopher(server.gopher, b"/fifo.txt\r\n").await == b"plain"
    })
    .await;
    for file in ["fifo.txt", "posts/2024-02-03-fifo.md"] {
        swap_in(&server.capsule().join(file), fifo);
    }
    // More requests for the FIFOs than there are workers, at once; every one is answered.
    let mut asked = Vec::new();
    for _ in 0..8 {
        let (gemini, gopher_addr) = (server.gemini, server.gopher);
        asked.push(tokio::spawn(async move {
            let reply = get(gemini, "gemini://localhost/fifo.txt").await;
            assert_ne!(reply.status(), "20");
            let text = gopher(gopher_addr, b"/posts/fifo\r\n").await;
            assert!(
                text.starts_with(b"3"),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }));
    }
    let about = tokio::time::timeout(
        Duration::from_secs(5),
        get(server.gemini, "gemini://localhost/about"),
    )
    .await
    .expect("a page waited behind the FIFOs");
    assert_eq!(about.status(), "20");
    for request in asked {
        tokio::time::timeout(Duration::from_secs(10), request)
            .await
            .expect("a request for a FIFO was never answered")
            .unwrap();
    }
    // Nothing holds the shutdown either.
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("shutdown waited on a FIFO");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_sparse_source_is_left_out_and_reported() {
    let dir = prepare(&[]);
    let huge = std::fs::File::create(dir.path().join("capsule/posts/2024-02-04-huge.md")).unwrap();
    huge.set_len(1_500_000_000).unwrap();
    let server = TestServer::start_in(dir, &[]).await;
    assert_eq!(
        get(server.gemini, "gemini://localhost/posts/huge")
            .await
            .status(),
        "51"
    );
    assert_eq!(
        get(server.gemini, "gemini://localhost/about")
            .await
            .status(),
        "20"
    );
    let report = gemhole(&["check"], server.dir.path());
    assert!(
        report
            .lines()
            .any(|line| line.contains("2024-02-04-huge.md")
                && line.contains("1464844 KiB, more than [limits] max_source_kib = 1024")),
        "{report}"
    );
}

#[test]
fn names_no_request_can_hold_and_hidden_files_are_reported() {
    let dir = prepare(&[
        ("a\tb.txt", b"x"),
        ("line\nbreak.md", b"x"),
        ("atom.xml", b"x"),
    ]);
    let report = gemhole(&["check"], dir.path());
    for name in ["a\tb.txt", "line\nbreak.md"] {
        assert!(
            report.contains(&format!(
                "{name}: warning: file name holds a TAB or line break"
            )),
            "{report}"
        );
    }
    assert!(
        report.contains("atom.xml: warning: is hidden: gemhole answers /atom.xml itself"),
        "{report}"
    );
}

/// The real binary started under `ulimit -n`, in `dir`, with the shipped capsule; returns it
/// and its Gemini and Gopher ports once it is ready.
fn start_with_few_descriptors(dir: &Path, descriptors: u32) -> common::Running {
    let config = "[site]\ntitle = \"Few descriptors\"\n\
                  [gemini]\nlisten = [\"127.0.0.1:0\"]\n\
                  [gopher]\nlisten = [\"127.0.0.1:0\"]\n\
                  [limits]\nrequest_timeout_secs = 3\nmax_connections_per_client = 1000\n";
    common::Running::start_wrapped(
        dir,
        config,
        &[
            "bash",
            "-c",
            &format!("ulimit -n {descriptors} && exec \"$0\""),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescan_that_cannot_read_keeps_the_last_good_site() {
    let dir = prepare(&[]);
    let server = start_with_few_descriptors(dir.path(), 64);
    let (gemini, gopher_addr) = (server.gemini.unwrap(), server.gopher.unwrap());
    let post = "gemini://localhost/posts/back-market-adventures";
    assert_eq!(get(gemini, post).await.status(), "20");
    // Hold every descriptor the server has left, then change the capsule: the rescan that
    // follows cannot open the folder.
    let mut held = Vec::new();
    for _ in 0..80 {
        match tokio::net::TcpStream::connect(gopher_addr).await {
            Ok(stream) => held.push(stream),
            Err(_) => break,
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::write(dir.path().join("capsule/touched.txt"), "x").unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(held);
    // The idle connections are closed by the request timeout; the site must be whole after.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let log = server.log();
    assert!(
        log.iter()
            .any(|line| line.contains("still serving the last good site")),
        "{}",
        log.join("\n")
    );
    assert!(
        !log.iter().any(|line| line.contains("0 posts")),
        "{}",
        log.join("\n")
    );
    assert_eq!(get(gemini, post).await.status(), "20");
    assert!(get(gemini, "gemini://localhost/")
        .await
        .text()
        .contains("Back Market Adventures"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_gone_since_the_scan_gets_a_status_not_a_closed_connection() {
    let server = TestServer::start(&[("vanishing.txt", b"here")], &[]).await;
    eventually("the file served", || async {
        gopher(server.gopher, b"/vanishing.txt\r\n").await == b"here"
    })
    .await;
    std::fs::remove_file(server.capsule().join("vanishing.txt")).unwrap();
    // At once, before any rescan: the route still names the file.
    let reply = get(server.gemini, "gemini://localhost/vanishing.txt").await;
    assert_eq!(reply.header, "51 Not found");
    let text = gopher(server.gopher, b"/vanishing.txt\r\n").await;
    assert!(
        text.starts_with(b"3"),
        "{:?}",
        String::from_utf8_lossy(&text)
    );
}
