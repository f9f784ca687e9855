//! The rules that solve, on an index written here: what they report follows from these few releases alone, so a
//! refresh of the embedded data cannot move these tests.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use nplint_diagnostics::{Diagnostic, Severity};
use nplint_index::Index;
use nplint_index::source::{
    BuildNumpy, BuildScan, PackageFile, Platform, ReleaseEntry, ReleaseKind, Snapshot,
};
use nplint_manifest::{Format, MemoryLoader, load};
use nplint_rules::{PythonRequest, Resolver, Settings, TargetOptions, check_manifest_resolved};
use nplint_solver::PythonVersion;

/// A pure release of `name` requiring `requires`.
fn pure(name: &str, version: &str, requires: &[&str]) -> ReleaseEntry {
    ReleaseEntry::pure(name, version, "2025-01-01T00:00:00Z", requires)
}

/// `name` with `releases`.
fn package(name: &str, releases: Vec<ReleaseEntry>) -> PackageFile {
    PackageFile::new(name, releases)
}

/// `numpy` 1.26.4 and 2.0.0; `pinlib`, `downlib` and `deadlib`, releases for some Pythons only; `oldlib` 1.0, which declares `numpy<2`; `binlib` 1.0, whose only wheel (CPython 3.12,
/// Linux x86_64) was built against NumPy 1.x although it declares `numpy` without a bound; `newlib` 1.0, which
/// needs CPython 3.13; `xarray` and `patsy`, each a release that a curated fact says breaks under NumPy 2 and a
/// release that works.
fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn build_index() -> Index {
    let file = "binlib-1.0-cp312-cp312-manylinux_2_17_x86_64.whl";
    let mut binlib = pure("binlib", "1.0", &["numpy"]);
    binlib.kind = ReleaseKind::Binary;
    binlib.wheels = BTreeMap::from([(Platform::LinuxX86_64, vec!["cp312".to_owned()])]);
    binlib.metadata[0].applies_to = vec!["linux-x86_64".to_owned()];
    file.clone_into(&mut binlib.metadata[0].file);
    binlib.build = Some(BuildScan {
        numpy: BuildNumpy::Numpy1,
        file: file.to_owned(),
        member: Some("binlib/_core.cpython-312-x86_64-linux-gnu.so".to_owned()),
        numpy_floor: None,
    });
    // Needs a Python newer than the one checked.
    let mut newlib = pure("newlib", "1.0", &["numpy"]);
    newlib.metadata[0].requires_python = Some(">=3.13".to_owned());
    // Releases for some Pythons only, whose pins a `python-conflict` fix moves: `pinlib` 1.0 and 1.1 need a
    // Python before 3.12 and 1.2 and 1.3 do not; `downlib` 2.0 and 2.1 need 3.13, 1.0 does not; every release of
    // `deadlib` needs a Python before 3.12.
    let for_python = |name: &str, version: &str, requires_python: &str| {
        let mut release = pure(name, version, &["numpy"]);
        release.metadata[0].requires_python = Some(requires_python.to_owned());
        release
    };
    let packages = [
        package(
            "pinlib",
            vec![
                for_python("pinlib", "1.0", "<3.12"),
                for_python("pinlib", "1.1", "<3.12"),
                for_python("pinlib", "1.2", ">=3.8"),
                for_python("pinlib", "1.3", ">=3.8"),
            ],
        ),
        package(
            "downlib",
            vec![
                for_python("downlib", "1.0", ">=3.8"),
                for_python("downlib", "2.0", ">=3.13"),
                for_python("downlib", "2.1", ">=3.13"),
            ],
        ),
        package(
            "deadlib",
            vec![
                for_python("deadlib", "1.0", "<3.12"),
                for_python("deadlib", "2.0", "<3.12"),
            ],
        ),
        package("binlib", vec![binlib]),
        package(
            "numpy",
            // 1.26.4 more than a year before the snapshot: its series ended.
            vec![
                ReleaseEntry::pure("numpy", "1.26.4", "2023-11-01T00:00:00Z", &[]),
                pure("numpy", "2.0.0", &[]),
            ],
        ),
        package("oldlib", vec![pure("oldlib", "1.0", &["numpy<2"])]),
        // Reaches NumPy only through `oldlib`.
        package("topkit", vec![pure("topkit", "1.0", &["oldlib"])]),
        package("newlib", vec![newlib]),
        // Curated facts (`crates/nplint-index/data/runtime.toml`) hold for these by name and version:
        // `xarray-numpy-2-removed-api` (xarray>=0.16.0,<2023.9.0 imports `np.unicode_`) and
        // `patsy-numpy-2-known-pitfall` (patsy<1.0.0 passes `copy=False` to `np.array`).
        package(
            "xarray",
            vec![
                pure("xarray", "2023.8.0", &["numpy>=1.21"]),
                pure("xarray", "2023.9.0", &["numpy>=1.21"]),
            ],
        ),
        package(
            "patsy",
            vec![
                pure("patsy", "0.5.6", &["numpy>=1.4"]),
                pure("patsy", "1.0.1", &["numpy>=1.4"]),
            ],
        ),
    ];
    let snapshot = Snapshot::of("2025-01-01T00:00:00Z", &packages);
    Index::from_source(&snapshot, &packages).unwrap()
}

