//! `nplint index show` and `nplint index stats`: what the embedded package index knows, for people and tools.
//!
//! The JSON shapes are documented in `docs/index.md`; both carry `schema_version`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context, bail};
use nplint_index::{
    ApiScope, BuildNumpy, BuildRef, CondaOnly, FileName, Index, LightPackage, Metadata, Names,
    Origin, Package, PackageName, Platform, Release, Version,
};
use serde::Serialize;

use crate::Status;
use crate::args::{DataFormat, IndexShowArgs, IndexStatsArgs};

/// The version of the JSON documents `nplint index` prints.
const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct ShowDocument<'a> {
    schema_version: u32,
    name: String,
    /// The indexed package whose dependency brought this one into the index; `null` for a listed package.
    added_by: Option<&'a str>,
    releases: Vec<ReleaseJson<'a>>,
    /// Without a version asked for: the versions of the releases before the index's history (2017; 1.13 for
    /// NumPy), of which nothing else is known, ascending. Left out when none.
    /// Of a package held from its newest releases on: the newest release of each series before `held_from`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    earlier: Vec<String>,
    /// When the index holds only the newest releases of the package: the oldest version it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    held_from: Option<String>,
}

#[derive(Serialize)]
struct ReleaseJson<'a> {
    version: &'a str,
    /// RFC 3339, UTC; empty when the package index gave no time.
    uploaded: String,
    yanked: Option<&'a str>,
    prerelease: bool,
    kind: String,
    wheels: BTreeMap<&'static str, Vec<String>>,
    metadata: Vec<MetadataJson>,
    /// What the sync read in the release's binaries (the wheel of the first platform with one); `null` when
    /// nothing decisive.
    build: Option<BuildJson>,
    /// The other platforms whose wheel was read too and found built the same (only for a build against NumPy's C
    /// API). Left out when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    build_agrees_on: Vec<&'static str>,
    /// The platforms whose wheel was found built otherwise, with what was read. Left out when none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    platform_builds: BTreeMap<&'static str, BuildJson>,
    removed_api: Vec<ApiUseJson>,
    /// What the release works with once installed, each fact with its evidence.
    runtime_facts: Vec<FactJson>,
}

#[derive(Serialize)]
struct BuildJson {
    /// `1.x`, `2.x`, or `none` (no extension module uses NumPy's C API).
    numpy: &'static str,
    file: FileName<'static>,
    member: Option<&'static str>,
    /// For a `2.x` build, the oldest NumPy its extension modules run on (the lowest floor among them); left out
    /// when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    numpy_floor: Option<&'static str>,
}

#[derive(Serialize)]
struct ApiUseJson {
    name: &'static str,
    /// `import`, `function` or `call`.
    scope: &'static str,
    file: FileName<'static>,
    member: &'static str,
    line: u32,
    count: u32,
    /// For `function`: the function whose body holds the first use.
    #[serde(skip_serializing_if = "Option::is_none")]
    function: Option<&'static str>,
}

#[derive(Serialize)]
struct FactJson {
    /// `abi`, `removed-api` or `known-pitfall`.
    kind: &'static str,
    predicate: String,
    /// PEP 440 specifiers (segments joined with ` | `): the NumPy versions the release works with.
    numpy: String,
    symptom: &'static str,
    /// `binary`, `source`, `curated` or `inferred`.
    evidence: &'static str,
    /// The evidence in words: file and member read, curated id and note, or the inference.
    detail: String,
    references: Vec<&'static str>,
}

#[derive(Serialize)]
struct MetadataJson {
    applies_to: Vec<String>,
    file: FileName<'static>,
    via: String,
    requires_python: Option<&'static str>,
    requires_dist: Vec<&'static str>,
}

