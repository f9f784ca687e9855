//! `nplint upgrade SPEC`: the smallest set of changes to a file's own requirements with which each environment
//! installs with SPEC (`numpy>=2`) and works at runtime (no `abi-mismatch`, `removed-numpy-api` or `known-pitfall`
//! finding), each change with the fact that forces it.
//!
//! How a plan is found, per environment, over the targets it is checked on:
//!
//! 1. **Reachable targets.** With every movable requirement of the file freed (its specifiers dropped), the runtime
//!    solve ([`Mode::Runtime`](nplint_solver::Mode): every release depends on the NumPy it works with) either finds
//!    an environment with SPEC or does not. Where it does not, no change to the file helps: the packages taking part
//!    in that conflict **block** the move there, and are told with their newest release and the fact that holds it.
//! 2. **Fewest lines.** A breadth-first search over sets of freed requirements, children of a set being the set plus
//!    one requirement that takes part in the conflict its runtime solve still meets on some target (any working set
//!    must free one of them): the first sets that solve on every reachable target are the smallest ones (minimal
//!    correction sets).
//! 3. **Smallest moves.** Each freed requirement, in file order, gets the nearest specifiers that still solve with
//!    the ones not yet chosen freed: unchanged first, then the oldest newer release (a pin moved, a cap raised at
//!    the precision it was written), then older ones (a downgrade only when nothing newer works).
//! 4. **As a resolver picks.** The changed file is solved as pip and uv do (newest first, declared metadata only) and
//!    checked against the runtime facts. A release the resolver picks that breaks gets its floor raised to the
//!    oldest release that works, on the requirement of the file that names it, or, for a package the file does not
//!    name, on a requirement added for it (said so).
//!
//! Among the smallest sets, the plan with the fewest changes and then the smallest moves (releases stepped over)
//! is kept. One plan serves every reachable target when one exists; otherwise each target gets its own.

mod moves;

use std::collections::{BTreeMap, BTreeSet};

use nplint_diagnostics::Edit;
use nplint_index::{Index, PackageName, Target, Version, VersionSpecifiers};
use nplint_manifest::{Environment, Manifest};
use nplint_solver::{Input, Outcome, Role, Solver};

use crate::finding::is_locked;
use crate::resolution::environment_inputs;
use crate::runtime;
use crate::{Resolver, Settings};

pub use moves::ChangeKind;
use moves::{Candidate, Shape};

/// What the environment must install: `numpy>=2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub name: PackageName,
    pub specifiers: VersionSpecifiers,
}

impl Goal {
    /// A goal from a requirement's text (`numpy>=2`, `numpy>=2.3,<3`): a name and version specifiers, without
    /// extras, marker or URL.
    pub fn parse(text: &str) -> Result<Self, String> {
        let requirement: pep508_rs::Requirement = text
            .trim()
            .parse()
            .map_err(|error: pep508_rs::Pep508Error| error.message.to_string())?;
        if !requirement.extras.is_empty() || !requirement.marker.is_true() {
            return Err(
                "a goal is a name and version specifiers, without extras or marker".to_owned(),
            );
        }
        let specifiers = match requirement.version_or_url {
            Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) => specifiers,
            Some(pep508_rs::VersionOrUrl::Url(_)) => {
                return Err("a goal is a version range, not a URL".to_owned());
            }
            None => VersionSpecifiers::empty(),
        };
        Ok(Self {
            name: requirement.name,
            specifiers,
        })
    }
}

impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.name, self.specifiers)
    }
}

/// The plan for one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The environment's name (`requirements`, `project[gpu]`, ...).
    pub environment: String,
    /// What to do, for which targets (one part for every target when one plan serves them all).
    pub parts: Vec<Part>,
}

/// What the plan is on some targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub targets: Vec<Target>,
    pub outcome: PartOutcome,
}

