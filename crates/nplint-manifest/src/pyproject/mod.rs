//! `pyproject.toml`: PEP 621 `[project]`, PEP 735 `[dependency-groups]`, `[build-system]`, and the dependency
//! tables of Poetry, uv and PDM.
//!
//! Spans come from toml_edit's immutable parse, which keeps them on keys and values. A PEP 508 string is parsed
//! by [`crate::pep508`] and its spans shifted by the string's position; when the source between the quotes is not
//! the decoded value (escapes, line continuations) only the whole string can be pointed at.
//!
//! Environments (their names are part of nplint's output):
//!
//! - `project`: `[project] dependencies`, or Poetry's main dependencies when there is no `[project]
//!   dependencies`, plus uv's constraints and overrides.
//! - `project[<extra>]`: `project` plus the extra (`[project.optional-dependencies]`, or the optional Poetry
//!   dependencies that `[tool.poetry.extras]` lists). A self-reference (`myproj[gpu]` in the `all` extra) is kept
//!   as a requirement but stands for the referenced extras in environments, as pip installs it.
//! - `group:<name>`: `project` plus a dependency group (PEP 735, Poetry, PDM, and uv's `dev-dependencies` as
//!   `dev`), with `include-group`s expanded. uv, Poetry and PDM install a group together with the project, so the
//!   group's environment does too. Groups of the same normalized name from different tables are one environment.
//! - `build-system`: `[build-system] requires` alone; uv's constraints and overrides do not apply to builds.

mod poetry;
pub(crate) mod poetry_constraint;
pub(crate) mod toml;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use nplint_diagnostics::{Location, Severity, SourceFile, Span};
use pep440_rs::VersionSpecifiers;
use pep508_rs::{ExtraName, MarkerTree, PackageName};
use toml_edit::{Item, TableLike};

use crate::pep508;
use crate::{
    Environment, Issue, Loader, Manifest, Origin, PythonConstraint, Requirement, RequirementSource,
    Role, Section,
};

pub(crate) fn parse(mut manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let file = manifest.sources[0].clone();
    let Some(document) = toml::document(&mut manifest, &file) else {
        return manifest;
    };
    let mut reader = Reader::new(file.clone());
    reader.read(document.as_table());
    reader.finish(manifest)
}

/// What the tables of one file contribute, collected before environments are assembled.
pub(super) struct Reader {
    file: Arc<SourceFile>,
    requirements: Vec<Requirement>,
    issues: Vec<Issue>,
    python: Option<PythonConstraint>,
    /// The project's own name, to recognise self-references (`myproj[gpu]`).
    project_name: Option<PackageName>,
    /// Whether the file defines a project (`[project]` or Poetry's main dependencies).
    defines_project: bool,
    project: Vec<usize>,
    /// Constraints and overrides, which apply to every environment but `build-system`.
    shared: Vec<usize>,
    extras: Vec<Extra>,
    extra_index: HashMap<ExtraName, usize>,
    groups: Vec<Group>,
    group_index: HashMap<String, usize>,
    build_system: Option<Vec<usize>>,
}

struct Extra {
    name: ExtraName,
    requirements: Vec<usize>,
    /// Extras of the project itself that this one pulls in.
    self_extras: Vec<ExtraName>,
}

struct Group {
    /// Normalized as PEP 735 asks (the PEP 503 rule).
    name: String,
    requirements: Vec<usize>,
    self_extras: Vec<ExtraName>,
    includes: Vec<Include>,
}

struct Include {
    group: String,
    location: Location,
}

/// PEP 735 group names compare as PEP 503 package names: lowercased, runs of `-`, `_` and `.` as one `-`.
fn normalize_group(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !normalized.ends_with('-') {
                normalized.push('-');
            }
        } else {
            normalized.extend(c.to_lowercase());
        }
    }
    normalized
}

