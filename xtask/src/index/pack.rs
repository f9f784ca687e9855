//! `cargo xtask index pack --out DIR`: the index's source tree encoded as `build.rs` embeds it
//! (`nplint_index::pack`), written as `DIR/index.bin` with its manifest `DIR/index.json`, for publication as a
//! release's assets that `nplint index update` installs.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use nplint_index::manifest::Manifest;
use sha2::{Digest, Sha256};

/// The name of the packed snapshot beside its manifest.
const FILE: &str = "index.bin";

pub fn run(root: &Path, out: &Path) -> Result<()> {
    let packed = nplint_index::pack::pack_dir(&root.join("crates/nplint-index/data"));
    // The build would embed such a tree with warnings and its tests would fail: nothing of it is published.
    if !packed.left_out.is_empty() {
        bail!(
            "not packed, files were left out:\n{}",
            packed.left_out.join("\n")
        );
    }
    if packed.newest_upload.is_empty() {
        bail!("not packed: the index has no data (no `snapshot.json`)");
    }
    let manifest = manifest(&packed.bytes, &packed.newest_upload);
    std::fs::create_dir_all(out).with_context(|| format!("creating `{}`", out.display()))?;
    std::fs::write(out.join(FILE), &packed.bytes)
        .with_context(|| format!("writing `{}`", out.join(FILE).display()))?;
    let mut json = serde_json::to_string_pretty(&manifest)?;
    json.push('\n');
    std::fs::write(out.join("index.json"), json)
        .with_context(|| format!("writing `{}`", out.join("index.json").display()))?;
    println!(
        "packed the index snapshot of {} ({} bytes, sha256 {}) into {}",
        manifest.date(),
        manifest.size,
        manifest.sha256,
        out.display()
    );
    Ok(())
}

/// The manifest of `bytes`, a snapshot whose newest upload is `newest_upload`.
fn manifest(bytes: &[u8], newest_upload: &str) -> Manifest {
    let mut sha256 = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        let _ = write!(sha256, "{byte:02x}");
    }
    Manifest {
        format_version: nplint_index::compact::FORMAT_VERSION,
        newest_upload: newest_upload.to_owned(),
        sha256,
        size: bytes.len() as u64,
        file: FILE.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packed_snapshot_is_the_embedded_one_and_its_manifest_describes_it() {
        let dir = tempfile::tempdir().unwrap();
        run(&crate::workspace_root(), dir.path()).unwrap();
        let bytes = std::fs::read(dir.path().join(FILE)).unwrap();
        // One code path: the published file is byte for byte what this build embeds.
        assert!(bytes == nplint_index::embedded_bytes());
        let manifest: Manifest =
            serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(manifest, self::manifest(&bytes, &manifest.newest_upload));
        assert_eq!(manifest.size, bytes.len() as u64);
        assert_eq!(
            manifest.newest_upload,
            nplint_index::Index::embedded().snapshot().newest_upload()
        );
    }

    #[test]
    fn the_digest_is_sha256_in_lower_case_hex() {
        assert_eq!(
            manifest(b"abc", "2026-01-01T00:00:00Z").sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
