//! `cargo xtask bench`: generates a synthetic monorepo from a fixed seed, runs the release `nplint check` over it,
//! and prints wall time, files per second, peak memory and scaling as a Markdown table for `docs/performance.md`.
//!
//! The tree is a pure function of `--seed`, `--files` and `--conflicts`: the generator draws from a hand-written
//! SplitMix64 (not a crate, so a dependency upgrade never changes the tree) and package pins come from
//! `crates/nplint-rules/benches/data/uv-146.lock`, 146 real packages uv locked together for CPython 3.11, plus
//! internal packages (`acme-<word>-NNN`) the index does not know. A known share of files carries one deliberate,
//! real problem; `expected.json` lists them, and the run fails unless nplint reports every one (a bench that
//! measures nothing fails). `--compare-uv N` also times `uv pip compile --offline` on N requirements files.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use nplint_manifest::Format;

/// The real packages: locked together by uv for CPython 3.11 (see the benches' README).
const POOL_LOCK: &str = "crates/nplint-rules/benches/data/uv-146.lock";
/// Written into generated files in place of a package index: a reserved, unresolvable host.
const INDEX_URL: &str = "https://index.invalid/simple";
const FILES_URL: &str = "https://index.invalid/packages";

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Seed of the generator: the same seed and counts give a byte-identical tree.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Environment files to generate (decoys that discovery must skip come on top).
    #[arg(long, default_value_t = 10_000)]
    files: usize,
    /// Percentage of files that get one deliberate conflict.
    #[arg(long, default_value_t = 5)]
    conflicts: u32,
    /// Where to generate the tree [default: `target/bench-monorepo`]. Replaced on each run.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Timed runs over the whole tree (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also time `uv pip compile` on this many requirements files (needs `uv` and, once, the network).
    #[arg(long, default_value_t = 0)]
    compare_uv: usize,
    /// Generate the tree and `expected.json`, then stop.
    #[arg(long)]
    generate_only: bool,
}

