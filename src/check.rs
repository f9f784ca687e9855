//! `nplint check` and `nplint debug manifest`: load, check, sort, report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use nplint_diagnostics::{Diagnostic, Location, Severity, SourceFile};
use nplint_manifest::{Format, detect_format};
use nplint_report::{CheckedFile, OutputFormat, RenderOptions, Report, RuleMeta};
use nplint_rules::{Resolver, TargetOptions};
use rayon::prelude::*;

use crate::Status;
use crate::args::{CheckArgs, ColorChoice, DebugManifestArgs, OutputFormatArg};
use crate::discover::{Found, discover};
use crate::fs::FsLoader;

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<Status> {
    let start = Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover(&paths);

    let mut status = Status::Clean;
    let mut files = Vec::new();
    let mut work = Vec::new();
    let mut diagnostics = Vec::new();
    for item in found {
        match item {
            Found::File { path, format } => {
                files.push(CheckedFile {
                    path: path.clone(),
                    format: format.name(),
                });
                work.push((path, format));
            }
            Found::Missing { path, reason } => {
                let message = format!("cannot read `{}`: {reason}", path.display());
                diagnostics.push(nplint_rules::io_error(
                    Location::file_start(SourceFile::new(path, "")),
                    message,
                ));
            }
            Found::UnknownFormat { path } => {
                eprintln!(
                    "error: cannot tell the format of `{}`; nplint reads requirements files (`.txt`, `.in`), conda \
                     environment files (`.yml`, `.yaml`) and `pyproject.toml`",
                    path.display()
                );
                status = Status::Failure;
            }
        }
    }

    if work.is_empty() && diagnostics.is_empty() && status == Status::Clean {
        eprintln!("warning: no environment files found under the given paths");
    }
    // One resolver for the run: the index loads once and each target's solver is shared by every file.
    let resolver = nplint_rules::Resolver::new(TargetOptions {
        pythons: (!args.python.is_empty()).then(|| args.python.clone()),
        platforms: args.platform.clone(),
    });
    diagnostics.par_extend(
        work.par_iter()
            .flat_map_iter(|(path, format)| check_file(path, *format, &resolver)),
    );
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // A file included by several checked files reports its own problems once.
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key());

    if diagnostics
        .iter()
        .any(|d| d.rule == nplint_rules::io_error_rule())
    {
        status = Status::Failure;
    } else if status == Status::Clean && diagnostics.iter().any(|d| d.severity == Severity::Error) {
        status = Status::Findings;
    }

    let report = Report {
        files,
        diagnostics,
        elapsed: Some(start.elapsed()),
        rules: nplint_rules_meta(),
    };
    // In a GitHub Actions job, annotations are what a reader of the pull request sees.
    let in_github_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true");
    let format = match args.format {
        Some(OutputFormatArg::Concise) => OutputFormat::Concise,
        Some(OutputFormatArg::Json) => OutputFormat::Json,
        Some(OutputFormatArg::Github) => OutputFormat::Github,
        Some(OutputFormatArg::Sarif) => OutputFormat::Sarif,
        None if in_github_actions => OutputFormat::Github,
        Some(OutputFormatArg::Full) | None => OutputFormat::Full,
    };
    let options = RenderOptions {
        color: use_color(args.color),
        width: terminal_width(),
    };
    let mut stdout = std::io::stdout().lock();
    nplint_report::render(&report, format, options, &mut stdout)?;
    stdout.flush()?;
    Ok(status)
}

/// Every rule as the reports that describe rules (`sarif`) need it, with its published page.
fn nplint_rules_meta() -> Vec<RuleMeta> {
    nplint_rules::RULES
        .iter()
        .map(|rule| RuleMeta {
            id: rule.id,
            default_severity: rule.default_severity,
            summary: rule.summary(),
            documentation: rule.markdown(),
            help_uri: Some(format!(
                "{}/blob/main/docs/rules/{}.md",
                env!("CARGO_PKG_REPOSITORY"),
                rule.name()
            )),
        })
        .collect()
}

fn check_file(path: &Path, format: Format, resolver: &Resolver) -> Vec<Diagnostic> {
    match nplint_manifest::load(path, format, &FsLoader) {
        Ok(manifest) => nplint_rules::check_manifest_resolved(&manifest, resolver),
        Err(error) => {
            let location = Location::file_start(SourceFile::new(path, ""));
            vec![nplint_rules::io_error(
                location,
                format!("cannot read `{}`: {error}", path.display()),
            )]
        }
    }
}

pub(crate) fn debug_manifest(args: &DebugManifestArgs) -> anyhow::Result<Status> {
    let Some(format) = detect_format(&args.file, true) else {
        anyhow::bail!("cannot tell the format of `{}`", args.file.display());
    };
    let manifest = nplint_manifest::load(&args.file, format, &FsLoader)
        .with_context(|| format!("cannot read `{}`", args.file.display()))?;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &manifest)?;
    writeln!(stdout)?;
    Ok(Status::Clean)
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// `COLUMNS` when set (shells export it to children on request), else a width that suits most terminals.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(100)
}
