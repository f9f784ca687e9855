//! `cargo xtask pre-commit`: runs the hook of `.pre-commit-hooks.yaml` through pre-commit itself, as a new user
//! would, in a throwaway git repository: it must fail on a requirements file whose NumPy requirements conflict,
//! with nplint's diagnostic in its output, and pass once the file is fixed.
//!
//! It needs `pre-commit` on `PATH` (`pip install pre-commit`) and builds nplint through pre-commit's Rust support
//! (`cargo install` from this repository's committed `HEAD`, which reaches the Rust package registry), so it is not part of the
//! test suite, which never touches the network.

use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, Result, bail, ensure};

const CONFLICTING: &str = "pandas==2.2.2\nnumpy<1.22\n";
const FIXED: &str = "pandas==2.2.2\nnumpy>=1.22.4\n";

pub fn run(root: &Path) -> Result<()> {
    let scratch = tempfile::tempdir()?;
    let project = scratch.path();
    git(project, &["init", "-q"])?;
    git(project, &["config", "user.email", "check@nplint.invalid"])?;
    git(project, &["config", "user.name", "nplint check"])?;

    let (passed, text) = hook_on(root, project, CONFLICTING)?;
    ensure!(
        !passed,
        "the hook passed on a conflicting requirements file"
    );
    ensure!(
        text.contains("numpy-conflict") && text.contains("requirements.txt"),
        "the hook's output lacks nplint's diagnostic"
    );

    let (passed, _) = hook_on(root, project, FIXED)?;
    ensure!(passed, "the hook failed on the fixed requirements file");
    println!("pre-commit: the hook fails on the conflict and passes after the fix");
    Ok(())
}

/// Stages `requirements` as the project's `requirements.txt`, runs the hook, and prints what it said: whether it
/// passed, and its output.
fn hook_on(root: &Path, project: &Path, requirements: &str) -> Result<(bool, String)> {
    std::fs::write(project.join("requirements.txt"), requirements)?;
    git(project, &["add", "requirements.txt"])?;
    let output = try_repo(root, project)?;
    let text = output_text(&output);
    println!("{text}");
    Ok((output.status.success(), text))
}

fn try_repo(root: &Path, project: &Path) -> Result<Output> {
    Command::new("pre-commit")
        .args(["try-repo"])
        .arg(root)
        .args(["nplint", "--all-files", "--color", "never"])
        .current_dir(project)
        .output()
        .context("running `pre-commit` (install it with `pip install pre-commit`)")
}

fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let status = Command::new("git").args(args).current_dir(dir).status()?;
    if !status.success() {
        bail!("`git {}` failed", args.join(" "));
    }
    Ok(())
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
