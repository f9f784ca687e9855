//! `Pipfile`: Pipenv's manifest, TOML.
//!
//! `[packages]` and `[dev-packages]` map package names to `"*"` (any version), a PEP 440 specifier string
//! (`">=1.2,<2"`; a bare version, `"2.23.0"` or `"3.*"`, is a pin, as Pipenv reads it), or a table (`{version = "...",
//! markers = "...", extras = [...], index = "..."}`, or a `path`, `file` or `git` source, unversioned for nplint). A
//! table may also hold PEP 508 marker variables as keys (`sys_platform = "== 'win32'"`), which Pipenv joins to
//! `markers` with `and`. `[requires]` names the Python (`python_version = "3.11"` for any 3.11, or `python_full_version
//! = "3.11.4"`).
//!
//! Environments, as the `Pipfile.lock` reader names them: `default` is what `pipenv install` installs
//! (`[packages]`), and `develop` what `pipenv install --dev` installs, both tables, where an entry of
//! `[dev-packages]` replaces the `[packages]` entry of the same package. Pipenv's other categories (any other
//! table of packages, installed with `--categories`) are reported as not read. `[[source]]`, `[pipenv]` and
//! `[scripts]` say nothing about versions.

use std::str::FromStr;
use std::sync::Arc;

use nplint_diagnostics::{Location, Severity, SourceFile, Span};
use pep440_rs::VersionSpecifiers;
use pep508_rs::{ExtraName, MarkerTree, PackageName};
use toml_edit::{Item, Key, TableLike};

use crate::pyproject::toml::{describe, document, string_contents};
use crate::{
    Environment, Issue, Loader, Manifest, Origin, PythonConstraint, Requirement, RequirementSource,
    Role, Section,
};

/// The packages `pipenv install` installs, and their environment.
const DEFAULT: &str = "default";
/// The packages `pipenv install --dev` adds, and the environment of both tables.
const DEVELOP: &str = "develop";

/// The tables of a Pipfile that hold no packages.
const NOT_PACKAGES: &[&str] = &["source", "requires", "pipenv", "scripts"];

/// PEP 508 marker variables that Pipenv accepts as keys of a package's table.
const MARKER_KEYS: &[&str] = &[
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
];

pub(crate) fn parse(mut manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let file = manifest.sources[0].clone();
    let Some(document) = document(&mut manifest, &file) else {
        return manifest;
    };
    let mut reader = Reader {
        file: file.clone(),
        requirements: Vec::new(),
        issues: Vec::new(),
        python: None,
    };
    let root = document.as_table();
    for (name, item) in root {
        match name {
            "packages" | "dev-packages" => reader.read_packages(name, item),
            "requires" => reader.read_requires(item),
            _ if NOT_PACKAGES.contains(&name) => {}
            _ if item.is_table_like() => {
                let key = root.key(name).expect("iterated keys exist");
                let location = reader.key_location(key);
                reader.issues.push(
                    Issue::unread(
                        Severity::Info,
                        format!(
                            "the package category `{name}` was not read: nplint reads `packages` and `dev-packages`"
                        ),
                        location,
                    )
                    .with_label("installed only with `pipenv install --categories`"),
                );
            }
            _ => {}
        }
    }
    reader.finish(manifest)
}

struct Reader {
    file: Arc<SourceFile>,
    /// Each requirement with the table it was declared in.
    requirements: Vec<(Requirement, bool)>,
    issues: Vec<Issue>,
    python: Option<PythonConstraint>,
}

/// A string value with the span of its trimmed contents.
struct Str<'d> {
    value: &'d str,
    span: Span,
}

impl Reader {
    fn location(&self, span: Span) -> Location {
        Location::new(self.file.clone(), span)
    }

    fn key_location(&self, key: &Key) -> Location {
        self.location(key.span().map_or(Span::empty(0), Span::from_range))
    }

    fn item_location(&self, item: &Item) -> Location {
        self.location(extent(item).unwrap_or_default())
    }

    fn expected(&mut self, expected: &str, path: &str, item: &Item) {
        let issue = Issue::invalid(
            format!("expected {expected} for `{path}`, found {}", describe(item)),
            self.item_location(item),
        );
        self.issues.push(issue);
    }

