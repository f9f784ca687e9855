//! `cargo xtask index verify`: releases of the data drawn at random and compared, field by field, with what the
//! package index's JSON API says of them.
//!
//! The sync reads the simple API (PEP 691) and the metadata of a few files per release. Reading those again would
//! repeat whatever the sync got wrong, so this check reads another door of the same index: its JSON API, at the
//! simple API's base without `/simple` (`<base>/pypi/<name>/json`, and `<base>/pypi/<name>/<version>/json` for a
//! release's own metadata). The JSON is read fresh every time, neither from the sync's HTTP cache nor into it:
//! other URLs than the sync's would never meet its entries anyway, but a cache of our own would let an answer of
//! an earlier run pass a check that the index now fails.
//!
//! # What the JSON API can confirm
//!
//! Per file of a release: its name, its type (`sdist`, `bdist_wheel`, ...), its upload time, whether it is yanked
//! and why, and the release's `Requires-Python`. Per release: the core metadata the index keeps for it, which is the
//! metadata of the first file uploaded (the upload API's documentation: "The first file uploaded of a new version
//! creates a release for that version, and populates its metadata"). So, per release of the data:
//!
//! - `version`: the index lists it, spelled the same;
//! - `uploaded`: the earliest upload of its wheels and sdists, to the second;
//! - `yanked`: whether every one of them is yanked, and the first reason given (by filename);
//! - `kind` and `wheels`: the kind and the CPython tags per tracked platform that their filenames give;
//! - `files`: every metadata variant's `file` is one of them;
//! - `requires_python`: the variant describing the first file uploaded, and every `unknown` variant (whose
//!   `Requires-Python` is the index's listing, the same for every file);
//! - `requires_dist`: the variant describing the first file uploaded, filtered to indexed packages.
//!
//! Files uploaded after `snapshot.json`'s date are left out, as the sync saw none of them. A variant "describes"
//! the first file when it was read from that file, or applies to that file's platform (`any` for a pure wheel,
//! `sdist` for the sdist). Requirements are compared as parsed and in any order: the index writes them back as
//! `packaging` does (`httpstan<4.18,>=4.17` for `httpstan (>=4.17,<4.18)`) and keeps them as a set, not in the
//! metadata's order.
//!
//! Not comparable, and counted as such: the metadata of a first file that no variant describes (an sdist when the
//! data read wheels, a wheel for an untracked platform or for Python 2, an egg), of a variant the sync could not
//! read (`unknown`), the `Requires-Dist` of an sdist's `PKG-INFO` when the index has none and the data read
//! setuptools' `requires.txt`, and the `Requires-Dist` of any release when the index serves no JSON per release
//! (a mirror may not; the project's JSON holds only its newest release's metadata). `prerelease` follows from the
//! version; `build` and `removed_api` are measured in wheels, which the JSON API does not describe.
//!
//! The project JSON's metadata is trusted to be its newest release's, as the index's documentation says. An index
//! that updates a project's `info.version` before its metadata (a mirror) makes the newest release's
//! `requires_dist` a mismatch that the release's own files contradict: read one to tell.
//!
//! The mapping of filenames to platforms and tags is the sync's own ([`WheelName`], tested on its own): what
//! this check confirms is the data's path, which files the index lists, when, yanked or not, and what metadata.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use nplint_index::source::{
    MetadataSource, MetadataVariant, PackageFile, Platform, ReleaseEntry, ReleaseKind,
};
use pep440_rs::Version;
use rayon::prelude::*;
use serde::Deserialize;

use super::filename::WheelName;
use super::release::platform_name;
use super::simple::normalize_time;
use super::{NetworkArgs, normalize, output, requirement_name};

/// The arguments of `cargo xtask index verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// How many releases to draw.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub sample: usize,
    /// The seed of the draw (printed, so that a run can be repeated). Default: from the clock.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Draw only among these packages' releases.
    #[arg(long = "package", num_args = 1.., value_name = "NAME")]
    pub packages: Vec<String>,
    /// Draw only among each package's newest final, unyanked release: the release whose metadata the project's
    /// JSON holds (unless the index published a newer one after the data's date), for an index that serves no
    /// JSON per release.
    #[arg(long)]
    pub newest: bool,
    /// The index, as for the sync. The JSON API is always read fresh: `--cache-dir` is neither read nor written.
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// `<base>/pypi/<name>/json`: the project's files per release, and its newest release's metadata.
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectJson {
    pub info: Info,
    #[serde(default)]
    pub releases: BTreeMap<String, Vec<JsonFile>>,
}

/// `<base>/pypi/<name>/<version>/json`, of which only the release's metadata is read.
#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseJson {
    pub info: Info,
}

/// A release's metadata, as the index keeps it (the first file uploaded's).
#[derive(Debug, Clone, Deserialize)]
pub struct Info {
    pub version: String,
    #[serde(default)]
    pub requires_dist: Option<Vec<String>>,
}

/// One file of a release.
#[derive(Debug, Clone, Deserialize)]
pub struct JsonFile {
    pub filename: String,
    pub packagetype: String,
    pub upload_time_iso_8601: String,
    #[serde(default)]
    pub yanked: bool,
    #[serde(default)]
    pub yanked_reason: Option<String>,
    #[serde(default)]
    pub requires_python: Option<String>,
}

/// The fields compared, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Version,
    Uploaded,
    Yanked,
    Kind,
    Wheels,
    Files,
    RequiresPython,
    RequiresDist,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::Uploaded => "uploaded",
            Self::Yanked => "yanked",
            Self::Kind => "kind",
            Self::Wheels => "wheels",
            Self::Files => "files",
            Self::RequiresPython => "requires_python",
            Self::RequiresDist => "requires_dist",
        }
    }
}

