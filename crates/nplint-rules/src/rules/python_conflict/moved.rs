//! The fix that moves one of the user's own requirements taking part in a `python-conflict` to a release with
//! which the environment installs where it failed: a pin to the nearest such release, a floor lowered, a cap
//! raised, each verified by solving the changed requirements again.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::str::FromStr;

use nplint_diagnostics::{Applicability, Edit, Fix};
use nplint_index::{Platform, PythonVersion, Target, Version, VersionSpecifiers};
use nplint_solver::{Input, Role};

use crate::finding::{Context, Group, voice};
use crate::runtime;
use crate::wording::{and_list, python_list};

/// What a requirement's specifiers say, where the fix can move it.
enum Shape {
    /// `==1.2.3`: replaced by another pin.
    Pin(Version),
    /// `>=1.2` (or `>1.2`, or several): lowered, since a higher floor only leaves out more.
    Floor(Version),
    /// `<1.19` (or `<=1.19`, or several): raised, since a lower cap only leaves out more.
    Cap { version: Version, inclusive: bool },
}

impl Shape {
    fn of(input: &Input) -> Option<Self> {
        if let Some(version) = input.pin() {
            return Some(Shape::Pin(version.clone()));
        }
        let specifiers: Vec<(String, &Version)> = input
            .specifiers
            .iter()
            .map(|specifier| (specifier.operator().to_string(), specifier.version()))
            .collect();
        if specifiers.is_empty() {
            return None;
        }
        if specifiers
            .iter()
            .all(|(operator, _)| matches!(operator.as_str(), ">" | ">="))
        {
            let floor = specifiers.iter().map(|&(_, version)| version).max()?;
            return Some(Shape::Floor(floor.clone()));
        }
        if specifiers
            .iter()
            .all(|(operator, _)| matches!(operator.as_str(), "<" | "<="))
        {
            let (operator, cap) = specifiers.iter().min_by_key(|&&(_, version)| version)?;
            return Some(Shape::Cap {
                version: (*cap).clone(),
                inclusive: operator == "<=",
            });
        }
        None
    }

    /// The releases to try, nearest first: for a pin the newer ones, oldest first, then the older ones, newest
    /// first (a downgrade only when no upgrade works); for a floor the older ones, newest first; for a cap the
    /// newer ones, oldest first.
    fn candidates<'a>(&self, releases: &'a [Version]) -> Vec<&'a Version> {
        match self {
            Shape::Pin(pinned) => releases
                .iter()
                .filter(|version| *version > pinned)
                .chain(releases.iter().rev().filter(|version| *version < pinned))
                .collect(),
            Shape::Floor(floor) => releases
                .iter()
                .rev()
                .filter(|version| *version < floor)
                .collect(),
            Shape::Cap { version, inclusive } => releases
                .iter()
                .filter(|candidate| {
                    if *inclusive {
                        *candidate > version
                    } else {
                        *candidate >= version
                    }
                })
                .collect(),
        }
    }

    /// The specifiers that replace the requirement's.
    fn replacement(&self, to: &Version) -> String {
        match self {
            Shape::Pin(_) => format!("=={to}"),
            Shape::Floor(_) => format!(">={to}"),
            Shape::Cap { .. } => format!("<={to}"),
        }
    }

    /// What the fix does, and why this release: "pin `pandas==2.3.0`, the oldest release after 2.2.0 with which
    /// these requirements install on ...".
    fn message(&self, name: &str, to: &Version, on: &str, farthest: bool) -> String {
        if farthest {
            // Tried after the nearest ones: what lies between is not known to serve less.
            let (change, which) = match self {
                Shape::Pin(_) => (format!("pin `{name}=={to}`"), "newest"),
                Shape::Floor(_) => (format!("lower the floor to `{name}>={to}`"), "oldest"),
                Shape::Cap { .. } => (format!("raise the cap to `{name}<={to}`"), "newest"),
            };
            return format!(
                "{change}, the {which} release, with which these requirements install {on}"
            );
        }
        match self {
            Shape::Pin(pinned) if to > pinned => format!(
                "pin `{name}=={to}`, the oldest release after {pinned} with which these requirements install {on}"
            ),
            Shape::Pin(pinned) => format!(
                "pin `{name}=={to}`, the newest release before {pinned} with which these requirements install {on}"
            ),
            Shape::Floor(_) => format!(
                "lower the floor to `{name}>={to}`, the highest with which these requirements install {on}"
            ),
            Shape::Cap { .. } => format!(
                "raise the cap to `{name}<={to}`, the lowest with which these requirements install {on}"
            ),
        }
    }
}

