//! Runtime facts: why an installed release fails with some NumPy although its metadata admits that NumPy.
//!
//! A resolver sees only `Requires-Dist`. What it cannot see, and this module answers per release and target:
//! which NumPy versions the release *works with* once installed ([`RuntimeFact::works`]). Three kinds
//! ([`FactKind`]) from four kinds of evidence ([`Evidence`]), best first:
//!
//! - **Measured by the sync.** The NumPy a release's extension modules were compiled against
//!   ([`Release::build_scan`]: NumPy's C-API import names `numpy._core._multiarray_umath` in a build against
//!   NumPy 2, only `numpy.core._multiarray_umath` in a build against 1.x), and the removed NumPy names its Python
//!   code uses when a module is imported ([`Release::removed_api`], checked against `data/numpy-api.toml`).
//! - **Curated** (`data/runtime.toml`): reviewed entries, each with public references. A curated `abi` fact
//!   replaces what the binaries say about a release: the binaries tell the NumPy major version they were built
//!   against, not the minor (gensim 4.1.0's Linux wheels were built against NumPy 1.20 and fail on 1.19; only its
//!   issue tracker says so).
//! - **Inferred**, the last resort, and labelled as such: a binary release whose own wheels were not scanned, of a
//!   package whose scanned releases use NumPy's C API, uploaded before the first release the sync found built
//!   against NumPy 2 ([`Index::first_numpy_2_build`]), was built against NumPy 1.x.
//!
//! # NumPy's C ABI, as encoded here
//!
//! NumPy's documentation ("For downstream package authors", the NumPy 1.25.0 release notes on backward-compatible
//! builds, and the NumPy 2.0 migration guide) states the rules:
//! an extension module built against NumPy 1.x runs on NumPy 1.x from the version it targets on (an older NumPy
//! fails with "numpy.ndarray size changed"), and never on NumPy 2 ("A module that was compiled using NumPy 1.x
//! cannot be run in NumPy 2..."); since NumPy 1.25 a build targets an older API by default, and a build against
//! NumPy 2 runs on NumPy 1.x down to its target as well as on 2.x. So a build against 1.x works with `numpy<2`. The
//! lower bound (the targeted 1.x minor) is not in the binaries; the release's own metadata states it in
//! practice (builds used `oldest-supported-numpy`), and curated facts correct the releases where it does not. A
//! build against NumPy 2 writes its target into the binary (`NPY_FEATURE_VERSION_STRING`), and works with NumPy
//! from the lowest target among the wheel's modules on: usually at or below the oldest NumPy its metadata admits,
//! not always (numpy-quaddtype 0.0.1 declares `numpy` and needs 2.0), and only for the wheel read, since the
//! wheels for older CPythons may target older NumPys ([`floor_fact`]). Each platform is judged by its own wheel's
//! scan where the sync read it ([`Release::build_scan_on`]). A release whose extension modules use no NumPy C API
//! (including those that only import it by name, `name-only`), and a pure-Python release, have no ABI
//! constraint.
//!
//! # Removed names
//!
//! Uses that run unconditionally when a module is imported (module level and class bodies outside any condition,
//! default arguments, decorators, `from numpy import name`) are facts: the release fails at import. Uses in the
//! straight-line body of a function the module defines unconditionally ([`ApiScope::Function`]) are *advisory*
//! facts, one per removing NumPy release ([`Evidence::Call`], [`RuntimeFact::is_advisory`]): the release imports
//! and the function fails when called, which the `removed-numpy-api` rule reports as a warning (a note when no
//! release of the package drops the use) and the solver ignores. Names a group of `numpy-api.toml` marks
//! `scanned_facts = false` (the exceptions NumPy 2.0 moved) make no fact in any scope. A use under a
//! condition (`if numpy_version < (2, 0):`, `try:`, `if __name__ == "__main__":`, also inside a function) fails
//! only when that code runs, which for most users is never (astropy, numba and statsmodels keep such uses behind
//! NumPy version checks and in sandbox modules, and import fine): it is recorded and shown by `nplint index show`,
//! but is no fact. A curated fact covers a use the scan cannot see (a name looked up with `getattr`) or a common
//! code path, and replaces both scanned facts.

use std::str::FromStr;
use std::sync::OnceLock;

use pep440_rs::{Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{MarkerTree, PackageName};
use serde::Deserialize;
use version_ranges::Ranges;

use crate::compact::BuildRef;
use crate::source::{ApiScope, BuildNumpy, ReleaseKind};
use crate::target::{PythonVersion, Target};
use crate::{FileName, Index, Package, Release, WheelPython};

/// The curated facts, reviewed data (see the file's header).
static RUNTIME_TOML: &str = include_str!("../data/runtime.toml");
/// The names NumPy removed, reviewed data (see the file's header).
static NUMPY_API_TOML: &str = include_str!("../data/numpy-api.toml");

/// What kind of runtime breakage a fact describes; each is reported by its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FactKind {
    /// The release's binaries need a NumPy ABI that its metadata does not declare.
    Abi,
    /// The release's code uses a NumPy name that some NumPy release removed.
    RemovedApi,
    /// A documented breakage that is neither.
    KnownPitfall,
}

