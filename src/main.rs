//! The `nplint` command line: argument parsing, file discovery, orchestration, output and exit codes.
//!
//! This is the only crate that touches the outside world: it reads files and the environment, and prints.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is where nplint prints"
)]

mod args;
mod cache;
mod check;
mod discover;
mod download;
mod fix;
mod fs;
mod index;
mod online;
mod server;
mod snapshot;
mod update;
mod upgrade;
mod why;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::args::{
    CacheCommand, Cli, Command, DebugCommand, GlobalArgs, IndexCommand, SnapshotChoice,
};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit statuses, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// No error-level finding.
    Clean = 0,
    /// At least one error-level finding.
    Findings = 1,
    /// A usage error, or a file that could not be read.
    Failure = 2,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        Self::from(status as u8)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if error.kind() == ErrorKind::DisplayVersion => return print_version(),
        Err(error) => error.exit(),
    };
    snapshot::configure(&cli.globals);
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Debug(DebugCommand::Manifest(args)) => check::debug_manifest(&args),
        Command::Rule(args) => rule(&args),
        Command::Index(IndexCommand::Show(args)) => index::show(&args),
        Command::Index(IndexCommand::Stats(args)) => index::stats(&args),
        Command::Index(IndexCommand::Update(args)) => update::run(&args, &cli.globals),
        Command::Server => server::run(),
        Command::Cache(CacheCommand::Dir) => cache::dir(),
        Command::Cache(CacheCommand::Clean) => cache::clean(),
        Command::Why(args) => why::run(&args),
        Command::Upgrade(args) => upgrade::run(&args),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            // A closed pipe (`nplint check | head`) is not an error worth reporting.
            if error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|error| error.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return Status::Clean.into();
            }
            eprintln!("error: {error:#}");
            Status::Failure.into()
        }
    }
}

/// `nplint --version`, with the date and source of the index snapshot the same command line would read.
///
/// clap prints a version fixed when the command is built, before the arguments are parsed; the snapshot depends on
/// `--index-snapshot` and `--cache-dir`, so those two (and their variables) are read here from the raw arguments.
fn print_version() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let value = |flag: &str| {
        args.iter().enumerate().rev().find_map(|(at, arg)| {
            arg.strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_owned)
                .or_else(|| (arg == flag).then(|| args.get(at + 1).cloned()).flatten())
        })
    };
    let choice = value("--index-snapshot")
        .or_else(|| std::env::var("NPLINT_INDEX_SNAPSHOT").ok())
        .and_then(|choice| <SnapshotChoice as clap::ValueEnum>::from_str(&choice, false).ok());
    let cache_dir = value("--cache-dir")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("NPLINT_CACHE_DIR").map(std::path::PathBuf::from));
    snapshot::configure(&GlobalArgs {
        index_snapshot: choice,
        cache_dir,
    });
    match snapshot::version() {
        Ok(version) => {
            println!("nplint {version}");
            Status::Clean.into()
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            Status::Failure.into()
        }
    }
}

fn rule(args: &args::RuleArgs) -> anyhow::Result<Status> {
    let mut stdout = std::io::stdout().lock();
    match &args.name {
        Some(name) => {
            let Some(rule) = nplint_rules::find_rule(name) else {
                eprintln!("error: no rule named `{name}`; `nplint rule` lists them");
                return Ok(Status::Failure);
            };
            writeln!(stdout, "# {} ({})\n", rule.name(), rule.code())?;
            writeln!(stdout, "Default severity: {}\n", rule.default_severity)?;
            write!(stdout, "{}", rule.markdown())?;
        }
        None => {
            for rule in nplint_rules::RULES {
                writeln!(
                    stdout,
                    "{}  {:<20} {:<8} {}",
                    rule.code(),
                    rule.name(),
                    rule.default_severity,
                    rule.summary()
                )?;
            }
        }
    }
    Ok(Status::Clean)
}
