//! Solves over the embedded index, asserting facts that `cargo run -- index show NAME==VERSION` shows.

mod common;

use std::str::FromStr;

use common::{input, requirements, solve, target};
use nplint_index::WheelPythonRange;
use nplint_solver::{
    Cause, Conflict, Outcome, Platform, PythonVersion, Role, Solver, SolverPackage, Target,
    Unavailable,
};
use pep440_rs::Version;
use pep508_rs::PackageName;

fn name(name: &str) -> PackageName {
    PackageName::from_str(name).unwrap()
}

fn version(version: &str) -> Version {
    Version::from_str(version).unwrap()
}

fn solved_version(outcome: &Outcome, package: &str) -> Option<String> {
    let solution = outcome
        .as_solution()
        .unwrap_or_else(|| panic!("expected a solution, got {outcome:#?}"));
    solution
        .versions
        .get(&name(package))
        .map(ToString::to_string)
}

fn conflict(outcome: &Outcome) -> &Conflict {
    outcome
        .as_conflict()
        .unwrap_or_else(|| panic!("expected a conflict, got {outcome:#?}"))
}

#[test]
fn tensorflow_2_5_and_a_newer_numpy_conflict() {
    let outcome = solve(
        &requirements(&["tensorflow==2.5.0", "numpy>=1.21"]),
        target(8),
    );
    let conflict = conflict(&outcome);
    assert_eq!(conflict.inputs, [0, 1]);
    assert!(conflict.unknown.is_empty());
    let tensorflow = SolverPackage::Package(name("tensorflow"));
    let numpy = SolverPackage::Package(name("numpy"));
    assert!(conflict.causes().iter().any(|cause| matches!(
        cause,
        Cause::Dependency { package, dependency, dependency_range, .. }
            if **package == tensorflow
                && **dependency == numpy
                && dependency_range.to_string() == ">=1.19.2, <1.20.dev0"
    )));
}

#[test]
fn tensorflow_2_5_alone_takes_numpy_1_19() {
    let outcome = solve(&requirements(&["tensorflow==2.5.0"]), target(9));
    assert_eq!(
        solved_version(&outcome, "tensorflow").as_deref(),
        Some("2.5.0")
    );
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("1.19.5"));
    // `keras-nightly~=2.5.0.dev0` names a pre-release, and the package has no other kind.
    let keras = solved_version(&outcome, "keras-nightly");
    assert!(
        keras.as_deref().is_some_and(|v| v.starts_with("2.5.0.dev")),
        "{keras:?}"
    );
}

#[test]
fn tensorflow_2_5_has_no_wheel_for_python_3_10() {
    let outcome = solve(&requirements(&["tensorflow==2.5.0"]), target(10));
    let conflict = conflict(&outcome);
    assert_eq!(conflict.inputs, [0]);
    let expected = Unavailable::NoWheel {
        python: PythonVersion::new(3, 10),
        platform: Platform::LinuxX86_64,
        wheels: Some(WheelPythonRange::Between(
            PythonVersion::new(3, 6),
            PythonVersion::new(3, 9),
        )),
    };
    assert_eq!(
        expected.to_string(),
        "has wheels for CPython 3.6-3.9 only on linux-x86_64"
    );
    // The solver passes over releases without a wheel for the target rather than rejecting them one by one:
    // the derivation says no version of the range is left, and the explanation says why.
    assert!(conflict.causes().iter().any(|cause| matches!(
        cause,
        Cause::NoVersions { package: SolverPackage::Package(package), range }
            if package.as_ref() == "tensorflow"
                && range.contains(&Version::from_str("2.5.0").unwrap())
    )));
    assert!(
        explained(&["tensorflow==2.5.0"], 10).contains(&format!("tensorflow==2.5.0 {expected}")),
        "{}",
        explained(&["tensorflow==2.5.0"], 10)
    );
}

#[test]
fn numpy_1_19_5_has_no_wheel_for_python_3_11() {
    let outcome = solve(&requirements(&["numpy==1.19.5"]), target(11));
    let conflict = conflict(&outcome);
    assert_eq!(conflict.inputs, [0]);
    assert!(
        conflict
            .causes()
            .iter()
            .any(|cause| matches!(cause, Cause::NoVersions { .. }))
    );
    assert!(
        explained(&["numpy==1.19.5"], 11)
            .contains("numpy==1.19.5 has wheels for CPython 3.6-3.9 only on linux-x86_64")
    );
}

