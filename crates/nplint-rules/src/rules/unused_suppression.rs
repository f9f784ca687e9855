//! `unused-suppression`: a `# nplint: ignore[...]` comment that silences nothing.

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `# nplint: ignore[rule]` comment that silences no finding on its line, and a rule name in one that
    /// names no rule. A suppression comment silences the findings of the named rules (by name or code) whose
    /// primary span covers the comment's line, in requirements files, environment.yml and `pyproject.toml` arrays.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides nothing today and will hide a real finding tomorrow, after the line changes; a
    /// misspelt rule name suppresses nothing at all.
    ///
    /// ## Example
    /// ```text
    /// numpy>=1.21  # nplint: ignore[numpy-conflict]    (no conflict here any more)
    /// pandas==2.0.3  # nplint: ignore[abi-mismach]     (no such rule)
    /// ```
    ///
    /// ## How to fix
    /// Remove the comment, correct the rule's name, or move the comment to the line of the finding.
    ///
    /// ## References
    /// - [Ruff: error suppression](https://docs.astral.sh/ruff/linter/#error-suppression)
    name: "unused-suppression",
    code: "NPL004",
    severity: Warning,
}
