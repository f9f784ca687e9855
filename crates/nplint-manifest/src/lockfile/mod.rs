//! Lockfiles: the exact versions that will be installed, one module per format, all read into the same model.
//!
//! Each locked package becomes a [`Requirement`] pinned with `==` (section [`Section::Locked`], or
//! [`Section::LockedConda`] for conda packages), located on its entry (for a TOML `[[package]]` table, from the
//! header to the version, so a finding lands on `[[package]] name = "pandas"`), with the version as its
//! `version_location`. A lockfile's environments are its locked sets: one for a single-set lock (`uv.lock`,
//! `poetry.lock`), one per group or section where the format keeps them apart (`Pipfile.lock`'s `default` and
//! `develop`), and one per environment and platform where the format locks several (`pixi.lock`,
//! `conda-lock.yml`), each with [`Environment::platform`] set so that it is checked on that platform only. A conda
//! lock pins `python` like any package; an environment holding such a pin is checked on that Python.
//!
//! Lockfiles are written by tools, so nplint reads them leniently: unknown keys are ignored, and a package entry
//! that cannot be read is an issue at that entry while the rest of the file is still read. A conda package whose
//! version is not PEP 440 (`2024a`, `1.2.13_1`) is kept without a version, silently: conda locks hold system
//! libraries whose versions follow no Python convention.

pub(crate) mod conda_lock;
pub(crate) mod graph;
pub(crate) mod pdm;
pub(crate) mod pipfile;
pub(crate) mod pixi;
pub(crate) mod poetry;
pub(crate) mod pylock;
pub(crate) mod toml;
pub(crate) mod uv;
mod yaml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use nplint_diagnostics::{Location, Severity, SourceFile, Span};
use pep440_rs::{Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{MarkerTree, PackageName};

use crate::{
    CondaSpec, Environment, Issue, Manifest, Origin, PythonConstraint, Requirement,
    RequirementSource, Role, Section,
};

/// One package entry as a lockfile states it.
#[derive(Debug, Clone)]
pub(crate) struct Locked<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub version_span: Span,
    /// Where findings about the package point.
    pub entry: Span,
    /// A PEP 508 marker under which the package is installed, when the format records one.
    pub marker: Option<(&'a str, Span)>,
    /// A conda package: its name is conda's and may name a system library.
    pub conda: Option<CondaLocked<'a>>,
}

/// What a conda package entry adds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CondaLocked<'a> {
    pub channel: Option<&'a str>,
    pub build: Option<&'a str>,
}

/// Builds a lockfile's manifest: packages, the environments that hold them, and the issues met.
pub(crate) struct LockBuilder {
    manifest: Manifest,
    file: Arc<SourceFile>,
    /// `(name, platform)` and the requirements, in the order environments were first named.
    environments: Vec<(String, Option<String>, Vec<usize>)>,
    /// What PEP 751's membership markers (`'dev' in dependency_groups`) test for the entries being read.
    requested: crate::pep508::Requested,
}

impl LockBuilder {
    pub fn new(manifest: Manifest) -> Self {
        let file = manifest.sources[0].clone();
        Self {
            manifest,
            file,
            environments: Vec::new(),
            requested: crate::pep508::Requested::default(),
        }
    }

    /// The dependency groups that PEP 751's `'<group>' in dependency_groups` markers of the entries read from now
    /// on find requested (no extras are: `'<extra>' in extras` never holds).
    pub fn request_groups(&mut self, groups: Vec<String>) {
        self.requested.groups = groups;
    }

    pub fn text(&self) -> &str {
        self.file.text()
    }

    /// The file being read, for a reader that keeps its text while adding to the builder.
    pub fn file(&self) -> Arc<SourceFile> {
        self.file.clone()
    }

    pub fn location(&self, span: Span) -> Location {
        Location::new(self.file.clone(), span)
    }

    pub fn issue(&mut self, issue: Issue) {
        self.manifest.issues.push(issue);
    }

    /// An error at `span`: the entry cannot be read.
    pub fn invalid(&mut self, message: impl Into<String>, span: Span) {
        let issue = Issue::invalid(message, self.location(span));
        self.issue(issue);
    }

    /// The Python versions the lock was made for (`requires-python = ">=3.9"`), unless already set; an invalid
    /// one is an issue.
    pub fn python(&mut self, specifiers: &str, span: Span) {
        if self.manifest.python.is_some() {
            return;
        }
        match VersionSpecifiers::from_str(specifiers) {
            Ok(specifiers) => {
                self.manifest.python = Some(PythonConstraint {
                    specifiers,
                    location: self.location(span),
                });
            }
            Err(error) => {
                let issue = Issue::invalid(
                    format!("`{specifiers}` is not a valid Python version range: {error}"),
                    self.location(span),
                );
                self.issue(issue);
            }
        }
    }

