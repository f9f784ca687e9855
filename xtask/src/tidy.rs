//! Tidy checks on the source tree, run as ordinary tests so no check exists only in CI.

use std::path::{Path, PathBuf};

use crate::workspace_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "fixtures" {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["src", "crates", "xtask", "tests"] {
        if root.join(dir).exists() {
            rust_files(&root.join(dir), &mut files);
        }
    }
    assert!(files.len() > 10, "found the sources");
    files
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    let missing: Vec<_> = all_rust_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a leading `//!` line: {missing:#?}"
    );
}

#[test]
fn no_ignored_or_should_panic_tests() {
    // Spelled in two pieces so that this file does not match itself.
    let banned = [concat!("#[should", "_panic"), concat!("#[ig", "nore")];
    for path in all_rust_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for pattern in banned {
            assert!(!text.contains(pattern), "`{pattern}` in {}", path.display());
        }
    }
}

/// Every snapshot of a fixture has its fixture: a renamed or deleted fixture must take its snapshot along.
#[test]
fn no_orphaned_fixture_snapshots() {
    let manifest_tests = workspace_root().join("crates/nplint-manifest/tests");
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(manifest_tests.join("snapshots")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.extension().is_none_or(|ext| ext != "snap") {
            // Pending `.snap.new` files are insta's working state, ignored by git.
            continue;
        }
        let Some(fixture) = name
            .strip_prefix("fixtures__fixtures@")
            .and_then(|rest| rest.strip_suffix(".snap"))
        else {
            orphans.push(name);
            continue;
        };
        // insta names a glob snapshot by the fixture's path with `/` written as `__`.
        let path = manifest_tests
            .join("fixtures")
            .join(fixture.replacen("__", "/", 1));
        if !path.is_file() {
            orphans.push(name);
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture (delete them): {orphans:#?}"
    );
}
