//! The snapshot's promise, checked: every release uploaded before `snapshot.json`'s date is in the index.
//!
//! The date is the newest upload of any file the sync saw, yet the sync reads its project pages over minutes, a
//! partial sync (`--only`) reads some of them days later, and a cache or mirror between the sync and the index may
//! answer with an old page. Any of these leaves a package without releases older than the date it claims. So a
//! sync reads every project page once more when it is done and compares: each release the page lists with files
//! uploaded up to the date (and that the sync keeps, see [`release::keep`]) must be in the data, with the same kind
//! and the same wheel tags per platform. A page that shows more is stale data, and fails the sync.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use anyhow::{Context, Result};
use nplint_index::source::{PackageFile, Platform, ReleaseKind};
use pep440_rs::Version;
use rayon::prelude::*;

use super::fetch::Fetcher;
use super::release;
use super::simple::normalize_time;

/// What one package's page lists up to the snapshot date and its data lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub package: String,
    /// Releases the page lists and the data does not have.
    pub missing: Vec<String>,
    /// Releases the data has with other files than the page lists up to the date: how they differ.
    pub changed: Vec<String>,
}

/// A release as its files up to the snapshot date describe it.
#[derive(Debug, PartialEq, Eq)]
struct Listed {
    kind: ReleaseKind,
    wheels: BTreeMap<Platform, Vec<String>>,
}