impl Reader {
    fn new(file: Arc<SourceFile>) -> Self {
        Self {
            file,
            requirements: Vec::new(),
            issues: Vec::new(),
            python: None,
            project_name: None,
            defines_project: false,
            project: Vec::new(),
            shared: Vec::new(),
            extras: Vec::new(),
            extra_index: HashMap::new(),
            groups: Vec::new(),
            group_index: HashMap::new(),
            build_system: None,
        }
    }

    fn read(&mut self, root: &dyn TableLike) {
        let project = root
            .get("project")
            .and_then(|item| self.table(item, "project"));
        let tool = root.get("tool").and_then(|item| self.table(item, "tool"));
        let poetry = tool
            .and_then(|tool| tool.get("poetry"))
            .and_then(|item| self.table(item, "tool.poetry"));

        self.project_name = project
            .and_then(|project| project.get("name"))
            .or_else(|| poetry.and_then(|poetry| poetry.get("name")))
            .and_then(Item::as_str)
            .and_then(|name| PackageName::from_str(name).ok());

        let mut has_project_dependencies = false;
        if let Some(project) = project {
            has_project_dependencies = project.contains_key("dependencies");
            self.read_project(project);
        }
        if let Some(item) = root.get("build-system") {
            self.read_build_system(item);
        }
        if let Some(item) = root.get("dependency-groups") {
            self.read_dependency_groups(item);
        }
        if let Some(uv) = tool
            .and_then(|tool| tool.get("uv"))
            .and_then(|item| self.table(item, "tool.uv"))
        {
            self.read_uv(uv);
        }
        if let Some(dev) = tool
            .and_then(|tool| tool.get("pdm"))
            .and_then(|item| self.table(item, "tool.pdm"))
            .and_then(|pdm| pdm.get("dev-dependencies"))
        {
            self.read_pdm(dev);
        }
        if let Some(poetry) = poetry {
            poetry::read(self, poetry, has_project_dependencies);
        }
        if let Some(sources) = tool
            .and_then(|tool| tool.get("uv"))
            .and_then(Item::as_table_like)
            .and_then(|uv| uv.get("sources"))
            .and_then(Item::as_table_like)
        {
            self.apply_uv_sources(sources);
        }
    }

    /// `[tool.uv.sources]`: uv takes a dependency named there from a workspace member, a path, a Git repository or
    /// a URL instead of the index (`index = "..."` is still an index). Such a requirement is not a registry
    /// requirement, as if written `name @ url`. A name with several sources (a list, each under a marker) is
    /// changed only when none of them is an index. uv applies sources to the project's dependencies, extras and
    /// groups, not to `build-system.requires`; a constraint or override keeps its meaning.
    fn apply_uv_sources(&mut self, sources: &dyn TableLike) {
        for (name, item) in sources.iter() {
            let entries: Vec<&dyn TableLike> = match item {
                Item::Value(toml_edit::Value::Array(array)) => array
                    .iter()
                    .filter_map(toml_edit::Value::as_inline_table)
                    .map(|table| table as &dyn TableLike)
                    .collect(),
                Item::ArrayOfTables(tables) => {
                    tables.iter().map(|table| table as &dyn TableLike).collect()
                }
                item => item.as_table_like().into_iter().collect(),
            };
            let direct: Option<Vec<RequirementSource>> = entries
                .iter()
                .map(|entry| uv_source(*entry))
                .collect::<Option<Vec<_>>>();
            let Some(source) = direct.and_then(|all| all.into_iter().next()) else {
                continue;
            };
            let Ok(name) = PackageName::from_str(name) else {
                continue;
            };
            for requirement in &mut self.requirements {
                if requirement.source == RequirementSource::Registry
                    && requirement.role == Role::Requirement
                    && requirement.origin.section != Section::BuildSystem
                    && requirement.name.as_ref().is_some_and(|own| *own == name)
                {
                    requirement.source = source.clone();
                }
            }
        }
    }

    fn push(&mut self, requirement: Requirement) -> usize {
        self.requirements.push(requirement);
        self.requirements.len() - 1
    }

