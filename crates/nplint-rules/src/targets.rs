//! Which targets (CPython minor x platform) an environment is checked on, and which of them the user stated.
//!
//! Python versions come from the command line (`--python`) or the configuration (`python`), else from the file
//! (`requires-python`, conda `python=3.8`, Poetry `python`, a conda lock's `python` pin), else they are the CPython
//! minors supported upstream on the index's snapshot date ([`Pythons::supported`]: 3.11 to 3.14 for a snapshot of
//! November 2026, from CPython's release history in `nplint_index::cpython`). `--python all` checks every CPython
//! minor the index knows wheels for, released or not. A file's constraint is intersected with the released minors:
//! a pre-release Python is checked only when named on the command line or in the configuration.
//!
//! A target is *stated* when both its Python and its platform are: the user asked about it, and a finding there is
//! an error. Platforms are stated by `--platform`, the configuration's `platforms`, or a lockfile section's own
//! platform; Pythons by the command line or configuration, and by a file's constraint, except the minors above its
//! floor that an open upper bound (`>=3.10`, `>=3.8,<4`) reaches: the file states that it supports its floor, not
//! every Python released after it was written. Findings on targets the user did not state are warnings, unless the
//! environment fails on all of them (see `resolution.rs` for the severity rules).

use std::collections::BTreeSet;

use nplint_index::{Index, Platform, PythonVersion, Target, Version, WheelPython, cpython};
use nplint_manifest::{Environment, Manifest, Section};

/// The platforms checked when neither `--platform` nor the configuration's `platforms` names any.
pub const DEFAULT_PLATFORMS: [Platform; 3] = [
    Platform::LinuxX86_64,
    Platform::MacosArm64,
    Platform::WindowsX86_64,
];

/// The oldest CPython minor nplint checks: NumPy's wheels in the index start there.
const OLDEST_KNOWN: PythonVersion = PythonVersion::new(3, 6);

/// What the command line or the configuration asks for as Python versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PythonRequest {
    /// Nothing: the file's constraint, else the supported Pythons.
    #[default]
    Default,
    /// These versions, stated by the user.
    Versions(Vec<PythonVersion>),
    /// `all`: every CPython minor the index knows wheels for, none of them stated.
    All,
}

impl PythonRequest {
    /// The request that values of `--python` or of the configuration's `python` make: `all` alone, or versions.
    ///
    /// # Errors
    ///
    /// When `all` stands beside a version, or no value is given.
    pub fn from_values(values: &[PythonValue]) -> Result<Self, &'static str> {
        if values.is_empty() {
            return Err("no Python version is named");
        }
        if values.contains(&PythonValue::All) {
            return if values.len() == 1 {
                Ok(PythonRequest::All)
            } else {
                Err("`all` cannot be combined with Python versions")
            };
        }
        Ok(PythonRequest::Versions(
            values
                .iter()
                .filter_map(|value| match value {
                    PythonValue::Version(version) => Some(*version),
                    PythonValue::All => None,
                })
                .collect(),
        ))
    }

    /// The versions named explicitly (for which the run needs solvers).
    pub fn versions(&self) -> &[PythonVersion] {
        match self {
            PythonRequest::Versions(versions) => versions,
            PythonRequest::Default | PythonRequest::All => &[],
        }
    }
}

/// One value of `--python` or of the configuration's `python`: a CPython minor (`3.11`), or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonValue {
    All,
    Version(PythonVersion),
}

impl std::str::FromStr for PythonValue {
    type Err = nplint_index::InvalidPythonVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "all" {
            Ok(PythonValue::All)
        } else {
            s.parse().map(PythonValue::Version)
        }
    }
}

/// What the command line or the configuration asks for.
#[derive(Debug, Clone, Default)]
pub struct TargetOptions {
    /// `--python` or `python`.
    pub pythons: PythonRequest,
    /// `--platform` or `platforms`; empty for [`DEFAULT_PLATFORMS`].
    pub platforms: Vec<Platform>,
}

impl TargetOptions {
    pub fn platforms(&self) -> &[Platform] {
        if self.platforms.is_empty() {
            &DEFAULT_PLATFORMS
        } else {
            &self.platforms
        }
    }
}

/// Where an environment's Python versions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonSource {
    /// `--python` or the configuration's `python`: the user asked about exactly these versions.
    CommandLine,
    /// The file's own Python constraint (or a conda lock's `python` pin).
    Manifest,
    /// Neither: the Pythons supported upstream on the index's snapshot date.
    Supported,
    /// `--python all`: every CPython minor the index knows wheels for.
    All,
}

/// The CPython minors a run knows, each list ascending.
#[derive(Debug, Clone)]
pub struct Pythons {
    /// Every CPython 3 minor (3.6 or later) that some NumPy release ships a wheel for, released or not.
    pub known: Vec<PythonVersion>,
    /// Those of `known` with a final release on or before the index's snapshot date.
    pub released: Vec<PythonVersion>,
    /// Those of `released` still supported upstream on the snapshot date: the default.
    pub supported: Vec<PythonVersion>,
}

