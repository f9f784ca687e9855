//! The embedded form of the index: the source form ([`crate::source`]) packed into one byte string, and read back.
//!
//! The encoder runs in `build.rs` (which includes this file with `#[path]`, together with `source.rs`); the
//! decoder runs in the library. Keeping the pair in one file keeps them in step, and a round-trip test pins it.
//! The file depends on nothing but `std` and the source types, so the build script needs no further crates.
//!
//! # Layout
//!
//! ```text
//! magic "NPLINDEX" | format version: u32 LE
//! string table:    count: u32 LE | (count + 1) offsets: u32 LE, into the pool | pool: UTF-8 bytes
//! snapshot:        newest_upload: str | packages: n, n × str | unfiled added_by_closure: n, n × (str, str)
//! package table:   n, n × (name: str, added_by: opt str, body offset: int, body length: int), sorted by name
//! bodies:          one per package (offsets are relative to the first body)
//! ```
//!
//! The snapshot's `added_by_closure` is told in the package table's `added_by`, which a package's load reads without
//! a lookup; the header lists only the entries of packages without a body (none, in data the sync wrote).
//!
//! A variant's `requires_dist` is 0 when it is the previous variant's (of this release or the one before): three
//! variants in four repeat it, and the references of one were a fifth of the index.
//!
//! `int` is an unsigned LEB128 varint (an upload time is one: its seconds since 1970 plus one, 0 for none; as
//! strings they were a sixth of the index, one per release, none shared), `str` an `int` index into the string
//! table (every distinct string is stored once: the same `Requires-Dist` line and file-name parts recur across
//! hundreds of releases; the most used come first, so that their indices take one or two bytes), `opt str` an
//! `int` that is 0 for none and index + 1 otherwise. A body is
//!
//! ```text
//! releases: n, n × (version: str | uploaded: int | yanked: opt str | prerelease: u8 | kind: u8
//!                   | wheels: n, n × (platform: u8 | tags: n, n × str)
//!                   | metadata: n, n × (applies_to: n, n × str | file: str | via: u8 | requires_python: opt str
//!                                       | requires_dist: 0 | n + 1, n × str)
//!                   | build: u8 (0 absent, else BuildNumpy code) [| file: str | member: opt str
//!                                                              | numpy_floor: opt str
//!                                                              | agrees_on: n, n × platform: u8
//!                                                              | platform_builds: n, n × (platform: u8
//!                                                                  | BuildNumpy code: u8 | file: str
//!                                                                  | member: opt str | numpy_floor: opt str)]
//!                   | removed_api: n, n × (name: str | scope: u8 | file: str | member: str | line: int | count: int
//!                                          | function: opt str))
//! earlier:  n, n × str
//! held_from: opt str
//! ```
//!
//! A `file` is `head: str | tail: opt str`: a file name that holds `-{version}` of its release is stored as the
//! part before the version and the part after it ([`FileName`]), else whole with no tail. Whole names were a quarter
//! of the index (one per release and variant, none shared); the parts recur across releases and packages.
//!
//! Loading reads the header and the package table only, which is O(packages) and copies no string; the string
//! table is indexed in place. A package's body is decoded on its first query.
//!
//! # Why a format of our own
//!
//! The index is read-mostly and queried a package at a time, so what matters is the cost of the first query, not
//! of decoding everything. `postcard` (serde) would decode the whole index up front, allocating every string;
//! lazy decoding would need a table of nested blobs, which is this format with a dependency added. `rkyv` gives
//! zero-copy access but brings proc macros into the build script's dependencies, and its safe API validates the
//! whole archive on load, which costs what lazy decoding saves. This file is some 300 lines of `std`, and the
//! round-trip and corruption tests below pin it down.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::source::{
    ApiScope, ApiUse, BuildNumpy, BuildScan, MetadataSource, MetadataVariant, PackageFile,
    Platform, ReleaseEntry, ReleaseKind, Snapshot,
};

const MAGIC: &[u8; 8] = b"NPLINDEX";
/// Bumped on every change to the layout; a mismatch is a decode error, never a misread. A published snapshot
/// (`nplint index update`) is read only by binaries of the same version.
pub const FORMAT_VERSION: u32 = 9;

/// The format version of encoded `bytes`; `None` when they do not start with the magic and a version.
pub fn format_version(bytes: &[u8]) -> Option<u32> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let version = rest.get(..4)?;
    Some(u32::from_le_bytes([
        version[0], version[1], version[2], version[3],
    ]))
}

