//! The moves a plan makes of one requirement, nearest first, and how they are written and explained.

use std::fmt::Write as _;

use nplint_diagnostics::{Edit, Location, Span};
use nplint_index::{Index, PackageName, Target, Version, VersionSpecifiers};
use nplint_manifest::{Manifest, Requirement, Section};
use nplint_solver::{Input, Solver};

use super::Goal;
use crate::wording::targets_text;

/// What a change does to a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// The goal's own requirement rewritten to state the goal (`numpy<2` becomes `numpy>=2`).
    Goal,
    /// A pin moved to a newer release.
    Pin,
    /// A cap raised to admit a newer release.
    RaiseCap,
    /// A floor raised, so that a resolver cannot pick an older release that breaks.
    RaiseFloor,
    /// A move to an older release, made only when no newer one works.
    Downgrade,
    /// A requirement added on a package the file does not name: the only way to keep a resolver from a release of
    /// it that breaks.
    AddTransitive,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Goal => "goal",
            Self::Pin => "pin",
            Self::RaiseCap => "raise-cap",
            Self::RaiseFloor => "raise-floor",
            Self::Downgrade => "downgrade",
            Self::AddTransitive => "add-transitive",
        }
    }
}

/// New specifiers for a requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidate {
    pub specifiers: VersionSpecifiers,
    pub kind: ChangeKind,
    /// The requirement as it was.
    pub unchanged: bool,
    /// Releases stepped over.
    pub distance: usize,
    /// The release the move is for.
    pub to: Option<Version>,
    /// Why the requirement had to move, when the move was made for a resolver's pick.
    pub because: Option<String>,
    /// Why a requirement already moved had to move further: the release it moved to breaks.
    pub then: Option<String>,
}

impl Candidate {
    fn unchanged(specifiers: &VersionSpecifiers) -> Self {
        Self {
            specifiers: specifiers.clone(),
            kind: ChangeKind::Pin,
            unchanged: true,
            distance: 0,
            to: None,
            because: None,
            then: None,
        }
    }

    /// `specifiers` with their lower bounds replaced by `>=to`.
    pub(super) fn floor(specifiers: &VersionSpecifiers, to: &Version, kind: ChangeKind) -> Self {
        let mut parts = vec![format!(">={to}")];
        for specifier in specifiers.iter() {
            let operator = specifier.operator().to_string();
            if matches!(operator.as_str(), ">=" | ">" | "~=") {
                continue;
            }
            if matches!(operator.as_str(), "==" | "===") && !specifier.to_string().ends_with(".*") {
                continue;
            }
            if specifier.contains(to) {
                parts.push(specifier.to_string());
            }
        }
        Self {
            specifiers: parts
                .join(", ")
                .parse()
                .unwrap_or_else(|_| VersionSpecifiers::empty()),
            kind,
            unchanged: false,
            distance: 1,
            to: Some(to.clone()),
            because: None,
            then: None,
        }
    }

    /// This move with its floor raised to `to` (a pin becomes a floor).
    pub(super) fn with_floor(&self, to: &Version) -> Self {
        let kind = if self.kind == ChangeKind::Goal {
            ChangeKind::Goal
        } else {
            ChangeKind::RaiseFloor
        };
        let mut raised = Self::floor(&self.specifiers, to, kind);
        raised.distance = self.distance + 1;
        raised.because.clone_from(&self.because);
        raised.then.clone_from(&self.then);
        raised
    }
}

/// What a requirement's specifiers say, for the moves it can make.
pub(super) enum Shape {
    /// A requirement on the goal's package.
    Goal,
    /// `==1.2.3`.
    Pin(Version),
    /// `==1.7.*` alone (conda's `=1.7`, `=1.7.1`): the series, at the precision written.
    Series(Version, usize),
    /// Anything else: bounds, wildcards, compatible releases.
    Range,
}

impl Shape {
    pub(super) fn of(input: &Input, goal_name: &PackageName) -> Self {
        if &input.name == goal_name {
            Self::Goal
        } else if let Some(version) = input.pin() {
            Self::Pin(version.clone())
        } else if let [specifier] = input.specifiers.iter().collect::<Vec<_>>().as_slice()
            && specifier.to_string().starts_with("==")
            && specifier.to_string().ends_with(".*")
        {
            Self::Series(
                specifier.version().clone(),
                specifier.version().release().len(),
            )
        } else {
            Self::Range
        }
    }

