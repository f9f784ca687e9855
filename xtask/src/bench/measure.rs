//! Running and timing: each measured process runs under a fresh `xtask measure-child`, which reports its wall time
//! and peak memory.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use super::outcome::Outcome;

/// One finished child process.
#[derive(Debug)]
pub(super) struct Measured {
    pub(super) wall: Duration,
    /// Peak resident set size of the child, in KiB.
    pub(super) max_rss_kib: u64,
    pub(super) code: i32,
}

/// Runs `command` to completion with its output sent to `stdout`, and measures it from inside a fresh
/// `xtask measure-child` process (see [`measure_child`]): its wall time there, and its peak memory as that
/// process's only child, so neither this process's memory nor earlier children (cargo) count.
pub(super) fn measure(command: &mut Command, stdout: Stdio) -> Result<Measured> {
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

/// The median of `times` (the upper one of an even count), sorting them.
pub(super) fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// `nplint check . --format json` run in `tree`.
pub(super) fn nplint_check(nplint: &Path, tree: &Path) -> Command {
    let mut command = Command::new(nplint);
    command
        .current_dir(tree)
        .args(["check", ".", "--format", "json"]);
    command
}

/// `measured`, unless nplint failed (exit codes 0 and 1 are its verdicts).
pub(super) fn checked(measured: Measured) -> Result<Measured> {
    ensure!(
        measured.code == 0 || measured.code == 1,
        "nplint exited with {} (expected 0 or 1)",
        measured.code
    );
    Ok(measured)
}

/// The whole tree checked `runs` times, timed (after one untimed run to warm up the page cache and the binary,
/// when asked for).
#[derive(Debug)]
pub(super) struct TreeTimes {
    /// What the runs printed, read once every run is over.
    pub(super) outcome: Outcome,
    pub(super) runs: usize,
    pub(super) median: Duration,
    pub(super) min: Duration,
    pub(super) max: Duration,
    pub(super) peak_kib: u64,
}

/// The runs' JSON output goes to `output` (each run replaces it; the output is deterministic). `configure` adds
/// to [`nplint_check`]'s command (options, environment).
pub(super) fn time_tree(
    nplint: &Path,
    tree: &Path,
    runs: usize,
    warm_up: bool,
    output: &Path,
    configure: impl Fn(&mut Command),
) -> Result<TreeTimes> {
    let check = || -> Result<Measured> {
        let mut command = nplint_check(nplint, tree);
        configure(&mut command);
        checked(measure(
            &mut command,
            std::fs::File::create(output)?.into(),
        )?)
    };
    let mut peak_kib = if warm_up { check()?.max_rss_kib } else { 0 };
    let mut walls = Vec::new();
    for _ in 0..runs {
        let run = check()?;
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
