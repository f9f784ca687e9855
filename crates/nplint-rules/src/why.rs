//! `nplint why PACKAGE`: for each environment and target, the versions of a package the environment allows and,
//! on each side, the requirements that bound them, each traced back to the file ("`numpy` below 2.0 because
//! `gensim==4.3.3` requires `numpy<2.0,>=1.18.5`, and `gensim==4.3.3` because the file requires `gensim==4.3.3`").
//! A resolver's derivation, read forward, for an environment that installs.

use std::collections::{BTreeMap, VecDeque};

use nplint_index::{PackageName, Target, Version};
use nplint_manifest::{Environment, Manifest};
use nplint_solver::{Outcome, Solution, Solver};

use crate::{Resolver, Settings};

/// What one environment allows of the package, target by target (targets with the same answer together, in the
/// order first met).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    /// The environment's name (`requirements`, `project[gpu]`, ...).
    pub environment: String,
    pub answers: Vec<(Answer, Vec<Target>)>,
}

/// What an environment allows of the package on a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The environment installs, with the package at `version`.
    Installed {
        version: Version,
        /// The oldest and newest releases that install on the target and satisfy every requirement on the package.
        allowed: (Version, Version),
        /// The requirements that exclude the next newer release that installs on the target (none: `allowed.1` is
        /// the newest that does).
        above: Bound,
        /// The requirements that exclude the next older release that installs (none: `allowed.0` is the oldest).
        below: Bound,
    },
    /// The environment installs without the package.
    Absent,
    /// The environment does not install on the target (`nplint check` says why).
    Fails,
}

/// One side of the allowed versions: the first release past it, and what excludes that release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// The nearest release on this side that installs on the target but is not allowed; `None` when there is none.
    pub next: Option<Version>,
    pub by: Vec<Reason>,
}

/// A requirement on the package, and how it comes to be in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Who states it.
    pub source: Source,
    /// What it allows of the package.
    pub specifiers: nplint_index::VersionSpecifiers,
    /// `gensim==4.3.3 requires numpy<2.0,>=1.18.5`, or `the file requires numpy<2`.
    pub requirement: String,
    /// Why the requiring package is installed, from it back to the file: `gensim==4.3.3 because the file requires
    /// gensim==4.3.3 (line 1)`. Empty for a requirement of the file itself.
    pub chain: Vec<String>,
}

/// Who states a requirement on the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The file, in this requirement (as messages quote it).
    File(String),
    /// An installed release.
    Release(PackageName, Version),
}

/// What each environment of `manifest` allows of `package` on its targets.
pub fn why(
    resolver: &Resolver,
    manifest: &Manifest,
    settings: &Settings,
    package: &PackageName,
) -> Vec<Why> {
    manifest
        .environments
        .iter()
        .map(|environment| why_in(resolver, manifest, environment, settings, package))
        .collect()
}

/// What `environment` allows of `package` on its targets.
pub fn why_in(
    resolver: &Resolver,
    manifest: &Manifest,
    environment: &Environment,
    settings: &Settings,
    package: &PackageName,
) -> Why {
    let mut answers: Vec<(Answer, Vec<Target>)> = Vec::new();
    for (target, outcome) in resolver.solve_environment(manifest, environment, settings) {
        let answer = match &outcome {
            Outcome::Conflict(_) => Answer::Fails,
            Outcome::Solved(solution) => match (
                solution.versions.get(package),
                resolver.target_solver(target),
            ) {
                (Some(version), Some(solver)) => installed(
                    &Forward {
                        solver,
                        manifest,
                        environment,
                        solution,
                        target,
                    },
                    package,
                    version,
                ),
                _ => Answer::Absent,
            },
        };
        match answers.iter_mut().find(|(existing, _)| *existing == answer) {
            Some((_, targets)) => targets.push(target),
            None => answers.push((answer, vec![target])),
        }
    }
    Why {
        environment: environment.name.clone(),
        answers,
    }
}

/// One solved environment on one target.
struct Forward<'a> {
    solver: &'a Solver,
    manifest: &'a Manifest,
    environment: &'a Environment,
    solution: &'a Solution,
    target: Target,
}

/// A requirement on the package: its text, and who states it.
struct Constraint {
    specifiers: nplint_index::VersionSpecifiers,
    source: Source,
    text: String,
}

