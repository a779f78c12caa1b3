//! The seed documents' gemtext and Gopher text, pinned: what `gemhole render` prints must equal
//! the golden files a person has read line by line against RENDERING.md.

mod common;

use std::process::Command;

use common::golden;

fn render(file: &str, to: &str) -> String {
    render_with(&[], file, to)
}

/// What `gemhole [options] render FILE --to TO` prints, run from the repository.
fn render_with(options: &[&str], file: &str, to: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(options)
        .args(["render", file, "--to", to])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

const POST: &str = "capsule/posts/2023-11-20-back-market-adventures.md";

#[test]
fn seed_post_as_gemtext() {
    assert_eq!(
        render(POST, "gemtext"),
        golden("back-market-adventures.gmi")
    );
}

#[test]
fn seed_page_as_gemtext() {
    assert_eq!(render("capsule/about.md", "gemtext"), golden("about.gmi"));
}

#[test]
fn seed_post_as_gopher_menu() {
    assert_eq!(
        render(POST, "gopher"),
        golden("back-market-adventures.gophermap")
    );
}

#[test]
fn seed_page_as_gopher_menu() {
    assert_eq!(
        render("capsule/about.md", "gopher"),
        golden("about.gophermap")
    );
}

#[test]
fn seed_post_as_gopher_text() {
    assert_eq!(
        render(POST, "gopher-text"),
        golden("back-market-adventures.txt")
    );
}

#[test]
fn seed_page_as_gopher_text() {
    assert_eq!(
        render("capsule/about.md", "gopher-text"),
        golden("about.txt")
    );
}

#[test]
fn a_post_with_every_construct_as_gemtext_and_gopher() {
    let post = "tests/golden/constructs.md";
    assert_eq!(render(post, "gemtext"), golden("constructs.gmi"));
    assert_eq!(render(post, "gopher"), golden("constructs.gophermap"));
    assert_eq!(render(post, "gopher-text"), golden("constructs.txt"));
}

#[test]
fn an_ipv6_host_name_gets_brackets_in_every_url() {
    for name in ["::1", "[::1]"] {
        let text = render_with(&["--hostname", name], "capsule/about.md", "gopher-text");
        let urls: Vec<&str> = text
            .split_whitespace()
            .filter(|word| word.starts_with("gopher://"))
            .collect();
        assert!(!urls.is_empty(), "{text}");
        for url in urls {
            assert!(url.starts_with("gopher://[::1]:7070/"), "{name}: {url}");
        }
    }
}

#[test]
fn seeds_are_the_users_bytes() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if !seeds.exists() {
        return; // shared/ sits beside the repository on the team's machines and in CI only
    }
    for (seed, copy) in [
        (
            "000_a750bed1e90242a7.txt",
            "capsule/posts/2023-11-20-back-market-adventures.md",
        ),
        ("002_296da297b97cb82e.txt", "capsule/about.md"),
    ] {
        let copy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(copy);
        assert_eq!(
            std::fs::read(seeds.join(seed)).unwrap(),
            std::fs::read(copy).unwrap()
        );
    }
}
