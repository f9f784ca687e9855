//! `--format json`: the versioned contract that editors and other tools build on.
//!
//! The document's shape is described by `schemas/nplint-output.schema.json`; a test validates this output against
//! it. Changing the shape incompatibly means bumping [`SCHEMA_VERSION`].

use std::io::{self, Write};

use nplint_diagnostics::{
    Applicability, Diagnostic, Location, Position, Severity, Target, portable_path,
};
use rayon::prelude::*;
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
    /// What an online check read; absent offline.
    #[serde(skip_serializing_if = "Option::is_none")]
    online: Option<&'a crate::OnlineRead>,
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

/// The document of `report` with these findings (all of them, or none when they are set in afterwards).
fn document<'a>(report: &'a Report, diagnostics: Vec<JsonDiagnostic<'a>>) -> Document<'a> {
    let counts = Counts::of(report);
    Document {
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
        diagnostics,
        summary: Summary {
            files: report.files.len(),
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
        },
        online: report.online.as_ref(),
    }
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.diagnostics.len() < PARALLEL_FROM {
        let document = document(report, report.diagnostics.iter().map(diagnostic).collect());
        serde_json::to_writer_pretty(&mut *out, &document)?;
        return writeln!(out);
    }
    // Many findings: each is serialized on its own, in parallel, and set into the document where serde_json's
    // pretty printer would have put it (two levels deep: four spaces before each line; strings hold no raw
    // newline, so indenting line by line is exact). A chunk at a time, so that the text of every finding is
    // never in memory at once.
    let skeleton = serde_json::to_string_pretty(&document(report, Vec::new()))?;
    let (before, after) = skeleton
        .split_once(EMPTY_DIAGNOSTICS)
        .ok_or_else(|| io::Error::other("the document has no diagnostics array"))?;
    out.write_all(before.as_bytes())?;
    out.write_all(b"\n  \"diagnostics\": [")?;
    let mut first = true;
    for chunk in report.diagnostics.chunks(PARALLEL_FROM * 4) {
        let items: Vec<String> = chunk
            .par_iter()
            .map(|finding| {
                let text = serde_json::to_string_pretty(&diagnostic(finding))?;
                let mut item = String::with_capacity(text.len() + text.len() / 8);
                for line in text.split('\n') {
                    item.push('\n');
                    item.push_str("    ");
                    item.push_str(line);
                }
                Ok(item)
            })
            .collect::<serde_json::Result<_>>()?;
        for item in items {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(item.as_bytes())?;
        }
    }
    out.write_all(b"\n  ]")?;
    out.write_all(after.as_bytes())?;
    writeln!(out)
}

/// Below this many findings the document is serialized in one piece.
const PARALLEL_FROM: usize = 256;

/// How the pretty printer writes the (emptied) diagnostics array of the document: unique, as it is the only
/// top-level key at the start of a line with that name.
const EMPTY_DIAGNOSTICS: &str = "\n  \"diagnostics\": []";

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use nplint_diagnostics::{Label, RuleId, SourceFile, Span};

    use super::*;
    use crate::CheckedFile;

    /// A report with `count` findings that use every field the document has, in a file with a non-ASCII line.
    fn report(count: usize) -> Report {
        let text = (0..count).fold(String::new(), |mut text, n| {
            use std::fmt::Write as _;
            let _ = writeln!(text, "pkg-{n}==1.{n}  # é");
            text
        });
        let file = SourceFile::new("monorepo/requirements.txt", text.clone());
        let diagnostics = (0..count)
            .map(|n| {
                let start = text.find(&format!("pkg-{n}==")).unwrap();
                let location = Location::new(file.clone(), Span::from_range(start..start + 6));
                let mut finding = Diagnostic::new(
                    RuleId {
                        name: "numpy-conflict",
                        code: "NPL010",
                    },
                    Severity::Error,
                    format!("finding {n} with \"quotes\" and a\nnewline"),
                    location.clone(),
                )
                .with_help("relax it");
                finding.labels.push(Label {
                    location,
                    message: "here".to_owned(),
                });
                finding.explanation = Some("Because …\nAnd because …".to_owned());
                finding
            })
            .collect();
        Report {
            files: vec![CheckedFile {
                path: PathBuf::from("monorepo/requirements.txt"),
                format: "requirements-txt",
            }],
            diagnostics,
            elapsed: None,
            online: None,
            rules: Vec::new(),
        }
    }

    /// The document serialized in one piece, as `render` does below `PARALLEL_FROM` findings.
    fn whole(report: &Report) -> String {
        let document = document(report, report.diagnostics.iter().map(diagnostic).collect());
        serde_json::to_string_pretty(&document).unwrap() + "\n"
    }

    #[test]
    fn findings_serialized_in_parallel_give_the_same_document() {
        for count in [0, 1, PARALLEL_FROM - 1, PARALLEL_FROM, 700] {
            let report = report(count);
            let mut out = Vec::new();
            render(&report, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                whole(&report),
                "{count} findings"
            );
        }
    }
}
