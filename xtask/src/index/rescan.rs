//! `cargo xtask index sync --rescan-builds`: the `build` facts of the data as it is, read again from the wheels
//! they were read from, after a change of what the scan concludes from a module (see [`super::scan`]).
//!
//! A full sync would do the same, but reads every release's metadata and wheels again when there is no cache. A
//! rescan reads only the project pages (for the files' URLs and sizes) and, per release whose recorded `build`
//! has one of the labels asked for, the recorded `member` of the recorded `file` by range requests: a member that
//! still imports NumPy's C API keeps deciding, and a wheel whose member no longer does (or that recorded none,
//! `none`) has every extension module read again, as a sync's scan reads them. Nothing else of a release changes.
//! The results are cached per wheel and member, like the sync's scans.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Context, Result};
use nplint_index::source::{BuildNumpy, BuildScan};
use rayon::prelude::*;

use super::fetch::Fetcher;
use super::output::Tree;
use super::release_scans;

/// A label as the data writes it.
pub fn label(build: Option<&BuildScan>) -> &'static str {
    match build.map(|build| build.numpy) {
        Some(BuildNumpy::Numpy1) => "1.x",
        Some(BuildNumpy::Numpy2) => "2.x",
        Some(BuildNumpy::NameOnly) => "name-only",
        Some(BuildNumpy::None) => "none",
        None => "unknown",
    }
}

/// What a rescan changed: per package, per change of label (`1.x -> name-only`), the releases.
#[derive(Debug, Default)]
pub struct Rescan {
    pub read: usize,
    /// Releases whose recorded wheel is no longer in the project's listing: left as they were.
    pub missing: Vec<String>,
    pub changes: BTreeMap<String, BTreeMap<(&'static str, &'static str), Vec<String>>>,
    /// Releases whose NumPy floor changed (`pkg 1.0: - -> 1.20`), label changes aside.
    pub floors: Vec<String>,
}

/// A release of a package, by position, and its `build` read again (`None` when its wheel is not listed).
type Reread = (usize, Option<Option<BuildScan>>);

