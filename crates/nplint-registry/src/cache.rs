//! The on-disk HTTP cache: one file per entry, named by a hash of its key (a credential-free URL, with what
//! distinguishes the entry), holding the key, a few header fields and the body.
//!
//! Entries are written to a temporary file in their directory and renamed into place, so that concurrent nplint
//! processes (and the threads of one) never read half an entry: the last rename wins and every reader sees a
//! whole file. The store is bounded: after a write, when the files under the cache exceed the bound, the oldest
//! (by modification time, which a revalidated entry refreshes) are removed.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

/// A directory of cache entries.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    max_bytes: u64,
    /// Set while one thread prunes, so that the others do not walk the directory at the same time.
    pruning: AtomicBool,
}

impl Store {
    pub fn new(root: &Path, max_bytes: u64) -> Result<Self> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("creating the cache `{}`", root.display()))?;
        Ok(Self {
            root: root.to_path_buf(),
            max_bytes,
            pruning: AtomicBool::new(false),
        })
    }

    fn path(&self, kind: &str, key: &str) -> PathBuf {
        let hash = cache_hash(key);
        self.root.join(kind).join(&hash[..2]).join(hash)
    }

    /// An entry: the key on its first line (checked, so a hash collision is a miss), then `fields` lines, then
    /// the body.
    pub fn read(&self, kind: &str, key: &str, fields: usize) -> Option<(Vec<String>, Vec<u8>)> {
        let bytes = std::fs::read(self.path(kind, key)).ok()?;
        let mut rest = bytes.as_slice();
        let mut values = Vec::new();
        for _ in 0..=fields {
            let end = rest.iter().position(|&byte| byte == b'\n')?;
            values.push(String::from_utf8(rest[..end].to_vec()).ok()?);
            rest = &rest[end + 1..];
        }
        (values.remove(0) == key).then(|| (values, rest.to_vec()))
    }

    /// Writes an entry atomically (a temporary file in the same directory, renamed), then prunes.
    pub fn write(&self, kind: &str, key: &str, fields: &[&str], body: &[u8]) -> Result<()> {
        let path = self.path(kind, key);
        let directory = path.parent().expect("cache paths have a parent");
        std::fs::create_dir_all(directory)?;
        let mut file = tempfile::Builder::new()
            .prefix(".tmp")
            .tempfile_in(directory)
            .with_context(|| format!("writing to the cache `{}`", self.root.display()))?;
        for line in std::iter::once(key).chain(fields.iter().copied()) {
            file.write_all(line.replace('\n', " ").as_bytes())?;
            file.write_all(b"\n")?;
        }
        file.write_all(body)?;
        if let Err(error) = file.persist(&path) {
            // Another writer's rename may have won on a platform that does not replace open files: its entry
            // is as good as this one.
            if !path.exists() {
                return Err(error.error).context("writing a cache entry");
            }
        }
        self.prune();
        Ok(())
    }

    /// Removes the oldest entries while the cache holds more than its bound. Best effort: an entry another
    /// process removed first is simply gone.
    pub fn prune(&self) {
        if self.max_bytes == u64::MAX || self.pruning.swap(true, Ordering::Acquire) {
            return;
        }
        let mut entries = Vec::new();
        collect(&self.root, &mut entries);
        let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        if total > self.max_bytes {
            entries.sort();
            for (_, size, path) in entries {
                if total <= self.max_bytes {
                    break;
                }
                if std::fs::remove_file(&path).is_ok() {
                    total -= size;
                }
            }
        }
        self.pruning.store(false, Ordering::Release);
    }
}

/// Every entry under `directory`: modification time, size, path. Temporary files being written are left alone.
fn collect(directory: &Path, entries: &mut Vec<(std::time::SystemTime, u64, PathBuf)>) {
    let Ok(read) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in read.flatten() {
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let path = entry.path();
        if metadata.is_dir() {
            collect(&path, entries);
        } else if !entry.file_name().to_string_lossy().starts_with(".tmp") {
            let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
            entries.push((modified, metadata.len(), path));
        }
    }
}

/// A 128-bit hex name for a cache key. `DefaultHasher::new()` is deterministic within a toolchain; a different
/// toolchain only means a cold cache, and the key stored in the entry guards against collisions.
fn cache_hash(key: &str) -> String {
    let half = |salt: u8| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        key.hash(&mut hasher);
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_check_their_key() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::new(directory.path(), u64::MAX).unwrap();
        store
            .write(
                "files",
                "https://files.example.invalid/a.metadata",
                &["200"],
                b"body\nmore",
            )
            .unwrap();
        let (fields, body) = store
            .read("files", "https://files.example.invalid/a.metadata", 1)
            .unwrap();
        assert_eq!(fields, ["200"]);
        assert_eq!(body, b"body\nmore");
        assert!(
            store
                .read("files", "https://files.example.invalid/b", 1)
                .is_none()
        );
    }

    #[test]
    fn names_are_stable_and_distinct() {
        assert_eq!(cache_hash("a"), cache_hash("a"));
        assert_ne!(cache_hash("a"), cache_hash("b"));
        assert_eq!(cache_hash("a").len(), 32);
    }

    #[test]
    fn concurrent_writes_of_one_entry_leave_a_whole_entry() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::new(directory.path(), u64::MAX).unwrap();
        let bodies = [vec![b'a'; 300_000], vec![b'b'; 200_000]];
        std::thread::scope(|scope| {
            for body in &bodies {
                let (store, bodies) = (&store, &bodies);
                scope.spawn(move || {
                    for _ in 0..50 {
                        store
                            .write("pages", "http://127.0.0.1/x/", &["etag"], body)
                            .unwrap();
                        let (fields, read) = store.read("pages", "http://127.0.0.1/x/", 1).unwrap();
                        assert_eq!(fields, ["etag"]);
                        assert!(read == bodies[0] || read == bodies[1], "a torn entry");
                    }
                });
            }
        });
        let (_, body) = store.read("pages", "http://127.0.0.1/x/", 1).unwrap();
        assert!(body == bodies[0] || body == bodies[1]);
        let mut files = Vec::new();
        collect(directory.path(), &mut files);
        assert_eq!(files.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn pruning_keeps_the_cache_within_its_bound() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::new(directory.path(), 10_000).unwrap();
        for index in 0..10 {
            store
                .write(
                    "files",
                    &format!("http://127.0.0.1/{index}"),
                    &["200"],
                    &[0; 3_000],
                )
                .unwrap();
            // Distinct modification times, so that "oldest" is well defined.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let mut files = Vec::new();
        collect(directory.path(), &mut files);
        let total: u64 = files.iter().map(|(_, size, _)| size).sum();
        assert!(total <= 10_000, "{total} bytes");
        assert!(!files.is_empty());
        // The newest entries are the ones kept.
        assert!(store.read("files", "http://127.0.0.1/9", 1).is_some());
        assert!(store.read("files", "http://127.0.0.1/0", 1).is_none());
    }
}
