//! Reading files for the parsers, with nplint's limits.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use nplint_manifest::{LoadError, Loader};

/// The largest file nplint reads. Hand-written environment files are kilobytes; lockfiles of thousands of
/// packages are a few megabytes. Anything larger is refused with a diagnostic rather than read into memory.
pub(crate) const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Reads regular files from the file system, up to [`MAX_FILE_SIZE`].
#[derive(Debug, Default)]
pub(crate) struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        let not_found = |error: std::io::Error| match error.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Io(error),
        };
        // Checked before opening: opening a FIFO blocks until a writer appears, and a device may never end.
        let metadata = std::fs::metadata(path).map_err(not_found)?;
        if !metadata.is_file() {
            return Err(LoadError::NotAFile);
        }
        if metadata.len() > MAX_FILE_SIZE {
            return Err(LoadError::TooLarge {
                size: metadata.len(),
                limit: MAX_FILE_SIZE,
            });
        }
        let file = File::open(path).map_err(not_found)?;
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        // The file may grow between `metadata` and `read`: never read past the limit.
        file.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(LoadError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_FILE_SIZE,
            });
        }
        Ok(bytes)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| nplint_manifest::normalize_lexically(path))
    }
}

/// What configuration discovery read of `pyproject.toml` files, kept for the check of the same file, so that a
/// project's `pyproject.toml` is read once: discovery reads through [`Keeping`], the checks through [`Taking`],
/// which hands the bytes over (a file that is not checked keeps its bytes until the run ends: a few kilobytes per
/// directory that configures nplint).
#[derive(Debug, Default)]
pub(crate) struct ReadOnce {
    kept: Mutex<HashMap<PathBuf, Vec<u8>>>,
}

impl ReadOnce {
    /// The key of a file whose reads are shared: a `pyproject.toml`, by its absolute path.
    fn key(path: &Path) -> Option<PathBuf> {
        if path.file_name()? != "pyproject.toml" {
            return None;
        }
        std::path::absolute(path)
            .ok()
            .map(|path| nplint_manifest::normalize_lexically(&path))
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Vec<u8>>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Reads as [`FsLoader`] does, keeping what it reads of a `pyproject.toml` in a [`ReadOnce`].
#[derive(Debug, Clone)]
pub(crate) struct Keeping(pub Arc<ReadOnce>);

impl Loader for Keeping {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        let bytes = FsLoader.load(path)?;
        if let Some(key) = ReadOnce::key(path) {
            self.0.kept().insert(key, bytes.clone());
        }
        Ok(bytes)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        FsLoader.identity(path)
    }
}

/// Reads as [`FsLoader`] does, except a file a [`Keeping`] read first: that one's bytes are taken from it.
#[derive(Debug, Clone)]
pub(crate) struct Taking(pub Arc<ReadOnce>);

impl Loader for Taking {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        if let Some(key) = ReadOnce::key(path)
            && let Some(bytes) = self.0.kept().remove(&key)
        {
            return Ok(bytes);
        }
        FsLoader.load(path)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        FsLoader.identity(path)
    }
}

/// The document given on standard input (`--stdin-filename`), read as the file it is named after; every other file
/// (its includes, a lockfile's manifest) through `below`.
#[derive(Debug)]
pub(crate) struct Stdin<L> {
    document: nplint_manifest::MemoryLoader,
    below: L,
}

impl<L: Loader> Stdin<L> {
    /// `bytes` as the file at `path`, over `below`.
    pub(crate) fn new(path: &Path, bytes: Vec<u8>, below: L) -> Self {
        Self {
            document: nplint_manifest::MemoryLoader::from([(path, bytes)]),
            below,
        }
    }
}

impl<L: Loader> Loader for Stdin<L> {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        match self.document.load(path) {
            Err(LoadError::NotFound | LoadError::NotAFile) => self.below.load(path),
            read => read,
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        self.below.identity(path)
    }
}

/// Standard input, whole, unless it is larger than [`MAX_FILE_SIZE`] (then `Err` with the size read so far).
pub(crate) fn read_stdin() -> std::io::Result<Result<Vec<u8>, u64>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 > MAX_FILE_SIZE {
        Err(bytes.len() as u64)
    } else {
        Ok(bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pyproject_read_for_configuration_is_not_read_again_by_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(&path, "[tool.nplint]\n").unwrap();
        let shared = Arc::new(ReadOnce::default());
        assert_eq!(
            Keeping(shared.clone()).load(&path).unwrap(),
            b"[tool.nplint]\n"
        );
        // Changed on disk after discovery read it: the check sees what discovery saw, once.
        std::fs::write(&path, "[project]\n").unwrap();
        assert_eq!(
            Taking(shared.clone()).load(&path).unwrap(),
            b"[tool.nplint]\n"
        );
        assert_eq!(Taking(shared.clone()).load(&path).unwrap(), b"[project]\n");
        // Other files are never kept.
        let requirements = dir.path().join("requirements.txt");
        std::fs::write(&requirements, "numpy\n").unwrap();
        Keeping(shared.clone()).load(&requirements).unwrap();
        assert!(shared.kept().is_empty());
    }

    #[test]
    fn the_document_on_standard_input_stands_for_its_file_and_only_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.txt");
        std::fs::write(&path, "on disk\n").unwrap();
        std::fs::write(dir.path().join("base.txt"), "numpy\n").unwrap();
        let loader = Stdin::new(&path, b"-r base.txt\n".to_vec(), FsLoader);
        assert_eq!(loader.load(&path).unwrap(), b"-r base.txt\n");
        // Written another way, the same file.
        assert_eq!(
            loader
                .load(&dir.path().join("x/../requirements.txt"))
                .unwrap(),
            b"-r base.txt\n"
        );
        assert_eq!(
            loader.load(&dir.path().join("base.txt")).unwrap(),
            b"numpy\n"
        );
        assert!(matches!(
            loader.load(&dir.path().join("absent.txt")),
            Err(LoadError::NotFound)
        ));
    }
}