/// The findings for `lines` as a requirements file on CPython 3.12, Linux x86_64, over [`index`].
fn check(lines: &[&str]) -> Vec<Diagnostic> {
    let python = PythonVersion::new(3, 12);
    let manifest = load(
        &PathBuf::from("requirements.txt"),
        Format::RequirementsTxt,
        &MemoryLoader::from([("requirements.txt", lines.join("\n"))]),
    )
    .unwrap();
    let settings = Settings {
        targets: TargetOptions {
            pythons: PythonRequest::Versions(vec![python]),
            platforms: vec![Platform::LinuxX86_64],
        },
        ..Settings::default()
    };
    check_manifest_resolved(&manifest, &Resolver::new(index(), &[python]), &settings)
}

/// The rule and severity of each finding, in order.
fn rules(diagnostics: &[Diagnostic]) -> Vec<(&'static str, Severity)> {
    diagnostics
        .iter()
        .map(|diagnostic| (diagnostic.rule.name, diagnostic.severity))
        .collect()
}

#[test]
fn a_declared_cap_against_a_floor_is_a_numpy_conflict() {
    let found = check(&["oldlib==1.0", "numpy>=2"]);
    assert_eq!(rules(&found), [("numpy-conflict", Severity::Error)]);
    // Either side alone installs.
    assert!(check(&["oldlib==1.0"]).is_empty());
    assert!(check(&["numpy>=2"]).is_empty());
}

#[test]
fn a_numpy_conflict_carries_a_verified_fix_that_pins_the_numpy_the_rest_admits() {
    let lines = ["oldlib==1.0", "numpy>=2"];
    let found = check(&lines);
    let fix = found[0].fix.as_ref().expect("a fix");
    assert_eq!(fix.message, "pin `numpy==1.26.4`");
    assert_eq!(fix.applicability, nplint_diagnostics::Applicability::Unsafe);
    // Applied, the file passes.
    let mut text = lines.join("\n");
    for edit in fix.edits.iter().rev() {
        let span = edit.location.span;
        text.replace_range(span.start as usize..span.end as usize, &edit.replacement);
    }
    assert_eq!(text, "oldlib==1.0\nnumpy==1.26.4");
    let fixed: Vec<&str> = text.lines().collect();
    assert!(check(&fixed).is_empty());
}

