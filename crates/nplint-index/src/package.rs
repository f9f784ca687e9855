//! Typed views of one package and its releases: what the solver, the rules and `nplint index show` read.
//!
//! A package's releases are decoded from the embedded bytes on the first query of that package, and a metadata
//! variant's `Requires-Python` and `Requires-Dist` are parsed on the first query of that variant; both are kept
//! (`OnceLock`), so every later query is a lookup.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::{LazyLock, OnceLock};

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerEnvironment, PackageName, VersionOrUrl};

use crate::compact::{
    self, ApiUseRef, BuildRef, FileName, ReleaseRef, Strings, UploadTime, VariantRef,
};
use crate::parse::{Parsed, Requirement};
use crate::source::{MetadataSource, Platform, ReleaseKind};
use crate::target::{PythonVersion, Target};

static NUMPY: LazyLock<PackageName> = LazyLock::new(|| {
    // Invariant: a literal valid, normalized name.
    PackageName::new("numpy".to_owned()).expect("`numpy` is a valid package name")
});

/// Everything the index knows about one package.
#[derive(Debug)]
pub struct Package {
    /// Normalized (checked on load), so that [`Package::name`] can make the name when it is first asked for:
    /// making 7,148 at load was a third of the index's load time.
    raw_name: &'static str,
    name: OnceLock<PackageName>,
    added_by: Option<&'static str>,
    encoded: &'static Encoded,
    body: Range<usize>,
    /// Boxed: a package not queried (most of them, in a check) then costs a pointer, and loading writes half the
    /// bytes it wrote with the decoded form inline.
    decoded: OnceLock<Box<Decoded>>,
}

/// The encoded index a package's body is decoded from: one for every package of an index.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub(crate) bytes: &'static [u8],
    pub(crate) strings: Strings<'static>,
}

#[derive(Debug)]
struct Decoded {
    releases: Vec<Release>,
    unparseable_versions: Vec<Parsed<Version>>,
    /// Those of the versions before the index's history that parse.
    earlier: Vec<Version>,
    held_from: Option<Version>,
}

impl Package {
    pub(crate) fn new(
        raw_name: &'static str,
        added_by: Option<&'static str>,
        encoded: &'static Encoded,
        body: Range<usize>,
    ) -> Self {
        Self {
            raw_name,
            name: OnceLock::new(),
            added_by,
            encoded,
            body,
            decoded: OnceLock::new(),
        }
    }

