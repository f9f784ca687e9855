//! `--output-file`: the report written to a file instead of standard output, or, with `--output-file-format`, a
//! second format written there from the same run (GitHub annotations on standard output and SARIF for code
//! scanning, as the Action asks).

mod common;

use std::path::Path;

fn inputs() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cmd/inputs/resolution/tensorflow-numpy"
    ))
}

#[test]
fn a_second_format_goes_to_the_file() {
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("nplint.sarif");
    let sarif_arg = sarif.to_str().unwrap();
    let stdout = common::check(
        inputs(),
        &[
            "requirements.txt",
            "--format",
            "concise",
            "--output-file",
            sarif_arg,
            "--output-file-format",
            "sarif",
        ],
    );
    let concise = String::from_utf8(stdout).unwrap();
    let findings = concise
        .lines()
        .filter(|line| line.starts_with("requirements.txt:") || line.starts_with("include/"))
        .count();
    assert!(findings > 0, "{concise}");
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(document["version"], "2.1.0");
    let results = document["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        findings,
        "one SARIF result per finding printed:\n{concise}"
    );
    // Standard output is what it is without the file (less the timing of the summary line).
    let alone = String::from_utf8(common::check(
        inputs(),
        &["requirements.txt", "--format", "concise"],
    ))
    .unwrap();
    let findings_of = |text: &str| {
        text.lines()
            .take(findings)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(findings_of(&alone), findings_of(&concise));
}

#[test]
fn without_a_file_format_the_report_moves_to_the_file() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let stdout = common::check(
        inputs(),
        &[
            "requirements.txt",
            "--format",
            "json",
            "--output-file",
            report.to_str().unwrap(),
        ],
    );
    assert!(stdout.is_empty(), "{}", String::from_utf8_lossy(&stdout));
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert!(!document["diagnostics"].as_array().unwrap().is_empty());
}
