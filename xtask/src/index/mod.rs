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
//! `requires.txt` (see [`nplint_registry::fetch::SdistFiles::metadata`] for which is trusted): a `.zip` read by ranges, a
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
//! changes rewrites every file byte for byte.
//!
//! The date promises that every release uploaded before it is in the data. A full sync sees only files uploaded
//! before it started (`--exclude-newer`, by default the start time), so pages read at its end show nothing that
//! pages read at its start could not; before writing, it reads every page again and fails if one lists, up to
//! the date, a release or wheel the data lacks ([`fresh`]). `--check-fresh` runs only that check on the data as it
//! is.
//!
//! `--only NAME...` re-syncs some packages against the universe of the existing snapshot, without closure, and
//! keeps the snapshot's date: it sees nothing uploaded after it. A package new to the snapshot makes it re-sync
//! every package, whose requirements naming the new one were filtered out when they were synced. `--rescan-builds` reads again only the `build`
//! facts of the data as it is, from the wheels and members it records (see [`rescan`]). `--exclude-newer TIME`
//! leaves out files uploaded after `TIME`, as uv's option of that name does: with the snapshot's `newest_upload`,
//! a sync adds new facts without adding releases.

pub mod closure;
pub mod fetch;
pub mod fresh;
pub mod local;
pub mod output;
pub mod pack;
pub mod python;
pub mod release_scans;
pub mod rescan;
pub mod scan;
pub mod tiers;
pub mod verify;

// Reading an index (pages, metadata, releases) is the registry crate's, shared with the CLI.
pub use nplint_registry::names::{is_unconditional, normalize, requirement_name};
pub use nplint_registry::{filename, http, metadata, release, simple, sync, zip};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use self::closure::Closure;
use self::fetch::{IndexFetcher, ScanConfig, ScanningFetcher};
use self::http::{Client, ClientOptions};
use nplint_index::source::{NEWEST_HELD, Snapshot};

/// How the tasks that read the package index reach it.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkArgs {
    /// The simple API base URL (`<host>/simple`). Default: `UV_DEFAULT_INDEX`, else `PIP_INDEX_URL`.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Concurrent requests.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// The HTTP cache. Default: `target/index-cache/`.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl NetworkArgs {
    /// The fetcher over the index URL and the HTTP cache (default: `target/index-cache/` under `root`).
    fn fetcher(&self, root: &Path) -> Result<ScanningFetcher<Client>> {
        let index_url = index_url(self.index_url.as_deref())?;
        Ok(ScanningFetcher::new(IndexFetcher::new(
            &index_url,
            self.client(root)?,
        )))
    }

    /// The HTTP client over the cache (default: `target/index-cache/` under `root`). Pages are always
    /// revalidated (a sync must see the index as it is) and the cache is not bounded (it is the sync's working
    /// set, kept between syncs to make them incremental).
    pub fn client(&self, root: &Path) -> Result<Client> {
        let cache = self
            .cache_dir
            .clone()
            .unwrap_or_else(|| root.join("target/index-cache"));
        Client::new(ClientOptions {
            cache_dir: Some(cache),
            timeout: Duration::from_mins(1),
            retries: 5,
            backoff: Duration::from_millis(500),
            concurrency: usize::from(self.jobs),
            freshness: Duration::ZERO,
            max_cache_bytes: u64::MAX,
        })
    }

    /// A pool of one thread per concurrent request.
    fn pool(&self, name: &'static str) -> Result<rayon::ThreadPool> {
        Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(self.jobs))
            .thread_name(move |index| format!("{name}-{index}"))
            .build()?)
    }
}

