//! `nplint index update`: installs the newest published index snapshot in the user cache, where every later run
//! finds it (`crate::snapshot`), so that nplint's knowledge refreshes without a new binary.
//!
//! The manifest (`index.json`, written by `cargo xtask index pack`) is read first: a snapshot of another format
//! version, or not newer than the one in use, is refused before its file is downloaded. The file is checked against
//! the manifest's size and SHA-256, decoded in full, and written beside the previous one and renamed over it, so
//! a failed update leaves the installed snapshot as it was.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use nplint_index::manifest::Manifest;
use nplint_index::{Index, Origin};

use crate::Status;
use crate::args::{GlobalArgs, IndexUpdateArgs};
use crate::download::{download, redacted};
use crate::snapshot;

/// The manifest of the snapshot published by `.github/workflows/index-publish.yml`.
pub(crate) const DEFAULT_URL: &str =
    "https://github.com/nplint/nplint/releases/download/index-latest/index.json";

pub(crate) fn run(args: &IndexUpdateArgs, globals: &GlobalArgs) -> anyhow::Result<Status> {
    let manifest_url = args.from.as_deref().unwrap_or(DEFAULT_URL);
    let shown = redacted(manifest_url);
    let manifest: Manifest = serde_json::from_slice(&download(manifest_url)?)
        .with_context(|| format!("`{shown}` is not an index manifest"))?;
    let expected = nplint_index::compact::FORMAT_VERSION;
    if manifest.format_version != expected {
        bail!(
            "the snapshot of `{shown}` has index format version {}, and this nplint reads version {expected}: \
             a new nplint is needed to use it",
            manifest.format_version
        );
    }

    let current = snapshot::index()?;
    let current_date = current.snapshot().newest_upload_date();
    let current_source = snapshot::source_name(current);
    let mut stdout = std::io::stdout().lock();
    match snapshot::compare(&manifest.newest_upload, current.snapshot().newest_upload()) {
        std::cmp::Ordering::Equal => {
            writeln!(
                stdout,
                "index snapshot {current_date} ({current_source}) is already up to date"
            )?;
            return Ok(Status::Clean);
        }
        std::cmp::Ordering::Less => bail!(
            "the snapshot of `{shown}` ({}) is older than the one in use ({current_date}, {current_source}): \
             nothing installed",
            manifest.date()
        ),
        std::cmp::Ordering::Greater => {}
    }

    let file_url = url::Url::parse(manifest_url)
        .and_then(|base| base.join(&manifest.file))
        .with_context(|| format!("`{}` of `{shown}` is not a URL", manifest.file))?;
    let file_shown = redacted(file_url.as_str());
    let bytes = download(file_url.as_str())?;
    check(&bytes, &manifest).with_context(|| format!("`{file_shown}` refused"))?;

    let dir = snapshot::cache_dir(globals.cache_dir.as_deref())?;
    let path = snapshot::snapshot_file(&dir);
    nplint_index::verify(&bytes).with_context(|| format!("`{file_shown}` refused"))?;
    let installed = Index::from_bytes(bytes.clone(), Origin::File(path.clone()))
        .with_context(|| format!("`{file_shown}` refused"))?;
    if installed.snapshot().newest_upload() != manifest.newest_upload {
        bail!(
            "`{file_shown}` refused: its snapshot is of {}, where its manifest says {}",
            installed.snapshot().newest_upload(),
            manifest.newest_upload
        );
    }
    let index_dir = path.parent().expect("the snapshot file lies in `index/`");
    write_atomically(index_dir, "index.bin", &bytes)?;
    let mut json = serde_json::to_vec_pretty(&manifest)?;
    json.push(b'\n');
    write_atomically(index_dir, "index.json", &json)?;
    writeln!(
        stdout,
        "index snapshot {} (was {current_date}, {current_source}) installed in `{}`",
        manifest.date(),
        index_dir.display()
    )?;
    Ok(Status::Clean)
}

/// Whether `bytes` are the file `manifest` describes: its size, then its SHA-256.
fn check(bytes: &[u8], manifest: &Manifest) -> anyhow::Result<()> {
    if bytes.len() as u64 != manifest.size {
        bail!(
            "{} bytes, where the manifest says {}",
            bytes.len(),
            manifest.size
        );
    }
    let digest = snapshot::sha256_hex(bytes);
    if !digest.eq_ignore_ascii_case(&manifest.sha256) {
        bail!(
            "its SHA-256 is {digest}, where the manifest says {}",
            manifest.sha256
        );
    }
    Ok(())
}

/// Writes `name` in `dir` through a temporary file in the same directory renamed over it: a reader sees the old
/// file or the new one, never part of one.
fn write_atomically(dir: &Path, name: &str, contents: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    let path = dir.join(name);
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("writing in `{}`", dir.display()))?;
    file.write_all(contents)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("writing `{}`", path.display()))?;
    file.persist(&path)
        .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}
