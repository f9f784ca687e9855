//! The diagnostic: what every rule produces and every output format renders.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::source::{Location, SourceFile, Span};

/// The lines of context a graphical report shows around each label, and so what an excerpt of a finding's file
/// keeps around each of its locations ([`Diagnostic::into_excerpts`]).
pub const CONTEXT_LINES: u32 = 1;

/// How serious a finding is. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A rule's stable identity: its kebab-case name and its short code. The table of rules lives in `nplint-rules`;
/// this is what a diagnostic carries of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    pub name: &'static str,
    pub code: &'static str,
}

/// One environment target a finding applies to: a CPython minor version on a platform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Target {
    pub python: String,
    pub platform: String,
}

/// A secondary place that explains the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub location: Location,
    pub message: String,
}

/// How safe it is to apply a fix without review, as in ruff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the meaning the user intended; can be applied automatically.
    Safe,
    /// Changes what gets installed; needs a person's review.
    Unsafe,
    /// Shown as a suggestion only.
    DisplayOnly,
}

/// A text replacement in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub location: Location,
    pub replacement: String,
}

/// A suggested change that resolves the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A finding, located in a source file.
///
/// A lint finding is a `Diagnostic`, never an `Err`: errors are reserved for failures of nplint itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub severity: Severity,
    /// One sentence, no trailing period, names in backticks.
    pub message: String,
    /// Where the finding is. Findings about a whole file point at its start.
    pub location: Location,
    /// What the primary span is about, shown under it in the graphical output.
    pub primary_label: Option<String>,
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// The targets the finding holds on; empty when it does not depend on the target.
    pub targets: Vec<Target>,
    /// A resolver-style derivation of why, when there is one.
    pub explanation: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        rule: RuleId,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Self {
            rule,
            severity,
            message: message.into(),
            location,
            primary_label: None,
            labels: Vec::new(),
            help: None,
            targets: Vec::new(),
            explanation: None,
            fix: None,
        }
    }

    #[must_use]
    pub fn with_primary_label(mut self, label: impl Into<String>) -> Self {
        self.primary_label = Some(label.into());
        self
    }

    #[must_use]
    pub fn with_label(mut self, location: Location, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            location,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The finding with every location's file (primary, labels, fix edits) replaced by an excerpt of it
    /// ([`SourceFile::excerpt`]) that keeps the lines the finding shows and [`CONTEXT_LINES`] around them: what a
    /// run keeps of each finding until the report is printed. Locations in one file keep sharing one excerpt.
    #[must_use]
    pub fn into_excerpts(mut self) -> Self {
        let mut files: Vec<(Arc<SourceFile>, Vec<Span>)> = Vec::new();
        for location in self.locations_mut() {
            match files
                .iter_mut()
                .find(|(file, _)| Arc::ptr_eq(file, &location.file))
            {
                Some((_, spans)) => spans.push(location.span),
                None => files.push((Arc::clone(&location.file), vec![location.span])),
            }
        }
        let excerpts: Vec<(Arc<SourceFile>, Arc<SourceFile>)> = files
            .into_iter()
            .map(|(file, spans)| {
                let excerpt = file.excerpt(spans, CONTEXT_LINES);
                (file, excerpt)
            })
            .collect();
        for location in self.locations_mut() {
            if let Some((_, excerpt)) = excerpts
                .iter()
                .find(|(file, _)| Arc::ptr_eq(file, &location.file))
            {
                location.file = Arc::clone(excerpt);
            }
        }
        self
    }

    fn locations_mut(&mut self) -> impl Iterator<Item = &mut Location> {
        std::iter::once(&mut self.location)
            .chain(self.labels.iter_mut().map(|label| &mut label.location))
            .chain(
                self.fix
                    .iter_mut()
                    .flat_map(|fix| fix.edits.iter_mut().map(|edit| &mut edit.location)),
            )
    }

    /// The order in which reports list findings: by path, then position, then rule, then message.
    pub fn sort_key(&self) -> (&std::path::Path, u32, u32, &str, &str) {
        (
            self.location.file.path(),
            self.location.span.start,
            self.location.span.end,
            self.rule.name,
            &self.message,
        )
    }
}
