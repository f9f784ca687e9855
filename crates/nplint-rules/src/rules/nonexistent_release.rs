//! `nonexistent-release`: a pin to a version that the package index does not have.

use nplint_diagnostics::Diagnostic;
use nplint_index::{Index, Package, Version};
use nplint_manifest::Manifest;

use crate::registry::declare_rule;
use crate::resolution::Knowledge;

declare_rule! {
    /// ## What it does
    /// Reports a requirement that pins a version (`==`, `===`, or a wildcard such as `==1.27.*`) of which the
    /// package index had no release on the date of nplint's index snapshot, although the release would lie within
    /// what the index holds: `numpy==1.26.5`, between NumPy 1.26.4 and 2.0.0, was never released. A release its
    /// maintainers deleted from the index is missing in the same way. It names the nearest releases on either side.
    /// The requirement is left out of the solve, which checks the rest of the environment.
    ///
    /// A pin to a version newer than every release the index holds is `index-outdated` instead. A pin to a
    /// pre-release the index does not hold, and a version that conda installs (conda-forge builds versions PyPI
    /// does not have), are listed by `unknown-package`: the index holds the pre-releases that requirements it read
    /// asked for, not all, and PyPI's releases only. A pin to a local version (`torch==2.1.0+cu121`, a build that
    /// another index serves, as PyTorch's does per CUDA release) is judged as its public release (`torch==2.1.0`):
    /// it is reported only when that release does not exist either.
    ///
    /// ## Why is this bad?
    /// No installer can satisfy it from the package index: pip and uv fail with "no matching distribution". It is
    /// a typo, a version copied from another package, or a release deleted since the file was written.
    ///
    /// ## Example
    /// ```text
    /// numpy==1.26.5
    /// ```
    ///
    /// ## How to fix
    /// Pin a release that exists; the finding names the nearest ones.
    ///
    /// ## References
    /// - [PEP 440 – Version matching](https://peps.python.org/pep-0440/#version-matching)
    name: "nonexistent-release",
    code: "NPL015",
    severity: Error,
}

/// One finding per requirement of the file (`of_file`: see `unknown-package`) that pins a version the package
/// index does not have.
pub(crate) fn check(
    index: &Index,
    manifest: &Manifest,
    of_file: &[(usize, Knowledge)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (requirement, package) in
        super::known_as(index, manifest, of_file, Knowledge::NoSuchRelease)
    {
        let Some(pin) = nplint_index::pin(&requirement.specifiers) else {
            continue;
        };
        let (below, above) = package.nearest_releases(pin.version());
        let nearest = nearest(package, below.as_ref(), above.as_ref());
        let mut diagnostic = Diagnostic::new(
            RULE.id,
            RULE.default_severity,
            format!(
                "`{}` pins a version of which {} has no release{nearest}",
                requirement.display(),
                package.name()
            ),
            requirement.location.clone(),
        )
        .with_primary_label("no such release");
        diagnostic.help = Some(
            "no release of it was on the package index on the date of nplint's index (never released, or deleted \
             since), so no installer can satisfy it; it is left out of the solve, which checks the rest of the \
             environment"
                .to_owned(),
        );
        diagnostics.push(diagnostic);
    }
}

/// "; the nearest releases are 1.26.4 (2024-02-05) and 2.0.0 (2024-06-16)", or the one that exists.
fn nearest(package: &Package, below: Option<&Version>, above: Option<&Version>) -> String {
    let with_date = |version: &Version| {
        package
            .release(version)
            .map_or_else(|| version.to_string(), super::dated)
    };
    match (below, above) {
        (Some(below), Some(above)) => format!(
            "; the nearest releases are {} and {}",
            with_date(below),
            with_date(above)
        ),
        (Some(only), None) | (None, Some(only)) => {
            format!("; the nearest release is {}", with_date(only))
        }
        (None, None) => String::new(),
    }
}