impl FactKind {
    /// The name used in `data/runtime.toml` and in JSON output.
    pub const fn as_str(self) -> &'static str {
        match self {
            FactKind::Abi => "abi",
            FactKind::RemovedApi => "removed-api",
            FactKind::KnownPitfall => "known-pitfall",
        }
    }
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The sync read the release's extension modules: `member` of the wheel `file` decided it.
    Binary {
        file: FileName<'static>,
        member: &'static str,
    },
    /// The sync read the release's Python code: the first use of `numpy.{name}` at import, of `count` in the wheel.
    Source {
        name: &'static str,
        file: FileName<'static>,
        member: &'static str,
        line: u32,
        count: u32,
    },
    /// The sync read the release's Python code: the first use of `numpy.{name}` in the straight-line body of
    /// `function`, of `count` such uses in the wheel. Advisory: the release imports, and fails only when the
    /// function is called ([`RuntimeFact::is_advisory`]).
    Call {
        name: &'static str,
        file: FileName<'static>,
        member: &'static str,
        line: u32,
        count: u32,
        function: &'static str,
    },
    /// The sync read the release's extension modules: those of the wheel `file` were built with NumPy 2's headers
    /// for NumPy `floor` and later, the lowest of them.
    Floor {
        file: FileName<'static>,
        floor: &'static str,
    },
    /// A reviewed entry of `data/runtime.toml`.
    Curated { id: &'static str },
    /// No evidence of the release's own: inferred, as the reason says.
    Inferred { reason: String },
}

impl Evidence {
    /// The kind of evidence: `binary`, `source`, `curated` or `inferred`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Evidence::Binary { .. } | Evidence::Floor { .. } => "binary",
            Evidence::Source { .. } => "source",
            Evidence::Call { .. } => "call",
            Evidence::Curated { .. } => "curated",
            Evidence::Inferred { .. } => "inferred",
        }
    }
}

/// One runtime fact about a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeFact {
    pub kind: FactKind,
    /// The same for every release the fact holds for, for the same reason: `abi:built-against-numpy-1.x`,
    /// `curated:gensim-4.1.0-numpy-1.20-abi`, `removed-api:float,int`. A label for the solver and for grouping.
    pub key: String,
    /// What the release is, as a predicate after its name: "was built against NumPy 1.x", "runs code at import
    /// that uses `numpy.float`, which NumPy 1.24.0 removed".
    pub predicate: String,
    /// The fact as the subject of "... work only with `numpy<2`": "builds against NumPy 1.x", "releases that use
    /// `numpy.float` at import".
    pub subject: String,
    /// The NumPy versions the release works with once installed; it breaks with any other.
    pub works: Ranges<Version>,
    /// What a user sees when it breaks.
    pub symptom: &'static str,
    /// Public references: the curated entry's, or NumPy's release notes for a removed name.
    pub references: Vec<&'static str>,
    /// The curated entry's note.
    pub note: Option<&'static str>,
    pub evidence: Evidence,
}

impl RuntimeFact {
    /// The evidence in words: the wheel and member read, the curated entry and its note, or the inference.
    /// Whether the fact is a warning about a code path rather than a constraint on resolution: a removed name used
    /// in a function body, which the release's import does not run. The solver leaves advisory facts out; the
    /// `removed-numpy-api` rule reports them, as warnings, where the resolver's NumPy lacks the name.
    pub fn is_advisory(&self) -> bool {
        matches!(self.evidence, Evidence::Call { .. })
    }

    pub fn evidence_text(&self) -> String {
        match &self.evidence {
            Evidence::Binary { file, member } => format!(
                "read from the wheel `{file}`: `{member}` imports `numpy.core._multiarray_umath` only (NumPy 1.x \
                 headers)"
            ),
            Evidence::Floor { file, floor } => format!(
                "read from the wheel `{file}`: every extension module built with NumPy 2's headers refuses a NumPy \
                 older than {floor} (the lowest `NPY_FEATURE_VERSION` among them)"
            ),
            Evidence::Source {
                name,
                file,
                member,
                line,
                count,
            } => format!(
                "read from the wheel `{file}`: `{member}` line {line} uses `numpy.{name}` at import ({count} use{} \
                 in the wheel)",
                if *count == 1 { "" } else { "s" }
            ),
            Evidence::Call {
                name,
                file,
                member,
                line,
                count,
                function,
            } => format!(
                "read from the wheel `{file}`: `{member}` line {line} uses `numpy.{name}` in the body of \
                 `{function}`, which fails when it is called ({count} such use{} in the wheel)",
                if *count == 1 { "" } else { "s" }
            ),
            Evidence::Curated { id } => {
                format!("curated fact `{id}`: {}", self.note.unwrap_or_default())
            }
            Evidence::Inferred { reason } => format!("inferred: {reason}"),
        }
    }
}

/// Every runtime fact about `release` of `package` on `target` (a curated fact with a marker holds where the marker
/// does; `None` takes every curated fact, as `nplint index show` does). Sorted by kind, then key.
pub fn facts(
    index: &Index,
    package: &Package,
    release: &Release,
    target: Option<Target>,
) -> Vec<RuntimeFact> {
    let mut facts = Vec::new();
    let mut curated_abi = false;
    for entry in curated() {
        if entry.package != *package.name() || !entry.versions.contains(release.version()) {
            continue;
        }
        if let (Some(marker), Some(target)) = (&entry.marker, target)
            && !marker.evaluate(&target.marker_environment(), &[])
        {
            continue;
        }
        curated_abi |= entry.kind == FactKind::Abi;
        facts.push(RuntimeFact {
            kind: entry.kind,
            key: format!("curated:{}", entry.id),
            predicate: entry.predicate(),
            subject: entry.subject(),
            works: entry.works(),
            symptom: entry.symptom,
            references: entry.references.clone(),
            note: Some(entry.note),
            evidence: Evidence::Curated { id: entry.id },
        });
    }
    if !curated_abi && let Some(fact) = abi_fact(index, package, release, target) {
        facts.push(fact);
    }
    // A curated removed-API fact is the reviewed account of the release's code: the scan's would repeat it.
    if !facts.iter().any(|fact| fact.kind == FactKind::RemovedApi) {
        facts.extend(removed_api_fact(release));
        facts.extend(call_facts(release));
    }
    facts.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    facts
}

