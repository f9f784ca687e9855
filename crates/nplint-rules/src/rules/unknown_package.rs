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

/// The finding for a file whose requirements (`of_file`, indices into `manifest.requirements`: see the rule's
/// documentation) include unknown ones; none when nplint knows them all.
pub(crate) fn check(
    index: &Index,
    manifest: &Manifest,
    of_file: &BTreeSet<usize>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut left_out = LeftOut::default();
    for &id in of_file {
        match Knowledge::of(index, &manifest.requirements[id]) {
            Knowledge::Unrelated => left_out.unrelated += 1,
            Knowledge::Predates => {
                left_out.predating.insert(id);
                left_out.held_newest |= manifest.requirements[id]
                    .name
                    .as_ref()
                    .and_then(|name| index.package(name))
                    .is_some_and(|package| package.held_from().is_some());
            }
            knowledge if !knowledge.is_known() => {
                left_out.unknown.insert(id);
            }
            _ => {}
        }
    }
    if !left_out.unknown.is_empty() || !left_out.predating.is_empty() {
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
    let named_unknown: Vec<String> = left_out.unknown.iter().take(NAMED).map(name).collect();
    let named_predating: Vec<String> = left_out
        .predating
        .iter()
        .take(NAMED - named_unknown.len())
        .map(name)
        .collect();
    let checked = total
        .saturating_sub(left_out.unknown.len() + left_out.predating.len() + left_out.unrelated);
    // "`a`, `b` and 3 more are ...", with the verb for one or for several.
    let clause =
        |ids: &BTreeSet<usize>, named: &[String], [one, several]: [&str; 2], rest: &str| {
            (!ids.is_empty()).then(|| {
                let verb = if ids.len() == 1 { one } else { several };
                format!("{} {verb} {rest}", listed(named, ids.len() - named.len()))
            })
        };
    let clauses: Vec<String> = [
        clause(
            &left_out.unknown,
            &named_unknown,
            ["is", "are"],
            "not in nplint's index",
        ),
        clause(
            &left_out.predating,
            &named_predating,
            ["asks", "ask"],
            "only for releases older than nplint's index holds",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let unrelated = match left_out.unrelated {
        0 => String::new(),
        1 => " (1 more is known not to need NumPy)".to_owned(),
        more => format!(" ({more} more are known not to need NumPy)"),
    };
    let message = format!(
        "checked {checked} of {total} requirements{unrelated}; {}",
        clauses.join("; ")
    );
    let ids: Vec<usize> = left_out
        .unknown
        .iter()
        .take(NAMED)
        .chain(left_out.predating.iter().take(NAMED - named_unknown.len()))
        .copied()
        .collect();
    // Invariant: called only with at least one requirement left out.
    let first = &manifest.requirements[*ids.first().expect("at least one requirement left out")];
    // A finding on the whole environment stands in the file that was checked: on the include line that leads to
    // the first requirement left out when that requirement is in an included file (a requirements file made of
    // `-r` lines), else on the requirement. Each requirement keeps its label on its own line in its own file.
    let included = !first.origin.include_chain.is_empty();
    let label = |id: usize| {
        if left_out.predating.contains(&id) {
            "not checked: older than the index"
        } else {
            "not checked"
        }
    };
    let mut diagnostic = Diagnostic::new(
        RULE.id,
        RULE.default_severity,
        message,
        first.location_in_root().clone(),
    )
    .with_primary_label(if included {
        "includes requirements not checked"
    } else {
        label(ids[0])
    });
    for &id in ids.iter().skip(usize::from(!included)) {
        diagnostic = diagnostic.with_label(manifest.requirements[id].location.clone(), label(id));
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
