//! `nplint check` and `nplint debug manifest`: load, check, sort, report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use nplint_config::{Config, ConfigError, Configs, Discovery, Overrides, Patterns};
use nplint_diagnostics::{Diagnostic, Location, Severity, SourceFile};
use nplint_index::PythonVersion;
use nplint_manifest::{Loader, detect_format};
use nplint_report::{CheckedFile, OutputFormat, RenderOptions, Report, RuleMeta};
use nplint_rules::{PythonRequest, Resolver};
use rayon::prelude::*;

use crate::Status;
use crate::args::{CheckArgs, ColorChoice, DebugManifestArgs, OutputFormatArg};
use crate::discover::{Found, discover};
use crate::fix;
use crate::fs::{FsLoader, Keeping, MAX_FILE_SIZE, ReadOnce, Stdin, Taking, read_stdin};

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<Status> {
    check(args, None, false)
}

/// [`run`], with the document standard input would give when `document` is set (a check again after fixing it),
/// and the report on standard error when `to_stderr` (standard output then holds the fixed document).
fn check(args: &CheckArgs, document: Option<Vec<u8>>, to_stderr: bool) -> anyhow::Result<Status> {
    let start = Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = RenderOptions {
        color: use_color(args.color),
        width: terminal_width(),
    };
    let format = output_format(args.format);
    let reads = Arc::new(ReadOnce::default());
    let configs = match configs(args, &reads)? {
        Ok(configs) => Arc::new(configs),
        Err(error) => return config_errors(&[error], format, options),
    };
    let Some((found, stdin)) = inputs(args, &paths, &configs, document)? else {
        return Ok(Status::Failure);
    };

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
                let settings = configs.settings(&path);
                work.push((path, format, settings));
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
                     environment files (`.yml`, `.yaml`), `pyproject.toml` and lockfiles by their usual names",
                    path.display()
                );
                status = Status::Failure;
            }
        }
    }
    // A configuration nplint cannot use stops the run: checking with half of it would mislead.
    let errors = configs.errors();
    if !errors.is_empty() {
        return config_errors(&errors, format, options);
    }

    if work.is_empty() && diagnostics.is_empty() && status == Status::Clean {
        eprintln!("warning: no environment files found under the given paths");
    }
    let Some((resolver, read_online)) = resolver(args, &configs, &work, stdin.as_ref())? else {
        return Ok(Status::Failure);
    };
    // Kept only for fixing it: the reader holds the document for the check.
    let read_from_stdin = stdin
        .as_ref()
        .filter(|_| args.fix || args.diff)
        .map(|(_, bytes)| bytes.clone());
    let reader: Box<dyn Loader> = match stdin {
        Some((path, bytes)) => Box::new(Stdin::new(&path, bytes, Taking(reads.clone()))),
        None => Box::new(Taking(reads.clone())),
    };
    // Each finding keeps only the lines it shows, not its whole file, until the report is printed.
    let check = |group: &Vec<usize>| {
        nplint_rules::check_group(&work, group, &resolver, &*reader, &FsLoader)
            .into_iter()
            .map(Diagnostic::into_excerpts)
    };
    let groups = nplint_rules::groups(&work);
    if groups.len() == 1 {
        // One file, or one manifest and its lockfiles (a pre-commit hook's usual run): starting the thread pool
        // would cost more than it saves.
        diagnostics.extend(groups.iter().flat_map(check));
    } else {
        diagnostics.par_extend(groups.par_iter().flat_map_iter(check));
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // A file included by several checked files reports its own problems once.
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key());

    status = outcome(status, &diagnostics);

    if args.fix || args.diff {
        return match (&args.stdin_filename, read_from_stdin) {
            (Some(path), Some(bytes)) => fix_stdin(args, path, bytes, &diagnostics),
            _ => fix_or_diff(args, &diagnostics),
        };
    }
    let report = Report {
        files,
        diagnostics,
        elapsed: Some(start.elapsed()),
        rules: nplint_rules_meta(),
        online: read_online,
    };
    emit(args, &report, format, options, to_stderr)?;
    Ok(status)
}

/// The report where the command line asks for it: standard output (or standard error), `--output-file`, or both
/// in two formats.
fn emit(
    args: &CheckArgs,
    report: &Report,
    format: OutputFormat,
    options: RenderOptions,
    to_stderr: bool,
) -> anyhow::Result<()> {
    if let Some(path) = &args.output_file {
        let file_format = args
            .output_file_format
            .map_or(format, |arg| output_format(Some(arg)));
        write_report(report, file_format, options, path)?;
        if args.output_file_format.is_none() {
            return Ok(());
        }
    }
    print_report(report, format, options, to_stderr)
}

