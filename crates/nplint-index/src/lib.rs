//! The embedded package index: real PyPI metadata for NumPy and the packages that depend on it.
//!
//! The facts every verdict rests on (releases, `Requires-Python`, `Requires-Dist`, wheel tags) are synced from
//! the package index by `cargo xtask index sync`, checked in under `data/` in a reviewable source form
//! ([`source`]), and embedded in the binary in a compact form ([`compact`]). This crate is the only reader of
//! either: everything else asks the typed API ([`Index`], [`Package`], [`Release`], [`Metadata`]).
//!
//! # How the data gets into the binary
//!
//! `build.rs` reads `data/snapshot.json` and `data/packages/*.json`, encodes them with [`compact::encode`] into
//! `$OUT_DIR/index.bin`, and the library embeds that file with `include_bytes!`. Nothing generated is checked
//! in, so the embedded form can never be stale: it is rebuilt whenever a file under `data/` changes
//! (`cargo:rerun-if-changed`). The alternative, a checked-in blob written by `cargo xtask index build` plus a
//! test that it is current, would put a multi-megabyte binary file into every sync's diff and add a step to
//! forget; its only gain, not parsing JSON at build time, is small: with the first real sync (238 packages,
//! 16 MB of JSON, 2.7 MB embedded) a data change costs 0.8 s of build script and recompile in a debug build. The
//! build script depends only on `serde` and `serde_json`, which the workspace builds anyway.
//!
//! The build never fails because of the data: without data files it embeds an empty index (so the workspace
//! always compiles, including the `xtask` that writes the data), and a file it cannot read or whose name is not
//! a normalized package name is left out with a `cargo:warning`. The integrity tests compare the embedded form
//! with the source files, so anything left out fails the tests.
//!
//! # Loading
//!
//! [`Index::embedded`] decodes the header and the package table once (O(packages), no string copied); a
//! package's releases are decoded on its first query, and a metadata variant's requirements are parsed on its
//! first query. Measured with `cargo bench -p nplint-index` (`benches/load.rs`) on the first real sync (238
//! packages, 18,594 releases), medians on the 2-core CI machine: loading 39 µs; decoding every package 15 ms; the
//! first `numpy` requirement of `tensorflow` 2.5.0 on a fresh index 0.23 ms; the same query warm 0.17 µs.

mod builder;
pub mod compact;
pub mod conda;
pub mod conda_only;
pub mod cpython;
pub mod light;
pub mod manifest;
mod overlay;
#[cfg(feature = "pack")]
pub mod pack;
mod package;
mod parse;
mod pool;
pub mod runtime;
pub mod source;
mod target;
#[cfg(test)]
mod test_data;

use std::path::PathBuf;
use std::sync::OnceLock;

pub use pep440_rs::{Version, VersionSpecifiers};
pub use pep508_rs::{ExtraName, PackageName};

pub use crate::builder::IndexBuilder;
pub use crate::compact::{ApiUseRef, BuildRef, FileName, UploadTime};
pub use crate::conda_only::CondaOnlyPackage;
pub use crate::light::{LightPackage, LightTable};
pub use crate::package::{
    AppliesTo, Coverage, Metadata, Package, Release, WheelPython, WheelPythonRange, pin,
    pinned_version, series,
};
pub use crate::parse::{Parsed, RawUrl, Requirement};
pub use crate::pool::Names;
pub use crate::runtime::{Evidence, FactKind, RuntimeFact};
pub use crate::source::{ApiScope, BuildNumpy, MetadataSource, ReleaseKind};
pub use crate::target::{
    ASSUMED_PATCH, InvalidPythonVersion, Platform, PythonVersion, Target, UnknownPlatform,
};

/// How recent the newest release of a series must be, before the snapshot, for a release after it to be likely:
/// patch releases of a series come for about a year after it starts (NumPy's policy, and what most projects do).
pub const ACTIVE_SERIES: std::time::Duration = std::time::Duration::from_hours(365 * 24);

/// The embedded form, written by `build.rs`.
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/index.bin"));

