//! Maintainer tasks, run as `cargo xtask <task>`: generated files and their checks, the index sync, and the benchmark.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

mod bench;
mod conda_names;
mod conda_patches;
mod docs;
mod index;
mod precommit;
#[cfg(test)]
mod tidy;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Generate `docs/rules/*.md` from the rules' doc comments.
    Docs {
        /// Fail if the files on disk differ from what would be generated, instead of writing them.
        #[arg(long)]
        check: bool,
    },
    /// Generate a synthetic 10,000-file monorepo from a fixed seed, time `nplint check` over it (wall time, files
    /// per second, peak memory, scaling) and print a Markdown table for `docs/performance.md`; then the same for
    /// a copy whose files state no Python.
    Bench(bench::BenchArgs),
    /// Runs a program and writes its wall time and peak memory to a file (used by `bench`).
    #[command(hide = true)]
    MeasureChild {
        report: PathBuf,
        program: std::ffi::OsString,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Run the pre-commit hook through pre-commit in a throwaway repository (needs `pre-commit` and the network).
    PreCommit,
    /// The package index's data.
    Index {
        #[command(subcommand)]
        task: IndexTask,
    },
}

#[derive(Debug, Subcommand)]
enum IndexTask {
    /// Fetch the seed list's packages and their closure from a package index, and write
    /// `crates/nplint-index/data/`. The only task that touches the network.
    Sync(index::SyncArgs),
    /// Read the metadata of PyPI's most-downloaded projects (`data/top-pypi-packages.tsv`) and write which reach
    /// NumPy (`data/tiers.tsv`). Touches the network.
    Tiers(index::TiersArgs),
    /// Draw releases of `crates/nplint-index/data/` at random and compare them, field by field, with the package
    /// index's JSON API; fails on any mismatch. Touches the network.
    Verify(index::verify::VerifyArgs),
    /// Extract the NumPy bounds of conda-forge's repodata patches from a copy of
    /// `conda-forge/conda-forge-repodata-patches-feedstock` (a git directory or checkout; nothing is fetched) into
    /// `crates/nplint-index/data/conda-forge-numpy-bounds.toml`.
    CondaPatches {
        /// The feedstock's git directory or checkout.
        dir: PathBuf,
    },
    /// Extract the names of conda-forge's conda-only packages (which install no Python distribution) from copies of
    /// `prefix-dev/parselmouth` and `conda-forge/feedstock-outputs` (git directories or checkouts; nothing is
    /// fetched) into `crates/nplint-index/data/conda-forge-conda-only.tsv`.
    CondaNames {
        /// parselmouth's git directory or checkout: conda-forge's conda → PyPI names.
        #[arg(long)]
        mapping: PathBuf,
        /// feedstock-outputs' git directory or checkout: the feedstocks that build each package.
        #[arg(long)]
        outputs: PathBuf,
    },
    /// Rewrite `crates/nplint-index/data/packages/` in the canonical stored form (after a change of that form);
    /// fails if a file does not read. Reads nothing from the network.
    Format,
    /// Encode `crates/nplint-index/data/` as the build embeds it into `OUT/index.bin`, with its manifest
    /// `OUT/index.json` (format version, date, SHA-256, size), for publication (`.github/workflows/index-publish.yml`).
    /// Fails if a file would be left out. Reads nothing from the network.
    Pack {
        /// The directory to write the two files into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the sync's wheel scans (`build`, `removed_api`) over wheels on disk and print what each would record,
    /// one JSON line per wheel. Reads nothing from the network.
    ScanWheel {
        /// The wheels.
        #[arg(required = true)]
        wheels: Vec<PathBuf>,
    },
}

/// The workspace root: `xtask/`'s parent.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lies in the workspace")
        .to_path_buf()
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Docs { check } => docs::run(&workspace_root(), check),
        Task::Bench(args) => bench::run(&workspace_root(), &args),
        Task::MeasureChild {
            report,
            program,
            args,
        } => {
            let code = bench::measure_child(&report, &program, &args)?;
            std::process::exit(code);
        }
        Task::PreCommit => precommit::run(&workspace_root()),
        Task::Index {
            task: IndexTask::Sync(args),
        } => index::run(&workspace_root(), &args),
        Task::Index {
            task: IndexTask::Tiers(args),
        } => index::run_tiers(&workspace_root(), &args),
        Task::Index {
            task: IndexTask::Verify(args),
        } => index::verify::run(&workspace_root(), &args),
        Task::Index {
            task: IndexTask::CondaPatches { dir },
        } => conda_patches::run(&workspace_root(), &dir),
        Task::Index {
            task: IndexTask::CondaNames { mapping, outputs },
        } => conda_names::run(&workspace_root(), &mapping, &outputs),
        Task::Index {
            task: IndexTask::Format,
        } => index::format(&workspace_root()),
        Task::Index {
            task: IndexTask::Pack { out },
        } => index::pack::run(&workspace_root(), &out),
        Task::Index {
            task: IndexTask::ScanWheel { wheels },
        } => index::local::run(&workspace_root(), &wheels),
    }
}