/// What it takes for the environment to move to the goal on some targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartOutcome {
    /// It installs with the goal and works as the file stands.
    Ready,
    /// These changes, applied together.
    Changes(Vec<Change>),
    /// No change to the file's requirements makes it work: these packages have no release that does.
    Blocked(Vec<Blocker>),
}

/// One change to a requirement of the file, or a requirement added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The requirement changed (an index into the manifest's requirements); `None` for one added.
    pub requirement: Option<usize>,
    pub package: PackageName,
    pub kind: ChangeKind,
    /// The requirement as written (empty for one added).
    pub before: String,
    /// The requirement as it becomes: name and new specifiers (`pandas==2.2.2`).
    pub after: String,
    /// The new specifiers.
    pub specifiers: VersionSpecifiers,
    /// Why the requirement cannot stay: "`pandas==2.1.1` was built against NumPy 1.x".
    pub because: String,
    /// What the change gives: "`pandas==2.2.2`, the oldest release that works with `numpy>=2`".
    pub gives: String,
    /// The edit that makes the change; `None` when the file has no place nplint can write it (a requirement with
    /// extras and no version, a new requirement in a file other than a requirements file).
    pub edit: Option<Edit>,
    /// Releases stepped over, the measure of the move's size.
    pub distance: usize,
}

/// A package with no release that works with the goal on some targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub package: PackageName,
    /// The requirement of the file that brings it in, when the file names it.
    pub requirement: Option<usize>,
    /// Why: "its newest release, `tensorflow==2.20.0` (2025-08-13), has no wheel for this Python", ...
    pub reason: String,
}

/// The handle of the goal among a solve's inputs.
const GOAL: usize = usize::MAX - 1;
/// The first handle of a requirement the plan adds.
const ADDED: usize = usize::MAX / 2;
/// The sets of freed requirements tried at most, per environment: a bound on the work a file no plan serves costs.
const SETS: usize = 400;
/// The most requirements a plan changes.
const DEPTH: usize = 4;

/// A plan for each environment of `manifest` on the targets `settings` chooses. Environments are planned in order,
/// each with the changes planned for those before it held (a `pyproject.toml`'s extras share its dependencies).
pub fn plan(
    resolver: &Resolver,
    manifest: &Manifest,
    settings: &Settings,
    goal: &Goal,
) -> Vec<Plan> {
    let mut held: BTreeMap<usize, VersionSpecifiers> = BTreeMap::new();
    let mut plans = Vec::new();
    for environment in &manifest.environments {
        let plan = plan_environment(resolver, manifest, environment, settings, goal, &held);
        for part in &plan.parts {
            if let PartOutcome::Changes(changes) = &part.outcome {
                for change in changes {
                    if let Some(id) = change.requirement {
                        held.insert(id, change.specifiers.clone());
                    }
                }
            }
        }
        plans.push(plan);
    }
    plans
}

