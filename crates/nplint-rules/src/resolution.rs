//! Resolution findings: every environment of a manifest solved on each of its targets, conflicts grouped by
//! explanation into `numpy-conflict` and `python-conflict` diagnostics, the targets where it installs checked
//! against runtime facts ([`crate::runtime`]: `abi-mismatch`, `removed-numpy-api`, `known-pitfall`), and the
//! requirements left out of the solve into one `unknown-package` diagnostic.
//!
//! One [`Resolver`] serves a whole run: it holds one [`Solver`] per target ([`Solvers`], which also owns the
//! order targets are solved in and the replay of a neighbour's outcome), shared by every manifest and
//! environment (a solver caches what it learns about releases; it is `Sync`, so files checked in parallel share
//! it).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use nplint_diagnostics::{Diagnostic, Severity};
use nplint_index::{
    Coverage, Index, PackageName, Platform, PythonVersion, Target, VersionSpecifiers,
};
use nplint_manifest::{
    Environment, Manifest, Requirement, RequirementSource, Role as ManifestRole, Section,
};
use nplint_solver::{Conflict, ConflictKey, Input, Outcome, Role, Solver, Solvers};

use crate::finding::{Context, Fallback, Group, Kind};
use crate::rules::{
    index_outdated, nonexistent_release, numpy_conflict, python_conflict, unknown_package,
};
use crate::runtime;
use crate::runtime::report::{RuntimeGroup, RuntimeKey};
use crate::settings::Settings;
use crate::targets::{PythonSource, Pythons, TargetOptions, environment_pythons, targets};
use crate::wording::and_list;

/// The rules that report a solve's outcome, or what it left out; the runtime rules are [`runtime::rules`].
const RESOLUTION_RULES: [nplint_diagnostics::RuleId; 5] = [
    numpy_conflict::RULE.id,
    python_conflict::RULE.id,
    unknown_package::RULE.id,
    index_outdated::RULE.id,
    nonexistent_release::RULE.id,
];

fn any_enabled(settings: &Settings, rules: &[nplint_diagnostics::RuleId]) -> bool {
    rules.iter().any(|&rule| settings.rules.is_enabled(rule))
}

/// Solves manifests' environments on their targets; see the module documentation.
#[derive(Debug)]
pub struct Resolver {
    pythons: Pythons,
    solvers: Solvers,
}

impl Resolver {
    /// A resolver over `index`, with a solver for every platform and every Python the index knows or `pythons`
    /// adds (the versions that configurations and the command line ask for).
    pub fn new(index: &'static Index, pythons: &[PythonVersion]) -> Self {
        let known = Pythons::of(index);
        let mut all: BTreeSet<PythonVersion> = known.known.iter().copied().collect();
        all.extend(pythons.iter().copied());
        let all: Vec<_> = all.into_iter().collect();
        Self {
            pythons: known,
            solvers: Solvers::new(index, targets(&all, &Platform::ALL)),
        }
    }

