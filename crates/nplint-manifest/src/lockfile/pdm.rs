//! `pdm.lock`: PDM's lockfile (`lock_version` 4.x).
//!
//! Every `[[package]]` with a `name` and a `version` is locked, whatever its `groups`: one environment, as for
//! the other single-set locks. Local packages (`path = ...`, `editable = true`) are the project or path
//! dependencies and are left out. PDM writes a second entry for a package installed with extras (`extras =
//! ["socks"]`, same name and version, depending on the plain entry); it adds nothing to check and is skipped.
//! A package's `marker` is its marker; its own `requires_python` is metadata, not a condition. The file's
//! Python is `[metadata] requires_python` (older PDM) or the one `requires_python` shared by every
//! `[[metadata.targets]]` (later versions; targets with different ranges have no single range to check).

use super::toml::{Table, Value};
use super::{LOCKED, LockBuilder, Locked, TomlLock, toml_string};
use crate::{Loader, Manifest};

/// What a reader of pdm.lock never needs: the distributions and the dependency graph.
pub(super) const SKIP: &[&str] = &["package.files", "package.dependencies"];

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock(
        manifest,
        &TomlLock {
            packages: "package",
            skip: SKIP,
            python: |builder, root| {
                if let Some(metadata) = root.get("metadata").and_then(Value::as_table) {
                    read_python(builder, metadata);
                }
            },
            package: read_package,
        },
    )
}

fn read_python(builder: &mut LockBuilder, metadata: &Table<'_>) {
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

fn read_package(builder: &mut LockBuilder, table: &Table<'_>) {
    let header = table.span;
    let Some((name, name_span)) = toml_string(builder, table, "name") else {
        // A name of another type is already an issue.
        if !table.contains_key("name") {
            builder.invalid("a `[[package]]` entry without a `name`", header);
        }
        return;
    };
    let local =
        table.contains_key("path") || table.get("editable").and_then(Value::as_bool) == Some(true);
    let with_extras = table
        .get("extras")
        .and_then(Value::as_array)
        .is_some_and(|extras| !extras.is_empty());
    if local || with_extras {
        return;
    }
    let Some((version, version_span)) = toml_string(builder, table, "version") else {
        // A version of another type is already an issue.
        if !table.contains_key("version") {
            super::unversioned(builder, name, name_span);
        }
        return;
    };
    let marker = toml_string(builder, table, "marker");
    let locked = Locked {
        name,
        version,
        version_span,
        entry: super::toml_entry(header, name_span, version_span),
        marker,
        conda: None,
    };
    if let Some(index) = builder.package(&locked) {
        builder.add_to(LOCKED, None, index);
    }
}