/// Reads again the `build` of every release of `tree` labelled one of `labels` (of the packages `only`, when not
/// empty), and writes what it finds into `tree`.
pub fn rescan<F: Fetcher>(
    fetcher: &F,
    tree: &mut Tree,
    labels: &[String],
    only: &BTreeSet<String>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Rescan> {
    let wanted = |build: Option<&BuildScan>| {
        build.is_some() && labels.iter().any(|wanted| wanted == label(build))
    };
    let names: Vec<String> = tree
        .packages
        .values()
        .filter(|package| only.is_empty() || only.contains(&package.name))
        .filter(|package| {
            package
                .releases
                .iter()
                .any(|release| wanted(release.build.as_ref()))
        })
        .map(|package| package.name.clone())
        .collect();
    let results: Vec<(String, Vec<Reread>)> = names
        .par_iter()
        .map(|name| {
            let package = &tree.packages[name];
            let page = fetcher
                .project(name)?
                .with_context(|| format!("the index has no project `{name}`"))?;
            let found = package
                .releases
                .par_iter()
                .enumerate()
                .filter(|(_, release)| wanted(release.build.as_ref()))
                .map(|(position, release)| {
                    let recorded = release.build.as_ref().expect("filtered on a build");
                    let Some(file) = page
                        .files
                        .iter()
                        .find(|file| file.filename == recorded.file)
                    else {
                        return Ok((position, None));
                    };
                    let build = fetcher.rescan_build(file, recorded)?;
                    Ok((
                        position,
                        Some(release_scans::with_wheel_floor(fetcher, file, build)?),
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            progress(&format!("rescanned `{name}`"));
            Ok((name.clone(), found))
        })
        .collect::<Result<_>>()?;
    let mut summary = Rescan::default();
    for (name, found) in results {
        let package = tree.packages.get_mut(&name).expect("read from the tree");
        for (position, build) in found {
            let release = &mut package.releases[position];
            let Some(build) = build else {
                summary.missing.push(format!("{name} {}", release.version));
                continue;
            };
            summary.read += 1;
            let (before, after) = (label(release.build.as_ref()), label(build.as_ref()));
            let floor = |build: Option<&BuildScan>| {
                build
                    .and_then(|build| build.numpy_floor.clone())
                    .unwrap_or_else(|| "-".to_string())
            };
            let (floor_before, floor_after) =
                (floor(release.build.as_ref()), floor(build.as_ref()));
            if floor_before != floor_after {
                summary.floors.push(format!(
                    "{name} {}: {floor_before} -> {floor_after}",
                    release.version
                ));
            }
            if before != after {
                summary
                    .changes
                    .entry(name.clone())
                    .or_default()
                    .entry((before, after))
                    .or_default()
                    .push(release.version.clone());
            }
            // The other platforms listed as reading the same agreed with the old scan, not with this one; their own
            // scans (`platform_builds`) stand.
            if before != after || floor_before != floor_after {
                release.build_agrees_on.clear();
            }
            release.build = build;
        }
    }
    Ok(summary)
}

impl Rescan {
    /// The summary printed after a rescan: one line per package and change of label, then the totals.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut totals: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (name, changes) in &self.changes {
            for ((before, after), versions) in changes {
                *totals.entry((before, after)).or_default() += versions.len();
                let _ = writeln!(
                    out,
                    "`{name}`: {} {before} -> {after} ({})",
                    versions.len(),
                    versions.join(", ")
                );
            }
        }
        let changed: usize = totals.values().sum();
        let _ = writeln!(
            out,
            "\nRescanned the `build` of {} releases: {changed} changed label in {} packages.",
            self.read,
            self.changes.len()
        );
        for ((before, after), count) in totals {
            let _ = writeln!(out, "  {before} -> {after}: {count}");
        }
        if !self.floors.is_empty() {
            let _ = writeln!(
                out,
                "NumPy floor changed in {} releases: {}",
                self.floors.len(),
                self.floors.join(", ")
            );
        }
        if !self.missing.is_empty() {
            let _ = writeln!(
                out,
                "Left as recorded, their wheel no longer listed: {}",
                self.missing.join(", ")
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {

    use nplint_index::source::{PackageFile, ReleaseEntry, ReleaseKind};

    use super::*;
    use crate::index::fetch::Fetched;
    use crate::index::simple::{File, ProjectPage};

    fn build(numpy: BuildNumpy, file: &str, member: Option<&str>) -> BuildScan {
        BuildScan {
            numpy,
            file: file.to_string(),
            member: member.map(ToString::to_string),
            numpy_floor: None,
        }
    }

    fn release(version: &str, build: Option<BuildScan>) -> ReleaseEntry {
        ReleaseEntry {
            build,
            ..ReleaseEntry::new(version, "2023-01-01T00:00:00Z", ReleaseKind::Binary)
        }
    }

    /// Lists the wheels of `pkg` 1.0 to 1.2; a rescan finds `name-only` where 1.x was recorded from `_b.so`.
    struct Stub;

    impl Fetcher for Stub {
        fn project(&self, name: &str) -> Result<Option<ProjectPage>> {
            let files = [
                "pkg-1.0-cp311.whl",
                "pkg-1.1-cp311.whl",
                "pkg-1.2-cp311.whl",
            ]
            .into_iter()
            .map(|filename| File {
                filename: filename.to_string(),
                url: format!("https://index.example.invalid/{filename}"),
                requires_python: None,
                yanked: crate::index::simple::Yanked::No,
                upload_time: None,
                size: Some(1),
            })
            .collect();
            Ok((name == "pkg").then(|| ProjectPage {
                name: name.to_string(),
                files,
                versions: Vec::new(),
            }))
        }

        fn metadata(&self, _project: &str, _file: &File) -> Result<Fetched> {
            unreachable!("a rescan reads no metadata")
        }

        fn rescan_build(&self, wheel: &File, recorded: &BuildScan) -> Result<Option<BuildScan>> {
            Ok(Some(match recorded.member.as_deref() {
                Some("pkg/_b.so") => {
                    build(BuildNumpy::NameOnly, &wheel.filename, Some("pkg/_b.so"))
                }
                _ => recorded.clone(),
            }))
        }

        // The wheel's floor replaces its deciding member's.
        fn floor_scan(&self, wheel: &File) -> Result<Option<String>> {
            Ok((wheel.filename == "pkg-1.2-cp311.whl").then(|| "1.20".to_string()))
        }
    }

    #[test]
    fn rewrites_the_builds_of_the_labels_asked_for() {
        let mut tree = Tree::default();
        tree.packages.insert(
            "pkg".to_string(),
            PackageFile {
                earlier: Vec::new(),
                held_from: None,
                name: "pkg".to_string(),
                releases: vec![
                    release(
                        "0.9",
                        Some(build(
                            BuildNumpy::Numpy1,
                            "pkg-0.9-cp311.whl",
                            Some("pkg/_b.so"),
                        )),
                    ),
                    release(
                        "1.0",
                        Some(build(
                            BuildNumpy::Numpy1,
                            "pkg-1.0-cp311.whl",
                            Some("pkg/_b.so"),
                        )),
                    ),
                    release(
                        "1.1",
                        Some(build(
                            BuildNumpy::Numpy1,
                            "pkg-1.1-cp311.whl",
                            Some("pkg/_a.so"),
                        )),
                    ),
                    release(
                        "1.2",
                        Some(build(
                            BuildNumpy::Numpy2,
                            "pkg-1.2-cp311.whl",
                            Some("pkg/_c.so"),
                        )),
                    ),
                    release("1.3", None),
                ],
            },
        );
        for release in &mut tree.packages.get_mut("pkg").unwrap().releases {
            release.build_agrees_on = vec![nplint_index::source::Platform::WindowsX86_64];
        }
        let summary = rescan(
            &Stub,
            &mut tree,
            &["1.x".to_string(), "2.x".to_string()],
            &BTreeSet::new(),
            &|_| {},
        )
        .unwrap();
        let labels: Vec<&str> = tree.packages["pkg"]
            .releases
            .iter()
            .map(|release| label(release.build.as_ref()))
            .collect();
        assert_eq!(labels, ["1.x", "name-only", "1.x", "2.x", "unknown"]);
        // A platform that agreed with a scan that changed (label or floor) no longer says so.
        let agreeing: Vec<usize> = tree.packages["pkg"]
            .releases
            .iter()
            .map(|release| release.build_agrees_on.len())
            .collect();
        assert_eq!(agreeing, [1, 0, 1, 0, 1]);
        assert_eq!(summary.read, 3);
        assert_eq!(summary.floors, ["pkg 1.2: - -> 1.20"]);
        assert_eq!(
            tree.packages["pkg"].releases[3]
                .build
                .as_ref()
                .and_then(|build| build.numpy_floor.as_deref()),
            Some("1.20")
        );
        assert_eq!(summary.missing, ["pkg 0.9"]);
        let rendered = summary.render();
        assert!(
            rendered.starts_with("`pkg`: 1 1.x -> name-only (1.0)\n"),
            "{rendered}"
        );
        assert!(
            rendered.contains("1 changed label in 1 packages"),
            "{rendered}"
        );
        assert!(
            rendered.contains("NumPy floor changed in 1 releases: pkg 1.2: - -> 1.20"),
            "{rendered}"
        );
    }

    #[test]
    fn rescans_only_the_packages_asked_for() {
        let mut tree = Tree::default();
        for name in ["pkg", "other"] {
            tree.packages.insert(
                name.to_string(),
                PackageFile {
                    earlier: Vec::new(),
                    held_from: None,
                    name: name.to_string(),
                    releases: vec![release(
                        "1.0",
                        Some(build(
                            BuildNumpy::Numpy1,
                            "pkg-1.0-cp311.whl",
                            Some("pkg/_b.so"),
                        )),
                    )],
                },
            );
        }
        let only = BTreeSet::from(["pkg".to_string()]);
        let summary = rescan(&Stub, &mut tree, &["1.x".to_string()], &only, &|_| {}).unwrap();
        assert_eq!(summary.read, 1);
        let label_of = |name: &str| label(tree.packages[name].releases[0].build.as_ref());
        assert_eq!((label_of("pkg"), label_of("other")), ("name-only", "1.x"));
    }
}
