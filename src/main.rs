//! The `nplint` command line: argument parsing, file discovery, orchestration, output and exit codes.
//!
//! This is the only crate that touches the outside world: it reads files and the environment, and prints.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is where nplint prints"
)]

mod args;
mod check;
mod discover;
mod fix;
mod fs;
mod index;
mod online;
mod server;
mod upgrade;
mod why;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, DebugCommand, IndexCommand};

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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Debug(DebugCommand::Manifest(args)) => check::debug_manifest(&args),
        Command::Rule(args) => rule(&args),
        Command::Index(IndexCommand::Show(args)) => index::show(&args),
        Command::Index(IndexCommand::Stats(args)) => index::stats(&args),
        Command::Server => server::run(),
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
