//! The `pubgrub` dependency provider over the index, and the per-target caches that make a solve cheap.
//!
//! Per target, each release's facts (whether a wheel exists, its `Requires-Python` as a `python` range, its
//! dependencies as ranges, per extra) are computed once and kept in the [`crate::Solver`], so that solving many
//! environments on one target converts each release's metadata once. What depends on the inputs (overrides,
//! constraints, which yanked releases are pinned, which packages may use pre-releases) is applied on top, per
//! solve.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};
use std::convert::Infallible;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use nplint_index::{Index, MetadataSource, Release, ReleaseKind, Target};
use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerEnvironment, PackageName, VersionOrUrl};
use pubgrub::{
    Dependencies, DependencyConstraints, DependencyProvider, PackageResolutionStatistics,
};
use version_ranges::Ranges;

use crate::outcome::Unavailable;
use crate::package::{RuntimeNode, SolverPackage};
use crate::python::cached_python_range;

/// A range of versions of one package.
pub(crate) type Range = Ranges<Version>;

/// One dependency of a release, before the solve's overrides and constraints apply.
#[derive(Debug, Clone)]
pub(crate) struct Dependency {
    pub name: PackageName,
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

/// A release, the extra active, and whether its binaries are vetted ([`crate::Input::binaries_vetted`]).
type FactsKey = (PackageName, Version, Option<ExtraName>, bool);

/// Per-target caches, kept across solves.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    facts: FxHashMap<FactsKey, Arc<Facts>>,
    runtime: FxHashMap<(PackageName, Version), Arc<[Arc<RuntimeNode>]>>,
}

impl Cache {
    /// The runtime facts of a release on `target`, as solver packages: derived once per release, for the runtime
    /// solves and for the checks of a declared resolution alike.
    pub(crate) fn runtime_nodes(
        &mut self,
        index: &Index,
        target: Target,
        name: &PackageName,
        version: &Version,
    ) -> Arc<[Arc<RuntimeNode>]> {
        let key = (name.clone(), version.clone());
        if let Some(nodes) = self.runtime.get(&key) {
            return Arc::clone(nodes);
        }
        let nodes: Arc<[Arc<RuntimeNode>]> = index
            .package(name)
            .and_then(|package| {
                let release = package.release(version)?;
                Some(
                    nplint_index::runtime::facts(index, package, release, Some(target))
                        .into_iter()
                        .map(|fact| {
                            Arc::new(RuntimeNode {
                                package: name.clone(),
                                fact,
                            })
                        })
                        .collect(),
                )
            })
            .unwrap_or_default();
        self.runtime.insert(key, Arc::clone(&nodes));
        nodes
    }
}

