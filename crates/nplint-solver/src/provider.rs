//! The `pubgrub` dependency provider over the index, and the per-target caches that make a solve cheap.
//!
//! Per target, each release's facts (whether a wheel exists, its `Requires-Python` as a `python` range, its
//! dependencies as ranges, per extra) are computed once and kept in the [`crate::Solver`], so that solving many
//! environments on one target converts each release's metadata once. What depends on the inputs (overrides,
//! constraints, which yanked releases are pinned, which packages may use pre-releases) is applied on top, per
//! solve.

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::ops::Deref;

use rustc_hash::{FxHashMap, FxHashSet};
use std::convert::Infallible;
use std::ops::Bound;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use nplint_index::{Index, MetadataSource, Package, Release, ReleaseKind, Target};
use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerEnvironment, PackageName, VersionOrUrl};
use pubgrub::{
    Dependencies, DependencyConstraints, DependencyProvider, PackageResolutionStatistics,
};
use version_ranges::Ranges;

use crate::outcome::Unavailable;
use crate::package::{CondaPatchNode, RuntimeNode, SolverPackage};
use crate::python::cached_python_range;

/// A range of versions of one package.
pub(crate) type Range = Ranges<Version>;

/// One dependency of a release, before the solve's overrides and constraints apply. A release has one per package
/// it names (its entries are merged).
#[derive(Debug, Clone)]
pub(crate) struct Dependency {
    pub name: PackageName,
    /// Distinct.
    pub extras: Vec<ExtraName>,
    pub range: Range,
}

/// What a release is on one target, independent of the inputs.
#[derive(Debug)]
pub(crate) enum Facts {
    /// No wheel for the target.
    Unavailable(Unavailable),
    /// `Requires-Python` excludes the target's Python: the release depends on `python` in this range.
    RequiresPython(Range),
    /// Installable, with these dependencies (with the extra of the key active, only what the extra adds).
    Dependencies {
        dependencies: Vec<Dependency>,
        metadata_unknown: bool,
    },
}

/// Per-target caches, kept across solves: for each indexed package (by [`Index::position`]), what is known of its
/// releases (by position in [`Package::releases`]).
///
/// A solve asks for the facts of a release hundreds of times (`choose_version` passes over uninstallable releases
/// on every call), so the common query, a release without extra, is a slot read with neither a lock nor a hashed
/// key; threads fill slots as they meet them.
#[derive(Debug)]
pub(crate) struct Cache {
    /// By chunk of [`CHUNK`] positions, allocated when a package in it is first met.
    packages: Box<[OnceLock<Chunk>]>,
}

/// The caches of [`CHUNK`] consecutive packages.
type Chunk = Box<[OnceLock<PackageCache>]>;

/// Releases per lazily allocated chunk of a [`PackageCache`].
const RELEASE_CHUNK: usize = 16;

impl PackageCache {
    fn release(&self, position: usize) -> &ReleaseCache {
        let chunk = self.releases[position / RELEASE_CHUNK].get_or_init(|| {
            (0..RELEASE_CHUNK)
                .map(|_| ReleaseCache::default())
                .collect()
        });
        &chunk[position % RELEASE_CHUNK]
    }
}

/// Packages per lazily allocated chunk of [`Cache`]. A solver is made per target (up to 30 for one file) and its
/// solves meet a few hundred of the index's thousands of packages: a slot per package made up front (72 bytes each,
/// 7,148 packages) cost a check more time than its solves.
const CHUNK: usize = 64;

#[derive(Debug)]
struct PackageCache {
    /// By release position, in chunks of [`RELEASE_CHUNK`] allocated when a release in them is first met: a lock
    /// pins one release of each package, and a slot for every release of each package met (hypothesis has 1,503),
    /// on every target, took zarr-python's `uv.lock` from 2,470 page faults to 3,390.
    releases: Box<[OnceLock<Box<[ReleaseCache]>>]>,
    /// The facts of `name[extra]` (what the extra adds), by extra, then by release position and whether the
    /// package is installed from conda. Rare enough for a lock.
    extras: Mutex<FxHashMap<ExtraName, Box<[ExtraFacts]>>>,
}