/// `lines` with the fix of their one finding applied: its message and the fixed text.
fn fix_of_the_one_finding(lines: &[&str]) -> Option<(String, String)> {
    let found = check(lines);
    assert_eq!(rules(&found), [("python-conflict", Severity::Error)]);
    let fix = found[0].fix.as_ref()?;
    assert_eq!(fix.applicability, nplint_diagnostics::Applicability::Unsafe);
    let mut text = lines.join("\n");
    for edit in fix.edits.iter().rev() {
        let span = edit.location.span;
        text.replace_range(span.start as usize..span.end as usize, &edit.replacement);
    }
    // Applied, the file passes.
    let fixed: Vec<&str> = text.lines().collect();
    assert!(check(&fixed).is_empty(), "{text}");
    Some((fix.message.clone(), text))
}

#[test]
fn a_python_conflict_moves_a_pin_to_the_oldest_newer_release_that_installs() {
    assert_eq!(
        fix_of_the_one_finding(&["pinlib==1.0  # pinned", "numpy"]),
        Some((
            "pin `pinlib==1.2`, the oldest release after 1.0 with which these requirements install on Python 3.12 \
             on linux-x86_64"
                .to_owned(),
            "pinlib==1.2  # pinned\nnumpy".to_owned()
        ))
    );
    // A cap is raised as little as it takes.
    assert_eq!(
        fix_of_the_one_finding(&["pinlib<1.1"]).map(|(_, text)| text),
        Some("pinlib<=1.2".to_owned())
    );
}

#[test]
fn a_python_conflict_moves_a_pin_back_only_when_no_newer_release_installs() {
    assert_eq!(
        fix_of_the_one_finding(&["downlib==2.0"]),
        Some((
            "pin `downlib==1.0`, the newest release before 2.0 with which these requirements install on Python \
             3.12 on linux-x86_64"
                .to_owned(),
            "downlib==1.0".to_owned()
        ))
    );
    // A floor is lowered.
    assert_eq!(
        fix_of_the_one_finding(&["downlib>=2.0"]),
        Some((
            "lower the floor to `downlib>=1.0`, the highest with which these requirements install on Python 3.12 \
             on linux-x86_64"
                .to_owned(),
            "downlib>=1.0".to_owned()
        ))
    );
}

#[test]
fn a_python_conflict_that_no_release_solves_has_no_fix() {
    assert_eq!(fix_of_the_one_finding(&["deadlib==1.0"]), None);
    assert_eq!(fix_of_the_one_finding(&["deadlib>=1.0"]), None);
}

#[test]
fn binaries_built_against_numpy_1_are_an_abi_mismatch_under_numpy_2() {
    // The metadata admits NumPy 2; the binaries do not.
    let found = check(&["binlib==1.0", "numpy>=2"]);
    assert_eq!(rules(&found), [("abi-mismatch", Severity::Error)]);
    assert!(check(&["binlib==1.0", "numpy<2"]).is_empty());
}

#[test]
fn a_package_outside_the_index_is_named() {
    let found = check(&["numpy", "mystery-internal==1.0"]);
    assert_eq!(rules(&found), [("unknown-package", Severity::Info)]);
}

#[test]
fn a_package_without_a_release_for_the_python_is_a_python_conflict() {
    let found = check(&["newlib==1.0"]);
    assert_eq!(rules(&found), [("python-conflict", Severity::Error)]);
    assert_eq!(found[0].message, "`newlib` has no installable release");
    assert_eq!(
        found[0].primary_label.as_deref(),
        Some("`newlib==1.0` requires `python>=3.13`")
    );
}

#[test]
fn a_release_that_imports_a_removed_name_is_a_removed_numpy_api_finding() {
    // Declared metadata lets a resolver pick NumPy 2, under which xarray 2023.8.0 fails at import.
    let found = check(&["xarray==2023.8.0"]);
    assert_eq!(rules(&found), [("removed-numpy-api", Severity::Error)]);
    let help = found[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("numpy<2"), "{help}");
    // The release that dropped the name, or NumPy 1.x, works.
    assert!(check(&["xarray==2023.9.0"]).is_empty());
    assert!(check(&["xarray==2023.8.0", "numpy<2"]).is_empty());
}

