//! Encodes the index's source form (`data/snapshot.json`, `data/packages/*.json`) into the embedded form
//! (`$OUT_DIR/index.bin`). Why a build script and not a checked-in blob: see the crate documentation in
//! `src/lib.rs`.
//!
//! The build never fails because of the data, since the `xtask` that writes the data builds this crate: without
//! data the index is empty, and a file that cannot be read is left out with a warning (the integrity tests, which
//! compare the embedded form with the files, then fail).

#![allow(
    clippy::print_stdout,
    reason = "a build script talks to cargo through stdout"
)]

#[path = "src/source.rs"]
mod source;

#[path = "src/compact.rs"]
#[allow(dead_code, reason = "the decoder half is for the library")]
mod compact;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use source::{PackageFile, Snapshot};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let data = manifest_dir.join("data");
    // A directory is scanned as a whole: a package file added, changed or removed reruns this script.
    println!("cargo:rerun-if-changed={}", data.display());

    let snapshot = read_snapshot(&data.join("snapshot.json"));
    let packages = read_packages(&data.join("packages"));
    let bytes = compact::encode(&snapshot, &packages);

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("index.bin");
    // A build script that cannot write to OUT_DIR has nothing sensible left to do.
    std::fs::write(&out, bytes)
        .unwrap_or_else(|error| panic!("writing {}: {error}", out.display()));
}

fn warn(message: &str) {
    println!("cargo:warning=nplint-index: {message}");
}

fn read_snapshot(path: &Path) -> Snapshot {
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
            warn(&format!("{} left out: {error}", path.display()));
            empty
        }
    }
}

fn read_packages(dir: &Path) -> Vec<PackageFile> {
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
            .and_then(|text| serde_json::from_str(&text).map_err(|error| error.to_string()))
        {
            Ok(package) => package,
            Err(error) => {
                warn(&format!("{} left out: {error}", path.display()));
                continue;
            }
        };
        if !compact::is_normalized_name(&package.name) {
            warn(&format!(
                "{} left out: `{}` is not a normalized package name",
                path.display(),
                package.name
            ));
            continue;
        }
        if packages.iter().any(|seen| seen.name == package.name) {
            warn(&format!(
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
