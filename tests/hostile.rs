//! Hostile input: whatever the bytes, `nplint check` ends with a located diagnostic and exit code 1 or 2, never a
//! panic (101) or a hang.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Far above any real run; only a hang or a pathological slowdown exceeds it.
const HANG_LIMIT: Duration = Duration::from_secs(20);

fn nplint(dir: &Path, args: &[&str]) -> (Output, serde_json::Value) {
    let start = Instant::now();
    let output = common::nplint()
        .args(args)
        .args(["--format", "json"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("nplint runs");
    assert!(
        start.elapsed() < HANG_LIMIT,
        "`nplint {args:?}` took {:?}",
        start.elapsed()
    );
    assert_ne!(
        output.status.code(),
        Some(101),
        "panic: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is one JSON document ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output, json)
}

/// A deterministic xorshift byte stream, so failures reproduce.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

fn assert_located_error(json: &serde_json::Value, file: &str) {
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let diagnostic = diagnostics
        .iter()
        .find(|d| d["path"] == file && d["severity"] == "error")
        .unwrap_or_else(|| panic!("an error located in `{file}`: {json:#}"));
    assert!(diagnostic["span"]["start"]["line"].as_u64().unwrap() >= 1);
    assert!(diagnostic["span"]["start"]["column"].as_u64().unwrap() >= 1);
}

#[test]
fn random_bytes_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (seed, name) in [
        (1, "requirements.txt"),
        (2, "environment.yml"),
        (3, "pyproject.toml"),
    ] {
        std::fs::write(dir.path().join(name), random_bytes(seed, 4096)).unwrap();
        let (output, json) = nplint(dir.path(), &["check", name]);
        assert_eq!(output.status.code(), Some(1), "{name}: {json:#}");
        assert_located_error(&json, name);
    }
}

#[test]
fn random_printable_text_in_every_format() {
    // Valid UTF-8 that reaches the parsers proper: printable ASCII, newlines and the formats' punctuation.
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789 \n\n\t=<>!~*.,;:[]{}()\"'#@-\\|&^$%/+?";
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..=30 {
        for name in ["requirements.txt", "environment.yml", "pyproject.toml"] {
            let text: Vec<u8> = random_bytes(seed * 7 + name.len() as u64, 2048)
                .iter()
                .map(|b| alphabet[*b as usize % alphabet.len()])
                .collect();
            std::fs::write(dir.path().join(name), text).unwrap();
            let (output, json) = nplint(dir.path(), &["check", name]);
            let code = output.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "{name} seed {seed}: exit {code:?}"
            );
            if code == Some(1) {
                assert_located_error(&json, name);
            }
        }
    }
}

#[test]
fn a_file_above_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let line = b"numpy>=1.20\n";
    let big: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(50 * 1024 * 1024)
        .collect();
    std::fs::write(dir.path().join("requirements.txt"), big).unwrap();
    let (output, json) = nplint(dir.path(), &["check", "requirements.txt"]);
    assert_eq!(output.status.code(), Some(2));
    let diagnostic = &json["diagnostics"][0];
    assert_eq!(diagnostic["rule"], "io-error");
    assert_eq!(diagnostic["path"], "requirements.txt");
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("50 MiB, larger than the 16 MiB"),
        "{diagnostic:#}"
    );
}

#[test]
fn a_fifo_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("requirements.txt"))
        .status();
    if !status.is_ok_and(|status| status.success()) {
        // No mkfifo on this platform: nothing to test.
        return;
    }
    let (output, json) = nplint(dir.path(), &["check", "requirements.txt"]);
    assert_eq!(output.status.code(), Some(2), "{json:#}");
    assert_eq!(json["diagnostics"][0]["rule"], "io-error");
}

/// Every file name nplint discovers, one per format.
const EVERY_FORMAT: &[&str] = &[
    "requirements.txt",
    "environment.yml",
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pylock.toml",
    "Pipfile",
    "Pipfile.lock",
    "conda-lock.yml",
    "pixi.lock",
];