#[test]
fn a_bare_numpy_line_gets_the_bound_that_avoids_a_removed_name() {
    let lines = ["xarray==2023.8.0", "numpy  # any"];
    let found = check(&lines);
    assert_eq!(rules(&found), [("removed-numpy-api", Severity::Error)]);
    let fix = found[0].fix.as_ref().expect("a fix");
    let mut text = lines.join("\n");
    for edit in fix.edits.iter().rev() {
        let span = edit.location.span;
        text.replace_range(span.start as usize..span.end as usize, &edit.replacement);
    }
    assert_eq!(text, "xarray==2023.8.0\nnumpy<2  # any");
    let fixed: Vec<&str> = text.lines().collect();
    assert!(check(&fixed).is_empty());
    // A line with a marker has no place for it before the marker: the next remedy is the fix.
    let found = check(&["xarray==2023.8.0", "numpy ; python_version >= '3'"]);
    assert_eq!(rules(&found), [("removed-numpy-api", Severity::Error)]);
    let fix = found[0].fix.as_ref().expect("a fix");
    assert_eq!(
        fix.message,
        "require `xarray>=2023.9.0`, the oldest release that works with `numpy==2.0.0`"
    );
    assert_eq!(fix.edits[0].location.text(), "==2023.8.0");
}

#[test]
fn a_documented_breakage_is_a_known_pitfall() {
    let found = check(&["patsy==0.5.6"]);
    assert_eq!(rules(&found), [("known-pitfall", Severity::Error)]);
    assert!(check(&["patsy==1.0.1"]).is_empty());
    assert!(check(&["patsy==0.5.6", "numpy<2"]).is_empty());
}

#[test]
fn fixes_applied_together_are_offered_only_when_they_install_together() {
    // On 3.11 `oldpkg==1.0` caps NumPy below the floor (a NumPy pin solves it there); on 3.12 it does not install
    // (a move to `oldpkg==2.0` solves it, on both). Together, the pin and the move conflict: only the move, which
    // serves both Pythons, is offered.
    let index = nplint_index::IndexBuilder::new()
        .pure_for_python("numpy", "1.23.5", "<3.12", &[])
        .pure("numpy", "1.26.4", &[])
        .pure_for_python("oldpkg", "1.0", "<3.12", &["numpy<1.24"])
        .pure("oldpkg", "2.0", &["numpy>=1.24"])
        .build()
        .unwrap();
    let pythons = [PythonVersion::new(3, 11), PythonVersion::new(3, 12)];
    let resolver = Resolver::new(index, &pythons);
    let settings = Settings {
        targets: TargetOptions {
            pythons: PythonRequest::Versions(pythons.to_vec()),
            platforms: vec![Platform::LinuxX86_64],
        },
        ..Settings::default()
    };
    let check = |text: &str| {
        let manifest = load(
            &PathBuf::from("requirements.txt"),
            Format::RequirementsTxt,
            &MemoryLoader::from([("requirements.txt", text)]),
        )
        .unwrap();
        check_manifest_resolved(&manifest, &resolver, &settings)
    };
    let text = "oldpkg==1.0\nnumpy>=1.24\n";
    let found = check(text);
    assert_eq!(
        rules(&found),
        [
            ("numpy-conflict", Severity::Error),
            ("python-conflict", Severity::Error)
        ]
    );
    // The NumPy pin alone would solve the conflict on 3.11: its `help:` still says so.
    assert_eq!(
        found[0].help.as_deref(),
        Some("`numpy==1.23.5` satisfies the rest of the requirements: relax or drop `numpy>=1.24`")
    );
    assert!(found[0].fix.is_none());
    let fix = found[1].fix.as_ref().expect("the move");
    assert_eq!(
        fix.message,
        "pin `oldpkg==2.0`, the oldest release after 1.0 with which these requirements install on Python 3.12 on \
         linux-x86_64"
    );
    let [edit] = fix.edits.as_slice() else {
        panic!("one edit: {fix:#?}");
    };
    let span = edit.location.span;
    let mut fixed = text.to_owned();
    fixed.replace_range(span.start as usize..span.end as usize, &edit.replacement);
    assert_eq!(fixed, "oldpkg==2.0\nnumpy>=1.24\n");
    assert!(check(&fixed).is_empty());
}

