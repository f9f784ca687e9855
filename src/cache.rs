//! `nplint cache dir` and `nplint cache clean`: the cache directory (`--cache-dir`, `NPLINT_CACHE_DIR`, else the
//! user's cache directory's `nplint`), which holds `check --online`'s HTTP cache (`http/`) and the snapshot
//! `nplint index update` installed (`index/`).

use std::path::Path;

use crate::Status;

/// What nplint keeps in the cache directory: `clean` removes these and nothing else, so that a `--cache-dir`
/// pointed at a directory that holds other files does not lose them.
const KEPT: [&str; 2] = ["http", "index"];

#[allow(clippy::print_stdout, reason = "the path is the command's output")]
pub(crate) fn dir() -> anyhow::Result<Status> {
    println!("{}", crate::snapshot::configured_cache_dir()?.display());
    Ok(Status::Clean)
}

/// Removes what [`KEPT`] names under the cache directory, and says how much it was.
pub(crate) fn clean() -> anyhow::Result<Status> {
    let dir = crate::snapshot::configured_cache_dir()?;
    let (mut files, mut bytes) = (0_u64, 0_u64);
    for name in KEPT {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let (count, size) = measure(&path);
        std::fs::remove_dir_all(&path)
            .map_err(|error| anyhow::anyhow!("cannot remove `{}`: {error}", path.display()))?;
        files += count;
        bytes += size;
    }
    #[allow(clippy::cast_precision_loss, reason = "a size shown with one decimal")]
    let mib = bytes as f64 / (1024.0 * 1024.0);
    eprintln!(
        "removed {files} {} ({mib:.1} MiB) from `{}`",
        if files == 1 { "file" } else { "files" },
        dir.display()
    );
    Ok(Status::Clean)
}

/// The files under `path` and their total size; what cannot be read counts for nothing.
fn measure(path: &Path) -> (u64, u64) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return (0, 0);
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => measure(&entry.path()),
            Ok(_) => (1, entry.metadata().map_or(0, |metadata| metadata.len())),
            Err(_) => (0, 0),
        })
        .fold((0, 0), |(files, bytes), (count, size)| {
            (files + count, bytes + size)
        })
}
