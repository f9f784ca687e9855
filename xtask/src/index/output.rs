//! The sync's output: the data tree (`snapshot.json` and one file per package) read before and written after,
//! in canonical form, and the change summary comparing the two.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use nplint_index::source::{BuildNumpy, PackageFile, Snapshot, StoredPackageFile};
use serde::Serialize;

use super::closure::{Closure, SyncedPackage};
use nplint_registry::sync::package_file;

/// The index's data as files hold it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub snapshot: Option<Snapshot>,
    pub packages: BTreeMap<String, PackageFile>,
}

/// The canonical form of a data file: pretty JSON, two-space indent, trailing newline.
pub fn to_json<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// The highest lower bound of a release's unconditional `numpy` requirement, over its metadata variants the lowest,
/// with the requirement that states it; `None` when a variant has no lower bound on `numpy`.
fn lowest_numpy(
    release: &nplint_index::source::ReleaseEntry,
) -> Option<(pep440_rs::Version, String)> {
    let mut lowest: Option<(pep440_rs::Version, String)> = None;
    for variant in &release.metadata {
        let mut bound: Option<pep440_rs::Version> = None;
        let mut stated = String::new();
        for text in &variant.requires_dist {
            if !super::is_unconditional(text)
                || super::requirement_name(text).as_deref() != Some("numpy")
            {
                continue;
            }
            let Ok(requirement) = text.parse::<pep508_rs::Requirement>() else {
                continue;
            };
            let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) =
                requirement.version_or_url
            else {
                continue;
            };
            for specifier in specifiers.iter() {
                use pep440_rs::Operator;
                if matches!(
                    specifier.operator(),
                    Operator::GreaterThanEqual
                        | Operator::GreaterThan
                        | Operator::Equal
                        | Operator::EqualStar
                        | Operator::TildeEqual
                ) && bound
                    .as_ref()
                    .is_none_or(|bound| specifier.version() > bound)
                {
                    bound = Some(specifier.version().clone());
                    stated.clone_from(text);
                }
            }
        }
        let bound = bound?;
        if lowest.as_ref().is_none_or(|(low, _)| bound < *low) {
            lowest = Some((bound, stated));
        }
    }
    lowest
}

/// The canonical form of a package file: its stored form ([`StoredPackageFile`]), one release per line, each as
/// compact JSON, so that a release added, changed or removed upstream is a one-line change in the diff of a
/// refresh, and the data stays small (pretty JSON took 1.6 times the bytes). Still one JSON document, read by any
/// JSON reader.
pub fn package_json(file: &PackageFile) -> Result<String> {
    let StoredPackageFile {
        name,
        releases,
        earlier,
        held_from,
    } = file.stored();
    let mut out = format!(
        "{{\"name\": {}, \"releases\": [",
        serde_json::to_string(&name)?
    );
    for (index, release) in releases.iter().enumerate() {
        out.push_str(if index == 0 { "\n" } else { ",\n" });
        out.push_str(&serde_json::to_string(release)?);
    }
    out.push_str(if releases.is_empty() { "]" } else { "\n]" });
    // One line: the list changes only when a release of the package was uploaded before the history's start, that
    // is never, once synced; or, of a package held from a version on, when a new release moves that version.
    if !earlier.is_empty() {
        out.push_str(",\n\"earlier\": ");
        out.push_str(&serde_json::to_string(&earlier)?);
    }
    if let Some(held_from) = held_from {
        out.push_str(",\n\"held_from\": ");
        out.push_str(&serde_json::to_string(&held_from)?);
    }
    out.push_str("}\n");
    Ok(out)
}

