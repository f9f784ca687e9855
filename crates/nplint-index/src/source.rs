//! The index's checked-in source form: one JSON file per package under `data/packages/`, written by
//! `cargo xtask index sync` and read by the build of the embedded form. See `data/README.md` for the format.
//!
//! These types are the format's single definition: the sync serializes them, the embedding step deserializes
//! them. Field order is the serialization order; optional fields are omitted when empty so that files diff well.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `data/snapshot.json`: facts about the sync as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The newest upload time of any file in the index (RFC 3339, UTC): the date the data is current to. Derived
    /// from the data rather than the clock, so that a re-sync without upstream changes changes nothing.
    pub newest_upload: String,
    /// Every package in the index, sorted: the seeds and those the closure added.
    pub packages: Vec<String>,
    /// Packages the closure added, each with the indexed package whose dependency brought it in.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub added_by_closure: BTreeMap<String, String>,
}

impl Snapshot {
    /// The snapshot of `packages`, current to `newest_upload`, with nothing added by a closure: what an index built
    /// by hand (a test's, a benchmark's) says of itself.
    pub fn of<V, A>(newest_upload: &str, packages: &[PackageFile<V, A>]) -> Self {
        let mut names: Vec<String> = packages
            .iter()
            .map(|package| package.name.clone())
            .collect();
        names.sort();
        Self {
            newest_upload: newest_upload.to_owned(),
            packages: names,
            added_by_closure: BTreeMap::new(),
        }
    }
}

/// `data/packages/<name>.json`: everything the index knows about one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "V: Deserialize<'de>, A: Deserialize<'de>")
)]
pub struct PackageFile<V = MetadataVariant, A = ApiUse> {
    /// PEP 503-normalized name.
    pub name: String,
    /// Releases sorted by PEP 440 version, ascending.
    pub releases: Vec<ReleaseEntry<V, A>>,
    /// The versions of the releases that predate the index's history ([`HISTORY_START`]; NumPy's before 1.13), as
    /// the index lists them, ascending: nothing else of them is known. A requirement that admits only these asks for
    /// a release the index cannot judge (matplotlib's oldest-supported pins name `cycler==0.10`, from 2016).
    ///
    /// When [`Self::held_from`] is set, the list is shorter: the newest release of each `major.minor` series that
    /// the index does not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<String>,
    /// Present when the index holds only the newest releases of this package ([`NEWEST_HELD`] final ones, with
    /// the pre-releases after them): the oldest version held. The full-tier projects beyond the most-downloaded
    /// ones are kept so, which is what makes the whole tier fit the index's budgets; nothing is known of the
    /// releases before this one but the versions [`Self::earlier`] names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_from: Option<String>,
}

impl<V, A> PackageFile<V, A> {
    /// `name` with `releases`, held whole and with no release before the index's history.
    pub fn new(name: &str, releases: Vec<ReleaseEntry<V, A>>) -> Self {
        Self {
            name: name.to_owned(),
            releases,
            earlier: Vec::new(),
            held_from: None,
        }
    }
}

/// The most pre-releases the index holds of a package (`numpy` aside), of those newer than its newest final
/// release: the sync's choice (see `nplint_registry::release::kept`), on which [`crate::Package::coverage`] relies to
/// tell a pre-release that does not exist from one the index left out.
pub const PRERELEASES_KEPT: usize = 20;

/// How many final releases the index holds of a package it holds only the newest releases of
/// ([`PackageFile::held_from`]).
pub const NEWEST_HELD: usize = 25;

/// The index holds the releases uploaded on or after this time (RFC 3339, UTC), and NumPy's from 1.13 on whatever
/// their date: [`PackageFile::earlier`] lists the versions of the others.
pub const HISTORY_START: &str = "2017-01-01T00:00:00Z";

/// The first NumPy release the index holds, whatever its date.
pub const NUMPY_HISTORY_START: &str = "1.13";

/// The year of [`HISTORY_START`], as messages name it.
pub fn history_start_year() -> &'static str {
    HISTORY_START.get(..4).unwrap_or(HISTORY_START)
}

