//! Small posts that used to cost gigabytes or minutes to render, served by a real server: a
//! table with one huge header cell, a list nested twenty thousand deep, images nested in
//! images, a hundred thousand links, fifty thousand footnotes, and front matter nested sixty
//! thousand deep. Each is answered (or refused) within the page bound while a plain page is
//! answered beside it.

mod common;

use std::time::Duration;

use common::{get, gopher, TestServer};

/// The page bound the server below runs with, in KiB, and the sources it accepts.
const PAGE_KIB: usize = 512;

fn post(slug: &str, body: &str) -> (String, Vec<u8>) {
    let text = format!("---\ntitle: {slug}\ndate: 2024-03-01\n---\n{body}");
    (format!("posts/2024-03-01-{slug}.md"), text.into_bytes())
}

fn pathological() -> Vec<(String, Vec<u8>)> {
    let table_cell = format!("| {} |\n|---|\n| a |\n", "x".repeat(40_000));
    let deep_list = format!("{}{}", "+ ".repeat(20_000), "a ".repeat(20_000));
    let nested_images = format!("[{}a{}](/l)", "![".repeat(5_000), "](/i)".repeat(5_000));
    let links: String = (0..100_000).map(|i| format!("[l](/l/{i}) ")).collect();
    let mut footnotes: String = (0..50_000).map(|i| format!("n[^{i}] ")).collect();
    footnotes.push_str("\n\n");
    footnotes.extend((0..50_000).map(|i| format!("[^{i}]: note {i}\n")));
    let ordered = format!("{}x", "1. ".repeat(20_000));
    vec![
        post("table", &table_cell),
        post("deep-list", &deep_list),
        post("nested-images", &nested_images),
        post("links", &links),
        post("footnotes", &footnotes),
        post("ordered", &ordered),
        (
            "posts/2024-03-01-front.md".to_string(),
            format!("---\ntitle: x\nx: {}\n---\nbody", "{a: ".repeat(60_000)).into_bytes(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathological_posts_are_bounded_and_hold_up_no_one() {
    let files = pathological();
    let extra: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_slice()))
        .collect();
    let page = PAGE_KIB.to_string();
    let server = TestServer::start(
        &extra,
        &[
            ("limits.max_page_kib", &page),
            ("limits.max_source_kib", "4096"),
        ],
    )
    .await;
    let bound = PAGE_KIB * 1024 + 1024;
    for slug in [
        "table",
        "deep-list",
        "nested-images",
        "links",
        "footnotes",
        "ordered",
    ] {
        let (gemini, gopher_addr) = (server.gemini, server.gopher);
        let heavy = tokio::spawn(async move {
            let reply = get(gemini, &format!("gemini://localhost/posts/{slug}")).await;
            let text = gopher(gopher_addr, format!("/posts/{slug}\r\n").as_bytes()).await;
            (reply, text)
        });
        // Beside it, a plain page is answered.
        let about = tokio::time::timeout(
            Duration::from_secs(10),
            gopher(server.gopher, b"/about\r\n"),
        )
        .await
        .unwrap_or_else(|_| panic!("/about waited behind /posts/{slug}"));
        assert!(about.starts_with(b"iAbout me"));
        let (reply, text) = tokio::time::timeout(Duration::from_secs(60), heavy)
            .await
            .unwrap_or_else(|_| panic!("/posts/{slug} was never answered"))
            .unwrap();
        assert_eq!(reply.status(), "20", "{slug}: {}", reply.header);
        assert!(
            reply.body.len() <= bound,
            "{slug}: {} bytes",
            reply.body.len()
        );
        assert!(
            text.len() <= bound,
            "{slug}: {} bytes of Gopher text",
            text.len()
        );
        assert!(
            text.ends_with(b".\r\n"),
            "{slug}: the Gopher text has no end"
        );
    }
    // The big ones say they were cut, and gemtext stays well-formed.
    let links = get(server.gemini, "gemini://localhost/posts/links").await;
    let text = links.text();
    assert!(
        text.contains("This page is cut here"),
        "{}",
        &text[text.len() - 200..]
    );
    assert_eq!(text.lines().filter(|l| l.starts_with("```")).count() % 2, 0);
    // `gemhole check`, with the same limits, names the pages served cut.
    let config = format!("[limits]\nmax_page_kib = {PAGE_KIB}\nmax_source_kib = 4096\n");
    std::fs::write(server.dir.path().join("config.toml"), config).unwrap();
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(server.dir.path())
        .args(["check"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&report.stdout);
    assert!(
        report
            .lines()
            .any(|line| line.contains("2024-03-01-links.md")
                && line.contains("more than [limits] max_page_kib = 512; it is served cut")),
        "{report}"
    );
    // Front matter nested too deep is refused before any parser sees it.
    assert_eq!(
        get(server.gemini, "gemini://localhost/posts/front")
            .await
            .status(),
        "51"
    );
}