/// Packs a snapshot and package files into the embedded form. Packages are stored sorted by name, whatever their
/// order here. The output depends only on the input (no hash-map order leaks into it).
pub fn encode(snapshot: &Snapshot, packages: &[PackageFile]) -> Vec<u8> {
    // Twice: the first pass counts how often each string is referred to, the second writes the references with
    // the most used strings first, whose ids (varints) take one or two bytes.
    let (counted, _, _) = encode_parts(StringPool::default(), snapshot, packages);
    let (strings, header, bodies) = encode_parts(counted.by_use(), snapshot, packages);
    let mut out = Vec::with_capacity(16 + strings.len_hint() + header.len() + bodies.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    strings.finish(&mut out);
    out.extend_from_slice(&header);
    out.extend_from_slice(&bodies);
    out
}

/// The string table, header and bodies of the embedded form, with the strings of `strings` (which the encoding
/// adds to).
fn encode_parts(
    mut strings: StringPool,
    snapshot: &Snapshot,
    packages: &[PackageFile],
) -> (StringPool, Vec<u8>, Vec<u8>) {
    let mut header = Vec::new();

    strings.write(&mut header, &snapshot.newest_upload);
    write_int(&mut header, snapshot.packages.len());
    for name in &snapshot.packages {
        strings.write(&mut header, name);
    }
    // A closure package whose file is missing keeps its entry here; the others are told in their table row.
    let files: std::collections::BTreeSet<&str> = packages
        .iter()
        .map(|package| package.name.as_str())
        .collect();
    let unfiled: Vec<(&String, &String)> = snapshot
        .added_by_closure
        .iter()
        .filter(|(name, _)| !files.contains(name.as_str()))
        .collect();
    write_int(&mut header, unfiled.len());
    for (name, by) in unfiled {
        strings.write(&mut header, name);
        strings.write(&mut header, by);
    }

    let mut sorted: Vec<&PackageFile> = packages.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut bodies = Vec::new();
    write_int(&mut header, sorted.len());
    for package in sorted {
        let start = bodies.len();
        encode_body(&mut bodies, &mut strings, package);
        strings.write(&mut header, &package.name);
        strings.write_opt(
            &mut header,
            snapshot
                .added_by_closure
                .get(&package.name)
                .map(String::as_str),
        );
        write_int(&mut header, start);
        write_int(&mut header, bodies.len() - start);
    }
    (strings, header, bodies)
}

fn encode_body(out: &mut Vec<u8>, strings: &mut StringPool, package: &PackageFile) {
    let mut previous: Option<&[String]> = None;
    write_int(out, package.releases.len());
    for release in &package.releases {
        strings.write(out, &release.version);
        write_int(
            out,
            UploadTime::parse(&release.uploaded).map_or(0, |time| time.0 as usize + 1),
        );
        strings.write_opt(out, release.yanked.as_deref());
        out.push(u8::from(release.prerelease));
        out.push(kind_code(release.kind));
        write_int(out, release.wheels.len());
        for (platform, tags) in &release.wheels {
            out.push(platform_code(*platform));
            write_int(out, tags.len());
            for tag in tags {
                strings.write(out, tag);
            }
        }
        write_int(out, release.metadata.len());
        for variant in &release.metadata {
            write_int(out, variant.applies_to.len());
            for applies_to in &variant.applies_to {
                strings.write(out, applies_to);
            }
            write_file(out, strings, &variant.file, &release.version);
            out.push(source_code(variant.via));
            strings.write_opt(out, variant.requires_python.as_deref());
            if previous == Some(variant.requires_dist.as_slice()) {
                write_int(out, 0);
            } else {
                write_int(out, variant.requires_dist.len() + 1);
                for requirement in &variant.requires_dist {
                    strings.write(out, requirement);
                }
            }
            previous = Some(&variant.requires_dist);
        }
        match &release.build {
            None => out.push(0),
            Some(build) => {
                write_build(out, strings, build, &release.version);
                write_int(out, release.build_agrees_on.len());
                for platform in &release.build_agrees_on {
                    out.push(platform_code(*platform));
                }
                write_int(out, release.platform_builds.len());
                for (platform, build) in &release.platform_builds {
                    out.push(platform_code(*platform));
                    write_build(out, strings, build, &release.version);
                }
            }
        }
        write_int(out, release.removed_api.len());
        for api in &release.removed_api {
            strings.write(out, &api.name);
            out.push(scope_code(api.scope));
            write_file(out, strings, &api.file, &release.version);
            strings.write(out, &api.member);
            write_int(out, api.line as usize);
            write_int(out, api.count as usize);
            strings.write_opt(out, api.function.as_deref());
        }
    }
    write_int(out, package.earlier.len());
    for version in &package.earlier {
        strings.write(out, version);
    }
    strings.write_opt(out, package.held_from.as_deref());
}

/// Writes the name of a file of the release `version`: `head: str | tail: opt str`, where the name is `head`,
/// `version` and `tail` joined when it holds `-{version}` (the tail is then present), else `head` alone.
fn write_file(out: &mut Vec<u8>, strings: &mut StringPool, name: &str, version: &str) {
    let file = FileName::split(name, version);
    strings.write(out, file.head);
    if file.version.is_empty() {
        strings.write_opt(out, None);
    } else {
        strings.write_opt(out, Some(file.tail));
    }
}

/// The name of a file of a release, as the embedded form keeps it: in three parts around the release's version
/// when it holds it (`pandas-`, `2.2.0`, `-cp312-cp312-manylinux_2_17_x86_64.whl`). Whole names are unique per
/// release, and were a quarter of the embedded index; their parts recur across releases and packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileName<'a> {
    head: &'a str,
    version: &'a str,
    tail: &'a str,
}

