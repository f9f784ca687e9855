//! `cargo xtask index scan-wheel`: the sync's wheel scans run over wheels on disk, to see what the scan concludes
//! from a wheel at hand (a change of its rules checked on real wheels) without touching the network.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use nplint_index::source::{ApiUse, BuildScan};
use serde::Serialize;

use super::scan;
use super::zip::{Archive, ByteSource};

/// A wheel on disk, read by ranges as the sync reads a remote one.
struct LocalFile(Mutex<File>);

impl ByteSource for LocalFile {
    fn read_at(&self, start: u64, len: u64) -> Result<Vec<u8>> {
        let mut file = self
            .0
            .lock()
            .map_err(|_| anyhow::anyhow!("a wheel's reader panicked"))?;
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::new();
        file.by_ref().take(len).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// What the scans found in one wheel, as the data would record it.
#[derive(Debug, Serialize)]
struct Scanned {
    wheel: String,
    /// Absent when the scan's budget ran out first.
    build: Option<BuildScan>,
    removed_api: Vec<ApiUse>,
}

/// Scans each wheel and prints, per wheel, a JSON line with its `build` and `removed_api` facts.
pub fn run(root: &Path, wheels: &[PathBuf]) -> Result<()> {
    let removed = super::removed_names(&root.join("crates/nplint-index/data/numpy-api.toml"))?;
    for path in wheels {
        let scanned =
            scan_wheel(path, &removed).with_context(|| format!("scanning `{}`", path.display()))?;
        println!("{}", serde_json::to_string(&scanned)?);
    }
    Ok(())
}

fn scan_wheel(path: &Path, removed: &std::collections::BTreeSet<String>) -> Result<Scanned> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let source = LocalFile(Mutex::new(file));
    let archive = Archive::open(&source, size)?;
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .context("a wheel's file name is not UTF-8")?;
    let build = scan::scan_build(&archive, scan::BUILD_BUDGET)?.fact(name);
    let uses = scan::scan_api(&archive, scan::API_BUDGET)?;
    Ok(Scanned {
        wheel: name.to_string(),
        build,
        removed_api: scan::removed_api(&uses, removed, name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nplint_registry::zip::testing::build_zip;

    #[test]
    fn scans_a_wheel_on_disk() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory
            .path()
            .join("pkg-1.0-cp311-cp311-linux_x86_64.whl");
        let module =
            b"numpy.core._multiarray_umath\0_ARRAY_API\0_ARRAY_API is NULL pointer\0".to_vec();
        std::fs::write(
            &path,
            build_zip(
                &[
                    ("pkg/_ext.so", module.as_slice(), true),
                    ("pkg/a.py", b"import numpy as np\nx = np.NaN\n", true),
                ],
                false,
                0,
            ),
        )
        .unwrap();
        let removed = ["NaN".to_string()].into_iter().collect();
        let scanned = scan_wheel(&path, &removed).unwrap();
        let build = scanned.build.unwrap();
        assert_eq!(build.numpy, nplint_index::source::BuildNumpy::Numpy1);
        assert_eq!(build.member.as_deref(), Some("pkg/_ext.so"));
        assert_eq!(scanned.removed_api.len(), 1);
        assert!(scan_wheel(&directory.path().join("missing.whl"), &removed).is_err());
    }
}
