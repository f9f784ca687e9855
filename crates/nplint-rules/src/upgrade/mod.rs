//! `nplint upgrade SPEC`: the smallest set of changes to a file's own requirements with which each environment
//! installs with SPEC (`numpy>=2`) and works at runtime (no `abi-mismatch`, `removed-numpy-api` or `known-pitfall`
//! finding), each change with the fact that forces it.
//!
//! How a plan is found, per environment, over the targets it is checked on:
//!
//! 1. **Reachable targets.** With every movable requirement of the file freed (to any release the index holds), the
//!    runtime solve ([`Mode::Runtime`](nplint_solver::Mode): every release depends on the NumPy it works with) either
//!    finds an environment with SPEC or does not. Where it does not, no change to the file helps: the packages taking
//!    part in that conflict **block** the move there, and are told with their newest release and the fact that
//!    holds it.
//! 2. **Fewest lines.** A breadth-first search over sets of freed requirements, children of a set being the set plus
//!    one requirement that takes part in the conflict its runtime solve still meets on some target (any working set
//!    must free one of them): the first sets that solve on every reachable target are the smallest ones (minimal
//!    correction sets). Past [`DEPTH`] requirements or [`SETS`] sets, a greedy set: every requirement of each
//!    conflict freed, then each held again where the rest still works (irreducible, not always the smallest).
//! 3. **Smallest moves.** Each freed requirement, in file order (the goal's own first), gets the nearest specifiers
//!    that still solve with the ones not yet chosen freed: unchanged, then the oldest newer release (a pin moved, a
//!    conda series moved, a cap raised at the precision it was written), found by galloping over the releases and
//!    bisecting back.
//! 4. **As a resolver picks.** The changed file is solved as pip and uv do (newest first, declared metadata only) and
//!    checked against the runtime facts. A release the resolver picks that breaks gets its floor raised to the
//!    oldest newer release that works itself, on the requirement of the file that names it, or, for a package the
//!    file does not name, on a requirement added for it (said so). A release that fails only when one of its
//!    functions is called, and that no newer release mends, is kept and named as a caveat.
//!
//! The whole search runs first with freed requirements moving only upwards; only when it finds nothing does it run
//! again with downgrades allowed, so that no plan downgrades while one that does not exists. Among the smallest
//! sets, the plan with the fewest changes and then the smallest moves (releases stepped over) is kept. One plan
//! serves every reachable target when one exists; otherwise one per Python, and else one per target.

mod moves;

use std::cell::Cell;
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
    /// The environment's requirements that cap a package the solve leaves out (one that does not reach NumPy, or
    /// that the index does not know), each as its name and PEP 440 specifiers: `httpx==0.24.0`, `protobuf<4`. A
    /// release the plan moves to may need another version of such a package, which the plan cannot see.
    pub unsolved: Vec<String>,
}

impl Plan {
    /// The parts with changes to make: more than one when the targets need different changes.
    fn changing(&self) -> impl Iterator<Item = &[Change]> {
        self.parts.iter().filter_map(|part| match &part.outcome {
            PartOutcome::Changes(changes) => Some(changes.as_slice()),
            _ => None,
        })
    }

    /// Whether the targets need different changes, which a file without markers cannot say: `--write` then leaves
    /// the environment as it is.
    pub fn differs_by_target(&self) -> bool {
        self.changing().nth(1).is_some()
    }

    /// The changes `--write` makes: those of the one part with changes, when exactly one has them.
    pub fn written_changes(&self) -> Option<&[Change]> {
        if self.differs_by_target() {
            return None;
        }
        self.changing().next()
    }
}

/// The edits `--write` makes for a file's plans: each environment's written changes, in order.
pub fn written_edits(plans: &[Plan]) -> Vec<Edit> {
    change_edits(plans.iter().filter_map(Plan::written_changes).flatten())
}

