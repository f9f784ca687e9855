//! From a project page to releases: grouping files by version, the releases kept, the files whose metadata is
//! read, and the metadata variants written.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use nplint_index::source::{
    ApiUse, BuildScan, MetadataVariant, Platform, ReleaseEntry, ReleaseKind,
};
use pep440_rs::{Version, VersionSpecifiers};

use crate::fetch::Fetched;
use crate::filename::{PythonTag, WheelName, is_sdist, sdist_version};
use crate::simple::{File, ProjectPage, normalize_time};

/// Releases uploaded before this are not indexed (except NumPy's, see [`keep`]).
pub const EARLIEST: &str = nplint_index::source::HISTORY_START;

/// The files of one version.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub version: Version,
    /// The version as the index lists it.
    pub display: String,
    /// Wheels and sdists, sorted by filename.
    pub files: Vec<&'a File>,
}

impl Release<'_> {
    /// The earliest upload time of the release's files, normalized to whole seconds (`None` when the index gives
    /// none).
    pub fn uploaded(&self) -> Option<String> {
        self.files
            .iter()
            .filter_map(|file| file.upload_time.as_deref().map(normalize_time))
            .min()
    }

    /// The newest upload time of the release's files.
    pub fn newest_upload(&self) -> Option<String> {
        self.files
            .iter()
            .filter_map(|file| file.upload_time.as_deref().map(normalize_time))
            .max()
    }

    /// The reason (or `""`) when every file is yanked; the first reason given, by filename.
    pub fn yanked(&self) -> Option<String> {
        let reasons: Option<Vec<&str>> =
            self.files.iter().map(|file| file.yanked.reason()).collect();
        reasons.map(|reasons| {
            reasons
                .into_iter()
                .find(|reason| !reason.is_empty())
                .unwrap_or_default()
                .to_string()
        })
    }
}

/// Groups a page's wheels and sdists by PEP 440 version (other files, such as eggs and installers, are ignored).
/// Returns the releases in ascending version order and the version strings that do not parse.
pub fn group<'a>(page: &'a ProjectPage, project: &str) -> (Vec<Release<'a>>, Vec<String>) {
    let listed: BTreeMap<Version, &str> = page
        .versions
        .iter()
        .filter_map(|version| Some((Version::from_str(version).ok()?, version.as_str())))
        .collect();
    let mut releases: BTreeMap<Version, Vec<&File>> = BTreeMap::new();
    let mut invalid = BTreeSet::new();
    let mut names = BTreeMap::new();
    for file in &page.files {
        let version = if let Some(wheel) = WheelName::parse(&file.filename) {
            wheel.version
        } else if let Some(version) = sdist_version(&file.filename, project) {
            version.to_string()
        } else {
            continue;
        };
        match Version::from_str(&version) {
            Ok(parsed) => {
                names.entry(parsed.clone()).or_insert(version);
                releases.entry(parsed).or_default().push(file);
            }
            Err(_) => {
                invalid.insert(version);
            }
        }
    }
    invalid.extend(
        page.versions
            .iter()
            .filter(|version| Version::from_str(version).is_err())
            .cloned(),
    );
    let releases = releases
        .into_iter()
        .map(|(version, mut files)| {
            files.sort_by(|a, b| a.filename.cmp(&b.filename));
            let display = listed
                .get(&version)
                .map_or_else(|| names[&version].clone(), |listed| (*listed).to_string());
            Release {
                version,
                display,
                files,
            }
        })
        .collect();
    (releases, invalid.into_iter().collect())
}

/// Whether a release is indexed: uploaded on or after [`EARLIEST`]; for `numpy`, every release from 1.13 on (its
/// pre-releases included), whatever the date. A release whose upload time the index does not give (PEP 503
/// HTML pages give none) is kept: nothing says it is older.
pub fn keep(project: &str, release: &Release) -> bool {
    if project == "numpy" {
        return release.version.release() >= [1, 13].as_slice();
    }
    release
        .uploaded()
        .is_none_or(|uploaded| uploaded.as_str() >= EARLIEST)
}

/// The versions of the releases [`keep`] does not accept, as the index lists them, ascending: all the index says
/// of them is that they exist (a requirement that admits only these is one the index cannot judge).
pub fn earlier(project: &str, releases: &[Release]) -> Vec<String> {
    releases
        .iter()
        .filter(|release| !keep(project, release))
        .map(|release| release.display.clone())
        .collect()
}

/// The most pre-releases kept of one package (see [`kept`]).
pub use nplint_index::source::PRERELEASES_KEPT;

