//! Poetry's dependency tables: `[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]`,
//! `[tool.poetry.group.<group>.dependencies]` and `[tool.poetry.extras]`.
//!
//! A dependency is a constraint string (`numpy = "^1.24"`), a table (`{ version, python, markers, extras,
//! optional, git/path/url, develop, ... }`) or a list of tables with different `python`/`markers` (one
//! [`Requirement`] each). Versions are converted as poetry-core converts them (see [`super::poetry_constraint`]); a
//! `python` constraint on a dependency becomes a `python_version` marker, combined with `markers` by `and`.
//!
//! An `optional = true` main dependency is one requirement, listed only in the `project[<extra>]` environments
//! of the extras that name it; its section is the first such extra (`Section::PoetryExtra`).
//!
//! With a `[project] dependencies` table (Poetry 2), Poetry builds from `[project]` and uses
//! `[tool.poetry.dependencies]` only to narrow versions when locking: those entries are read as constraints.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use nplint_diagnostics::{Severity, Span};
use pep440_rs::VersionSpecifiers;
use pep508_rs::{ExtraName, MarkerTree, PackageName};
use toml_edit::{Item, Key, TableLike, Value};

use super::poetry_constraint::{self, Disjoint};
use super::{Reader, first_line, normalize_group};
use crate::{Issue, Origin, PythonConstraint, Requirement, RequirementSource, Role, Section};

pub(super) fn read(reader: &mut Reader, poetry: &dyn TableLike, has_project_dependencies: bool) {
    let mut optional: HashMap<PackageName, Vec<usize>> = HashMap::new();
    let mut required: HashSet<PackageName> = HashSet::new();

    if let Some(item) = poetry.get("dependencies")
        && let Some(table) = reader.table(item, "tool.poetry.dependencies")
    {
        let role = if has_project_dependencies {
            Role::Constraint
        } else {
            reader.defines_project = true;
            Role::Requirement
        };
        for (name, item) in table.iter() {
            let key = table.key(name).expect("iterated keys exist");
            if name == "python" {
                read_python(reader, item);
                continue;
            }
            let path = format!("tool.poetry.dependencies.{name}");
            let Some(package) = package_name(reader, key) else {
                continue;
            };
            for (index, is_optional) in dependency(
                reader,
                &package,
                key,
                item,
                &path,
                &Section::Poetry(None),
                role,
            ) {
                if has_project_dependencies {
                    reader.shared.push(index);
                } else if is_optional {
                    optional.entry(package.clone()).or_default().push(index);
                } else {
                    required.insert(package.clone());
                    reader.project.push(index);
                }
            }
        }
    }

    if let Some(item) = poetry.get("dev-dependencies") {
        read_group(reader, "dev", item, "tool.poetry.dev-dependencies");
    }
    if let Some(item) = poetry.get("group")
        && let Some(groups) = reader.table(item, "tool.poetry.group")
    {
        for (name, item) in groups.iter() {
            let path = format!("tool.poetry.group.{name}");
            if let Some(group) = reader.table(item, &path)
                && let Some(item) = group.get("dependencies")
            {
                read_group(reader, name, item, &format!("{path}.dependencies"));
            }
        }
    }

    // Poetry 2 reads extras from `[project.optional-dependencies]` when `[project]` has dependencies.
    if !has_project_dependencies
        && let Some(item) = poetry.get("extras")
        && let Some(table) = reader.table(item, "tool.poetry.extras")
    {
        for (name, item) in table.iter() {
            let key = table.key(name).expect("iterated keys exist");
            let Ok(extra) = ExtraName::from_str(name) else {
                reader.issues.push(Issue::invalid(
                    format!("`{name}` is not a valid extra name"),
                    reader.key_location(key),
                ));
                continue;
            };
            read_extra(
                reader,
                &extra,
                item,
                &format!("tool.poetry.extras.{name}"),
                &optional,
                &required,
            );
        }
    }
}

