//! `nplint check --online`: what the index does not know, read from the package index the user configured, and
//! laid over the index so that the solver sees one.
//!
//! Read online: every package a checked file requires that neither tier of the index knows, every indexed package
//! a requirement asks for in versions past the index's newest release (or in a pre-release it does not hold), and
//! then, round by round, the packages those releases require that the index does not know. Each is read as the
//! index sync reads a package it holds in part: its newest [`NEWEST_HELD`] final releases with their declared
//! metadata, nothing measured from wheels. An indexed package keeps what the index knows (its binary facts too)
//! and gains the releases it lacked.
//!
//! Which index: `--index-url`, else `UV_DEFAULT_INDEX`, `UV_INDEX_URL`, `PIP_INDEX_URL`, in that order (uv's
//! precedence, then pip's). A requirements file's own `--index-url` lines are never followed (nplint never
//! fetches a URL found in a user's file); when the file names one and nothing else is configured, the error says
//! so. There is no built-in default index.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use nplint_index::source::{NEWEST_HELD, PackageFile, Snapshot};
use nplint_index::{Index, PackageName};
use nplint_manifest::{Manifest, RequirementSource};
use nplint_registry::{Client, ClientOptions, Counts, IndexUrl, RegistryError};
use nplint_rules::Knowledge;
use rayon::prelude::*;

/// The environment variables naming an index, in the order they are read.
const INDEX_VARIABLES: [&str; 3] = ["UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"];

/// The most packages one run reads: a closure that grows past it is cut there, and the report says so.
const MOST_PACKAGES: usize = 500;

/// Why an online read could not start or finish: the CLI prints it and exits with 2.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OnlineError {
    #[error(
        "no package index to read from: pass `--index-url URL`, or set `UV_DEFAULT_INDEX` or `PIP_INDEX_URL`{0}"
    )]
    NoIndex(String),
    #[error("`{variable}` is not an index URL: {reason}")]
    BadUrl { variable: String, reason: String },
    #[error("`{variable}` is `{value}`, not {expected}")]
    BadSetting {
        variable: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("cannot use the cache: {0:#}")]
    Client(anyhow::Error),
}

/// The index URL the user configured: `flag`, else the first of [`INDEX_VARIABLES`] that is set (through `var`, the
/// process environment outside tests). `files_name` lists the indexes the checked files name, for the error.
pub(crate) fn index_url(
    flag: Option<&str>,
    var: impl Fn(&str) -> Option<String>,
    files_name: &[String],
) -> Result<IndexUrl, OnlineError> {
    let (variable, value) = if let Some(flag) = flag {
        ("--index-url".to_owned(), flag.to_owned())
    } else {
        let Some(found) = INDEX_VARIABLES.iter().find_map(|&variable| {
            var(variable)
                .filter(|value| !value.trim().is_empty())
                .map(|value| (variable.to_owned(), value))
        }) else {
            let hint = if files_name.is_empty() {
                String::new()
            } else {
                format!(
                    " (the checked files name {} index{}, which nplint does not follow: a URL in a file is never \
                     fetched)",
                    files_name.len(),
                    if files_name.len() == 1 { "" } else { "es" }
                )
            };
            return Err(OnlineError::NoIndex(hint));
        };
        found
    };
    IndexUrl::from_str(value.trim()).map_err(|reason| OnlineError::BadUrl { variable, reason })
}

