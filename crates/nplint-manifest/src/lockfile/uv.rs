//! `uv.lock`: uv's universal lockfile (`version = 1`).
//!
//! Every `[[package]]` with a `name` and a `version` is locked; packages from the workspace itself (`source =
//! { editable | virtual | directory | path = ... }`) are the project, not something installed from an index, and
//! are left out. `requires-python` is the file's Python.
//!
//! A package is installed where `uv sync --all-extras --all-groups` would install it: where the dependency graph
//! reaches it from the workspace members (`source = { editable | virtual = ... }`, and the `[manifest]`'s
//! `requirements` and `dependency-groups` of a lock without a project) through edges whose markers hold (see
//! [`super::graph`]). A member's `dependencies`, every `optional-dependencies` extra and every `dev-dependencies`
//! group are edges; another package's extra is followed only from the edges that ask for it (`extra = [...]`),
//! and its groups are not installed. `[package.metadata] requires-dist` is what the member declared, not what
//! was locked: not edges. A universal lock may fork: the same package appears once per fork, each entry with
//! `resolution-markers` and reached by edges that name its `version`; its marker is both (any of its forks, and
//! where an edge reaches it), so that each target sees at most one version.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;

use nplint_diagnostics::Span;
use pep508_rs::MarkerTree;
use rustc_hash::FxBuildHasher;

use super::graph::Graph;
use super::toml::{Table, Value};
use super::{LockBuilder, Markers, ReadGraph, TomlLock};
use crate::{Loader, Manifest};

/// uv.lock's layout: `[[package]]`, each with its `resolution-markers` and its edges; the top-level
/// `requires-python`.
pub(crate) struct UvLock;

impl TomlLock for UvLock {
    /// What a reader of uv.lock never needs: the distributions and what the members declared, most of the file.
    const SKIP: &'static [&'static str] = &["package.sdist", "package.wheels", "package.metadata"];
    const GRAPH: Option<ReadGraph> = Some(read_graph);

    fn left_out(package: &Table<'_>) -> bool {
        source_is(package, &["editable", "virtual", "directory", "path"])
    }

    fn marker<'t>(_: &mut LockBuilder, package: &'t Table<'_>) -> Option<(Cow<'t, str>, Span)> {
        resolution_markers(package)
    }
}

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock::<UvLock>(manifest)
}

/// Whether the package's `source` is one of `kinds` (`source = { editable = "." }`).
fn source_is(table: &Table<'_>, kinds: &[&str]) -> bool {
    table
        .get("source")
        .and_then(Value::as_table)
        .is_some_and(|source| kinds.iter().any(|kind| source.contains_key(kind)))
}