/// One release (all files sharing a version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "V: Deserialize<'de>, A: Deserialize<'de>")
)]
pub struct ReleaseEntry<V = MetadataVariant, A = ApiUse> {
    /// The version as PyPI lists it (not normalized).
    pub version: String,
    /// The earliest upload time of the release's files (RFC 3339, UTC, seconds).
    pub uploaded: String,
    /// Present when every file of the release is yanked (PEP 592): the reason, or an empty string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<String>,
    /// A pre-release or development release (PEP 440).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prerelease: bool,
    pub kind: ReleaseKind,
    /// Binary wheels by tracked platform: the Python tags they were built for, sorted (`cp39`; `cp38-abi3` for a
    /// stable-ABI wheel usable from CPython 3.8 on; `py3` for a Python-generic wheel that is still
    /// platform-specific). Only CPython 3 tags and the five tracked platforms are recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub wheels: BTreeMap<Platform, Vec<String>>,
    /// The release's core metadata, one entry per distinct variant. Usually one; several when files of the release
    /// disagree (per-platform wheels with different `Requires-Dist`).
    pub metadata: Vec<V>,
    /// Which NumPy the release's extension modules were compiled against, read from the binaries of one of its
    /// wheels. Absent when the release has no CPython-specific wheel, and when the scan read nothing decisive
    /// within its budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildScan>,
    /// The other tracked platforms whose wheel was scanned when `build` is `1.x` or `2.x` (compiled against NumPy's
    /// C API) and read as `build` did: the same `numpy` and `numpy_floor`. Sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_agrees_on: Vec<Platform>,
    /// The scans of those platforms' wheels found built otherwise against NumPy's C API (wheels of one release built
    /// at different times, against different NumPys), by platform. A scan of `none` or `name-only` there is not
    /// recorded: it is mostly C-API code in a `.dylib` or `.dll` the scan does not read. A tracked platform in
    /// neither list has no wheel, or its scan read nothing decisive; `build` stands for it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub platform_builds: BTreeMap<Platform, BuildScan>,
    /// Names of the `numpy` namespace that some NumPy release removed (`data/numpy-api.toml`) and that the
    /// release's Python code uses, read from one of its wheels: one entry per name and scope, at its first use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_api: Vec<A>,
}

impl ReleaseEntry {
    /// A release of which only the version, upload time and kind are known: no wheels, metadata or scans yet. For
    /// an index built by hand (tests, benches); the sync fills every field from what it read.
    pub fn new(version: &str, uploaded: &str, kind: ReleaseKind) -> Self {
        Self {
            version: version.to_owned(),
            uploaded: uploaded.to_owned(),
            yanked: None,
            prerelease: false,
            kind,
            wheels: BTreeMap::new(),
            metadata: Vec::new(),
            build: None,
            build_agrees_on: Vec::new(),
            platform_builds: BTreeMap::new(),
            removed_api: Vec::new(),
        }
    }

    /// A pure release of `name` whose one wheel, `{name}-{version}-py3-none-any.whl`, requires `requires_dist`
    /// (read from its metadata file).
    pub fn pure(name: &str, version: &str, uploaded: &str, requires_dist: &[&str]) -> Self {
        Self {
            metadata: vec![MetadataVariant {
                applies_to: vec!["any".to_owned()],
                file: format!("{name}-{version}-py3-none-any.whl"),
                via: MetadataSource::MetadataFile,
                requires_python: None,
                requires_dist: requires_dist.iter().map(|&r| r.to_owned()).collect(),
            }],
            ..Self::new(version, uploaded, ReleaseKind::Pure)
        }
    }
}

/// What reading a wheel's extension modules found out about the NumPy they were compiled against.
///
/// A module compiled with NumPy's C headers carries NumPy's import code (`_import_array()` of
/// `__multiarray_api.h`), with the ABI check that fails at import when the running NumPy is not the one the
/// headers allow, and its error strings (`_ARRAY_API is NULL pointer`, in every NumPy from 1.7 to 2.x). A Cython
/// module that cimports `numpy` carries the messages of the `import_array()` NumPy's declarations define
/// (`numpy.core.multiarray failed to import`, `numpy._core.multiarray failed to import` from NumPy 2's), and
/// checks the size of `numpy.dtype` at import. Such a module is `1.x` or `2.x` by the module its import names:
/// headers of NumPy 2 name `numpy._core._multiarray_umath` (falling back to `numpy.core._multiarray_umath` when
/// run on NumPy 1.x), headers of NumPy 1.16 to 1.26 only `numpy.core._multiarray_umath`, older headers
/// `numpy.core.multiarray`. A module that names `numpy.core.multiarray` and its `_ARRAY_API` capsule without
/// NumPy's headers (pybind11 before 2.12) is [`BuildNumpy::NameOnly`]: it takes the C-API table at run time from
/// whatever NumPy is installed, and NumPy 2 keeps that import working. The strings are in the module's read-only
/// data, so reading the bytes suffices (see `xtask/src/index/scan.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildScan {
    pub numpy: BuildNumpy,
    /// The wheel whose extension modules were read.
    pub file: String,
    /// The extension module that decided it: the first whose import names a NumPy (for `name-only`, the
    /// smallest that imports by name); absent for [`BuildNumpy::None`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// For a `2.x` build, the oldest NumPy that `member` runs on (`"1.20"`): the `NPY_FEATURE_VERSION_STRING` that
    /// NumPy 2's headers write into their import check ("module was compiled against NumPy C-API version 0x%x
    /// (NumPy 1.20) but the running NumPy has C-API version 0x%x"), which fails at import on an older NumPy. NumPy
    /// 1.x's headers have no such string, so a `1.x` build never has one. Absent when the member holds none (a
    /// Cython module that names NumPy 2's module without compiling NumPy's import code), and in data scanned
    /// before it was read. The member's only: another module of the wheel may have been built for a later NumPy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numpy_floor: Option<String>,
}

