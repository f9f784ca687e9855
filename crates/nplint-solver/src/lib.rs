//! Resolution over the index with `pubgrub`: whether an environment's requirements can be installed together on
//! a target (CPython version x platform), and if not, the derivation that explains why, as data.
//!
//! # The model
//!
//! The caller hands a list of [`Input`]s (requirements, constraints and overrides, each with the caller's `id`
//! for labels) and a [`Target`]; [`Solver::solve`] returns an [`Outcome`]. Inputs whose marker does not hold on
//! the target (evaluated with no extra active) are not part of the solve.
//!
//! - **Universe.** Every indexed package; `python`, a virtual package whose single version is the target's CPython
//!   minor (see [`python`] for how `Requires-Python` becomes a range of it); `name[extra]`, a
//!   virtual package depending on `name` at the same version plus what the extra adds. An input named `python`
//!   that the index does not know is a requirement on the virtual `python`.
//! - **Installability**, per release and target. A `binary` release is installable only through a wheel for the
//!   target's Python and platform; `pure` and `sdist-only` releases wherever `Requires-Python` admits (building a
//!   compiled sdist is not modelled). Releases that cannot be installed, or whose `Requires-Python` excludes the
//!   target's Python, are passed over when a version is chosen; a range left with none is one step of the
//!   derivation, explained from the index: "numpy==1.19.5 has wheels for CPython 3.6-3.9 only on
//!   linux-x86_64", "numpy>=2.1 depends on python>=3.10 (the target Python version is 3.9)". A yanked release that no
//!   input pins is rejected with its reason ([`Unavailable`]). A release whose metadata could not be read has
//!   unknown dependencies: it is taken to have none, and listed in the outcome (`metadata_unknown`).
//! - **Yanked** releases count only when an input pins them exactly (`==X`, `===X`).
//! - **Pre-releases** are chosen for a package when an input's specifier on it names a pre-release (PEP 440's
//!   default), when no final release fits a range that was itself written with a pre-release (a dependency on
//!   `keras-nightly~=2.5.0.dev0`), or when the package has nothing but pre-releases.
//! - **Unknown packages** (not in the index) are left out of the solve; the outcome lists the ids of the inputs
//!   naming them, so the caller can report coverage ("checked 12 of 14 requirements").
//! - **Constraints** narrow every dependency on their package (the root's and every release's) without adding
//!   one; **overrides** replace every requirement on their package, the root's and every release's. Several of
//!   either on one package are intersected. An override's or a constraint's extras are ignored.
//! - Among the allowed versions, the newest is chosen.
//!
//! # Speed
//!
//! A [`Solver`] keeps, for its target, each release's facts once computed (wheel check, `python` range,
//! dependencies as ranges), in a slot per indexed release read without a lock: solving several environments on one
//! target, from any thread, reuses them. The root depends on `python` so that `python` is decided first and a
//! release whose `Requires-Python` excludes the target is rejected without backjumping (this alone halved the time
//! below); ranges bounded above are decided before open-ended ones; and `choose_version` finds the newest candidate
//! segment by segment from the top, each searched for from where the one above began (a range pubgrub narrowed
//! release by release has a segment per release excluded). Measured with `cargo bench -p nplint-solver`
//! (`benches/solve.rs`: `tensorflow==2.5.0`, `gensim==4.0.1`, `pandas`), medians on the 2-core development
//! machine, index warm: one target (CPython 3.8, linux-x86_64) 0.14 ms with a reused solver, 0.17 ms with a fresh
//! one; the 18 default targets (3.8-3.13 x 3 platforms) 0.38 ms reused, 0.47 ms fresh. Most of the one-target time
//! is pubgrub stepping down through releases one at a time (31 of pandas, 23 of scipy, 14 of tensorboard on 3.8),
//! each rejected by its cached facts.
//!
//! Most of a solve is pubgrub's own bookkeeping, not the provider's answers. [`Solver::solve_recorded`] keeps the
//! questions and answers of a solve, and [`Solver::replay`] asks another target's provider the same: when every
//! answer agrees, the outcome is the same without running pubgrub ([`Transcript`] says why). On the
//! 10,000-file benchmark tree two thirds of the targets take a neighbour's outcome this way.

mod cause;
pub mod explain;
mod outcome;
mod package;
mod provider;
pub mod python;
mod replay;
mod targets;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::str::FromStr;
use std::sync::Arc;

use nplint_index::Index;
pub use nplint_index::{Platform, PythonVersion, Target};
use pep440_rs::{Operator, Version, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerEnvironment, MarkerTree, PackageName};
use pubgrub::PubGrubError;
pub use version_ranges::Ranges;