fn plan_environment(
    resolver: &Resolver,
    manifest: &Manifest,
    environment: &Environment,
    settings: &Settings,
    goal: &Goal,
    held: &BTreeMap<usize, VersionSpecifiers>,
) -> Plan {
    let targets = resolver.environment_targets(manifest, environment, settings);
    let mut inputs = environment_inputs(manifest, &environment.requirements);
    for input in &mut inputs {
        if let Some(specifiers) = held.get(&input.id) {
            input.specifiers = specifiers.clone();
        }
    }
    let original = inputs.clone();
    inputs.push(Input::requirement(
        GOAL,
        goal.name.clone(),
        goal.specifiers.clone(),
    ));
    let movable: Vec<usize> = inputs
        .iter()
        .filter(|input| {
            input.id != GOAL && matches!(input.role, Role::Requirement | Role::Constraint)
        })
        .filter(|input| !is_locked(&manifest.requirements[input.id]))
        .map(|input| input.id)
        .collect();
    let planner = Planner {
        resolver,
        index: resolver.index(),
        manifest,
        goal,
        inputs,
        original,
        movable,
    };
    let mut parts = Vec::new();
    let (reachable, unreachable): (Vec<Target>, Vec<Target>) = targets
        .iter()
        .copied()
        .partition(|&target| planner.feasible(&planner.freed(&planner.movable), target));
    for (blockers, targets) in group(
        unreachable
            .iter()
            .map(|&target| (planner.blockers(target), target)),
    ) {
        parts.push(Part {
            targets,
            outcome: PartOutcome::Blocked(blockers),
        });
    }
    if !reachable.is_empty() {
        if let Some(outcome) = planner.search(&reachable) {
            parts.insert(
                0,
                Part {
                    targets: reachable,
                    outcome,
                },
            );
        } else {
            // No one plan serves them all: each target its own.
            let each = reachable.iter().map(|&target| {
                (
                    planner
                        .search(&[target])
                        .unwrap_or_else(|| PartOutcome::Blocked(planner.blockers(target))),
                    target,
                )
            });
            let mut own: Vec<Part> = group(each)
                .into_iter()
                .map(|(outcome, targets)| Part { targets, outcome })
                .collect();
            own.append(&mut parts);
            parts = own;
        }
    }
    Plan {
        environment: environment.name.clone(),
        parts,
    }
}

/// Values with the targets that share them, in the order first met.
fn group<T: PartialEq>(items: impl Iterator<Item = (T, Target)>) -> Vec<(T, Vec<Target>)> {
    let mut out: Vec<(T, Vec<Target>)> = Vec::new();
    for (value, target) in items {
        match out.iter_mut().find(|(existing, _)| *existing == value) {
            Some((_, targets)) => targets.push(target),
            None => out.push((value, vec![target])),
        }
    }
    out
}

/// The choices made for the requirements a plan changes: new specifiers by input handle, and requirements added.
#[derive(Debug, Clone, Default)]
struct Choice {
    moved: BTreeMap<usize, Candidate>,
    added: Vec<(PackageName, Version, String)>,
}

/// One environment being planned.
struct Planner<'a> {
    resolver: &'a Resolver,
    index: &'static Index,
    manifest: &'a Manifest,
    goal: &'a Goal,
    /// The environment's inputs (with the changes planned for earlier environments) and the goal.
    inputs: Vec<Input>,
    /// The same without the goal: the environment as it stands.
    original: Vec<Input>,
    /// The inputs a plan may change: the file's requirements and constraints, not a lockfile's pins.
    movable: Vec<usize>,
}

