//! `abi-mismatch`: an environment installs, but a package's binaries cannot work with the NumPy it gets.

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an environment that a resolver installs without complaint but that fails at import, because a
    /// package's compiled extension modules need a NumPy that its metadata does not declare. nplint solves the
    /// environment twice per target: with declared metadata only, preferring the newest versions as pip and uv
    /// do, and with runtime facts added. It reports either that no NumPy works at runtime at all, or that the
    /// resolver's choice breaks while another NumPy works, with the exact change.
    ///
    /// The facts come from the index, each with its provenance (`nplint index show NAME==VERSION`): the NumPy a
    /// release's wheels were compiled against, read from the binaries themselves by the index sync (an extension
    /// module built against NumPy 2 imports `numpy._core._multiarray_umath`, one built against 1.x only
    /// `numpy.core._multiarray_umath`); curated entries with references where the binaries do not tell the whole
    /// story (gensim 4.0.x was built against NumPy 1.20); and, marked as inferred, the upload date of a release
    /// whose wheels were not scanned. Each platform is judged by its own wheel where the sync read it (a release's
    /// wheels are built apart, and some differ). A build against NumPy 2 also writes the oldest NumPy it runs on
    /// into the binary; below the lowest such floor of a wheel's modules the package fails at import, which is
    /// reported on the targets that install the wheel read (its CPython, or every later one for a stable-ABI
    /// wheel), since the wheels for other CPythons may have been built for an older NumPy.
    ///
    /// These facts are about PyPI's wheels, so they apply to what pip installs: a requirements file, a `pip:`
    /// entry of an environment.yml. A package conda installs (an environment.yml's conda dependency, a conda
    /// lockfile's pin) is conda's build, with conda's own NumPy pins: numpy's run_exports give a build against NumPy
    /// 1.x `numpy <2.0a0`, and conda-forge's repodata patches added `numpy <2` to the packages built before that
    /// bound existed (pandas<2.2.2 and about forty more). nplint applies those patches to conda packages (see
    /// `numpy-conflict`) and reports no ABI mismatch for them.
    ///
    /// ## Why is this bad?
    /// NumPy's C ABI is forward compatible only: a module built against NumPy 1.x fails on NumPy 2 ("A module that
    /// was compiled using NumPy 1.x cannot be run in NumPy 2", "numpy.dtype size changed, may indicate binary
    /// incompatibility"), and one built against a newer 1.x fails on an older one ("numpy.ndarray size changed");
    /// one built against NumPy 2 for a given NumPy fails on an older one ("module was compiled against NumPy C-API
    /// version 0x12 (NumPy 2.0) but the running NumPy has C-API version 0x11").
    /// Metadata rarely says so: `pandas==2.0.3` declares no upper bound on NumPy, so a resolver installs NumPy 2
    /// next to it, and `import pandas` fails.
    ///
    /// ## Example
    /// ```text
    /// tensorflow==2.5.0   # requires numpy~=1.19.2
    /// gensim==4.1.0       # declares numpy>=1.17.0, but its Linux x86_64 wheels need NumPy >= 1.20
    /// ```
    /// ```text
    /// pandas==2.0.3       # built against NumPy 1.x; a resolver picks NumPy 2
    /// ```
    /// ```text
    /// numpy-quaddtype==0.0.1  # declares `numpy`; its cp312 wheel needs NumPy >= 2.0
    /// numpy==1.26.4
    /// ```
    /// ```yaml
    /// dependencies:
    ///   - numpy           # conda's NumPy 2
    ///   - pip:
    ///     - pandas==2.0.3 # PyPI's wheel, built against NumPy 1.x
    /// ```
    ///
    /// ## How to fix
    /// Follow the `help:` line. When no NumPy works, move one of the packages to a release that works with the
    /// other (nplint names the newest one that does). When the resolver's choice breaks, bound NumPy (`numpy<2`)
    /// or move the package to its first release built against NumPy 2; the JSON output carries this as a `fix`.
    ///
    /// ## Severity
    /// An error when the breakage holds on a stated Python on every platform checked, on a stated platform on
    /// every Python checked, or on a target whose Python and platform are both stated (see `python-conflict` for
    /// what is stated), or when, on one of its platforms, the environment breaks on every Python it installs on
    /// (a platform where it installs and then crashes is a trap, unlike one without wheels); otherwise a warning
    /// naming the Pythons and platforms affected.
    ///
    /// ## References
    /// - [NumPy: for downstream package authors (ABI compatibility)](https://numpy.org/doc/stable/dev/depending_on_numpy.html)
    /// - [NumPy 2.0 migration guide](https://numpy.org/doc/stable/numpy_2_0_migration_guide.html)
    /// - [gensim #3095: numpy.ndarray size changed with NumPy 1.19](https://github.com/RaRe-Technologies/gensim/issues/3095)
    name: "abi-mismatch",
    code: "NPL020",
    severity: Error,
}