    /// The normalized name, as stored.
    pub(crate) fn raw_name(&self) -> &'static str {
        self.raw_name
    }

    /// The package's body, decoded from its bytes (not kept: see [`Package::releases`] for what is).
    ///
    /// # Panics
    ///
    /// Never for an index this crate decoded: the bytes were written by `compact::encode` (at build time, or by
    /// `Index::from_source`) and the header that located this body was read without error; the round-trip tests
    /// decode every package of the embedded index. A failure here is a bug in the encoder, not bad data.
    pub(crate) fn body_ref(&self) -> compact::BodyRef<'static> {
        compact::decode_body(self.encoded.bytes, self.encoded.strings, self.body.clone())
            .unwrap_or_else(|error| panic!("package `{}`: {error}", self.raw_name))
    }

    /// A new handle on the same encoded package, not yet decoded: for an index made of other indexes' packages.
    pub(crate) fn relocated(&self) -> Package {
        Package::new(
            self.raw_name,
            self.added_by,
            self.encoded,
            self.body.clone(),
        )
    }

    /// # Panics
    ///
    /// Never: the index admits only normalized names (checked on load), and a normalized name is a package name.
    pub fn name(&self) -> &PackageName {
        self.name.get_or_init(|| {
            // Invariant: `Index::from_encoded` admits only normalized names, which are valid package names.
            PackageName::new(self.raw_name.to_owned()).expect("a normalized name is a package name")
        })
    }

    /// The indexed package whose dependency brought this one in, when the sync's closure added it rather than the
    /// seed list.
    pub fn added_by(&self) -> Option<&str> {
        self.added_by
    }

    /// The releases, sorted ascending by PEP 440 version. Releases whose version does not parse are left out and
    /// listed by [`Package::unparseable_versions`].
    pub fn releases(&self) -> &[Release] {
        &self.decoded().releases
    }

    /// The release with exactly this version (PEP 440 equality: `1.0` is `1.0.0`).
    pub fn release(&self, version: &Version) -> Option<&Release> {
        let releases = self.releases();
        releases
            .binary_search_by(|release| release.version.cmp(version))
            .ok()
            .map(|at| &releases[at])
    }

    /// The versions of the releases before the index's history ([`crate::source::HISTORY_START`]), of which
    /// nothing else is known; ascending. Of a package held from a version on ([`Self::held_from`]), the newest
    /// release of each `major.minor` series before it.
    pub fn earlier(&self) -> &[Version] {
        &self.decoded().earlier
    }

    /// When the index holds only the newest releases of this package ([`crate::source::NEWEST_HELD`]), the
    /// oldest version it holds.
    pub fn held_from(&self) -> Option<&Version> {
        self.decoded().held_from.as_ref()
    }

    /// Whether `specifiers` admit none of the indexed releases but some release before the index's history: a
    /// requirement the index cannot judge, which is left out of the solve (`cycler==0.10`, uploaded in 2016). A
    /// requirement that admits no release at all is not one: that is a conflict the index can show. Of a package
    /// held from a version on, any version before it counts as a release (the index does not list them all):
    /// each version a specifier names is tried, beside [`Self::earlier`].
    pub fn predates_history(&self, specifiers: &VersionSpecifiers) -> bool {
        // An indexed release the specifiers admit settles it. The versions they name are the likeliest (`==2.1.0`,
        // `>=1.22`), found by binary search: tried first, they spare most requirements a test of every version
        // before the history, which was a sixth of a check's time.
        let names_an_admitted_release = specifiers
            .iter()
            .filter_map(|specifier| self.release(specifier.version()))
            .any(|release| specifiers.contains(&release.version));
        if names_an_admitted_release {
            return false;
        }
        let older = |version: &Version| specifiers.contains(version);
        let named_older = self.held_from().is_some_and(|held_from| {
            specifiers
                .iter()
                .map(pep440_rs::VersionSpecifier::version)
                .any(|version| version < held_from && older(version))
        });
        (named_older || self.earlier().iter().any(older))
            && !self
                .releases()
                .iter()
                .any(|release| specifiers.contains(&release.version))
    }

    /// What the index can tell of a requirement on this package with `specifiers`: whether its releases can
    /// judge it, or why not. One answer for the solver (which leaves out every requirement not
    /// [`Coverage::Indexed`]) and for the rules that report what was left out.
    pub fn coverage(&self, specifiers: &VersionSpecifiers) -> Coverage {
        // The common case first, as in `predates_history`: a release the specifiers name and admit.
        let names_an_admitted_release = specifiers
            .iter()
            .filter_map(|specifier| self.release(specifier.version()))
            .any(|release| specifiers.contains(&release.version));
        if names_an_admitted_release
            || self
                .releases()
                .iter()
                .any(|release| specifiers.contains(&release.version))
        {
            return Coverage::Indexed;
        }
        if self.predates_history(specifiers) {
            return Coverage::Predates;
        }
        let Some(newest) = self.releases().last() else {
            return Coverage::Indexed;
        };
        let admitted = version_ranges::Ranges::from(specifiers.clone());
        if !admitted.is_disjoint(&version_ranges::Ranges::strictly_higher_than(
            newest.version.clone(),
        )) {
            return Coverage::PastSnapshot;
        }
        match pin(specifiers) {
            // Of the pre-releases, the index holds every one of NumPy's, and of another package those newer than its
            // newest final release (at most `PRERELEASES_KEPT` of them), and those a requirement it read asked
            // for: a pin to an older one names a release that may exist.
            Some(pin)
                if pin.version().any_prerelease()
                    && !self.holds_every_prerelease_at(pin.version()) =>
            {
                Coverage::PrereleaseNotHeld
            }
            Some(_) => Coverage::NoSuchRelease,
            // A range that admits no release (`>1.26.4, <2.0`) is a conflict the solve shows.
            None => Coverage::Indexed,
        }
    }

    /// The newest release held of `version`'s series: of the releases whose numbers begin with all of `version`'s
    /// but the last (`2.4` of `2.4.5`; `1` of `1.0`).
    pub fn newest_in_series(&self, version: &Version) -> Option<&Release> {
        let series = series(version);
        self.releases()
            .iter()
            .filter(|held| held.version.release().starts_with(series))
            .max_by(|a, b| a.version.cmp(&b.version))
    }

    /// Whether the index would hold the pre-release `version` if the package had it (see [`Package::coverage`]).
    fn holds_every_prerelease_at(&self, version: &Version) -> bool {
        if self.raw_name == "numpy" {
            return true;
        }
        let newest_final = self
            .releases()
            .iter()
            .filter(|release| !release.is_prerelease())
            .map(|release| &release.version)
            .max();
        let upcoming = self
            .releases()
            .iter()
            .filter(|release| {
                release.is_prerelease()
                    && newest_final.is_none_or(|newest| release.version > *newest)
            })
            .count();
        newest_final.is_none_or(|newest| version > newest)
            && upcoming < crate::source::PRERELEASES_KEPT
    }

    /// The releases nearest to `version` on either side: the newest final release older than it (or, when the
    /// index holds none, the newest of the versions before its history) and the oldest final release newer than
    /// it. What a finding on a version that does not exist suggests.
    pub fn nearest_releases(&self, version: &Version) -> (Option<Version>, Option<Version>) {
        let finals = || {
            self.releases()
                .iter()
                .filter(|release| !release.is_prerelease() && !release.is_yanked())
                .map(|release| &release.version)
        };
        let below = finals()
            .filter(|held| *held < version)
            .max()
            .or_else(|| self.earlier().iter().filter(|held| *held < version).max())
            .cloned();
        let above = finals().find(|held| *held > version).cloned();
        (below, above)
    }

    /// Release versions that are not valid PEP 440, with the parser's message; their releases are not queryable.
    pub fn unparseable_versions(&self) -> &[Parsed<Version>] {
        &self.decoded().unparseable_versions
    }

    /// Decodes the releases now rather than on the first query (for measuring, and for tools that want every
    /// package in memory).
    pub fn decode(&self) {
        self.decoded();
    }

    fn decoded(&self) -> &Decoded {
        self.decoded.get_or_init(|| {
            let body = self.body_ref();
            let mut releases = Vec::with_capacity(body.releases.len());
            let mut unparseable_versions = Vec::new();
            for entry in body.releases {
                let version = Parsed::<Version>::version(entry.version);
                match version.value() {
                    Some(parsed) => releases.push(Release::new(parsed.clone(), entry)),
                    None => unparseable_versions.push(version),
                }
            }
            // The source form is sorted already (an integrity test checks it); sorting again keeps `release` correct
            // whatever the data. The sort is stable, so duplicates keep their order.
            releases.sort_by(|a, b| a.version.cmp(&b.version));
            let earlier = body
                .earlier
                .iter()
                .filter_map(|version| Version::from_str(version).ok())
                .collect();
            Box::new(Decoded {
                releases,
                unparseable_versions,
                earlier,
                held_from: body
                    .held_from
                    .and_then(|version| Version::from_str(version).ok()),
            })
        })
    }
}