/// The outcome of comparing one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// How the data and the index differ.
    Mismatch(String),
    /// Why the index cannot confirm the field for this release.
    NotComparable(String),
}

/// One field's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub field: Field,
    pub outcome: Outcome,
}

/// What the index says of one release: its files (of every listed version equal to it under PEP 440, as the sync
/// groups files), and its metadata when the index serves it.
#[derive(Debug, Clone)]
pub struct IndexRelease<'a> {
    /// The versions the index lists that equal the data's (normally the one spelling).
    pub listed: Vec<&'a str>,
    pub files: Vec<&'a JsonFile>,
    /// The release's metadata, or why the index gives none.
    pub metadata: Result<&'a Info, String>,
}

impl<'a> IndexRelease<'a> {
    /// The release `version` of a project's JSON, with the release's own JSON when the index served it.
    pub fn new(project: &'a ProjectJson, version: &str, own: Option<&'a ReleaseJson>) -> Self {
        let wanted = Version::from_str(version).ok();
        let mut listed = Vec::new();
        let mut files = Vec::new();
        for (listed_version, listed_files) in &project.releases {
            let equal = listed_version == version
                || wanted.as_ref().is_some_and(|wanted| {
                    Version::from_str(listed_version).is_ok_and(|parsed| parsed == *wanted)
                });
            if equal {
                listed.push(listed_version.as_str());
                files.extend(listed_files);
            }
        }
        let metadata = match own {
            Some(own) => Ok(&own.info),
            None if listed.contains(&project.info.version.as_str()) => Ok(&project.info),
            None => Err(format!(
                "the index serves no JSON for this release, and its project JSON holds only the metadata of {}",
                project.info.version
            )),
        };
        Self {
            listed,
            files,
            metadata,
        }
    }
}

/// A time as a sortable key: `2024-08-18T21:51:09.9Z` and `2024-08-18T21:51:09Z` compare by their instants.
fn time_key(time: &str) -> (String, String) {
    let time = time
        .trim()
        .trim_end_matches(['Z', 'z'])
        .trim_end_matches("+00:00");
    let seconds = time.get(..19).unwrap_or(time).to_string();
    let fraction = time
        .get(19..)
        .unwrap_or_default()
        .trim_start_matches('.')
        .to_string();
    (seconds, format!("{fraction:0<9}"))
}

/// Compares one release of the data with the index. `universe` is the indexed packages, `newest_upload` the
/// snapshot's date.
pub fn compare(
    data: &ReleaseEntry,
    index: &IndexRelease,
    universe: &BTreeSet<String>,
    newest_upload: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut push = |field: Field, outcome: Outcome| checks.push(Check { field, outcome });
    if index.listed.is_empty() {
        push(
            Field::Version,
            Outcome::Mismatch(format!("the index does not list `{}`", data.version)),
        );
        return checks;
    }
    push(
        Field::Version,
        if index.listed.contains(&data.version.as_str()) {
            Outcome::Ok
        } else {
            Outcome::Mismatch(format!(
                "the data says `{}`, the index lists `{}`",
                data.version,
                index.listed.join("`, `")
            ))
        },
    );

    // The files the sync could see: wheels and sdists uploaded up to the snapshot's date.
    let limit = normalize_time(newest_upload);
    let seen: Vec<&JsonFile> = index
        .files
        .iter()
        .copied()
        .filter(|file| matches!(file.packagetype.as_str(), "bdist_wheel" | "sdist"))
        .filter(|file| normalize_time(&file.upload_time_iso_8601) <= limit)
        .collect();
    if seen.is_empty() {
        push(
            Field::Uploaded,
            Outcome::Mismatch(format!(
                "the index lists no wheel or sdist of it uploaded up to {limit}"
            )),
        );
        return checks;
    }

    let uploaded = seen
        .iter()
        .map(|file| normalize_time(&file.upload_time_iso_8601))
        .min()
        .unwrap_or_default();
    push(Field::Uploaded, same(&data.uploaded, &uploaded));

    push(Field::Yanked, compare_yanked(data, &seen));

    let (kind, wheels) = kind_and_wheels(&seen);
    push(Field::Kind, same(kind_name(data.kind), kind_name(kind)));
    push(
        Field::Wheels,
        same(&render_wheels(&data.wheels), &render_wheels(&wheels)),
    );

    let names: BTreeSet<&str> = seen.iter().map(|file| file.filename.as_str()).collect();
    let strangers: Vec<&str> = data
        .metadata
        .iter()
        .map(|variant| variant.file.as_str())
        .filter(|file| !names.contains(file))
        .collect();
    push(
        Field::Files,
        if strangers.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Mismatch(format!(
                "metadata read from `{}`, which the index does not list up to {limit}",
                strangers.join("`, `")
            ))
        },
    );

    let first = describing_variant(data, &index.files);
    push(
        Field::RequiresPython,
        compare_requires_python(data, &first, &seen),
    );
    push(
        Field::RequiresDist,
        compare_requires_dist(&first, &index.metadata, universe),
    );
    checks
}

fn same(data: &str, index: &str) -> Outcome {
    if data == index {
        Outcome::Ok
    } else {
        Outcome::Mismatch(format!("the data says {data}, the index {index}"))
    }
}

