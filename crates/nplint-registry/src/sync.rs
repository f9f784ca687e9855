//! One package read from an index: its releases kept (see [`crate::release`]), the core metadata of each
//! release's selected files, and optionally the scans its caller measures; then the index's source form of it.

use std::collections::BTreeSet;
use std::str::FromStr;

use anyhow::{Context, Result};
use nplint_index::source::PackageFile;
use pep440_rs::VersionSpecifiers;
use rayon::prelude::*;

use crate::fetch::Fetcher;
use crate::names::{is_unconditional, requirement_name};
use crate::release::{self, ReadMetadata, Release, ReleaseScans, Selection, SyncedRelease};

/// A package as synced: its kept releases, with metadata not yet filtered to the universe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedPackage {
    pub name: String,
    pub releases: Vec<SyncedRelease>,
    /// Versions on the index that are not PEP 440 and were skipped.
    pub invalid_versions: Vec<String>,
    /// Files whose metadata could not be read, and why.
    pub unknown: Vec<String>,
    /// Pre-releases left out (see [`release::kept`]).
    pub prereleases_omitted: usize,
    /// Releases that do not declare NumPy and were not scanned (see [`scanned_releases`]).
    pub undeclared_unscanned: usize,
    /// The versions of the releases before the index's history (see [`release::earlier`]); of a package held
    /// from a version on, the newest of each series before it (see [`release::series_newest`]).
    pub earlier: Vec<String>,
    /// How many final releases are held when not all are (see [`release::newest`]).
    pub newest: Option<usize>,
    /// The oldest version held, when the cap left releases out.
    pub held_from: Option<String>,
    /// The specifiers of requirements on this package that name a pre-release, as the sync knew them: the
    /// pre-releases they admit are kept (see [`release::kept`]).
    pub prereleases_wanted: BTreeSet<String>,
}

impl SyncedPackage {
    /// The names of every requirement of every release that applies without an extra.
    pub fn unconditional_dependencies(&self) -> BTreeSet<String> {
        self.releases
            .iter()
            .flat_map(SyncedRelease::requirements)
            .filter(|requirement| is_unconditional(requirement))
            .filter_map(requirement_name)
            .filter(|name| *name != self.name)
            .collect()
    }

    /// The newest upload time of any file of a kept release.
    pub fn newest_upload(&self) -> Option<&str> {
        self.releases
            .iter()
            .map(|release| release.newest_upload.as_str())
            .max()
    }
}

/// Scans one release's selected wheels: the sync's measured facts (its wheel scans live with it, not here).
pub type ScanHook<'a> = dyn Fn(&Release, &Selection) -> Result<ReleaseScans> + Sync + 'a;

/// Syncs one package fully: every kept release, the metadata of its selected files, and with `scan` the scans
/// of the releases [`scanned_releases`] picks. `wanted` are the specifiers of
/// requirements on it that name a pre-release (see [`wanted_prereleases`]). `None` when the index does not have the
/// package.
pub fn sync_package<F: Fetcher>(
    fetcher: &F,
    name: &str,
    wanted: &BTreeSet<String>,
    newest: Option<usize>,
    scan: Option<&ScanHook>,
) -> Result<Option<SyncedPackage>> {
    let Some(page) = fetcher.project(name)? else {
        return Ok(None);
    };
    let (releases, invalid_versions) = release::group(&page, name);
    let specifiers: Vec<VersionSpecifiers> = wanted
        .iter()
        .filter_map(|specifiers| VersionSpecifiers::from_str(specifiers).ok())
        .collect();
    let mut earlier = release::earlier(name, &releases);
    let (mut held, prereleases_omitted) = release::kept(name, releases.clone(), &specifiers);
    let mut held_from = None;
    if let Some(count) = newest {
        let (newest_held, from) = release::newest(held, count);
        held = newest_held;
        if let Some(from) = &from {
            let from = pep440_rs::Version::from_str(from)
                .with_context(|| format!("`{name}`: version `{from}`"))?;
            earlier = release::series_newest(&releases, &from);
        }
        held_from = from;
    }
    let releases = held;
    // First every release's metadata, then the scans (see [`scanned_releases`]).
    let read: Vec<(Vec<ReadMetadata>, Vec<String>)> = releases
        .par_iter()
        .map(|release| read_release(fetcher, name, release))
        .collect::<Result<_>>()?;
    let declares: Vec<bool> = read
        .iter()
        .map(|(reads, _)| {
            reads.iter().any(|read| {
                read.fetched
                    .metadata
                    .iter()
                    .flat_map(|metadata| &metadata.requires_dist)
                    .any(|requirement| requirement_name(requirement).as_deref() == Some("numpy"))
            })
        })
        .collect();
    let (scanned, undeclared_unscanned) = if scan.is_some() {
        scanned_releases(&declares, fetcher.scans_every_release(name))
    } else {
        (vec![false; declares.len()], 0)
    };
    let synced: Vec<(SyncedRelease, Vec<String>)> = releases
        .par_iter()
        .zip(read)
        .zip(scanned)
        .map(|((release, (reads, notes)), scans)| -> Result<_> {
            let selection = release::select(release);
            let scans = match scan {
                Some(scan) if scans => scan(release, &selection)
                    .with_context(|| format!("`{name}` {}: scanning wheels", release.display))?,
                _ => ReleaseScans::default(),
            };
            Ok((
                SyncedRelease {
                    version: release.version.clone(),
                    display: release.display.clone(),
                    uploaded: release.uploaded().unwrap_or_default(),
                    newest_upload: release.newest_upload().unwrap_or_default(),
                    yanked: release.yanked(),
                    kind: selection.kind,
                    wheels: selection.wheels,
                    reads,
                    scans,
                },
                notes,
            ))
        })
        .collect::<Result<_>>()?;
    let (releases, unknown): (Vec<_>, Vec<Vec<String>>) = synced.into_iter().unzip();
    Ok(Some(SyncedPackage {
        name: name.to_string(),
        releases,
        invalid_versions,
        unknown: unknown.into_iter().flatten().collect(),
        prereleases_omitted,
        undeclared_unscanned,
        earlier,
        newest,
        held_from,
        prereleases_wanted: wanted.clone(),
    }))
}