/// The arguments of `cargo xtask index sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Sync only these packages, against the universe of the existing `snapshot.json` (no closure); with
    /// `--rescan-builds`, rescan only these packages' releases.
    #[arg(long, num_args = 1.., value_name = "NAME")]
    pub only: Vec<String>,
    #[command(flatten)]
    pub network: NetworkArgs,
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
    /// Seed only the projects of `tiers.tsv` that reach NumPy and rank within the first N of the list (with the
    /// packages of `packages.toml` and the closure); default: all of them.
    #[arg(long, value_name = "N", conflicts_with_all = ["only", "rescan_builds"])]
    pub top: Option<u32>,
    /// Hold every release of the seeds ranked within the first N (and of `packages.toml`'s, and of the packages
    /// their closure adds); of the other seeds and what their closure adds, only the newest releases
    /// (`nplint_index::source::NEWEST_HELD` final ones).
    #[arg(long, value_name = "N", default_value_t = DEEP)]
    pub deep: u32,
    /// Only check the data as it is against the index: every release uploaded before the snapshot's date must be
    /// in it (see [`fresh`]); nothing is written.
    #[arg(long, conflicts_with_all = ["only", "exclude_newer", "rescan_builds"])]
    pub check_fresh: bool,
}

/// The arguments of `cargo xtask index tiers`.
#[derive(Debug, Clone, clap::Args)]
pub struct TiersArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Read only the first N projects of the list (for a trial run; the output is then partial).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// Runs `cargo xtask index format`: reads every package file and writes it in the canonical stored form. A file
/// that does not read is an error, not left out, so that the rewrite never drops data.
pub fn format(root: &Path) -> Result<()> {
    let data = root.join("crates/nplint-index/data");
    let files = std::fs::read_dir(data.join("packages"))?
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "json")
        })
        .count();
    let tree = output::Tree::read(&data)?;
    if tree.packages.len() != files {
        bail!(
            "{} of {files} package files read; fix or remove the others first",
            tree.packages.len()
        );
    }
    tree.write(&data, false)?;
    eprintln!("wrote {files} package files");
    Ok(())
}

/// Runs `cargo xtask index tiers`: files uploaded after the snapshot's date are not seen, so that the tiers describe
/// the same moment as the rest of the data.
pub fn run_tiers(root: &Path, args: &TiersArgs) -> Result<()> {
    let started = Instant::now();
    let data = root.join("crates/nplint-index/data");
    let snapshot = output::Tree::read(&data)?
        .snapshot
        .context("no `snapshot.json`: run a full sync first")?;
    let mut top = tiers::read_top(&data.join("top-pypi-packages.tsv"))?;
    if let Some(limit) = args.limit {
        top.truncate(limit);
    }
    let fetcher = args
        .network
        .fetcher(root)?
        .exclude_newer(Some(&snapshot.newest_upload));
    let pool = args.network.pool("tiers")?;
    let progress = |message: &str| eprintln!("{message}");
    let (projects, missing) = pool.install(|| tiers::crawl(&fetcher, &top, &progress))?;
    let tiers = tiers::tiers(&projects);
    std::fs::write(
        data.join("tiers.tsv"),
        tiers::render(&projects, &tiers, &missing),
    )?;
    let listed: BTreeSet<&str> = top.iter().map(|(_, name)| name.as_str()).collect();
    // Per tier, listed projects and dependencies outside the list.
    let mut counts: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    for (name, tier) in &tiers {
        let kind = match tier {
            tiers::Tier::Full(_) => "full",
            tiers::Tier::Extras(..) => "extras",
            tiers::Tier::Light => "light",
        };
        *counts
            .entry((kind, listed.contains(name.as_str())))
            .or_default() += 1;
    }
    let count = |kind: &str, listed: bool| counts.get(&(kind, listed)).copied().unwrap_or(0);
    let read: usize = projects.values().map(|project| project.read).sum();
    let kept: usize = projects.values().map(|project| project.releases).sum();
    let stats = fetcher.transport().stats();
    println!(
        "{} listed: {} full, {} through extras only, {} light, {} missing\n\
         dependencies outside the list: {} full, {} through extras only, {} light\n\
         {read} of {kept} kept releases read; {} requests, {} bytes, {:.1} s",
        top.len(),
        count("full", true),
        count("extras", true),
        count("light", true),
        missing
            .iter()
            .filter(|name| listed.contains(name.as_str()))
            .count(),
        count("full", false),
        count("extras", false),
        count("light", false),
        stats.requests,
        stats.bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
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
        Ok(simple::normalize_time(&value.to_ascii_uppercase()))
    } else {
        Err(format!(
            "`{value}` is not an RFC 3339 time in UTC, such as `2026-11-21T12:24:32Z`"
        ))
    }
}

