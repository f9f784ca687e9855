//! The diagnostics of runtime findings: messages, labels on the lines taking part, the explanation with each
//! fact's provenance, the `help:` line and the structured fix.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use indexmap::IndexMap;
use nplint_diagnostics::{Applicability, Diagnostic, Edit, Fix, Location, Severity, Span};
use nplint_index::{
    Evidence, FactKind, PackageName, Platform, PythonVersion, RuntimeFact, Target, Version,
};
use nplint_manifest::Section;
use nplint_solver::{Conflict, ConflictKey, Role, explain, explain_with};

use super::{Broken, Finding, Remedy};
use crate::finding::{Context, diagnostic_targets, is_locked, label, voice};
use crate::registry::RuleInfo;
use crate::rules::{abi_mismatch, known_pitfall, removed_numpy_api};
use crate::targets::numpy_name;
use crate::wording::{and_list, or_list};

/// Which rule a runtime finding belongs to: that of its first fact (ABI before removed API before known
/// pitfalls).
fn runtime_rule(finding: &Finding) -> &'static RuleInfo {
    match finding.facts().first().map(|(_, fact)| fact.kind) {
        Some(FactKind::RemovedApi) => &removed_numpy_api::RULE,
        Some(FactKind::KnownPitfall) => &known_pitfall::RULE,
        Some(FactKind::Abi) | None => &abi_mismatch::RULE,
    }
}

/// One runtime finding on the targets it holds on.
pub(crate) struct RuntimeGroup {
    pub rule: &'static RuleInfo,
    /// The finding on the first target, which stands for all.
    pub first: Finding,
    pub target: Target,
    pub targets: Vec<Target>,
    /// For a resolution that breaks: the NumPy picked, with the targets it is picked on.
    pub picked: BTreeMap<Version, Vec<Target>>,
}