/// Of a package's releases that do not declare NumPy, the newest this many are scanned (see [`scanned_releases`]).
pub const UNDECLARED_SCANNED: usize = 50;

/// Which releases of a package are scanned, from whether each declares NumPy (sorted by version, ascending), and how
/// many that do not declare it are left unscanned. A package that requires NumPy in no release is not scanned
/// (unless `every`: a package of `packages.toml`'s scanned groups). One that requires it in some release has those
/// releases scanned, and the newest [`UNDECLARED_SCANNED`] of the others: a release may import NumPy without
/// declaring it (transforms3d 0.4.1 declares nothing and uses `numpy.maximum_sctype` at import; 0.4.2 declares it),
/// but a large application that required NumPy for a while (homeassistant: 1,542 releases since 2017, each wheel
/// tens of megabytes of Python) would take hours to scan in full, for releases that install NumPy only when
/// something else asks for it.
pub fn scanned_releases(declares: &[bool], every: bool) -> (Vec<bool>, usize) {
    if every {
        return (vec![true; declares.len()], 0);
    }
    if !declares.contains(&true) {
        return (vec![false; declares.len()], 0);
    }
    let mut undeclared = 0;
    let mut scanned = vec![false; declares.len()];
    for (at, &declared) in declares.iter().enumerate().rev() {
        if declared {
            scanned[at] = true;
        } else {
            undeclared += 1;
            scanned[at] = undeclared <= UNDECLARED_SCANNED;
        }
    }
    (scanned, undeclared.saturating_sub(UNDECLARED_SCANNED))
}

/// The metadata of a release's selected files, and the notes of those that could not be read.
fn read_release<F: Fetcher>(
    fetcher: &F,
    name: &str,
    release: &Release,
) -> Result<(Vec<ReadMetadata>, Vec<String>)> {
    let selection = release::select(release);
    let reads: Vec<(ReadMetadata, Option<String>)> = selection
        .reads
        .par_iter()
        .map(|read| -> Result<_> {
            let outcome = fetcher
                .metadata(name, read.file)
                .with_context(|| format!("`{name}` {}", release.display))?;
            let note = outcome.note.clone();
            Ok((
                ReadMetadata {
                    applies_to: read.applies_to.clone(),
                    file: read.file.filename.clone(),
                    fetched: outcome,
                    listed_requires_python: read.file.requires_python.clone(),
                },
                note,
            ))
        })
        .collect::<Result<_>>()?;
    let (reads, notes): (Vec<_>, Vec<_>) = reads.into_iter().unzip();
    Ok((reads, notes.into_iter().flatten().collect()))
}

/// A synced package in the source form, its `Requires-Dist` filtered to `universe` (`None`: every requirement
/// kept).
pub fn package_file(
    name: &str,
    package: &SyncedPackage,
    universe: Option<&BTreeSet<String>>,
) -> PackageFile {
    let all: BTreeSet<String>;
    let universe = if let Some(universe) = universe {
        universe
    } else {
        all = package
            .releases
            .iter()
            .flat_map(SyncedRelease::requirements)
            .filter_map(requirement_name)
            .collect();
        &all
    };
    PackageFile {
        name: name.to_owned(),
        releases: package
            .releases
            .iter()
            .map(|release| release.entry(universe))
            .collect(),
        earlier: package.earlier.clone(),
        held_from: package.held_from.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_the_newest_releases_that_do_not_declare_numpy() {
        // Nothing declared: nothing scanned, unless the package's group asks.
        assert_eq!(
            scanned_releases(&[false, false], false),
            (vec![false, false], 0)
        );
        assert_eq!(
            scanned_releases(&[false, false], true),
            (vec![true, true], 0)
        );
        // A few undeclared releases around declared ones: all scanned.
        assert_eq!(
            scanned_releases(&[false, true, false], false),
            (vec![true, true, true], 0)
        );
        // Many: the declared ones and the newest `UNDECLARED_SCANNED` of the others.
        let mut declares = vec![false; UNDECLARED_SCANNED + 10];
        declares[3] = true;
        let (scanned, left) = scanned_releases(&declares, false);
        assert_eq!(left, 9);
        assert!(scanned[3]);
        assert!(!scanned[0] && !scanned[2] && !scanned[4] && !scanned[9]);
        assert!(scanned[10..].iter().all(|&scanned| scanned));
        assert_eq!(
            scanned.iter().filter(|&&scanned| scanned).count(),
            UNDECLARED_SCANNED + 1
        );
    }
}
