//! `cargo xtask bench`: generates a synthetic monorepo from a fixed seed, runs the release `nplint check` over it,
//! and prints wall time, files per second, peak memory and scaling as a Markdown table for `docs/performance.md`.
//!
//! The tree is a pure function of `--seed`, `--files` and `--conflicts`: the generator draws from a hand-written
//! SplitMix64 (not a crate, so a dependency upgrade never changes the tree) and package pins come from
//! `crates/nplint-rules/benches/data/uv-146.lock`, 146 real packages uv locked together for CPython 3.11, plus
//! internal packages (`acme-<word>-NNN`) the index does not know. A known share of files carries one deliberate,
//! real problem; `expected.json` lists them, and the run fails unless nplint reports every one (a bench that
//! measures nothing fails). `--compare-uv N` also times `uv pip compile --offline` on N requirements files.
//!
//! Data flows one way: [`pool`] (the packages) → [`plan`] (what each file is) → [`render`](mod@render) (each
//! file's text) → [`tree`] (the files on disk); then [`measure`](mod@measure) runs nplint, [`outcome`] reads what
//! it printed, and [`report`] prints the table. [`rng`] is the generator's randomness, [`uv`] the comparison with
//! uv.

mod measure;
mod outcome;
mod plan;
mod pool;
mod render;
mod report;
mod rng;
mod tree;
mod uv;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

pub(crate) use measure::measure_child;
pub(crate) use rng::Rng;

use measure::{checked, measure, median, nplint_check, time_tree};
use outcome::{Recall, parse_outcome};
use plan::{Kind, Plan};
use pool::Pool;
use render::render;
use report::{Report, millis};
use tree::generate;
use uv::compare_uv;

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
