//! The table of every rule: stable name, stable code, default severity and documentation.

use nplint_diagnostics::{RuleId, Severity};

use crate::rules;

/// What nplint knows about a rule apart from its check.
#[derive(Debug)]
pub struct RuleInfo {
    pub id: RuleId,
    pub default_severity: Severity,
    /// The rule's doc comment as the compiler sees it (each line keeps the space after `///`); see
    /// [`RuleInfo::markdown`].
    pub doc: &'static str,
}

impl RuleInfo {
    pub const fn name(&self) -> &'static str {
        self.id.name
    }

    pub const fn code(&self) -> &'static str {
        self.id.code
    }

    /// The documentation in Markdown, with ruff's sections.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The first paragraph of the "What it does" section, on one line.
    pub fn summary(&self) -> String {
        let markdown = self.markdown();
        let body = markdown
            .split_once("## What it does")
            .map_or(markdown.as_str(), |(_, rest)| rest)
            .trim_start();
        let end = body.find("\n\n").unwrap_or(body.len());
        body[..end].split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Every rule, ordered by code.
pub static RULES: &[&RuleInfo] = &[
    &rules::parse_error::RULE,
    &rules::io_error::RULE,
    &rules::unread_requirements::RULE,
    &rules::unused_suppression::RULE,
    &rules::numpy_conflict::RULE,
    &rules::python_conflict::RULE,
    &rules::unknown_package::RULE,
    &rules::lock_drift::RULE,
    &rules::index_outdated::RULE,
    &rules::nonexistent_release::RULE,
    &rules::abi_mismatch::RULE,
    &rules::removed_numpy_api::RULE,
    &rules::known_pitfall::RULE,
];

/// A rule by name or code (`parse-error` or `NPL001`, codes case-insensitively).
pub fn find_rule(name_or_code: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.name() == name_or_code || rule.code().eq_ignore_ascii_case(name_or_code))
}

/// Declares a rule's [`RuleInfo`] as `RULE`, with the doc comment as its documentation.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])+ name: $name:literal, code: $code:literal, severity: $severity:ident $(,)?) => {
        pub(crate) static RULE: $crate::registry::RuleInfo = $crate::registry::RuleInfo {
            id: nplint_diagnostics::RuleId { name: $name, code: $code },
            default_severity: nplint_diagnostics::Severity::$severity,
            doc: concat!($($doc, "\n"),+),
        };
    };
}
pub(crate) use declare_rule;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const SECTIONS: &[&str] = &[
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## How to fix",
        "## References",
    ];

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in RULES {
            assert!(codes.insert(rule.code()), "duplicate code {}", rule.code());
            assert!(names.insert(rule.name()), "duplicate name {}", rule.name());
            assert!(
                rule.code().len() == 6
                    && rule.code().starts_with("NPL")
                    && rule.code()[3..].bytes().all(|b| b.is_ascii_digit()),
                "code `{}` is NPLnnn",
                rule.code()
            );
            assert!(
                rule.name()
                    .split('-')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())),
                "name `{}` is kebab-case",
                rule.name()
            );
        }
        let mut sorted: Vec<_> = RULES.iter().map(|rule| rule.code()).collect();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            RULES.iter().map(|rule| rule.code()).collect::<Vec<_>>(),
            "RULES is ordered by code"
        );
    }

    #[test]
    fn names_and_codes_round_trip() {
        for rule in RULES {
            assert!(std::ptr::eq(find_rule(rule.name()).unwrap(), *rule));
            assert!(std::ptr::eq(
                find_rule(&rule.code().to_lowercase()).unwrap(),
                *rule
            ));
        }
        assert!(find_rule("no-such-rule").is_none());
    }

    #[test]
    fn every_rule_is_documented_with_every_section() {
        for rule in RULES {
            let mut last = 0;
            for section in SECTIONS {
                let at = rule
                    .markdown()
                    .find(section)
                    .unwrap_or_else(|| panic!("`{}` lacks `{section}`", rule.name()));
                assert!(at >= last, "`{}`: `{section}` is out of order", rule.name());
                last = at;
            }
            assert!(
                !rule.summary().is_empty(),
                "`{}` has a summary",
                rule.name()
            );
        }
    }
}
