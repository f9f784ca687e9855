//! Runtime findings (`abi-mismatch`, `removed-numpy-api`, `known-pitfall`): an environment that installs by its
//! declared metadata, checked against the index's runtime facts ([`nplint_index::runtime`]).
//!
//! Per target, the environment is solved as pip and uv would, with declared metadata only, preferring the newest
//! versions ([`Mode::Declared`](nplint_solver::Mode)). When that resolution holds a release whose runtime facts
//! exclude the NumPy it got, the environment is solved again with the facts added
//! ([`Mode::Runtime`](nplint_solver::Mode)):
//!
//! - no solution: **no NumPy works at runtime**; the finding carries the runtime solve's derivation, which names
//!   every fact taking part;
//! - a solution: **the resolver's choice breaks** while another works; the finding names the broken release, the
//!   fact, and a change verified by solving again (a bound on NumPy, or the oldest release of the package that
//!   works with the NumPy the resolver picks).
//!
//! Exact pins need nothing special: a pinned pair either is the resolver's choice or makes the runtime solve fail.

pub(crate) mod report;

use std::collections::BTreeSet;

use nplint_index::{Index, PackageName, RuntimeFact, Version, VersionSpecifiers};
use nplint_solver::{
    Conflict, DerivationTree, External, Input, Outcome, Ranges, Role, Solution, Solver,
    SolverPackage,
};

use crate::rules::{abi_mismatch, known_pitfall, removed_numpy_api};
use crate::targets::numpy_name;

/// The rules whose findings come from the runtime check.
pub(crate) fn rules() -> [nplint_diagnostics::RuleId; 3] {
    [
        abi_mismatch::RULE.id,
        removed_numpy_api::RULE.id,
        known_pitfall::RULE.id,
    ]
}

/// A release of the declared resolution that breaks with the NumPy of that resolution.
#[derive(Debug, Clone)]
pub(crate) struct Broken {
    pub package: PackageName,
    pub version: Version,
    pub fact: RuntimeFact,
}

/// What the runtime check finds on one target.
#[derive(Debug, Clone)]
pub(crate) enum Finding {
    /// The runtime solve has no solution.
    NoNumpyWorks { conflict: Box<Conflict> },
    /// The declared resolution breaks, but another works.
    ResolutionBreaks {
        numpy: Version,
        broken: Vec<Broken>,
        /// Changes that were verified to give a working resolution.
        remedies: Vec<Remedy>,
    },
}

/// A verified change to the environment's requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Remedy {
    /// Add (or narrow the existing) requirement on NumPy to this range: `numpy<2`.
    BoundNumpy(String),
    /// Require at least this release of a package that is a direct requirement.
    Upgrade { package: PackageName, to: Version },
}

impl Finding {
    /// The facts the finding rests on, ordered by kind (ABI first): the first decides the rule.
    pub fn facts(&self) -> Vec<(PackageName, RuntimeFact)> {
        match self {
            Finding::NoNumpyWorks { conflict } => {
                let mut facts: Vec<(PackageName, RuntimeFact)> = Vec::new();
                visit(&conflict.derivation, &mut |package| {
                    if let SolverPackage::Runtime(node) = package
                        && !facts
                            .iter()
                            .any(|(name, fact)| *name == node.package && fact.key == node.fact.key)
                    {
                        facts.push((node.package.clone(), node.fact.clone()));
                    }
                });
                facts.sort_by_key(|(_, fact)| fact.kind);
                facts
            }
            Finding::ResolutionBreaks { broken, .. } => {
                let mut facts: Vec<_> = broken
                    .iter()
                    .map(|broken| (broken.package.clone(), broken.fact.clone()))
                    .collect();
                facts.sort_by_key(|(_, fact)| fact.kind);
                facts
            }
        }
    }
}

/// Every package, the virtual ones included, of a derivation's external incompatibilities.
fn visit(tree: &nplint_solver::Derivation, f: &mut impl FnMut(&SolverPackage)) {
    match tree {
        DerivationTree::External(external) => match external {
            External::NotRoot(package, _)
            | External::NoVersions(package, _)
            | External::Custom(package, _, _) => f(package),
            External::FromDependencyOf(p1, _, p2, _) => {
                f(p1);
                f(p2);
            }
        },
        DerivationTree::Derived(derived) => {
            visit(&derived.cause1, f);
            visit(&derived.cause2, f);
        }
    }
}

/// The releases of `solution` that break with its NumPy on the solver's target (ABI facts left out for the
/// packages installed from conda: [`Input::conda`]).
pub(crate) fn broken(solver: &Solver, inputs: &[Input], solution: &Solution) -> Vec<Broken> {
    let numpy = numpy_name();
    let Some(numpy_version) = solution.versions.get(&numpy) else {
        return Vec::new();
    };
    let vetted: std::collections::HashSet<&PackageName> = inputs
        .iter()
        .filter(|input| input.conda)
        .map(|input| &input.name)
        .collect();
    let mut out = Vec::new();
    for (name, version) in &solution.versions {
        if *name == numpy {
            continue;
        }
        let vetted = vetted.contains(name);
        for node in solver.runtime_facts(name, version).iter() {
            if vetted && node.fact.kind == nplint_index::FactKind::Abi {
                continue;
            }
            if !node.fact.works.contains(numpy_version) {
                out.push(Broken {
                    package: name.clone(),
                    version: version.clone(),
                    fact: node.fact.clone(),
                });
            }
        }
    }
    // By kind, ABI first: the first is the finding's headline.
    out.sort_by_key(|broken| broken.fact.kind);
    out
}