#[test]
fn numpy_2_1_needs_python_3_10() {
    let outcome = solve(&requirements(&["numpy>=2.1"]), target(9));
    let conflict = conflict(&outcome);
    assert_eq!(conflict.inputs, [0]);
    // The releases that `Requires-Python` excludes are passed over, not offered one by one: one step says that
    // none is left.
    let causes = conflict.causes();
    assert!(
        causes.iter().any(|cause| matches!(
            cause,
            Cause::NoVersions { package: SolverPackage::Package(name), .. } if name.as_ref() == "numpy"
        )),
        "{causes:#?}"
    );
    assert!(
        !causes
            .iter()
            .any(|cause| matches!(cause, Cause::Unavailable { .. })),
        "{causes:#?}"
    );
}

#[test]
fn a_requirement_on_python_is_the_virtual_package() {
    let outcome = solve(&requirements(&["python>=3.10", "numpy"]), target(9));
    assert_eq!(conflict(&outcome).inputs, [0]);
    let outcome = solve(&requirements(&["python>=3.9.1", "numpy"]), target(9));
    assert!(outcome.is_solved(), "{outcome:#?}");
    let mut inputs = requirements(&["numpy"]);
    inputs.push(input(1, "python>=3.10", Role::Constraint));
    assert_eq!(conflict(&solve(&inputs, target(9))).inputs, [1]);
}

#[test]
fn the_newest_numpy_is_chosen() {
    let outcome = solve(&requirements(&["numpy"]), target(12));
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("2.5.5"));
    // On 3.8 the newest numpy whose `Requires-Python` admits it and that has a cp38 wheel.
    let outcome = solve(&requirements(&["numpy"]), target(8));
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("1.24.4"));
}

#[test]
fn constraints_narrow_without_adding() {
    let mut inputs = requirements(&["numpy"]);
    inputs.push(input(1, "numpy<2", Role::Constraint));
    inputs.push(input(2, "scipy<1.10", Role::Constraint));
    let outcome = solve(&inputs, target(12));
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("1.26.4"));
    assert_eq!(solved_version(&outcome, "scipy"), None);

    // A constraint that contradicts a requirement is a conflict naming both.
    let mut inputs = requirements(&["tensorflow==2.5.0"]);
    inputs.push(input(1, "numpy>=1.21", Role::Constraint));
    let outcome = solve(&inputs, target(8));
    assert_eq!(conflict(&outcome).inputs, [0, 1]);
}

#[test]
fn overrides_replace_every_requirement_on_their_package() {
    let mut inputs = requirements(&["tensorflow==2.5.0", "numpy>=1.21"]);
    inputs.push(input(2, "numpy>=1.21", Role::Override));
    let outcome = solve(&inputs, target(8));
    assert_eq!(
        solved_version(&outcome, "tensorflow").as_deref(),
        Some("2.5.0")
    );
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("1.24.4"));

    // The root's requirement is replaced too.
    let mut inputs = requirements(&["numpy<2"]);
    inputs.push(input(1, "numpy==2.0.0", Role::Override));
    let outcome = solve(&inputs, target(12));
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("2.0.0"));
}

#[test]
fn extras_add_their_requirements() {
    let plain = solve(&requirements(&["gensim==4.0.1"]), target(8));
    assert_eq!(solved_version(&plain, "pandas"), None);
    assert!(solved_version(&plain, "scipy").is_some());
    let docs = solve(&requirements(&["gensim[docs]==4.0.1"]), target(8));
    assert_eq!(solved_version(&docs, "gensim").as_deref(), Some("4.0.1"));
    assert!(solved_version(&docs, "pandas").is_some());
    assert!(solved_version(&docs, "matplotlib").is_some());
}

#[test]
fn markers_are_evaluated_on_the_target() {
    let inputs = requirements(&["tensorflow==2.5.0", "numpy>=1.21 ; python_version < '3.8'"]);
    assert!(solve(&inputs, target(8)).is_solved());
    let inputs = requirements(&["tensorflow==2.5.0", "numpy>=1.21 ; sys_platform == 'linux'"]);
    assert_eq!(conflict(&solve(&inputs, target(8))).inputs, [0, 1]);
    let windows = Target::new(PythonVersion::new(3, 8), Platform::WindowsX86_64);
    assert!(solve(&inputs, windows).is_solved());
}

