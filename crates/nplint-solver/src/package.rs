//! The packages pubgrub reasons about: the user's requirements (the root), `python`, indexed packages and a
//! package with one extra enabled.

use std::fmt;

use pep508_rs::{ExtraName, PackageName};

/// A package of the solve, as pubgrub sees it.
///
/// `python` and `name[extra]` are virtual: `python` has one version, the target's CPython minor, so a
/// `Requires-Python` is an ordinary dependency and a conflict with it explains itself ("`numpy>=2.1` depends on
/// `python>=3.10`"); `name[extra]` at version V depends on `name==V` plus what the extra adds, as in uv, so that an
/// extra's requirements are tied to the version of the package chosen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SolverPackage {
    /// The environment's own requirements, at version `0`.
    Root,
    /// The target's Python.
    Python,
    /// An indexed package.
    Package(PackageName),
    /// An indexed package with one extra enabled.
    Extra(PackageName, ExtraName),
}

impl SolverPackage {
    /// The indexed package this stands for, if any.
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            SolverPackage::Package(name) | SolverPackage::Extra(name, _) => Some(name),
            SolverPackage::Root | SolverPackage::Python => None,
        }
    }
}

impl fmt::Display for SolverPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolverPackage::Root => f.write_str("your requirements"),
            SolverPackage::Python => f.write_str("python"),
            SolverPackage::Package(name) => write!(f, "{name}"),
            SolverPackage::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}
