//! `nplint upgrade`: the JSON document against its schema, `--write` through the fix machinery, and a lockfile
//! planned through its manifest.

mod common;

use std::path::Path;
use std::process::Output;

fn nplint(dir: &Path, args: &[&str]) -> Output {
    common::nplint()
        .current_dir(dir)
        .arg("upgrade")
        .args(args)
        .output()
        .unwrap()
}

const TARGETS: [&str; 4] = ["--python", "3.12", "--platform", "linux-x86_64"];

#[test]
fn the_json_document_validates_and_its_edits_are_a_fix_s() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cmd/inputs/upgrade"
    ));
    let output = nplint(
        dir,
        &[&["numpy>=2", "--format", "json"], &TARGETS[..]].concat(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_valid(
        include_str!("../schemas/nplint-upgrade.schema.json"),
        &document,
    );
    let changes = document["files"][0]["parts"][0]["changes"]
        .as_array()
        .unwrap();
    let after: Vec<&str> = changes
        .iter()
        .map(|change| change["after"].as_str().unwrap())
        .collect();
    assert_eq!(after, ["gensim==4.4.0", "scipy<1.14", "pandas==2.2.2"]);
    // Each edit replaces the text its span covers.
    let text = std::fs::read_to_string(dir.join("requirements.txt")).unwrap();
    for change in changes {
        let edit = &change["edits"][0];
        let start = edit["span"]["start"]["offset"].as_u64().unwrap() as usize;
        let end = edit["span"]["end"]["offset"].as_u64().unwrap() as usize;
        let before = change["before"].as_str().unwrap();
        assert!(
            before.contains(&text[start..end]),
            "{before} {}",
            &text[start..end]
        );
    }
}

#[test]
fn write_applies_the_plan_and_the_file_then_checks_clean_with_the_goal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(
        &path,
        "# models\ngensim==4.3.2  # trained with 4.3\r\nscipy<1.13\r\n",
    )
    .unwrap();
    let output = nplint(
        dir.path(),
        &[&["numpy>=2", "--write"], &TARGETS[..]].concat(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# models\ngensim==4.4.0  # trained with 4.3\r\nscipy<1.14\r\n",
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("wrote 2 changes to"));
    // Planned again, it is ready.
    let output = nplint(dir.path(), &[&["numpy>=2"], &TARGETS[..]].concat());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("installs with `numpy>=2` and works as it stands"),
        "{stdout}"
    );
}

#[test]
fn a_lockfile_is_planned_through_its_manifest_then_locked_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"p\"\nversion = \"0\"\nrequires-python = \">=3.12\"\ndependencies = [\"pandas==2.1.1\", \"numpy<2\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("uv.lock"),
        "version = 1\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"numpy\"\nversion = \"1.26.4\"\nsource = { registry = \"https://example.invalid/simple\" }\n",
    )
    .unwrap();
    let output = nplint(
        dir.path(),
        &[&["numpy>=2", "uv.lock"], &TARGETS[..]].concat(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("pyproject.toml (project): 2 changes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("then lock again: `uv lock` in `.`"),
        "{stdout}"
    );
    // Never written into the lock.
    let output = nplint(
        dir.path(),
        &[&["numpy>=2", "uv.lock", "--write"], &TARGETS[..]].concat(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(dir.path().join("uv.lock"))
            .unwrap()
            .contains("1.26.4")
    );
    assert!(
        std::fs::read_to_string(dir.path().join("pyproject.toml"))
            .unwrap()
            .contains("\"pandas==2.2.2\", \"numpy>=2\"")
    );
}

#[test]
fn a_goal_outside_the_index_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = nplint(dir.path(), &["left-pad>=2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not among the packages nplint solves")
    );
}

#[test]
fn caps_on_packages_left_out_of_the_solve_are_named_in_a_valid_document() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cmd/inputs/upgrade-unsolved"
    ));
    let output = nplint(
        dir,
        &[&["numpy>=2", "--format", "json"], &TARGETS[..]].concat(),
    );
    assert_eq!(output.status.code(), Some(0));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_valid(
        include_str!("../schemas/nplint-upgrade.schema.json"),
        &document,
    );
    // `httpx==0.24.0` caps a package nplint does not solve; `requests>=2.31` caps nothing.
    assert_eq!(
        document["files"][0]["unsolved"],
        serde_json::json!(["httpx==0.24.0"])
    );
}
