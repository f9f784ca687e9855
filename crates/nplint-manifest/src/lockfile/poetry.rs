//! `poetry.lock`: Poetry's lockfile (`lock-version` 1.x and 2.x).
//!
//! Every `[[package]]` with a `name` and a `version` is locked, whatever its groups: `poetry install` installs the
//! main group and, by default, every non-optional group, so the lock is one environment. A package whose
//! `[package.source]` is a local `directory` or `file` is the project or a path dependency, not something from
//! an index, and is left out; `git`, `url` and index (`legacy`) sources are kept. `[metadata] python-versions` is
//! a Poetry constraint (`^3.9`, `>=3.9,<4.0`) converted to PEP 440 as poetry-core converts it; one PEP 440
//! cannot express (`~2.7 || ^3.9`) is not the file's Python.
//!
//! Where a package is installed: Poetry 2 (`lock-version = "2.1"`) writes it per package, `markers` as a string
//! or a table of one marker per group (a group without an entry installs the package unconditionally), and
//! Poetry before 1.0 wrote `marker`; a package of such a lock without one is installed everywhere. Locks of
//! Poetry 1.x and 2.0 (`lock-version` 1.1 and 2.0) record only the dependency graph, whose edges (`pywin32 =
//! {version = ">=300", markers = "sys_platform == \"win32\""}`, or an array of such tables) carry markers; a
//! package is then installed where the graph reaches it (see [`super::graph`]). The lock does not say which
//! packages the project requires, so the roots are the packages no edge leads to. A package that the project
//! requires directly and another package requires under a marker is then narrowed to that marker: the
//! project's own requirement is checked in its `pyproject.toml`. Every extra is installed, so `extra` markers
//! hold; a `python` constraint on an edge is not read (the edge holds on every Python).

use std::borrow::Cow;
use std::str::FromStr;

use nplint_diagnostics::Span;
use pep440_rs::Version;
use pep508_rs::MarkerTree;

use super::graph::Graph;
use super::toml::{Table, Value};
use super::{LockBuilder, Markers, ReadGraph, TomlLock, nodes_by_name, normalized, toml_string};
use crate::pyproject::poetry_constraint;
use crate::{Loader, Manifest};

/// poetry.lock's layout: `[[package]]`, each with its `markers` (Poetry 2) or its edges (Poetry 1); `[metadata]
/// python-versions`.
pub(crate) struct PoetryLock;

impl TomlLock for PoetryLock {
    /// What a reader of poetry.lock never needs: the distributions and the extras' requirement strings.
    const SKIP: &'static [&'static str] = &["package.files", "package.extras", "metadata.files"];
    const GRAPH: Option<ReadGraph> = Some(read_graph);

    fn python(builder: &mut LockBuilder, root: &Table<'_>) {
        if let Some(metadata) = root.get("metadata").and_then(Value::as_table)
            && let Some((python, span)) = toml_string(builder, metadata, "python-versions")
            && let Ok(constraint) = poetry_constraint::parse(python)
            && let Ok(specifiers) = constraint.to_specifiers()
        {
            builder.python(&specifiers.to_string(), span);
        }
    }

    fn left_out(package: &Table<'_>) -> bool {
        package
            .get("source")
            .and_then(Value::as_table)
            .and_then(|source| source.get("type"))
            .and_then(Value::as_str)
            .is_some_and(|kind| matches!(kind, "directory" | "file"))
    }

    fn marker<'t>(_: &mut LockBuilder, package: &'t Table<'_>) -> Option<(Cow<'t, str>, Span)> {
        markers(package)
    }
}

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock::<PoetryLock>(manifest)
}