impl Tree {
    /// Reads the data tree as it is on disk. A file that does not parse (an older format) counts as absent.
    pub fn read(data: &Path) -> Result<Self> {
        let snapshot = std::fs::read_to_string(data.join("snapshot.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        let mut packages = BTreeMap::new();
        let directory = data.join("packages");
        if directory.is_dir() {
            for entry in std::fs::read_dir(&directory)? {
                let path = entry?.path();
                if path
                    .extension()
                    .is_some_and(|extension| extension == "json")
                {
                    let text = std::fs::read_to_string(&path)?;
                    if let Some(file) = serde_json::from_str::<StoredPackageFile>(&text)
                        .ok()
                        .and_then(|file| file.expand().ok())
                    {
                        packages.insert(file.name.clone(), file);
                    }
                }
            }
        }
        Ok(Self { snapshot, packages })
    }

    /// The tree a full sync writes.
    pub fn from_closure(closure: &Closure) -> Self {
        let universe = closure.universe();
        let packages: BTreeMap<String, PackageFile> = closure
            .packages
            .iter()
            .map(|(name, package)| (name.clone(), package_file(name, package, Some(&universe))))
            .collect();
        let newest_upload = closure
            .packages
            .values()
            .filter_map(|package| package.newest_upload())
            .max()
            .unwrap_or_default()
            .to_string();
        Self {
            snapshot: Some(Snapshot {
                newest_upload,
                packages: universe.into_iter().collect(),
                added_by_closure: closure.added_by.clone(),
            }),
            packages,
        }
    }

    /// The tree after `--only`: the packages synced replace theirs, against the universe of the existing
    /// snapshot (plus the packages synced).
    pub fn merge_only(before: &Self, closure: &Closure) -> Self {
        let old = before.snapshot.clone().unwrap_or_else(|| Snapshot {
            newest_upload: String::new(),
            packages: Vec::new(),
            added_by_closure: BTreeMap::new(),
        });
        let universe: BTreeSet<String> = old
            .packages
            .iter()
            .cloned()
            .chain(closure.packages.keys().cloned())
            .collect();
        let mut packages = before.packages.clone();
        for (name, package) in &closure.packages {
            packages.insert(name.clone(), package_file(name, package, Some(&universe)));
        }
        Self {
            // The date stays: the other packages were read when it was set, and a partial sync sees nothing newer
            // (its `--exclude-newer` is the date). Advancing it would claim releases no page was read for.
            snapshot: Some(Snapshot {
                newest_upload: old.newest_upload,
                packages: universe.into_iter().collect(),
                added_by_closure: old.added_by_closure,
            }),
            packages,
        }
    }

    /// Writes the tree; files whose content is unchanged are not touched. With `prune`, package files of
    /// packages no longer in the tree are removed.
    pub fn write(&self, data: &Path, prune: bool) -> Result<()> {
        let directory = data.join("packages");
        std::fs::create_dir_all(&directory)?;
        for (name, file) in &self.packages {
            write_if_changed(
                &directory.join(format!("{name}.json")),
                &package_json(file)?,
            )?;
        }
        if prune {
            for entry in std::fs::read_dir(&directory)? {
                let path = entry?.path();
                let stem = path
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned());
                if path
                    .extension()
                    .is_some_and(|extension| extension == "json")
                    && stem.is_some_and(|stem| !self.packages.contains_key(&stem))
                {
                    std::fs::remove_file(&path)
                        .with_context(|| format!("removing `{}`", path.display()))?;
                }
            }
        }
        if let Some(snapshot) = &self.snapshot {
            write_if_changed(&data.join("snapshot.json"), &to_json(snapshot)?)?;
        }
        Ok(())
    }
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).with_context(|| format!("writing `{}`", path.display()))?;
    }
    Ok(())
}

/// What changed, and what the sync cost.
#[derive(Debug)]
pub struct Summary<'a> {
    pub before: &'a Tree,
    pub after: &'a Tree,
    pub closure: &'a Closure,
    pub seeds_without_numpy: Vec<String>,
    pub requests: u64,
    pub cache_hits: u64,
    pub bytes: u64,
    pub seconds: f64,
}