/// The facts of a release with an extra active: as the index's wheels say, and for a package installed from conda.
type ExtraFacts = [Option<Arc<Facts>>; 2];

#[derive(Debug, Default)]
struct ReleaseCache {
    /// Without extra: as the index's wheels say, and for a package installed from conda ([`crate::Input::conda`]).
    facts: [OnceLock<Facts>; 2],
    runtime: OnceLock<Arc<[Arc<RuntimeNode>]>>,
}

impl Cache {
    pub(crate) fn new(index: &Index) -> Self {
        Self {
            packages: (0..index.packages().len().div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The caches of the package at `position` in `index`.
    fn package(&self, index: &Index, position: usize) -> &PackageCache {
        let chunk = self.packages[position / CHUNK]
            .get_or_init(|| (0..CHUNK).map(|_| OnceLock::new()).collect());
        chunk[position % CHUNK].get_or_init(|| PackageCache {
            releases: (0..index.packages()[position]
                .releases()
                .len()
                .div_ceil(RELEASE_CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            extras: Mutex::default(),
        })
    }

    /// The runtime facts of a release on `target`, as solver packages: derived once per release, for the runtime
    /// solves and for the checks of a declared resolution alike.
    pub(crate) fn runtime_nodes(
        &self,
        index: &Index,
        target: Target,
        name: &PackageName,
        version: &Version,
    ) -> Arc<[Arc<RuntimeNode>]> {
        let Some(found) = Found::new(index, name, version) else {
            return Arc::default();
        };
        let nodes = self
            .package(index, found.position)
            .release(found.release_position)
            .runtime
            .get_or_init(|| {
                nplint_index::runtime::facts(index, found.package, found.release, Some(target))
                    .into_iter()
                    // An advisory fact (a removed name in a function body) warns; it never constrains resolution.
                    .filter(|fact| !fact.is_advisory())
                    .map(|fact| {
                        Arc::new(RuntimeNode {
                            package: name.clone(),
                            fact,
                        })
                    })
                    .collect()
            });
        Arc::clone(nodes)
    }
}

/// An indexed release, with its positions in the index.
#[derive(Debug, Clone, Copy)]
struct Found<'i> {
    position: usize,
    package: &'i Package,
    release_position: usize,
    release: &'i Release,
}

impl<'i> Found<'i> {
    fn new(index: &'i Index, name: &PackageName, version: &Version) -> Option<Self> {
        let position = index.position(name)?;
        let package = &index.packages()[position];
        let releases = package.releases();
        let release_position = releases
            .binary_search_by(|release| release.version().cmp(version))
            .ok()?;
        Some(Self {
            position,
            package,
            release_position,
            release: &releases[release_position],
        })
    }
}

/// Facts from the cache: borrowed from a release's slot, or shared with the lock-guarded table of extras.
enum CachedFacts<'a> {
    Slot(&'a Facts),
    Shared(Arc<Facts>),
}

impl Deref for CachedFacts<'_> {
    type Target = Facts;

    fn deref(&self) -> &Facts {
        match self {
            CachedFacts::Slot(facts) => facts,
            CachedFacts::Shared(facts) => facts,
        }
    }
}

/// Why `release` of `package` cannot be installed on `target` whatever else is required, `None` when it can (its
/// `Requires-Python` aside, which a solve treats as a dependency on `python`).
///
/// Pure releases install wherever `Requires-Python` admits. A source-only release does too, unless the package
/// ships binary wheels in other releases: then it is compiled, and building an old compiled release from source
/// practically never works (numba 0.30-0.34 have only sdists; a resolver that refuses to build them, as uv with
/// wheels required does, finds no numba<0.35 for CPython 3.12). A binary release needs a wheel for the target.
pub(crate) fn unavailable(
    package: &Package,
    release: &Release,
    target: Target,
) -> Option<Unavailable> {
    if release.kind() == ReleaseKind::SdistOnly
        // Compiled: some release has CPython-specific wheels on a tracked platform. (`binary` alone is not
        // enough: a pure package may have shipped one odd platform wheel.)
        && package.releases().iter().any(|other| {
            other.wheels().any(|(_, tags)| {
                tags.iter()
                    .any(|tag| !matches!(tag, nplint_index::WheelPython::Python3))
            })
        })
    {
        return Some(Unavailable::SourceOnly);
    }
    if release.kind() == ReleaseKind::Binary && !release.has_wheel(target.python, target.platform) {
        return Some(Unavailable::NoWheel {
            python: target.python,
            platform: target.platform,
            wheels: release.wheel_python_range(target.platform),
        });
    }
    None
}

/// The facts of one solve: the cache plus what the inputs say.
#[derive(Debug)]
pub(crate) struct Provider<'a> {
    pub index: &'static Index,
    pub target: Target,
    pub markers: MarkerEnvironment,
    pub python: Version,
    pub cache: &'a Cache,
    pub root: Vec<(SolverPackage, Range)>,
    pub overrides: FxHashMap<PackageName, Range>,
    pub constraints: FxHashMap<PackageName, Range>,
    /// Packages an input names a pre-release of.
    pub prereleases: FxHashSet<PackageName>,
    /// Releases an input pins exactly (`==X`, `===X`): the only yanked releases that count.
    pub pinned: FxHashSet<(PackageName, Version)>,
    /// Releases met whose metadata is unknown.
    pub metadata_unknown: RefCell<BTreeSet<(PackageName, Version)>>,
    /// Whether releases depend on their runtime facts ([`crate::Mode::Runtime`]).
    pub runtime: bool,
    /// Packages installed from conda ([`crate::Input::conda`]): the index's wheels do not decide whether they
    /// install, their ABI facts do not apply, and conda-forge's repodata patches bound their NumPy.
    pub conda: FxHashSet<PackageName>,
    /// `numpy`, when the index has it: what runtime facts constrain.
    pub numpy: Option<PackageName>,
    /// The release `choose` returned last (package and release positions): pubgrub asks for its dependencies next.
    pub last_choice: Cell<Option<(usize, usize)>>,
}

impl<'a> Provider<'a> {
    /// The range a dependency on `name` stands for in this solve: an override replaces it, a constraint narrows it.
    pub fn edge_range(&self, name: &PackageName, range: Range) -> Range {
        let range = self.overrides.get(name).cloned().unwrap_or(range);
        match self.constraints.get(name) {
            Some(constraint) => range.intersection(constraint),
            None => range,
        }
    }

    /// The facts of a release with `extra` active; `vetted`: whether it is installed from conda, whose builds, not
    /// the index's wheels, decide whether it installs.
    fn facts(&self, found: Found<'_>, extra: Option<&ExtraName>, vetted: bool) -> CachedFacts<'a> {
        let package = self.cache.package(self.index, found.position);
        let Some(extra) = extra else {
            return CachedFacts::Slot(
                package.release(found.release_position).facts[usize::from(vetted)]
                    .get_or_init(|| self.compute_facts(found, None, vetted)),
            );
        };
        let extras = || {
            package
                .extras
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(facts) = extras()
            .get(extra)
            .and_then(|slots| slots[found.release_position][usize::from(vetted)].as_ref())
        {
            return CachedFacts::Shared(Arc::clone(facts));
        }
        // Computed without the lock held: another thread computing the same facts meanwhile is harmless.
        let facts = Arc::new(self.compute_facts(found, Some(extra), vetted));
        extras().entry(extra.clone()).or_insert_with(|| {
            vec![[None, None]; found.package.releases().len()].into_boxed_slice()
        })[found.release_position][usize::from(vetted)] = Some(Arc::clone(&facts));
        CachedFacts::Shared(facts)
    }

    /// What a release needs on the target. `vetted`: it is installed from conda, so the index's wheels do not decide
    /// whether it installs (conda's builds do, which the index does not know: it is taken to install).
    fn compute_facts(&self, found: Found<'_>, extra: Option<&ExtraName>, vetted: bool) -> Facts {
        let release = found.release;
        let platform = self.target.platform;
        // `Requires-Python` first: when both fail, "depends on python>=3.10" is the better explanation than a
        // missing wheel, which follows from it. A `Requires-Python` that does not parse constrains nothing.
        if let Some(raw) = release.requires_python(platform)
            && let Some(specifiers) = raw.value()
        {
            let range = cached_python_range(raw.raw(), specifiers);
            if !range.contains(&self.python) {
                return Facts::RequiresPython(range);
            }
        }
        if !vetted && let Some(reason) = unavailable(found.package, release, self.target) {
            return Facts::Unavailable(reason);
        }
        let Some(metadata) = release.metadata_for(platform) else {
            return Facts::Dependencies {
                dependencies: Vec::new(),
                metadata_unknown: true,
            };
        };
        let metadata_unknown = metadata.via() == MetadataSource::Unknown;
        let extras = extra.map(std::slice::from_ref).unwrap_or_default();
        let mut dependencies: Vec<Dependency> = Vec::new();
        for requirement in metadata
            .requires_dist()
            .iter()
            .filter_map(|parsed| parsed.value())
        {
            if !requirement.marker.evaluate(&self.markers, extras) {
                continue;
            }
            // With an extra active, keep only what the extra adds: the base dependencies come through `name==V`.
            if extra.is_some() && requirement.marker.evaluate(&self.markers, &[]) {
                continue;
            }
            if self.index.position(&requirement.name).is_none() {
                continue;
            }
            let range = match &requirement.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(specifiers)) => Range::from(specifiers.clone()),
                Some(VersionOrUrl::Url(_)) | None => Range::full(),
            };
            // One entry per package (entries naming it again are intersected), with distinct extras.
            let at = if let Some(at) = dependencies
                .iter()
                .position(|dependency| dependency.name == requirement.name)
            {
                dependencies[at].range = dependencies[at].range.intersection(&range);
                at
            } else {
                dependencies.push(Dependency {
                    name: requirement.name.clone(),
                    extras: Vec::new(),
                    range,
                });
                dependencies.len() - 1
            };
            let known = &mut dependencies[at].extras;
            for extra in &requirement.extras {
                if !known.contains(extra) {
                    known.push(extra.clone());
                }
            }
        }
        Facts::Dependencies {
            dependencies,
            metadata_unknown,
        }
    }

    fn choose(&self, name: &PackageName, range: &Range) -> Option<Version> {
        let position = self.index.position(name)?;
        let package = &self.index.packages()[position];
        let releases = package.releases();
        let allow_prereleases = self.prereleases.contains(name);
        let vetted = self.conda.contains(name);
        let cache = self.cache.package(self.index, position);
        let mut newest_prerelease = None;
        // Newest first, segment by segment: the newest release of each is found by searching down from where the
        // segment above began (they are sorted), and the releases below it are read until one fits. A range that
        // pubgrub narrowed release by release has a segment per release excluded, next to each other at the top,
        // and such a search finds each in a step or two.
        let segments: Vec<_> = range.iter().collect();
        let mut below = releases.len();
        for (lower, upper) in segments.into_iter().rev() {
            let mut at = match upper {
                Bound::Included(v) => search_down(releases, below, |release| release > v),
                Bound::Excluded(v) => search_down(releases, below, |release| release >= v),
                Bound::Unbounded => below,
            };
            while let Some(release) = at.checked_sub(1).map(|previous| &releases[previous]) {
                let in_segment = match lower {
                    Bound::Included(v) => release.version() >= v,
                    Bound::Excluded(v) => release.version() > v,
                    Bound::Unbounded => true,
                };
                if !in_segment {
                    break;
                }
                at -= 1;
                if release.is_prerelease() && !allow_prereleases {
                    newest_prerelease.get_or_insert(release.version());
                    continue;
                }
                // A release that cannot be installed on the target (no wheel for it, or a `Requires-Python` that
                // excludes its Python) is passed over here rather than offered and rejected: rejecting releases one
                // at a time costs pubgrub a learned fact each (and a step each in the explanation), and a range
                // that has none left is explained at once (see `explain.rs`).
                let facts = cache.release(at).facts[usize::from(vetted)].get_or_init(|| {
                    let found = Found {
                        position,
                        package,
                        release_position: at,
                        release,
                    };
                    self.compute_facts(found, None, vetted)
                });
                if matches!(facts, Facts::Unavailable(_) | Facts::RequiresPython(_)) {
                    continue;
                }
                self.last_choice.set(Some((position, at)));
                return Some(release.version().clone());
            }
            below = at;
        }
        // No final release fits. A pre-release is taken when the range itself was written with one (a dependency's
        // `~=2.5.0.dev0`) or the package has only pre-releases, as pip does.
        let lower_is_prerelease = match range.bounding_range() {
            Some((Bound::Included(lower) | Bound::Excluded(lower), _)) => lower.any_prerelease(),
            _ => false,
        };
        if let Some(newest_prerelease) = newest_prerelease
            && (lower_is_prerelease || releases.iter().all(Release::is_prerelease))
        {
            return Some(newest_prerelease.clone());
        }
        // Of a package the index holds only from its newest releases on, an older release may fit where none held
        // does: the newest the index names is taken, knowing nothing of what it requires (`dependencies` finds it
        // unindexed, takes it to require nothing and lists it in `metadata_unknown`). Refusing it would be a
        // conflict made by what the index left out.
        package.held_from()?;
        package
            .earlier()
            .iter()
            .rev()
            .find(|version| range.contains(version))
            .cloned()
    }

    /// The release `choose` returned last, if it is `name` `version`.
    fn last_choice(&self, name: &PackageName, version: &Version) -> Option<Found<'static>> {
        let (position, release_position) = self.last_choice.get()?;
        let package = &self.index.packages()[position];
        let release = &package.releases()[release_position];
        (package.name() == name && release.version() == version).then_some(Found {
            position,
            package,
            release_position,
            release,
        })
    }

    fn dependencies(
        &self,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
    ) -> Dependencies<SolverPackage, Range, Unavailable> {
        let mut constraints: Vec<(SolverPackage, Range)> = Vec::new();
        if extra.is_some() {
            // `name[extra]==V` is `name==V` plus what the extra adds.
            constraints.push((
                SolverPackage::Package(name.clone()),
                Range::singleton(version.clone()),
            ));
        }
        let Some(found) = self
            .last_choice(name, version)
            .or_else(|| Found::new(self.index, name, version))
        else {
            // `choose_version` only offers indexed releases.
            self.metadata_unknown
                .borrow_mut()
                .insert((name.clone(), version.clone()));
            return Dependencies::Available(constraints.into_iter().collect());
        };
        let vetted = self.conda.contains(name);
        let facts = self.facts(found, extra, vetted);
        // A yanked release is unavailable unless pinned; but when `Requires-Python` excludes it as well, that is
        // the reason given, as for its neighbours.
        // A conda package is installed from conda's builds, which PyPI's yanking does not reach.
        if extra.is_none()
            && !vetted
            && !matches!(*facts, Facts::RequiresPython(_))
            && found.release.is_yanked()
            && !self.pinned.contains(&(name.clone(), version.clone()))
        {
            return Dependencies::Unavailable(Unavailable::Yanked {
                reason: found.release.yanked(),
            });
        }
        match &*facts {
            Facts::Unavailable(reason) => {
                // For an extra, the base package reports it.
                if extra.is_none() {
                    return Dependencies::Unavailable(reason.clone());
                }
            }
            Facts::RequiresPython(range) => {
                if extra.is_none() {
                    constraints.push((SolverPackage::Python, range.clone()));
                }
            }
            Facts::Dependencies {
                dependencies,
                metadata_unknown,
            } => {
                if *metadata_unknown {
                    self.metadata_unknown
                        .borrow_mut()
                        .insert((name.clone(), version.clone()));
                }
                for dependency in dependencies {
                    let range = self.edge_range(&dependency.name, dependency.range.clone());
                    // A release's dependencies name distinct packages with distinct extras (see `compute_facts`):
                    // only a dependency of `name[extra]` on `name` itself can meet a package already there.
                    if extra.is_some() && dependency.name == *name {
                        push_dependency(
                            &mut constraints,
                            &dependency.name,
                            &dependency.extras,
                            &range,
                        );
                    } else {
                        push_new_dependency(
                            &mut constraints,
                            &dependency.name,
                            &dependency.extras,
                            range,
                        );
                    }
                }
                if vetted && extra.is_none() {
                    push_conda_patches(&mut constraints, self.numpy.as_ref(), name, found.release);
                }
                if self.runtime && extra.is_none() && self.numpy.is_some() {
                    for node in self
                        .cache
                        .runtime_nodes(self.index, self.target, name, version)
                        .iter()
                    {
                        if vetted && node.fact.kind == nplint_index::FactKind::Abi {
                            continue;
                        }
                        constraints.push((
                            SolverPackage::Runtime(Arc::clone(node)),
                            Range::singleton(Version::new([0])),
                        ));
                    }
                }
            }
        }
        Dependencies::Available(
            constraints
                .into_iter()
                .collect::<DependencyConstraints<_, _>>(),
        )
    }
}

/// Adds to the dependencies of a conda package's release (`constraints`) the conda-forge repodata patches that
/// bound its NumPy, as virtual packages that depend on `numpy`. Only a release that depends on `numpy` (by its PyPI
/// metadata) gets them: the patches tighten or replace a conda package's NumPy dependency, or constrain NumPy when
/// it is installed, and none adds NumPy to a package that does without.
fn push_conda_patches(
    constraints: &mut Vec<(SolverPackage, Range)>,
    numpy: Option<&PackageName>,
    name: &PackageName,
    release: &Release,
) {
    let Some(numpy) = numpy else {
        return;
    };
    if !constraints
        .iter()
        .any(|(package, _)| package.name() == Some(numpy))
    {
        return;
    }
    for (position, bound) in nplint_index::conda::bounds_for(name) {
        if bound.covers(release) {
            constraints.push((
                SolverPackage::CondaPatch(Arc::new(CondaPatchNode { position, bound })),
                Range::singleton(Version::new([0])),
            ));
        }
    }
}

/// The first position of `releases` (sorted) from which `after` holds up to `to`, given that it holds for a
/// suffix of them, including every release from `to` on: an exponential search down from `to`, then a binary
/// search, so that a position near `to` costs a step or two.
fn search_down(releases: &[Release], to: usize, after: impl Fn(&Version) -> bool) -> usize {
    let mut high = to;
    let mut step = 1;
    while high >= step && after(releases[high - step].version()) {
        high -= step;
        step *= 2;
    }
    let low = high.saturating_sub(step);
    low + releases[low..high].partition_point(|release| !after(release.version()))
}

/// Adds a dependency on `name` and on `name[extra]` for each extra, merging with an earlier one on the same
/// package by intersection (pubgrub wants one range per package).
pub(crate) fn push_dependency(
    constraints: &mut Vec<(SolverPackage, Range)>,
    name: &PackageName,
    extras: &[ExtraName],
    range: &Range,
) {
    let packages = std::iter::once(SolverPackage::Package(name.clone())).chain(
        extras
            .iter()
            .map(|extra| SolverPackage::Extra(name.clone(), extra.clone())),
    );
    for package in packages {
        match constraints.iter_mut().find(|(known, _)| *known == package) {
            Some((_, known)) => *known = known.intersection(range),
            None => constraints.push((package, range.clone())),
        }
    }
}

/// [`push_dependency`] when no dependency on `name` or on `name[extra]` for one of `extras` is there yet, and
/// `extras` are distinct: the same list, without searching it.
fn push_new_dependency(
    constraints: &mut Vec<(SolverPackage, Range)>,
    name: &PackageName,
    extras: &[ExtraName],
    range: Range,
) {
    if extras.is_empty() {
        constraints.push((SolverPackage::Package(name.clone()), range));
        return;
    }
    constraints.push((SolverPackage::Package(name.clone()), range.clone()));
    for extra in extras {
        constraints.push((
            SolverPackage::Extra(name.clone(), extra.clone()),
            range.clone(),
        ));
    }
}

impl DependencyProvider for Provider<'_> {
    type P = SolverPackage;
    type V = Version;
    type VS = Range;
    type M = Unavailable;
    /// Root, then `python` (one version: decided at once, so a `Requires-Python` conflict surfaces early), then
    /// pinned packages, then ranges bounded above, then the rest; within each, by conflicts seen.
    type Priority = (u8, u32, Reverse<u8>);
    type Err = Infallible;

