//! `pdm.lock`: PDM's lockfile (`lock_version` 4.x).
//!
//! Every `[[package]]` with a `name` and a `version` is locked, whatever its `groups`: one environment, as for
//! the other single-set locks. Local packages (`path = ...`, `editable = true`) are the project or path
//! dependencies and are left out. PDM writes a second entry for a package installed with extras (`extras =
//! ["socks"]`, same name and version, depending on the plain entry); it adds nothing to check and is skipped.
//! A package's own `requires_python` is metadata, not a condition. The file's Python is `[metadata]
//! requires_python` (older PDM) or the one `requires_python` shared by every `[[metadata.targets]]` (later
//! versions; targets with different ranges have no single range to check).
//!
//! Where a package is installed: a lock made with the `inherit_metadata` strategy (`[metadata] strategy`, the
//! default since PDM 2.11) writes it as each package's `marker`, the OR of the paths from the project that PDM
//! computed; a package without one is installed everywhere. Older locks record only the dependency graph, whose
//! edges are PEP 508 strings (`"pywin32>=300; sys_platform == \"win32\""`); a package is then installed where
//! the graph reaches it from the packages nothing depends on (see [`super::graph`] and the same choice in
//! [`super::poetry`]). Every extra is installed, so `extra` markers hold.

use nplint_diagnostics::Span;
use pep508_rs::MarkerTree;

use super::graph::Graph;
use super::toml::{Table, Value};
use super::{LockBuilder, ReadGraph, TomlLock, nodes_by_name, normalized, toml_string};
use crate::{Loader, Manifest};

/// pdm.lock's layout: `[[package]]`, each with its `marker` (`inherit_metadata`) or its edges; the Python of
/// `[metadata]`.
pub(crate) struct PdmLock;

impl TomlLock for PdmLock {
    /// What a reader of pdm.lock never needs: the distributions.
    const SKIP: &'static [&'static str] = &["package.files"];
    const GRAPH: Option<ReadGraph> = Some(read_graph);

    fn python(builder: &mut LockBuilder, root: &Table<'_>) {
        let Some(metadata) = root.get("metadata").and_then(Value::as_table) else {
            return;
        };
        if let Some((python, span)) = toml_string(builder, metadata, "requires_python") {
            builder.python(python, span);
            return;
        }
        let Some(targets) = metadata.get("targets").and_then(Value::as_array_of_tables) else {
            return;
        };
        let mut pythons = targets.iter().map(|target| {
            target
                .get("requires_python")
                .and_then(|value| Some((value.as_str()?, value.span())))
        });
        let Some(Some((python, span))) = pythons.next() else {
            return;
        };
        if pythons.all(|other| other.is_some_and(|(other, _)| other == python)) {
            builder.python(python, super::unquoted(span));
        }
    }

    /// A local package, and the second entry of a package installed with extras.
    fn left_out(package: &Table<'_>) -> bool {
        let local = package.contains_key("path")
            || package.get("editable").and_then(Value::as_bool) == Some(true);
        let with_extras = package
            .get("extras")
            .and_then(Value::as_array)
            .is_some_and(|extras| !extras.is_empty());
        local || with_extras
    }
}

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock::<PdmLock>(manifest)
}

