//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning ingests it.
//!
//! One run, whose `tool.driver` lists every rule of the report ([`crate::RuleMeta`]: the stable `NPLnnn` code as
//! `id`, the kebab-case name, the one-line summary as short and full description, the rule's documentation as
//! help, and its page as `helpUri`). Each finding is a result with its rule, level (`error`, `warning`, `note`),
//! message (with the help line), the primary location and the labels as related locations, and a
//! `partialFingerprints` entry so that code scanning tracks one alert from one commit to the next.
//!
//! Columns count characters (`columnKind: unicodeCodePoints`, as nplint's positions do); a region's `endColumn` is
//! exclusive, as SARIF defines it. The fingerprint hashes what identifies a finding independently of where the
//! file's lines moved: the rule, the path, the text of the primary span and the message (FNV-1a, 64 bits, written
//! out here so that it never changes with a compiler or crate version).
//! A test validates the output against the official SARIF 2.1.0 schema.

use std::io::{self, Write};

use nplint_diagnostics::{Diagnostic, Location, Severity, portable_path};
use serde_json::{Value, json};

use crate::Report;

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|rule| {
            let mut value = json!({
                "id": rule.id.code,
                "name": rule.id.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.documentation, "markdown": rule.documentation },
                "defaultConfiguration": { "level": level(rule.default_severity) },
            });
            if let Some(uri) = &rule.help_uri {
                value["helpUri"] = json!(uri);
            }
            value
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diagnostic| result(report, diagnostic))
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "nplint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn result(report: &Report, diagnostic: &Diagnostic) -> Value {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = diagnostic
        .labels
        .iter()
        .enumerate()
        .map(|(id, label)| {
            let mut location = location(&label.location);
            location["id"] = json!(id);
            location["message"] = json!({ "text": label.message });
            location
        })
        .collect();
    let mut value = json!({
        "ruleId": diagnostic.rule.code,
        "level": level(diagnostic.severity),
        "message": { "text": text },
        "locations": [location(&diagnostic.location)],
        "partialFingerprints": { "nplint/v1": fingerprint(diagnostic) },
    });
    if let Some(index) = report
        .rules
        .iter()
        .position(|rule| rule.id == diagnostic.rule)
    {
        value["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        value["relatedLocations"] = json!(related);
    }
    value
}

fn location(location: &Location) -> Value {
    let start = location.start();
    let end = location.end();
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": portable_path(location.file.path()) },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            }
        }
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A stable identity of the finding: not its line, which moves when lines are added above it.
fn fingerprint(diagnostic: &Diagnostic) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        diagnostic.rule.code,
        &portable_path(diagnostic.location.file.path()),
        diagnostic.location.text(),
        &diagnostic.message,
    ] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