/// `partlib` 1.0 needs a Python before 3.12, 1.1 one before 3.13; no release installs on 3.13. Checked on 3.12 and
/// 3.13 on Linux x86-64.
fn check_partlib(path: &str, format: Format, text: &str) -> Vec<Diagnostic> {
    let index = nplint_index::IndexBuilder::new()
        .pure("numpy", "1.26.4", &[])
        .pure_for_python("partlib", "1.0", "<3.12", &["numpy"])
        .pure_for_python("partlib", "1.1", "<3.13", &["numpy"])
        .build()
        .unwrap();
    let pythons = [PythonVersion::new(3, 12), PythonVersion::new(3, 13)];
    let settings = Settings {
        targets: TargetOptions {
            pythons: PythonRequest::Versions(pythons.to_vec()),
            platforms: vec![Platform::LinuxX86_64],
        },
        ..Settings::default()
    };
    let manifest = load(
        &PathBuf::from(path),
        format,
        &MemoryLoader::from([(path, text)]),
    )
    .unwrap();
    check_manifest_resolved(&manifest, &Resolver::new(index, &pythons), &settings)
}

#[test]
fn a_move_that_serves_some_targets_of_the_finding_says_which_still_fail() {
    let found = check_partlib(
        "requirements.txt",
        Format::RequirementsTxt,
        "partlib==1.0\n",
    );
    assert_eq!(rules(&found), [("python-conflict", Severity::Error)]);
    let fix = found[0].fix.as_ref().expect("a fix");
    assert_eq!(
        fix.message,
        "pin `partlib==1.1`, the oldest release after 1.0 with which these requirements install on Python 3.12 on \
         linux-x86_64 (they still fail on Python 3.13 on linux-x86_64)"
    );
    // Applied, 3.12 works and 3.13 still fails.
    let found = check_partlib(
        "requirements.txt",
        Format::RequirementsTxt,
        "partlib==1.1\n",
    );
    assert_eq!(rules(&found), [("python-conflict", Severity::Error)]);
    assert_eq!(
        found[0].message,
        "`partlib` has no installable release on Python 3.13"
    );
}

#[test]
fn a_lockfile_pin_is_not_moved() {
    let lock = "lock-version = \"1.0\"\ncreated-by = \"uv\"\n\n[[packages]]\nname = \"partlib\"\nversion = \"1.0\"\n\n\
                [[packages]]\nname = \"numpy\"\nversion = \"1.26.4\"\n";
    // The same pin in a requirements file is moved (above); a lock is written by its tool.
    let found = check_partlib("pylock.toml", Format::Pylock, lock);
    assert_eq!(rules(&found), [("python-conflict", Severity::Error)]);
    assert!(found[0].fix.is_none());
}

#[test]
fn why_traces_a_cap_back_to_the_file_through_the_package_that_requires_it() {
    let python = PythonVersion::new(3, 12);
    let manifest = load(
        &PathBuf::from("requirements.txt"),
        Format::RequirementsTxt,
        &MemoryLoader::from([("requirements.txt", "topkit==1.0\nnumpy\n")]),
    )
    .unwrap();
    let settings = Settings {
        targets: TargetOptions {
            pythons: PythonRequest::Versions(vec![python]),
            platforms: vec![Platform::LinuxX86_64],
        },
        ..Settings::default()
    };
    let numpy = "numpy".parse().unwrap();
    let why = nplint_rules::why(
        &Resolver::new(index(), &[python]),
        &manifest,
        &settings,
        &numpy,
    );
    let [environment] = why.as_slice() else {
        panic!("{why:#?}");
    };
    let [(answer, targets)] = environment.answers.as_slice() else {
        panic!("{why:#?}");
    };
    assert_eq!(targets.len(), 1);
    let nplint_rules::Answer::Installed {
        version,
        allowed,
        above,
        below,
    } = answer
    else {
        panic!("{answer:#?}");
    };
    assert_eq!(version.to_string(), "1.26.4");
    assert_eq!(
        (allowed.0.to_string(), allowed.1.to_string()),
        ("1.26.4".to_owned(), "1.26.4".to_owned())
    );
    assert_eq!(below.next, None);
    assert_eq!(
        above.next.as_ref().map(ToString::to_string).as_deref(),
        Some("2.0.0")
    );
    let [reason] = above.by.as_slice() else {
        panic!("{above:#?}");
    };
    assert_eq!(reason.requirement, "oldlib==1.0 requires numpy<2");
    assert_eq!(
        reason.chain,
        [
            "oldlib==1.0 because topkit==1.0 requires oldlib",
            "topkit==1.0 because the file requires `topkit==1.0` (line 1)",
        ]
    );
}

