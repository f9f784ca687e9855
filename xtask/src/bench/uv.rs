//! `--compare-uv N`: `uv pip compile --offline` and `nplint check` timed on the same requirements files.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Result, ensure};

use super::measure::{checked, measure, median};
use super::plan::Plan;

/// `uv pip compile` and `nplint check` timed on the same requirements files.
#[derive(Debug)]
pub(super) struct UvComparison {
    pub(super) compared: usize,
    pub(super) skipped: usize,
    pub(super) uv_total: Duration,
    pub(super) uv_median: Duration,
    pub(super) nplint_batch: Duration,
    pub(super) nplint_total: Duration,
    pub(super) nplint_median: Duration,
}

/// `None`, with a note, when `uv` is not on `PATH` or compiles none of the files.
pub(super) fn compare_uv(
    nplint: &Path,
    tree: &Path,
    plan: &Plan,
    count: usize,
) -> Result<Option<UvComparison>> {
    // Only real package names, no conflict, no include: what uv can resolve from the index.
    let candidates: Vec<&str> = plan
        .files
        .iter()
        .filter(|file| file.is_plain_requirements() && file.public_only)
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
