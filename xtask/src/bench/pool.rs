//! The package pool the generator draws from: the 146 real packages of a uv lock, and made-up internal ones.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, ensure};

use super::rng::Rng;

/// The real packages: locked together by uv for CPython 3.11 (see the benches' README).
const POOL_LOCK: &str = "crates/nplint-rules/benches/data/uv-146.lock";

#[derive(Debug, Clone)]
pub(super) struct Package {
    pub(super) name: String,
    pub(super) version: String,
    /// Whether NumPy is among its transitive dependencies in the lock.
    pub(super) uses_numpy: bool,
}

#[derive(Debug)]
pub(super) struct Pool {
    pub(super) real: Vec<Package>,
    /// Real packages that do not pull NumPy in and whose locked release installs on CPython 3.9 (the newest
    /// Python `tensorflow==2.5.0` has wheels for): what a conflicted file carries beside its conflict, so that the
    /// expected rule is the one reported (a filler that needs Python 3.10, such as `networkx==3.4.2`, would turn the
    /// planted numpy-conflict into a python-conflict).
    pub(super) numpy_free: Vec<usize>,
}

/// Packages a conflict names: never drawn at random into a file, so a conflict is exactly what was injected.
pub(super) const CONFLICT_NAMES: &[&str] = &["numpy", "pandas", "tensorflow", "bottleneck"];

impl Pool {
    pub(super) fn load(root: &Path) -> Result<Self> {
        let path = root.join(POOL_LOCK);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text)
    }

    /// Reads `[[package]]` entries' `name`, `version` and `dependencies` names from a uv.lock.
    fn parse(text: &str) -> Result<Self> {
        let mut entries: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut in_dependencies = false;
        for line in text.lines() {
            if line == "[[package]]" {
                entries.push((String::new(), String::new(), Vec::new()));
                in_dependencies = false;
                continue;
            }
            let Some(entry) = entries.last_mut() else {
                continue;
            };
            if let Some(value) = line.strip_prefix("name = ") {
                entry.0 = value.trim_matches('"').to_string();
            } else if let Some(value) = line.strip_prefix("version = ") {
                entry.1 = value.trim_matches('"').to_string();
            } else if line == "dependencies = [" {
                in_dependencies = true;
            } else if in_dependencies && line == "]" {
                in_dependencies = false;
            } else if in_dependencies
                && let Some(rest) = line.trim().strip_prefix("{ name = \"")
                && let Some((name, _)) = rest.split_once('"')
            {
                entry.2.push(name.to_string());
            } else if line.starts_with('[') {
                in_dependencies = false;
            }
        }
        ensure!(
            entries.len() >= 100,
            "expected the 146 packages of {POOL_LOCK}"
        );
        let deps: BTreeMap<&str, &[String]> = entries
            .iter()
            .map(|(name, _, deps)| (name.as_str(), deps.as_slice()))
            .collect();
        let real: Vec<Package> = entries
            .iter()
            .map(|(name, version, _)| Package {
                name: name.clone(),
                version: version.clone(),
                uses_numpy: reaches_numpy(name, &deps),
            })
            .collect();
        let numpy_free = (0..real.len())
            .filter(|&i| !real[i].uses_numpy && !CONFLICT_NAMES.contains(&real[i].name.as_str()))
            .filter(|&i| installs_on_python_3_9(&real[i]))
            .collect();
        Ok(Self { real, numpy_free })
    }

    pub(super) fn get(&self, name: &str) -> &Package {
        self.real
            .iter()
            .find(|package| package.name == name)
            .expect("the pool holds the conflicts' packages")
    }

    /// Between `lo` and `hi` (inclusive) packages, as [`Pool::draw`].
    pub(super) fn draw_between(
        &self,
        rng: &mut Rng,
        lo: usize,
        hi: usize,
        numpy_free: bool,
    ) -> Vec<&Package> {
        let count = rng.range(lo, hi);
        self.draw(rng, count, numpy_free)
    }

    /// `count` distinct real packages, none named by a conflict; only NumPy-free ones when `numpy_free`.
    pub(super) fn draw(&self, rng: &mut Rng, count: usize, numpy_free: bool) -> Vec<&Package> {
        if numpy_free {
            rng.sample(self.numpy_free.len(), count)
                .into_iter()
                .map(|i| &self.real[self.numpy_free[i]])
                .collect()
        } else {
            rng.sample(self.real.len(), count + CONFLICT_NAMES.len())
                .into_iter()
                .map(|i| &self.real[i])
                .filter(|package| !CONFLICT_NAMES.contains(&package.name.as_str()))
                .take(count)
                .collect()
        }
    }
}

