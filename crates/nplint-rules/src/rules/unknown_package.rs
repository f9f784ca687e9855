//! `unknown-package`: requirements that were left out of resolution because the index does not know them.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use nplint_diagnostics::Diagnostic;
use nplint_index::Index;
use nplint_index::source::{NEWEST_HELD, NUMPY_HISTORY_START, history_start_year};
use nplint_manifest::Manifest;

use crate::registry::declare_rule;
use crate::resolution::Knowledge;

declare_rule! {
    /// ## What it does
    /// Lists, once per file, the requirements that nplint left out when it solved the file's environments: packages
    /// its embedded index does not know, direct URL or path requirements, whose version only a build could tell, and
    /// requirements that admit only releases older than the index's history (it holds the releases uploaded from
    /// 2017 on, and NumPy's from 1.13: `cycler==0.10`, from 2016, is left out rather than reported as a conflict).
    /// The index holds NumPy and the packages that depend on it in full, and knows of PyPI's most-downloaded projects
    /// that none of their releases leads to NumPy (its light tier, `nplint index show NAME`): those are left out of
    /// the solve too, since they cannot take part in a NumPy conflict, but only counted, not reported; so are
    /// conda-forge's conda-only packages (system libraries, compilers, mutexes, BLAS variants, `python_abi`) that
    /// conda installs, unless they go with a NumPy-related project (`libtorch`). It says how many of the file's
    /// requirements were checked, and names and labels the first eight unknown ones.
    ///
    /// A requirement of the file is one that one of its environments lists and whose marker holds on a target
    /// nplint checks that environment on: `pywin32; sys_platform == 'win32'` is not a requirement of a check on
    /// Linux alone, and a lockfile's section for a platform nplint does not track has none. The total, the unknown
    /// requirements and those known not to need NumPy are all counted among these.
    ///
    /// ## Why is this bad?
    /// It is not: most packages do not depend on NumPy and need no checking. But a left-out package's own
    /// requirements are unknown to nplint, so a conflict that one of them causes goes unreported.
    ///
    /// ## Example
    /// ```text
    /// numpy>=1.21
    /// requests>=2.28
    /// mypkg @ ./mypkg
    /// ```
    ///
    /// ## How to fix
    /// Nothing needs fixing. If a left-out package depends on NumPy, ask for it to be added to nplint's index
    /// (`crates/nplint-index/data/packages.toml`).
    ///
    /// ## References
    /// - [PEP 508 – Dependency specification](https://peps.python.org/pep-0508/)
    /// - [PEP 440 – Direct references](https://peps.python.org/pep-0440/#direct-references)
    name: "unknown-package",
    code: "NPL012",
    severity: Info,
}

/// How many left-out requirements the finding names and labels: a lockfile may leave thousands out, and a
/// label on each would bury the report.
const NAMED: usize = 8;

