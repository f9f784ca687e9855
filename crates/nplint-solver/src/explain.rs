//! A first resolver-style explanation of a conflict: "Because tensorflow==2.5.0 depends on numpy>=1.19.2,<1.20
//! and you require numpy>=1.21, ...".
//!
//! pubgrub's own reporter walks the derivation tree; this module only supplies the wording (a
//! [`ReportFormatter`]): the root is "you" (or "the lock", for a lockfile), ranges are printed in PEP 440 form (`numpy>=1.19.2,<1.20`, not
//! `numpy >=1.19.2, <1.20.dev0`), `python` is the target's Python, and an unavailable release says why. The tree
//! is not simplified further (uv drops redundant steps). Releases that cannot be installed on the target are
//! passed over by the solver, so a range of them is one "no versions" step, which is explained here from the index
//! ("numpy>=1.22,<2 has no wheels for the target Python (3.13) on linux-x86_64").

use std::fmt::Write as _;
use std::ops::Bound;
use std::sync::Arc;

use pep440_rs::Version;
use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, ReportFormatter, Reporter, Term,
};

use nplint_index::{Index, Package, Release};
use pep508_rs::PackageName;

use crate::Target;
use crate::outcome::{Conflict, Derivation, Unavailable};
use crate::package::SolverPackage;
use crate::provider::Range;
use crate::python::cached_python_range;

type Ext = External<SolverPackage, Range, Unavailable>;
type Der = Derived<SolverPackage, Range, Unavailable>;

/// Who states the environment's requirements, which decides how the explanation names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// A file the user writes: "you require numpy>=1.21".
    Requirements,
    /// A lockfile, whose requirements are pins a tool wrote: "the lock pins numpy==2.2.6".
    Lock,
}

/// The conflict as English, one sentence per derivation step, with what its index says of releases.
pub fn explain(conflict: &Conflict) -> String {
    explain_with(conflict, Voice::Requirements)
}

/// [`explain`], naming the environment's own requirements in `voice`.
pub fn explain_with(conflict: &Conflict, voice: Voice) -> String {
    let formatter = Formatter {
        target: conflict.target,
        index: conflict.index,
        voice,
        conda: &conflict.conda,
    };
    DefaultStringReporter::report_with_formatter(&collapsed(conflict), &formatter)
}

/// The conflict's derivation as its explanation states it: with [`collapse_empty_no_versions`].
pub(crate) fn collapsed(conflict: &Conflict) -> Derivation {
    let mut derivation = conflict.derivation.clone();
    collapse_empty_no_versions(&mut derivation, conflict.index);
    derivation
}

/// Why no release of `package` in `range` installs on `target`, as data ([`Unusable`]); `None` when the range
/// holds no release, or one that installs.
pub(crate) fn unusable(
    index: &'static Index,
    target: Target,
    conda: &[PackageName],
    package: &SolverPackage,
    range: &Range,
) -> Option<Unusable> {
    let formatter = Formatter {
        target,
        index,
        voice: Voice::Requirements,
        conda,
    };
    formatter
        .unusable(package, range)
        .map(|(_, unusable)| unusable)
}

/// Removes "there is no version of numpy in (2.2.6, 2.3.0)" steps where the range holds no final release: they
/// only state the index's shape (a pre-release there was not a candidate; saying so is a hint's job). The other cause of such a step takes its place, its range widened by the empty
/// one where it names the same package (which changes no fact, as the widening holds no release), as pubgrub's
/// `collapse_no_versions` does. `python`'s steps stay: "the target Python version (3.9) does not satisfy
/// python>=3.10" is the point of the explanation.
fn collapse_empty_no_versions(tree: &mut Derivation, index: &Index) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    let empty = |cause: &Derivation| match cause {
        DerivationTree::External(External::NoVersions(package, range)) => package
            .name()
            .and_then(|name| index.package(name))
            .is_some_and(|package| {
                !package
                    .releases()
                    .iter()
                    .any(|release| !release.is_prerelease() && range.contains(release.version()))
            })
            .then(|| (package.clone(), range.clone())),
        _ => None,
    };
    let (kept, (package, range)) = if let Some(no_versions) = empty(&derived.cause1) {
        (Arc::make_mut(&mut derived.cause2), no_versions)
    } else if let Some(no_versions) = empty(&derived.cause2) {
        (Arc::make_mut(&mut derived.cause1), no_versions)
    } else {
        collapse_empty_no_versions(Arc::make_mut(&mut derived.cause1), index);
        collapse_empty_no_versions(Arc::make_mut(&mut derived.cause2), index);
        return;
    };
    collapse_empty_no_versions(kept, index);
    let mut kept = kept.clone();
    match &mut kept {
        DerivationTree::External(External::FromDependencyOf(p1, r1, p2, r2)) => {
            if *p1 == package {
                *r1 = r1.union(&range);
            } else if *p2 == package {
                *r2 = r2.union(&range);
            }
        }
        DerivationTree::External(External::Custom(p, r, _) | External::NoVersions(p, r))
            if *p == package =>
        {
            *r = r.union(&range);
        }
        _ => {}
    }
    *tree = kept;
}

