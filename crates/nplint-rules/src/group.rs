//! Checking files together: a manifest and the lockfiles made from it are read once and checked as a group, so
//! that `lock-drift` compares a lockfile with the manifest it came from. What the command line and the language
//! server both run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nplint_diagnostics::{Diagnostic, Location, SourceFile};
use nplint_manifest::{Format, LoadError, Loader, Manifest, detect_format};

use crate::{Resolver, Settings};

/// A file to check: its path, format and settings.
pub type Work = (PathBuf, Format, Settings);

/// The files checked together, as indices into `work`: a manifest and the lockfiles made from it
/// (`pyproject.toml` with `uv.lock`, `Pipfile` with `Pipfile.lock`), so that the manifest is read once, for its
/// own check and for `lock-drift`; every other file alone. In the order of `work`.
pub fn groups(work: &[Work]) -> Vec<Vec<usize>> {
    let by_path: HashMap<&Path, usize> = work
        .iter()
        .enumerate()
        .map(|(index, (path, _, _))| (path.as_path(), index))
        .collect();
    let mut group_of: Vec<Option<usize>> = vec![None; work.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (index, (path, format, _)) in work.iter().enumerate() {
        let sibling = format
            .lock_manifest()
            .and_then(|name| by_path.get(path.with_file_name(name).as_path()).copied());
        let leader = sibling.unwrap_or(index);
        let group = *group_of[leader].get_or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        group_of[index] = Some(group);
        groups[group].push(index);
    }
    groups
}

/// Checks one group of [`groups`]: each file, read with `reader`, and each lockfile against its manifest (read
/// once when it is in the group, else with `sibling_reader`).
pub fn check_group(
    work: &[Work],
    group: &[usize],
    resolver: &Resolver,
    reader: &dyn Loader,
    sibling_reader: &dyn Loader,
) -> Vec<Diagnostic> {
    let loaded: Vec<(usize, Result<Manifest, LoadError>)> = group
        .iter()
        .map(|&index| {
            let (path, format, _) = &work[index];
            (index, nplint_manifest::load(path, *format, reader))
        })
        .collect();
    let mut diagnostics = Vec::new();
    for (index, manifest) in &loaded {
        let (path, format, settings) = &work[*index];
        let manifest = match manifest {
            Ok(manifest) => manifest,
            Err(error) => {
                let location = Location::file_start(SourceFile::new(path, ""));
                diagnostics.push(crate::io_error(
                    location,
                    format!("cannot read `{}`: {error}", path.display()),
                ));
                continue;
            }
        };
        diagnostics.extend(crate::check_manifest_resolved(manifest, resolver, settings));
        if !settings.rules.is_enabled(crate::lock_drift_rule()) {
            continue;
        }
        let Some(name) = format.lock_manifest() else {
            continue;
        };
        let sibling_path = path.with_file_name(name);
        let in_group = loaded.iter().find_map(|(other, manifest)| {
            (work[*other].0 == sibling_path)
                .then_some(manifest.as_ref().ok())
                .flatten()
        });
        let from_disk;
        let sibling = if let Some(sibling) = in_group {
            Some(sibling)
        } else {
            from_disk = lock_manifest(path, *format, sibling_reader);
            from_disk.as_ref()
        };
        if let Some(sibling) = sibling {
            diagnostics.extend(crate::check_lock_drift(
                resolver.index(),
                manifest,
                sibling,
                settings,
            ));
        }
    }
    diagnostics
}

/// The manifest a lockfile was made from (`pyproject.toml` beside `uv.lock`, `Pipfile` beside `Pipfile.lock`),
/// for `lock-drift`. A missing one is no finding, and one that cannot be read is skipped: it is checked on its
/// own when it is checked at all.
fn lock_manifest(lock: &Path, format: Format, reader: &dyn Loader) -> Option<Manifest> {
    let name = format.lock_manifest()?;
    let path = lock.with_file_name(name);
    let sibling_format = detect_format(&path, false)?;
    nplint_manifest::load(&path, sibling_format, reader).ok()
}
