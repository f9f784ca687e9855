//! The NumPy bounds that conda-forge's repodata patches add to conda packages (`data/conda-forge-numpy-bounds.toml`,
//! extracted by `cargo xtask index conda-patches` with its provenance).
//!
//! conda installs what a channel's repodata says, and conda-forge rewrites the repodata of packages already published
//! when their dependencies turn out wrong: pandas<2.2.2 and about forty other packages built before NumPy 2 got
//! `numpy<2` added this way. A solve of a package installed from conda applies these bounds to it
//! ([`CondaBound::covers`]); a package installed from PyPI keeps its wheel's metadata.

use std::str::FromStr;
use std::sync::OnceLock;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use serde::Deserialize;
use version_ranges::Ranges;

use crate::Release;
use crate::compact::UploadTime;
use crate::runtime::{leak, normalized_package};

static BOUNDS_TOML: &str = include_str!("../data/conda-forge-numpy-bounds.toml");

/// Where the bounds come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub repository: &'static str,
    pub commit: &'static str,
    /// The commit's date.
    pub date: &'static str,
    pub license: &'static str,
    /// The licence's copyright line, which travels with the data.
    pub copyright: &'static str,
    /// The patch files read, inside the repository.
    pub files: &'static str,
}

/// One patch's bound on NumPy for some versions of one package.
#[derive(Debug, Clone)]
pub struct CondaBound {
    /// The PyPI name of the conda package.
    pub package: PackageName,
    /// The conda name the patch is written for.
    pub conda: &'static str,
    pub versions: VersionSpecifiers,
    /// [`CondaBound::versions`] as the data file writes it (empty for every version).
    pub versions_text: &'static str,
    /// What the patch adds to the package's NumPy requirement.
    pub numpy: VersionSpecifiers,
    /// [`CondaBound::numpy`] as the data file writes it.
    pub numpy_text: &'static str,
    /// The patch covers builds uploaded before this time (RFC 3339, UTC) only.
    pub uploaded_before: Option<&'static str>,
    /// Conditions of the patch on a build's other dependencies, verbatim, which nplint does not evaluate.
    pub conditions: Vec<&'static str>,
    /// The patch file, inside [`Source::repository`].
    pub patch: &'static str,
}

impl CondaBound {
    /// Whether the patch covers the conda builds of `release` (of [`CondaBound::package`]).
    ///
    /// A patch limited to builds uploaded before a time covers a release uploaded to PyPI before it: conda-forge
    /// builds a release after its upload, so a release uploaded later has no build the patch covers. (A release
    /// uploaded before but built for conda-forge only after the time is taken as covered: the data says nothing
    /// of single builds.)
    pub fn covers(&self, release: &Release) -> bool {
        self.versions.contains(release.version())
            && self.uploaded_before.is_none_or(|before| {
                release.uploaded().is_some_and(|uploaded| {
                    UploadTime::parse(before).is_some_and(|before| uploaded < before)
                })
            })
    }

    /// The NumPy versions the patched builds accept.
    pub fn works(&self) -> Ranges<Version> {
        Ranges::from(self.numpy.clone())
    }

    /// The patch file's name: `numpy2_known_lower_bound.yaml`.
    pub fn patch_name(&self) -> &'static str {
        self.patch.rsplit('/').next().unwrap_or(self.patch)
    }
}

/// The source of the embedded bounds.
///
/// # Panics
///
/// Only if the embedded data file is invalid, which the tests of this module rule out.
pub fn source() -> &'static Source {
    &embedded().0
}

/// Every embedded bound, sorted by package.
///
/// # Panics
///
/// Only if the embedded data file is invalid, which the tests of this module rule out.
pub fn bounds() -> &'static [CondaBound] {
    &embedded().1
}

/// The bounds on `package` (by its PyPI name), with their positions in [`bounds`] (stable for a build, which makes
/// them keys).
pub fn bounds_for(package: &PackageName) -> impl Iterator<Item = (usize, &'static CondaBound)> {
    let all = bounds();
    let start = all.partition_point(|bound| bound.package < *package);
    all[start..]
        .iter()
        .take_while(move |bound| bound.package == *package)
        .enumerate()
        .map(move |(offset, bound)| (start + offset, bound))
}

