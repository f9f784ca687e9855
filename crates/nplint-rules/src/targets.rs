//! Which targets (CPython minor x platform) an environment is checked on, and where its Python versions came from.
//!
//! Python versions come from the command line (`--python`) or the configuration (`python`), else from the file (`requires-python`, conda
//! `python=3.8`, Poetry `python`), else they are every CPython minor the index knows wheels for. The source decides
//! severity: a file's Python constraint promises every version in its range, a file that states none promises
//! nothing in particular.

use nplint_index::{Index, Platform, PythonVersion, Target, WheelPython};
use nplint_manifest::{Environment, Manifest, Section};

/// The platforms checked when neither `--platform` nor the configuration's `platforms` names any.
pub const DEFAULT_PLATFORMS: [Platform; 3] = [
    Platform::LinuxX86_64,
    Platform::MacosArm64,
    Platform::WindowsX86_64,
];

/// The oldest CPython minor checked when neither the command line nor the file names a Python.
const OLDEST_KNOWN: PythonVersion = PythonVersion::new(3, 6);

/// Where an environment's Python versions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonSource {
    /// `--python` or the configuration's `python`: the user asked about exactly these versions.
    CommandLine,
    /// The file's own Python constraint: it promises every version in its range.
    Manifest,
    /// Neither: every CPython minor the index knows wheels for.
    Known,
}

/// What the command line or the configuration asks for.
#[derive(Debug, Clone, Default)]
pub struct TargetOptions {
    /// `--python` or `python`; `None` to take the file's constraint or every known version.
    pub pythons: Option<Vec<PythonVersion>>,
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

/// Every CPython 3 minor (3.6 or later) that some NumPy release ships a wheel for, ascending. NumPy is in every
/// environment nplint checks and tracks CPython releases closely, so its wheels stand for "the Pythons the index
/// knows".
pub fn known_pythons(index: &Index) -> Vec<PythonVersion> {
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

/// The Python versions `manifest`'s environments are checked on, and where they came from.
pub fn pythons_for(
    manifest: &Manifest,
    options: &TargetOptions,
    known: &[PythonVersion],
) -> (Vec<PythonVersion>, PythonSource) {
    if let Some(pythons) = &options.pythons {
        return (pythons.clone(), PythonSource::CommandLine);
    }
    if let Some(constraint) = &manifest.python {
        // A minor is admitted when some patch release of it is (see `nplint_solver::python`).
        let range = nplint_solver::python::python_range(&constraint.specifiers);
        let admitted = known
            .iter()
            .copied()
            .filter(|python| range.contains(&python.version()))
            .collect();
        return (admitted, PythonSource::Manifest);
    }
    (known.to_vec(), PythonSource::Known)
}

/// The Python versions one environment of `manifest` is checked on: as [`pythons_for`], except that an environment
/// holding a conda lock's `python` pin (each section of a pixi or conda-lock file pins its own) is checked on the
/// Python it pins, unless the command line or configuration names Pythons.
pub fn environment_pythons(
    manifest: &Manifest,
    environment: &Environment,
    options: &TargetOptions,
    known: &[PythonVersion],
) -> (Vec<PythonVersion>, PythonSource) {
    if options.pythons.is_none()
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
        let admitted = known
            .iter()
            .copied()
            .filter(|python| range.contains(&python.version()))
            .collect();
        return (admitted, PythonSource::Manifest);
    }
    pythons_for(manifest, options, known)
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

    #[test]
    fn known_pythons_start_at_3_6_and_are_contiguous() {
        let known = known_pythons(Index::embedded());
        assert_eq!(known.first(), Some(&PythonVersion::new(3, 6)));
        assert!(known.windows(2).all(|w| w[1].minor == w[0].minor + 1));
        assert!(known.contains(&PythonVersion::new(3, 12)));
    }

    #[test]
    fn a_minor_is_admitted_when_some_patch_is() {
        let known = known_pythons(Index::embedded());
        let specifiers = ">=3.9.1,<3.11".parse().unwrap();
        let range = nplint_solver::python::python_range(&specifiers);
        let admitted: Vec<_> = known
            .iter()
            .filter(|python| range.contains(&python.version()))
            .map(ToString::to_string)
            .collect();
        assert_eq!(admitted, ["3.9", "3.10"]);
    }
}