    /// The index the resolver solves over.
    pub fn index(&self) -> &'static Index {
        self.solvers.index()
    }

    pub(crate) fn solver(&self, target: Target) -> &Solver {
        // Invariant: `new` made a solver for every known or requested Python on every platform, and targets are
        // only ever built from those.
        self.solvers.get(target)
    }

    /// Each target solved ([`Solvers::solve_targets`]), and where the environment installs, checked against
    /// the runtime facts when a runtime rule is enabled.
    fn solve_targets(
        &self,
        inputs: &[Input],
        targets: &[Target],
        runtime_enabled: bool,
    ) -> Vec<(Target, TargetOutcome)> {
        self.solvers
            .solve_targets(inputs, targets)
            .into_iter()
            .map(|(target, outcome)| {
                let outcome = match outcome {
                    Outcome::Solved(solution) => TargetOutcome::Installs(
                        runtime_enabled
                            .then(|| {
                                runtime::check(self.index(), self.solver(target), inputs, &solution)
                            })
                            .flatten(),
                    ),
                    // The explanation is rendered only for the conflict that stands for a reported finding.
                    Outcome::Conflict(conflict) => {
                        TargetOutcome::Fails(Kind::of(&conflict).map(|kind| (kind, conflict)))
                    }
                };
                (target, outcome)
            })
            .collect()
    }

    /// For an environment that installs on none of the supported Pythons (an old project: `tensorflow==2.5.0`
    /// has wheels for CPython 3.6 to 3.9 only), the released Pythons it is checked on instead, with their
    /// outcomes: those on which it installs on some platform, else, when it installs nowhere, those on which each
    /// of its pins has an installable release (so that a conflict among old pins is still told). `None` when no
    /// other released Python qualifies.
    fn fallback(
        &self,
        manifest: &Manifest,
        inputs: &[Input],
        checked: &[PythonVersion],
        platforms: &[Platform],
        runtime_enabled: bool,
    ) -> Option<(Fallback, Vec<(Target, TargetOutcome)>)> {
        let pins: Vec<(&Input, &nplint_index::Version)> = inputs
            .iter()
            .filter_map(|input| Some((input, input.pin()?)))
            .collect();
        let candidates: Vec<PythonVersion> = self
            .pythons
            .released
            .iter()
            .copied()
            .filter(|python| !checked.contains(python))
            .filter(|&python| {
                pins.iter().all(|(input, version)| {
                    self.index()
                        .package(&input.name)
                        .is_none_or(|package| package.predates_history(&input.specifiers))
                        || platforms.iter().any(|&platform| {
                            self.solver(Target::new(python, platform))
                                .installable(&input.name, version)
                        })
                })
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let outcomes =
            self.solve_targets(inputs, &targets(&candidates, platforms), runtime_enabled);
        let installing: Vec<PythonVersion> = candidates
            .iter()
            .copied()
            .filter(|&python| {
                outcomes.iter().any(|(target, outcome)| {
                    target.python == python && matches!(outcome, TargetOutcome::Installs(_))
                })
            })
            .collect();
        let fallback = if installing.is_empty() {
            let pinned: Vec<String> = pins
                .iter()
                .map(|(input, _)| format!("`{}`", manifest.requirements[input.id].display()))
                .collect();
            let subject = match pinned.len() {
                1 => format!("{} installs on", pinned[0]),
                2 => format!("{} install on", and_list(&pinned)),
                _ => "its pins install on".to_owned(),
            };
            Fallback {
                pythons: candidates,
                subject,
                pins: true,
            }
        } else {
            Fallback {
                pythons: installing,
                subject: "these requirements install on".to_owned(),
                pins: false,
            }
        };
        let outcomes = outcomes
            .into_iter()
            .filter(|(target, _)| fallback.pythons.contains(&target.python))
            .collect();
        Some((fallback, outcomes))
    }

    /// Every resolution finding for `manifest` on the targets `settings` chooses, skipping the runtime checks
    /// when no runtime rule is enabled.
    ///
    /// Severity follows what the user stated (see [`crate::targets`] and [`stated_slice`]): a finding is an error
    /// when it holds on a stated Python on every platform checked, on a stated platform on every Python checked,
    /// or on a target whose Python and platform are both stated. Beyond that, a conflict is an error when the
    /// environment installs on none of the targets checked, and a runtime finding when, on one of its platforms,
    /// the environment breaks on every Python it installs on; anything else is a warning. A platform without
    /// wheels is a choice of the packages' maintainers; a platform where the environment installs and then
    /// crashes is a trap.
    pub fn check(
        &self,
        manifest: &Manifest,
        settings: &Settings,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let runtime_enabled = any_enabled(settings, &runtime::rules());
        // Work follows the selection: with no rule that solves, or that counts what the solve left out, selected
        // (`--select parse-error`), nothing is solved.
        if !runtime_enabled && !any_enabled(settings, &RESOLUTION_RULES) {
            return;
        }
        // The requirements of the file: those of its environments that apply on a target checked.
        let mut of_file: BTreeSet<usize> = BTreeSet::new();
        let mut reported: std::collections::HashSet<(GroupKey, Vec<Target>)> =
            std::collections::HashSet::new();
        for environment in &manifest.environments {
            let inputs = environment_inputs(manifest, &environment.requirements);
            let choice =
                environment_pythons(manifest, environment, &settings.targets, &self.pythons);
            let platforms = environment_platforms(environment, &settings.targets);
            let platforms = platforms.as_slice();
            let platforms_stated =
                !settings.targets.platforms.is_empty() || environment.platform.is_some();
            let all_targets = targets(&choice.pythons, platforms);
            if all_targets.is_empty() {
                continue;
            }
            let mut checked = choice.pythons.clone();
            let mut outcomes = self.solve_targets(&inputs, &all_targets, runtime_enabled);
            let mut fallback = Fallback::default();
            if choice.source == PythonSource::Supported
                && outcomes
                    .iter()
                    .all(|(_, outcome)| matches!(outcome, TargetOutcome::Fails(_)))
                && let Some((found, more)) =
                    self.fallback(manifest, &inputs, &checked, platforms, runtime_enabled)
            {
                checked.extend(found.pythons.iter().copied());
                checked.sort_unstable();
                fallback = found;
                outcomes.extend(more);
            }
            of_file.extend(environment_requirements(
                manifest,
                environment,
                &targets(&checked, platforms),
            ));
            let Outcomes {
                groups,
                failing,
                runtime_groups,
                installing,
            } = Outcomes::of(outcomes);
            // An advisory finding (a function that fails when called) makes no other finding an error.
            let breaking: BTreeSet<Target> = runtime_groups
                .values()
                .filter(|group| !group.first.is_advisory())
                .flat_map(|group| group.targets.iter().copied())
                .collect();
            let admitted = (choice.source == PythonSource::Manifest).then_some(&*choice.pythons);
            let context = Context {
                solvers: &self.solvers,
                known: &self.pythons,
                manifest,
                inputs: &inputs,
                pythons: &checked,
                admitted,
                fallback: &fallback,
                platforms,
                platform_section: environment.platform.is_some(),
                installing: &installing,
                failing: &failing,
                breaking: &breaking,
            };
            let stated = |targets: &[Target]| {
                stated_slice(
                    targets,
                    &checked,
                    platforms,
                    &choice.stated,
                    platforms_stated,
                )
            };
            // The findings with their targets: `reconcile_fixes` keeps the fixes that work together.
            let mut found: Vec<(Diagnostic, Vec<Target>)> = Vec::new();
            for (key, group) in groups {
                let severity = if installing.is_empty() || stated(&group.targets) {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                if !reported.insert((GroupKey::Conflict(key), group.targets.clone())) {
                    // The same conflict in another environment of the file (the base of `project[gpu]`).
                    continue;
                }
                let diagnostic = conflict_diagnostic(&context, &group, severity);
                found.push((diagnostic, group.targets));
            }
            for (key, group) in runtime_groups {
                let severity = group.severity(stated(&group.targets), &installing, &breaking);
                if !reported.insert((GroupKey::Runtime(key), group.targets.clone())) {
                    continue;
                }
                let diagnostic = context.runtime_diagnostic(&group, severity);
                found.push((diagnostic, group.targets));
            }
            diagnostics.extend(context.reconcile_fixes(found));
        }
        self.left_out(manifest, &of_file, diagnostics);
    }

    /// The findings on what the solve left out of the file's requirements (`of_file`): what the index knows of
    /// each is asked once, for the three rules that report it.
    fn left_out(
        &self,
        manifest: &Manifest,
        of_file: &BTreeSet<usize>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let known: Vec<(usize, Knowledge)> = of_file
            .iter()
            .map(|&id| (id, Knowledge::of(self.index(), &manifest.requirements[id])))
            .collect();
        unknown_package::check(self.index(), manifest, &known, diagnostics);
        index_outdated::check(self.index(), manifest, &known, diagnostics);
        nonexistent_release::check(self.index(), manifest, &known, diagnostics);
    }

    /// What solving `environment` gives on each target it is checked on under `settings` (declared metadata and
    /// binary facts, no runtime check): the versions an editor's hover shows.
    pub fn solve_environment(
        &self,
        manifest: &Manifest,
        environment: &Environment,
        settings: &Settings,
    ) -> Vec<(Target, Outcome)> {
        let inputs = environment_inputs(manifest, &environment.requirements);
        let targets = self.environment_targets(manifest, environment, settings);
        self.solvers.solve_targets(&inputs, &targets)
    }

    /// The solver for `target`, when the resolver has one (every known or requested Python on every platform).
    pub fn target_solver(&self, target: Target) -> Option<&Solver> {
        self.solvers
            .contains(target)
            .then(|| self.solvers.get(target))
    }

    /// The targets `environment` is checked on under `settings`: its Pythons on its platforms (none for a
    /// lockfile's section for a platform nplint does not track). A check may add older Pythons to them when the
    /// environment installs on none of these ([`Resolver::check`]), which only a solve can tell.
    pub fn environment_targets(
        &self,
        manifest: &Manifest,
        environment: &Environment,
        settings: &Settings,
    ) -> Vec<Target> {
        let choice = environment_pythons(manifest, environment, &settings.targets, &self.pythons);
        targets(
            &choice.pythons,
            &environment_platforms(environment, &settings.targets),
        )
    }
}

/// Whether a finding on `targets` holds where the user stated something: on a stated Python on every platform
/// checked, on a stated platform on every Python checked, or on a target whose Python and platform are both
/// stated. (`requires-python = ">=3.9"` with `numpy>=2.1` fails on 3.9 everywhere: an error; a package without
/// wheels for macOS on the stated Python, with no platform stated, is a warning.)
fn stated_slice(
    targets: &[Target],
    pythons: &[PythonVersion],
    platforms: &[Platform],
    stated_pythons: &BTreeSet<PythonVersion>,
    platforms_stated: bool,
) -> bool {
    let holds = |python: PythonVersion, platform: Platform| {
        targets.contains(&Target::new(python, platform))
    };
    let python_everywhere = stated_pythons
        .iter()
        .any(|&python| platforms.iter().all(|&platform| holds(python, platform)));
    let platform_everywhere = platforms_stated
        && platforms
            .iter()
            .any(|&platform| pythons.iter().all(|&python| holds(python, platform)));
    let both = platforms_stated
        && targets
            .iter()
            .any(|target| stated_pythons.contains(&target.python));
    python_everywhere || platform_everywhere || both
}

/// The platforms an environment is checked on: the chosen ones, or, for an environment locked for one platform
/// (a section of a pixi or conda-lock lockfile), that platform alone (none when it is not one nplint tracks or
/// not among the platforms asked for on the command line or in the configuration).
fn environment_platforms(environment: &Environment, options: &TargetOptions) -> Vec<Platform> {
    let Some(conda_platform) = &environment.platform else {
        return options.platforms().to_vec();
    };
    let Some(platform) = Platform::from_conda_subdir(conda_platform) else {
        return Vec::new();
    };
    if options.platforms.is_empty() || options.platforms.contains(&platform) {
        vec![platform]
    } else {
        Vec::new()
    }
}

/// The requirements of `environment` on `targets`: those it lists whose marker holds on one of them
/// (`pywin32; sys_platform == 'win32'` is not a requirement of a Linux check). What the `unknown-package` rule
/// counts, and the one meaning of "a requirement of this environment" for anything that measures a check.
pub fn environment_requirements<'a>(
    manifest: &'a Manifest,
    environment: &'a Environment,
    targets: &'a [Target],
) -> impl Iterator<Item = usize> + 'a {
    let environments: Vec<_> = targets
        .iter()
        .map(|target| target.marker_environment())
        .collect();
    environment.requirements.iter().copied().filter(move |&id| {
        let marker = &manifest.requirements[id].marker;
        marker.is_true()
            || environments
                .iter()
                .any(|environment| marker.evaluate(environment, &[]))
    })
}

