//! `cargo xtask index sync`: fetches the package index's facts for the seed list and its closure, and writes the
//! index's source form (`crates/nplint-index/data/packages/*.json`, `snapshot.json`; the format is
//! `nplint_index::source`).
//!
//! # What is fetched
//!
//! The index URL is the simple repository API's base (`--index-url`, else `UV_DEFAULT_INDEX`, else
//! `PIP_INDEX_URL`; there is no default, so no registry's host is written here). Per package, one project page in
//! PEP 691 JSON lists every file with its upload time (PEP 700) and yanked state. Files are grouped by PEP 440
//! version; releases uploaded before 2017 are dropped (NumPy keeps everything from 1.13 on).
//!
//! Per release, core metadata is read from a few files only: per tracked platform the wheel with the newest
//! CPython tag, one pure wheel, and the sdist only when neither exists. Reading every wheel would multiply the
//! requests by the number of CPython versions (tensorflow ships up to five per platform) for nothing in practice:
//! projects express differences between CPython versions on one platform with environment markers in one
//! metadata, while differences between platforms (separate builds, separate `setup.py` runs) are real, and are
//! what the per-platform reads catch. Identical results (same `Requires-Python`, same filtered `Requires-Dist`,
//! compared as parsed and in any order, since build tools differ in spelling) are grouped into one variant listing
//! the platforms, `any` or `sdist` it applies to, with the strings of one of its files verbatim.
//!
//! Metadata is read, in order of cost: the `.metadata` file next to a wheel (PEP 658/714; asked for even where
//! the listing does not advertise it, since indexes serve it regardless); else `*.dist-info/METADATA` out of the
//! wheel by HTTP range requests on its central directory (see [`zip`]); for an sdist, `PKG-INFO` and setuptools'
//! `requires.txt` (see [`fetch::SdistFiles::metadata`] for which is trusted): a `.zip` read by ranges, a
//! `.tar.gz` downloaded whole up to 20 MiB. Anything else is `unknown`, with `Requires-Python` from the listing.
//!
//! # Scans of wheels
//!
//! Per release, two facts are measured in one of its wheels rather than read from metadata (see [`scan`]):
//! `build`, the NumPy major version its extension modules were compiled against, and `removed_api`, the removed
//! NumPy names (`data/numpy-api.toml`) its Python code uses. Both read members by range requests within a budget
//! per wheel, and cache what they found per wheel, so a re-sync reads no member twice.
//!
//! # The universe
//!
//! See [`closure`]: seeds, plus every unconditional dependency (not behind an `extra` marker) of a universe
//! package whose newest final release depends on a universe package, to a fixpoint. Requirements written are
//! those naming a universe package, verbatim, extras-conditioned ones included.
//!
//! # Network, cache, determinism
//!
//! Requests run on a pool of `--jobs` threads (16 by default) through [`http::Client`] (timeouts, retries with
//! backoff, an on-disk cache making a re-sync incremental). A network failure fails the sync rather than writing
//! `unknown`, so that output never depends on a transient error. Output is sorted and pretty-printed the same way
//! every time; `snapshot.json`'s date is the newest upload seen, not the clock, so a re-sync without upstream
//! changes rewrites every file byte for byte. `--only NAME...` re-syncs some packages against the universe of
//! the existing snapshot, without closure. `--rescan-builds` reads again only the `build` facts of the data as it
//! is, from the wheels and members it records (see [`rescan`]). `--exclude-newer TIME` leaves out files uploaded after `TIME`, as uv's
//! option of that name does: with the snapshot's `newest_upload`, a sync adds new facts without adding releases.

pub mod closure;
pub mod fetch;
pub mod filename;
pub mod http;
pub mod local;
pub mod metadata;
pub mod output;
pub mod python;
pub mod release;
pub mod rescan;
pub mod scan;
pub mod simple;
pub mod zip;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use self::closure::Closure;
use self::fetch::{IndexFetcher, ScanConfig};
use self::http::Client;

/// The arguments of `cargo xtask index sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Sync only these packages, against the universe of the existing `snapshot.json` (no closure); with
    /// `--rescan-builds`, rescan only these packages' releases.
    #[arg(long, num_args = 1.., value_name = "NAME")]
    pub only: Vec<String>,
    /// The simple API base URL (`<host>/simple`). Default: `UV_DEFAULT_INDEX`, else `PIP_INDEX_URL`.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Concurrent requests.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// The HTTP cache. Default: `target/index-cache/`.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Ignore files uploaded after this time (RFC 3339 in UTC, `2026-11-21T12:24:32Z`), as uv's option does.
    #[arg(long, value_name = "TIME", value_parser = parse_exclude_newer)]
    pub exclude_newer: Option<String>,
    /// Only read again the `build` of the releases labelled `LABEL` (default: `1.x` and `2.x`) from the wheel
    /// and member the data records, and write what the scan concludes now; nothing else is synced.
    #[arg(
        long,
        num_args = 0..,
        value_name = "LABEL",
        default_missing_values = ["1.x", "2.x"],
        value_parser = ["1.x", "2.x", "name-only", "none"],
        conflicts_with_all = ["exclude_newer"],
    )]
    pub rescan_builds: Option<Vec<String>>,
}

