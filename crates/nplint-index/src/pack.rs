//! The index's source tree read and encoded: what `build.rs` embeds, and what `cargo xtask index pack` publishes
//! for `nplint index update`. One code path for both, so a published snapshot is byte for byte the one a build of
//! the same data would embed.
//!
//! `build.rs` includes this file with `#[path]` (beside `source.rs` and `compact.rs`); the library exposes it with
//! the `pack` feature, which brings `serde_json` in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compact;
use crate::source::{PackageFile, Snapshot, StoredPackageFile};

/// The encoded index of a source tree, and what was left out of it.
#[derive(Debug)]
pub struct Packed {
    /// The compact form ([`compact::encode`]).
    pub bytes: Vec<u8>,
    /// The snapshot's newest upload (RFC 3339), empty without data.
    pub newest_upload: String,
    /// One line per file left out, and why: the build prints them as warnings, the packer refuses to publish.
    pub left_out: Vec<String>,
}

/// Reads `data/snapshot.json` and `data/packages/*.json` of `data` and encodes them. Never fails: without data the
/// index is empty, and a file that cannot be read is left out and named in [`Packed::left_out`].
pub fn pack_dir(data: &Path) -> Packed {
    let mut left_out = Vec::new();
    let snapshot = read_snapshot(&data.join("snapshot.json"), &mut left_out);
    let packages = read_packages(&data.join("packages"), &mut left_out);
    Packed {
        bytes: compact::encode(&snapshot, &packages),
        newest_upload: snapshot.newest_upload,
        left_out,
    }
}

fn read_snapshot(path: &Path, left_out: &mut Vec<String>) -> Snapshot {
    let empty = Snapshot {
        newest_upload: String::new(),
        packages: Vec::new(),
        added_by_closure: BTreeMap::new(),
    };
    if !path.exists() {
        return empty;
    }
    match std::fs::read_to_string(path)
        .map_err(|error| error.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|error| error.to_string()))
    {
        Ok(snapshot) => snapshot,
        Err(error) => {
            left_out.push(format!("{} left out: {error}", path.display()));
            empty
        }
    }
}

fn read_packages(dir: &Path, left_out: &mut Vec<String>) -> Vec<PackageFile> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut packages: Vec<PackageFile> = Vec::with_capacity(paths.len());
    for path in paths {
        let package: PackageFile = match std::fs::read_to_string(&path)
            .map_err(|error| error.to_string())
            .and_then(|text| {
                serde_json::from_str::<StoredPackageFile>(&text).map_err(|error| error.to_string())
            })
            .and_then(StoredPackageFile::expand)
        {
            Ok(package) => package,
            Err(error) => {
                left_out.push(format!("{} left out: {error}", path.display()));
                continue;
            }
        };
        if !compact::is_normalized_name(&package.name) {
            left_out.push(format!(
                "{} left out: `{}` is not a normalized package name",
                path.display(),
                package.name
            ));
            continue;
        }
        if packages.iter().any(|seen| seen.name == package.name) {
            left_out.push(format!(
                "{} left out: another file already defines `{}`",
                path.display(),
                package.name
            ));
            continue;
        }
        packages.push(package);
    }
    packages
}