impl Planner<'_> {
    fn solver(&self, target: Target) -> &Solver {
        self.resolver.solver(target)
    }

    fn input(&self, id: usize) -> &Input {
        self.inputs
            .iter()
            .find(|input| input.id == id)
            .expect("a planned input is one of the environment's")
    }

    /// The inputs with the requirements `free` names left free (any version).
    fn freed(&self, free: &[usize]) -> Vec<Input> {
        self.inputs
            .iter()
            .map(|input| {
                let mut input = input.clone();
                if free.contains(&input.id) {
                    input.specifiers = VersionSpecifiers::empty();
                }
                input
            })
            .collect()
    }

    /// The inputs with `choice` applied and the requirements `free` names left free.
    fn with(&self, choice: &Choice, free: &[usize]) -> Vec<Input> {
        let mut inputs = self.freed(free);
        for input in &mut inputs {
            if let Some(candidate) = choice.moved.get(&input.id) {
                input.specifiers = candidate.specifiers.clone();
            }
        }
        for (offset, (name, version, _)) in choice.added.iter().enumerate() {
            if let Ok(specifiers) = format!(">={version}").parse() {
                inputs.push(Input::requirement(ADDED + offset, name.clone(), specifiers));
            }
        }
        inputs
    }

    /// Whether some choice of versions of `inputs` works at runtime on `target`.
    fn feasible(&self, inputs: &[Input], target: Target) -> bool {
        self.solver(target).solve_runtime(inputs).is_solved()
    }

    /// Whether `inputs` install as a resolver picks them, and work, on `target`.
    fn works(&self, inputs: &[Input], target: Target) -> bool {
        runtime::resolves_and_works(self.index, self.solver(target), inputs)
    }

    /// The plan for `targets`: breadth first over sets of freed requirements (see the module documentation).
    /// `None` when no set of at most [`DEPTH`] requirements serves every target.
    fn search(&self, targets: &[Target]) -> Option<PartOutcome> {
        if targets
            .iter()
            .all(|&target| self.works(&self.inputs, target))
        {
            return Some(PartOutcome::Ready);
        }
        let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
        let mut frontier: Vec<Vec<usize>> = vec![Vec::new()];
        let mut tried = 0;
        for _ in 0..=DEPTH {
            let mut found: Vec<Vec<Change>> = Vec::new();
            let mut next = Vec::new();
            for set in &frontier {
                tried += 1;
                if tried > SETS {
                    return None;
                }
                let freed = self.freed(set);
                let conflict = targets.iter().find_map(|&target| {
                    match self.solver(target).solve_runtime(&freed) {
                        Outcome::Solved(_) => None,
                        Outcome::Conflict(conflict) => Some(conflict),
                    }
                });
                match conflict {
                    None => {
                        if let Some(changes) = self.realize(set, targets) {
                            found.push(changes);
                        }
                    }
                    Some(conflict) => {
                        for &id in &conflict.inputs {
                            if !self.movable.contains(&id) || set.contains(&id) {
                                continue;
                            }
                            let mut child = set.clone();
                            child.push(id);
                            child.sort_unstable();
                            if seen.insert(child.clone()) {
                                next.push(child);
                            }
                        }
                    }
                }
            }
            if let Some(best) = found.into_iter().min_by_key(|changes| {
                (
                    changes.len(),
                    changes.iter().map(|c| c.distance).sum::<usize>(),
                )
            }) {
                return Some(PartOutcome::Changes(best));
            }
            if next.is_empty() {
                return None;
            }
            frontier = next;
        }
        None
    }

    /// Moves for the requirements of `set`, the nearest first, then the floors a resolver's picks need: the changes,
    /// verified on every target, or `None`.
    fn realize(&self, set: &[usize], targets: &[Target]) -> Option<Vec<Change>> {
        let mut choice = Choice::default();
        // The goal's own requirement first: the others move to fit it.
        let mut order: Vec<usize> = set.to_vec();
        order.sort_by_key(|&id| (self.input(id).name != self.goal.name, id));
        for (at, &id) in order.iter().enumerate() {
            let free = &order[at + 1..];
            let input = self.input(id);
            let shape = Shape::of(input, &self.goal.name, self.goal);
            let chosen = shape
                .candidates(
                    self.index,
                    input,
                    self.goal,
                    targets,
                    |name, version, target| {
                        input.conda || self.solver(target).installable(name, version)
                    },
                )
                .into_iter()
                .find(|candidate| {
                    let mut tried = choice.clone();
                    tried.moved.insert(id, candidate.clone());
                    let inputs = self.with(&tried, free);
                    targets.iter().all(|&target| self.feasible(&inputs, target))
                })?;
            if !chosen.unchanged {
                choice.moved.insert(id, chosen);
            }
        }
        self.settle(&mut choice, targets)?;
        Some(self.changes(&choice, targets))
    }

    /// Raises the floor of each release a resolver picks that breaks, until the choice works as resolved on every
    /// target; `None` when it cannot.
    fn settle(&self, choice: &mut Choice, targets: &[Target]) -> Option<()> {
        for _ in 0..=DEPTH {
            let inputs = self.with(choice, &[]);
            let mut failing = None;
            for &target in targets {
                match self.solver(target).solve(&inputs) {
                    Outcome::Solved(solution) => {
                        if !self.works(&inputs, target) {
                            failing = Some((target, solution));
                            break;
                        }
                    }
                    // Runtime solves found versions that work; a declared solve never fails where they do not.
                    Outcome::Conflict(_) => return None,
                }
            }
            let Some((target, solution)) = failing else {
                return Some(());
            };
            let solver = self.solver(target);
            let mut broken = runtime::broken(solver, &inputs, &solution);
            broken.extend(runtime::advisory_broken(self.index, solver, &solution));
            let first = broken.first()?;
            let package = self.index.package(&first.package)?;
            // The oldest newer release with which the environment works on every target.
            let direct = self.movable.iter().copied().find(|&id| {
                self.input(id).name == first.package && self.input(id).role == Role::Requirement
            });
            let mut raised = None;
            for release in package
                .releases()
                .iter()
                .filter(|release| {
                    release.version() > &first.version
                        && !release.is_prerelease()
                        && !release.is_yanked()
                })
                .take(30)
            {
                let mut tried = choice.clone();
                match direct {
                    Some(id) => {
                        let input = self.input(id);
                        let candidate = match tried.moved.get(&id) {
                            Some(existing) => existing.with_floor(release.version()),
                            None => Candidate::floor(
                                &input.specifiers,
                                release.version(),
                                ChangeKind::RaiseFloor,
                            ),
                        };
                        tried.moved.insert(id, candidate);
                    }
                    None => tried.added.push((
                        first.package.clone(),
                        release.version().clone(),
                        format!(
                            "`{}=={}`, which a resolver picks, {}",
                            first.package, first.version, first.fact.predicate
                        ),
                    )),
                }
                let inputs = self.with(&tried, &[]);
                if targets.iter().all(|&target| self.works(&inputs, target)) {
                    raised = Some(tried);
                    break;
                }
                // A floor that makes it solve, though something else still breaks: the next round goes on from it.
                if raised.is_none()
                    && targets
                        .iter()
                        .all(|&target| self.solver(target).solve(&inputs).is_solved())
                    && !targets.iter().all(|&target| {
                        runtime::broken(
                            self.solver(target),
                            &inputs,
                            self.solver(target)
                                .solve(&inputs)
                                .as_solution()
                                .expect("solved"),
                        )
                        .iter()
                        .any(|b| b.package == first.package)
                    })
                {
                    raised = Some(tried);
                    break;
                }
            }
            *choice = raised?;
            if let Some(id) = direct
                && let Some(candidate) = choice.moved.get_mut(&id)
                && candidate.because.is_none()
            {
                candidate.because = Some(format!(
                    "`{}=={}`, which a resolver picks with the others changed, {}",
                    first.package, first.version, first.fact.predicate
                ));
            }
        }
        None
    }

    /// The choice as changes to the file, with their reasons and edits.
    fn changes(&self, choice: &Choice, targets: &[Target]) -> Vec<Change> {
        let target = targets[0];
        // What the environment resolves to as it stands, and with the changes.
        let before = self.solver(target).solve(&self.original);
        let before = before.as_solution();
        let after_inputs = self.with(choice, &[]);
        let after = self.solver(target).solve(&after_inputs);
        let after = after.as_solution();
        let mut changes = Vec::new();
        for (&id, candidate) in &choice.moved {
            let input = self.input(id);
            let requirement = &self.manifest.requirements[id];
            let was = before
                .and_then(|solution| solution.versions.get(&input.name))
                .or_else(|| input_pin(&self.original, id));
            let now = after.and_then(|solution| solution.versions.get(&input.name));
            let because = candidate.because.clone().unwrap_or_else(|| {
                moves::because(
                    self.index,
                    self.solver(target),
                    self.goal,
                    &input.name,
                    was,
                    requirement,
                    targets,
                    |target| self.solver(target),
                )
            });
            let after_text = format!(
                "{}{}",
                input.name,
                moves::written(&candidate.specifiers, requirement)
            );
            let gives = moves::gives(candidate, &input.name, now, self.goal);
            changes.push(Change {
                requirement: Some(id),
                package: input.name.clone(),
                kind: candidate.kind,
                before: requirement.display(),
                after: after_text,
                specifiers: candidate.specifiers.clone(),
                because,
                gives,
                edit: moves::edit(requirement, &candidate.specifiers),
                distance: candidate.distance,
            });
        }
        for (name, version, because) in &choice.added {
            let specifiers: VersionSpecifiers = format!(">={version}")
                .parse()
                .unwrap_or_else(|_| VersionSpecifiers::empty());
            changes.push(Change {
                requirement: None,
                package: name.clone(),
                kind: ChangeKind::AddTransitive,
                before: String::new(),
                after: format!("{name}{specifiers}"),
                specifiers,
                because: because.clone(),
                gives: format!(
                    "`{name}>={version}`, the oldest release that works: the file does not name `{name}`, so a requirement on it is the only way"
                ),
                edit: moves::added_edit(self.manifest, &format!("{name}>={version}")),
                distance: 0,
            });
        }
        changes.sort_by_key(|change| change.requirement.unwrap_or(usize::MAX));
        changes
    }

    /// The packages that keep the environment from working with the goal on `target` whatever the file says.
    fn blockers(&self, target: Target) -> Vec<Blocker> {
        let freed = self.freed(&self.movable);
        let Outcome::Conflict(conflict) = self.solver(target).solve_runtime(&freed) else {
            return Vec::new();
        };
        let mut blockers = Vec::new();
        let mut named = BTreeSet::new();
        for &id in &conflict.inputs {
            if id == GOAL {
                continue;
            }
            let Some(input) = self.inputs.iter().find(|input| input.id == id) else {
                continue;
            };
            if !named.insert(input.name.clone()) {
                continue;
            }
            blockers.push(Blocker {
                package: input.name.clone(),
                requirement: Some(id),
                reason: moves::blocked(self.index, self.solver(target), self.goal, input),
            });
        }
        if blockers.is_empty() {
            blockers.push(Blocker {
                package: self.goal.name.clone(),
                requirement: None,
                reason: moves::blocked(
                    self.index,
                    self.solver(target),
                    self.goal,
                    &Input::requirement(GOAL, self.goal.name.clone(), self.goal.specifiers.clone()),
                ),
            });
        }
        blockers
    }
}