fn installed(forward: &Forward, package: &PackageName, version: &Version) -> Answer {
    let index = forward.solver.index();
    let constraints = constraints(forward, package);
    let releases: Vec<&Version> = index
        .package(package)
        .map(|package| {
            package
                .releases()
                .iter()
                .filter(|release| !release.is_prerelease() || release.version() == version)
                .map(nplint_index::Release::version)
                .filter(|candidate| forward.solver.installable(package.name(), candidate))
                .collect()
        })
        .unwrap_or_default();
    let allows = |candidate: &Version| constraints.iter().all(|c| c.specifiers.contains(candidate));
    let allowed: Vec<&Version> = releases.iter().copied().filter(|v| allows(v)).collect();
    let (Some(&oldest), Some(&newest)) = (allowed.iter().min(), allowed.iter().max()) else {
        return Answer::Fails;
    };
    let bound = |next: Option<&Version>| Bound {
        next: next.cloned(),
        by: next
            .map(|next| {
                constraints
                    .iter()
                    .filter(|c| !c.specifiers.contains(next))
                    .map(|c| Reason {
                        source: c.source.clone(),
                        specifiers: c.specifiers.clone(),
                        requirement: c.text.clone(),
                        chain: match &c.source {
                            Source::Release(name, version) => chain(forward, name, version),
                            Source::File(_) => Vec::new(),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let above = releases.iter().copied().filter(|v| *v > newest).min();
    let below = releases.iter().copied().filter(|v| *v < oldest).max();
    Answer::Installed {
        version: version.clone(),
        allowed: (oldest.clone(), newest.clone()),
        above: bound(above),
        below: bound(below),
    }
}

/// Every requirement on `package` in the solved environment: the file's own, and those of the installed releases.
fn constraints(forward: &Forward, package: &PackageName) -> Vec<Constraint> {
    let mut constraints: Vec<Constraint> = forward
        .manifest
        .environment_requirements(forward.environment)
        .filter(|requirement| requirement.name.as_ref() == Some(package))
        .map(|requirement| Constraint {
            specifiers: requirement.specifiers.clone(),
            source: Source::File(requirement.display()),
            text: format!("the file requires {}", file_requirement(requirement)),
        })
        .collect();
    for (name, version) in &forward.solution.versions {
        if name == package {
            continue;
        }
        if let Some(specifiers) = requires(forward, name, version, package) {
            constraints.push(Constraint {
                text: format!("{name}=={version} requires {package}{specifiers}"),
                specifiers,
                source: Source::Release(name.clone(), version.clone()),
            });
        }
    }
    constraints
}

/// What release `name==version` requires of `package` on the target, if anything.
fn requires(
    forward: &Forward,
    name: &PackageName,
    version: &Version,
    package: &PackageName,
) -> Option<nplint_index::VersionSpecifiers> {
    forward
        .solver
        .index()
        .package(name)?
        .release(version)?
        .requirement_on(package, forward.target, &[])
}

/// `numpy<2` (line 3): a requirement of the file as written, with its line.
fn file_requirement(requirement: &nplint_manifest::Requirement) -> String {
    let line = requirement.location_in_root().start().line;
    format!("`{}` (line {line})", requirement.display())
}

/// Why `name==version` is installed: the shortest path of requirements from the file to it, nearest first.
fn chain(forward: &Forward, name: &PackageName, version: &Version) -> Vec<String> {
    // Breadth first from the package towards the file: each step, who requires it.
    let mut parent: BTreeMap<PackageName, Option<PackageName>> = BTreeMap::new();
    parent.insert(name.clone(), None);
    let mut queue = VecDeque::from([name.clone()]);
    let from_file = |package: &PackageName| {
        forward
            .manifest
            .environment_requirements(forward.environment)
            .find(|requirement| requirement.name.as_ref() == Some(package))
    };
    let mut found = None;
    while let Some(current) = queue.pop_front() {
        if let Some(requirement) = from_file(&current) {
            found = Some((current, requirement));
            break;
        }
        for (other, other_version) in &forward.solution.versions {
            if parent.contains_key(other) {
                continue;
            }
            if requires(forward, other, other_version, &current).is_some() {
                parent.insert(other.clone(), Some(current.clone()));
                queue.push_back(other.clone());
            }
        }
    }
    let Some((top, requirement)) = found else {
        return vec![format!(
            "{name}=={version} is installed, required by nothing the file names"
        )];
    };
    // From the file's requirement back down to the package.
    let mut path = vec![top.clone()];
    let mut at = top;
    while let Some(Some(next)) = parent.get(&at) {
        path.push(next.clone());
        at = next.clone();
    }
    let versions = &forward.solution.versions;
    let mut steps = Vec::new();
    for pair in path.windows(2).rev() {
        let (parent, child) = (&pair[0], &pair[1]);
        let specifiers = requires(forward, parent, &versions[parent], child)
            .map(|specifiers| specifiers.to_string())
            .unwrap_or_default();
        steps.push(format!(
            "{child}=={} because {parent}=={} requires {child}{specifiers}",
            versions[child], versions[parent]
        ));
    }
    let top = &path[0];
    steps.push(format!(
        "{top}=={} because the file requires {}",
        versions[top],
        file_requirement(requirement)
    ));
    steps
}