    fn prioritize(
        &self,
        package: &SolverPackage,
        range: &Range,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let class = match package {
            SolverPackage::Root => 5,
            SolverPackage::Python => 4,
            _ if range.as_singleton().is_some() => 3,
            // A range bounded above is what a conflict is usually made of (`numpy~=1.19.2`): deciding it before
            // the open-ended ones lets their incompatible releases be rejected on the spot, without backjumping.
            _ if matches!(
                range.bounding_range(),
                Some((_, Bound::Included(_) | Bound::Excluded(_)))
            ) =>
            {
                2
            }
            _ => 1,
        };
        // Between equals, a package before its extras.
        let extra = u8::from(matches!(package, SolverPackage::Extra(..)));
        (class, statistics.conflict_count(), Reverse(extra))
    }

    fn choose_version(
        &self,
        package: &SolverPackage,
        range: &Range,
    ) -> Result<Option<Version>, Infallible> {
        Ok(match package {
            SolverPackage::Root | SolverPackage::Runtime(_) | SolverPackage::CondaPatch(_) => {
                Some(Version::new([0]))
            }
            SolverPackage::Python => range.contains(&self.python).then(|| self.python.clone()),
            SolverPackage::Package(name) | SolverPackage::Extra(name, _) => {
                self.choose(name, range)
            }
        })
    }

    fn get_dependencies(
        &self,
        package: &SolverPackage,
        version: &Version,
    ) -> Result<Dependencies<SolverPackage, Range, Unavailable>, Infallible> {
        Ok(match package {
            SolverPackage::Root => Dependencies::Available(self.root.iter().cloned().collect()),
            SolverPackage::Python => Dependencies::Available(DependencyConstraints::default()),
            SolverPackage::Package(name) => self.dependencies(name, version, None),
            SolverPackage::Extra(name, extra) => self.dependencies(name, version, Some(extra)),
            SolverPackage::Runtime(node) => Dependencies::Available(
                self.numpy
                    .iter()
                    .map(|numpy| (SolverPackage::Package(numpy.clone()), node.works().clone()))
                    .collect(),
            ),
            SolverPackage::CondaPatch(node) => Dependencies::Available(
                self.numpy
                    .iter()
                    .map(|numpy| {
                        let range = self.edge_range(numpy, node.bound.works());
                        (SolverPackage::Package(numpy.clone()), range)
                    })
                    .collect(),
            ),
        })
    }
}