/// The series of `version`: its release numbers but the last (`2.4` of `2.4.5`), the first of one with a single
/// number.
pub fn series(version: &Version) -> &[u64] {
    let release = version.release();
    &release[..release.len().saturating_sub(1).max(1)]
}

/// The specifier of `specifiers` that pins: `==`, `===`, or a wildcard `==X.*`.
pub fn pin(specifiers: &VersionSpecifiers) -> Option<&pep440_rs::VersionSpecifier> {
    specifiers.iter().find(|specifier| {
        matches!(
            specifier.operator(),
            pep440_rs::Operator::Equal
                | pep440_rs::Operator::EqualStar
                | pep440_rs::Operator::ExactEqual
        )
    })
}

/// The one version `specifiers` pin (`==` or `===`; not a wildcard, which names a series).
pub fn pinned_version(specifiers: &VersionSpecifiers) -> Option<&Version> {
    pin(specifiers)
        .filter(|specifier| specifier.operator() != &pep440_rs::Operator::EqualStar)
        .map(pep440_rs::VersionSpecifier::version)
}

/// What the index can tell of a requirement on a package it holds ([`Package::coverage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Coverage {
    /// Its releases judge it: some release is admitted, or none is and the solve shows the conflict (a range such
    /// as `>1.26.4, <2.0` that admits no release).
    Indexed,
    /// It admits only releases older than the index's history ([`Package::predates_history`]).
    Predates,
    /// It admits no release the index holds, only versions newer than the newest it holds: releases uploaded
    /// after the index's snapshot, perhaps (`numpy==2.6.0`).
    PastSnapshot,
    /// It pins a version that no release has, although one would lie within what the index holds
    /// (`numpy==1.26.5`, between 1.26.4 and 2.0.0).
    NoSuchRelease,
    /// It pins a pre-release that the index does not hold: the index holds the pre-releases a requirement it read
    /// asked for, not all.
    PrereleaseNotHeld,
}

