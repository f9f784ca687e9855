//! The embedded index through the CLI: `nplint index stats` meets the coverage the project promises.

mod common;

fn stats() -> serde_json::Value {
    let output = common::nplint()
        .args([
            "--index-snapshot",
            "embedded",
            "index",
            "stats",
            "--format",
            "json",
        ])
        .output()
        .expect("nplint runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document")
}

#[test]
fn the_index_covers_the_numpy_ecosystem() {
    let stats = stats();
    assert_eq!(stats["schema_version"], 1);
    assert!(stats["packages"].as_u64().unwrap() >= 150, "{stats:#}");
    assert!(stats["releases"].as_u64().unwrap() >= 5000, "{stats:#}");
    assert_eq!(stats["numpy"]["oldest"], "1.13.0", "{stats:#}");
    assert!(stats["snapshot"].as_str().unwrap().len() >= 10, "{stats:#}");
}

#[test]
fn version_names_the_index_date() {
    let output = common::nplint()
        .args(["--index-snapshot", "embedded", "--version"])
        .output()
        .unwrap();
    let version = String::from_utf8(output.stdout).unwrap();
    let stats = stats();
    let date = &stats["snapshot"].as_str().unwrap()[..10];
    assert!(
        version.contains(&format!("(index {date}, embedded)")),
        "{version}"
    );
}
