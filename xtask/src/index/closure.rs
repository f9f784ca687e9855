//! The universe of indexed packages: the seeds, closed over the dependencies that themselves depend on NumPy, and
//! the full sync of each of its packages. Runs over any [`Fetcher`], in parallel on the current rayon pool.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use std::str::FromStr;

use anyhow::Result;
use rayon::prelude::*;

use super::fetch::Fetcher;
use super::release::{self, SyncedRelease};
use super::{is_unconditional, normalize, release_scans, requirement_name, sync};

pub use super::sync::SyncedPackage;

/// Syncs one package fully, its releases' wheels scanned (see [`release_scans`]): [`sync::sync_package`] with
/// the sync's scans.
pub fn sync_package<F: Fetcher>(
    fetcher: &F,
    name: &str,
    wanted: &BTreeSet<String>,
    newest: Option<usize>,
) -> Result<Option<SyncedPackage>> {
    let scans = |release: &release::Release, selection: &release::Selection| {
        release_scans::release_facts(fetcher, name, release, selection)
    };
    sync::sync_package(fetcher, name, wanted, newest, Some(&scans))
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