/// The edits of `changes`, in order, each once. Of two edits of the same text the later one is kept: an
/// environment's plan holds the changes of the environments planned before it, and may move one of their
/// requirements further (a release an earlier environment moved to that has no wheel for one of its targets).
pub fn change_edits<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    for edit in changes
        .into_iter()
        .filter_map(|change| change.edit.as_ref())
    {
        match edits.iter_mut().find(|known| {
            known.location.file.path() == edit.location.file.path()
                && known.location.span == edit.location.span
        }) {
            Some(known) => known.clone_from(edit),
            None => edits.push(edit.clone()),
        }
    }
    edits
}

/// What the plan is on some targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub targets: Vec<Target>,
    pub outcome: PartOutcome,
    /// What still breaks there and no release mends: a function of a release that uses a name NumPy removed
    /// ("`statsmodels==0.14.6` uses, in `detrend_linear`, `numpy.float_`, which NumPy 2.0.0 removed"), which fails
    /// only when called.
    pub caveats: Vec<String>,
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
    /// Some change would work, but nplint found none: why.
    Unplanned(String),
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
/// The sets of freed requirements the breadth-first search tries at most before it goes greedy.
const SETS: usize = 60;
/// The sets of one size that work made into plans at most, to choose the smallest moves among.
const REALIZED: usize = 4;
/// The most requirements the breadth-first search frees; larger sets are found greedily.
const DEPTH: usize = 3;

/// A plan for each environment of `manifest` on the targets `settings` chooses. Environments are planned in order,
/// each with the changes `--write` makes for those before it held (a `pyproject.toml`'s extras share its
/// dependencies).
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
        // What `--write` applies: the changes of an environment with one plan for all its targets.
        for change in plan.written_changes().unwrap_or_default() {
            if let Some(id) = change.requirement {
                held.insert(id, change.specifiers.clone());
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
    let must_move: Vec<usize> = movable
        .iter()
        .copied()
        .filter(|&id| {
            crate::Knowledge::of(resolver.index(), &manifest.requirements[id])
                == crate::Knowledge::NoSuchRelease
        })
        .collect();
    let planner = Planner {
        resolver,
        index: resolver.index(),
        manifest,
        goal,
        inputs,
        original,
        movable,
        must_move,
        failed_last: Cell::new(None),
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
            caveats: Vec::new(),
        });
    }
    let mut own = Vec::new();
    if !reachable.is_empty() {
        planner.plan_parts(&reachable, &mut own);
    }
    own.append(&mut parts);
    let parts = own;
    Plan {
        environment: environment.name.clone(),
        parts,
        unsolved: unsolved_caps(resolver.index(), manifest, environment),
    }
}