/// The ABI fact the binaries (or, without a scan, the upload date) give.
///
/// Only a module compiled against NumPy's C API (`1.x`, `2.x`: NumPy's import code with its ABI check, or
/// Cython's numpy declarations with their `numpy.dtype` size check) constrains the NumPy it runs with. A
/// `name-only` release, whose modules import NumPy's C-API module by name (pybind11 before 2.12), has none: NumPy 2
/// keeps that import working (contourpy 1.0.7 and 1.1.0, built with pybind11 before 2.12 and NumPy 1.x, import and
/// draw contours with NumPy 2.0.2 and 2.2.6, installed on Linux x86_64), while a `1.x` build such as bottleneck
/// 1.3.7 fails at import with NumPy 2.0.2 ("A module that was compiled using NumPy 1.x cannot be run in NumPy 2",
/// then `ImportError: numpy.core.multiarray failed to import`). Nor does a `name-only` package count as one that
/// uses the C API when the upload date of an unscanned release is all there is.
fn abi_fact(
    index: &Index,
    package: &Package,
    release: &Release,
    target: Option<Target>,
) -> Option<RuntimeFact> {
    let below_2 = || Ranges::strictly_lower_than(version("2.0.0.dev0"));
    let symptom = "ImportError: A module that was compiled using NumPy 1.x cannot be run in NumPy 2 (numpy.dtype \
                   size changed, may indicate binary incompatibility. Expected 96 from C header, got 88 from \
                   PyObject)";
    let references = vec![
        "https://numpy.org/doc/stable/dev/depending_on_numpy.html",
        "https://numpy.org/doc/stable/numpy_2_0_migration_guide.html",
        "https://numpy.org/doc/stable/release/1.25.0-notes.html#compiling-against-the-numpy-c-api-is-now-backwards-compatible-by-default",
    ];
    let scan = match target {
        Some(target) => release.build_scan_on(target.platform),
        None => release.build_scan(),
    };
    if let Some(scan) = scan {
        return match scan.numpy {
            BuildNumpy::Numpy1 => Some(RuntimeFact {
                kind: FactKind::Abi,
                key: "abi:built-against-numpy-1.x".to_owned(),
                predicate: "was built against NumPy 1.x".to_owned(),
                subject: "builds against NumPy 1.x".to_owned(),
                works: below_2(),
                symptom,
                references,
                note: None,
                evidence: Evidence::Binary {
                    file: scan.file,
                    member: scan.member.unwrap_or_default(),
                },
            }),
            BuildNumpy::Numpy2 => floor_fact(release, scan, target),
            BuildNumpy::NameOnly | BuildNumpy::None => None,
        };
    }
    if release.kind() != ReleaseKind::Binary || package.name().as_ref() == "numpy" {
        return None;
    }
    let uses_c_api = package.releases().iter().any(|other| {
        other
            .build_scan()
            .is_some_and(|scan| matches!(scan.numpy, BuildNumpy::Numpy1 | BuildNumpy::Numpy2))
    });
    if !uses_c_api {
        return None;
    }
    // Only now: the first call reads every package of the index.
    let first_numpy_2 = index.first_numpy_2_build()?;
    // A release without an upload time is taken as old, as an empty time sorted first when they were text.
    (release.uploaded().is_none_or(|uploaded| uploaded < first_numpy_2)).then(|| RuntimeFact {
        kind: FactKind::Abi,
        key: "abi:inferred-numpy-1.x".to_owned(),
        predicate: "was built against NumPy 1.x (inferred from its upload date)".to_owned(),
        subject: "builds against NumPy 1.x".to_owned(),
        works: below_2(),
        symptom,
        references,
        note: None,
        evidence: Evidence::Inferred {
            reason: format!(
                "its wheels were not scanned; other releases of `{}` use NumPy's C API, and it was uploaded on \
                 {}, before any indexed release was built against NumPy 2 (the first, on {})",
                package.name(),
                release.upload_date(),
                first_numpy_2.date(),
            ),
        },
    })
}

/// The floor of a build against NumPy 2, as a fact where the wheel read is the one installed.
///
/// NumPy 2's headers make a module refuse a NumPy older than the one it was built for (`NPY_TARGET_VERSION`), and
/// the sync records the lowest such floor of the wheel's modules (below it, every one of them fails to load). The
/// floor differs between the wheels of one release (blis 1.0.1's cp311 wheel needs NumPy 1.20, its cp39 wheel
/// 1.16: each was built with the newest NumPy for its Python), and the sync reads one wheel per platform, the one
/// with the newest CPython tag. So the fact holds only on a target that installs that very wheel: its CPython
/// version for a version-specific wheel, and for a stable-ABI wheel (`cp311-abi3`) every later version that has no
/// version-specific wheel of its own. Without a target (`nplint index show`) it is given as read.
fn floor_fact(
    release: &Release,
    scan: &BuildRef<'static>,
    target: Option<Target>,
) -> Option<RuntimeFact> {
    let floor = scan.numpy_floor?;
    let floor_version = Version::from_str(floor).ok()?;
    if let Some(target) = target {
        let platform_read = release.build_scan().is_some_and(|primary| {
            primary.file == scan.file
                && (release.wheels().next().map(|(platform, _)| platform) == Some(target.platform)
                    || release.build_agrees_on().contains(&target.platform))
        }) || release
            .platform_builds()
            .iter()
            .any(|(platform, _)| *platform == target.platform);
        if !platform_read
            || !installs_newest_wheel(release.wheel_pythons(target.platform), target.python)
        {
            return None;
        }
    }
    let wheels = wheel_python_tag(&scan.file.to_string())
        .map(|tag| format!(" (its `{tag}` wheels)"))
        .unwrap_or_default();
    Some(RuntimeFact {
        kind: FactKind::Abi,
        key: "abi:numpy-floor".to_owned(),
        predicate: format!("has binaries built for NumPy {floor} and later{wheels}"),
        subject: format!("builds for NumPy {floor} and later"),
        works: Ranges::higher_than(floor_version),
        symptom: "ImportError: numpy._core.multiarray failed to import (RuntimeError: module was compiled against \
                  NumPy C-API version ... but the running NumPy has C-API version ...)",
        references: vec![
            "https://numpy.org/doc/stable/dev/depending_on_numpy.html",
            "https://numpy.org/doc/stable/reference/c-api/array.html#c.NPY_TARGET_VERSION",
        ],
        note: None,
        evidence: Evidence::Floor {
            file: scan.file,
            floor,
        },
    })
}

