//! Code actions: each finding's fix as a quick fix, a suppression comment to ignore a finding, and "fix all" (the
//! safe fixes of the document, as `nplint check --fix` applies them).

use std::path::Path;
use std::sync::Arc;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Range, WorkspaceEdit,
};
use nplint_diagnostics::{Applicability, Diagnostic, Edit};

use crate::convert;
use crate::document::Encoding;
use crate::workspace::Checked;

/// The kind of "fix all": `source.fixAll.nplint`, as ruff names its own.
pub(crate) fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.nplint")
}

/// The code actions for the range and kinds `params` ask for, from the checks that found something in the
/// document (its own, and those of the open files that include it or are locked from it).
pub(crate) fn code_actions(
    checks: &[Arc<Checked>],
    params: &CodeActionParams,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let Ok(path) = params.text_document.uri.to_file_path() else {
        return Vec::new();
    };
    let wanted = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|asked| kind.as_str().starts_with(asked.as_str()))
        })
    };
    let mut in_document: Vec<&Diagnostic> = checks
        .iter()
        .flat_map(|checked| &checked.diagnostics)
        .filter(|diagnostic| diagnostic.location.file.path() == path)
        .collect();
    // A finding of an included file is found by every open file that includes it: offered once.
    in_document.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    in_document.dedup_by(|a, b| a.sort_key() == b.sort_key());
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        for diagnostic in &in_document {
            let range = convert::location_range(&diagnostic.location, encoding);
            if !overlaps(range, params.range) {
                continue;
            }
            let shown = convert::diagnostic(diagnostic, encoding);
            if let Some(fix) = &diagnostic.fix
                && fix.applicability != Applicability::DisplayOnly
                && fix.edits.iter().all(|edit| !in_lockfile(edit))
            {
                let title = match fix.applicability {
                    Applicability::Safe => fix.message.clone(),
                    _ => format!("{} (changes what gets installed)", fix.message),
                };
                actions.push(action(
                    title,
                    CodeActionKind::QUICKFIX,
                    vec![shown.clone()],
                    convert::workspace_edit(&fix.edits, encoding),
                    fix.applicability == Applicability::Safe,
                ));
            }
            if let Some(edit) = nplint_rules::ignore_edit(diagnostic) {
                actions.push(action(
                    format!("Ignore `{}` on this line", diagnostic.rule.name),
                    CodeActionKind::QUICKFIX,
                    vec![shown],
                    convert::workspace_edit([&edit], encoding),
                    false,
                ));
            }
        }
    }
    let fix_all = fix_all_kind();
    if wanted(&fix_all) {
        let edits = safe_edits(&in_document);
        if !edits.is_empty() {
            actions.push(action(
                "Fix all safe nplint findings".to_owned(),
                fix_all,
                Vec::new(),
                convert::workspace_edit(edits, encoding),
                false,
            ));
        }
    }
    actions
}

fn action(
    title: String,
    kind: CodeActionKind,
    diagnostics: Vec<lsp_types::Diagnostic>,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// Whether two ranges share a position (an empty range, a cursor, touches what it stands in or next to).
fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Lockfiles are never edited: their findings' help names the relock command.
fn in_lockfile(edit: &Edit) -> bool {
    let path: &Path = edit.location.file.path();
    nplint_manifest::detect_format(path, false).is_some_and(nplint_manifest::Format::is_lock)
}

/// The edits of the document's safe fixes, in order, leaving out a fix whose edits overlap one already taken (it
/// waits for the next "fix all", as `--fix` leaves it for the next run).
fn safe_edits<'a>(diagnostics: &[&'a Diagnostic]) -> Vec<&'a Edit> {
    let mut taken: Vec<&Edit> = Vec::new();
    for diagnostic in diagnostics {
        let Some(fix) = &diagnostic.fix else {
            continue;
        };
        if fix.applicability != Applicability::Safe || fix.edits.iter().any(in_lockfile) {
            continue;
        }
        let clashes = fix.edits.iter().any(|edit| {
            taken.iter().any(|other| {
                other.location.file.path() == edit.location.file.path()
                    && other.location.span.start
                        < edit.location.span.end.max(edit.location.span.start + 1)
                    && edit.location.span.start
                        < other.location.span.end.max(other.location.span.start + 1)
            })
        });
        if !clashes {
            taken.extend(&fix.edits);
        }
    }
    taken
}