/// One release of a package: all files sharing a version.
#[derive(Debug)]
pub struct Release {
    version: Version,
    raw_version: &'static str,
    uploaded: Option<UploadTime>,
    yanked: Option<&'static str>,
    prerelease: bool,
    kind: ReleaseKind,
    /// The Python tags of every platform's wheels, platform after platform.
    wheel_tags: Vec<WheelPython>,
    /// For each platform (by `Platform as usize`), the range of `wheel_tags` holding its tags; empty without any.
    wheel_ranges: [(u16, u16); Platform::ALL.len()],
    /// The platforms with wheels, in platform order: the first `wheel_platform_count` entries.
    wheel_platforms: [Platform; Platform::ALL.len()],
    wheel_platform_count: u8,
    metadata: Vec<Metadata>,
    build: Option<BuildRef<'static>>,
    build_agrees_on: Vec<Platform>,
    platform_builds: Vec<(Platform, BuildRef<'static>)>,
    removed_api: Vec<ApiUseRef<'static>>,
}

impl Release {
    fn new(version: Version, entry: ReleaseRef<'static>) -> Self {
        let mut wheel_ranges = [(0, 0); Platform::ALL.len()];
        let mut wheel_platforms = Platform::ALL;
        let mut wheel_platform_count = 0;
        for (platform, range) in &entry.wheels {
            // A release has a few dozen tags; past `u16::MAX` the range would only come out empty.
            let bound = |at: usize| u16::try_from(at).unwrap_or(u16::MAX);
            wheel_ranges[*platform as usize] = (bound(range.start), bound(range.end));
        }
        for platform in Platform::ALL {
            let (start, end) = wheel_ranges[platform as usize];
            if start < end {
                wheel_platforms[wheel_platform_count] = platform;
                wheel_platform_count += 1;
            }
        }
        Self {
            version,
            raw_version: entry.version,
            uploaded: entry.uploaded,
            yanked: entry.yanked,
            prerelease: entry.prerelease,
            kind: entry.kind,
            wheel_tags: entry
                .wheel_tags
                .into_iter()
                .map(WheelPython::parse)
                .collect(),
            wheel_ranges,
            wheel_platforms,
            // At most `Platform::ALL.len()`.
            wheel_platform_count: wheel_platform_count as u8,
            metadata: entry.metadata.into_iter().map(Metadata::new).collect(),
            build: entry.build,
            build_agrees_on: entry.build_agrees_on,
            platform_builds: entry.platform_builds,
            removed_api: entry.removed_api,
        }
    }

    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The version as PyPI lists it (`1.19.0rc1`, not normalized).
    pub fn raw_version(&self) -> &str {
        self.raw_version
    }

    /// The earliest upload time of the release's files; `None` when the package index gave none.
    pub fn uploaded(&self) -> Option<UploadTime> {
        self.uploaded
    }

    /// The date part of [`Release::uploaded`]: `2021-05-13` (empty when unknown).
    pub fn upload_date(&self) -> String {
        self.uploaded.map(UploadTime::date).unwrap_or_default()
    }

    /// The yank reason (possibly empty) when every file of the release is yanked (PEP 592).
    pub fn yanked(&self) -> Option<&str> {
        self.yanked
    }

    pub fn is_yanked(&self) -> bool {
        self.yanked.is_some()
    }

    /// A pre-release or development release (PEP 440).
    pub fn is_prerelease(&self) -> bool {
        self.prerelease
    }

    pub fn kind(&self) -> ReleaseKind {
        self.kind
    }

    /// The binary wheels by platform, in platform order; platforms without wheels are absent.
    pub fn wheels(&self) -> impl ExactSizeIterator<Item = (Platform, &[WheelPython])> {
        self.wheel_platforms[..usize::from(self.wheel_platform_count)]
            .iter()
            .map(|&platform| (platform, self.wheel_pythons(platform)))
    }

    /// The Python tags of the binary wheels for `platform`; empty without any.
    pub fn wheel_pythons(&self, platform: Platform) -> &[WheelPython] {
        let (start, end) = self.wheel_ranges[platform as usize];
        self.wheel_tags
            .get(usize::from(start)..usize::from(end))
            .unwrap_or_default()
    }

