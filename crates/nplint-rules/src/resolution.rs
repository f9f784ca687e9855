//! Resolution findings: every environment of a manifest solved on each of its targets, conflicts grouped by
//! explanation into `numpy-conflict` and `python-conflict` diagnostics, the targets where it installs checked
//! against runtime facts ([`crate::runtime`]: `abi-mismatch`, `removed-numpy-api`, `known-pitfall`), and the
//! requirements left out of the solve into one `unknown-package` diagnostic.
//!
//! One [`Resolver`] serves a whole run: it holds one [`Solver`] per target, shared by every manifest and
//! environment (a solver caches what it learns about releases; it is `Sync`, so files checked in parallel share
//! it). An environment's targets are solved in order, each first trying the outcome of a neighbouring target
//! ([`Solver::replay`]): the same Python on another platform, or the previous Python on the same platform.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

use nplint_diagnostics::{Diagnostic, Location, Severity};
use nplint_index::{Index, PackageName, Platform, PythonVersion, Target};
use nplint_manifest::{
    Environment, Manifest, Requirement, RequirementSource, Role as ManifestRole, Section,
};
use nplint_solver::{
    Conflict, DerivationTree, External, Input, Mode, Outcome, Role, Solver, SolverPackage,
    Transcript, Voice, explain_with,
};

use crate::rules::{numpy_conflict, python_conflict, unknown_package};
use crate::runtime;
use crate::runtime::report::RuntimeGroup;
use crate::settings::Settings;
use crate::targets::{
    PythonSource, Pythons, TargetOptions, environment_pythons, numpy_name, targets,
};

/// The rules that report a solve's outcome, or what it left out; the runtime rules are [`runtime::rules`].
const RESOLUTION_RULES: [nplint_diagnostics::RuleId; 3] = [
    numpy_conflict::RULE.id,
    python_conflict::RULE.id,
    unknown_package::RULE.id,
];

fn any_enabled(settings: &Settings, rules: &[nplint_diagnostics::RuleId]) -> bool {
    rules.iter().any(|&rule| settings.rules.is_enabled(rule))
}

/// Solves manifests' environments on their targets; see the module documentation.
#[derive(Debug)]
pub struct Resolver {
    index: &'static Index,
    pythons: Pythons,
    /// Made on first use: a run over one file needs three of the fifty, and each holds a table per package.
    solvers: BTreeMap<Target, OnceLock<Solver>>,
}

impl Resolver {
    /// A resolver over `index`, with a solver for every platform and every Python the index knows or `pythons`
    /// adds (the versions that configurations and the command line ask for).
    pub fn new(index: &'static Index, pythons: &[PythonVersion]) -> Self {
        let known = Pythons::of(index);
        let mut all: BTreeSet<PythonVersion> = known.known.iter().copied().collect();
        all.extend(pythons.iter().copied());
        let all: Vec<_> = all.into_iter().collect();
        let solvers = targets(&all, &Platform::ALL)
            .into_iter()
            .map(|target| (target, OnceLock::new()))
            .collect();
        Self {
            index,
            pythons: known,
            solvers,
        }
    }