impl Pythons {
    /// The Pythons of `index`, dated by its snapshot.
    pub fn of(index: &Index) -> Self {
        let known = known_pythons(index);
        let date = index.snapshot().newest_upload();
        let released_on = cpython::released_on(date);
        let supported_on = cpython::supported_on(date);
        Self {
            released: known
                .iter()
                .copied()
                .filter(|python| released_on.contains(python))
                .collect(),
            supported: known
                .iter()
                .copied()
                .filter(|python| supported_on.contains(python))
                .collect(),
            known,
        }
    }
}

/// The Python versions an environment is checked on, and which of them the user stated.
#[derive(Debug, Clone)]
pub struct PythonChoice {
    pub pythons: Vec<PythonVersion>,
    /// The versions of `pythons` that the command line, the configuration or the file states.
    pub stated: BTreeSet<PythonVersion>,
    pub source: PythonSource,
}

impl PythonChoice {
    fn all_stated(pythons: Vec<PythonVersion>, source: PythonSource) -> Self {
        Self {
            stated: pythons.iter().copied().collect(),
            pythons,
            source,
        }
    }

    fn none_stated(pythons: Vec<PythonVersion>, source: PythonSource) -> Self {
        Self {
            pythons,
            stated: BTreeSet::new(),
            source,
        }
    }

    /// The released minors a Python constraint admits; all stated when the range has an upper bound below 4, else
    /// only its floor (see the module documentation).
    fn from_constraint(specifiers: &nplint_index::VersionSpecifiers, pythons: &Pythons) -> Self {
        // A minor is admitted when some patch release of it is (see `nplint_solver::python`).
        let range = nplint_solver::python::python_range(specifiers);
        let admitted: Vec<PythonVersion> = pythons
            .released
            .iter()
            .copied()
            .filter(|python| range.contains(&python.version()))
            .collect();
        let open = range.contains(&Version::new([3, 99]));
        let stated = if open {
            admitted.first().copied().into_iter().collect()
        } else {
            admitted.iter().copied().collect()
        };
        Self {
            pythons: admitted,
            stated,
            source: PythonSource::Manifest,
        }
    }
}

/// Every CPython 3 minor (3.6 or later) that some NumPy release ships a wheel for, ascending. NumPy is in every
/// environment nplint checks and tracks CPython releases closely, so its wheels stand for "the Pythons the index
/// knows".
fn known_pythons(index: &Index) -> Vec<PythonVersion> {
    let Some(numpy) = index.package(&numpy_name()) else {
        return Vec::new();
    };
    let mut pythons: Vec<PythonVersion> = numpy
        .releases()
        .iter()
        .flat_map(|release| release.wheels().flat_map(|(_, tags)| tags.iter()))
        .filter_map(|tag| match tag {
            WheelPython::CPython(python) | WheelPython::Abi3(python) => Some(*python),
            WheelPython::Python3 | WheelPython::Unrecognized(_) => None,
        })
        .filter(|python| python.major == 3 && *python >= OLDEST_KNOWN)
        .collect();
    pythons.sort_unstable();
    pythons.dedup();
    pythons
}

/// The Python versions `manifest`'s environments are checked on, and which of them are stated.
pub fn pythons_for(
    manifest: &Manifest,
    options: &TargetOptions,
    pythons: &Pythons,
) -> PythonChoice {
    choose(
        manifest.python.as_ref().map(|python| &python.specifiers),
        options,
        pythons,
    )
}

/// The Python versions for a file with the Python `constraint`, asked about with `options`.
fn choose(
    constraint: Option<&nplint_index::VersionSpecifiers>,
    options: &TargetOptions,
    pythons: &Pythons,
) -> PythonChoice {
    match &options.pythons {
        PythonRequest::Versions(versions) => {
            PythonChoice::all_stated(versions.clone(), PythonSource::CommandLine)
        }
        PythonRequest::All => PythonChoice::none_stated(pythons.known.clone(), PythonSource::All),
        PythonRequest::Default => match constraint {
            Some(constraint) => PythonChoice::from_constraint(constraint, pythons),
            None => PythonChoice::none_stated(pythons.supported.clone(), PythonSource::Supported),
        },
    }
}

/// The Python versions one environment of `manifest` is checked on: as [`pythons_for`], except that an environment
/// holding a conda lock's `python` pin (each section of a pixi or conda-lock file pins its own) is checked on the
/// Python it pins, unless the command line or configuration names Pythons.
pub fn environment_pythons(
    manifest: &Manifest,
    environment: &Environment,
    options: &TargetOptions,
    pythons: &Pythons,
) -> PythonChoice {
    if options.pythons == PythonRequest::Default
        && let Some(pin) = environment
            .requirements
            .iter()
            .map(|&id| &manifest.requirements[id])
            .find(|requirement| {
                requirement.origin.section == Section::LockedConda
                    && requirement
                        .name
                        .as_ref()
                        .is_some_and(|name| name.as_ref() == "python")
            })
    {
        let range = nplint_solver::python::python_range(&pin.specifiers);
        let admitted = pythons
            .known
            .iter()
            .copied()
            .filter(|python| range.contains(&python.version()))
            .collect();
        return PythonChoice::all_stated(admitted, PythonSource::Manifest);
    }
    pythons_for(manifest, options, pythons)
}