pub use crate::cause::{Cause, ConflictKey};
pub use crate::explain::{Voice, explain, explain_with};
use crate::outcome::Derivation;
pub use crate::outcome::{Conflict, Outcome, Solution, Unavailable};
pub use crate::package::{CondaPatchNode, RuntimeNode, SolverPackage};
use crate::provider::{Cache, Provider, Range, push_dependency};
use crate::replay::Recorder;
pub use crate::replay::Transcript;
pub use crate::targets::Solvers;

/// What an input asks of its package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Install the package, in this range.
    Requirement,
    /// Whenever the package is installed, keep it in this range (`-c` files, `tool.uv.constraint-dependencies`).
    Constraint,
    /// Replace every requirement on the package with this one (`tool.uv.override-dependencies`).
    Override,
}

/// One requirement, constraint or override of an environment, independent of the file it came from.
#[derive(Debug, Clone)]
pub struct Input {
    /// The caller's handle, returned in outcomes to name the inputs involved.
    pub id: usize,
    pub name: PackageName,
    pub specifiers: VersionSpecifiers,
    pub extras: Vec<ExtraName>,
    /// Evaluated on the target with no extra active.
    pub marker: MarkerTree,
    pub role: Role,
    /// The package is installed from a conda channel (an environment.yml's conda dependency, a conda lockfile's
    /// pin), not from PyPI's wheels: conda builds packages per platform and Python with their own NumPy pins. The
    /// index's wheels then decide neither whether the package installs nor, through ABI facts, whether it works;
    /// its PyPI metadata (`Requires-Python`, `Requires-Dist`) still stands for the conda package's, and its other
    /// runtime facts (removed NumPy names in its Python code, curated pitfalls) still apply. The NumPy bounds that
    /// conda-forge's repodata patches add ([`nplint_index::conda`]) apply to its releases.
    pub conda: bool,
}

impl Input {
    /// A requirement without extras or marker.
    pub fn requirement(id: usize, name: PackageName, specifiers: VersionSpecifiers) -> Self {
        Self {
            id,
            name,
            specifiers,
            extras: Vec::new(),
            marker: MarkerTree::TRUE,
            role: Role::Requirement,
            conda: false,
        }
    }

    /// The version a requirement pins with a single `==` (not a wildcard) or `===`, as `tensorflow==2.5.0`.
    pub fn pin(&self) -> Option<&Version> {
        let mut specifiers = self.specifiers.iter();
        let specifier = specifiers.next()?;
        (specifiers.next().is_none()
            && self.role == Role::Requirement
            && matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual))
        .then(|| specifier.version())
    }
}

/// Which facts a solve takes into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Declared metadata only (`Requires-Python`, `Requires-Dist`, wheels): what pip and uv see.
    Declared,
    /// Declared metadata plus every release's runtime facts ([`nplint_index::runtime`]): each release depends on
    /// `numpy` in the range it works with once installed.
    Runtime,
}

/// Solves environments on one target, keeping what it learns about releases for the next solve.
///
/// `Sync`: threads may share one; its caches are filled without a lock on the common path.
#[derive(Debug)]
pub struct Solver {
    index: &'static Index,
    target: Target,
    cache: Cache,
    /// `numpy`, when the index has it.
    numpy: Option<PackageName>,
}

impl Solver {
    /// A solver over `index` (the embedded one, [`Index::embedded`], is the caller's to pass: nothing below the
    /// command line picks an index).
    pub fn new(index: &'static Index, target: Target) -> Self {
        Self {
            index,
            target,
            cache: Cache::new(index),
            numpy: PackageName::from_str("numpy")
                .ok()
                .filter(|numpy| index.package(numpy).is_some()),
        }
    }

    /// The index the solver reads.
    pub fn index(&self) -> &'static Index {
        self.index
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// Whether `inputs` can be installed together on the target, by declared metadata ([`Mode::Declared`]).
    pub fn solve(&self, inputs: &[Input]) -> Outcome {
        self.solve_with(inputs, Mode::Declared)
    }

    /// Whether `inputs` can be installed together on the target and then work, with runtime facts
    /// ([`Mode::Runtime`]).
    pub fn solve_runtime(&self, inputs: &[Input]) -> Outcome {
        self.solve_with(inputs, Mode::Runtime)
    }

    /// Whether a release can be installed on the target at all: it has a wheel for it (or needs none) and its
    /// `Requires-Python` admits the target's Python. A solve that pins a release that cannot is sure to fail.
    pub fn installable(&self, name: &PackageName, version: &Version) -> bool {
        let Some(package) = self.index.package(name) else {
            return false;
        };
        let Some(release) = package.release(version) else {
            return false;
        };
        let python = self.target.python.version();
        let admits_python = release
            .requires_python(self.target.platform)
            .and_then(|raw| Some(python::cached_python_range(raw.raw(), raw.value()?)))
            .is_none_or(|range| range.contains(&python));
        admits_python && provider::unavailable(package, release, self.target).is_none()
    }

