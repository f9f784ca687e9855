//! What the CLI's integration tests share: a check run on one file, its JSON document read back.

use std::path::Path;
use std::process::Command;

/// `nplint check FILE --python PYTHON --platform linux-x86_64 --format json` in `dir`, which must exit 0 or 1.
pub fn check_json(dir: &Path, file: &str, python: &str) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_nplint"))
        .current_dir(dir)
        .args([
            "check",
            file,
            "--python",
            python,
            "--platform",
            "linux-x86_64",
            "--format",
            "json",
        ])
        .output()
        .expect("nplint runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document")
}
