//! The closing line of the human formats: "2 errors, 1 warning in 14 files, 3 ms".

use std::fmt::Write as _;

use nplint_diagnostics::Severity;

use crate::Report;

/// Counts of diagnostics by severity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub(crate) fn of(report: &Report) -> Self {
        let mut counts = Self::default();
        for diagnostic in &report.diagnostics {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

pub(crate) fn line(report: &Report) -> String {
    let counts = Counts::of(report);
    let mut parts = Vec::new();
    if counts.errors > 0 {
        parts.push(plural(counts.errors, "error"));
    }
    if counts.warnings > 0 {
        parts.push(plural(counts.warnings, "warning"));
    }
    if counts.infos > 0 {
        parts.push(plural(counts.infos, "note"));
    }
    let mut line = if parts.is_empty() {
        "No problems".to_owned()
    } else {
        parts.join(", ")
    };
    let _ = write!(line, " in {}", plural(report.files.len(), "file"));
    if let Some(elapsed) = report.elapsed {
        let _ = write!(line, ", {} ms", elapsed.as_millis());
    }
    line
}
