//! Reading files for the parsers, with nplint's limits.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

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