/// One of the user's requirements taking part in the conflict, moved (see [`Shape`]) to the release nearest to
/// what it says with which the environment installs, with no runtime finding, on every target of the finding
/// and on every target where it installs and works now; the requirements of packages without an installable
/// release are tried first. Where no release of any of them serves every target of the finding (a Python that
/// no release of the package has wheels for yet), the one that serves the most, and the message names the
/// targets left failing. `None` for a lockfile (its tool writes it; its `help:` names the command) and when no
/// release serves a target of the finding.
pub(super) fn fix(cx: &Context, group: &Group) -> Option<Fix> {
    if voice(cx.manifest) == nplint_solver::Voice::Lock {
        return None;
    }
    // Where the environment works now, which the change must keep.
    let working: Vec<Target> = cx
        .installing
        .iter()
        .flat_map(|(&platform, pythons)| {
            pythons
                .iter()
                .map(move |&python| Target::new(python, platform))
        })
        .filter(|target| !cx.breaking.contains(target))
        .collect();
    let unavailable = super::unavailable_names(&group.first);
    let mut movable: Vec<&Input> = group
        .first
        .inputs
        .iter()
        .filter_map(|&id| cx.inputs.iter().find(|input| input.id == id))
        .filter(|input| input.role == Role::Requirement)
        .collect();
    // Stable: in the file's order among each kind.
    movable.sort_by_key(|input| !unavailable.contains(input.name.as_ref()));
    let mut best: Option<Move> = None;
    for input in movable {
        let search = Search {
            cx,
            input,
            working: &working,
        };
        if search.improve(&group.targets, &mut best) {
            break;
        }
    }
    let best = best?;
    let unserved: Vec<Target> = group
        .targets
        .iter()
        .copied()
        .filter(|target| !best.served.contains(target))
        .collect();
    let mut message = best.message;
    if !unserved.is_empty() {
        let _ = write!(message, " (they still fail {})", on(&unserved));
    }
    Some(Fix {
        message,
        applicability: Applicability::Unsafe,
        edits: vec![best.edit],
    })
}

/// Releases solved per requirement, nearest first (and then the farthest): enough to step over a few minor
/// versions, and a bound on the solves a requirement no release helps can cost.
const TRIES: usize = 20;

/// The best move found so far, and the targets of the finding it serves.
struct Move {
    message: String,
    edit: Edit,
    served: Vec<Target>,
    /// The requirement moved, and the move's place in its nearest-first order.
    input: usize,
    index: usize,
}

/// The moves of one requirement.
struct Search<'a> {
    cx: &'a Context<'a>,
    input: &'a Input,
    /// Where the environment installs and works now.
    working: &'a [Target],
}