/// What nplint knows of a requirement's package, which decides whether a solve can tell anything of it: the one
/// answer for the `unknown-package` rule and for anything that measures how much of a file nplint covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Knowledge {
    /// In the index's full tier: the solve reads its releases.
    Indexed,
    /// In the light tier: a popular project that does not reach NumPy (through none of the extras asked for),
    /// left out of the solve without a finding.
    Unrelated,
    /// Outside the index on purpose: the interpreter, conda's installer in an environment.yml, and what a conda
    /// lockfile pins that the index does not hold (mostly system libraries, which no Python index has; a Python
    /// package missing from the index is left out silently too, a known limit).
    Expected,
    /// A direct URL or path requirement, or an unnamed one: its version only a build could tell.
    Direct,
    /// An indexed package, asked for only in releases older than the index's history (`cycler==0.10`, from 2016):
    /// left out of the solve, as the index cannot judge them.
    Predates,
    /// An indexed package, asked for only in versions newer than the newest release the index holds: released
    /// after its snapshot, perhaps. Left out of the solve and reported by `index-outdated`.
    PastSnapshot,
    /// An indexed package, pinned to a version the package index did not have on the snapshot date although the
    /// index would hold it (never released, or deleted). Left out of
    /// the solve and reported by `nonexistent-release`.
    NoSuchRelease,
    /// An indexed package, pinned to a version the index does not hold and may not know of: a pre-release (it
    /// holds the pre-releases a requirement it read asked for), or a version conda installs (conda-forge builds
    /// versions that PyPI does not have). Left out of the solve.
    NotHeld,
    /// A package that neither tier of the index knows.
    Unknown,
}

