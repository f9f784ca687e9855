//! What a configuration decides for one file: which rules run, at which severity, and on which targets.
//!
//! Rules are selected as in ruff. A selector is `ALL`, a rule's name (`abi-mismatch`), its code (`NPL020`) or a
//! code prefix (`NPL02`). Selection is built in layers (the configuration file, then the command line); a layer
//! with `select` starts afresh from what it selects, a layer without one keeps the previous set, and then
//! `extend-select` adds and `ignore` removes. Within a layer the most specific selector that matches a rule
//! decides (a code beats a prefix beats `ALL`), so `select = ["NPL02"]` with `ignore = ["NPL021"]` keeps NPL020
//! and NPL022, and `ignore = ["NPL02"]` with `extend-select = ["NPL021"]` keeps NPL021; at equal specificity
//! `ignore` wins. `io-error` cannot be turned off or re-rated: nplint cannot vouch for a file it did not read.

use std::fmt;

use nplint_diagnostics::{Diagnostic, RuleId, Severity};

use crate::registry::{RULES, RuleInfo};
use crate::rules::io_error;
use crate::targets::TargetOptions;

/// Everything that decides how one file is checked.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub targets: TargetOptions,
    pub rules: RuleSelection,
}

/// One way of naming rules in `select`, `ignore` and severity overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every rule.
    All,
    /// The rules whose code starts with this (upper-case) prefix of at least `NPL`.
    Prefix(String),
    /// One rule, named by name or by code.
    Rule(RuleId),
}

/// A string that names no rule, no code prefix, and is not `ALL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector {
    pub written: String,
    /// The closest rule name, when one is close enough to be a typo.
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a rule name, a rule code or a code prefix",
            self.written
        )?;
        match self.suggestion {
            Some(name) => write!(f, "; did you mean `{name}`?"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for UnknownSelector {}

impl std::str::FromStr for Selector {
    type Err = UnknownSelector;

    fn from_str(written: &str) -> Result<Self, Self::Err> {
        if written == "ALL" {
            return Ok(Self::All);
        }
        if let Some(rule) = crate::find_rule(written) {
            return Ok(Self::Rule(rule.id));
        }
        let upper = written.to_ascii_uppercase();
        if upper.starts_with("NPL")
            && upper[3..].bytes().all(|b| b.is_ascii_digit())
            && RULES.iter().any(|rule| rule.code().starts_with(&upper))
        {
            return Ok(Self::Prefix(upper));
        }
        Err(UnknownSelector {
            written: written.to_owned(),
            suggestion: closest_name(written),
        })
    }
}

impl Selector {
    fn matches(&self, rule: &RuleInfo) -> bool {
        match self {
            Self::All => true,
            Self::Prefix(prefix) => rule.code().starts_with(prefix.as_str()),
            Self::Rule(selected) => *selected == rule.id,
        }
    }

    /// How narrowly the selector names rules: the more specific selector decides.
    pub fn specificity(&self) -> usize {
        match self {
            Self::All => 0,
            Self::Prefix(prefix) => prefix.len(),
            Self::Rule(_) => usize::MAX,
        }
    }
}

/// A rule name within two edits of `written`, for "did you mean".
fn closest_name(written: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|rule| (edit_distance(written, rule.name()), rule.name()))
        .filter(|&(distance, _)| distance <= 2)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance, by characters (for "did you mean").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// One layer of rule selection: what a configuration file or the command line says.
#[derive(Debug, Clone, Default)]
pub struct SelectionLayer {
    /// `None` keeps the previous layer's rules.
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

/// The rules that run, and the severity of each.
#[derive(Debug, Clone)]
pub struct RuleSelection {
    /// By rule, in [`RULES`] order.
    enabled: Vec<bool>,
    /// By rule, the severity the configuration sets, which holds for every finding of the rule (some rules rate
    /// a finding by what it depends on).
    severity: Vec<Option<Severity>>,
}

impl Default for RuleSelection {
    /// Every rule, at its default severity.
    fn default() -> Self {
        Self {
            enabled: vec![true; RULES.len()],
            severity: vec![None; RULES.len()],
        }
    }
}

/// A severity override that cannot be honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedSeverity(pub &'static str);

impl fmt::Display for FixedSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the severity of `{}` cannot be changed: a file nplint cannot read is always an error",
            self.0
        )
    }
}

impl std::error::Error for FixedSeverity {}

impl RuleSelection {
    /// Applies one layer on top of the current selection (see the module documentation).
    pub fn apply(&mut self, layer: &SelectionLayer) {
        for (index, rule) in RULES.iter().enumerate() {
            // The most specific selector that names the rule decides; at equal specificity `ignore` wins.
            let mut decision: Option<(usize, bool)> = None;
            let mut consider = |selectors: &[Selector], enable: bool| {
                for selector in selectors.iter().filter(|selector| selector.matches(rule)) {
                    let specificity = selector.specificity();
                    let wins = decision.is_none_or(|(best, best_enable)| {
                        specificity > best || (specificity == best && best_enable && !enable)
                    });
                    if wins {
                        decision = Some((specificity, enable));
                    }
                }
            };
            consider(layer.select.as_deref().unwrap_or_default(), true);
            consider(&layer.extend_select, true);
            consider(&layer.ignore, false);
            self.enabled[index] = match decision {
                Some((_, enable)) => enable,
                // A fresh `select` that does not name the rule drops it.
                None if layer.select.is_some() => false,
                None => self.enabled[index],
            };
        }
        self.enabled[io_error_index()] = true;
    }

