//! The Gopher hole over real TCP: menus, texts, links menus, files, errors, the requests real
//! clients send, and third-party clients (curl, lynx) reading it.

mod common;

use std::time::Duration;

use common::{get, golden, gopher, run_client, TestServer};
use tokio::io::AsyncReadExt;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// Checks the shape of a menu (CRLF lines of four TAB fields, the public host and port in
/// every item, the `.` terminator) and returns its lines without the terminator.
fn menu_lines(menu: &str, port: u16) -> Vec<&str> {
    let body = menu
        .strip_suffix(".\r\n")
        .expect("menu must end with . CRLF");
    let lines: Vec<&str> = body.split_terminator("\r\n").collect();
    assert!(!body.contains('\n') || body.ends_with("\r\n"), "{menu:?}");
    for line in &lines {
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "not four fields: {line:?}");
        match line.chars().next() {
            Some('i') | Some('3') => assert_eq!(&fields[2..], ["null.host", "1"], "{line:?}"),
            _ => assert_eq!(&fields[2..], ["localhost", &port.to_string()], "{line:?}"),
        }
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_menu_is_well_formed_and_lists_the_blog() {
    let server = TestServer::start(&[], &[]).await;
    let port = server.gopher.port();
    let menu = text(gopher(server.gopher, b"\r\n").await);
    let lines = menu_lines(&menu, port);
    assert_eq!(lines[0], "iTest capsule\t\tnull.host\t1");
    assert!(lines.contains(&format!("1About me\t/about\tlocalhost\t{port}").as_str()));
    assert!(lines
        .iter()
        .any(|l| l
            .starts_with("12023-11-20 Back Market Adventures\t/posts/back-market-adventures\t")));
    assert!(lines.iter().any(|l| l.starts_with("1All posts\t/posts/\t")));
    let gemini = format!(
        "hAlso on Gemini\tURL:gemini://localhost:{}/\t",
        server.gemini.port()
    );
    assert!(lines.iter().any(|l| l.starts_with(&gemini)), "{menu}");
    // "/" and a UMN client's Gopher+ root request get the same menu.
    assert_eq!(text(gopher(server.gopher, b"/\r\n").await), menu);
    // A Gopher+ client's `$` (the UMN client's first request) gets the same items, each
    // in an +INFO block, after the status line.
    let plus = text(gopher(server.gopher, b"\t$\r\n").await);
    let expected: String = menu
        .trim_end_matches(".\r\n")
        .lines()
        .map(|line| format!("+INFO: {line}\t+\r\n"))
        .collect();
    assert_eq!(plus, format!("+-1\r\n{expected}.\r\n"));
    assert_eq!(text(gopher(server.gopher, b"\n").await), menu);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reads_the_menu_the_post_and_the_page() {
    let server = TestServer::start(&[], &[]).await;
    let port = server.gopher.port();
    let url = |path: &str| format!("gopher://127.0.0.1:{port}{path}");
    let menu = run_client("curl", vec!["-s".into(), url("/1/")]).await;
    let lines = menu_lines(&menu, port);
    assert!(lines
        .iter()
        .any(|l| l.starts_with("12023-11-20 Back Market Adventures\t")));

    let post = run_client(
        "curl",
        vec!["-s".into(), url("/0/posts/back-market-adventures.txt")],
    )
    .await;
    // The golden file was made with the repository's config.toml; this server has another
    // title and port, which only the navigation at the end shows.
    let body = |text: &str| {
        text.split("\r\n\r\nHome: ")
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(body(&post), body(&golden("back-market-adventures.txt")));
    assert!(
        post.contains("\r\n\r\nHome: Test capsule\u{a0}[1]\r\n"),
        "{post}"
    );
    for line in post.split("\r\n") {
        assert!(
            line.chars().count() <= 70,
            "wider than 70 columns: {line:?}"
        );
    }

    let about = run_client("curl", vec!["-s".into(), url("/0/about.txt")]).await;
    assert_eq!(body(&about), body(&golden("about.txt")));
    assert!(about.contains("helps the\r\nplanet\u{a0}[1])."), "{about}");
    assert!(about.contains(
        "Links\r\n-----\r\n[1] https://www.backmarket.com/en-us/c/news/impact-of-refurbished-on-environment\r\n"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_a_menu_with_its_links_after_their_paragraph_and_the_way_on() {
    let server = TestServer::start(&[], &[]).await;
    let port = server.gopher.port();
    let menu = text(gopher(server.gopher, b"/about\r\n").await);
    let lines = menu_lines(&menu, port);
    let link = lines
        .iter()
        .position(|l| *l == format!(
            "hDefinitive proof that choosing refurbished helps the planet\tURL:https://www.backmarket.com/en-us/c/news/impact-of-refurbished-on-environment\tlocalhost\t{port}"
        ))
        .unwrap_or_else(|| panic!("{menu}"));
    // Right after the paragraph that holds it.
    assert!(lines[link - 1].starts_with("ithe planet)."), "{menu}");
    for item in [
        format!("1Home: Test capsule\t/\tlocalhost\t{port}"),
        format!("1All posts\t/posts/\tlocalhost\t{port}"),
        format!("0This page as plain text\t/about.txt\tlocalhost\t{port}"),
    ] {
        assert!(lines.contains(&item.as_str()), "{item} in {menu}");
    }
    let gemini = format!(
        "hThis page on Gemini\tURL:gemini://localhost:{}/about\t",
        server.gemini.port()
    );
    assert!(lines.iter().any(|l| l.starts_with(&gemini)), "{menu}");
    // The old links menu is gone.
    assert!(text(gopher(server.gopher, b"/about/links\r\n").await).starts_with('3'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_menu_and_folder_without_slash() {
    let server = TestServer::start(&[], &[]).await;
    let menu = text(gopher(server.gopher, b"/posts/\r\n").await);
    menu_lines(&menu, server.gopher.port());
    assert!(menu.contains("12023-11-20 Back Market Adventures\t/posts/back-market-adventures\t"));
    assert_eq!(text(gopher(server.gopher, b"/posts\r\n").await), menu);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_keep_their_bytes_and_gemtext_becomes_text() {
    let png = [0x89, b'P', b'N', b'G', 0, b'\r', b'\n', b'.', 0xff];
    let server = TestServer::start(
        &[
            ("images/dot.png", &png),
            (
                "hello.gmi",
                b"# Hand-written\n\n.starts with a dot\n=> /about About\n",
            ),
            ("notes/a.txt", b"plain\nfile\n"),
        ],
        &[],
    )
    .await;
    assert_eq!(gopher(server.gopher, b"/images/dot.png\r\n").await, png);
    assert_eq!(
        gopher(server.gopher, b"/notes/a.txt\r\n").await,
        b"plain\nfile\n"
    );
    let port = server.gopher.port();
    assert_eq!(
        text(gopher(server.gopher, b"/hello.gmi\r\n").await),
        format!(
            "Hand-written\r\n============\r\n\r\n.starts with a dot\r\n\r\nAbout\u{a0}[1]\r\n\r\n\
             Links\r\n-----\r\n[1] gopher://localhost:{port}/1/about\r\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_selectors_and_bad_requests_get_type_3() {
    let server = TestServer::start(&[], &[]).await;
    assert_eq!(
        text(gopher(server.gopher, b"/nope\r\n").await),
        "3Not found: /nope\t\tnull.host\t1\r\n.\r\n"
    );
    let long = [vec![b'/'; 2000], b"\r\n".to_vec()].concat();
    let reply = text(gopher(server.gopher, &long).await);
    assert_eq!(
        reply,
        "3selector is longer than 1024 bytes\t\tnull.host\t1\r\n.\r\n"
    );
    for bad in [
        &b"/../etc/passwd\r\n"[..],
        b"/a\x00b\r\n",
        b"/\xff\r\n",
        b"/posts/..\\x\r\n",
    ] {
        let reply = text(gopher(server.gopher, bad).await);
        assert!(
            reply.starts_with('3') && reply.ends_with("\t\tnull.host\t1\r\n.\r\n"),
            "{reply:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_shaped_request_is_answered_for_its_selector() {
    let server = TestServer::start(&[], &[]).await;
    let plain = gopher(server.gopher, b"/about\r\n").await;
    assert_eq!(
        gopher(server.gopher, b"/about\tsome words\r\n").await,
        plain
    );
    assert_eq!(gopher(server.gopher, b"/about\t+\r\n").await, plain);
    // Search words that start like a Gopher+ flag are still the reader's words.
    let found = text(gopher(server.gopher, b"/search\t+market\r\n").await);
    assert!(found.contains("Back Market Adventures"), "{found}");
    assert!(!found.starts_with('7'), "{found}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_selectors_get_a_redirect_page() {
    let server = TestServer::start(&[], &[]).await;
    let page = text(gopher(server.gopher, b"URL:https://example.org/?a=1&b=<2>\r\n").await);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.contains("content=\"1; url=https://example.org/?a=1&amp;b=&lt;2&gt;\""),
        "{page}"
    );
    let refused = text(gopher(server.gopher, b"URL:javascript:alert(1)\r\n").await);
    assert!(refused.starts_with('3'), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_browser_is_told_where_it_is() {
    let server = TestServer::start(&[], &[]).await;
    let reply = text(
        gopher(
            server.gopher,
            b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
        )
        .await,
    );
    assert!(reply.starts_with("HTTP/1.0 400 Bad Request\r\n"), "{reply}");
    assert!(reply.contains(&format!("gopher://localhost:{}/", server.gopher.port())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_txt_is_generated() {
    let server = TestServer::start(&[], &[]).await;
    let caps = text(gopher(server.gopher, b"/caps.txt\r\n").await);
    assert!(caps.starts_with("CAPS\r\n"), "{caps}");
    for key in [
        "CapsVersion=1",
        "PathDelimeter=/",
        "ServerDefaultEncoding=utf-8",
        "ServerSoftware=gemhole",
    ] {
        assert!(caps.contains(key), "{key} missing from {caps}");
    }
    // A capsule's own caps.txt wins.
    let own = TestServer::start(&[("caps.txt", b"CAPS\nCapsVersion=1\n")], &[]).await;
    assert_eq!(
        gopher(own.gopher, b"/caps.txt\r\n").await,
        b"CAPS\nCapsVersion=1\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_closed_by_the_timeout() {
    let server = TestServer::start(&[], &[]).await;
    let mut tcp = tokio::net::TcpStream::connect(server.gopher).await.unwrap();
    let mut received = Vec::new();
    // request_timeout_secs is 2 in the test configuration.
    let read = tokio::time::timeout(Duration::from_secs(8), tcp.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "still open after the request timeout");
    assert!(received.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lynx_lists_every_item_of_the_home_menu() {
    let server = TestServer::start(&[], &[]).await;
    let port = server.gopher.port();
    let menu = text(gopher(server.gopher, b"/\r\n").await);
    let dump = run_client(
        "lynx",
        vec![
            "-dump".into(),
            "-nolist".into(),
            format!("gopher://127.0.0.1:{port}/1/"),
        ],
    )
    .await;
    for line in menu_lines(&menu, port) {
        let display = &line.split('\t').next().unwrap()[1..];
        if !display.is_empty() {
            assert!(
                dump.contains(display),
                "lynx does not show {display:?}:\n{dump}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lynx_follows_a_posts_links_as_numbered_references() {
    let server = TestServer::start(
        &[(
            "posts/2024-04-01-linked.md",
            b"---\ntitle: Linked\ndate: 2024-04-01\n---\nRead [the about page](../about.md) \
              and [a site](https://example.org/x).\n",
        )],
        &[],
    )
    .await;
    let port = server.gopher.port();
    let dump = run_client(
        "lynx",
        vec![
            "-dump".into(),
            format!("gopher://127.0.0.1:{port}/1/posts/linked"),
        ],
    )
    .await;
    // The words as text, each link a numbered reference lynx can follow.
    assert!(dump.contains("Read the about page and a site."), "{dump}");
    let references = dump
        .split("References")
        .nth(1)
        .unwrap_or_else(|| panic!("{dump}"));
    let about = [
        format!("gopher://127.0.0.1:{port}/1/about"),
        format!("gopher://localhost:{port}/1/about"),
    ];
    assert!(
        about
            .iter()
            .any(|target| references.contains(target.as_str())),
        "{references}"
    );
    assert!(references.contains("https://example.org/x"), "{references}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_umn_client_shows_the_home_menu() {
    let server = TestServer::start(&[], &[]).await;
    let session = format!("gemhole-test-{}", server.gopher.port());
    let started = std::process::Command::new("tmux")
        .args(["new-session", "-d", "-s", &session, "-x", "100", "-y", "30"])
        .arg(format!(
            "TERM=xterm gopher 127.0.0.1 {}",
            server.gopher.port()
        ))
        .status()
        .expect("tmux is needed for this test");
    assert!(started.success());
    let screen = |session: &str| {
        let output = std::process::Command::new("tmux")
            .args(["capture-pane", "-p", "-t", session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let mut shown = String::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        shown = screen(&session);
        if shown.contains("Press RETURN to continue") {
            let _ = std::process::Command::new("tmux")
                .args(["send-keys", "-t", &session, "Enter"])
                .status();
        }
        if shown.contains("Back Market Adventures") {
            break;
        }
    }
    let _ = std::process::Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    assert!(shown.contains("Test capsule"), "{shown}");
    assert!(
        shown.contains("2023-11-20 Back Market Adventures/"),
        "{shown}"
    );
    assert!(!shown.contains("Nothing available"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gophers_own_words_are_ascii_and_ascii_mode_writes_everything_so() {
    let post: &[u8] = "---\ntitle: Café “au lait”\ndate: 2024-06-01\ntags: [Thé]\n---\n\
                       Un café noir, s’il vous plaît[^1].\n\n[^1]: Ou un thé.\n"
        .as_bytes();
    let plain = TestServer::start(&[("posts/2024-06-01-cafe.md", post)], &[]).await;
    let menu = text(gopher(plain.gopher, b"/posts/cafe\r\n").await);
    // gemhole's own words: the byline, the footnote marker, the tag page's quotes.
    assert!(menu.contains("i2024-06-01 - Jules Spender\t"), "{menu}");
    assert!(
        menu.contains("plaît^1.") && menu.contains("i^1 Ou un thé."),
        "{menu}"
    );
    let tag = text(gopher(plain.gopher, b"/tags/th\xc3\xa9\r\n").await);
    assert!(tag.starts_with("iPosts tagged \"Thé\"\t"), "{tag}");
    // The writer's words are as written...
    assert!(menu.contains("iCafé “au lait”\t"), "{menu}");
    // ...unless the hole is told to write everything in ASCII.
    let old_clients = TestServer::start(
        &[("posts/2024-06-01-cafe.md", post)],
        &[("gopher.ascii", "true")],
    )
    .await;
    let menu = text(gopher(old_clients.gopher, b"/posts/cafe\r\n").await);
    assert!(
        menu.is_ascii()
            || menu
                .lines()
                .all(|l| l.split('\t').next().unwrap().is_ascii())
    );
    assert!(menu.contains("iCafe \"au lait\"\t"), "{menu}");
    let text_form = text(gopher(old_clients.gopher, b"/posts/cafe.txt\r\n").await);
    assert!(text_form.is_ascii(), "{text_form}");
    // Gemini keeps its typography.
    let gemini = get(plain.gemini, "gemini://localhost/posts/cafe")
        .await
        .text();
    assert!(
        gemini.contains("2024-06-01 · Jules Spender") && gemini.contains("plaît¹."),
        "{gemini}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_written_gmi_page_is_listed_says_its_language_and_links_locally_on_gopher() {
    let server = TestServer::start(&[], &[]).await;
    let own = format!("gemini://localhost:{}", server.gemini.port());
    let page = format!(
        "# Hand-written\n\n=> {own}/about About me\n=> gemini://elsewhere.example/ Elsewhere\n"
    );
    std::fs::write(server.capsule().join("hand.gmi"), page).unwrap();
    let started = std::time::Instant::now();
    let home = loop {
        let home = get(server.gemini, "gemini://localhost/").await.text();
        if home.contains("hand.gmi") || started.elapsed() > std::time::Duration::from_secs(8) {
            break home;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(home.contains("=> /hand.gmi Hand-written\n"), "{home}");
    let served = get(server.gemini, "gemini://localhost/hand.gmi").await;
    assert_eq!(served.header, "20 text/gemini; charset=utf-8; lang=en");
    let port = server.gopher.port();
    let text = text(gopher(server.gopher, b"/hand.gmi\r\n").await);
    assert!(
        text.contains(&format!("gopher://localhost:{port}/1/about")),
        "{text}"
    );
    assert!(text.contains("gemini://elsewhere.example/"), "{text}");
}