fn compare_yanked(data: &ReleaseEntry, seen: &[&JsonFile]) -> Outcome {
    let mut by_name = seen.to_vec();
    by_name.sort_by(|a, b| a.filename.cmp(&b.filename));
    let index = by_name.iter().all(|file| file.yanked).then(|| {
        by_name
            .iter()
            .filter_map(|file| file.yanked_reason.as_deref())
            .find(|reason| !reason.is_empty())
            .unwrap_or_default()
            .to_string()
    });
    let render = |yanked: &Option<String>| match yanked {
        None => "not yanked".to_string(),
        Some(reason) if reason.is_empty() => "yanked".to_string(),
        Some(reason) => format!("yanked ({reason:?})"),
    };
    if data.yanked == index {
        Outcome::Ok
    } else {
        Outcome::Mismatch(format!(
            "the data says {}, the index {}",
            render(&data.yanked),
            render(&index)
        ))
    }
}

/// The kind and the recorded tags per tracked platform that a release's filenames give (see `source.rs`).
fn kind_and_wheels(seen: &[&JsonFile]) -> (ReleaseKind, BTreeMap<Platform, Vec<String>>) {
    let mut pure = false;
    let mut wheel = false;
    let mut tags: BTreeMap<Platform, BTreeSet<super::filename::PythonTag>> = BTreeMap::new();
    for file in seen {
        if file.packagetype != "bdist_wheel" {
            continue;
        }
        let Some(name) = WheelName::parse(&file.filename) else {
            continue;
        };
        wheel = true;
        if name.is_pure() {
            pure = true;
            continue;
        }
        let python = name.python_tags();
        if python.is_empty() {
            continue;
        }
        for platform in name.platforms() {
            tags.entry(platform)
                .or_default()
                .extend(python.iter().copied());
        }
    }
    let kind = if pure {
        ReleaseKind::Pure
    } else if wheel {
        ReleaseKind::Binary
    } else {
        ReleaseKind::SdistOnly
    };
    let wheels = tags
        .into_iter()
        .map(|(platform, tags)| (platform, tags.iter().map(ToString::to_string).collect()))
        .collect();
    (kind, wheels)
}

fn kind_name(kind: ReleaseKind) -> &'static str {
    match kind {
        ReleaseKind::Binary => "binary",
        ReleaseKind::Pure => "pure",
        ReleaseKind::SdistOnly => "sdist-only",
    }
}

fn render_wheels(wheels: &BTreeMap<Platform, Vec<String>>) -> String {
    if wheels.is_empty() {
        return "none".to_string();
    }
    wheels
        .iter()
        .map(|(platform, tags)| format!("{}: {}", platform_name(*platform), tags.join(" ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The release's first file uploaded, whose metadata the index keeps, and the variant of the data that describes
/// it: the one read from that file, or the one for its platform. `Err` says why no variant does.
struct Describing<'a> {
    file: &'a JsonFile,
    variant: &'a MetadataVariant,
}

fn describing_variant<'a>(
    data: &'a ReleaseEntry,
    files: &[&'a JsonFile],
) -> Result<Describing<'a>, String> {
    let earliest = files
        .iter()
        .map(|file| time_key(&file.upload_time_iso_8601))
        .min()
        .ok_or_else(|| "the index lists no file of the release".to_string())?;
    let firsts: Vec<&JsonFile> = files
        .iter()
        .copied()
        .filter(|file| time_key(&file.upload_time_iso_8601) == earliest)
        .collect();
    let mut found: Option<Describing> = None;
    for file in firsts {
        let describing = describe(data, file)?;
        if let Some(other) = &found
            && !std::ptr::eq(other.variant, describing.variant)
        {
            return Err(format!(
                "`{}` and `{}` were uploaded first at the same time, and the data has different metadata for them",
                other.file.filename, file.filename
            ));
        }
        found.get_or_insert(describing);
    }
    found.ok_or_else(|| "the index lists no file of the release".to_string())
}

fn describe<'a>(data: &'a ReleaseEntry, file: &'a JsonFile) -> Result<Describing<'a>, String> {
    if let Some(variant) = data
        .metadata
        .iter()
        .find(|variant| variant.file == file.filename)
    {
        return Ok(Describing { file, variant });
    }
    let name = &file.filename;
    let applies_to: BTreeSet<String> = match file.packagetype.as_str() {
        "sdist" => ["sdist".to_string()].into(),
        "bdist_wheel" => {
            let Some(wheel) = WheelName::parse(name) else {
                return Err(format!(
                    "the first file uploaded, `{name}`, is not a wheel name"
                ));
            };
            if wheel.is_pure() {
                ["any".to_string()].into()
            } else if wheel.python_tags().is_empty() {
                return Err(format!(
                    "the first file uploaded, `{name}`, is for a Python the data does not record"
                ));
            } else {
                wheel.platforms().into_iter().map(platform_name).collect()
            }
        }
        other => {
            return Err(format!(
                "the first file uploaded, `{name}`, is a `{other}`, whose metadata the data does not read"
            ));
        }
    };
    if applies_to.is_empty() {
        return Err(format!(
            "the first file uploaded, `{name}`, is for a platform the data does not track"
        ));
    }
    let variants: Vec<&MetadataVariant> = data
        .metadata
        .iter()
        .filter(|variant| variant.applies_to.iter().any(|to| applies_to.contains(to)))
        .collect();
    match variants.as_slice() {
        [variant] => Ok(Describing { file, variant }),
        [] if applies_to.contains("sdist") => Err(format!(
            "the first file uploaded is the sdist `{name}`, and the data read the wheels' metadata"
        )),
        [] => Err(format!(
            "no metadata variant of the data applies to `{name}`, the first file uploaded"
        )),
        _ => Err(format!(
            "`{name}`, the first file uploaded, is for platforms whose metadata differ in the data"
        )),
    }
}

/// `Requires-Python` when it says something: an empty one is none.
fn stated(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.trim().is_empty())
}

fn compare_requires_python(
    data: &ReleaseEntry,
    first: &Result<Describing, String>,
    seen: &[&JsonFile],
) -> Outcome {
    let mut problems = Vec::new();
    let mut compared = false;
    // An `unknown` variant's `Requires-Python` is the listing's, the release's: the same for every file.
    let listed = seen
        .iter()
        .find_map(|file| stated(file.requires_python.as_deref()));
    for variant in &data.metadata {
        if variant.via == MetadataSource::Unknown {
            compared = true;
            if stated(variant.requires_python.as_deref()) != listed {
                problems.push(format!(
                    "`{}` (unknown metadata) has {:?} from the listing, the index lists {:?}",
                    variant.file, variant.requires_python, listed
                ));
            }
        }
    }
    match first {
        Ok(first) if first.variant.via != MetadataSource::Unknown => {
            let index = stated(first.file.requires_python.as_deref());
            let ours = stated(first.variant.requires_python.as_deref());
            let equal = ours.map(parsed_specifiers) == index.map(parsed_specifiers);
            if !equal {
                problems.push(format!(
                    "`{}` has {ours:?}, the index keeps {index:?} from `{}`, the first file uploaded",
                    first.variant.file, first.file.filename
                ));
            }
        }
        Err(reason) if !compared => return Outcome::NotComparable(reason.clone()),
        _ => {}
    }
    if problems.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Mismatch(problems.join("; "))
    }
}