    /// Adds a locked package as a requirement and returns its index; `None` (with an issue) when its name or
    /// version cannot be read. A conda `python` package is a requirement like the others: it pins the Python of
    /// the environments that hold it (`python==3.10.14` admits CPython 3.10).
    pub fn package(&mut self, package: &Locked<'_>) -> Option<usize> {
        let location = self.location(package.entry);
        let version_location = self.location(package.version_span);
        let conda_name = package.conda.map(|_| package.name.to_ascii_lowercase());
        let pypi = match &conda_name {
            Some(conda) => crate::conda::pypi_name(conda).unwrap_or(conda),
            None => package.name,
        };
        let name = match PackageName::from_str(pypi) {
            Ok(name) => Some(name),
            // Conda system packages such as `_libgcc_mutex` have no Python name; nothing to check.
            Err(_) if package.conda.is_some() => None,
            Err(error) => {
                self.invalid(
                    format!("`{}` is not a valid package name: {error}", package.name),
                    package.entry,
                );
                return None;
            }
        };
        // A pin is `==version`: parsed as a version, which is what `==` would parse after it.
        let specifiers = match Version::from_str(package.version) {
            Ok(version) => VersionSpecifiers::from(VersionSpecifier::equals_version(version)),
            Err(_) if package.conda.is_some() => VersionSpecifiers::empty(),
            Err(error) => {
                let issue = Issue::invalid(
                    format!("`{}` is not a valid version: {error}", package.version),
                    version_location,
                )
                .with_label("not a PEP 440 version");
                self.issue(issue);
                return None;
            }
        };
        // An unreadable marker is reported and the package kept everywhere: dropping it would hide it.
        let marker = match package.marker {
            None => MarkerTree::TRUE,
            Some((marker, span)) => self.marker(marker, span),
        };
        let (section, conda) = match package.conda {
            Some(conda) => (
                Section::LockedConda,
                Some(CondaSpec {
                    name: package.name.to_owned(),
                    channel: conda.channel.map(ToOwned::to_owned),
                    version: Some(package.version.to_owned()),
                    build: conda.build.map(ToOwned::to_owned),
                }),
            ),
            None => (Section::Locked, None),
        };
        self.manifest.requirements.push(Requirement {
            name,
            specifiers,
            source: RequirementSource::Registry,
            editable: false,
            extras: Vec::new(),
            marker,
            role: Role::Requirement,
            origin: Origin::new(section),
            conda,
            location,
            version_location: Some(version_location),
        });
        Some(self.manifest.requirements.len() - 1)
    }

    /// The marker `text` (at `span`); an invalid one is an issue there, and holds everywhere. PEP 751's membership
    /// tests are decided by the groups requested ([`LockBuilder::request_groups`]).
    pub fn marker(&mut self, text: &str, span: Span) -> MarkerTree {
        match crate::pep508::lock_marker(text, &self.requested) {
            Ok(marker) => marker,
            Err(error) => {
                self.invalid(format!("invalid marker `{text}`: {}", error.message), span);
                MarkerTree::TRUE
            }
        }
    }

    /// Installs requirement `index` only where `marker` holds too.
    pub fn narrow(&mut self, index: usize, marker: MarkerTree) {
        self.manifest.requirements[index].marker.and(marker);
    }

    /// Puts requirement `index` into the environment `name` (on `platform`, a conda platform name, when the
    /// environment is for one platform only).
    pub fn add_to(&mut self, name: &str, platform: Option<&str>, index: usize) {
        let position = self
            .environments
            .iter()
            .position(|(existing, existing_platform, _)| {
                existing == name && existing_platform.as_deref() == platform
            });
        let position = position.unwrap_or_else(|| {
            self.environments
                .push((name.to_owned(), platform.map(ToOwned::to_owned), Vec::new()));
            self.environments.len() - 1
        });
        self.environments[position].2.push(index);
    }

    /// Declares an environment even if no package is added to it (an empty locked set is still a set).
    pub fn environment(&mut self, name: &str, platform: Option<&str>) {
        if !self
            .environments
            .iter()
            .any(|(existing, existing_platform, _)| {
                existing == name && existing_platform.as_deref() == platform
            })
        {
            self.environments
                .push((name.to_owned(), platform.map(ToOwned::to_owned), Vec::new()));
        }
    }

    pub fn finish(mut self) -> Manifest {
        for (name, platform, requirements) in self.environments {
            self.manifest.environments.push(Environment {
                name,
                requirements,
                platform,
            });
        }
        self.manifest
    }
}

