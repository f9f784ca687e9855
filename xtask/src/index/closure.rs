//! The universe of indexed packages: the seeds, closed over the dependencies that themselves depend on NumPy, and
//! the full sync of each of its packages. Runs over any [`Fetcher`], in parallel on the current rayon pool.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use std::str::FromStr;

use anyhow::{Context, Result};
use pep440_rs::VersionSpecifiers;
use rayon::prelude::*;

use super::fetch::Fetcher;
use super::release::{self, ReadMetadata, SyncedRelease};
use super::release_scans;
use super::{is_unconditional, normalize, requirement_name};

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

/// Syncs one package fully: every kept release, the metadata of its selected files. `wanted` are the specifiers of
/// requirements on it that name a pre-release (see [`wanted_prereleases`]). `None` when the index does not have the
/// package.
pub fn sync_package<F: Fetcher>(
    fetcher: &F,
    name: &str,
    wanted: &BTreeSet<String>,
    newest: Option<usize>,
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
    let (scanned, undeclared_unscanned) =
        scanned_releases(&declares, fetcher.scans_every_release(name));
    let synced: Vec<(SyncedRelease, Vec<String>)> = releases
        .par_iter()
        .zip(read)
        .zip(scanned)
        .map(|((release, (reads, notes)), scans)| -> Result<_> {
            let selection = release::select(release);
            let scans = if scans {
                release_scans::release_facts(fetcher, name, release, &selection)
                    .with_context(|| format!("`{name}` {}: scanning wheels", release.display))?
            } else {
                release::ReleaseScans::default()
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
fn scanned_releases(declares: &[bool], every: bool) -> (Vec<bool>, usize) {
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
    release: &release::Release,
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

/// Per package, the specifiers of the requirements on it that name a pre-release (`keras-nightly~=2.5.0.dev`):
/// pip and uv consider a package's pre-releases when a requirement on it names one, so such a requirement can only
/// be met by a pre-release. Requirements under an extra or a marker count; strings that do not parse do not.
pub fn wanted_prereleases<'a>(
    requirements: impl Iterator<Item = &'a str>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for requirement in requirements {
        // A requirement without a digit names no version at all: skip the parse.
        if !requirement.contains(|character: char| character.is_ascii_digit()) {
            continue;
        }
        let Ok(parsed) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement)
        else {
            continue;
        };
        if let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) = &parsed.version_or_url
            && specifiers
                .iter()
                .any(pep440_rs::VersionSpecifier::any_prerelease)
        {
            wanted
                .entry(normalize(parsed.name.as_ref()))
                .or_default()
                .insert(specifiers.to_string());
        }
    }
    wanted
}

/// Syncs again every package of `packages` whose releases' requirements (and `known`'s: requirements of packages
/// not synced now) ask for pre-releases it was synced without, until nothing changes: a pre-release kept this way
/// may itself ask for others.
pub fn settle_prereleases<F: Fetcher>(
    fetcher: &F,
    packages: &mut BTreeMap<String, SyncedPackage>,
    known: &BTreeMap<String, BTreeSet<String>>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<()> {
    loop {
        let mut wanted = wanted_prereleases(
            packages
                .values()
                .flat_map(|package| &package.releases)
                .flat_map(SyncedRelease::requirements),
        );
        for (name, specifiers) in known {
            wanted
                .entry(name.clone())
                .or_default()
                .extend(specifiers.iter().cloned());
        }
        let stale: Vec<(String, BTreeSet<String>)> = wanted
            .into_iter()
            .filter(|(name, specifiers)| {
                packages.get(name).is_some_and(|package| {
                    package.prereleases_omitted > 0 && package.prereleases_wanted != *specifiers
                })
            })
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        let synced: Vec<(String, Option<SyncedPackage>)> = stale
            .par_iter()
            .map(|(name, specifiers)| -> Result<_> {
                progress(&format!(
                    "syncing `{name}` again for the pre-releases `{}` asks for",
                    specifiers.iter().cloned().collect::<Vec<_>>().join("`, `")
                ));
                let newest = packages.get(name).and_then(|package| package.newest);
                Ok((
                    name.clone(),
                    sync_package(fetcher, name, specifiers, newest)?,
                ))
            })
            .collect::<Result<_>>()?;
        for (name, package) in synced {
            if let Some(package) = package {
                packages.insert(name, package);
            }
        }
    }
}

/// The unconditional dependency names of a package's newest final release (the newest release at all when there
/// is no final one), read from one file: how a dependency outside the universe is classified.
pub fn newest_dependencies<F: Fetcher>(fetcher: &F, name: &str) -> Result<BTreeSet<String>> {
    let Some(page) = fetcher.project(name)? else {
        return Ok(BTreeSet::new());
    };
    let (releases, _) = release::group(&page, name);
    let newest = releases
        .iter()
        .rev()
        .find(|release| !release.version.any_prerelease() && release.yanked().is_none())
        .or_else(|| releases.last());
    let Some(newest) = newest else {
        return Ok(BTreeSet::new());
    };
    let selection = release::select(newest);
    // One file is enough to classify.
    let read = selection.representative();
    let Some(read) = read else {
        return Ok(BTreeSet::new());
    };
    let outcome = fetcher.metadata(name, read.file)?;
    Ok(outcome
        .metadata
        .iter()
        .flat_map(|metadata| metadata.requires_dist.iter())
        .filter(|requirement| is_unconditional(requirement))
        .filter_map(|requirement| requirement_name(requirement))
        .filter(|dependency| dependency != name)
        .collect())
}

/// The outcome of a full sync.
#[derive(Debug, Default)]
pub struct Closure {
    /// Every package of the universe that the index has, by name.
    pub packages: BTreeMap<String, SyncedPackage>,
    /// Packages the closure added, with the universe package whose dependency brought each in.
    pub added_by: BTreeMap<String, String>,
    /// Seeds the index does not have.
    pub missing: Vec<String>,
    /// Dependencies looked at and not added (they do not depend on the universe).
    pub rejected: usize,
}

impl Closure {
    pub fn universe(&self) -> BTreeSet<String> {
        self.packages.keys().cloned().collect()
    }

    /// Seeds from which no chain of unconditional dependencies within the universe reaches `numpy`.
    pub fn seeds_without_numpy(&self, seeds: &[String]) -> Vec<String> {
        let dependencies: BTreeMap<&str, BTreeSet<String>> = self
            .packages
            .iter()
            .map(|(name, package)| (name.as_str(), package.unconditional_dependencies()))
            .collect();
        // Walk backwards from numpy: everything that reaches it.
        let mut reaches: BTreeSet<&str> = BTreeSet::from(["numpy"]);
        loop {
            let before = reaches.len();
            for (name, dependencies) in &dependencies {
                if dependencies
                    .iter()
                    .any(|dependency| reaches.contains(dependency.as_str()))
                {
                    reaches.insert(name);
                }
            }
            if reaches.len() == before {
                break;
            }
        }
        seeds
            .iter()
            .filter(|seed| self.packages.contains_key(*seed) && !reaches.contains(seed.as_str()))
            .cloned()
            .collect()
    }
}

/// Syncs the seeds and closes the universe: repeatedly, every unconditional dependency of a universe package that
/// is not yet classified is classified by its newest final release, and joins the universe when that depends on
/// a universe package (`numpy` is a seed). A dependency once rejected is re-examined, without fetching again,
/// whenever the universe grows. Ends at the fixpoint.
///
/// The seeds come in rounds, each closed before the next begins, with how many final releases its packages (and
/// those their closure adds) are held with: `None` for every one, `Some(n)` for the newest `n` (see
/// [`release::newest`]). A package keeps the depth of the first round that reaches it.
pub fn sync<F: Fetcher>(
    fetcher: &F,
    rounds: &[(&[String], Option<usize>)],
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Closure> {
    let mut closure = Closure::default();
    let mut universe: BTreeSet<String> = BTreeSet::new();
    let mut classified: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut first_seen: BTreeMap<String, String> = BTreeMap::new();
    let done = AtomicUsize::new(0);
    for &(seeds, newest) in rounds {
        universe.extend(seeds.iter().cloned());
        close(
            fetcher,
            &mut closure,
            &mut universe,
            &mut classified,
            &mut first_seen,
            newest,
            &done,
            progress,
        )?;
    }
    settle_prereleases(fetcher, &mut closure.packages, &BTreeMap::new(), progress)?;
    closure.rejected = classified
        .keys()
        .filter(|name| !universe.contains(*name))
        .count();
    closure.missing.sort();
    Ok(closure)
}

/// One round of [`sync`]: syncs the universe's packages not synced yet, each holding `newest`, and grows the
/// universe until nothing joins.
#[allow(
    clippy::too_many_arguments,
    reason = "the state of `sync`'s rounds, passed whole rather than bundled for one caller"
)]
fn close<F: Fetcher>(
    fetcher: &F,
    closure: &mut Closure,
    universe: &mut BTreeSet<String>,
    classified: &mut BTreeMap<String, BTreeSet<String>>,
    first_seen: &mut BTreeMap<String, String>,
    newest: Option<usize>,
    done: &AtomicUsize,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<()> {
    loop {
        let pending: Vec<&String> = universe
            .iter()
            .filter(|name| !closure.packages.contains_key(*name) && !closure.missing.contains(name))
            .collect();
        let total = pending.len();
        let synced: Vec<(String, Option<SyncedPackage>)> = pending
            .par_iter()
            .map(|name| -> Result<_> {
                let package = sync_package(fetcher, name, &BTreeSet::new(), newest)?;
                let count = done.fetch_add(1, Ordering::Relaxed) + 1;
                let releases = package.as_ref().map_or(0, |package| package.releases.len());
                progress(&format!(
                    "synced `{name}`: {releases} releases ({count} of this round's {total})"
                ));
                Ok(((*name).clone(), package))
            })
            .collect::<Result<_>>()?;
        done.store(0, Ordering::Relaxed);
        let synced_any = !synced.is_empty();
        for (name, package) in synced {
            match package {
                Some(package) => {
                    closure.packages.insert(name, package);
                }
                None => closure.missing.push(name),
            }
        }

        let mut discovered: Vec<String> = Vec::new();
        for (name, package) in &closure.packages {
            for dependency in package.unconditional_dependencies() {
                if !universe.contains(&dependency) && !first_seen.contains_key(&dependency) {
                    first_seen.insert(dependency.clone(), name.clone());
                    discovered.push(dependency);
                }
            }
        }
        if !discovered.is_empty() {
            progress(&format!("classifying {} dependencies", discovered.len()));
        }
        let dependencies: Vec<(String, BTreeSet<String>)> = discovered
            .par_iter()
            .map(|name| Ok((name.clone(), newest_dependencies(fetcher, name)?)))
            .collect::<Result<_>>()?;
        classified.extend(dependencies);

        let mut grew = false;
        loop {
            let joining: Vec<String> = classified
                .iter()
                .filter(|(name, dependencies)| {
                    !universe.contains(*name)
                        && dependencies
                            .iter()
                            .any(|dependency| universe.contains(dependency))
                })
                .map(|(name, _)| name.clone())
                .collect();
            if joining.is_empty() {
                break;
            }
            for name in joining {
                progress(&format!(
                    "closure: adding `{name}` (a dependency of `{}`)",
                    first_seen[&name]
                ));
                closure
                    .added_by
                    .insert(name.clone(), first_seen[&name].clone());
                universe.insert(name);
                grew = true;
            }
        }
        if !synced_any && !grew && discovered.is_empty() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use nplint_index::source::MetadataSource;

    use super::*;
    use crate::index::fetch::Fetched;
    use crate::index::metadata::CoreMetadata;
    use crate::index::release::PRERELEASES_KEPT;
    use crate::index::simple::{File, ProjectPage};

    /// An index in memory: per package, releases with a pure wheel whose metadata lists the given requirements.
    #[derive(Debug, Default)]
    struct FakeIndex {
        packages: HashMap<String, Vec<(&'static str, Vec<&'static str>)>>,
        asked: Mutex<Vec<String>>,
        /// The wheels whose Python code was scanned.
        scanned: Mutex<Vec<String>>,
    }

    impl FakeIndex {
        fn with(mut self, name: &str, releases: &[(&'static str, &[&'static str])]) -> Self {
            self.packages.insert(
                name.to_string(),
                releases
                    .iter()
                    .map(|(version, requires)| (*version, requires.to_vec()))
                    .collect(),
            );
            self
        }
    }

    impl Fetcher for FakeIndex {
        fn project(&self, name: &str) -> Result<Option<ProjectPage>> {
            self.asked.lock().unwrap().push(name.to_string());
            Ok(self.packages.get(name).map(|releases| ProjectPage {
                name: name.to_string(),
                versions: releases
                    .iter()
                    .map(|(version, _)| (*version).to_string())
                    .collect(),
                files: releases
                    .iter()
                    .map(|(version, _)| File {
                        filename: format!("{name}-{version}-py3-none-any.whl"),
                        url: format!("https://files.example.invalid/{name}/{version}"),
                        requires_python: None,
                        yanked: crate::index::simple::Yanked::No,
                        upload_time: Some("2020-01-01T00:00:00Z".to_string()),
                        size: None,
                    })
                    .collect(),
            }))
        }

        fn scans_every_release(&self, _project: &str) -> bool {
            false
        }

        fn removed_api(&self, wheel: &File) -> Result<Vec<nplint_index::source::ApiUse>> {
            self.scanned.lock().unwrap().push(wheel.filename.clone());
            Ok(Vec::new())
        }

        fn metadata(&self, project: &str, file: &File) -> Result<Fetched> {
            let version = file.url.rsplit('/').next().unwrap();
            let (_, requires) = self.packages[project]
                .iter()
                .find(|(candidate, _)| *candidate == version)
                .unwrap();
            Ok(Fetched {
                via: MetadataSource::MetadataFile,
                metadata: Some(CoreMetadata {
                    requires_dist: requires.iter().map(ToString::to_string).collect(),
                    ..CoreMetadata::default()
                }),
                note: None,
            })
        }
    }

    fn index() -> FakeIndex {
        FakeIndex::default()
            .with("numpy", &[("1.0", &[]), ("2.0", &[])])
            // `tensorflow -> h5py -> numpy`, `h5py` not a seed.
            .with(
                "tensorflow",
                &[(
                    "1.0",
                    &["numpy>=1", "h5py", "requests", "pytest; extra == 'test'"],
                )],
            )
            .with("h5py", &[("3.0", &["numpy"])])
            .with("requests", &[("2.0", &["urllib3"])])
            .with("urllib3", &[("1.0", &[])])
            .with("pytest", &[("8.0", &["numpy"])])
            // Depends on NumPy only in an old release: classified by the newest final release, so not added.
            .with(
                "protobuf",
                &[("3.0", &["numpy"]), ("4.0", &[]), ("5.0rc1", &["numpy"])],
            )
            // Reaches the universe only through a package outside it (`tf-helper`): not added, as the closure looks
            // one step beyond the universe.
            .with("keras", &[("3.0", &["ml-dtypes-helper", "protobuf"])])
            .with("ml-dtypes-helper", &[("1.0", &["tf-helper"])])
            .with("tf-helper", &[("1.0", &["tensorflow"])])
            .with("einops", &[("0.8", &[])])
    }

    fn seeds(names: &[&str]) -> Vec<String> {
        names.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn adds_dependencies_that_reach_the_universe_and_nothing_else() {
        let index = index();
        let seeds = seeds(&["einops", "keras", "numpy", "tensorflow"]);
        let closure = sync(&index, &[(&seeds, None)], &|_| {}).unwrap();
        assert_eq!(
            closure.universe().into_iter().collect::<Vec<_>>(),
            ["einops", "h5py", "keras", "numpy", "tensorflow"]
        );
        assert_eq!(
            closure
                .added_by
                .iter()
                .map(|(a, b)| format!("{a} <- {b}"))
                .collect::<Vec<_>>(),
            ["h5py <- tensorflow"]
        );
        // `requests`, `protobuf`, `ml-dtypes-helper`; `urllib3` and `tf-helper` are nobody's in the universe.
        assert_eq!(closure.rejected, 3);
        let asked = index.asked.lock().unwrap();
        assert!(!asked.contains(&"urllib3".to_string()));
        // `keras` reaches NumPy only through packages outside the universe.
        assert_eq!(closure.seeds_without_numpy(&seeds), ["einops", "keras"]);
        // `pytest` appears only behind an extra: never fetched.
        assert!(!asked.contains(&"pytest".to_string()));
    }

    #[test]
    fn re_examines_a_rejected_dependency_when_the_universe_grows() {
        // `a` depends on `b` and `c`; `b` depends on `c`; `c` depends on numpy. `b` does not reach the universe
        // until `c` joins it, and must be accepted then. Over rounds: `d` (a dependency of `a`) depends on `e`,
        // which only `c` depends on, so `e` joins in the second round, and `d` must then be re-examined.
        let index = FakeIndex::default()
            .with("numpy", &[("1.0", &[])])
            .with("a", &[("1.0", &["b", "c", "d"])])
            .with("b", &[("1.0", &["c"])])
            .with("c", &[("1.0", &["numpy", "e"])])
            .with("d", &[("1.0", &["e"])])
            .with("e", &[("1.0", &["numpy"])]);
        let closure = sync(&index, &[(&seeds(&["a", "numpy"]), None)], &|_| {}).unwrap();
        assert_eq!(
            closure.universe().into_iter().collect::<Vec<_>>(),
            ["a", "b", "c", "d", "e", "numpy"]
        );
        assert_eq!(closure.added_by["e"], "c");
        assert!(
            closure
                .seeds_without_numpy(&seeds(&["a", "numpy"]))
                .is_empty()
        );
    }

    #[test]
    fn a_later_round_holds_only_the_newest_releases_of_what_it_adds() {
        // `deep` and `tail` are seeds of the two rounds; `shared` is a dependency of both, `own` of `tail` only.
        let three: &[(&'static str, &[&'static str])] = &[
            ("1.0", &["numpy"]),
            ("1.1", &["numpy"]),
            ("2.0", &["numpy"]),
        ];
        let index = FakeIndex::default()
            .with("numpy", &[("1.0", &[])])
            .with("deep", &[("1.0", &["shared"]), ("1.1", &["shared"])])
            .with(
                "tail",
                &[
                    ("1.0", &["own"]),
                    ("1.1", &["own", "shared"]),
                    ("1.2", &["own", "shared"]),
                ],
            )
            .with("shared", three)
            .with("own", three);
        let closure = sync(
            &index,
            &[
                (&seeds(&["deep", "numpy"]), None),
                (&seeds(&["tail"]), Some(2)),
            ],
            &|_| {},
        )
        .unwrap();
        let held = |name: &str| {
            let package = &closure.packages[name];
            (
                package
                    .releases
                    .iter()
                    .map(|release| release.display.clone())
                    .collect::<Vec<_>>(),
                package.held_from.clone(),
                package.earlier.clone(),
            )
        };
        assert_eq!(
            held("shared"),
            (vec!["1.0".into(), "1.1".into(), "2.0".into()], None, vec![])
        );
        assert_eq!(
            held("tail"),
            (
                vec!["1.1".into(), "1.2".into()],
                Some("1.1".into()),
                vec!["1.0".into()]
            )
        );
        assert_eq!(
            held("own"),
            (
                vec!["1.1".into(), "2.0".into()],
                Some("1.1".into()),
                vec!["1.0".into()]
            )
        );
    }

    #[test]
    fn keeps_the_pre_releases_other_releases_ask_for() {
        // `tf` 2.5 requires a 2.5 nightly of `kn`, whose newest nightlies (3.0) push the 2.5 ones out of the default
        // policy's window; `kn`'s 2.5 nightly itself asks for a pre-release of `tb`.
        let mut nightlies: Vec<(&'static str, &'static [&'static str])> = vec![
            ("2.5.0.dev1", &["tb==1.0rc1", "numpy"]),
            ("2.5.0.dev2", &["numpy"]),
        ];
        let flood: Vec<&'static str> = (1..=25)
            .map(|day| &*format!("3.0.0.dev{day}").leak())
            .collect();
        nightlies.extend(flood.iter().map(|version| (*version, &[][..])));
        let index = FakeIndex::default()
            .with("numpy", &[("1.0", &[])])
            .with("tf", &[("2.5.0", &["kn~=2.5.0.dev", "numpy"])])
            .with("kn", &nightlies)
            .with("tb", &[("1.0rc1", &["numpy"]), ("1.0", &["numpy"])]);
        let closure = sync(
            &index,
            &[(&seeds(&["kn", "numpy", "tb", "tf"]), None)],
            &|_| {},
        )
        .unwrap();
        let versions = |name: &str| -> Vec<String> {
            closure.packages[name]
                .releases
                .iter()
                .map(|release| release.display.clone())
                .collect()
        };
        let kn = versions("kn");
        assert_eq!(&kn[..2], ["2.5.0.dev1", "2.5.0.dev2"]);
        assert_eq!(kn.len(), 2 + PRERELEASES_KEPT);
        assert_eq!(
            closure.packages["kn"].prereleases_omitted,
            25 - PRERELEASES_KEPT
        );
        // An old release candidate, kept only because a kept pre-release pins it.
        assert_eq!(versions("tb"), ["1.0rc1", "1.0"]);
    }

    #[test]
    fn scans_every_release_of_a_package_that_requires_numpy_in_one() {
        // `t3d` 0.4.1 imports NumPy without declaring it; 0.4.2 declares it. `plain` never does.
        let index = FakeIndex::default()
            .with("numpy", &[("1.0", &[])])
            .with("t3d", &[("0.4.1", &[]), ("0.4.2", &["numpy"])])
            .with("plain", &[("1.0", &["t3d"])]);
        sync(
            &index,
            &[(&seeds(&["numpy", "plain", "t3d"]), None)],
            &|_| {},
        )
        .unwrap();
        let mut scanned = index.scanned.lock().unwrap().clone();
        scanned.sort();
        assert_eq!(
            scanned,
            ["t3d-0.4.1-py3-none-any.whl", "t3d-0.4.2-py3-none-any.whl"]
        );
    }

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

    #[test]
    fn reports_missing_seeds() {
        let index = FakeIndex::default().with("numpy", &[("1.0", &[])]);
        let closure = sync(
            &index,
            &[(&seeds(&["numpy", "not-on-the-index"]), None)],
            &|_| {},
        )
        .unwrap();
        assert_eq!(closure.missing, ["not-on-the-index"]);
        assert_eq!(
            closure.universe().into_iter().collect::<Vec<_>>(),
            ["numpy"]
        );
    }
}