fn compare_requires_dist(
    first: &Result<Describing, String>,
    metadata: &Result<&Info, String>,
    universe: &BTreeSet<String>,
) -> Outcome {
    let info = match metadata {
        Ok(info) => info,
        Err(reason) => return Outcome::NotComparable(reason.clone()),
    };
    let first = match first {
        Ok(first) => first,
        Err(reason) => return Outcome::NotComparable(reason.clone()),
    };
    let variant = first.variant;
    if variant.via == MetadataSource::Unknown {
        return Outcome::NotComparable(format!(
            "the data could not read the metadata of `{}`",
            variant.file
        ));
    }
    let indexed = |requirement: &str| {
        let name = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement)
            .map(|parsed| normalize(parsed.name.as_ref()))
            .ok()
            .or_else(|| requirement_name(requirement));
        name.is_some_and(|name| universe.contains(&name))
    };
    let index: Vec<&str> = info
        .requires_dist
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|requirement| indexed(requirement))
        .collect();
    if info.requires_dist.is_none()
        && variant.via == MetadataSource::SdistPkgInfo
        && !variant.requires_dist.is_empty()
    {
        return Outcome::NotComparable(format!(
            "the index keeps no `Requires-Dist` for `{}` (its `PKG-INFO` has none); the data read setuptools' `requires.txt`",
            first.file.filename
        ));
    }
    let ours: Vec<&str> = variant.requires_dist.iter().map(String::as_str).collect();
    // In any order: the index keeps a release's requirements as a set.
    let parsed = |requirements: &[&str]| {
        let mut parsed: Vec<String> = requirements
            .iter()
            .map(|requirement| parsed_requirement(requirement))
            .collect();
        parsed.sort();
        parsed
    };
    let equal = parsed(&ours) == parsed(&index);
    if equal {
        Outcome::Ok
    } else {
        Outcome::Mismatch(format!(
            "`{}` has [{}], the index keeps [{}] from `{}`, the first file uploaded",
            variant.file,
            ours.join(", "),
            index.join(", "),
            first.file.filename
        ))
    }
}

/// A requirement as parsed, so that spellings of one requirement compare equal (the index writes requirements
/// back as `packaging` does, `httpstan<4.18,>=4.17` for `httpstan (>=4.17,<4.18)`): the name normalized, extras
/// and specifiers sorted, the marker as pep508_rs writes it; one that does not parse, without its whitespace.
fn parsed_requirement(requirement: &str) -> String {
    let Ok(parsed) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) else {
        return requirement.split_whitespace().collect();
    };
    let mut extras: Vec<String> = parsed.extras.iter().map(ToString::to_string).collect();
    extras.sort();
    let version = match &parsed.version_or_url {
        Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) => sorted(specifiers.iter()),
        Some(pep508_rs::VersionOrUrl::Url(url)) => format!("@{url}"),
        None => String::new(),
    };
    let marker = parsed.marker.try_to_string().unwrap_or_default();
    format!("{}[{}]{version};{marker}", parsed.name, extras.join(","))
}

/// Version specifiers as parsed and sorted (`<4.0,>=3.12` and `>=3.12, <4.0` are one set).
fn parsed_specifiers(specifiers: &str) -> String {
    match pep440_rs::VersionSpecifiers::from_str(specifiers) {
        Ok(parsed) => sorted(parsed.iter()),
        Err(_) => specifiers.split_whitespace().collect(),
    }
}

fn sorted<T: ToString>(items: impl Iterator<Item = T>) -> String {
    let mut items: Vec<String> = items.map(|item| item.to_string()).collect();
    items.sort();
    items.join(",")
}

/// One compared release.
#[derive(Debug, Clone)]
pub struct Verified {
    pub package: String,
    pub version: String,
    pub checks: Vec<Check>,
}

impl Verified {
    /// One line, `scipy 1.14.1: version OK, ..., requires_dist MISMATCH`, then one indented line per field that
    /// is not OK.
    pub fn render(&self) -> String {
        let mut out = format!("{} {}:", self.package, self.version);
        let mut details = String::new();
        for (position, check) in self.checks.iter().enumerate() {
            let separator = if position == 0 { " " } else { ", " };
            let name = check.field.name();
            let verdict = match &check.outcome {
                Outcome::Ok => "OK",
                Outcome::Mismatch(why) => {
                    let _ = writeln!(details, "    {name}: {why}");
                    "MISMATCH"
                }
                Outcome::NotComparable(why) => {
                    let _ = writeln!(details, "    {name} not comparable: {why}");
                    "not comparable"
                }
            };
            let _ = write!(out, "{separator}{name} {verdict}");
        }
        out.push('\n');
        out + &details
    }
}