impl<'a> FileName<'a> {
    /// `name` split around `-{version}`; whole when it does not hold it.
    pub fn split(name: &'a str, version: &'a str) -> Self {
        match name.find(&format!("-{version}")) {
            Some(at) if !version.is_empty() => Self {
                head: &name[..=at],
                version,
                tail: &name[at + 1 + version.len()..],
            },
            _ => Self {
                head: name,
                version: "",
                tail: "",
            },
        }
    }
}

impl fmt::Display for FileName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.head, self.version, self.tail)
    }
}

impl PartialEq<str> for FileName<'_> {
    fn eq(&self, other: &str) -> bool {
        other.len() == self.head.len() + self.version.len() + self.tail.len()
            && other.starts_with(self.head)
            && other[self.head.len()..].starts_with(self.version)
            && other.ends_with(self.tail)
    }
}

impl PartialEq<&str> for FileName<'_> {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl serde::Serialize for FileName<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// When a release was uploaded, in whole seconds since 1970-01-01T00:00:00Z; written `2024-08-18T21:39:07Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UploadTime(u64);

impl UploadTime {
    /// Reads `YYYY-MM-DDTHH:MM:SS` at the start of an RFC 3339 time in UTC (what follows the seconds, a fraction
    /// and `Z` or `+00:00`, is not read). `None` when it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let number = |range: std::ops::Range<usize>| -> Option<u64> {
            let digits = bytes.get(range)?;
            digits.iter().try_fold(0u64, |value, &b| {
                b.is_ascii_digit().then(|| value * 10 + u64::from(b - b'0'))
            })
        };
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if !separators.iter().all(|&(at, b)| bytes.get(at) == Some(&b)) {
            return None;
        }
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        if year < 1970 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Self(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    /// The time `seconds` after 1970-01-01T00:00:00Z.
    pub fn from_seconds(seconds: u64) -> Self {
        Self(seconds)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// The date: `2024-08-18`.
    pub fn date(self) -> String {
        let (year, month, day) = civil_from_days(self.0 / 86_400);
        format!("{year:04}-{month:02}-{day:02}")
    }
}

impl fmt::Display for UploadTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0 % 86_400;
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            seconds / 3_600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar from 1970 on (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let days = days + 719_468;
    let era = days / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Whether `name` is a PEP 503-normalized package name: lowercase ASCII letters and digits in runs joined by single
/// `-`. The build script leaves out packages whose name is not, so every name in the embedded form is one.
pub fn is_normalized_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Why encoded bytes could not be read, with the offset where reading stopped: for the embedded bytes always a bug
/// (they were written by [`encode`]); for a file, a corrupt or foreign one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub what: &'static str,
    pub at: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "corrupt index: {} at byte {}", self.what, self.at)
    }
}

impl std::error::Error for DecodeError {}

/// The string table: its offsets and its pool, each string checked to be UTF-8 when it is read.
/// Copyable so that a lazily decoded package can keep it.
#[derive(Debug, Clone, Copy)]
pub struct Strings<'a> {
    count: usize,
    /// The `count + 1` offsets into the pool, little-endian `u32`s.
    offsets: &'a [u8],
    /// UTF-8, checked string by string as they are read: the pool is most of the index (megabytes), and one check
    /// of it on load touched every page of it for the few thousand strings a check reads.
    pool: &'a [u8],
}

impl<'a> Strings<'a> {
    pub fn get(&self, id: usize) -> Result<&'a str, DecodeError> {
        let error = |what| DecodeError { what, at: id };
        if id >= self.count {
            return Err(error("string index out of range"));
        }
        let offset = |i: usize| {
            let at = 4 * i;
            self.offsets
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .ok_or(error("string offset out of range"))
        };
        let (start, end) = (offset(id)?, offset(id + 1)?);
        let bytes = self
            .pool
            .get(start..end)
            .ok_or(error("string out of range"))?;
        std::str::from_utf8(bytes).map_err(|_| error("string is not UTF-8"))
    }
}

/// The decoded header: the snapshot, and where each package's body is.
#[derive(Debug)]
pub struct Header<'a> {
    pub snapshot: SnapshotRef<'a>,
    /// Sorted by name.
    pub packages: Vec<PackageEntry<'a>>,
    pub strings: Strings<'a>,
}

/// The snapshot as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRef<'a> {
    pub newest_upload: &'a str,
    /// The number of names in the snapshot's package list. The names themselves are read only by [`decode`]:
    /// loading needs the count alone, and reading 7,148 strings it would not use cost it time.
    pub package_count: usize,
    /// Where the list's string ids start.
    packages_at: usize,
    /// The entries of packages without a body (see the layout); the others are the table's `added_by`.
    unfiled_added_by: Vec<(&'a str, &'a str)>,
}