/// The span of a one-line quoted string without its quotes.
pub(crate) fn unquoted(span: Span) -> Span {
    if span.end >= span.start + 2 {
        Span::from_range(span.start as usize + 1..span.end as usize - 1)
    } else {
        span
    }
}

/// The environment of a lockfile that locks one set: everything it locks.
pub(crate) const LOCKED: &str = "locked";

/// A TOML lockfile format, for [`read_toml_lock`]: where its packages are, and the hooks for what its entries say
/// in a way of their own. Each hook's default is what most formats share.
pub(crate) trait TomlLock {
    /// The array of tables that holds the packages (`package`; `packages` for PEP 751).
    const PACKAGES: &'static str = "package";
    /// Key paths whose values no reader needs (`package.wheels`): checked for syntax, never decoded.
    const SKIP: &'static [&'static str];
    /// The reader of the lock's dependency graph, which narrows the requirements to where the graph installs
    /// them. `None` (the default) where the format's markers say where each package is installed.
    const GRAPH: Option<ReadGraph> = None;

    /// Reads the file's Python from the root table: by default its `requires-python`.
    fn python(builder: &mut LockBuilder, root: &toml::Table<'_>) {
        if let Some((python, span)) = toml_string(builder, root, "requires-python") {
            builder.python(python, span);
        }
    }

    /// Reads from the root table what the lock installs by default, for PEP 751's membership markers: by default
    /// nothing (no format but PEP 751's writes them).
    fn requested(_builder: &mut LockBuilder, _root: &toml::Table<'_>) {}

    /// Whether a package entry is left out: the project or a path dependency, not something installed from an
    /// index. Asked once the entry has a name, before its version is read.
    fn left_out(package: &toml::Table<'_>) -> bool;

    /// The entry's marker, where the format records one per package: by default its `marker` string.
    fn marker<'t>(
        builder: &mut LockBuilder,
        package: &'t toml::Table<'_>,
    ) -> Option<(Cow<'t, str>, Span)> {
        toml_string(builder, package, "marker").map(|(marker, span)| (Cow::Borrowed(marker), span))
    }
}

/// A reader of a lock's dependency graph: the builder, the root table, the package tables and their requirements
/// (see [`graph`]).
pub(crate) type ReadGraph =
    fn(&mut LockBuilder, &toml::Table<'_>, &[toml::Table<'_>], &[Option<usize>]);

/// Reads a TOML lockfile that locks one set: its Python, then each package table, into the environment
/// [`LOCKED`], then its graph; a file that is not valid TOML is one issue at the error.
pub(crate) fn read_toml_lock<L: TomlLock>(manifest: Manifest) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let file = builder.file.clone();
    let root = match toml::parse(file.text(), L::SKIP) {
        Ok(root) => root,
        Err(error) => {
            builder.invalid(format!("invalid TOML: {}", error.message), error.span);
            return builder.finish();
        }
    };
    L::python(&mut builder, &root);
    L::requested(&mut builder, &root);
    builder.environment(LOCKED, None);
    if let Some(packages) = toml_tables(&mut builder, &root, L::PACKAGES) {
        let requirements: Vec<Option<usize>> = packages
            .iter()
            .map(|table| {
                let index = read_toml_package::<L>(&mut builder, table);
                if let Some(index) = index {
                    builder.add_to(LOCKED, None, index);
                }
                index
            })
            .collect();
        if let Some(graph) = L::GRAPH {
            graph(&mut builder, &root, packages, &requirements);
        }
    }
    builder.finish()
}

/// Reads one package table: its `name`, whether it is left out, its `version` and its marker. The index of its
/// requirement, if it is one.
fn read_toml_package<L: TomlLock>(
    builder: &mut LockBuilder,
    table: &toml::Table<'_>,
) -> Option<usize> {
    let header = table.span;
    let Some((name, name_span)) = toml_string(builder, table, "name") else {
        // A name of another type is already an issue.
        if !table.contains_key("name") {
            builder.invalid(
                format!("a `[[{}]]` entry without a `name`", L::PACKAGES),
                header,
            );
        }
        return None;
    };
    if L::left_out(table) {
        return None;
    }
    let Some((version, version_span)) = toml_string(builder, table, "version") else {
        // A version of another type is already an issue.
        if !table.contains_key("version") {
            unversioned(builder, name, name_span);
        }
        return None;
    };
    let marker = L::marker(builder, table);
    let locked = Locked {
        name,
        version,
        version_span,
        entry: toml_entry(header, name_span, version_span),
        marker: marker
            .as_ref()
            .map(|(marker, span)| (marker.as_ref(), *span)),
        conda: None,
    };
    builder.package(&locked)
}

