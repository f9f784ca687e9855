//! `nplint index show` and `nplint index stats`: what the embedded package index knows, for people and tools.
//!
//! The JSON shapes are documented in `docs/index.md`; both carry `schema_version`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::OnceLock;

use anyhow::{Context, bail};
use nplint_index::{Index, Metadata, Package, PackageName, Platform, Release, Version};
use serde::Serialize;

use crate::Status;
use crate::args::{DataFormat, IndexShowArgs, IndexStatsArgs};

/// The version of the JSON documents `nplint index` prints.
const SCHEMA_VERSION: u32 = 1;

/// `0.1.0 (index of 2026-11-20)`: the tool's version and the date its package data is current to.
pub(crate) fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let snapshot = Index::embedded().snapshot();
        let date = snapshot.newest_upload_date();
        if date.is_empty() {
            format!("{} (no package index)", env!("CARGO_PKG_VERSION"))
        } else {
            format!("{} (package index of {date})", env!("CARGO_PKG_VERSION"))
        }
    })
}

#[derive(Serialize)]
struct ShowDocument<'a> {
    schema_version: u32,
    name: String,
    /// The indexed package whose dependency brought this one into the index; `null` for a listed package.
    added_by: Option<&'a str>,
    releases: Vec<ReleaseJson<'a>>,
}

#[derive(Serialize)]
struct ReleaseJson<'a> {
    version: &'a str,
    uploaded: &'a str,
    yanked: Option<&'a str>,
    prerelease: bool,
    kind: String,
    wheels: BTreeMap<&'static str, Vec<String>>,
    metadata: Vec<MetadataJson<'a>>,
}

#[derive(Serialize)]
struct MetadataJson<'a> {
    applies_to: Vec<String>,
    file: &'a str,
    via: String,
    requires_python: Option<&'static str>,
    requires_dist: Vec<&'static str>,
}

fn release_json(release: &Release) -> ReleaseJson<'_> {
    ReleaseJson {
        version: release.raw_version(),
        uploaded: release.uploaded(),
        yanked: release.yanked(),
        prerelease: release.is_prerelease(),
        kind: release.kind().to_string(),
        wheels: release
            .wheels()
            .map(|(platform, tags)| {
                (
                    platform.as_str(),
                    tags.iter().map(ToString::to_string).collect(),
                )
            })
            .collect(),
        metadata: release.metadata().iter().map(metadata_json).collect(),
    }
}

fn metadata_json(metadata: &Metadata) -> MetadataJson<'_> {
    MetadataJson {
        applies_to: metadata
            .applies_to()
            .iter()
            .map(ToString::to_string)
            .collect(),
        file: metadata.file(),
        via: metadata.via().to_string(),
        requires_python: metadata.requires_python().map(nplint_index::Parsed::raw),
        requires_dist: metadata
            .requires_dist()
            .iter()
            .map(nplint_index::Parsed::raw)
            .collect(),
    }
}

/// `NAME` or `NAME==VERSION`.
fn parse_query(query: &str) -> anyhow::Result<(PackageName, Option<Version>)> {
    let (name, version) = match query.split_once("==") {
        Some((name, version)) => (name.trim(), Some(version.trim())),
        None => (query.trim(), None),
    };
    let name = PackageName::new(name.to_owned())
        .with_context(|| format!("`{name}` is not a package name"))?;
    let version = version
        .map(|version| {
            version
                .parse::<Version>()
                .with_context(|| format!("`{version}` is not a version"))
        })
        .transpose()?;
    Ok((name, version))
}

pub(crate) fn show(args: &IndexShowArgs) -> anyhow::Result<Status> {
    let (name, version) = parse_query(&args.package)?;
    let index = Index::embedded();
    let Some(package) = index.package(&name) else {
        bail!("`{name}` is not in the package index; `nplint index stats` tells what it holds");
    };
    let releases: Vec<&Release> = match &version {
        Some(version) => match package.release(version) {
            Some(release) => vec![release],
            None => bail!("`{name}` has no release `{version}` in the package index"),
        },
        None => package.releases().iter().collect(),
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        DataFormat::Json => {
            let document = ShowDocument {
                schema_version: SCHEMA_VERSION,
                name: package.name().to_string(),
                added_by: package.added_by(),
                releases: releases.into_iter().map(release_json).collect(),
            };
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        DataFormat::Text if version.is_some() => {
            write!(stdout, "{}", release_text(package, releases[0]))?;
        }
        DataFormat::Text => write!(stdout, "{}", releases_text(package, &releases))?,
    }
    Ok(Status::Clean)
}

fn release_text(package: &Package, release: &Release) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", package.name(), release.raw_version());
    let _ = writeln!(out, "  uploaded: {}", release.uploaded());
    if let Some(reason) = release.yanked() {
        let _ = writeln!(
            out,
            "  yanked: {}",
            if reason.is_empty() { "yes" } else { reason }
        );
    }
    if release.is_prerelease() {
        let _ = writeln!(out, "  pre-release");
    }
    let _ = writeln!(out, "  kind: {}", release.kind());
    if release.wheels().len() > 0 {
        let _ = writeln!(out, "  wheels:");
        for (platform, tags) in release.wheels() {
            let range = release
                .wheel_python_range(platform)
                .map(|range| format!(" (CPython {range})"));
            let tags: Vec<String> = tags.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "    {:<15} {}{}",
                platform.as_str(),
                tags.join(" "),
                range.unwrap_or_default()
            );
        }
    }
    for metadata in release.metadata() {
        let applies: Vec<String> = metadata
            .applies_to()
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(out, "  metadata for {}:", applies.join(", "));
        let _ = writeln!(out, "    from: {} ({})", metadata.file(), metadata.via());
        let _ = writeln!(
            out,
            "    requires-python: {}",
            metadata
                .requires_python()
                .map_or("(none)", |specifiers| specifiers.raw())
        );
        if metadata.requires_dist().is_empty() {
            let _ = writeln!(out, "    requires-dist: (none in the index)");
        } else {
            let _ = writeln!(out, "    requires-dist (indexed packages only):");
            for requirement in metadata.requires_dist() {
                // The normalized form reads uniformly; the verbatim text, when it differs, is what the file says.
                match requirement.value().map(ToString::to_string) {
                    Some(normalized) if normalized != requirement.raw() => {
                        let _ = writeln!(
                            out,
                            "      {normalized}    (as written: {})",
                            requirement.raw()
                        );
                    }
                    Some(normalized) => {
                        let _ = writeln!(out, "      {normalized}");
                    }
                    None => {
                        let _ = writeln!(out, "      {}    (not valid PEP 508)", requirement.raw());
                    }
                }
            }
        }
    }
    out
}