fn release_json<'a>(index: &Index, package: &Package, release: &'a Release) -> ReleaseJson<'a> {
    ReleaseJson {
        version: release.raw_version(),
        uploaded: upload_time(release),
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
        build: release.build_scan().map(build_json),
        build_agrees_on: release
            .build_agrees_on()
            .iter()
            .map(|platform| platform.as_str())
            .collect(),
        platform_builds: release
            .platform_builds()
            .iter()
            .map(|(platform, scan)| (platform.as_str(), build_json(scan)))
            .collect(),
        removed_api: release
            .removed_api()
            .iter()
            .map(|api| ApiUseJson {
                name: api.name,
                scope: scope_name(api.scope),
                file: api.file,
                member: api.member,
                line: api.line,
                count: api.count,
                function: api.function,
            })
            .collect(),
        runtime_facts: nplint_index::runtime::facts(index, package, release, None)
            .into_iter()
            .map(|fact| FactJson {
                evidence: fact.evidence.kind(),
                detail: fact.evidence_text(),
                kind: fact.kind.as_str(),
                predicate: fact.predicate,
                numpy: specifiers(&fact.works),
                symptom: fact.symptom,
                references: fact.references,
            })
            .collect(),
    }
}

fn build_json(scan: &BuildRef<'static>) -> BuildJson {
    BuildJson {
        numpy: build_name(scan.numpy),
        file: scan.file,
        member: scan.member,
        numpy_floor: scan.numpy_floor,
    }
}

fn build_name(numpy: BuildNumpy) -> &'static str {
    match numpy {
        BuildNumpy::Numpy1 => "1.x",
        BuildNumpy::Numpy2 => "2.x",
        BuildNumpy::None => "none",
        BuildNumpy::NameOnly => "name-only",
    }
}

fn scope_name(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::Import => "import",
        ApiScope::Call => "call",
        ApiScope::Function => "function",
    }
}

/// A range as PEP 440 specifiers, `any` for every version.
fn specifiers(range: &nplint_solver::Ranges<Version>) -> String {
    let text = nplint_solver::explain::specifiers(range);
    if text.is_empty() {
        "any".to_owned()
    } else {
        text
    }
}

fn metadata_json(metadata: &Metadata) -> MetadataJson {
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

#[derive(Serialize)]
struct LightDocument<'a> {
    schema_version: u32,
    name: &'a str,
    /// `light`: known not to reach NumPy, left out of the solve.
    tier: &'static str,
    /// Its rank among the most-downloaded projects; `null` for a dependency of one.
    rank: Option<u32>,
    newest: &'a str,
    requires_python: Option<&'a str>,
    releases: u32,
    releases_read: u32,
    /// The extras through which it reaches NumPy: a requirement naming one of them is not light.
    numpy_extras: Names,
}

/// `nplint index show NAME` for a project of the light tier: what is known of it, and why it is left out.
fn show_light(light: &LightPackage, format: DataFormat) -> anyhow::Result<Status> {
    let mut stdout = std::io::stdout().lock();
    match format {
        DataFormat::Json => {
            let document = LightDocument {
                schema_version: SCHEMA_VERSION,
                name: light.name,
                tier: "light",
                rank: light.rank,
                newest: light.newest,
                requires_python: (!light.requires_python.is_empty())
                    .then_some(light.requires_python),
                releases: light.releases,
                releases_read: light.read,
                numpy_extras: light.numpy_extras,
            };
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        DataFormat::Text => {
            let popularity = light.rank.map_or_else(
                || "a dependency of one of the most-downloaded projects".to_owned(),
                |rank| format!("the most-downloaded project number {rank}"),
            );
            let read = if light.read == 1 {
                "its newest release".to_owned()
            } else {
                format!(
                    "{} of its {} releases since 2017 (the newest of each minor series)",
                    light.read, light.releases
                )
            };
            let unless = if light.numpy_extras.is_empty() {
                ""
            } else {
                " without its NumPy extras"
            };
            writeln!(
                stdout,
                "{}: not NumPy-related{unless} ({popularity})",
                light.name
            )?;
            writeln!(
                stdout,
                "  read: {read}; none requires numpy, directly or through its dependencies{}",
                if light.numpy_extras.is_empty() {
                    ""
                } else {
                    ", outside the extras below"
                }
            )?;
            let requires_python = if light.requires_python.is_empty() {
                String::new()
            } else {
                format!(" (Requires-Python {})", light.requires_python)
            };
            writeln!(stdout, "  newest: {}{requires_python}", light.newest)?;
            if !light.numpy_extras.is_empty() {
                let extras: Vec<String> = light
                    .numpy_extras
                    .iter()
                    .map(|extra| format!("`{}[{extra}]`", light.name))
                    .collect();
                let (verb, one) = if extras.len() == 1 {
                    ("reaches", "it")
                } else {
                    ("reach", "one")
                };
                writeln!(
                    stdout,
                    "  NumPy extras: {} {verb} numpy; a requirement naming {one} is unknown to this index",
                    extras.join(", ")
                )?;
            }
            writeln!(
                stdout,
                "  a requirement on it is left out of the solve and counted, not reported, by unknown-package"
            )?;
        }
    }
    Ok(Status::Clean)
}

#[derive(Serialize)]
struct CondaOnlyDocument<'a> {
    schema_version: u32,
    /// The conda name, as conda spells it.
    name: &'a str,
    /// `conda-only`: a conda package that installs no Python distribution.
    tier: &'static str,
    channel: &'static str,
    feedstocks: Names,
    /// The PyPI projects that other packages of its feedstocks install.
    builds: Names,
    /// The NumPy-related PyPI project it goes with; `null` when none: it is known not to need NumPy.
    numpy_related: Option<&'a str>,
    /// Where the names come from: repository, part read, commit, date, licence.
    sources: &'a [&'a str],
}