    /// Whether a binary wheel for `platform` installs on CPython `python`: `cpXY` exactly, `cpXY-abi3` from X.Y on
    /// (same major), `py3` on any 3.x. Pure and source-only releases have no binary wheels: ask [`Release::kind`].
    pub fn has_wheel(&self, python: PythonVersion, platform: Platform) -> bool {
        self.wheel_pythons(platform)
            .iter()
            .any(|tag| tag.supports(python))
    }

    /// The CPython versions the binary wheels for `platform` cover, for messages such as "wheels for CPython
    /// 3.6-3.9 only"; `None` without a wheel of a recognized tag.
    pub fn wheel_python_range(&self, platform: Platform) -> Option<WheelPythonRange> {
        WheelPythonRange::of(self.wheel_pythons(platform))
    }

    /// What the sync read in the release's binaries about the NumPy they were compiled against; `None` when it
    /// read nothing decisive (or the release has no CPython-specific wheel). See [`crate::runtime`] for what it
    /// implies.
    pub fn build_scan(&self) -> Option<&BuildRef<'static>> {
        self.build.as_ref()
    }

    /// The build scan that speaks for `platform`'s wheels: the platform's own when it read otherwise than
    /// [`Release::build_scan`], else that one (which was read on the first platform with a wheel, and on the
    /// platforms of [`Release::build_agrees_on`] too).
    pub fn build_scan_on(&self, platform: Platform) -> Option<&BuildRef<'static>> {
        self.platform_builds
            .iter()
            .find(|(other, _)| *other == platform)
            .map(|(_, build)| build)
            .or(self.build.as_ref())
    }

    /// The other platforms whose wheel the sync read too, and found built as [`Release::build_scan`] says (the
    /// same NumPy, the same floor). Only a release built against NumPy's C API is read on every platform.
    pub fn build_agrees_on(&self) -> &[Platform] {
        &self.build_agrees_on
    }

    /// The platforms whose wheel the sync found built otherwise than [`Release::build_scan`] says, with their scan.
    pub fn platform_builds(&self) -> &[(Platform, BuildRef<'static>)] {
        &self.platform_builds
    }

    /// Removed NumPy names the sync found in the release's Python code, one entry per name and scope.
    pub fn removed_api(&self) -> &[ApiUseRef<'static>] {
        &self.removed_api
    }

    /// Every metadata variant, as recorded (usually one).
    pub fn metadata(&self) -> &[Metadata] {
        &self.metadata
    }

    /// The metadata that applies when installing on `platform`: the variant read from that platform's wheel, else
    /// the pure wheel's (`any`), else the source distribution's (`sdist`). `None` when the release has none of
    /// these, such as a binary release without a wheel for the platform and without an sdist.
    pub fn metadata_for(&self, platform: Platform) -> Option<&Metadata> {
        let find = |wanted: &AppliesTo| {
            self.metadata
                .iter()
                .find(|variant| variant.applies_to.contains(wanted))
        };
        find(&AppliesTo::Platform(platform))
            .or_else(|| find(&AppliesTo::Any))
            .or_else(|| find(&AppliesTo::Sdist))
    }

    /// `Requires-Python` of the metadata that applies on `platform`; `None` when it states none.
    pub fn requires_python(&self, platform: Platform) -> Option<&Parsed<VersionSpecifiers>> {
        self.metadata_for(platform)?.requires_python()
    }

    /// `Requires-Dist` of the metadata that applies on `platform` (only entries naming indexed packages).
    pub fn requires_dist(&self, platform: Platform) -> &[Parsed<Requirement>] {
        self.metadata_for(platform)
            .map_or(&[], Metadata::requires_dist)
    }

    /// What this release requires of `name` on `target` with `extras` active: the combined specifiers of every
    /// `Requires-Dist` entry naming it whose marker holds. `None` when no entry applies; empty specifiers when one
    /// applies without a version bound. Entries that do not parse are not considered (see
    /// [`Release::requires_dist`] to report them).
    pub fn requirement_on(
        &self,
        name: &PackageName,
        target: Target,
        extras: &[ExtraName],
    ) -> Option<VersionSpecifiers> {
        let metadata = self.metadata_for(target.platform)?;
        metadata.requirement_on(name, &target.marker_environment(), extras)
    }

    /// What this release requires of `numpy` on `target`, with no extras active: see [`Release::requirement_on`].
    pub fn numpy_requirement(&self, target: Target) -> Option<VersionSpecifiers> {
        self.requirement_on(&NUMPY, target, &[])
    }
}

