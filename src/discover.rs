//! Finding the files to check: explicit files by name or extension, directories by walking them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use nplint_config::Configs;
use nplint_manifest::{Format, detect_format};

/// A file to check, or a path that could not be used.
#[derive(Debug)]
pub(crate) enum Found {
    File {
        path: PathBuf,
        format: Format,
    },
    /// A path the user named that does not exist or cannot be walked.
    Missing {
        path: PathBuf,
        reason: String,
    },
    /// A file the user named whose format nplint cannot tell.
    UnknownFormat {
        path: PathBuf,
    },
}

/// The files under `paths`, sorted by path and without duplicates. Directories are walked respecting
/// `.gitignore`, `.ignore` and hidden-file conventions, as ripgrep does, and each entry's configuration:
/// `exclude` prunes, `extend-include` adds files by pattern. A file named on the command line is always checked.
pub(crate) fn discover(paths: &[PathBuf], configs: &Arc<Configs>, no_ignore: bool) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        let path = display_path(path);
        match std::fs::metadata(&path) {
            Err(error) => found.push(Found::Missing {
                reason: if error.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_owned()
                } else {
                    error.to_string()
                },
                path,
            }),
            Ok(metadata) if metadata.is_dir() => walk(&path, configs, no_ignore, &mut found),
            Ok(_) => match detect_format(&path, true) {
                Some(format) => found.push(Found::File { path, format }),
                None => found.push(Found::UnknownFormat { path }),
            },
        }
    }
    // The walk's threads find entries in any order; so that a path reported twice (a directory the walk could not
    // read twice over) keeps the same report whatever the timing, ties are broken by the reason.
    found.sort_by(|a, b| (a.path(), a.reason()).cmp(&(b.path(), b.reason())));
    found.dedup_by(|a, b| a.path() == b.path());
    found
}

impl Found {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Self::File { path, .. } | Self::Missing { path, .. } | Self::UnknownFormat { path } => {
                path
            }
        }
    }

    fn reason(&self) -> &str {
        match self {
            Self::Missing { reason, .. } => reason,
            Self::File { .. } | Self::UnknownFormat { .. } => "",
        }
    }
}

/// Walks `root` on several threads (reading directories is most of a walk's time on a large tree); the caller
/// sorts what is found.
fn walk(root: &Path, configs: &Arc<Configs>, no_ignore: bool, found: &mut Vec<Found>) {
    let filter = configs.clone();
    let mut builder = ignore::WalkBuilder::new(root);
    if no_ignore {
        // As ripgrep's `--no-ignore`: no ignore files of any kind; hidden entries stay skipped.
        builder.standard_filters(false).hidden(true);
    }
    let walker = builder
        .filter_entry(move |entry| entry.depth() == 0 || !filter.is_excluded(entry.path()))
        .build_parallel();
    let (sender, receiver) = std::sync::mpsc::channel();
    walker.run(|| {
        let sender = sender.clone();
        Box::new(move |entry| {
            if let Some(item) = visit(root, configs, entry) {
                // The receiver lives until every sender is dropped.
                let _ = sender.send(item);
            }
            ignore::WalkState::Continue
        })
    });
    drop(sender);
    found.extend(receiver);
}

/// What one entry of a walk is: a file to check, an error, or nothing.
fn visit(
    root: &Path,
    configs: &Configs,
    entry: Result<ignore::DirEntry, ignore::Error>,
) -> Option<Found> {
    let entry = match entry {
        Ok(entry) => entry,
        Err(error) => {
            return Some(Found::Missing {
                path: root.to_path_buf(),
                reason: error.to_string(),
            });
        }
    };
    let is_file = entry.file_type().is_some_and(|kind| {
        kind.is_file()
            || (kind.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()))
    });
    if !is_file {
        return None;
    }
    let path = display_path(entry.path());
    if let Some(format) = detect_format(&path, false) {
        Some(Found::File { path, format })
    } else if configs.is_included(&path) {
        Some(match detect_format(&path, true) {
            Some(format) => Found::File { path, format },
            None => Found::UnknownFormat { path },
        })
    } else {
        None
    }
}

/// Paths as diagnostics show them: relative to the working directory when they lie under it, without `./`.
fn display_path(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    // As ruff prints them: `./requirements.txt` and `project/./requirements.txt` are `requirements.txt` and
    // `project/requirements.txt`.
    nplint_manifest::without_current_dir(&path)
}