/// Why an index could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Decode(#[from] compact::DecodeError),
    #[error("`{name}` is not a normalized package name")]
    InvalidName { name: String },
    #[error("not an nplint index (it does not start with `NPLINDEX` and a format version)")]
    NotAnIndex,
    #[error(
        "index format version {found}, where this nplint reads version {expected}: a snapshot for another \
         release of nplint"
    )]
    FormatVersion { found: u32, expected: u32 },
}

/// Where an index came from: said by `nplint --version` and `nplint index stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Built into the binary ([`Index::embedded`]).
    Embedded,
    /// Read from this file by the caller ([`Index::from_bytes`]): a snapshot installed by `nplint index update`.
    File(PathBuf),
    /// Encoded from a source form in memory ([`Index::from_source`]): tests and tools.
    Source,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Embedded => f.write_str("embedded"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Source => f.write_str("source"),
        }
    }
}

/// The package index: every indexed package, and facts about the sync.
#[derive(Debug)]
pub struct Index {
    snapshot: SnapshotInfo,
    /// Sorted by name.
    packages: Vec<Package>,
    /// Each package's name with its first eight bytes as an integer ([`name_key`]), in the order of `packages`,
    /// which sorts these pairs too. A check looks names up millions of times (each solve, on each target, looks
    /// up each of its inputs): a binary search over this table compares integers, and strings only among the few
    /// names that share a key, where one over `packages` compared strings of the string pool, behind each package.
    names: Vec<(u64, &'static str)>,
    /// See [`Index::first_numpy_2_build`].
    first_numpy_2_build: OnceLock<Option<UploadTime>>,
    /// The light tier (see [`light`]).
    light: LightTable,
    /// The packages read from a package index just now ([`Index::overlaid`]), sorted: what they lack does not
    /// exist, rather than postdate the snapshot.
    current: Vec<&'static str>,
    origin: Origin,
}

impl Index {
    /// The index embedded in the binary, decoded on first use.
    ///
    /// # Panics
    ///
    /// Only if the embedded bytes are corrupt, which the build rules out: they were written by this crate's own
    /// encoder, and the integrity tests decode all of them.
    pub fn embedded() -> &'static Index {
        static INDEX: OnceLock<Index> = OnceLock::new();
        INDEX.get_or_init(|| {
            // Invariant: `build.rs` wrote these bytes with `compact::encode` and left out every package whose name
            // is not normalized; the integrity tests decode all of it.
            Index::decode_embedded()
                .unwrap_or_else(|error| panic!("{error}"))
                .with_light(light::EMBEDDED)
        })
    }

