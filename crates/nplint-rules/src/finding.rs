//! What the rules that report a solve's outcome share: the context of one environment's findings
//! ([`Context`]: what was checked, where it installs and fails), the conflicts grouped across targets, and the
//! parts every such diagnostic has (labels on the lines taking part, where it holds, its targets). Each rule builds
//! its own message and `help:` from these (`rules/<rule>.rs`); shared wording is in [`crate::wording`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use nplint_diagnostics::{Diagnostic, Fix, Location, RuleId, Severity};
use nplint_index::{Platform, PythonVersion, Target, VersionSpecifiers};
use nplint_manifest::{Manifest, Requirement, Section};
use nplint_solver::{Cause, Conflict, Input, SolverPackage, Solvers, Voice, explain_with};

use crate::targets::{Pythons, numpy_name};
use crate::wording::{and_list, python_list};

/// The Pythons an environment is checked on when it installs on no supported one, and what the findings say of
/// them: "these requirements install on", "`tensorflow==2.5.0` installs on".
#[derive(Debug, Default)]
pub(crate) struct Fallback {
    pub pythons: Vec<PythonVersion>,
    /// Who installs on them: "these requirements install on", "`tensorflow==2.5.0` installs on".
    pub subject: String,
    /// The Pythons are those the pins install on (the environment installs nowhere).
    pub pins: bool,
}

/// Which rule a conflict belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A package, NumPy included, has no installable release on the target's Python or platform.
    Python,
    /// The requirements on NumPy cannot be met together.
    Numpy,
}

impl Kind {
    /// `None` for a conflict that involves neither NumPy nor the target: outside nplint's rules.
    pub(crate) fn of(conflict: &Conflict) -> Option<Self> {
        let mut numpy = false;
        let mut python = false;
        for cause in conflict.causes() {
            match cause {
                Cause::Unavailable { .. } => python = true,
                Cause::NoVersions { package, range } => {
                    python |=
                        *package == SolverPackage::Python || conflict.uninstallable(package, range);
                    numpy |= is_numpy(package);
                }
                Cause::Root { package } => {
                    python |= *package == SolverPackage::Python;
                    numpy |= is_numpy(package);
                }
                Cause::Dependency {
                    package,
                    dependency,
                    ..
                } => {
                    python |=
                        *dependency == SolverPackage::Python && *package != SolverPackage::Root;
                    numpy |= is_numpy(package) || is_numpy(dependency);
                }
            }
        }
        if python {
            Some(Kind::Python)
        } else if numpy {
            Some(Kind::Numpy)
        } else {
            None
        }
    }
}

fn is_numpy(package: &SolverPackage) -> bool {
    package.name().is_some_and(|name| name.as_ref() == "numpy")
}

/// One conflict on the targets it holds on.
pub(crate) struct Group {
    pub kind: Kind,
    /// The conflict on the first target, whose explanation stands for all.
    pub first: Box<Conflict>,
    pub targets: Vec<Target>,
}

/// What building a diagnostic for one environment needs.
pub(crate) struct Context<'a> {
    /// The run's solvers, and the Pythons the index knows.
    pub solvers: &'a Solvers,
    pub known: &'a Pythons,
    pub manifest: &'a Manifest,
    pub inputs: &'a [Input],
    /// The Pythons checked, the fallback ones included.
    pub pythons: &'a [PythonVersion],
    /// The released Pythons the file's own constraint admits, when it states one: a `help:` names those first.
    pub admitted: Option<&'a [PythonVersion]>,
    /// The Pythons checked because the environment installs on no supported one (`Resolver::fallback`).
    pub fallback: &'a Fallback,
    pub platforms: &'a [Platform],
    /// The environment is one platform's section of a lockfile: findings name the platform even though it is
    /// the only one checked.
    pub platform_section: bool,
    /// Per platform, the Pythons on which the environment was found to install, and to fail.
    pub installing: &'a BTreeMap<Platform, BTreeSet<PythonVersion>>,
    pub failing: &'a BTreeMap<Platform, BTreeSet<PythonVersion>>,
    /// The targets on which it installs and then breaks (a runtime finding of any kind).
    pub breaking: &'a BTreeSet<Target>,
}

