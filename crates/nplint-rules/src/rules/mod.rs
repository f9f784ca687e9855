//! One module per rule.

pub(crate) mod abi_mismatch;
pub(crate) mod index_outdated;
pub(crate) mod io_error;
pub(crate) mod known_pitfall;
pub(crate) mod lock_drift;
pub(crate) mod nonexistent_release;
pub(crate) mod numpy_conflict;
pub(crate) mod parse_error;
pub(crate) mod python_conflict;
pub(crate) mod removed_numpy_api;
pub(crate) mod unknown_package;
pub(crate) mod unread_requirements;
pub(crate) mod unused_suppression;

use nplint_diagnostics::Diagnostic;
use nplint_index::{Index, Package, Release};
use nplint_manifest::{IssueKind, Manifest, Requirement};

use crate::registry::RuleInfo;
use crate::resolution::Knowledge;

/// The requirements of the file (`of_file`, with what the index knows of each: see `unknown-package`) known as
/// `knowledge`, each with its package: what `index-outdated` and `nonexistent-release` report.
fn known_as<'a>(
    index: &'a Index,
    manifest: &'a Manifest,
    of_file: &'a [(usize, Knowledge)],
    knowledge: Knowledge,
) -> impl Iterator<Item = (&'a Requirement, &'a Package)> {
    of_file.iter().filter_map(move |&(id, known)| {
        let requirement = &manifest.requirements[id];
        if known != knowledge {
            return None;
        }
        Some((requirement, index.package(requirement.name.as_ref()?)?))
    })
}

/// A release with its upload date: `2.4.6 (2026-05-18)`, or the version alone when the date is unknown.
fn dated(release: &Release) -> String {
    let date = release.upload_date();
    if date.is_empty() {
        release.version().to_string()
    } else {
        format!("{} ({date})", release.version())
    }
}

/// Turn a manifest's parser issues of `kind` into diagnostics of `rule`, keeping each issue's own severity.
fn issues_of_kind(
    manifest: &Manifest,
    kind: IssueKind,
    rule: &RuleInfo,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for issue in manifest.issues.iter().filter(|issue| issue.kind == kind) {
        let mut diagnostic = Diagnostic::new(
            rule.id,
            issue.severity,
            issue.message.clone(),
            issue.location.clone(),
        );
        diagnostic.primary_label.clone_from(&issue.label);
        diagnostic.help.clone_from(&issue.help);
        for (location, message) in &issue.related {
            diagnostic = diagnostic.with_label(location.clone(), message.clone());
        }
        diagnostics.push(diagnostic);
    }
}