#[test]
fn yanked_releases_count_only_when_pinned() {
    // numpy 2.4.0 is yanked ("Backward compatibility bug").
    let pinned = solve(&requirements(&["numpy==2.4.0"]), target(12));
    assert_eq!(solved_version(&pinned, "numpy").as_deref(), Some("2.4.0"));
    let ranged = solve(&requirements(&["numpy>=2.4.0,<2.4.1"]), target(12));
    assert!(conflict(&ranged).causes().iter().any(|cause| matches!(
        cause,
        Cause::Unavailable { reason: Unavailable::Yanked { reason: Some(reason) }, .. }
            if *reason == "Backward compatibility bug"
    )));
    let around = solve(&requirements(&["numpy>=2.3.5,<2.4.1"]), target(12));
    assert_ne!(solved_version(&around, "numpy").as_deref(), Some("2.4.0"));
}

#[test]
fn prereleases_only_when_named() {
    // In this range only 2.5.0rc1 fits (`<2.5.1` admits pre-releases of 2.5.0, PEP 440).
    let unnamed = solve(&requirements(&["numpy>2.4.6,!=2.5.0,<2.5.1"]), target(12));
    assert!(unnamed.as_conflict().is_some(), "{unnamed:#?}");
    let named = solve(
        &requirements(&["numpy>=2.5.0rc1,!=2.5.0,<2.5.1"]),
        target(12),
    );
    assert_eq!(solved_version(&named, "numpy").as_deref(), Some("2.5.0rc1"));
    let pinned = solve(&requirements(&["numpy==2.5.0rc1"]), target(12));
    assert_eq!(
        solved_version(&pinned, "numpy").as_deref(),
        Some("2.5.0rc1")
    );
    // Named, but a final release is newer.
    let newer = solve(&requirements(&["numpy>=2.5.0rc1"]), target(12));
    assert_eq!(solved_version(&newer, "numpy").as_deref(), Some("2.5.5"));
}

#[test]
fn unknown_packages_are_left_out_and_listed() {
    let inputs = requirements(&[
        "numpy",
        "surely-not-an-indexed-package>=1",
        "tensorflow==2.5.0",
    ]);
    let outcome = solve(&inputs, target(9));
    assert_eq!(outcome.unknown(), [1]);
    assert_eq!(solved_version(&outcome, "numpy").as_deref(), Some("1.19.5"));
    let inputs = requirements(&[
        "numpy>=1.21",
        "surely-not-an-indexed-package",
        "tensorflow==2.5.0",
    ]);
    let outcome = solve(&inputs, target(9));
    assert_eq!(outcome.unknown(), [1]);
    assert_eq!(conflict(&outcome).inputs, [0, 2]);
}

#[test]
fn unknown_metadata_is_recorded() {
    // ase 3.13.0 has only an sdist whose metadata could not be read.
    let outcome = solve(&requirements(&["ase==3.13.0"]), target(9));
    let solution = outcome.as_solution().unwrap();
    assert_eq!(
        solution.metadata_unknown,
        [(name("ase"), version("3.13.0"))]
    );
}

#[test]
fn a_solver_reuses_what_it_learnt() {
    let solver = Solver::new(nplint_index::Index::embedded(), target(8));
    let inputs = requirements(&["tensorflow==2.5.0", "gensim==4.0.1", "pandas"]);
    let first = solver.solve(&inputs);
    let second = solver.solve(&inputs);
    assert!(first.is_solved(), "{first:#?}");
    assert_eq!(first.as_solution(), second.as_solution());
    assert_eq!(solved_version(&first, "numpy").as_deref(), Some("1.19.5"));
}

fn explained(lines: &[&str], minor: u8) -> String {
    let outcome = solve(&requirements(lines), target(minor));
    nplint_solver::explain(conflict(&outcome))
}