impl Context<'_> {
    /// The diagnostic of a conflict, with `message` and `help` from its rule (the message followed by where the
    /// conflict holds): on the NumPy line taking part (else the first), with a label on every line taking part,
    /// the explanation, and what it rests on for conda packages.
    pub(crate) fn conflict_diagnostic(
        &self,
        rule: RuleId,
        group: &Group,
        severity: Severity,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let conflict = &group.first;
        let requirements = &self.manifest.requirements;
        let is_numpy_line = |id: &&usize| requirements[**id].name.as_ref() == Some(&numpy_name());
        let primary = conflict
            .inputs
            .iter()
            .find(is_numpy_line)
            .or_else(|| conflict.inputs.first())
            .copied();
        let location = primary.map_or_else(
            || {
                self.manifest.python.as_ref().map_or_else(
                    || Location::file_start(self.manifest.sources[0].clone()),
                    |python| python.location.clone(),
                )
            },
            |id| requirements[id].location.clone(),
        );
        let message = message + &self.where_(&group.targets, false);
        let mut diagnostic = Diagnostic::new(rule, severity, message, location);
        for &id in &conflict.inputs {
            let label = label(&requirements[id], conflict);
            if Some(id) == primary {
                diagnostic.primary_label = Some(label);
            } else {
                diagnostic = diagnostic.with_label(requirements[id].location.clone(), label);
            }
        }
        diagnostic.explanation = Some(explain_with(conflict, voice(self.manifest)));
        diagnostic.help = help;
        crate::conda::note_pypi_metadata(&mut diagnostic, conflict);
        diagnostic.targets = diagnostic_targets(&group.targets);
        diagnostic
    }

    /// ` on Python 3.8 and 3.9`, ` on linux-x86_64`, or nothing when the finding holds on every target. A finding
    /// on the fallback Pythons says why they were checked: a runtime finding (`installs`) ` on Python 3.7 and 3.8,
    /// the only Pythons these requirements install on`; a conflict there, where they do not install on that
    /// platform, ` (these requirements install on no supported Python)`, or, when checked on the Pythons the pins
    /// install on, `, the only Pythons `tensorflow==2.5.0` installs on`.
    pub(crate) fn where_(&self, group: &[Target], installs: bool) -> String {
        let pythons: BTreeSet<PythonVersion> = group.iter().map(|target| target.python).collect();
        let platforms: BTreeSet<Platform> = group.iter().map(|target| target.platform).collect();
        let mut out = String::new();
        let on_fallback = !self.fallback.pythons.is_empty()
            && pythons
                .iter()
                .all(|python| self.fallback.pythons.contains(python));
        if pythons.len() < self.pythons.len() {
            out.push_str(" on Python ");
            out.push_str(&python_list(&pythons.into_iter().collect::<Vec<_>>()));
        }
        if platforms.len() < self.platforms.len() || self.platform_section {
            let names: Vec<String> = platforms.iter().map(ToString::to_string).collect();
            out.push_str(" on ");
            out.push_str(&and_list(&names));
        }
        if on_fallback {
            if installs || self.fallback.pins {
                let _ = write!(
                    out,
                    ", the only {} {}",
                    if self.fallback.pythons.len() == 1 {
                        "Python"
                    } else {
                        "Pythons"
                    },
                    self.fallback.subject
                );
            } else {
                out.push_str(" (these requirements install on no supported Python)");
            }
        }
        out
    }
}

impl Context<'_> {
    /// Keeps only fixes of this environment's findings that work together. `--fix` applies every fix at once,
    /// but each was verified alone, on its own finding's targets: a NumPy pin for the Pythons an old package
    /// installs on and a move of that package to a newer release each solve their finding, and together
    /// neither. `found` are the environment's findings with their targets. Fixes are taken in order of how many
    /// targets failing now the requirements changed by each alone install on (most first); each is kept when
    /// the requirements changed by it and by those kept before still install where each alone installs among
    /// its finding's targets,
    /// else dropped (its finding keeps its `help:`, and the next check offers a fix again if the finding
    /// remains). A fix whose edits are not a requirement's specifiers (a `requires-python` floor, a new line) is
    /// kept as it is and left out of the combination.
    pub(crate) fn reconcile_fixes(
        &self,
        mut found: Vec<(Diagnostic, Vec<Target>)>,
    ) -> impl Iterator<Item = Diagnostic> {
        self.keep_fixes_that_work_together(&mut found);
        found.into_iter().map(|(diagnostic, _)| diagnostic)
    }

    fn keep_fixes_that_work_together(&self, found: &mut [(Diagnostic, Vec<Target>)]) {
        let mut order: Vec<usize> = (0..found.len())
            .filter(|&at| found[at].0.fix.is_some())
            .collect();
        if order.len() < 2 {
            return;
        }
        // Each fix alone: on how many of the targets where the environment fails now the requirements it
        // changes install.
        let failing: Vec<Target> = self
            .failing
            .iter()
            .flat_map(|(&platform, pythons)| {
                pythons
                    .iter()
                    .map(move |&python| Target::new(python, platform))
            })
            .collect();
        let reach: Vec<usize> = found
            .iter()
            .map(|(diagnostic, _)| {
                diagnostic
                    .fix
                    .as_ref()
                    .and_then(|fix| self.specifier_changes(fix))
                    .map_or(0, |changes| {
                        let changed = changed(self.inputs, &changes);
                        failing
                            .iter()
                            .filter(|&&target| self.solvers.get(target).solve(&changed).is_solved())
                            .count()
                    })
            })
            .collect();
        order.sort_by_key(|&at| std::cmp::Reverse(reach[at]));
        let mut inputs = self.inputs.to_vec();
        // The targets the fixes kept serve: where the requirements changed by each alone install.
        let mut served: BTreeSet<Target> = BTreeSet::new();
        for at in order {
            let (diagnostic, own) = &mut found[at];
            let Some(changes) = diagnostic
                .fix
                .as_ref()
                .and_then(|fix| self.specifier_changes(fix))
            else {
                continue;
            };
            let alone = changed(self.inputs, &changes);
            let own: Vec<Target> = own
                .iter()
                .copied()
                .filter(|&target| self.solvers.get(target).solve(&alone).is_solved())
                .collect();
            let together = changed(&inputs, &changes);
            if served
                .iter()
                .chain(&own)
                .all(|&target| self.solvers.get(target).solve(&together).is_solved())
            {
                inputs = together;
                served.extend(own);
            } else {
                diagnostic.fix = None;
            }
        }
    }

    /// A fix's edits as new specifiers of the requirements whose version parts they replace; `None` when one
    /// edits anything else.
    fn specifier_changes(&self, fix: &Fix) -> Option<Vec<(usize, VersionSpecifiers)>> {
        fix.edits
            .iter()
            .map(|edit| {
                let id = self.manifest.requirements.iter().position(|requirement| {
                    requirement.version_location.as_ref().is_some_and(|at| {
                        at.span == edit.location.span && at.file.path() == edit.location.file.path()
                    })
                })?;
                let specifiers = edit.replacement.parse::<VersionSpecifiers>().ok()?;
                Some((id, specifiers))
            })
            .collect()
    }
}

