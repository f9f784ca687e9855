//! The picture of an environment file that every later stage works from.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use nplint_diagnostics::{Encoding, Location, Severity, SourceFile};
use pep440_rs::VersionSpecifiers;
use pep508_rs::{ExtraName, MarkerTree, PackageName};
use serde::{Serialize, Serializer};

use crate::Format;

/// One environment file as nplint understood it.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// The file's path as given.
    pub path: PathBuf,
    pub format: Format,
    /// The encoding the file was decoded from, when not UTF-8.
    #[serde(skip_serializing_if = "Encoding::is_utf8")]
    pub encoding: Encoding,
    /// Every file read for this manifest: the root file first, then included files in the order they were read.
    #[serde(skip)]
    pub sources: Vec<Arc<SourceFile>>,
    /// Requirements in source order (an included file's requirements stand where its include line stands).
    pub requirements: Vec<Requirement>,
    /// The Python versions the file itself declares (`requires-python`, conda `python=3.8`, Poetry `python`).
    pub python: Option<PythonConstraint>,
    /// The installable environments the file defines, each a selection of `requirements`.
    pub environments: Vec<Environment>,
    /// What the parser could not interpret or chose not to read.
    pub issues: Vec<Issue>,
    /// The package indexes the file names for its installs, in order (a requirements file's `--index-url` and
    /// `--extra-index-url`, as written): where `nplint check --online` reads when no index is configured. Never
    /// fetched otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<String>,
}

impl Manifest {
    /// An empty manifest for `source`, to be filled in by a parser.
    pub(crate) fn new(format: Format, source: Arc<SourceFile>) -> Self {
        Self {
            path: source.path().to_path_buf(),
            format,
            encoding: source.encoding(),
            sources: vec![source],
            requirements: Vec::new(),
            python: None,
            environments: Vec::new(),
            issues: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// The requirements of one environment.
    pub fn environment_requirements<'a>(
        &'a self,
        environment: &'a Environment,
    ) -> impl Iterator<Item = &'a Requirement> {
        environment
            .requirements
            .iter()
            .map(|&index| &self.requirements[index])
    }
}

/// A single requirement line or entry.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// The PyPI name, PEP 503-normalized; `None` for a bare path or URL whose name only a build could tell, and for
    /// a conda package whose conda name is not a valid Python package name (`_openmp_mutex`), which
    /// [`Requirement::conda`] keeps. [`Requirement::display`] names a requirement in reports.
    #[serde(serialize_with = "display_opt")]
    pub name: Option<PackageName>,
    /// For conda dependencies: the MatchSpec as conda reads it, its name as the file writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conda: Option<CondaSpec>,
    /// The version specifiers, converted to PEP 440 from conda or Poetry syntax where needed; empty means any.
    #[serde(serialize_with = "display")]
    pub specifiers: VersionSpecifiers,
    pub source: RequirementSource,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub editable: bool,
    #[serde(serialize_with = "display_all", skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<ExtraName>,
    #[serde(serialize_with = "marker", skip_serializing_if = "MarkerTree::is_true")]
    pub marker: MarkerTree,
    pub role: Role,
    pub origin: Origin,
    /// The whole requirement, without its comment or per-line options.
    pub location: Location,
    /// The version part (`>=1.20,<2`, `=1.19`, `^1.2`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_location: Option<Location>,
}

impl Requirement {
    /// How messages quote the requirement: its text as written, or its name and version for a lockfile entry or
    /// a Pipfile entry, whose text is a table, a mapping or a TOML key-value (`numpy = ">=2"`). A conda package
    /// is named as the lock names it, with the version the lock pins: `_openmp_mutex==4.5` (no Python name),
    /// `typing_extensions==4.15.0` (a conda package other than conda's `typing-extensions`), `tzdata==2025b` (not
    /// a PEP 440 version).
    pub fn display(&self) -> String {
        match (&self.origin.section, &self.conda) {
            (Section::LockedConda, Some(conda)) => match &conda.version {
                Some(version) => format!("{}=={version}", conda.name),
                None => conda.name.clone(),
            },
            (Section::Locked | Section::LockedConda | Section::Pipfile(_), _) => {
                let name = self
                    .name
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string);
                format!("{name}{}", self.specifiers)
            }
            _ => self.location.text().to_owned(),
        }
    }
}

impl Requirement {
    /// Where the requirement stands in the file that was checked: its own location, or, for a requirement of an
    /// included file, the include line that leads to it from the root file. Findings on an environment as a whole
    /// stand there, so that they are reported in the file that was checked.
    pub fn location_in_root(&self) -> &Location {
        self.origin.include_chain.first().unwrap_or(&self.location)
    }
}

/// Where a requirement's distribution comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum RequirementSource {
    /// A package index: the version comes from resolution.
    Registry,
    /// A direct URL (`name @ https://...`, `git+https://...`): unversioned for nplint.
    Url(String),
    /// A local path (`./pkg`, `file:///...`, `-e .`): unversioned for nplint.
    Path(String),
}

/// How a requirement takes part in resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Must be installed.
    Requirement,
    /// Restricts versions if the package is installed, without requiring it (`-c`, `constraint-dependencies`).
    Constraint,
    /// Replaces every other requirement on the package (`override-dependencies`).
    Override,
}

/// Where in its file a requirement was declared.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub section: Section,
    /// The include lines (`-r`, `-c`) leading from the root file to the requirement's file, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include_chain: Vec<Location>,
}

impl Origin {
    pub fn new(section: Section) -> Self {
        Self {
            section,
            include_chain: Vec::new(),
        }
    }
}