/// The Python tag of a wheel's file name as the index records tags: `cp313`, or `cp311-abi3` for a stable-ABI
/// wheel. `None` for a name that is not a wheel's.
fn wheel_python_tag(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".whl")?;
    let mut parts = stem.rsplit('-');
    let (_platform, abi, python) = (parts.next()?, parts.next()?, parts.next()?);
    Some(if abi == "abi3" {
        format!("{python}-abi3")
    } else {
        python.to_owned()
    })
}

/// Whether CPython `python` installs the wheel with the newest tag among `tags` (the one the sync reads): that
/// very version's wheel, or a stable-ABI wheel when no version-specific one is there for `python`. Ties (a `cp312`
/// and a `cp312-abi3` wheel) leave it unknown, which is no.
fn installs_newest_wheel(tags: &[WheelPython], python: PythonVersion) -> bool {
    let minor = |tag: &WheelPython| match tag {
        WheelPython::CPython(version) | WheelPython::Abi3(version) => Some(*version),
        _ => None,
    };
    let Some(newest) = tags.iter().filter_map(minor).max() else {
        return false;
    };
    let mut newest_tags = tags.iter().filter(|tag| minor(tag) == Some(newest));
    match (newest_tags.next(), newest_tags.next()) {
        (Some(WheelPython::CPython(version)), None) => *version == python,
        (Some(WheelPython::Abi3(version)), None) => {
            *version <= python
                && python.major == version.major
                && !tags.contains(&WheelPython::CPython(python))
        }
        _ => false,
    }
}

/// The removed names the release uses at import, as one fact.
fn removed_api_fact(release: &Release) -> Option<RuntimeFact> {
    let uses: Vec<_> = release
        .removed_api()
        .iter()
        .filter(|api| api.scope == ApiScope::Import)
        .filter_map(|api| removal(api.name).map(|removal| (api, removal)))
        .filter(|(_, removal)| removal.scanned_facts)
        .collect();
    let (first, first_removal) = uses.first()?;
    let mut works = Ranges::full();
    let mut references: Vec<&'static str> = Vec::new();
    let mut short = Vec::new();
    for (api, removal) in &uses {
        short.push(format!("`numpy.{}`", api.name));
        works = works.intersection(&removal.works());
        for reference in &removal.references {
            if !references.contains(reference) {
                references.push(reference);
            }
        }
    }
    Some(RuntimeFact {
        kind: FactKind::RemovedApi,
        key: format!(
            "removed-api:{}",
            uses.iter()
                .map(|(api, _)| api.name)
                .collect::<Vec<_>>()
                .join(",")
        ),
        predicate: format!(
            "runs code at import that uses {}",
            removed_names(uses.iter().map(|(api, _)| api.name))
        ),
        subject: if short.len() > 2 {
            "releases that use these names at import".to_owned()
        } else {
            format!("releases that use {} at import", and_list(&short))
        },
        works,
        symptom: first_removal.error,
        references,
        note: None,
        evidence: Evidence::Source {
            name: first.name,
            file: first.file,
            member: first.member,
            line: first.line,
            count: first.count,
        },
    })
}