    /// An index of bytes written by [`compact::encode`] that came from outside the binary (a snapshot published by
    /// `cargo xtask index pack` and installed by `nplint index update`), with the embedded light tier. `origin` is
    /// where the caller read them: this crate does no I/O of its own (see ARCHITECTURE.md).
    ///
    /// The magic and format version are checked first (a clear error for a snapshot of another release of nplint),
    /// then the header and package table are decoded, as for the embedded bytes. A package's body is decoded on its
    /// first query, which trusts it, as it trusts the embedded bytes: bytes from outside must have passed [`verify`]
    /// once (`nplint index update` does before it installs them; later runs check the installed file's digest).
    ///
    /// The bytes are leaked, as the index borrows from them for the rest of the program: call this once or twice
    /// per process, never in a loop.
    pub fn from_bytes(bytes: Vec<u8>, origin: Origin) -> Result<&'static Index, IndexError> {
        check_format(&bytes)?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let mut index = Index::from_encoded(bytes)?.with_light(light::EMBEDDED);
        index.origin = origin;
        Ok(Box::leak(Box::new(index)))
    }

    /// Where this index came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The index with `table` (sorted by name) as its light tier. An index starts without one: the embedded index
    /// has the embedded table, an index built from source for a test has what the test gives it.
    #[must_use]
    pub fn with_light(mut self, table: LightTable) -> Self {
        self.light = table;
        self
    }

    /// Decodes the embedded bytes into a new index, header only (what [`Index::embedded`] does once), without
    /// the light tier.
    pub fn decode_embedded() -> Result<Index, IndexError> {
        let mut index = Index::from_encoded(EMBEDDED)?;
        index.origin = Origin::Embedded;
        Ok(index)
    }

    /// An index of the given source form, encoded and decoded as the embedded one is: for tests and tools.
    ///
    /// The index borrows its strings from the encoding, which must therefore live for the rest of the program: it
    /// is leaked. Call this a bounded number of times (once per test, say), never in a loop.
    pub fn from_source(
        snapshot: &source::Snapshot,
        packages: &[source::PackageFile],
    ) -> Result<Index, IndexError> {
        let bytes = compact::encode(snapshot, packages).into_boxed_slice();
        Index::from_encoded(Box::leak(bytes))
    }

    /// An index of bytes written by [`compact::encode`], header only: O(packages), nothing copied. Every string
    /// the index hands out is borrowed from `bytes`, which is why they must be `'static`; the few words that say
    /// where its parts are are leaked with them, so call this a bounded number of times, as [`Index::from_source`].
    pub fn from_encoded(bytes: &'static [u8]) -> Result<Index, IndexError> {
        let header = compact::decode_header(bytes)?;
        let snapshot = SnapshotInfo {
            newest_upload: header.snapshot.newest_upload.into(),
            package_count: header.snapshot.package_count,
        };
        // What every package decodes its body from: one copy, leaked as `bytes` are.
        let encoded: &'static package::Encoded = Box::leak(Box::new(package::Encoded {
            bytes,
            strings: header.strings,
        }));
        // Pushed into a vector made to size: collected through `Result`, it grew by copying (a fifth of the load).
        let mut packages: Vec<Package> = Vec::with_capacity(header.packages.len());
        let mut names: Vec<(u64, &'static str)> = Vec::with_capacity(header.packages.len());
        let mut previous: Option<&str> = None;
        for entry in header.packages {
            if !compact::is_normalized_name(entry.name) {
                return Err(IndexError::InvalidName {
                    name: entry.name.to_owned(),
                });
            }
            // `position` searches by name.
            if previous.is_some_and(|previous| previous >= entry.name) {
                return Err(IndexError::InvalidName {
                    name: format!("{} (out of order or twice)", entry.name),
                });
            }
            previous = Some(entry.name);
            names.push((name_key(entry.name), entry.name));
            packages.push(Package::new(
                entry.name,
                entry.added_by,
                encoded,
                entry.body,
            ));
        }
        Ok(Index {
            snapshot,
            packages,
            names,
            first_numpy_2_build: OnceLock::new(),
            light: LightTable::EMPTY,
            current: Vec::new(),
            origin: Origin::Source,
        })
    }

    /// Facts about the sync as a whole.
    pub fn snapshot(&self) -> &SnapshotInfo {
        &self.snapshot
    }

    pub fn package(&self, name: &PackageName) -> Option<&Package> {
        self.position(name).map(|at| &self.packages[at])
    }

    /// What the light tier knows of `name`: a popular project that is not NumPy-related. `None` for a package of
    /// the index proper, which takes precedence, and for one outside both.
    pub fn light(&self, name: &PackageName) -> Option<LightPackage> {
        if self.position_of(name.as_ref()).is_some() {
            return None;
        }
        self.light.find(name.as_ref())
    }

    /// The light tier, sorted by name.
    pub fn light_packages(&self) -> impl ExactSizeIterator<Item = LightPackage> + '_ {
        self.light.packages()
    }

    /// What is known of the conda package `conda_name` (lower case, as conda spells it) when conda-forge builds it
    /// as a conda-only package, one that installs no Python distribution ([`conda_only`]); `None` for any other.
    /// The conda-only names are conda-forge's, the same for every index; whether one is NumPy-related is this
    /// index's answer ([`CondaOnly::numpy_related`]).
    pub fn conda_only(&self, conda_name: &str) -> Option<CondaOnly> {
        let package = conda_only::find(conda_name)?;
        // Its feedstock builds NumPy or an indexed project (`libtorch` with `torch`), or one that reaches NumPy
        // (a `full` row of the tiers); or the name itself is such a project on PyPI (`eigenpy`: conda-forge's
        // package ships Python bindings without a `.dist-info`, PyPI's requires NumPy).
        let reaches = |name: &str| {
            name == "numpy" || self.position_of(name).is_some() || light::is_numpy_row(name)
        };
        let own = PackageName::new(conda_name.to_owned())
            .ok()
            .filter(|name| reaches(name.as_ref()))
            .map(|name| name.to_string());
        let numpy_related = own.or_else(|| {
            package
                .builds
                .iter()
                .find(|name| reaches(name))
                .map(|name| (*name).to_owned())
        });
        Some(CondaOnly {
            package,
            numpy_related,
        })
    }

    /// The position of `name` in [`Index::packages`]: a dense key for tables with an entry per package (the
    /// solver's per-target caches).
    pub fn position(&self, name: &PackageName) -> Option<usize> {
        self.position_of(name.as_ref())
    }

    /// [`Index::position`] of a normalized name.
    fn position_of(&self, name: &str) -> Option<usize> {
        // Pairs compare by key first, and by name only when the keys are equal.
        self.names.binary_search(&(name_key(name), name)).ok()
    }

    /// What the index can tell of a requirement on `package`, one of its packages, with `specifiers`:
    /// [`Package::coverage`], except that of a package read from a package index just now, a version past its
    /// newest release does not exist (a pin to one is [`Coverage::NoSuchRelease`], a range that admits only such
    /// versions a conflict the solve shows).
    ///
    /// And a pin past the newest release of a series that was still being released when the snapshot was taken
    /// (its newest release uploaded within [`ACTIVE_SERIES`] of the snapshot's date: `numpy==2.4.5` when 2.4.4 came
    /// a month before) may name a patch release uploaded since: it is [`Coverage::PastSnapshot`], not
    /// [`Coverage::NoSuchRelease`] (`numpy==1.26.5`, whose series ended in 2024, is).
    pub fn coverage(&self, package: &Package, specifiers: &VersionSpecifiers) -> Coverage {
        let coverage = package.coverage(specifiers);
        let current = self.current.binary_search(&package.raw_name()).is_ok();
        if coverage == Coverage::NoSuchRelease
            && !current
            && self.continues_active_series(package, specifiers)
        {
            return Coverage::PastSnapshot;
        }
        if coverage != Coverage::PastSnapshot || !current {
            return coverage;
        }
        if package::pin(specifiers).is_some() {
            Coverage::NoSuchRelease
        } else {
            Coverage::Indexed
        }
    }

    /// Whether `specifiers` pin a version past the newest release of its series (its release numbers but the last:
    /// `2.4` of `2.4.5`), when that release was uploaded within [`ACTIVE_SERIES`] of the snapshot's newest upload.
    fn continues_active_series(&self, package: &Package, specifiers: &VersionSpecifiers) -> bool {
        let Some(version) = package::pinned_version(specifiers) else {
            return false;
        };
        let (Some(newest), Some(snapshot)) = (
            package.newest_in_series(version),
            UploadTime::parse(self.snapshot.newest_upload()),
        ) else {
            return false;
        };
        version > newest.version()
            && newest.uploaded().is_some_and(|uploaded| {
                snapshot.seconds().saturating_sub(uploaded.seconds()) <= ACTIVE_SERIES.as_secs()
            })
    }

    /// Whether `name` was read from a package index just now ([`Index::overlaid`]).
    pub fn is_current(&self, name: &PackageName) -> bool {
        self.current.binary_search(&name.as_ref()).is_ok()
    }

    /// Every package, sorted by name.
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The upload time of the earliest release whose binaries the sync found built against NumPy 2: before it, no
    /// indexed release was. Measured rather than taken from NumPy's own release dates because NumPy deletes its
    /// pre-releases from the package index after the final release, and builds against NumPy 2 began with those.
    /// Computed on first use (it reads every package).
    pub fn first_numpy_2_build(&self) -> Option<UploadTime> {
        *self.first_numpy_2_build.get_or_init(|| {
            self.packages
                .iter()
                .flat_map(Package::releases)
                .filter(|release| {
                    release
                        .build_scan()
                        .is_some_and(|scan| scan.numpy == source::BuildNumpy::Numpy2)
                })
                .filter_map(Release::uploaded)
                .min()
        })
    }

    /// Whether the index has no package: the build found no data (before the first sync).
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }
}

