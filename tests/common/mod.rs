//! What the CLI's integration tests share: a check run, and a check of one file with its JSON document read back.

use std::path::Path;
use std::process::Command;

/// `nplint check ARGS...` in `dir`, which must exit 0 (clean) or 1 (findings); its standard output.
pub fn check(dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_nplint"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("nplint runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// `nplint check FILE --python PYTHON --platform linux-x86_64 --format json` in `dir`, its document read back.
#[allow(
    dead_code,
    reason = "not every test crate that shares this module reads JSON"
)]
pub fn check_json(dir: &Path, file: &str, python: &str) -> serde_json::Value {
    let stdout = check(
        dir,
        &[
            file,
            "--python",
            python,
            "--platform",
            "linux-x86_64",
            "--format",
            "json",
        ],
    );
    serde_json::from_slice(&stdout).expect("one JSON document")
}

/// Asserts that `document` validates against the JSON schema `schema` (its text), naming every error.
#[allow(
    dead_code,
    reason = "not every test crate that shares this module validates documents"
)]
pub fn assert_valid(schema: &str, document: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(schema).expect("a JSON schema");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
}
