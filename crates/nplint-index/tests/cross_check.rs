//! Cross-check of nplint's NumPy 2 facts with two curated public lists of the first release of a package that
//! works with NumPy 2: conda-forge's repodata patch `numpy2_known_lower_bound.yaml` (in
//! `data/conda-forge-numpy-bounds.toml`) and the tracking issue numpy/numpy#26191 (`data/numpy-26191.toml`).
//!
//! Each list states, per package, a version `V`: releases before `V` do not work with NumPy 2, `V` does. For every
//! package that a list and the index both know, nplint's facts **agree** when:
//!
//! - every release before `V` that is *compared* (below) is one nplint says fails with NumPy 2, and
//! - the first release at or after `V` that the index holds, and the newest, are compared releases nplint says
//!   work with NumPy 2 (or are not compared).
//!
//! What "nplint says" means, per target (CPython 3.9 to 3.12 on Linux x86_64, the Pythons NumPy 2.0 has wheels
//! for): the NumPy versions the release accepts are its declared `Requires-Dist` on `numpy` there (none: any),
//! intersected with the `works` range of every runtime fact of the release there ([`runtime::facts`]: a `1.x` build,
//! an import-time use of a name NumPy removed, a curated fact, and the upload-date inference for an unscanned
//! binary release). The release *fails with NumPy 2* there when that leaves no NumPy in `[2.0.0, 3)`, and *works*
//! otherwise. A release fails when it fails on every target it is available on, and works when it works on every
//! one.
//!
//! A release is *compared* when it is final, not yanked, and available on one of those targets, as nplint's solver
//! sees availability: a `binary` release needs a wheel for the target; a `pure` one installs wherever its
//! `Requires-Python` admits; a `sdist-only` one too, unless the package ships CPython wheels in other releases (it
//! is compiled, and the solver never picks such a release, so nplint has nothing to say of it). A release
//! available on none of these Pythons cannot be installed beside NumPy 2 from wheels and is not compared either. So
//! a pure-Python release, and a `sdist-only` one of a pure package, are compared on their metadata and on the
//! removed names their code uses at import; with no wheel read (`sdist-only`) only the metadata is left.
//!
//! conda-forge's own bounds are left out of nplint's side: for that list they are the claim itself, and they apply
//! to conda's builds only, while the question here is what nplint says of the release a PyPI install gets.
//!
//! A disagreement is not a failure when `data/cross-check.toml` records it (the list, the package, the releases
//! it covers, which way the list and nplint differ, why, and the evidence, an install where one settles it). The
//! record is kept exact both ways: a disagreement it does not cover fails the test, and so does an entry that
//! covers none, so the record cannot outlive the data it explains.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::ops::Bound;
use std::str::FromStr;

use nplint_index::conda::{self, CondaBound};
use nplint_index::runtime;
use nplint_index::{
    BuildNumpy, Index, Package, PackageName, Platform, PythonVersion, Release, ReleaseKind, Target,
    Version, VersionSpecifiers, WheelPython,
};
use pep440_rs::release_specifiers_to_ranges;
use serde::Deserialize;
use version_ranges::Ranges;

const CONDA_FORGE: &str = "conda-forge";
const NUMPY_ISSUE: &str = "numpy#26191";
/// The conda-forge patch whose versions conditions state the first release that works with NumPy 2.
const KNOWN_LOWER_BOUND: &str = "numpy2_known_lower_bound.yaml";

const NUMPY_ISSUE_TOML: &str = include_str!("../data/numpy-26191.toml");
const CROSS_CHECK_TOML: &str = include_str!("../data/cross-check.toml");

/// One list's statement: releases of `package` before `first_works` do not work with NumPy 2, `first_works` does.
#[derive(Debug)]
struct Claim {
    source: &'static str,
    package: PackageName,
    first_works: Version,
}