/// The finding for a file whose requirements (`of_file`, indices into `manifest.requirements` with what the index
/// knows of each: see the rule's documentation) include unknown ones; none when nplint knows them all.
pub(crate) fn check(
    index: &Index,
    manifest: &Manifest,
    of_file: &[(usize, Knowledge)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut left_out = LeftOut::default();
    for &(id, knowledge) in of_file {
        match knowledge {
            Knowledge::Unrelated => left_out.unrelated += 1,
            Knowledge::Predates => {
                left_out.predating.insert(id);
                left_out.held_newest |= manifest.requirements[id]
                    .name
                    .as_ref()
                    .and_then(|name| index.package(name))
                    .is_some_and(|package| package.held_from().is_some());
            }
            // Reported by rules of their own.
            Knowledge::PastSnapshot | Knowledge::NoSuchRelease => left_out.elsewhere += 1,
            Knowledge::NotHeld => {
                left_out.not_held.insert(id);
            }
            knowledge if !knowledge.is_known() => {
                left_out.unknown.insert(id);
            }
            _ => {}
        }
    }
    if !left_out.unknown.is_empty()
        || !left_out.predating.is_empty()
        || !left_out.not_held.is_empty()
    {
        diagnostics.push(diagnostic(manifest, of_file.len(), &left_out));
    }
}

/// A file's requirements left out of the solve, as indices into `manifest.requirements`.
#[derive(Default)]
struct LeftOut {
    /// Packages nplint does not know, and direct references.
    unknown: BTreeSet<usize>,
    /// Requirements on indexed packages that admit only releases older than the index's history.
    predating: BTreeSet<usize>,
    /// Requirements pinning a version of an indexed package that the index does not hold and may not know of (a
    /// pre-release, a conda build's version).
    not_held: BTreeSet<usize>,
    /// How many were left out for reasons other rules report (`index-outdated`, `nonexistent-release`).
    elsewhere: usize,
    /// Whether one of those is on a package the index holds only from its newest releases on.
    held_newest: bool,
    /// How many are known not to reach NumPy.
    unrelated: usize,
}

/// `names` (each a requirement in backticks) as a list, at most `NAMED` of them, with the count of the rest.
fn listed(names: &[String], more: usize) -> String {
    if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// The one finding listing the requirements left out of the solve because nplint does not know them, among the
/// file's `total` requirements (see the rule's documentation).
fn diagnostic(manifest: &Manifest, total: usize, left_out: &LeftOut) -> Diagnostic {
    let name = |&id: &usize| format!("`{}`", manifest.requirements[id].display());
    // Each kind of requirement left out: its ids, the verbs of its clause, what it says, and each one's label.
    let kinds: [(&BTreeSet<usize>, [&str; 2], &str, &str); 3] = [
        (
            &left_out.unknown,
            ["is", "are"],
            "not in nplint's index",
            "not checked",
        ),
        (
            &left_out.predating,
            ["asks", "ask"],
            "only for releases older than nplint's index holds",
            "not checked: older than the index",
        ),
        (
            &left_out.not_held,
            ["asks", "ask"],
            "for a version nplint's index does not hold",
            "not checked: version not in the index",
        ),
    ];
    // The first `NAMED` requirements, kind after kind, are named and labelled.
    let mut named: Vec<(usize, &str)> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    for (ids, [one, several], rest, label) in kinds {
        if ids.is_empty() {
            continue;
        }
        let these: Vec<usize> = ids.iter().copied().take(NAMED - named.len()).collect();
        let spelled: Vec<String> = these.iter().map(name).collect();
        let verb = if ids.len() == 1 { one } else { several };
        // "`a`, `b` and 3 more are ...", with the verb for one or for several.
        clauses.push(format!(
            "{} {verb} {rest}",
            listed(&spelled, ids.len() - spelled.len())
        ));
        named.extend(these.into_iter().map(|id| (id, label)));
    }
    let checked = total.saturating_sub(
        left_out.unknown.len()
            + left_out.predating.len()
            + left_out.not_held.len()
            + left_out.unrelated
            + left_out.elsewhere,
    );
    let unrelated = match left_out.unrelated {
        0 => String::new(),
        1 => " (1 more is known not to need NumPy)".to_owned(),
        more => format!(" ({more} more are known not to need NumPy)"),
    };
    let message = format!(
        "checked {checked} of {total} requirements{unrelated}; {}",
        clauses.join("; ")
    );
    // Invariant: called only with at least one requirement left out, and `NAMED` is not 0.
    let (first_id, first_label) = *named.first().expect("at least one requirement left out");
    let first = &manifest.requirements[first_id];
    // A finding on the whole environment stands in the file that was checked: on the include line that leads to
    // the first requirement left out when that requirement is in an included file (a requirements file made of
    // `-r` lines), else on the requirement. Each requirement keeps its label on its own line in its own file.
    let included = !first.origin.include_chain.is_empty();
    let mut diagnostic = Diagnostic::new(
        RULE.id,
        RULE.default_severity,
        message,
        first.location_in_root().clone(),
    )
    .with_primary_label(if included {
        "includes requirements not checked"
    } else {
        first_label
    });
    for &(id, label) in named.iter().skip(usize::from(!included)) {
        diagnostic = diagnostic.with_label(manifest.requirements[id].location.clone(), label);
    }
    let mut help =
        "their own requirements are unknown to nplint; a conflict they cause is not reported"
            .to_owned();
    if !left_out.predating.is_empty() {
        let _ = write!(
            help,
            "; nplint's index holds the releases uploaded from {} on (NumPy's from {NUMPY_HISTORY_START}){}",
            history_start_year(),
            if left_out.held_newest {
                format!(", and of the less-downloaded projects only the newest {NEWEST_HELD}")
            } else {
                String::new()
            }
        );
    }
    diagnostic.help = Some(help);
    diagnostic
}
