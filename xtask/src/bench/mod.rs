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
//! A second tree, `<out>-no-python`, holds the same files with the same planted problems but states no Python
//! anywhere (no `requires-python`, no `python` in conda environments or lockfiles, no `nplint.toml`): the usual
//! case, where each file is solved on every default target. It is timed with the default threads, with
//! `RAYON_NUM_THREADS` 1 and 2, and with `--select parse-error` (nothing solved) against all rules.
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
use outcome::{Outcome, Recall, parse_outcome};
use plan::{Kind, Plan, Python};
use pool::Pool;
use render::render;
use report::{Report, Unstated, millis};
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
    /// Where to generate the tree [default: `target/bench-monorepo`]; the tree whose files state no Python goes
    /// beside it, in `<out>-no-python`. Both are replaced on each run.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Timed runs over the whole tree (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also time `uv pip compile` on this many requirements files (needs `uv` and, once, the network).
    #[arg(long, default_value_t = 0)]
    compare_uv: usize,
    /// Generate the trees and their `expected.json`, then stop.
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
    let open_out = beside(&out, "-no-python")?;
    let pool = Pool::load(root)?;
    let plan = generate_tree(&pool, &out, args, Python::Stated)?;
    let open_plan = generate_tree(&pool, &open_out, args, Python::Unstated)?;
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
    let report = time_stated(&nplint, &out, &plan, typical, args)?;
    println!("\n{}", report.markdown());
    let open = time_unstated(&nplint, &open_out, &open_plan, args.runs)?;
    println!("\n{}", open.markdown());
    // Both trees are measured before either can fail the run.
    everything_found(&plan, &report.tree.outcome, &report.recall)?;
    everything_found(&open_plan, &open.tree.outcome, &open.recall)
}

/// `path` with `suffix` added to its last component.
fn beside(path: &Path, suffix: &str) -> Result<PathBuf> {
    let mut name = path
        .file_name()
        .with_context(|| format!("{} names no directory", path.display()))?
        .to_owned();
    name.push(suffix);
    Ok(path.with_file_name(name))
}

/// Generates one tree and says so.
fn generate_tree(pool: &Pool, out: &Path, args: &BenchArgs, python: Python) -> Result<Plan> {
    let started = Instant::now();
    let plan = generate(pool, out, args.seed, args.files, args.conflicts, python)?;
    let expected = plan.files.iter().filter(|f| f.conflict.is_some()).count();
    println!(
        "generated {} files ({expected} expected to fail, {} decoys) in {} in {}",
        plan.files.len(),
        plan.decoys.len(),
        out.display(),
        millis(started.elapsed())
    );
    Ok(plan)
}

/// The measures of the tree whose files state their Python: the whole tree, scaling, one typical file, and the
/// comparison with uv when asked for.
fn time_stated(
    nplint: &Path,
    out: &Path,
    plan: &Plan,
    typical: String,
    args: &BenchArgs,
) -> Result<Report> {
    let output = tempfile::NamedTempFile::new()?;
    let mut tree = time_tree(nplint, out, args.runs, true, output.path(), |_| {})?;

    let mut scaling = Vec::new();
    for threads in ["1", "2"] {
        let mut command = nplint_check(nplint, out);
        command.env("RAYON_NUM_THREADS", threads);
        scaling.push(checked(measure(&mut command, Stdio::null())?)?.wall);
    }

    let mut single = Vec::new();
    for _ in 0..50 {
        let mut command = Command::new(nplint);
        command.current_dir(out).args(["check", &typical]);
        single.push(checked(measure(&mut command, Stdio::null())?)?.wall);
    }

    tree.outcome = parse_outcome(output.path())?;
    let recall = Recall::of(plan, &tree.outcome);

    let uv = if args.compare_uv > 0 {
        compare_uv(nplint, out, plan, args.compare_uv)?
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
    Ok(Report {
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
    })
}

/// The measures of the tree whose files state no Python, `runs` timed runs each (after one warm-up for all):
/// all rules on the default threads (whose output is read for recall), on 1 and on 2 threads, and
/// `--select parse-error`, which solves nothing.
fn time_unstated(nplint: &Path, out: &Path, plan: &Plan, runs: usize) -> Result<Unstated> {
    let output = tempfile::NamedTempFile::new()?;
    let mut tree = time_tree(nplint, out, runs, true, output.path(), |_| {})?;
    tree.outcome = parse_outcome(output.path())?;
    let on_threads = |threads: &str| {
        time_tree(nplint, out, runs, false, output.path(), |command| {
            command.env("RAYON_NUM_THREADS", threads);
        })
    };
    let threads_1 = on_threads("1")?;
    let threads_2 = on_threads("2")?;
    let parse_error_only = time_tree(nplint, out, runs, false, output.path(), |command| {
        command.args(["--select", "parse-error"]);
    })?;
    Ok(Unstated {
        path: out.to_path_buf(),
        generated: plan.files.len(),
        recall: Recall::of(plan, &tree.outcome),
        tree,
        threads_1,
        threads_2,
        parse_error_only,
    })
}

/// Fails unless nplint found every generated file (and no decoy) and reported every planted problem: a bench that
/// measures nothing fails.
fn everything_found(plan: &Plan, outcome: &Outcome, recall: &Recall) -> Result<()> {
    ensure!(
        outcome.files == plan.files.len(),
        "nplint found {} files, {} were generated: discovery entered a decoy or missed a file",
        outcome.files,
        plan.files.len()
    );
    let missed = &recall.missed;
    if !missed.is_empty() {
        bail!(
            "{} of {} expected failures were not reported, for example:\n  {}",
            missed.len(),
            recall.expected,
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
            file.is_plain_requirements()
                && file.python_pinned
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