/// `--output-file`: the report in `format`, without colour, written to a temporary file beside `path` and renamed
/// over it (a reader never sees half a report).
fn write_report(
    report: &Report,
    format: OutputFormat,
    options: RenderOptions,
    path: &Path,
) -> anyhow::Result<()> {
    let options = RenderOptions {
        color: false,
        ..options
    };
    let mut bytes = Vec::new();
    nplint_report::render(report, format, options, &mut bytes)?;
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    file.write_all(&bytes)?;
    file.persist(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// The run's status, from what came before the check and its findings: an I/O error fails the run, an error-level
/// finding makes it one with findings.
fn outcome(status: Status, diagnostics: &[Diagnostic]) -> Status {
    if diagnostics
        .iter()
        .any(|d| d.rule == nplint_rules::io_error_rule())
    {
        Status::Failure
    } else if status == Status::Clean && diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Status::Findings
    } else {
        status
    }
}

/// The report, on standard output (or standard error, when standard output holds a fixed document).
fn print_report(
    report: &Report,
    format: OutputFormat,
    options: RenderOptions,
    to_stderr: bool,
) -> anyhow::Result<()> {
    if to_stderr {
        nplint_report::render(report, format, options, &mut std::io::stderr().lock())?;
    } else {
        // Buffered: stdout is line-buffered, and a report of thousands of findings is many small writes, each of
        // which a line buffer scans for a newline.
        let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        nplint_report::render(report, format, options, &mut stdout)?;
        stdout.flush()?;
    }
    Ok(())
}

/// `--fix` or `--diff` on the document on standard input: the fixed document on standard output, then the check
/// of it on standard error (as ruff does); or the diff.
fn fix_stdin(
    args: &CheckArgs,
    path: &Path,
    bytes: Vec<u8>,
    diagnostics: &[Diagnostic],
) -> anyhow::Result<Status> {
    let which = which(args);
    let (fixed, bytes) = match String::from_utf8(bytes) {
        Ok(text) => (
            fix::in_memory(diagnostics, which, path, text.clone()),
            text.into_bytes(),
        ),
        Err(error) => (
            Err("it is not UTF-8, and nplint writes only UTF-8".to_owned()),
            error.into_bytes(),
        ),
    };
    let fixed = fixed.unwrap_or_else(|reason| {
        eprintln!("warning: `{}` not fixed: {reason}", path.display());
        None
    });
    let count = fixed.as_ref().map_or(0, |fixed| fixed.fixes);
    if args.diff {
        if let Some(fixed) = &fixed {
            print!("{}", fixed.diff());
        }
        eprintln!("would fix {count} {}", plural(count, "finding", "findings"));
        return Ok(if count == 0 {
            Status::Clean
        } else {
            Status::Findings
        });
    }
    let after = fixed.map_or(bytes, |fixed| fixed.after.into_bytes());
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&after)?;
    stdout.flush()?;
    eprintln!("fixed {count} {}", plural(count, "finding", "findings"));
    let again = CheckArgs {
        fix: false,
        ..args.clone()
    };
    check(&again, Some(after), true)
}

/// One resolver for the run: the index loads once and each target's solver is shared by every file; with what an
/// `online` check read. `None` when it could not read what it needed, which is told on standard error.
pub(crate) fn resolver(
    args: &CheckArgs,
    configs: &nplint_config::Configs,
    work: &[nplint_rules::Work],
    stdin: Option<&StdinDocument>,
) -> anyhow::Result<Option<(Resolver, Option<nplint_report::OnlineRead>)>> {
    // `--online`, or `online = true` in the configuration of a file checked.
    let online = args.network.online || work.iter().any(|(path, _, _)| configs.online(path));
    if !online && (args.network.index_url.is_some() || args.network.refresh) {
        eprintln!(
            "warning: `--index-url` and `--refresh` apply to online checks (`--online`, or `online = true` in the \
             configuration); this one is offline"
        );
    }
    let pythons: Vec<PythonVersion> = work
        .iter()
        .flat_map(|(_, _, settings)| settings.targets.pythons.versions().iter().copied())
        .collect();
    let (index, read) = if online {
        match online_index(args, work, stdin) {
            Ok((index, read)) => (index, Some(read)),
            Err(error) => {
                eprintln!("error: {error:#}");
                return Ok(None);
            }
        }
    } else {
        (crate::snapshot::index()?, None)
    };
    Ok(Some((Resolver::new(index, &pythons), read)))
}