/// The current time in UTC, as RFC 3339 to the second (`2026-11-21T12:24:32Z`).
fn now_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    crate::conda_patches::rfc3339(seconds)
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
    let mut seen = BTreeSet::new();
    Ok(toml_string_lists(path, "group", "packages")?
        .iter()
        .map(|name| normalize(name))
        .filter(|name| seen.insert(name.clone()))
        .collect())
}

/// The names of `data/numpy-api.toml`, which the wheel scans look for: every `names` entry of every `[[removal]]`.
pub fn removed_names(path: &Path) -> Result<BTreeSet<String>> {
    Ok(toml_string_lists(path, "removal", "names")?
        .into_iter()
        .collect())
}

/// The strings of the `key` array of every `[[table]]` of the TOML file at `path`, in file order.
fn toml_string_lists(path: &Path, table: &str, key: &str) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let document: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("parsing `{}`", path.display()))?;
    let tables = document
        .get(table)
        .and_then(toml_edit::Item::as_array_of_tables)
        .with_context(|| format!("`{}` has no `[[{table}]]`", path.display()))?;
    let mut strings = Vec::new();
    for entry in tables {
        let list = entry
            .get(key)
            .and_then(toml_edit::Item::as_array)
            .with_context(|| format!("a `[[{table}]]` without `{key}` in `{}`", path.display()))?;
        for value in list {
            let string = value.as_str().with_context(|| {
                format!(
                    "a `{key}` entry that is not a string in `{}`",
                    path.display()
                )
            })?;
            strings.push(string.to_string());
        }
    }
    Ok(strings)
}

/// The seeds ranked within this many of the list are held with every release (see [`SyncArgs::deep`]).
pub const DEEP: u32 = 2000;

/// The sync's seeds, held whole and held from their newest releases on: the reviewed list, then every project the
/// tiers found reaching NumPy (`cargo xtask index tiers`), within the first `top` of the ranked list when given,
/// those within the first `deep` held whole; and what the wheel scans look for, on every release of a reviewed
/// seed.
fn seeds_and_scans(data: &Path, top: Option<u32>, deep: u32) -> Result<(Seeds, ScanConfig)> {
    let reviewed = read_seeds(&data.join("packages.toml"))?;
    let tiers = data.join("tiers.tsv");
    let mut seeds = Seeds {
        whole: reviewed.clone(),
        newest: Vec::new(),
    };
    for name in tiers::read_full(&tiers, Some(deep.min(top.unwrap_or(u32::MAX))))? {
        if !seeds.whole.contains(&name) {
            seeds.whole.push(name);
        }
    }
    for name in tiers::read_full(&tiers, top)? {
        if !seeds.whole.contains(&name) && !seeds.newest.contains(&name) {
            seeds.newest.push(name);
        }
    }
    let scan = ScanConfig {
        removed: removed_names(&data.join("numpy-api.toml"))?,
        every_release: reviewed.into_iter().collect(),
        build_budget: scan::BUILD_BUDGET,
        api_budget: scan::API_BUDGET,
    };
    Ok((seeds, scan))
}

/// The seeds of a sync, by how much of their history the index holds.
#[derive(Debug, Clone, Default)]
struct Seeds {
    /// Every release.
    whole: Vec<String>,
    /// The newest `NEWEST_HELD` final releases.
    newest: Vec<String>,
}

impl Seeds {
    fn all(&self) -> Vec<String> {
        self.whole.iter().chain(&self.newest).cloned().collect()
    }

    /// How many final releases of `name` a sync holds, of a package not in the data yet.
    fn newest_held(&self, name: &str) -> Option<usize> {
        (!self.whole.iter().any(|seed| seed == name)).then_some(NEWEST_HELD)
    }
}