/// The first eight bytes of `name`, big-endian, padded with zero bytes: keys compare as the names they begin do, or
/// equal. A shorter name is padded with bytes below any a name can hold, so it sorts before the longer names it
/// begins, as strings do; names that differ only after their eighth byte share a key.
fn name_key(name: &str) -> u64 {
    let mut key = [0; 8];
    let prefix = &name.as_bytes()[..name.len().min(8)];
    key[..prefix.len()].copy_from_slice(prefix);
    u64::from_be_bytes(key)
}

/// A conda-only package of conda-forge, as an index sees it ([`Index::conda_only`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondaOnly {
    pub package: CondaOnlyPackage,
    /// The NumPy-related PyPI project it goes with, if any: the project of its name, or one that its feedstock
    /// builds too, that is `numpy`, indexed, or known to reach NumPy. Such a package is not known to leave NumPy
    /// alone (`libtorch`, `tensorflow-cpu`); any other is.
    pub numpy_related: Option<String>,
}

/// Decodes the embedded bytes back into the source form (packages sorted by name): what `build.rs` read, for the
/// round-trip test and for debugging.
pub fn embedded_source() -> Result<(source::Snapshot, Vec<source::PackageFile>), IndexError> {
    Ok(compact::decode(EMBEDDED)?)
}