/// `nplint index show NAME` for a conda-only package of conda-forge: what is known of it, and why it is left out.
fn show_conda_only(found: &CondaOnly, format: DataFormat) -> anyhow::Result<Status> {
    let package = found.package;
    let mut stdout = std::io::stdout().lock();
    match format {
        DataFormat::Json => {
            let document = CondaOnlyDocument {
                schema_version: SCHEMA_VERSION,
                name: package.name,
                tier: "conda-only",
                channel: "conda-forge",
                feedstocks: package.feedstocks,
                builds: package.builds,
                numpy_related: found.numpy_related.as_deref(),
                sources: nplint_index::conda_only::sources(),
            };
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        DataFormat::Text => {
            let quoted = |names: Names| -> String {
                names
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match &found.numpy_related {
                None => writeln!(
                    stdout,
                    "{}: conda-only package of conda-forge, not NumPy-related",
                    package.name
                )?,
                Some(project) => writeln!(
                    stdout,
                    "{}: conda-only package of conda-forge, NumPy-related through `{project}`",
                    package.name
                )?,
            }
            let feedstocks: Vec<&str> = package.feedstocks.iter().collect();
            let built = match feedstocks[..] {
                [] => "not in conda-forge's registry of feedstock outputs".to_owned(),
                [one] => format!("built by the `{one}` feedstock"),
                _ => format!("built by the {} feedstocks", quoted(package.feedstocks)),
            };
            let also = if package.builds.is_empty() {
                String::new()
            } else {
                format!(", which also builds {}", quoted(package.builds))
            };
            writeln!(
                stdout,
                "  {built}{also}; no build of it installs a Python distribution"
            )?;
            if found.numpy_related.is_none() {
                writeln!(
                    stdout,
                    "  a conda dependency on it is left out of the solve and counted, not reported, by \
                     unknown-package (a PyPI requirement on it names a project PyPI does not have)"
                )?;
            } else {
                writeln!(
                    stdout,
                    "  nplint does not know what it requires: a conda dependency on it is left out of the solve \
                     and reported by unknown-package"
                )?;
            }
            for source in nplint_index::conda_only::sources() {
                writeln!(stdout, "  source: {source}")?;
            }
        }
    }
    Ok(Status::Clean)
}

pub(crate) fn show(args: &IndexShowArgs) -> anyhow::Result<Status> {
    let index = crate::snapshot::index()?;
    let query = parse_query(&args.package);
    // A conda name need not be a PyPI name (`_openmp_mutex`); a PyPI project of either tier takes precedence.
    let on_pypi = query
        .as_ref()
        .is_ok_and(|(name, _)| index.package(name).is_some() || index.light(name).is_some());
    if !on_pypi
        && !args.package.contains("==")
        && let Some(found) = index.conda_only(&args.package.trim().to_ascii_lowercase())
    {
        return show_conda_only(&found, args.format);
    }
    let (name, version) = query?;
    let Some(package) = index.package(&name) else {
        if let Some(light) = index.light(&name) {
            return show_light(&light, args.format);
        }
        bail!("`{name}` is not in the package index; `nplint index stats` tells what it holds");
    };
    let releases: Vec<&Release> = match &version {
        Some(version) => match package.release(version) {
            Some(release) => vec![release],
            None if package
                .held_from()
                .is_some_and(|held_from| version < held_from) =>
            {
                bail!(
                    "`{name}` {version} is older than the releases the package index holds of `{name}`: it holds only \
                 its newest {} final releases (from {} on)",
                    nplint_index::source::NEWEST_HELD,
                    package
                        .held_from()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                )
            }
            None if package.earlier().contains(version) => bail!(
                "`{name}` {version} was released before the package index's history starts ({}): nothing but its \
                 version is known",
                history_start(&name)
            ),
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
                releases: releases
                    .into_iter()
                    .map(|release| release_json(index, package, release))
                    .collect(),
                earlier: if version.is_none() {
                    package.earlier().iter().map(ToString::to_string).collect()
                } else {
                    Vec::new()
                },
                held_from: package.held_from().map(ToString::to_string),
            };
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        DataFormat::Text if version.is_some() => {
            write!(stdout, "{}", release_text(index, package, releases[0]))?;
        }
        DataFormat::Text => write!(stdout, "{}", releases_text(package, &releases))?,
    }
    Ok(Status::Clean)
}

fn release_text(index: &Index, package: &Package, release: &Release) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", package.name(), release.raw_version());
    let _ = writeln!(out, "  uploaded: {}", upload_time(release));
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
    runtime_text(&mut out, index, package, release);
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

/// What a build scan says, and where it was read.
fn build_text(scan: &BuildRef<'static>) -> String {
    let what = match scan.numpy {
        BuildNumpy::Numpy1 => "NumPy 1.x",
        BuildNumpy::Numpy2 => "NumPy 2.x",
        BuildNumpy::None => "no NumPy C API used",
        BuildNumpy::NameOnly => "no NumPy headers (imports NumPy's C API by name at run time)",
    };
    let member = scan
        .member
        .map(|member| format!(": {member}"))
        .unwrap_or_default();
    // The oldest NumPy the modules' import checks accept, which NumPy 2's headers write into them.
    let floor = scan
        .numpy_floor
        .map(|floor| format!(", whose import checks need NumPy >= {floor}"))
        .unwrap_or_default();
    format!("{what}{floor} (read from {}{member})", scan.file)
}

/// The build scan, removed-API uses and runtime facts of a release.
fn runtime_text(out: &mut String, index: &Index, package: &Package, release: &Release) {
    if let Some(scan) = release.build_scan() {
        let _ = writeln!(out, "  built against: {}", build_text(scan));
        if !release.build_agrees_on().is_empty() {
            let platforms: Vec<&str> = release
                .build_agrees_on()
                .iter()
                .map(|platform| platform.as_str())
                .collect();
            let _ = writeln!(out, "    the same on: {}", platforms.join(", "));
        }
        for (platform, scan) in release.platform_builds() {
            let _ = writeln!(out, "    on {platform}: {}", build_text(scan));
        }
    }
    if !release.removed_api().is_empty() {
        let _ = writeln!(out, "  removed NumPy names used:");
        for api in release.removed_api() {
            let _ = writeln!(
                out,
                "    numpy.{:<12} at {:<6} {}:{}{} ({} in {})",
                api.name,
                scope_name(api.scope),
                api.member,
                api.line,
                api.function
                    .map(|function| format!(" in `{function}`"))
                    .unwrap_or_default(),
                api.count,
                api.file
            );
        }
    }
    let facts = nplint_index::runtime::facts(index, package, release, None);
    if !facts.is_empty() {
        let _ = writeln!(out, "  runtime facts:");
        for fact in facts {
            let _ = writeln!(
                out,
                "    {}: {} -> works only with numpy {}",
                fact.kind.as_str(),
                fact.predicate,
                specifiers(&fact.works)
            );
            let _ = writeln!(out, "      evidence: {}", fact.evidence_text());
            let _ = writeln!(out, "      symptom: {}", fact.symptom);
            for reference in &fact.references {
                let _ = writeln!(out, "      see: {reference}");
            }
        }
    }
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
    let earlier = package.earlier();
    if !earlier.is_empty() {
        /// The earlier versions named, at most.
        const NAMED: usize = 12;
        let named: Vec<String> = earlier
            .iter()
            .rev()
            .take(NAMED)
            .map(ToString::to_string)
            .collect();
        let more = earlier.len().saturating_sub(NAMED);
        let before = match package.held_from() {
            Some(held_from) => format!("{held_from}, the newest of each series"),
            None => history_start(package.name()).to_owned(),
        };
        let _ = writeln!(
            out,
            "before {before} (versions only, not indexed): {}{}",
            named.join(", "),
            if more > 0 {
                format!(" and {more} older")
            } else {
                String::new()
            }
        );
    }
    out
}

/// When a release was uploaded, as the source form writes it (empty when unknown).
fn upload_time(release: &Release) -> String {
    release
        .uploaded()
        .map(|time| time.to_string())
        .unwrap_or_default()
}

/// Where the index's history of `name` starts: NumPy's at 1.13, the others' in 2017.
fn history_start(name: &PackageName) -> &'static str {
    if name.as_ref() == "numpy" {
        nplint_index::source::NUMPY_HISTORY_START
    } else {
        nplint_index::source::history_start_year()
    }
}

#[derive(Serialize)]
struct StatsDocument<'a> {
    schema_version: u32,
    /// The newest upload time of any file in the index: the date the data is current to.
    snapshot: &'a str,
    /// Where the snapshot in use came from: `embedded` (built into the binary) or `cached` (installed by
    /// `nplint index update`).
    snapshot_source: &'static str,
    /// The installed snapshot's file when it is `cached`, else `null`.
    snapshot_path: Option<String>,
    packages: usize,
    /// Packages added because a listed package depends on them and they depend on NumPy.
    added_by_closure: usize,
    /// Packages of which the index holds only the newest releases (`nplint_index::source::NEWEST_HELD` final
    /// ones): the full-tier projects beyond the most-downloaded, and what their closure added.
    held_newest: usize,
    releases: usize,
    prereleases: usize,
    numpy: NumpyStats,
    /// Projects known not to reach NumPy (the light tier): left out of every solve without a finding.
    light: usize,
    /// conda-forge's conda-only packages (which install no Python distribution): known by their conda names.
    conda_only: usize,
    /// The size of the index embedded in the binary.
    embedded_bytes: usize,
}