/// Runs the sync and prints its summary.
pub fn run(root: &Path, args: &SyncArgs) -> Result<()> {
    let started = Instant::now();
    let data = root.join("crates/nplint-index/data");
    let (seeds, scan) = seeds_and_scans(&data, args.top, args.deep)?;
    let before = output::Tree::read(&data)?;
    let exclude_newer = visible_until(args, &before)?;
    let fetcher = args
        .network
        .fetcher(root)?
        .exclude_newer(Some(&exclude_newer))
        .scan(scan);
    let pool = args.network.pool("sync")?;
    let progress = |message: &str| eprintln!("{message}");

    if args.check_fresh {
        return pool.install(|| check_fresh(&fetcher, &before, started));
    }

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
        let stats = fetcher.transport().stats();
        println!(
            "{}{} requests, {} bytes, {:.1} s",
            summary.render(),
            stats.requests,
            stats.bytes,
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }

    let (closure, seeds_in_play) = if args.only.is_empty() {
        let rounds: [(&[String], Option<usize>); 2] =
            [(&seeds.whole, None), (&seeds.newest, Some(NEWEST_HELD))];
        let closure = pool.install(|| closure::sync(&fetcher, &rounds, &progress))?;
        (closure, seeds.all())
    } else {
        let only: BTreeSet<String> = args.only.iter().map(|name| normalize(name)).collect();
        let closure = pool.install(|| sync_only(&fetcher, &before, &seeds, &only, &progress))?;
        (closure, only.into_iter().collect())
    };

    let after = if args.only.is_empty() {
        output::Tree::from_closure(&closure)
    } else {
        output::Tree::merge_only(&before, &closure)
    };
    pool.install(|| verify_fresh(&fetcher, &after, &closure))?;
    after.write(&data, args.only.is_empty())?;

    let stats = fetcher.transport().stats();
    let summary = output::Summary {
        before: &before,
        after: &after,
        closure: &closure,
        seeds_without_numpy: closure.seeds_without_numpy(&seeds_in_play),
        requests: stats.requests,
        // As before the counters were split: answers from the cache, revalidated or not.
        cache_hits: stats.from_cache + stats.revalidated,
        bytes: stats.bytes,
        seconds: started.elapsed().as_secs_f64(),
    };
    print!("{}", summary.render());
    Ok(())
}