/// The NumPy major version an extension module was compiled against, or how it uses NumPy without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BuildNumpy {
    /// Compiled against NumPy 1.x's C API: NumPy's import code (or Cython's numpy declarations) naming only
    /// NumPy 1's modules. Works only with NumPy 1.x.
    #[serde(rename = "1.x")]
    Numpy1,
    /// Compiled against NumPy 2.x's C API: its import names `numpy._core._multiarray_umath`.
    #[serde(rename = "2.x")]
    Numpy2,
    /// Every extension module of the wheel was read; none was compiled against NumPy's C API, and one imports
    /// NumPy's C-API module by name and takes its `_ARRAY_API` capsule at run time (pybind11 before 2.12). Not
    /// evidence of an ABI constraint: no NumPy version is compiled in, and NumPy 2 keeps `numpy.core.multiarray`'s
    /// `_ARRAY_API` for these modules. Code that reads NumPy's structs through its own copies of their layout
    /// (pybind11's `dtype::itemsize()` before 2.12) can still misbehave, which only a curated fact can say.
    #[serde(rename = "name-only")]
    NameOnly,
    /// Every extension module of the wheel was read and none uses NumPy's C API or names it.
    #[serde(rename = "none")]
    None,
}

/// One use of a removed NumPy name in a release's Python code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiUse {
    /// The attribute of the `numpy` module, without prefix (`float`, `NaN`, `product`).
    pub name: String,
    pub scope: ApiScope,
    /// The wheel that was read.
    pub file: String,
    /// The Python file in the wheel, and the 1-based line of the first use.
    pub member: String,
    pub line: u32,
    /// Uses of the name in this scope across the wheel.
    pub count: u32,
    /// For [`ApiScope::Function`]: the function whose body holds the first use, qualified by its class
    /// (`BorutaPy._fit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

/// When a use of a name runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiScope {
    /// Unconditionally at import of the module: module level or a class body outside any function and any
    /// condition, decorators and default values, or `from numpy import name` at module level. Fails as soon as the
    /// module is imported.
    Import,
    /// Inside a function body, or under a condition or loop (`if numpy_version < (2, 0):`, `for`, `with`,
    /// `except`): fails when that code runs.
    Call,
    /// In the straight-line body of a function that the module defines unconditionally (at module level or in a
    /// class at module level): no condition, loop, `try` or `with` between the `def` and the use. Fails whenever
    /// the function is called, whatever the NumPy version checks around its callers.
    Function,
}

/// How a release is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseKind {
    /// Has platform-specific binary wheels: installable only where a wheel matches.
    Binary,
    /// Has a pure-Python wheel (`py3-none-any`, `py2.py3-none-any`): installable wherever `Requires-Python` admits.
    Pure,
    /// Only a source distribution: installing builds it.
    SdistOnly,
}

/// The platforms nplint tracks wheels for.
///
/// Named `linux-x86_64` and so on: `rename_all` alone would write `linux-x86-64`, hence the explicit renames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// `manylinux*_x86_64`, `linux_x86_64`.
    #[serde(rename = "linux-x86_64")]
    LinuxX86_64,
    /// `manylinux*_aarch64`.
    LinuxAarch64,
    /// `macosx_*_x86_64`, `macosx_*_universal2`, `macosx_*_intel`.
    #[serde(rename = "macos-x86_64")]
    MacosX86_64,
    /// `macosx_*_arm64`, `macosx_*_universal2`.
    MacosArm64,
    /// `win_amd64`.
    #[serde(rename = "windows-x86_64")]
    WindowsX86_64,
}