/// The releases indexed of a package, from its releases sorted by version: those [`keep`] accepts, less the
/// pre-release floods. A pre-release (or dev release) is kept only when it is newer than the package's newest final
/// release, the cycle a user may opt into before it ships, and of those only the newest [`PRERELEASES_KEPT`]:
/// nightly packages publish one a day (keras-nightly and tb-nightly were 2,849 of 18,817 releases, and their
/// versions name a date no one pins for long), and an old release candidate is superseded by its final release.
/// `numpy` keeps every release [`keep`] accepts.
///
/// A pre-release some indexed release asks for is kept too: `wanted` holds the specifiers of the requirements on
/// this package that name a pre-release (`keras-nightly~=2.5.0.dev` of tensorflow 2.5.0), which is how pip and uv
/// decide to consider pre-releases, and of the pre-releases each admits the newest [`PRERELEASES_KEPT`] are kept,
/// the ones a resolver picks. Returns the releases kept and the number of pre-releases left out.
pub fn kept<'a>(
    project: &str,
    releases: Vec<Release<'a>>,
    wanted: &[VersionSpecifiers],
) -> (Vec<Release<'a>>, usize) {
    let releases: Vec<Release<'a>> = releases
        .into_iter()
        .filter(|release| keep(project, release))
        .collect();
    if project == "numpy" {
        return (releases, 0);
    }
    let asked: BTreeSet<Version> = wanted
        .iter()
        .flat_map(|specifiers| {
            releases
                .iter()
                .rev()
                .filter(|release| {
                    release.version.any_prerelease() && specifiers.contains(&release.version)
                })
                .take(PRERELEASES_KEPT)
                .map(|release| release.version.clone())
        })
        .collect();
    let newest_final = releases
        .iter()
        .filter(|release| !release.version.any_prerelease())
        .map(|release| release.version.clone())
        .max();
    let upcoming = releases
        .iter()
        .filter(|release| {
            release.version.any_prerelease()
                && newest_final
                    .as_ref()
                    .is_none_or(|newest| release.version > *newest)
        })
        .count();
    // Releases are sorted by version: the upcoming pre-releases are the last ones.
    let mut skip = upcoming.saturating_sub(PRERELEASES_KEPT);
    let mut omitted = 0;
    let kept = releases
        .into_iter()
        .filter(|release| {
            if !release.version.any_prerelease() {
                return true;
            }
            let upcoming = newest_final
                .as_ref()
                .is_none_or(|newest| release.version > *newest);
            if upcoming && skip == 0 {
                return true;
            }
            if upcoming {
                skip -= 1;
            }
            if asked.contains(&release.version) {
                return true;
            }
            omitted += 1;
            false
        })
        .collect();
    (kept, omitted)
}

/// Of the releases [`kept`] returns (sorted by version), those held when the index holds only a package's newest
/// ones: the newest `count` final releases and the pre-releases after them. Returns them and the oldest version
/// held, `None` when nothing is left out.
pub fn newest(mut releases: Vec<Release<'_>>, count: usize) -> (Vec<Release<'_>>, Option<String>) {
    let finals = releases
        .iter()
        .filter(|release| !release.version.any_prerelease())
        .count();
    if finals <= count {
        return (releases, None);
    }
    // The position of the oldest final release held; every release from there on is held.
    let mut seen = 0;
    let from = releases
        .iter()
        .rposition(|release| {
            seen += usize::from(!release.version.any_prerelease());
            seen == count
        })
        .unwrap_or(0);
    let held = releases.split_off(from);
    let held_from = held.first().map(|release| release.display.clone());
    (held, held_from)
}

/// What the index lists of the releases of a package it holds from `held_from` on (see [`newest`]): the newest
/// final release of each `major.minor` series before it, as the index lists them, ascending. A solve may take one
/// of these, knowing nothing of what it requires, when no release held fits.
pub fn series_newest(releases: &[Release], held_from: &Version) -> Vec<String> {
    newest_of_each_series(releases, |release| release.version < *held_from)
        .into_iter()
        .map(|release| release.display.clone())
        .collect()
}

/// Of `releases` (sorted by version), the newest final release of each `major.minor` series among those `keep`
/// accepts, ascending.
pub fn newest_of_each_series<'b, 'a>(
    releases: &'b [Release<'a>],
    keep: impl Fn(&Release<'a>) -> bool,
) -> Vec<&'b Release<'a>> {
    let mut newest: BTreeMap<(u64, u64), &Release> = BTreeMap::new();
    for release in releases {
        if release.version.any_prerelease() || !keep(release) {
            continue;
        }
        let parts = release.version.release();
        let series = (
            parts.first().copied().unwrap_or(0),
            parts.get(1).copied().unwrap_or(0),
        );
        // Sorted by version: a later one of a series is newer.
        newest.insert(series, release);
    }
    // By series, which is by version.
    newest.into_values().collect()
}

