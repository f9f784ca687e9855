//! Reusing a solve on another target: record what pubgrub asked of the provider, ask another target's provider the
//! same, and when every answer is the same, the outcome is the same.
//!
//! pubgrub is deterministic: its state is a function of the answers it gets (`prioritize` depends only on the
//! package, its range and pubgrub's own statistics). So if a second target's provider answers the recorded
//! questions, in order, exactly as the first one did, a solve there would take the same steps to the same end, and
//! the answers cost a fraction of the solve (most of a solve is pubgrub's own bookkeeping). Files that state no
//! Python are solved on up to 30 targets, and neighbouring targets (another platform, the next CPython) often
//! answer alike.
//!
//! One answer differs by construction: the version of `python`, the target's own. It is compared by whether the
//! range admits it. That is enough: every range of `python` that pubgrub meets comes from the root (which admitted
//! both targets' Pythons when `python` was decided, right after the root) or from a release whose
//! `Requires-Python` excludes the target (`Facts::RequiresPython`), an answer compared in full, which then excludes
//! both; and whatever pubgrub derives from such ranges holds of both Pythons alike.

use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};
use std::cell::RefCell;
use std::convert::Infallible;

use pep440_rs::Version;

use crate::outcome::Unavailable;
use crate::package::SolverPackage;
use crate::provider::{Provider, Range};

/// One question pubgrub asked, and the answer.
#[derive(Debug, Clone)]
enum Step {
    Choose {
        package: SolverPackage,
        range: Range,
        answer: Option<Version>,
    },
    Dependencies {
        package: SolverPackage,
        version: Version,
        answer: Answer,
    },
}

/// [`Dependencies`], which implements no equality.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Unavailable(Unavailable),
    Available(Vec<(SolverPackage, Range)>),
}

impl Answer {
    fn of(dependencies: &Dependencies<SolverPackage, Range, Unavailable>) -> Self {
        match dependencies {
            Dependencies::Unavailable(reason) => Self::Unavailable(reason.clone()),
            Dependencies::Available(constraints) => {
                Self::Available(constraints.iter().cloned().collect())
            }
        }
    }
}

/// The questions and answers of one solve, in order.
///
/// pubgrub's state is a function of the answers it gets, so a target whose provider gives the same answers to the
/// same questions reaches the same outcome; `python`'s version, the target's own, is compared by whether the range
/// admits it (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    steps: Vec<Step>,
}

impl Transcript {
    /// Whether `provider` answers every recorded question as the recording's provider did.
    pub(crate) fn agrees(&self, provider: &Provider<'_>) -> bool {
        self.steps.iter().all(|step| match step {
            Step::Choose {
                package,
                range,
                answer,
            } => {
                let Ok(mine) = provider.choose_version(package, range);
                match package {
                    SolverPackage::Python => mine.is_some() == answer.is_some(),
                    _ => mine == *answer,
                }
            }
            Step::Dependencies {
                package,
                version,
                answer,
            } => {
                if *package == SolverPackage::Python {
                    // `python` has no dependencies, whatever its version.
                    return true;
                }
                let Ok(mine) = provider.get_dependencies(package, version);
                Answer::of(&mine) == *answer
            }
        })
    }
}

/// A provider that records what it is asked.
pub(crate) struct Recorder<'p, 'a> {
    provider: &'p Provider<'a>,
    steps: RefCell<Vec<Step>>,
}

impl<'p, 'a> Recorder<'p, 'a> {
    pub fn new(provider: &'p Provider<'a>) -> Self {
        Self {
            provider,
            steps: RefCell::default(),
        }
    }

    pub fn transcript(self) -> Transcript {
        Transcript {
            steps: self.steps.into_inner(),
        }
    }
}

impl DependencyProvider for Recorder<'_, '_> {
    type P = SolverPackage;
    type V = Version;
    type VS = Range;
    type M = Unavailable;
    type Priority = <Provider<'static> as DependencyProvider>::Priority;
    type Err = Infallible;

    fn prioritize(
        &self,
        package: &SolverPackage,
        range: &Range,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        self.provider.prioritize(package, range, statistics)
    }

    fn choose_version(
        &self,
        package: &SolverPackage,
        range: &Range,
    ) -> Result<Option<Version>, Infallible> {
        let answer = self.provider.choose_version(package, range)?;
        self.steps.borrow_mut().push(Step::Choose {
            package: package.clone(),
            range: range.clone(),
            answer: answer.clone(),
        });
        Ok(answer)
    }

    fn get_dependencies(
        &self,
        package: &SolverPackage,
        version: &Version,
    ) -> Result<Dependencies<SolverPackage, Range, Unavailable>, Infallible> {
        let answer = self.provider.get_dependencies(package, version)?;
        self.steps.borrow_mut().push(Step::Dependencies {
            package: package.clone(),
            version: version.clone(),
            answer: Answer::of(&answer),
        });
        Ok(answer)
    }
}