/// Why `release` of `name` cannot be installed on `target` whatever else is required, `None` when it can (its
/// `Requires-Python` aside, which a solve treats as a dependency on `python`).
///
/// Pure releases install wherever `Requires-Python` admits. A source-only release does too, unless the package
/// ships binary wheels in other releases: then it is compiled, and building an old compiled release from source
/// practically never works (numba 0.30-0.34 have only sdists; a resolver that refuses to build them, as uv with
/// wheels required does, finds no numba<0.35 for CPython 3.12). A binary release needs a wheel for the target.
pub(crate) fn unavailable(
    index: &Index,
    target: Target,
    name: &PackageName,
    release: &Release,
) -> Option<Unavailable> {
    if release.kind() == ReleaseKind::SdistOnly
        && index.package(name).is_some_and(|package| {
            // Compiled: some release has CPython-specific wheels on a tracked platform. (`binary` alone is not
            // enough: a pure package may have shipped one odd platform wheel.)
            package.releases().iter().any(|other| {
                other.wheels().any(|(_, tags)| {
                    tags.iter()
                        .any(|tag| !matches!(tag, nplint_index::WheelPython::Python3))
                })
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
    pub cache: &'a Mutex<Cache>,
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
    /// Packages whose binaries the installer vetted ([`crate::Input::binaries_vetted`]): the index's wheels do not
    /// decide whether they install, and their ABI facts do not apply.
    pub binaries_vetted: FxHashSet<PackageName>,
    /// `numpy`, when the index has it: what runtime facts constrain.
    pub numpy: Option<PackageName>,
}

impl Provider<'_> {
    fn cache(&self) -> MutexGuard<'_, Cache> {
        // A panic while the lock was held leaves at worst a missing entry: the cache stays usable.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The range a dependency on `name` stands for in this solve: an override replaces it, a constraint narrows it.
    pub fn edge_range(&self, name: &PackageName, range: Range) -> Range {
        let range = self.overrides.get(name).cloned().unwrap_or(range);
        match self.constraints.get(name) {
            Some(constraint) => range.intersection(constraint),
            None => range,
        }
    }

    fn facts(
        &self,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
    ) -> Arc<Facts> {
        let vetted = self.binaries_vetted.contains(name);
        let key = (name.clone(), version.clone(), extra.cloned(), vetted);
        if let Some(facts) = self.cache().facts.get(&key) {
            return Arc::clone(facts);
        }
        let facts = Arc::new(self.compute_facts(name, version, extra, vetted));
        self.cache().facts.insert(key, Arc::clone(&facts));
        facts
    }

    /// What a release needs on the target. `vetted`: the installer has a build of it for the target (a conda
    /// lockfile's pin), so the index's wheels do not decide whether it installs.
    fn compute_facts(
        &self,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
        vetted: bool,
    ) -> Facts {
        let Some(release) = self
            .index
            .package(name)
            .and_then(|package| package.release(version))
        else {
            // `choose_version` only offers indexed releases.
            return Facts::Dependencies {
                dependencies: Vec::new(),
                metadata_unknown: true,
            };
        };
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
        if !vetted && let Some(reason) = unavailable(self.index, self.target, name, release) {
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
            if self.index.package(&requirement.name).is_none() {
                continue;
            }
            let range = match &requirement.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(specifiers)) => Range::from(specifiers.clone()),
                Some(VersionOrUrl::Url(_)) | None => Range::full(),
            };
            match dependencies
                .iter_mut()
                .find(|dependency| dependency.name == requirement.name)
            {
                Some(dependency) => {
                    dependency.range = dependency.range.intersection(&range);
                    for extra in &requirement.extras {
                        if !dependency.extras.contains(extra) {
                            dependency.extras.push(extra.clone());
                        }
                    }
                }
                None => dependencies.push(Dependency {
                    name: requirement.name.clone(),
                    extras: requirement.extras.clone(),
                    range,
                }),
            }
        }
        Facts::Dependencies {
            dependencies,
            metadata_unknown,
        }
    }

    /// The runtime facts of a release on the target, as solver packages; cached per release.
    fn runtime_nodes(&self, name: &PackageName, version: &Version) -> Arc<[Arc<RuntimeNode>]> {
        self.cache()
            .runtime_nodes(self.index, self.target, name, version)
    }

    fn choose(&self, name: &PackageName, range: &Range) -> Option<Version> {
        let package = self.index.package(name)?;
        let releases = package.releases();
        let allow_prereleases = self.prereleases.contains(name);
        let mut newest_prerelease = None;
        // Newest first, segment by segment: the releases of each segment are found by binary search (they are
        // sorted), rather than testing every release against a range that may have many segments.
        let segments: Vec<_> = range.iter().collect();
        for (lower, upper) in segments.into_iter().rev() {
            let start = match lower {
                Bound::Included(v) => releases.partition_point(|release| release.version() < v),
                Bound::Excluded(v) => releases.partition_point(|release| release.version() <= v),
                Bound::Unbounded => 0,
            };
            let end = match upper {
                Bound::Included(v) => releases.partition_point(|release| release.version() <= v),
                Bound::Excluded(v) => releases.partition_point(|release| release.version() < v),
                Bound::Unbounded => releases.len(),
            };
            for release in releases[start..end.max(start)].iter().rev() {
                if release.is_prerelease() && !allow_prereleases {
                    newest_prerelease.get_or_insert(release.version());
                    continue;
                }
                // A release that cannot be installed on the target is passed over here rather than offered and
                // rejected: rejecting releases one at a time costs pubgrub a learned fact each (and a step each in
                // the explanation), and a range that has none left is explained at once (see `explain.rs`).
                if matches!(
                    *self.facts(name, release.version(), None),
                    Facts::Unavailable(_)
                ) {
                    continue;
                }
                return Some(release.version().clone());
            }
        }
        // No final release fits. A pre-release is taken when the range itself was written with one (a dependency's
        // `~=2.5.0.dev0`) or the package has only pre-releases, as pip does.
        let newest_prerelease = newest_prerelease?;
        let lower_is_prerelease = match range.bounding_range() {
            Some((Bound::Included(lower) | Bound::Excluded(lower), _)) => lower.any_prerelease(),
            _ => false,
        };
        (lower_is_prerelease || releases.iter().all(Release::is_prerelease))
            .then(|| newest_prerelease.clone())
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
        let facts = self.facts(name, version, extra);
        // A yanked release is unavailable unless pinned; but when `Requires-Python` excludes it as well, that is
        // the reason given, as for its neighbours.
        if extra.is_none()
            && !matches!(*facts, Facts::RequiresPython(_))
            && let Some(release) = self
                .index
                .package(name)
                .and_then(|package| package.release(version))
                .filter(|release| release.is_yanked())
            && !self.pinned.contains(&(name.clone(), version.clone()))
        {
            return Dependencies::Unavailable(Unavailable::Yanked {
                reason: release.yanked(),
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
                    push_dependency(
                        &mut constraints,
                        &dependency.name,
                        &dependency.extras,
                        &range,
                    );
                }
                if self.runtime && extra.is_none() && self.numpy.is_some() {
                    let vetted = self.binaries_vetted.contains(name);
                    for node in self.runtime_nodes(name, version).iter() {
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
            SolverPackage::Root | SolverPackage::Runtime(_) => Some(Version::new([0])),
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
        })
    }
}