/// A file whose metadata is read, with the platforms (`any`, `sdist`) it stands for.
#[derive(Debug, Clone)]
pub struct Read<'a> {
    pub file: &'a File,
    pub applies_to: BTreeSet<String>,
}

/// What a release's filenames say, and which files' metadata to read.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub kind: ReleaseKind,
    pub wheels: BTreeMap<Platform, Vec<String>>,
    pub reads: Vec<Read<'a>>,
}

/// The name a platform is serialized as.
pub fn platform_name(platform: Platform) -> String {
    match serde_json::to_value(platform) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("`Platform` serializes as a string"),
    }
}

/// Chooses the files to read metadata from: per tracked platform the wheel with the newest CPython tag (ties go
/// to the smallest filename), one pure wheel, and the sdist only when no wheel was chosen.
pub fn select<'a>(release: &Release<'a>) -> Selection<'a> {
    let mut tags: BTreeMap<Platform, BTreeSet<PythonTag>> = BTreeMap::new();
    let mut best: BTreeMap<Platform, (u32, &File)> = BTreeMap::new();
    let mut pure: Option<&File> = None;
    let mut any_wheel = false;
    for file in &release.files {
        let Some(wheel) = WheelName::parse(&file.filename) else {
            continue;
        };
        any_wheel = true;
        if wheel.is_pure() {
            pure = pure.or(Some(file));
            continue;
        }
        let wheel_tags = wheel.python_tags();
        let Some(newest) = wheel_tags.iter().map(|tag| tag.minor()).max() else {
            continue;
        };
        for platform in wheel.platforms() {
            tags.entry(platform)
                .or_default()
                .extend(wheel_tags.iter().copied());
            // Files are sorted by name, so keeping the first of equals keeps the smallest filename.
            let entry = best.entry(platform).or_insert((newest, file));
            if newest > entry.0 {
                *entry = (newest, file);
            }
        }
    }
    let mut reads: BTreeMap<&str, Read> = BTreeMap::new();
    let add = |reads: &mut BTreeMap<&'a str, Read<'a>>, file: &'a File, applies_to: String| {
        reads
            .entry(file.filename.as_str())
            .or_insert_with(|| Read {
                file,
                applies_to: BTreeSet::new(),
            })
            .applies_to
            .insert(applies_to);
    };
    for (platform, (_, file)) in &best {
        add(&mut reads, file, platform_name(*platform));
    }
    if let Some(file) = pure {
        add(&mut reads, file, "any".to_string());
    }
    if reads.is_empty() {
        // `.tar.gz` before `.zip` and others: the format the sdist reader handles best.
        let sdist = release
            .files
            .iter()
            .filter(|file| is_sdist(&file.filename))
            .min_by_key(|file| (!file.filename.ends_with(".tar.gz"), file.filename.as_str()));
        if let Some(file) = sdist {
            add(&mut reads, file, "sdist".to_string());
        }
    }
    let kind = if pure.is_some() {
        ReleaseKind::Pure
    } else if any_wheel {
        ReleaseKind::Binary
    } else {
        ReleaseKind::SdistOnly
    };
    Selection {
        kind,
        wheels: tags
            .into_iter()
            .map(|(platform, tags)| (platform, tags.iter().map(ToString::to_string).collect()))
            .collect(),
        reads: reads.into_values().collect(),
    }
}

impl<'a> Selection<'a> {
    /// The one file whose metadata classifies a release (what it requires, not per platform): the pure wheel,
    /// else the linux x86_64 wheel, else whatever was selected.
    pub fn representative(&self) -> Option<&Read<'a>> {
        self.reads
            .iter()
            .find(|read| read.applies_to.contains("any"))
            .or_else(|| {
                self.reads
                    .iter()
                    .find(|read| read.applies_to.contains("linux-x86_64"))
            })
            .or_else(|| self.reads.first())
    }
}

/// The measured facts of one release (the index sync measures them: which releases and which wheels is its choice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseScans {
    /// The scan of the first platform's wheel.
    pub build: Option<BuildScan>,
    /// The other platforms whose wheel reads as `build` does (the same `numpy` and `numpy_floor`).
    pub build_agrees_on: Vec<Platform>,
    /// The other platforms whose wheel reads otherwise.
    pub platform_builds: BTreeMap<Platform, BuildScan>,
    pub removed_api: Vec<ApiUse>,
}

/// One file's metadata as read, before the requirements are filtered to the universe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadMetadata {
    pub applies_to: BTreeSet<String>,
    pub file: String,
    pub fetched: Fetched,
    /// `Requires-Python` from the listing, used when the metadata is unknown.
    pub listed_requires_python: Option<String>,
}