/// `embedded`, or `cached, `PATH``.
fn source_text(document: &StatsDocument) -> String {
    match &document.snapshot_path {
        Some(path) => format!("{}, `{path}`", document.snapshot_source),
        None => document.snapshot_source.to_owned(),
    }
}

#[derive(Serialize)]
struct NumpyStats {
    releases: usize,
    oldest: Option<String>,
    newest: Option<String>,
}

pub(crate) fn stats(args: &IndexStatsArgs) -> anyhow::Result<Status> {
    let index = crate::snapshot::index()?;
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
        snapshot_source: crate::snapshot::source_name(index),
        snapshot_path: match index.origin() {
            Origin::File(path) => Some(path.display().to_string()),
            Origin::Embedded | Origin::Source => None,
        },
        packages: index.packages().len(),
        added_by_closure: index
            .packages()
            .iter()
            .filter(|package| package.added_by().is_some())
            .count(),
        held_newest: index
            .packages()
            .iter()
            .filter(|package| package.held_from().is_some())
            .count(),
        releases,
        prereleases,
        numpy,
        light: index.light_packages().len(),
        conda_only: nplint_index::conda_only::packages().len(),
        embedded_bytes: nplint_index::embedded_size(),
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        DataFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        DataFormat::Text => {
            writeln!(
                stdout,
                "snapshot:  {} ({})",
                document.snapshot,
                source_text(&document)
            )?;
            writeln!(
                stdout,
                "packages:  {} ({} added as dependencies of listed packages; of {}, only the newest {} \
                 releases)",
                document.packages,
                document.added_by_closure,
                document.held_newest,
                nplint_index::source::NEWEST_HELD
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
            writeln!(
                stdout,
                "light:     {} projects known not to reach NumPy (left out of the solve)",
                document.light
            )?;
            writeln!(
                stdout,
                "conda:     {} conda-only packages of conda-forge (left out of the solve)",
                document.conda_only
            )?;
            writeln!(stdout, "embedded:  {} bytes", document.embedded_bytes)?;
        }
    }
    Ok(Status::Clean)
}