/// One variant of a release's core metadata, and where it was read.
#[derive(Debug)]
pub struct Metadata {
    applies_to: Vec<AppliesTo>,
    file: FileName<'static>,
    via: MetadataSource,
    requires_python_raw: Option<&'static str>,
    requires_dist_raw: Vec<&'static str>,
    requires_python: OnceLock<Option<Parsed<VersionSpecifiers>>>,
    requires_dist: OnceLock<Vec<Parsed<Requirement>>>,
}

impl Metadata {
    fn new(variant: VariantRef<'static>) -> Self {
        Self {
            applies_to: variant
                .applies_to
                .into_iter()
                .map(AppliesTo::parse)
                .collect(),
            file: variant.file,
            via: variant.via,
            requires_python_raw: variant.requires_python,
            requires_dist_raw: variant.requires_dist,
            requires_python: OnceLock::new(),
            requires_dist: OnceLock::new(),
        }
    }

    /// The files this variant describes.
    pub fn applies_to(&self) -> &[AppliesTo] {
        &self.applies_to
    }

    /// The file the metadata was read from.
    pub fn file(&self) -> FileName<'static> {
        self.file
    }

    /// How the metadata was read.
    pub fn via(&self) -> MetadataSource {
        self.via
    }

    /// `Requires-Python`, parsed on first use; `None` when the metadata states none.
    pub fn requires_python(&self) -> Option<&Parsed<VersionSpecifiers>> {
        self.requires_python
            .get_or_init(|| self.requires_python_raw.map(Parsed::specifiers))
            .as_ref()
    }

    /// `Requires-Dist` entries naming indexed packages, in metadata order, parsed on first use.
    pub fn requires_dist(&self) -> &[Parsed<Requirement>] {
        self.requires_dist.get_or_init(|| {
            self.requires_dist_raw
                .iter()
                .map(|&raw| Parsed::requirement(raw))
                .collect()
        })
    }

    /// See [`Release::requirement_on`].
    pub fn requirement_on(
        &self,
        name: &PackageName,
        markers: &MarkerEnvironment,
        extras: &[ExtraName],
    ) -> Option<VersionSpecifiers> {
        let mut applies = false;
        let mut specifiers = Vec::new();
        for requirement in self.requires_dist().iter().filter_map(Parsed::value) {
            if requirement.name != *name
                || !requirement
                    .marker
                    .evaluate_reporter(markers, extras, &mut |_, _| {})
            {
                continue;
            }
            applies = true;
            if let Some(VersionOrUrl::VersionSpecifier(bounds)) = &requirement.version_or_url {
                specifiers.extend(bounds.iter().cloned());
            }
        }
        applies.then(|| specifiers.into_iter().collect())
    }
}

impl ReleaseKind {
    /// The kebab-case name of the source form: `binary`, `pure`, `sdist-only`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReleaseKind::Binary => "binary",
            ReleaseKind::Pure => "pure",
            ReleaseKind::SdistOnly => "sdist-only",
        }
    }
}

impl fmt::Display for ReleaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl MetadataSource {
    /// The kebab-case name of the source form: `metadata-file`, `wheel-range`, `sdist-pkg-info`, `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetadataSource::MetadataFile => "metadata-file",
            MetadataSource::WheelRange => "wheel-range",
            MetadataSource::SdistPkgInfo => "sdist-pkg-info",
            MetadataSource::Unknown => "unknown",
        }
    }
}

impl fmt::Display for MetadataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Which files a metadata variant describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppliesTo {
    /// The wheels for one tracked platform.
    Platform(Platform),
    /// The pure-Python wheel.
    Any,
    /// The source distribution.
    Sdist,
    /// A value of another form, kept verbatim (the integrity tests report it).
    Unrecognized(Box<str>),
}

impl AppliesTo {
    fn parse(s: &str) -> Self {
        match s {
            "any" => AppliesTo::Any,
            "sdist" => AppliesTo::Sdist,
            _ => s
                .parse()
                .map_or_else(|_| AppliesTo::Unrecognized(s.into()), AppliesTo::Platform),
        }
    }
}

