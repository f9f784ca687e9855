//! The rules: one file each under `rules/`, and the registry that lists them.
//!
//! A rule's doc comment is its published documentation (`docs/rules/<name>.md` and `nplint rule <name>` are
//! generated from it); its name and code are stable once released.

mod conda;
mod finding;
mod group;
mod registry;
mod resolution;
mod rules;
mod runtime;
mod settings;
mod suppression;
mod targets;
mod upgrade;
mod why;
mod wording;

pub use conda::installed_from_conda;
pub use group::{Work, check_group, groups};
pub use registry::{RULES, RuleInfo, find_rule};
pub use resolution::{Knowledge, Resolver, environment_requirements, solver_input};
pub use settings::{
    FixedSeverity, RuleSelection, SelectionLayer, Selector, Settings, UnknownSelector,
    edit_distance,
};
pub use suppression::ignore_edit;
pub use targets::{DEFAULT_PLATFORMS, PythonRequest, PythonSource, PythonValue, TargetOptions};
pub use upgrade::{
    Blocker, Change, ChangeKind, Goal, GoalCheck, Part, PartOutcome, Plan, change_edits,
    check_goal, feasible_with_freed, plan, written_edits,
};
pub use why::{Answer, Bound, Reason, Source, Why, why, why_in};
pub use wording::targets_text;

use nplint_diagnostics::Diagnostic;
use nplint_manifest::Manifest;

/// The findings about how a manifest is written (parser issues), in no particular order (reporters sort).
pub fn check_manifest(manifest: &Manifest) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    rules::parse_error::check(manifest, &mut diagnostics);
    rules::unread_requirements::check(manifest, &mut diagnostics);
    diagnostics
}

/// Every finding for one manifest under `settings`: [`check_manifest`]'s, then what solving its environments on
/// the chosen targets finds (the resolution and runtime rules), less the findings of rules the settings disable
/// and what `# nplint: ignore[...]` comments silence (see `suppression.rs`), plus the suppressions that silence
/// nothing; each at the severity the settings give its rule.
pub fn check_manifest_resolved(
    manifest: &Manifest,
    resolver: &Resolver,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut diagnostics = check_manifest(manifest);
    resolver.check(manifest, settings, &mut diagnostics);
    diagnostics.retain(|diagnostic| settings.rules.is_enabled(diagnostic.rule));
    suppression::apply(manifest, &settings.rules, &mut diagnostics);
    settings.rules.finish(&mut diagnostics);
    diagnostics
}

/// The `lock-drift` findings of a lockfile against its sibling manifest (`uv.lock` and `pyproject.toml`,
/// `Pipfile.lock` and `Pipfile`, ...; see [`nplint_manifest::Format::lock_manifest`]), under the lockfile's
/// `settings`: none when the rule is disabled, each at the severity the settings give it.
pub fn check_lock_drift(
    index: &nplint_index::Index,
    lock: &Manifest,
    manifest: &Manifest,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if settings.rules.is_enabled(rules::lock_drift::RULE.id) {
        rules::lock_drift::check(index, lock, manifest, &mut diagnostics);
    }
    settings.rules.finish(&mut diagnostics);
    diagnostics
}

/// The diagnostic for a file nplint could not read at all (see the `io-error` rule).
pub fn io_error(location: nplint_diagnostics::Location, message: impl Into<String>) -> Diagnostic {
    rules::io_error::diagnostic(location, message)
}

/// The identity of the `lock-drift` rule, whose check needs the lockfile's sibling manifest read first.
pub fn lock_drift_rule() -> nplint_diagnostics::RuleId {
    rules::lock_drift::RULE.id
}

/// The identity of the `io-error` rule, whose findings make the CLI exit with status 2.
pub fn io_error_rule() -> nplint_diagnostics::RuleId {
    rules::io_error::RULE.id
}