impl Knowledge {
    /// What `index` knows of `requirement`'s package.
    pub fn of(index: &Index, requirement: &Requirement) -> Self {
        let indexed = requirement
            .name
            .as_ref()
            .is_some_and(|name| index.package(name).is_some());
        // A system library, mutex or other conda-only package of conda-forge, installed by conda: known, and not
        // NumPy's.
        if !indexed
            && conda_only(index, requirement).is_some_and(|found| found.numpy_related.is_none())
        {
            return Self::Unrelated;
        }
        // A conda lockfile pins system libraries by the hundred: leaving them out is expected.
        if requirement.origin.section == Section::LockedConda
            && (requirement.source != RequirementSource::Registry || !indexed)
        {
            return Self::Expected;
        }
        let Some(name) = requirement.name.as_ref() else {
            return Self::Direct;
        };
        if requirement.source != RequirementSource::Registry {
            Self::Direct
        } else if let Some(package) = index.package(name) {
            match index.coverage(package, &judged(&requirement.specifiers)) {
                Coverage::Indexed => Self::Indexed,
                Coverage::Predates => Self::Predates,
                Coverage::PastSnapshot => Self::PastSnapshot,
                Coverage::NoSuchRelease if crate::conda::installed_from_conda(requirement) => {
                    Self::NotHeld
                }
                Coverage::NoSuchRelease => Self::NoSuchRelease,
                Coverage::PrereleaseNotHeld => Self::NotHeld,
            }
        } else if is_expected_unknown(requirement, name) {
            Self::Expected
        } else if index
            .light(name)
            .is_some_and(|light| light.unrelated_with(requirement.extras.iter().map(AsRef::as_ref)))
        {
            Self::Unrelated
        } else {
            Self::Unknown
        }
    }

