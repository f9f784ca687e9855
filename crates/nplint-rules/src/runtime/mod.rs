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
//!
//! Advisory facts ([`RuntimeFact::is_advisory`]: a removed name in the straight-line body of a function) take no
//! part in the runtime solve, since the release imports and works until the function is called. When the
//! declared resolution breaks no other fact, they are checked against its NumPy: a release whose functions use
//! a name that NumPy lacks is a [`Finding::ResolutionBreaks`] whose broken facts are all advisory, which
//! `removed-numpy-api` reports as a warning ([`Finding::is_advisory`]).

pub(crate) mod report;

use std::collections::BTreeSet;

use nplint_index::{Index, PackageName, RuntimeFact, Version, VersionSpecifiers};
use nplint_solver::{Conflict, Input, Outcome, Ranges, Role, Solution, Solver, SolverPackage};

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
    /// Whether the finding rests on advisory facts only (a warning, whatever the targets).
    pub fn is_advisory(&self) -> bool {
        match self {
            Finding::NoNumpyWorks { .. } => false,
            Finding::ResolutionBreaks { broken, .. } => {
                broken.iter().all(|broken| broken.fact.is_advisory())
            }
        }
    }

    /// Whether a verified remedy upgrades a package (rather than only bounding NumPy).
    pub fn offers_upgrade(&self) -> bool {
        match self {
            Finding::NoNumpyWorks { .. } => false,
            Finding::ResolutionBreaks { remedies, .. } => remedies
                .iter()
                .any(|remedy| matches!(remedy, Remedy::Upgrade { .. })),
        }
    }

    /// The facts the finding rests on, ordered by kind (ABI first): the first decides the rule.
    pub fn facts(&self) -> Vec<(PackageName, RuntimeFact)> {
        match self {
            Finding::NoNumpyWorks { conflict } => {
                let mut facts: Vec<(PackageName, RuntimeFact)> = Vec::new();
                for cause in conflict.causes() {
                    for package in cause.packages() {
                        if let SolverPackage::Runtime(node) = package
                            && !facts.iter().any(|(name, fact)| {
                                *name == node.package && fact.key == node.fact.key
                            })
                        {
                            facts.push((node.package.clone(), node.fact.clone()));
                        }
                    }
                }
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

/// The advisory facts of a release on the solver's target (the solver leaves them out of its own).
fn advisory_facts(
    index: &Index,
    solver: &Solver,
    name: &PackageName,
    version: &Version,
) -> Vec<RuntimeFact> {
    let Some(package) = index.package(name) else {
        return Vec::new();
    };
    let Some(release) = package
        .releases()
        .iter()
        .find(|release| release.version() == version)
    else {
        return Vec::new();
    };
    nplint_index::runtime::facts(index, package, release, Some(solver.target()))
        .into_iter()
        .filter(RuntimeFact::is_advisory)
        .collect()
}

/// The releases of `solution` whose advisory facts exclude its NumPy.
pub(crate) fn advisory_broken(index: &Index, solver: &Solver, solution: &Solution) -> Vec<Broken> {
    let numpy = numpy_name();
    let Some(numpy_version) = solution.versions.get(&numpy) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, version) in &solution.versions {
        if *name == numpy {
            continue;
        }
        for fact in advisory_facts(index, solver, name, version) {
            if !fact.works.contains(numpy_version) {
                out.push(Broken {
                    package: name.clone(),
                    version: version.clone(),
                    fact,
                });
            }
        }
    }
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
        let broken = advisory_broken(index, solver, declared);
        if broken.is_empty() {
            return None;
        }
        let numpy = declared.versions.get(&numpy_name())?.clone();
        let remedies = remedies(index, solver, inputs, &broken, &numpy);
        return Some(Finding::ResolutionBreaks {
            numpy,
            broken,
            remedies,
        });
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

/// Whether `inputs` resolve, by declared metadata, to something that works, advisory facts included: what
/// [`check`] finds nothing in, without working out remedies.
pub(crate) fn resolves_and_works(index: &Index, solver: &Solver, inputs: &[Input]) -> bool {
    match solver.solve(inputs) {
        Outcome::Solved(solution) => {
            broken(solver, inputs, &solution).is_empty()
                && advisory_broken(index, solver, &solution).is_empty()
        }
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
        if resolves_and_works(index, solver, &with_bound) {
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
                    && advisory_facts(index, solver, &broken.package, release.version())
                        .iter()
                        .all(|fact| fact.works.contains(numpy))
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
            if resolves_and_works(index, solver, &upgraded) {
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use nplint_index::source::{ApiScope, ApiUse};
    use nplint_solver::{Platform, PythonVersion, Target};

    use super::*;

    /// The embedded index, with boruta 0.3's removed names as the sync's scan now records them: what
    /// `cargo xtask index scan-wheel Boruta-0.3-py3-none-any.whl` prints (the three names in the straight-line body
    /// of `BorutaPy._fit`, which `BorutaPy.fit` calls; `np.bool` once more under a condition).
    fn index_with_boruta_scan() -> &'static Index {
        index_with_boruta_uses(&[
            ("bool", ApiScope::Call, 351, 1, None),
            ("bool", ApiScope::Function, 319, 2, Some("BorutaPy._fit")),
            ("float", ApiScope::Function, 265, 1, Some("BorutaPy._fit")),
            ("int", ApiScope::Function, 260, 3, Some("BorutaPy._fit")),
        ])
    }

    /// The embedded index, with these uses (name, scope, line, count, function) as boruta 0.3's scan.
    fn index_with_boruta_uses(uses: &[(&str, ApiScope, u32, u32, Option<&str>)]) -> &'static Index {
        let (snapshot, mut packages) = nplint_index::embedded_source().unwrap();
        let boruta = packages
            .iter_mut()
            .find(|package| package.name == "boruta")
            .expect("boruta is indexed");
        let release = boruta
            .releases
            .iter_mut()
            .find(|release| release.version == "0.3")
            .expect("boruta 0.3 is indexed");
        let wheel = "Boruta-0.3-py3-none-any.whl";
        release.removed_api = uses
            .iter()
            .map(|&(name, scope, line, count, function)| ApiUse {
                name: name.to_owned(),
                scope,
                file: wheel.to_owned(),
                member: "boruta/boruta_py.py".to_owned(),
                line,
                count,
                function: function.map(str::to_owned),
            })
            .collect();
        Box::leak(Box::new(Index::from_source(&snapshot, &packages).unwrap()))
    }

    fn requirement(id: usize, name: &str, specifiers: &str) -> Input {
        Input::requirement(
            id,
            PackageName::from_str(name).unwrap(),
            VersionSpecifiers::from_str(specifiers).unwrap(),
        )
    }

    fn finding(index: &'static Index, solver: &Solver, inputs: &[Input]) -> Option<Finding> {
        let Outcome::Solved(declared) = solver.solve(inputs) else {
            panic!("{inputs:?} installs");
        };
        check(index, solver, inputs, &declared)
    }

    #[test]
    fn a_removed_name_in_a_function_body_warns_where_the_numpy_lacks_it() {
        let index = index_with_boruta_scan();
        let solver = Solver::new(
            index,
            Target::new(PythonVersion::new(3, 11), Platform::LinuxX86_64),
        );
        // `BorutaPy(...).fit(...)` fails with NumPy 1.24.4 (`module 'numpy' has no attribute 'int'`), works with
        // 1.23.5 (installed here on CPython 3.11).
        let broken = [
            requirement(0, "boruta", "==0.3"),
            requirement(1, "numpy", "==1.24.4"),
        ];
        let found = finding(index, &solver, &broken).expect("a finding");
        assert!(found.is_advisory());
        let Finding::ResolutionBreaks {
            numpy,
            broken: facts,
            remedies,
        } = &found
        else {
            panic!("{found:?}");
        };
        assert_eq!(numpy.to_string(), "1.24.4");
        assert_eq!(facts.len(), 1);
        let fact = &facts[0].fact;
        assert_eq!(fact.kind, nplint_index::FactKind::RemovedApi);
        assert_eq!(
            fact.predicate,
            "uses, in `BorutaPy._fit`, `numpy.bool`, `numpy.float` and `numpy.int`, which NumPy 1.24.0 removed"
        );
        assert!(
            fact.evidence_text().contains(
                "`boruta/boruta_py.py` line 319 uses `numpy.bool` in the body of `BorutaPy._fit`"
            ),
            "{}",
            fact.evidence_text()
        );
        // The pin on NumPy is the user's: the verified remedy is an upgrade of boruta, whose 0.4 no longer uses
        // the names.
        assert!(
            remedies
                .iter()
                .any(|remedy| matches!(remedy, Remedy::Upgrade { package, .. } if package.as_ref() == "boruta")),
            "{remedies:?}"
        );
        // The solver never sees the fact: the pair still resolves at runtime.
        assert!(solver.solve_runtime(&broken).is_solved());

        let works = [
            requirement(0, "boruta", "==0.3"),
            requirement(1, "numpy", "==1.23.5"),
        ];
        assert!(finding(index, &solver, &works).is_none());
        // NumPy 2 restored `numpy.bool`, not `numpy.int` or `numpy.float`.
        let newest = [requirement(0, "boruta", "==0.3")];
        let found = finding(index, &solver, &newest).expect("a finding");
        let Finding::ResolutionBreaks { numpy, .. } = &found else {
            panic!("{found:?}");
        };
        assert!(numpy.release()[0] >= 2, "{numpy}");
    }

    #[test]
    fn a_function_finding_names_only_the_functions_that_fail_with_the_numpy_at_hand() {
        // As statsmodels 0.14.1: `numpy.complex` (gone since 1.24) in one function, `numpy.Inf` (gone since 2.0) in
        // another. With NumPy 1.26 only the first fails when called.
        let index = index_with_boruta_uses(&[
            ("Inf", ApiScope::Function, 535, 2, Some("_fit_bfgs")),
            ("complex", ApiScope::Function, 76, 4, Some("fftconvolveinv")),
        ]);
        let solver = Solver::new(
            index,
            Target::new(PythonVersion::new(3, 11), Platform::LinuxX86_64),
        );
        // The predicates of the broken facts with boruta 0.3 and this NumPy.
        let broken_with = |numpy: &str| -> Vec<String> {
            let inputs = [
                requirement(0, "boruta", "==0.3"),
                requirement(1, "numpy", numpy),
            ];
            let found = finding(index, &solver, &inputs).expect("a finding");
            let Finding::ResolutionBreaks { broken, .. } = &found else {
                panic!("{found:?}");
            };
            broken
                .iter()
                .map(|broken| broken.fact.predicate.clone())
                .collect()
        };
        assert_eq!(
            broken_with("==1.26.4"),
            ["uses, in `fftconvolveinv`, `numpy.complex`, which NumPy 1.24.0 removed"]
        );
        // With NumPy 2.0 both fail, each fact naming its own function.
        let broken = broken_with("==2.0.2");
        assert_eq!(broken.len(), 2, "{broken:?}");
    }
}