    /// Rates every rule `selector` names at `severity`. Apply broad selectors before narrow ones so that the
    /// narrow ones win.
    pub fn set_severity(
        &mut self,
        selector: &Selector,
        severity: Severity,
    ) -> Result<(), FixedSeverity> {
        if let Selector::Rule(rule) = selector
            && *rule == io_error::RULE.id
            && severity != Severity::Error
        {
            return Err(FixedSeverity(rule.name));
        }
        for (index, rule) in RULES.iter().enumerate() {
            if selector.matches(rule) && rule.id != io_error::RULE.id {
                self.severity[index] = Some(severity);
            }
        }
        Ok(())
    }

    pub fn is_enabled(&self, rule: RuleId) -> bool {
        rule_index(rule).is_none_or(|index| self.enabled[index])
    }

    /// The enabled rules, in [`RULES`] order.
    pub fn enabled(&self) -> impl Iterator<Item = &'static RuleInfo> + '_ {
        RULES
            .iter()
            .zip(&self.enabled)
            .filter(|(_, enabled)| **enabled)
            .map(|(rule, _)| *rule)
    }

    /// The severity the configuration gives `rule`, when it sets one.
    pub fn severity_override(&self, rule: RuleId) -> Option<Severity> {
        self.severity[rule_index(rule)?]
    }

    /// Drops the findings of disabled rules and re-rates the rest.
    pub(crate) fn finish(&self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|diagnostic| self.is_enabled(diagnostic.rule));
        for diagnostic in diagnostics {
            if let Some(severity) = self.severity_override(diagnostic.rule) {
                diagnostic.severity = severity;
            }
        }
    }
}

fn rule_index(rule: RuleId) -> Option<usize> {
    RULES.iter().position(|info| info.id == rule)
}

fn io_error_index() -> usize {
    // Invariant: `io-error` is in the registry.
    rule_index(io_error::RULE.id).expect("io-error is registered")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selectors(names: &[&str]) -> Vec<Selector> {
        names.iter().map(|name| name.parse().unwrap()).collect()
    }

    fn enabled(selection: &RuleSelection) -> Vec<&'static str> {
        selection.enabled().map(RuleInfo::code).collect()
    }

    #[test]
    fn selectors_parse_names_codes_prefixes_and_all() {
        assert_eq!("ALL".parse::<Selector>().unwrap(), Selector::All);
        assert!(matches!(
            "abi-mismatch".parse::<Selector>().unwrap(),
            Selector::Rule(rule) if rule.code == "NPL020"
        ));
        assert!(matches!(
            "npl020".parse::<Selector>().unwrap(),
            Selector::Rule(rule) if rule.name == "abi-mismatch"
        ));
        assert_eq!(
            "NPL02".parse::<Selector>().unwrap(),
            Selector::Prefix("NPL02".into())
        );
        let error = "abi-mismatchh".parse::<Selector>().unwrap_err();
        assert_eq!(error.suggestion, Some("abi-mismatch"));
        // A prefix that matches no rule is a mistake, not an empty selection.
        assert!("NPL9".parse::<Selector>().is_err());
        assert!("all".parse::<Selector>().is_err());
    }

    #[test]
    fn select_replaces_and_ignore_removes() {
        let mut selection = RuleSelection::default();
        selection.apply(&SelectionLayer {
            select: Some(selectors(&["NPL02"])),
            ..SelectionLayer::default()
        });
        // io-error always runs.
        assert_eq!(
            enabled(&selection),
            ["NPL002", "NPL020", "NPL021", "NPL022"]
        );
        selection.apply(&SelectionLayer {
            ignore: selectors(&["removed-numpy-api"]),
            ..SelectionLayer::default()
        });
        assert_eq!(enabled(&selection), ["NPL002", "NPL020", "NPL022"]);
    }

    #[test]
    fn the_most_specific_selector_decides() {
        let mut selection = RuleSelection::default();
        selection.apply(&SelectionLayer {
            select: Some(selectors(&["NPL021"])),
            ignore: selectors(&["NPL02"]),
            ..SelectionLayer::default()
        });
        assert_eq!(enabled(&selection), ["NPL002", "NPL021"]);

        let mut selection = RuleSelection::default();
        selection.apply(&SelectionLayer {
            select: Some(selectors(&["ALL"])),
            ignore: selectors(&["ALL"]),
            ..SelectionLayer::default()
        });
        assert_eq!(
            enabled(&selection),
            ["NPL002"],
            "at equal specificity ignore wins"
        );
    }

    #[test]
    fn severities_are_overridden_except_io_error() {
        let mut selection = RuleSelection::default();
        let known_pitfall = crate::find_rule("known-pitfall").unwrap();
        selection
            .set_severity(&Selector::All, Severity::Warning)
            .unwrap();
        selection
            .set_severity(&Selector::Rule(known_pitfall.id), Severity::Error)
            .unwrap();
        assert_eq!(
            selection.severity_override(known_pitfall.id),
            Some(Severity::Error)
        );
        let unknown_package = crate::find_rule("unknown-package").unwrap();
        assert_eq!(
            selection.severity_override(unknown_package.id),
            Some(Severity::Warning)
        );
        assert_eq!(selection.severity_override(io_error::RULE.id), None);
        let io = Selector::Rule(io_error::RULE.id);
        assert_eq!(
            selection.set_severity(&io, Severity::Info),
            Err(FixedSeverity("io-error"))
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("select", "selct"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