/// `--only`: syncs the packages named (and every other when one is new, see [`only_packages`]) against the
/// existing snapshot, without closure.
fn sync_only<F: fetch::Fetcher>(
    fetcher: &F,
    before: &output::Tree,
    seeds: &Seeds,
    only: &BTreeSet<String>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Closure> {
    let snapshot = before
        .snapshot
        .as_ref()
        .context("`--only` needs an existing `snapshot.json`: run a full sync first")?;
    for name in only {
        if !snapshot.packages.contains(name) && !seeds.all().contains(name) {
            bail!("`{name}` is neither in `snapshot.json` nor in the seed list");
        }
    }
    let (to_sync, new) = only_packages(only, snapshot);
    if !new.is_empty() {
        progress(&format!(
            "`{}` new to the index: syncing every package again, whose requirements naming {} were left out",
            new.join("`, `"),
            if new.len() == 1 { "it" } else { "them" }
        ));
    }
    // The pre-releases the packages not synced now ask for (see `release::kept`).
    let known = closure::wanted_prereleases(
        before
            .packages
            .iter()
            .filter(|(name, _)| !to_sync.contains(*name))
            .flat_map(|(_, file)| &file.releases)
            .flat_map(|release| &release.metadata)
            .flat_map(|variant| variant.requires_dist.iter().map(String::as_str)),
    );
    let synced: Vec<_> = to_sync
        .par_iter()
        .map(|name| {
            // A package keeps the depth it has in the data; a new one takes its seed's.
            let newest = match before.packages.get(name) {
                Some(file) => file.held_from.is_some().then_some(NEWEST_HELD),
                None => seeds.newest_held(name),
            };
            let package = closure::sync_package(fetcher, name, &BTreeSet::new(), newest)?;
            progress(&format!("synced `{name}`"));
            Ok((name.clone(), package))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut closure = Closure::default();
    for (name, package) in synced {
        match package {
            Some(package) => {
                closure.packages.insert(name, package);
            }
            None => closure.missing.push(name),
        }
    }
    closure::settle_prereleases(fetcher, &mut closure.packages, &known, progress)?;
    Ok(closure)
}

/// The packages `--only` syncs, and those of them new to the index. A package's requirements are written filtered
/// to the index's packages, so when `--only` adds a package, the requirements naming it were left out of every
/// package synced before, and only reading their metadata again puts them in (from the HTTP cache, mostly): then
/// every package of the snapshot is synced too.
fn only_packages(only: &BTreeSet<String>, snapshot: &Snapshot) -> (BTreeSet<String>, Vec<String>) {
    let new: Vec<String> = only
        .iter()
        .filter(|name| !snapshot.packages.contains(name))
        .cloned()
        .collect();
    let mut to_sync = only.clone();
    if !new.is_empty() {
        to_sync.extend(snapshot.packages.iter().cloned());
    }
    (to_sync, new)
}

/// What the sync may see: a full sync, files uploaded before it started, so that a page read at its end shows
/// nothing the pages read at its start could not have shown; `--only`, nothing newer than the snapshot it merges
/// into, whose date it keeps. `--exclude-newer` may only move the limit earlier.
fn visible_until(args: &SyncArgs, before: &output::Tree) -> Result<String> {
    if args.only.is_empty() {
        return Ok(args.exclude_newer.clone().unwrap_or_else(now_utc));
    }
    let snapshot = before
        .snapshot
        .as_ref()
        .context("`--only` needs an existing `snapshot.json`: run a full sync first")?;
    Ok(args.exclude_newer.clone().map_or_else(
        || snapshot.newest_upload.clone(),
        |limit| limit.min(snapshot.newest_upload.clone()),
    ))
}

/// `--check-fresh`: the data as it is against the pages as they are now.
fn check_fresh<F: fetch::Fetcher>(
    fetcher: &F,
    data: &output::Tree,
    started: Instant,
) -> Result<()> {
    let snapshot = data
        .snapshot
        .as_ref()
        .context("no `snapshot.json` to check")?;
    let stale = fresh::check(fetcher, &data.packages, &snapshot.newest_upload)?;
    if !stale.is_empty() {
        bail!("{}", fresh::render(&stale, &snapshot.newest_upload));
    }
    println!(
        "every release of the {} packages uploaded up to {} is in the data ({:.1} s)",
        data.packages.len(),
        snapshot.newest_upload,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Before anything is written: the pages read again must show nothing older than the snapshot's date that the data
/// lacks (a full sync checks every package, `--only` those it synced).
fn verify_fresh<F: fetch::Fetcher>(
    fetcher: &F,
    after: &output::Tree,
    closure: &Closure,
) -> Result<()> {
    let Some(snapshot) = &after.snapshot else {
        return Ok(());
    };
    let synced: std::collections::BTreeMap<_, _> = after
        .packages
        .iter()
        .filter(|(name, _)| closure.packages.contains_key(*name))
        .map(|(name, file)| (name.clone(), file.clone()))
        .collect();
    let stale = fresh::check(fetcher, &synced, &snapshot.newest_upload)?;
    if !stale.is_empty() {
        bail!(
            "{}nothing was written; sync again (the HTTP cache keeps what was read)",
            fresh::render(&stale, &snapshot.newest_upload)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_clock_reads_as_an_exclude_newer_time() {
        let now = now_utc();
        assert!(parse_exclude_newer(&now).is_ok(), "{now}");
        assert!(now.as_str() > "2026-01-01T00:00:00Z", "{now}");
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
    fn only_syncs_everything_again_when_it_adds_a_package() {
        let snapshot = Snapshot {
            newest_upload: "2026-11-21T12:24:32Z".to_string(),
            packages: ["flax", "numpy"].map(String::from).to_vec(),
            added_by_closure: BTreeMap::new(),
        };
        let names = |names: &[&str]| -> BTreeSet<String> {
            names.iter().map(ToString::to_string).collect()
        };
        // A package already indexed: only it.
        assert_eq!(
            only_packages(&names(&["flax"]), &snapshot),
            (names(&["flax"]), Vec::new())
        );
        // A new one: `flax`'s `gymnasium[atari]; extra == "testing"` was left out when it was synced.
        assert_eq!(
            only_packages(&names(&["gymnasium"]), &snapshot),
            (
                names(&["flax", "gymnasium", "numpy"]),
                vec!["gymnasium".to_string()]
            )
        );
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