/// The index of an `--online` check: the embedded one with what the checked files need read from the package
/// index (see [`crate::online`]); what was read is told on standard error.
fn online_index(
    args: &CheckArgs,
    work: &[nplint_rules::Work],
    stdin: Option<&StdinDocument>,
) -> anyhow::Result<(&'static nplint_index::Index, nplint_report::OnlineRead)> {
    let base = crate::snapshot::index()?;
    let manifests: Vec<nplint_manifest::Manifest> = work
        .iter()
        .filter_map(|(path, format, _)| match stdin {
            Some((stdin_path, bytes)) if stdin_path == path => {
                let loader = Stdin::new(path, bytes.clone(), FsLoader);
                nplint_manifest::load(path, *format, &loader).ok()
            }
            _ => nplint_manifest::load(path, *format, &FsLoader).ok(),
        })
        .collect();
    let named: Vec<String> = manifests
        .iter()
        .flat_map(|manifest| manifest.indexes.iter().cloned())
        .collect();
    let url = crate::online::index_url(
        args.network.index_url.as_deref(),
        |name| std::env::var(name).ok(),
        &named,
    )?;
    let client = crate::online::client(
        &crate::snapshot::configured_cache_dir()?,
        args.network.refresh,
        |name| std::env::var(name).ok(),
    )?;
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let overlay =
        crate::online::overlay(base, &manifests, &client, &url, progress).inspect_err(|_| {
            // The progress line is cleared before the error is printed.
            if progress {
                eprint!("\r\x1b[K");
            }
        })?;
    eprintln!("{}", overlay.summary());
    let read = nplint_report::OnlineRead {
        index: url.to_string(),
        packages: overlay.added.iter().cloned().collect(),
        extended: overlay.extended.iter().cloned().collect(),
        missing: overlay.missing.iter().cloned().collect(),
    };
    Ok((overlay.index, read))
}

/// The fixes the command line admits.
fn which(args: &CheckArgs) -> fix::Which {
    if args.unsafe_fixes {
        fix::Which::All
    } else {
        fix::Which::Safe
    }
}

/// `--fix` or `--diff` on the findings of a check: writes the fixes and checks again, or prints them as a diff.
fn fix_or_diff(args: &CheckArgs, diagnostics: &[Diagnostic]) -> anyhow::Result<Status> {
    let which = which(args);
    let fixed = fix::plan(diagnostics, which);
    let count: usize = fixed.iter().map(|file| file.fixes).sum();
    if which == fix::Which::Safe {
        let hidden = diagnostics
            .iter()
            .filter(|diagnostic| {
                diagnostic.fix.as_ref().is_some_and(|fix| {
                    fix.applicability == nplint_diagnostics::Applicability::Unsafe
                })
            })
            .count();
        if hidden > 0 {
            eprintln!(
                "{hidden} more {} with `--unsafe-fixes`",
                plural(hidden, "fix is available", "fixes are available")
            );
        }
    }
    if args.diff {
        let mut stdout = std::io::stdout().lock();
        for file in &fixed {
            write!(stdout, "{}", file.diff())?;
        }
        stdout.flush()?;
        eprintln!(
            "would fix {count} {} in {} {}",
            plural(count, "finding", "findings"),
            fixed.len(),
            plural(fixed.len(), "file", "files")
        );
        return Ok(if fixed.is_empty() {
            Status::Clean
        } else {
            Status::Findings
        });
    }
    for file in &fixed {
        file.write()?;
    }
    eprintln!(
        "fixed {count} {} in {} {}",
        plural(count, "finding", "findings"),
        fixed.len(),
        plural(fixed.len(), "file", "files")
    );
    // What remains, as a check without `--fix` reports it.
    let again = CheckArgs {
        fix: false,
        ..args.clone()
    };
    run(&again)
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

/// A document read from standard input, with the path it is checked as.
type StdinDocument = (PathBuf, Vec<u8>);

/// The files to check: those discovery finds under `paths`, or with `--stdin-filename`, the one document on
/// standard input, with its bytes. `None` when standard input is too large to read (said on standard error).
fn inputs(
    args: &CheckArgs,
    paths: &[PathBuf],
    configs: &Arc<Configs>,
    document: Option<Vec<u8>>,
) -> anyhow::Result<Option<(Vec<Found>, Option<StdinDocument>)>> {
    let Some(path) = &args.stdin_filename else {
        return Ok(Some((discover(paths, configs, args.no_ignore), None)));
    };
    let read = match document {
        Some(bytes) => Ok(bytes),
        None => read_stdin().context("cannot read standard input")?,
    };
    match read {
        Ok(bytes) => Ok(Some((vec![stdin_found(path)], Some((path.clone(), bytes))))),
        Err(size) => {
            eprintln!(
                "error: standard input is larger than the {} MiB nplint reads (read {size} bytes)",
                MAX_FILE_SIZE / (1024 * 1024)
            );
            Ok(None)
        }
    }
}

/// What `--stdin-filename PATH` names: the file at `PATH`, in the format its name says.
fn stdin_found(path: &Path) -> Found {
    match detect_format(path, true) {
        Some(format) => Found::File {
            path: path.to_path_buf(),
            format,
        },
        None => Found::UnknownFormat {
            path: path.to_path_buf(),
        },
    }
}

/// The run's configurations as the command line asks: `--isolated`, `--config FILE`, or the closest to each file;
/// the inner error is a `--config` file nplint cannot use.
pub(crate) fn configs(
    args: &CheckArgs,
    reads: &Arc<ReadOnce>,
) -> anyhow::Result<Result<Configs, ConfigError>> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let patterns = |flag: &str, globs: &[String]| -> anyhow::Result<Patterns> {
        let mut builder = Patterns::builder();
        for glob in globs {
            builder
                .add(glob)
                .with_context(|| format!("`{glob}` in `{flag}` is not a valid glob"))?;
        }
        Ok(builder.build()?)
    };
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        python: if args.python.is_empty() {
            None
        } else {
            Some(
                PythonRequest::from_values(&args.python)
                    .map_err(|message| anyhow::anyhow!("`--python`: {message}"))?,
            )
        },
        platforms: (!args.platform.is_empty()).then(|| args.platform.clone()),
        exclude: args
            .exclude
            .as_deref()
            .map(|globs| patterns("--exclude", globs))
            .transpose()?,
        extend_exclude: (!args.extend_exclude.is_empty())
            .then(|| patterns("--extend-exclude", &args.extend_exclude))
            .transpose()?,
    };
    let discovery = if args.isolated {
        Discovery::Isolated
    } else if let Some(path) = &args.config {
        match Config::load_explicit(&Keeping(reads.clone()), &cwd.join(path), path) {
            Ok(config) => Discovery::Fixed(Arc::new(config)),
            Err(error) => return Ok(Err(error)),
        }
    } else {
        Discovery::Closest
    };
    Ok(Ok(Configs::new(
        discovery,
        overrides,
        &cwd,
        Arc::new(Keeping(reads.clone())),
    )))
}

