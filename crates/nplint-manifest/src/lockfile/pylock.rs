//! `pylock.toml`: the standard lockfile of PEP 751 (`lock-version = "1.0"`).
//!
//! Every `[[packages]]` entry is locked: one environment. An entry installed from a local `directory` is the
//! project or a path dependency and is left out. `version` is optional for entries from `vcs`, `archive` or
//! `directory` sources; such an entry without one cannot be checked and says so. An entry's `marker` is its
//! marker, and the top-level `requires-python` is the file's Python.
//!
//! <https://peps.python.org/pep-0751/>

use super::toml::Table;
use super::{LockBuilder, Locked, TomlLock, toml_string};
use crate::{Loader, Manifest};

/// What a reader of pylock.toml never needs: the distributions, attestations and the dependency graph.
pub(super) const SKIP: &[&str] = &[
    "packages.wheels",
    "packages.sdist",
    "packages.archive",
    "packages.dependencies",
    "packages.attestation-identities",
];

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock(
        manifest,
        &TomlLock {
            packages: "packages",
            skip: SKIP,
            python: |builder, root| {
                if let Some((python, span)) = toml_string(builder, root, "requires-python") {
                    builder.python(python, span);
                }
            },
            package: read_package,
            graph: None,
        },
    )
}

fn read_package(builder: &mut LockBuilder, table: &Table<'_>) -> Option<usize> {
    let header = table.span;
    let Some((name, name_span)) = toml_string(builder, table, "name") else {
        // A name of another type is already an issue.
        if !table.contains_key("name") {
            builder.invalid("a `[[packages]]` entry without a `name`", header);
        }
        return None;
    };
    if table.contains_key("directory") {
        return None;
    }
    let Some((version, version_span)) = toml_string(builder, table, "version") else {
        // A version of another type is already an issue.
        if !table.contains_key("version") {
            super::unversioned(builder, name, name_span);
        }
        return None;
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
    builder.package(&locked)
}
