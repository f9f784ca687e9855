//! `numpy-conflict`: no NumPy version satisfies an environment's requirements on a target.

use nplint_diagnostics::{Diagnostic, Severity};
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

/// The diagnostic of a conflict on NumPy's versions.
pub(crate) fn diagnostic(cx: &Context, group: &Group, severity: Severity) -> Diagnostic {
    let message = "no version of `numpy` satisfies these requirements".to_owned();
    cx.conflict_diagnostic(RULE.id, group, severity, message, help(cx, &group.first))
}

/// Solves again without the user's NumPy requirements: the NumPy version the rest admits (and works with at
/// runtime, where one does) is the change.
fn help(cx: &Context, conflict: &Conflict) -> Option<String> {
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
    let shown: Vec<String> = numpy_lines
        .iter()
        .map(|input| format!("`{}`", cx.manifest.requirements[input.id].display()))
        .collect();
    // The NumPy that works at runtime with the rest, where there is one: a version that installs but then
    // fails at import would contradict the environment's runtime findings.
    let solver = cx.solvers.get(conflict.target);
    let outcome = match solver.solve_runtime(&rest) {
        Outcome::Solved(solution) => Outcome::Solved(solution),
        Outcome::Conflict(_) => solver.solve(&rest),
    };
    match outcome {
        Outcome::Solved(solution) => {
            let version = solution.versions.get(&numpy)?;
            Some(match voice(cx.manifest) {
                Voice::Requirements => format!(
                    "`numpy=={version}` satisfies the rest of the requirements: relax or drop {}",
                    and_list(&shown)
                ),
                // A lock is written by its tool: the pin changes by locking again.
                Voice::Lock => format!(
                    "`numpy=={version}` satisfies the rest of the lock: lock again instead of pinning {}",
                    and_list(&shown)
                ),
            })
        }
        Outcome::Conflict(_) => None,
    }
}