fn read_extra(
    reader: &mut Reader,
    extra: &ExtraName,
    item: &Item,
    path: &str,
    optional: &HashMap<PackageName, Vec<usize>>,
    required: &HashSet<PackageName>,
) {
    reader.extra(extra.clone());
    let Some(array) = reader.array(item, path) else {
        return;
    };
    for value in array {
        let Some(string) = reader.string_value(value, path) else {
            continue;
        };
        let location = reader.location(string.trimmed_span(reader.file.text()));
        let Ok(package) = PackageName::from_str(string.value.trim()) else {
            reader.issues.push(Issue::invalid(
                format!("`{}` in `{path}` is not a valid package name", string.value),
                location,
            ));
            continue;
        };
        if let Some(indices) = optional.get(&package) {
            for &index in indices {
                let section = &mut reader.requirements[index].origin.section;
                if *section == Section::Poetry(None) {
                    *section = Section::PoetryExtra(extra.clone());
                }
            }
            reader.extra(extra.clone()).requirements.extend(indices);
        } else if !required.contains(&package) {
            reader.issues.push(Issue::invalid(
                format!(
                    "extra `{extra}` lists `{package}`, which is not in `tool.poetry.dependencies`"
                ),
                location,
            ));
        }
    }
}

fn read_group(reader: &mut Reader, group: &str, item: &Item, path: &str) {
    let Some(table) = reader.table(item, path) else {
        return;
    };
    let section = Section::Poetry(Some(group.to_owned()));
    let mut indices = Vec::new();
    for (name, item) in table.iter() {
        // A `python` entry restricts the interpreter, it is not a package.
        if name == "python" {
            continue;
        }
        let key = table.key(name).expect("iterated keys exist");
        let Some(package) = package_name(reader, key) else {
            continue;
        };
        let path = format!("{path}.{name}");
        let entries = dependency(
            reader,
            &package,
            key,
            item,
            &path,
            &section,
            Role::Requirement,
        );
        indices.extend(entries.into_iter().map(|(index, _)| index));
    }
    reader
        .group(&normalize_group(group))
        .requirements
        .extend(indices);
}

fn package_name(reader: &mut Reader, key: &Key) -> Option<PackageName> {
    let package = PackageName::from_str(key.get()).ok();
    if package.is_none() {
        reader.issues.push(Issue::invalid(
            format!("`{}` is not a valid package name", key.get()),
            reader.key_location(key),
        ));
    }
    package
}

/// `python = "^3.8"` in the main dependencies: the project's Python versions, unless `[project]
/// requires-python` gives them.
fn read_python(reader: &mut Reader, item: &Item) {
    let path = "tool.poetry.dependencies.python";
    let Some(string) = reader.string(item, path) else {
        return;
    };
    let location = reader.location(string.trimmed_span(reader.file.text()));
    let constraint = match poetry_constraint::parse(string.value) {
        Ok(constraint) => constraint,
        Err(message) => {
            reader.issues.push(Issue::invalid(message, location));
            return;
        }
    };
    if reader.python.is_some() {
        return;
    }
    match constraint.to_specifiers() {
        Ok(specifiers) => {
            reader.python = Some(PythonConstraint {
                specifiers,
                location,
            });
        }
        Err(Disjoint) => reader.issues.push(disjoint(path, string.value, location)),
    }
}

fn disjoint(path: &str, constraint: &str, location: nplint_diagnostics::Location) -> Issue {
    let help = if path.ends_with(".python") {
        "nplint reads no Python versions from it"
    } else {
        "nplint treats the dependency as allowing any version"
    };
    Issue::unread(
        Severity::Warning,
        format!(
            "the versions `{constraint}` of `{path}` were not read because PEP 440 cannot express a union of separate ranges"
        ),
        location,
    )
    .with_label("separate version ranges")
    .with_help(help)
}

