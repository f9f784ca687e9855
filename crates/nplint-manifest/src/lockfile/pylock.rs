//! `pylock.toml`: the standard lockfile of PEP 751 (`lock-version = "1.0"`).
//!
//! Every `[[packages]]` entry is locked: one environment. An entry installed from a local `directory` is the
//! project or a path dependency and is left out. `version` is optional for entries from `vcs`, `archive` or
//! `directory` sources; such an entry without one cannot be checked and says so. An entry's `marker` is its
//! marker, and the top-level `requires-python` is the file's Python.
//!
//! <https://peps.python.org/pep-0751/>

use super::toml::{Table, Value};
use super::{LockBuilder, TomlLock};
use crate::{Loader, Manifest};

/// PEP 751's layout: `[[packages]]`, each with its `marker`; the top-level `requires-python`.
pub(crate) struct Pylock;

impl TomlLock for Pylock {
    const PACKAGES: &'static str = "packages";
    /// What a reader of pylock.toml never needs: the distributions, attestations and the dependency graph.
    const SKIP: &'static [&'static str] = &[
        "packages.wheels",
        "packages.sdist",
        "packages.archive",
        "packages.dependencies",
        "packages.attestation-identities",
    ];

    /// `default-groups`: the dependency groups an installer installs when none is asked for, and so those that
    /// `'<group>' in dependency_groups` finds. No extra is asked for.
    fn requested(builder: &mut LockBuilder, root: &Table<'_>) {
        let groups = root
            .get("default-groups")
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .map(ToOwned::to_owned)
            .collect();
        builder.request_groups(groups);
    }

    fn left_out(package: &Table<'_>) -> bool {
        package.contains_key("directory")
    }
}

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    super::read_toml_lock::<Pylock>(manifest)
}
