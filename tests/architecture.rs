//! The dependency rule, kept by a test: imports between gemhole's top-level modules go one way.
//!
//! Every `crate::<module>` (and, in a module's own top file, every `super::<module>`) named in a
//! file under `src/<module>/` counts as an import of that module. The table says what each
//! module may import; anything else fails, naming the file and the line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import. `cli` fronts the library's
/// capabilities (serve through `app`, and check, render and cert directly), so it may name
/// those it fronts.
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "cli",
        &["app", "config", "content", "site", "gemini", "proto"],
    ),
    (
        "app",
        &[
            "config", "net", "gemini", "gopher", "content", "site", "proto",
        ],
    ),
    ("config", &["content", "proto"]),
    ("gemini", &["net", "content", "proto", "files"]),
    ("gopher", &["net", "content", "proto"]),
    ("content", &["site", "render", "doc", "proto"]),
    ("render", &["doc", "proto"]),
    ("site", &["doc", "files"]),
    ("doc", &[]),
    ("files", &[]),
    ("proto", &[]),
    ("net", &[]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/net/proxy.rs` → `net`, `src/app.rs` → `app`.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// The modules a line names as `prefix<module>`, where `<module>` is a top-level module.
fn named(line: &str, prefix: &str, modules: &BTreeSet<&str>) -> Vec<String> {
    line.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &line[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            modules.contains(name.as_str()).then_some(name)
        })
        .collect()
}

/// Every import of another top-level module, as (importing module, imported module, where).
fn imports() -> Vec<(String, String, String)> {
    let modules: BTreeSet<&str> = ALLOWED.iter().map(|(name, _)| *name).collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        if !modules.contains(module.as_str()) {
            continue;
        }
        // In `src/x/mod.rs` and `src/x.rs`, `super::` is the crate root.
        let is_top = file.file_name().is_some_and(|n| n == "mod.rs")
            && file.parent().is_some_and(|p| p.parent() == Some(&src()))
            || file.parent() == Some(&src());
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let mut names = named(code, "crate::", &modules);
            if is_top {
                names.extend(named(code, "super::", &modules));
            }
            names.extend(named(code, "super::super::", &modules));
            for name in names {
                if name != module {
                    let at = format!("{}:{}", file.display(), number + 1);
                    found.push((module.clone(), name, at));
                }
            }
        }
    }
    found
}

#[test]
fn imports_follow_the_dependency_rule() {
    let broken: Vec<String> = imports()
        .into_iter()
        .filter(|(from, to, _)| {
            let allowed = ALLOWED
                .iter()
                .find(|(name, _)| name == from)
                .map_or(&[][..], |(_, allowed)| allowed);
            !allowed.contains(&to.as_str())
        })
        .map(|(from, to, at)| format!("{at}: {from} imports {to}"))
        .collect();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_rule_sees_imports_at_all() {
    // A test that cannot fail proves nothing: the scan must find the imports it judges.
    let found = imports();
    for (from, to) in [("gemini", "net"), ("content", "site"), ("app", "gopher")] {
        assert!(
            found.iter().any(|(f, t, _)| f == from && t == to),
            "no import of {to} found in {from}"
        );
    }
}

#[test]
fn every_module_is_in_the_table() {
    let known: BTreeSet<&str> = ALLOWED.iter().map(|(name, _)| *name).collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        let module = module_of(&file).unwrap();
        assert!(
            known.contains(module.as_str()) || module == "lib" || module == "main",
            "{}: module {module} is not in the dependency table",
            file.display()
        );
    }
}
