//! `numpy-conflict`: no NumPy version satisfies an environment's requirements on a target.

use std::str::FromStr;

use nplint_diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use nplint_index::{Target, Version, VersionSpecifiers};
use nplint_solver::{Conflict, Input, Outcome, Voice};

use crate::finding::{Context, Group, voice};
use crate::registry::declare_rule;
use crate::targets::numpy_name;
use crate::wording::and_list;

declare_rule! {
    /// ## What it does
    /// Reports an environment whose requirements cannot be installed together because no NumPy version satisfies
    /// all of them on a target (a CPython version on a platform). nplint solves the environment over its embedded
    /// package index, as a resolver would, and explains the conflict step by step, with a label on every line of
    /// yours that takes part.
    ///
    /// A package conda installs (an environment.yml's conda dependency, a conda lockfile's pin) is solved with
    /// conda-forge's repodata patches: where a patch bounds NumPy for the package's version (`numpy <2` for
    /// pandas<2.2.2, built before NumPy 2), the package depends on that bound, and the explanation names the patch.
    /// Its other dependencies are its PyPI metadata, which conda-forge's recipes usually follow; where a finding
    /// rests on it, the explanation and the label say "by its PyPI metadata" and the `help:` line adds "`numpy` is
    /// judged by its PyPI metadata (conda-forge's builds may differ)".
    /// The bounds are extracted from the patches' public repository at a recorded commit (nplint's
    /// `crates/nplint-index/data/conda-forge-numpy-bounds.toml`); a patch that covers only some builds of a version
    /// is left out, since conda may install another build.
    ///
    /// ## Why is this bad?
    /// pip, uv and Poetry refuse to install the environment ("ResolutionImpossible"), or, with an older pip or
    /// `--no-deps`, install a NumPy that a package was not built for, which then fails at import.
    ///
    /// ## Example
    /// ```text
    /// tensorflow==2.5.0   # requires numpy~=1.19.2
    /// numpy>=1.21
    /// ```
    ///
    /// ```yaml
    /// dependencies:
    ///   - numpy>=2
    ///   - pandas=2.0.3    # conda-forge's repodata patch: numpy <2
    /// ```
    ///
    /// ## How to fix
    /// Follow the `help:` line: nplint solves the environment again without your NumPy requirement and names the
    /// NumPy version the other requirements admit.
    /// ```text
    /// tensorflow==2.5.0
    /// numpy==1.19.5
    /// ```
    /// Or move the package that pins NumPy to a release that accepts the NumPy you need.
    ///
    /// Outside lockfiles, the finding carries that change as a fix (in `--format json`): each of your NumPy
    /// requirements pinned to the version named, offered only when a solve of the changed requirements succeeds
    /// on every target of the finding (with runtime facts, where the version was chosen with them). It is
    /// `unsafe`, as ruff calls a fix that changes behaviour: it changes what gets installed. `--fix` applies an
    /// environment's fixes together: where a `python-conflict` fix that serves more targets moves the package
    /// that pins NumPy, and the two do not install together, the pin is left out.
    ///
    /// ## Severity
    /// Follows what you stated. Targets are the Python versions and platforms you name (`--python`,
    /// `--platform`, the configuration's `python` and `platforms`, the file's own Python constraint, a lockfile
    /// section's platform), else the CPython versions supported upstream on the index's date on linux-x86_64,
    /// macos-arm64 and windows-x86_64. An error when the conflict holds on a stated Python on every platform
    /// checked, on a stated platform on every Python checked, on a target whose Python and platform are both
    /// stated, or when the environment installs on no target at all; otherwise a warning. A range with an open
    /// upper bound (`>=3.10`) states its floor, not every later Python; pre-release Pythons are checked only when
    /// named. An environment that installs on no supported Python (an old project) is checked on the released
    /// Pythons it installs on, and its findings say so.
    ///
    /// ## References
    /// - [pip: dealing with dependency conflicts](https://pip.pypa.io/en/stable/topics/dependency-resolution/#dealing-with-dependency-conflicts)
    /// - [PEP 440 – Version specifiers](https://peps.python.org/pep-0440/#version-specifiers)
    /// - [conda-forge: repodata patches](https://github.com/conda-forge/conda-forge-repodata-patches-feedstock)
    name: "numpy-conflict",
    code: "NPL010",
    severity: Error,
}

