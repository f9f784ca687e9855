//! `python-conflict`: a required package, NumPy included, has no installable release on a target Python.

use std::collections::{BTreeMap, BTreeSet};

use std::str::FromStr;

use nplint_diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use nplint_index::{Platform, PythonVersion, Target, VersionSpecifiers};
use nplint_solver::{Cause, Conflict, Outcome, SolverPackage};

use crate::finding::{Context, Group};
use crate::registry::declare_rule;
use crate::runtime;
use crate::wording::{and_list, python_list};

mod moved;

declare_rule! {
    /// ## What it does
    /// Reports an environment that cannot be installed on a target Python (or platform) because a package it
    /// requires has no release installable there: every release allowed either declares a `Requires-Python` that
    /// excludes the target, or is a compiled package without a wheel for that Python and platform.
    ///
    /// A package conda installs (an environment.yml's conda dependency, a conda lockfile's pin) is not judged by
    /// PyPI's wheels: conda-forge builds some releases for Pythons and platforms PyPI has no wheel for, and the
    /// other way round, and nplint does not know conda's builds. Its `Requires-Python` still counts, and a finding
    /// that rests on it says so in its label, explanation and `help:` line ("by its PyPI metadata").
    ///
    /// ## Why is this bad?
    /// `Requires-Python` alone does not tell: `numpy==1.19.5` admits Python 3.11 by its metadata, yet has wheels for
    /// CPython 3.6-3.9 only. pip then downloads the source distribution and tries to build it, which for an old
    /// compiled release on a newer Python practically never succeeds.
    ///
    /// ## Example
    /// ```text
    /// # checked with --python 3.11
    /// numpy==1.19.5
    /// ```
    ///
    /// ```toml
    /// [project]
    /// requires-python = ">=3.9"
    /// dependencies = ["numpy>=2.1"]  # requires Python >=3.10
    /// ```
    ///
    /// ## How to fix
    /// Follow the `help:` line, which names the Python versions on which the environment installs: narrow the
    /// Python range the file states (`requires-python = ">=3.10"`), or allow a release of the package that
    /// supports your Python (`numpy>=1.23`).
    ///
    /// When the conflict holds on the oldest Pythons a `requires-python` admits, the finding carries a fix (in
    /// `--format json`) that raises its floor past them and keeps its upper bounds (`">=3.8, <3.14"` →
    /// `">=3.10, <3.14"`), offered only when the environment installs, with no runtime finding, on every Python
    /// left, on each platform of the finding. It is `unsafe`: it drops Pythons the project said it supports.
    ///
    /// Otherwise (a requirements file states no Python to raise), the fix moves one of your requirements taking
    /// part, outside lockfiles: a pin to the nearest release with which the requirements install, with no runtime
    /// finding, on the finding's targets (on CPython 3.13, `pandas==2.2.0` → `pandas==2.2.3`, the oldest newer
    /// release with wheels for it; an older one only when no newer one serves), a floor lowered or a cap raised
    /// (`numpy<2` → `numpy<=2.3.2`) as little as that takes. It is verified by solving the changed requirements
    /// again on each target of the finding and on each where the environment works now, which it must keep
    /// working; where no release serves every target of the finding (a Python no release has wheels for yet), it
    /// serves the most and says which still fail. It is `unsafe`: it changes what gets installed. A lockfile gets
    /// no fix: lock again.
    ///
    /// `--fix` applies the fixes of one environment's findings together, so a fix is kept only when the
    /// requirements changed by it and by those kept before still install where each alone does (those that
    /// serve the most targets first): a NumPy pin for an old package and a move of that package are not both
    /// offered.
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
    /// - [PEP 345: `Requires-Python`](https://peps.python.org/pep-0345/#requires-python)
    /// - [Python packaging: platform compatibility tags](https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/)
    name: "python-conflict",
    code: "NPL011",
    severity: Error,
}

/// The diagnostic of a conflict where a package has no release installable on the target.
pub(crate) fn diagnostic(cx: &Context, group: &Group, severity: Severity) -> Diagnostic {
    let conflict = &group.first;
    let message = format!("{} no installable release", unavailable_subject(conflict));
    let mut diagnostic =
        cx.conflict_diagnostic(RULE.id, group, severity, message, help(cx, conflict.target));
    diagnostic.fix = fix(cx, group).or_else(|| moved::fix(cx, group));
    diagnostic
}

/// The released Python versions on which the environment installs on the same platform and has no runtime
/// finding (those the file admits, else supported ones, else any), so that the help never sends the user to a
/// target where another finding fails; `None` when there is none, where another finding (a NumPy conflict, a
/// platform without wheels, a runtime breakage) is the real cause.
fn help(cx: &Context, target: Target) -> Option<String> {
    // The Pythons the file admits; when none works there, the released ones, supported first (an end-of-life
    // Python is named only when no supported one works).
    let mut working = match cx.admitted {
        Some(admitted) => works(cx, target.platform, admitted),
        None => Vec::new(),
    };
    if working.is_empty() {
        // The end-of-life Pythons are solved only when no supported one works: most often one does, and a file
        // that states no Python was solved on the supported ones already, so they cost no solve.
        let (supported, end_of_life): (Vec<PythonVersion>, Vec<PythonVersion>) = cx
            .known
            .released
            .iter()
            .partition(|python| cx.known.supported.contains(python));
        working = works(cx, target.platform, &supported);
        if working.is_empty() {
            working = works(cx, target.platform, &end_of_life);
        }
    }
    (!working.is_empty()).then(|| {
        format!(
            "these requirements install on Python {} on {}, with no known runtime breakage there",
            python_list(&working),
            target.platform
        )
    })
}

