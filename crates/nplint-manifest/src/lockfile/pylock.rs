//! `pylock.toml`: the standard lockfile of PEP 751 (`lock-version = "1.0"`).
//!
//! Every `[[packages]]` entry is locked: one environment. An entry installed from a local `directory` is the
//! project or a path dependency and is left out. `version` is optional for entries from `vcs`, `archive` or
//! `directory` sources; such an entry without one cannot be checked and says so. An entry's `marker` is its
//! marker, and the top-level `requires-python` is the file's Python.
//!
//! <https://peps.python.org/pep-0751/>

use toml_edit::Table;

use super::{LockBuilder, Locked, toml_span, toml_string};
use crate::{Loader, Manifest};

/// The environment of a PEP 751 lock: everything it locks.
const ENVIRONMENT: &str = "locked";

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let mut builder = LockBuilder::new(manifest);
    let text = builder.text().to_owned();
    let Some(document) = super::toml_document(&mut builder, &text) else {
        return builder.finish();
    };
    if let Some((python, span)) = toml_string(&mut builder, document.as_table(), "requires-python")
    {
        builder.python(python, span);
    }
    builder.environment(ENVIRONMENT, None);
    let Some(packages) = super::toml_tables(&mut builder, document.as_table(), "packages") else {
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
            builder.invalid("a `[[packages]]` entry without a `name`", header);
        }
        return;
    };
    if table.contains_key("directory") {
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
