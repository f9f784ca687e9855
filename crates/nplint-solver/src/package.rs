//! The packages pubgrub reasons about: the user's requirements (the root), `python`, indexed packages and a
//! package with one extra enabled, and the virtual packages that name why a release needs a NumPy range (a runtime
//! fact, a conda-forge repodata patch).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use nplint_index::conda::CondaBound;
use nplint_index::{FactKind, RuntimeFact, Version};
use pep508_rs::{ExtraName, PackageName};
use version_ranges::Ranges;

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
    /// A runtime fact about releases of a package (solves with runtime facts only): releases the fact holds for
    /// depend on it, and it depends on `numpy` in the range the releases work with. Virtual, with one version, so
    /// that the derivation names the fact: "pandas<2.2.2 was built against NumPy 1.x", "a build against NumPy
    /// 1.x works only with numpy<2".
    Runtime(Arc<RuntimeNode>),
    /// A conda-forge repodata patch that bounds NumPy for releases of a package installed from conda: the releases
    /// it covers depend on it, and it depends on `numpy` in the range the patch leaves. Virtual, with one version,
    /// so that the derivation names the patch.
    CondaPatch(Arc<CondaPatchNode>),
}

/// A conda-forge repodata patch's bound as a package of the solve, identified by its position in
/// [`nplint_index::conda::bounds`].
#[derive(Debug)]
pub struct CondaPatchNode {
    pub position: usize,
    pub bound: &'static CondaBound,
}

impl PartialEq for CondaPatchNode {
    fn eq(&self, other: &Self) -> bool {
        self.position == other.position
    }
}

impl Eq for CondaPatchNode {}

impl Hash for CondaPatchNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.position.hash(state);
    }
}

impl PartialOrd for CondaPatchNode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CondaPatchNode {
    fn cmp(&self, other: &Self) -> Ordering {
        self.position.cmp(&other.position)
    }
}

/// A runtime fact as a package of the solve. Identified by package and fact key: releases sharing a fact share
/// the node, which lets pubgrub state one step for a range of releases.
#[derive(Debug)]
pub struct RuntimeNode {
    pub package: PackageName,
    pub fact: RuntimeFact,
}

impl RuntimeNode {
    pub fn kind(&self) -> FactKind {
        self.fact.kind
    }

    /// The NumPy versions the releases work with.
    pub fn works(&self) -> &Ranges<Version> {
        &self.fact.works
    }

    fn key(&self) -> (&PackageName, &str) {
        (&self.package, &self.fact.key)
    }
}

impl PartialEq for RuntimeNode {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for RuntimeNode {}

impl Hash for RuntimeNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for RuntimeNode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RuntimeNode {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl SolverPackage {
    /// The indexed package this stands for, if any.
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            SolverPackage::Package(name) | SolverPackage::Extra(name, _) => Some(name),
            SolverPackage::Root
            | SolverPackage::Python
            | SolverPackage::Runtime(_)
            | SolverPackage::CondaPatch(_) => None,
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
            SolverPackage::Runtime(node) => f.write_str(&node.fact.subject),
            SolverPackage::CondaPatch(node) => write!(
                f,
                "conda-forge's repodata patch {}",
                node.bound.patch_name()
            ),
        }
    }
}