/// The claims of conda-forge's `numpy2_known_lower_bound.yaml`: each of its bounds is `<V` for `numpy<2.0`.
fn conda_forge_claims() -> Result<Vec<Claim>, String> {
    conda::bounds()
        .iter()
        .filter(|bound| bound.patch_name() == KNOWN_LOWER_BOUND)
        .map(|bound: &CondaBound| {
            let first_works = bound
                .versions_text
                .strip_prefix('<')
                .filter(|_| bound.numpy_text == "<2.0" && bound.uploaded_before.is_none())
                .and_then(|version| Version::from_str(version).ok())
                .ok_or_else(|| {
                    format!(
                        "`{}`: a bound of `{KNOWN_LOWER_BOUND}` that is not `<V` for `numpy<2.0`: versions `{}`, \
                         numpy `{}`",
                        bound.package, bound.versions_text, bound.numpy_text
                    )
                })?;
            Ok(Claim {
                source: CONDA_FORGE,
                package: bound.package.clone(),
                first_works,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueFile {
    source: IssueSource,
    package: Vec<IssueEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "provenance, checked for presence by deserializing"
)]
struct IssueSource {
    url: String,
    title: String,
    read: String,
    license: String,
    coverage: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct IssueEntry {
    package: String,
    /// The name as the issue writes it.
    named: String,
    first_compatible: String,
    /// Where in the issue: the description's table, or a comment (author and date).
    stated_in: String,
}

fn issue_claims() -> Result<Vec<Claim>, String> {
    let file: IssueFile = toml::from_str(NUMPY_ISSUE_TOML).map_err(|error| error.to_string())?;
    if !file.source.url.ends_with("/numpy/numpy/issues/26191") {
        return Err(format!("unexpected source `{}`", file.source.url));
    }
    file.package
        .iter()
        .map(|entry| {
            let context = |error: &dyn std::fmt::Display| {
                format!(
                    "`{}` (`{}`, {}): {error}",
                    entry.package, entry.named, entry.stated_in
                )
            };
            Ok(Claim {
                source: NUMPY_ISSUE,
                package: PackageName::from_str(&entry.package).map_err(|error| context(&error))?,
                first_works: Version::from_str(&entry.first_compatible)
                    .map_err(|error| context(&error))?,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossCheckFile {
    #[serde(default)]
    difference: Vec<Difference>,
}

/// One recorded disagreement of `data/cross-check.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    /// The lists that say so (`conda-forge`, `numpy#26191`).
    sources: Vec<String>,
    package: String,
    /// The releases it covers.
    releases: String,
    /// What the list says of them: `fails` or `works` with NumPy 2.
    claim: String,
    /// What nplint's facts say.
    nplint: String,
    why: String,
    evidence: Vec<String>,
}

impl Difference {
    fn covers(&self, disagreement: &Disagreement) -> Result<bool, String> {
        let releases = VersionSpecifiers::from_str(&self.releases)
            .map_err(|error| format!("`{}`: releases: {error}", self.package))?;
        let package = PackageName::from_str(&self.package)
            .map_err(|error| format!("`{}`: package: {error}", self.package))?;
        Ok(self
            .sources
            .iter()
            .any(|source| source == disagreement.source)
            && package == disagreement.package
            && self.claim == disagreement.claim.as_str()
            && releases.contains(&disagreement.version))
    }
}

fn differences() -> Vec<Difference> {
    let file: CrossCheckFile = toml::from_str(CROSS_CHECK_TOML)
        .unwrap_or_else(|error| panic!("cross-check.toml: {error}"));
    for difference in &file.difference {
        assert!(
            !difference.sources.is_empty()
                && difference
                    .sources
                    .iter()
                    .all(|source| [CONDA_FORGE, NUMPY_ISSUE].contains(&source.as_str()))
                && ["fails", "works"].contains(&difference.claim.as_str())
                && !difference.nplint.is_empty()
                && !difference.why.is_empty()
                && !difference.evidence.is_empty(),
            "cross-check.toml: an entry needs known sources, a claim (`fails` or `works`), what nplint says, why and \
             evidence: {difference:?}"
        );
    }
    file.difference
}

/// What a list says of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Fails,
    Works,
}

impl Expected {
    fn as_str(self) -> &'static str {
        match self {
            Expected::Fails => "fails",
            Expected::Works => "works",
        }
    }
}

/// A compared release where nplint's facts say otherwise than the list.
#[derive(Debug)]
struct Disagreement {
    source: &'static str,
    package: PackageName,
    version: Version,
    claim: Expected,
    /// What nplint's facts say, for the message.
    nplint: String,
}

/// The Pythons NumPy 2.0 ships wheels for, on the platform the installs were checked on.
fn targets() -> impl Iterator<Item = Target> {
    (9..=12).map(|minor| Target::new(PythonVersion::new(3, minor), Platform::LinuxX86_64))
}

/// The NumPy 2 releases: `>=2.0.0, <3`.
fn numpy_2() -> Ranges<Version> {
    Ranges::from_range_bounds((
        Bound::Included(Version::from_str("2.0.0").expect("a valid version")),
        Bound::Excluded(Version::from_str("3.0.0.dev0").expect("a valid version")),
    ))
}

/// Whether nplint's solver can install `release` on `target` (its rules in `nplint-solver`'s `provider.rs`).
fn available(package: &Package, release: &Release, target: Target) -> bool {
    let compiled = || {
        package.releases().iter().any(|other| {
            other
                .wheels()
                .any(|(_, tags)| tags.iter().any(|tag| !matches!(tag, WheelPython::Python3)))
        })
    };
    let installs = match release.kind() {
        ReleaseKind::Binary => release.has_wheel(target.python, target.platform),
        ReleaseKind::Pure => true,
        ReleaseKind::SdistOnly => !compiled(),
    };
    // A minor is admitted when some patch release of it is, as the solver reads `Requires-Python`.
    let minor = target.python;
    let patches = Ranges::from_range_bounds((
        Bound::Included(minor.version()),
        Bound::Excluded(PythonVersion::new(minor.major, minor.minor + 1).version()),
    ));
    installs
        && release
            .requires_python(target.platform)
            .and_then(|parsed| parsed.value())
            .is_none_or(|specifiers| {
                !release_specifiers_to_ranges(specifiers.clone()).is_disjoint(&patches)
            })
}

/// What nplint's facts say of a release on the targets it is available on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Said {
    /// Fails with NumPy 2 on every one.
    Fails,
    /// Works with NumPy 2 on every one.
    Works,
    /// Fails on some only: agrees with neither claim.
    Mixed,
}

/// nplint's verdict on one release (`None` when it is not compared), and the facts in words.
fn verdict(index: &Index, package: &Package, release: &Release) -> (Option<Said>, String) {
    let mut failing = Vec::new();
    let mut working = Vec::new();
    let mut said = BTreeSet::new();
    for target in targets().filter(|&target| available(package, release, target)) {
        let mut accepts = Ranges::full();
        if let Some(declared) = release.numpy_requirement(target) {
            said.insert(format!("declares `numpy{declared}`"));
            accepts = accepts.intersection(&Ranges::from(declared));
        }
        for fact in runtime::facts(index, package, release, Some(target)) {
            // An advisory fact (a function that fails when called) says nothing of whether the release works with
            // a NumPy, which is what the lists claim: it is shown, not counted.
            if fact.is_advisory() {
                said.insert(format!("`{}` (advisory)", fact.key));
                continue;
            }
            said.insert(format!("`{}`", fact.key));
            accepts = accepts.intersection(&fact.works);
        }
        if accepts.is_disjoint(&numpy_2()) {
            failing.push(target.python);
        } else {
            working.push(target.python);
        }
    }
    let scan = match release.build_scan().map(|scan| scan.numpy) {
        None => "no build scan",
        Some(BuildNumpy::Numpy1) => "build `1.x`",
        Some(BuildNumpy::Numpy2) => "build `2.x`",
        Some(BuildNumpy::NameOnly) => "build `name-only`",
        Some(BuildNumpy::None) => "build `none`",
    };
    let words = format!(
        "{} release, {scan}; {}",
        release.kind(),
        if said.is_empty() {
            "no declared bound on NumPy and no fact".to_owned()
        } else {
            said.into_iter().collect::<Vec<_>>().join(", ")
        }
    );
    let verdict = match (failing.is_empty(), working.is_empty()) {
        (true, true) => None,
        (false, true) => Some(Said::Fails),
        (true, false) => Some(Said::Works),
        (false, false) => Some(Said::Mixed),
    };
    let words = if verdict == Some(Said::Mixed) {
        format!(
            "{words}; fails on CPython {} only",
            failing
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        words
    };
    (verdict, words)
}

/// The tally of one claim, for the summary.
#[derive(Debug, Default)]
struct Tally {
    compared: usize,
    agreed: usize,
}

/// Checks one claim against the index: the disagreements, and the tally.
fn check(index: &Index, claim: &Claim) -> Option<(Vec<Disagreement>, Tally)> {
    let package = index.package(&claim.package)?;
    let finals: Vec<&Release> = package
        .releases()
        .iter()
        .filter(|release| !release.is_prerelease() && !release.is_yanked())
        .collect();
    let first = finals
        .iter()
        .find(|release| *release.version() >= claim.first_works);
    let newest = finals.last();
    let mut checked: Vec<(&Release, Expected)> = finals
        .iter()
        .filter(|release| *release.version() < claim.first_works)
        .map(|release| (*release, Expected::Fails))
        .collect();
    for release in first.into_iter().chain(newest) {
        if !checked
            .iter()
            .any(|(other, _)| other.version() == release.version())
        {
            checked.push((release, Expected::Works));
        }
    }
    let mut disagreements = Vec::new();
    let mut tally = Tally::default();
    for (release, expected) in checked {
        let (said, words) = verdict(index, package, release);
        let Some(said) = said else { continue };
        tally.compared += 1;
        let agrees = matches!(
            (said, expected),
            (Said::Fails, Expected::Fails) | (Said::Works, Expected::Works)
        );
        if agrees {
            tally.agreed += 1;
        } else {
            disagreements.push(Disagreement {
                source: claim.source,
                package: claim.package.clone(),
                version: release.version().clone(),
                claim: expected,
                nplint: words,
            });
        }
    }
    Some((disagreements, tally))
}

fn all_claims() -> Vec<Claim> {
    let mut claims = conda_forge_claims().unwrap_or_else(|error| panic!("{error}"));
    claims.extend(issue_claims().unwrap_or_else(|error| panic!("numpy-26191.toml: {error}")));
    claims
}

#[test]
fn nplint_agrees_with_the_lists_or_the_difference_is_recorded() {
    let index = Index::embedded();
    let differences = differences();
    let mut used: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); differences.len()];
    let mut unexplained = String::new();
    let mut known = 0;
    for claim in all_claims() {
        let Some((disagreements, _)) = check(index, &claim) else {
            continue;
        };
        known += 1;
        for disagreement in disagreements {
            let mut covered = false;
            for (at, difference) in differences.iter().enumerate() {
                if difference
                    .covers(&disagreement)
                    .unwrap_or_else(|error| panic!("cross-check.toml: {error}"))
                {
                    used[at].insert(disagreement.source);
                    covered = true;
                }
            }
            if !covered {
                let _ = writeln!(
                    unexplained,
                    "{}: `{}` {}: the list says it {} with NumPy 2 (first that works: {}); nplint: {}",
                    disagreement.source,
                    disagreement.package,
                    disagreement.version,
                    disagreement.claim.as_str(),
                    claim.first_works,
                    disagreement.nplint,
                );
            }
        }
    }
    // An empty index (no data checked in) has nothing to compare; the real one holds most listed packages.
    if !index.is_empty() {
        assert!(known > 20, "only {known} listed packages are indexed");
    }
    assert!(
        unexplained.is_empty(),
        "disagreements that data/cross-check.toml does not record:\n{unexplained}"
    );
    // Every source an entry names must have a disagreement it covers.
    let stale: Vec<String> = differences
        .iter()
        .zip(&used)
        .flat_map(|(difference, used)| {
            difference
                .sources
                .iter()
                .filter(|source| !used.contains(source.as_str()))
                .map(move |source| {
                    format!(
                        "{source} `{}` {} ({})",
                        difference.package, difference.releases, difference.claim
                    )
                })
        })
        .collect();
    assert!(
        index.is_empty() || stale.is_empty(),
        "entries of data/cross-check.toml that cover no disagreement:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_conda_forge_list_is_read_whole() {
    let claims = conda_forge_claims().unwrap_or_else(|error| panic!("{error}"));
    let patched = conda::bounds()
        .iter()
        .filter(|bound| bound.patch_name() == KNOWN_LOWER_BOUND)
        .count();
    assert_eq!(claims.len(), patched);
    assert!(claims.iter().any(|claim| claim.package.as_ref() == "pandas"
        && claim.first_works == Version::from_str("2.2.2").unwrap()));
}
