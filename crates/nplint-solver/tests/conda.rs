//! Solves of packages installed from conda ([`Input::conda`]): conda's builds decide whether they install, and
//! conda-forge's repodata patches bound their NumPy.

mod common;

use std::str::FromStr;

use common::{requirements, solve, target};
use nplint_solver::{Cause, Input, Outcome, SolverPackage, explain};
use pep440_rs::Version;
use pep508_rs::PackageName;

/// Requirements (`name` and specifiers), with ids in order, installed from conda or not.
fn inputs(lines: &[&str], conda: bool) -> Vec<Input> {
    let mut inputs = requirements(lines);
    for input in &mut inputs {
        input.conda = conda;
    }
    inputs
}

fn numpy_of(outcome: &Outcome) -> Version {
    let solution = outcome
        .as_solution()
        .unwrap_or_else(|| panic!("expected a solution, got {outcome:#?}"));
    solution.versions[&PackageName::from_str("numpy").unwrap()].clone()
}

#[test]
fn a_conda_pandas_before_2_2_2_gets_numpy_1() {
    let lines = ["pandas==2.0.3", "numpy"];
    let from_conda = solve(&inputs(&lines, true), target(11));
    assert!(numpy_of(&from_conda) < Version::from_str("2").unwrap());
    // PyPI's pandas 2.0.3 declares no upper bound: a resolver takes NumPy 2.
    let from_pypi = solve(&inputs(&lines, false), target(11));
    assert!(numpy_of(&from_pypi) >= Version::from_str("2").unwrap());
}

#[test]
fn a_conda_pandas_before_2_2_2_and_numpy_2_conflict_through_the_patch() {
    let outcome = solve(&inputs(&["pandas==2.0.3", "numpy>=2"], true), target(11));
    let conflict = outcome.as_conflict().expect("a conflict");
    let patches: Vec<&str> = conflict
        .causes()
        .into_iter()
        .filter_map(|cause| match cause {
            Cause::Dependency {
                package: SolverPackage::CondaPatch(node),
                ..
            } => Some(node.bound.patch),
            _ => None,
        })
        .collect();
    assert_eq!(patches, ["recipe/patch_yaml/numpy2_known_lower_bound.yaml"]);
    let text = explain(conflict);
    assert!(
        text.contains(
            "conda-forge's repodata patch numpy2_known_lower_bound.yaml makes conda's pandas<2.2.2 \
             depend on numpy<2.0"
        ),
        "{text}"
    );
    // The conclusion drawn from the patch is not PyPI's metadata.
    assert!(!text.contains("by its PyPI metadata"), "{text}");
}

#[test]
fn releases_the_patches_do_not_cover_keep_their_metadata() {
    let outcome = solve(&inputs(&["pandas==2.2.2", "numpy>=2"], true), target(11));
    assert!(numpy_of(&outcome) >= Version::from_str("2").unwrap());
}

/// `line` on CPython 3.`minor` does not install from PyPI, and installs NumPy `numpy` from conda.
fn installs_from_conda_only(line: &str, minor: u8, numpy: &str) {
    assert!(
        solve(&inputs(&[line], false), target(minor))
            .as_conflict()
            .is_some()
    );
    assert_eq!(
        numpy_of(&solve(&inputs(&[line], true), target(minor))),
        Version::from_str(numpy).unwrap()
    );
}

#[test]
fn a_conda_package_installs_without_a_wheel_for_the_target() {
    // numpy 1.19.5 has wheels for CPython 3.6-3.9 only; its Requires-Python (>=3.6) admits 3.10.
    installs_from_conda_only("numpy==1.19.5", 10, "1.19.5");
}

#[test]
fn pypi_yanking_does_not_reach_conda_packages() {
    // numpy 2.4.0 is yanked on PyPI.
    installs_from_conda_only("numpy>=2.4.0,<2.4.1", 12, "2.4.0");
}

#[test]
fn steps_on_a_conda_package_resting_on_pypi_metadata_say_so() {
    let outcome = solve(&inputs(&["numpy>=1.25"], true), target(8));
    let text = explain(outcome.as_conflict().expect("a conflict"));
    assert_eq!(
        text,
        "Because numpy>=1.25 depends on python>=3.9 by its PyPI metadata (the target Python version is 3.8) \
         and you require numpy>=1.25, we can conclude that your requirements are unsatisfiable."
    );
    let outcome = solve(&inputs(&["numpy>=1.25"], false), target(8));
    let text = explain(outcome.as_conflict().expect("a conflict"));
    assert!(!text.contains("PyPI"), "{text}");
}
