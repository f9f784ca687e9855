//! `known-pitfall`: an environment installs, but a documented incompatibility with its NumPy breaks it.

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an environment that a resolver installs without complaint but that hits a documented breakage
    /// between a package release and NumPy that is neither a binary incompatibility nor a removed name, although
    /// the release's metadata admits that NumPy: a change of NumPy's behaviour (NumPy 2's
    /// `np.array(..., copy=False)` raises where a copy is needed, which breaks patsy before 1.0 and datasets
    /// before 2.21; NumPy 2.1 no longer accepts the enum that Shapely 2.0.4 and 2.0.5 pass to their ufuncs), or a
    /// regression of one NumPy release (NumPy 1.24.0 and seaborn's line plots). Each fact is a curated entry of
    /// nplint's index with its references (`nplint index show NAME==VERSION`).
    ///
    /// ## Why is this bad?
    /// The environment installs and may even import; it breaks in ordinary use, far from the requirement that
    /// caused it.
    ///
    /// ## Example
    /// ```text
    /// shapely==2.0.4
    /// numpy==2.1.3
    /// ```
    ///
    /// ## How to fix
    /// Follow the `help:` line: bound NumPy to the range the fact names, or move the package to a release where the
    /// problem is fixed.
    ///
    /// ## Severity
    /// An error when the breakage holds on a stated Python on every platform checked, on a stated platform on
    /// every Python checked, or on a target whose Python and platform are both stated (see `python-conflict` for
    /// what is stated), or when, on one of its platforms, the environment breaks on every Python it installs on
    /// (a platform where it installs and then crashes is a trap, unlike one without wheels); otherwise a warning
    /// naming the Pythons and platforms affected.
    ///
    /// ## References
    /// - [NumPy 2 migration guide: the `copy` keyword](https://numpy.org/devdocs/numpy_2_0_migration_guide.html#adapting-to-changes-in-the-copy-keyword)
    /// - [patsy #210: test failures with NumPy 2.0.0](https://github.com/pydata/patsy/issues/210)
    /// - [shapely #2109: incompatible with NumPy 2.1](https://github.com/shapely/shapely/issues/2109)
    /// - [shapely #2099: the fix, released in 2.0.6](https://github.com/shapely/shapely/pull/2099)
    name: "known-pitfall",
    code: "NPL022",
    severity: Error,
}
