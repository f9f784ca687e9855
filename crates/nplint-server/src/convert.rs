//! nplint's findings and fixes in the protocol's terms.

use std::collections::HashMap;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString, Range,
    TextEdit, Url, WorkspaceEdit,
};
use nplint_config::ConfigError;
use nplint_diagnostics::{Diagnostic, Edit, Location, Severity};

use crate::document::{Encoding, range};

/// What the protocol calls nplint's findings' source.
pub(crate) const SOURCE: &str = "nplint";

/// The URI of the file a location is in (paths are absolute in the server: they come from URIs).
pub(crate) fn uri(location: &Location) -> Option<Url> {
    Url::from_file_path(location.file.path()).ok()
}

/// The range of a location in its file.
pub(crate) fn location_range(location: &Location, encoding: Encoding) -> Range {
    range(
        location.file.text(),
        location.span.start as usize,
        location.span.end as usize,
        encoding,
    )
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// A finding as the editor shows it: the message, then the resolver's explanation and the help, as the command
/// line prints them; the labels as related information.
pub(crate) fn diagnostic(diagnostic: &Diagnostic, encoding: Encoding) -> lsp_types::Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(explanation) = &diagnostic.explanation {
        message.push_str("\n\n");
        message.push_str(explanation.trim_end());
    }
    if let Some(help) = &diagnostic.help {
        message.push_str("\n\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: lsp_types::Location {
                    uri: uri(&label.location)?,
                    range: location_range(&label.location, encoding),
                },
                message: label.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: location_range(&diagnostic.location, encoding),
        severity: Some(severity(diagnostic.severity)),
        code: Some(NumberOrString::String(diagnostic.rule.name.to_owned())),
        code_description: rule_page(diagnostic.rule.name).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A configuration file nplint cannot use, as a diagnostic in that file.
pub(crate) fn config_error(error: &ConfigError, encoding: Encoding) -> lsp_types::Diagnostic {
    let mut message = error.message.clone();
    if let Some(help) = &error.help {
        message.push_str("\n\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: location_range(&error.location, encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("config".to_owned())),
        source: Some(SOURCE.to_owned()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

/// The published page of a rule.
fn rule_page(name: &str) -> Option<Url> {
    Url::parse(&format!(
        "{}/blob/main/docs/rules/{name}.md",
        env!("CARGO_PKG_REPOSITORY")
    ))
    .ok()
}

/// Edits as a workspace edit, by file.
pub(crate) fn workspace_edit<'a>(
    edits: impl IntoIterator<Item = &'a Edit>,
    encoding: Encoding,
) -> WorkspaceEdit {
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for edit in edits {
        let Some(uri) = uri(&edit.location) else {
            continue;
        };
        changes.entry(uri).or_default().push(TextEdit {
            range: location_range(&edit.location, encoding),
            new_text: edit.replacement.clone(),
        });
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }
}