/// `inputs` with the specifiers `changes` give them.
fn changed(inputs: &[Input], changes: &[(usize, VersionSpecifiers)]) -> Vec<Input> {
    let mut out = inputs.to_vec();
    for (id, specifiers) in changes {
        for input in out.iter_mut().filter(|input| input.id == *id) {
            input.specifiers = specifiers.clone();
        }
    }
    out
}

/// What a user line requires, as the derivation states it where it can.
pub(crate) fn label(requirement: &Requirement, conflict: &Conflict) -> String {
    let mut found = None;
    for cause in conflict.causes() {
        // Every release in the range needs another Python: "`numpy>=2.1` requires `python>=3.10`".
        if let Cause::NoVersions { package, range } = cause
            && found.is_none()
            && package.name() == requirement.name.as_ref()
            && let Some(python) = conflict.python_needed_by(package, range)
        {
            found = Some(format!(
                "`{}` requires `{}`",
                requirement.display(),
                nplint_solver::explain::requirement(&SolverPackage::Python, &python)
            ));
        }
        if let Cause::Dependency {
            package: p1,
            range: r1,
            dependency: p2,
            dependency_range: r2,
        } = cause
            && found.is_none()
            && p1.name() == requirement.name.as_ref()
            && (is_numpy(p2) || *p2 == SolverPackage::Python)
        {
            // A range of several segments (`pandas==1.3.0 | ==1.3.1 | ...`) reads worse than the user's line.
            let from = if r1.iter().count() == 1 {
                nplint_solver::explain::requirement(p1, r1)
            } else {
                requirement.display()
            };
            found = Some(format!(
                "`{from}` requires `{}`",
                nplint_solver::explain::requirement(p2, r2)
            ));
        }
    }
    let found = crate::conda::label(requirement, conflict, found);
    found.unwrap_or_else(|| {
        let verb = if is_locked(requirement) {
            "locks"
        } else {
            "requires"
        };
        format!("{verb} `{}`", requirement.display())
    })
}

/// Whether a requirement is a lockfile's pin.
pub(crate) fn is_locked(requirement: &Requirement) -> bool {
    matches!(
        requirement.origin.section,
        Section::Locked | Section::LockedConda
    )
}

/// How explanations name a manifest's requirements: a lockfile's are the lock's pins.
pub(crate) fn voice(manifest: &Manifest) -> Voice {
    if !manifest.requirements.is_empty() && manifest.requirements.iter().all(is_locked) {
        Voice::Lock
    } else {
        Voice::Requirements
    }
}

/// Targets as a diagnostic carries them.
pub(crate) fn diagnostic_targets(targets: &[Target]) -> Vec<nplint_diagnostics::Target> {
    targets
        .iter()
        .map(|target| nplint_diagnostics::Target {
            python: target.python.to_string(),
            platform: target.platform.to_string(),
        })
        .collect()
}