impl<'a> SnapshotRef<'a> {
    /// The snapshot's package list, read from `bytes` (those the header was read from).
    fn packages(&self, bytes: &'a [u8], strings: Strings<'a>) -> Result<Vec<&'a str>, DecodeError> {
        let mut reader = Reader {
            bytes,
            at: self.packages_at,
            strings: Some(strings),
        };
        (0..self.package_count).map(|_| reader.string()).collect()
    }

    /// The snapshot in the source form, its `added_by_closure` gathered from the package table `rows` too.
    fn to_source(
        &self,
        bytes: &'a [u8],
        strings: Strings<'a>,
        rows: &[PackageEntry<'a>],
    ) -> Result<Snapshot, DecodeError> {
        Ok(Snapshot {
            newest_upload: self.newest_upload.to_owned(),
            packages: self
                .packages(bytes, strings)?
                .into_iter()
                .map(str::to_owned)
                .collect(),
            added_by_closure: rows
                .iter()
                .filter_map(|row| Some((row.name, row.added_by?)))
                .chain(self.unfiled_added_by.iter().copied())
                .map(|(name, by)| (name.to_owned(), by.to_owned()))
                .collect(),
        })
    }
}

/// One row of the package table.
#[derive(Debug, Clone)]
pub struct PackageEntry<'a> {
    pub name: &'a str,
    /// The package whose dependency brought this one into the index.
    pub added_by: Option<&'a str>,
    /// The package's body, as a range of the whole byte string.
    pub body: Range<usize>,
}

/// Reads the header and the package table: O(packages), no body is touched.
pub fn decode_header(bytes: &[u8]) -> Result<Header<'_>, DecodeError> {
    let mut reader = Reader {
        bytes,
        at: 0,
        strings: None,
    };
    if reader.take(MAGIC.len())? != MAGIC {
        return Err(reader.error("not an nplint index (bad magic)"));
    }
    if reader.u32()? != FORMAT_VERSION {
        return Err(reader.error("unsupported format version"));
    }
    let count = reader.u32()? as usize;
    let offsets = reader.at;
    reader.take(
        count
            .checked_add(1)
            .map_or(usize::MAX, |n| n.saturating_mul(4)),
    )?;
    let pool_len = {
        let last = offsets + 4 * count;
        u32::from_le_bytes([
            bytes[last],
            bytes[last + 1],
            bytes[last + 2],
            bytes[last + 3],
        ]) as usize
    };
    let pool = reader.take(pool_len)?;
    let strings = Strings {
        count,
        offsets: &bytes[offsets..offsets + 4 * (count + 1)],
        pool,
    };
    reader.strings = Some(strings);

    let newest_upload = reader.string()?;
    let package_count = reader.len()?;
    let packages_at = reader.at;
    for _ in 0..package_count {
        reader.int()?;
    }
    let unfiled_added_by = (0..reader.len()?)
        .map(|_| Ok((reader.string()?, reader.string()?)))
        .collect::<Result<_, DecodeError>>()?;
    let snapshot = SnapshotRef {
        newest_upload,
        package_count,
        packages_at,
        unfiled_added_by,
    };

    let count = reader.len()?;
    let mut packages = Vec::with_capacity(reader.capacity_for(count));
    for _ in 0..count {
        // Relative to the first body until the table's end (where the bodies start) is known.
        let (name, added_by) = (reader.string()?, reader.opt_string()?);
        let offset = reader.int()?;
        let len = reader.int()?;
        packages.push(PackageEntry {
            name,
            added_by,
            body: offset..offset.saturating_add(len),
        });
    }
    let bodies = reader.at;
    for entry in &mut packages {
        let (start, end) = (
            bodies.saturating_add(entry.body.start),
            bodies.saturating_add(entry.body.end),
        );
        if end > bytes.len() {
            return Err(reader.error("package body out of range"));
        }
        entry.body = start..end;
    }
    Ok(Header {
        snapshot,
        packages,
        strings,
    })
}

/// One release as stored: strings borrowed from the encoded bytes, nothing copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseRef<'a> {
    pub version: &'a str,
    pub uploaded: Option<UploadTime>,
    pub yanked: Option<&'a str>,
    pub prerelease: bool,
    pub kind: ReleaseKind,
    /// Per platform with wheels, the range of `wheel_tags` holding its tags (kept flat: one allocation, not one
    /// per platform).
    pub wheels: Vec<(Platform, Range<usize>)>,
    pub wheel_tags: Vec<&'a str>,
    pub metadata: Vec<VariantRef<'a>>,
    pub build: Option<BuildRef<'a>>,
    /// The other platforms whose wheel reads as `build` does.
    pub build_agrees_on: Vec<Platform>,
    /// The other platforms whose wheel reads otherwise, in platform order.
    pub platform_builds: Vec<(Platform, BuildRef<'a>)>,
    pub removed_api: Vec<ApiUseRef<'a>>,
}

/// A release's build scan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRef<'a> {
    pub numpy: BuildNumpy,
    pub file: FileName<'a>,
    pub member: Option<&'a str>,
    pub numpy_floor: Option<&'a str>,
}

impl BuildRef<'_> {
    /// The scan in the source form.
    pub fn to_source(&self) -> BuildScan {
        BuildScan {
            numpy: self.numpy,
            file: self.file.to_string(),
            member: self.member.map(str::to_owned),
            numpy_floor: self.numpy_floor.map(str::to_owned),
        }
    }
}

/// One removed-API use as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUseRef<'a> {
    pub name: &'a str,
    pub scope: ApiScope,
    pub file: FileName<'a>,
    pub member: &'a str,
    pub line: u32,
    pub count: u32,
    pub function: Option<&'a str>,
}