/// A release as synced, its metadata not yet filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedRelease {
    pub version: Version,
    pub display: String,
    pub uploaded: String,
    pub newest_upload: String,
    pub yanked: Option<String>,
    pub kind: ReleaseKind,
    pub wheels: BTreeMap<Platform, Vec<String>>,
    pub reads: Vec<ReadMetadata>,
    /// What the wheel scans found (see [`crate::sync::ScanHook`]).
    pub scans: ReleaseScans,
}

impl SyncedRelease {
    /// Every `Requires-Dist` entry read for this release.
    pub fn requirements(&self) -> impl Iterator<Item = &str> {
        self.reads.iter().flat_map(|read| {
            read.fetched
                .metadata
                .iter()
                .flat_map(|metadata| metadata.requires_dist.iter().map(String::as_str))
        })
    }

    /// The entry written, with each variant's requirements filtered to those naming a package of `universe`.
    pub fn entry(&self, universe: &BTreeSet<String>) -> ReleaseEntry {
        ReleaseEntry {
            version: self.display.clone(),
            uploaded: self.uploaded.clone(),
            yanked: self.yanked.clone(),
            prerelease: self.version.any_prerelease(),
            kind: self.kind,
            wheels: self.wheels.clone(),
            metadata: variants(&self.reads, universe),
            build: self.scans.build.clone(),
            build_agrees_on: self.scans.build_agrees_on.clone(),
            platform_builds: self.scans.platform_builds.clone(),
            removed_api: self.scans.removed_api.clone(),
        }
    }
}

/// Groups identical metadata into variants. Two files share a variant when they agree on how the metadata was
/// known (read or unknown), on `Requires-Python` and on the filtered requirements, compared as parsed and in any
/// order (so
/// `numpy (>=1.16)` and `numpy>=1.16`, written by different build tools for different platforms, agree). A variant
/// names the smallest filename among its files and carries that file's strings, verbatim.
pub fn variants(reads: &[ReadMetadata], universe: &BTreeSet<String>) -> Vec<MetadataVariant> {
    type Key = (bool, Option<String>, Vec<String>);
    struct Group<'a> {
        applies_to: BTreeSet<String>,
        representative: &'a ReadMetadata,
        requires_python: Option<String>,
        requires_dist: Vec<String>,
    }
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    for read in reads {
        let (known, requires_python, requires_dist) = match &read.fetched.metadata {
            Some(metadata) => (
                true,
                metadata.requires_python.clone(),
                metadata
                    .requires_dist
                    .iter()
                    .filter(|requirement| {
                        crate::names::requirement_name(requirement)
                            .is_some_and(|name| universe.contains(&name))
                    })
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            None => (false, read.listed_requires_python.clone(), Vec::new()),
        };
        // Order does not matter to an installer, and build tools on different platforms write the same
        // requirements in different orders.
        let mut canonical: Vec<String> = requires_dist
            .iter()
            .map(|requirement| canonical_requirement(requirement))
            .collect();
        canonical.sort();
        let key = (
            known,
            requires_python.as_deref().map(canonical_specifiers),
            canonical,
        );
        let group = groups.entry(key).or_insert_with(|| Group {
            applies_to: BTreeSet::new(),
            representative: read,
            requires_python: requires_python.clone(),
            requires_dist: requires_dist.clone(),
        });
        group.applies_to.extend(read.applies_to.iter().cloned());
        if read.file < group.representative.file {
            group.representative = read;
            group.requires_python = requires_python;
            group.requires_dist = requires_dist;
        }
    }
    let mut variants: Vec<MetadataVariant> = groups
        .into_values()
        .map(|group| MetadataVariant {
            applies_to: group.applies_to.into_iter().collect(),
            file: group.representative.file.clone(),
            via: group.representative.fetched.via,
            requires_python: group.requires_python,
            requires_dist: group.requires_dist,
        })
        .collect();
    variants.sort_by(|a, b| a.applies_to.cmp(&b.applies_to));
    variants
}

/// A requirement as pep508_rs writes it back (whitespace, parentheses and quotes normalized); unparseable ones
/// without their whitespace.
fn canonical_requirement(requirement: &str) -> String {
    match pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) {
        Ok(parsed) => parsed.to_string(),
        Err(_) => requirement.split_whitespace().collect(),
    }
}

/// Version specifiers as pep440_rs writes them back; unparseable ones without their whitespace.
fn canonical_specifiers(specifiers: &str) -> String {
    match pep440_rs::VersionSpecifiers::from_str(specifiers) {
        Ok(parsed) => parsed.to_string(),
        Err(_) => specifiers.split_whitespace().collect(),
    }
}