/// Reads the dependency graph of a lock made without `inherit_metadata`, and narrows each package to where the
/// packages nothing depends on reach it.
fn read_graph(
    builder: &mut LockBuilder,
    root: &Table<'_>,
    packages: &[Table<'_>],
    requirements: &[Option<usize>],
) {
    let inherits = root
        .get("metadata")
        .and_then(Value::as_table)
        .and_then(|metadata| metadata.get("strategy"))
        .and_then(Value::as_array)
        .is_some_and(|strategy| {
            strategy
                .iter()
                .any(|item| item.as_str() == Some("inherit_metadata"))
        });
    if inherits {
        return;
    }
    let by_name = nodes_by_name(packages);
    let mut graph = Graph::new(packages.len());
    for (node, table) in packages.iter().enumerate() {
        let Some(dependencies) = table.get("dependencies").and_then(Value::as_array) else {
            continue;
        };
        for dependency in dependencies {
            let Some(text) = dependency.as_str() else {
                continue;
            };
            let span = super::unquoted(dependency.span());
            let (name, marker, specifiers) = match crate::pep508::parse(text) {
                Ok(parsed) => (
                    normalized(parsed.name.as_ref()),
                    parsed.marker.simplify_extras_with(|_| true),
                    Some(parsed.specifiers),
                ),
                // The lock pins the version it chose; an edge comparing with an arbitrary string admits it.
                Err(failure) if failure.kind == crate::pep508::FailureKind::ArbitraryEquality => {
                    (normalized(leading_name(text)), MarkerTree::TRUE, None)
                }
                Err(failure) => {
                    // The string as written, when it has no escapes: the failure's offsets are into it.
                    let at = if text.len() == span.len() as usize {
                        Span::new(
                            span.start + failure.span.start,
                            span.start + failure.span.end,
                        )
                    } else {
                        span
                    };
                    builder.invalid(
                        format!("invalid dependency `{text}`: {}", failure.message),
                        at,
                    );
                    // The edge still holds, everywhere: its name is what comes before any specifier.
                    (normalized(leading_name(text)), MarkerTree::TRUE, None)
                }
            };
            let Some(targets) = by_name.get(&name) else {
                continue;
            };
            // Several versions of one name (one per Python range): those the specifiers admit.
            let admitted: Vec<usize> = targets
                .iter()
                .filter(|(_, version)| {
                    targets.len() < 2
                        || match (&specifiers, version) {
                            (Some(specifiers), Some(version)) => specifiers.contains(version),
                            _ => true,
                        }
                })
                .map(|(node, _)| *node)
                .collect();
            for target in admitted {
                graph.edge(node, target, marker.clone());
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

/// The name a dependency string starts with: what comes before any specifier.
fn leading_name(text: &str) -> &str {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::test_support::{self, markers};

    fn read(text: &str) -> Manifest {
        test_support::read(parse, Format::PdmLock, "pdm.lock", text)
    }

    /// A lock of PDM before `inherit_metadata`: markers only on the edges.
    const GRAPH: &str = r#"
[metadata]
groups = ["default"]
strategy = ["cross_platform"]
lock_version = "4.2"

[[package]]
name = "pytest"
version = "7.4.4"
dependencies = [
    "colorama; sys_platform == \"win32\"",
    "exceptiongroup>=1.0.0rc8; python_version < \"3.11\"",
    "requests[socks]>=2",
]

[[package]]
name = "colorama"
version = "0.4.6"

[[package]]
name = "exceptiongroup"
version = "1.2.0"

[[package]]
name = "requests"
version = "2.31.0"

[[package]]
name = "requests"
version = "2.31.0"
extras = ["socks"]
dependencies = ["PySocks!=1.5.7,>=1.5.6; os_name == \"nt\"", "requests==2.31.0"]

[[package]]
name = "pysocks"
version = "1.7.1"
"#;

    #[test]
    fn a_lock_without_inherit_metadata_is_read_by_its_graph() {
        let manifest = read(GRAPH);
        assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
        assert_eq!(
            markers(&manifest),
            [
                "pytest==7.4.4 ; true",
                "colorama==0.4.6 ; sys_platform == 'win32'",
                "exceptiongroup==1.2.0 ; python_full_version < '3.11'",
                "requests==2.31.0 ; true",
                "pysocks==1.7.1 ; os_name == 'nt'",
            ]
        );
    }

    #[test]
    fn with_inherit_metadata_the_package_markers_are_the_answer() {
        let lock = GRAPH.replace("[\"cross_platform\"]", "[\"inherit_metadata\"]");
        assert!(
            markers(&read(&lock))
                .iter()
                .all(|line| line.ends_with("; true"))
        );
    }

    #[test]
    fn an_invalid_dependency_is_an_issue_and_its_edge_holds() {
        let lock = GRAPH.replace(
            r#""colorama; sys_platform == \"win32\"""#,
            r#""colorama; sys_platform = 'win32'""#,
        );
        let manifest = read(&lock);
        assert_eq!(markers(&manifest)[1], "colorama==0.4.6 ; true");
        assert_eq!(manifest.issues.len(), 1);
        assert!(
            manifest.issues[0]
                .message
                .starts_with("invalid dependency `colorama; sys_platform = 'win32'`"),
            "{}",
            manifest.issues[0].message
        );
    }
}