/// Reads every package's page again and returns those whose data lacks what the page lists up to `newest_upload`,
/// sorted by name. A package the index no longer has is not stale: nothing was missed.
pub fn check<F: Fetcher>(
    fetcher: &F,
    packages: &BTreeMap<String, PackageFile>,
    newest_upload: &str,
) -> Result<Vec<Stale>> {
    let mut stale: Vec<Stale> = packages
        .par_iter()
        .map(|(name, file)| -> Result<Option<Stale>> {
            let Some(page) = fetcher
                .project(name)
                .with_context(|| format!("`{name}`: reading its page again"))?
            else {
                return Ok(None);
            };
            Ok(compare(name, file, &listed(name, &page, newest_upload)))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    stale.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(stale)
}

/// The kept releases of `page`, by version as listed, counting only files uploaded up to `limit`. Pre-releases kept
/// because a requirement asks for them (see [`release::kept`]) are not listed: the check proves the default policy's.
fn listed(name: &str, page: &super::simple::ProjectPage, limit: &str) -> BTreeMap<String, Listed> {
    let mut page = page.clone();
    page.files.retain(|file| {
        file.upload_time
            .as_deref()
            .is_some_and(|time| normalize_time(time).as_str() <= limit)
    });
    let (releases, _) = release::group(&page, name);
    release::kept(name, releases, &[])
        .0
        .iter()
        .map(|release| {
            let selection = release::select(release);
            (
                release.display.clone(),
                Listed {
                    kind: selection.kind,
                    wheels: selection.wheels,
                },
            )
        })
        .collect()
}

fn compare(name: &str, file: &PackageFile, listed: &BTreeMap<String, Listed>) -> Option<Stale> {
    let held: BTreeMap<&str, Listed> = file
        .releases
        .iter()
        .map(|release| {
            (
                release.version.as_str(),
                Listed {
                    kind: release.kind,
                    wheels: release.wheels.clone(),
                },
            )
        })
        .collect();
    // Of a package held from a version on, the releases before it are left out by design.
    let held_from = file
        .held_from
        .as_deref()
        .and_then(|version| Version::from_str(version).ok());
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for (version, listed) in listed {
        if let Some(held_from) = &held_from
            && Version::from_str(version).is_ok_and(|version| version < *held_from)
        {
            continue;
        }
        match held.get(version.as_str()) {
            None => missing.push(version.clone()),
            Some(held) if held != listed => {
                let platforms: Vec<String> = listed
                    .wheels
                    .iter()
                    .filter(|(platform, tags)| held.wheels.get(platform) != Some(tags))
                    .map(|(platform, _)| release::platform_name(*platform))
                    .collect();
                changed.push(if platforms.is_empty() {
                    format!("{version} (kind {:?}, held {:?})", listed.kind, held.kind)
                } else {
                    format!("{version} (wheels for {})", platforms.join(", "))
                });
            }
            Some(_) => {}
        }
    }
    (!missing.is_empty() || !changed.is_empty()).then(|| Stale {
        package: name.to_owned(),
        missing,
        changed,
    })
}

/// The report of a failed check: one line per stale package.
pub fn render(stale: &[Stale], newest_upload: &str) -> String {
    let mut out = format!(
        "{} package(s) lack releases uploaded before the snapshot date {newest_upload}:\n",
        stale.len()
    );
    for package in stale {
        let mut parts = Vec::new();
        if !package.missing.is_empty() {
            parts.push(format!("missing {}", package.missing.join(", ")));
        }
        if !package.changed.is_empty() {
            parts.push(format!("other files in {}", package.changed.join(", ")));
        }
        let _ = writeln!(out, "  {}: {}", package.package, parts.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::fetch::Fetched;
    use crate::index::simple::{File, ProjectPage};

    /// The recorded project pages of the registry crate's `src/fixtures/`, served as the index would.
    struct FixtureFetcher(ProjectPage);

    impl FixtureFetcher {
        fn recorded(name: &str) -> Self {
            let text = match name {
                "gensim" => {
                    include_str!("../../../crates/nplint-registry/src/fixtures/simple-gensim.json")
                }
                "numpy" => {
                    include_str!("../../../crates/nplint-registry/src/fixtures/simple-numpy.json")
                }
                _ => unreachable!("no recorded page for `{name}`"),
            };
            Self(serde_json::from_str(text).unwrap())
        }
    }

    impl Fetcher for FixtureFetcher {
        fn project(&self, name: &str) -> Result<Option<ProjectPage>> {
            Ok((self.0.name == name).then(|| self.0.clone()))
        }

        fn metadata(&self, _project: &str, _file: &File) -> Result<Fetched> {
            unreachable!("the check reads pages only")
        }
    }

    fn data(name: &str, fetcher: &FixtureFetcher, limit: &str) -> PackageFile {
        // The data a sync that saw files up to `limit` wrote: the releases listed then, nothing else.
        let page = fetcher.project(name).unwrap().unwrap();
        let releases = listed(name, &page, limit)
            .into_iter()
            .map(|(version, listed)| nplint_index::source::ReleaseEntry {
                wheels: listed.wheels,
                ..nplint_index::source::ReleaseEntry::new(&version, "", listed.kind)
            })
            .collect();
        PackageFile::new(name, releases)
    }

    #[test]
    fn a_package_synced_before_the_snapshot_date_is_stale() {
        let fetcher = FixtureFetcher::recorded("gensim");
        let page = fetcher.project("gensim").unwrap().unwrap();
        let time = |file: &File| normalize_time(file.upload_time.as_deref().unwrap());
        let newest = page.files.iter().map(time).max().unwrap();
        // The newest release's first upload, and the last upload before it: a sync that read the page then
        // missed that whole release.
        let (releases, _) = release::group(&page, "gensim");
        let first_of_newest = releases
            .iter()
            .filter_map(release::Release::uploaded)
            .max()
            .unwrap();
        let earlier = page
            .files
            .iter()
            .map(time)
            .filter(|uploaded| *uploaded < first_of_newest)
            .max()
            .unwrap();
        let mut packages = BTreeMap::new();
        packages.insert("gensim".to_owned(), data("gensim", &fetcher, &earlier));

        // Checked against the date that sync saw, the data is complete.
        assert_eq!(check(&fetcher, &packages, &earlier).unwrap(), []);
        // Against a later date (another package's newer upload), the page shows what the data lacks.
        let stale = check(&fetcher, &packages, &newest).unwrap();
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert_eq!(stale[0].package, "gensim");
        assert_eq!(stale[0].missing, ["4.0.1"], "{stale:?}");
        let report = render(&stale, &newest);
        assert!(report.contains("gensim: "), "{report}");
    }

    #[test]
    fn a_complete_package_is_not_stale() {
        let fetcher = FixtureFetcher::recorded("numpy");
        let mut packages = BTreeMap::new();
        let far = "2999-01-01T00:00:00Z";
        packages.insert("numpy".to_owned(), data("numpy", &fetcher, far));
        assert_eq!(check(&fetcher, &packages, far).unwrap(), []);
    }
}