#[test]
fn explanations_read_like_a_resolver() {
    assert_eq!(
        explained(&["tensorflow==2.5.0", "numpy>=1.21"], 8),
        "Because tensorflow==2.5.0 depends on numpy>=1.19.2,<1.20 and you require tensorflow==2.5.0, we can \
         conclude that you require numpy>=1.19.2,<1.20.\nAnd because you require numpy>=1.21, we can conclude \
         that your requirements are unsatisfiable."
    );
    // The root's own term is left out of a conclusion: no "your requirements==0 and ... are incompatible".
    assert_eq!(
        explained(&["numpy==1.21.0", "tensorflow==2.5.0"], 8),
        "Because tensorflow==2.5.0 depends on numpy>=1.19.2,<1.20 and you require numpy==1.21.0, we can conclude \
         that tensorflow==2.5.0 cannot be used.\nAnd because you require tensorflow==2.5.0, we can conclude that \
         your requirements are unsatisfiable."
    );
    assert_eq!(
        explained(&["tensorflow==2.5.0"], 10),
        "Because tensorflow==2.5.0 has wheels for CPython 3.6-3.9 only on linux-x86_64 and you require \
         tensorflow==2.5.0, we can conclude that your requirements are unsatisfiable."
    );
    assert_eq!(
        explained(&["numpy==1.19.5"], 11),
        "Because numpy==1.19.5 has wheels for CPython 3.6-3.9 only on linux-x86_64 and you require \
         numpy==1.19.5, we can conclude that your requirements are unsatisfiable."
    );
    // Every release in the range needs a newer Python: one step, with what they need together.
    assert_eq!(
        explained(&["numpy>=2.1"], 9),
        "Because numpy>=2.1 depends on python>=3.10 (the target Python version is 3.9) and you require \
         numpy>=2.1, we can conclude that your requirements are unsatisfiable."
    );
    assert_eq!(
        explained(&["numpy>=2.4.0,<2.4.1"], 12),
        "Because numpy==2.4.0 was yanked (reason: Backward compatibility bug) and you require \
         numpy>=2.4.0,<2.4.1, we can conclude that your requirements are unsatisfiable."
    );
    for explanation in [
        explained(&["numpy>=2.1"], 9),
        explained(&["numpy>=1.19,<1.20"], 11),
    ] {
        assert!(!explanation.contains("root"), "{explanation}");
        assert!(!explanation.contains(".dev0"), "{explanation}");
    }
}

#[test]
fn source_only_releases_of_a_compiled_package_are_unavailable() {
    // numba 0.30-0.34 shipped only sdists; later releases ship wheels, so numba is compiled and those sdists
    // would need building. On CPython 3.12 no numba<0.35 installs; a pure package's sdist-only release still does
    // (ase 3.13.0, above).
    let outcome = solve(&requirements(&["numba<0.35"]), target(12));
    assert!(!outcome.is_solved(), "{outcome:?}");
}

#[test]
fn runtime_facts_turn_an_installable_pair_into_a_conflict() {
    // TensorFlow 2.5.0 requires numpy~=1.19.2; gensim 4.1.0's Linux x86_64 wheels were built against NumPy 1.20
    // (curated, with references, and measured). Declared metadata alone installs them together, with NumPy 1.19.5.
    let inputs = requirements(&["tensorflow==2.5.0", "gensim==4.1.0"]);
    let solver = Solver::new(nplint_index::Index::embedded(), target(8));
    let declared = solver.solve(&inputs);
    assert_eq!(
        solved_version(&declared, "numpy").as_deref(),
        Some("1.19.5")
    );
    let runtime = solver.solve_runtime(&inputs);
    let explanation = nplint_solver::explain(conflict(&runtime));
    assert!(
        explanation.contains(
            "gensim==4.1.0 has binaries built against a NumPy its metadata does not declare"
        ),
        "{explanation}"
    );
    assert!(
        explanation.contains("work only with numpy>=1.20,<2"),
        "{explanation}"
    );
    assert_eq!(conflict(&runtime).inputs, vec![0, 1]);
}