/// The version an input pins, if it does.
fn input_pin(inputs: &[Input], id: usize) -> Option<&Version> {
    inputs.iter().find(|input| input.id == id)?.pin()
}

/// Whether `environment` of `manifest`, with the requirements `freed` names left free (any version) and the goal
/// added, has some choice of versions that works at runtime on `target`: what no change to the other requirements
/// can give when it has none. The measure of a plan's minimality.
pub fn feasible_with_freed(
    resolver: &Resolver,
    manifest: &Manifest,
    environment: &Environment,
    goal: &Goal,
    freed: &[usize],
    target: Target,
) -> bool {
    let mut inputs = environment_inputs(manifest, &environment.requirements);
    for input in &mut inputs {
        if freed.contains(&input.id) {
            input.specifiers = VersionSpecifiers::empty();
        }
    }
    inputs.push(Input::requirement(
        GOAL,
        goal.name.clone(),
        goal.specifiers.clone(),
    ));
    resolver.solver(target).solve_runtime(&inputs).is_solved()
}

/// Whether `environment` of `manifest` with the goal added installs as a resolver picks it and works at runtime on
/// `target`: what a plan must make true.
pub fn works_with_goal(
    resolver: &Resolver,
    manifest: &Manifest,
    environment: &Environment,
    goal: &Goal,
    target: Target,
) -> bool {
    let mut inputs = environment_inputs(manifest, &environment.requirements);
    inputs.push(Input::requirement(
        GOAL,
        goal.name.clone(),
        goal.specifiers.clone(),
    ));
    runtime::resolves_and_works(resolver.index(), resolver.solver(target), &inputs)
}

#[cfg(test)]
mod tests;
