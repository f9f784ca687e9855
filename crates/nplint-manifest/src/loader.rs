//! How parsers reach the file system: through the caller's [`Loader`], so this crate stays free of I/O.

use std::collections::BTreeMap;
use std::ops::Bound;
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

/// Files held in memory, by path: what tests, benchmarks and fuzz targets serve to the parsers, and what an
/// editor serves from its unsaved buffers.
///
/// It answers as a loader of the file system does: a path that names no file but lies above one is a directory
/// ([`LoadError::NotAFile`]), any other is [`LoadError::NotFound`], and a file larger than the limit set with
/// [`MemoryLoader::with_limit`] is [`LoadError::TooLarge`]. Paths are compared as [`Loader::identity`] compares
/// them, after [`normalize_lexically`]: `a/./b.txt` and `x/../a/b.txt` name the file `a/b.txt`.
///
/// ```
/// use std::path::Path;
/// use nplint_manifest::{Format, MemoryLoader};
///
/// let loader = MemoryLoader::from([
///     ("requirements.txt", "-r base.txt\nscipy\n"),
///     ("base.txt", "numpy<2\n"),
/// ]);
/// let manifest = nplint_manifest::load(Path::new("requirements.txt"), Format::RequirementsTxt, &loader)?;
/// assert_eq!(manifest.requirements.len(), 2);
/// # Ok::<(), nplint_manifest::LoadError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    /// By normalized path.
    files: BTreeMap<PathBuf, Vec<u8>>,
    limit: Option<u64>,
}

impl MemoryLoader {
    /// A loader holding no file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses files larger than `limit` bytes, as a loader of the file system refuses them.
    #[must_use]
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Holds `contents` as the file at `path`; the contents it replaces, if the file was held already.
    pub fn insert(
        &mut self,
        path: impl AsRef<Path>,
        contents: impl Into<Vec<u8>>,
    ) -> Option<Vec<u8>> {
        self.files
            .insert(normalize_lexically(path.as_ref()), contents.into())
    }

    /// Forgets the file at `path`; its contents, if it was held.
    pub fn remove(&mut self, path: impl AsRef<Path>) -> Option<Vec<u8>> {
        self.files.remove(&normalize_lexically(path.as_ref()))
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        let path = normalize_lexically(path);
        if let Some(contents) = self.files.get(&path) {
            let size = contents.len() as u64;
            return match self.limit {
                Some(limit) if size > limit => Err(LoadError::TooLarge { size, limit }),
                _ => Ok(contents.clone()),
            };
        }
        // Paths sort by component: the files below `path`, if any, come right after it.
        let below = self
            .files
            .range::<Path, _>((Bound::Excluded(path.as_path()), Bound::Unbounded))
            .next()
            .is_some_and(|(file, _)| file.starts_with(&path));
        Err(if below {
            LoadError::NotAFile
        } else {
            LoadError::NotFound
        })
    }
}

impl<P: AsRef<Path>, C: Into<Vec<u8>>> FromIterator<(P, C)> for MemoryLoader {
    fn from_iter<I: IntoIterator<Item = (P, C)>>(files: I) -> Self {
        let mut loader = Self::new();
        for (path, contents) in files {
            loader.insert(path, contents);
        }
        loader
    }
}

impl<P: AsRef<Path>, C: Into<Vec<u8>>, const N: usize> From<[(P, C); N]> for MemoryLoader {
    fn from(files: [(P, C); N]) -> Self {
        files.into_iter().collect()
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
    fn memory_loader_answers_as_the_file_system() {
        let mut loader = MemoryLoader::from([
            ("requirements.txt", "numpy\n"),
            ("requirements/base.txt", "scipy\n"),
        ]);
        let read = |loader: &MemoryLoader, path: &str| loader.load(Path::new(path));
        assert_eq!(read(&loader, "./requirements.txt").unwrap(), b"numpy\n");
        assert_eq!(
            read(&loader, "requirements/../requirements/./base.txt").unwrap(),
            b"scipy\n"
        );
        assert!(matches!(
            read(&loader, "requirements"),
            Err(LoadError::NotAFile)
        ));
        assert!(matches!(read(&loader, "."), Err(LoadError::NotAFile)));
        assert!(matches!(
            read(&loader, "requirements.in"),
            Err(LoadError::NotFound)
        ));
        assert!(matches!(read(&loader, "req"), Err(LoadError::NotFound)));

        assert_eq!(
            loader.insert("requirements.txt", b"numpy<2\n"),
            Some(b"numpy\n".to_vec())
        );
        assert_eq!(read(&loader, "requirements.txt").unwrap(), b"numpy<2\n");
        assert!(loader.remove("requirements/./base.txt").is_some());
        assert!(matches!(
            read(&loader, "requirements"),
            Err(LoadError::NotFound)
        ));

        let capped = loader.with_limit(4);
        assert!(matches!(
            read(&capped, "requirements.txt"),
            Err(LoadError::TooLarge { size: 8, limit: 4 })
        ));
    }

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
