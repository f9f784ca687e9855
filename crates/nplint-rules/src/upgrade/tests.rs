//! The planner on a small hand-made index: each kind of move, the fewest lines, readiness and blockers.

use std::path::PathBuf;

use nplint_index::{IndexBuilder, Platform, PythonVersion};
use nplint_manifest::{Format, MemoryLoader, load};

use super::*;
use crate::targets::{PythonRequest, TargetOptions};

/// NumPy 1.26.4 to 2.1.0; `oldlib`, whose releases before 1.2 cap NumPy below 2; `toplib`, whose 1.0 holds
/// `oldlib` below 1.2; `deadlib`, capped in every release.
fn index() -> &'static Index {
    IndexBuilder::new()
        .pure("numpy", "1.26.4", &[])
        .pure("numpy", "2.0.0", &[])
        .pure("numpy", "2.1.0", &[])
        .pure("oldlib", "1.0", &["numpy<2"])
        .pure("oldlib", "1.1", &["numpy<2"])
        .pure("oldlib", "1.2", &["numpy>=1.20"])
        .pure("oldlib", "1.3", &["numpy>=1.20"])
        .pure("toplib", "1.0", &["oldlib<1.2"])
        .pure("toplib", "1.1", &["oldlib"])
        .pure("deadlib", "0.9", &["numpy<2"])
        .pure("deadlib", "1.0", &["numpy<2"])
        .build()
        .unwrap()
}

fn settings() -> Settings {
    Settings {
        targets: TargetOptions {
            pythons: PythonRequest::Versions(vec![PythonVersion::new(3, 12)]),
            platforms: vec![Platform::LinuxX86_64],
        },
        ..Settings::default()
    }
}

fn planned(text: &str, goal: &str) -> Vec<Part> {
    let manifest = load(
        &PathBuf::from("requirements.txt"),
        Format::RequirementsTxt,
        &MemoryLoader::from([("requirements.txt", text)]),
    )
    .unwrap();
    let resolver = Resolver::new(index(), &[PythonVersion::new(3, 12)]);
    let goal = Goal::parse(goal).unwrap();
    let [plan] = plan(&resolver, &manifest, &settings(), &goal)
        .try_into()
        .unwrap();
    plan.parts
}

/// The changes of a plan with one part, as `before -> after`.
fn changes(text: &str, goal: &str) -> Vec<String> {
    let parts = planned(text, goal);
    let [part] = parts.as_slice() else {
        panic!("one part: {parts:#?}");
    };
    match &part.outcome {
        PartOutcome::Changes(changes) => changes
            .iter()
            .map(|change| format!("{} -> {}", change.before, change.after))
            .collect(),
        other => panic!("changes: {other:#?}"),
    }
}

#[test]
fn a_pin_moves_to_the_oldest_newer_release_that_admits_the_goal() {
    let parts = planned("oldlib==1.0\n", "numpy>=2");
    let PartOutcome::Changes(changes) = &parts[0].outcome else {
        panic!("{parts:#?}");
    };
    let [change] = changes.as_slice() else {
        panic!("{changes:#?}");
    };
    assert_eq!(change.after, "oldlib==1.2");
    assert_eq!(change.kind, ChangeKind::Pin);
    assert_eq!(change.because, "`oldlib==1.0` requires `numpy<2`");
    assert_eq!(
        change
            .edit
            .as_ref()
            .map(|edit| (edit.location.text(), edit.replacement.as_str())),
        Some(("==1.0", "==1.2"))
    );
}

#[test]
fn a_cap_is_raised_at_the_precision_it_was_written() {
    assert_eq!(
        changes("oldlib<1.2\n", "numpy>=2"),
        ["oldlib<1.2 -> oldlib<1.3"]
    );
    assert_eq!(
        changes("oldlib>=1.0,<=1.1\n", "numpy>=2"),
        ["oldlib>=1.0,<=1.1 -> oldlib>=1.0,<=1.2"]
    );
}

