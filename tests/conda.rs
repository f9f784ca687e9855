//! environment.yml files through the CLI: a conda dependency is judged by conda's rules (conda-forge's repodata
//! patches, no verdict from PyPI's wheels), a `pip:` entry by PyPI's wheels.

mod common;

use std::path::Path;

use common::check_json;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cmd/inputs/conda");

/// The findings on `case/environment.yml` on CPython 3.11, linux-x86_64, as (rule, severity, message, labels,
/// explanation).
fn findings(case: &str) -> Vec<(String, String, String, Vec<String>, String)> {
    let document = check_json(&Path::new(CASES).join(case), "environment.yml", "3.11");
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|diagnostic| {
            let labels = diagnostic["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|label| text(&label["message"]))
                .chain(std::iter::once(text(&diagnostic["label"])))
                .filter(|label| !label.is_empty())
                .collect();
            (
                text(&diagnostic["rule"]),
                text(&diagnostic["severity"]),
                text(&diagnostic["message"]),
                labels,
                text(&diagnostic["explanation"]),
            )
        })
        .collect()
}

/// The one finding of `case`, which must be of `rule` at `severity`.
fn only_finding(
    case: &str,
    rule: &str,
    severity: &str,
) -> (String, String, String, Vec<String>, String) {
    let mut found = findings(case);
    assert_eq!(found.len(), 1, "{found:#?}");
    let finding = found.remove(0);
    assert_eq!((finding.0.as_str(), finding.1.as_str()), (rule, severity));
    finding
}

#[test]
fn a_conda_pandas_from_before_numpy_2_gets_numpy_1_and_works() {
    // conda-forge's builds of pandas 2.0.3 need NumPy 1.x, and conda installs 1.26: PyPI's wheels say nothing here.
    assert_eq!(findings("pandas-numpy"), []);
}

#[test]
fn the_same_pandas_from_pip_keeps_its_abi_verdict() {
    let (_, _, message, _, _) = only_finding("pandas-pip", "abi-mismatch", "error");
    assert!(
        message.contains("`pandas==2.0.3` fails at import"),
        "{message}"
    );
}

#[test]
fn a_conda_pandas_from_before_numpy_2_conflicts_with_numpy_2_through_the_patch() {
    let (_, _, _, labels, explanation) = only_finding("pandas-numpy2", "numpy-conflict", "error");
    assert!(
        labels.contains(
            &"`pandas=2.0.3` requires `numpy<2.0` by conda-forge's repodata patch".to_owned()
        ),
        "{labels:#?}"
    );
    assert!(
        explanation.contains("conda-forge's repodata patch numpy2_known_lower_bound.yaml"),
        "{explanation}"
    );
}

/// The `unknown-package` messages of `file` in `case` on CPython 3.12, linux-x86_64.
fn unknown_messages(case: &str, file: &str) -> Vec<String> {
    let document = check_json(&Path::new(CASES).join(case), file, "3.12");
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|diagnostic| diagnostic["rule"] == "unknown-package")
        .map(|diagnostic| {
            diagnostic["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn conda_forge_system_packages_are_known_not_to_need_numpy() {
    // `libblas`, `_openmp_mutex`, `python_abi` and `libgcc-ng` install no Python distribution: counted with `tqdm`
    // (light), not named. `pandas` is checked.
    assert_eq!(
        unknown_messages("conda-only", "environment.yml"),
        [
            "checked 1 of 7 requirements (5 more are known not to need NumPy); `some-internal-thing` is not in \
             nplint's index"
        ]
    );
}

#[test]
fn a_conda_only_name_in_a_requirements_file_is_unknown() {
    // PyPI has no `libblas`: pip could not install it.
    assert_eq!(
        unknown_messages("conda-only", "requirements.txt"),
        ["checked 1 of 2 requirements; `libblas==3.9.0` is not in nplint's index"]
    );
}

#[test]
fn conda_only_packages_of_numpy_related_projects_stay_unknown() {
    // `libtorch` (built with `torch`) stays unknown. `eigenpy`, conda-only on conda-forge (its build ships no
    // `.dist-info`), is a full-tier project on PyPI, indexed since the whole tier is: it is checked as the conda
    // build of an indexed project, like `pandas` above.
    assert_eq!(
        unknown_messages("conda-only-related", "environment.yml"),
        [
            "checked 1 of 3 requirements (1 more is known not to need NumPy); `libtorch` is not in nplint's index"
        ]
    );
}
