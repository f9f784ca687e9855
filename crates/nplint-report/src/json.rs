//! `--format json`: the versioned contract that editors and other tools build on.
//!
//! The document's shape is described by `schemas/nplint-output.schema.json`; a test validates this output against
//! it. Changing the shape incompatibly means bumping [`SCHEMA_VERSION`].

use std::io::{self, Write};

use nplint_diagnostics::{
    Applicability, Diagnostic, Location, Position, Severity, Target, portable_path,
};
use serde::Serialize;

use crate::Report;
use crate::summary::Counts;

/// The version of the JSON document's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    files: Vec<File<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct File<'a> {
    path: String,
    format: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    code: &'static str,
    severity: Severity,
    message: &'a str,
    path: String,
    span: JsonSpan,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    targets: &'a [Target],
    explanation: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonSpan {
    start: Position,
    end: Position,
}

impl JsonSpan {
    fn of(location: &Location) -> Self {
        Self {
            start: location.start(),
            end: location.end(),
        }
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: String,
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: String,
    span: JsonSpan,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

fn path_of(location: &Location) -> String {
    portable_path(location.file.path())
}

fn diagnostic(diagnostic: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        rule: diagnostic.rule.name,
        code: diagnostic.rule.code,
        severity: diagnostic.severity,
        message: &diagnostic.message,
        path: path_of(&diagnostic.location),
        span: JsonSpan::of(&diagnostic.location),
        labels: diagnostic
            .labels
            .iter()
            .map(|label| JsonLabel {
                path: path_of(&label.location),
                span: JsonSpan::of(&label.location),
                message: &label.message,
            })
            .collect(),
        help: diagnostic.help.as_deref(),
        targets: &diagnostic.targets,
        explanation: diagnostic.explanation.as_deref(),
        fix: diagnostic.fix.as_ref().map(|fix| JsonFix {
            message: &fix.message,
            applicability: fix.applicability,
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    path: path_of(&edit.location),
                    span: JsonSpan::of(&edit.location),
                    replacement: &edit.replacement,
                })
                .collect(),
        }),
    }
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let counts = Counts::of(report);
    let document = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "nplint",
            version: env!("CARGO_PKG_VERSION"),
        },
        files: report
            .files
            .iter()
            .map(|file| File {
                path: portable_path(&file.path),
                format: file.format,
            })
            .collect(),
        diagnostics: report.diagnostics.iter().map(diagnostic).collect(),
        summary: Summary {
            files: report.files.len(),
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
