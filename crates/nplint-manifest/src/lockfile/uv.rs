//! `uv.lock`: uv's universal lockfile (`version = 1`).
//!
//! Every `[[package]]` with a `name` and a `version` is locked; packages from the workspace itself (`source =
//! { editable | virtual | directory | path = ... }`) are the project, not something installed from an index, and
//! are left out. A universal lock may fork: the same package appears once per fork, each entry with
//! `resolution-markers`, which become the requirement's marker (any of them), so that each target sees one
//! version. `requires-python` is the file's Python.

use std::fmt::Write;

use nplint_diagnostics::Span;
use toml_edit::{Document, Item, Table, Value};

use super::{LockBuilder, Locked};
use crate::{Loader, Manifest};

/// The environment of a uv lock: everything it locks.
const ENVIRONMENT: &str = "locked";

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let text = builder.text().to_owned();
    let document = match Document::parse(text.as_str()) {
        Ok(document) => document,
        Err(error) => {
            let span = error.span().map_or(Span::empty(0), Span::from_range);
            builder.invalid(
                format!("invalid TOML: {}", error.message().trim_end()),
                span,
            );
            return builder.finish();
        }
    };
    if let Some((value, span)) = string(document.as_table(), "requires-python") {
        builder.python(value, span);
    }
    builder.environment(ENVIRONMENT, None);
    let Some(packages) = document.get("package") else {
        return builder.finish();
    };
    let Some(packages) = packages.as_array_of_tables() else {
        builder.invalid(
            "`package` must be an array of tables (`[[package]]`)",
            span_of(packages.span()),
        );
        return builder.finish();
    };
    for table in packages {
        read_package(&mut builder, table);
    }
    builder.finish()
}

fn read_package(builder: &mut LockBuilder, table: &Table) {
    let header = span_of(table.span());
    let Some((name, name_span)) = string(table, "name") else {
        builder.invalid("a `[[package]]` entry without a `name`", header);
        return;
    };
    if let Some(source) = table.get("source").and_then(Item::as_table_like)
        && ["editable", "virtual", "directory", "path"]
            .iter()
            .any(|kind| source.contains_key(kind))
    {
        return;
    }
    let Some((version, version_span)) = string(table, "version") else {
        super::unversioned(builder, name, name_span);
        return;
    };
    let marker = resolution_markers(table);
    let entry =
        Span::from_range(header.start as usize..name_span.end.max(version_span.end) as usize);
    let locked = Locked {
        name,
        version,
        version_span,
        entry,
        marker: marker
            .as_ref()
            .map(|(marker, span)| (marker.as_str(), *span)),
        conda: None,
    };
    if let Some(index) = builder.package(&locked) {
        builder.add_to(ENVIRONMENT, None, index);
    }
}

/// `resolution-markers = ["A", "B"]` as one marker, `(A) or (B)`.
fn resolution_markers(table: &Table) -> Option<(String, Span)> {
    let item = table.get("resolution-markers")?;
    let array = item.as_array()?;
    let mut marker = String::new();
    for value in array {
        let Value::String(string) = value else {
            continue;
        };
        if !marker.is_empty() {
            marker.push_str(" or ");
        }
        let _ = write!(marker, "({})", string.value());
    }
    (!marker.is_empty()).then(|| (marker, span_of(item.span())))
}

/// A string value of `table` with the span of its text between the quotes.
fn string<'t>(table: &'t Table, key: &str) -> Option<(&'t str, Span)> {
    let item = table.get(key)?;
    let value = item.as_str()?;
    Some((value, super::unquoted(span_of(item.span()))))
}

fn span_of(span: Option<std::ops::Range<usize>>) -> Span {
    span.map_or(Span::empty(0), Span::from_range)
}
