//! `parse-error`: the file, or part of it, cannot be interpreted.

use nplint_diagnostics::Diagnostic;
use nplint_manifest::{IssueKind, Manifest};

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports input that nplint cannot interpret: a syntax error in TOML or YAML, a requirement that is not valid
    /// PEP 508 or conda syntax, a file that is not UTF-8, an include (`-r`, `-c`) that is missing or forms a cycle.
    ///
    /// ## Why is this bad?
    /// pip, uv, conda and Poetry refuse such input, so the environment cannot be installed as written. nplint also
    /// cannot check what it cannot read: a requirement it could not parse is left out of every later check.
    ///
    /// ## Example
    /// ```text
    /// numpy>>1.20
    /// ```
    ///
    /// ## How to fix
    /// Correct the syntax at the labelled position:
    /// ```text
    /// numpy>=1.20
    /// ```
    ///
    /// ## References
    /// - [PEP 508 – Dependency specification](https://peps.python.org/pep-0508/)
    /// - [PEP 440 – Version specifiers](https://peps.python.org/pep-0440/#version-specifiers)
    /// - [pip's requirements file format](https://pip.pypa.io/en/stable/reference/requirements-file-format/)
    name: "parse-error",
    code: "NPL001",
    severity: Error,
}

pub(crate) fn check(manifest: &Manifest, diagnostics: &mut Vec<Diagnostic>) {
    super::issues_of_kind(manifest, IssueKind::Invalid, &RULE, diagnostics);
}