/// The totals of a run: `20 releases, 137 fields, 0 mismatches (3 fields not comparable)`.
pub fn summary(verified: &[Verified]) -> (String, usize) {
    let checks = verified.iter().flat_map(|release| &release.checks);
    let (mut compared, mut mismatches, mut not_comparable) = (0, 0, 0);
    for check in checks {
        match check.outcome {
            Outcome::Ok => compared += 1,
            Outcome::Mismatch(_) => {
                compared += 1;
                mismatches += 1;
            }
            Outcome::NotComparable(_) => not_comparable += 1,
        }
    }
    (
        format!(
            "{} releases, {compared} fields, {mismatches} mismatches ({not_comparable} fields not comparable)",
            verified.len()
        ),
        mismatches,
    )
}

/// The releases a draw is among: every release of `only`'s packages (of every package when `only` is empty),
/// or with `newest` each package's newest final, unyanked one.
fn population<'a>(
    packages: &'a BTreeMap<String, PackageFile>,
    only: &BTreeSet<String>,
    newest: bool,
) -> Vec<(&'a str, usize)> {
    packages
        .iter()
        .filter(|(name, _)| only.is_empty() || only.contains(*name))
        .flat_map(|(name, file)| {
            let indices: Vec<usize> = if newest {
                let final_release =
                    |release: &ReleaseEntry| !release.prerelease && release.yanked.is_none();
                file.releases
                    .iter()
                    .rposition(final_release)
                    .into_iter()
                    .collect()
            } else {
                (0..file.releases.len()).collect()
            };
            indices.into_iter().map(move |index| (name.as_str(), index))
        })
        .collect()
}

/// Draws `count` releases of `population` uniformly with `seed`: pairs of package and release index, sorted.
pub fn draw(population: &[(&str, usize)], count: usize, seed: u64) -> Vec<(String, usize)> {
    let mut rng = crate::bench::Rng::new(seed);
    let mut drawn: Vec<(String, usize)> = rng
        .sample(population.len(), count)
        .into_iter()
        .map(|index| (population[index].0.to_string(), population[index].1))
        .collect();
    drawn.sort();
    drawn
}

/// The JSON API's base: the simple API's URL without its `/simple`.
fn json_base(index_url: &str) -> Result<String> {
    let trimmed = index_url.trim_end_matches('/');
    let Some(base) = trimmed.strip_suffix("/simple") else {
        bail!(
            "cannot tell the JSON API's address from `{index_url}`: it does not end with `/simple`"
        );
    };
    Ok(base.to_string())
}

