//! `uv.lock`: uv's universal lockfile (`version = 1`).
//!
//! Every `[[package]]` with a `name` and a `version` is locked; packages from the workspace itself (`source =
//! { editable | virtual | directory | path = ... }`) are the project, not something installed from an index, and
//! are left out. A universal lock may fork: the same package appears once per fork, each entry with
//! `resolution-markers`, which become the requirement's marker (any of them), so that each target sees one
//! version. `requires-python` is the file's Python.

use std::fmt::Write;

use nplint_diagnostics::Span;

use super::toml::{Table, Value};
use super::{LOCKED, LockBuilder, Locked, TomlLock, toml_string};
use crate::{Loader, Manifest};

/// What a reader of uv.lock never needs: the distributions and the dependency graph, most of the file.
pub(super) const SKIP: &[&str] = &[
    "package.sdist",
    "package.wheels",
    "package.dependencies",
    "package.optional-dependencies",
    "package.dev-dependencies",
    "package.metadata",
];

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock(
        manifest,
        &TomlLock {
            packages: "package",
            skip: SKIP,
            python: |builder, root| {
                if let Some((python, span)) = toml_string(builder, root, "requires-python") {
                    builder.python(python, span);
                }
            },
            package: read_package,
        },
    )
}

fn read_package(builder: &mut LockBuilder, table: &Table<'_>) {
    let header = table.span;
    let Some((name, name_span)) = toml_string(builder, table, "name") else {
        if !table.contains_key("name") {
            builder.invalid("a `[[package]]` entry without a `name`", header);
        }
        return;
    };
    if let Some(source) = table.get("source").and_then(Value::as_table)
        && ["editable", "virtual", "directory", "path"]
            .iter()
            .any(|kind| source.contains_key(kind))
    {
        return;
    }
    let Some((version, version_span)) = toml_string(builder, table, "version") else {
        if !table.contains_key("version") {
            super::unversioned(builder, name, name_span);
        }
        return;
    };
    let marker = resolution_markers(table);
    let locked = Locked {
        name,
        version,
        version_span,
        entry: super::toml_entry(header, name_span, version_span),
        marker: marker
            .as_ref()
            .map(|(marker, span)| (marker.as_str(), *span)),
        conda: None,
    };
    if let Some(index) = builder.package(&locked) {
        builder.add_to(LOCKED, None, index);
    }
}

/// `resolution-markers = ["A", "B"]` as one marker, `(A) or (B)`.
fn resolution_markers(table: &Table<'_>) -> Option<(String, Span)> {
    let value = table.get("resolution-markers")?;
    let mut marker = String::new();
    for string in value.as_array()?.iter().filter_map(Value::as_str) {
        if !marker.is_empty() {
            marker.push_str(" or ");
        }
        let _ = write!(marker, "({string})");
    }
    (!marker.is_empty()).then(|| (marker, value.span()))
}
