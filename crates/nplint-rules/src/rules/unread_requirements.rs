//! `unread-requirements`: requirements exist that nplint deliberately did not read.

use nplint_diagnostics::Diagnostic;
use nplint_manifest::{IssueKind, Manifest};

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports requirements that nplint knows exist but did not read, so its verdict does not cover them: an
    /// include of a remote file (`-r https://...`), a `${VARIABLE}` that pip would expand from the environment,
    /// dependencies that `pyproject.toml` declares `dynamic`, a version range that cannot be written in PEP 440.
    ///
    /// ## Why is this bad?
    /// nplint never fetches URLs, never reads your environment variables and never runs a build backend, so these
    /// requirements are invisible to it. A conflict among them would go unreported.
    ///
    /// ## Example
    /// ```text
    /// -r https://example.com/shared-requirements.txt
    /// numpy==${NUMPY_VERSION}
    /// ```
    ///
    /// ## How to fix
    /// Vendor the remote file and include it by path; write the version in the file, or pass the expanded file to
    /// nplint (for example, `envsubst < requirements.txt > expanded.txt`). Ignore the rule where you accept that
    /// these requirements are not checked.
    ///
    /// ## References
    /// - [pip: using environment variables](https://pip.pypa.io/en/stable/reference/requirements-file-format/#using-environment-variables)
    /// - [PEP 621: `dynamic`](https://peps.python.org/pep-0621/#dynamic)
    name: "unread-requirements",
    code: "NPL003",
    severity: Warning,
}

pub(crate) fn check(manifest: &Manifest, diagnostics: &mut Vec<Diagnostic>) {
    super::issues_of_kind(manifest, IssueKind::Unread, &RULE, diagnostics);
}