    fn read_project(&mut self, project: &dyn TableLike) {
        self.defines_project = true;

        if let Some(item) = project.get("requires-python") {
            self.read_requires_python(item);
        }
        if let Some(item) = project.get("dependencies") {
            let indices = self.pep508_array(
                item,
                "project.dependencies",
                &Section::ProjectDependencies,
                Role::Requirement,
            );
            self.project.extend(indices);
        }
        if let Some(item) = project.get("optional-dependencies")
            && let Some(table) = self.table(item, "project.optional-dependencies")
        {
            for (name, item) in table.iter() {
                let path = format!("project.optional-dependencies.{name}");
                let Ok(extra) = ExtraName::from_str(name) else {
                    let key = table.key(name).expect("iterated keys exist");
                    self.issues.push(Issue::invalid(
                        format!("`{name}` is not a valid extra name"),
                        self.key_location(key),
                    ));
                    continue;
                };
                let section = Section::OptionalDependencies(extra.clone());
                let indices = self.pep508_array(item, &path, &section, Role::Requirement);
                let (requirements, self_extras) = self.split_self_references(indices);
                let extra = self.extra(extra);
                extra.requirements.extend(requirements);
                extra.self_extras.extend(self_extras);
            }
        }
        if let Some(item) = project.get("dynamic") {
            self.read_dynamic(project, item);
        }
    }

    fn read_requires_python(&mut self, item: &Item) {
        let Some(string) = self.string(item, "project.requires-python") else {
            return;
        };
        let location = self.location(string.trimmed_span(self.file.text()));
        match VersionSpecifiers::from_str(string.value) {
            Ok(specifiers) => {
                self.python = Some(PythonConstraint {
                    specifiers,
                    location,
                });
            }
            Err(error) => self.issues.push(Issue::invalid(
                format!(
                    "invalid `project.requires-python`: {}",
                    first_line(&error.to_string())
                ),
                location,
            )),
        }
    }

    /// `dynamic = ["dependencies"]`: a build backend computes the field, so there is nothing to read.
    fn read_dynamic(&mut self, project: &dyn TableLike, item: &Item) {
        let Some(array) = self.array(item, "project.dynamic") else {
            return;
        };
        for value in array {
            let Some(field) = self.string_value(value, "project.dynamic") else {
                continue;
            };
            if !matches!(field.value, "dependencies" | "optional-dependencies") {
                continue;
            }
            let location = self.location(field.trimmed_span(self.file.text()));
            if let Some(key) = project.key(field.value) {
                let issue = Issue::invalid(
                    format!(
                        "`project.{}` is listed in `project.dynamic` but also given",
                        field.value
                    ),
                    self.key_location(key),
                )
                .with_related(location, "declared dynamic here")
                .with_help("a field is either given or dynamic, not both (PEP 621)");
                self.issues.push(issue);
            } else {
                self.issues.push(
                    Issue::unread(
                        Severity::Info,
                        format!(
                            "`project.{}` was not read because it is dynamic: a build backend computes it",
                            field.value
                        ),
                        location,
                    )
                    .with_label("computed at build time"),
                );
            }
        }
    }

    fn read_build_system(&mut self, item: &Item) {
        let Some(build_system) = self.table(item, "build-system") else {
            return;
        };
        if let Some(item) = build_system.get("requires") {
            let indices = self.pep508_array(
                item,
                "build-system.requires",
                &Section::BuildSystem,
                Role::Requirement,
            );
            self.build_system = Some(indices);
        }
    }

