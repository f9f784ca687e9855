//! A conflict as typed data: the facts its derivation rests on ([`Cause`]), and the key that tells whether a
//! conflict on one target is the same conflict as on another ([`ConflictKey`]). Rules read conflicts through
//! these; pubgrub's own types stay inside this crate.

use crate::explain::{self, Unusable};
use crate::outcome::{Conflict, Derivation, Unavailable};
use crate::package::SolverPackage;
use crate::provider::Range;
use pubgrub::{DerivationTree, External};

/// One fact a conflict's derivation rests on (one of pubgrub's external incompatibilities).
#[derive(Debug, Clone, Copy)]
pub enum Cause<'a> {
    /// The environment's own requirements are what is solved: `package` (the root) is required.
    Root { package: &'a SolverPackage },
    /// No release of `package` in `range` can be used: the range holds none, or none that installs on the
    /// target ([`Conflict::uninstallable`], [`Conflict::python_needed_by`] tell which).
    NoVersions {
        package: &'a SolverPackage,
        range: &'a Range,
    },
    /// The releases of `package` in `range` exist but cannot be installed on the target.
    Unavailable {
        package: &'a SolverPackage,
        range: &'a Range,
        reason: &'a Unavailable,
    },
    /// `package` in `range` depends on `dependency` in `dependency_range` ([`SolverPackage::Root`] for the
    /// environment's own requirements, [`SolverPackage::Python`] for a `Requires-Python`).
    Dependency {
        package: &'a SolverPackage,
        range: &'a Range,
        dependency: &'a SolverPackage,
        dependency_range: &'a Range,
    },
}

impl<'a> Cause<'a> {
    fn of(external: &'a External<SolverPackage, Range, Unavailable>) -> Self {
        match external {
            External::NotRoot(package, _) => Cause::Root { package },
            External::NoVersions(package, range) => Cause::NoVersions { package, range },
            External::Custom(package, range, reason) => Cause::Unavailable {
                package,
                range,
                reason,
            },
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                Cause::Dependency {
                    package,
                    range,
                    dependency,
                    dependency_range,
                }
            }
        }
    }

    /// Every package the cause names (the virtual ones included).
    pub fn packages(&self) -> impl Iterator<Item = &'a SolverPackage> {
        let (first, second) = match *self {
            Cause::Root { package, .. }
            | Cause::NoVersions { package, .. }
            | Cause::Unavailable { package, .. } => (package, None),
            Cause::Dependency {
                package,
                dependency,
                ..
            } => (package, Some(dependency)),
        };
        std::iter::once(first).chain(second)
    }
}

fn externals<'a>(tree: &'a Derivation, out: &mut Vec<Cause<'a>>) {
    match tree {
        DerivationTree::External(external) => out.push(Cause::of(external)),
        DerivationTree::Derived(derived) => {
            externals(&derived.cause1, out);
            externals(&derived.cause2, out);
        }
    }
}

/// What decides that two conflicts, on two targets, are one finding: the inputs taking part and the facts of
/// the derivation as its explanation states them, with the target left out (the target's Python version, the
/// platform a wheel is missing for). Two conflicts with equal keys have explanations that differ only where
/// they name the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConflictKey {
    inputs: Vec<usize>,
    causes: Vec<CauseKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CauseKey {
    Root,
    NoVersions(SolverPackage, Range, Option<Unusable>),
    Unavailable(SolverPackage, Range, UnavailableKey),
    Dependency(SolverPackage, Range, SolverPackage, Range),
}

/// An [`Unavailable`] compared and hashed without its target.
#[derive(Debug, Clone)]
struct UnavailableKey(Unavailable);

impl PartialEq for UnavailableKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_as(&other.0)
    }
}

impl Eq for UnavailableKey {}

impl std::hash::Hash for UnavailableKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash_target_free(state);
    }
}

impl Conflict {
    /// The facts the derivation rests on, depth first (each step's first cause before its second), as
    /// pubgrub's derivation holds them.
    pub fn causes(&self) -> Vec<Cause<'_>> {
        let mut out = Vec::new();
        externals(&self.derivation, &mut out);
        out
    }

    /// The key of this conflict among those of one environment on its targets: see [`ConflictKey`]. Reads the
    /// derivation as the explanation does (steps that only state the index's shape left out) and costs no
    /// text.
    pub fn key(&self) -> ConflictKey {
        let derivation = explain::collapsed(self);
        let mut causes = Vec::new();
        externals(&derivation, &mut causes);
        let causes = causes
            .into_iter()
            .map(|cause| match cause {
                Cause::Root { .. } => CauseKey::Root,
                Cause::NoVersions { package, range } => CauseKey::NoVersions(
                    package.clone(),
                    range.clone(),
                    explain::unusable(self.index, self.target, &self.conda, package, range),
                ),
                Cause::Unavailable {
                    package,
                    range,
                    reason,
                } => CauseKey::Unavailable(
                    package.clone(),
                    range.clone(),
                    UnavailableKey(reason.clone()),
                ),
                Cause::Dependency {
                    package,
                    range,
                    dependency,
                    dependency_range,
                } => CauseKey::Dependency(
                    package.clone(),
                    range.clone(),
                    dependency.clone(),
                    dependency_range.clone(),
                ),
            })
            .collect();
        ConflictKey {
            inputs: self.inputs.clone(),
            causes,
        }
    }

    /// Whether a [`Cause::NoVersions`] of this conflict means that the range's releases exist but none installs
    /// on the target (no wheel for it, or a `Requires-Python` that excludes it), rather than that the range holds
    /// none.
    pub fn uninstallable(&self, package: &SolverPackage, range: &Range) -> bool {
        explain::uninstallable(self.index, self.target, package, range)
    }

    /// When every release of `package` in `range` is excluded on the conflict's target by its
    /// `Requires-Python`: the Pythons they need, together (`python>=3.10` for `numpy>=2.1` on CPython 3.9).
    pub fn python_needed_by(&self, package: &SolverPackage, range: &Range) -> Option<Range> {
        explain::python_needed_by(self.index, self.target, package, range)
    }
}