/// One dependency entry: a requirement per constraint, with whether it is optional.
fn dependency(
    reader: &mut Reader,
    package: &PackageName,
    key: &Key,
    item: &Item,
    path: &str,
    section: &Section,
    role: Role,
) -> Vec<(usize, bool)> {
    let whole = |item: &Item| {
        let key = key.span().map(Span::from_range);
        match (key, Reader::extent(item)) {
            (Some(key), Some(value)) => key.cover(value),
            (key, value) => key.or(value).unwrap_or_default(),
        }
    };
    let entries: Vec<(Entry, Span)> = match item {
        Item::Value(Value::Array(array)) => array
            .iter()
            .filter_map(|value| {
                let span = value.span().map_or(Span::default(), Span::from_range);
                match value {
                    Value::InlineTable(table) => Some((Entry::Table(table), span)),
                    Value::String(_) => Some((Entry::Version(value), span)),
                    _ => {
                        reader.expected("a table", path, &Item::Value(value.clone()));
                        None
                    }
                }
            })
            .collect(),
        Item::ArrayOfTables(tables) => tables
            .iter()
            .map(|table| {
                let span = Reader::table_extent(table.span(), table);
                (
                    Entry::Table(table as &dyn TableLike),
                    span.unwrap_or_default(),
                )
            })
            .collect(),
        Item::Value(value @ Value::String(_)) => vec![(Entry::Version(value), whole(item))],
        _ => {
            if let Some(table) = item.as_table_like() {
                vec![(Entry::Table(table), whole(item))]
            } else {
                reader.expected(
                    "a version string, a table or an array of tables",
                    path,
                    item,
                );
                Vec::new()
            }
        }
    };
    entries
        .into_iter()
        .filter_map(|(entry, span)| constraint(reader, package, entry, span, path, section, role))
        .collect()
}

#[derive(Clone, Copy)]
enum Entry<'d> {
    Version(&'d Value),
    Table(&'d dyn TableLike),
}

/// The fields of a dependency table that matter to nplint, type-checked.
#[derive(Default)]
struct Fields<'d> {
    version: Option<&'d Value>,
    python: Option<&'d Value>,
    platform: Option<&'d Value>,
    markers: Option<&'d Value>,
    optional: bool,
    develop: bool,
    extras: Vec<ExtraName>,
    source: Option<RequirementSource>,
}

fn fields<'d>(reader: &mut Reader, table: &'d dyn TableLike, path: &str) -> Fields<'d> {
    let mut fields = Fields::default();
    let string = |reader: &mut Reader, name: &str| {
        let item = table.get(name)?;
        reader.string(item, &format!("{path}.{name}"))?;
        item.as_value()
    };
    fields.version = string(reader, "version");
    fields.python = string(reader, "python");
    fields.platform = string(reader, "platform");
    fields.markers = string(reader, "markers");
    for name in [
        "source",
        "branch",
        "tag",
        "rev",
        "subdirectory",
        "git",
        "path",
        "url",
    ] {
        string(reader, name);
    }
    let flag = |reader: &mut Reader, name: &str| {
        table
            .get(name)
            .and_then(|item| reader.bool(item, &format!("{path}.{name}")))
            .unwrap_or(false)
    };
    fields.optional = flag(reader, "optional");
    fields.develop = flag(reader, "develop");
    flag(reader, "allow-prereleases");

    if let Some(item) = table.get("extras")
        && let Some(array) = reader.array(item, &format!("{path}.extras"))
    {
        for value in array {
            let Some(extra) = reader.string_value(value, &format!("{path}.extras")) else {
                continue;
            };
            match ExtraName::from_str(extra.value.trim()) {
                Ok(extra) => fields.extras.push(extra),
                Err(_) => reader.issues.push(Issue::invalid(
                    format!("`{}` is not a valid extra name", extra.value),
                    reader.value_location(value),
                )),
            }
        }
    }

    let text = |name: &str| table.get(name).and_then(Item::as_str);
    fields.source = if let Some(url) = text("git") {
        // As poetry-core writes it in metadata: `git+<url>@<rev>#subdirectory=<dir>`.
        let mut reference = if url.starts_with("git+") {
            url.to_owned()
        } else {
            format!("git+{url}")
        };
        if let Some(revision) = text("rev")
            .or_else(|| text("tag"))
            .or_else(|| text("branch"))
        {
            reference = format!("{reference}@{revision}");
        }
        if let Some(directory) = text("subdirectory") {
            reference = format!("{reference}#subdirectory={directory}");
        }
        Some(RequirementSource::Url(reference))
    } else if let Some(path) = text("path") {
        Some(RequirementSource::Path(path.to_owned()))
    } else {
        text("url").map(|url| RequirementSource::Url(url.to_owned()))
    };
    fields
}

