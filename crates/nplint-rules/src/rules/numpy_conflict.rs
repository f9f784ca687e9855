//! `numpy-conflict`: no NumPy version satisfies an environment's requirements on a target.

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an environment whose requirements cannot be installed together because no NumPy version satisfies
    /// all of them on a target (a CPython version on a platform). nplint solves the environment over its embedded
    /// package index, as a resolver would, and explains the conflict step by step, with a label on every line of
    /// yours that takes part.
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
    name: "numpy-conflict",
    code: "NPL010",
    severity: Error,
}
