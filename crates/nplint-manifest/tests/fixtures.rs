//! Snapshot tests: every file directly under `tests/fixtures/<format>/` is parsed and its manifest snapshotted.
//!
//! The directory names the format (`requirements`, `conda`, `pyproject`), so fixture names can describe the case.
//! Files in subdirectories (`requirements/_includes/...`) are only read when a fixture includes them. Every
//! manifest is also checked against the model's invariants (see `check_invariants`).

use std::path::{Path, PathBuf};

use nplint_manifest::{Format, LoadError, Loader, Manifest, load};

/// Reads files relative to the fixtures directory, so snapshots hold short, machine-independent paths.
struct FixtureLoader {
    root: PathBuf,
}

impl Loader for FixtureLoader {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        std::fs::read(self.root.join(path)).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Io(error),
        })
    }
}

/// The format whose fixtures are in `dir`.
fn format_of_dir(dir: &str) -> Format {
    Format::all()
        .find(|format| format.fixture_dir() == dir)
        .unwrap_or_else(|| panic!("unknown fixture directory `{dir}`"))
}

/// Invariants every parser upholds, whatever the input.
fn check_invariants(manifest: &Manifest) {
    for requirement in &manifest.requirements {
        let location = &requirement.location;
        assert!(
            manifest
                .sources
                .iter()
                .any(|source| std::sync::Arc::ptr_eq(source, &location.file)),
            "a requirement's file is one of the manifest's sources"
        );
        assert!(
            !location.span.is_empty(),
            "requirement spans are not empty: {location:?}"
        );
        assert_eq!(
            location.text().trim(),
            location.text(),
            "requirement spans are trimmed: {location:?}"
        );
        if let Some(version) = &requirement.version_location {
            assert!(
                std::sync::Arc::ptr_eq(&version.file, &location.file)
                    && location.span.start <= version.span.start
                    && version.span.end <= location.span.end,
                "the version span lies inside the requirement span: {version:?} in {location:?}"
            );
        }
    }
    for environment in &manifest.environments {
        for &index in &environment.requirements {
            assert!(
                index < manifest.requirements.len(),
                "environment `{}` indexes a requirement",
                environment.name
            );
        }
    }
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let loader = FixtureLoader { root: root.clone() };
    insta::glob!("fixtures/*/*", |path| {
        if path.is_dir() {
            return;
        }
        let relative = path
            .strip_prefix(&root)
            .expect("fixture under the fixtures directory");
        let dir = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        let manifest = load(relative, format_of_dir(dir), &loader).expect("fixture readable");
        check_invariants(&manifest);
        insta::assert_json_snapshot!(manifest);
    });
}