    fn read_dependency_groups(&mut self, item: &Item) {
        let Some(table) = self.table(item, "dependency-groups") else {
            return;
        };
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (name, item) in table.iter() {
            let key = table.key(name).expect("iterated keys exist");
            let normalized = normalize_group(name);
            if let Some(first) = seen.insert(normalized.clone(), name) {
                self.issues.push(Issue::invalid(
                    format!("dependency group `{name}` is a second definition of `{first}` (names are normalized)"),
                    self.key_location(key),
                ));
                continue;
            }
            let path = format!("dependency-groups.{name}");
            let Some(array) = self.array(item, &path) else {
                // Still define the group, so that including it is not reported as unknown.
                self.group(&normalized);
                continue;
            };
            let mut indices = Vec::new();
            let mut includes = Vec::new();
            for value in array {
                if let Some(include) = value.as_inline_table() {
                    if let Some(include) = self.read_include(include, value, &path) {
                        includes.push(include);
                    }
                    continue;
                }
                if !value.is_str() {
                    self.issues.push(Issue::invalid(
                        format!(
                            "expected a string or an `{{include-group = \"...\"}}` table in `{path}`, found {}",
                            toml::describe(&Item::Value(value.clone()))
                        ),
                        self.value_location(value),
                    ));
                    continue;
                }
                let section = Section::DependencyGroup(name.to_owned());
                indices.extend(self.pep508_value(value, &path, &section, Role::Requirement));
            }
            let (requirements, self_extras) = self.split_self_references(indices);
            let group = self.group(&normalized);
            group.requirements.extend(requirements);
            group.self_extras.extend(self_extras);
            group.includes.extend(includes);
        }
    }

    fn read_include(
        &mut self,
        table: &toml_edit::InlineTable,
        value: &toml_edit::Value,
        path: &str,
    ) -> Option<Include> {
        let other = table
            .iter()
            .map(|(key, _)| key)
            .find(|&key| key != "include-group");
        if let Some(other) = other {
            self.issues.push(Issue::invalid(
                format!("unexpected key `{other}` in a table of `{path}`, only `include-group` is allowed"),
                self.value_location(value),
            ));
            return None;
        }
        let Some(target) = table.get("include-group") else {
            self.issues.push(Issue::invalid(
                format!("expected `include-group` in a table of `{path}`"),
                self.value_location(value),
            ));
            return None;
        };
        let target = self.string_value(target, &format!("{path}.include-group"))?;
        Some(Include {
            group: normalize_group(target.value),
            location: self.value_location(value),
        })
    }

    fn read_uv(&mut self, uv: &dyn TableLike) {
        if let Some(item) = uv.get("constraint-dependencies") {
            let indices = self.pep508_array(
                item,
                "tool.uv.constraint-dependencies",
                &Section::UvConstraints,
                Role::Constraint,
            );
            self.shared.extend(indices);
        }
        if let Some(item) = uv.get("override-dependencies") {
            let indices = self.pep508_array(
                item,
                "tool.uv.override-dependencies",
                &Section::UvOverrides,
                Role::Override,
            );
            self.shared.extend(indices);
        }
        if let Some(item) = uv.get("dev-dependencies") {
            let indices = self.pep508_array(
                item,
                "tool.uv.dev-dependencies",
                &Section::UvDevDependencies,
                Role::Requirement,
            );
            let (requirements, self_extras) = self.split_self_references(indices);
            let group = self.group("dev");
            group.requirements.extend(requirements);
            group.self_extras.extend(self_extras);
        }
    }

    fn read_pdm(&mut self, item: &Item) {
        let Some(table) = self.table(item, "tool.pdm.dev-dependencies") else {
            return;
        };
        for (name, item) in table.iter() {
            let path = format!("tool.pdm.dev-dependencies.{name}");
            let Some(array) = self.array(item, &path) else {
                continue;
            };
            let section = Section::PdmDevDependencies(name.to_owned());
            let mut indices = Vec::new();
            for value in array {
                let editable = value
                    .as_str()
                    .map(str::trim_start)
                    .and_then(|text| text.strip_prefix("-e"));
                match editable {
                    Some(rest) if rest.starts_with(char::is_whitespace) => {
                        indices.extend(self.pdm_editable(value, &path, &section));
                    }
                    _ => {
                        indices.extend(self.pep508_value(
                            value,
                            &path,
                            &section,
                            Role::Requirement,
                        ));
                    }
                }
            }
            let (requirements, self_extras) = self.split_self_references(indices);
            let group = self.group(&normalize_group(name));
            group.requirements.extend(requirements);
            group.self_extras.extend(self_extras);
        }
    }