#[cfg(test)]
mod tests {
    use nplint_index::source::MetadataSource;

    use super::*;
    use crate::metadata::CoreMetadata;

    fn page(fixture: &str) -> ProjectPage {
        serde_json::from_str(fixture).unwrap()
    }

    fn release<'a>(releases: &'a [Release<'a>], version: &str) -> &'a Release<'a> {
        releases
            .iter()
            .find(|release| release.display == version)
            .unwrap()
    }

    /// Releases of these versions, with no files.
    fn bare(versions: &[&str]) -> Vec<Release<'static>> {
        versions
            .iter()
            .map(|version| Release {
                version: Version::from_str(version).unwrap(),
                display: (*version).to_owned(),
                files: Vec::new(),
            })
            .collect()
    }

    fn displays(releases: &[Release]) -> Vec<String> {
        releases
            .iter()
            .map(|release| release.display.clone())
            .collect()
    }

    #[test]
    fn newest_holds_the_newest_finals_and_the_prereleases_after_them() {
        let releases = bare(&["0.9", "1.0", "1.1rc1", "1.1", "1.2", "2.0", "2.1b1"]);
        let (held, from) = newest(releases.clone(), 3);
        assert_eq!(displays(&held), ["1.1", "1.2", "2.0", "2.1b1"]);
        assert_eq!(from.as_deref(), Some("1.1"));
        // As many finals as held, or fewer: nothing is left out.
        let (held, from) = newest(releases.clone(), 5);
        assert_eq!(held.len(), releases.len());
        assert_eq!(from, None);
        let (held, from) = newest(bare(&["1.0b1"]), 1);
        assert_eq!(displays(&held), ["1.0b1"]);
        assert_eq!(from, None);
    }

    #[test]
    fn series_newest_names_one_final_per_series_before_the_held() {
        let releases = bare(&[
            "0.9", "0.9.1", "1.0", "1.0.5", "1.1rc1", "1.1", "1.1.1", "2.0", "2.0.1",
        ]);
        let from = Version::from_str("1.1.1").unwrap();
        assert_eq!(series_newest(&releases, &from), ["0.9.1", "1.0.5", "1.1"]);
        assert!(series_newest(&releases, &Version::from_str("0.9").unwrap()).is_empty());
    }

    #[test]
    fn groups_files_by_version() {
        let page = page(include_str!("fixtures/simple-numpy.json"));
        let (releases, invalid) = group(&page, "numpy");
        let versions: Vec<_> = releases
            .iter()
            .map(|release| release.display.as_str())
            .collect();
        assert_eq!(versions, ["1.19.5", "2.1.0"]);
        assert!(invalid.is_empty());
        assert_eq!(release(&releases, "1.19.5").files.len(), 34);
        assert_eq!(
            release(&releases, "2.1.0").uploaded().as_deref(),
            Some("2024-08-18T21:39:07Z")
        );
    }

    #[test]
    fn selects_one_wheel_per_platform_with_the_newest_cpython() {
        let page = page(include_str!("fixtures/simple-numpy.json"));
        let (releases, _) = group(&page, "numpy");
        let selection = select(release(&releases, "2.1.0"));
        assert_eq!(selection.kind, ReleaseKind::Binary);
        let reads: Vec<(&str, Vec<&str>)> = selection
            .reads
            .iter()
            .map(|read| {
                (
                    read.file.filename.as_str(),
                    read.applies_to.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            reads,
            [
                (
                    "numpy-2.1.0-cp313-cp313-macosx_10_13_x86_64.whl",
                    vec!["macos-x86_64"]
                ),
                (
                    "numpy-2.1.0-cp313-cp313-macosx_11_0_arm64.whl",
                    vec!["macos-arm64"]
                ),
                (
                    "numpy-2.1.0-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
                    vec!["linux-aarch64"]
                ),
                (
                    "numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                    vec!["linux-x86_64"]
                ),
                (
                    "numpy-2.1.0-cp313-cp313-win_amd64.whl",
                    vec!["windows-x86_64"]
                ),
            ]
        );
        assert_eq!(
            selection.wheels[&Platform::LinuxX86_64],
            ["cp310", "cp311", "cp312", "cp313"]
        );
    }

    #[test]
    fn records_tensorflow_wheels_per_platform() {
        let page = page(include_str!("fixtures/simple-tensorflow.json"));
        let (releases, _) = group(&page, "tensorflow");
        let selection = select(release(&releases, "2.5.0"));
        for platform in [
            Platform::LinuxX86_64,
            Platform::MacosX86_64,
            Platform::WindowsX86_64,
        ] {
            assert_eq!(
                selection.wheels[&platform],
                ["cp36", "cp37", "cp38", "cp39"]
            );
        }
        assert!(!selection.wheels.contains_key(&Platform::MacosArm64));
        assert_eq!(selection.reads.len(), 3);
    }

    #[test]
    fn falls_back_to_the_sdist_only_without_wheels() {
        let page = page(
            r#"{"name": "demo", "versions": ["1.0", "2.0"], "files": [
                {"filename": "demo-1.0.tar.gz", "url": "u1", "upload-time": "2020-01-01T00:00:00Z"},
                {"filename": "demo-1.0.zip", "url": "u2", "upload-time": "2020-01-01T00:00:00Z"},
                {"filename": "demo-2.0.tar.gz", "url": "u3", "upload-time": "2020-01-01T00:00:00Z"},
                {"filename": "demo-2.0-py3-none-any.whl", "url": "u4", "upload-time": "2020-01-01T00:00:00Z"}
            ]}"#,
        );
        let (releases, _) = group(&page, "demo");
        let old = select(&releases[0]);
        assert_eq!(old.kind, ReleaseKind::SdistOnly);
        assert_eq!(old.reads.len(), 1);
        assert_eq!(old.reads[0].file.filename, "demo-1.0.tar.gz");
        assert_eq!(
            old.reads[0].applies_to.iter().collect::<Vec<_>>(),
            ["sdist"]
        );
        let new = select(&releases[1]);
        assert_eq!(new.kind, ReleaseKind::Pure);
        assert_eq!(new.reads[0].file.filename, "demo-2.0-py3-none-any.whl");
        assert_eq!(new.reads[0].applies_to.iter().collect::<Vec<_>>(), ["any"]);
    }

    #[test]
    fn keeps_releases_from_2017_and_numpy_from_1_13() {
        let page = page(
            r#"{"name": "x", "versions": [], "files": [
                {"filename": "x-1.0.tar.gz", "url": "u", "upload-time": "2016-12-31T23:59:59.5Z"},
                {"filename": "x-1.1.tar.gz", "url": "u", "upload-time": "2017-01-01T00:00:00Z"},
                {"filename": "x-1.1-py3-none-any.whl", "url": "u", "upload-time": "2016-05-01T00:00:00Z"},
                {"filename": "x-1.2.tar.gz", "url": "u", "upload-time": "2019-01-01T00:00:00Z"},
                {"filename": "x-1.13.0rc1.tar.gz", "url": "u", "upload-time": "2016-01-01T00:00:00Z"},
                {"filename": "x-1.12.1.tar.gz", "url": "u", "upload-time": "2017-03-01T00:00:00Z"}
            ]}"#,
        );
        let (releases, _) = group(&page, "x");
        let kept = |project: &str| -> Vec<String> {
            releases
                .iter()
                .filter(|release| keep(project, release))
                .map(|release| release.display.clone())
                .collect()
        };
        // 1.1's earliest file predates 2017.
        assert_eq!(kept("x"), ["1.2", "1.12.1"]);
        assert_eq!(kept("numpy"), ["1.13.0rc1"]);
    }

    #[test]
    fn keeps_pre_releases_only_of_the_upcoming_cycle_and_only_the_newest() {
        let mut files = vec![
            r#"{"filename": "x-2.0rc1.tar.gz", "url": "u", "upload-time": "2020-01-01T00:00:00Z"}"#.to_string(),
            r#"{"filename": "x-2.0.tar.gz", "url": "u", "upload-time": "2020-02-01T00:00:00Z"}"#.to_string(),
            r#"{"filename": "x-2.1.dev1.tar.gz", "url": "u", "upload-time": "2020-02-02T00:00:00Z"}"#.to_string(),
            r#"{"filename": "x-2.1.tar.gz", "url": "u", "upload-time": "2020-03-01T00:00:00Z"}"#.to_string(),
        ];
        // A nightly flood after the newest final release: 2.2.dev1 ... 2.2.dev25.
        for dev in 1..=25 {
            files.push(format!(
                r#"{{"filename": "x-2.2.dev{dev}.tar.gz", "url": "u", "upload-time": "2020-04-{dev:02}T00:00:00Z"}}"#
            ));
        }
        let page = page(&format!(
            r#"{{"name": "x", "versions": [], "files": [{}]}}"#,
            files.join(",")
        ));
        let kept_of = |project: &str| -> (Vec<String>, usize) {
            let (releases, _) = group(&page, "x");
            let (kept, omitted) = kept(project, releases, &[]);
            (
                kept.iter().map(|release| release.display.clone()).collect(),
                omitted,
            )
        };
        let (releases, omitted) = kept_of("x");
        // Both finals; of the pre-releases, the newest PRERELEASES_KEPT newer than 2.1.
        assert_eq!(releases.len(), 2 + PRERELEASES_KEPT);
        assert_eq!(&releases[..3], ["2.0", "2.1", "2.2.dev6"]);
        assert_eq!(releases.last().unwrap(), "2.2.dev25");
        assert_eq!(omitted, 2 + 25 - PRERELEASES_KEPT);
        // NumPy keeps every pre-release.
        let (releases, omitted) = kept_of("numpy");
        assert_eq!((releases.len(), omitted), (29, 0));
        // A package with no final release keeps its newest pre-releases.
        let (releases, _) = group(&page, "x");
        let only_dev: Vec<_> = releases
            .into_iter()
            .filter(|release| release.version.any_prerelease())
            .collect();
        let (kept, omitted) = kept("x", only_dev, &[]);
        assert_eq!(
            (kept.len(), omitted),
            (PRERELEASES_KEPT, 27 - PRERELEASES_KEPT)
        );
        assert_eq!(kept[0].display, "2.2.dev6");
    }

    #[test]
    fn keeps_the_pre_releases_a_requirement_names() {
        // tensorflow 2.5.0 requires `keras-nightly~=2.5.0.dev`: a flood of 3.x nightlies must not push out the
        // 2.5 ones it can use.
        let mut files = Vec::new();
        for (minor, day) in [(5, 1), (5, 2), (5, 3), (6, 1)] {
            files.push(format!(
                r#"{{"filename": "x-2.{minor}.0.dev2021030{day}.tar.gz", "url": "u", "upload-time": "2021-03-0{day}T00:00:00Z"}}"#
            ));
        }
        for day in 1..=25 {
            files.push(format!(
                r#"{{"filename": "x-3.0.0.dev202405{day:02}.tar.gz", "url": "u", "upload-time": "2024-05-{day:02}T00:00:00Z"}}"#
            ));
        }
        let page = page(&format!(
            r#"{{"name": "x", "versions": [], "files": [{}]}}"#,
            files.join(",")
        ));
        let kept_with = |wanted: &[&str]| -> (Vec<String>, usize) {
            let wanted: Vec<VersionSpecifiers> = wanted
                .iter()
                .map(|specifiers| VersionSpecifiers::from_str(specifiers).unwrap())
                .collect();
            let (releases, _) = group(&page, "x");
            let (kept, omitted) = kept("x", releases, &wanted);
            (
                kept.iter().map(|release| release.display.clone()).collect(),
                omitted,
            )
        };
        let (releases, omitted) = kept_with(&[]);
        assert_eq!((releases.len(), omitted), (PRERELEASES_KEPT, 9));
        assert!(releases.iter().all(|version| version.starts_with("3.0.0")));
        let (releases, omitted) = kept_with(&["~=2.5.0.dev"]);
        assert_eq!(omitted, 6);
        assert_eq!(
            &releases[..3],
            [
                "2.5.0.dev20210301",
                "2.5.0.dev20210302",
                "2.5.0.dev20210303"
            ]
        );
        // Still the newest PRERELEASES_KEPT of the flood: the wanted ones come on top.
        assert_eq!(releases.len(), 3 + PRERELEASES_KEPT);
        // Each specifier keeps at most the newest PRERELEASES_KEPT it admits.
        let (releases, _) = kept_with(&[">=3.0.0.dev0"]);
        assert_eq!(releases.len(), PRERELEASES_KEPT);
    }

    #[test]
    fn reports_versions_that_are_not_pep_440_and_orders_the_rest() {
        let page = page(
            r#"{"name": "x", "versions": ["1.0-final-2", "1.0rc1", "1.0", "0.9.post1", "1.0.dev3"], "files": [
                {"filename": "x-1.0.tar.gz", "url": "u"},
                {"filename": "x-1.0rc1.tar.gz", "url": "u"},
                {"filename": "x-1.0.dev3.tar.gz", "url": "u"},
                {"filename": "x-0.9.post1.tar.gz", "url": "u"},
                {"filename": "x-1.0-final-2.tar.gz", "url": "u"}
            ]}"#,
        );
        let (releases, invalid) = group(&page, "x");
        let versions: Vec<_> = releases
            .iter()
            .map(|release| release.display.as_str())
            .collect();
        assert_eq!(versions, ["0.9.post1", "1.0.dev3", "1.0rc1", "1.0"]);
        assert_eq!(invalid, ["1.0-final-2"]);
    }

    #[test]
    fn yanked_only_when_every_file_is() {
        let page = page(
            r#"{"name": "x", "files": [
                {"filename": "x-1.0.tar.gz", "url": "u", "yanked": true},
                {"filename": "x-1.0-py3-none-any.whl", "url": "u", "yanked": "broken wheel"},
                {"filename": "x-2.0.tar.gz", "url": "u", "yanked": true},
                {"filename": "x-2.0-py3-none-any.whl", "url": "u", "yanked": false},
                {"filename": "x-3.0.tar.gz", "url": "u", "yanked": true}
            ]}"#,
        );
        let (releases, _) = group(&page, "x");
        let yanked: Vec<_> = releases.iter().map(Release::yanked).collect();
        assert_eq!(
            yanked,
            [Some("broken wheel".to_string()), None, Some(String::new())]
        );
    }

    fn read(
        file: &str,
        applies_to: &[&str],
        requires_python: Option<&str>,
        requires: &[&str],
    ) -> ReadMetadata {
        ReadMetadata {
            applies_to: applies_to.iter().map(ToString::to_string).collect(),
            file: file.to_string(),
            fetched: Fetched {
                via: MetadataSource::MetadataFile,
                metadata: Some(CoreMetadata {
                    requires_python: requires_python.map(ToString::to_string),
                    requires_dist: requires.iter().map(ToString::to_string).collect(),
                    ..CoreMetadata::default()
                }),
                note: None,
            },
            listed_requires_python: None,
        }
    }

    #[test]
    fn groups_variants_after_filtering_to_the_universe() {
        let universe: BTreeSet<String> = ["numpy", "scipy"].map(String::from).into();
        let reads = [
            read(
                "b-linux.whl",
                &["linux-x86_64"],
                Some(">=3.8"),
                &["numpy>=1.20", "requests"],
            ),
            read(
                "a-mac.whl",
                &["macos-arm64", "macos-x86_64"],
                Some(">=3.8"),
                &["numpy>=1.20"],
            ),
            read(
                "c-win.whl",
                &["windows-x86_64"],
                Some(">=3.8"),
                &["numpy>=1.19", "SciPy; extra == 'all'"],
            ),
            ReadMetadata {
                fetched: Fetched {
                    via: MetadataSource::Unknown,
                    metadata: None,
                    note: None,
                },
                listed_requires_python: Some(">=3.8".to_string()),
                ..read("d-aarch64.whl", &["linux-aarch64"], None, &[])
            },
        ];
        let variants = variants(&reads, &universe);
        let summary: Vec<_> = variants
            .iter()
            .map(|variant| {
                (
                    variant.applies_to.join(","),
                    variant.file.as_str(),
                    variant.via,
                    variant.requires_dist.join(" | "),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "linux-aarch64".to_string(),
                    "d-aarch64.whl",
                    MetadataSource::Unknown,
                    String::new()
                ),
                (
                    "linux-x86_64,macos-arm64,macos-x86_64".to_string(),
                    "a-mac.whl",
                    MetadataSource::MetadataFile,
                    "numpy>=1.20".to_string()
                ),
                (
                    "windows-x86_64".to_string(),
                    "c-win.whl",
                    MetadataSource::MetadataFile,
                    "numpy>=1.19 | SciPy; extra == 'all'".to_string()
                ),
            ]
        );
        assert_eq!(variants[0].requires_python.as_deref(), Some(">=3.8"));
    }

    #[test]
    fn spelling_differences_are_one_variant() {
        let universe: BTreeSet<String> = ["numpy", "scipy"].map(String::from).into();
        let reads = [
            read(
                "b.whl",
                &["windows-x86_64"],
                Some(">=3.8"),
                &["numpy <2.0,>=1.16.0", "scipy ; extra == 'all'"],
            ),
            read(
                "a.whl",
                &["linux-x86_64"],
                Some(">= 3.8"),
                &["numpy (<2.0,>=1.16.0)", "scipy; extra == \"all\""],
            ),
            read(
                "c.whl",
                &["macos-arm64"],
                Some(">=3.8"),
                &["numpy<2.0,>=1.17.0"],
            ),
            read(
                "d.whl",
                &["macos-x86_64"],
                Some(">=3.8"),
                &["scipy; extra == 'all'", "numpy<2.0,>=1.16.0"],
            ),
        ];
        let variants = variants(&reads, &universe);
        assert_eq!(variants.len(), 2);
        assert_eq!(
            variants[0].applies_to,
            ["linux-x86_64", "macos-x86_64", "windows-x86_64"]
        );
        // The representative's strings, verbatim.
        assert_eq!(variants[0].file, "a.whl");
        assert_eq!(variants[0].requires_python.as_deref(), Some(">= 3.8"));
        assert_eq!(
            variants[0].requires_dist,
            ["numpy (<2.0,>=1.16.0)", "scipy; extra == \"all\""]
        );
        assert_eq!(variants[1].applies_to, ["macos-arm64"]);
    }
}
