//! Hostile input: whatever the bytes, `nplint check` ends with a located diagnostic and exit code 1 or 2, never a
//! panic (101) or a hang.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Far above any real run; only a hang or a pathological slowdown exceeds it.
const HANG_LIMIT: Duration = Duration::from_secs(20);

fn nplint(dir: &Path, args: &[&str]) -> (Output, serde_json::Value) {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_nplint"))
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
