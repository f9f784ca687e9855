//! Solving one environment over many targets: one [`Solver`] per target, shared by every environment of a run,
//! and the replay policy that lets a target take a neighbour's outcome without running pubgrub.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use nplint_index::Index;

use crate::{Input, Mode, Outcome, Solver, Target, Transcript};

/// A solver for each of a fixed set of targets over one index, each made on first use (a run over one file
/// needs three of the fifty, and each holds a table per package). `Sync`: files checked in parallel share it.
#[derive(Debug)]
pub struct Solvers {
    index: &'static Index,
    solvers: BTreeMap<Target, OnceLock<Solver>>,
}

impl Solvers {
    /// Solvers over `index` for `targets`.
    pub fn new(index: &'static Index, targets: impl IntoIterator<Item = Target>) -> Self {
        Self {
            index,
            solvers: targets
                .into_iter()
                .map(|target| (target, OnceLock::new()))
                .collect(),
        }
    }

    /// The index every solver reads.
    pub fn index(&self) -> &'static Index {
        self.index
    }

    /// The solver for `target`.
    ///
    /// # Panics
    /// When `target` is not one of those the set was made for: a caller's bug.
    pub fn get(&self, target: Target) -> &Solver {
        self.solvers
            .get(&target)
            .unwrap_or_else(|| panic!("no solver for {target}: not among the targets asked for"))
            .get_or_init(|| Solver::new(self.index, target))
    }

    /// Whether the set was made for `target`.
    pub fn contains(&self, target: Target) -> bool {
        self.solvers.contains_key(&target)
    }

    /// How many solvers have been made so far.
    pub fn made(&self) -> usize {
        self.solvers
            .values()
            .filter(|solver| solver.get().is_some())
            .count()
    }

    /// `inputs` solved on each of `targets` in order (Python-major), by declared metadata ([`Mode::Declared`]),
    /// reusing a neighbour's solve where the target's facts answer every question of it alike
    /// ([`Solver::replay`]): the same Python on the first platform solved, or the previous Python on the same
    /// platform.
    pub fn solve_targets(&self, inputs: &[Input], targets: &[Target]) -> Vec<(Target, Outcome)> {
        // The solves made, and for each target done, the solve whose outcome it has.
        let mut recorded: Vec<(Outcome, Transcript)> = Vec::new();
        let mut done: Vec<(Target, usize)> = Vec::with_capacity(targets.len());
        let mut outcomes = Vec::with_capacity(targets.len());
        for &target in targets {
            let solver = self.get(target);
            let mut neighbours: Vec<usize> = Vec::with_capacity(2);
            for &(other, at) in done.iter().rev() {
                if (other.python == target.python || other.platform == target.platform)
                    && !neighbours.contains(&at)
                {
                    neighbours.push(at);
                    if neighbours.len() == 2 {
                        break;
                    }
                }
            }
            let replayed = neighbours.iter().find_map(|&at| {
                let (outcome, transcript) = &recorded[at];
                solver
                    .replay(inputs, Mode::Declared, transcript, outcome)
                    .map(|outcome| (at, outcome))
            });
            let outcome = if let Some((at, outcome)) = replayed {
                done.push((target, at));
                outcome
            } else {
                let (outcome, transcript) = solver.solve_recorded(inputs, Mode::Declared);
                done.push((target, recorded.len()));
                recorded.push((outcome.clone(), transcript));
                outcome
            };
            outcomes.push((target, outcome));
        }
        outcomes
    }
}