/// One metadata variant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRef<'a> {
    pub applies_to: Vec<&'a str>,
    pub file: FileName<'a>,
    pub via: MetadataSource,
    pub requires_python: Option<&'a str>,
    pub requires_dist: Vec<&'a str>,
}

impl ReleaseRef<'_> {
    /// The release in the source form.
    pub fn to_source(&self) -> ReleaseEntry {
        let owned = |strings: &[&str]| strings.iter().map(|&s| s.to_owned()).collect();
        ReleaseEntry {
            version: self.version.to_owned(),
            uploaded: self
                .uploaded
                .map(|time| time.to_string())
                .unwrap_or_default(),
            yanked: self.yanked.map(str::to_owned),
            prerelease: self.prerelease,
            kind: self.kind,
            wheels: self
                .wheels
                .iter()
                .map(|(platform, range)| (*platform, owned(&self.wheel_tags[range.clone()])))
                .collect(),
            metadata: self
                .metadata
                .iter()
                .map(|variant| MetadataVariant {
                    applies_to: owned(&variant.applies_to),
                    file: variant.file.to_string(),
                    via: variant.via,
                    requires_python: variant.requires_python.map(str::to_owned),
                    requires_dist: owned(&variant.requires_dist),
                })
                .collect(),
            build: self.build.as_ref().map(BuildRef::to_source),
            build_agrees_on: self.build_agrees_on.clone(),
            platform_builds: self
                .platform_builds
                .iter()
                .map(|(platform, build)| (*platform, build.to_source()))
                .collect(),
            removed_api: self
                .removed_api
                .iter()
                .map(|api| ApiUse {
                    name: api.name.to_owned(),
                    scope: api.scope,
                    file: api.file.to_string(),
                    member: api.member.to_owned(),
                    line: api.line,
                    count: api.count,
                    function: api.function.map(str::to_owned),
                })
                .collect(),
        }
    }
}

/// One package's body: its releases and the versions before the index's history, in stored order.
#[derive(Debug)]
pub struct BodyRef<'a> {
    pub releases: Vec<ReleaseRef<'a>>,
    pub earlier: Vec<&'a str>,
    pub held_from: Option<&'a str>,
}

impl BodyRef<'_> {
    /// The body in the source form, as the package file of `name`.
    pub fn to_source(&self, name: &str) -> PackageFile {
        PackageFile {
            name: name.to_owned(),
            releases: self.releases.iter().map(ReleaseRef::to_source).collect(),
            earlier: self
                .earlier
                .iter()
                .map(|&version| version.to_owned())
                .collect(),
            held_from: self.held_from.map(str::to_owned),
        }
    }
}

/// Decodes one package's body.
pub fn decode_body<'a>(
    bytes: &'a [u8],
    strings: Strings<'a>,
    body: Range<usize>,
) -> Result<BodyRef<'a>, DecodeError> {
    let mut reader = Reader {
        bytes: bytes.get(..body.end).ok_or(DecodeError {
            what: "package body out of range",
            at: body.end,
        })?,
        at: body.start,
        strings: Some(strings),
    };
    let mut previous_requires = Vec::new();
    let releases = (0..reader.len()?)
        .map(|_| decode_release(&mut reader, &mut previous_requires))
        .collect::<Result<_, _>>()?;
    let earlier = (0..reader.len()?)
        .map(|_| reader.string())
        .collect::<Result<_, _>>()?;
    let held_from = reader.opt_string()?;
    if reader.at != body.end {
        return Err(reader.error("package body longer than its releases"));
    }
    Ok(BodyRef {
        releases,
        earlier,
        held_from,
    })
}