/// One variant of a release's core metadata, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataVariant {
    /// The files this variant describes: tracked platforms of its wheels, `any` for pure wheels, `sdist` for the
    /// source distribution. Sorted.
    pub applies_to: Vec<String>,
    /// The file the metadata was read from.
    pub file: String,
    pub via: MetadataSource,
    /// `Requires-Python`, verbatim; absent when the metadata has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_python: Option<String>,
    /// The `Requires-Dist` entries naming an indexed package, verbatim, in metadata order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_dist: Vec<String>,
}

/// Where a metadata variant was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataSource {
    /// The `.metadata` file served next to a wheel (PEP 658 / 714).
    MetadataFile,
    /// `*.dist-info/METADATA` read out of the wheel with HTTP range requests.
    WheelRange,
    /// `PKG-INFO` of a source distribution.
    SdistPkgInfo,
    /// No metadata could be read; `requires_python` comes from the simple API listing and `requires_dist` is
    /// unknown (empty).
    Unknown,
}

/// A package file as `data/packages/<name>.json` stores it: [`PackageFile`] with two repetitions left out, so that
/// the data grows with what changes from release to release rather than with the number of releases. A release's
/// `Requires-Dist` is the same as the previous release's in 72% of metadata variants (by bytes, a quarter of the data), and
/// every removed-name entry of a release names the same wheel. [`PackageFile::stored`] and
/// [`StoredPackageFile::expand`] convert; the in-memory form is always the whole one.
pub type StoredPackageFile = PackageFile<StoredVariant, StoredApiUse>;

/// A [`MetadataVariant`] as stored: its `Requires-Dist` in full, or as the previous release's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredVariant {
    pub applies_to: Vec<String>,
    pub file: String,
    pub via: MetadataSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_python: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_dist: Vec<String>,
    /// Instead of `requires_dist`: that of the previous release's variant with the same `applies_to`, with the
    /// entries at these positions (0-based) replaced; `{}` when it is the same. Written when the two have as many
    /// entries and at most half of them differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_dist_as_previous: Option<BTreeMap<usize, String>>,
}

/// An [`ApiUse`] as stored: `file` is left out when it is that of the entry before it in the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredApiUse {
    pub name: String,
    pub scope: ApiScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub member: String,
    pub line: u32,
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

impl PackageFile {
    /// The stored form of this package file (see [`StoredPackageFile`]).
    pub fn stored(&self) -> StoredPackageFile {
        let mut releases = Vec::with_capacity(self.releases.len());
        let mut previous: Option<&ReleaseEntry> = None;
        for release in &self.releases {
            let metadata = release
                .metadata
                .iter()
                .map(|variant| {
                    let before = previous.and_then(|previous| {
                        previous
                            .metadata
                            .iter()
                            .find(|other| other.applies_to == variant.applies_to)
                    });
                    let as_previous = before
                        .and_then(|before| changes(&before.requires_dist, &variant.requires_dist));
                    StoredVariant {
                        applies_to: variant.applies_to.clone(),
                        file: variant.file.clone(),
                        via: variant.via,
                        requires_python: variant.requires_python.clone(),
                        requires_dist: if as_previous.is_some() {
                            Vec::new()
                        } else {
                            variant.requires_dist.clone()
                        },
                        requires_dist_as_previous: as_previous,
                    }
                })
                .collect();
            let mut file: Option<&str> = None;
            let removed_api = release
                .removed_api
                .iter()
                .map(|api| {
                    let same = file == Some(api.file.as_str());
                    file = Some(&api.file);
                    StoredApiUse {
                        name: api.name.clone(),
                        scope: api.scope,
                        file: (!same).then(|| api.file.clone()),
                        member: api.member.clone(),
                        line: api.line,
                        count: api.count,
                        function: api.function.clone(),
                    }
                })
                .collect();
            releases.push(ReleaseEntry {
                version: release.version.clone(),
                uploaded: release.uploaded.clone(),
                yanked: release.yanked.clone(),
                prerelease: release.prerelease,
                kind: release.kind,
                wheels: release.wheels.clone(),
                metadata,
                build: release.build.clone(),
                build_agrees_on: release.build_agrees_on.clone(),
                platform_builds: release.platform_builds.clone(),
                removed_api,
            });
            previous = Some(release);
        }
        PackageFile {
            name: self.name.clone(),
            releases,
            earlier: self.earlier.clone(),
            held_from: self.held_from.clone(),
        }
    }
}

