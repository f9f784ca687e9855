//! What a solve returns, as data: the versions chosen, or pubgrub's derivation of why there are none; and in
//! both cases what the solve could not check.

use std::collections::BTreeMap;
use std::fmt;

use nplint_index::{Index, Platform, PythonVersion, Target, WheelPythonRange};
use pep440_rs::Version;
use pep508_rs::PackageName;
use pubgrub::DerivationTree;
use version_ranges::Ranges;

use crate::package::SolverPackage;

/// pubgrub's explanation of a conflict, over the solver's packages.
pub(crate) type Derivation = DerivationTree<SolverPackage, Ranges<Version>, Unavailable>;

/// Why a release that exists cannot be installed on the target: pubgrub's custom incompatibility reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// A release of a compiled package without a wheel for the target's Python and platform. Building it from
    /// source is not modelled: for an old compiled release on a newer Python it practically never works.
    NoWheel {
        python: PythonVersion,
        platform: Platform,
        /// The CPython versions its wheels for the platform cover, `None` without any wheel for the platform.
        wheels: Option<WheelPythonRange>,
    },
    /// Every file of the release is yanked, and no input pins it exactly.
    Yanked { reason: Option<&'static str> },
    /// A release of a compiled package (one that ships wheels in other releases) with only a source distribution.
    SourceOnly,
}

impl Unavailable {
    /// Whether two reasons say the same of a release, the target they were found on left aside: "has wheels for
    /// CPython 3.6-3.9 only" on one platform is the same reason on another.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::NoWheel { wheels: a, .. }, Self::NoWheel { wheels: b, .. }) => a == b,
            (Self::Yanked { reason: a }, Self::Yanked { reason: b }) => {
                stated_reason(*a) == stated_reason(*b)
            }
            (Self::SourceOnly, Self::SourceOnly) => true,
            _ => false,
        }
    }

    /// Hashes what [`Self::same_as`] compares.
    pub(crate) fn hash_target_free<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash as _;
        std::mem::discriminant(self).hash(state);
        match self {
            Self::NoWheel { wheels, .. } => wheels.hash(state),
            Self::Yanked { reason } => stated_reason(*reason).hash(state),
            Self::SourceOnly => {}
        }
    }
}

/// A yank's reason as messages state it: an empty one is none.
fn stated_reason(reason: Option<&'static str>) -> Option<&'static str> {
    reason.filter(|reason| !reason.is_empty())
}

impl fmt::Display for Unavailable {
    /// The predicate of "`numpy==1.19.5` has wheels for CPython 3.6-3.9 only".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::NoWheel {
                platform,
                wheels: Some(wheels),
                ..
            } => write!(f, "has wheels for CPython {wheels} only on {platform}"),
            Unavailable::NoWheel {
                platform,
                wheels: None,
                ..
            } => write!(f, "has no wheels for {platform}"),
            Unavailable::Yanked { reason } => match stated_reason(*reason) {
                Some(reason) => write!(f, "was yanked (reason: {reason})"),
                None => f.write_str("was yanked"),
            },
            Unavailable::SourceOnly => {
                f.write_str("has no wheels, only a source distribution that would need building")
            }
        }
    }
}

/// The result of solving an environment's inputs on one target.
#[derive(Debug, Clone)]
pub enum Outcome {
    Solved(Solution),
    Conflict(Box<Conflict>),
}

impl Outcome {
    pub fn is_solved(&self) -> bool {
        matches!(self, Outcome::Solved(_))
    }

    /// The ids of the inputs naming packages the index does not know: left out of the solve.
    pub fn unknown(&self) -> &[usize] {
        match self {
            Outcome::Solved(solution) => &solution.unknown,
            Outcome::Conflict(conflict) => &conflict.unknown,
        }
    }

    pub fn as_solution(&self) -> Option<&Solution> {
        match self {
            Outcome::Solved(solution) => Some(solution),
            Outcome::Conflict(_) => None,
        }
    }

    pub fn as_conflict(&self) -> Option<&Conflict> {
        match self {
            Outcome::Solved(_) => None,
            Outcome::Conflict(conflict) => Some(conflict),
        }
    }
}

/// A set of versions that satisfies every input on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// One version of every package installed (extras are folded into their package).
    pub versions: BTreeMap<PackageName, Version>,
    /// Ids of the inputs left out of the solve: naming a package outside the index, or admitting only releases
    /// older than its history.
    pub unknown: Vec<usize>,
    /// Chosen releases whose metadata the index could not read: their dependencies are unknown and were taken to
    /// be none.
    pub metadata_unknown: Vec<(PackageName, Version)>,
}

/// Why the inputs cannot be installed together on the target.
#[derive(Clone)]
pub struct Conflict {
    /// The index the solve read: what an explanation says of releases comes from it.
    pub index: &'static Index,
    /// The target the conflict holds on.
    pub target: Target,
    /// pubgrub's derivation tree, unsimplified (see [`explain`](mod@crate::explain)); read outside this crate
    /// through [`Conflict::causes`].
    pub(crate) derivation: Derivation,
    /// Ids of the inputs whose package takes part in the derivation, ascending: the lines to label.
    pub inputs: Vec<usize>,
    /// Ids of the inputs left out of the solve: naming a package outside the index, or admitting only releases
    /// older than its history.
    pub unknown: Vec<usize>,
    /// Releases met during the solve whose metadata the index could not read (dependencies taken to be none),
    /// of packages that take part in the derivation.
    pub metadata_unknown: Vec<(PackageName, Version)>,
    /// The packages installed from conda ([`crate::Input::conda`]): what the derivation says of them from PyPI
    /// metadata is said so.
    pub conda: Vec<PackageName>,
}

/// Every field but the index, which is the whole package index.
impl fmt::Debug for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conflict")
            .field("target", &self.target)
            .field("derivation", &self.derivation)
            .field("inputs", &self.inputs)
            .field("unknown", &self.unknown)
            .field("metadata_unknown", &self.metadata_unknown)
            .field("conda", &self.conda)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_the_same_as_messages_state_them() {
        let yanked = |reason| Unavailable::Yanked { reason };
        assert!(yanked(None).same_as(&yanked(Some(""))));
        assert_eq!(yanked(Some("")).to_string(), "was yanked");
        assert!(!yanked(None).same_as(&yanked(Some("broken"))));
        let no_wheel = |python, platform| Unavailable::NoWheel {
            python: PythonVersion::new(3, python),
            platform,
            wheels: None,
        };
        // The target a reason was found on is left aside.
        assert!(no_wheel(12, Platform::LinuxX86_64).same_as(&no_wheel(13, Platform::MacosArm64)));
        assert!(!no_wheel(12, Platform::LinuxX86_64).same_as(&Unavailable::SourceOnly));
    }
}
