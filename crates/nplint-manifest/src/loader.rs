//! How parsers reach the file system: through the caller's [`Loader`], so this crate stays free of I/O.

use std::path::{Component, Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("file not found")]
    NotFound,
    /// The path names a directory, a FIFO or a device: nothing a parser reads.
    #[error("not a regular file")]
    NotAFile,
    #[error("file is {}, larger than the {} nplint reads", mebibytes(*size), mebibytes(*limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn mebibytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "one decimal is shown")]
    let mib = bytes as f64 / (1024.0 * 1024.0);
    if mib.fract() == 0.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{mib:.1} MiB")
    }
}

/// Reads files for the parsers: the root file and everything it includes.
pub trait Loader: Sync {
    /// The bytes of the file at `path`.
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError>;

    /// A key that is equal for two paths naming the same file, used to detect include cycles. The default
    /// normalizes `.` and `..` lexically; a file-system loader should also resolve symbolic links.
    fn identity(&self, path: &Path) -> PathBuf {
        normalize_lexically(path)
    }
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
pub fn normalize_lexically(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `a/./b/../c` -> `a/b/../c`: the path without its `.` components, as a path is printed. `..` is kept: whether
/// `b/..` is the directory it starts from depends on symbolic links, so only the file system can remove it.
/// A path made only of `.` components stays `.`.
pub fn without_current_dir(path: &Path) -> PathBuf {
    let out: PathBuf = path
        .components()
        .filter(|component| *component != Component::CurDir)
        .collect();
    if out.as_os_str().is_empty() && !path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalization() {
        assert_eq!(
            normalize_lexically(Path::new("a/./b/../c.txt")),
            Path::new("a/c.txt")
        );
        assert_eq!(normalize_lexically(Path::new("../x")), Path::new("../x"));
    }

    #[test]
    fn current_dir_components_are_dropped() {
        let cases = [
            (
                "project/./requirements/fabric/base.txt",
                "project/requirements/fabric/base.txt",
            ),
            ("./requirements/app/app.txt", "requirements/app/app.txt"),
            ("././a/./b.txt", "a/b.txt"),
            ("a/../b/./c.txt", "a/../b/c.txt"),
            ("/abs/./x.txt", "/abs/x.txt"),
            ("./", "."),
            (".", "."),
            ("", ""),
        ];
        for (path, expected) in cases {
            assert_eq!(
                without_current_dir(Path::new(path)),
                Path::new(expected),
                "{path}"
            );
        }
    }
}