/// Every (Python, platform) pair, Python-major order.
pub fn targets(pythons: &[PythonVersion], platforms: &[Platform]) -> Vec<Target> {
    pythons
        .iter()
        .flat_map(|&python| {
            platforms
                .iter()
                .map(move |&platform| Target::new(python, platform))
        })
        .collect()
}

pub(crate) fn numpy_name() -> nplint_index::PackageName {
    // Invariant: `numpy` is a valid, normalized package name.
    nplint_index::PackageName::new("numpy".to_owned()).expect("`numpy` is a package name")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(minor: u8) -> PythonVersion {
        PythonVersion::new(3, minor)
    }

    /// Pythons as a run over an index of 2026-11-21 sees them, without depending on the embedded index's data.
    fn pythons() -> Pythons {
        Pythons {
            known: (6..=15).map(v).collect(),
            released: (6..=14).map(v).collect(),
            supported: (11..=14).map(v).collect(),
        }
    }

    fn choice(constraint: &str) -> PythonChoice {
        PythonChoice::from_constraint(&constraint.parse().unwrap(), &pythons())
    }

    fn strings(list: impl IntoIterator<Item = PythonVersion>) -> Vec<String> {
        list.into_iter().map(|python| python.to_string()).collect()
    }

    /// An index dated 2025-01-01 whose NumPy has wheels for CPython 3.6 to 3.9 (1.19.5), 3.10 to 3.13 (2.2.0)
    /// and 3.14 (2.3.0, a Python released after that date).
    fn index() -> &'static Index {
        use nplint_index::source::{Platform as SourcePlatform, ReleaseEntry, ReleaseKind};
        let binary = |version: &str, minors: std::ops::RangeInclusive<u8>| {
            let mut release =
                ReleaseEntry::new(version, "2025-01-01T00:00:00Z", ReleaseKind::Binary);
            release.wheels = std::collections::BTreeMap::from([(
                SourcePlatform::LinuxX86_64,
                minors.map(|minor| format!("cp3{minor}")).collect(),
            )]);
            release
        };
        nplint_index::IndexBuilder::new()
            .release("numpy", binary("1.19.5", 6..=9))
            .release("numpy", binary("2.2.0", 10..=13))
            .release("numpy", binary("2.3.0", 14..=14))
            .build()
            .unwrap()
    }

    #[test]
    fn known_pythons_are_those_numpy_has_wheels_for() {
        assert_eq!(known_pythons(index()), (6..=14).map(v).collect::<Vec<_>>());
    }

    #[test]
    fn the_default_is_the_pythons_released_and_supported_on_the_snapshot_date() {
        let pythons = Pythons::of(index());
        assert_eq!(pythons.known, (6..=14).map(v).collect::<Vec<_>>());
        assert_eq!(
            pythons.released,
            (6..=13).map(v).collect::<Vec<_>>(),
            "3.14 was released in October 2025"
        );
        assert_eq!(
            pythons.supported,
            (9..=13).map(v).collect::<Vec<_>>(),
            "3.8 reached its end of life in October 2024"
        );
    }

    #[test]
    fn a_minor_is_admitted_when_some_patch_is() {
        let choice = choice(">=3.9.1,<3.11");
        assert_eq!(strings(choice.pythons), ["3.9", "3.10"]);
        assert_eq!(strings(choice.stated), ["3.9", "3.10"]);
    }

    #[test]
    fn an_open_upper_bound_states_its_floor_and_reaches_no_pre_release() {
        let choice = choice(">=3.12");
        assert_eq!(strings(choice.pythons), ["3.12", "3.13", "3.14"]);
        assert_eq!(strings(choice.stated), ["3.12"]);
        // `<4` is no bound within Python 3.
        assert_eq!(strings(self::choice(">=3.8,<4").stated), ["3.8"]);
    }

    #[test]
    fn all_stands_alone() {
        let values = |text: &[&str]| -> Vec<PythonValue> {
            text.iter().map(|value| value.parse().unwrap()).collect()
        };
        assert_eq!(
            PythonRequest::from_values(&values(&["all"])),
            Ok(PythonRequest::All)
        );
        assert_eq!(
            PythonRequest::from_values(&values(&["3.9", "3.10"])),
            Ok(PythonRequest::Versions(vec![v(9), v(10)]))
        );
        assert!(PythonRequest::from_values(&values(&["all", "3.9"])).is_err());
        assert!("every".parse::<PythonValue>().is_err());
    }

    #[test]
    fn all_checks_every_known_python_and_states_none() {
        let options = TargetOptions {
            pythons: PythonRequest::All,
            platforms: Vec::new(),
        };
        let choice = choose(None, &options, &pythons());
        assert_eq!(choice.pythons.len(), 10);
        assert!(choice.stated.is_empty());
        let default = choose(None, &TargetOptions::default(), &pythons());
        assert_eq!(strings(default.pythons), ["3.11", "3.12", "3.13", "3.14"]);
        assert_eq!(default.source, PythonSource::Supported);
    }
}
