//! `pdm.lock`: PDM's lockfile (`lock_version` 4.x).
//!
//! Every `[[package]]` with a `name` and a `version` is locked, whatever its `groups`: one environment, as for
//! the other single-set locks. Local packages (`path = ...`, `editable = true`) are the project or path
//! dependencies and are left out. PDM writes a second entry for a package installed with extras (`extras =
//! ["socks"]`, same name and version, depending on the plain entry); it adds nothing to check and is skipped.
//! A package's `marker` is its marker; its own `requires_python` is metadata, not a condition. The file's
//! Python is `[metadata] requires_python` (older PDM) or the one `requires_python` shared by every
//! `[[metadata.targets]]` (later versions; targets with different ranges have no single range to check).

use toml_edit::{Item, Table};

use super::{LockBuilder, Locked, toml_span, toml_string};
use crate::{Loader, Manifest};

/// The environment of a PDM lock: everything it locks.
const ENVIRONMENT: &str = "locked";

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let text = builder.text().to_owned();
    let Some(document) = super::toml_document(&mut builder, &text) else {
        return builder.finish();
    };
    if let Some(metadata) = document.get("metadata").and_then(Item::as_table) {
        read_python(&mut builder, metadata);
    }
    builder.environment(ENVIRONMENT, None);
    let Some(packages) = super::toml_tables(&mut builder, document.as_table(), "package") else {
        return builder.finish();
    };
    for table in packages {
        read_package(&mut builder, table);
    }
    builder.finish()
}

fn read_python(builder: &mut LockBuilder, metadata: &Table) {
    if let Some((python, span)) = toml_string(builder, metadata, "requires_python") {
        builder.python(python, span);
        return;
    }
    let Some(targets) = metadata.get("targets").and_then(Item::as_array_of_tables) else {
        return;
    };
    let mut pythons = targets.iter().map(|target| {
        target
            .get("requires_python")
            .and_then(|item| Some((item.as_str()?, toml_span(item.span()))))
    });
    let Some(Some((python, span))) = pythons.next() else {
        return;
    };
    if pythons.all(|other| other.is_some_and(|(other, _)| other == python)) {
        builder.python(python, super::unquoted(span));
    }
}

fn read_package(builder: &mut LockBuilder, table: &Table) {
    let header = toml_span(table.span());
    let Some((name, name_span)) = toml_string(builder, table, "name") else {
        // A name of another type is already an issue.
        if !table.contains_key("name") {
            builder.invalid("a `[[package]]` entry without a `name`", header);
        }
        return;
    };
    let local =
        table.contains_key("path") || table.get("editable").and_then(Item::as_bool) == Some(true);
    let with_extras = table
        .get("extras")
        .and_then(Item::as_array)
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
        builder.add_to(ENVIRONMENT, None, index);
    }
}