impl RuntimeGroup {
    /// Adds a finding on `target` to its group (findings are grouped by rule and by [`RuntimeKey`]).
    pub(crate) fn add(
        groups: &mut IndexMap<(&'static str, RuntimeKey), RuntimeGroup>,
        finding: Finding,
        target: Target,
    ) {
        let rule = runtime_rule(&finding);
        let key = RuntimeKey::of(&finding);
        let numpy = match &finding {
            Finding::ResolutionBreaks { numpy, .. } => Some(numpy.clone()),
            Finding::NoNumpyWorks { .. } => None,
        };
        let group = groups
            .entry((rule.id.name, key))
            .or_insert_with(|| RuntimeGroup {
                rule,
                first: finding,
                target,
                targets: Vec::new(),
                picked: BTreeMap::new(),
            });
        group.targets.push(target);
        if let Some(numpy) = numpy {
            group.picked.entry(numpy).or_default().push(target);
        }
    }

    /// An error where the finding holds on what the user `stated` ([`crate::targets`]), or where the environment
    /// breaks at runtime wherever it installs (on the platforms of this finding), else a warning: `installing`
    /// lists, per platform, the Pythons on which it installs, `breaking` the targets with a runtime finding of any
    /// kind. An advisory finding (a function that fails when called) is a warning, and a note when its only
    /// remedy is an older NumPy (no release of the package drops the use): downgrading NumPy for one function is
    /// no advice.
    pub(crate) fn severity(
        &self,
        stated: bool,
        installing: &BTreeMap<Platform, BTreeSet<PythonVersion>>,
        breaking: &BTreeSet<Target>,
    ) -> Severity {
        if self.first.is_advisory() {
            return if self.first.offers_upgrade() {
                Severity::Warning
            } else {
                Severity::Info
            };
        }
        if stated {
            return Severity::Error;
        }
        let everywhere = self.targets.iter().all(|target| {
            installing.get(&target.platform).is_some_and(|pythons| {
                pythons
                    .iter()
                    .all(|python| breaking.contains(&Target::new(*python, target.platform)))
            })
        });
        if everywhere {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

/// What makes runtime findings on several targets one finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum RuntimeKey {
    /// No NumPy works: the runtime solve's conflict.
    NoNumpyWorks(ConflictKey),
    /// The resolution breaks: each broken release and the key of the fact that breaks it. The NumPy picked may
    /// differ between Pythons (newer ones get newer NumPy): one finding still.
    ResolutionBreaks(Vec<(PackageName, Version, String)>),
}

impl RuntimeKey {
    fn of(finding: &Finding) -> Self {
        match finding {
            Finding::NoNumpyWorks { conflict } => Self::NoNumpyWorks(conflict.key()),
            Finding::ResolutionBreaks { broken, .. } => Self::ResolutionBreaks(
                broken
                    .iter()
                    .map(|broken| {
                        (
                            broken.package.clone(),
                            broken.version.clone(),
                            broken.fact.key.clone(),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// How a fact breaks a release, for messages: "fails at import" where that is what the fact says (binaries, and
/// removed names the sync found used at import), "fails when `f` is called" for a removed name in a function's
/// body, "breaks" otherwise (a curated removed name may sit on a call path).
fn breaks(fact: &RuntimeFact) -> String {
    match (fact.kind, &fact.evidence) {
        (FactKind::Abi, _) | (FactKind::RemovedApi, Evidence::Source { .. }) => {
            "fails at import".to_owned()
        }
        (_, Evidence::Call { function, .. }) => format!("fails when `{function}` is called"),
        _ => "breaks".to_owned(),
    }
}

/// Where a fact comes from, as one line of the explanation.
fn provenance(
    package: &PackageName,
    version: Option<&nplint_index::Version>,
    fact: &RuntimeFact,
) -> String {
    let release = match version {
        Some(version) => format!("`{package}=={version}`"),
        None => format!("`{package}`"),
    };
    let mut line = format!("{release}: {}", fact.evidence_text());
    if !fact.references.is_empty() {
        line.push_str("\n  see: ");
        line.push_str(&fact.references.join(", "));
    }
    line
}

impl Context<'_> {
    /// The diagnostic of a runtime finding.
    pub(crate) fn runtime_diagnostic(
        &self,
        group: &RuntimeGroup,
        severity: Severity,
    ) -> Diagnostic {
        let mut diagnostic = match &group.first {
            Finding::NoNumpyWorks { conflict } => self.no_numpy_works(group, conflict, severity),
            Finding::ResolutionBreaks {
                numpy,
                broken,
                remedies,
            } => self.resolution_breaks(group, numpy, broken, remedies, severity),
        };
        diagnostic.targets = diagnostic_targets(&group.targets);
        diagnostic
    }

    /// The id of the environment's requirement on `name`, if it requires it directly.
    fn direct(&self, name: &PackageName) -> Option<usize> {
        self.inputs
            .iter()
            .find(|input| input.role == Role::Requirement && input.name == *name)
            .map(|input| input.id)
    }

    /// The id of the environment's constraint on `name`, if it has one.
    fn constraint(&self, name: &PackageName) -> Option<usize> {
        self.inputs
            .iter()
            .find(|input| input.role == Role::Constraint && input.name == *name)
            .map(|input| input.id)
    }

    /// Where a finding on the environment as a whole stands: in the file that was checked, on the line of its
    /// first requirement or, when that requirement is in an included file, on the include line leading to it
    /// (never on a line of another file, which holds no more of the environment than its own requirements).
    fn environment_location(&self) -> Location {
        self.inputs.first().map_or_else(
            || Location::file_start(self.manifest.sources[0].clone()),
            |input| {
                self.manifest.requirements[input.id]
                    .location_in_root()
                    .clone()
            },
        )
    }

    fn location_of(&self, id: Option<usize>) -> Location {
        id.map_or_else(
            || Location::file_start(self.manifest.sources[0].clone()),
            |id| self.manifest.requirements[id].location.clone(),
        )
    }

    /// No NumPy works at runtime: the derivation, a label on every line taking part, and the newest release of
    /// each that would work with the rest.
    fn no_numpy_works(
        &self,
        group: &RuntimeGroup,
        conflict: &Conflict,
        severity: Severity,
    ) -> Diagnostic {
        let requirements = &self.manifest.requirements;
        let facts = group.first.facts();
        let primary = facts
            .iter()
            .find_map(|(name, _)| self.direct(name).filter(|id| conflict.inputs.contains(id)))
            .or_else(|| conflict.inputs.first().copied());
        let message = format!(
            "installs, then {}: no version of `numpy` works at runtime{}",
            facts
                .first()
                .map_or_else(|| "breaks".to_owned(), |(_, fact)| breaks(fact)),
            self.where_(&group.targets, true)
        );
        let mut diagnostic =
            Diagnostic::new(group.rule.id, severity, message, self.location_of(primary));
        for &id in &conflict.inputs {
            let requirement = &requirements[id];
            let text = match facts
                .iter()
                .find(|(name, _)| requirement.name.as_ref() == Some(name))
            {
                Some((_, fact)) => format!(
                    "`{}` {}: works only with `numpy{}`",
                    requirement.display(),
                    fact.predicate,
                    explain::specifiers(&fact.works)
                ),
                None => label(requirement, conflict),
            };
            if Some(id) == primary {
                diagnostic.primary_label = Some(text);
            } else {
                diagnostic = diagnostic.with_label(requirement.location.clone(), text);
            }
        }
        let mut explanation = explain_with(conflict, voice(self.manifest));
        for (name, fact) in &facts {
            explanation.push('\n');
            explanation.push_str(&provenance(name, None, fact));
        }
        diagnostic.explanation = Some(explanation);
        let solver = self.solvers.get(group.target);
        let mut alternatives = super::alternatives(solver.index(), solver, self.inputs, conflict);
        // The package a fact is about first: moving it is the change the finding is about.
        alternatives.sort_by_key(|(id, _)| {
            !facts
                .iter()
                .any(|(name, _)| requirements[*id].name.as_ref() == Some(name))
        });
        if let Some((id, version)) = alternatives.first() {
            let shown: Vec<String> = alternatives
                .iter()
                .filter_map(|(id, version)| {
                    requirements[*id]
                        .name
                        .as_ref()
                        .map(|name| format!("`{name}=={version}`"))
                })
                .collect();
            if is_locked(&requirements[*id]) {
                // A lockfile is written by its tool: the change goes into the project's requirements, then a
                // new lock.
                diagnostic.help = Some(format!(
                    "lock again with {}: it installs with the rest of the locked set and has no known runtime \
                     breakage with it",
                    or_list(&shown)
                ));
                return diagnostic;
            }
            diagnostic.help = Some(format!(
                "change one line: {} installs with the rest of the requirements and has no known runtime \
                 breakage with them",
                or_list(&shown)
            ));
            diagnostic.fix = requirements[*id]
                .version_location
                .as_ref()
                .zip(shown.first())
                .map(|(at, first)| Fix {
                    message: format!("use {first}"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        location: at.clone(),
                        replacement: format!("=={version}"),
                    }],
                });
        }
        diagnostic
    }

    /// The declared resolution breaks while another works: the broken release, the fact, and verified changes.
    fn resolution_breaks(
        &self,
        group: &RuntimeGroup,
        numpy: &Version,
        broken: &[Broken],
        remedies: &[Remedy],
        severity: Severity,
    ) -> Diagnostic {
        let requirements = &self.manifest.requirements;
        let numpy_line = self.direct(&numpy_name());
        let first = &broken[0];
        // The line that requires the broken package, else the line that requires NumPy, else one that constrains
        // the broken package (`-c` pins `cftime==1.6.3`).
        let primary = self
            .direct(&first.package)
            .or(numpy_line)
            .or_else(|| self.constraint(&first.package));
        let each: Vec<String> = group
            .picked
            .iter()
            .map(|(numpy, targets)| format!("`numpy=={numpy}`{}", self.where_(targets, true)))
            .collect();
        let (picked, installs) = if group.picked.len() > 1 {
            (
                format!("the NumPy that a resolver picks ({})", and_list(&each)),
                and_list(&each),
            )
        } else {
            (
                format!("the `numpy=={numpy}` that a resolver picks"),
                format!("`numpy=={numpy}`"),
            )
        };
        let message = format!(
            "`{}=={}` {} with {picked}{}",
            first.package,
            first.version,
            breaks(&first.fact),
            self.where_(&group.targets, true)
        );
        // Neither the package nor NumPy is required directly: the finding is the environment's.
        let location = primary.map_or_else(
            || self.environment_location(),
            |id| requirements[id].location.clone(),
        );
        let mut diagnostic = Diagnostic::new(group.rule.id, severity, message, location);
        diagnostic.primary_label = Some(format!(
            "`{}=={}` {}: works only with `numpy{}`",
            first.package,
            first.version,
            first.fact.predicate,
            explain::specifiers(&first.fact.works)
        ));
        if let Some(id) = numpy_line.filter(|id| Some(*id) != primary) {
            diagnostic = diagnostic.with_label(
                requirements[id].location.clone(),
                format!("allows `numpy=={numpy}`"),
            );
        }
        let mut explanation = format!(
            "By declared metadata alone, a resolver preferring the newest versions installs {installs}."
        );
        for broken in broken {
            let _ = write!(
                explanation,
                " `{}=={}` {}, and {} work only with `numpy{}`.",
                broken.package,
                broken.version,
                broken.fact.predicate,
                broken.fact.subject,
                explain::specifiers(&broken.fact.works)
            );
        }
        for broken in broken {
            explanation.push('\n');
            explanation.push_str(&provenance(
                &broken.package,
                Some(&broken.version),
                &broken.fact,
            ));
        }
        diagnostic.explanation = Some(explanation);
        let shown: Vec<String> = remedies
            .iter()
            .map(|remedy| match remedy {
                Remedy::BoundNumpy(bound) => format!("require `numpy{bound}`"),
                Remedy::Upgrade { package, to } => format!(
                    "require `{package}>={to}`, the oldest release that works with `numpy=={numpy}`"
                ),
            })
            .collect();
        if !shown.is_empty() {
            diagnostic.help = Some(or_list(&shown));
        }
        // The first remedy the file has a place for.
        diagnostic.fix = remedies.iter().zip(&shown).find_map(|(remedy, message)| {
            self.remedy_fix(remedy, numpy_line, &first.package, message)
        });
        diagnostic
    }

    /// A remedy as edits: narrowing the NumPy line (a bare `numpy` gets the bound after its name), adding one to
    /// a requirements file, or moving a package's lower bound. `None` where the file gives no safe place to edit.
    fn remedy_fix(
        &self,
        remedy: &Remedy,
        numpy_line: Option<usize>,
        broken: &PackageName,
        message: &str,
    ) -> Option<Fix> {
        let requirements = &self.manifest.requirements;
        // A lockfile is regenerated by its tool, never edited by hand.
        if requirements.iter().any(is_locked) {
            return None;
        }
        let edit = match remedy {
            Remedy::BoundNumpy(bound) => {
                if let Some(id) = numpy_line {
                    let requirement = &requirements[id];
                    if let Some(at) = requirement.version_location.as_ref() {
                        Edit {
                            location: at.clone(),
                            replacement: format!("{},{bound}", at.text()),
                        }
                    } else {
                        // A bare `numpy` (no extras, marker or URL, which the bound would have to go before): the
                        // bound goes after the name.
                        let at = &requirement.location;
                        let bare = at.text().chars().all(|character| {
                            character.is_ascii_alphanumeric()
                                || matches!(character, '-' | '_' | '.')
                        });
                        if !bare {
                            return None;
                        }
                        let end = at.span.end as usize;
                        Edit {
                            location: Location::new(at.file.clone(), Span::from_range(end..end)),
                            replacement: bound.clone(),
                        }
                    }
                } else {
                    // A new line after the broken package's, in a requirements file only (elsewhere a new entry
                    // needs the file's own syntax).
                    let id = self.direct(broken)?;
                    let requirement = &requirements[id];
                    if requirement.origin.section != Section::Requirements {
                        return None;
                    }
                    let file = &requirement.location.file;
                    let text = file.text();
                    let end = requirement.location.span.end as usize;
                    let (offset, replacement) = match text[end..].find('\n') {
                        Some(at) => (end + at + 1, format!("numpy{bound}\n")),
                        None => (text.len(), format!("\nnumpy{bound}\n")),
                    };
                    Edit {
                        location: Location::new(file.clone(), Span::from_range(offset..offset)),
                        replacement,
                    }
                }
            }
            Remedy::Upgrade { package, to } => {
                let at = requirements[self.direct(package)?]
                    .version_location
                    .as_ref()?;
                Edit {
                    location: at.clone(),
                    replacement: format!(">={to}"),
                }
            }
        };
        Some(Fix {
            message: message.to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        })
    }
}