    /// Whether nplint knows enough of the package to leave it to the solve or out of it: `unknown-package` lists
    /// the requirements for which this is false.
    pub fn is_known(self) -> bool {
        matches!(self, Self::Indexed | Self::Unrelated | Self::Expected)
    }
}

/// The solver inputs of an environment (its requirements, by id); the solver leaves out those naming a package
/// outside the index.
pub(crate) fn environment_inputs(manifest: &Manifest, requirements: &[usize]) -> Vec<Input> {
    requirements
        .iter()
        .filter_map(|&id| solver_input(id, &manifest.requirements[id]))
        .collect()
}

/// What the index knows of a requirement that conda installs (an environment.yml's conda dependency, a conda
/// lock's pin) as a conda-only package of conda-forge, by its conda name. `None` for any other requirement: a
/// requirements file's `libblas` names a project PyPI does not have, and `pip:` entries are PyPI's.
pub(crate) fn conda_only(
    index: &Index,
    requirement: &Requirement,
) -> Option<nplint_index::CondaOnly> {
    let conda = requirement.conda.as_ref()?;
    if !crate::conda::installed_from_conda(requirement) {
        return None;
    }
    index.conda_only(&conda.name.to_ascii_lowercase())
}

/// Packages that no Python index has, named outside a conda lockfile: the interpreter, and conda's installer in an
/// environment.yml.
fn is_expected_unknown(requirement: &Requirement, name: &PackageName) -> bool {
    name.as_ref() == "python"
        || (requirement.origin.section == Section::Conda && name.as_ref() == "pip")
}