impl Search<'_> {
    /// Replaces `best` by a move of this requirement that serves more of `targets`, nearest first; `true` when
    /// no move of any requirement can serve more.
    fn improve(&self, targets: &[Target], best: &mut Option<Move>) -> bool {
        let cx = self.cx;
        let input = self.input;
        let requirement = &cx.manifest.requirements[input.id];
        let (Some(at), Some(shape), Some(package)) = (
            requirement.version_location.as_ref(),
            Shape::of(input),
            cx.solvers.index().package(&input.name),
        ) else {
            return false;
        };
        // Where any release of the package can serve: with the requirement dropped, the others install there. No
        // release serves elsewhere, whatever is tried.
        let possible: Vec<Target> = targets
            .iter()
            .copied()
            .filter(|&target| cx.solvers.get(target).solve(&self.with(None)).is_solved())
            .collect();
        let releases: Vec<Version> = package
            .releases()
            .iter()
            .filter(|release| !release.is_prerelease() && !release.is_yanked())
            .map(|release| release.version().clone())
            .collect();
        let served_best = |best: &Option<Move>| best.as_ref().map_or(0, |best| best.served.len());
        // A release that installs on none of those targets is passed over: a pin to it serves none, and a floor
        // lowered (a cap raised) to it admits no release there that the one before did not.
        let all: Vec<&Version> = shape
            .candidates(&releases)
            .into_iter()
            .filter(|to| possible.iter().any(|&target| self.pinnable(to, target)))
            .collect();
        // The nearest, then the farthest one way (the newest for a pin or a cap, the oldest for a floor), which
        // most often serves a Python the nearest ones do not.
        let mut candidates: Vec<&Version> = all.iter().copied().take(TRIES).collect();
        let farthest = match shape {
            Shape::Pin(ref pinned) => all.iter().copied().filter(|to| *to > pinned).max(),
            Shape::Floor(_) | Shape::Cap { .. } => all.last().copied(),
        };
        if let Some(farthest) = farthest.filter(|farthest| !candidates.contains(farthest)) {
            candidates.push(farthest);
        }
        let nearest = candidates.len().min(TRIES);
        // Each candidate with the targets it could serve at most (those it has a release for), the most promising
        // first and the nearest among equals: once no candidate left could serve more than the best so far (or as
        // many from nearer), the search stops. The move kept is the one the nearest-first order would keep: the
        // nearest of those that serve the most.
        let mut ranked: Vec<(usize, &Version, Vec<Target>)> = candidates
            .into_iter()
            .enumerate()
            .map(|(index, to)| {
                let reachable: Vec<Target> = possible
                    .iter()
                    .copied()
                    .filter(|&target| !matches!(shape, Shape::Pin(_)) || self.pinnable(to, target))
                    .collect();
                (index, to, reachable)
            })
            .collect();
        ranked.sort_by_key(|(index, _, reachable)| (std::cmp::Reverse(reachable.len()), *index));
        for (index, to, reachable) in ranked {
            // A tie replaces the best only when it is a nearer move of the same requirement.
            let nearer = |best: &Option<Move>| {
                best.as_ref()
                    .is_some_and(|best| best.input == input.id && index < best.index)
            };
            let to_beat = served_best(best) + usize::from(best.is_some() && !nearer(best));
            if reachable.len() < to_beat.max(1) {
                break;
            }
            let Ok(specifiers) = VersionSpecifiers::from_str(&shape.replacement(to)) else {
                continue;
            };
            // Solved until it can no longer serve enough.
            let moved = self.with(Some(&specifiers));
            let mut served = Vec::new();
            for (tried, &target) in reachable.iter().enumerate() {
                if served.len() + (reachable.len() - tried) < to_beat {
                    break;
                }
                if installs_and_works(cx, &moved, target) {
                    served.push(target);
                }
            }
            if served.len() < to_beat.max(1)
                || !self
                    .working
                    .iter()
                    .all(|&target| installs_and_works(cx, &moved, target))
            {
                continue;
            }
            *best = Some(Move {
                message: shape.message(input.name.as_ref(), to, &on(&served), index >= nearest),
                edit: Edit {
                    location: at.clone(),
                    replacement: shape.replacement(to),
                },
                served,
                input: input.id,
                index,
            });
        }
        served_best(best) == targets.len()
    }

    /// Whether the release can install on `target` at all.
    fn pinnable(&self, version: &Version, target: Target) -> bool {
        self.cx
            .solvers
            .get(target)
            .installable(&self.input.name, version)
    }

    /// The environment's requirements with this one's specifiers replaced (`None`: any version).
    fn with(&self, specifiers: Option<&VersionSpecifiers>) -> Vec<Input> {
        self.cx
            .inputs
            .iter()
            .map(|other| {
                let mut other = other.clone();
                if other.id == self.input.id {
                    other.specifiers = specifiers.cloned().unwrap_or_default();
                }
                other
            })
            .collect()
    }
}

/// Whether `inputs` install on `target` with no runtime finding: the declared resolution, as a resolver picks it,
/// works once installed.
fn installs_and_works(cx: &Context, inputs: &[Input], target: Target) -> bool {
    runtime::resolves_and_works(cx.solvers.index(), cx.solvers.get(target), inputs)
}

/// `on Python 3.13 and 3.14 on linux-x86_64 and macos-arm64`: the targets, always named (a fix is read alone).
fn on(targets: &[Target]) -> String {
    let pythons: BTreeSet<PythonVersion> = targets.iter().map(|target| target.python).collect();
    let platforms: BTreeSet<Platform> = targets.iter().map(|target| target.platform).collect();
    let platforms: Vec<String> = platforms.iter().map(ToString::to_string).collect();
    format!(
        "on Python {} on {}",
        python_list(&pythons.into_iter().collect::<Vec<_>>()),
        and_list(&platforms)
    )
}