/// Whether a "no versions of `package` in `range`" step of a derivation on `target` means that the range's
/// releases exist but none installs there (no wheel for the target), rather than that the range holds none.
pub(crate) fn uninstallable(
    index: &'static Index,
    target: Target,
    package: &SolverPackage,
    range: &Range,
) -> bool {
    let formatter = Formatter {
        target,
        index,
        voice: Voice::Requirements,
        conda: &[],
    };
    formatter.unavailable(package, range).is_some()
}

/// A requirement in PEP 440 form: `numpy>=1.19.2,<1.20`, `tensorflow==2.5.0`, `numpy` for any version.
pub fn requirement(package: &SolverPackage, range: &Range) -> String {
    match package {
        // One version, no range to state.
        SolverPackage::Runtime(_) | SolverPackage::CondaPatch(_) => package.to_string(),
        _ => format!("{package}{}", specifiers(range)),
    }
}

/// A range as PEP 440 specifiers, `` for any version; a range PEP 440 cannot write as one clause (several
/// segments) is written as its segments joined with ` | `, except the common "all but these versions", written
/// `!=a,!=b`.
pub fn specifiers(range: &Range) -> String {
    let segments: Vec<_> = range.iter().collect();
    if segments.len() > 1 {
        let complement = range.complement();
        let excluded: Option<Vec<&Version>> = complement
            .iter()
            .map(|(lower, upper)| match (lower, upper) {
                (Bound::Included(a), Bound::Included(b)) if a == b => Some(a),
                _ => None,
            })
            .collect();
        if let Some(excluded) = excluded.filter(|excluded| !excluded.is_empty()) {
            return excluded
                .iter()
                .map(|version| format!("!={}", plain(version)))
                .collect::<Vec<_>>()
                .join(",");
        }
    }
    segments
        .iter()
        .map(|&(lower, upper)| segment(lower, upper))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn segment(lower: &Bound<Version>, upper: &Bound<Version>) -> String {
    let mut out = String::new();
    match (lower, upper) {
        (Bound::Included(a), Bound::Included(b)) if a == b => {
            let _ = write!(out, "=={}", plain(a));
            return out;
        }
        (Bound::Included(a), _) => {
            let _ = write!(out, ">={}", plain(a));
        }
        (Bound::Excluded(a), _) => {
            let _ = write!(out, ">{}", plain(a));
        }
        (Bound::Unbounded, _) => {}
    }
    let comma = if out.is_empty() { "" } else { "," };
    match upper {
        Bound::Included(b) => {
            let _ = write!(out, "{comma}<={}", plain(b));
        }
        Bound::Excluded(b) => {
            let _ = write!(out, "{comma}<{}", plain_upper(b));
        }
        Bound::Unbounded => {}
    }
    out
}

/// A bound's version as the user wrote it: without the `min`/`max` markers PEP 440's exclusive comparisons add.
fn plain(version: &Version) -> String {
    written(version, false)
}

/// [`plain`], and for an exclusive upper bound also without the `.dev0` that `~=1.19.2` puts there (`<1.20.dev0`
/// reads `<1.20`; the two differ only by development releases of 1.20, which are never candidates here).
fn plain_upper(version: &Version) -> String {
    written(version, true)
}

fn written(version: &Version, upper: bool) -> String {
    let mut version = version.clone();
    // `with_min`/`with_max` refuse some versions (a dev release) even when clearing: only clear what is set.
    if Version::min(&version).is_some() {
        version = version.with_min(None);
    }
    if Version::max(&version).is_some() {
        version = version.with_max(None);
    }
    if upper && version.dev() == Some(0) && version.pre().is_none() && version.post().is_none() {
        version = version.with_dev(None);
    }
    version.to_string()
}

/// Why one release cannot be installed on the target.
enum Why {
    /// Its `Requires-Python`, as a range of `python`, excludes the target's.
    Python(Range),
    Unavailable(Unavailable),
}

/// Why the final releases of a range cannot be installed on a target, with the target left out where the
/// explanation names it: the same on every target where the range fails the same way.
#[derive(Debug, Clone)]
pub(crate) enum Unusable {
    /// Every release needs another Python: these together.
    Python(Range),
    /// Some need another Python (these together), the others have no wheel for the target.
    NoWheelOrPython(Range),
    /// One reason for all.
    Same(Unavailable),
    /// None has a wheel for the platform.
    NoPlatformWheels,
    /// Each has only a source distribution.
    SourceOnly,
    /// Each lacks a wheel for the target, for reasons that differ.
    NoTargetWheels,
}

impl PartialEq for Unusable {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Python(a), Self::Python(b))
            | (Self::NoWheelOrPython(a), Self::NoWheelOrPython(b)) => a == b,
            (Self::Same(a), Self::Same(b)) => a.same_as(b),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Eq for Unusable {}

impl std::hash::Hash for Unusable {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Self::Python(range) | Self::NoWheelOrPython(range) => range.hash(state),
            Self::Same(reason) => reason.hash_target_free(state),
            Self::NoPlatformWheels | Self::SourceOnly | Self::NoTargetWheels => {}
        }
    }
}