/// Decodes a release; `previous_requires` is the `Requires-Dist` of the variant decoded last (see the layout).
fn decode_release<'a>(
    reader: &mut Reader<'a>,
    previous_requires: &mut Vec<&'a str>,
) -> Result<ReleaseRef<'a>, DecodeError> {
    let version = reader.string()?;
    let uploaded = reader
        .int()?
        .checked_sub(1)
        .map(|seconds| UploadTime(seconds as u64));
    let yanked = reader.opt_string()?;
    let prerelease = match reader.byte()? {
        0 => false,
        1 => true,
        _ => return Err(reader.error("invalid prerelease flag")),
    };
    let kind = kind_from_code(reader.byte()?).ok_or(reader.error("invalid release kind"))?;
    let platforms = reader.len()?;
    let mut wheels = Vec::with_capacity(platforms);
    let mut wheel_tags = Vec::new();
    for _ in 0..platforms {
        let platform = reader.platform()?;
        let start = wheel_tags.len();
        for _ in 0..reader.len()? {
            wheel_tags.push(reader.string()?);
        }
        wheels.push((platform, start..wheel_tags.len()));
    }
    let metadata = (0..reader.len()?)
        .map(|_| {
            Ok(VariantRef {
                applies_to: reader.strings_list()?,
                file: reader.file(version)?,
                via: source_from_code(reader.byte()?)
                    .ok_or(reader.error("invalid metadata source"))?,
                requires_python: reader.opt_string()?,
                requires_dist: match reader.len()? {
                    0 => previous_requires.clone(),
                    n => {
                        let list = (1..n)
                            .map(|_| reader.string())
                            .collect::<Result<Vec<_>, _>>()?;
                        previous_requires.clone_from(&list);
                        list
                    }
                },
            })
        })
        .collect::<Result<_, DecodeError>>()?;
    let (mut build_agrees_on, mut platform_builds) = (Vec::new(), Vec::new());
    let build = match reader.byte()? {
        0 => None,
        code => {
            let build = reader.build(code, version)?;
            for _ in 0..reader.len()? {
                build_agrees_on.push(reader.platform()?);
            }
            for _ in 0..reader.len()? {
                let platform = reader.platform()?;
                let code = reader.byte()?;
                platform_builds.push((platform, reader.build(code, version)?));
            }
            Some(build)
        }
    };
    let removed_api = (0..reader.len()?)
        .map(|_| {
            Ok(ApiUseRef {
                name: reader.string()?,
                scope: scope_from_code(reader.byte()?).ok_or(reader.error("invalid API scope"))?,
                file: reader.file(version)?,
                member: reader.string()?,
                line: u32::try_from(reader.int()?).map_err(|_| reader.error("line too large"))?,
                count: u32::try_from(reader.int()?).map_err(|_| reader.error("count too large"))?,
                function: reader.opt_string()?,
            })
        })
        .collect::<Result<_, DecodeError>>()?;
    Ok(ReleaseRef {
        version,
        uploaded,
        yanked,
        prerelease,
        kind,
        wheels,
        wheel_tags,
        metadata,
        build,
        build_agrees_on,
        platform_builds,
        removed_api,
    })
}

/// Decodes everything back into the source form: the inverse of [`encode`] (packages come back sorted by name).
pub fn decode(bytes: &[u8]) -> Result<(Snapshot, Vec<PackageFile>), DecodeError> {
    let header = decode_header(bytes)?;
    let packages = header
        .packages
        .iter()
        .map(|entry| {
            let body = decode_body(bytes, header.strings, entry.body.clone())?;
            Ok(body.to_source(entry.name))
        })
        .collect::<Result<_, DecodeError>>()?;
    Ok((
        header
            .snapshot
            .to_source(bytes, header.strings, &header.packages)?,
        packages,
    ))
}

/// Every distinct string once, in order of first use (or of use, see [`StringPool::by_use`]), with how often each
/// was referred to.
#[derive(Default)]
struct StringPool {
    ids: HashMap<String, usize>,
    pool: Vec<u8>,
    offsets: Vec<u32>,
    uses: Vec<usize>,
}

impl StringPool {
    fn id(&mut self, s: &str) -> usize {
        if let Some(&id) = self.ids.get(s) {
            self.uses[id] += 1;
            return id;
        }
        let id = self.offsets.len();
        self.offsets.push(self.offset());
        self.pool.extend_from_slice(s.as_bytes());
        self.ids.insert(s.to_owned(), id);
        self.uses.push(1);
        id
    }

    /// The same strings, the most used first (ties in order of first use), none used yet.
    fn by_use(&self) -> Self {
        let mut order: Vec<usize> = (0..self.offsets.len()).collect();
        order.sort_by_key(|&id| (std::cmp::Reverse(self.uses[id]), id));
        let mut sorted = Self::default();
        for id in order {
            let end = self
                .offsets
                .get(id + 1)
                .map_or(self.pool.len(), |&end| end as usize);
            let start = self.offsets[id] as usize;
            // Invariant: the pool holds only whole strings, written by `id` from `&str`s.
            let s = std::str::from_utf8(&self.pool[start..end]).expect("pool strings are UTF-8");
            sorted.id(s);
        }
        sorted.uses.iter_mut().for_each(|uses| *uses = 0);
        sorted
    }

    fn offset(&self) -> u32 {
        // Invariant: the index is a few megabytes; a pool past 4 GiB is a bug in the sync, not data to handle.
        u32::try_from(self.pool.len()).expect("string pool under 4 GiB")
    }

    fn write(&mut self, out: &mut Vec<u8>, s: &str) {
        let id = self.id(s);
        write_int(out, id);
    }

    fn write_opt(&mut self, out: &mut Vec<u8>, s: Option<&str>) {
        match s {
            None => write_int(out, 0),
            Some(s) => {
                let id = self.id(s);
                write_int(out, id + 1);
            }
        }
    }

    fn len_hint(&self) -> usize {
        4 + 4 * (self.offsets.len() + 1) + self.pool.len()
    }

    fn finish(mut self, out: &mut Vec<u8>) {
        let end = self.offset();
        self.offsets.push(end);
        let count = u32::try_from(self.offsets.len() - 1).expect("fewer than 4 billion strings");
        out.extend_from_slice(&count.to_le_bytes());
        for offset in &self.offsets {
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(&self.pool);
    }
}

fn write_int(out: &mut Vec<u8>, value: usize) {
    let mut value = value as u64;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    strings: Option<Strings<'a>>,
}

impl<'a> Reader<'a> {
    fn error(&self, what: &'static str) -> DecodeError {
        DecodeError { what, at: self.at }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(self.error("unexpected end of data"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn int(&mut self) -> Result<usize, DecodeError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return usize::try_from(value).map_err(|_| self.error("integer too large"));
            }
        }
        Err(self.error("integer too long"))
    }