fn embedded() -> &'static (Source, Vec<CondaBound>) {
    static EMBEDDED: OnceLock<(Source, Vec<CondaBound>)> = OnceLock::new();
    EMBEDDED.get_or_init(|| {
        // Invariant: the embedded file is checked by `embedded_bounds_are_valid`.
        parse(BOUNDS_TOML)
            .unwrap_or_else(|error| panic!("data/conda-forge-numpy-bounds.toml: {error}"))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    source: SourceEntry,
    #[serde(default)]
    bound: Vec<BoundEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    repository: String,
    commit: String,
    date: String,
    license: String,
    copyright: String,
    files: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BoundEntry {
    package: String,
    conda: String,
    versions: String,
    numpy: String,
    uploaded_before: Option<String>,
    #[serde(default)]
    conditions: Vec<String>,
    patch: String,
}

/// Parses a bounds file, checking every value; the error names the entry. The bounds must be sorted by package.
pub fn parse(text: &str) -> Result<(Source, Vec<CondaBound>), String> {
    let file: File = toml::from_str(text).map_err(|error| error.to_string())?;
    let source = Source {
        repository: leak(file.source.repository),
        commit: leak(file.source.commit),
        date: leak(file.source.date),
        license: leak(file.source.license),
        copyright: leak(file.source.copyright),
        files: leak(file.source.files),
    };
    let bounds = file
        .bound
        .into_iter()
        .enumerate()
        .map(|(at, entry)| {
            let context = |what: &str, error: &dyn std::fmt::Display| {
                format!("bound {} (`{}`): {what}: {error}", at + 1, entry.package)
            };
            let package =
                normalized_package(&entry.package).map_err(|error| context("package", &error))?;
            let versions = VersionSpecifiers::from_str(&entry.versions)
                .map_err(|error| context("versions", &error))?;
            let numpy = VersionSpecifiers::from_str(&entry.numpy)
                .map_err(|error| context("numpy", &error))?;
            if numpy.is_empty() {
                return Err(context("numpy", &"empty"));
            }
            if let Some(time) = &entry.uploaded_before
                && !(time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T')
            {
                return Err(context(
                    "uploaded-before",
                    &"not RFC 3339 UTC to the second",
                ));
            }
            Ok(CondaBound {
                package,
                conda: leak(entry.conda),
                versions,
                versions_text: leak(entry.versions),
                numpy,
                numpy_text: leak(entry.numpy),
                uploaded_before: entry.uploaded_before.map(leak),
                conditions: entry.conditions.into_iter().map(leak).collect(),
                patch: leak(entry.patch),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if !bounds.is_sorted_by(|a, b| a.package <= b.package) {
        return Err("bounds are not sorted by package".to_owned());
    }
    Ok((source, bounds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Index;

    fn release(name: &str, version: &str) -> &'static Release {
        let package = Index::embedded()
            .package(&PackageName::from_str(name).unwrap())
            .unwrap();
        let version = Version::from_str(version).unwrap();
        package
            .releases()
            .iter()
            .find(|release| *release.version() == version)
            .unwrap()
    }

    #[test]
    fn embedded_bounds_are_valid() {
        let (source, bounds) = parse(BOUNDS_TOML).unwrap();
        assert_eq!(source.license, "BSD-3-Clause");
        assert_eq!(source.commit.len(), 40);
        assert!(!bounds.is_empty());
    }

    #[test]
    fn pandas_before_2_2_2_is_bounded_below_numpy_2() {
        let pandas = PackageName::from_str("pandas").unwrap();
        let covering: Vec<_> = bounds_for(&pandas)
            .filter(|(_, bound)| bound.covers(release("pandas", "2.0.3")))
            .collect();
        assert_eq!(covering.len(), 1, "{covering:?}");
        let bound = covering[0].1;
        assert_eq!(bound.patch_name(), "numpy2_known_lower_bound.yaml");
        assert!(!bound.works().contains(&Version::from_str("2.0.0").unwrap()));
        assert!(
            bound
                .works()
                .contains(&Version::from_str("1.26.4").unwrap())
        );
        assert!(!bound.covers(release("pandas", "2.2.2")));
    }

    #[test]
    fn a_bound_limited_to_older_builds_covers_releases_uploaded_before() {
        let text = format!(
            "{}\n[[bound]]\npackage = \"pandas\"\nconda = \"pandas\"\nversions = \"\"\nnumpy = \"<2\"\n\
             uploaded-before = \"2023-07-01T00:00:00Z\"\npatch = \"recipe/patch_yaml/x.yaml\"\n",
            BOUNDS_TOML.split("\n[[bound]]").next().unwrap()
        );
        let (_, bounds) = parse(&text).unwrap();
        // 2.0.3 was uploaded on 2023-06-28, 2.1.0 in August 2023.
        assert!(bounds[0].covers(release("pandas", "2.0.3")));
        assert!(!bounds[0].covers(release("pandas", "2.1.0")));
    }

    #[test]
    fn invalid_entries_are_named() {
        let head = BOUNDS_TOML.split("\n[[bound]]").next().unwrap();
        let bad = format!(
            "{head}\n[[bound]]\npackage = \"Pandas\"\nconda = \"pandas\"\nversions = \"\"\nnumpy = \"<2\"\npatch = \"p\"\n"
        );
        assert!(parse(&bad).unwrap_err().contains("not a normalized name"));
        let bad = format!(
            "{head}\n[[bound]]\npackage = \"pandas\"\nconda = \"pandas\"\nversions = \"<<2\"\nnumpy = \"<2\"\npatch = \"p\"\n"
        );
        assert!(parse(&bad).unwrap_err().contains("versions"));
    }
}
