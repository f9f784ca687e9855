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

use super::toml::{Table, Value};
use super::{LOCKED, LockBuilder, Locked, TomlLock, toml_string};
use crate::pyproject::poetry_constraint;
use crate::{Loader, Manifest};

/// What a reader of poetry.lock never needs: the distributions and the dependency graph.
pub(super) const SKIP: &[&str] = &[
    "package.files",
    "package.dependencies",
    "package.extras",
    "metadata.files",
];

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock(
        manifest,
        &TomlLock {
            packages: "package",
            skip: SKIP,
            python: read_python,
            package: read_package,
        },
    )
}

fn read_python(builder: &mut LockBuilder, root: &Table<'_>) {
    if let Some(metadata) = root.get("metadata").and_then(Value::as_table)
        && let Some((python, span)) = toml_string(builder, metadata, "python-versions")
        && let Ok(constraint) = poetry_constraint::parse(python)
        && let Ok(specifiers) = constraint.to_specifiers()
    {
        builder.python(&specifiers.to_string(), span);
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
    if let Some(source) = table.get("source").and_then(Value::as_table)
        && let Some(kind) = source.get("type").and_then(Value::as_str)
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
        builder.add_to(LOCKED, None, index);
    }
}

/// The package's marker: `markers = "A"` as is; `markers = { main = "A", dev = "B" }` as `(A) or (B)`, since
/// every group is installed, or none when one of the package's `groups` has no marker. Values of other types
/// are ignored: the marker only narrows where the package is installed.
fn markers(table: &Table<'_>) -> Option<(String, Span)> {
    let value = table.get("markers")?;
    let span = value.span();
    if let Some(marker) = value.as_str() {
        return Some((marker.to_owned(), super::unquoted(span)));
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