/// The part of a file a requirement belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Section {
    /// A requirements file line.
    Requirements,
    /// A line of a constraints file included with `-c`.
    Constraints,
    /// `[project] dependencies`.
    ProjectDependencies,
    /// `[project.optional-dependencies] <extra>`.
    OptionalDependencies(ExtraName),
    /// `[dependency-groups] <group>` (PEP 735).
    DependencyGroup(String),
    /// `[build-system] requires`.
    BuildSystem,
    /// `[tool.poetry.dependencies]` (`None`) or `[tool.poetry.group.<group>.dependencies]` /
    /// `[tool.poetry.dev-dependencies]` (`Some("dev")`).
    Poetry(Option<String>),
    /// `[tool.poetry.extras] <extra>` selects optional Poetry dependencies into an extra.
    PoetryExtra(ExtraName),
    /// `[tool.uv] constraint-dependencies`.
    UvConstraints,
    /// `[tool.uv] override-dependencies`.
    UvOverrides,
    /// `[tool.uv] dev-dependencies`.
    UvDevDependencies,
    /// `[tool.pdm.dev-dependencies] <group>`.
    PdmDevDependencies(String),
    /// A `Pipfile` table of packages: `packages`, `dev-packages`.
    Pipfile(String),
    /// An environment.yml `dependencies` entry, installed by conda.
    Conda,
    /// An environment.yml `- pip:` entry.
    CondaPip,
    /// A package a lockfile pins, installed from a Python package index.
    Locked,
    /// A conda package a lockfile pins (conda-lock, pixi): it may be a system library rather than a Python
    /// package.
    LockedConda,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Requirements => f.write_str("requirements"),
            Self::Constraints => f.write_str("constraints"),
            Self::ProjectDependencies => f.write_str("project.dependencies"),
            Self::OptionalDependencies(extra) => write!(f, "project.optional-dependencies.{extra}"),
            Self::DependencyGroup(group) => write!(f, "dependency-groups.{group}"),
            Self::BuildSystem => f.write_str("build-system.requires"),
            Self::Poetry(None) => f.write_str("tool.poetry.dependencies"),
            Self::Poetry(Some(group)) => write!(f, "tool.poetry.group.{group}.dependencies"),
            Self::PoetryExtra(extra) => write!(f, "tool.poetry.extras.{extra}"),
            Self::UvConstraints => f.write_str("tool.uv.constraint-dependencies"),
            Self::UvOverrides => f.write_str("tool.uv.override-dependencies"),
            Self::UvDevDependencies => f.write_str("tool.uv.dev-dependencies"),
            Self::PdmDevDependencies(group) => write!(f, "tool.pdm.dev-dependencies.{group}"),
            Self::Pipfile(table) => f.write_str(table),
            Self::Conda => f.write_str("dependencies"),
            Self::CondaPip => f.write_str("dependencies.pip"),
            Self::Locked => f.write_str("locked"),
            Self::LockedConda => f.write_str("locked (conda)"),
        }
    }
}

impl Serialize for Section {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A conda MatchSpec, kept beside its PEP 440 reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondaSpec {
    /// The package name as conda spells it (`pytorch`, `py-opencv`).
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The version as conda reads it (`1.19`, `>=1.20,<1.22`, `1.19.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
}

/// The Python versions a file declares.
#[derive(Debug, Clone, Serialize)]
pub struct PythonConstraint {
    #[serde(serialize_with = "display")]
    pub specifiers: VersionSpecifiers,
    pub location: Location,
}

/// An installable combination of a file's requirements.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    /// `requirements`, `project`, `project[gpu]`, `group:dev`, `build-system`, `conda`, ...
    pub name: String,
    /// Indices into [`Manifest::requirements`], in source order.
    pub requirements: Vec<usize>,
    /// The one platform the environment is for, as conda names platforms (`linux-64`, `osx-arm64`, `win-64`),
    /// when the file says so (the per-platform sections of conda-lock and pixi lockfiles); `None`: any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Something a parser met that a user should know about.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub kind: IssueKind,
    pub severity: Severity,
    /// One sentence, no trailing period, names in backticks.
    pub message: String,
    pub location: Location,
    /// Shown under the primary span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Further places that explain the issue (the other end of an include cycle, the include line of a file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<(Location, String)>,
}

/// The two kinds of parser issue, which become the `parse-error` and `unread-requirements` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueKind {
    /// The input cannot be interpreted: a syntax error, an invalid requirement, a missing include. Always an error.
    Invalid,
    /// Requirements exist that nplint deliberately did not read: a remote include, an unexpanded `${VAR}`,
    /// dependencies declared `dynamic`.
    Unread,
}

impl Issue {
    /// An error: the input at `location` cannot be interpreted.
    pub fn invalid(message: impl Into<String>, location: Location) -> Self {
        Self::new(IssueKind::Invalid, Severity::Error, message, location)
    }

    /// Requirements at `location` were not read.
    pub fn unread(severity: Severity, message: impl Into<String>, location: Location) -> Self {
        Self::new(IssueKind::Unread, severity, message, location)
    }

    fn new(
        kind: IssueKind,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Self {
            kind,
            severity,
            message: message.into(),
            location,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push((location, message.into()));
        self
    }
}

fn display<T: fmt::Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

#[allow(
    clippy::ref_option,
    reason = "the signature serde's `serialize_with` requires"
)]
fn display_opt<T: fmt::Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

fn display_all<T: fmt::Display, S: Serializer>(
    values: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(values.iter().map(ToString::to_string))
}

fn marker<S: Serializer>(marker: &MarkerTree, serializer: S) -> Result<S::Ok, S::Error> {
    match marker.try_to_string() {
        Some(text) => serializer.serialize_str(&text),
        // `false`: the requirement never applies (for example `python_version < "2" and python_version > "3"`).
        None => serializer.serialize_str("python_version < '0'"),
    }
}
