//! `python-conflict`: a required package, NumPy included, has no installable release on a target Python.

use crate::registry::declare_rule;

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