/// What the releases that `Requires-Python` excludes ask of `python`, together; `None` when there are none.
fn python_needed(reasons: &[Why]) -> Option<Range> {
    reasons
        .iter()
        .filter_map(|reason| match reason {
            Why::Python(requires) => Some(requires),
            Why::Unavailable(_) => None,
        })
        .fold(None, |all: Option<Range>, requires| {
            Some(all.map_or_else(|| requires.clone(), |all| all.union(requires)))
        })
}

/// When every release of `package` in `range` is excluded on `target` by its `Requires-Python`: the Pythons
/// they need, together (`python>=3.10` for `numpy>=2.1` on CPython 3.9).
pub(crate) fn python_needed_by(
    index: &'static Index,
    target: Target,
    package: &SolverPackage,
    range: &Range,
) -> Option<Range> {
    let formatter = Formatter {
        target,
        index,
        voice: Voice::Requirements,
        conda: &[],
    };
    let (_, reasons) = formatter.reasons(package, range)?;
    reasons
        .iter()
        .all(|reason| matches!(reason, Why::Python(_)))
        .then(|| python_needed(&reasons))
        .flatten()
}

struct Formatter<'a> {
    target: Target,
    index: &'static Index,
    voice: Voice,
    /// The packages installed from conda: what the index says of them is their PyPI metadata, which the
    /// explanation says (conda-forge's builds may differ).
    conda: &'a [PackageName],
}

/// What a step about a conda package's PyPI metadata adds, once for every format: the claim is PyPI's.
pub const BY_PYPI_METADATA: &str = "by its PyPI metadata";

