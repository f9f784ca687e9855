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

/// `data/packages/<name>.json`: everything the index knows about one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageFile {
    /// PEP 503-normalized name.
    pub name: String,
    /// Releases sorted by PEP 440 version, ascending.
    pub releases: Vec<ReleaseEntry>,
}

/// One release (all files sharing a version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseEntry {
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
    pub metadata: Vec<MetadataVariant>,
    /// Which NumPy the release's extension modules were compiled against, read from the binaries of one of its
    /// wheels. Absent when the release has no CPython-specific wheel, and when the scan read nothing decisive
    /// within its budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildScan>,
    /// Names of the `numpy` namespace that some NumPy release removed (`data/numpy-api.toml`) and that the
    /// release's Python code uses, read from one of its wheels: one entry per name and scope, at its first use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_api: Vec<ApiUse>,
}

/// What reading a wheel's extension modules found out about the NumPy they were compiled against.
///
/// NumPy's C-API import (`import_array()`, expanded from NumPy's headers into every extension module that uses
/// the C API) names the module it loads: headers of NumPy 2 name `numpy._core._multiarray_umath` (falling back to
/// `numpy.core._multiarray_umath` when run on NumPy 1.x), headers of NumPy 1.16 to 1.26 only
/// `numpy.core._multiarray_umath`, older headers `numpy.core.multiarray` with the `_ARRAY_API` capsule. The strings
/// are in the module's read-only data, so reading the bytes suffices (see `xtask/src/index/scan.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildScan {
    pub numpy: BuildNumpy,
    /// The wheel whose extension modules were read.
    pub file: String,
    /// The extension module whose C-API import decided it; absent for [`BuildNumpy::None`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

/// The NumPy major version an extension module was compiled against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BuildNumpy {
    /// Compiled against NumPy 1.x headers: imports only `numpy.core._multiarray_umath` (or, before NumPy 1.16,
    /// `numpy.core.multiarray` for its `_ARRAY_API` capsule).
    #[serde(rename = "1.x")]
    Numpy1,
    /// Compiled against NumPy 2.x headers: imports `numpy._core._multiarray_umath`.
    #[serde(rename = "2.x")]
    Numpy2,
    /// Every extension module of the wheel was read and none uses NumPy's C API.
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