/// Narrows each package's requirement to where `graph` reaches it (node `i` is the package of `requirements[i]`).
/// A package no root reaches keeps its marker: a lock holds what its tool resolved for the project, so such a
/// package means the graph was not read as its tool meant it (a root nplint does not know), and checking it
/// everywhere, as before the graph was read, reports too much rather than hiding a package. A graph without roots,
/// or whose markers do not settle, narrows nothing.
pub(crate) fn narrow_to_graph(
    builder: &mut LockBuilder,
    graph: &graph::Graph,
    requirements: &[Option<usize>],
) {
    if !graph.has_roots() {
        return;
    }
    let Some(reach) = graph.reach() else {
        return;
    };
    for (marker, requirement) in reach.into_iter().zip(requirements) {
        if let Some(index) = requirement
            && !marker.is_false()
            && !marker.is_true()
        {
            builder.narrow(*index, marker);
        }
    }
}

/// Parsed markers by their text: a lock repeats the same few markers on thousands of edges.
#[derive(Default)]
pub(crate) struct Markers<'t> {
    parsed: HashMap<&'t str, Option<MarkerTree>>,
}

impl<'t> Markers<'t> {
    /// The marker `text` at `span`; an invalid one is an issue there (at each occurrence), and holds everywhere.
    pub fn get(&mut self, builder: &mut LockBuilder, text: &'t str, span: Span) -> MarkerTree {
        if let Some(parsed) = self.parsed.get(text) {
            return match parsed {
                Some(marker) => marker.clone(),
                None => builder.marker(text, span),
            };
        }
        let valid = crate::pep508::marker(text).ok();
        self.parsed.insert(text, valid.clone());
        valid.unwrap_or_else(|| builder.marker(text, span))
    }
}

/// The `[[package]]` tables of a lock by normalized name: each one's position and its version, for edges that name
/// a package locked in several versions.
pub(crate) fn nodes_by_name(
    packages: &[toml::Table<'_>],
) -> HashMap<String, Vec<(usize, Option<Version>)>> {
    let mut by_name: HashMap<String, Vec<(usize, Option<Version>)>> =
        HashMap::with_capacity(packages.len());
    for (node, table) in packages.iter().enumerate() {
        if let Some(name) = table.get("name").and_then(toml::Value::as_str) {
            let version = table
                .get("version")
                .and_then(toml::Value::as_str)
                .and_then(|version| Version::from_str(version).ok());
            by_name
                .entry(normalized(name))
                .or_default()
                .push((node, version));
        }
    }
    by_name
}

/// A package name as PEP 503 normalizes it (`PyYAML`, `typing_extensions` as a Poetry key), to match names
/// across a lock's entries.
pub(crate) fn normalized(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('-');
        }
        separator = false;
        out.push(character.to_ascii_lowercase());
    }
    out
}

/// The `[[key]]` tables of `table`: `None` when there are none, or (with an issue) when `key` holds anything
/// else.
pub(crate) fn toml_tables<'t, 'i>(
    builder: &mut LockBuilder,
    table: &'t toml::Table<'i>,
    key: &str,
) -> Option<&'t [toml::Table<'i>]> {
    let value = table.get(key)?;
    let tables = value.as_array_of_tables();
    if tables.is_none() {
        builder.invalid(
            format!("`{key}` must be an array of tables (`[[{key}]]`)"),
            value.span(),
        );
    }
    tables
}

/// A string value of `table` with the span of its text between the quotes; `None` when absent, or (with an
/// issue at the value) when it is not a string.
pub(crate) fn toml_string<'t>(
    builder: &mut LockBuilder,
    table: &'t toml::Table<'_>,
    key: &str,
) -> Option<(&'t str, Span)> {
    let value = table.get(key)?;
    let Some(string) = value.as_str() else {
        builder.invalid(
            format!("`{key}` must be a string, found {}", value.describe()),
            value.span(),
        );
        return None;
    };
    Some((string, unquoted(value.span())))
}

/// Where findings about a `[[package]]` table point: from its header to its name or version, whichever ends
/// later, so that the version span lies inside it.
fn toml_entry(header: Span, name: Span, version: Span) -> Span {
    let start = header.start.min(name.start).min(version.start);
    Span::new(start, name.end.max(version.end))
}

/// An unreadable lockfile entry's warning, for formats whose entries may legitimately lack what nplint needs
/// (a path or URL dependency with no version).
pub(crate) fn unversioned(builder: &mut LockBuilder, name: &str, span: Span) {
    let issue = Issue::unread(
        Severity::Info,
        format!(
            "`{name}` is locked from a path or URL without a version; nplint does not check it"
        ),
        builder.location(span),
    );
    builder.issue(issue);
}
