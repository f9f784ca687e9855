//! `index-outdated`: a requirement that asks only for versions newer than the index's newest release of its
//! package, which the index cannot judge.

use nplint_diagnostics::Diagnostic;
use nplint_index::Index;
use nplint_manifest::Manifest;

use crate::registry::declare_rule;
use crate::resolution::Knowledge;

declare_rule! {
    /// ## What it does
    /// Reports, once per requirement, a requirement on a package of nplint's index that admits none of the releases
    /// the index holds, only versions newer than the newest of them: `numpy==2.6.0` before NumPy 2.6 is in the
    /// index. So is a pin past the newest release of a series that was still being released a year before the
    /// snapshot (`numpy==2.4.7` when 2.4.6 came out six months before it): a patch release may have come since.
    /// Such a release was most likely uploaded after the index's snapshot (`nplint --version` and
    /// `nplint index stats` give its date). The requirement is left out of the solve, which checks the rest of the
    /// environment, rather than reported as a conflict with the releases nplint knows.
    ///
    /// ## Why is this bad?
    /// It is not wrong, but nplint cannot check it: the release's own requirements and binaries are unknown to
    /// the index, so a conflict they cause is not reported.
    ///
    /// ## Example
    /// ```text
    /// numpy==2.6.0
    /// pandas==3.2.0
    /// ```
    ///
    /// ## How to fix
    /// Refresh nplint's knowledge: `nplint index update` installs the newest published index snapshot, and
    /// `nplint check --online` reads what the index lacks from the package index. A version that was never released
    /// is a typo: pin one that exists.
    ///
    /// ## References
    /// - [PEP 440 – Version specifiers](https://peps.python.org/pep-0440/#version-specifiers)
    name: "index-outdated",
    code: "NPL014",
    severity: Info,
}

/// One finding per requirement of the file (`of_file`: see `unknown-package`) that asks only for versions past
/// the index's newest release of its package.
pub(crate) fn check(
    index: &Index,
    manifest: &Manifest,
    of_file: &[(usize, Knowledge)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (requirement, package) in super::known_as(index, manifest, of_file, Knowledge::PastSnapshot)
    {
        let newest = package.releases().last();
        // A pin below the newest release is past the newest of its series (a patch release since the snapshot).
        let series = nplint_index::pinned_version(&requirement.specifiers)
            .filter(|pinned| newest.is_some_and(|newest| *pinned < newest.version()))
            .and_then(|pinned| {
                let held = package.newest_in_series(pinned)?;
                let series: Vec<String> = nplint_index::series(pinned)
                    .iter()
                    .map(u64::to_string)
                    .collect();
                Some((series.join("."), held))
            });
        let (what, newest) = match (series, newest) {
            (Some((series, held)), _) => (
                format!("a {series} release newer than"),
                format!(
                    "; the newest {series} release it holds is {}",
                    super::dated(held)
                ),
            ),
            (None, Some(newest)) => (
                "a release newer than".to_owned(),
                format!(
                    "; the newest {} it holds is {}",
                    package.name(),
                    super::dated(newest)
                ),
            ),
            (None, None) => ("a release newer than".to_owned(), String::new()),
        };
        let mut diagnostic = Diagnostic::new(
            RULE.id,
            RULE.default_severity,
            format!(
                "`{}` asks for {what} nplint's index holds (its snapshot is of {}){newest}",
                requirement.display(),
                index.snapshot().newest_upload_date(),
            ),
            requirement.location.clone(),
        )
        .with_primary_label("not checked: newer than the index");
        diagnostic.help = Some(
            "it is left out of the solve, which checks the rest of the environment; `nplint index update` \
             fetches a newer index, `nplint check --online` reads the release from the package index"
                .to_owned(),
        );
        diagnostics.push(diagnostic);
    }
}
