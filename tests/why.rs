//! `nplint why --format json` against its schema, on a requirements file and on a project with several
//! environments.

mod common;

use std::path::Path;

fn why_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let output = common::nplint()
        .current_dir(dir)
        .args(["why", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn validate(document: &serde_json::Value) {
    common::assert_valid(include_str!("../schemas/nplint-why.schema.json"), document);
}

#[test]
fn a_requirements_file_validates_and_names_the_cap() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cmd/inputs/why"));
    let document = why_json(
        dir,
        &[
            "numpy",
            "--python",
            "3.11,3.13",
            "--platform",
            "linux-x86_64",
        ],
    );
    validate(&document);
    let answers = document["files"][0]["answers"].as_array().unwrap();
    let outcomes: Vec<&str> = answers
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["installed", "fails"]);
    assert_eq!(answers[0]["above"]["next"], "2.0.0");
}

#[test]
fn every_environment_of_a_project_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"p\"\nversion = \"0\"\nrequires-python = \">=3.11\"\ndependencies = [\"numpy\"]\n\n\
         [project.optional-dependencies]\nmodels = [\"gensim==4.3.3\"]\n",
    )
    .unwrap();
    let document = why_json(
        dir.path(),
        &["numpy", "--python", "3.11", "--platform", "linux-x86_64"],
    );
    validate(&document);
    let environments: Vec<&str> = document["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["environment"].as_str().unwrap())
        .collect();
    assert_eq!(environments, ["project", "project[models]"]);
    let capped = |index: usize| {
        document["files"][index]["answers"][0]
            .get("above")
            .is_some()
    };
    // NumPy 2 installs with the project alone; the `models` extra holds it below 2.0.
    assert!(!capped(0), "{document:#}");
    assert!(capped(1), "{document:#}");
}