#[test]
fn a_version_past_the_newest_release_is_index_outdated_not_a_conflict() {
    // numpy's newest release here is 2.0.0: a pin past it is left out, and the rest is still solved.
    let found = check(&["numpy==2.6.0"]);
    assert_eq!(rules(&found), [("index-outdated", Severity::Info)]);
    assert!(
        found[0].message.starts_with(
            "`numpy==2.6.0` asks for a release newer than nplint's index holds (its snapshot is of "
        ),
        "{}",
        found[0].message
    );
    assert!(
        found[0]
            .message
            .ends_with("the newest numpy it holds is 2.0.0 (2025-01-01)")
    );
    assert_eq!(
        rules(&check(&["numpy>2.0.0"])),
        [("index-outdated", Severity::Info)]
    );
    // The rest of the environment is still solved: `binlib`'s binaries still break under NumPy 2.
    let found = check(&["numpy>=2.5", "binlib==1.0", "numpy>=2"]);
    assert_eq!(
        rules(&found),
        [
            ("abi-mismatch", Severity::Error),
            ("index-outdated", Severity::Info)
        ]
    );
}

#[test]
fn a_pin_to_a_version_never_released_names_the_nearest_releases() {
    let found = check(&["numpy==1.26.5"]);
    assert_eq!(rules(&found), [("nonexistent-release", Severity::Error)]);
    assert_eq!(
        found[0].message,
        "`numpy==1.26.5` pins a version of which numpy has no release; the nearest releases are 1.26.4 \
         (2023-11-01) and 2.0.0 (2025-01-01)"
    );
    assert_eq!(
        rules(&check(&["numpy==1.27.*"])),
        [("nonexistent-release", Severity::Error)]
    );
    // Past the newest release of a series still released in the year before the snapshot (`pinlib` 1.2 came out
    // with it): a patch release may have come since, so it is newer than the index, not missing.
    let found = check(&["pinlib==1.2.1"]);
    assert_eq!(rules(&found), [("index-outdated", Severity::Info)]);
    assert!(
        found[0]
            .message
            .contains("asks for a 1.2 release newer than nplint's index holds")
            && found[0]
                .message
                .ends_with("the newest 1.2 release it holds is 1.2 (2025-01-01)"),
        "{}",
        found[0].message
    );
    // A range that admits no release is a conflict the solve shows, not a missing release.
    assert_eq!(
        rules(&check(&["numpy>1.26.4,<2.0"])),
        [("numpy-conflict", Severity::Error)]
    );
    // The index holds every pre-release of NumPy; of another package, those past its newest final release. An
    // older one it does not hold may exist: it is left out and listed, not called missing.
    assert_eq!(
        rules(&check(&["numpy==1.27.0rc1"])),
        [("nonexistent-release", Severity::Error)]
    );
    assert_eq!(
        rules(&check(&["pinlib==1.1.5rc1"])),
        [("unknown-package", Severity::Info)]
    );
    // Past the newest release, it is newer than the index.
    assert_eq!(
        rules(&check(&["pinlib==1.4.0rc1"])),
        [("index-outdated", Severity::Info)]
    );
}
