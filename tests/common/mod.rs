//! What the CLI's integration tests share: a check run, and a check of one file with its JSON document read back.

use std::path::Path;
use std::process::Command;

/// Variables of the caller's environment that change what nplint prints or reads: a GitHub runner's
/// `GITHUB_ACTIONS=true` makes annotations the default format, the others choose the index snapshot, the cache, the
/// package index and its credentials. No nplint a test starts sees them, unless the test sets one itself.
pub const CALLER_VARIABLES: [&str; 9] = [
    "GITHUB_ACTIONS",
    "NPLINT_CACHE_DIR",
    "NPLINT_INDEX_SNAPSHOT",
    "NPLINT_HTTP_TIMEOUT",
    "NPLINT_HTTP_RETRIES",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "PIP_INDEX_URL",
    "NETRC",
];

/// Where the tests' nplint looks for a cache: nowhere, so that no snapshot `nplint index update` installed on this
/// machine is read and every test sees the embedded index.
pub const NO_CACHE: &str = "/nonexistent/nplint-tests-cache";

/// The nplint binary, without the caller's variables that change what it prints or reads ([`CALLER_VARIABLES`]) and
/// with no cache of this machine's.
#[allow(dead_code, reason = "the trycmd cases start nplint themselves")]
pub fn nplint() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nplint"));
    for variable in CALLER_VARIABLES {
        command.env_remove(variable);
    }
    command.env("XDG_CACHE_HOME", NO_CACHE);
    command
}

/// `nplint check ARGS...` in `dir`, which must exit 0 (clean) or 1 (findings); its standard output.
#[allow(
    dead_code,
    reason = "not every test crate that shares this module runs a check"
)]
pub fn check(dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = nplint()
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
