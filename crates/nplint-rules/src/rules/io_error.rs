//! `io-error`: a file could not be read at all.

use nplint_diagnostics::{Diagnostic, Location};

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that nplint was asked to check but could not read: it does not exist, permission is
    /// denied, it is not a regular file, or it is larger than the size nplint reads (16 MiB).
    ///
    /// ## Why is this bad?
    /// Nothing in the file was checked. nplint exits with status 2 so that a CI job does not pass by accident.
    ///
    /// ## Example
    /// ```text
    /// $ nplint check requirements-typo.txt
    /// ```
    ///
    /// ## How to fix
    /// Check the path and the file's permissions. Files above the size limit are almost never hand-written
    /// environment files; exclude them from the check.
    ///
    /// ## References
    /// - [nplint's exit codes](https://github.com/nplint/nplint#exit-codes)
    name: "io-error",
    code: "NPL002",
    severity: Error,
}

pub(crate) fn diagnostic(location: Location, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(RULE.id, RULE.default_severity, message, location)
}
