//! `poetry.lock`: Poetry's lockfile (`lock-version` 1.x and 2.x).
//!
//! Every `[[package]]` with a `name` and a `version` is locked, whatever its groups: `poetry install` installs the
//! main group and, by default, every non-optional group, so the lock is one environment. A package whose
//! `[package.source]` is a local `directory` or `file` is the project or a path dependency, not something from
//! an index, and is left out; `git`, `url` and index (`legacy`) sources are kept. `markers` is a string (the
//! package's marker) or, since Poetry 2, a table of one marker per group; a group without an entry installs the
//! package unconditionally. `[metadata] python-versions` is a Poetry constraint (`^3.9`, `>=3.9,<4.0`) converted
//! to PEP 440 as poetry-core converts it; one PEP 440 cannot express (`~2.7 || ^3.9`) is not the file's Python.

use nplint_diagnostics::Span;
use toml_edit::{Item, Table, Value};

use super::{LockBuilder, Locked, toml_span, toml_string};
use crate::pyproject::poetry_constraint;
use crate::{Loader, Manifest};

/// The environment of a Poetry lock: everything it locks.
const ENVIRONMENT: &str = "locked";

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let text = builder.text().to_owned();
    let Some(document) = super::toml_document(&mut builder, &text) else {
        return builder.finish();
    };
    if let Some(metadata) = document.get("metadata").and_then(Item::as_table)
        && let Some((python, span)) = toml_string(&mut builder, metadata, "python-versions")
        && let Ok(constraint) = poetry_constraint::parse(python)
        && let Ok(specifiers) = constraint.to_specifiers()
    {
        builder.python(&specifiers.to_string(), span);
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

fn read_package(builder: &mut LockBuilder, table: &Table) {
    let header = toml_span(table.span());
    let Some((name, name_span)) = toml_string(builder, table, "name") else {
        // A name of another type is already an issue.
        if !table.contains_key("name") {
            builder.invalid("a `[[package]]` entry without a `name`", header);
        }
        return;
    };
    if let Some(source) = table.get("source").and_then(Item::as_table_like)
        && let Some(kind) = source.get("type").and_then(Item::as_str)
        && matches!(kind, "directory" | "file")
    {
        return;
    }
    let Some((version, version_span)) = toml_string(builder, table, "version") else {
        // A version of another type is already an issue.
        if !table.contains_key("version") {
            super::unversioned(builder, name, name_span);
        }
        return;
    };
    let marker = markers(table);
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
        builder.add_to(ENVIRONMENT, None, index);
    }
}

/// The package's marker: `markers = "A"` as is; `markers = { main = "A", dev = "B" }` as `(A) or (B)`, since
/// every group is installed, or none when one of the package's `groups` has no marker. Values of other types
/// are ignored: the marker only narrows where the package is installed.
fn markers(table: &Table) -> Option<(String, Span)> {
    let item = table.get("markers")?;
    let span = toml_span(item.span());
    if let Some(marker) = item.as_str() {
        return Some((marker.to_owned(), super::unquoted(span)));
    }
    let per_group = item.as_table_like()?;
    let groups = table.get("groups").and_then(Item::as_array);
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
        .filter_map(|(_, marker)| marker.as_str())
        .collect();
    markers.sort_unstable();
    markers.dedup();
    match markers.as_slice() {
        [] => None,
        [only] => Some(((*only).to_owned(), span)),
        several => Some((
            several
                .iter()
                .map(|marker| format!("({marker})"))
                .collect::<Vec<_>>()
                .join(" or "),
            span,
        )),
    }
}