    fn string<'d>(&mut self, item: &'d Item, path: &str) -> Option<Str<'d>> {
        let Some(value) = item.as_str() else {
            self.expected("a string", path, item);
            return None;
        };
        let span = item.span().map_or(Span::empty(0), |span| {
            let (content, exact) = string_contents(self.file.text(), span, value);
            if exact {
                let start = content.start as usize + (value.len() - value.trim_start().len());
                Span::from_range(start..start + value.trim().len())
            } else {
                content
            }
        });
        Some(Str { value, span })
    }

    /// `[requires]`: `python_full_version` (one version), else `python_version` (a minor series).
    fn read_requires(&mut self, item: &Item) {
        let Some(requires) = item.as_table_like() else {
            self.expected("a table", "requires", item);
            return;
        };
        let (field, item) = if let Some(item) = requires.get("python_full_version") {
            ("python_full_version", item)
        } else if let Some(item) = requires.get("python_version") {
            ("python_version", item)
        } else {
            return;
        };
        let path = format!("requires.{field}");
        let Some(string) = self.string(item, &path) else {
            return;
        };
        let version = string.value.trim();
        let specifiers = if field == "python_version" {
            format!("=={version}.*")
        } else {
            format!("=={version}")
        };
        let location = self.location(string.span);
        match VersionSpecifiers::from_str(&specifiers) {
            Ok(specifiers) => {
                self.python = Some(PythonConstraint {
                    specifiers,
                    location,
                });
            }
            Err(_) => self.issues.push(Issue::invalid(
                format!("`{path}` must be a Python version (`3.11`), found `{version}`"),
                location,
            )),
        }
    }

    fn read_packages(&mut self, table_name: &str, item: &Item) {
        let Some(table) = item.as_table_like() else {
            self.expected("a table", table_name, item);
            return;
        };
        let develop = table_name == "dev-packages";
        let section = Section::Pipfile(table_name.to_owned());
        for (name, item) in table.iter() {
            let key = table.key(name).expect("iterated keys exist");
            let Ok(package) = PackageName::from_str(name) else {
                self.issues.push(Issue::invalid(
                    format!("`{name}` is not a valid package name"),
                    self.key_location(key),
                ));
                continue;
            };
            let path = format!("{table_name}.{name}");
            if let Some(requirement) = self.package(package, key, item, &path, &section) {
                self.requirements.push((requirement, develop));
            }
        }
    }

    /// One entry: a version string or a table.
    fn package(
        &mut self,
        package: PackageName,
        key: &Key,
        item: &Item,
        path: &str,
        section: &Section,
    ) -> Option<Requirement> {
        let whole = match (key.span().map(Span::from_range), extent(item)) {
            (Some(key), Some(value)) => key.cover(value),
            (key, value) => key.or(value).unwrap_or_default(),
        };
        let mut requirement = Requirement {
            name: Some(package),
            specifiers: VersionSpecifiers::empty(),
            source: RequirementSource::Registry,
            editable: false,
            extras: Vec::new(),
            marker: MarkerTree::TRUE,
            role: Role::Requirement,
            origin: Origin::new(section.clone()),
            conda: None,
            location: self.location(whole),
            version_location: None,
        };
        if item.is_str() {
            self.version(&mut requirement, item, path)?;
            return Some(requirement);
        }
        let Some(table) = item.as_table_like() else {
            self.expected("a version string or a table", path, item);
            return None;
        };
        requirement.source = self.source(table, path)?;
        if requirement.source == RequirementSource::Registry
            && let Some(version) = table.get("version")
        {
            self.version(&mut requirement, version, &format!("{path}.version"))?;
        }
        if let Some(editable) = table.get("editable") {
            let Some(editable) = editable.as_bool() else {
                self.expected("a boolean", &format!("{path}.editable"), editable);
                return None;
            };
            requirement.editable = editable;
        }
        if let Some(extras) = table.get("extras") {
            requirement.extras = self.extras(extras, &format!("{path}.extras"))?;
        }
        requirement.marker = self.marker(table, path)?;
        Some(requirement)
    }

    /// `"*"`, PEP 440 specifiers or a bare version (a pin, as Pipenv reads it), into `requirement`; `None` after
    /// reporting an invalid one.
    fn version(&mut self, requirement: &mut Requirement, item: &Item, path: &str) -> Option<()> {
        let string = self.string(item, path)?;
        let text = string.value.trim();
        if text == "*" || text.is_empty() {
            return Some(());
        }
        let location = self.location(string.span);
        // Pipenv reads a bare version (`"2.23.0"`, `"3.*"`) as a pin: `==2.23.0`, `==3.*`.
        let operators = ["==", ">=", "<=", "~=", "!=", ">", "<"];
        let pinned;
        let text = if operators.iter().any(|operator| text.starts_with(operator)) {
            text
        } else {
            pinned = format!("=={text}");
            pinned.as_str()
        };
        match VersionSpecifiers::from_str(text) {
            Ok(specifiers) => {
                requirement.specifiers = specifiers;
                requirement.version_location = Some(location);
                Some(())
            }
            Err(error) => {
                self.issues.push(
                    Issue::invalid(
                        format!("invalid version specifier `{text}` for `{path}`"),
                        location,
                    )
                    .with_label(first_line(&error.to_string()))
                    .with_help("write `\"*\"` for any version, or PEP 440 specifiers such as `\">=1.2,<2\"`"),
                );
                None
            }
        }
    }

    /// Where the package comes from: `git`, `file` or `path`, else an index.
    fn source(&mut self, table: &dyn TableLike, path: &str) -> Option<RequirementSource> {
        for field in ["git", "file", "path"] {
            let Some(item) = table.get(field) else {
                continue;
            };
            let value = self.string(item, &format!("{path}.{field}"))?.value.trim();
            return Some(match field {
                "git" => {
                    let url = if value.starts_with("git+") {
                        value.to_owned()
                    } else {
                        format!("git+{value}")
                    };
                    match table.get("ref").and_then(Item::as_str) {
                        Some(reference) => RequirementSource::Url(format!("{url}@{reference}")),
                        None => RequirementSource::Url(url),
                    }
                }
                "file" if value.contains("://") && !value.starts_with("file:") => {
                    RequirementSource::Url(value.to_owned())
                }
                _ => RequirementSource::Path(value.to_owned()),
            });
        }
        Some(RequirementSource::Registry)
    }

    fn extras(&mut self, item: &Item, path: &str) -> Option<Vec<ExtraName>> {
        let Some(array) = item.as_array() else {
            self.expected("an array", path, item);
            return None;
        };
        let mut extras = Vec::new();
        for value in array {
            let item = Item::Value(value.clone());
            let string = self.string(&item, path)?;
            if let Ok(extra) = ExtraName::from_str(string.value.trim()) {
                extras.push(extra);
            } else {
                let span = value.span().map_or(Span::empty(0), Span::from_range);
                self.issues.push(Issue::invalid(
                    format!("`{}` is not a valid extra name", string.value),
                    self.location(span),
                ));
            }
        }
        Some(extras)
    }

    /// `markers`, and marker variables as keys (`sys_platform = "== 'win32'"`), joined with `and`.
    fn marker(&mut self, table: &dyn TableLike, path: &str) -> Option<MarkerTree> {
        let mut marker = MarkerTree::TRUE;
        for (name, item) in table.iter() {
            let text = if name == "markers" {
                let string = self.string(item, &format!("{path}.markers"))?;
                (string.value.to_owned(), string.span)
            } else if MARKER_KEYS.contains(&name) {
                let string = self.string(item, &format!("{path}.{name}"))?;
                (format!("{name} {}", string.value), string.span)
            } else {
                continue;
            };
            let (text, span) = text;
            match crate::pep508::marker(&text) {
                Ok(parsed) => marker.and(parsed),
                Err(error) => {
                    self.issues.push(Issue::invalid(
                        format!("invalid marker: {}", first_line(&error.message)),
                        self.location(span),
                    ));
                    return None;
                }
            }
        }
        Some(marker)
    }

    fn finish(mut self, mut manifest: Manifest) -> Manifest {
        // Tables were read in document order; the model lists requirements in source order.
        self.requirements
            .sort_by_key(|(requirement, _)| requirement.location.span.start);
        let is_replaced = |requirement: &Requirement| {
            self.requirements.iter().any(|(other, develop)| {
                *develop && other.name == requirement.name && other.name.is_some()
            })
        };
        let mut default = Vec::new();
        let mut develop = Vec::new();
        for (index, (requirement, is_develop)) in self.requirements.iter().enumerate() {
            if !is_develop {
                default.push(index);
            }
            if *is_develop || !is_replaced(requirement) {
                develop.push(index);
            }
        }
        manifest.environments = vec![
            Environment {
                name: DEFAULT.to_owned(),
                requirements: default,
                platform: None,
            },
            Environment {
                name: DEVELOP.to_owned(),
                requirements: develop,
                platform: None,
            },
        ];
        manifest.requirements = self
            .requirements
            .into_iter()
            .map(|(requirement, _)| requirement)
            .collect();
        self.issues.sort_by_key(|issue| issue.location.span.start);
        manifest.issues.extend(self.issues);
        manifest.python = self.python;
        manifest
    }
}