    /// PDM's `-e <path or url>` entries (`-e file:///${PROJECT_ROOT}/libs/core#egg=core`): editable, unversioned.
    fn pdm_editable(
        &mut self,
        value: &toml_edit::Value,
        path: &str,
        section: &Section,
    ) -> Option<usize> {
        let string = self.string_value(value, path)?;
        let target = string
            .value
            .trim()
            .strip_prefix("-e")
            .unwrap_or_default()
            .trim();
        let name = target
            .split_once("#egg=")
            .and_then(|(_, egg)| PackageName::from_str(egg.split('&').next().unwrap_or(egg)).ok());
        let source = source_of(target);
        let requirement = Requirement {
            name,
            specifiers: VersionSpecifiers::empty(),
            source,
            editable: true,
            extras: Vec::new(),
            marker: MarkerTree::TRUE,
            role: Role::Requirement,
            origin: Origin::new(section.clone()),
            conda: None,
            location: self.location(string.trimmed_span(self.file.text())),
            version_location: None,
        };
        Some(self.push(requirement))
    }

    fn extra(&mut self, name: ExtraName) -> &mut Extra {
        let extras = &mut self.extras;
        let index = *self.extra_index.entry(name.clone()).or_insert_with(|| {
            extras.push(Extra {
                name,
                requirements: Vec::new(),
                self_extras: Vec::new(),
            });
            extras.len() - 1
        });
        &mut self.extras[index]
    }

    fn group(&mut self, normalized: &str) -> &mut Group {
        let groups = &mut self.groups;
        let index = *self
            .group_index
            .entry(normalized.to_owned())
            .or_insert_with(|| {
                groups.push(Group {
                    name: normalized.to_owned(),
                    requirements: Vec::new(),
                    self_extras: Vec::new(),
                    includes: Vec::new(),
                });
                groups.len() - 1
            });
        &mut self.groups[index]
    }

    /// Separate requirements on the project itself (`myproj[gpu]`) from the rest; the former contribute their
    /// extras instead.
    fn split_self_references(&self, indices: Vec<usize>) -> (Vec<usize>, Vec<ExtraName>) {
        let Some(project) = &self.project_name else {
            return (indices, Vec::new());
        };
        let mut requirements = Vec::new();
        let mut extras = Vec::new();
        for index in indices {
            let requirement = &self.requirements[index];
            if requirement.name.as_ref() == Some(project) && requirement.role == Role::Requirement {
                extras.extend(requirement.extras.iter().cloned());
            } else {
                requirements.push(index);
            }
        }
        (requirements, extras)
    }

    /// An array of PEP 508 strings.
    fn pep508_array(
        &mut self,
        item: &Item,
        path: &str,
        section: &Section,
        role: Role,
    ) -> Vec<usize> {
        let Some(array) = self.array(item, path) else {
            return Vec::new();
        };
        array
            .iter()
            .filter_map(|value| self.pep508_value(value, path, section, role))
            .collect()
    }

