//! The manifest of a published snapshot (`index.json`): what `cargo xtask index pack` writes beside `index.bin`
//! and `nplint index update` reads before it downloads the file. The contract between the two, so it lives with
//! the format it describes.

use serde::{Deserialize, Serialize};

/// `index.json`: the snapshot's format version, date, digest, size and file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`crate::compact::FORMAT_VERSION`] of the file: a binary reads only its own.
    pub format_version: u32,
    /// The snapshot's newest upload (RFC 3339, UTC): how new its knowledge is.
    pub newest_upload: String,
    /// The SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
    /// The file, as a URL relative to the manifest's own (a plain name: `index.bin`).
    pub file: String,
}

impl Manifest {
    /// The date part of [`Manifest::newest_upload`]: `2026-11-21`.
    pub fn date(&self) -> &str {
        self.newest_upload.get(..10).unwrap_or(&self.newest_upload)
    }
}