/// Versions in a line, at most ten named.
fn versions(list: &[&str]) -> String {
    let mut text = list.iter().take(10).copied().collect::<Vec<_>>().join(", ");
    if list.len() > 10 {
        let _ = write!(text, " and {} more", list.len() - 10);
    }
    text
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// Release counts compared with the files before the sync.
#[derive(Debug, Default)]
struct Totals {
    added: usize,
    removed: usize,
    modified: usize,
}

impl Summary<'_> {
    /// The summary as Markdown: it is printed, and is the body of the weekly sync's pull request.
    pub fn render(&self) -> String {
        let mut out = String::from("## Index sync\n\n");
        let (changes, totals) = self.changes();
        let releases: usize = self
            .after
            .packages
            .values()
            .map(|package| package.releases.len())
            .sum();
        let variants: usize = self
            .after
            .packages
            .values()
            .flat_map(|package| &package.releases)
            .map(|release| release.metadata.len())
            .sum();
        let _ = writeln!(
            out,
            "{} packages ({} added by the closure), {releases} releases, {variants} metadata variants.\n",
            self.after.packages.len(),
            self.after
                .snapshot
                .as_ref()
                .map_or(0, |snapshot| snapshot.added_by_closure.len()),
        );
        let _ = writeln!(
            out,
            "Compared with the files before the sync: {} added, {} removed, {} with changed facts.\n",
            plural(totals.added, "release"),
            plural(totals.removed, "release"),
            plural(totals.modified, "release"),
        );
        out.push_str(&self.scans());
        out.push_str(&self.floors());
        out.push_str("### Changes\n\n");
        if changes.is_empty() {
            out.push_str("No changes.\n");
        }
        for line in changes {
            out.push_str(&line);
            out.push('\n');
        }
        let warnings = self.warnings();
        if !warnings.is_empty() {
            out.push_str("\n### Warnings\n\n");
            for line in warnings {
                out.push_str(&line);
                out.push('\n');
            }
        }
        #[allow(clippy::cast_precision_loss, reason = "a size shown in MiB")]
        let mebibytes = self.bytes as f64 / 1024.0 / 1024.0;
        let _ = writeln!(
            out,
            "\n{} requests ({} cache hits), {mebibytes:.1} MiB downloaded, {:.0} s.",
            self.requests, self.cache_hits, self.seconds
        );
        out
    }

    /// What the wheel scans found, over the releases they apply to (not pre-releases, yanked ones or `numpy`).
    fn scans(&self) -> String {
        let scanned = self
            .after
            .packages
            .values()
            .filter(|package| package.name != "numpy")
            .flat_map(|package| &package.releases)
            .filter(|release| !release.prerelease && release.yanked.is_none());
        let (mut numpy_1, mut numpy_2, mut name_only, mut none, mut unknown) = (0, 0, 0, 0, 0);
        let (mut with_uses, mut entries, mut uses) = (0, 0, 0_u64);
        let (mut platforms_read, mut agreeing, mut differing) = (0, 0, 0);
        for release in scanned {
            platforms_read += release.build_agrees_on.len() + release.platform_builds.len();
            agreeing += usize::from(!release.build_agrees_on.is_empty());
            differing += usize::from(!release.platform_builds.is_empty());
            match release.build.as_ref().map(|build| build.numpy) {
                Some(BuildNumpy::Numpy1) => numpy_1 += 1,
                Some(BuildNumpy::Numpy2) => numpy_2 += 1,
                Some(BuildNumpy::NameOnly) => name_only += 1,
                Some(BuildNumpy::None) => none += 1,
                None if !release.wheels.is_empty() => unknown += 1,
                None => {}
            }
            if !release.removed_api.is_empty() {
                with_uses += 1;
                entries += release.removed_api.len();
                uses += release
                    .removed_api
                    .iter()
                    .map(|found| u64::from(found.count))
                    .sum::<u64>();
            }
        }
        // A count over the synced packages: its total, and how many packages have any.
        let total = |count: fn(&SyncedPackage) -> usize| {
            let packages = self.closure.packages.values();
            (
                packages.clone().map(count).sum::<usize>(),
                packages.filter(|package| count(package) > 0).count(),
            )
        };
        let (omitted, flooded) = total(|package| package.prereleases_omitted);
        let (unscanned, capped) = total(|package| package.undeclared_unscanned);
        format!(
            "Pre-releases left out (older than a final release, or beyond the newest {} newer ones): {} of {}.\n\nReleases not scanned because they do not declare NumPy and are older than the newest {} such releases of their package: {} of {}.\n\nWheel scans: `build` 1.x for {numpy_1}, 2.x for {numpy_2}, name-only for {name_only}, none for {none}, unknown for {} with binary wheels; removed NumPy names used by {}: {uses} uses in {entries} name-and-scope entries.\n\nBuilds against NumPy's C API read on other platforms too: {platforms_read} wheels; {} with a platform that reads the same, {} with one that reads otherwise (`platform_builds`).\n\n",
            super::release::PRERELEASES_KEPT,
            omitted,
            plural(flooded, "package"),
            nplint_registry::sync::UNDECLARED_SCANNED,
            unscanned,
            plural(capped, "package"),
            plural(unknown, "release"),
            plural(with_uses, "release"),
            plural(agreeing, "release"),
            plural(differing, "release"),
        )
    }

    /// The other direction of an ABI break: releases whose binary needs a newer NumPy (its `numpy_floor`) than the
    /// lowest their metadata admits. The floor is that of the wheel scanned (the lowest of its modules'), the
    /// newest CPython's, on which NumPy releases below it rarely install; a wheel for an older CPython may have
    /// been built for an older NumPy (blis 1.0.1: cp311 `1.20`, cp39 `1.16`). `abi-mismatch` applies a floor only
    /// on the targets that install the wheel read.
    fn floors(&self) -> String {
        let mut lines = Vec::new();
        for package in self.after.packages.values() {
            for release in &package.releases {
                let Some(build) = &release.build else {
                    continue;
                };
                let Some(floor) = build.numpy_floor.as_deref() else {
                    continue;
                };
                let Ok(floor_version) = floor.parse::<pep440_rs::Version>() else {
                    continue;
                };
                let lowest = lowest_numpy(release);
                if lowest
                    .as_ref()
                    .is_some_and(|(version, _)| *version >= floor_version)
                {
                    continue;
                }
                let declared = lowest.map_or_else(
                    || "no bound on `numpy`".to_owned(),
                    |(_, requirement)| format!("`{requirement}`"),
                );
                lines.push(format!(
                    "- `{}` {}: declares {declared}; `{}` needs NumPy {floor} (`{}`)",
                    package.name,
                    release.version,
                    build.member.as_deref().unwrap_or_default(),
                    build.file,
                ));
            }
        }
        if lines.is_empty() {
            return String::new();
        }
        format!(
            "### Binaries that need a newer NumPy than their metadata declares\n\n{}, the floor read from the newest CPython's wheel (see the data README):\n\n<details>\n\n{}\n\n</details>\n\n",
            plural(lines.len(), "release"),
            lines.join("\n")
        )
    }

    /// One line per package that changed.
    fn changes(&self) -> (Vec<String>, Totals) {
        let mut lines = Vec::new();
        let mut totals = Totals::default();
        let names: BTreeSet<&String> = self
            .before
            .packages
            .keys()
            .chain(self.after.packages.keys())
            .collect();
        for name in names {
            match (
                self.before.packages.get(name),
                self.after.packages.get(name),
            ) {
                (None, Some(new)) => {
                    let why = self
                        .closure
                        .added_by
                        .get(name)
                        .map(|by| format!(", added by the closure (a dependency of `{by}`)"))
                        .unwrap_or_default();
                    totals.added += new.releases.len();
                    lines.push(format!(
                        "- `{name}`: new package, {}{why}",
                        plural(new.releases.len(), "release")
                    ));
                }
                (Some(old), None) => {
                    totals.removed += old.releases.len();
                    lines.push(format!("- `{name}`: removed"));
                }
                (Some(old), Some(new)) => {
                    if let Some(line) = package_changes(name, old, new, &mut totals) {
                        lines.push(line);
                    }
                }
                (None, None) => {}
            }
        }
        (lines, totals)
    }

    fn warnings(&self) -> Vec<String> {
        let quoted = |names: &[String]| {
            names
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut warnings = Vec::new();
        if !self.seeds_without_numpy.is_empty() {
            warnings.push(format!(
                "- seeds that do not depend on NumPy, directly or through indexed packages (remove them from `packages.toml`?): {}",
                quoted(&self.seeds_without_numpy)
            ));
        }
        if !self.closure.missing.is_empty() {
            warnings.push(format!(
                "- not on the index: {}",
                quoted(&self.closure.missing)
            ));
        }
        for (name, package) in &self.closure.packages {
            if !package.invalid_versions.is_empty() {
                let list: Vec<&str> = package
                    .invalid_versions
                    .iter()
                    .map(String::as_str)
                    .collect();
                warnings.push(format!(
                    "- `{name}`: skipped versions that are not PEP 440: {}",
                    versions(&list)
                ));
            }
        }
        let unknown: usize = self
            .closure
            .packages
            .values()
            .map(|package| package.unknown.len())
            .sum();
        if unknown > 0 {
            warnings.push(format!(
                "- metadata unknown for {}:",
                plural(unknown, "file")
            ));
            for (name, package) in &self.closure.packages {
                if !package.unknown.is_empty() {
                    let mut notes = package.unknown.clone();
                    notes.sort();
                    let shown = notes.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
                    let more = if notes.len() > 3 {
                        format!(" and {} more", notes.len() - 3)
                    } else {
                        String::new()
                    };
                    warnings.push(format!("  - `{name}`: {shown}{more}"));
                }
            }
        }
        warnings
    }
}

/// The line for a package in both trees, if anything changed.
fn package_changes(
    name: &str,
    old: &PackageFile,
    new: &PackageFile,
    totals: &mut Totals,
) -> Option<String> {
    let old_releases: BTreeMap<&str, _> = old
        .releases
        .iter()
        .map(|release| (release.version.as_str(), release))
        .collect();
    let new_releases: BTreeMap<&str, _> = new
        .releases
        .iter()
        .map(|release| (release.version.as_str(), release))
        .collect();
    let added: Vec<&str> = new_releases
        .keys()
        .copied()
        .filter(|version| !old_releases.contains_key(version))
        .collect();
    let removed: Vec<&str> = old_releases
        .keys()
        .copied()
        .filter(|version| !new_releases.contains_key(version))
        .collect();
    let modified: Vec<&str> = new
        .releases
        .iter()
        .filter(|release| {
            old_releases
                .get(release.version.as_str())
                .is_some_and(|old| *old != *release)
        })
        .map(|release| release.version.as_str())
        .collect();
    totals.added += added.len();
    totals.removed += removed.len();
    totals.modified += modified.len();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!(
            "+{} ({})",
            plural(added.len(), "release"),
            versions(&in_order(new, &added))
        ));
    }
    if !removed.is_empty() {
        parts.push(format!(
            "-{} ({})",
            plural(removed.len(), "release"),
            versions(&in_order(old, &removed))
        ));
    }
    if !modified.is_empty() {
        parts.push(format!(
            "{} changed ({})",
            plural(modified.len(), "release"),
            versions(&modified)
        ));
    }
    (!parts.is_empty()).then(|| format!("- `{name}`: {}", parts.join("; ")))
}