    /// One PEP 508 string: a requirement, or an issue.
    fn pep508_value(
        &mut self,
        value: &toml_edit::Value,
        path: &str,
        section: &Section,
        role: Role,
    ) -> Option<usize> {
        let string = self.string_value(value, path)?;
        let input = string.value.trim();
        let span = string.trimmed_span(self.file.text());
        if input.is_empty() {
            self.issues.push(Issue::invalid(
                format!("empty requirement in `{path}`"),
                self.value_location(value),
            ));
            return None;
        }
        // Offsets into `input` are offsets into the file only when the string holds its value verbatim.
        let shift = |relative: Span| {
            if string.exact {
                relative.shift(span.start)
            } else {
                span
            }
        };
        match pep508::parse(input) {
            Ok(parsed) => {
                let version_location = if parsed.specifiers.is_empty() {
                    None
                } else {
                    Some(self.location(parsed.version_span.map_or(span, shift)))
                };
                let source = parsed
                    .url
                    .as_deref()
                    .map_or(RequirementSource::Registry, source_of);
                let requirement = Requirement {
                    name: Some(parsed.name),
                    specifiers: parsed.specifiers,
                    source,
                    editable: false,
                    extras: parsed.extras,
                    marker: parsed.marker,
                    role,
                    origin: Origin::new(section.clone()),
                    conda: None,
                    location: self.location(span),
                    version_location,
                };
                Some(self.push(requirement))
            }
            Err(failure) if failure.kind == pep508::FailureKind::ArbitraryEquality => {
                self.issues.push(
                    Issue::unread(
                        Severity::Warning,
                        format!("requirement `{input}` was not read: {}", failure.message),
                        self.location(shift(failure.span)),
                    )
                    .with_label("arbitrary equality")
                    .with_help(
                        "nplint checks versions; pin a PEP 440 version with `==` to have it checked",
                    ),
                );
                None
            }
            Err(failure) => {
                let issue = Issue::invalid(
                    first_line(&failure.message),
                    self.location(shift(failure.span)),
                )
                .with_label(format!("in `{path}`"));
                self.issues.push(issue);
                None
            }
        }
    }

    /// Report `include-group`s naming unknown groups or closing a cycle, each at the entry.
    fn check_includes(&mut self) {
        let index = &self.group_index;
        let mut issues = Vec::new();
        // 0: not visited, 1: on the current path, 2: done. Iterative so that a long chain cannot overflow the stack.
        let mut state = vec![0u8; self.groups.len()];
        for root in 0..self.groups.len() {
            if state[root] != 0 {
                continue;
            }
            let mut stack = vec![(root, 0usize)];
            state[root] = 1;
            while let Some(top) = stack.last_mut() {
                let (group, next) = *top;
                top.1 += 1;
                let Some(include) = self.groups[group].includes.get(next) else {
                    state[group] = 2;
                    stack.pop();
                    continue;
                };
                match index.get(&include.group) {
                    None => issues.push(Issue::invalid(
                        format!(
                            "dependency group `{}` includes `{}`, which is not defined",
                            self.groups[group].name, include.group
                        ),
                        include.location.clone(),
                    )),
                    Some(&target) if state[target] == 1 => {
                        let start = stack.iter().position(|&(g, _)| g == target).unwrap_or(0);
                        let cycle: Vec<String> = stack[start..]
                            .iter()
                            .map(|&(g, _)| format!("`{}`", self.groups[g].name))
                            .chain([format!("`{}`", self.groups[target].name)])
                            .collect();
                        issues.push(
                            Issue::invalid(
                                format!(
                                    "dependency groups include each other in a cycle: {}",
                                    cycle.join(" -> ")
                                ),
                                include.location.clone(),
                            )
                            .with_label("closes the cycle"),
                        );
                    }
                    Some(&target) if state[target] == 0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    Some(_) => {}
                }
            }
        }
        self.issues.extend(issues);
    }

    /// The requirements of a group with its includes, transitively (cycles are cut, and reported elsewhere).
    fn group_requirements(&self, root: usize) -> (Vec<usize>, Vec<ExtraName>) {
        let mut seen = HashSet::from([root]);
        let mut queue = vec![root];
        let mut requirements = Vec::new();
        let mut extras = Vec::new();
        while let Some(group) = queue.pop() {
            let group = &self.groups[group];
            requirements.extend(&group.requirements);
            extras.extend(group.self_extras.iter().cloned());
            for include in &group.includes {
                if let Some(&target) = self.group_index.get(&include.group)
                    && seen.insert(target)
                {
                    queue.push(target);
                }
            }
        }
        (requirements, extras)
    }