    /// The moves to try, nearest first: unchanged, then newer releases oldest first, then older ones newest first.
    pub(super) fn candidates(
        &self,
        index: &Index,
        input: &Input,
        goal: &Goal,
        targets: &[Target],
        installable: impl Fn(&PackageName, &Version, Target) -> bool,
    ) -> Vec<Candidate> {
        let mut out = vec![Candidate::unchanged(&input.specifiers)];
        let Some(package) = index.package(&input.name) else {
            return out;
        };
        // Pre-releases only for a requirement on one, or a package that has nothing else (`pandas-ta==0.3.14b`).
        let prereleases = input.pin().is_some_and(Version::any_prerelease)
            || package
                .releases()
                .iter()
                .all(nplint_index::Release::is_prerelease);
        let releases: Vec<&Version> = package
            .releases()
            .iter()
            .filter(|release| (prereleases || !release.is_prerelease()) && !release.is_yanked())
            .map(nplint_index::Release::version)
            .collect();
        let everywhere = |version: &Version| {
            targets
                .iter()
                .all(|&target| installable(&input.name, version, target))
        };
        out.extend(match self {
            Shape::Goal => goal_moves(&releases, input, goal, &everywhere),
            Shape::Pin(pinned_at) => pin_moves(&releases, pinned_at, &everywhere),
            Shape::Series(written, precision) => {
                series_moves(&releases, written, *precision, &everywhere)
            }
            Shape::Range => range_moves(&releases, input),
        });
        // A move the specifiers cannot express, or one that changes nothing, is no move.
        let mut seen: Vec<VersionSpecifiers> = Vec::new();
        out.retain(|candidate| {
            let new = !seen.contains(&candidate.specifiers);
            seen.push(candidate.specifiers.clone());
            new && (candidate.unchanged || candidate.specifiers != input.specifiers)
        });
        out
    }
}

/// Releases listed per direction at most (the search through them gallops: see `Planner::realize`).
const TRIES: usize = 400;

/// A pin to `to`.
fn pinned(to: &Version, kind: ChangeKind, distance: usize) -> Candidate {
    Candidate {
        specifiers: format!("=={to}")
            .parse()
            .unwrap_or_else(|_| VersionSpecifiers::empty()),
        kind,
        unchanged: false,
        distance,
        to: Some(to.clone()),
        because: None,
        then: None,
    }
}

/// The goal's own requirement: a pin to each release in the goal, oldest first; or the goal with the caps of the
/// requirement that admit it.
fn goal_moves(
    releases: &[&Version],
    input: &Input,
    goal: &Goal,
    everywhere: &dyn Fn(&Version) -> bool,
) -> Vec<Candidate> {
    if input.pin().is_some() {
        return releases
            .iter()
            .filter(|version| goal.specifiers.contains(version) && everywhere(version))
            .take(TRIES)
            .enumerate()
            .map(|(at, to)| pinned(to, ChangeKind::Goal, at + 1))
            .collect();
    }
    let Some(oldest) = releases
        .iter()
        .find(|version| goal.specifiers.contains(version))
    else {
        return Vec::new();
    };
    let mut parts: Vec<String> = goal.specifiers.iter().map(ToString::to_string).collect();
    for specifier in input.specifiers.iter() {
        let operator = specifier.operator().to_string();
        if matches!(operator.as_str(), "<" | "<=" | "!=") && specifier.contains(oldest) {
            parts.push(specifier.to_string());
        }
    }
    parts
        .join(", ")
        .parse()
        .ok()
        .map(|specifiers| Candidate {
            specifiers,
            kind: ChangeKind::Goal,
            unchanged: false,
            distance: 1,
            to: Some((*oldest).clone()),
            because: None,
            then: None,
        })
        .into_iter()
        .collect()
}