/// The diagnostic of a conflict on NumPy's versions, with the change that solves it where there is one: the
/// `help:` names it, and the fix makes it when a solve of the changed requirements, on every target of the
/// conflict, confirms it.
pub(crate) fn diagnostic(cx: &Context, group: &Group, severity: Severity) -> Diagnostic {
    let message = "no version of `numpy` satisfies these requirements".to_owned();
    let change = Change::find(cx, &group.first);
    let help = change.as_ref().map(|change| change.help(cx));
    let mut diagnostic = cx.conflict_diagnostic(RULE.id, group, severity, message, help);
    diagnostic.fix = change.and_then(|change| change.fix(cx, &group.targets));
    diagnostic
}

/// The NumPy version the rest of the requirements admit (and work with at runtime, where one does), found by
/// solving again without the user's NumPy requirements.
struct Change<'a> {
    version: Version,
    /// The version works at runtime with the rest (runtime facts included in the solve that found it).
    runtime: bool,
    /// The environment's requirements on NumPy.
    numpy_lines: Vec<&'a Input>,
}

impl<'a> Change<'a> {
    fn find(cx: &Context<'a>, conflict: &Conflict) -> Option<Self> {
        let numpy = numpy_name();
        let numpy_lines: Vec<&Input> = cx
            .inputs
            .iter()
            .filter(|input| input.name == numpy)
            .collect();
        if numpy_lines.is_empty() {
            return None;
        }
        let rest: Vec<Input> = cx
            .inputs
            .iter()
            .filter(|input| input.name != numpy)
            .cloned()
            .collect();
        // The NumPy that works at runtime with the rest, where there is one: a version that installs but then
        // fails at import would contradict the environment's runtime findings.
        let solver = cx.solvers.get(conflict.target);
        let (outcome, runtime) = match solver.solve_runtime(&rest) {
            Outcome::Solved(solution) => (Outcome::Solved(solution), true),
            Outcome::Conflict(_) => (solver.solve(&rest), false),
        };
        let Outcome::Solved(solution) = outcome else {
            return None;
        };
        Some(Self {
            version: solution.versions.get(&numpy)?.clone(),
            runtime,
            numpy_lines,
        })
    }

    fn help(&self, cx: &Context) -> String {
        let version = &self.version;
        let shown: Vec<String> = self
            .numpy_lines
            .iter()
            .map(|input| format!("`{}`", cx.manifest.requirements[input.id].display()))
            .collect();
        match voice(cx.manifest) {
            Voice::Requirements => format!(
                "`numpy=={version}` satisfies the rest of the requirements: relax or drop {}",
                and_list(&shown)
            ),
            // A lock is written by its tool: the pin changes by locking again.
            Voice::Lock => format!(
                "`numpy=={version}` satisfies the rest of the lock: lock again instead of pinning {}",
                and_list(&shown)
            ),
        }
    }

    /// Every NumPy requirement pinned to the version, verified: the changed requirements solve on each of
    /// `targets` (with runtime facts, when the version was found with them). `None` for a lockfile (its tool
    /// writes it), for a NumPy requirement without a specifier to replace, and when the solves disagree.
    fn fix(&self, cx: &Context, targets: &[Target]) -> Option<Fix> {
        if voice(cx.manifest) == Voice::Lock {
            return None;
        }
        let pin = VersionSpecifiers::from_str(&format!("=={}", self.version)).ok()?;
        let edits = self
            .numpy_lines
            .iter()
            .map(|input| {
                let at = cx.manifest.requirements[input.id]
                    .version_location
                    .as_ref()?;
                Some(Edit {
                    location: at.clone(),
                    replacement: format!("=={}", self.version),
                })
            })
            .collect::<Option<Vec<Edit>>>()?;
        let fixed: Vec<Input> = cx
            .inputs
            .iter()
            .map(|input| {
                let mut input = input.clone();
                if self.numpy_lines.iter().any(|numpy| numpy.id == input.id) {
                    input.specifiers = pin.clone();
                }
                input
            })
            .collect();
        let solves = targets.iter().all(|&target| {
            let solver = cx.solvers.get(target);
            let outcome = if self.runtime {
                solver.solve_runtime(&fixed)
            } else {
                solver.solve(&fixed)
            };
            outcome.is_solved()
        });
        solves.then(|| Fix {
            message: format!("pin `numpy=={}`", self.version),
            applicability: Applicability::Unsafe,
            edits,
        })
    }
}
