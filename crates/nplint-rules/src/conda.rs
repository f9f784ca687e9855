//! Requirements installed from conda: which they are, and how a conflict's labels say what a claim about one rests
//! on.
//!
//! A conda package is conda-forge's build, not PyPI's wheel: nplint judges it by its PyPI metadata
//! (`Requires-Python`, `Requires-Dist`), which conda-forge's recipes usually follow but need not, and by the NumPy
//! bounds of conda-forge's repodata patches ([`nplint_index::conda`]). A label on a conda line says which of the two
//! it rests on, in the words the explanation uses ([`nplint_solver::explain::BY_PYPI_METADATA`]).

use std::collections::BTreeSet;

use nplint_diagnostics::Diagnostic;
use nplint_manifest::{Requirement, Section};
use nplint_solver::{Cause, Conflict, SolverPackage, explain};

/// Whether conda installs the requirement: an environment.yml's conda dependency or a conda lockfile's pin (not a
/// `pip:` entry, which pip installs from PyPI).
pub fn installed_from_conda(requirement: &Requirement) -> bool {
    matches!(
        requirement.origin.section,
        Section::Conda | Section::LockedConda
    )
}

/// The label of a conda line in `conflict`: what a conda-forge repodata patch makes it require, else `found` (the
/// label the derivation gives any line) with what it rests on. A line pip installs keeps `found`.
pub(crate) fn label(
    requirement: &Requirement,
    conflict: &Conflict,
    found: Option<String>,
) -> Option<String> {
    if !installed_from_conda(requirement) {
        return found;
    }
    let mut patched = None;
    for cause in conflict.causes() {
        if let Cause::Dependency {
            package: SolverPackage::CondaPatch(node),
            dependency: numpy,
            dependency_range: range,
            ..
        } = cause
            && patched.is_none()
            && Some(&node.bound.package) == requirement.name.as_ref()
        {
            patched = Some(format!(
                "`{}` requires `{}` by conda-forge's repodata patch",
                requirement.display(),
                explain::requirement(numpy, range)
            ));
        }
    }
    patched.or_else(|| found.map(|label| format!("{label} {}", explain::BY_PYPI_METADATA)))
}

/// Adds to a conflict's `help:` which conda packages the derivation judges by their PyPI metadata, so that every
/// format says it (the concise and GitHub formats show the message and the help only): "`numpy` is judged by its
/// PyPI metadata (conda-forge's builds may differ)". A conflict that rests on conda-forge's repodata patches alone
/// gets nothing.
pub(crate) fn note_pypi_metadata(diagnostic: &mut Diagnostic, conflict: &Conflict) {
    let mut judged: BTreeSet<String> = BTreeSet::new();
    for cause in conflict.causes() {
        let package = match cause {
            Cause::Dependency {
                dependency: SolverPackage::CondaPatch(_),
                ..
            } => continue,
            Cause::Dependency { package, .. } => package,
            // A range without releases states the index's shape, not a claim of the metadata; one whose releases
            // all need another Python rests on their `Requires-Python`.
            Cause::NoVersions { package, range }
                if conflict.python_needed_by(package, range).is_some() =>
            {
                package
            }
            Cause::NoVersions { .. } | Cause::Root { .. } | Cause::Unavailable { .. } => continue,
        };
        if let Some(name) = package.name()
            && conflict.conda.contains(name)
        {
            judged.insert(format!("`{name}`"));
        }
    }
    let names: Vec<String> = judged.into_iter().collect();
    let note = match names.as_slice() {
        [] => return,
        [one] => format!(
            "{one} is judged {} (conda-forge's builds may differ)",
            explain::BY_PYPI_METADATA
        ),
        [rest @ .., last] => format!(
            "{} and {last} are judged by their PyPI metadata (conda-forge's builds may differ)",
            rest.join(", ")
        ),
    };
    diagnostic.help = Some(match diagnostic.help.take() {
        Some(help) => format!("{help}; {note}"),
        None => note,
    });
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use nplint_diagnostics::{Location, Severity, SourceFile};
    use nplint_index::{PackageName, Platform, PythonVersion, Target, VersionSpecifiers};
    use nplint_solver::{Input, solve};

    use super::*;

    /// NumPy 1.24.4 (any Python 3) and 1.26.4 and 2.0.0 (`Requires-Python: >=3.9`); pandas 2.0.3, which
    /// conda-forge's repodata patches bound to `numpy <2`.
    fn index() -> &'static nplint_index::Index {
        static INDEX: std::sync::OnceLock<&'static nplint_index::Index> =
            std::sync::OnceLock::new();
        INDEX.get_or_init(|| {
            nplint_index::IndexBuilder::new()
                .pure("numpy", "1.24.4", &[])
                .pure_for_python("numpy", "1.26.4", ">=3.9", &[])
                .pure_for_python("numpy", "2.0.0", ">=3.9", &[])
                .pure("pandas", "2.0.3", &["numpy>=1.23.2"])
                .build()
                .unwrap()
        })
    }

    /// The `help:` a conflict of conda requirements on CPython 3.`minor` gets, starting from `help`.
    fn help(lines: &[(&str, &str)], minor: u8) -> Option<String> {
        let inputs: Vec<Input> = lines
            .iter()
            .enumerate()
            .map(|(id, (name, specifiers))| {
                let mut input = Input::requirement(
                    id,
                    PackageName::from_str(name).unwrap(),
                    VersionSpecifiers::from_str(specifiers).unwrap(),
                );
                input.conda = true;
                input
            })
            .collect();
        let outcome = solve(
            index(),
            &inputs,
            Target::new(PythonVersion::new(3, minor), Platform::LinuxX86_64),
        );
        let conflict = outcome.as_conflict().expect("a conflict");
        let file = SourceFile::new("environment.yml", "");
        let mut diagnostic = Diagnostic::new(
            crate::rules::numpy_conflict::RULE.id,
            Severity::Error,
            "message".to_owned(),
            Location::file_start(file),
        );
        diagnostic.help = Some("help".to_owned());
        note_pypi_metadata(&mut diagnostic, conflict);
        diagnostic.help
    }

    #[test]
    fn a_conflict_on_requires_python_says_it_is_pypi_metadata() {
        assert_eq!(
            help(&[("numpy", ">=1.25")], 8).as_deref(),
            Some("help; `numpy` is judged by its PyPI metadata (conda-forge's builds may differ)")
        );
    }

    #[test]
    fn a_conflict_through_a_repodata_patch_alone_gets_no_note() {
        assert_eq!(
            help(&[("pandas", "==2.0.3"), ("numpy", ">=2")], 11).as_deref(),
            Some("help")
        );
    }
}
