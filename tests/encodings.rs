//! Files saved in other encodings than UTF-8 check as their UTF-8 twins do: same findings, same lines and columns.

mod common;

use std::path::Path;

use common::check_json;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cmd/inputs/encodings");

/// The findings on `file`, with the file's name and byte offsets (which count the encoding's byte order mark)
/// taken out.
fn findings(file: &str) -> Vec<serde_json::Value> {
    let document = check_json(Path::new(CASES), file, "3.8");
    let mut text = serde_json::to_string(&document["diagnostics"]).unwrap();
    text = text.replace(file, "FILE");
    let mut diagnostics: serde_json::Value = serde_json::from_str(&text).unwrap();
    strip_offsets(&mut diagnostics);
    diagnostics.as_array().unwrap().clone()
}

fn strip_offsets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("offset");
            map.values_mut().for_each(strip_offsets);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_offsets),
        _ => {}
    }
}

#[test]
fn a_utf16_pip_freeze_checks_like_its_utf8_twin() {
    // Windows PowerShell 5.1 writes `pip freeze > requirements.txt` as UTF-16-LE with a byte order mark and CRLF.
    let bytes = std::fs::read(Path::new(CASES).join("requirements-utf16.txt")).unwrap();
    assert!(bytes.starts_with(b"\xff\xfe") && bytes.contains(&0));
    let utf16 = findings("requirements-utf16.txt");
    let utf8 = findings("requirements-utf8.txt");
    assert!(
        utf8.iter().any(|finding| finding["severity"] == "error"),
        "the twin has a finding to compare: {utf8:#?}"
    );
    assert_eq!(utf16, utf8);
}
