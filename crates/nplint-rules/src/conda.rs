//! Requirements installed from conda: which they are, and how a conflict's labels say what a claim about one rests
//! on.
//!
//! A conda package is conda-forge's build, not PyPI's wheel: nplint judges it by its PyPI metadata
//! (`Requires-Python`, `Requires-Dist`), which conda-forge's recipes usually follow but need not, and by the NumPy
//! bounds of conda-forge's repodata patches ([`nplint_index::conda`]). A label on a conda line says which of the two
//! it rests on, in the words the explanation uses ([`nplint_solver::explain::BY_PYPI_METADATA`]).

use nplint_manifest::{Requirement, Section};
use nplint_solver::{Conflict, DerivationTree, External, SolverPackage, explain};

/// Whether conda installs the requirement: an environment.yml's conda dependency or a conda lockfile's pin (not a
/// `pip:` entry, which pip installs from PyPI).
pub(crate) fn installed_from_conda(requirement: &Requirement) -> bool {
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
    visit(&conflict.derivation, &mut |external| {
        if let External::FromDependencyOf(SolverPackage::CondaPatch(node), _, numpy, range) =
            external
            && patched.is_none()
            && Some(&node.bound.package) == requirement.name.as_ref()
        {
            patched = Some(format!(
                "`{}` requires `{}` by conda-forge's repodata patch",
                requirement.display(),
                explain::requirement(numpy, range)
            ));
        }
    });
    patched.or_else(|| found.map(|label| format!("{label} {}", explain::BY_PYPI_METADATA)))
}

fn visit(
    tree: &nplint_solver::Derivation,
    f: &mut impl FnMut(
        &External<
            SolverPackage,
            nplint_solver::Ranges<nplint_index::Version>,
            nplint_solver::Unavailable,
        >,
    ),
) {
    match tree {
        DerivationTree::External(external) => f(external),
        DerivationTree::Derived(derived) => {
            visit(&derived.cause1, f);
            visit(&derived.cause2, f);
        }
    }
}