/// Those of `pythons` on which the environment installs on `platform` with no runtime finding.
fn works(cx: &Context, platform: Platform, pythons: &[PythonVersion]) -> Vec<PythonVersion> {
    let index = cx.solvers.index();
    let found = |outcomes: &BTreeMap<Platform, BTreeSet<PythonVersion>>, python| {
        outcomes
            .get(&platform)
            .is_some_and(|pythons| pythons.contains(&python))
    };
    pythons
        .iter()
        .copied()
        .filter(|&python| {
            // The targets of the check are solved already; only the other Pythons need a solve.
            if found(cx.installing, python) {
                !cx.breaking.contains(&Target::new(python, platform))
            } else if found(cx.failing, python) {
                false
            } else {
                let solver = cx.solvers.get(Target::new(python, platform));
                match solver.solve(cx.inputs) {
                    Outcome::Solved(solution) => {
                        runtime::check(index, solver, cx.inputs, &solution).is_none()
                    }
                    Outcome::Conflict(_) => false,
                }
            }
        })
        .collect()
}

/// The file's own Python constraint with its floor raised above the Pythons the conflict holds on
/// (`requires-python = ">=3.8, <3.14"` → `">=3.10, <3.14"`), verified: on every platform of the conflict, the
/// environment installs with no runtime finding on each Python the raised constraint admits. The floor passes the
/// next Pythons too where the environment fails on them for another reason (another finding), so that one change
/// serves both. `None` when the file states no Python in PEP 440 form (`requires-python`; conda's and Poetry's
/// forms are left alone), when the conflict holds on its newest Python (a floor cannot help) or on a Python between
/// others that work (a floor would drop those), and when a Python left would fail.
fn fix(cx: &Context, group: &Group) -> Option<Fix> {
    let admitted = cx.admitted?;
    let python = cx.manifest.python.as_ref()?;
    let specifiers = VersionSpecifiers::from_str(python.location.text()).ok()?;
    let platforms: BTreeSet<Platform> =
        group.targets.iter().map(|target| target.platform).collect();
    let newest_failing = group.targets.iter().map(|target| target.python).max()?;
    // The Pythons of the conflict, and those on which the environment fails on each of its platforms for
    // another reason (a package that needs a newer Python than its neighbour's release does).
    let failing: BTreeSet<PythonVersion> = admitted
        .iter()
        .copied()
        .filter(|python| {
            group.targets.iter().any(|target| target.python == *python)
                || platforms.iter().all(|platform| {
                    cx.failing
                        .get(platform)
                        .is_some_and(|failing| failing.contains(python))
                })
        })
        .collect();
    let floor = admitted
        .iter()
        .copied()
        .filter(|&python| python > newest_failing && !failing.contains(&python))
        .min()?;
    // Only the oldest Pythons fail (on the platforms of the conflict): a floor drops none that works there. On
    // another platform a dropped Python may work; the fix is unsafe for that reason too.
    if !admitted
        .iter()
        .filter(|&&python| python < floor)
        .all(|python| failing.contains(python))
    {
        return None;
    }
    let kept: Vec<PythonVersion> = admitted
        .iter()
        .copied()
        .filter(|&python| python >= floor)
        .collect();
    if platforms
        .into_iter()
        .any(|platform| works(cx, platform, &kept) != kept)
    {
        return None;
    }
    // The floor, then the file's own upper bounds and exclusions.
    let mut clauses = vec![format!(">={floor}")];
    for specifier in specifiers.iter() {
        match specifier.operator().to_string().as_str() {
            ">" | ">=" => {}
            "<" | "<=" | "!=" => clauses.push(specifier.to_string()),
            _ => return None,
        }
    }
    Some(Fix {
        message: format!("raise the Python floor to `>={floor}`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            location: python.location.clone(),
            replacement: clauses.join(", "),
        }],
    })
}

/// `numpy 1.19.5 has` / `tensorflow 2.5.0 and numpy 1.19.5 have`: the packages whose releases were unavailable.
fn unavailable_subject(conflict: &Conflict) -> String {
    let names: Vec<String> = unavailable_names(conflict)
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect();
    match names.len() {
        0 => "a required package has".to_owned(),
        1 => format!("{} has", names[0]),
        _ => format!("{} have", and_list(&names)),
    }
}

/// The packages of the conflict with no release installable on its target.
fn unavailable_names(conflict: &Conflict) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for cause in conflict.causes() {
        match cause {
            Cause::Unavailable { package, .. } => {
                names.insert(package.to_string());
            }
            Cause::NoVersions { package, range } if conflict.uninstallable(package, range) => {
                names.insert(package.to_string());
            }
            Cause::Dependency {
                package,
                dependency: SolverPackage::Python,
                ..
            } if *package != SolverPackage::Root => {
                names.insert(package.to_string());
            }
            _ => {}
        }
    }
    names
}