/// Whether `bytes` start with the magic and this build's format version.
fn check_format(bytes: &[u8]) -> Result<(), IndexError> {
    match compact::format_version(bytes) {
        None => Err(IndexError::NotAnIndex),
        Some(found) if found != compact::FORMAT_VERSION => Err(IndexError::FormatVersion {
            found,
            expected: compact::FORMAT_VERSION,
        }),
        Some(_) => Ok(()),
    }
}

/// Checks encoded `bytes` in full: the format, the header and every package's body, so that no query of an index
/// of them ([`Index::from_bytes`]) can meet a corrupt body. For bytes from outside the binary, once: it costs the
/// decoding of every body (90 ms for 7,148 packages in a release build), where loading costs under a millisecond.
pub fn verify(bytes: &[u8]) -> Result<(), IndexError> {
    check_format(bytes)?;
    let header = compact::decode_header(bytes)?;
    for entry in &header.packages {
        compact::decode_body(bytes, header.strings, entry.body.clone())?;
    }
    Ok(())
}

/// The size of the embedded form in bytes.
pub fn embedded_size() -> usize {
    EMBEDDED.len()
}

/// The embedded form itself: what `cargo xtask index pack` publishes for the same data, for tests that serve a
/// snapshot.
pub fn embedded_bytes() -> &'static [u8] {
    EMBEDDED
}

/// Facts about the sync the index came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    newest_upload: Box<str>,
    package_count: usize,
}

impl SnapshotInfo {
    /// The newest upload time of any file in the index (RFC 3339, UTC): the date the data is current to. Empty for
    /// an index without data.
    pub fn newest_upload(&self) -> &str {
        &self.newest_upload
    }

    /// The date part of [`SnapshotInfo::newest_upload`]: `2026-11-20`.
    pub fn newest_upload_date(&self) -> &str {
        self.newest_upload.get(..10).unwrap_or(&self.newest_upload)
    }

    /// The number of packages the sync recorded.
    pub fn package_count(&self) -> usize {
        self.package_count
    }
}

#[cfg(test)]
mod tests;