/// `--format`, else `github` in a GitHub Actions job (annotations are what a reader of the pull request sees),
/// else `full`.
fn output_format(format: Option<OutputFormatArg>) -> OutputFormat {
    let in_github_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true");
    match format {
        Some(OutputFormatArg::Concise) => OutputFormat::Concise,
        Some(OutputFormatArg::Json) => OutputFormat::Json,
        Some(OutputFormatArg::Github) => OutputFormat::Github,
        Some(OutputFormatArg::Sarif) => OutputFormat::Sarif,
        None if in_github_actions => OutputFormat::Github,
        Some(OutputFormatArg::Full) | None => OutputFormat::Full,
    }
}

/// Prints configuration errors to standard error, located in their files (with `--format github`, also as
/// annotations on standard output), and fails the run.
fn config_errors(
    errors: &[ConfigError],
    format: OutputFormat,
    options: RenderOptions,
) -> anyhow::Result<Status> {
    if format == OutputFormat::Github {
        let mut stdout = std::io::stdout().lock();
        for error in errors {
            let command = nplint_report::github_error_command(
                &error.location,
                &error.message,
                error.help.as_deref(),
            );
            writeln!(stdout, "{command}")?;
        }
        stdout.flush()?;
    }
    let mut stderr = std::io::stderr().lock();
    let options = RenderOptions {
        color: options.color && std::io::stderr().is_terminal(),
        ..options
    };
    for error in errors {
        nplint_report::render_error(
            &error.location,
            &error.message,
            error.label.as_deref(),
            error.help.as_deref(),
            options,
            &mut stderr,
        )?;
    }
    writeln!(
        stderr,
        "error: nplint cannot use {} configuration file{}; nothing was checked",
        if errors.len() == 1 { "a" } else { "these" },
        if errors.len() == 1 { "" } else { "s" },
    )?;
    Ok(Status::Failure)
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

pub(crate) fn debug_manifest(args: &DebugManifestArgs) -> anyhow::Result<Status> {
    let Some(format) = detect_format(&args.file, true) else {
        anyhow::bail!("cannot tell the format of `{}`", args.file.display());
    };
    let manifest = nplint_manifest::load(&args.file, format, &FsLoader)
        .with_context(|| format!("cannot read `{}`", args.file.display()))?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut stdout, &manifest)?;
    writeln!(stdout)?;
    stdout.flush()?;
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
