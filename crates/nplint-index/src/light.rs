//! The light tier: PyPI's most-downloaded projects that reach NumPy through none of their releases read (or only
//! through some of their extras), known to nplint so that it can leave them out of a solve without calling them
//! unknown.
//!
//! The source is `data/tiers.tsv`, written by `cargo xtask index tiers` from the metadata of the projects of
//! `data/top-pypi-packages.tsv` (and the dependencies they lead to): one row per project with its tier. `build.rs`
//! reads its `light` rows, and its `extras` rows (projects such as `networkx`, whose extra `default` requires NumPy),
//! into a table sorted by name. A project of the full tier is in the index proper
//! ([`crate::Index::package`]), which takes precedence: a light row never hides an indexed package.

/// A project known not to be NumPy-related.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightPackage {
    /// PEP 503-normalized name.
    pub name: &'static str,
    /// Its rank among the most-downloaded projects; `None` for a dependency of one, read because one requires it.
    pub rank: Option<u32>,
    /// The newest final release the index listed on the snapshot date (the newest release when there is no final
    /// one), and its `Requires-Python` (empty when it declares none).
    pub newest: &'static str,
    pub requires_python: &'static str,
    /// Its releases uploaded since 2017, and how many of them were read: the newest of each `major.minor` series
    /// (for a dependency outside the list, the newest release only).
    pub releases: u32,
    pub read: u32,
    /// The extras through which the project reaches NumPy (normalized); empty when none does. A requirement that
    /// asks for one of them is not light: the project belongs in the full tier.
    pub numpy_extras: &'static [&'static str],
}

impl LightPackage {
    /// Whether a requirement on the project with `extras` cannot reach NumPy.
    pub fn unrelated_with<'a>(&self, extras: impl IntoIterator<Item = &'a str>) -> bool {
        extras
            .into_iter()
            .all(|extra| !self.numpy_extras.contains(&extra))
    }
}

/// The table `build.rs` generated, sorted by name.
pub(crate) static EMBEDDED: &[LightPackage] = include!(concat!(env!("OUT_DIR"), "/light.rs"));

/// The names of the `full` rows of `data/tiers.tsv`, sorted: projects from which some release read leads to NumPy,
/// whether the index holds them yet or not. Only [`crate::Index::conda_only`] asks, to tell a conda-only package
/// whose name is a NumPy-related project on PyPI.
pub(crate) static NUMPY_ROWS: &[&str] = include!(concat!(env!("OUT_DIR"), "/numpy_rows.rs"));

/// The row of `name` in a table sorted by name.
pub(crate) fn find<'a>(table: &'a [LightPackage], name: &str) -> Option<&'a LightPackage> {
    table
        .binary_search_by(|package| package.name.cmp(name))
        .ok()
        .map(|at| &table[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_is_sorted_and_holds_the_top_projects_that_do_not_reach_numpy() {
        assert!(
            EMBEDDED.windows(2).all(|pair| pair[0].name < pair[1].name),
            "sorted, no duplicates"
        );
        // A few of the most-downloaded projects, none of which has ever required NumPy.
        for name in ["certifi", "idna", "charset-normalizer", "typing-extensions"] {
            let package = find(EMBEDDED, name).unwrap_or_else(|| panic!("`{name}` is light"));
            assert!(package.rank.is_some(), "{package:?}");
            assert!(
                package.read >= 1 && package.read <= package.releases,
                "{package:?}"
            );
        }
        assert_eq!(find(EMBEDDED, "numpy"), None);
        assert_eq!(find(EMBEDDED, "pandas"), None);
        // networkx requires NumPy through its extra `default` only.
        let networkx =
            find(EMBEDDED, "networkx").expect("`networkx` reaches NumPy only through extras");
        assert!(networkx.numpy_extras.contains(&"default"), "{networkx:?}");
        assert!(networkx.unrelated_with([]));
        assert!(!networkx.unrelated_with(["default"]));
    }
}
