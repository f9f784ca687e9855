//! What a check of the tree reported, and whether it found every planted problem.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};

use super::plan::Plan;

/// What one `nplint check --format json` printed.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub(super) files: usize,
    pub(super) errors: u64,
    pub(super) warnings: u64,
    /// (path, rule) of every error-level finding.
    pub(super) error_findings: BTreeSet<(String, String)>,
}

/// The parts of nplint's JSON output (`schemas/nplint-output.schema.json`) the bench reads.
#[derive(Debug, serde::Deserialize)]
struct JsonOutput {
    files: Vec<serde::de::IgnoredAny>,
    diagnostics: Vec<JsonDiagnostic>,
    summary: JsonSummary,
}

#[derive(Debug, serde::Deserialize)]
struct JsonDiagnostic {
    rule: String,
    severity: String,
    path: String,
}

#[derive(Debug, serde::Deserialize)]
struct JsonSummary {
    errors: u64,
    warnings: u64,
}

pub(super) fn parse_outcome(path: &Path) -> Result<Outcome> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let document: JsonOutput = serde_json::from_reader(std::io::BufReader::new(file))
        .context("nplint's JSON output does not parse")?;
    let error_findings = document
        .diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.severity == "error")
        .map(|diagnostic| {
            let path = diagnostic
                .path
                .strip_prefix("./")
                .unwrap_or(&diagnostic.path);
            (path.to_string(), diagnostic.rule)
        })
        .collect();
    Ok(Outcome {
        files: document.files.len(),
        errors: document.summary.errors,
        warnings: document.summary.warnings,
        error_findings,
    })
}

/// Whether every expected failure has an error finding of its rule (enforced), and which other files have errors
/// (reported only: the generator avoids them, but a new rule may find something real in the pool).
#[derive(Debug)]
pub(super) struct Recall {
    pub(super) expected: usize,
    /// `path (rule)` of each expected failure nplint did not report.
    pub(super) missed: Vec<String>,
    /// Files with errors that `expected.json` does not list.
    pub(super) unexpected: usize,
    pub(super) unexpected_rules: BTreeMap<String, usize>,
}

impl Recall {
    pub(super) fn of(plan: &Plan, outcome: &Outcome) -> Self {
        let expected: BTreeMap<&str, &str> = plan
            .files
            .iter()
            .filter_map(|file| Some((file.path.as_str(), file.conflict?.rule())))
            .collect();
        let missed = expected
            .iter()
            .filter(|(path, rule)| {
                !outcome
                    .error_findings
                    .contains(&((*path).to_string(), (*rule).to_string()))
            })
            .map(|(path, rule)| format!("{path} ({rule})"))
            .collect();
        let mut unexpected = BTreeSet::new();
        let mut unexpected_rules: BTreeMap<String, usize> = BTreeMap::new();
        for (path, rule) in &outcome.error_findings {
            if !expected.contains_key(path.as_str()) {
                unexpected.insert(path);
                *unexpected_rules.entry(rule.clone()).or_default() += 1;
            }
        }
        Self {
            expected: expected.len(),
            missed,
            unexpected: unexpected.len(),
            unexpected_rules,
        }
    }

    /// In percent.
    #[allow(clippy::cast_precision_loss, reason = "file counts are far below 2^52")]
    pub(super) fn percent(&self) -> f64 {
        if self.expected == 0 {
            return 100.0;
        }
        100.0 * (self.expected - self.missed.len()) as f64 / self.expected as f64
    }
}
