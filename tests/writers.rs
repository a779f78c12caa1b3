//! The writer's side at the command line: starting a post, rendering any file from anywhere,
//! and messages that say what is wrong, where, and what to do.

use std::path::Path;
use std::process::Command;

/// `gemhole ARGS` run in `dir`: its exit code, standard output and standard error.
fn gemhole(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn capsule() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("capsule/posts")).unwrap();
    dir
}

#[test]
fn a_misspelt_key_is_named_with_the_key_meant() {
    let dir = capsule();
    std::fs::write(
        dir.path().join("capsule/posts/2024-04-05-typo.md"),
        "---\ntitel: Typo\ntag: [x]\ndate: 2024-04-05\n---\nBody\n",
    )
    .unwrap();
    let (_, out, _) = gemhole(dir.path(), &["check"]);
    assert!(out.contains("2024-04-05-typo.md:2: warning: `titel` is not a key gemhole reads (it is ignored); did you mean `title`?"), "{out}");
    assert!(out.contains("2024-04-05-typo.md:3: warning: `tag` is not a key gemhole reads (it is ignored); did you mean `tags`?"), "{out}");
    assert!(
        out.ends_with("capsule: 1 page or post, 0 errors, 3 warnings\n"),
        "{out}"
    );
}

#[test]
fn new_begins_a_post_once_and_says_where_it_is_served() {
    let dir = capsule();
    let (code, out, _) = gemhole(dir.path(), &["new", "My First Post"]);
    assert_eq!(code, Some(0));
    let mut lines = out.lines();
    let path = lines.next().unwrap();
    assert!(
        path.starts_with("capsule/posts/") && path.ends_with("-my-first-post.md"),
        "{out}"
    );
    assert_eq!(
        lines.next(),
        Some("  gemini://localhost/posts/my-first-post")
    );
    assert_eq!(
        lines.next(),
        Some("  gopher://localhost:7070/1/posts/my-first-post")
    );
    let text = std::fs::read_to_string(dir.path().join(path)).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"My First Post\"\ndate: 20"),
        "{text}"
    );
    assert!(text.contains("\ntags: []\n---\n"), "{text}");
    let (code, _, err) = gemhole(dir.path(), &["new", "My First Post"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("exists already; it is left as it is"), "{err}");
    let (code, out, _) = gemhole(dir.path(), &["new", "--page", "Now"]);
    assert_eq!(
        (code, out.lines().next()),
        (Some(0), Some("capsule/now.md"))
    );
}

#[test]
fn render_works_on_any_file_from_anywhere() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("note.md"), "# A note\n\nWords.\n").unwrap();
    let (code, out, err) = gemhole(elsewhere.path(), &["render", "note.md"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("# A note\n\nWords.\n"), "{out}");
}

#[test]
fn messages_say_what_where_and_what_to_do() {
    let dir = capsule();
    let (_, _, err) = gemhole(dir.path(), &["cert"]);
    assert!(err.contains("no certificate in certs yet: the server makes one on its first start, or `gemhole cert --regenerate` makes one now"), "{err}");
    let (_, _, err) = gemhole(dir.path(), &["--config", "nonexist.toml", "check"]);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    assert!(err.contains("cannot read nonexist.toml:"), "{err}");
    let (_, _, err) = gemhole(dir.path(), &["--content", "nowhere", "check"]);
    assert!(
        err.starts_with("gemhole: --content: site.content = \"nowhere\": no such folder"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("bad.toml"),
        "[gopher]\nlisten = \"127.0.0.1:7070\"\n",
    )
    .unwrap();
    let (_, _, err) = gemhole(dir.path(), &["--config", "bad.toml", "check"]);
    assert!(err.contains("bad.toml:2: gopher.listen: invalid type: string \"127.0.0.1:7070\", expected a sequence; write it as a list"), "{err}");
    std::fs::write(
        dir.path().join("host.toml"),
        "[gopher]\nlisten = [\"localhost:7070\"]\n",
    )
    .unwrap();
    let (_, _, err) = gemhole(dir.path(), &["--config", "host.toml", "check"]);
    assert!(err.contains("host.toml:2: gopher.listen: invalid socket address syntax; write an IP address and a port, such as \"127.0.0.1:7070\""), "{err}");
}
