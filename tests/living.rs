//! The writer's loop with the server running: a post saved, edited, broken and deleted shows up
//! (or goes) on both protocols without a restart; tags, feeds, search, drafts and the small
//! files readers expect; atomic deploys (a symlink flipped, a folder renamed into place) after
//! which edits still show; `gemhole check`; SIGHUP and SIGTERM on the real binary.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{
    copy_dir, eventually, get, gopher, prepare, Running, TestServer, GEMINI_RESCANNED_ON_SIGHUP,
};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const NEW_POST: &str = "---\ntitle: Soldering a new battery\ndate: 2024-03-05\n\
tags: [repair, Small Web]\ndescription: Fixing an old phone & keeping it\n---\n\n\
Today I replaced the battery of a Fairphone with a cheap iron.\n";

async fn gemini_text(server: &TestServer, path: &str) -> String {
    get(server.gemini, &format!("gemini://localhost{path}"))
        .await
        .text()
}

async fn gopher_text(server: &TestServer, selector: &str) -> String {
    String::from_utf8(gopher(server.gopher, format!("{selector}\r\n").as_bytes()).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_post_appears_everywhere_changes_and_goes() {
    let server = TestServer::start(&[], &[]).await;
    let post = server.capsule().join("posts/2024-03-05-battery.md");
    write(&post, NEW_POST);
    let line = "=> /posts/battery 2024-03-05 Soldering a new battery";
    eventually("the new post on the home page", || async {
        gemini_text(&server, "/").await.contains(line)
    })
    .await;
    // Newest first, above the seed post.
    let archive = gemini_text(&server, "/posts/").await;
    assert!(
        archive.find(line) < archive.find("Back Market Adventures"),
        "{archive}"
    );
    let tag = gemini_text(&server, "/tags/small-web").await;
    assert!(tag.contains(line), "{tag}");
    let tags = gemini_text(&server, "/tags/").await;
    assert!(tags.contains("=> /tags/repair repair (1 post)"), "{tags}");
    let feed = get(server.gemini, "gemini://localhost/atom.xml").await;
    assert_eq!(feed.header, "20 application/atom+xml");
    assert!(feed_titles(&feed.text()).contains(&"Soldering a new battery".to_string()));
    let found = gemini_text(&server, "/search?fairphone").await;
    assert!(found.contains(line), "{found}");
    let menu = gopher_text(&server, "/").await;
    assert!(
        menu.contains("12024-03-05 Soldering a new battery\t/posts/battery\t"),
        "{menu}"
    );
    let text = gopher_text(&server, "/posts/battery").await;
    assert!(text.contains("Fairphone"), "{text}");

    // An edit to the body is served at once, and search follows it.
    write(&post, &NEW_POST.replace("cheap iron", "borrowed iron"));
    let body = gemini_text(&server, "/posts/battery").await;
    assert!(body.contains("borrowed iron"), "{body}");
    eventually("the edited words found by search", || async {
        gemini_text(&server, "/search?borrowed")
            .await
            .contains(line)
    })
    .await;
    let old_words = gemini_text(&server, "/search?cheap").await;
    assert!(!old_words.contains(line), "{old_words}");

    // Deleted: gone from every list and route.
    std::fs::remove_file(&post).unwrap();
    eventually("the deleted post gone", || async {
        !gemini_text(&server, "/").await.contains("battery")
    })
    .await;
    assert_eq!(
        get(server.gemini, "gemini://localhost/posts/battery")
            .await
            .status(),
        "51"
    );
    assert!(!gemini_text(&server, "/atom.xml").await.contains("battery"));
    let searched = gemini_text(&server, "/search?fairphone").await;
    assert!(searched.contains("Nothing matches"), "{searched}");
    assert_eq!(
        get(server.gemini, "gemini://localhost/tags/repair")
            .await
            .status(),
        "51"
    );
    assert!(gopher_text(&server, "/posts/battery")
        .await
        .starts_with('3'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_is_left_out_and_the_rest_keeps_serving() {
    let server = TestServer::start(&[], &[]).await;
    let marker = server.capsule().join("posts/2024-01-01-marker.md");
    write(
        &server.capsule().join("posts/2024-01-02-broken.md"),
        "---\ntitle: [unclosed\ndate: 2024-01-02\n---\nbody",
    );
    write(&marker, "---\ntitle: Marker\ndate: 2024-01-01\n---\nbody");
    eventually("the marker post", || async {
        gemini_text(&server, "/posts/").await.contains("Marker")
    })
    .await;
    let archive = gemini_text(&server, "/posts/").await;
    assert!(!archive.contains("broken"), "{archive}");
    assert!(archive.contains("Back Market Adventures"));
    assert_eq!(
        get(server.gemini, "gemini://localhost/posts/broken")
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
    // Mended, it is picked up.
    write(
        &server.capsule().join("posts/2024-01-02-broken.md"),
        "---\ntitle: Mended\ndate: 2024-01-02\n---\nbody",
    );
    eventually("the mended post", || async {
        gemini_text(&server, "/posts/")
            .await
            .contains("=> /posts/broken 2024-01-02 Mended")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_absent_everywhere() {
    let draft =
        "---\ntitle: Secret plans\ndate: 2024-05-01\ndraft: true\ntags: [hidden]\n---\nzanzibar\n";
    let server = TestServer::start(&[("posts/2024-05-01-secret.md", draft.as_bytes())], &[]).await;
    assert_eq!(
        get(server.gemini, "gemini://localhost/posts/secret")
            .await
            .status(),
        "51"
    );
    for path in ["/", "/posts/", "/tags/", "/atom.xml", "/search?zanzibar"] {
        let text = gemini_text(&server, path).await;
        assert!(
            !text.contains("Secret") && !text.contains("secret"),
            "{path}: {text}"
        );
    }
    assert_eq!(
        get(server.gemini, "gemini://localhost/tags/hidden")
            .await
            .status(),
        "51"
    );
    for selector in ["/", "/posts/", "/search\tzanzibar", "/atom.xml"] {
        assert!(
            !gopher_text(&server, selector).await.contains("Secret"),
            "{selector}"
        );
    }
    assert!(gopher_text(&server, "/posts/secret").await.starts_with('3'));
}

/// The entry titles of an Atom feed, read with a real XML parser (which fails on bad XML).
fn feed_titles(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    root.children()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|entry| entry.children().find(|n| n.has_tag_name("title")))
        .filter_map(|title| title.text().map(str::to_string))
        .collect()
}

fn feed_links(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("entry"))
        .flat_map(|entry| entry.children().filter(|n| n.has_tag_name("link")))
        .filter_map(|link| link.attribute("href").map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_are_valid_atom_in_each_protocols_urls() {
    let tricky =
        "---\ntitle: Fish & <chips> \"quoted\"\ndate: 2024-02-02\ndescription: A < B & C\n---\nx";
    let server = TestServer::start(&[("posts/2024-02-02-fish.md", tricky.as_bytes())], &[]).await;
    let gemini = gemini_text(&server, "/atom.xml").await;
    assert_eq!(
        feed_titles(&gemini),
        ["Fish & <chips> \"quoted\"", "Back Market Adventures"]
    );
    let port = server.gemini.port();
    assert_eq!(
        feed_links(&gemini),
        [
            format!("gemini://localhost:{port}/posts/fish"),
            format!("gemini://localhost:{port}/posts/back-market-adventures")
        ]
    );
    assert!(
        gemini.contains("<updated>2024-02-02T12:00:00Z</updated>"),
        "{gemini}"
    );
    let gopher = gopher_text(&server, "/atom.xml").await;
    let port = server.gopher.port();
    assert_eq!(
        feed_links(&gopher),
        [
            format!("gopher://localhost:{port}/0/posts/fish"),
            format!("gopher://localhost:{port}/0/posts/back-market-adventures")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_on_both_protocols() {
    let server = TestServer::start(&[], &[]).await;
    assert_eq!(
        get(server.gemini, "gemini://localhost/search").await.header,
        "10 Search posts and pages"
    );
    let one = gemini_text(&server, "/search?Camaraderie").await;
    assert!(
        one.contains("=> /posts/back-market-adventures 2023-11-20 Back Market Adventures\n"),
        "{one}"
    );
    assert!(
        one.contains("camaraderie") || one.contains("Camaraderie"),
        "{one}"
    );
    assert!(!one.contains("=> /about"), "{one}");
    // Several words: all must match; accents and case do not matter.
    let several = gemini_text(&server, "/search?T%C3%89NNIS%20marathon").await;
    assert!(several.contains("=> /about About me\n"), "{several}");
    assert!(!several.contains("back-market-adventures"), "{several}");
    let none = gemini_text(&server, "/search?tennis%20django").await;
    assert!(none.contains("Nothing matches"), "{none}");

    let menu = gopher_text(&server, "/search\ttennis marathon").await;
    assert!(menu.contains("1About me\t/about\t"), "{menu}");
    assert!(!menu.contains("Back Market"), "{menu}");
    let home = gopher_text(&server, "/").await;
    assert!(home.contains("7Search\t/search\t"), "{home}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_and_favicon_are_served_only_when_present() {
    let bare = TestServer::start(&[], &[]).await;
    assert_eq!(
        get(bare.gemini, "gemini://localhost/robots.txt")
            .await
            .status(),
        "51"
    );
    assert_eq!(
        get(bare.gemini, "gemini://localhost/favicon.txt")
            .await
            .status(),
        "51"
    );
    let server = TestServer::start(
        &[
            ("robots.txt", b"User-agent: *\nDisallow: /private/\n"),
            ("favicon.txt", "🦀".as_bytes()),
        ],
        &[],
    )
    .await;
    let robots = get(server.gemini, "gemini://localhost/robots.txt").await;
    assert_eq!(robots.header, "20 text/plain");
    assert_eq!(robots.body, b"User-agent: *\nDisallow: /private/\n");
    assert_eq!(
        get(server.gemini, "gemini://localhost/favicon.txt")
            .await
            .body,
        "🦀".as_bytes()
    );
}

fn gemhole(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn check_names_every_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let capsule = dir.path().join("capsule");
    write(
        &capsule.join("posts/2024-01-01-fine.md"),
        "---\ntitle: Fine\ndate: 2024-01-01\n---\n[ok](../about.md)\n",
    );
    write(&capsule.join("about.md"), "# About\n");
    write(
        &capsule.join("posts/bad-yaml.md"),
        "---\ntitle: Bad\ndate: 2024-01-01\ntags: [x\n---\n",
    );
    write(
        &capsule.join("posts/bad-date.md"),
        "---\ntitle: Bad date\ndate: 2024-13-45\n---\n",
    );
    write(
        &capsule.join("posts/twin-a.md"),
        "---\ntitle: A\ndate: 2024-01-02\nslug: twin\n---\n",
    );
    write(
        &capsule.join("posts/twin-b.md"),
        "---\ntitle: B\ndate: 2024-01-03\nslug: twin\n---\n",
    );
    write(
        &capsule.join("posts/links.md"),
        "---\ntitle: Links\ndate: 2024-01-04\n---\n\nfirst line\n\n[gone](missing.md) and ![pic](img/none.png)\n",
    );
    write(
        &capsule.join("posts/undated.md"),
        "---\ntitle: Undated\n---\n",
    );
    write(
        &capsule.join("posts/2024-01-05-untitled.md"),
        "---\ndate: 2024-01-05\n---\nno heading\n",
    );
    let output = gemhole(&["check"], dir.path());
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    for expected in [
        "capsule/posts/bad-yaml.md:4: error: front matter is not valid YAML",
        "capsule/posts/bad-date.md:3: error: `date: 2024-13-45` is not a date",
        "capsule/posts/twin-b.md: error: route /posts/twin is already taken",
        "capsule/posts/links.md:8: error: link target missing.md is not in the capsule",
        "capsule/posts/links.md:8: error: image img/none.png is not in the capsule",
        "capsule/posts/undated.md: warning: post has no `date`",
        "capsule/posts/2024-01-05-untitled.md: warning: has no `title`",
    ] {
        assert!(
            report.lines().any(|l| l.starts_with(expected)),
            "missing {expected:?} in\n{report}"
        );
    }
    assert!(!report.contains("fine.md"), "{report}");

    // Warnings alone do not fail.
    for bad in ["bad-yaml", "bad-date", "twin-b", "links"] {
        std::fs::remove_file(capsule.join(format!("posts/{bad}.md"))).unwrap();
    }
    let output = gemhole(&["check"], dir.path());
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("0 errors, 2 warnings"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_rescans_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("capsule/about.md"), "# About\n");
    let mut running = Running::start(dir.path(), GEMINI_RESCANNED_ON_SIGHUP);
    let addr = running.gemini.unwrap();
    write(
        &dir.path().join("capsule/posts/2024-01-01-late.md"),
        "---\ntitle: Late\ndate: 2024-01-01\n---\n",
    );
    // Not watched: nothing changes until SIGHUP.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!get(addr, "gemini://localhost/")
        .await
        .text()
        .contains("Late"));
    running.signal("HUP");
    eventually("the post after SIGHUP", || async {
        get(addr, "gemini://localhost/")
            .await
            .text()
            .contains("2024-01-01 Late")
    })
    .await;
    running.signal("TERM");
    let status = tokio::task::spawn_blocking(move || running.child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

/// The home page line of [`NEW_POST`].
const NEW_POST_LINE: &str = "=> /posts/battery 2024-03-05 Soldering a new battery";

/// A post written after a deploy, to show the watch is on the folder now served.
const LATER_POST: &str = "---\ntitle: Descaling the kettle\ndate: 2024-03-06\n---\n\nVinegar.\n";

const LATER_POST_LINE: &str = "=> /posts/kettle 2024-03-06 Descaling the kettle";

/// Points the symlink `link` at `target` atomically, as `ln -s target link.new && mv -T
/// link.new link` does: readers see the old target or the new one, never nothing.
fn flip_symlink(target: &str, link: &Path) {
    let new = link.with_extension("new");
    symlink(target, &new).unwrap();
    std::fs::rename(&new, link).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_symlink_flip_the_new_release_is_served_and_watched() {
    let dir = prepare(&[]);
    let releases = dir.path().join("releases");
    std::fs::create_dir(&releases).unwrap();
    std::fs::rename(dir.path().join("capsule"), releases.join("v1")).unwrap();
    symlink("releases/v1", dir.path().join("capsule")).unwrap();
    let server = TestServer::start_in(dir, &[]).await;

    copy_dir(&releases.join("v1"), &releases.join("v2"));
    write(&releases.join("v2/posts/2024-03-05-battery.md"), NEW_POST);
    flip_symlink("releases/v2", &server.capsule());
    eventually("the new release's post", || async {
        gemini_text(&server, "/").await.contains(NEW_POST_LINE)
    })
    .await;

    write(&releases.join("v2/posts/2024-03-06-kettle.md"), LATER_POST);
    eventually("a post added to the new release", || async {
        gemini_text(&server, "/").await.contains(LATER_POST_LINE)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_folder_is_renamed_into_place_it_is_served_and_watched() {
    let server = TestServer::start(&[], &[]).await;
    let next = server.dir.path().join("capsule.next");
    copy_dir(&server.capsule(), &next);
    write(&next.join("posts/2024-03-05-battery.md"), NEW_POST);
    std::fs::rename(server.capsule(), server.dir.path().join("capsule.old")).unwrap();
    std::fs::rename(&next, server.capsule()).unwrap();
    eventually("the post of the folder renamed into place", || async {
        gemini_text(&server, "/").await.contains(NEW_POST_LINE)
    })
    .await;

    write(
        &server.capsule().join("posts/2024-03-06-kettle.md"),
        LATER_POST,
    );
    eventually("a post added to the folder renamed into place", || async {
        gemini_text(&server, "/").await.contains(LATER_POST_LINE)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_moves_the_watch_to_the_folder_the_path_names_now() {
    let dir = tempfile::tempdir().unwrap();
    let releases = dir.path().join("releases");
    write(&releases.join("v1/capsule/about.md"), "# About\n");
    copy_dir(&releases.join("v1"), &releases.join("v2"));
    write(
        &releases.join("v2/capsule/posts/2024-03-05-battery.md"),
        NEW_POST,
    );
    symlink("releases/v1", dir.path().join("current")).unwrap();
    let running = Running::start(
        dir.path(),
        "[site]\ncontent = \"current/capsule\"\n\
         [gemini]\nlisten = [\"127.0.0.1:0\"]\n[gopher]\nenabled = false\n",
    );
    let addr = running.gemini.unwrap();
    let home = || async move { get(addr, "gemini://localhost/").await.text() };

    // The flip is above the content folder's parent: nothing the watch holds changes, so
    // only SIGHUP can tell it to look again.
    flip_symlink("releases/v2", &dir.path().join("current"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!home().await.contains(NEW_POST_LINE));
    running.signal("HUP");
    eventually("the new release after SIGHUP", || async {
        home().await.contains(NEW_POST_LINE)
    })
    .await;

    write(
        &releases.join("v2/capsule/posts/2024-03-06-kettle.md"),
        LATER_POST,
    );
    eventually(
        "a post added to the new release, with no second SIGHUP",
        || async { home().await.contains(LATER_POST_LINE) },
    )
    .await;
}