/// The package's marker: `marker = "A"` (before Poetry 1.0) and `markers = "A"` as is; `markers = { main = "A", dev = "B" }` as `(A) or (B)`, since
/// every group is installed, or none when one of the package's `groups` has no marker. Values of other types
/// are ignored: the marker only narrows where the package is installed.
fn markers<'t>(table: &'t Table<'_>) -> Option<(Cow<'t, str>, Span)> {
    let value = table.get("markers").or_else(|| table.get("marker"))?;
    let span = value.span();
    if let Some(marker) = value.as_str() {
        return Some((Cow::Borrowed(marker), super::unquoted(span)));
    }
    let per_group = value.as_table()?;
    let groups = table.get("groups").and_then(Value::as_array);
    if let Some(groups) = groups
        && groups
            .iter()
            .filter_map(Value::as_str)
            .any(|group| !per_group.contains_key(group))
    {
        return None;
    }
    let mut markers: Vec<&str> = per_group
        .iter()
        .filter_map(|(_, _, marker)| marker.as_str())
        .collect();
    markers.sort_unstable();
    markers.dedup();
    match markers.as_slice() {
        [] => None,
        [only] => Some((Cow::Borrowed(*only), span)),
        several => Some((
            Cow::Owned(
                several
                    .iter()
                    .map(|marker| format!("({marker})"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            ),
            span,
        )),
    }
}

/// Whether the lock records where each package is installed: a per-package marker, or `lock-version` 2.1 or
/// later (which writes one for every package installed conditionally).
fn markers_per_package(root: &Table<'_>, packages: &[Table<'_>]) -> bool {
    let lock_version = root
        .get("metadata")
        .and_then(Value::as_table)
        .and_then(|metadata| metadata.get("lock-version"))
        .and_then(Value::as_str)
        .and_then(|version| Version::from_str(version).ok());
    lock_version.is_some_and(|version| version >= Version::new([2, 1]))
        || packages
            .iter()
            .any(|table| table.contains_key("markers") || table.contains_key("marker"))
}

/// Reads the dependency graph of a lock that records no marker per package, and narrows each package to where
/// the packages nothing depends on reach it.
fn read_graph(
    builder: &mut LockBuilder,
    root: &Table<'_>,
    packages: &[Table<'_>],
    requirements: &[Option<usize>],
) {
    if markers_per_package(root, packages) {
        return;
    }
    let by_name = nodes_by_name(packages);
    let mut graph = Graph::new(packages.len());
    let mut markers = Markers::default();
    for (node, table) in packages.iter().enumerate() {
        let Some(dependencies) = table.get("dependencies").and_then(Value::as_table) else {
            continue;
        };
        for (name, _, value) in dependencies.iter() {
            let Some(targets) = by_name.get(&normalized(name)) else {
                continue;
            };
            // `name = "*"`, `name = { version, markers }`, or one such table per constraint.
            let constraints: Vec<&Table<'_>> = match value {
                Value::Table(table) => vec![table],
                Value::ArrayOfTables(tables, _) => tables.iter().collect(),
                Value::Array(items, _) => items.iter().filter_map(Value::as_table).collect(),
                _ => Vec::new(),
            };
            if let Some(version) = value.as_str() {
                for target in constrained(targets, Some(version)) {
                    graph.edge(node, target, MarkerTree::TRUE);
                }
            }
            for constraint in constraints {
                let marker = match constraint.get("markers") {
                    Some(value) => match value.as_str() {
                        Some(text) => markers
                            .get(builder, text, super::unquoted(value.span()))
                            .simplify_extras_with(|_| true),
                        None => MarkerTree::TRUE,
                    },
                    None => MarkerTree::TRUE,
                };
                let version = constraint.get("version").and_then(Value::as_str);
                for target in constrained(targets, version) {
                    graph.edge(node, target, marker.clone());
                }
            }
        }
    }
    for node in 0..packages.len() {
        if !graph.has_parent(node) {
            graph.root(node);
        }
    }
    super::narrow_to_graph(builder, &graph, requirements);
}

/// The packages of one name that a dependency's constraint leads to: the versions its `version` admits when
/// several are locked (one per Python range), else every one.
fn constrained(targets: &[(usize, Option<Version>)], version: Option<&str>) -> Vec<usize> {
    let all = || targets.iter().map(|(node, _)| *node).collect();
    if targets.len() < 2 {
        return all();
    }
    let Some(specifiers) = version
        .and_then(|version| poetry_constraint::parse(version).ok())
        .and_then(|constraint| constraint.to_specifiers().ok())
    else {
        return all();
    };
    let admitted: Vec<usize> = targets
        .iter()
        .filter(|(_, version)| {
            version
                .as_ref()
                .is_some_and(|version| specifiers.contains(version))
        })
        .map(|(node, _)| *node)
        .collect();
    if admitted.is_empty() { all() } else { admitted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::test_support;

    /// Each locked package's `name==version` and marker (`true` where it holds everywhere), from a lock read
    /// without issues.
    fn markers(text: &str) -> Vec<String> {
        let manifest = test_support::read(parse, Format::PoetryLock, "poetry.lock", text);
        assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
        test_support::markers(&manifest)
    }

    /// A lock of Poetry 1.x: `keyring` needs `pywin32-ctypes` on Windows, and `tornado` in two versions, one per
    /// Python range (`[[package.dependencies.tornado]]`); `filelock` is optional, behind an extra.
    const GRAPH: &str = r#"
[[package]]
name = "keyring"
version = "24.3.0"

[package.dependencies]
pywin32-ctypes = {version = ">=0.2.0", markers = "sys_platform == \"win32\""}
filelock = {version = "*", optional = true, markers = "extra == \"cache\" and os_name == \"nt\""}

[[package.dependencies.tornado]]
version = "<6"
markers = "python_version == \"3.7\""

[[package.dependencies.tornado]]
version = ">=6"
markers = "python_version > \"3.7\""

[[package]]
name = "pywin32-ctypes"
version = "0.2.2"

[[package]]
name = "filelock"
version = "3.13.1"

[[package]]
name = "tornado"
version = "5.1.1"

[[package]]
name = "tornado"
version = "6.4"

[metadata]
lock-version = "1.1"
python-versions = "^3.7"
"#;

    #[test]
    fn a_lock_without_markers_per_package_is_read_by_its_graph() {
        assert_eq!(
            markers(GRAPH),
            [
                "keyring==24.3.0 ; true",
                "pywin32-ctypes==0.2.2 ; sys_platform == 'win32'",
                // Every extra is installed: its `extra` marker holds.
                "filelock==3.13.1 ; os_name == 'nt'",
                "tornado==5.1.1 ; python_full_version == '3.7.*'",
                "tornado==6.4 ; python_full_version >= '3.8'",
            ]
        );
    }

    #[test]
    fn markers_per_package_are_what_the_lock_says() {
        // Poetry 2's lock: the package's `markers` is the answer, its edges are not read again.
        let lock = GRAPH
            .replace("lock-version = \"1.1\"", "lock-version = \"2.1\"")
            .replace(
                "name = \"pywin32-ctypes\"\nversion = \"0.2.2\"\n",
                "name = \"pywin32-ctypes\"\nversion = \"0.2.2\"\nmarkers = \"os_name == 'nt'\"\n",
            );
        assert_eq!(
            markers(&lock)[..3],
            [
                "keyring==24.3.0 ; true",
                "pywin32-ctypes==0.2.2 ; os_name == 'nt'",
                "filelock==3.13.1 ; true",
            ]
        );
        // Poetry before 1.0 wrote `marker`.
        let old = GRAPH.replace("lock-version = \"1.1\"\n", "").replace(
            "name = \"filelock\"\nversion = \"3.13.1\"\n",
            "name = \"filelock\"\nversion = \"3.13.1\"\nmarker = \"sys_platform == 'darwin'\"\n",
        );
        assert_eq!(
            markers(&old)[..3],
            [
                "keyring==24.3.0 ; true",
                "pywin32-ctypes==0.2.2 ; true",
                "filelock==3.13.1 ; sys_platform == 'darwin'",
            ]
        );
    }
}