    /// The requirements of extras with the extras they reference, transitively.
    fn extras_requirements(&self, roots: Vec<ExtraName>) -> Vec<usize> {
        let mut seen: HashSet<ExtraName> = roots.iter().cloned().collect();
        let mut queue = roots;
        let mut requirements = Vec::new();
        while let Some(name) = queue.pop() {
            let Some(extra) = self
                .extra_index
                .get(&name)
                .map(|&index| &self.extras[index])
            else {
                continue;
            };
            requirements.extend(&extra.requirements);
            for referenced in &extra.self_extras {
                if seen.insert(referenced.clone()) {
                    queue.push(referenced.clone());
                }
            }
        }
        requirements
    }

    fn finish(mut self, mut manifest: Manifest) -> Manifest {
        self.check_includes();

        let base: Vec<usize> = self.project.iter().chain(&self.shared).copied().collect();
        let mut environments = Vec::new();
        if self.defines_project || !self.project.is_empty() {
            environments.push(Environment {
                name: "project".to_owned(),
                requirements: base.clone(),
                platform: None,
            });
        }
        for extra in &self.extras {
            let mut requirements = base.clone();
            requirements.extend(self.extras_requirements(vec![extra.name.clone()]));
            environments.push(Environment {
                name: format!("project[{}]", extra.name),
                requirements,
                platform: None,
            });
        }
        for (index, group) in self.groups.iter().enumerate() {
            let (own, extras) = self.group_requirements(index);
            let mut requirements = base.clone();
            requirements.extend(own);
            requirements.extend(self.extras_requirements(extras));
            environments.push(Environment {
                name: format!("group:{}", group.name),
                requirements,
                platform: None,
            });
        }
        if let Some(requirements) = self.build_system.take() {
            environments.push(Environment {
                name: "build-system".to_owned(),
                requirements,
                platform: None,
            });
        }

        // Tables were read in a fixed order; the model lists requirements in source order.
        let mut order: Vec<usize> = (0..self.requirements.len()).collect();
        order.sort_by_key(|&index| self.requirements[index].location.span.start);
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut requirements: Vec<Option<Requirement>> =
            self.requirements.into_iter().map(Some).collect();
        manifest.requirements = order
            .iter()
            .map(|&old| {
                requirements[old]
                    .take()
                    .expect("each index appears once in a permutation")
            })
            .collect();
        for environment in &mut environments {
            for index in &mut environment.requirements {
                *index = new_index[*index];
            }
            environment.requirements.sort_unstable();
            environment.requirements.dedup();
        }
        manifest.environments = environments;

        self.issues.sort_by_key(|issue| issue.location.span.start);
        manifest.issues.extend(self.issues);
        manifest.python = self.python;
        manifest
    }
}

/// What one `[tool.uv.sources]` entry takes a dependency from, when not an index: `workspace = true` (a member of
/// the workspace), `path`, `git` or `url`; `None` for `index = "..."` and for an entry uv would reject.
fn uv_source(entry: &dyn TableLike) -> Option<RequirementSource> {
    let text = |key: &str| entry.get(key).and_then(Item::as_str);
    if entry.get("workspace").and_then(Item::as_bool) == Some(true) {
        return Some(RequirementSource::Path("workspace member".to_owned()));
    }
    if let Some(path) = text("path") {
        return Some(RequirementSource::Path(path.to_owned()));
    }
    if let Some(git) = text("git") {
        return Some(RequirementSource::Url(format!("git+{git}")));
    }
    text("url").map(|url| RequirementSource::Url(url.to_owned()))
}

/// A direct reference: a local path (`file:` URLs and plain paths) or a remote URL.
fn source_of(url: &str) -> RequirementSource {
    if url.starts_with("file:") || !url.contains("://") {
        RequirementSource::Path(url.to_owned())
    } else {
        RequirementSource::Url(url.to_owned())
    }
}

/// The first line of a message, without a trailing period or colon (upstream messages may carry either).
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim_end();
    line.trim_end_matches(['.', ':']).to_owned()
}

#[cfg(test)]
mod tests;