    /// A file name written by [`write_file`] for a release of `version`.
    fn file(&mut self, version: &'a str) -> Result<FileName<'a>, DecodeError> {
        let head = self.string()?;
        Ok(match self.opt_string()? {
            Some(tail) => FileName {
                head,
                version,
                tail,
            },
            None => FileName {
                head,
                version: "",
                tail: "",
            },
        })
    }

    /// A build scan written by [`write_build`], after its code.
    fn build(&mut self, code: u8, version: &'a str) -> Result<BuildRef<'a>, DecodeError> {
        Ok(BuildRef {
            numpy: build_from_code(code).ok_or(self.error("invalid build code"))?,
            file: self.file(version)?,
            member: self.opt_string()?,
            numpy_floor: self.opt_string()?,
        })
    }

    fn platform(&mut self) -> Result<Platform, DecodeError> {
        platform_from_code(self.byte()?).ok_or(self.error("invalid platform"))
    }

    /// A count of items that follow, each at least one byte long: bounded by the bytes left, so that a corrupt
    /// count cannot make the decoder reserve memory it will never fill.
    fn len(&mut self) -> Result<usize, DecodeError> {
        let n = self.int()?;
        if n > self.bytes.len() - self.at {
            return Err(self.error("count larger than the data"));
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<&'a str, DecodeError> {
        let id = self.int()?;
        let strings = self
            .strings
            .ok_or(self.error("string before the string table"))?;
        strings.get(id)
    }

    fn opt_string(&mut self) -> Result<Option<&'a str>, DecodeError> {
        match self.int()? {
            0 => Ok(None),
            id => {
                let strings = self
                    .strings
                    .ok_or(self.error("string before the string table"))?;
                strings.get(id - 1).map(Some)
            }
        }
    }

    fn strings_list(&mut self) -> Result<Vec<&'a str>, DecodeError> {
        let count = self.len()?;
        let mut list = Vec::with_capacity(self.capacity_for(count));
        for _ in 0..count {
            list.push(self.string()?);
        }
        Ok(list)
    }

    /// A capacity for `count` items of at least a byte each, no more than the bytes left could hold (a corrupt
    /// count allocates nothing it cannot fill).
    fn capacity_for(&self, count: usize) -> usize {
        count.min(self.bytes.len().saturating_sub(self.at))
    }
}

// The enum codes are part of the format: append new variants, never renumber.

fn kind_code(kind: ReleaseKind) -> u8 {
    match kind {
        ReleaseKind::Binary => 0,
        ReleaseKind::Pure => 1,
        ReleaseKind::SdistOnly => 2,
    }
}

fn kind_from_code(code: u8) -> Option<ReleaseKind> {
    [
        ReleaseKind::Binary,
        ReleaseKind::Pure,
        ReleaseKind::SdistOnly,
    ]
    .into_iter()
    .find(|&kind| kind_code(kind) == code)
}

fn platform_code(platform: Platform) -> u8 {
    match platform {
        Platform::LinuxX86_64 => 0,
        Platform::LinuxAarch64 => 1,
        Platform::MacosX86_64 => 2,
        Platform::MacosArm64 => 3,
        Platform::WindowsX86_64 => 4,
    }
}

fn platform_from_code(code: u8) -> Option<Platform> {
    [
        Platform::LinuxX86_64,
        Platform::LinuxAarch64,
        Platform::MacosX86_64,
        Platform::MacosArm64,
        Platform::WindowsX86_64,
    ]
    .into_iter()
    .find(|&platform| platform_code(platform) == code)
}

/// `numpy: u8 (BuildNumpy code) | file: str | member: opt str | numpy_floor: opt str`.
fn write_build(out: &mut Vec<u8>, strings: &mut StringPool, build: &BuildScan, version: &str) {
    out.push(build_code(build.numpy));
    write_file(out, strings, &build.file, version);
    strings.write_opt(out, build.member.as_deref());
    strings.write_opt(out, build.numpy_floor.as_deref());
}

fn build_code(numpy: BuildNumpy) -> u8 {
    match numpy {
        BuildNumpy::Numpy1 => 1,
        BuildNumpy::Numpy2 => 2,
        BuildNumpy::None => 3,
        BuildNumpy::NameOnly => 4,
    }
}

fn build_from_code(code: u8) -> Option<BuildNumpy> {
    Some(match code {
        1 => BuildNumpy::Numpy1,
        2 => BuildNumpy::Numpy2,
        3 => BuildNumpy::None,
        4 => BuildNumpy::NameOnly,
        _ => return None,
    })
}

fn scope_code(scope: ApiScope) -> u8 {
    match scope {
        ApiScope::Import => 0,
        ApiScope::Call => 1,
        ApiScope::Function => 2,
    }
}

fn scope_from_code(code: u8) -> Option<ApiScope> {
    Some(match code {
        0 => ApiScope::Import,
        1 => ApiScope::Call,
        2 => ApiScope::Function,
        _ => return None,
    })
}

fn source_code(source: MetadataSource) -> u8 {
    match source {
        MetadataSource::MetadataFile => 0,
        MetadataSource::WheelRange => 1,
        MetadataSource::SdistPkgInfo => 2,
        MetadataSource::Unknown => 3,
    }
}

fn source_from_code(code: u8) -> Option<MetadataSource> {
    [
        MetadataSource::MetadataFile,
        MetadataSource::WheelRange,
        MetadataSource::SdistPkgInfo,
        MetadataSource::Unknown,
    ]
    .into_iter()
    .find(|&source| source_code(source) == code)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::test_data::{example_packages, example_snapshot};

    #[test]
    fn upload_times_read_and_write_back_alike() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2017-01-01T00:00:00Z",
            "2024-02-29T12:00:01Z",
            "2024-08-18T21:39:07Z",
            "2100-03-01T00:00:00Z",
        ] {
            let time = UploadTime::parse(text).unwrap();
            assert_eq!(time.to_string(), text);
            assert_eq!(time.date(), text[..10]);
        }
        assert_eq!(UploadTime::parse("1970-01-02T00:00:01Z").unwrap().0, 86_401);
        // What follows the seconds is not read; what is not a time is none.
        assert_eq!(
            UploadTime::parse("2024-08-18T21:51:09.966467+00:00"),
            UploadTime::parse("2024-08-18T21:51:09Z")
        );
        for bad in [
            "",
            "2024-08-18",
            "2024-13-01T00:00:00Z",
            "2024/08/18T21:51:09Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(UploadTime::parse(bad), None, "{bad}");
        }
        assert!(
            UploadTime::parse("2024-01-01T00:00:00Z") < UploadTime::parse("2024-01-01T00:00:01Z")
        );
    }

