//! The runtime rules through the CLI, as an editor would consume them: the JSON of each runtime case validates
//! against the output schema, names the expected rule, and its structured fix, applied to a copy of the file,
//! leaves an environment on which nplint reports no runtime finding.

mod common;

use std::path::{Path, PathBuf};

use common::check_json;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cmd/inputs/runtime");
const RUNTIME_RULES: [&str; 3] = ["abi-mismatch", "removed-numpy-api", "known-pitfall"];

fn validate(document: &serde_json::Value) {
    common::assert_valid(
        include_str!("../schemas/nplint-output.schema.json"),
        document,
    );
}

fn runtime_findings(document: &serde_json::Value) -> Vec<&serde_json::Value> {
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|diagnostic| RUNTIME_RULES.contains(&diagnostic["rule"].as_str().unwrap()))
        .collect()
}

/// Applies a fix's edits (byte offsets, applied back to front) to the file they name, in `dir`.
fn apply(dir: &Path, fix: &serde_json::Value) {
    let mut edits: Vec<&serde_json::Value> = fix["edits"].as_array().unwrap().iter().collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit["span"]["start"]["offset"].as_u64()));
    for edit in edits {
        let path = dir.join(edit["path"].as_str().unwrap());
        let mut text = std::fs::read_to_string(&path).unwrap();
        let start = usize::try_from(edit["span"]["start"]["offset"].as_u64().unwrap()).unwrap();
        let end = usize::try_from(edit["span"]["end"]["offset"].as_u64().unwrap()).unwrap();
        text.replace_range(start..end, edit["replacement"].as_str().unwrap());
        std::fs::write(&path, text).unwrap();
    }
}

#[test]
fn runtime_findings_validate_and_their_fixes_work() {
    for (case, python, rule) in [
        ("tensorflow-gensim", "3.8", "abi-mismatch"),
        ("pandas-unpinned", "3.11", "abi-mismatch"),
        ("prophet", "3.11", "removed-numpy-api"),
        ("shapely-numpy21", "3.11", "known-pitfall"),
        ("patsy-numpy2", "3.11", "known-pitfall"),
        ("datasets-numpy2", "3.11", "known-pitfall"),
        ("seaborn-numpy1240", "3.11", "known-pitfall"),
        ("xarray-numpy120", "3.9", "known-pitfall"),
        ("xarray-numpy2-concat", "3.11", "known-pitfall"),
    ] {
        let scratch = tempfile::tempdir().unwrap();
        let dir: PathBuf = scratch.path().to_path_buf();
        std::fs::copy(
            Path::new(CASES).join(case).join("requirements.txt"),
            dir.join("requirements.txt"),
        )
        .unwrap();
        let document = check_json(&dir, "requirements.txt", python);
        validate(&document);
        let findings = runtime_findings(&document);
        assert_eq!(findings.len(), 1, "{case}: {document:#}");
        let finding = findings[0];
        assert_eq!(finding["rule"], rule, "{case}: {finding:#}");
        assert_eq!(finding["severity"], "error", "{case}: {finding:#}");
        assert!(finding["help"].is_string(), "{case}: {finding:#}");
        let fix = &finding["fix"];
        assert_eq!(fix["applicability"], "unsafe", "{case}: {finding:#}");
        apply(&dir, fix);
        let fixed = check_json(&dir, "requirements.txt", python);
        validate(&fixed);
        assert!(
            runtime_findings(&fixed).is_empty(),
            "{case}: after `{}`:\n{}\n{fixed:#}",
            fix["message"],
            std::fs::read_to_string(dir.join("requirements.txt")).unwrap()
        );
    }
}

#[test]
fn sarif_of_a_runtime_finding_matches_the_official_schema() {
    let output = common::nplint()
        .current_dir(Path::new(CASES).join("tensorflow-gensim"))
        .args([
            "check",
            "requirements.txt",
            "--python",
            "3.8",
            "--platform",
            "linux-x86_64",
            "--format",
            "sarif",
        ])
        .output()
        .expect("nplint runs");
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::assert_valid(
        include_str!("../crates/nplint-report/tests/data/sarif-schema-2.1.0.json"),
        &document,
    );
    let run = &document["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|rule| {
        rule["name"] == "abi-mismatch"
            && rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with("docs/rules/abi-mismatch.md")
    }));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "NPL020");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "NPL020"
    );
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 1);
}

#[test]
fn suppression_comments_work_in_every_format() {
    for (file, text) in [
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nversion = \"0\"\nrequires-python = \">=3.11,<3.12\"\ndependencies = [\n    \
             \"pandas==2.0.3\",  # nplint: ignore[abi-mismatch]\n]\n",
        ),
        (
            "environment.yml",
            // Under `pip:`: pip installs PyPI's wheel, whose ABI facts apply (a conda package's do not).
            "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - pandas==2.0.3  # nplint: ignore[NPL020]\n",
        ),
        (
            "requirements.txt",
            "pandas==2.0.3  # nplint: ignore[abi-mismatch]\n",
        ),
    ] {
        let scratch = tempfile::tempdir().unwrap();
        std::fs::write(scratch.path().join(file), text).unwrap();
        let document = check_json(scratch.path(), file, "3.11");
        validate(&document);
        let rules: Vec<&str> = document["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|diagnostic| diagnostic["rule"].as_str().unwrap())
            .collect();
        assert!(
            !rules.contains(&"abi-mismatch") && !rules.contains(&"unused-suppression"),
            "{file}: {document:#}"
        );
        // Without the comment, the finding is there.
        let bare = text
            .replace("  # nplint: ignore[abi-mismatch]", "")
            .replace("  # nplint: ignore[NPL020]", "");
        std::fs::write(scratch.path().join(file), bare).unwrap();
        let document = check_json(scratch.path(), file, "3.11");
        assert!(
            document["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|diagnostic| diagnostic["rule"] == "abi-mismatch"),
            "{file}: {document:#}"
        );
    }
}

/// A finding about a package the environment only constrains (`cftime==1.6.3` in a `-c` file, reached through
/// `-r app.txt`) stands on the constraint's line, not on the first line of the first included file.
#[test]
fn a_constrained_package_is_reported_on_its_constraint() {
    let document = check_json(
        &Path::new(CASES).join("cftime-constrained"),
        "requirements.txt",
        "3.11",
    );
    let findings = runtime_findings(&document);
    assert_eq!(findings.len(), 1, "{document:#}");
    let finding = findings[0];
    assert_eq!(finding["rule"], "abi-mismatch");
    assert_eq!(finding["path"], "constraints.txt");
    assert_eq!(finding["span"]["start"]["line"], 1);
}