/// `after` as `before` with some entries replaced, when the two are as long and at most half of the entries
/// differ (and `after` is not empty); `None` otherwise.
fn changes(before: &[String], after: &[String]) -> Option<BTreeMap<usize, String>> {
    if after.is_empty() || before.len() != after.len() {
        return None;
    }
    let changed: BTreeMap<usize, String> = before
        .iter()
        .zip(after)
        .enumerate()
        .filter(|(_, (before, after))| before != after)
        .map(|(at, (_, after))| (at, after.clone()))
        .collect();
    (changed.len() * 2 <= after.len()).then_some(changed)
}

impl StoredPackageFile {
    /// The whole package file. An error names the release whose stored form cannot be read back: a
    /// `requires_dist_as_previous` without a previous variant with the same `applies_to`, or with a position
    /// beyond its entries, or beside a `requires_dist`; a first removed-name entry without `file`.
    pub fn expand(self) -> Result<PackageFile, String> {
        let mut releases: Vec<ReleaseEntry> = Vec::with_capacity(self.releases.len());
        for release in self.releases {
            let version = release.version;
            let previous = releases.last();
            let mut metadata = Vec::with_capacity(release.metadata.len());
            for variant in release.metadata {
                let requires_dist = match variant.requires_dist_as_previous {
                    None => variant.requires_dist,
                    Some(_) if !variant.requires_dist.is_empty() => {
                        return Err(format!(
                            "{version}: both `requires_dist` and `requires_dist_as_previous`"
                        ));
                    }
                    Some(changed) => {
                        let before = previous
                            .and_then(|previous| {
                                previous
                                    .metadata
                                    .iter()
                                    .find(|other| other.applies_to == variant.applies_to)
                            })
                            .ok_or_else(|| {
                                format!(
                                    "{version}: `requires_dist_as_previous`, but the release before has no \
                                     variant for {:?}",
                                    variant.applies_to
                                )
                            })?;
                        let mut requires_dist = before.requires_dist.clone();
                        for (at, entry) in changed {
                            *requires_dist.get_mut(at).ok_or_else(|| {
                                format!(
                                    "{version}: `requires_dist_as_previous` replaces entry {at} of {}",
                                    before.requires_dist.len()
                                )
                            })? = entry;
                        }
                        requires_dist
                    }
                };
                metadata.push(MetadataVariant {
                    applies_to: variant.applies_to,
                    file: variant.file,
                    via: variant.via,
                    requires_python: variant.requires_python,
                    requires_dist,
                });
            }
            let mut removed_api: Vec<ApiUse> = Vec::with_capacity(release.removed_api.len());
            for api in release.removed_api {
                let file = match api.file {
                    Some(file) => file,
                    None => removed_api
                        .last()
                        .map(|before| before.file.clone())
                        .ok_or_else(|| {
                            format!("{version}: the first `removed_api` entry names no `file`")
                        })?,
                };
                removed_api.push(ApiUse {
                    name: api.name,
                    scope: api.scope,
                    file,
                    member: api.member,
                    line: api.line,
                    count: api.count,
                    function: api.function,
                });
            }
            releases.push(ReleaseEntry {
                version,
                uploaded: release.uploaded,
                yanked: release.yanked,
                prerelease: release.prerelease,
                kind: release.kind,
                wheels: release.wheels,
                metadata,
                build: release.build,
                build_agrees_on: release.build_agrees_on,
                platform_builds: release.platform_builds,
                removed_api,
            });
        }
        Ok(PackageFile {
            name: self.name,
            releases,
            earlier: self.earlier,
            held_from: self.held_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(applies_to: &str, requires_dist: &[&str]) -> MetadataVariant {
        MetadataVariant {
            applies_to: vec![applies_to.to_owned()],
            file: format!("x-{applies_to}.whl"),
            via: MetadataSource::MetadataFile,
            requires_python: None,
            requires_dist: requires_dist.iter().map(|&line| line.to_owned()).collect(),
        }
    }

    fn api(name: &str, file: &str) -> ApiUse {
        ApiUse {
            name: name.to_owned(),
            scope: ApiScope::Import,
            file: file.to_owned(),
            member: "x/__init__.py".to_owned(),
            line: 1,
            count: 1,
            function: None,
        }
    }

    fn release(
        version: &str,
        metadata: Vec<MetadataVariant>,
        removed_api: Vec<ApiUse>,
    ) -> ReleaseEntry {
        ReleaseEntry {
            metadata,
            removed_api,
            ..ReleaseEntry::new(version, "2020-01-01T00:00:00Z", ReleaseKind::Pure)
        }
    }

    fn package() -> PackageFile {
        let four = ["numpy>=1", "scipy", "pandas", "six"];
        PackageFile {
            name: "x".to_owned(),
            releases: vec![
                release(
                    "1.0",
                    vec![variant("any", &four)],
                    vec![api("float", "a.whl"), api("int", "a.whl")],
                ),
                // The same: stored as the previous release's.
                release(
                    "1.1",
                    vec![variant("any", &four)],
                    vec![api("float", "b.whl"), api("int", "c.whl")],
                ),
                // One entry of four replaced.
                release(
                    "1.2",
                    vec![variant("any", &["numpy>=2", "scipy", "pandas", "six"])],
                    Vec::new(),
                ),
                // Three of four: in full. And a variant the release before does not have: in full.
                release(
                    "1.3",
                    vec![
                        variant("any", &["numpy>=3", "scipy>=1", "pandas>=1", "six"]),
                        variant("sdist", &["numpy"]),
                    ],
                    Vec::new(),
                ),
                // One entry more: in full.
                release(
                    "1.4",
                    vec![variant(
                        "any",
                        &["numpy>=3", "scipy>=1", "pandas>=1", "six", "tqdm"],
                    )],
                    Vec::new(),
                ),
            ],
            earlier: vec!["0.1".to_owned()],
            held_from: None,
        }
    }

    #[test]
    fn the_stored_form_leaves_out_repetitions_and_reads_back_whole() {
        let package = package();
        let stored = package.stored();
        let as_previous: Vec<Option<Vec<(usize, &str)>>> = stored
            .releases
            .iter()
            .flat_map(|release| &release.metadata)
            .map(|variant| {
                variant.requires_dist_as_previous.as_ref().map(|changed| {
                    changed
                        .iter()
                        .map(|(&at, line)| (at, line.as_str()))
                        .collect()
                })
            })
            .collect();
        assert_eq!(
            as_previous,
            [
                None,
                Some(vec![]),
                Some(vec![(0, "numpy>=2")]),
                None,
                None,
                None
            ]
        );
        assert!(stored.releases[1].metadata[0].requires_dist.is_empty());
        assert_eq!(stored.releases[3].metadata[0].requires_dist.len(), 4);
        // Only the first entry naming a wheel names it.
        let files: Vec<Option<&str>> = stored.releases[..2]
            .iter()
            .flat_map(|release| &release.removed_api)
            .map(|api| api.file.as_deref())
            .collect();
        assert_eq!(files, [Some("a.whl"), None, Some("b.whl"), Some("c.whl")]);
        assert_eq!(stored.clone().expand(), Ok(package));
        // The stored form is also valid JSON of the same shape.
        let text = serde_json::to_string(&stored).unwrap();
        let read: StoredPackageFile = serde_json::from_str(&text).unwrap();
        assert_eq!(read, stored);
    }

    #[test]
    fn a_stored_form_that_cannot_be_read_back_is_an_error_naming_the_release() {
        let mut stored = package().stored();
        stored.releases[1].metadata[0].requires_dist_as_previous =
            Some(BTreeMap::from([(4, "x".to_owned())]));
        assert_eq!(
            stored.expand().unwrap_err(),
            "1.1: `requires_dist_as_previous` replaces entry 4 of 4"
        );
        let mut stored = package().stored();
        stored.releases[0].metadata[0].requires_dist_as_previous = Some(BTreeMap::new());
        stored.releases[0].metadata[0].requires_dist.clear();
        assert!(
            stored
                .expand()
                .unwrap_err()
                .starts_with("1.0: `requires_dist_as_previous`, but the release")
        );
        let mut stored = package().stored();
        stored.releases[1].metadata[0].requires_dist = vec!["numpy".to_owned()];
        assert_eq!(
            stored.expand().unwrap_err(),
            "1.1: both `requires_dist` and `requires_dist_as_previous`"
        );
        let mut stored = package().stored();
        stored.releases[0].removed_api[0].file = None;
        assert_eq!(
            stored.expand().unwrap_err(),
            "1.0: the first `removed_api` entry names no `file`"
        );
    }
}
