//! `removed-numpy-api`: an environment installs, but a package's code uses NumPy names its NumPy removed.

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an environment that a resolver installs without complaint but in which a package fails at import,
    /// because its Python code uses names that the installed NumPy removed: `np.float`, `np.int`, `np.object`,
    /// `np.bool`, `np.str`, `np.long`, `np.unicode` (removed in NumPy 1.24), `np.float_`, `np.NaN`, `np.product`
    /// and the rest of NEP 52 (removed in 2.0), `np.in1d` and `np.trapz` (2.4), `np.row_stack` (2.5). As for
    /// `abi-mismatch`, nplint solves each target with declared metadata and with runtime facts, and reports either
    /// that no NumPy works or that the resolver's choice breaks.
    ///
    /// The facts: the index sync tokenizes the Python files of one wheel per release and records each removed
    /// name used where it runs unconditionally at import (module level, class bodies, default arguments,
    /// `from numpy import ...`), with file and line. A curated entry with references covers what the scan cannot
    /// see or what it cannot know is common: astropy before 7.2.0 looks `np.in1d` up by a helper's name at import,
    /// mlxtend's `bias_variance_decomp` calls `np.int`.
    ///
    /// A use in the straight-line body of a function (no condition, loop, `with` or `try` between the `def` and the
    /// use, in a function the module defines unconditionally) fails whenever the function is called: boruta 0.3's
    /// `BorutaPy.fit` calls `BorutaPy._fit`, which builds arrays with `dtype=np.int`. Such a use is reported as a
    /// **warning** naming the function, file and line, and only where the NumPy the resolver picks lacks the name,
    /// when a newer release of the package (a direct requirement) no longer uses it; when none does, the only
    /// remedy would be an older NumPy for the sake of one function, and the finding is an **info** note instead
    /// (statsmodels up to 0.14.6 still calls `np.complex` in `fftconvolveinv`). It never constrains resolution and
    /// never makes another finding an error. Uses under a condition (`if
    /// numpy_version < (2, 0):`, also inside a function), in nested functions and lambdas, or in functions defined
    /// under a condition are shown by `nplint index show` and not reported: astropy and numba keep removed names
    /// behind NumPy version checks and work. The exception and warning classes NumPy 2.0 moved to `numpy.exceptions`
    /// (`AxisError`, `ComplexWarning`, ...) make no scanned fact at all: code names them mostly in `except` clauses
    /// and compatibility modules it never imports, and curated entries cover the releases that do fail (awkward
    /// 1.5.0 to 2.6.2).
    ///
    /// ## Why is this bad?
    /// `import` fails with `AttributeError: module 'numpy' has no attribute 'float'`, and nothing in the
    /// package's metadata warned the resolver.
    ///
    /// ## Example
    /// ```text
    /// shap==0.41.0   # uses np.bool at import
    /// numpy>=1.24
    /// ```
    ///
    /// ## How to fix
    /// Bound NumPy below the removal (`numpy<1.24`), or move the package to a release that no longer uses the
    /// name; the `help:` line names both where they work.
    ///
    /// ## Severity
    /// A use in a function body: a warning when upgrading the package removes it, else info. An import-time use or a curated fact: an error when the breakage holds on a stated Python on every platform checked, on a stated platform on
    /// every Python checked, or on a target whose Python and platform are both stated (see `python-conflict` for
    /// what is stated), or when, on one of its platforms, the environment breaks on every Python it installs on
    /// (a platform where it installs and then crashes is a trap, unlike one without wheels); otherwise a warning
    /// naming the Pythons and platforms affected.
    ///
    /// ## References
    /// - [NumPy 1.24.0 release notes: expired deprecations](https://numpy.org/doc/stable/release/1.24.0-notes.html#expired-deprecations)
    /// - [NEP 52 – Python API cleanup for NumPy 2.0](https://numpy.org/neps/nep-0052-python-api-cleanup.html)
    /// - [NumPy 2.0 migration guide](https://numpy.org/doc/stable/numpy_2_0_migration_guide.html)
    name: "removed-numpy-api",
    code: "NPL021",
    severity: Error,
}