/// The client of an online run, caching under `cache_dir`'s `http` folder. As uv's
/// `UV_HTTP_TIMEOUT` and `UV_HTTP_RETRIES`, `NPLINT_HTTP_TIMEOUT` (seconds) and `NPLINT_HTTP_RETRIES` change how
/// long a request may take and how often a failed one is tried again.
/// With `refresh`, cached pages are revalidated however fresh.
pub(crate) fn client(
    cache_dir: &Path,
    refresh: bool,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Client, OnlineError> {
    let mut options = ClientOptions {
        cache_dir: Some(cache_dir.join("http")),
        ..ClientOptions::default()
    };
    if refresh {
        options.freshness = Duration::ZERO;
    }
    if let Some(value) = var("NPLINT_HTTP_TIMEOUT") {
        let seconds = value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .ok_or_else(|| OnlineError::BadSetting {
                variable: "NPLINT_HTTP_TIMEOUT",
                value: value.clone(),
                expected: "a number of seconds",
            })?;
        options.timeout = Duration::from_secs_f64(seconds);
    }
    if let Some(value) = var("NPLINT_HTTP_RETRIES") {
        options.retries = value.trim().parse().map_err(|_| OnlineError::BadSetting {
            variable: "NPLINT_HTTP_RETRIES",
            value: value.clone(),
            expected: "a whole number",
        })?;
    }
    Client::new(options).map_err(OnlineError::Client)
}

/// What an online read gave: the index overlaid with it, and what it did.
#[derive(Debug)]
pub(crate) struct Overlay {
    pub index: &'static Index,
    /// The packages read, by normalized name: those the index did not know, and those it gained releases of.
    pub added: BTreeSet<String>,
    pub extended: BTreeSet<String>,
    /// Packages the index does not have either.
    pub missing: BTreeSet<String>,
    /// Whether the closure was cut at [`MOST_PACKAGES`].
    pub cut: bool,
    pub counts: Counts,
    pub elapsed: Duration,
}

impl Overlay {
    /// One line for standard error: what was read, and how.
    pub(crate) fn summary(&self) -> String {
        let mut line = format!(
            "read online: {} package{} not in nplint's index{}",
            self.added.len(),
            if self.added.len() == 1 { "" } else { "s" },
            names(&self.added)
        );
        if !self.extended.is_empty() {
            let _ = write!(
                line,
                ", newer releases of {}{}",
                self.extended.len(),
                names(&self.extended)
            );
        }
        if !self.missing.is_empty() {
            let _ = write!(
                line,
                "; not on the index: {}",
                self.missing.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        if self.cut {
            let _ = write!(line, "; stopped at {MOST_PACKAGES} packages");
        }
        let _ = write!(
            line,
            " ({} request{}, {} downloaded in full, {} revalidated, {} from the cache; {} ms)",
            self.counts.requests,
            if self.counts.requests == 1 { "" } else { "s" },
            self.counts.downloaded,
            self.counts.revalidated,
            self.counts.from_cache,
            self.elapsed.as_millis()
        );
        line
    }
}

/// ": `a`, `b`" for a few names, nothing for many.
fn names(names: &BTreeSet<String>) -> String {
    if names.is_empty() || names.len() > 8 {
        String::new()
    } else {
        format!(
            " ({})",
            names
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The packages `manifests` need read online (see the module documentation): those the index does not know, and
/// indexed ones asked for in versions it does not hold.
fn wanted(index: &Index, manifests: &[Manifest]) -> BTreeSet<String> {
    let mut wanted = BTreeSet::new();
    for manifest in manifests {
        for requirement in &manifest.requirements {
            if requirement.source != RequirementSource::Registry
                || nplint_rules::installed_from_conda(requirement)
            {
                continue;
            }
            let Some(name) = &requirement.name else {
                continue;
            };
            if matches!(
                Knowledge::of(index, requirement),
                Knowledge::Unknown | Knowledge::PastSnapshot | Knowledge::NotHeld
            ) {
                wanted.insert(name.to_string());
            }
        }
    }
    wanted
}

/// The names of the packages `package`'s releases require (under any marker or extra) that `known` does not
/// hold.
fn required(package: &PackageFile, known: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    package
        .releases
        .iter()
        .flat_map(|release| &release.metadata)
        .flat_map(|variant| &variant.requires_dist)
        .filter_map(|requirement| nplint_registry::names::requirement_name(requirement))
        .filter(|name| !known(name))
        .collect()
}

/// Reads what `manifests` need from `url` and lays it over `base` (see the module documentation).
/// With `progress` (standard error is a terminal), each round of reads is told on one line of standard error,
/// cleared at the end.
pub(crate) fn overlay(
    base: &'static Index,
    manifests: &[Manifest],
    client: &Client,
    url: &IndexUrl,
    progress: bool,
) -> Result<Overlay, OnlineError> {
    let start = Instant::now();
    let mut queue: BTreeSet<String> = wanted(base, manifests);
    let mut read: BTreeMap<String, Option<PackageFile>> = BTreeMap::new();
    let mut cut = false;
    while !queue.is_empty() {
        let room = MOST_PACKAGES.saturating_sub(read.len());
        if queue.len() > room {
            cut = true;
            queue = queue.into_iter().take(room).collect();
        }
        if queue.is_empty() {
            break;
        }
        if progress {
            eprint!(
                "\r\x1b[Kreading {} package{} from {url} ({} read)",
                queue.len(),
                if queue.len() == 1 { "" } else { "s" },
                read.len()
            );
        }
        let round: Vec<(String, Option<PackageFile>)> = queue
            .par_iter()
            .map(|name| {
                nplint_registry::read_project(client, url, name, Some(NEWEST_HELD))
                    .map(|package| (name.clone(), package))
            })
            .collect::<Result<_, _>>()?;
        let mut next = BTreeSet::new();
        for (_, package) in &round {
            if let Some(package) = package {
                let known = |name: &str| {
                    read.contains_key(name)
                        || queue.contains(name)
                        || PackageName::from_str(name).is_ok_and(|name| {
                            base.package(&name).is_some() || base.light(&name).is_some()
                        })
                };
                next.extend(required(package, &known));
            }
        }
        read.extend(round);
        queue = next;
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    let mut added = BTreeSet::new();
    let mut extended = BTreeSet::new();
    let mut missing = BTreeSet::new();
    let mut packages: Vec<PackageFile> = Vec::new();
    for (name, package) in read {
        let Some(package) = package else {
            missing.insert(name);
            continue;
        };
        let held = PackageName::from_str(&name)
            .ok()
            .and_then(|parsed| base.package(&parsed));
        match held {
            None => {
                added.insert(name);
                packages.push(package);
            }
            Some(held) => {
                let (merged, gained) = merge(held.to_source(), package);
                if gained {
                    extended.insert(name);
                    packages.push(merged);
                }
            }
        }
    }
    let index = if packages.is_empty() {
        base
    } else {
        let snapshot = Snapshot {
            newest_upload: base.snapshot().newest_upload().to_owned(),
            packages: packages
                .iter()
                .map(|package| package.name.clone())
                .collect(),
            added_by_closure: BTreeMap::new(),
        };
        // Invariant: the names come from `names::normalize` (read) or from the index itself (merged).
        let extra = Index::from_source(&snapshot, &packages)
            .map_err(|error| OnlineError::Client(anyhow::anyhow!("{error}")))?;
        &*Box::leak(Box::new(base.overlaid(&extra)))
    };
    Ok(Overlay {
        index,
        added,
        extended,
        missing,
        cut,
        counts: client.stats(),
        elapsed: start.elapsed(),
    })
}

/// `held` with the releases of `read` it lacks (versions past its newest, pre-releases it did not hold, releases
/// uploaded since), and whether it gained any. What `held` knows of a release it has is kept: its binary facts
/// are measured, the read's only declared.
fn merge(mut held: PackageFile, read: PackageFile) -> (PackageFile, bool) {
    let has: BTreeSet<nplint_index::Version> = held
        .releases
        .iter()
        .filter_map(|release| nplint_index::Version::from_str(&release.version).ok())
        .collect();
    let before = held.releases.len();
    held.releases
        .extend(read.releases.into_iter().filter(|release| {
            nplint_index::Version::from_str(&release.version)
                .is_ok_and(|version| !has.contains(&version))
        }));
    let gained = held.releases.len() > before;
    held.releases
        .sort_by_cached_key(|release| nplint_index::Version::from_str(&release.version).ok());
    (held, gained)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_uv_then_pip() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        let url = |flag, pairs| index_url(flag, env(pairs), &[]).unwrap().to_string();
        assert_eq!(
            url(
                Some("http://127.0.0.1:1/simple"),
                &[("UV_DEFAULT_INDEX", "http://a.invalid/simple")]
            ),
            "http://127.0.0.1:1/simple"
        );
        assert_eq!(
            url(
                None,
                &[
                    ("PIP_INDEX_URL", "http://p.invalid/simple"),
                    ("UV_INDEX_URL", "http://u.invalid/simple")
                ]
            ),
            "http://u.invalid/simple"
        );
        assert_eq!(
            url(None, &[("PIP_INDEX_URL", "http://p.invalid/simple")]),
            "http://p.invalid/simple"
        );
        // None configured: the files' own indexes are named, never used.
        let error = index_url(None, env(&[]), &["http://f.invalid/simple".to_owned()]).unwrap_err();
        assert!(matches!(error, OnlineError::NoIndex(_)));
        assert!(
            error
                .to_string()
                .contains("name 1 index, which nplint does not follow"),
            "{error}"
        );
    }

    #[test]
    fn a_merge_keeps_what_the_index_knows_and_adds_what_it_lacks() {
        use nplint_index::source::ReleaseEntry;
        let release =
            |version: &str| ReleaseEntry::pure("pkg", version, "2025-01-01T00:00:00Z", &[]);
        let mut held = PackageFile::new("pkg", vec![release("1.0"), release("2.0")]);
        held.releases[1].yanked = Some("measured".to_owned());
        let read = PackageFile::new("pkg", vec![release("2.0"), release("2.1"), release("1.5")]);
        let (merged, gained) = merge(held, read);
        assert!(gained);
        let versions: Vec<&str> = merged.releases.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(versions, ["1.0", "1.5", "2.0", "2.1"]);
        assert_eq!(merged.releases[2].yanked.as_deref(), Some("measured"));
        let (_, gained) = merge(
            merged.clone(),
            PackageFile::new("pkg", vec![release("2.0")]),
        );
        assert!(!gained);
    }
}