    /// The index the resolver solves over.
    pub fn index(&self) -> &'static Index {
        self.index
    }

    pub(crate) fn solver(&self, target: Target) -> &Solver {
        // Invariant: `new` made a slot for every known or requested Python on every platform, and targets are
        // only ever built from those.
        self.solvers[&target].get_or_init(|| Solver::new(self.index, target))
    }

    /// Each target solved in target order (Python-major), reusing a neighbour's solve where the target's facts
    /// answer every question of it alike ([`Solver::replay`]): the same Python on the first platform solved, or
    /// the previous Python on the same platform.
    fn solve_targets(
        &self,
        manifest: &Manifest,
        inputs: &[Input],
        targets: &[Target],
        runtime_enabled: bool,
    ) -> Vec<(Target, TargetOutcome)> {
        let index = self.index;
        // The solves made, and for each target done, the solve whose outcome it has.
        let mut recorded: Vec<(Outcome, Transcript)> = Vec::new();
        let mut done: Vec<(Target, usize)> = Vec::with_capacity(targets.len());
        let mut outcomes = Vec::with_capacity(targets.len());
        for &target in targets {
            let solver = self.solver(target);
            let mut neighbours: Vec<usize> = Vec::with_capacity(2);
            for &(other, at) in done.iter().rev() {
                if (other.python == target.python || other.platform == target.platform)
                    && !neighbours.contains(&at)
                {
                    neighbours.push(at);
                    if neighbours.len() == 2 {
                        break;
                    }
                }
            }
            let replayed = neighbours.iter().find_map(|&at| {
                let (outcome, transcript) = &recorded[at];
                solver
                    .replay(inputs, Mode::Declared, transcript, outcome)
                    .map(|outcome| (at, outcome))
            });
            let outcome = if let Some((at, outcome)) = replayed {
                done.push((target, at));
                outcome
            } else {
                let (outcome, transcript) = solver.solve_recorded(inputs, Mode::Declared);
                done.push((target, recorded.len()));
                recorded.push((outcome.clone(), transcript));
                outcome
            };
            let outcome = match outcome {
                Outcome::Solved(solution) => TargetOutcome::Installs(
                    runtime_enabled
                        .then(|| runtime::check(index, solver, inputs, &solution))
                        .flatten(),
                ),
                Outcome::Conflict(conflict) => {
                    TargetOutcome::Fails(Kind::of(&conflict).map(|kind| {
                        let text = explain_with(&conflict, voice(manifest));
                        (kind, conflict, text)
                    }))
                }
            };
            outcomes.push((target, outcome));
        }
        outcomes
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
                    self.index
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
        let outcomes = self.solve_targets(
            manifest,
            inputs,
            &targets(&candidates, platforms),
            runtime_enabled,
        );
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
        let mut reported: BTreeSet<(&'static str, String, Vec<Target>)> = BTreeSet::new();
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
            let mut outcomes = self.solve_targets(manifest, &inputs, &all_targets, runtime_enabled);
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
                resolver: self,
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
            for ((rule, key), group) in groups {
                let severity = if installing.is_empty() || stated(&group.targets) {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                if !reported.insert((rule, key, group.targets.clone())) {
                    // The same conflict in another environment of the file (the base of `project[gpu]`).
                    continue;
                }
                diagnostics.push(context.diagnostic(&group, severity));
            }
            for ((rule, key), group) in runtime_groups {
                // An advisory finding whose only remedy is an older NumPy (no release of the package drops the
                // use) is a note: downgrading NumPy for one function is no advice.
                let severity = if group.first.is_advisory() && group.first.offers_upgrade() {
                    Severity::Warning
                } else if group.first.is_advisory() {
                    Severity::Info
                } else if stated(&group.targets) {
                    Severity::Error
                } else {
                    group.severity(&installing, &breaking)
                };
                if !reported.insert((rule, key, group.targets.clone())) {
                    continue;
                }
                diagnostics.push(context.runtime_diagnostic(&group, severity));
            }
        }
        unknown_package::check(self.index, manifest, &of_file, diagnostics);
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
    let platform = match conda_platform.as_str() {
        "linux-64" => Platform::LinuxX86_64,
        "linux-aarch64" => Platform::LinuxAarch64,
        "osx-64" => Platform::MacosX86_64,
        "osx-arm64" => Platform::MacosArm64,
        "win-64" => Platform::WindowsX86_64,
        _ => return Vec::new(),
    };
    if options.platforms.is_empty() || options.platforms.contains(&platform) {
        vec![platform]
    } else {
        Vec::new()
    }
}

/// The explanation with the target's Python and platform blanked out, so that one conflict on several targets
/// ("the target Python version (3.10)", "(the target Python version is 3.10)", "has wheels for CPython 3.6-3.9
/// only on linux-x86_64") is one finding.
pub(crate) fn grouping_key(text: &str, target: Target) -> String {
    text.replace(&format!("({})", target.python), "(*)")
        .replace(&format!("is {})", target.python), "is *)")
        .replace(target.platform.as_str(), "*")
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
        } else if indexed {
            if index
                .package(name)
                .is_some_and(|package| package.predates_history(&requirement.specifiers))
            {
                Self::Predates
            } else {
                Self::Indexed
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
        !matches!(self, Self::Direct | Self::Predates | Self::Unknown)
    }
}

/// The solver inputs of an environment (its requirements, by id); the solver leaves out those naming a package
/// outside the index.
fn environment_inputs(manifest: &Manifest, requirements: &[usize]) -> Vec<Input> {
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
        specifiers: requirement.specifiers.clone(),
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

/// An environment's outcomes on its targets, sorted into findings.
#[derive(Default)]
struct Outcomes {
    /// Conflicts, grouped by rule and explanation.
    groups: BTreeMap<(&'static str, String), Group>,
    /// Per platform, the Pythons on which the environment does not install.
    failing: BTreeMap<Platform, BTreeSet<PythonVersion>>,
    /// Runtime findings, grouped by rule and explanation.
    runtime_groups: BTreeMap<(&'static str, String), RuntimeGroup>,
    /// Per platform, the Pythons on which the environment installs.
    installing: BTreeMap<Platform, BTreeSet<PythonVersion>>,
}

impl Outcomes {
    fn of(outcomes: Vec<(Target, TargetOutcome)>) -> Self {
        let mut out = Self::default();
        for (target, outcome) in outcomes {
            let (kind, conflict, text) = match outcome {
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
                .entry((kind.rule_name(), grouping_key(&text, target)))
                .or_insert_with(|| Group {
                    kind,
                    first: conflict,
                    text,
                    targets: Vec::new(),
                })
                .targets
                .push(target);
        }
        out
    }
}

/// The Pythons an environment is checked on when it installs on no supported one, and what the findings say of
/// them: "these requirements install on", "`tensorflow==2.5.0` installs on".
#[derive(Debug, Default)]
pub(crate) struct Fallback {
    pub pythons: Vec<PythonVersion>,
    /// Who installs on them: "these requirements install on", "`tensorflow==2.5.0` installs on".
    pub subject: String,
    /// The Pythons are those the pins install on (the environment installs nowhere).
    pub pins: bool,
}

/// What solving an environment on one target found.
enum TargetOutcome {
    /// It installs; the runtime finding, when there is one.
    Installs(Option<runtime::Finding>),
    /// It does not; the conflict with its rule and explanation, unless no rule reports it.
    Fails(Option<(Kind, Box<Conflict>, String)>),
}

/// Which rule a conflict belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A package, NumPy included, has no installable release on the target's Python or platform.
    Python,
    /// The requirements on NumPy cannot be met together.
    Numpy,
}

impl Kind {
    /// `None` for a conflict that involves neither NumPy nor the target: outside nplint's rules.
    fn of(conflict: &Conflict) -> Option<Self> {
        let mut numpy = false;
        let mut python = false;
        visit(&conflict.derivation, &mut |external| match external {
            External::Custom(..) => python = true,
            External::NoVersions(package, range) => {
                python |= *package == SolverPackage::Python
                    || nplint_solver::explain::uninstallable(
                        conflict.index,
                        conflict.target,
                        package,
                        range,
                    );
                numpy |= is_numpy(package);
            }
            External::NotRoot(package, _) => {
                python |= *package == SolverPackage::Python;
                numpy |= is_numpy(package);
            }
            External::FromDependencyOf(p1, _, p2, _) => {
                python |= *p2 == SolverPackage::Python && *p1 != SolverPackage::Root;
                numpy |= is_numpy(p1) || is_numpy(p2);
            }
        });
        if python {
            Some(Kind::Python)
        } else if numpy {
            Some(Kind::Numpy)
        } else {
            None
        }
    }

    fn rule_name(self) -> &'static str {
        match self {
            Kind::Python => python_conflict::RULE.id.name,
            Kind::Numpy => numpy_conflict::RULE.id.name,
        }
    }
}

fn is_numpy(package: &SolverPackage) -> bool {
    package.name().is_some_and(|name| name.as_ref() == "numpy")
}

type Ext = External<
    SolverPackage,
    nplint_solver::Ranges<nplint_index::Version>,
    nplint_solver::Unavailable,
>;

fn visit(tree: &nplint_solver::Derivation, f: &mut impl FnMut(&Ext)) {
    match tree {
        DerivationTree::External(external) => f(external),
        DerivationTree::Derived(derived) => {
            visit(&derived.cause1, f);
            visit(&derived.cause2, f);
        }
    }
}

/// One conflict on the targets it holds on.
struct Group {
    kind: Kind,
    /// The conflict on the first target, whose explanation stands for all.
    first: Box<Conflict>,
    text: String,
    targets: Vec<Target>,
}

/// What building a diagnostic for one environment needs.
pub(crate) struct Context<'a> {
    pub resolver: &'a Resolver,
    pub manifest: &'a Manifest,
    pub inputs: &'a [Input],
    /// The Pythons checked, the fallback ones included.
    pub pythons: &'a [PythonVersion],
    /// The released Pythons the file's own constraint admits, when it states one: a `help:` names those first.
    pub admitted: Option<&'a [PythonVersion]>,
    /// The Pythons checked because the environment installs on no supported one ([`Resolver::fallback`]).
    pub fallback: &'a Fallback,
    pub platforms: &'a [Platform],
    /// The environment is one platform's section of a lockfile: findings name the platform even though it is
    /// the only one checked.
    pub platform_section: bool,
    /// Per platform, the Pythons on which the environment was found to install, and to fail.
    pub installing: &'a BTreeMap<Platform, BTreeSet<PythonVersion>>,
    pub failing: &'a BTreeMap<Platform, BTreeSet<PythonVersion>>,
    /// The targets on which it installs and then breaks (a runtime finding of any kind).
    pub breaking: &'a BTreeSet<Target>,
}

impl Context<'_> {
    fn diagnostic(&self, group: &Group, severity: Severity) -> Diagnostic {
        let conflict = &group.first;
        let requirements = &self.manifest.requirements;
        let is_numpy_line = |id: &&usize| requirements[**id].name.as_ref() == Some(&numpy_name());
        let primary = conflict
            .inputs
            .iter()
            .find(is_numpy_line)
            .or_else(|| conflict.inputs.first())
            .copied();
        let location = primary.map_or_else(
            || {
                self.manifest.python.as_ref().map_or_else(
                    || Location::file_start(self.manifest.sources[0].clone()),
                    |python| python.location.clone(),
                )
            },
            |id| requirements[id].location.clone(),
        );
        let where_ = self.where_(&group.targets, false);
        let (rule, message, help) = match group.kind {
            Kind::Numpy => (
                &numpy_conflict::RULE,
                format!("no version of `numpy` satisfies these requirements{where_}"),
                self.numpy_help(conflict),
            ),
            Kind::Python => (
                &python_conflict::RULE,
                format!(
                    "{} no installable release{where_}",
                    unavailable_subject(conflict)
                ),
                self.python_help(conflict.target),
            ),
        };
        let mut diagnostic = Diagnostic::new(rule.id, severity, message, location);
        for &id in &conflict.inputs {
            let label = label(&requirements[id], conflict);
            if Some(id) == primary {
                diagnostic.primary_label = Some(label);
            } else {
                diagnostic = diagnostic.with_label(requirements[id].location.clone(), label);
            }
        }
        diagnostic.explanation = Some(group.text.clone());
        diagnostic.help = help;
        crate::conda::note_pypi_metadata(&mut diagnostic, conflict);
        diagnostic.targets = diagnostic_targets(&group.targets);
        diagnostic
    }

    /// ` on Python 3.8 and 3.9`, ` on linux-x86_64`, or nothing when the finding holds on every target. A finding
    /// on the fallback Pythons says why they were checked: a runtime finding (`installs`) ` on Python 3.7 and 3.8,
    /// the only Pythons these requirements install on`; a conflict there, where they do not install on that
    /// platform, ` (these requirements install on no supported Python)`, or, when checked on the Pythons the pins
    /// install on, `, the only Pythons `tensorflow==2.5.0` installs on`.
    pub(crate) fn where_(&self, group: &[Target], installs: bool) -> String {
        let pythons: BTreeSet<PythonVersion> = group.iter().map(|target| target.python).collect();
        let platforms: BTreeSet<Platform> = group.iter().map(|target| target.platform).collect();
        let mut out = String::new();
        let on_fallback = !self.fallback.pythons.is_empty()
            && pythons
                .iter()
                .all(|python| self.fallback.pythons.contains(python));
        if pythons.len() < self.pythons.len() {
            out.push_str(" on Python ");
            out.push_str(&python_list(&pythons.into_iter().collect::<Vec<_>>()));
        }
        if platforms.len() < self.platforms.len() || self.platform_section {
            let names: Vec<String> = platforms.iter().map(ToString::to_string).collect();
            out.push_str(" on ");
            out.push_str(&and_list(&names));
        }
        if on_fallback {
            if installs || self.fallback.pins {
                let _ = write!(
                    out,
                    ", the only {} {}",
                    if self.fallback.pythons.len() == 1 {
                        "Python"
                    } else {
                        "Pythons"
                    },
                    self.fallback.subject
                );
            } else {
                out.push_str(" (these requirements install on no supported Python)");
            }
        }
        out
    }

    /// Solves again without the user's NumPy requirements: the NumPy version the rest admits (and works with at
    /// runtime, where one does) is the change.
    fn numpy_help(&self, conflict: &Conflict) -> Option<String> {
        let numpy = numpy_name();
        let numpy_lines: Vec<&Input> = self
            .inputs
            .iter()
            .filter(|input| input.name == numpy)
            .collect();
        if numpy_lines.is_empty() {
            return None;
        }
        let rest: Vec<Input> = self
            .inputs
            .iter()
            .filter(|input| input.name != numpy)
            .cloned()
            .collect();
        let shown: Vec<String> = numpy_lines
            .iter()
            .map(|input| format!("`{}`", self.manifest.requirements[input.id].display()))
            .collect();
        // The NumPy that works at runtime with the rest, where there is one: a version that installs but then
        // fails at import would contradict the environment's runtime findings.
        let solver = self.resolver.solver(conflict.target);
        let outcome = match solver.solve_runtime(&rest) {
            Outcome::Solved(solution) => Outcome::Solved(solution),
            Outcome::Conflict(_) => solver.solve(&rest),
        };
        match outcome {
            Outcome::Solved(solution) => {
                let version = solution.versions.get(&numpy)?;
                Some(match voice(self.manifest) {
                    Voice::Requirements => format!(
                        "`numpy=={version}` satisfies the rest of the requirements: relax or drop {}",
                        and_list(&shown)
                    ),
                    // A lock is written by its tool: the pin changes by locking again.
                    Voice::Lock => format!(
                        "`numpy=={version}` satisfies the rest of the lock: lock again instead of pinning {}",
                        and_list(&shown)
                    ),
                })
            }
            Outcome::Conflict(_) => None,
        }
    }

    /// The released Python versions on which the environment installs on the same platform and has no runtime
    /// finding (those the file admits, else supported ones, else any), so that the help never sends the user to a
    /// target where another finding fails; `None` when there is none, where another finding (a NumPy conflict, a
    /// platform without wheels, a runtime breakage) is the real cause.
    fn python_help(&self, target: Target) -> Option<String> {
        let index = self.resolver.index();
        let works = |pythons: &[PythonVersion]| -> Vec<PythonVersion> {
            pythons
                .iter()
                .copied()
                .filter(|&python| {
                    let here = Target::new(python, target.platform);
                    let found = |outcomes: &BTreeMap<Platform, BTreeSet<PythonVersion>>| {
                        outcomes
                            .get(&target.platform)
                            .is_some_and(|pythons| pythons.contains(&python))
                    };
                    // The targets of the check are solved already; only the other Pythons need a solve.
                    if found(self.installing) {
                        !self.breaking.contains(&here)
                    } else if found(self.failing) {
                        false
                    } else {
                        let solver = self.resolver.solver(here);
                        match solver.solve(self.inputs) {
                            Outcome::Solved(solution) => {
                                runtime::check(index, solver, self.inputs, &solution).is_none()
                            }
                            Outcome::Conflict(_) => false,
                        }
                    }
                })
                .collect()
        };
        // The Pythons the file admits; when none works there, the released ones, supported first (an end-of-life
        // Python is named only when no supported one works).
        let mut working = match self.admitted {
            Some(admitted) => works(admitted),
            None => Vec::new(),
        };
        if working.is_empty() {
            working = works(&self.resolver.pythons.released);
            let supported = &self.resolver.pythons.supported;
            if working.iter().any(|python| supported.contains(python)) {
                working.retain(|python| supported.contains(python));
            }
        }
        (!working.is_empty()).then(|| {
            format!(
                "these requirements install on Python {} on {}, with no known runtime breakage there",
                python_list(&working),
                target.platform
            )
        })
    }
}

/// `numpy 1.19.5 has` / `tensorflow 2.5.0 and numpy 1.19.5 have`: the packages whose releases were unavailable.
fn unavailable_subject(conflict: &Conflict) -> String {
    let mut names = BTreeSet::new();
    visit(&conflict.derivation, &mut |external| match external {
        External::Custom(package, _, _) => {
            names.insert(package.to_string());
        }
        External::NoVersions(package, range)
            if nplint_solver::explain::uninstallable(
                conflict.index,
                conflict.target,
                package,
                range,
            ) =>
        {
            names.insert(package.to_string());
        }
        External::FromDependencyOf(p1, _, SolverPackage::Python, _)
            if *p1 != SolverPackage::Root =>
        {
            names.insert(p1.to_string());
        }
        _ => {}
    });
    let names: Vec<String> = names.into_iter().map(|name| format!("`{name}`")).collect();
    match names.len() {
        0 => "a required package has".to_owned(),
        1 => format!("{} has", names[0]),
        _ => format!("{} have", and_list(&names)),
    }
}

/// What a user line requires, as the derivation states it where it can.
pub(crate) fn label(requirement: &Requirement, conflict: &Conflict) -> String {
    let mut found = None;
    visit(&conflict.derivation, &mut |external| {
        // Every release in the range needs another Python: "`numpy>=2.1` requires `python>=3.10`".
        if let External::NoVersions(package, range) = external
            && found.is_none()
            && package.name() == requirement.name.as_ref()
            && let Some(python) = nplint_solver::explain::python_needed_by(
                conflict.index,
                conflict.target,
                package,
                range,
            )
        {
            found = Some(format!(
                "`{}` requires `{}`",
                requirement.display(),
                nplint_solver::explain::requirement(&SolverPackage::Python, &python)
            ));
        }
        if let External::FromDependencyOf(p1, r1, p2, r2) = external
            && found.is_none()
            && p1.name() == requirement.name.as_ref()
            && (is_numpy(p2) || *p2 == SolverPackage::Python)
        {
            // A range of several segments (`pandas==1.3.0 | ==1.3.1 | ...`) reads worse than the user's line.
            let from = if r1.iter().count() == 1 {
                nplint_solver::explain::requirement(p1, r1)
            } else {
                requirement.display()
            };
            found = Some(format!(
                "`{from}` requires `{}`",
                nplint_solver::explain::requirement(p2, r2)
            ));
        }
    });
    let found = crate::conda::label(requirement, conflict, found);
    found.unwrap_or_else(|| {
        let verb = if is_locked(requirement) {
            "locks"
        } else {
            "requires"
        };
        format!("{verb} `{}`", requirement.display())
    })
}

/// Whether a requirement is a lockfile's pin.
pub(crate) fn is_locked(requirement: &Requirement) -> bool {
    matches!(
        requirement.origin.section,
        Section::Locked | Section::LockedConda
    )
}

/// How explanations name a manifest's requirements: a lockfile's are the lock's pins.
pub(crate) fn voice(manifest: &Manifest) -> Voice {
    if !manifest.requirements.is_empty() && manifest.requirements.iter().all(is_locked) {
        Voice::Lock
    } else {
        Voice::Requirements
    }
}

/// Targets as a diagnostic carries them.
pub(crate) fn diagnostic_targets(targets: &[Target]) -> Vec<nplint_diagnostics::Target> {
    targets
        .iter()
        .map(|target| nplint_diagnostics::Target {
            python: target.python.to_string(),
            platform: target.platform.to_string(),
        })
        .collect()
}

/// `3.8`, `3.8 and 3.9`, `3.6, 3.10 and 3.11`; runs of three or more as `3.10-3.13`.
fn python_list(pythons: &[PythonVersion]) -> String {
    let mut parts = Vec::new();
    let mut start = 0;
    while start < pythons.len() {
        let mut end = start;
        while end + 1 < pythons.len()
            && pythons[end + 1].major == pythons[end].major
            && pythons[end + 1].minor == pythons[end].minor + 1
        {
            end += 1;
        }
        if end - start >= 2 {
            parts.push(format!("{}-{}", pythons[start], pythons[end]));
        } else {
            parts.extend(pythons[start..=end].iter().map(ToString::to_string));
        }
        start = end + 1;
    }
    and_list(&parts)
}

pub(crate) fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use nplint_manifest::{Format, MemoryLoader, load};

    use super::*;
    use crate::settings::{SelectionLayer, Selector};

    /// How many targets `resolver` made a solver for.
    fn solvers_made(resolver: &Resolver) -> usize {
        resolver
            .solvers
            .values()
            .filter(|solver| solver.get().is_some())
            .count()
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
        let resolver = Resolver::new(Index::embedded(), &[]);
        let mut diagnostics = Vec::new();
        resolver.check(&manifest, &settings, &mut diagnostics);
        assert!(diagnostics.is_empty());
        assert_eq!(solvers_made(&resolver), 0);
        // The default selection solves, and finds the conflict.
        resolver.check(&manifest, &Settings::default(), &mut diagnostics);
        assert!(solvers_made(&resolver) > 0);
        assert!(
            diagnostics
                .iter()
                .any(|diagnostic| diagnostic.rule == numpy_conflict::RULE.id)
        );
    }

    #[test]
    fn python_lists_read_naturally() {
        let v = |minor| PythonVersion::new(3, minor);
        assert_eq!(python_list(&[v(8)]), "3.8");
        assert_eq!(python_list(&[v(8), v(9)]), "3.8 and 3.9");
        assert_eq!(
            python_list(&[v(6), v(10), v(11), v(12)]),
            "3.6 and 3.10-3.12"
        );
    }
}
