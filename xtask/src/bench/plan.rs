//! The plan: what each file of the tree is (its path, format, seed and deliberate problem), before any text is
//! written.

use std::collections::{BTreeMap, BTreeSet};

use nplint_manifest::Format;

use super::pool::WORDS;
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
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
pub(super) enum Share {
    Requirements,
    Pyproject,
    Conda,
    Lock,
}

/// Target shares in percent: ~45% requirements-style, ~20% pyproject, ~8% environment.yml, ~27% lockfiles.
pub(super) const SHARES: [(Share, usize); 4] = [
    (Share::Requirements, 45),
    (Share::Pyproject, 20),
    (Share::Conda, 8),
    (Share::Lock, 27),
];

impl Kind {
    pub(super) fn share(self) -> Share {
        match self {
            Self::Requirements | Self::RequirementsIn | Self::Constraints => Share::Requirements,
            Self::Pyproject => Share::Pyproject,
            Self::CondaEnv => Share::Conda,
            _ => Share::Lock,
        }
    }

    /// The format nplint must detect for this kind.
    pub(super) fn format(self) -> Format {
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
pub(super) enum Conflict {
    /// `tensorflow==2.5.0` with `numpy>=1.21`: a numpy-conflict on Python 3.6–3.9 (so only where the Python
    /// version is left open).
    TensorflowNumpy,
    /// `bottleneck==1.3.7` with `numpy==2.2.6`: binaries built against NumPy 1.x, an abi-mismatch.
    BottleneckAbi,
    /// `pandas==2.1.4` with `numpy>=2`: pandas 2.1 declares `numpy<2`, a numpy-conflict.
    PandasNumpy2,
}

impl Conflict {
    pub(super) fn rule(self) -> &'static str {
        match self {
            Self::TensorflowNumpy | Self::PandasNumpy2 => "numpy-conflict",
            Self::BottleneckAbi => "abi-mismatch",
        }
    }

    /// The two requirements, as PEP 508 strings.
    pub(super) fn requirements(self) -> [&'static str; 2] {
        match self {
            Self::TensorflowNumpy => ["tensorflow==2.5.0", "numpy>=1.21"],
            Self::BottleneckAbi => ["bottleneck==1.3.7", "numpy==2.2.6"],
            Self::PandasNumpy2 => ["pandas==2.1.4", "numpy>=2"],
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Planned {
    /// Relative to the tree's root, `/`-separated.
    pub(super) path: String,
    pub(super) kind: Kind,
    /// Seed of this file's own generator, so a file's text does not depend on the order files are rendered.
    pub(super) seed: u64,
    /// A sibling this file includes (`-r`) or constrains by (`-c`), by file name.
    pub(super) include: Option<(&'static str, String)>,
    /// The Python version is given: by the file (a `requires-python`, `python=3.11`, a lock's Python) or by an
    /// `nplint.toml` beside it.
    pub(super) python_pinned: bool,
    /// Only real package names (no internal ones): a candidate for the comparison with uv.
    pub(super) public_only: bool,
    /// May carry a conflict: the file stands alone (no include, no lock made from it).
    pub(super) eligible: bool,
    pub(super) conflict: Option<Conflict>,
}

#[derive(Debug)]
pub(super) struct Plan {
    pub(super) files: Vec<Planned>,
    /// `nplint.toml` files (directories whose requirements files are checked on Python 3.11).
    pub(super) configs: Vec<String>,
    /// Files discovery must skip, with their text.
    pub(super) decoys: Vec<(String, String)>,
}

impl Planned {
    /// This file, including (`-r`) or constrained by (`-c`) its sibling `name`.
    fn including(mut self, option: &'static str, name: &str) -> Self {
        self.include = Some((option, name.to_string()));
        self
    }

    /// A requirements file that stands alone (it includes nothing and nothing includes it) and carries no
    /// conflict: what the single-file time and the comparison with uv run on.
    pub(super) fn is_plain_requirements(&self) -> bool {
        self.kind == Kind::Requirements && self.eligible && self.conflict.is_none()
    }
}

/// Whether a tree's files say which Python they run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Python {
    /// Most files do (a `requires-python`, `python=3.11`, a lock's Python); ~20% of the requirements projects leave
    /// it open, the others have an `nplint.toml` naming CPython 3.11.
    Stated,
    /// No file does and there is no `nplint.toml`: each file is solved on every default target. The same files as
    /// [`Python::Stated`]'s tree of the same seed, without what states a Python.
    Unstated,
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

pub(super) fn plan(seed: u64, files: usize, conflict_percent: u32, python: Python) -> Plan {
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
                let path = |rng: &mut Rng, i| match i {
                    0 => format!("{dir}/pyproject.toml"),
                    _ => format!("{dir}/packages/{}-{i}/pyproject.toml", rng.pick(WORDS)),
                };
                plan_standalone(&mut rng, Kind::Pyproject, 3, remaining, &mut out, path);
            }
            Share::Conda => {
                let path = |_: &mut Rng, i| match i {
                    0 => format!("{dir}/environment.yml"),
                    _ => format!("{dir}/envs/environment-gpu.yml"),
                };
                plan_standalone(&mut rng, Kind::CondaEnv, 2, remaining, &mut out, path);
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

    // Only now, so that both trees plant the same conflicts: `tensorflow==2.5.0` (Python 3.9 at most) goes only
    // where the stated tree leaves the Python open, since a file's other packages may need a newer Python, which
    // would make it a python-conflict instead.
    if python == Python::Unstated {
        configs.clear();
        for file in &mut out {
            file.python_pinned = false;
        }
    }

    let decoys = plan_decoys(&mut rng, &out);
    Plan {
        files: out,
        configs,
        decoys,
    }
}

/// One to `most` (at most `remaining`) stand-alone files of `kind`, each of which may carry a conflict; the `i`th
/// at `path(rng, i)`.
fn plan_standalone(
    rng: &mut Rng,
    kind: Kind,
    most: usize,
    remaining: usize,
    out: &mut Vec<Planned>,
    path: impl Fn(&mut Rng, usize) -> String,
) {
    let count = rng.range(1, most).min(remaining);
    for i in 0..count {
        let mut file = planned(path(rng, i), kind, rng);
        file.eligible = true;
        out.push(file);
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
    let main = planned(format!("{dir}/requirements.txt"), Kind::Requirements, rng);
    out.push(if with_constraints {
        main.including("-c", "constraints.txt")
    } else {
        main
    });
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
                let dev = planned(
                    format!("{dir}/requirements-dev.txt"),
                    Kind::Requirements,
                    rng,
                );
                out.push(dev.including("-r", "requirements.txt"));
            }
            1 if budget - n >= 2 && !out[start..].iter().any(|f| f.path.ends_with("base.in")) => {
                out.push(planned(
                    format!("{dir}/requirements/base.in"),
                    Kind::RequirementsIn,
                    rng,
                ));
                let dev = planned(
                    format!("{dir}/requirements/dev.in"),
                    Kind::RequirementsIn,
                    rng,
                );
                out.push(dev.including("-r", "base.in"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_is_as_asked() {
        let plan = plan(42, 2000, 5, Python::Stated);
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
    fn an_unstated_tree_has_the_same_files_and_conflicts() {
        let stated = plan(42, 1000, 5, Python::Stated);
        let unstated = plan(42, 1000, 5, Python::Unstated);
        let summary = |plan: &Plan| -> Vec<(String, Option<Conflict>)> {
            plan.files
                .iter()
                .map(|file| (file.path.clone(), file.conflict))
                .collect()
        };
        assert_eq!(summary(&stated), summary(&unstated));
        assert!(unstated.configs.is_empty() && !stated.configs.is_empty());
        assert!(unstated.files.iter().all(|file| !file.python_pinned));
    }
}