/// A pin moved to each newer release that installs on every target, oldest first, then to each older one.
fn pin_moves(
    releases: &[&Version],
    pinned_at: &Version,
    everywhere: &dyn Fn(&Version) -> bool,
) -> Vec<Candidate> {
    let newer = releases
        .iter()
        .filter(|version| ***version > *pinned_at && everywhere(version))
        .take(TRIES)
        .enumerate()
        .map(|(at, to)| pinned(to, ChangeKind::Pin, at + 1));
    let older = releases
        .iter()
        .rev()
        .filter(|version| ***version < *pinned_at && everywhere(version))
        .take(TRIES / 2)
        .enumerate()
        .map(|(at, to)| pinned(to, ChangeKind::Downgrade, 1000 + at));
    newer.chain(older).collect()
}

/// A series (`==1.7.*`) moved to each newer series at the same precision, oldest first, then to each older one.
fn series_moves(
    releases: &[&Version],
    written: &Version,
    precision: usize,
    everywhere: &dyn Fn(&Version) -> bool,
) -> Vec<Candidate> {
    let series = |version: &Version| truncated(version, precision);
    let at = series(written);
    let mut newer: Vec<String> = Vec::new();
    let mut older: Vec<String> = Vec::new();
    for version in releases {
        if !everywhere(version) {
            continue;
        }
        let prefix = series(version);
        let list = if **version > *written && prefix != at {
            &mut newer
        } else if prefix != at {
            &mut older
        } else {
            continue;
        };
        if !list.contains(&prefix) {
            list.push(prefix);
        }
    }
    older.reverse();
    let candidate = |prefix: &String, kind: ChangeKind, distance: usize| Candidate {
        specifiers: format!("=={prefix}.*")
            .parse()
            .unwrap_or_else(|_| VersionSpecifiers::empty()),
        kind,
        unchanged: false,
        distance,
        to: prefix.parse().ok(),
        because: None,
        then: None,
    };
    let newer = newer
        .iter()
        .take(TRIES)
        .enumerate()
        .map(|(at, prefix)| candidate(prefix, ChangeKind::Pin, at + 1));
    let older = older
        .iter()
        .take(TRIES / 2)
        .enumerate()
        .map(|(at, prefix)| candidate(prefix, ChangeKind::Downgrade, 1000 + at));
    newer.chain(older).collect()
}

/// A range with its caps raised past each newer release, oldest first, then its floor lowered to each older one.
fn range_moves(releases: &[&Version], input: &Input) -> Vec<Candidate> {
    let allowed: Vec<&&Version> = releases
        .iter()
        .filter(|version| input.specifiers.contains(version))
        .collect();
    let newest = allowed.iter().max().map(|version| (**version).clone());
    let oldest = allowed.iter().min().map(|version| (**version).clone());
    let mut out: Vec<Candidate> = releases
        .iter()
        .filter(|version| newest.as_ref().is_none_or(|newest| **version > newest))
        .filter(|version| !input.specifiers.contains(version))
        .filter_map(|to| Some((to, raise_caps(&input.specifiers, to)?)))
        .take(TRIES)
        .enumerate()
        .map(|(at, (to, specifiers))| Candidate {
            specifiers,
            kind: ChangeKind::RaiseCap,
            unchanged: false,
            distance: at + 1,
            to: Some((*to).clone()),
            because: None,
            then: None,
        })
        .collect();
    if let Some(oldest) = oldest {
        out.extend(
            releases
                .iter()
                .rev()
                .filter(|version| ***version < oldest)
                .take(TRIES / 2)
                .enumerate()
                .map(|(at, to)| {
                    let mut candidate =
                        Candidate::floor(&input.specifiers, to, ChangeKind::Downgrade);
                    candidate.distance = 1000 + at;
                    candidate
                }),
        );
    }
    out
}

/// `specifiers` with each bound that excludes `to` moved past it at the precision it was written (`<2` becomes
/// `<3` for 2.2.2, `<1.13` becomes `<1.14` for 1.13.1, `~=1.19.2` becomes `~=1.21.0` for 1.21.0); `None` when a
/// floor or a pin excludes it (not a cap to raise).
fn raise_caps(specifiers: &VersionSpecifiers, to: &Version) -> Option<VersionSpecifiers> {
    let mut parts = Vec::new();
    for specifier in specifiers.iter() {
        if specifier.contains(to) {
            parts.push(specifier.to_string());
            continue;
        }
        let precision = precision(specifier.version());
        let operator = specifier.operator().to_string();
        let text = specifier.to_string();
        match operator.as_str() {
            "<" => parts.push(format!("<{}", bumped(to, precision))),
            "<=" => parts.push(format!("<={to}")),
            "!=" => {}
            "~=" if to > specifier.version() => {
                parts.push(format!("~={}", truncated(to, precision)));
            }
            "==" if text.ends_with(".*") => parts.push(format!("=={}.*", truncated(to, precision))),
            _ => return None,
        }
    }
    let raised: VersionSpecifiers = parts.join(", ").parse().ok()?;
    (raised.contains(to) && !parts.is_empty()).then_some(raised)
}