/// Versions in the package's (PEP 440) order.
fn in_order<'a>(package: &'a PackageFile, versions: &[&str]) -> Vec<&'a str> {
    package
        .releases
        .iter()
        .map(|release| release.version.as_str())
        .filter(|version| versions.contains(version))
        .collect()
}

#[cfg(test)]
mod tests {
    use nplint_index::source::ReleaseEntry;

    use super::*;

    fn release(version: &str, requires: &[&str]) -> ReleaseEntry {
        ReleaseEntry::pure("x", version, "2020-01-01T00:00:00Z", requires)
    }

    fn tree(packages: &[(&str, Vec<ReleaseEntry>)]) -> Tree {
        Tree {
            snapshot: None,
            packages: packages
                .iter()
                .map(|(name, releases)| {
                    (
                        (*name).to_string(),
                        PackageFile::new(name, releases.clone()),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn summarizes_added_removed_and_changed_releases() {
        let before = tree(&[
            ("tensorflow", vec![release("2.19.0", &[])]),
            (
                "numpy",
                vec![release("2.4.5", &[]), release("2.4.6rc1", &[])],
            ),
            ("gone", vec![release("1.0", &[])]),
        ]);
        let after = tree(&[
            (
                "tensorflow",
                vec![
                    release("2.19.0", &["numpy<3"]),
                    release("2.20.0", &[]),
                    release("2.20.1", &[]),
                ],
            ),
            ("numpy", vec![release("2.4.5", &[]), release("2.4.6", &[])]),
            ("h5py", vec![release("3.0", &[])]),
        ]);
        let mut after = after;
        after.snapshot = Some(Snapshot {
            newest_upload: String::new(),
            packages: Vec::new(),
            added_by_closure: BTreeMap::from([("h5py".to_string(), "tensorflow".to_string())]),
        });
        let mut closure = Closure::default();
        closure
            .added_by
            .insert("h5py".to_string(), "tensorflow".to_string());
        let summary = Summary {
            before: &before,
            after: &after,
            closure: &closure,
            seeds_without_numpy: vec!["einops".to_string()],
            requests: 10,
            cache_hits: 4,
            bytes: 0,
            seconds: 1.0,
        };
        let text = summary.render();
        for line in [
            "- `tensorflow`: +2 releases (2.20.0, 2.20.1); 1 release changed (2.19.0)",
            "- `numpy`: +1 release (2.4.6); -1 release (2.4.6rc1)",
            "- `gone`: removed",
            "- `h5py`: new package, 1 release, added by the closure (a dependency of `tensorflow`)",
            "3 packages (1 added by the closure), 6 releases, 6 metadata variants.",
            "Compared with the files before the sync: 4 releases added, 2 releases removed, 1 release with changed facts.",
            "`einops`",
            "10 requests (4 cache hits)",
        ] {
            assert!(text.contains(line), "`{line}` missing from:\n{text}");
        }
    }

    #[test]
    fn lists_binaries_that_need_a_newer_numpy_than_declared() {
        let built = |version: &str, requires: &[&str], floor: &str| {
            let mut entry = release(version, requires);
            entry.build = Some(nplint_index::source::BuildScan {
                numpy: BuildNumpy::Numpy2,
                file: format!("x-{version}-cp313-cp313-manylinux_2_17_x86_64.whl"),
                member: Some("x/_ext.so".to_string()),
                numpy_floor: Some(floor.to_string()),
            });
            entry
        };
        let after = tree(&[(
            "x",
            vec![
                // Declares less than its binary needs.
                built("1.0", &["numpy>=1.19.3"], "1.20"),
                // Declares enough (an extra's requirement does not count).
                built(
                    "1.1",
                    &["numpy>=1.21,<3", "numpy>=1.0; extra == \"a\""],
                    "1.20",
                ),
                // Declares nothing.
                built("1.2", &[], "1.23"),
            ],
        )]);
        let closure = Closure::default();
        let summary = Summary {
            before: &Tree::default(),
            after: &after,
            closure: &closure,
            seeds_without_numpy: Vec::new(),
            requests: 0,
            cache_hits: 0,
            bytes: 0,
            seconds: 0.0,
        };
        let text = summary.floors();
        assert!(text.contains("2 releases, the floor"), "{text}");
        assert!(text.contains(
            "- `x` 1.0: declares `numpy>=1.19.3`; `x/_ext.so` needs NumPy 1.20 (`x-1.0-cp313-cp313-manylinux_2_17_x86_64.whl`)"
        ), "{text}");
        assert!(
            text.contains("- `x` 1.2: declares no bound on `numpy`"),
            "{text}"
        );
        assert!(!text.contains("1.1:"), "{text}");
    }

    #[test]
    fn writes_canonical_json_and_round_trips() {
        let directory =
            std::env::temp_dir().join(format!("nplint-output-test-{}", std::process::id()));
        let mut tree = tree(&[(
            "numpy",
            vec![
                release("2.4.4", &[]),
                release("2.4.5", &["x>=1; extra == \"a\""]),
            ],
        )]);
        tree.snapshot = Some(Snapshot {
            newest_upload: "2020-01-01T00:00:00Z".to_string(),
            packages: vec!["numpy".to_string()],
            added_by_closure: BTreeMap::new(),
        });
        tree.write(&directory, true).unwrap();
        let text = std::fs::read_to_string(directory.join("packages/numpy.json")).unwrap();
        // One release per line, so that a refresh's diff is one line per release that changed.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], r#"{"name": "numpy", "releases": ["#);
        assert!(lines[1].starts_with(r#"{"version":"2.4.4","#) && lines[1].ends_with("},"));
        assert!(lines[2].contains(r#""requires_dist":["x>=1; extra == \"a\""]"#));
        assert_eq!(lines[3], "]}");
        assert_eq!(Tree::read(&directory).unwrap(), tree);
        std::fs::write(directory.join("packages/stale.json"), "{}").unwrap();
        tree.write(&directory, true).unwrap();
        assert!(!directory.join("packages/stale.json").exists());
        std::fs::remove_dir_all(directory).unwrap();
    }
}
