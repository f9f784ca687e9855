//! An index written release by release ([`IndexBuilder`]): what rule and solver tests solve over, so that each says
//! what it tests and none moves when the embedded data is refreshed.

use std::collections::BTreeMap;

use crate::source::{PackageFile, ReleaseEntry, Snapshot};
use crate::{Index, IndexError};

/// The upload time of every release a builder makes, and so the snapshot's date.
const UPLOADED: &str = "2025-01-01T00:00:00Z";

/// Builds an [`Index`] from releases given one by one, encoded and decoded as the embedded index is
/// ([`Index::from_source`]).
///
/// ```
/// use nplint_index::IndexBuilder;
///
/// let index = IndexBuilder::new()
///     .pure("numpy", "1.26.4", &[])
///     .pure("oldlib", "1.0", &["numpy<2"])
///     .build()
///     .unwrap();
/// assert!(index.package(&"oldlib".parse().unwrap()).is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct IndexBuilder {
    packages: BTreeMap<String, Vec<ReleaseEntry>>,
}

impl IndexBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pure release of `name` whose one wheel requires `requires_dist` ([`ReleaseEntry::pure`]).
    #[must_use]
    pub fn pure(self, name: &str, version: &str, requires_dist: &[&str]) -> Self {
        self.release(
            name,
            ReleaseEntry::pure(name, version, UPLOADED, requires_dist),
        )
    }

    /// Adds a pure release of `name` that declares `Requires-Python: requires_python`.
    #[must_use]
    pub fn pure_for_python(
        self,
        name: &str,
        version: &str,
        requires_python: &str,
        requires_dist: &[&str],
    ) -> Self {
        let mut release = ReleaseEntry::pure(name, version, UPLOADED, requires_dist);
        release.metadata[0].requires_python = Some(requires_python.to_owned());
        self.release(name, release)
    }

    /// Adds `release` of `name`, as written.
    #[must_use]
    pub fn release(mut self, name: &str, release: ReleaseEntry) -> Self {
        self.packages
            .entry(name.to_owned())
            .or_default()
            .push(release);
        self
    }

    /// The index of every release added. It lives for the rest of the program ([`Index::from_source`] leaks its
    /// encoding), as a solver needs: build one per test, never in a loop.
    ///
    /// # Errors
    /// When a release does not encode: an invalid name, version or requirement.
    pub fn build(self) -> Result<&'static Index, IndexError> {
        let packages: Vec<PackageFile> = self
            .packages
            .into_iter()
            .map(|(name, releases)| PackageFile::new(&name, releases))
            .collect();
        let snapshot = Snapshot::of(UPLOADED, &packages);
        Ok(Box::leak(Box::new(Index::from_source(
            &snapshot, &packages,
        )?)))
    }
}
