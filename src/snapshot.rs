//! Which index snapshot a run reads: the one built into the binary, or a newer one installed by `nplint index
//! update` in the user's cache. Every command that reads the index gets it from [`index`].
//!
//! `--index-snapshot auto` (the default) takes the cached snapshot when it is valid and newer than the embedded
//! one; a cached file that does not load, or is not the file its manifest describes, is named in a warning and the
//! embedded one is used (a run never fails, let alone panics, because of the cache). A snapshot of another format
//! version (left by an earlier release of nplint) is passed over in silence. `embedded` ignores the cache, for
//! reproducible runs; `cached` insists on the cache, even when it is older, and fails without it.
//!
//! The cache holds `index/index.bin` and its manifest `index/index.json`, which `nplint index update` wrote after
//! it checked the file in full.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, bail};
use nplint_index::manifest::Manifest;
use nplint_index::{Index, Origin, UploadTime};
use sha2::{Digest, Sha256};

use crate::args::{GlobalArgs, SnapshotChoice};

/// What the command line chose: set once by `main` before any command runs.
static CHOICE: OnceLock<(SnapshotChoice, Option<PathBuf>)> = OnceLock::new();

/// Records the command line's choice of snapshot and cache directory.
pub(crate) fn configure(globals: &GlobalArgs) {
    let _ = CHOICE.set((
        globals.index_snapshot.unwrap_or(SnapshotChoice::Auto),
        globals.cache_dir.clone(),
    ));
}

fn choice() -> (SnapshotChoice, Option<&'static Path>) {
    let (choice, dir) = CHOICE.get_or_init(|| (SnapshotChoice::Auto, None));
    (*choice, dir.as_deref())
}

/// The index this run reads, chosen and loaded on first use.
pub(crate) fn index() -> anyhow::Result<&'static Index> {
    static INDEX: OnceLock<Result<&'static Index, String>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let (choice, dir) = choice();
            select(choice, dir).map_err(|error| format!("{error:#}"))
        })
        .as_ref()
        .map(|index| *index)
        .map_err(|error| anyhow::anyhow!("{error}"))
}

fn select(choice: SnapshotChoice, dir: Option<&Path>) -> anyhow::Result<&'static Index> {
    let embedded = Index::embedded();
    if choice == SnapshotChoice::Embedded {
        return Ok(embedded);
    }
    let cached = choice == SnapshotChoice::Cached;
    let path = match cache_dir(dir) {
        Ok(dir) => snapshot_file(&dir),
        Err(error) if cached => return Err(error),
        // Without a cache directory there is no cached snapshot to prefer.
        Err(_) => return Ok(embedded),
    };
    let loaded = match installed(&path) {
        Ok(Installed::Missing) if cached => bail!(
            "`--index-snapshot cached`: no snapshot in `{}`; `nplint index update` installs one",
            path.display()
        ),
        Ok(Installed::OtherFormat { found }) if cached => bail!(
            "`--index-snapshot cached`: the snapshot in `{}` is of index format version {found}, and this nplint \
             reads version {}; `nplint index update` installs one it reads",
            path.display(),
            nplint_index::compact::FORMAT_VERSION
        ),
        // Left by an earlier release of nplint, whose embedded snapshot is likely older than this one's: not worth
        // a warning on every run.
        Ok(Installed::Missing | Installed::OtherFormat { .. }) => return Ok(embedded),
        // The common case after an upgrade of nplint: decided by the manifest alone, the snapshot left unread.
        Ok(Installed::Manifest(manifest))
            if !cached
                && compare(&manifest.newest_upload, embedded.snapshot().newest_upload())
                    .is_le() =>
        {
            return Ok(embedded);
        }
        Ok(Installed::Manifest(manifest)) => load(&path, &manifest),
        Err(error) => Err(error),
    };
    match loaded {
        Ok(index) => Ok(index),
        Err(error) if cached => Err(error),
        Err(error) => {
            eprintln!("warning: {error:#}; using the embedded index snapshot");
            Ok(embedded)
        }
    }
}

/// What the cache holds, by its manifest.
enum Installed {
    Missing,
    /// A snapshot for another release of nplint.
    OtherFormat {
        found: u32,
    },
    Manifest(Manifest),
}