/// The specifiers nplint judges a requirement by: its own, but that a pin to a local version (`torch==2.1.0+cu121`,
/// `torch==1.10.0+cpu`) is judged as a pin to its public release (`torch==2.1.0`). No public index takes a local
/// version; such builds come from another index (PyTorch's serves one per CUDA version), from the same sources as
/// the public release, built against the same NumPy. Their `==` would match no release the index holds.
pub fn judged(specifiers: &VersionSpecifiers) -> Cow<'_, VersionSpecifiers> {
    use pep508_rs::pep440_rs::{Operator, VersionSpecifier};
    let local = |specifier: &VersionSpecifier| {
        *specifier.operator() == Operator::Equal && !specifier.version().local().is_empty()
    };
    if !specifiers.iter().any(local) {
        return Cow::Borrowed(specifiers);
    }
    Cow::Owned(
        specifiers
            .iter()
            .map(|specifier| {
                if local(specifier) {
                    VersionSpecifier::equals_version(specifier.version().clone().without_local())
                } else {
                    specifier.clone()
                }
            })
            .collect(),
    )
}

/// A requirement as a solver input with `id` as its handle, `None` for a URL or path requirement (its version is
/// unknown) and for an unnamed one. The one mapping from manifests to the solver, shared by `nplint check` and the
/// resolver-corpus test.
pub fn solver_input(id: usize, requirement: &Requirement) -> Option<Input> {
    if requirement.source != RequirementSource::Registry {
        return None;
    }
    Some(Input {
        id,
        name: requirement.name.clone()?,
        specifiers: judged(&requirement.specifiers).into_owned(),
        extras: requirement.extras.clone(),
        marker: requirement.marker.clone(),
        role: match requirement.role {
            ManifestRole::Requirement => Role::Requirement,
            ManifestRole::Constraint => Role::Constraint,
            ManifestRole::Override => Role::Override,
        },
        conda: crate::conda::installed_from_conda(requirement),
    })
}