/// Runs `nplint check NAME` on `bytes` and asks for the end the issue promises: exit 0, 1 or 2, never a panic, a
/// crash (no exit code: a signal, such as a stack overflow) or a hang; a finding that fails the run is located.
fn check_bytes(name: &str, bytes: &[u8]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let (output, json) = nplint(dir.path(), &["check", name]);
    let code = output.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{name}: exit {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    if code == Some(1) {
        assert_located_error(&json, name);
    }
    json
}

#[test]
fn random_bytes_in_every_lockfile_format() {
    for (seed, name) in (10..).zip(EVERY_FORMAT) {
        check_bytes(name, &random_bytes(seed, 4096));
    }
}

#[test]
fn nul_bytes_and_invalid_utf8_in_every_format() {
    for name in EVERY_FORMAT {
        let json = check_bytes(name, b"numpy\0>=1.20\n\0\0[x]\0\n");
        assert!(
            !json["diagnostics"].as_array().unwrap().is_empty(),
            "{name}"
        );
        let json = check_bytes(name, b"numpy>=1.20\n\xff\xfe\xc3\x28\n");
        let diagnostics = json["diagnostics"].as_array().unwrap();
        assert!(
            diagnostics
                .iter()
                .any(|d| d["message"].as_str().unwrap().contains("not valid UTF-8")),
            "{name}: {json:#}"
        );
    }
}

#[test]
fn deep_nesting_is_refused_not_recursed() {
    const DEPTH: usize = 100_000;
    let toml_arrays = format!("x = {}{}\n", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let toml_tables = format!("x = {}{}\n", "{a = ".repeat(DEPTH), "}".repeat(DEPTH));
    let yaml_flow = format!("dependencies: {}{}\n", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let mut yaml_block = String::new();
    for level in 0..2_000 {
        let _ = writeln!(yaml_block, "{}- ", "  ".repeat(level));
    }
    for name in [
        "pyproject.toml",
        "uv.lock",
        "poetry.lock",
        "pdm.lock",
        "pylock.toml",
        "Pipfile",
    ] {
        check_bytes(name, toml_arrays.as_bytes());
        check_bytes(name, toml_tables.as_bytes());
    }
    for name in ["environment.yml", "conda-lock.yml", "pixi.lock"] {
        check_bytes(name, yaml_flow.as_bytes());
        check_bytes(name, yaml_block.as_bytes());
    }
    let json_arrays = format!(
        "{{\"default\": {}{}}}",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    check_bytes("Pipfile.lock", json_arrays.as_bytes());
}

#[test]
fn yaml_alias_bombs_are_not_expanded() {
    // "Billion laughs": nine levels of ten aliases each would be 10^9 nodes if expanded.
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        let _ = writeln!(bomb, "a{level}: &a{level} [{items}]");
    }
    let environment = format!("{bomb}dependencies: *a9\n");
    let conda_lock = format!("{bomb}version: 1\nmetadata: {{platforms: *a9}}\npackage: *a9\n");
    let pixi = format!(
        "{bomb}version: 6\nenvironments: {{default: {{packages: {{linux-64: *a9}}}}}}\npackages: *a9\n"
    );
    for (name, text) in [
        ("environment.yml", environment),
        ("conda-lock.yml", conda_lock),
        ("pixi.lock", pixi),
    ] {
        check_bytes(name, text.as_bytes());
    }
}

#[test]
fn a_hundred_thousand_requirements() {
    let mut text = String::from("numpy>=1.20\n");
    for i in 0..100_000 {
        let _ = writeln!(text, "internal-package-{i}==1.0");
    }
    let json = check_bytes("requirements.txt", text.as_bytes());
    let unknown = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unknown-package")
        .expect("the unknown packages are listed");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .starts_with("checked 1 of 100001 requirements"),
        "{unknown:#}"
    );
}

#[test]
fn a_file_of_a_hundred_megabytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("uv.lock")).unwrap();
    // Sparse: the size is what nplint checks before reading.
    file.set_len(100 * 1024 * 1024).unwrap();
    let (output, json) = nplint(dir.path(), &["check", "uv.lock"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("100 MiB, larger than the 16 MiB"),
        "{json:#}"
    );
}

#[test]
fn include_chains_and_cycles_end() {
    let dir = tempfile::tempdir().unwrap();
    for level in 0..1_000 {
        std::fs::write(
            dir.path().join(format!("r{level}.txt")),
            format!("-r r{}.txt\n", level + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("r1000.txt"), "numpy==1.26.4\n").unwrap();
    let (output, _) = nplint(dir.path(), &["check", "r0.txt", "--python", "3.11"]);
    assert_eq!(output.status.code(), Some(0));

    // A cycle of three files, each including the next.
    for (name, next) in [("a.txt", "b.txt"), ("b.txt", "c.txt"), ("c.txt", "a.txt")] {
        std::fs::write(dir.path().join(name), format!("-r {next}\nnumpy\n")).unwrap();
    }
    let (output, json) = nplint(dir.path(), &["check", "a.txt"]);
    assert_eq!(output.status.code(), Some(1), "{json:#}");
    assert!(json.to_string().contains("cycle"), "{json:#}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_end() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/requirements.txt"), "numpy\n").unwrap();
    // A directory link back up, a pair of file links pointing at each other, and a link to nothing.
    symlink("..", dir.path().join("sub/up")).unwrap();
    symlink("requirements-b.txt", dir.path().join("requirements-a.txt")).unwrap();
    symlink("requirements-a.txt", dir.path().join("requirements-b.txt")).unwrap();
    symlink("missing.txt", dir.path().join("requirements-dangling.txt")).unwrap();
    let (output, json) = nplint(dir.path(), &["check", "."]);
    assert!(matches!(output.status.code(), Some(0..=2)), "{json:#}");
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["sub/requirements.txt"], "{json:#}");
    // Named explicitly, a looping link is an I/O error, located at the file.
    let (output, json) = nplint(dir.path(), &["check", "requirements-a.txt"]);
    assert_eq!(output.status.code(), Some(2), "{json:#}");
    assert_eq!(json["diagnostics"][0]["rule"], "io-error");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_io_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(&path, "numpy\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to test.
        return;
    }
    let (output, json) = nplint(dir.path(), &["check", "requirements.txt"]);
    assert_eq!(output.status.code(), Some(2), "{json:#}");
    assert_eq!(json["diagnostics"][0]["rule"], "io-error");
}