impl Formatter<'_> {
    /// Whether `package` is installed from conda in this solve.
    fn is_conda(&self, package: &SolverPackage) -> bool {
        package.name().is_some_and(|name| self.conda.contains(name))
    }

    /// Why no release of `package` in `range` could be used, when the releases are there but none can be
    /// installed on the target (the solver passes over such releases instead of rejecting them one by one): the
    /// subject (`numpy<1.21`, or `numpy==1.19.5` for one release) and the predicate. `None` when the range holds
    /// no release, or one that installs (excluded for another reason).
    fn unavailable(&self, package: &SolverPackage, range: &Range) -> Option<(String, String)> {
        let (releases, unusable) = self.unusable(package, range)?;
        let platform = self.target.platform;
        let python = self.target.python;
        let predicate = match unusable {
            Unusable::Python(requires) => format!(
                "depends on {}{} (the target Python version is {python})",
                requirement(&SolverPackage::Python, &requires),
                if self.is_conda(package) {
                    format!(" {BY_PYPI_METADATA}")
                } else {
                    String::new()
                },
            ),
            Unusable::NoWheelOrPython(requires) => format!(
                "has no wheels for the target Python ({python}) on {platform} or depends on {}",
                requirement(&SolverPackage::Python, &requires),
            ),
            // One reason for all, such as "has wheels for CPython 3.6-3.9 only on linux-x86_64".
            Unusable::Same(reason) => reason.to_string(),
            Unusable::NoPlatformWheels => format!("has no wheels for {platform}"),
            Unusable::SourceOnly => {
                "has only source distributions (and other releases of it are compiled)".to_owned()
            }
            Unusable::NoTargetWheels => {
                format!("has no wheels for the target Python ({python}) on {platform}")
            }
        };
        let subject = match releases.as_slice() {
            [only] => requirement(package, &Range::singleton(only.version().clone())),
            _ => self.requirement(package, range),
        };
        Some((subject, predicate))
    }

    /// [`Self::unavailable`] as data: the final releases of the range and why none of them installs on the
    /// target.
    fn unusable(
        &self,
        package: &SolverPackage,
        range: &Range,
    ) -> Option<(Vec<&'static Release>, Unusable)> {
        let (releases, reasons) = self.reasons(package, range)?;
        let first = reasons.first()?;
        let requires = python_needed(&reasons);
        let unavailable: Vec<&Unavailable> = reasons
            .iter()
            .filter_map(|reason| match reason {
                Why::Unavailable(reason) => Some(reason),
                Why::Python(_) => None,
            })
            .collect();
        let unusable = match (requires, first) {
            (Some(requires), _) if unavailable.is_empty() => Unusable::Python(requires),
            (Some(requires), _) => Unusable::NoWheelOrPython(requires),
            (None, Why::Unavailable(first)) => {
                if unavailable.iter().all(|reason| reason.same_as(first)) {
                    Unusable::Same(first.clone())
                } else if unavailable
                    .iter()
                    .all(|reason| matches!(reason, Unavailable::NoWheel { wheels: None, .. }))
                {
                    Unusable::NoPlatformWheels
                } else if unavailable
                    .iter()
                    .all(|reason| matches!(reason, Unavailable::SourceOnly))
                {
                    Unusable::SourceOnly
                } else {
                    Unusable::NoTargetWheels
                }
            }
            (None, Why::Python(_)) => return None,
        };
        Some((releases, unusable))
    }

    /// The final releases of `package` in `range`, and why each cannot be installed on the target; `None` when
    /// one of them can (it was excluded for another reason) or the package is not indexed.
    fn reasons(
        &self,
        package: &SolverPackage,
        range: &Range,
    ) -> Option<(Vec<&'static Release>, Vec<Why>)> {
        let name = package.name()?;
        let indexed = self.index.package(name)?;
        let releases: Vec<&Release> = indexed
            .releases()
            .iter()
            .filter(|release| !release.is_prerelease() && range.contains(release.version()))
            .collect();
        let platform = self.target.platform;
        let python = self.target.python.version();
        let mut reasons = Vec::with_capacity(releases.len());
        for release in &releases {
            let requires = release
                .requires_python(platform)
                .and_then(|raw| Some(cached_python_range(raw.raw(), raw.value()?)))
                .filter(|requires| !requires.contains(&python));
            reasons.push(match requires {
                Some(requires) => Why::Python(requires),
                // conda's builds, not the index's wheels, decide whether a conda package installs.
                None if self.is_conda(package) => return None,
                None => {
                    Why::Unavailable(crate::provider::unavailable(indexed, release, self.target)?)
                }
            });
        }
        Some((releases, reasons))
    }

    /// A requirement with its range simplified over the package's releases: holes without a release closed,
    /// bounds moved to releases (`numpy>2.1.0,<2.1.1 | >2.1.1,<2.2` is just `numpy>=2.1.2,<2.2` when those are
    /// all the releases), as uv does.
    fn requirement(&self, package: &SolverPackage, range: &Range) -> String {
        let releases = package
            .name()
            .and_then(|name| self.index.package(name))
            .map(Package::releases);
        match releases {
            Some(releases) => {
                // Over final releases only: a pre-release that was never a candidate should not split a range.
                let finals = releases
                    .iter()
                    .filter(|release| !release.is_prerelease())
                    .map(Release::version);
                let simplified = range.simplify(finals);
                if simplified.is_empty() {
                    requirement(package, range)
                } else {
                    requirement(package, &simplified)
                }
            }
            None => requirement(package, range),
        }
    }

    fn terms(&self, terms: &Map<SolverPackage, Term<Range>>) -> String {
        let mut terms: Vec<_> = terms.iter().collect();
        terms.sort_by(|a, b| a.0.cmp(b.0));
        // The root always holds: "your requirements==0 and tensorflow==2.5.0 are incompatible" is
        // "tensorflow==2.5.0 cannot be used". (With a negative term, the root's is "you require ...".)
        if terms.len() > 1
            && terms
                .iter()
                .all(|(_, term)| matches!(term, Term::Positive(_)))
        {
            terms.retain(|(package, term)| {
                !matches!((package, term), (SolverPackage::Root, Term::Positive(_)))
            });
        }
        match terms.as_slice() {
            [] | [(SolverPackage::Root, Term::Positive(_))] => match self.voice {
                Voice::Requirements => "your requirements are unsatisfiable".to_owned(),
                Voice::Lock => "the lock's pins cannot be installed together".to_owned(),
            },
            [(package, Term::Positive(range))] => {
                format!("{} cannot be used", self.requirement(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", self.requirement(package, range))
            }
            // What is left to a patch's releases is a conclusion, not what the patch says.
            [
                (SolverPackage::CondaPatch(node), Term::Positive(_)),
                (numpy, Term::Negative(range)),
            ]
            | [
                (numpy, Term::Negative(range)),
                (SolverPackage::CondaPatch(node), Term::Positive(_)),
            ] => {
                format!(
                    "under conda-forge's repodata patch {}, conda's {}{} can use only {}",
                    node.bound.patch_name(),
                    node.bound.package,
                    node.bound.versions_text,
                    self.requirement(numpy, range)
                )
            }
            // A conclusion, not a fact of the index: said without what a fact rests on.
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => Formatter {
                conda: &[],
                ..*self
            }
            .external(&External::FromDependencyOf(
                (*p1).clone(),
                r1.clone(),
                (*p2).clone(),
                r2.clone(),
            )),
            terms => {
                let parts: Vec<String> = terms
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) => self.requirement(package, range),
                        Term::Negative(range) => {
                            format!("{} (excluded)", self.requirement(package, range))
                        }
                    })
                    .collect();
                format!("{} are incompatible", parts.join(" and "))
            }
        }
    }

    fn external(&self, external: &Ext) -> String {
        match external {
            External::NotRoot(..) => "you are solving your requirements".to_owned(),
            External::NoVersions(SolverPackage::Python, range) => format!(
                "the target Python version ({}) does not satisfy {}",
                self.target.python,
                requirement(&SolverPackage::Python, range)
            ),
            External::NoVersions(package, range) => match self.unavailable(package, range) {
                Some((subject, reason)) => format!("{subject} {reason}"),
                None if *range == Range::full() => {
                    format!("there is no usable version of {package}")
                }
                None => format!(
                    "there is no usable version of {}",
                    self.requirement(package, range)
                ),
            },
            External::Custom(package, range, reason) => {
                // The reason is about single releases: name the release when there is one.
                let single = package
                    .name()
                    .and_then(|name| self.index.package(name))
                    .and_then(|indexed| {
                        let mut inside = indexed
                            .releases()
                            .iter()
                            .filter(|release| range.contains(release.version()));
                        match (inside.next(), inside.next()) {
                            (Some(release), None) => Some(release.version().clone()),
                            _ => None,
                        }
                    });
                match single {
                    Some(version) => {
                        format!(
                            "{} {reason}",
                            requirement(package, &Range::singleton(version))
                        )
                    }
                    None => format!("{} {reason}", self.requirement(package, range)),
                }
            }
            External::FromDependencyOf(SolverPackage::Root, _, dependency, range) => {
                let subject = match self.voice {
                    Voice::Requirements => "you require",
                    Voice::Lock => "the lock pins",
                };
                format!("{subject} {}", self.requirement(dependency, range))
            }
            External::FromDependencyOf(package, range, SolverPackage::Runtime(node), _) => {
                format!(
                    "{} {}",
                    self.requirement(package, range),
                    node.fact.predicate
                )
            }
            External::FromDependencyOf(SolverPackage::Runtime(node), _, numpy, range) => {
                format!(
                    "{} work only with {}",
                    node.fact.subject,
                    self.requirement(numpy, range)
                )
            }
            External::FromDependencyOf(package, range, SolverPackage::CondaPatch(node), _) => {
                format!(
                    "conda's {} falls under conda-forge's repodata patch {}",
                    self.requirement(package, range),
                    node.bound.patch_name()
                )
            }
            External::FromDependencyOf(SolverPackage::CondaPatch(node), _, numpy, range) => {
                let bound = node.bound;
                let uploaded = bound
                    .uploaded_before
                    .map(|time| {
                        format!(
                            " (builds uploaded before {})",
                            time.get(..10).unwrap_or(time)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "conda-forge's repodata patch {} makes conda's {}{}{uploaded} depend on {}",
                    bound.patch_name(),
                    bound.package,
                    bound.versions_text,
                    self.requirement(numpy, range)
                )
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => format!(
                "{} depends on {}{}",
                self.requirement(package, range),
                self.requirement(dependency, dependency_range),
                if self.is_conda(package) {
                    format!(" {BY_PYPI_METADATA}")
                } else {
                    String::new()
                }
            ),
        }
    }
}

impl ReportFormatter<SolverPackage, Range, Unavailable> for Formatter<'_> {
    type Output = String;

    fn format_external(&self, external: &Ext) -> String {
        self.external(external)
    }

    fn format_terms(&self, terms: &Map<SolverPackage, Term<Range>>) -> String {
        self.terms(terms)
    }

    fn explain_both_external(
        &self,
        external1: &Ext,
        external2: &Ext,
        current_terms: &Map<SolverPackage, Term<Range>>,
    ) -> String {
        // The user's own requirement last reads best: "Because X depends on Y and you require Z, ...".
        // Likewise a runtime fact's consequence after the release it is about: "Because gensim==4.1.0 has
        // binaries ... and the binaries of gensim work only with ...".
        let (first, second) = if matches!(
            external1,
            External::FromDependencyOf(
                SolverPackage::Root | SolverPackage::Runtime(_) | SolverPackage::CondaPatch(_),
                ..
            )
        ) {
            (external2, external1)
        } else {
            (external1, external2)
        };
        format!(
            "Because {} and {}, we can conclude that {}.",
            self.external(first),
            self.external(second),
            self.terms(current_terms)
        )
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Der,
        ref_id2: usize,
        derived2: &Der,
        current_terms: &Map<SolverPackage, Term<Range>>,
    ) -> String {
        format!(
            "Because {} ({ref_id1}) and {} ({ref_id2}), we can conclude that {}.",
            self.terms(&derived1.terms),
            self.terms(&derived2.terms),
            self.terms(current_terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Der,
        external: &Ext,
        current_terms: &Map<SolverPackage, Term<Range>>,
    ) -> String {
        format!(
            "Because {} ({ref_id}) and {}, we can conclude that {}.",
            self.terms(&derived.terms),
            self.external(external),
            self.terms(current_terms)
        )
    }

    fn and_explain_external(
        &self,
        external: &Ext,
        current_terms: &Map<SolverPackage, Term<Range>>,
    ) -> String {
        format!(
            "And because {}, we can conclude that {}.",
            self.external(external),
            self.terms(current_terms)
        )
    }

    fn and_explain_ref(
        &self,
        ref_id: usize,
        derived: &Der,
        current_terms: &Map<SolverPackage, Term<Range>>,
    ) -> String {
        format!(
            "And because {} ({ref_id}), we can conclude that {}.",
            self.terms(&derived.terms),
            self.terms(current_terms)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &Ext,
        external: &Ext,
        current_terms: &Map<SolverPackage, Term<Range>>,
    ) -> String {
        format!(
            "And because {} and {}, we can conclude that {}.",
            self.external(prior_external),
            self.external(external),
            self.terms(current_terms)
        )
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pep440_rs::VersionSpecifiers;

    use super::*;

    fn written(specifiers: &str) -> String {
        super::specifiers(&Range::from(
            VersionSpecifiers::from_str(specifiers).unwrap(),
        ))
    }

    #[test]
    fn ranges_are_written_as_pep_440_specifiers() {
        assert_eq!(written("~=1.19.2"), ">=1.19.2,<1.20");
        assert_eq!(written(">=1.21"), ">=1.21");
        assert_eq!(written(">1.0,<2"), ">1.0,<2");
        assert_eq!(written("==2.5.0"), "==2.5.0");
        assert_eq!(written("!=1.5.0,!=1.6.0"), "!=1.5.0,!=1.6.0");
        assert_eq!(written(""), "");
        assert_eq!(written("==2.5.0rc1"), "==2.5.0rc1");
        assert_eq!(written(">=2.5.0.dev0"), ">=2.5.0.dev0");
    }
}