/// Runs `cargo xtask index verify`: prints one line per release drawn and the totals, and fails on a mismatch.
pub fn run(root: &Path, args: &VerifyArgs) -> Result<()> {
    let data = root.join("crates/nplint-index/data");
    let tree = output::Tree::read(&data)?;
    let snapshot = tree
        .snapshot
        .as_ref()
        .context("no `snapshot.json`: run a full sync first")?;
    let only: BTreeSet<String> = args.packages.iter().map(|name| normalize(name)).collect();
    for name in &only {
        if !tree.packages.contains_key(name) {
            bail!("`{name}` is not in the index's data");
        }
    }
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64)
    });
    let population = population(&tree.packages, &only, args.newest);
    let drawn = draw(&population, args.sample, seed);
    println!(
        "seed {seed}: {} of {} releases, data as of {} (repeat with `--seed {seed}`)",
        drawn.len(),
        population.len(),
        snapshot.newest_upload
    );

    let index_url = super::index_url(args.network.index_url.as_deref())?;
    let base = json_base(&index_url)?;
    let client = args.network.client(root)?;
    let get = |url: &str| client.fresh(url, "application/json");
    let pool = args.network.pool("verify")?;
    let universe: BTreeSet<String> = snapshot.packages.iter().cloned().collect();

    let names: BTreeSet<&str> = drawn.iter().map(|(name, _)| name.as_str()).collect();
    let projects: BTreeMap<&str, ProjectJson> = pool.install(|| {
        names
            .par_iter()
            .map(|name| -> Result<_> {
                let url = format!("{base}/pypi/{name}/json");
                let body = get(&url)?.with_context(|| format!("GET {url}: not found"))?;
                let mut project: ProjectJson = serde_json::from_slice(&body)
                    .with_context(|| format!("`{name}`: reading the index's project JSON"))?;
                // As the sync writes them (see `simple::redact_index_host`).
                for file in project.releases.values_mut().flatten() {
                    if let Some(reason) = &mut file.yanked_reason {
                        *reason = super::simple::redact_index_host(reason, &index_url);
                    }
                }
                Ok((*name, project))
            })
            .collect::<Result<_>>()
    })?;
    let owns: Vec<Option<ReleaseJson>> = pool.install(|| {
        drawn
            .par_iter()
            .map(|(name, index)| -> Result<_> {
                let version = &tree.packages[name].releases[*index].version;
                let url = format!("{base}/pypi/{name}/{version}/json");
                get(&url)?
                    .map(|body| {
                        serde_json::from_slice(&body).with_context(|| {
                            format!("`{name}` {version}: reading the index's JSON")
                        })
                    })
                    .transpose()
            })
            .collect::<Result<_>>()
    })?;

    let mut verified = Vec::new();
    for ((name, index), own) in drawn.iter().zip(&owns) {
        let release = &tree.packages[name].releases[*index];
        let indexed = IndexRelease::new(&projects[name.as_str()], &release.version, own.as_ref());
        let checks = compare(release, &indexed, &universe, &snapshot.newest_upload);
        let one = Verified {
            package: name.clone(),
            version: release.version.clone(),
            checks,
        };
        print!("{}", one.render());
        verified.push(one);
    }
    let (line, mismatches) = summary(&verified);
    println!("{line}");
    if mismatches > 0 {
        bail!("{mismatches} fields of the data differ from the index");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use nplint_index::source::MetadataSource;

    use super::*;

    /// A project's JSON as the index answers it, trimmed to the fields read (the index sends many more, which are
    /// ignored). `1.0` is a binary release whose Windows wheel came after the snapshot's date; `2.0` was yanked,
    /// then got a wheel after the date; `3.0` is pure, its sdist uploaded first.
    const PROJECT: &str = r#"{
        "info": {"version": "3.0", "requires_python": ">=3.11", "requires_dist": ["numpy>=2", "requests"]},
        "last_serial": 1,
        "releases": {
            "1.0": [
                {"filename": "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                 "packagetype": "bdist_wheel", "upload_time_iso_8601": "2024-01-01T10:00:00.500000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"},
                {"filename": "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                 "packagetype": "bdist_wheel", "upload_time_iso_8601": "2024-01-01T10:01:00.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"},
                {"filename": "demo-1.0-cp312-cp312-macosx_11_0_arm64.whl",
                 "packagetype": "bdist_wheel", "upload_time_iso_8601": "2024-01-01T10:02:00.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"},
                {"filename": "demo-1.0.tar.gz", "packagetype": "sdist",
                 "upload_time_iso_8601": "2024-01-01T10:03:00.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"},
                {"filename": "demo-1.0-cp313-cp313-win_amd64.whl",
                 "packagetype": "bdist_wheel", "upload_time_iso_8601": "2024-06-01T00:00:00.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"}
            ],
            "2.0": [
                {"filename": "demo-2.0-py3-none-any.whl", "packagetype": "bdist_wheel",
                 "upload_time_iso_8601": "2024-02-01T00:00:00.000000Z",
                 "yanked": true, "yanked_reason": null, "requires_python": null},
                {"filename": "demo-2.0.tar.gz", "packagetype": "sdist",
                 "upload_time_iso_8601": "2024-02-01T00:00:01.000000Z",
                 "yanked": true, "yanked_reason": "broken import", "requires_python": null},
                {"filename": "demo-2.0-cp313-cp313-win_amd64.whl", "packagetype": "bdist_wheel",
                 "upload_time_iso_8601": "2024-07-01T00:00:00.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": null}
            ],
            "3.0": [
                {"filename": "demo-3.0.tar.gz", "packagetype": "sdist",
                 "upload_time_iso_8601": "2024-02-20T00:00:00.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"},
                {"filename": "demo-3.0-py3-none-any.whl", "packagetype": "bdist_wheel",
                 "upload_time_iso_8601": "2024-02-20T00:00:01.000000Z",
                 "yanked": false, "yanked_reason": null, "requires_python": ">=3.11"}
            ]
        }
    }"#;

    /// `1.0`'s own JSON: the metadata of its first file uploaded, the cp311 wheel.
    const RELEASE: &str = r#"{"info": {"version": "1.0", "requires_python": ">=3.11",
        "requires_dist": ["numpy>=1.26", "requests>=2", "scipy; extra == 'all'"]}, "urls": []}"#;

    const DATE: &str = "2024-03-01T00:00:00Z";

    fn project() -> ProjectJson {
        serde_json::from_str(PROJECT).unwrap()
    }

    fn universe() -> BTreeSet<String> {
        ["demo", "numpy", "scipy"].map(String::from).into()
    }

    fn variant(applies_to: &[&str], file: &str, requires_dist: &[&str]) -> MetadataVariant {
        MetadataVariant {
            applies_to: applies_to.iter().map(ToString::to_string).collect(),
            file: file.to_string(),
            via: MetadataSource::MetadataFile,
            requires_python: Some(">=3.11".to_string()),
            requires_dist: requires_dist.iter().map(ToString::to_string).collect(),
        }
    }

    /// `1.0` as the sync writes it: metadata read from the cp312 wheels, spelled as another build tool spells it.
    fn one() -> ReleaseEntry {
        ReleaseEntry {
            version: "1.0".to_string(),
            uploaded: "2024-01-01T10:00:00Z".to_string(),
            yanked: None,
            prerelease: false,
            kind: ReleaseKind::Binary,
            wheels: [
                (Platform::LinuxX86_64, vec!["cp311".into(), "cp312".into()]),
                (Platform::MacosArm64, vec!["cp312".into()]),
            ]
            .into(),
            metadata: vec![variant(
                &["linux-x86_64", "macos-arm64"],
                "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                &["scipy ; extra == \"all\"", "numpy >=1.26"],
            )],
            build: None,
            build_agrees_on: Vec::new(),
            platform_builds: std::collections::BTreeMap::new(),
            removed_api: Vec::new(),
        }
    }

    fn outcomes(
        data: &ReleaseEntry,
        own: Option<&ReleaseJson>,
        newest_upload: &str,
    ) -> Vec<(Field, Outcome)> {
        let project = project();
        let index = IndexRelease::new(&project, &data.version, own);
        compare(data, &index, &universe(), newest_upload)
            .into_iter()
            .map(|check| (check.field, check.outcome))
            .collect()
    }

    fn outcome(checks: &[(Field, Outcome)], field: Field) -> &Outcome {
        &checks.iter().find(|(each, _)| *each == field).unwrap().1
    }

    #[test]
    fn a_release_that_agrees_passes_every_field() {
        let own: ReleaseJson = serde_json::from_str(RELEASE).unwrap();
        let checks = outcomes(&one(), Some(&own), DATE);
        let fields: Vec<Field> = checks.iter().map(|(field, _)| *field).collect();
        assert_eq!(
            fields,
            [
                Field::Version,
                Field::Uploaded,
                Field::Yanked,
                Field::Kind,
                Field::Wheels,
                Field::Files,
                Field::RequiresPython,
                Field::RequiresDist
            ]
        );
        assert!(
            checks.iter().all(|(_, outcome)| *outcome == Outcome::Ok),
            "{checks:#?}"
        );
    }

    #[test]
    fn each_field_can_mismatch() {
        type Change = fn(&mut ReleaseEntry);
        let own: ReleaseJson = serde_json::from_str(RELEASE).unwrap();
        let changes: [(Field, Change); 8] = [
            (Field::Version, |data| data.version = "1.0.0".into()),
            (Field::Uploaded, |data| {
                data.uploaded = "2024-01-01T10:01:00Z".into();
            }),
            (Field::Yanked, |data| data.yanked = Some(String::new())),
            (Field::Kind, |data| data.kind = ReleaseKind::Pure),
            (Field::Wheels, |data| {
                data.wheels
                    .insert(Platform::WindowsX86_64, vec!["cp313".into()]);
            }),
            (Field::Files, |data| {
                data.metadata[0].file = "demo-1.0-cp313-cp313-win_amd64.whl".into();
            }),
            (Field::RequiresPython, |data| {
                data.metadata[0].requires_python = Some(">=3.10".into());
            }),
            (Field::RequiresDist, |data| {
                data.metadata[0].requires_dist.pop();
            }),
        ];
        for (field, change) in changes {
            let mut data = one();
            change(&mut data);
            let checks = outcomes(&data, Some(&own), DATE);
            for (each, outcome) in &checks {
                if *each == field {
                    assert!(
                        matches!(outcome, Outcome::Mismatch(_)),
                        "{field:?}: {outcome:?}"
                    );
                } else {
                    assert_eq!(*outcome, Outcome::Ok, "{field:?} changed, {each:?} differs");
                }
            }
        }
    }

    #[test]
    fn a_release_the_index_does_not_list_is_a_mismatch() {
        let mut data = one();
        data.version = "1.1".into();
        let checks = outcomes(&data, None, DATE);
        assert_eq!(checks.len(), 1);
        assert!(matches!(checks[0], (Field::Version, Outcome::Mismatch(_))));
    }

    #[test]
    fn files_uploaded_after_the_snapshot_are_not_seen() {
        // The Windows wheel of 1.0 came after the date: the data rightly lacks it...
        let checks = outcomes(&one(), None, DATE);
        assert_eq!(*outcome(&checks, Field::Wheels), Outcome::Ok);
        // ...and would be wrong to lack it at a later date.
        let checks = outcomes(&one(), None, "2024-06-01T00:00:00Z");
        let Outcome::Mismatch(why) = outcome(&checks, Field::Wheels) else {
            panic!("{checks:?}");
        };
        assert!(why.contains("windows-x86_64: cp313"), "{why}");
        // Metadata read from a file the data could not have seen is a mismatch.
        let mut data = one();
        data.metadata[0].file = "demo-1.0-cp313-cp313-win_amd64.whl".into();
        assert!(matches!(
            outcome(&outcomes(&data, None, DATE), Field::Files),
            Outcome::Mismatch(_)
        ));
    }

    fn two(yanked: Option<&str>) -> ReleaseEntry {
        ReleaseEntry {
            version: "2.0".to_string(),
            uploaded: "2024-02-01T00:00:00Z".to_string(),
            yanked: yanked.map(ToString::to_string),
            kind: ReleaseKind::Pure,
            wheels: BTreeMap::new(),
            metadata: vec![MetadataVariant {
                requires_python: None,
                ..variant(&["any"], "demo-2.0-py3-none-any.whl", &[])
            }],
            ..one()
        }
    }

    #[test]
    fn yanked_when_every_file_seen_is_with_the_first_reason_given() {
        // Every file up to the date is yanked; the later, unyanked wheel was not seen.
        let checks = outcomes(&two(Some("broken import")), None, DATE);
        assert_eq!(*outcome(&checks, Field::Yanked), Outcome::Ok, "{checks:?}");
        for wrong in [None, Some("")] {
            let checks = outcomes(&two(wrong), None, DATE);
            assert!(
                matches!(outcome(&checks, Field::Yanked), Outcome::Mismatch(_)),
                "{wrong:?}"
            );
        }
        // Once that wheel is seen, the release is not yanked as a whole.
        let later = "2024-07-01T00:00:00Z";
        assert_eq!(
            *outcome(&outcomes(&two(None), None, later), Field::Yanked),
            Outcome::Ok
        );
    }

    #[test]
    fn requires_dist_needs_the_release_metadata() {
        // Without its own JSON, 1.0's metadata is not in the project's JSON (which holds 3.0's).
        let checks = outcomes(&one(), None, DATE);
        let Outcome::NotComparable(why) = outcome(&checks, Field::RequiresDist) else {
            panic!("{checks:?}");
        };
        assert!(why.contains("metadata of 3.0"), "{why}");
        // `Requires-Python` is the file's: still compared.
        assert_eq!(*outcome(&checks, Field::RequiresPython), Outcome::Ok);
    }

    fn three(first: &str) -> ReleaseEntry {
        ReleaseEntry {
            version: "3.0".to_string(),
            uploaded: "2024-02-20T00:00:00Z".to_string(),
            kind: ReleaseKind::Pure,
            wheels: BTreeMap::new(),
            metadata: vec![variant(
                &["any"],
                "demo-3.0-py3-none-any.whl",
                &[first, "numpy (>=2)"],
            )],
            ..one()
        }
    }

    #[test]
    fn only_the_first_file_uploaded_has_its_metadata_kept() {
        // 3.0's sdist came first: the index's metadata is the sdist's, which the data did not read.
        let checks = outcomes(&three("demo[x]"), None, DATE);
        for field in [Field::RequiresPython, Field::RequiresDist] {
            let Outcome::NotComparable(why) = outcome(&checks, field) else {
                panic!("{checks:?}");
            };
            assert!(why.contains("`demo-3.0.tar.gz`"), "{why}");
        }
        // With the wheel first, and read by the sync, the index's metadata is the wheel's: compared as parsed, in
        // any order, since the index writes requirements back in its own spelling and keeps no order.
        let mut project = project();
        project.releases.get_mut("3.0").unwrap()[0].upload_time_iso_8601 =
            "2024-02-20T00:00:02Z".into();
        project.info.requires_dist = Some(vec![
            "numpy>=2".into(),
            "requests".into(),
            "demo[x]; extra == \"all\"".into(),
        ]);
        let compare_three = |data: &ReleaseEntry| {
            let index = IndexRelease::new(&project, "3.0", None);
            compare(data, &index, &universe(), DATE)
                .into_iter()
                .find(|check| check.field == Field::RequiresDist)
                .unwrap()
                .outcome
        };
        let data = three("demo [x] ; extra == 'all'");
        assert_eq!(compare_three(&data), Outcome::Ok);
        let mut data = three("demo[x]; extra == 'all'");
        data.metadata[0].requires_dist[1] = "numpy (>=2.1)".into();
        assert!(matches!(compare_three(&data), Outcome::Mismatch(_)));
        data.metadata[0].requires_dist.pop();
        assert!(matches!(compare_three(&data), Outcome::Mismatch(_)));
    }

    #[test]
    fn unknown_metadata_is_compared_with_the_listing_only() {
        let mut data = one();
        data.metadata[0].via = MetadataSource::Unknown;
        data.metadata[0].requires_dist.clear();
        let own: ReleaseJson = serde_json::from_str(RELEASE).unwrap();
        let checks = outcomes(&data, Some(&own), DATE);
        assert_eq!(*outcome(&checks, Field::RequiresPython), Outcome::Ok);
        assert!(matches!(
            outcome(&checks, Field::RequiresDist),
            Outcome::NotComparable(_)
        ));
        data.metadata[0].requires_python = None;
        let checks = outcomes(&data, Some(&own), DATE);
        assert!(matches!(
            outcome(&checks, Field::RequiresPython),
            Outcome::Mismatch(_)
        ));
    }

    #[test]
    fn draws_are_seeded_uniform_and_restricted_to_the_packages_named() {
        let package = |name: &str, count: usize| PackageFile::new(name, vec![one(); count]);
        let packages: BTreeMap<String, PackageFile> = [
            ("a".to_string(), package("a", 30)),
            ("b".to_string(), package("b", 70)),
        ]
        .into();
        let every = population(&packages, &BTreeSet::new(), false);
        let drawn = draw(&every, 20, 7);
        assert_eq!(drawn, draw(&every, 20, 7));
        assert_ne!(drawn, draw(&every, 20, 8));
        assert_eq!(drawn.len(), 20);
        assert_eq!(drawn.iter().collect::<BTreeSet<_>>().len(), 20);
        assert_eq!(draw(&every, 500, 7).len(), 100);
        let only_a: BTreeSet<String> = ["a".to_string()].into();
        let drawn = draw(&population(&packages, &only_a, false), 50, 7);
        assert_eq!(drawn.len(), 30);
        assert!(drawn.iter().all(|(name, index)| name == "a" && *index < 30));
        // The newest final, unyanked release of each package.
        let mut b = packages["b"].clone();
        b.releases[69].prerelease = true;
        b.releases[68].yanked = Some(String::new());
        let packages: BTreeMap<String, PackageFile> = [
            ("a".to_string(), packages["a"].clone()),
            ("b".to_string(), b),
        ]
        .into();
        assert_eq!(
            population(&packages, &BTreeSet::new(), true),
            [("a", 29), ("b", 67)]
        );
    }

    #[test]
    fn the_json_api_lives_beside_the_simple_api() {
        assert_eq!(
            json_base("https://index.example.invalid/simple/").unwrap(),
            "https://index.example.invalid"
        );
        assert_eq!(
            json_base("https://index.example.invalid/mirror/simple").unwrap(),
            "https://index.example.invalid/mirror"
        );
        assert!(json_base("https://index.example.invalid/other").is_err());
    }

    #[test]
    fn renders_a_line_per_release_and_the_totals() {
        let verified = [Verified {
            package: "demo".into(),
            version: "1.0".into(),
            checks: vec![
                Check {
                    field: Field::Version,
                    outcome: Outcome::Ok,
                },
                Check {
                    field: Field::Uploaded,
                    outcome: Outcome::Mismatch("the data says a, the index b".into()),
                },
                Check {
                    field: Field::RequiresDist,
                    outcome: Outcome::NotComparable("no metadata".into()),
                },
            ],
        }];
        assert_eq!(
            verified[0].render(),
            "demo 1.0: version OK, uploaded MISMATCH, requires_dist not comparable\n    \
             uploaded: the data says a, the index b\n    requires_dist not comparable: no metadata\n"
        );
        assert_eq!(
            summary(&verified),
            (
                "1 releases, 2 fields, 1 mismatches (1 fields not comparable)".to_string(),
                1
            )
        );
    }
}
