//! Output formats: one module per format, each rendering a [`Report`] to a writer.
//!
//! Reporters never decide what is a finding; they print the sorted diagnostics they are given. Every format reads
//! fine without colour.

mod concise;
mod full;
mod github;
mod json;
mod sarif;
mod summary;

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use nplint_diagnostics::{Diagnostic, RuleId, Severity};

pub use json::SCHEMA_VERSION;

/// The GitHub Actions workflow command that annotates an error which stops a run, such as an unusable
/// configuration, on its line.
pub fn github_error_command(
    location: &nplint_diagnostics::Location,
    message: &str,
    help: Option<&str>,
) -> String {
    github::error_command(location, message, help)
}

pub use full::{render_error, render_note};

/// Everything a reporter prints: the files checked and their findings, sorted.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<CheckedFile>,
    /// Sorted by [`Diagnostic::sort_key`], without duplicates.
    pub diagnostics: Vec<Diagnostic>,
    /// Wall time of the check, printed in the human summary; `None` leaves it out (tests).
    pub elapsed: Option<Duration>,
    /// What the formats that describe rules (`sarif`) say of each: every rule, not only those that fired.
    pub rules: Vec<RuleMeta>,
    /// What `nplint check --online` read from a package index; `None` for a check offline.
    pub online: Option<OnlineRead>,
}

/// What an online check read (see [`Report::online`]): the findings rest on these packages' declared metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct OnlineRead {
    /// The index read, credentials left out.
    pub index: String,
    /// Packages the index did not know, read whole (their newest releases), sorted.
    pub packages: Vec<String>,
    /// Packages the index knew, which gained releases newer than its snapshot, sorted.
    pub extended: Vec<String>,
    /// Packages the package index does not have either, sorted.
    pub missing: Vec<String>,
}

/// A rule as a report describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: RuleId,
    pub default_severity: Severity,
    /// One line.
    pub summary: String,
    /// The rule's documentation, Markdown.
    pub documentation: String,
    /// Where the documentation is published.
    pub help_uri: Option<String>,
}

/// A file that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub path: PathBuf,
    /// The format's stable name (`requirements-txt`, `conda-environment`, `pyproject`).
    pub format: &'static str,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Graphical: the offending lines with labels, the explanation and help.
    Full,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// The versioned JSON document described by `schemas/nplint-output.schema.json`.
    Json,
    /// GitHub Actions workflow commands (annotations), errors first, then the summary line.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
}

/// Rendering options that do not change content.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
    /// Terminal width for wrapping the graphical format.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            color: false,
            width: 100,
        }
    }
}

/// Write `report` to `out` in `format`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::render(report, options, out),
        OutputFormat::Concise => concise::render(report, options, out),
        OutputFormat::Json => json::render(report, out),
        OutputFormat::Github => github::render(report, out),
        OutputFormat::Sarif => sarif::render(report, out),
    }
}
