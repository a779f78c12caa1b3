//! What the binary says of itself: its version, its manual pages and its shell completions,
//! all made from the command line's definitions and printed without any configuration, so a
//! `cargo install` user gets what the package installs.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Every command a user can name, which each page and script must know.
const COMMANDS: &[&str] = &[
    "serve",
    "check",
    "cert",
    "new",
    "render",
    "man",
    "completions",
];

/// `gemhole ARGS` run in an empty folder (no config.toml, no capsule), to its end.
fn gemhole(args: &[&str]) -> Output {
    let empty = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_gemhole"))
        .current_dir(empty.path())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Formats `page` with groff, every warning on: the roff must be one groff reads cleanly, as
/// `man` and lintian do.
fn groff_reads(page: &Path) {
    let output = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
        .unwrap();
    let warnings = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && warnings.is_empty(),
        "{}: {warnings}",
        page.display()
    );
}

#[test]
fn version_is_the_crate_version() {
    for flag in ["--version", "-V"] {
        assert_eq!(
            stdout(&gemhole(&[flag])),
            format!("gemhole {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn man_prints_the_page_naming_every_command() {
    let page = stdout(&gemhole(&["man"]));
    assert!(page.contains("\n.TH gemhole 1 "), "{page}");
    assert!(
        page.contains(&format!("\"gemhole {}\"", env!("CARGO_PKG_VERSION"))),
        "{page}"
    );
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUBCOMMANDS"] {
        assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
    }
    for command in COMMANDS {
        assert!(
            page.contains(&format!("gemhole\\-{command}(1)")),
            "{command}"
        );
    }
    assert!(!page.contains("gemhole\\-help(1)"), "{page}");
    assert!(
        page.contains("\\fB\\-\\-config\\fR \\fI<PATH>\\fR"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gemhole.1");
    std::fs::write(&file, &page).unwrap();
    groff_reads(&file);
}

#[test]
fn man_out_writes_a_page_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let listed = stdout(&gemhole(&["man", "--out", out.to_str().unwrap()]));
    let mut expected = vec![out.join("gemhole.1")];
    expected.extend(COMMANDS.iter().map(|c| out.join(format!("gemhole-{c}.1"))));
    let listed: Vec<_> = listed.lines().map(Path::new).collect();
    assert_eq!(listed, expected);
    for page in &expected {
        groff_reads(page);
    }
    // The page printed is the page written.
    assert_eq!(
        std::fs::read(out.join("gemhole.1")).unwrap(),
        gemhole(&["man"]).stdout
    );
    let cert = std::fs::read_to_string(out.join("gemhole-cert.1")).unwrap();
    assert!(
        cert.starts_with(&format!(
            ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH gemhole-cert 1  \"gemhole {}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{cert}"
    );
    assert!(cert.contains("\\fB\\-\\-regenerate\\fR"), "{cert}");
}

#[test]
fn man_out_says_which_folder_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "").unwrap();
    let output = gemhole(&["man", "--out", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.starts_with(&format!("gemhole: cannot make {}: ", file.display())),
        "{err}"
    );
}

#[test]
fn completions_complete_every_command() {
    let marks = [
        ("bash", "complete -F _gemhole"),
        ("zsh", "#compdef gemhole"),
        ("fish", "complete -c gemhole"),
        ("elvish", "edit:completion:arg-completer[gemhole]"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    for (shell, mark) in marks {
        let script = stdout(&gemhole(&["completions", shell]));
        assert!(script.contains(mark), "{shell}: {script}");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: no {command}");
        }
        assert!(script.contains("gemini-listen"), "{shell}");
    }
}

#[test]
fn the_bash_completions_are_bash() {
    let script = gemhole(&["completions", "bash"]).stdout;
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut bash.stdin.take().unwrap(), &script).unwrap();
    let checked = bash.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn an_unknown_shell_is_told_the_shells_there_are() {
    let output = gemhole(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.starts_with("error: invalid value 'tcsh' for '<SHELL>'\n"),
        "{err}"
    );
    assert!(
        err.contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let output = gemhole(&["completions"]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("the following required arguments were not provided"),
        "{err}"
    );
}
