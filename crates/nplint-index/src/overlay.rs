//! An index with packages added or replaced: the embedded (or updated) snapshot overlaid with what
//! `nplint check --online` read from a package index, so that the solver sees one index.

use std::sync::OnceLock;

use crate::source::PackageFile;
use crate::{Index, Package, name_key};

impl Index {
    /// This index with `extra`'s packages added, each replacing the package of its name: the snapshot, the light
    /// tier and every other package stay this index's. Nothing is copied but the package table: each package
    /// still decodes its body from the bytes it came from. `extra`'s packages were read from a package index just
    /// now ([`Index::is_current`]).
    #[must_use]
    pub fn overlaid(&self, extra: &Index) -> Index {
        let mut packages: Vec<Package> =
            Vec::with_capacity(self.packages.len() + extra.packages.len());
        let (mut mine, mut theirs) = (
            self.packages.iter().peekable(),
            extra.packages.iter().peekable(),
        );
        loop {
            let next = match (mine.peek(), theirs.peek()) {
                (Some(a), Some(b)) if a.raw_name() == b.raw_name() => {
                    mine.next();
                    theirs.next()
                }
                (Some(a), Some(b)) if a.raw_name() < b.raw_name() => mine.next(),
                (Some(_) | None, Some(_)) => theirs.next(),
                (Some(_), None) => mine.next(),
                (None, None) => break,
            };
            if let Some(package) = next {
                packages.push(package.relocated());
            }
        }
        let names = packages
            .iter()
            .map(|package| (name_key(package.raw_name()), package.raw_name()))
            .collect();
        let mut current: Vec<&'static str> = self
            .current
            .iter()
            .copied()
            .chain(extra.packages.iter().map(Package::raw_name))
            .collect();
        current.sort_unstable();
        current.dedup();
        Index {
            snapshot: self.snapshot.clone(),
            packages,
            names,
            first_numpy_2_build: OnceLock::new(),
            light: self.light,
            current,
            // The snapshot's: an overlay adds to it and says so in `is_current`.
            origin: self.origin.clone(),
        }
    }
}

impl Package {
    /// Everything the index knows of this package, in the source form: what an overlay adds releases to.
    pub fn to_source(&self) -> PackageFile {
        self.body_ref().to_source(self.raw_name())
    }
}

#[cfg(test)]
mod tests {
    use crate::Index;
    use crate::source::{PackageFile, ReleaseEntry, Snapshot};

    fn index(packages: &[PackageFile]) -> Index {
        let snapshot = Snapshot::of("2025-01-01T00:00:00Z", packages);
        Index::from_source(&snapshot, packages).unwrap()
    }

    fn package(name: &str, versions: &[&str]) -> PackageFile {
        PackageFile::new(
            name,
            versions
                .iter()
                .map(|version| ReleaseEntry::pure(name, version, "2025-01-01T00:00:00Z", &[]))
                .collect(),
        )
    }

    #[test]
    fn an_overlay_adds_and_replaces_packages_and_keeps_the_rest() {
        let base = index(&[package("alpha", &["1.0"]), package("gamma", &["1.0"])]);
        let mut gamma = base.packages()[1].to_source();
        gamma.releases.push(ReleaseEntry::pure(
            "gamma",
            "2.0",
            "2025-02-01T00:00:00Z",
            &[],
        ));
        let extra = index(&[package("beta", &["0.1"]), gamma, package("zeta", &["3.0"])]);
        let overlaid = base.overlaid(&extra);
        let names: Vec<&str> = overlaid
            .packages()
            .iter()
            .map(|p| p.name().as_ref())
            .collect();
        assert_eq!(names, ["alpha", "beta", "gamma", "zeta"]);
        let versions = |name: &str| -> Vec<String> {
            let package = overlaid.package(&name.parse().unwrap()).unwrap();
            package
                .releases()
                .iter()
                .map(|r| r.version().to_string())
                .collect()
        };
        assert_eq!(versions("gamma"), ["1.0", "2.0"]);
        assert_eq!(versions("alpha"), ["1.0"]);
        assert_eq!(versions("beta"), ["0.1"]);
        assert_eq!(overlaid.snapshot(), base.snapshot());
        assert!(overlaid.is_current(&"gamma".parse().unwrap()));
        assert!(!overlaid.is_current(&"alpha".parse().unwrap()));
        // What a package read just now lacks does not exist.
        let gamma = overlaid.package(&"gamma".parse().unwrap()).unwrap();
        let specifiers = |text: &str| text.parse().unwrap();
        assert_eq!(
            gamma.coverage(&specifiers("==3.0")),
            crate::Coverage::PastSnapshot
        );
        assert_eq!(
            overlaid.coverage(gamma, &specifiers("==3.0")),
            crate::Coverage::NoSuchRelease
        );
        assert_eq!(
            overlaid.coverage(gamma, &specifiers(">=3")),
            crate::Coverage::Indexed
        );
        // The base is untouched.
        assert_eq!(
            base.package(&"gamma".parse().unwrap())
                .unwrap()
                .releases()
                .len(),
            1
        );
        assert!(base.package(&"beta".parse().unwrap()).is_none());
    }
}