/// Reads the dependency graph and narrows each package to where the members reach it.
fn read_graph(
    builder: &mut LockBuilder,
    root: &Table<'_>,
    packages: &[Table<'_>],
    requirements: &[Option<usize>],
) {
    let mut graph = Graph::new(packages.len());
    let mut reader = GraphReader {
        first: HashMap::with_capacity_and_hasher(packages.len(), FxBuildHasher),
        same_name: vec![usize::MAX; packages.len()],
        versions: Vec::with_capacity(packages.len()),
        extras: HashMap::default(),
        markers: Markers::default(),
    };
    // Backwards, so that each name's chain runs in file order.
    for (node, table) in packages.iter().enumerate().rev() {
        if let Some(name) = table.get("name").and_then(Value::as_str)
            && let Some(next) = reader.first.insert(name, node)
        {
            reader.same_name[node] = next;
        }
    }
    reader.versions.extend(
        packages
            .iter()
            .map(|table| table.get("version").and_then(Value::as_str)),
    );
    for (node, table) in packages.iter().enumerate() {
        let member = source_is(table, &["editable", "virtual"]);
        if member {
            graph.root(node);
        }
        if let Some(dependencies) = table.get("dependencies") {
            reader.edges(builder, &mut graph, node, dependencies);
        }
        if let Some(optional) = table.get("optional-dependencies").and_then(Value::as_table) {
            for (extra, _, dependencies) in optional.iter() {
                // A member installs every extra; another package, those that an edge asks for.
                let from = if member {
                    node
                } else {
                    reader.extra_node(&mut graph, node, extra)
                };
                reader.edges(builder, &mut graph, from, dependencies);
            }
        }
        if member && let Some(groups) = table.get("dev-dependencies").and_then(Value::as_table) {
            for (_, _, dependencies) in groups.iter() {
                reader.edges(builder, &mut graph, node, dependencies);
            }
        }
    }
    // A lock without a project (a virtual workspace root, a script) records the root's requirements here.
    if let Some(manifest) = root.get("manifest").and_then(Value::as_table) {
        let requirements = manifest.get("requirements");
        let groups = manifest.get("dependency-groups").and_then(Value::as_table);
        if requirements.is_some() || groups.is_some() {
            let project = graph.node();
            graph.root(project);
            if let Some(requirements) = requirements {
                reader.edges(builder, &mut graph, project, requirements);
            }
            for (_, _, dependencies) in groups.iter().flat_map(|groups| groups.iter()) {
                reader.edges(builder, &mut graph, project, dependencies);
            }
        }
    }
    super::narrow_to_graph(builder, &graph, requirements);
}

/// What reading the graph keeps: the packages by name, the nodes of packages' extras, and parsed markers.
struct GraphReader<'t> {
    /// The first node of each name; `same_name[node]` is the next node of that name (a package locked once per
    /// fork), `usize::MAX` after the last. No list per name: a lock has thousands of names.
    first: HashMap<&'t str, usize, FxBuildHasher>,
    same_name: Vec<usize>,
    /// Each package's version.
    versions: Vec<Option<&'t str>>,
    /// The node of a package with one extra, whose optional dependencies it leads to.
    extras: HashMap<(usize, &'t str), usize, FxBuildHasher>,
    markers: Markers<'t>,
}

impl<'t> GraphReader<'t> {
    fn extra_node(&mut self, graph: &mut Graph, package: usize, extra: &'t str) -> usize {
        *self
            .extras
            .entry((package, extra))
            .or_insert_with(|| graph.node())
    }

    /// Adds an edge from `from` for each `{ name, version?, marker?, extra? }` of the array `dependencies`
    /// (`extras` in the `[manifest]`'s requirements). Entries that cannot be read add nothing: they are not
    /// what this reader checks.
    fn edges(
        &mut self,
        builder: &mut LockBuilder,
        graph: &mut Graph,
        from: usize,
        dependencies: &'t Value<'t>,
    ) {
        let Some(dependencies) = dependencies.as_array() else {
            return;
        };
        for dependency in dependencies.iter().filter_map(Value::as_table) {
            let Some(name) = dependency.get("name").and_then(Value::as_str) else {
                continue;
            };
            let Some(&first) = self.first.get(name) else {
                continue;
            };
            let marker = match dependency.get("marker") {
                Some(value) => match value.as_str() {
                    Some(text) => self
                        .markers
                        .get(builder, text, super::unquoted(value.span())),
                    None => MarkerTree::TRUE,
                },
                None => MarkerTree::TRUE,
            };
            // An edge names the version when several are locked (one per fork).
            let version = dependency.get("version").and_then(Value::as_str);
            let extras = dependency
                .get("extra")
                .or_else(|| dependency.get("extras"))
                .and_then(Value::as_array)
                .unwrap_or_default();
            let mut target = first;
            while target != usize::MAX {
                if version.is_none() || self.versions[target] == version {
                    graph.edge(from, target, marker.clone());
                    for extra in extras.iter().filter_map(Value::as_str) {
                        let node = self.extra_node(graph, target, extra);
                        graph.edge(from, node, marker.clone());
                    }
                }
                target = self.same_name[target];
            }
        }
    }
}

/// `resolution-markers = ["A", "B"]` as one marker, `(A) or (B)`.
fn resolution_markers<'t>(table: &Table<'_>) -> Option<(Cow<'t, str>, Span)> {
    let value = table.get("resolution-markers")?;
    let mut marker = String::new();
    for string in value.as_array()?.iter().filter_map(Value::as_str) {
        if !marker.is_empty() {
            marker.push_str(" or ");
        }
        let _ = write!(marker, "({string})");
    }
    (!marker.is_empty()).then(|| (Cow::Owned(marker), value.span()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::test_support::{self, markers};

    fn read(text: &str) -> Manifest {
        test_support::read(parse, Format::UvLock, "uv.lock", text)
    }

    fn package(name: &str, body: &str) -> String {
        format!(
            "[[package]]\nname = \"{name}\"\nversion = \"1.0\"\nsource = {{ registry = \"https://index.invalid/simple\" }}\n{body}\n"
        )
    }

    const PROJECT: &str =
        "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n";

    #[test]
    fn edges_from_the_project_narrow_what_they_lead_to() {
        let text = format!(
            "version = 1\n{PROJECT}dependencies = [\n    {{ name = \"a\", marker = \"sys_platform == 'win32'\" }},\n    {{ name = \"b\" }},\n]\n\n{}{}{}",
            package("a", "dependencies = [{ name = \"c\" }]"),
            package(
                "b",
                "dependencies = [{ name = \"c\", marker = \"sys_platform == 'linux'\" }]"
            ),
            package("c", ""),
        );
        assert_eq!(
            markers(&read(&text)),
            [
                "a==1.0 ; sys_platform == 'win32'",
                "b==1.0 ; true",
                "c==1.0 ; sys_platform == 'linux' or sys_platform == 'win32'",
            ]
        );
    }

    #[test]
    fn extras_groups_and_members() {
        // The project's own extras and groups are installed; another package's extra only where an edge asks
        // for it, and its groups never.
        let text = format!(
            "version = 1\n{PROJECT}dependencies = [{{ name = \"lib\", extra = [\"gpu\"], marker = \"sys_platform == 'linux'\" }}]\n\n\
             [package.optional-dependencies]\nplot = [{{ name = \"plot\", marker = \"os_name == 'nt'\" }}]\n\n\
             [package.dev-dependencies]\ndev = [{{ name = \"test\", marker = \"python_full_version < '3.12'\" }}]\n\n\
             {}\n[package.optional-dependencies]\ngpu = [{{ name = \"cuda\" }}]\ncpu = [{{ name = \"mkl\", marker = \"os_name == 'nt'\" }}]\n\n\
             [package.dev-dependencies]\ndev = [{{ name = \"mkl\" }}]\n\n{}{}{}{}",
            package("lib", ""),
            package("cuda", ""),
            package("mkl", ""),
            package("plot", ""),
            package("test", ""),
        );
        assert_eq!(
            markers(&read(&text)),
            [
                "lib==1.0 ; sys_platform == 'linux'",
                "cuda==1.0 ; sys_platform == 'linux'",
                // Only the unasked extra and a dependency's group lead to it: no root reaches it, and it keeps
                // its marker.
                "mkl==1.0 ; true",
                "plot==1.0 ; os_name == 'nt'",
                "test==1.0 ; python_full_version < '3.12'",
            ]
        );
    }

    #[test]
    fn forks_follow_the_version_their_edges_name() {
        let text = "version = 1\n\
            [[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n\
            dependencies = [\n\
            { name = \"numpy\", version = \"1.26.4\", marker = \"python_full_version < '3.10'\" },\n\
            { name = \"numpy\", version = \"2.2.6\", marker = \"python_full_version >= '3.10'\" },\n]\n\n\
            [[package]]\nname = \"numpy\"\nversion = \"1.26.4\"\nsource = { registry = \"x\" }\n\
            resolution-markers = [\"python_full_version < '3.10'\"]\n\n\
            [[package]]\nname = \"numpy\"\nversion = \"2.2.6\"\nsource = { registry = \"x\" }\n\
            resolution-markers = [\"python_full_version >= '3.10'\"]\n";
        assert_eq!(
            markers(&read(text)),
            [
                "numpy==1.26.4 ; python_full_version < '3.10'",
                "numpy==2.2.6 ; python_full_version >= '3.10'",
            ]
        );
    }

    #[test]
    fn a_lock_without_a_project_starts_from_its_manifest() {
        // `uv lock --script`: the requirements are in `[manifest]`, with `marker` and `extras`.
        let text = format!(
            "version = 1\n\n[manifest]\nrequirements = [{{ name = \"a\", marker = \"sys_platform == 'darwin'\", extras = [\"x\"] }}]\n\n\
             {}\n[package.optional-dependencies]\nx = [{{ name = \"b\" }}]\n\n{}",
            package("a", ""),
            package("b", ""),
        );
        assert_eq!(
            markers(&read(&text)),
            [
                "a==1.0 ; sys_platform == 'darwin'",
                "b==1.0 ; sys_platform == 'darwin'",
            ]
        );
    }

    #[test]
    fn cycles_and_unreached_packages() {
        // a <-> b reached on Linux; c <-> d reached by no root: as before, everywhere.
        let text = format!(
            "version = 1\n{PROJECT}dependencies = [{{ name = \"a\", marker = \"sys_platform == 'linux'\" }}]\n\n{}{}{}{}",
            package("a", "dependencies = [{ name = \"b\" }]"),
            package("b", "dependencies = [{ name = \"a\" }]"),
            package("c", "dependencies = [{ name = \"d\" }]"),
            package("d", "dependencies = [{ name = \"c\" }]"),
        );
        assert_eq!(
            markers(&read(&text)),
            [
                "a==1.0 ; sys_platform == 'linux'",
                "b==1.0 ; sys_platform == 'linux'",
                "c==1.0 ; true",
                "d==1.0 ; true",
            ]
        );
    }

    #[test]
    fn an_invalid_edge_marker_is_an_issue_and_the_edge_holds() {
        let text = format!(
            "version = 1\n{PROJECT}dependencies = [\n    {{ name = \"a\", marker = \"sys_platform = 'linux'\" }},\n    {{ name = \"b\", marker = \"os_name == 'nt'\" }},\n]\n\n{}{}",
            package("a", ""),
            package(
                "b",
                "dependencies = [{ name = \"a\", marker = \"sys_platform = 'linux'\" }]"
            ),
        );
        let manifest = read(&text);
        assert_eq!(
            markers(&manifest),
            ["a==1.0 ; true", "b==1.0 ; os_name == 'nt'"]
        );
        // One issue per occurrence, each at its string.
        let spans: Vec<&str> = manifest
            .issues
            .iter()
            .map(|issue| issue.location.text())
            .collect();
        assert_eq!(spans, ["sys_platform = 'linux'", "sys_platform = 'linux'"]);
        assert!(
            manifest.issues[0]
                .message
                .starts_with("invalid marker `sys_platform = 'linux'`"),
            "{}",
            manifest.issues[0].message
        );
    }
}