/// The runtime finding for `inputs` on the solver's target, given their declared resolution.
pub(crate) fn check(
    index: &Index,
    solver: &Solver,
    inputs: &[Input],
    declared: &Solution,
) -> Option<Finding> {
    let broken = broken(solver, inputs, declared);
    if broken.is_empty() {
        return None;
    }
    match solver.solve_runtime(inputs) {
        Outcome::Conflict(conflict) => Some(Finding::NoNumpyWorks { conflict }),
        Outcome::Solved(_) => {
            let numpy = declared.versions.get(&numpy_name())?.clone();
            let remedies = remedies(index, solver, inputs, &broken, &numpy);
            Some(Finding::ResolutionBreaks {
                numpy,
                broken,
                remedies,
            })
        }
    }
}

/// Whether `inputs` resolve, by declared metadata, to something that works.
fn resolves_and_works(solver: &Solver, inputs: &[Input]) -> bool {
    match solver.solve(inputs) {
        Outcome::Solved(solution) => broken(solver, inputs, &solution).is_empty(),
        Outcome::Conflict(_) => false,
    }
}

/// The changes that make the declared resolution work, each verified by solving again: a bound on NumPy (the
/// facts' ranges together), and for each broken package required directly, the oldest newer release that works
/// with the NumPy the resolver picked.
fn remedies(
    index: &Index,
    solver: &Solver,
    inputs: &[Input],
    broken: &[Broken],
    numpy: &Version,
) -> Vec<Remedy> {
    let mut remedies = Vec::new();
    let numpy_name = numpy_name();
    let works = broken.iter().fold(Ranges::full(), |range, broken| {
        range.intersection(&broken.fact.works)
    });
    let bound = nplint_solver::explain::specifiers(&works);
    if !bound.is_empty()
        && let Ok(specifiers) = bound.parse()
    {
        let mut with_bound = inputs.to_vec();
        with_bound.push(Input::requirement(
            usize::MAX,
            numpy_name.clone(),
            specifiers,
        ));
        if resolves_and_works(solver, &with_bound) {
            remedies.push(Remedy::BoundNumpy(bound));
        }
    }
    let direct: BTreeSet<&PackageName> = inputs
        .iter()
        .filter(|input| input.role == Role::Requirement)
        .map(|input| &input.name)
        .collect();
    let mut seen = BTreeSet::new();
    for broken in broken {
        if !direct.contains(&broken.package) || !seen.insert(&broken.package) {
            continue;
        }
        let Some(package) = index.package(&broken.package) else {
            continue;
        };
        // The oldest newer final release whose facts admit the NumPy the resolver picked; verified with the
        // user's other requirements (a few candidates at most: the first usually works).
        let candidates = package
            .releases()
            .iter()
            .filter(|release| {
                release.version() > &broken.version
                    && !release.is_prerelease()
                    && !release.is_yanked()
                    && solver
                        .runtime_facts(&broken.package, release.version())
                        .iter()
                        .all(|node| node.fact.works.contains(numpy))
            })
            .take(3);
        for release in candidates {
            let Ok(specifiers) = format!(">={}", release.version()).parse::<VersionSpecifiers>()
            else {
                continue;
            };
            let upgraded = replaced(inputs, &specifiers, |input| {
                input.name == broken.package && input.role == Role::Requirement
            });
            if resolves_and_works(solver, &upgraded) {
                remedies.push(Remedy::Upgrade {
                    package: broken.package.clone(),
                    to: release.version().clone(),
                });
                break;
            }
        }
    }
    remedies
}

/// For a conflict of the runtime solve: per direct requirement taking part, the newest release of its package that
/// works with the rest at runtime, holding the other requirements as they are.
pub(crate) fn alternatives(
    index: &Index,
    solver: &Solver,
    inputs: &[Input],
    conflict: &Conflict,
) -> Vec<(usize, Version)> {
    /// Releases tried per requirement, newest first: enough to step back over a major version or two.
    const TRIES: usize = 40;
    let mut out = Vec::new();
    for &id in &conflict.inputs {
        let Some(input) = inputs.iter().find(|input| input.id == id) else {
            continue;
        };
        if input.role != Role::Requirement {
            continue;
        }
        let Some(package) = index.package(&input.name) else {
            continue;
        };
        let candidates = package
            .releases()
            .iter()
            .rev()
            .filter(|release| !release.is_prerelease() && !release.is_yanked())
            .take(TRIES)
            // A release that cannot be installed here cannot be the answer: no need to solve with it.
            .filter(|release| input.conda || solver.installable(&input.name, release.version()));
        for release in candidates {
            let Ok(specifiers) = format!("=={}", release.version()).parse::<VersionSpecifiers>()
            else {
                continue;
            };
            let changed = replaced(inputs, &specifiers, |other| other.id == id);
            if solver.solve_runtime(&changed).is_solved() {
                out.push((id, release.version().clone()));
                break;
            }
        }
    }
    out
}

/// `inputs` with the specifiers of those `which` selects replaced.
fn replaced(
    inputs: &[Input],
    specifiers: &VersionSpecifiers,
    which: impl Fn(&Input) -> bool,
) -> Vec<Input> {
    inputs
        .iter()
        .map(|input| {
            if which(input) {
                Input {
                    specifiers: specifiers.clone(),
                    ..input.clone()
                }
            } else {
                input.clone()
            }
        })
        .collect()
}