/// The requirements of `environment` that cap a package the solve leaves out: its name is not NumPy-related or
/// not known at all, and its specifiers have an upper bound (`==`, `~=`, `<`, `<=`). Only a cap can keep a package
/// from the version a moved release needs. Each once, as its name and specifiers (markers left out).
fn unsolved_caps(index: &Index, manifest: &Manifest, environment: &Environment) -> Vec<String> {
    use pep508_rs::pep440_rs::Operator;
    environment
        .requirements
        .iter()
        .map(|&id| &manifest.requirements[id])
        .filter(|requirement| {
            requirement.role != nplint_manifest::Role::Override
                && matches!(
                    crate::Knowledge::of(index, requirement),
                    crate::Knowledge::Unrelated | crate::Knowledge::Unknown
                )
                && requirement.specifiers.iter().any(|specifier| {
                    matches!(
                        specifier.operator(),
                        Operator::Equal
                            | Operator::EqualStar
                            | Operator::ExactEqual
                            | Operator::TildeEqual
                            | Operator::LessThan
                            | Operator::LessThanEqual
                    )
                })
        })
        .filter_map(|requirement| {
            Some(format!(
                "{}{}",
                requirement.name.as_ref()?,
                requirement.specifiers
            ))
        })
        .fold(Vec::new(), |mut caps, cap| {
            if !caps.contains(&cap) {
                caps.push(cap);
            }
            caps
        })
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
    /// Those of them that pin a version the package index does not have (`nonexistent-release`): no installer
    /// takes the file as it stands, so every plan moves them. Sorted.
    must_move: Vec<usize>,
    /// The target on which the last [`Planner::feasible_on_all`] failed, tried first by the next: the same target
    /// (a Python without wheels of a release) tends to fail a search's candidates one after another.
    failed_last: Cell<Option<Target>>,
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

    /// The inputs with the requirements `free` names left free (any release the index holds).
    fn freed(&self, free: &[usize]) -> Vec<Input> {
        self.freed_as(free, true)
    }

    /// The inputs with the requirements `free` names left free: to any release the index holds, or, without
    /// `downgrades`, to any release at or above the oldest each admits now (a pin's release, a floor).
    fn freed_as(&self, free: &[usize], downgrades: bool) -> Vec<Input> {
        self.inputs
            .iter()
            .map(|input| {
                let mut input = input.clone();
                if free.contains(&input.id) {
                    input.specifiers = if downgrades || input.name == self.goal.name {
                        free_specifiers(self.index, &input.name)
                    } else {
                        upward(self.index, &input)
                    };
                }
                input
            })
            .collect()
    }

    /// The inputs with `choice` applied and the requirements `free` names left free.
    fn with(&self, choice: &Choice, free: &[usize], downgrades: bool) -> Vec<Input> {
        let mut inputs = self.freed_as(free, downgrades);
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

    /// Whether [`Planner::feasible`] holds on every one of `targets`. The answer does not depend on the order the
    /// targets are tried in; the target that failed last is tried first, so that a failing candidate costs one
    /// solve rather than one per target before it.
    fn feasible_on_all(&self, inputs: &[Input], targets: &[Target]) -> bool {
        let first = self
            .failed_last
            .get()
            .filter(|target| targets.contains(target));
        let rest = targets
            .iter()
            .copied()
            .filter(|&target| Some(target) != first);
        for target in first.into_iter().chain(rest) {
            if !self.feasible(inputs, target) {
                self.failed_last.set(Some(target));
                return false;
            }
        }
        true
    }

    /// Whether `inputs` install as a resolver picks them, and work, on `target`.
    fn works(&self, inputs: &[Input], target: Target) -> bool {
        runtime::resolves_and_works(self.index, self.solver(target), inputs)
    }

    /// The parts of a plan for `targets`, where some change to the file works on each: one plan for all when one
    /// exists, else one per platform, else one per target.
    fn plan_parts(&self, targets: &[Target], parts: &mut Vec<Part>) {
        if let Some((outcome, caveats)) = self.search(targets) {
            parts.push(Part {
                targets: targets.to_vec(),
                outcome,
                caveats,
            });
            return;
        }
        // One plan per Python (wheels come and go with Pythons), else one per target.
        let mut pythons: Vec<nplint_index::PythonVersion> =
            targets.iter().map(|target| target.python).collect();
        pythons.sort_unstable();
        pythons.dedup();
        let mut each: Vec<(Planned, Target)> = Vec::new();
        for python in pythons {
            let on: Vec<Target> = targets
                .iter()
                .copied()
                .filter(|target| target.python == python)
                .collect();
            match self.search(&on).filter(|_| on.len() > 1) {
                Some(planned) => each.extend(on.into_iter().map(|target| (planned.clone(), target))),
                None => each.extend(on.into_iter().map(|target| {
                    let planned = self.search(&[target]).unwrap_or_else(|| {
                        (
                            PartOutcome::Unplanned(
                                "nplint found no set of changes that works here, though the packages have \
                                 releases that could: change the requirements by hand, checking with `nplint check`"
                                    .to_owned(),
                            ),
                            Vec::new(),
                        )
                    });
                    (planned, target)
                })),
            }
        }
        parts.extend(
            group(each.into_iter())
                .into_iter()
                .map(|((outcome, caveats), targets)| Part {
                    targets,
                    outcome,
                    caveats,
                }),
        );
    }

    /// A set of requirements whose freeing works on every target, found greedily when the breadth-first search
    /// runs past its bounds: every requirement of each conflict met is freed until none is left, then each is
    /// held again where the rest still works (an irreducible set: no smaller subset of it works, though a smaller
    /// set elsewhere may).
    fn greedy(&self, targets: &[Target], downgrades: bool) -> Option<Vec<usize>> {
        let mut set: Vec<usize> = self.must_move.clone();
        loop {
            let freed = self.freed_as(&set, downgrades);
            let conflict = targets.iter().find_map(|&target| {
                match self.solver(target).solve_runtime(&freed) {
                    Outcome::Solved(_) => None,
                    Outcome::Conflict(conflict) => Some(conflict),
                }
            });
            let Some(conflict) = conflict else {
                break;
            };
            let before = set.len();
            let new: Vec<usize> = conflict
                .inputs
                .iter()
                .copied()
                .filter(|id| self.movable.contains(id) && !set.contains(id))
                .collect();
            set.extend(new);
            if set.len() == before {
                return None;
            }
        }
        set.sort_unstable();
        for id in set.clone().into_iter().rev() {
            if self.must_move.contains(&id) {
                continue;
            }
            let without: Vec<usize> = set.iter().copied().filter(|&other| other != id).collect();
            let freed = self.freed_as(&without, downgrades);
            if self.feasible_on_all(&freed, targets) {
                set = without;
            }
        }
        Some(set)
    }

    /// The plan for `targets`: breadth first over sets of freed requirements (see the module documentation).
    /// `None` when no set of at most [`DEPTH`] requirements serves every target.
    fn search(&self, targets: &[Target]) -> Option<Planned> {
        self.search_moves(targets, false)
            .or_else(|| self.search_moves(targets, true))
    }

    /// [`Planner::search`] with moves to older releases allowed or not: a plan that downgrades nothing is
    /// preferred to any that does, whatever its size.
    fn search_moves(&self, targets: &[Target], downgrades: bool) -> Option<Planned> {
        if self.must_move.is_empty()
            && targets
                .iter()
                .all(|&target| self.works(&self.inputs, target))
        {
            return Some((PartOutcome::Ready, Vec::new()));
        }
        let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
        let mut frontier: Vec<Vec<usize>> = vec![self.must_move.clone()];
        let mut tried = 0;
        for _ in 0..=DEPTH {
            let mut found: Vec<(Vec<Change>, Vec<String>)> = Vec::new();
            let mut next = Vec::new();
            for set in &frontier {
                tried += 1;
                if tried > SETS {
                    return self.greedy_plan(targets, downgrades);
                }
                let freed = self.freed_as(set, downgrades);
                let conflict = targets.iter().find_map(|&target| {
                    match self.solver(target).solve_runtime(&freed) {
                        Outcome::Solved(_) => None,
                        Outcome::Conflict(conflict) => Some(conflict),
                    }
                });
                match conflict {
                    None => {
                        if found.len() < REALIZED
                            && let Some(realized) = self.realize(set, targets, downgrades)
                        {
                            found.push(realized);
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
            if let Some(best) = found.into_iter().min_by_key(|(changes, _)| {
                (
                    changes.len(),
                    changes.iter().map(|c| c.distance).sum::<usize>(),
                )
            }) {
                return Some(planned(best));
            }
            if next.is_empty() {
                return None;
            }
            frontier = next;
        }
        self.greedy_plan(targets, downgrades)
    }

    /// The changes for [`Planner::greedy`]'s set.
    fn greedy_plan(&self, targets: &[Target], downgrades: bool) -> Option<Planned> {
        let set = self.greedy(targets, downgrades)?;
        self.realize(&set, targets, downgrades).map(planned)
    }

    /// Moves for the requirements of `set`, the nearest first, then the floors a resolver's picks need: the changes,
    /// verified on every target, or `None`.
    fn realize(
        &self,
        set: &[usize],
        targets: &[Target],
        downgrades: bool,
    ) -> Option<(Vec<Change>, Vec<String>)> {
        let mut choice = Choice::default();
        // The goal's own requirement first: the others move to fit it.
        let mut order: Vec<usize> = set.to_vec();
        order.sort_by_key(|&id| (self.input(id).name != self.goal.name, id));
        for (at, &id) in order.iter().enumerate() {
            let free = &order[at + 1..];
            let input = self.input(id);
            let shape = Shape::of(input, &self.goal.name);
            let candidates = shape.candidates(
                self.index,
                input,
                self.goal,
                targets,
                |name, version, target| {
                    input.conda || self.solver(target).installable(name, version)
                },
            );
            let works = |candidate: &Candidate| {
                let mut tried = choice.clone();
                tried.moved.insert(id, candidate.clone());
                let inputs = self.with(&tried, free, downgrades);
                self.feasible_on_all(&inputs, targets)
            };
            // Unchanged, then the moves up, then the moves down: the nearest that works in the first group that has
            // one.
            let (mut unchanged, rest): (Vec<&Candidate>, Vec<&Candidate>) =
                candidates.iter().partition(|candidate| candidate.unchanged);
            // A pin to a version that does not exist cannot stay: the solve leaves it out, so it would "work".
            if self.must_move.contains(&id) {
                unchanged.clear();
            }
            let (down, up): (Vec<&Candidate>, Vec<&Candidate>) = rest
                .into_iter()
                .partition(|candidate| candidate.kind == ChangeKind::Downgrade);
            let down = if downgrades { down } else { Vec::new() };
            let chosen = [unchanged, up, down]
                .iter()
                .find_map(|group| nearest(group, |candidate| works(candidate)));
            let chosen = chosen?.clone();
            if !chosen.unchanged {
                choice.moved.insert(id, chosen);
            }
        }
        let caveats = self.settle(&mut choice, targets)?;
        Some((self.changes(&choice, targets), caveats))
    }

    /// Raises the floor of each release a resolver picks that breaks, until the choice works as resolved on every
    /// target. A release that breaks only when one of its functions is called (an advisory fact), and that no
    /// newer release mends, is accepted and returned as a caveat: no plan can do better. `None` when a release that
    /// breaks at import cannot be moved past.
    fn settle(&self, choice: &mut Choice, targets: &[Target]) -> Option<Vec<String>> {
        /// Floors raised at most: each round mends one package.
        const ROUNDS: usize = 8;
        let mut accepted: BTreeSet<PackageName> = BTreeSet::new();
        for _ in 0..ROUNDS {
            let inputs = self.with(choice, &[], true);
            let mut first = None;
            for &target in targets {
                if let Some(broken) = self
                    .resolver_breaks(&inputs, target, &accepted)?
                    .into_iter()
                    .next()
                {
                    first = Some(broken);
                    break;
                }
            }
            let Some(first) = first else {
                return Some(self.caveats(&inputs, targets));
            };
            match self.raise(choice, &first, targets, &accepted) {
                Some(raised) => *choice = raised,
                None if first.fact.is_advisory() => {
                    accepted.insert(first.package.clone());
                }
                None => return None,
            }
        }
        None
    }

    /// What a resolver picks for `inputs` on `target` that breaks: releases that fail at import first, then those
    /// whose functions use a removed name, less the packages `accepted`. `None` when the declared solve fails
    /// (runtime solves found versions that work, so a declared solve does not fail where they do not).
    fn resolver_breaks(
        &self,
        inputs: &[Input],
        target: Target,
        accepted: &BTreeSet<PackageName>,
    ) -> Option<Vec<runtime::Broken>> {
        let solver = self.solver(target);
        let Outcome::Solved(solution) = solver.solve(inputs) else {
            return None;
        };
        let mut broken = runtime::broken(solver, inputs, &solution);
        broken.extend(
            runtime::advisory_broken(self.index, solver, &solution)
                .into_iter()
                .filter(|broken| !accepted.contains(&broken.package)),
        );
        Some(broken)
    }

    /// `choice` with a floor past `first`'s release, on the file's requirement on its package or on one added: the
    /// oldest newer release after which a resolver picks no breaking release of it on any target.
    fn raise(
        &self,
        choice: &Choice,
        first: &runtime::Broken,
        targets: &[Target],
        accepted: &BTreeSet<PackageName>,
    ) -> Option<Choice> {
        let package = self.index.package(&first.package)?;
        let direct = self.movable.iter().copied().find(|&id| {
            self.input(id).name == first.package && self.input(id).role == Role::Requirement
        });
        let because = format!(
            "`{}=={}`, which a resolver picks with the other changes, {}",
            first.package, first.version, first.fact.predicate
        );
        let newer = package.releases().iter().filter(|release| {
            release.version() > &first.version && !release.is_prerelease() && !release.is_yanked()
        });
        let current = self.with(choice, &[], true);
        // A release that itself breaks is no floor, though a resolver may pick a newer one above it.
        let works_itself = |version: &Version| {
            let Ok(pin) = format!("=={version}").parse::<VersionSpecifiers>() else {
                return false;
            };
            let mut inputs = current.clone();
            match direct {
                Some(id) => {
                    for input in &mut inputs {
                        if input.id == id {
                            input.specifiers = pin.clone();
                        }
                    }
                }
                None => inputs.push(Input::requirement(usize::MAX, first.package.clone(), pin)),
            }
            targets.iter().all(|&target| {
                self.resolver_breaks(&inputs, target, accepted)
                    .is_some_and(|broken| {
                        !broken.iter().any(|broken| broken.package == first.package)
                    })
            })
        };
        for release in newer.take(60) {
            if !works_itself(release.version()) {
                continue;
            }
            let mut tried = choice.clone();
            match direct {
                Some(id) => {
                    let input = self.input(id);
                    // Already moved: why it moved stands, and this adds why it moves further.
                    let candidate = if let Some(existing) = tried.moved.get(&id) {
                        let mut raised = existing.with_floor(release.version());
                        if raised.then.is_none() {
                            raised.then = Some(format!(
                                "`{}=={}`, the release it moved to, {}",
                                first.package, first.version, first.fact.predicate
                            ));
                        }
                        raised
                    } else {
                        let mut raised = Candidate::floor(
                            &input.specifiers,
                            release.version(),
                            ChangeKind::RaiseFloor,
                        );
                        raised.because = Some(because.clone());
                        raised
                    };
                    tried.moved.insert(id, candidate);
                }
                None => tried.added.push((
                    first.package.clone(),
                    release.version().clone(),
                    because.clone(),
                )),
            }
            let inputs = self.with(&tried, &[], true);
            let mended = targets.iter().all(|&target| {
                self.resolver_breaks(&inputs, target, accepted)
                    .is_some_and(|broken| {
                        !broken.iter().any(|broken| broken.package == first.package)
                    })
            });
            if mended {
                return Some(tried);
            }
        }
        None
    }

    /// The advisory breakage left in the planned environment: each release that uses a removed name in a function,
    /// once.
    fn caveats(&self, inputs: &[Input], targets: &[Target]) -> Vec<String> {
        let mut caveats = Vec::new();
        for &target in targets {
            let solver = self.solver(target);
            if let Outcome::Solved(solution) = solver.solve(inputs) {
                for broken in runtime::advisory_broken(self.index, solver, &solution) {
                    let caveat = format!(
                        "`{}=={}` {}",
                        broken.package, broken.version, broken.fact.predicate
                    );
                    if !caveats.contains(&caveat) {
                        caveats.push(caveat);
                    }
                }
            }
        }
        caveats
    }

    /// The choice as changes to the file, with their reasons and edits.
    fn changes(&self, choice: &Choice, targets: &[Target]) -> Vec<Change> {
        let target = targets[0];
        // What the environment resolves to as it stands, and with the changes.
        let before = self.solver(target).solve(&self.original);
        let before = before.as_solution();
        let after_inputs = self.with(choice, &[], true);
        let after = self.solver(target).solve(&after_inputs);
        let after = after.as_solution();
        let mut changes = Vec::new();
        for (&id, candidate) in &choice.moved {
            let input = self.input(id);
            let requirement = &self.manifest.requirements[id];
            // The release the requirement gives now: the resolver's pick, else its pin, else the newest it admits
            // that installs here (the environment may not install at all as it stands).
            let newest_allowed = self.index.package(&input.name).and_then(|package| {
                package
                    .releases()
                    .iter()
                    .rev()
                    .map(nplint_index::Release::version)
                    .find(|version| {
                        input.specifiers.contains(version)
                            && (input.conda
                                || self.solver(target).installable(&input.name, version))
                    })
            });
            let was = before
                .and_then(|solution| solution.versions.get(&input.name))
                .or_else(|| input_pin(&self.original, id))
                .or(newest_allowed);
            let now = after.and_then(|solution| solution.versions.get(&input.name));
            let because = candidate
                .because
                .clone()
                .or_else(|| self.moved_with(choice, id, was?, after?, target))
                .unwrap_or_else(|| {
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
            let because = match &candidate.then {
                Some(then) => format!("{because}; then {then}"),
                None => because,
            };
            let edit = moves::edit(requirement, &candidate.specifiers);
            let after_text = edit
                .as_ref()
                .and_then(|edit| moves::spliced(requirement, edit))
                .unwrap_or_else(|| {
                    format!(
                        "{}{}",
                        input.name,
                        moves::written(&candidate.specifiers, requirement)
                    )
                });
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
                edit,
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

    /// Why requirement `id` moves along with another of the plan: its release `was` requires a version of another
    /// moved package that the plan leaves behind ("`torchvision==0.16.0` requires `torch==2.1.0`, and the plan moves
    /// `torch` to 2.6.0").
    fn moved_with(
        &self,
        choice: &Choice,
        id: usize,
        was: &Version,
        after: &nplint_solver::Solution,
        target: Target,
    ) -> Option<String> {
        let name = &self.input(id).name;
        let release = self.index.package(name)?.release(was)?;
        // The goal's own requirement is not one of these: what a release requires of the goal's package is said
        // as such.
        choice
            .moved
            .keys()
            .filter(|&&other| other != id && self.input(other).name != self.goal.name)
            .find_map(|&other| {
            let other = &self.input(other).name;
            let now = after.versions.get(other)?;
            let required = release.requirement_on(other, target, &[])?;
            (!required.contains(now)).then(|| {
                format!("`{name}=={was}` requires `{other}{required}`, and the plan moves `{other}` to {now}")
            })
        })
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

/// Candidates tried one by one at most when galloping finds none.
const LINEAR: usize = 80;

/// The nearest of `candidates` (nearest first) for which `works` holds, found by galloping outwards and then
/// bisecting back, as if what works were a suffix of the list: past the release where a package first supports the
/// goal, later ones do too. A few solves for a package with hundreds of releases; `None` when none of the points
/// tried works.
fn nearest<'a>(
    candidates: &[&'a Candidate],
    works: impl Fn(&Candidate) -> bool,
) -> Option<&'a Candidate> {
    let last = candidates.len().checked_sub(1)?;
    if works(candidates[0]) {
        return Some(candidates[0]);
    }
    // The last point known to fail, and the first known to work.
    let mut failed = 0;
    let mut step = 1;
    let mut found = None;
    while found.is_none() {
        let at = (failed + step).min(last);
        if works(candidates[at]) {
            found = Some(at);
        } else if at == last {
            // What works is no suffix (a range between caps, such as NumPy 2.2 alone): the nearest, one by one.
            return candidates
                .iter()
                .take(LINEAR)
                .find(|candidate| works(candidate))
                .copied();
        } else {
            failed = at;
            step *= 2;
        }
    }
    let mut good = found?;
    while good - failed > 1 {
        let middle = failed + (good - failed) / 2;
        if works(candidates[middle]) {
            good = middle;
        } else {
            failed = middle;
        }
    }
    Some(candidates[good])
}

/// Specifiers that leave a requirement free among the releases the index holds: `>=` its oldest. With none, the
/// solve would leave the requirement out as one that an older release, outside the index's history, might serve.
fn free_specifiers(index: &Index, name: &PackageName) -> VersionSpecifiers {
    index
        .package(name)
        .and_then(|package| package.releases().first())
        .and_then(|oldest| format!(">={}", oldest.version()).parse().ok())
        .unwrap_or_else(VersionSpecifiers::empty)
}

/// Specifiers that free a requirement upwards only: at or above the oldest release it admits now (`==1.2.3` and
/// `>=1.2,<2` become `>=1.2.3` and `>=1.2`); free among the index's releases when it admits none of them.
fn upward(index: &Index, input: &Input) -> VersionSpecifiers {
    let oldest = index.package(&input.name).and_then(|package| {
        package
            .releases()
            .iter()
            .map(nplint_index::Release::version)
            .find(|version| input.specifiers.contains(version))
    });
    oldest
        .and_then(|oldest| format!(">={oldest}").parse().ok())
        .unwrap_or_else(|| free_specifiers(index, &input.name))
}

/// A part's outcome with its caveats.
type Planned = (PartOutcome, Vec<String>);

/// Changes with their caveats as an outcome: none to make is [`PartOutcome::Ready`].
fn planned((changes, caveats): (Vec<Change>, Vec<String>)) -> Planned {
    if changes.is_empty() {
        (PartOutcome::Ready, caveats)
    } else {
        (PartOutcome::Changes(changes), caveats)
    }
}

/// The version an input pins, if it does.
fn input_pin(inputs: &[Input], id: usize) -> Option<&Version> {
    inputs.iter().find(|input| input.id == id)?.pin()
}

/// Whether `environment` of `manifest`, with the requirements `freed` names left free and the goal added, has some
/// choice of versions that works at runtime on `target`: what no change to the other requirements can give when it
/// has none. Freed requirements move to any release the index holds, or, without `downgrades`, only to releases at
/// or above the oldest they admit now. The measure of a plan's minimality.
pub fn feasible_with_freed(
    resolver: &Resolver,
    manifest: &Manifest,
    environment: &Environment,
    goal: &Goal,
    freed: &[usize],
    downgrades: bool,
    target: Target,
) -> bool {
    let mut inputs = environment_inputs(manifest, &environment.requirements);
    for input in &mut inputs {
        if freed.contains(&input.id) {
            input.specifiers = if downgrades || input.name == goal.name {
                free_specifiers(resolver.index(), &input.name)
            } else {
                upward(resolver.index(), input)
            };
        }
    }
    inputs.push(Input::requirement(
        GOAL,
        goal.name.clone(),
        goal.specifiers.clone(),
    ));
    resolver.solver(target).solve_runtime(&inputs).is_solved()
}

/// What installing `environment` of `manifest` with the goal added gives on `target`, as a resolver picks it: what
/// a plan must make true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalCheck {
    /// It does not install.
    Fails,
    /// It installs, and a release fails at import.
    Breaks,
    /// It installs and imports; these releases fail when some of their functions are called.
    Works { caveats: Vec<String> },
}

/// [`GoalCheck`] of `environment` on `target`.
pub fn check_goal(
    resolver: &Resolver,
    manifest: &Manifest,
    environment: &Environment,
    goal: &Goal,
    target: Target,
) -> GoalCheck {
    let mut inputs = environment_inputs(manifest, &environment.requirements);
    inputs.push(Input::requirement(
        GOAL,
        goal.name.clone(),
        goal.specifiers.clone(),
    ));
    let solver = resolver.solver(target);
    let Outcome::Solved(solution) = solver.solve(&inputs) else {
        return GoalCheck::Fails;
    };
    if !runtime::broken(solver, &inputs, &solution).is_empty() {
        return GoalCheck::Breaks;
    }
    GoalCheck::Works {
        caveats: runtime::advisory_broken(resolver.index(), solver, &solution)
            .into_iter()
            .map(|broken| {
                format!(
                    "`{}=={}` {}",
                    broken.package, broken.version, broken.fact.predicate
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
