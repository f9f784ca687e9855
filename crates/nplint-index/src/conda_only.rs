//! conda-forge's conda-only packages: system libraries, compilers, mutexes, BLAS variants, `python_abi` and every
//! other package of the channel that installs no Python distribution, so that a conda environment or lock that
//! lists them is not a wall of names nplint calls unknown.
//!
//! The source is `data/conda-forge-conda-only.tsv`, extracted by `cargo xtask index conda-names` from
//! `prefix-dev/parselmouth`'s conda-forge mapping (every package name of the channel with the PyPI names its builds
//! install; a name mapped to none is conda-only) and `conda-forge/feedstock-outputs` (the feedstocks that build
//! each package), with both commits and licences in its header. `build.rs` reads it into a table sorted by name.
//!
//! A conda-only name is a conda name, not a PyPI one: it is looked up by the name as conda spells it (`python_abi`
//! and `python-abi` are two conda packages), and only for a package conda installs. A requirements file naming
//! `libblas` names a project PyPI does not have. Whether a conda-only package is NumPy-related depends on the index
//! ([`crate::Index::conda_only`]): `libtorch` is built with `pytorch`, whose PyPI project `torch` is indexed.

/// A package of conda-forge that installs no Python distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CondaOnlyPackage {
    /// The conda name, lower case, as the channel spells it (`_openmp_mutex`, `libgcc-ng`).
    pub name: &'static str,
    /// The feedstocks that build it; empty when the registry of outputs does not list it.
    pub feedstocks: &'static [&'static str],
    /// The PyPI projects (normalized names) that other packages of the same feedstocks install: `torch` for
    /// `libtorch`. Empty for most.
    pub builds: &'static [&'static str],
}

/// The provenance lines of the data (repository, part read, commit, date, licence, copyright) and its rows, as
/// `build.rs` generated them.
static EMBEDDED: (&[&str], &[CondaOnlyPackage]) =
    include!(concat!(env!("OUT_DIR"), "/conda_only.rs"));

/// Where the names come from: one line per repository read (address, part read, commit and date, licence and
/// copyright), as the data file's header says.
pub fn sources() -> &'static [&'static str] {
    EMBEDDED.0
}

/// Every conda-only package, sorted by name.
pub fn packages() -> &'static [CondaOnlyPackage] {
    EMBEDDED.1
}

/// The conda-only package `conda_name` (lower case, as conda spells it).
pub fn find(conda_name: &str) -> Option<&'static CondaOnlyPackage> {
    let table = packages();
    table
        .binary_search_by(|package| package.name.cmp(conda_name))
        .ok()
        .map(|at| &table[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_is_sorted_and_holds_conda_forge_system_packages() {
        let table = packages();
        assert!(
            table.windows(2).all(|pair| pair[0].name < pair[1].name),
            "sorted, no duplicates"
        );
        for name in [
            "libblas",
            "_openmp_mutex",
            "python_abi",
            "libgcc-ng",
            "ca-certificates",
        ] {
            assert!(find(name).is_some(), "`{name}` is conda-only");
        }
        assert_eq!(
            find("libblas").map(|package| package.feedstocks),
            Some(&["blas", "lapack"][..])
        );
        // Python packages, by the same name or another, are not.
        for name in [
            "numpy",
            "pandas",
            "tqdm",
            "pytorch",
            "matplotlib-base",
            "python-abi",
        ] {
            assert_eq!(find(name), None, "`{name}` installs a Python distribution");
        }
        // A C library of a feedstock that builds a Python project too says which.
        assert!(find("libtorch").is_some_and(|package| package.builds.contains(&"torch")));
        assert_eq!(sources().len(), 2, "both repositories are recorded");
        assert!(
            sources()
                .iter()
                .all(|source| source.contains("BSD-3-Clause"))
        );
    }
}