/// What makes findings on several targets one: the rule and the conflict's [`ConflictKey`], or a runtime
/// finding's [`RuntimeKey`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GroupKey {
    Conflict((Kind, ConflictKey)),
    Runtime((&'static str, RuntimeKey)),
}

/// The diagnostic of a conflict, by its rule.
fn conflict_diagnostic(context: &Context, group: &Group, severity: Severity) -> Diagnostic {
    match group.kind {
        Kind::Numpy => numpy_conflict::diagnostic(context, group, severity),
        Kind::Python => python_conflict::diagnostic(context, group, severity),
    }
}

/// An environment's outcomes on its targets, sorted into findings.
#[derive(Default)]
struct Outcomes {
    /// Conflicts, grouped by rule and by what takes part, in the order first met.
    groups: IndexMap<(Kind, ConflictKey), Group>,
    /// Per platform, the Pythons on which the environment does not install.
    failing: BTreeMap<Platform, BTreeSet<PythonVersion>>,
    /// Runtime findings, grouped by rule and by the facts taking part.
    runtime_groups: IndexMap<(&'static str, RuntimeKey), RuntimeGroup>,
    /// Per platform, the Pythons on which the environment installs.
    installing: BTreeMap<Platform, BTreeSet<PythonVersion>>,
}

impl Outcomes {
    fn of(outcomes: Vec<(Target, TargetOutcome)>) -> Self {
        let mut out = Self::default();
        for (target, outcome) in outcomes {
            let (kind, conflict) = match outcome {
                TargetOutcome::Installs(finding) => {
                    out.installing
                        .entry(target.platform)
                        .or_default()
                        .insert(target.python);
                    if let Some(finding) = finding {
                        RuntimeGroup::add(&mut out.runtime_groups, finding, target);
                    }
                    continue;
                }
                TargetOutcome::Fails(conflict) => {
                    out.failing
                        .entry(target.platform)
                        .or_default()
                        .insert(target.python);
                    let Some(conflict) = conflict else {
                        continue;
                    };
                    conflict
                }
            };
            out.groups
                .entry((kind, conflict.key()))
                .or_insert_with(|| Group {
                    kind,
                    first: conflict,
                    targets: Vec::new(),
                })
                .targets
                .push(target);
        }
        out
    }
}

/// What solving an environment on one target found.
enum TargetOutcome {
    /// It installs; the runtime finding, when there is one.
    Installs(Option<runtime::Finding>),
    /// It does not; the conflict with its rule, unless no rule reports it.
    Fails(Option<(Kind, Box<Conflict>)>),
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use nplint_manifest::{Format, MemoryLoader, load};

    use super::*;
    use crate::settings::{SelectionLayer, Selector};

    /// How many targets `resolver` made a solver for.
    fn solvers_made(resolver: &Resolver) -> usize {
        resolver.solvers.made()
    }

    #[test]
    fn a_pin_to_a_local_version_is_judged_as_its_public_release() {
        let judged_text = |text: &str| judged(&text.parse().unwrap()).to_string();
        assert_eq!(judged_text("==2.1.0+cu121"), "==2.1.0");
        assert_eq!(
            judged_text("==1.10.0+cpu, !=1.10.0+rocm"),
            "==1.10.0, !=1.10.0+rocm"
        );
        // Only a pin to a local version changes; a public pin, a range and an arbitrary equality stay as written.
        let specifiers: VersionSpecifiers = "==2.1.0".parse().unwrap();
        assert!(matches!(judged(&specifiers), Cow::Borrowed(_)));
        assert_eq!(judged_text(">=2.1.0, <2.2"), ">=2.1.0, <2.2");
        assert_eq!(judged_text("===2.1.0+cu121"), "===2.1.0+cu121");
    }

    #[test]
    fn nothing_is_solved_when_no_rule_that_solves_is_selected() {
        let manifest = load(
            &PathBuf::from("requirements.txt"),
            Format::RequirementsTxt,
            &MemoryLoader::from([("requirements.txt", "tensorflow==2.5.0\nnumpy>=1.21\n")]),
        )
        .unwrap();
        let mut settings = Settings::default();
        settings.rules.apply(&SelectionLayer {
            select: Some(vec!["parse-error".parse::<Selector>().unwrap()]),
            ..SelectionLayer::default()
        });
        let index = nplint_index::IndexBuilder::new()
            .pure("tensorflow", "2.5.0", &["numpy~=1.19.2"])
            .pure("numpy", "1.19.5", &[])
            .pure("numpy", "1.21.0", &[])
            .build()
            .unwrap();
        let python = PythonVersion::new(3, 12);
        let resolver = Resolver::new(index, &[python]);
        let mut diagnostics = Vec::new();
        resolver.check(&manifest, &settings, &mut diagnostics);
        assert!(diagnostics.is_empty());
        assert_eq!(solvers_made(&resolver), 0);
        // The default selection solves, and finds the conflict.
        let settings = Settings {
            targets: TargetOptions {
                pythons: crate::targets::PythonRequest::Versions(vec![python]),
                platforms: vec![Platform::LinuxX86_64],
            },
            ..Settings::default()
        };
        resolver.check(&manifest, &settings, &mut diagnostics);
        assert!(solvers_made(&resolver) > 0);
        assert!(
            diagnostics
                .iter()
                .any(|diagnostic| diagnostic.rule == numpy_conflict::RULE.id)
        );
    }

    /// NumPy with wheels for CPython 3.8-3.13 on Linux, on an index dated 2025-01-01 (3.8 is past its end of
    /// life), and `newlib` 1.0, which needs CPython 3.11.
    fn index_with_newlib() -> &'static Index {
        use nplint_index::source::{Platform as SourcePlatform, ReleaseEntry, ReleaseKind};
        let mut numpy = ReleaseEntry::new("2.0.0", "2025-01-01T00:00:00Z", ReleaseKind::Binary);
        numpy.wheels = BTreeMap::from([(
            SourcePlatform::LinuxX86_64,
            (8..=13).map(|minor| format!("cp3{minor}")).collect(),
        )]);
        nplint_index::IndexBuilder::new()
            .release("numpy", numpy)
            .pure_for_python("newlib", "1.0", ">=3.11", &["numpy"])
            .build()
            .unwrap()
    }

    #[test]
    fn a_python_conflict_on_the_oldest_pythons_a_file_admits_raises_its_floor() {
        let text = "[project]\nname = \"x\"\nversion = \"0\"\nrequires-python = \">=3.8, <3.14\"\ndependencies = [\"newlib\"]\n";
        let manifest = load(
            &PathBuf::from("pyproject.toml"),
            Format::Pyproject,
            &MemoryLoader::from([("pyproject.toml", text)]),
        )
        .unwrap();
        let settings = Settings {
            targets: TargetOptions {
                platforms: vec![Platform::LinuxX86_64],
                ..TargetOptions::default()
            },
            ..Settings::default()
        };
        let mut diagnostics = Vec::new();
        Resolver::new(index_with_newlib(), &[]).check(&manifest, &settings, &mut diagnostics);
        let [finding] = diagnostics.as_slice() else {
            panic!("one finding: {diagnostics:#?}");
        };
        assert_eq!(finding.rule, python_conflict::RULE.id);
        let fix = finding.fix.as_ref().expect("a fix");
        assert_eq!(fix.message, "raise the Python floor to `>=3.11`");
        let [edit] = fix.edits.as_slice() else {
            panic!("one edit: {fix:#?}");
        };
        assert_eq!(edit.location.text(), ">=3.8, <3.14");
        assert_eq!(edit.replacement, ">=3.11, <3.14");
    }

    #[test]
    fn a_python_help_solves_end_of_life_pythons_only_when_no_supported_one_works() {
        let index = index_with_newlib();
        let manifest = load(
            &PathBuf::from("requirements.txt"),
            Format::RequirementsTxt,
            &MemoryLoader::from([("requirements.txt", "newlib==1.0\n")]),
        )
        .unwrap();
        let settings = Settings {
            targets: TargetOptions {
                pythons: crate::targets::PythonRequest::Versions(vec![PythonVersion::new(3, 10)]),
                platforms: vec![Platform::LinuxX86_64],
            },
            ..Settings::default()
        };
        let resolver = Resolver::new(index, &[]);
        let mut diagnostics = Vec::new();
        resolver.check(&manifest, &settings, &mut diagnostics);
        let [finding] = diagnostics.as_slice() else {
            panic!("one finding: {diagnostics:#?}");
        };
        assert_eq!(finding.rule, python_conflict::RULE.id);
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "these requirements install on Python 3.11-3.13 on linux-x86_64, with no known runtime \
                 breakage there"
            )
        );
        // 3.10, checked, and the supported 3.9 and 3.11-3.13 the help tried: not 3.8.
        assert_eq!(solvers_made(&resolver), 5);
    }
}