/// A solve's outcome reused on another target ([`Solver::replay`]) is the outcome a solve there finds; and
/// neighbouring targets do share outcomes (the reuse is not vacuous), while targets whose facts differ do not.
#[test]
fn a_replayed_outcome_is_the_outcome_of_solving() {
    let environments: [&[&str]; 8] = [
        &["tensorflow==2.5.0", "gensim==4.0.1", "pandas"],
        &["tensorflow==2.5.0", "numpy>=1.21"],
        &["pandas==2.1.4", "numpy>=2"],
        &["numpy>=1.21", "scipy", "scikit-learn"],
        &["numba", "numpy"],
        &["scipy<1.6"],
        &["numpy==1.19.5"],
        &[
            "astropy",
            "numpy<2; python_version < '3.12'",
            "bottleneck; sys_platform == 'linux'",
        ],
    ];
    let targets: Vec<Target> = [8, 10, 11, 12, 13]
        .into_iter()
        .flat_map(|minor| {
            [
                Platform::LinuxX86_64,
                Platform::MacosArm64,
                Platform::WindowsX86_64,
            ]
            .into_iter()
            .map(move |platform| Target::new(PythonVersion::new(3, minor), platform))
        })
        .collect();
    let solvers: Vec<Solver> = targets
        .iter()
        .map(|&target| Solver::new(nplint_index::Index::embedded(), target))
        .collect();
    let (mut reused, mut solved_again) = (0, 0);
    for lines in environments {
        let inputs = requirements(lines);
        let direct: Vec<Outcome> = solvers.iter().map(|solver| solver.solve(&inputs)).collect();
        for first in &solvers {
            let (outcome, transcript) =
                first.solve_recorded(&inputs, nplint_solver::Mode::Declared);
            for (second, expected) in solvers.iter().zip(&direct) {
                let Some(replayed) = second.replay(
                    &inputs,
                    nplint_solver::Mode::Declared,
                    &transcript,
                    &outcome,
                ) else {
                    solved_again += 1;
                    continue;
                };
                reused += 1;
                let context = format!("{lines:?} from {} on {}", first.target(), second.target());
                match (&replayed, expected) {
                    (Outcome::Solved(replayed), Outcome::Solved(expected)) => {
                        assert_eq!(replayed, expected, "{context}");
                    }
                    (Outcome::Conflict(replayed), Outcome::Conflict(expected)) => {
                        assert_eq!(replayed.target, expected.target, "{context}");
                        assert_eq!(replayed.inputs, expected.inputs, "{context}");
                        assert_eq!(
                            replayed.metadata_unknown, expected.metadata_unknown,
                            "{context}"
                        );
                        assert_eq!(
                            nplint_solver::explain(replayed),
                            nplint_solver::explain(expected),
                            "{context}"
                        );
                    }
                    _ => panic!("{context}: replayed {replayed:#?}, solved {expected:#?}"),
                }
            }
        }
    }
    assert!(
        reused > 200 && solved_again > 200,
        "{reused} reused, {solved_again} solved again"
    );
}

/// An index of `numpy` 1.26.4 and 2.0.0 and `tail`, whose releases held (2.0, 2.1) require NumPy 2; `tail` is held
/// from 2.0 on when `held` (naming 1.4 as the newest release before), and holds 2.0 and 2.1 only otherwise.
fn tail_index(held: bool) -> &'static nplint_index::Index {
    use nplint_index::source::{PackageFile, ReleaseEntry, Snapshot};
    let release = |name: &str, version: &str, requires: &[&str]| {
        ReleaseEntry::pure(name, version, "2025-01-01T00:00:00Z", requires)
    };
    let numpy = PackageFile {
        name: "numpy".to_owned(),
        releases: vec![
            release("numpy", "1.26.4", &[]),
            release("numpy", "2.0.0", &[]),
        ],
        earlier: Vec::new(),
        held_from: None,
    };
    let tail = PackageFile {
        name: "tail".to_owned(),
        releases: vec![
            release("tail", "2.0", &["numpy>=2"]),
            release("tail", "2.1", &["numpy>=2"]),
        ],
        earlier: if held {
            vec!["1.4".to_owned()]
        } else {
            Vec::new()
        },
        held_from: held.then(|| "2.0".to_owned()),
    };
    let snapshot = Snapshot {
        newest_upload: "2025-01-01T00:00:00Z".to_owned(),
        packages: vec!["numpy".to_owned(), "tail".to_owned()],
        added_by_closure: std::collections::BTreeMap::new(),
    };
    Box::leak(Box::new(
        nplint_index::Index::from_source(&snapshot, &[numpy, tail]).unwrap(),
    ))
}

#[test]
fn a_package_held_from_its_newest_releases_falls_back_to_an_older_one_it_does_not_know() {
    let inputs = requirements(&["numpy<2", "tail"]);
    let outcome = Solver::new(tail_index(true), target(12)).solve(&inputs);
    assert_eq!(solved_version(&outcome, "tail").as_deref(), Some("1.4"));
    let solution = outcome.as_solution().unwrap();
    assert_eq!(solution.metadata_unknown, [(name("tail"), version("1.4"))]);
    // Held whole, the same releases are a conflict: no release of `tail` works with NumPy 1.
    let outcome = Solver::new(tail_index(false), target(12)).solve(&inputs);
    assert_eq!(conflict(&outcome).inputs, [0, 1]);
    // An older release is taken only where none held fits.
    let outcome = Solver::new(tail_index(true), target(12)).solve(&requirements(&["tail"]));
    assert_eq!(solved_version(&outcome, "tail").as_deref(), Some("2.1"));
}
