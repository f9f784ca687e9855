//! `index-outdated`: a requirement that asks only for versions newer than the index's newest release of its
//! package, which the index cannot judge.

use std::collections::BTreeSet;

use nplint_diagnostics::Diagnostic;
use nplint_index::Index;
use nplint_manifest::Manifest;
use pep508_rs::pep440_rs::Operator;

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
    of_file: &BTreeSet<usize>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for &id in of_file {
        let requirement = &manifest.requirements[id];
        if Knowledge::of(index, requirement) != Knowledge::PastSnapshot {
            continue;
        }
        let Some(package) = requirement
            .name
            .as_ref()
            .and_then(|name| index.package(name))
        else {
            continue;
        };
        let pinned = requirement
            .specifiers
            .iter()
            .find(|specifier| {
                matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual)
            })
            .map(pep508_rs::pep440_rs::VersionSpecifier::version);
        let dated = |release: &nplint_index::Release| {
            let date = release.upload_date();
            if date.is_empty() {
                release.version().to_string()
            } else {
                format!("{} ({date})", release.version())
            }
        };
        let newest = package.releases().last();
        // A pin below the newest release is past the newest of its series (a patch release since the snapshot).
        let series = pinned
            .filter(|pinned| newest.is_some_and(|newest| *pinned < newest.version()))
            .and_then(|pinned| {
                let release = pinned.release();
                let series = &release[..release.len().saturating_sub(1).max(1)];
                let newest_in_series = package
                    .releases()
                    .iter()
                    .filter(|held| held.version().release().starts_with(series))
                    .max_by(|a, b| a.version().cmp(b.version()))?;
                let series: Vec<String> = series.iter().map(u64::to_string).collect();
                Some((series.join("."), newest_in_series))
            });
        let (what, newest) = match (series, newest) {
            (Some((series, held)), _) => (
                format!("a {series} release newer than"),
                format!("; the newest {series} release it holds is {}", dated(held)),
            ),
            (None, Some(newest)) => (
                "a release newer than".to_owned(),
                format!(
                    "; the newest {} it holds is {}",
                    package.name(),
                    dated(newest)
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