/// An RFC 3339 time in UTC (`Z` or `+00:00`), seconds optional fractions allowed: the form upload times have.
fn parse_exclude_newer(value: &str) -> Result<String, String> {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(bytes.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    let rest = value.get(19..).unwrap_or_default();
    let fraction_end = rest.strip_prefix('.').map_or(0, |fraction| {
        1 + fraction.bytes().take_while(u8::is_ascii_digit).count()
    });
    let zone = &rest[fraction_end..];
    if shape && matches!(zone, "Z" | "z" | "+00:00") {
        Ok(release::normalize_time(&value.to_ascii_uppercase()))
    } else {
        Err(format!(
            "`{value}` is not an RFC 3339 time in UTC, such as `2026-11-21T12:24:32Z`"
        ))
    }
}

/// PEP 503 normalization: lower case, runs of `-`, `_`, `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !normalized.is_empty() {
                normalized.push('-');
            }
            separator = false;
            normalized.push(character.to_ascii_lowercase());
        }
    }
    normalized
}

/// The normalized name a `Requires-Dist` entry starts with; `None` when it does not start with one.
pub fn requirement_name(requirement: &str) -> Option<String> {
    let requirement = requirement.trim_start();
    let end = requirement
        .find(|character: char| {
            !(character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.'))
        })
        .unwrap_or(requirement.len());
    let name = normalize(&requirement[..end]);
    (!name.is_empty()).then_some(name)
}

/// Whether a requirement can apply without any extra: its marker (if any) is satisfiable with no extra active.
/// A requirement pep508_rs cannot parse counts as conditional only if it mentions `extra`.
pub fn is_unconditional(requirement: &str) -> bool {
    match pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) {
        Ok(parsed) => parsed.marker.evaluate_extras(&[]),
        Err(_) => !requirement.contains("extra"),
    }
}

/// The index URL: the flag, else `UV_DEFAULT_INDEX`, else `PIP_INDEX_URL`.
fn index_url(flag: Option<&str>) -> Result<String> {
    let url = flag
        .map(ToString::to_string)
        .or_else(|| {
            std::env::var("UV_DEFAULT_INDEX")
                .ok()
                .filter(|url| !url.is_empty())
        })
        .or_else(|| {
            std::env::var("PIP_INDEX_URL")
                .ok()
                .filter(|url| !url.is_empty())
        });
    let Some(url) = url else {
        bail!(
            "no index URL: pass `--index-url <URL>` (the simple API base, `<host>/simple`), or set `UV_DEFAULT_INDEX` or `PIP_INDEX_URL`"
        );
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        bail!("the index URL must be an http(s) URL, got `{url}`");
    }
    Ok(url)
}

/// The seed list: every package of every group of `packages.toml`, normalized, in file order, without duplicates.
pub fn read_seeds(path: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let document: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("parsing `{}`", path.display()))?;
    let groups = document
        .get("group")
        .and_then(toml_edit::Item::as_array_of_tables)
        .context("`packages.toml` has no `[[group]]`")?;
    let mut seen = BTreeSet::new();
    let mut seeds = Vec::new();
    for group in groups {
        let packages = group
            .get("packages")
            .and_then(toml_edit::Item::as_array)
            .context("a `[[group]]` without `packages`")?;
        for package in packages {
            let name = package
                .as_str()
                .context("a package name that is not a string")?;
            let name = normalize(name);
            if seen.insert(name.clone()) {
                seeds.push(name);
            }
        }
    }
    Ok(seeds)
}