/// The manifest of the snapshot `bin`, written beside it by `nplint index update`.
fn installed(bin: &Path) -> anyhow::Result<Installed> {
    let invalid = || format!("the cached index snapshot `{}` is invalid", bin.display());
    let manifest_path = bin.with_file_name("index.json");
    let text = match std::fs::read(&manifest_path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && !bin.exists() => {
            return Ok(Installed::Missing);
        }
        Err(error) => {
            return Err(error)
                .with_context(|| format!("cannot read `{}`", manifest_path.display()))
                .with_context(invalid);
        }
    };
    let manifest: Manifest = serde_json::from_slice(&text)
        .with_context(|| format!("`{}` is not an index manifest", manifest_path.display()))
        .with_context(invalid)?;
    if manifest.format_version != nplint_index::compact::FORMAT_VERSION {
        return Ok(Installed::OtherFormat {
            found: manifest.format_version,
        });
    }
    Ok(Installed::Manifest(manifest))
}

/// The snapshot `bin`, which must be the file `manifest` describes: `nplint index update` checked every byte of
/// it before it installed it ([`nplint_index::verify`], 90 ms), and its digest (8 ms for the 15 MB of today's
/// data, on a CPU with SHA extensions) tells that it is still that file, so that no query can meet a corrupt
/// package.
fn load(bin: &Path, manifest: &Manifest) -> anyhow::Result<&'static Index> {
    let invalid = || format!("the cached index snapshot `{}` is invalid", bin.display());
    let bytes = std::fs::read(bin)
        .with_context(|| format!("cannot read `{}`", bin.display()))
        .with_context(invalid)?;
    let digest = sha256_hex(&bytes);
    if bytes.len() as u64 != manifest.size || !digest.eq_ignore_ascii_case(&manifest.sha256) {
        return Err(anyhow::anyhow!(
            "its SHA-256 or size is not the one `index.json` beside it records"
        ))
        .with_context(invalid);
    }
    let index = Index::from_bytes(bytes, Origin::File(bin.to_path_buf())).with_context(invalid)?;
    if index.snapshot().newest_upload() != manifest.newest_upload {
        return Err(anyhow::anyhow!(
            "its snapshot is of {}, where `index.json` beside it says {}",
            index.snapshot().newest_upload(),
            manifest.newest_upload
        ))
        .with_context(invalid);
    }
    Ok(index)
}

/// The SHA-256 of `bytes`, lower-case hex, as manifests write it.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Two snapshots' newest uploads in time order (as text when one does not parse: RFC 3339 in UTC sorts so).
pub(crate) fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (UploadTime::parse(a), UploadTime::parse(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// The cache directory the command line chose ([`cache_dir`] of `--cache-dir`).
pub(crate) fn configured_cache_dir() -> anyhow::Result<PathBuf> {
    cache_dir(choice().1)
}

/// The user cache directory: `--cache-dir` (or `NPLINT_CACHE_DIR`, which clap reads into it), else
/// `$XDG_CACHE_HOME/nplint`, else the platform's cache directory's `nplint` (`nplint_registry::default_cache_dir`,
/// which `nplint check --online` caches under too).
pub(crate) fn cache_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    nplint_registry::default_cache_dir().context(
        "no cache directory on this platform: pass `--cache-dir` or set `NPLINT_CACHE_DIR`",
    )
}

/// Where `nplint index update` installs the snapshot under the cache directory `dir`.
pub(crate) fn snapshot_file(dir: &Path) -> PathBuf {
    dir.join("index").join("index.bin")
}

/// How `--version` and `index stats` name the snapshot's source: `embedded`, or `cached`.
pub(crate) fn source_name(index: &Index) -> &'static str {
    match index.origin() {
        Origin::Embedded => "embedded",
        Origin::File(_) => "cached",
        Origin::Source => "built from source",
    }
}

/// `0.1.0 (index 2026-11-21, embedded)`: the tool's version, and the date and source of the snapshot in use.
pub(crate) fn version() -> anyhow::Result<String> {
    let index = index()?;
    let date = index.snapshot().newest_upload_date();
    Ok(if date.is_empty() {
        format!("{} (no package index)", env!("CARGO_PKG_VERSION"))
    } else {
        format!(
            "{} (index {date}, {})",
            env!("CARGO_PKG_VERSION"),
            source_name(index)
        )
    })
}