#[test]
fn the_goal_s_own_requirement_states_the_goal() {
    assert_eq!(changes("numpy<2\n", "numpy>=2"), ["numpy<2 -> numpy>=2"]);
    assert_eq!(
        changes("numpy==1.26.4\n", "numpy>=2"),
        ["numpy==1.26.4 -> numpy==2.0.0"]
    );
    // Caps that admit the goal stay; a range that already admits it needs no change.
    assert_eq!(
        changes("numpy>=1.20, <2.1, !=1.26.4\n", "numpy>=2.1"),
        ["numpy>=1.20, <2.1, !=1.26.4 -> numpy>=2.1, !=1.26.4"]
    );
    assert_eq!(
        planned("numpy>=1.20,<3\n", "numpy>=2.1")[0].outcome,
        PartOutcome::Ready
    );
}

#[test]
fn the_fewest_lines_move_a_requirement_rather_than_add_one() {
    // Moving `toplib` frees `oldlib`: one change, no requirement added on `oldlib`.
    assert_eq!(
        changes("toplib==1.0\nnumpy==1.26.4\n", "numpy>=2"),
        [
            "toplib==1.0 -> toplib==1.1",
            "numpy==1.26.4 -> numpy==2.0.0"
        ]
    );
}

#[test]
fn an_environment_that_already_works_is_ready() {
    let parts = planned("oldlib>=1.2\n", "numpy>=2");
    assert_eq!(parts[0].outcome, PartOutcome::Ready);
}

#[test]
fn a_package_without_a_release_for_the_goal_blocks_and_says_since_when() {
    let parts = planned("deadlib\noldlib==1.0\n", "numpy>=2");
    let [part] = parts.as_slice() else {
        panic!("{parts:#?}");
    };
    let PartOutcome::Blocked(blockers) = &part.outcome else {
        panic!("{parts:#?}");
    };
    let [blocker] = blockers.as_slice() else {
        panic!("{blockers:#?}");
    };
    assert_eq!(blocker.package.as_ref(), "deadlib");
    assert!(
        blocker
            .reason
            .starts_with("its newest release that installs there, `deadlib==1.0` ("),
        "{}",
        blocker.reason
    );
    assert!(
        blocker.reason.ends_with("requires `numpy<2`"),
        "{}",
        blocker.reason
    );
}

#[test]
fn goals_parse_as_a_name_and_specifiers_only() {
    assert_eq!(Goal::parse("numpy>=2").unwrap().to_string(), "numpy>=2");
    assert!(Goal::parse("numpy[extra]>=2").is_err());
    assert!(Goal::parse("numpy>=2; python_version>'3'").is_err());
    assert!(Goal::parse("numpy @ https://example.invalid/numpy.whl").is_err());
    assert!(Goal::parse(">=2").is_err());
}

#[test]
fn a_later_move_of_a_requirement_replaces_an_earlier_one_in_the_written_edits() {
    let parts = planned("toplib==1.0\nnumpy==1.26.4\n", "numpy>=2");
    let PartOutcome::Changes(changes) = &parts[0].outcome else {
        panic!("{parts:#?}");
    };
    let [toplib, numpy] = changes.as_slice() else {
        panic!("{changes:#?}");
    };
    // A later environment, holding `numpy==2.0.0`, moves it further.
    let mut further = numpy.clone();
    further.edit.as_mut().unwrap().replacement = "==2.1.0".to_owned();
    let replacements = |edits: Vec<Edit>| -> Vec<(String, String)> {
        edits
            .iter()
            .map(|edit| (edit.location.text().to_owned(), edit.replacement.clone()))
            .collect()
    };
    assert_eq!(
        replacements(change_edits([toplib, numpy, toplib, &further])),
        [
            ("==1.0".to_owned(), "==1.1".to_owned()),
            ("==1.26.4".to_owned(), "==2.1.0".to_owned())
        ]
    );
}
