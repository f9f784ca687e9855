//! The packaging files agree with the crate: the Python package takes `Cargo.toml`'s version (maturin reads it),
//! and the pre-commit mirror pins that version and runs the same hook as this repository's own.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The `key: value` line of a hook file, or the `key = "value"` line of a TOML file, first found.
fn value<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line"))
        .trim()
        .trim_matches('"')
}

#[test]
fn the_mirror_pins_this_version() {
    let version = env!("CARGO_PKG_VERSION");
    let mirror = read("pre-commit-mirror/pyproject.toml");
    assert_eq!(value(&mirror, "version = "), version);
    assert!(
        mirror.contains(&format!("dependencies = [\"nplint=={version}\"]")),
        "{mirror}"
    );
    assert!(read("pre-commit-mirror/README.md").contains(&format!("rev: v{version}")));
}

#[test]
fn the_mirror_runs_the_same_hook() {
    let own = read(".pre-commit-hooks.yaml");
    let mirror = read("pre-commit-mirror/.pre-commit-hooks.yaml");
    for key in [
        "  files: ",
        "- id: ",
        "  entry: ",
        "  pass_filenames: ",
        "  require_serial: ",
    ] {
        assert_eq!(value(&own, key), value(&mirror, key), "`{key}` differs");
    }
    assert_eq!(value(&own, "  language: "), "rust");
    assert_eq!(value(&mirror, "  language: "), "python");
}

#[test]
fn the_python_package_takes_the_crate_version() {
    let pyproject = read("pyproject.toml");
    assert!(pyproject.contains("dynamic = [\"version\"]"));
    assert_eq!(value(&pyproject, "bindings = "), "bin");
    assert_eq!(value(&pyproject, "module-name = "), "nplint");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("python/nplint/__main__.py")
            .is_file()
    );
}