// ---------------------------------------------------------------------------------------------------------------
// The generator's random numbers.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// constants of Vigna's reference `splitmix64.c`). Hand-written so the generated tree never depends on a crate's
/// version; statistical quality far beyond what choosing file names needs.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant at these sizes.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `count` distinct indices of `0..n`, in draw order (partial Fisher–Yates).
    pub(crate) fn sample(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut indices: Vec<usize> = (0..n).collect();
        let count = count.min(n);
        for i in 0..count {
            let j = i + self.below(n - i);
            indices.swap(i, j);
        }
        indices.truncate(count);
        indices
    }

    fn hex(&mut self, chars: usize) -> String {
        let mut out = String::with_capacity(chars + 16);
        while out.len() < chars {
            let _ = write!(out, "{:016x}", self.next_u64());
        }
        out.truncate(chars);
        out
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The package pool.

#[derive(Debug, Clone)]
struct Package {
    name: String,
    version: String,
    /// Whether NumPy is among its transitive dependencies in the lock.
    uses_numpy: bool,
}

#[derive(Debug)]
struct Pool {
    real: Vec<Package>,
    /// Real packages that do not pull NumPy in: what a conflicted file carries beside its conflict, so that the
    /// expected rule is the one reported.
    numpy_free: Vec<usize>,
}

/// Packages a conflict names: never drawn at random into a file, so a conflict is exactly what was injected.
const CONFLICT_NAMES: &[&str] = &["numpy", "pandas", "tensorflow", "bottleneck"];

impl Pool {
    fn load(root: &Path) -> Result<Self> {
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
            .collect();
        Ok(Self { real, numpy_free })
    }

    fn get(&self, name: &str) -> &Package {
        self.real
            .iter()
            .find(|package| package.name == name)
            .expect("the pool holds the conflicts' packages")
    }

    /// Between `lo` and `hi` (inclusive) packages, as [`Pool::draw`].
    fn draw_between(&self, rng: &mut Rng, lo: usize, hi: usize, numpy_free: bool) -> Vec<&Package> {
        let count = rng.range(lo, hi);
        self.draw(rng, count, numpy_free)
    }

    /// `count` distinct real packages, none named by a conflict; only NumPy-free ones when `numpy_free`.
    fn draw(&self, rng: &mut Rng, count: usize, numpy_free: bool) -> Vec<&Package> {
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

const WORDS: &[&str] = &[
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
fn internal_package(rng: &mut Rng) -> Package {
    Package {
        name: format!("acme-{}-{:03}", rng.pick(WORDS), rng.below(1000)),
        version: format!("0.{}.{}", rng.below(30), rng.below(10)),
        uses_numpy: false,
    }
}

/// The leading numeric release components of a version (`"2.18.0"` → `[2, 18, 0]`).
fn release(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map_while(|part| part.parse().ok())
        .collect()
}

/// A range as people write them, always admitting the locked version.
fn range_spec(rng: &mut Rng, package: &Package) -> String {
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

// ---------------------------------------------------------------------------------------------------------------
// The plan: what each file is, before any text is written.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Requirements,
    RequirementsIn,
    Constraints,
    Pyproject,
    CondaEnv,
    UvLock,
    PoetryLock,
    PdmLock,
    Pylock,
    Pipfile,
    PipfileLock,
    CondaLock,
    PixiLock,
}

/// The four shares of the mix, by file count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Share {
    Requirements,
    Pyproject,
    Conda,
    Lock,
}

/// Target shares in percent: ~45% requirements-style, ~20% pyproject, ~8% environment.yml, ~27% lockfiles.
const SHARES: [(Share, usize); 4] = [
    (Share::Requirements, 45),
    (Share::Pyproject, 20),
    (Share::Conda, 8),
    (Share::Lock, 27),
];

impl Kind {
    fn share(self) -> Share {
        match self {
            Self::Requirements | Self::RequirementsIn | Self::Constraints => Share::Requirements,
            Self::Pyproject => Share::Pyproject,
            Self::CondaEnv => Share::Conda,
            _ => Share::Lock,
        }
    }

    /// The format nplint must detect for this kind.
    fn format(self) -> Format {
        match self {
            Self::Requirements | Self::RequirementsIn | Self::Constraints => {
                Format::RequirementsTxt
            }
            Self::Pyproject => Format::Pyproject,
            Self::CondaEnv => Format::CondaEnvironment,
            Self::UvLock => Format::UvLock,
            Self::PoetryLock => Format::PoetryLock,
            Self::PdmLock => Format::PdmLock,
            Self::Pylock => Format::Pylock,
            Self::Pipfile => Format::Pipfile,
            Self::PipfileLock => Format::PipfileLock,
            Self::CondaLock => Format::CondaLock,
            Self::PixiLock => Format::PixiLock,
        }
    }
}

/// A deliberate problem, each one nplint reports today (checked by the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conflict {
    /// `tensorflow==2.5.0` with `numpy>=1.21`: a numpy-conflict on Python 3.6–3.9 (so only where the Python
    /// version is left open).
    TensorflowNumpy,
    /// `bottleneck==1.3.7` with `numpy==2.2.6`: binaries built against NumPy 1.x, an abi-mismatch.
    BottleneckAbi,
    /// `pandas==2.1.4` with `numpy>=2`: pandas 2.1 declares `numpy<2`, a numpy-conflict.
    PandasNumpy2,
}

impl Conflict {
    fn rule(self) -> &'static str {
        match self {
            Self::TensorflowNumpy | Self::PandasNumpy2 => "numpy-conflict",
            Self::BottleneckAbi => "abi-mismatch",
        }
    }

    /// The two requirements, as PEP 508 strings.
    fn requirements(self) -> [&'static str; 2] {
        match self {
            Self::TensorflowNumpy => ["tensorflow==2.5.0", "numpy>=1.21"],
            Self::BottleneckAbi => ["bottleneck==1.3.7", "numpy==2.2.6"],
            Self::PandasNumpy2 => ["pandas==2.1.4", "numpy>=2"],
        }
    }
}

#[derive(Debug, Clone)]
struct Planned {
    /// Relative to the tree's root, `/`-separated.
    path: String,
    kind: Kind,
    /// Seed of this file's own generator, so a file's text does not depend on the order files are rendered.
    seed: u64,
    /// A sibling this file includes (`-r`) or constrains by (`-c`), by file name.
    include: Option<(&'static str, String)>,
    /// The Python version is given (a `requires-python`, `python=3.11`, or an `nplint.toml` beside it).
    python_pinned: bool,
    /// Only real package names (no internal ones): a candidate for the comparison with uv.
    public_only: bool,
    /// May carry a conflict: the file stands alone (no include, no lock made from it).
    eligible: bool,
    conflict: Option<Conflict>,
}

#[derive(Debug)]
struct Plan {
    files: Vec<Planned>,
    /// `nplint.toml` files (directories whose requirements files are checked on Python 3.11).
    configs: Vec<String>,
    /// Files discovery must skip, with their text.
    decoys: Vec<(String, String)>,
}

fn planned(path: String, kind: Kind, rng: &mut Rng) -> Planned {
    Planned {
        path,
        kind,
        seed: rng.next_u64(),
        include: None,
        python_pinned: true,
        public_only: false,
        eligible: false,
        conflict: None,
    }
}

fn plan(seed: u64, files: usize, conflict_percent: u32) -> Plan {
    let mut rng = Rng::new(seed);
    let mut out: Vec<Planned> = Vec::with_capacity(files);
    let mut configs = Vec::new();
    let mut counts: BTreeMap<Share, usize> = BTreeMap::new();
    let mut projects = 0usize;
    while out.len() < files {
        let remaining = files - out.len();
        // The share furthest below its target goes next, so the mix is exact whatever the draws.
        let share = SHARES
            .iter()
            .min_by_key(|(share, percent)| {
                // counts / percent, compared without division.
                let have = counts.get(share).copied().unwrap_or(0);
                (have * 100 + 1) * 1000 / (percent * 100)
            })
            .map(|(share, _)| *share)
            .expect("four shares");
        projects += 1;
        let dir = match rng.below(10) {
            0..=4 => format!("services/svc-{projects:04}"),
            5..=7 => format!("libs/lib-{projects:04}"),
            _ => format!("notebooks/{}/nb-{projects:04}", rng.pick(WORDS)),
        };
        let before = out.len();
        match share {
            Share::Requirements => {
                plan_requirements(&mut rng, &dir, remaining, &mut out, &mut configs);
            }
            Share::Pyproject => {
                let count = rng.range(1, 3).min(remaining);
                for i in 0..count {
                    let path = if i == 0 {
                        format!("{dir}/pyproject.toml")
                    } else {
                        format!("{dir}/packages/{}-{i}/pyproject.toml", rng.pick(WORDS))
                    };
                    let mut file = planned(path, Kind::Pyproject, &mut rng);
                    file.eligible = true;
                    out.push(file);
                }
            }
            Share::Conda => {
                let count = rng.range(1, 2).min(remaining);
                for i in 0..count {
                    let path = if i == 0 {
                        format!("{dir}/environment.yml")
                    } else {
                        format!("{dir}/envs/environment-gpu.yml")
                    };
                    let mut file = planned(path, Kind::CondaEnv, &mut rng);
                    file.eligible = true;
                    out.push(file);
                }
            }
            Share::Lock => plan_lock(&mut rng, &dir, remaining, &mut out),
        }
        for file in &out[before..] {
            *counts.entry(file.kind.share()).or_default() += 1;
        }
    }

    // Exactly `conflict_percent`% of the files get one conflict, among the files that may carry one.
    let wanted = (files * conflict_percent as usize).div_ceil(100).min(files);
    let eligible: Vec<usize> = (0..out.len()).filter(|&i| out[i].eligible).collect();
    for pick in rng.sample(eligible.len(), wanted) {
        let file = &mut out[eligible[pick]];
        let allowed: &[Conflict] = match file.kind {
            Kind::Requirements | Kind::RequirementsIn if !file.python_pinned => &[
                Conflict::TensorflowNumpy,
                Conflict::BottleneckAbi,
                Conflict::PandasNumpy2,
            ],
            Kind::Requirements | Kind::RequirementsIn | Kind::Pyproject => {
                &[Conflict::BottleneckAbi, Conflict::PandasNumpy2]
            }
            Kind::CondaEnv => &[Conflict::PandasNumpy2],
            _ => &[Conflict::BottleneckAbi],
        };
        file.conflict = Some(*rng.pick(allowed));
    }

    let decoys = plan_decoys(&mut rng, &out);
    Plan {
        files: out,
        configs,
        decoys,
    }
}

fn plan_requirements(
    rng: &mut Rng,
    dir: &str,
    remaining: usize,
    out: &mut Vec<Planned>,
    configs: &mut Vec<String>,
) {
    let budget = rng.range(1, 6).min(remaining);
    // ~20% of requirements projects leave the Python version open (every CPython NumPy supports is checked).
    let python_pinned = rng.chance(80);
    if python_pinned {
        configs.push(format!("{dir}/nplint.toml"));
    }
    let public_only = rng.chance(40);
    let start = out.len();
    let with_constraints = budget >= 2 && rng.chance(30);
    let mut main = planned(format!("{dir}/requirements.txt"), Kind::Requirements, rng);
    if with_constraints {
        main.include = Some(("-c", "constraints.txt".to_string()));
    }
    out.push(main);
    if with_constraints {
        out.push(planned(
            format!("{dir}/constraints.txt"),
            Kind::Constraints,
            rng,
        ));
    }
    while out.len() - start < budget {
        let n = out.len() - start;
        match rng.below(4) {
            0 if !out[start..]
                .iter()
                .any(|f| f.path.ends_with("requirements-dev.txt")) =>
            {
                let mut dev = planned(
                    format!("{dir}/requirements-dev.txt"),
                    Kind::Requirements,
                    rng,
                );
                dev.include = Some(("-r", "requirements.txt".to_string()));
                out.push(dev);
            }
            1 if budget - n >= 2 && !out[start..].iter().any(|f| f.path.ends_with("base.in")) => {
                out.push(planned(
                    format!("{dir}/requirements/base.in"),
                    Kind::RequirementsIn,
                    rng,
                ));
                let mut dev = planned(
                    format!("{dir}/requirements/dev.in"),
                    Kind::RequirementsIn,
                    rng,
                );
                dev.include = Some(("-r", "base.in".to_string()));
                out.push(dev);
            }
            _ => {
                let sub = format!("{}-{n}", rng.pick(WORDS));
                out.push(planned(
                    format!("{dir}/{sub}/requirements.txt"),
                    Kind::Requirements,
                    rng,
                ));
            }
        }
    }
    let included: BTreeSet<String> = out[start..]
        .iter()
        .filter_map(|file| {
            let (_, name) = file.include.as_ref()?;
            let parent = file.path.rsplit_once('/').map_or("", |(parent, _)| parent);
            Some(format!("{parent}/{name}"))
        })
        .collect();
    for file in &mut out[start..] {
        file.python_pinned = python_pinned;
        file.public_only = public_only;
        file.eligible = file.include.is_none()
            && file.kind != Kind::Constraints
            && !included.contains(&file.path);
    }
}

fn plan_lock(rng: &mut Rng, dir: &str, remaining: usize, out: &mut Vec<Planned>) {
    let single = [Kind::Pylock, Kind::CondaLock, Kind::PixiLock];
    let paired = [
        Kind::UvLock,
        Kind::PoetryLock,
        Kind::PdmLock,
        Kind::PipfileLock,
    ];
    let kind = if remaining >= 2 && rng.chance(60) {
        *rng.pick(&paired)
    } else {
        *rng.pick(&single)
    };
    let name = match kind {
        Kind::UvLock => "uv.lock",
        Kind::PoetryLock => "poetry.lock",
        Kind::PdmLock => "pdm.lock",
        Kind::PipfileLock => "Pipfile.lock",
        Kind::Pylock => "pylock.toml",
        Kind::CondaLock => "conda-lock.yml",
        _ => "pixi.lock",
    };
    let mut lock = planned(format!("{dir}/{name}"), kind, rng);
    lock.eligible = !matches!(kind, Kind::CondaLock | Kind::PixiLock);
    out.push(lock);
    match kind {
        Kind::PipfileLock => out.push(planned(format!("{dir}/Pipfile"), Kind::Pipfile, rng)),
        Kind::UvLock | Kind::PoetryLock | Kind::PdmLock => {
            out.push(planned(
                format!("{dir}/pyproject.toml"),
                Kind::Pyproject,
                rng,
            ));
        }
        _ => {}
    }
}

/// Environment files in places a walk must not enter: `.venv/`, `node_modules/`, a git-ignored `build/`, hidden
/// directories. One set per ~100 files.
fn plan_decoys(rng: &mut Rng, files: &[Planned]) -> Vec<(String, String)> {
    let mut decoys = vec![
        (
            ".gitignore".to_string(),
            "build/\n*.egg-info/\n".to_string(),
        ),
        // The walker honours `.gitignore` only inside a git repository, as ripgrep does.
        (
            ".git/HEAD".to_string(),
            "ref: refs/heads/main\n".to_string(),
        ),
    ];
    let text = "tensorflow==2.5.0\nnumpy>=1.21\n";
    for i in 0..files.len().div_ceil(100) {
        let dir = files[rng.below(files.len())]
            .path
            .rsplit_once('/')
            .map_or(String::new(), |(dir, _)| dir.to_string());
        let path = match i % 4 {
            0 => format!("{dir}/.venv/lib/python3.11/site-packages/pkg-{i}/requirements.txt"),
            1 => format!("{dir}/node_modules/pkg-{i}/requirements.txt"),
            2 => format!("build/{dir}/requirements.txt"),
            _ => format!("{dir}/.cache/pkg-{i}/pyproject.toml"),
        };
        let text = if i % 4 == 3 {
            "[project]\nname = \"decoy\"\ndependencies = [\"pandas==2.1.4\", \"numpy>=2\"]\n"
                .to_string()
        } else {
            text.to_string()
        };
        decoys.push((path, text));
    }
    decoys
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering.

/// Wheel tags of a compiled package locked for CPython 3.11.
const TAGS: &[&str] = &[
    "cp311-cp311-macosx_10_9_x86_64",
    "cp311-cp311-macosx_11_0_arm64",
    "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-cp311-musllinux_1_2_aarch64",
    "cp311-cp311-musllinux_1_2_x86_64",
    "cp311-cp311-win32",
    "cp311-cp311-win_amd64",
];

/// A locked package's artifacts: the sdist and the wheels, with hashes, sizes and upload times.
#[derive(Debug)]
struct Artifact {
    file: String,
    hash: String,
    size: u64,
    time: String,
}

fn artifacts(rng: &mut Rng, package: &Package) -> (Artifact, Vec<Artifact>) {
    let stem = package.name.replace('-', "_");
    let version = &package.version;
    let time = format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    );
    let artifact = |file: String, size: u64, rng: &mut Rng| Artifact {
        file,
        hash: rng.hex(64),
        size,
        time: time.clone(),
    };
    let sdist = artifact(
        format!("{stem}-{version}.tar.gz"),
        rng.range(10_000, 20_000_000) as u64,
        rng,
    );
    // Internal packages come from a private index as one pure wheel; a third of the others are compiled.
    let compiled = package.uses_numpy || (!package.name.starts_with("acme-") && rng.chance(30));
    let wheels = if compiled {
        let count = rng.range(4, TAGS.len());
        TAGS[..count]
            .iter()
            .map(|tag| {
                artifact(
                    format!("{stem}-{version}-{tag}.whl"),
                    rng.range(50_000, 30_000_000) as u64,
                    rng,
                )
            })
            .collect()
    } else {
        vec![artifact(
            format!("{stem}-{version}-py3-none-any.whl"),
            rng.range(5_000, 2_000_000) as u64,
            rng,
        )]
    };
    (sdist, wheels)
}

fn url(rng: &mut Rng, file: &str) -> String {
    format!(
        "{FILES_URL}/{}/{}/{}/{file}",
        rng.hex(2),
        rng.hex(2),
        rng.hex(60)
    )
}

/// The packages a lockfile pins: 50–400, real ones first (all 146 at most), internal ones for the rest; with a
/// conflict, its two packages pinned as the conflict says and the rest NumPy-free.
fn lock_packages(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> Vec<Package> {
    let count = rng.range(50, 400);
    let mut packages: Vec<Package> = if conflict.is_some() {
        let real = count.min(pool.numpy_free.len());
        pool.draw(rng, real, true).into_iter().cloned().collect()
    } else {
        let real = count.min(pool.real.len() - CONFLICT_NAMES.len());
        let mut packages: Vec<Package> = pool.draw(rng, real, false).into_iter().cloned().collect();
        // A real lock of this pool holds NumPy, and usually what conflicts name, at the versions uv chose.
        packages.extend(
            CONFLICT_NAMES
                .iter()
                .filter(|_| rng.chance(70))
                .map(|name| pool.get(name).clone()),
        );
        if !packages.iter().any(|package| package.name == "numpy") {
            packages.push(pool.get("numpy").clone());
        }
        packages
    };
    if let Some(conflict) = conflict {
        for requirement in conflict.requirements() {
            let (name, version) = requirement
                .split_once("==")
                .expect("a lock's conflict pins both packages");
            packages.push(Package {
                name: name.to_string(),
                version: version.to_string(),
                uses_numpy: true,
            });
        }
    }
    while packages.len() < count {
        let package = internal_package(rng);
        if !packages.iter().any(|p| p.name == package.name) {
            packages.push(package);
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages.dedup_by(|a, b| a.name == b.name);
    packages
}

/// What `tensorflow==2.5.0` requires besides NumPy (`~=` pins of old releases): kept out of a file that carries its
/// conflict, where one would turn the NumPy conflict into another.
const TENSORFLOW_2_5_DEPS: &[&str] = &[
    "absl-py",
    "astunparse",
    "flatbuffers",
    "gast",
    "google-pasta",
    "grpcio",
    "h5py",
    "keras-nightly",
    "keras-preprocessing",
    "opt-einsum",
    "protobuf",
    "six",
    "tensorboard",
    "tensorflow-estimator",
    "termcolor",
    "typing-extensions",
    "wheel",
    "wrapt",
];

/// The requirements a manifest declares: real ranges, some internal packages, and the conflict's pair.
fn manifest_requirements(
    rng: &mut Rng,
    pool: &Pool,
    file: &Planned,
    lo: usize,
    hi: usize,
) -> Vec<String> {
    let count = rng.range(lo, hi);
    let conflict = file.conflict;
    let internal = if file.public_only {
        0
    } else {
        rng.below(count / 3 + 1)
    };
    let mut lines: Vec<String> = pool
        .draw(rng, count.saturating_sub(internal), conflict.is_some())
        .into_iter()
        .filter(|package| {
            conflict != Some(Conflict::TensorflowNumpy)
                || !TENSORFLOW_2_5_DEPS.contains(&package.name.as_str())
        })
        .map(|package| range_spec(rng, package))
        .collect();
    for _ in 0..internal {
        let package = internal_package(rng);
        lines.push(format!("{}>={}", package.name, package.version));
    }
    if let Some(conflict) = conflict {
        let [first, second] = conflict.requirements();
        let at = rng.below(lines.len() + 1);
        lines.insert(at, first.to_string());
        let at = rng.range(at + 1, lines.len());
        lines.insert(at, second.to_string());
    }
    lines
}

fn render(file: &Planned, pool: &Pool) -> String {
    let mut rng = Rng::new(file.seed);
    let rng = &mut rng;
    match file.kind {
        Kind::Requirements | Kind::RequirementsIn => render_requirements(rng, pool, file),
        Kind::Constraints => {
            let mut text = String::from("# Pins shared by this service's requirements files.\n");
            for package in pool.draw_between(rng, 5, 40, false) {
                let _ = writeln!(text, "{}=={}", package.name, package.version);
            }
            text
        }
        Kind::Pyproject => render_pyproject(rng, pool, file),
        Kind::CondaEnv => render_conda_env(rng, pool, file),
        Kind::UvLock => render_uv_lock(rng, pool, file.conflict),
        Kind::PoetryLock => render_poetry_lock(rng, pool, file.conflict),
        Kind::PdmLock => render_pdm_lock(rng, pool, file.conflict),
        Kind::Pylock => render_pylock(rng, pool, file.conflict),
        Kind::Pipfile => render_pipfile(rng, pool),
        Kind::PipfileLock => render_pipfile_lock(rng, pool, file.conflict),
        Kind::CondaLock => render_conda_lock(rng, pool),
        Kind::PixiLock => render_pixi_lock(rng, pool),
    }
}

fn render_requirements(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# {} dependencies", rng.pick(WORDS));
    if let Some((option, name)) = &file.include {
        let _ = writeln!(text, "{option} {name}");
    }
    let (lo, hi) = if file.include.is_some() {
        (3, 12)
    } else {
        (5, 40)
    };
    for line in manifest_requirements(rng, pool, file, lo, hi) {
        if rng.chance(8) {
            let _ = writeln!(text, "{line}  # {}", rng.pick(WORDS));
        } else {
            let _ = writeln!(text, "{line}");
        }
        if rng.chance(5) {
            text.push('\n');
        }
    }
    text
}

fn toml_array(lines: &[String]) -> String {
    let mut text = String::from("[\n");
    for line in lines {
        let _ = writeln!(text, "    \"{line}\",");
    }
    text.push(']');
    text
}

fn render_pyproject(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let name = format!("acme-{}-{:03}", rng.pick(WORDS), rng.below(1000));
    let requirements = manifest_requirements(rng, pool, file, 3, 25);
    // Poetry style for a fifth of the stand-alone files (a conflict stays PEP 621, where its text is PEP 508).
    if file.conflict.is_none() && rng.chance(20) {
        let mut text = format!(
            "[tool.poetry]\nname = \"{name}\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = [\"Acme <dev@acme.invalid>\"]\n\n[tool.poetry.dependencies]\npython = \">=3.11,<3.12\"\n"
        );
        for package in pool.draw_between(rng, 3, 20, false) {
            let parts = release(&package.version);
            match parts.as_slice() {
                [major, minor, ..] => {
                    let _ = writeln!(text, "{} = \"^{major}.{minor}\"", package.name);
                }
                _ => {
                    let _ = writeln!(text, "{} = \"*\"", package.name);
                }
            }
        }
        text.push_str("\n[tool.poetry.group.dev.dependencies]\npytest = \"^8.0\"\n\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n");
        return text;
    }
    let mut text = format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    if file.python_pinned {
        text.push_str("requires-python = \">=3.11,<3.12\"\n");
    }
    let _ = writeln!(text, "dependencies = {}\n", toml_array(&requirements));
    let extras: Vec<String> = pool
        .draw_between(rng, 1, 5, true)
        .into_iter()
        .map(|package| range_spec(rng, package))
        .collect();
    let _ = writeln!(
        text,
        "[project.optional-dependencies]\nextra = {}\n",
        toml_array(&extras)
    );
    let dev: Vec<String> = pool
        .draw_between(rng, 1, 6, true)
        .into_iter()
        .map(|package| range_spec(rng, package))
        .collect();
    let _ = writeln!(text, "[dependency-groups]\ndev = {}\n", toml_array(&dev));
    text.push_str(
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
    );
    text
}

fn render_conda_env(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let mut text = format!(
        "name: {}\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n",
        rng.pick(WORDS)
    );
    let conda = pool.draw_between(rng, 4, 20, file.conflict.is_some());
    for package in conda {
        let parts = release(&package.version);
        match (rng.below(3), parts.as_slice()) {
            (0, [major, minor, ..]) => {
                let _ = writeln!(text, "  - {}>={major}.{minor}", package.name);
            }
            (1, _) => {
                let _ = writeln!(text, "  - {}={}", package.name, package.version);
            }
            _ => {
                let _ = writeln!(text, "  - {}", package.name);
            }
        }
    }
    if file.conflict == Some(Conflict::PandasNumpy2) {
        text.push_str("  - pandas=2.1.4\n  - numpy>=2\n");
    }
    text.push_str("  - pip\n  - pip:\n");
    for package in pool.draw_between(rng, 1, 6, true) {
        let _ = writeln!(text, "    - {}", range_spec(rng, package));
    }
    for _ in 0..rng.below(3) {
        let package = internal_package(rng);
        let _ = writeln!(text, "    - {}=={}", package.name, package.version);
    }
    text
}

fn render_uv_lock(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> String {
    let mut text = String::from("version = 1\nrevision = 3\nrequires-python = \">=3.11, <3.12\"\n");
    for package in lock_packages(rng, pool, conflict) {
        let (sdist, wheels) = artifacts(rng, &package);
        let _ = write!(
            text,
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = {{ registry = \"{INDEX_URL}\" }}\n",
            package.name, package.version
        );
        let _ = writeln!(
            text,
            "sdist = {{ url = \"{}\", hash = \"sha256:{}\", size = {}, upload-time = \"{}\" }}\nwheels = [",
            url(rng, &sdist.file),
            sdist.hash,
            sdist.size,
            sdist.time
        );
        for wheel in wheels {
            let _ = writeln!(
                text,
                "    {{ url = \"{}\", hash = \"sha256:{}\", size = {}, upload-time = \"{}\" }},",
                url(rng, &wheel.file),
                wheel.hash,
                wheel.size,
                wheel.time
            );
        }
        text.push_str("]\n");
    }
    text
}

fn render_poetry_lock(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> String {
    let mut text = String::from(
        "# This file is automatically @generated by Poetry 2.1.1 and should not be changed by hand.\n",
    );
    for package in lock_packages(rng, pool, conflict) {
        let (sdist, wheels) = artifacts(rng, &package);
        let _ = write!(
            text,
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.9\"\ngroups = [\"main\"]\nfiles = [\n",
            package.name, package.version
        );
        for artifact in wheels.iter().chain([&sdist]) {
            let _ = writeln!(
                text,
                "    {{file = \"{}\", hash = \"sha256:{}\"}},",
                artifact.file, artifact.hash
            );
        }
        text.push_str("]\n");
    }
    let _ = write!(
        text,
        "\n[metadata]\nlock-version = \"2.1\"\npython-versions = \">=3.11,<3.12\"\ncontent-hash = \"{}\"\n",
        rng.hex(64)
    );
    text
}

fn render_pdm_lock(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> String {
    let mut text = format!(
        "# This file is @generated by PDM.\n# It is not intended for manual editing.\n\n[metadata]\ngroups = [\"default\"]\nstrategy = [\"inherit_metadata\"]\nlock_version = \"4.5.0\"\ncontent_hash = \"sha256:{}\"\n\n[[metadata.targets]]\nrequires_python = \"==3.11.*\"\n",
        rng.hex(64)
    );
    for package in lock_packages(rng, pool, conflict) {
        let (sdist, wheels) = artifacts(rng, &package);
        let _ = write!(
            text,
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nrequires_python = \">=3.9\"\nsummary = \"\"\ngroups = [\"default\"]\nfiles = [\n",
            package.name, package.version
        );
        for artifact in wheels.iter().chain([&sdist]) {
            let _ = writeln!(
                text,
                "    {{file = \"{}\", hash = \"sha256:{}\"}},",
                artifact.file, artifact.hash
            );
        }
        text.push_str("]\n");
    }
    text
}

fn render_pylock(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> String {
    let mut text = String::from(
        "# This file was autogenerated by uv via the following command:\n#    uv export --format pylock.toml -o pylock.toml\nlock-version = \"1.0\"\ncreated-by = \"uv\"\nrequires-python = \">=3.11, <3.12\"\n",
    );
    for package in lock_packages(rng, pool, conflict) {
        let (sdist, wheels) = artifacts(rng, &package);
        let _ = write!(
            text,
            "\n[[packages]]\nname = \"{}\"\nversion = \"{}\"\nindex = \"{INDEX_URL}\"\n",
            package.name, package.version
        );
        let _ = writeln!(
            text,
            "sdist = {{ url = \"{}\", upload-time = {}, size = {}, hashes = {{ sha256 = \"{}\" }} }}\nwheels = [",
            url(rng, &sdist.file),
            sdist.time,
            sdist.size,
            sdist.hash
        );
        for wheel in wheels {
            let _ = writeln!(
                text,
                "    {{ url = \"{}\", upload-time = {}, size = {}, hashes = {{ sha256 = \"{}\" }} }},",
                url(rng, &wheel.file),
                wheel.time,
                wheel.size,
                wheel.hash
            );
        }
        text.push_str("]\n");
    }
    text
}

fn render_pipfile(rng: &mut Rng, pool: &Pool) -> String {
    let mut text = format!(
        "[[source]]\nurl = \"{INDEX_URL}\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\n"
    );
    for package in pool.draw_between(rng, 3, 15, false) {
        let _ = writeln!(text, "{} = \"*\"", package.name);
    }
    text.push_str("\n[dev-packages]\npytest = \"*\"\n\n[requires]\npython_version = \"3.11\"\n");
    text
}

fn render_pipfile_lock(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> String {
    let mut text = format!(
        "{{\n    \"_meta\": {{\n        \"hash\": {{\n            \"sha256\": \"{}\"\n        }},\n        \"pipfile-spec\": 6,\n        \"requires\": {{\n            \"python_version\": \"3.11\"\n        }},\n        \"sources\": [\n            {{\n                \"name\": \"pypi\",\n                \"url\": \"{INDEX_URL}\",\n                \"verify_ssl\": true\n            }}\n        ]\n    }},\n    \"default\": {{",
        rng.hex(64)
    );
    let packages = lock_packages(rng, pool, conflict);
    for (i, package) in packages.iter().enumerate() {
        let (sdist, wheels) = artifacts(rng, package);
        let mut hashes: Vec<&str> = wheels
            .iter()
            .chain([&sdist])
            .map(|a| a.hash.as_str())
            .collect();
        hashes.sort_unstable();
        let _ = write!(
            text,
            "\n        \"{}\": {{\n            \"hashes\": [",
            package.name
        );
        for (j, hash) in hashes.iter().enumerate() {
            let comma = if j + 1 < hashes.len() { "," } else { "" };
            let _ = write!(text, "\n                \"sha256:{hash}\"{comma}");
        }
        let comma = if i + 1 < packages.len() { "," } else { "" };
        let _ = write!(
            text,
            "\n            ],\n            \"index\": \"pypi\",\n            \"markers\": \"python_version >= '3.9'\",\n            \"version\": \"=={}\"\n        }}{comma}",
            package.version
        );
    }
    text.push_str("\n    },\n    \"develop\": {}\n}\n");
    text
}

/// conda's channel for a generated conda package.
const CONDA_CHANNEL: &str = "https://conda.anaconda.invalid/conda-forge";

/// A conda build string: `py311h<hash>_0` for compiled packages, `pyhd8ed1ab_0` for pure ones.
fn conda_build(rng: &mut Rng, package: &Package) -> (String, &'static str) {
    if package.uses_numpy {
        (format!("py311h{}_0", rng.hex(7)), "linux-64")
    } else {
        ("pyhd8ed1ab_0".to_string(), "noarch")
    }
}

/// conda-lock and pixi locks: the real packages and Python from conda (NumPy at the pool's version), the internal
/// ones from the index through pip.
fn conda_lock_packages(rng: &mut Rng, pool: &Pool) -> (Vec<Package>, Vec<Package>) {
    let mut packages = lock_packages(rng, pool, None);
    packages.push(Package {
        name: "python".to_string(),
        version: "3.11.11".to_string(),
        uses_numpy: true,
    });
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages
        .into_iter()
        .partition(|package| !package.name.starts_with("acme-"))
}

fn render_conda_lock(rng: &mut Rng, pool: &Pool) -> String {
    let mut text = format!(
        "# This lock file was generated by conda-lock (https://github.com/conda/conda-lock). DO NOT EDIT!\nversion: 1\nmetadata:\n  content_hash:\n    linux-64: {}\n  channels:\n  - url: conda-forge\n    used_env_vars: []\n  platforms:\n  - linux-64\n  sources:\n  - environment.yml\npackage:\n",
        rng.hex(64)
    );
    let (conda, pip) = conda_lock_packages(rng, pool);
    for package in &conda {
        let (build, subdir) = conda_build(rng, package);
        let _ = write!(
            text,
            "- name: {}\n  version: '{}'\n  manager: conda\n  platform: linux-64\n  dependencies:\n    python: '>=3.11,<3.12.0a0'\n  url: {CONDA_CHANNEL}/{subdir}/{}-{}-{build}.conda\n  hash:\n    md5: {}\n    sha256: {}\n  category: main\n  optional: false\n",
            package.name,
            package.version,
            package.name,
            package.version,
            rng.hex(32),
            rng.hex(64)
        );
    }
    for package in &pip {
        let (_, wheels) = artifacts(rng, package);
        let wheel = &wheels[0];
        let _ = write!(
            text,
            "- name: {}\n  version: '{}'\n  manager: pip\n  platform: linux-64\n  dependencies: {{}}\n  url: {}\n  hash:\n    sha256: {}\n  category: main\n  optional: false\n",
            package.name,
            package.version,
            url(rng, &wheel.file),
            wheel.hash
        );
    }
    text
}

fn render_pixi_lock(rng: &mut Rng, pool: &Pool) -> String {
    let (conda, pip) = conda_lock_packages(rng, pool);
    let conda_urls: Vec<(String, &Package)> = conda
        .iter()
        .map(|package| {
            let (build, subdir) = conda_build(rng, package);
            (
                format!(
                    "{CONDA_CHANNEL}/{subdir}/{}-{}-{build}.conda",
                    package.name, package.version
                ),
                package,
            )
        })
        .collect();
    let pip_urls: Vec<(String, &Package)> = pip
        .iter()
        .map(|package| {
            let file = format!(
                "{}-{}-py3-none-any.whl",
                package.name.replace('-', "_"),
                package.version
            );
            (url(rng, &file), package)
        })
        .collect();
    let mut text = format!(
        "version: 6\nenvironments:\n  default:\n    channels:\n    - url: {CONDA_CHANNEL}/\n    indexes:\n    - {INDEX_URL}\n    packages:\n      linux-64:\n"
    );
    for (url, _) in &conda_urls {
        let _ = writeln!(text, "      - conda: {url}");
    }
    for (url, _) in &pip_urls {
        let _ = writeln!(text, "      - pypi: {url}");
    }
    text.push_str("packages:\n");
    for (url, _) in &conda_urls {
        let _ = write!(
            text,
            "- conda: {url}\n  sha256: {}\n  md5: {}\n  depends:\n  - python >=3.11,<3.12.0a0\n",
            rng.hex(64),
            rng.hex(32)
        );
    }
    for (url, package) in &pip_urls {
        let _ = write!(
            text,
            "- pypi: {url}\n  name: {}\n  version: {}\n  sha256: {}\n  requires_python: '>=3.9'\n",
            package.name,
            package.version,
            rng.hex(64)
        );
    }
    text
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the tree.

/// The file `expected.json` is written to; its presence also marks a directory this task may replace.
const EXPECTED: &str = "expected.json";

/// Writes the tree under `out` (replacing a previous tree) and returns the plan.
fn generate(pool: &Pool, out: &Path, seed: u64, files: usize, conflicts: u32) -> Result<Plan> {
    if out.exists() {
        let ours = out.join(EXPECTED).is_file() || std::fs::read_dir(out)?.next().is_none();
        ensure!(
            ours,
            "{} exists and was not generated by `cargo xtask bench` (no {EXPECTED}): refusing to replace it",
            out.display()
        );
        std::fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let plan = plan(seed, files, conflicts);
    let write = |path: &str, text: &str| -> Result<()> {
        let path = out.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in the tree"))?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    for file in &plan.files {
        write(&file.path, &render(file, pool))?;
    }
    for config in &plan.configs {
        write(
            config,
            "# Generated by `cargo xtask bench`: this service runs CPython 3.11.\npython = [\"3.11\"]\n",
        )?;
    }
    for (path, text) in &plan.decoys {
        write(path, text)?;
    }
    write(EXPECTED, &expected_json(&plan, seed, conflicts))?;
    Ok(plan)
}

fn expected_json(plan: &Plan, seed: u64, conflicts: u32) -> String {
    let mut formats: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &plan.files {
        *formats.entry(file.kind.format().name()).or_default() += 1;
    }
    let expected: Vec<serde_json::Value> = plan
        .files
        .iter()
        .filter_map(|file| {
            let conflict = file.conflict?;
            Some(serde_json::json!({
                "path": file.path,
                "rule": conflict.rule(),
                "requirements": conflict.requirements(),
            }))
        })
        .collect();
    let document = serde_json::json!({
        "generator": "cargo xtask bench",
        "seed": seed,
        "files": plan.files.len(),
        "conflict_percent": conflicts,
        "formats": formats,
        "expected": expected,
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------------------------------------------
// Running and measuring.

/// One finished child process.
#[derive(Debug)]
struct Measured {
    wall: Duration,
    /// Peak resident set size of the child, in KiB.
    max_rss_kib: u64,
    code: i32,
}

/// Runs `command` to completion with its output sent to `stdout`, and measures it from inside a fresh
/// `xtask measure-child` process (see [`measure_child`]): its wall time there, and its peak memory as that
/// process's only child, so neither this process's memory nor earlier children (cargo) count.
fn measure(command: &mut Command, stdout: Stdio) -> Result<Measured> {
    let report = tempfile::NamedTempFile::new().context("a file for the measurement")?;
    let mut wrapper = Command::new(std::env::current_exe().context("this program's path")?);
    wrapper
        .arg("measure-child")
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null());
    if let Some(dir) = command.get_current_dir() {
        wrapper.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapper.env(key, value),
            None => wrapper.env_remove(key),
        };
    }
    let status = wrapper
        .status()
        .with_context(|| format!("running {command:?}"))?;
    let text = std::fs::read_to_string(report.path()).context("reading the measurement")?;
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    let (Some(Ok(wall_us)), Some(Ok(max_rss_kib))) = (fields.next(), fields.next()) else {
        bail!("`xtask measure-child` wrote no measurement ({status}): {text:?}");
    };
    Ok(Measured {
        wall: Duration::from_micros(wall_us),
        max_rss_kib,
        code: status.code().unwrap_or(-1),
    })
}

/// `xtask measure-child REPORT PROGRAM ARGS...`: runs PROGRAM with this process's standard output, waits, and
/// writes "WALL_MICROSECONDS MAX_RSS_KIB" to REPORT; exits with the program's code. The peak memory is
/// `getrusage(RUSAGE_CHILDREN)`, exact because the program is this process's only child.
pub(crate) fn measure_child(report: &Path, program: &OsStr, args: &[OsString]) -> Result<i32> {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("running {}", program.to_string_lossy()))?;
    let wall = start.elapsed();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .context("getrusage")?;
    // `ru_maxrss` is in KiB on Linux.
    let max_rss_kib = u64::try_from(usage.max_rss()).unwrap_or(0);
    std::fs::write(report, format!("{} {max_rss_kib}\n", wall.as_micros()))
        .context("writing the measurement")?;
    Ok(status.code().unwrap_or(-1))
}

/// What one `nplint check --format json` printed.
#[derive(Debug, Default)]
struct Outcome {
    files: usize,
    errors: u64,
    warnings: u64,
    /// (path, rule) of every error-level finding.
    error_findings: BTreeSet<(String, String)>,
}

/// The parts of nplint's JSON output (`schemas/nplint-output.schema.json`) the bench reads.
#[derive(Debug, serde::Deserialize)]
struct JsonOutput {
    files: Vec<serde::de::IgnoredAny>,
    diagnostics: Vec<JsonDiagnostic>,
    summary: JsonSummary,
}

#[derive(Debug, serde::Deserialize)]
struct JsonDiagnostic {
    rule: String,
    severity: String,
    path: String,
}

#[derive(Debug, serde::Deserialize)]
struct JsonSummary {
    errors: u64,
    warnings: u64,
}

fn parse_outcome(path: &Path) -> Result<Outcome> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let document: JsonOutput = serde_json::from_reader(std::io::BufReader::new(file))
        .context("nplint's JSON output does not parse")?;
    let error_findings = document
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.severity == "error")
        .map(|diagnostic| {
            let path = diagnostic
                .path
                .strip_prefix("./")
                .unwrap_or(&diagnostic.path);
            (path.to_string(), diagnostic.rule)
        })
        .collect();
    Ok(Outcome {
        files: document.files.len(),
        errors: document.summary.errors,
        warnings: document.summary.warnings,
        error_findings,
    })
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn nplint_check(nplint: &Path, tree: &Path) -> Command {
    let mut command = Command::new(nplint);
    command
        .current_dir(tree)
        .args(["check", ".", "--format", "json"]);
    command
}

fn checked(measured: Measured) -> Result<Measured> {
    ensure!(
        measured.code == 0 || measured.code == 1,
        "nplint exited with {} (expected 0 or 1)",
        measured.code
    );
    Ok(measured)
}

pub fn run(root: &Path, args: &BenchArgs) -> Result<()> {
    ensure!(args.runs > 0, "--runs must be at least 1");
    ensure!(args.conflicts <= 100, "--conflicts is a percentage");
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| target_dir(root).join("bench-monorepo"));
    let pool = Pool::load(root)?;
    let started = Instant::now();
    let plan = generate(&pool, &out, args.seed, args.files, args.conflicts)?;
    let expected = plan.files.iter().filter(|f| f.conflict.is_some()).count();
    println!(
        "generated {} files ({expected} expected to fail, {} decoys) in {} in {}",
        plan.files.len(),
        plan.decoys.len(),
        out.display(),
        millis(started.elapsed())
    );
    if args.generate_only {
        return Ok(());
    }

    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release", "--bin", "nplint"])
        .status()
        .context("running cargo build")?;
    ensure!(
        status.success(),
        "`cargo build --release --bin nplint` failed"
    );
    let nplint = target_dir(root).join("release").join("nplint");

    let typical = typical_file(&plan, &pool);
    drop(pool);
    let output = tempfile::NamedTempFile::new()?;
    let mut tree = time_tree(&nplint, &out, args.runs, output.path())?;

    let mut scaling = Vec::new();
    for threads in ["1", "2"] {
        let mut command = nplint_check(&nplint, &out);
        command.env("RAYON_NUM_THREADS", threads);
        scaling.push(checked(measure(&mut command, Stdio::null())?)?.wall);
    }

    let mut single = Vec::new();
    for _ in 0..50 {
        let mut command = Command::new(&nplint);
        command.current_dir(&out).args(["check", &typical]);
        single.push(checked(measure(&mut command, Stdio::null())?)?.wall);
    }

    tree.outcome = parse_outcome(output.path())?;
    let recall = Recall::of(&plan, &tree.outcome);

    let uv = if args.compare_uv > 0 {
        compare_uv(&nplint, &out, &plan, args.compare_uv)?
    } else {
        None
    };

    let mut command_line = format!(
        "cargo xtask bench --seed {} --files {} --conflicts {} --runs {}",
        args.seed, args.files, args.conflicts, args.runs
    );
    if args.compare_uv > 0 {
        let _ = write!(command_line, " --compare-uv {}", args.compare_uv);
    }
    let report = Report {
        command_line,
        cores: std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        generated: plan.files.len(),
        threads_1: scaling[0],
        threads_2: scaling[1],
        typical,
        single: median(&mut single),
        tree,
        recall,
        uv,
    };
    println!("\n{}", report.markdown());

    ensure!(
        report.tree.outcome.files == plan.files.len(),
        "nplint found {} files, {} were generated: discovery entered a decoy or missed a file",
        report.tree.outcome.files,
        plan.files.len()
    );
    let missed = &report.recall.missed;
    if !missed.is_empty() {
        bail!(
            "{} of {} expected failures were not reported, for example:\n  {}",
            missed.len(),
            report.recall.expected,
            missed
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    Ok(())
}

/// The whole tree, checked once to warm up (page cache, binary) and `runs` times timed.
#[derive(Debug)]
struct TreeTimes {
    /// What the runs printed, read once every run is over.
    outcome: Outcome,
    runs: usize,
    median: Duration,
    min: Duration,
    max: Duration,
    peak_kib: u64,
}

/// The runs' JSON output goes to `output` (each run replaces it; the output is deterministic).
fn time_tree(nplint: &Path, tree: &Path, runs: usize, output: &Path) -> Result<TreeTimes> {
    let to_file = || -> Result<Stdio> { Ok(std::fs::File::create(output)?.into()) };
    let warm = checked(measure(&mut nplint_check(nplint, tree), to_file()?)?)?;
    let mut walls = Vec::new();
    let mut peak_kib = warm.max_rss_kib;
    for _ in 0..runs {
        let run = checked(measure(&mut nplint_check(nplint, tree), to_file()?)?)?;
        walls.push(run.wall);
        peak_kib = peak_kib.max(run.max_rss_kib);
    }
    let min = *walls.iter().min().expect("at least one run");
    let max = *walls.iter().max().expect("at least one run");
    Ok(TreeTimes {
        outcome: Outcome::default(),
        runs,
        median: median(&mut walls),
        min,
        max,
        peak_kib,
    })
}

/// Whether every expected failure has an error finding of its rule (enforced), and which other files have errors
/// (reported only: the generator avoids them, but a new rule may find something real in the pool).
#[derive(Debug)]
struct Recall {
    expected: usize,
    /// `path (rule)` of each expected failure nplint did not report.
    missed: Vec<String>,
    /// Files with errors that `expected.json` does not list.
    unexpected: usize,
    unexpected_rules: BTreeMap<String, usize>,
}

impl Recall {
    fn of(plan: &Plan, outcome: &Outcome) -> Self {
        let expected: BTreeMap<&str, &str> = plan
            .files
            .iter()
            .filter_map(|file| Some((file.path.as_str(), file.conflict?.rule())))
            .collect();
        let missed = expected
            .iter()
            .filter(|(path, rule)| {
                !outcome
                    .error_findings
                    .contains(&((*path).to_string(), (*rule).to_string()))
            })
            .map(|(path, rule)| format!("{path} ({rule})"))
            .collect();
        let mut unexpected = BTreeSet::new();
        let mut unexpected_rules: BTreeMap<String, usize> = BTreeMap::new();
        for (path, rule) in &outcome.error_findings {
            if !expected.contains_key(path.as_str()) {
                unexpected.insert(path);
                *unexpected_rules.entry(rule.clone()).or_default() += 1;
            }
        }
        Self {
            expected: expected.len(),
            missed,
            unexpected: unexpected.len(),
            unexpected_rules,
        }
    }

    /// In percent.
    #[allow(clippy::cast_precision_loss, reason = "file counts are far below 2^52")]
    fn percent(&self) -> f64 {
        if self.expected == 0 {
            return 100.0;
        }
        100.0 * (self.expected - self.missed.len()) as f64 / self.expected as f64
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// A typical file for the single-file time: the first stand-alone requirements.txt of 10–25 lines, Python pinned,
/// no conflict.
fn typical_file(plan: &Plan, pool: &Pool) -> String {
    plan.files
        .iter()
        .find(|file| {
            file.kind == Kind::Requirements
                && file.eligible
                && file.python_pinned
                && file.conflict.is_none()
                && (10..=25).contains(&render(file, pool).lines().count())
        })
        .or_else(|| {
            plan.files
                .iter()
                .find(|file| file.kind == Kind::Requirements)
        })
        .map(|file| file.path.clone())
        .unwrap_or_default()
}

#[derive(Debug)]
struct Report {
    command_line: String,
    cores: usize,
    generated: usize,
    tree: TreeTimes,
    threads_1: Duration,
    threads_2: Duration,
    typical: String,
    single: Duration,
    /// This process's peak RSS before the measured runs: the floor of the children's figure.
    recall: Recall,
    uv: Option<UvComparison>,
}

impl Report {
    #[allow(
        clippy::cast_precision_loss,
        reason = "file counts and KiB are far below 2^52"
    )]
    fn markdown(&self) -> String {
        let verdict = |ok: bool| if ok { "met" } else { "**not met**" };
        let tree = &self.tree;
        let found = tree.outcome.files;
        let files_per_second = found as f64 / tree.median.as_secs_f64();
        let peak_mb = tree.peak_kib as f64 / 1024.0;
        let speedup = self.threads_1.as_secs_f64() / self.threads_2.as_secs_f64();
        let mut text = format!(
            "Command: `{}` ({} cores available)\n\n",
            self.command_line, self.cores
        );
        text.push_str("| Measure | Result | Goal | |\n| --- | --- | --- | --- |\n");
        let _ = writeln!(
            text,
            "| Files found / generated | {found} / {} | all, no decoy | {} |",
            self.generated,
            verdict(found == self.generated)
        );
        let _ = writeln!(
            text,
            "| Whole tree, median of {} runs (min–max) | {} ({} – {}) | ≤ 2 s per 10,000 files on 2 cores | {} |",
            tree.runs,
            millis(tree.median),
            millis(tree.min),
            millis(tree.max),
            verdict(tree.median.as_secs_f64() <= 2.0 * self.generated as f64 / 10_000.0)
        );
        let _ = writeln!(
            text,
            "| Files per second (median) | {files_per_second:.0} | ≥ 5,000 | {} |",
            verdict(files_per_second >= 5000.0)
        );
        let _ = writeln!(
            text,
            "| Peak memory (max RSS of any run) | {peak_mb:.1} MB | ≤ 200 MB | {} |",
            verdict(peak_mb <= 200.0)
        );
        let _ = writeln!(
            text,
            "| `RAYON_NUM_THREADS` 1 → 2 | {} → {} (×{speedup:.2}) | near-linear (×2) | {} |",
            millis(self.threads_1),
            millis(self.threads_2),
            verdict(speedup >= 1.7)
        );
        let _ = writeln!(
            text,
            "| One typical file end-to-end, median of 50 (`{}`) | {} | ≤ 5 ms | {} |",
            self.typical,
            millis(self.single),
            verdict(self.single <= Duration::from_millis(5))
        );
        let _ = writeln!(
            text,
            "| Expected failures reported (recall) | {:.1}% of {} | 100% | {} |",
            self.recall.percent(),
            self.recall.expected,
            verdict(self.recall.missed.is_empty())
        );
        let _ = writeln!(
            text,
            "| Findings | {} errors, {} warnings | | |",
            tree.outcome.errors, tree.outcome.warnings
        );
        let rules: Vec<String> = self
            .recall
            .unexpected_rules
            .iter()
            .map(|(rule, n)| format!("{rule} ×{n}"))
            .collect();
        let _ = writeln!(
            text,
            "| Other files with errors | {} ({}) | | |",
            self.recall.unexpected,
            if rules.is_empty() {
                "none".to_string()
            } else {
                rules.join(", ")
            }
        );
        if let Some(uv) = &self.uv {
            text.push_str(&uv.markdown());
        }
        text
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison with uv.

#[derive(Debug)]
struct UvComparison {
    compared: usize,
    skipped: usize,
    uv_total: Duration,
    uv_median: Duration,
    nplint_batch: Duration,
    nplint_total: Duration,
    nplint_median: Duration,
}

impl UvComparison {
    fn markdown(&self) -> String {
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "| `uv pip compile --offline`, {} files (warm cache; {} skipped: uv failed online) | {} total, {} median | | |",
            self.compared,
            self.skipped,
            millis(self.uv_total),
            millis(self.uv_median)
        );
        let _ = writeln!(
            text,
            "| `nplint check --python 3.11`, same files, one process | {} (uv ÷ nplint ×{:.1}) | | |",
            millis(self.nplint_batch),
            ratio(self.uv_total, self.nplint_batch)
        );
        let _ = writeln!(
            text,
            "| `nplint check --python 3.11`, one process per file | {} total, {} median (uv ÷ nplint ×{:.1} per file) | | |",
            millis(self.nplint_total),
            millis(self.nplint_median),
            ratio(self.uv_median, self.nplint_median)
        );
        text
    }
}

/// `None`, with a note, when `uv` is not on `PATH` or compiles none of the files.
fn compare_uv(
    nplint: &Path,
    tree: &Path,
    plan: &Plan,
    count: usize,
) -> Result<Option<UvComparison>> {
    // Only real package names, no conflict, no include: what uv can resolve from the index.
    let candidates: Vec<&str> = plan
        .files
        .iter()
        .filter(|file| {
            file.kind == Kind::Requirements
                && file.public_only
                && file.eligible
                && file.conflict.is_none()
        })
        .map(|file| file.path.as_str())
        .take(count)
        .collect();
    ensure!(
        !candidates.is_empty(),
        "no requirements file of real packages only to compare with uv"
    );
    if Command::new("uv")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        println!("uv: not on PATH, no comparison");
        return Ok(None);
    }
    // uv reads its index from `UV_DEFAULT_INDEX` (or `PIP_INDEX_URL` through its pip interface) as the user set
    // them: nothing is passed here, so no index host is written into this code.
    let uv = |file: &str, offline: bool| {
        let mut command = Command::new("uv");
        command.current_dir(tree).args([
            "pip",
            "compile",
            file,
            "--python-version",
            "3.11",
            "--quiet",
            "-o",
            "/dev/null",
        ]);
        if offline {
            command.arg("--offline");
        }
        command
    };
    let mut usable = Vec::new();
    for file in &candidates {
        // One online compile per file fills uv's cache.
        if measure(&mut uv(file, false), Stdio::null())?.code == 0 {
            usable.push(*file);
        }
    }
    let skipped = candidates.len() - usable.len();
    println!(
        "uv: {} of {} files compile ({skipped} skipped)",
        usable.len(),
        candidates.len()
    );
    if usable.is_empty() {
        println!(
            "uv: compiled none of the files online (is an index reachable? uv reads UV_DEFAULT_INDEX), no comparison"
        );
        return Ok(None);
    }
    let mut uv_times = Vec::new();
    for file in &usable {
        let run = measure(&mut uv(file, true), Stdio::null())?;
        ensure!(
            run.code == 0,
            "`uv pip compile --offline {file}` failed after a warm-up that succeeded"
        );
        uv_times.push(run.wall);
    }
    let mut batch = Command::new(nplint);
    batch
        .current_dir(tree)
        .args(["check", "--python", "3.11", "--format", "json"])
        .args(&usable);
    let nplint_batch = checked(measure(&mut batch, Stdio::null())?)?.wall;
    let mut nplint_times = Vec::new();
    for file in &usable {
        let mut command = Command::new(nplint);
        command
            .current_dir(tree)
            .args(["check", "--python", "3.11", file]);
        nplint_times.push(checked(measure(&mut command, Stdio::null())?)?.wall);
    }
    Ok(Some(UvComparison {
        compared: usable.len(),
        skipped,
        uv_total: uv_times.iter().sum(),
        uv_median: median(&mut uv_times),
        nplint_batch,
        nplint_total: nplint_times.iter().sum(),
        nplint_median: median(&mut nplint_times),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Pool {
        Pool::load(&crate::workspace_root()).unwrap()
    }

    fn tree(dir: &Path, seed: u64, files: usize) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.insert(
                        path.strip_prefix(root).unwrap().to_path_buf(),
                        std::fs::read(&path).unwrap(),
                    );
                }
            }
        }
        let out = dir.join(format!("tree-{seed}"));
        generate(&pool(), &out, seed, files, 5).unwrap();
        let mut files = BTreeMap::new();
        walk(&out, &out, &mut files);
        files
    }

    #[test]
    fn splitmix64_matches_the_reference() {
        // The first outputs of Vigna's splitmix64.c seeded with 1234567.
        let mut rng = Rng::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
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

    #[test]
    fn same_seed_same_tree() {
        let dir = tempfile::tempdir().unwrap();
        let first = tree(dir.path(), 7, 200);
        // Regenerating replaces the tree with the same bytes.
        let second = tree(dir.path(), 7, 200);
        assert_eq!(first, second);
        let other = tree(dir.path(), 8, 200);
        assert_ne!(first, other);
    }

    #[test]
    fn the_mix_is_as_asked() {
        let plan = plan(42, 2000, 5);
        assert_eq!(plan.files.len(), 2000);
        let mut shares: BTreeMap<Share, usize> = BTreeMap::new();
        for file in &plan.files {
            *shares.entry(file.kind.share()).or_default() += 1;
        }
        for (share, percent) in SHARES {
            let have = shares[&share] * 100 / plan.files.len();
            assert!(
                have.abs_diff(percent) <= 2,
                "{share:?}: {have}% instead of {percent}%"
            );
        }
        let kinds: BTreeSet<Kind> = plan.files.iter().map(|file| file.kind).collect();
        assert_eq!(kinds.len(), 13, "every kind of file: {kinds:?}");
        let paths: BTreeSet<&str> = plan.files.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(paths.len(), plan.files.len(), "no path twice");
    }

    #[test]
    fn every_file_is_detected_as_its_format() {
        let pool = pool();
        let plan = plan(42, 400, 5);
        for file in &plan.files {
            let format = nplint_manifest::detect_format(Path::new(&file.path), false);
            assert_eq!(format, Some(file.kind.format()), "{}", file.path);
            assert!(!render(file, &pool).is_empty());
        }
        for (path, _) in &plan.decoys {
            let inside = path.contains("/.venv/")
                || path.contains("/node_modules/")
                || path.starts_with("build/")
                || path.contains("/.cache/")
                || path.starts_with('.');
            assert!(inside, "a decoy outside the skipped places: {path}");
        }
    }

    #[test]
    fn lockfiles_have_realistic_sizes() {
        let pool = pool();
        let plan = plan(42, 400, 0);
        for file in plan
            .files
            .iter()
            .filter(|file| file.kind.share() == Share::Lock && file.kind != Kind::Pipfile)
        {
            let text = render(file, &pool);
            let entries = text.matches("name = \"").count()
                + text.matches("\"hashes\"").count()
                + text.matches("- name: ").count()
                + text.matches("\n- conda: ").count()
                + text.matches("\n- pypi: ").count();
            assert!(
                (50..=420).contains(&entries),
                "{}: {entries} packages",
                file.path
            );
        }
    }

    #[test]
    fn conflicts_are_exact_and_well_formed() {
        let pool = pool();
        let plan = plan(42, 1000, 5);
        let conflicted: Vec<&Planned> = plan
            .files
            .iter()
            .filter(|file| file.conflict.is_some())
            .collect();
        assert_eq!(conflicted.len(), 50);
        for file in conflicted {
            let conflict = file.conflict.unwrap();
            assert!(file.eligible);
            assert!(
                conflict != Conflict::TensorflowNumpy || !file.python_pinned,
                "{}",
                file.path
            );
            let text = render(file, &pool);
            for requirement in conflict.requirements() {
                let (name, version) = requirement.split_once(['=', '>']).unwrap();
                let version = version.trim_start_matches(['=', '>']);
                assert!(
                    text.contains(requirement)
                        || text.contains(&format!("{name}={version}"))
                        || text.contains(&format!("\"{name}\"\nversion = \"{version}\""))
                        || text.contains(&format!("\"{name}\": {{")),
                    "{} lacks {requirement}:\n{text}",
                    file.path
                );
            }
            // Nothing else in the file names a conflict's packages.
            for name in CONFLICT_NAMES {
                let named = text.lines().filter(|line| {
                    let line = line.trim_start_matches([' ', '-', '"']);
                    (line.starts_with(name)
                        && line[name.len()..].starts_with(['=', '>', '<', '~', '"', ' ']))
                        || line == *name
                });
                assert!(named.count() <= 1, "{}: {name} twice", file.path);
            }
        }
        let json: serde_json::Value = serde_json::from_str(&expected_json(&plan, 42, 5)).unwrap();
        assert_eq!(json["expected"].as_array().unwrap().len(), 50);
        assert_eq!(json["files"], 1000);
    }
}