/// How many parts of a bound's release count: `<2.0.0` caps a major version (1), `<1.13` a minor one (2).
fn precision(version: &Version) -> usize {
    let release = version.release();
    release
        .iter()
        .rposition(|&part| part != 0)
        .map_or(1, |last| last + 1)
}

/// The first `precision` parts of `version`'s release, zero-padded.
fn truncated(version: &Version, precision: usize) -> String {
    let release = version.release();
    (0..precision)
        .map(|at| release.get(at).copied().unwrap_or(0).to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// The first `precision` parts of `version`'s release with the last one incremented: the cap just past it.
fn bumped(version: &Version, precision: usize) -> String {
    let release = version.release();
    let mut parts: Vec<u64> = (0..precision)
        .map(|at| release.get(at).copied().unwrap_or(0))
        .collect();
    if let Some(last) = parts.last_mut() {
        *last += 1;
    }
    parts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Specifiers as the requirement's file writes them: conda's `=1.24` for `==1.24.*`, PEP 440 elsewhere, separated
/// as the requirement separates its own (`>=1.0,<2` or `>=1.0, <2`), floors first.
pub(super) fn written(specifiers: &VersionSpecifiers, requirement: &Requirement) -> String {
    let separator = if requirement
        .version_location
        .as_ref()
        .is_some_and(|at| at.text().contains(", "))
    {
        ", "
    } else {
        ","
    };
    let mut parts: Vec<(bool, String)> = specifiers
        .iter()
        .map(|specifier| {
            let text = specifier.to_string();
            let floor = text.starts_with('>') || text.starts_with("~=");
            match text
                .strip_prefix("==")
                .and_then(|rest| rest.strip_suffix(".*"))
            {
                Some(prefix) if requirement.conda.is_some() => (floor, format!("={prefix}")),
                _ => (floor, text),
            }
        })
        .collect();
    // Stable: floors, then the rest, each in the order the specifiers give them.
    parts.sort_by_key(|(floor, _)| !floor);
    parts
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(separator)
}

/// The requirement's text with `edit` made in it, when the edit lies within it.
pub(super) fn spliced(requirement: &Requirement, edit: &Edit) -> Option<String> {
    let whole = &requirement.location;
    if !std::sync::Arc::ptr_eq(&whole.file, &edit.location.file)
        || edit.location.span.start < whole.span.start
        || edit.location.span.end > whole.span.end
    {
        return None;
    }
    let text = whole.text();
    let start = (edit.location.span.start - whole.span.start) as usize;
    let end = (edit.location.span.end - whole.span.start) as usize;
    Some(format!(
        "{}{}{}",
        text.get(..start)?,
        edit.replacement,
        text.get(end..)?
    ))
}

/// The edit that gives `requirement` new specifiers: its version part replaced, or, for a bare name, the
/// specifiers written after it. `None` for a requirement with extras, a marker or a URL and no version part.
pub(super) fn edit(requirement: &Requirement, specifiers: &VersionSpecifiers) -> Option<Edit> {
    let replacement = written(specifiers, requirement);
    if let Some(at) = requirement.version_location.as_ref() {
        // Conda and Poetry write a version part with a space before it at times (`numpy >=1.21`): kept.
        return Some(Edit {
            location: at.clone(),
            replacement,
        });
    }
    let at = &requirement.location;
    let bare = at
        .text()
        .chars()
        .all(|character| character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.'));
    if !bare {
        return None;
    }
    let end = at.span.end as usize;
    let replacement = if requirement.conda.is_some() {
        format!(" {replacement}")
    } else {
        replacement
    };
    Some(Edit {
        location: Location::new(at.file.clone(), Span::from_range(end..end)),
        replacement,
    })
}

/// The edit that adds a requirement at the end of a requirements file; `None` for other formats, whose new
/// entries need the file's own syntax.
pub(super) fn added_edit(manifest: &Manifest, line: &str) -> Option<Edit> {
    let root = manifest.sources.first()?;
    let in_requirements = manifest.requirements.iter().any(|requirement| {
        requirement.origin.section == Section::Requirements
            && requirement.location.file.path() == root.path()
    });
    if !in_requirements {
        return None;
    }
    let text = root.text();
    let end = text.len();
    let replacement = if text.is_empty() || text.ends_with('\n') {
        format!("{line}\n")
    } else {
        format!("\n{line}\n")
    };
    Some(Edit {
        location: Location::new(root.clone(), Span::from_range(end..end)),
        replacement,
    })
}

/// The releases of the goal's package that satisfy the goal.
fn goal_versions<'a>(index: &'a Index, goal: &'a Goal) -> impl Iterator<Item = &'a Version> + 'a {
    index
        .package(&goal.name)
        .map(nplint_index::Package::releases)
        .unwrap_or_default()
        .iter()
        .filter(|release| !release.is_prerelease() && !release.is_yanked())
        .map(nplint_index::Release::version)
        .filter(|version| goal.specifiers.contains(version))
}

/// Why `name==was` cannot stay with the goal: what it requires of the goal's package, the runtime fact that
/// excludes it, or the targets it has no wheel for.
#[allow(clippy::too_many_arguments)]
pub(super) fn because<'a>(
    index: &Index,
    solver: &Solver,
    goal: &Goal,
    name: &PackageName,
    was: Option<&Version>,
    requirement: &Requirement,
    targets: &[Target],
    solver_of: impl Fn(Target) -> &'a Solver,
) -> String {
    if name == &goal.name {
        return format!("`{}` does not admit `{goal}`", requirement.display());
    }
    let Some(was) = was else {
        return format!("`{}` does not install with `{goal}`", requirement.display());
    };
    let release = index.package(name).and_then(|package| package.release(was));
    if release.is_none()
        && crate::Knowledge::of(index, requirement) == crate::Knowledge::NoSuchRelease
    {
        return format!(
            "`{}` pins a version of which `{name}` has no release (`nonexistent-release`)",
            requirement.display()
        );
    }
    if let Some(release) = release
        && let Some(required) = release.requirement_on(&goal.name, solver.target(), &[])
        && !goal_versions(index, goal).any(|version| required.contains(version))
    {
        return format!("`{name}=={was}` requires `{}{required}`", goal.name);
    }
    // What the wheels' binaries say does not hold for a package conda installs (conda builds its own); what
    // conda-forge's repodata patches add to its NumPy requirement does.
    let conda = crate::conda::installed_from_conda(requirement);
    if conda && let Some(release) = release {
        for (_, bound) in nplint_index::conda::bounds_for(name) {
            if bound.covers(release)
                && !goal_versions(index, goal).any(|version| bound.numpy.contains(version))
            {
                return format!(
                    "conda-forge's builds of `{name}=={was}` require `{}{}` (repodata patch `{}`)",
                    goal.name,
                    bound.numpy_text,
                    bound.patch_name()
                );
            }
        }
    }
    for node in solver.runtime_facts(name, was).iter() {
        if conda && node.fact.kind == nplint_index::FactKind::Abi {
            continue;
        }
        if !goal_versions(index, goal).any(|version| node.fact.works.contains(version)) {
            let mut text = format!("`{name}=={was}` {}", node.fact.predicate);
            // The references of a curated fact; a fact read from the wheel says so in its predicate.
            let scanned = matches!(
                node.fact.evidence,
                nplint_index::Evidence::Binary { .. }
                    | nplint_index::Evidence::Source { .. }
                    | nplint_index::Evidence::Call { .. }
            );
            if !scanned && !node.fact.references.is_empty() {
                let _ = write!(text, " (see {})", node.fact.references.join(", "));
            }
            return text;
        }
    }
    if let Some(release) = release {
        let excluded: Vec<Target> = targets
            .iter()
            .copied()
            .filter(|target| {
                release
                    .requires_python(target.platform)
                    .and_then(nplint_index::Parsed::value)
                    .is_some_and(|python| !python.contains(&target.python.version()))
            })
            .collect();
        if let Some(python) = excluded.first().and_then(|target| {
            release
                .requires_python(target.platform)
                .and_then(nplint_index::Parsed::value)
        }) {
            return format!(
                "`{name}=={was}` requires Python `{python}`, which leaves out {}",
                targets_text(&excluded)
            );
        }
    }
    // Wheels decide nothing for a package conda installs.
    let missing: Vec<Target> = targets
        .iter()
        .copied()
        .filter(|&target| !conda && !solver_of(target).installable(name, was))
        .collect();
    if !missing.is_empty() {
        return format!(
            "`{name}=={was}` has no wheel for {}",
            targets_text(&missing)
        );
    }
    format!("`{name}=={was}` does not install with `{goal}` and the other requirements")
}

/// What a move gives, in words (the requirement as it becomes is shown beside it).
pub(super) fn gives(
    candidate: &Candidate,
    name: &PackageName,
    now: Option<&Version>,
    goal: &Goal,
) -> String {
    let to = candidate
        .to
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    let picked = match now {
        Some(now) if now.to_string() != to => format!("; a resolver picks {now}"),
        _ => String::new(),
    };
    match candidate.kind {
        ChangeKind::Goal => format!("states the goal, `{goal}`{picked}"),
        ChangeKind::Pin => format!("the oldest newer release that works with `{goal}`{picked}"),
        ChangeKind::Downgrade => format!(
            "the newest older release that works with `{goal}` (a downgrade: no newer release does){picked}"
        ),
        ChangeKind::RaiseCap => format!(
            "admits `{name}` {to}, the oldest release past the cap that works with `{goal}`{picked}"
        ),
        ChangeKind::RaiseFloor => {
            format!("keeps a resolver from older releases: {to} is the oldest that works{picked}")
        }
        ChangeKind::AddTransitive => format!("`{name}>={to}`"),
    }
}

/// Why `input`'s package keeps the environment from the goal on the solver's target whatever its version: its
/// newest release that installs there, with what it requires or the fact that breaks it; or that none installs.
pub(super) fn blocked(index: &Index, solver: &Solver, goal: &Goal, input: &Input) -> String {
    let target = solver.target();
    let Some(package) = index.package(&input.name) else {
        return format!("`{}` is not in nplint's index", input.name);
    };
    let finals = || {
        package
            .releases()
            .iter()
            .rev()
            .filter(|release| !release.is_prerelease() && !release.is_yanked())
    };
    if input.name == goal.name {
        // The goal's own package: no release in the goal installs here.
        let Some(oldest) = finals().rfind(|release| goal.specifiers.contains(release.version()))
        else {
            return format!("no release of `{}` is in `{goal}`", goal.name);
        };
        let python = oldest
            .requires_python(target.platform)
            .and_then(nplint_index::Parsed::value)
            .filter(|python| !python.contains(&target.python.version()))
            .map_or_else(String::new, |python| {
                format!(", which requires Python `{python}`")
            });
        return format!(
            "no release in `{goal}` installs there with the file's other requirements: the oldest is `{}=={}` ({}){python}",
            goal.name,
            oldest.version(),
            oldest.upload_date()
        );
    }
    let Some(newest) =
        finals().find(|release| input.conda || solver.installable(&input.name, release.version()))
    else {
        return match finals().next() {
            Some(release) => format!(
                "no release of `{}` installs there: its newest, {} ({}), has no wheel for it",
                input.name,
                release.version(),
                release.upload_date()
            ),
            None => format!("`{}` has no final release", input.name),
        };
    };
    let head = format!(
        "its newest release that installs there, `{}=={}` ({})",
        input.name,
        newest.version(),
        newest.upload_date()
    );
    if let Some(required) = newest.requirement_on(&goal.name, target, &[])
        && !goal_versions(index, goal).any(|version| required.contains(version))
    {
        return format!("{head}, requires `{}{required}`", goal.name);
    }
    for node in solver.runtime_facts(&input.name, newest.version()).iter() {
        if !goal_versions(index, goal).any(|version| node.fact.works.contains(version)) {
            return format!("{head}, {}", node.fact.predicate);
        }
    }
    format!("{head}, does not install with `{goal}` and the file's other requirements")
}
