//! Agreement with a real resolver: every question of `crates/nplint-solver/tests/corpus/verdicts.toml` (verdicts
//! recorded with uv, see the README beside it) is asked of the solver, reading each environment file with nplint's
//! own parser and mapping it to solver inputs exactly as `nplint check` does.

mod common;

use std::path::{Path, PathBuf};

use common::CorpusLoader;
use nplint_manifest::{Format, load};
use nplint_rules::solver_input;
use nplint_solver::{Input, Platform, PythonVersion, Target, solve};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../nplint-solver/tests/corpus");

struct Case {
    file: String,
    /// The environment of the file the question is about (`project[gpu]`, `group:ml`); a requirements file has one.
    environment: Option<String>,
    python: String,
    platform: String,
    installable: bool,
    numpy: Option<String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(Path::new(CORPUS).join("verdicts.toml")).unwrap();
    let document: toml_edit::DocumentMut = text.parse().unwrap();
    let field = |case: &toml_edit::Table, key: &str| {
        case.get(key)
            .and_then(|item| item.as_str())
            .map(str::to_owned)
    };
    document["case"]
        .as_array_of_tables()
        .expect("`[[case]]` tables")
        .iter()
        .map(|case| Case {
            file: field(case, "file").unwrap(),
            environment: field(case, "environment"),
            python: field(case, "python").unwrap(),
            platform: field(case, "platform").unwrap(),
            installable: match field(case, "verdict").as_deref() {
                Some("installable") => true,
                Some("unsatisfiable") => false,
                other => panic!("unknown verdict {other:?}"),
            },
            numpy: field(case, "numpy"),
        })
        .collect()
}

/// The requirements of one of the file's environments as solver inputs, ids being indices into the manifest's
/// requirements.
fn inputs(file: &str, environment: Option<&str>) -> Vec<Input> {
    let format = if file.ends_with("pyproject.toml") {
        Format::Pyproject
    } else {
        Format::RequirementsTxt
    };
    let manifest = load(
        &PathBuf::from(file),
        format,
        &CorpusLoader {
            root: CORPUS,
            replaced: None,
        },
    )
    .unwrap();
    assert!(
        manifest.issues.is_empty(),
        "`{file}` parses cleanly: {:#?}",
        manifest.issues
    );
    let environment = if let Some(name) = environment {
        manifest
            .environments
            .iter()
            .find(|environment| environment.name == name)
            .unwrap_or_else(|| panic!("`{file}` has no environment `{name}`"))
    } else {
        assert_eq!(
            manifest.environments.len(),
            1,
            "`{file}` has one environment, or the case names one"
        );
        &manifest.environments[0]
    };
    environment
        .requirements
        .iter()
        .filter_map(|&id| solver_input(id, &manifest.requirements[id]))
        .collect()
}

#[test]
#[allow(
    clippy::print_stderr,
    reason = "NumPy choices that differ are reported for review, not failed"
)]
fn agrees_with_every_recorded_verdict() {
    let cases = cases();
    assert!(cases.len() >= 60, "the corpus holds at least 60 questions");
    let mut disagreements = Vec::new();
    let mut numpy_differs = Vec::new();
    for case in &cases {
        let target = Target {
            python: case.python.parse::<PythonVersion>().unwrap(),
            platform: case.platform.parse::<Platform>().unwrap(),
        };
        let outcome = solve(
            nplint_index::Index::embedded(),
            &inputs(&case.file, case.environment.as_deref()),
            target,
        );
        let environment = case
            .environment
            .as_deref()
            .map(|name| format!(" ({name})"))
            .unwrap_or_default();
        let question = format!(
            "{}{environment} on {} {}",
            case.file, case.python, case.platform
        );
        if outcome.is_solved() != case.installable {
            disagreements.push(format!(
                "{question}: the resolver says {}, nplint says {}",
                if case.installable {
                    "installable"
                } else {
                    "unsatisfiable"
                },
                if outcome.is_solved() {
                    "installable"
                } else {
                    "unsatisfiable"
                },
            ));
        } else if let (Some(solution), Some(numpy)) = (outcome.as_solution(), &case.numpy) {
            let ours = solution
                .versions
                .iter()
                .find(|(name, _)| name.as_ref() == "numpy")
                .map(|(_, v)| v.to_string());
            if ours.as_deref() != Some(numpy.as_str()) {
                numpy_differs.push(format!("{question}: numpy {numpy} (resolver) vs {ours:?}"));
            }
        }
    }
    // Both resolvers prefer the newest versions, but a different search order may settle on another valid NumPy:
    // shown for review, not a failure.
    if !numpy_differs.is_empty() {
        eprintln!(
            "installable with another NumPy than the resolver chose:\n  {}",
            numpy_differs.join("\n  ")
        );
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} verdicts disagree:\n  {}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n  ")
    );
}