/// One constraint of a dependency as a requirement; `None` after reporting what made it unreadable.
fn constraint(
    reader: &mut Reader,
    package: &PackageName,
    entry: Entry,
    span: Span,
    path: &str,
    section: &Section,
    role: Role,
) -> Option<(usize, bool)> {
    let fields = match entry {
        Entry::Version(value) => Fields {
            version: Some(value),
            ..Fields::default()
        },
        Entry::Table(table) => fields(reader, table, path),
    };

    let mut specifiers = VersionSpecifiers::empty();
    let mut version_location = None;
    if fields.source.is_none()
        && let Some(value) = fields.version
    {
        let version_path = match entry {
            Entry::Version(_) => path.to_owned(),
            Entry::Table(_) => format!("{path}.version"),
        };
        let string = reader.string_value(value, &version_path)?;
        let location = reader.location(string.trimmed_span(reader.file.text()));
        let constraint = match poetry_constraint::parse(string.value) {
            Ok(constraint) => constraint,
            Err(message) => {
                reader.issues.push(Issue::invalid(message, location));
                return None;
            }
        };
        if !constraint.is_any() {
            version_location = Some(location.clone());
        }
        match constraint.to_specifiers() {
            Ok(converted) => specifiers = converted,
            Err(Disjoint) => reader
                .issues
                .push(disjoint(&version_path, string.value, location)),
        }
    }

    let mut marker = MarkerTree::TRUE;
    if let Some(value) = fields.python {
        let string = reader.string_value(value, &format!("{path}.python"))?;
        let location = reader.location(string.trimmed_span(reader.file.text()));
        let python = match poetry_constraint::parse(string.value) {
            Ok(constraint) => constraint.to_python_marker(),
            Err(message) => {
                reader.issues.push(Issue::invalid(message, location));
                return None;
            }
        };
        if let Some(python) = python {
            marker.and(parse_marker(reader, &python, location)?);
        }
    }
    if let Some(value) = fields.platform {
        let string = reader.string_value(value, &format!("{path}.platform"))?;
        let location = reader.location(string.trimmed_span(reader.file.text()));
        marker.and(parse_marker(
            reader,
            &format!("sys_platform == {:?}", string.value),
            location,
        )?);
    }
    if let Some(value) = fields.markers {
        let string = reader.string_value(value, &format!("{path}.markers"))?;
        let location = reader.location(string.trimmed_span(reader.file.text()));
        marker.and(parse_marker(reader, string.value, location)?);
    }

    let requirement = Requirement {
        name: Some(package.clone()),
        specifiers,
        source: fields.source.unwrap_or(RequirementSource::Registry),
        editable: fields.develop,
        extras: fields.extras,
        marker,
        role,
        origin: Origin::new(section.clone()),
        conda: None,
        location: reader.location(span),
        version_location,
    };
    Some((reader.push(requirement), fields.optional))
}

fn parse_marker(
    reader: &mut Reader,
    text: &str,
    location: nplint_diagnostics::Location,
) -> Option<MarkerTree> {
    match crate::pep508::marker(text) {
        Ok(marker) => Some(marker),
        Err(error) => {
            reader.issues.push(Issue::invalid(
                format!("invalid marker: {}", first_line(&error.message)),
                location,
            ));
            None
        }
    }
}