/// The removed names the release uses in the straight-line bodies of its functions ([`ApiScope::Function`]), as
/// advisory facts ([`Evidence::Call`]): the release imports, and the functions fail when called. One fact per NumPy
/// release that removed some of the names, so that a finding names only the functions that fail with the NumPy at
/// hand: statsmodels 0.14.1 calls `numpy.complex` in `fftconvolveinv`, gone since 1.24, and `numpy.Inf` in
/// `_fit_bfgs`, gone since 2.0; with NumPy 1.26 only the first fails.
fn call_facts(release: &Release) -> Vec<RuntimeFact> {
    let uses: Vec<_> = release
        .removed_api()
        .iter()
        .filter(|api| api.scope == ApiScope::Function)
        .filter_map(|api| Some((api, removal(api.name)?, api.function?)))
        .filter(|(_, removal, _)| removal.scanned_facts)
        .collect();
    let mut groups: Vec<(&Version, Vec<_>)> = Vec::new();
    for found in uses {
        let removed = &found.1.removed;
        match groups.iter_mut().find(|(version, _)| *version == removed) {
            Some((_, group)) => group.push(found),
            None => groups.push((removed, vec![found])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(_, uses)| call_fact(&uses))
        .collect()
}

/// One advisory fact over uses of names one NumPy release removed.
fn call_fact(
    uses: &[(&crate::ApiUseRef<'static>, &'static Removal, &'static str)],
) -> Option<RuntimeFact> {
    let (first, first_removal, first_function) = uses.first()?;
    let mut works = Ranges::full();
    let mut references: Vec<&'static str> = Vec::new();
    let mut functions: Vec<String> = Vec::new();
    for (_, removal, function) in uses {
        works = works.intersection(&removal.works());
        for reference in &removal.references {
            if !references.contains(reference) {
                references.push(reference);
            }
        }
        let function = format!("`{function}`");
        if !functions.contains(&function) {
            functions.push(function);
        }
    }
    let names: Vec<&str> = uses.iter().map(|(api, _, _)| api.name).collect();
    Some(RuntimeFact {
        kind: FactKind::RemovedApi,
        key: format!("removed-api-call:{}", names.join(",")),
        predicate: format!(
            "uses, in {}, {}",
            and_list(&functions),
            removed_names(names.iter().copied())
        ),
        subject: if names.len() > 2 {
            "functions that use these names".to_owned()
        } else {
            let short: Vec<String> = names.iter().map(|name| format!("`numpy.{name}`")).collect();
            format!("functions that use {}", and_list(&short))
        },
        works,
        symptom: first_removal.error,
        references,
        note: None,
        evidence: Evidence::Call {
            name: first.name,
            file: first.file,
            member: first.member,
            line: first.line,
            count: first.count,
            function: first_function,
        },
    })
}

/// `` `numpy.float` and `numpy.int`, which NumPy 1.24.0 removed ``; names of several removals each say theirs.
fn removed_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<(&str, Option<&Removal>)> = names.map(|name| (name, removal(name))).collect();
    let versions: Vec<&Version> = names
        .iter()
        .filter_map(|(_, removal)| removal.map(|removal| &removal.removed))
        .collect();
    if versions.len() == names.len() && versions.windows(2).all(|pair| pair[0] == pair[1]) {
        let listed: Vec<String> = names
            .iter()
            .map(|(name, _)| format!("`numpy.{name}`"))
            .collect();
        return format!("{}, which NumPy {} removed", and_list(&listed), versions[0]);
    }
    let listed: Vec<String> = names
        .iter()
        .map(|(name, removal)| match removal {
            Some(removal) => format!("`numpy.{name}` (removed in NumPy {})", removal.removed),
            None => format!("`numpy.{name}`"),
        })
        .collect();
    and_list(&listed)
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A version literal of this file. Invariant: every literal passed is a valid PEP 440 version.
fn version(text: &str) -> Version {
    Version::from_str(text).expect("a valid version literal")
}

/// One entry of `data/runtime.toml`, parsed.
#[derive(Debug)]
pub struct CuratedFact {
    pub id: &'static str,
    pub kind: FactKind,
    pub package: PackageName,
    pub versions: VersionSpecifiers,
    /// The NumPy versions the releases work with: the union of these specifier sets (`numpy = ["<1.24", ">=2"]` for
    /// a name NumPy 1.24 removed and 2.0 restored), never empty.
    pub numpy: Vec<VersionSpecifiers>,
    pub api: Vec<&'static str>,
    pub marker: Option<MarkerTree>,
    pub symptom: &'static str,
    pub references: Vec<&'static str>,
    pub note: &'static str,
}

impl CuratedFact {
    /// The NumPy versions the releases work with.
    pub fn works(&self) -> Ranges<Version> {
        self.numpy
            .iter()
            .fold(Ranges::empty(), |works, specifiers| {
                works.union(&Ranges::from(specifiers.clone()))
            })
    }

    fn predicate(&self) -> String {
        let id = self.id;
        match self.kind {
            // The common case, releases from before NumPy 2 that declare no upper bound, reads as such.
            FactKind::Abi if matches!(self.numpy.as_slice(), [only] if only.to_string() == "<2") => {
                format!("was built against NumPy 1.x (`{id}`)")
            }
            FactKind::Abi => {
                format!("has binaries built against a NumPy its metadata does not declare (`{id}`)")
            }
            FactKind::RemovedApi => {
                format!("uses {} (`{id}`)", removed_names(self.api.iter().copied()))
            }
            FactKind::KnownPitfall => format!("has a known incompatibility with NumPy (`{id}`)"),
        }
    }

    fn subject(&self) -> String {
        match self.kind {
            FactKind::Abi => format!("the binaries of `{}` (`{}`)", self.package, self.id),
            FactKind::RemovedApi => {
                let names: Vec<String> = self
                    .api
                    .iter()
                    .map(|name| format!("`numpy.{name}`"))
                    .collect();
                format!("releases that use {}", and_list(&names))
            }
            FactKind::KnownPitfall => {
                format!(
                    "the affected releases of `{}` (`{}`)",
                    self.package, self.id
                )
            }
        }
    }
}

/// One group of `data/numpy-api.toml`, parsed.
#[derive(Debug)]
pub struct Removal {
    pub names: Vec<&'static str>,
    pub removed: Version,
    pub restored: Option<Version>,
    pub error: &'static str,
    pub references: Vec<&'static str>,
    /// Whether the scan's uses of the names make facts (`scanned_facts = false` in the file: exception and warning
    /// classes, which code names mostly in an `except` clause or a warnings filter, evaluated only when something
    /// is raised, or in a compatibility module the package itself never imports; curated facts cover the releases
    /// that fail).
    pub scanned_facts: bool,
}

impl Removal {
    /// The NumPy versions on which the names exist: before the removal, and from a restoring release on. Read as the
    /// specifiers `<removed` and `>=restored` are (the removing release's pre-releases lack the names already), so
    /// that a curated fact saying `numpy = ["<1.24", ">=2"]` and the removal it cites are the same range.
    pub fn works(&self) -> Ranges<Version> {
        let before = Ranges::from(VersionSpecifier::less_than_version(self.removed.clone()));
        match &self.restored {
            Some(restored) => before.union(&Ranges::from(
                VersionSpecifier::greater_than_equal_version(restored.clone()),
            )),
            None => before,
        }
    }
}

/// The curated facts.
///
/// # Panics
///
/// Only if `data/runtime.toml` is invalid, which the tests of this module rule out for the embedded file.
pub fn curated() -> &'static [CuratedFact] {
    static CURATED: OnceLock<Vec<CuratedFact>> = OnceLock::new();
    CURATED.get_or_init(|| {
        // Invariant: the embedded file is checked by `curated_facts_are_valid`.
        parse_curated(RUNTIME_TOML).unwrap_or_else(|error| panic!("data/runtime.toml: {error}"))
    })
}

/// The removal groups of `data/numpy-api.toml`.
///
/// # Panics
///
/// Only if `data/numpy-api.toml` is invalid, which the tests of this module rule out for the embedded file.
pub fn removals() -> &'static [Removal] {
    static REMOVALS: OnceLock<Vec<Removal>> = OnceLock::new();
    REMOVALS.get_or_init(|| {
        // Invariant: the embedded file is checked by `numpy_api_is_valid`.
        parse_removals(NUMPY_API_TOML)
            .unwrap_or_else(|error| panic!("data/numpy-api.toml: {error}"))
    })
}

/// The removal of `numpy.{name}`, if NumPy removed it.
pub fn removal(name: &str) -> Option<&'static Removal> {
    removals()
        .iter()
        .find(|removal| removal.names.contains(&name))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedFile {
    fact: Vec<CuratedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedEntry {
    id: String,
    kind: String,
    package: String,
    versions: String,
    numpy: OneOrMany,
    #[serde(default)]
    api: Vec<String>,
    marker: Option<String>,
    symptom: String,
    references: Vec<String>,
    note: String,
}

/// `numpy = "<2"`, or a union: `numpy = ["<1.24", ">=2"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiFile {
    removal: Vec<RemovalEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemovalEntry {
    names: Vec<String>,
    deprecated: Option<String>,
    removed: String,
    restored: Option<String>,
    error: String,
    references: Vec<String>,
    #[serde(default = "yes")]
    scanned_facts: bool,
}

fn yes() -> bool {
    true
}

/// Reviewed data's text, kept for the program's life.
pub(crate) fn leak(text: String) -> &'static str {
    // Parsed once per process (`OnceLock`): the data lives as long as the program.
    Box::leak(text.into_boxed_str())
}

/// A package name of reviewed data, which must be written normalized.
pub(crate) fn normalized_package(text: &str) -> Result<PackageName, String> {
    let package = PackageName::from_str(text).map_err(|error| error.to_string())?;
    if package.as_ref() == text {
        Ok(package)
    } else {
        Err("not a normalized name".to_owned())
    }
}

/// Parses `data/runtime.toml`, checking every value; the error names the entry.
pub fn parse_curated(text: &str) -> Result<Vec<CuratedFact>, String> {
    let file: CuratedFile = toml::from_str(text).map_err(|error| error.to_string())?;
    file.fact
        .into_iter()
        .map(|entry| {
            let id = entry.id.clone();
            let context =
                |what: &str, error: &dyn std::fmt::Display| format!("`{id}`: {what}: {error}");
            let kind = match entry.kind.as_str() {
                "abi" => FactKind::Abi,
                "removed-api" => FactKind::RemovedApi,
                "known-pitfall" => FactKind::KnownPitfall,
                other => return Err(context("kind", &format!("unknown kind `{other}`"))),
            };
            let package =
                normalized_package(&entry.package).map_err(|error| context("package", &error))?;
            let versions = VersionSpecifiers::from_str(&entry.versions)
                .map_err(|error| context("versions", &error))?;
            let numpy = match entry.numpy {
                OneOrMany::One(one) => vec![one],
                OneOrMany::Many(many) => many,
            };
            if numpy.is_empty() {
                return Err(context("numpy", &"at least one range is required"));
            }
            let numpy = numpy
                .iter()
                .map(|text| VersionSpecifiers::from_str(text))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| context("numpy", &error))?;
            let marker = entry
                .marker
                .as_deref()
                .map(MarkerTree::from_str)
                .transpose()
                .map_err(|error| context("marker", &error))?;
            if entry.references.is_empty() {
                return Err(context("references", &"at least one is required"));
            }
            Ok(CuratedFact {
                id: leak(entry.id),
                kind,
                package,
                versions,
                numpy,
                api: entry.api.into_iter().map(leak).collect(),
                marker,
                symptom: leak(entry.symptom),
                references: entry.references.into_iter().map(leak).collect(),
                note: leak(entry.note),
            })
        })
        .collect()
}

/// Parses `data/numpy-api.toml`.
pub fn parse_removals(text: &str) -> Result<Vec<Removal>, String> {
    let file: ApiFile = toml::from_str(text).map_err(|error| error.to_string())?;
    file.removal
        .into_iter()
        .map(|entry| {
            let parse =
                |text: &str| Version::from_str(text).map_err(|error| format!("`{text}`: {error}"));
            if let Some(deprecated) = &entry.deprecated {
                parse(deprecated)?;
            }
            Ok(Removal {
                names: entry.names.into_iter().map(leak).collect(),
                removed: parse(&entry.removed)?,
                restored: entry.restored.as_deref().map(parse).transpose()?,
                error: leak(entry.error),
                references: entry.references.into_iter().map(leak).collect(),
                scanned_facts: entry.scanned_facts,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_api_is_valid() {
        let removals = parse_removals(NUMPY_API_TOML).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for removal in &removals {
            for name in &removal.names {
                assert!(seen.insert(*name), "`{name}` is listed twice");
            }
            assert!(!removal.references.is_empty());
        }
        let float = removal("float").unwrap();
        assert!(float.works().contains(&version("1.23.5")));
        assert!(!float.works().contains(&version("1.24.0")));
        assert!(!float.works().contains(&version("2.0.0")));
        // Restored in 2.0 with the meaning code written for 1.x expects.
        for name in ["bool", "long"] {
            let restored = removal(name).unwrap();
            assert!(restored.works().contains(&version("1.23.5")), "{name}");
            assert!(!restored.works().contains(&version("1.26.4")), "{name}");
            assert!(restored.works().contains(&version("2.0.2")), "{name}");
        }
        assert!(removal("float64").is_none());
    }

    #[test]
    fn curated_facts_are_valid() {
        let facts = parse_curated(RUNTIME_TOML).unwrap();
        let index = Index::embedded();
        let mut ids = std::collections::BTreeSet::new();
        for fact in &facts {
            assert!(ids.insert(fact.id), "`{}` is listed twice", fact.id);
            let package = index
                .package(&fact.package)
                .unwrap_or_else(|| panic!("`{}`: `{}` is not indexed", fact.id, fact.package));
            assert!(
                package
                    .releases()
                    .iter()
                    .any(|release| fact.versions.contains(release.version())),
                "`{}`: no release of `{}` matches `{}`",
                fact.id,
                fact.package,
                fact.versions
            );
            for name in &fact.api {
                assert!(
                    removal(name).is_some(),
                    "`{}`: `{name}` is not in numpy-api.toml",
                    fact.id
                );
            }
            assert_eq!(
                fact.kind == FactKind::RemovedApi,
                !fact.api.is_empty(),
                "`{}`: `api` is for removed-api facts, and required there",
                fact.id
            );
            for reference in &fact.references {
                assert!(
                    reference.starts_with("https://"),
                    "`{}`: {reference}",
                    fact.id
                );
            }
            // A removed-API fact works where every name it uses exists: a name NumPy restored works again there.
            if fact.kind == FactKind::RemovedApi {
                let names = fact.api.iter().filter_map(|name| removal(name));
                let exist = names.fold(Ranges::full(), |works, removal| {
                    works.intersection(&removal.works())
                });
                // Compared by containment: `Ranges` equality tells `2` from `2.0.0`.
                let works = fact.works();
                assert!(
                    works.subset_of(&exist) && exist.subset_of(&works),
                    "`{}`: `numpy` is {works}, where its `api` names exist: {exist}",
                    fact.id
                );
            }
        }
    }

    #[test]
    fn numpy_may_be_a_union_of_specifier_sets() {
        let text = r#"
            [[fact]]
            id = "x"
            kind = "removed-api"
            package = "librosa"
            versions = ">=0.9"
            numpy = ["<1.24", ">=2"]
            api = ["bool"]
            symptom = "s"
            references = ["https://example.org"]
            note = "n"
        "#;
        let facts = parse_curated(text).unwrap();
        let works = facts[0].works();
        assert!(works.contains(&version("1.23.5")));
        assert!(!works.contains(&version("1.24.0")));
        assert!(!works.contains(&version("1.26.4")));
        assert!(works.contains(&version("2.0.0")));
        let restored = removal("bool").unwrap().works();
        assert!(works.subset_of(&restored) && restored.subset_of(&works));
        let error = parse_curated(&text.replace(r#"["<1.24", ">=2"]"#, "[]")).unwrap_err();
        assert!(error.starts_with("`x`: numpy: at least one"), "{error}");
        let error = parse_curated(&text.replace(r#"">=2""#, r#"">>2""#)).unwrap_err();
        assert!(error.starts_with("`x`: numpy:"), "{error}");
    }

    fn facts_of(name: &str, version_text: &str) -> Vec<RuntimeFact> {
        let index = Index::embedded();
        let package = index
            .package(&PackageName::from_str(name).unwrap())
            .unwrap();
        let release = package.release(&version(version_text)).unwrap();
        facts(index, package, release, None)
    }

    /// The NumPy versions every fact about `name` `version_text` on `target` lets work.
    fn works_on(name: &str, version_text: &str, target: Target) -> Ranges<Version> {
        let index = Index::embedded();
        let package = index
            .package(&PackageName::from_str(name).unwrap())
            .unwrap();
        let release = package.release(&version(version_text)).unwrap();
        facts(index, package, release, Some(target))
            .iter()
            .fold(Ranges::full(), |works, fact| {
                works.intersection(&fact.works)
            })
    }

    #[test]
    fn gensim_needs_numpy_1_20_only_where_its_wheels_were_built_against_it() {
        use crate::{Platform, PythonVersion};
        let py38 = PythonVersion::new(3, 8);
        let linux = Target::new(py38, Platform::LinuxX86_64);
        let windows = Target::new(py38, Platform::WindowsX86_64);
        // 4.1.0's Linux x86_64 wheels fail with NumPy 1.19.5 (measured); 4.0.x's and 4.1.1's work.
        assert!(!works_on("gensim", "4.1.0", linux).contains(&version("1.19.5")));
        assert!(works_on("gensim", "4.1.0", linux).contains(&version("1.20.3")));
        for release in ["4.0.0", "4.0.1", "4.1.1"] {
            assert!(
                works_on("gensim", release, linux).contains(&version("1.19.5")),
                "{release}"
            );
        }
        // 4.0.0's Windows wheels were built against NumPy 1.20.1 (issue #3095).
        assert!(!works_on("gensim", "4.0.0", windows).contains(&version("1.19.5")));
        let curated = facts_of("gensim", "4.0.0");
        assert!(curated.iter().any(|fact| {
            fact.kind == FactKind::Abi
                && fact
                    .references
                    .iter()
                    .any(|url| url.contains("/issues/3095"))
        }));
        // Every gensim before 4.4.0 was built against NumPy 1.x, everywhere.
        assert!(!works_on("gensim", "4.0.1", windows).contains(&version("2.0.0")));
    }

    #[test]
    fn a_release_built_against_numpy_2_runs_on_numpy_2() {
        // pandas 2.2.2 was the first pandas built against NumPy 2 (its wheels import `numpy._core`): its only ABI
        // fact is the floor of the NumPy 1.x it also runs on.
        let facts = facts_of("pandas", "2.2.2");
        assert!(
            facts
                .iter()
                .filter(|fact| fact.kind == FactKind::Abi)
                .all(|fact| fact.key == "abi:numpy-floor" && fact.works.contains(&version("2.0.2"))),
            "{facts:#?}"
        );
        let older = facts_of("pandas", "2.0.3");
        assert!(
            older
                .iter()
                .any(|fact| fact.kind == FactKind::Abi && !fact.works.contains(&version("2.0.2")))
        );
    }

    #[test]
    fn a_release_that_imports_numpy_by_name_only_has_no_abi_fact() {
        // contourpy 1.1.0's pybind11 module takes `numpy.core.multiarray`'s `_ARRAY_API` at run time, without
        // NumPy's headers; it imports and draws contours with NumPy 2.0.2.
        let index = Index::embedded();
        let package = index
            .package(&PackageName::from_str("contourpy").unwrap())
            .unwrap();
        let release = package.release(&version("1.1.0")).unwrap();
        assert_eq!(
            release.build_scan().map(|scan| scan.numpy),
            Some(BuildNumpy::NameOnly)
        );
        // What the binaries say; a curated fact may still state more.
        assert!(abi_fact(index, package, release, None).is_none());
        // tensorstore 0.1.10 (pybind11 only) reads arrays with NumPy 2.0.2; 0.1.13 (NumPy's headers) fails at import.
        let tensorstore = index
            .package(&PackageName::from_str("tensorstore").unwrap())
            .unwrap();
        let name_only = tensorstore.release(&version("0.1.10")).unwrap();
        assert_eq!(
            name_only.build_scan().map(|scan| scan.numpy),
            Some(BuildNumpy::NameOnly)
        );
        assert!(abi_fact(index, tensorstore, name_only, None).is_none());
    }

    #[test]
    fn an_unscanned_release_from_before_numpy_2_builds_is_inferred_to_need_numpy_1() {
        // cupy-cuda12x's large wheels exceed the scan budget in several releases; its scanned ones use the C API.
        let first = Index::embedded().first_numpy_2_build().unwrap();
        let date = first.date();
        assert!(
            date.as_str() > "2024-01-01" && date.as_str() < "2024-06-16",
            "{first}"
        );
        let inferred = facts_of("cupy-cuda12x", "12.0.0");
        assert!(
            inferred
                .iter()
                .any(|fact| matches!(fact.evidence, Evidence::Inferred { .. })
                    && !fact.works.contains(&version("2.0.0"))),
            "{inferred:#?}"
        );
        // Uploaded after builds against NumPy 2 existed: nothing to infer.
        let later = facts_of("cupy-cuda12x", "13.2.0");
        assert!(
            later
                .iter()
                .all(|fact| !matches!(fact.evidence, Evidence::Inferred { .. })),
            "{later:#?}"
        );
    }

    #[test]
    fn numpy_quaddtype_0_0_1_needs_numpy_2_where_its_wheel_was_read() {
        use crate::{Platform, PythonVersion};
        // Its cp312 wheel fails at import with NumPy 1.26.4 and imports with 2.0.2 (installed on CPython 3.12.1).
        let cp312 = Target::new(PythonVersion::new(3, 12), Platform::LinuxX86_64);
        let works = works_on("numpy-quaddtype", "0.0.1", cp312);
        assert!(!works.contains(&version("1.26.4")) && works.contains(&version("2.0.2")));
        // Its cp311 wheel was not read: no fact there, although it fails the same way.
        let cp311 = Target::new(PythonVersion::new(3, 11), Platform::LinuxX86_64);
        assert!(works_on("numpy-quaddtype", "0.0.1", cp311).contains(&version("1.26.4")));
    }

    #[test]
    fn a_floor_holds_for_the_cpython_of_the_wheel_read() {
        use crate::PythonVersion;
        let tags = |tags: &[&str]| {
            tags.iter()
                .map(|tag| WheelPython::parse(tag))
                .collect::<Vec<_>>()
        };
        let py = |minor| PythonVersion::new(3, minor);
        let specific = tags(&["cp311", "cp312", "cp313"]);
        assert!(installs_newest_wheel(&specific, py(13)));
        assert!(!installs_newest_wheel(&specific, py(12)));
        // A stable-ABI wheel serves every later CPython without a wheel of its own.
        let stable = tags(&["cp310", "cp311-abi3"]);
        assert!(installs_newest_wheel(&stable, py(11)) && installs_newest_wheel(&stable, py(14)));
        assert!(!installs_newest_wheel(&stable, py(10)));
        assert!(
            !installs_newest_wheel(&tags(&["cp312", "cp312-abi3"]), py(12)),
            "which one was read?"
        );
        assert!(!installs_newest_wheel(&tags(&["py3"]), py(12)));
        assert_eq!(
            wheel_python_tag(
                "blosc2-4.11.0-cp311-abi3-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
            )
            .as_deref(),
            Some("cp311-abi3")
        );
        assert_eq!(
            wheel_python_tag(
                "scipy-1.14.1-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            )
            .as_deref(),
            Some("cp313")
        );
        assert_eq!(wheel_python_tag("scipy-1.14.1.tar.gz"), None);
    }

    #[test]
    fn removed_names_read_as_a_sentence() {
        assert_eq!(
            removed_names(["float", "int"].into_iter()),
            "`numpy.float` and `numpy.int`, which NumPy 1.24.0 removed"
        );
        assert_eq!(
            removed_names(["bool", "NaN"].into_iter()),
            "`numpy.bool` (removed in NumPy 1.24.0) and `numpy.NaN` (removed in NumPy 2.0.0)"
        );
    }

    #[test]
    fn invalid_curated_entries_are_named() {
        let text = r#"
            [[fact]]
            id = "x"
            kind = "abi"
            package = "pandas"
            versions = ">=1"
            numpy = ">>2"
            symptom = "s"
            references = ["https://example.org"]
            note = "n"
        "#;
        let error = parse_curated(text).unwrap_err();
        assert!(error.starts_with("`x`: numpy:"), "{error}");
        let error = parse_curated(&text.replace("\"abi\"", "\"abl\"")).unwrap_err();
        assert!(error.contains("unknown kind `abl`"), "{error}");
    }
}