    /// The runtime facts of a release on this solver's target (see [`nplint_index::runtime`]), derived once and
    /// kept with the solver's other per-release facts.
    pub fn runtime_facts(&self, name: &PackageName, version: &Version) -> Arc<[Arc<RuntimeNode>]> {
        self.cache
            .runtime_nodes(self.index, self.target, name, version)
    }

    /// Solves `inputs` on the target in `mode`.
    pub fn solve_with(&self, inputs: &[Input], mode: Mode) -> Outcome {
        let (provider, applicable, unknown) = self.prepare(inputs, mode);
        let end = match pubgrub::resolve(&provider, SolverPackage::Root, Version::new([0])) {
            Ok(selected) => End::Solved(selected_versions(selected)),
            Err(error) => End::Conflict(no_solution(error)),
        };
        self.finish(provider, &applicable, unknown, end)
    }

    /// [`Solver::solve_with`], recording what the solve asked of the index, so that other targets can try to
    /// reuse the outcome ([`Solver::replay`]).
    pub fn solve_recorded(&self, inputs: &[Input], mode: Mode) -> (Outcome, Transcript) {
        let (provider, applicable, unknown) = self.prepare(inputs, mode);
        let recorder = Recorder::new(&provider);
        let end = match pubgrub::resolve(&recorder, SolverPackage::Root, Version::new([0])) {
            Ok(selected) => End::Solved(selected_versions(selected)),
            Err(error) => End::Conflict(no_solution(error)),
        };
        let transcript = recorder.transcript();
        (self.finish(provider, &applicable, unknown, end), transcript)
    }

    /// The outcome of solving `inputs` in `mode` on this solver's target, when it is the outcome `recorded` on
    /// another target: when this target's facts answer every question of that solve's `transcript` alike
    /// ([`Transcript`] says why that is enough). `None` when they do not, and the inputs must be solved here.
    pub fn replay(
        &self,
        inputs: &[Input],
        mode: Mode,
        transcript: &Transcript,
        recorded: &Outcome,
    ) -> Option<Outcome> {
        let (provider, applicable, unknown) = self.prepare(inputs, mode);
        if !transcript.agrees(&provider) {
            return None;
        }
        let end = match recorded {
            Outcome::Solved(solution) => End::Solved(solution.versions.clone()),
            Outcome::Conflict(conflict) => End::Conflict(conflict.derivation.clone()),
        };
        Some(self.finish(provider, &applicable, unknown, end))
    }