/// One line per release: version, date, kind, `Requires-Python`, the NumPy requirement and the wheels' CPython
/// range, both as on linux x86_64.
fn releases_text(package: &Package, releases: &[&Release]) -> String {
    let platform = Platform::LinuxX86_64;
    let mut out = String::new();
    let origin = package
        .added_by()
        .map(|by| format!(", added as a dependency of `{by}`"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}: {} releases{origin}",
        package.name(),
        releases.len()
    );
    let _ = writeln!(
        out,
        "{:<16} {:<10} {:<10} {:<18} {:<28} wheels (linux-x86_64)",
        "version", "uploaded", "kind", "requires-python", "numpy (linux-x86_64)"
    );
    for release in releases {
        let metadata = release.metadata_for(platform);
        let requires_python = metadata
            .and_then(Metadata::requires_python)
            .map_or("", |specifiers| specifiers.raw());
        let numpy: Vec<&str> = metadata
            .map(|metadata| {
                metadata
                    .requires_dist()
                    .iter()
                    .filter(|requirement| {
                        requirement
                            .value()
                            .is_some_and(|r| r.name.as_ref() == "numpy")
                    })
                    .map(|requirement| requirement.raw().trim_start_matches("numpy").trim())
                    .collect()
            })
            .unwrap_or_default();
        let wheels = release
            .wheel_python_range(platform)
            .map(|range| range.to_string())
            .unwrap_or_default();
        let mut version = release.raw_version().to_owned();
        if release.is_yanked() {
            version.push_str(" (yanked)");
        }
        let line = format!(
            "{version:<16} {:<10} {:<10} {requires_python:<18} {:<28} {wheels}",
            release.upload_date(),
            release.kind().to_string(),
            numpy.join(" | ")
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

#[derive(Serialize)]
struct StatsDocument<'a> {
    schema_version: u32,
    /// The newest upload time of any file in the index: the date the data is current to.
    snapshot: &'a str,
    packages: usize,
    /// Packages added because a listed package depends on them and they depend on NumPy.
    added_by_closure: usize,
    releases: usize,
    prereleases: usize,
    numpy: NumpyStats,
    /// The size of the index embedded in the binary.
    embedded_bytes: usize,
}

#[derive(Serialize)]
struct NumpyStats {
    releases: usize,
    oldest: Option<String>,
    newest: Option<String>,
}

pub(crate) fn stats(args: &IndexStatsArgs) -> anyhow::Result<Status> {
    let index = Index::embedded();
    let mut releases = 0;
    let mut prereleases = 0;
    for package in index.packages() {
        releases += package.releases().len();
        prereleases += package
            .releases()
            .iter()
            .filter(|release| release.is_prerelease())
            .count();
    }
    let numpy =
        index.package(&PackageName::new("numpy".to_owned()).expect("`numpy` is a valid name"));
    let numpy_releases = numpy.map(Package::releases).unwrap_or_default();
    let numpy = NumpyStats {
        releases: numpy_releases.len(),
        oldest: numpy_releases
            .first()
            .map(|release| release.raw_version().to_owned()),
        newest: numpy_releases
            .iter()
            .rev()
            .find(|release| !release.is_prerelease())
            .map(|release| release.raw_version().to_owned()),
    };
    let document = StatsDocument {
        schema_version: SCHEMA_VERSION,
        snapshot: index.snapshot().newest_upload(),
        packages: index.packages().len(),
        added_by_closure: index
            .packages()
            .iter()
            .filter(|package| package.added_by().is_some())
            .count(),
        releases,
        prereleases,
        numpy,
        embedded_bytes: nplint_index::embedded_size(),
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        DataFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        DataFormat::Text => {
            writeln!(stdout, "snapshot:  {}", document.snapshot)?;
            writeln!(
                stdout,
                "packages:  {} ({} added as dependencies of listed packages)",
                document.packages, document.added_by_closure
            )?;
            writeln!(
                stdout,
                "releases:  {} ({} pre-releases)",
                document.releases, document.prereleases
            )?;
            writeln!(
                stdout,
                "numpy:     {} releases, {} to {}",
                document.numpy.releases,
                document.numpy.oldest.as_deref().unwrap_or("-"),
                document.numpy.newest.as_deref().unwrap_or("-")
            )?;
            writeln!(stdout, "embedded:  {} bytes", document.embedded_bytes)?;
        }
    }
    Ok(Status::Clean)
}