/// Whether the package's locked release installs on CPython 3.9 on the platforms a planted conflict is reported
/// on (Linux and Windows x86_64), by the embedded index: its `Requires-Python`, and a wheel where it is compiled. A
/// package outside the index is left out of every solve, so it cannot stand in a conflict's way.
fn installs_on_python_3_9(package: &Package) -> bool {
    use nplint_index::{Index, Platform, PythonVersion, ReleaseKind, Version};
    let (Ok(name), Ok(version)) = (package.name.parse(), package.version.parse::<Version>()) else {
        return false;
    };
    let Some(release) = Index::embedded()
        .package(&name)
        .and_then(|indexed| indexed.release(&version))
    else {
        return true;
    };
    let python = PythonVersion::new(3, 9);
    let python_version: Version = "3.9".parse().expect("a version");
    [Platform::LinuxX86_64, Platform::WindowsX86_64]
        .into_iter()
        .all(|platform| {
            let admits = release
                .requires_python(platform)
                .and_then(|parsed| parsed.value())
                .is_none_or(|specifiers| specifiers.contains(&python_version));
            admits && (release.kind() != ReleaseKind::Binary || release.has_wheel(python, platform))
        })
}

fn reaches_numpy(name: &str, deps: &BTreeMap<&str, &[String]>) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![name];
    while let Some(next) = stack.pop() {
        if next == "numpy" {
            return true;
        }
        if seen.insert(next) {
            stack.extend(
                deps.get(next)
                    .into_iter()
                    .flat_map(|d| d.iter().map(String::as_str)),
            );
        }
    }
    false
}

pub(super) const WORDS: &[&str] = &[
    "auth",
    "billing",
    "catalog",
    "checkout",
    "common",
    "core",
    "data",
    "etl",
    "events",
    "features",
    "forecast",
    "geo",
    "images",
    "ingest",
    "inventory",
    "ledger",
    "metrics",
    "ml",
    "models",
    "notify",
    "orders",
    "pricing",
    "ranking",
    "reports",
    "search",
    "sensors",
    "storage",
    "telemetry",
    "tools",
    "training",
    "utils",
    "vision",
];

/// An internal package of the monorepo, unknown to any index.
pub(super) fn internal_package(rng: &mut Rng) -> Package {
    Package {
        name: format!("acme-{}-{:03}", rng.pick(WORDS), rng.below(1000)),
        version: format!("0.{}.{}", rng.below(30), rng.below(10)),
        uses_numpy: false,
    }
}

/// The leading numeric release components of a version (`"2.18.0"` → `[2, 18, 0]`).
pub(super) fn release(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map_while(|part| part.parse().ok())
        .collect()
}

/// A range as people write them, always admitting the locked version.
pub(super) fn range_spec(rng: &mut Rng, package: &Package) -> String {
    let name = &package.name;
    let parts = release(&package.version);
    if parts.len() < 2 {
        return name.clone();
    }
    let (major, minor) = (parts[0], parts[1]);
    match rng.below(7) {
        0 | 1 => format!("{name}>={major}.{minor}"),
        2 => format!("{name}<{}", major + 1),
        3 => format!("{name}~={major}.{minor}"),
        4 => format!("{name}>={major}.{minor},<{}", major + 1),
        5 => format!("{name}=={}", package.version),
        _ => name.clone(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The pool of the workspace's lock.
    pub(in crate::bench) fn pool() -> Pool {
        Pool::load(&crate::workspace_root()).unwrap()
    }

    #[test]
    fn the_pool_is_the_lock() {
        let pool = pool();
        assert_eq!(pool.real.len(), 146);
        assert_eq!(pool.get("numpy").version, "1.26.4");
        assert!(pool.get("pandas").uses_numpy);
        assert!(!pool.numpy_free.is_empty());
        assert!(pool.numpy_free.iter().all(|&i| !pool.real[i].uses_numpy));
    }
}
