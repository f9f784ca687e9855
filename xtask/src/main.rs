//! Maintainer tasks, run as `cargo xtask <task>`: generated files and their checks.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

mod docs;
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
    }
}
