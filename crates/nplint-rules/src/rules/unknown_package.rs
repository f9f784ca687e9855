//! `unknown-package`: requirements that were left out of resolution because the index does not know them.

use std::collections::BTreeSet;

use nplint_diagnostics::Diagnostic;
use nplint_manifest::Manifest;

use crate::registry::declare_rule;
use crate::resolution::Knowledge;

declare_rule! {
    /// ## What it does
    /// Lists, once per file, the requirements that nplint left out when it solved the file's environments: packages
    /// its embedded index does not know and direct URL or path requirements, whose version only a build could tell.
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
    manifest: &Manifest,
    of_file: &BTreeSet<usize>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut unknown = BTreeSet::new();
    let mut unrelated = 0;
    for &id in of_file {
        match Knowledge::of(&manifest.requirements[id]) {
            Knowledge::Unrelated => unrelated += 1,
            knowledge if !knowledge.is_known() => {
                unknown.insert(id);
            }
            _ => {}
        }
    }
    if !unknown.is_empty() {
        diagnostics.push(diagnostic(manifest, of_file.len(), &unknown, unrelated));
    }
}

/// The one finding listing the requirements (indices into `manifest.requirements`) left out of the solve because
/// nplint does not know them, among the file's `total` requirements (see the rule's documentation); `unrelated`
/// more of those were left out because they are known not to reach NumPy.
fn diagnostic(
    manifest: &Manifest,
    total: usize,
    unknown: &BTreeSet<usize>,
    unrelated: usize,
) -> Diagnostic {
    let names: Vec<String> = unknown
        .iter()
        .take(NAMED)
        .map(|&id| format!("`{}`", manifest.requirements[id].display()))
        .collect();
    let checked = total.saturating_sub(unknown.len() + unrelated);
    let listed = if unknown.len() > NAMED {
        format!("{} and {} more", names.join(", "), unknown.len() - NAMED)
    } else {
        names.join(", ")
    };
    let verb = if unknown.len() == 1 { "is" } else { "are" };
    let unrelated = match unrelated {
        0 => String::new(),
        1 => " (1 more is known not to need NumPy)".to_owned(),
        more => format!(" ({more} more are known not to need NumPy)"),
    };
    let message = format!(
        "checked {checked} of {total} requirements{unrelated}; {listed} {verb} not in nplint's index"
    );
    // Invariant: called only with at least one unknown requirement.
    let first = &manifest.requirements[*unknown.first().expect("at least one unknown requirement")];
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
        "not checked"
    });
    let labelled = usize::from(!included);
    for &id in unknown.iter().skip(labelled).take(NAMED - labelled) {
        diagnostic =
            diagnostic.with_label(manifest.requirements[id].location.clone(), "not checked");
    }
    diagnostic.help = Some(
        "their own requirements are unknown to nplint; a conflict they cause is not reported"
            .to_owned(),
    );
    diagnostic
}