    #[test]
    fn round_trip() {
        let snapshot = example_snapshot();
        let packages = example_packages();
        let bytes = encode(&snapshot, &packages);
        let (decoded_snapshot, decoded) = decode(&bytes).unwrap();
        assert_eq!(decoded_snapshot, snapshot);
        let mut sorted = packages.clone();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(decoded, sorted);
        // Deterministic: the same input, the same bytes.
        assert_eq!(encode(&snapshot, &packages), bytes);
    }

    #[test]
    fn a_numpy_floor_round_trips() {
        let snapshot = example_snapshot();
        let mut packages = example_packages();
        let build = packages
            .iter_mut()
            .flat_map(|package| &mut package.releases)
            .find_map(|release| release.build.as_mut())
            .expect("the example data has a build");
        build.numpy = BuildNumpy::Numpy2;
        build.numpy_floor = Some("1.20".to_owned());
        let (_, decoded) = decode(&encode(&snapshot, &packages)).unwrap();
        let floors: Vec<Option<&str>> = decoded
            .iter()
            .flat_map(|package| &package.releases)
            .filter_map(|release| release.build.as_ref())
            .map(|build| build.numpy_floor.as_deref())
            .collect();
        assert!(floors.contains(&Some("1.20")), "{floors:?}");
    }

    #[test]
    fn empty_index_round_trips() {
        let snapshot = Snapshot {
            newest_upload: String::new(),
            packages: Vec::new(),
            added_by_closure: BTreeMap::new(),
        };
        let bytes = encode(&snapshot, &[]);
        assert_eq!(decode(&bytes).unwrap(), (snapshot, Vec::new()));
    }

    #[test]
    fn strings_are_stored_once() {
        let packages = example_packages();
        let bytes = encode(&example_snapshot(), &packages);
        let mut doubled = packages.clone();
        for package in &mut doubled {
            package.name.push_str("-copy");
        }
        doubled.extend(packages);
        let twice = encode(&example_snapshot(), &doubled);
        // The second copy adds only table rows and string references, no string bytes beyond the new names.
        assert!(
            twice.len() < bytes.len() * 2,
            "{} vs {}",
            twice.len(),
            bytes.len()
        );
    }

    #[test]
    fn normalized_names() {
        for name in [
            "numpy",
            "scikit-learn",
            "opencv-python-headless",
            "tf-keras",
            "h5py",
            "x",
        ] {
            assert!(is_normalized_name(name), "{name}");
        }
        for name in [
            "",
            "NumPy",
            "scikit_learn",
            "zope.interface",
            "a--b",
            "-a",
            "a-",
            "nümpy",
        ] {
            assert!(!is_normalized_name(name), "{name}");
        }
    }

    #[test]
    fn truncated_or_altered_bytes_are_errors_not_panics() {
        let bytes = encode(&example_snapshot(), &example_packages());
        for len in 0..bytes.len() {
            let _ = decode(&bytes[..len]);
        }
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        for at in 0..bytes.len() {
            let mut altered = bytes.clone();
            altered[at] ^= 0xff;
            let _ = decode(&altered);
        }
        let mut wrong_version = bytes.clone();
        wrong_version[8] = 99;
        assert_eq!(
            decode(&wrong_version).unwrap_err().what,
            "unsupported format version"
        );
    }
}