    /// The provider of a solve of `inputs` in `mode`, the inputs that apply on the target and are indexed (or
    /// name `python`), and the ids of those the index does not know.
    fn prepare<'i>(
        &self,
        inputs: &'i [Input],
        mode: Mode,
    ) -> (Provider<'_>, Vec<&'i Input>, Vec<usize>) {
        let markers = self.target.marker_environment();
        let mut unknown = Vec::new();
        let mut applicable: Vec<&Input> = Vec::new();
        for input in inputs {
            // Most inputs have no marker: no need to evaluate one.
            if !input.marker.is_true() && !input.marker.evaluate(&markers, &[]) {
                continue;
            }
            // A package the index does not hold, and a requirement its releases cannot judge (only releases older
            // than its history or newer than its snapshot, a version that does not exist: see `Package::coverage`),
            // are left out.
            let left_out = match self.index.package(&input.name) {
                None => !is_python(&input.name),
                Some(package) => {
                    self.index.coverage(package, &input.specifiers)
                        != nplint_index::Coverage::Indexed
                }
            };
            if left_out {
                unknown.push(input.id);
                continue;
            }
            applicable.push(input);
        }
        let mut provider = self.provider(markers, &applicable);
        provider.runtime = mode == Mode::Runtime;
        provider.conda = applicable
            .iter()
            .filter(|input| input.conda)
            .map(|input| input.name.clone())
            .collect();
        (provider, applicable, unknown)
    }

    /// The outcome of a solve that ended in `end`.
    fn finish(
        &self,
        provider: Provider<'_>,
        applicable: &[&Input],
        unknown: Vec<usize>,
        end: End,
    ) -> Outcome {
        match end {
            End::Solved(versions) => {
                let metadata_unknown = provider
                    .metadata_unknown
                    .into_inner()
                    .into_iter()
                    .filter(|(name, version)| versions.get(name) == Some(version))
                    .collect();
                Outcome::Solved(Solution {
                    versions,
                    unknown,
                    metadata_unknown,
                })
            }
            End::Conflict(derivation) => {
                let packages = derivation.packages();
                let takes_part = |name: &PackageName| {
                    packages.iter().any(|package| match package {
                        SolverPackage::Python => is_python(name),
                        other => other.name() == Some(name),
                    })
                };
                let inputs = applicable
                    .iter()
                    .filter(|input| takes_part(&input.name))
                    .map(|input| input.id)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let metadata_unknown = provider
                    .metadata_unknown
                    .into_inner()
                    .into_iter()
                    .filter(|(name, _)| takes_part(name))
                    .collect();
                let conda = provider
                    .conda
                    .iter()
                    .filter(|name| takes_part(name))
                    .cloned()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                Outcome::Conflict(Box::new(Conflict {
                    index: self.index,
                    target: self.target,
                    derivation,
                    inputs,
                    unknown,
                    metadata_unknown,
                    conda,
                }))
            }
        }
    }

    /// The provider of one solve: what the applicable inputs say, over this solver's caches.
    fn provider(&self, markers: MarkerEnvironment, applicable: &[&Input]) -> Provider<'_> {
        let mut provider = Provider {
            index: self.index,
            target: self.target,
            python: self.target.python.version(),
            markers,
            cache: &self.cache,
            root: Vec::new(),
            overrides: FxHashMap::default(),
            constraints: FxHashMap::default(),
            prereleases: FxHashSet::default(),
            pinned: FxHashSet::default(),
            metadata_unknown: RefCell::new(BTreeSet::new()),
            runtime: false,
            conda: FxHashSet::default(),
            numpy: self.numpy.clone(),
            last_choice: Cell::new(None),
        };
        // The root depends on `python` (any version) so that `python` is decided first: a release whose
        // `Requires-Python` excludes the target then contradicts a decision already made and is rejected on the
        // spot, where otherwise pubgrub would decide it, find `python` without versions and backjump over every
        // decision made since the root. An input on `python` (only `python` is applicable without being indexed,
        // see `solve`), whatever its role, narrows that dependency.
        let mut python = Range::full();
        // The applicable inputs are indexed, except one on an unindexed `python` (see `prepare`).
        let unindexed =
            |input: &Input| is_python(&input.name) && self.index.package(&input.name).is_none();
        for input in applicable {
            if unindexed(input) {
                python = python.intersection(&python::python_range(&input.specifiers));
                continue;
            }
            if input
                .specifiers
                .iter()
                .any(|specifier| specifier.version().any_prerelease())
            {
                provider.prereleases.insert(input.name.clone());
            }
            for specifier in input.specifiers.iter() {
                if matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual) {
                    provider
                        .pinned
                        .insert((input.name.clone(), specifier.version().clone()));
                }
            }
            let range = Range::from(input.specifiers.clone());
            let map = match input.role {
                Role::Requirement => continue,
                Role::Constraint => &mut provider.constraints,
                Role::Override => &mut provider.overrides,
            };
            map.entry(input.name.clone())
                .and_modify(|known| *known = known.intersection(&range))
                .or_insert(range);
        }
        let mut root = vec![(SolverPackage::Python, python)];
        for input in applicable
            .iter()
            .filter(|input| input.role == Role::Requirement && !unindexed(input))
        {
            let range = provider.edge_range(&input.name, Range::from(input.specifiers.clone()));
            push_dependency(&mut root, &input.name, &input.extras, &range);
        }
        provider.root = root;
        provider
    }
}

/// How a solve ended: the versions selected, or why there are none.
enum End {
    Solved(BTreeMap<PackageName, Version>),
    Conflict(Derivation),
}

/// The indexed packages' versions among those pubgrub selected.
fn selected_versions(
    selected: pubgrub::SelectedDependencies<SolverPackage, Version>,
) -> BTreeMap<PackageName, Version> {
    selected
        .into_iter()
        .filter_map(|(package, version)| match package {
            SolverPackage::Package(name) => Some((name, version)),
            _ => None,
        })
        .collect()
}

/// The derivation of a solve that found no solution; the provider never fails.
fn no_solution<
    DP: pubgrub::DependencyProvider<
            P = SolverPackage,
            VS = Range,
            M = Unavailable,
            Err = std::convert::Infallible,
        >,
>(
    error: PubGrubError<DP>,
) -> Derivation {
    match error {
        PubGrubError::NoSolution(derivation) => derivation,
        PubGrubError::ErrorRetrievingDependencies { source, .. }
        | PubGrubError::ErrorChoosingVersion { source, .. }
        | PubGrubError::ErrorInShouldCancel(source) => match source {},
    }
}

/// Solves `inputs` on `target` over `index`, with a fresh [`Solver`].
pub fn solve(index: &'static Index, inputs: &[Input], target: Target) -> Outcome {
    Solver::new(index, target).solve(inputs)
}

/// Whether `name` is `python`: a requirement on it is a requirement on the target's Python, unless the index
/// knows a package of that name.
fn is_python(name: &PackageName) -> bool {
    name.as_ref() == "python"
}