impl fmt::Display for AppliesTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppliesTo::Platform(platform) => f.pad(platform.as_str()),
            AppliesTo::Any => f.pad("any"),
            AppliesTo::Sdist => f.pad("sdist"),
            AppliesTo::Unrecognized(s) => f.pad(s),
        }
    }
}

/// The Python part of a binary wheel's tags, as the source form records it.
///
/// Ordered as the source form sorts them: `py3` first, then by CPython version, a version's `cpXY` before its
/// `cpXY-abi3`; unrecognized tags last.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WheelPython {
    /// `cp39`: CPython 3.9 only.
    CPython(PythonVersion),
    /// `cp38-abi3`: the stable ABI, CPython 3.8 and every later 3.x.
    Abi3(PythonVersion),
    /// `py3`: any CPython 3 (a Python-generic wheel that is still platform-specific).
    Python3,
    /// A tag of another form, kept verbatim (the integrity tests report it); it matches no Python.
    Unrecognized(Box<str>),
}

impl WheelPython {
    pub fn parse(tag: &str) -> Self {
        let cpython = |s: &str| {
            s.strip_prefix("cp")
                .filter(|digits| digits.len() >= 2 && digits.starts_with('3'))
                .and_then(|_| s.parse::<PythonVersion>().ok())
        };
        if tag == "py3" {
            WheelPython::Python3
        } else if let Some(python) = tag.strip_suffix("-abi3").and_then(cpython) {
            WheelPython::Abi3(python)
        } else if let Some(python) = cpython(tag) {
            WheelPython::CPython(python)
        } else {
            WheelPython::Unrecognized(tag.into())
        }
    }

    /// Whether a wheel with this tag installs on CPython `python`.
    pub fn supports(&self, python: PythonVersion) -> bool {
        match self {
            WheelPython::CPython(version) => *version == python,
            WheelPython::Abi3(minimum) => minimum.major == python.major && *minimum <= python,
            WheelPython::Python3 => python.major == 3,
            WheelPython::Unrecognized(_) => false,
        }
    }
}

impl WheelPython {
    fn sort_key(&self) -> (u8, Option<PythonVersion>, &str) {
        match self {
            WheelPython::Python3 => (0, None, ""),
            WheelPython::CPython(python) => (1, Some(*python), ""),
            WheelPython::Abi3(python) => (1, Some(*python), "abi3"),
            WheelPython::Unrecognized(tag) => (2, None, tag),
        }
    }
}

impl Ord for WheelPython {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for WheelPython {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for WheelPython {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WheelPython::CPython(python) => f.pad(&python.cpython_tag()),
            WheelPython::Abi3(python) => f.pad(&format!("{}-abi3", python.cpython_tag())),
            WheelPython::Python3 => f.pad("py3"),
            WheelPython::Unrecognized(tag) => f.pad(tag),
        }
    }
}

/// The CPython versions a platform's binary wheels cover, summarised for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WheelPythonRange {
    /// Version-specific wheels from the first to the second version (equal for a single version). Versions in
    /// between may be missing: [`Release::has_wheel`] answers exactly.
    Between(PythonVersion, PythonVersion),
    /// A stable-ABI wheel: this version and every later 3.x.
    From(PythonVersion),
    /// A `py3` wheel: any CPython 3.
    AnyPython3,
}

impl WheelPythonRange {
    fn of(tags: &[WheelPython]) -> Option<Self> {
        if tags.contains(&WheelPython::Python3) {
            return Some(WheelPythonRange::AnyPython3);
        }
        let versions = tags.iter().filter_map(|tag| match tag {
            WheelPython::CPython(python) | WheelPython::Abi3(python) => Some(*python),
            _ => None,
        });
        let lowest = versions.clone().min()?;
        if tags.iter().any(|tag| matches!(tag, WheelPython::Abi3(_))) {
            return Some(WheelPythonRange::From(lowest));
        }
        Some(WheelPythonRange::Between(lowest, versions.max()?))
    }
}

impl fmt::Display for WheelPythonRange {
    /// `3.6-3.9`, `3.9`, `3.8+`, `3.x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            WheelPythonRange::Between(low, high) if low == high => low.to_string(),
            WheelPythonRange::Between(low, high) => format!("{low}-{high}"),
            WheelPythonRange::From(low) => format!("{low}+"),
            WheelPythonRange::AnyPython3 => "3.x".to_owned(),
        };
        f.pad(&text)
    }
}