/// Everything an item covers: a table's header and all its entries, a value's text.
fn extent(item: &Item) -> Option<Span> {
    let mut whole = item.span().map(Span::from_range);
    if let Some(table) = item.as_table_like() {
        for (name, child) in table.iter() {
            let key = table.key(name).and_then(Key::span).map(Span::from_range);
            for part in [key, extent(child)].into_iter().flatten() {
                whole = Some(whole.map_or(part, |whole| whole.cover(part)));
            }
        }
    }
    whole
}

/// The first line of a message, without a trailing period or colon.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim_end();
    line.trim_end_matches(['.', ':']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::test_support::{self, environment, messages};

    fn read(text: &str) -> Manifest {
        test_support::read(parse, Format::Pipfile, "Pipfile", text)
    }

    #[test]
    fn develop_includes_packages() {
        let manifest = read(
            r#"[dev-packages]
pytest = "*"
Six = "==1.17.0"

[packages]
numpy = ">=1.26,<2"
six = "*"
"#,
        );
        assert_eq!(messages(&manifest), Vec::<&str>::new());
        assert_eq!(
            environment(&manifest, "default"),
            [r#"numpy = ">=1.26,<2""#, r#"six = "*""#]
        );
        assert_eq!(
            environment(&manifest, "develop"),
            [
                r#"pytest = "*""#,
                r#"Six = "==1.17.0""#,
                r#"numpy = ">=1.26,<2""#
            ]
        );
        let numpy = &manifest.requirements[2];
        assert_eq!(numpy.specifiers.to_string(), ">=1.26, <2");
        assert_eq!(numpy.version_location.as_ref().unwrap().text(), ">=1.26,<2");
        assert!(manifest.requirements[3].version_location.is_none());
    }

    #[test]
    fn a_bare_version_is_a_pin_as_pipenv_reads_it() {
        // As Pipenv's own Pipfile writes them (`tests/coverage/pypa__pipenv/Pipfile`).
        let manifest = read(
            r#"[dev-packages]
waitress = {version = "3.*", sys_platform = "== 'win32'"}
requests = "2.32.3"
"#,
        );
        assert_eq!(messages(&manifest), Vec::<&str>::new());
        assert_eq!(manifest.requirements[0].specifiers.to_string(), "==3.*");
        assert_eq!(manifest.requirements[1].specifiers.to_string(), "==2.32.3");
        assert_eq!(
            manifest.requirements[1]
                .version_location
                .as_ref()
                .unwrap()
                .text(),
            "2.32.3"
        );
    }

    #[test]
    fn tables() {
        let manifest = read(
            r#"[packages]
pandas = {version = "~=2.2", extras = ["performance"], markers = "python_version >= '3.10'"}
pywin32 = {version = "*", sys_platform = "== 'win32'"}
mypkg = {path = ".", editable = true}
tool = {git = "https://example.invalid/tool.git", ref = "v1"}

[packages.scipy]
version = ">=1.11"
"#,
        );
        assert_eq!(messages(&manifest), Vec::<&str>::new());
        let pandas = &manifest.requirements[0];
        assert_eq!(pandas.specifiers.to_string(), "~=2.2");
        assert_eq!(pandas.extras[0].as_ref(), "performance");
        assert_eq!(
            pandas.marker.try_to_string().as_deref(),
            Some("python_full_version >= '3.10'")
        );
        assert_eq!(
            manifest.requirements[1].marker.try_to_string().as_deref(),
            Some("sys_platform == 'win32'")
        );
        assert_eq!(
            manifest.requirements[2].source,
            RequirementSource::Path(".".to_owned())
        );
        assert!(manifest.requirements[2].editable);
        assert_eq!(
            manifest.requirements[3].source,
            RequirementSource::Url("git+https://example.invalid/tool.git@v1".to_owned())
        );
        let scipy = &manifest.requirements[4];
        assert_eq!(
            scipy.location.text(),
            "[packages.scipy]\nversion = \">=1.11\""
        );
        assert_eq!(scipy.version_location.as_ref().unwrap().text(), ">=1.11");
    }

    #[test]
    fn python_version() {
        let manifest = read("[requires]\npython_version = \"3.11\"\n");
        let python = manifest.python.as_ref().unwrap();
        assert_eq!(python.specifiers.to_string(), "==3.11.*");
        assert_eq!(python.location.text(), "3.11");
        let manifest = read("[requires]\npython_full_version = \"3.11.4\"\n");
        assert_eq!(
            manifest.python.as_ref().unwrap().specifiers.to_string(),
            "==3.11.4"
        );
    }

    #[test]
    fn unreadable_input_is_an_issue() {
        for text in [
            "[packages",
            "packages = 1",
            "[packages]\nnumpy = 1",
            "[packages]\nnumpy = \">=one\"",
            "[packages]\nnumpy = {version = 1}",
            "[packages]\nnumpy = {version = \"*\", markers = \"os_name ==\"}",
            "[packages]\nnumpy = {version = \"*\", extras = \"x\"}",
            "[packages]\n\"not a name!\" = \"*\"",
            "[requires]\npython_version = \"three\"",
            "[docs]\nsphinx = \"*\"",
        ] {
            let manifest = read(text);
            assert!(manifest.requirements.is_empty(), "{text}");
            assert_eq!(
                manifest.issues.len(),
                1,
                "{text}: {:?}",
                messages(&manifest)
            );
        }
    }
}
