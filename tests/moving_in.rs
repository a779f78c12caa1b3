//! A blog moved in from Hugo, Jekyll or Zola, unchanged: page bundles get their folder's
//! route (and the files beside them are served beside them), categories and Zola's taxonomies
//! become tags, and old routes (aliases, redirect_from, `[redirects]`) lead to the new ones on
//! both protocols.

mod common;

use common::{get, gopher, TestServer};

const HUGO_BUNDLE: &[u8] = b"---\ntitle: A bundle\ndate: 2024-05-01\ncategories: [Travel]\n\
aliases: [/2024/05/a-bundle/]\n---\n![The view](view.png)\n";
const JEKYLL: &[u8] = b"---\ntitle: From Jekyll\ndate: 2024-05-02 10:00:00 +0100\n\
redirect_from: /old-jekyll.html\n---\nWords.\n";
const ZOLA: &[u8] = b"+++\ntitle = \"From Zola\"\ndate = 2024-05-03T09:00:00+02:00\n\
[taxonomies]\ntags = [\"rust\"]\n+++\nWords.\n";

async fn moved_in() -> TestServer {
    TestServer::start(
        &[
            ("posts/a-bundle/index.md", HUGO_BUNDLE),
            ("posts/a-bundle/view.png", b"png"),
            ("posts/2024-05-02-from-jekyll.markdown", JEKYLL),
            ("posts/from-zola/index.md", ZOLA),
            (
                "docs/_index.md",
                b"---\ntitle: The docs\n---\nSection page.\n",
            ),
        ],
        &[("redirects", "{ \"/feed\" = \"/atom.xml\" }")],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundles_get_their_folders_route_and_their_files() {
    let server = moved_in().await;
    let home = get(server.gemini, "gemini://localhost/posts/").await.text();
    for line in [
        "=> /posts/a-bundle 2024-05-01 A bundle",
        "=> /posts/from-jekyll 2024-05-02 From Jekyll",
        "=> /posts/from-zola 2024-05-03 From Zola",
    ] {
        assert!(home.contains(line), "{line} in {home}");
    }
    let bundle = get(server.gemini, "gemini://localhost/posts/a-bundle").await;
    assert_eq!(bundle.status(), "20");
    assert!(bundle
        .text()
        .contains("=> /posts/a-bundle/view.png The view"));
    let image = get(server.gemini, "gemini://localhost/posts/a-bundle/view.png").await;
    assert_eq!(image.body, b"png");
    assert_eq!(
        get(server.gemini, "gemini://localhost/docs").await.status(),
        "20"
    );
    assert!(gopher(server.gopher, b"/posts/from-zola\r\n")
        .await
        .starts_with(b"iFrom Zola\t"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_and_taxonomies_are_tags() {
    let server = moved_in().await;
    let tags = get(server.gemini, "gemini://localhost/tags/").await.text();
    assert!(tags.contains("=> /tags/travel Travel (1 post)"), "{tags}");
    assert!(tags.contains("=> /tags/rust rust (1 post)"), "{tags}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_routes_lead_to_the_new_ones() {
    let server = moved_in().await;
    for (old, new) in [
        ("/2024/05/a-bundle/", "/posts/a-bundle"),
        ("/2024/05/a-bundle", "/posts/a-bundle"),
        ("/old-jekyll.html", "/posts/from-jekyll"),
        ("/feed", "/atom.xml"),
    ] {
        let reply = get(server.gemini, &format!("gemini://localhost{old}")).await;
        assert_eq!(reply.header, format!("31 {new}"), "{old}");
    }
    let port = server.gopher.port();
    let menu = String::from_utf8(gopher(server.gopher, b"/old-jekyll.html\r\n").await).unwrap();
    assert!(
        menu.contains(&format!(
            "1/posts/from-jekyll\t/posts/from-jekyll\tlocalhost\t{port}\r\n"
        )),
        "{menu}"
    );
}

const HUGO_SHORTCODES: &[u8] = b"---\ntitle: Shortcodes\ndate: 2024-05-04\n---\n\
{{< figure src=\"view.png\" caption=\"The view\" >}}\n\n\
See [the bundle]({{< ref \"a-bundle/index.md\" >}}) and {{< youtube abc123 >}}.\n\n\
{{< highlight rust >}}\nlet x = \"{{ kept }}\";\n{{< /highlight >}}\n\n\
{{< notice warning >}}Careful.{{< /notice >}}\n";
const LIQUID: &[u8] = b"---\ntitle: Liquid\ndate: 2024-05-05\n---\n\
Read [the docs]({{ \"/docs/\" | relative_url }}) and [an older post]({% post_url 2024-05-02-from-jekyll %}).\n\n\
{% include footer.html %}\n\n`{% raw %}` stays in code. By {{ page.author }} for {{ site.title }}.\n\n\
{% include note.md %}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_syntax_keeps_its_meaning_and_never_reaches_readers() {
    let server = TestServer::start(
        &[
            ("posts/a-bundle/index.md", HUGO_BUNDLE),
            ("posts/2024-05-04-shortcodes.md", HUGO_SHORTCODES),
            ("posts/2024-05-05-liquid.md", LIQUID),
            ("_includes/note.md", b"An included *note*."),
            ("posts/2024-05-02-from-jekyll.markdown", JEKYLL),
            (
                "docs/_index.md",
                b"---\ntitle: The docs\n---\nSection page.\n",
            ),
        ],
        &[],
    )
    .await;
    let hugo = get(server.gemini, "gemini://localhost/posts/shortcodes")
        .await
        .text();
    for line in [
        "=> /posts/view.png The view",
        "=> /posts/a-bundle the bundle",
        "=> https://www.youtube.com/watch?v=abc123 a video on YouTube",
        "```rust\nlet x = \"{{ kept }}\";\n```",
        "Careful.",
    ] {
        assert!(hugo.contains(line), "{line} in {hugo}");
    }
    assert!(!hugo.contains("{{<") && !hugo.contains("notice"), "{hugo}");
    let liquid = get(server.gemini, "gemini://localhost/posts/liquid")
        .await
        .text();
    assert!(liquid.contains("=> /docs/ the docs"), "{liquid}");
    assert!(
        liquid.contains("=> /posts/from-jekyll an older post"),
        "{liquid}"
    );
    assert!(liquid.contains("`{% raw %}` stays in code."), "{liquid}");
    assert!(!liquid.contains("{% include"), "{liquid}");
    assert!(
        liquid.contains("By Jules Spender for Test capsule."),
        "{liquid}"
    );
    assert!(liquid.contains("An included note."), "{liquid}");
    let menu = String::from_utf8(gopher(server.gopher, b"/posts/shortcodes\r\n").await).unwrap();
    assert!(!menu.contains("{{<"), "{menu}");
    // check names what it took out, with file and line.
    std::fs::write(server.dir.path().join("config.toml"), "").unwrap();
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(server.dir.path())
        .arg("check")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&report.stdout);
    assert!(report.contains("2024-05-05-liquid.md:7: warning: template tag {% include footer.html %} means nothing outside its generator"), "{report}");
    assert!(
        report
            .contains("2024-05-04-shortcodes.md:13: warning: template tag {{< notice warning >}}"),
        "{report}"
    );
}