/// Runs the sync and prints its summary.
pub fn run(root: &Path, args: &SyncArgs) -> Result<()> {
    let started = Instant::now();
    let index_url = index_url(args.index_url.as_deref())?;
    let data = root.join("crates/nplint-index/data");
    let seeds = read_seeds(&data.join("packages.toml"))?;
    let cache = args
        .cache_dir
        .clone()
        .unwrap_or_else(|| root.join("target/index-cache"));
    let before = output::Tree::read(&data)?;
    let scan = ScanConfig {
        removed: scan::removed_names(&data.join("numpy-api.toml"))?,
        build_budget: scan::BUILD_BUDGET,
        api_budget: scan::API_BUDGET,
    };
    let fetcher = IndexFetcher::new(&index_url, Client::new(&cache, usize::from(args.jobs))?)
        .exclude_newer(args.exclude_newer.as_deref())
        .scan(scan);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(usize::from(args.jobs))
        .thread_name(|index| format!("sync-{index}"))
        .build()?;
    let progress = |message: &str| eprintln!("{message}");

    if let Some(labels) = &args.rescan_builds {
        let mut tree = before;
        let only: BTreeSet<String> = args.only.iter().map(|name| normalize(name)).collect();
        for name in &only {
            if !tree.packages.contains_key(name) {
                bail!("`{name}` is not in the index's data");
            }
        }
        let summary =
            pool.install(|| rescan::rescan(&fetcher, &mut tree, labels, &only, &progress))?;
        tree.write(&data, false)?;
        let stats = &fetcher.transport.stats;
        println!(
            "{}{} requests, {} bytes, {:.1} s",
            summary.render(),
            stats.requests.load(Ordering::Relaxed),
            stats.bytes.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }

    let (closure, seeds_in_play) = if args.only.is_empty() {
        let closure = pool.install(|| closure::sync(&fetcher, &seeds, &progress))?;
        (closure, seeds.clone())
    } else {
        let only: BTreeSet<String> = args.only.iter().map(|name| normalize(name)).collect();
        let snapshot = before
            .snapshot
            .as_ref()
            .context("`--only` needs an existing `snapshot.json`: run a full sync first")?;
        for name in &only {
            if !snapshot.packages.contains(name) && !seeds.contains(name) {
                bail!("`{name}` is neither in `snapshot.json` nor in the seed list");
            }
        }
        let synced: Vec<_> = pool.install(|| {
            only.par_iter()
                .map(|name| {
                    let package = closure::sync_package(&fetcher, name)?;
                    progress(&format!("synced `{name}`"));
                    Ok((name.clone(), package))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let mut closure = Closure::default();
        for (name, package) in synced {
            match package {
                Some(package) => {
                    closure.packages.insert(name, package);
                }
                None => closure.missing.push(name),
            }
        }
        (closure, only.into_iter().collect())
    };

    let after = if args.only.is_empty() {
        output::Tree::from_closure(&closure)
    } else {
        output::Tree::merge_only(&before, &closure)
    };
    after.write(&data, args.only.is_empty())?;

    let stats = &fetcher.transport.stats;
    let summary = output::Summary {
        before: &before,
        after: &after,
        closure: &closure,
        seeds_without_numpy: closure.seeds_without_numpy(&seeds_in_play),
        requests: stats.requests.load(Ordering::Relaxed),
        cache_hits: stats.cache_hits.load(Ordering::Relaxed),
        bytes: stats.bytes.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
    };
    print!("{}", summary.render());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize("Scikit_Learn"), "scikit-learn");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("a--_.b"), "a-b");
        assert_eq!(normalize("numpy"), "numpy");
    }

    #[test]
    fn reads_requirement_names() {
        assert_eq!(
            requirement_name("numpy (~=1.19.2)").as_deref(),
            Some("numpy")
        );
        assert_eq!(
            requirement_name("Keras_Preprocessing>=1.1").as_deref(),
            Some("keras-preprocessing")
        );
        assert_eq!(
            requirement_name("sphinxcontrib.programoutput ; extra == 'docs'").as_deref(),
            Some("sphinxcontrib-programoutput")
        );
        assert_eq!(
            requirement_name("torch[cuda]; python_version>'3.8'").as_deref(),
            Some("torch")
        );
        assert_eq!(requirement_name("; nothing"), None);
    }

    #[test]
    fn tells_extras_from_other_markers() {
        assert!(is_unconditional("numpy>=1.20"));
        assert!(is_unconditional("dataclasses ; python_version < \"3.7\""));
        assert!(is_unconditional(
            "tensorflow-io-gcs-filesystem>=0.23.1; platform_machine != \"arm64\""
        ));
        assert!(!is_unconditional("scipy ; extra == 'all'"));
        assert!(!is_unconditional(
            "pytest; (sys_platform == \"win32\") and extra == \"test\""
        ));
        assert!(is_unconditional("x; extra == 'a' or python_version >= '3'"));
    }

    #[test]
    fn reads_the_seed_list() {
        let seeds =
            read_seeds(&crate::workspace_root().join("crates/nplint-index/data/packages.toml"))
                .unwrap();
        assert_eq!(seeds[0], "numpy");
        assert!(seeds.contains(&"tensorflow".to_string()));
        assert!(seeds.len() > 100);
    }

    #[test]
    fn reads_exclude_newer_times() {
        assert_eq!(
            parse_exclude_newer("2026-11-21T12:24:32Z").unwrap(),
            "2026-11-21T12:24:32Z"
        );
        assert_eq!(
            parse_exclude_newer("2026-11-21T12:24:32.5+00:00").unwrap(),
            "2026-11-21T12:24:32Z"
        );
        for bad in [
            "2026-11-21",
            "2026-11-21T12:24:32+01:00",
            "yesterday",
            "2026-11-21T12:24Z",
        ] {
            assert!(parse_exclude_newer(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_index_url_is_required() {
        assert_eq!(
            index_url(Some("https://index.example.invalid/simple")).unwrap(),
            "https://index.example.invalid/simple"
        );
        assert!(index_url(Some("index.example.invalid/simple")).is_err());
    }
}
