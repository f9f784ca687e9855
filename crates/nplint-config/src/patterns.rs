//! Glob patterns for `exclude`, `extend-exclude` and `extend-include`, with ruff's two kinds of pattern:
//!
//! - a pattern without `/` matches a file or directory by name anywhere below the configuration's directory
//!   (`legacy`, `requirements-*.txt`);
//! - a pattern with `/` matches a path relative to the configuration's directory (`services/*/requirements.txt`,
//!   `vendor/**`). A leading `./` or `/` anchors at that directory too, a trailing `/` is dropped.
//!
//! `*` and `?` never cross a `/`; `**` does. An excluded directory is not walked at all.

use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Directories nplint never walks unless `exclude` says otherwise: version control, virtual environments and
/// installed packages, whose environment files belong to other projects.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".nox",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "node_modules",
    "site-packages",
    "venv",
];

/// A compiled set of patterns, as written.
#[derive(Debug, Clone)]
pub struct Patterns {
    names: GlobSet,
    paths: GlobSet,
    written: Vec<String>,
}

/// Collects patterns; see [`Patterns::builder`].
#[derive(Debug)]
pub struct PatternsBuilder {
    names: GlobSetBuilder,
    paths: GlobSetBuilder,
    written: Vec<String>,
}

impl PatternsBuilder {
    pub fn add(&mut self, pattern: &str) -> Result<&mut Self, globset::Error> {
        let trimmed = pattern.trim_end_matches('/');
        let anchored = trimmed
            .strip_prefix("./")
            .or_else(|| trimmed.strip_prefix('/'));
        match anchored {
            Some(path) => {
                self.paths.add(glob(path)?);
            }
            None if trimmed.contains('/') => {
                self.paths.add(glob(trimmed)?);
            }
            None => {
                self.names.add(glob(trimmed)?);
            }
        }
        self.written.push(pattern.to_owned());
        Ok(self)
    }

    pub fn build(&self) -> Result<Patterns, globset::Error> {
        Ok(Patterns {
            names: self.names.build()?,
            paths: self.paths.build()?,
            written: self.written.clone(),
        })
    }
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

impl Patterns {
    pub fn builder() -> PatternsBuilder {
        PatternsBuilder {
            names: GlobSetBuilder::new(),
            paths: GlobSetBuilder::new(),
            written: Vec::new(),
        }
    }

    /// [`DEFAULT_EXCLUDE`].
    ///
    /// # Panics
    ///
    /// Never: the defaults are valid globs (tested).
    pub fn default_exclude() -> Self {
        let mut builder = Self::builder();
        for pattern in DEFAULT_EXCLUDE {
            // Invariant: the defaults are valid globs (tested).
            builder
                .add(pattern)
                .expect("default exclusions are valid globs");
        }
        builder.build().expect("default exclusions are valid globs")
    }

    /// Whether `path` (absolute, or relative to the same directory as `root`) matches: by its name, or, when it
    /// lies under `root`, by its path relative to `root`.
    pub fn matches(&self, root: &Path, path: &Path) -> bool {
        if path
            .file_name()
            .is_some_and(|name| self.names.is_match(Path::new(name)))
        {
            return true;
        }
        !self.paths.is_empty()
            && path
                .strip_prefix(root)
                .is_ok_and(|relative| self.paths.is_match(relative))
    }

    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// The patterns as written.
    pub fn written(&self) -> &[String] {
        &self.written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(written: &[&str]) -> Patterns {
        let mut builder = Patterns::builder();
        for pattern in written {
            builder.add(pattern).unwrap();
        }
        builder.build().unwrap()
    }

    #[test]
    fn names_match_anywhere_paths_match_from_the_root() {
        let root = Path::new("/repo");
        let set = patterns(&[
            "legacy",
            "requirements-*.txt",
            "services/*/requirements.txt",
        ]);
        assert!(set.matches(root, Path::new("/repo/a/b/legacy")));
        assert!(set.matches(root, Path::new("/repo/requirements-dev.txt")));
        assert!(set.matches(root, Path::new("/repo/services/api/requirements.txt")));
        // `*` does not cross `/`.
        assert!(!set.matches(root, Path::new("/repo/services/api/v1/requirements.txt")));
        // Path patterns are relative to the configuration's directory.
        assert!(!set.matches(root, Path::new("/other/services/api/requirements.txt")));
        assert!(!set.matches(root, Path::new("/repo/requirements.txt")));
    }

    #[test]
    fn anchors_and_double_stars() {
        let root = Path::new("/repo");
        let set = patterns(&["./build", "/vendor/", "deep/**/*.in"]);
        assert!(set.matches(root, Path::new("/repo/build")));
        assert!(!set.matches(root, Path::new("/repo/sub/build")));
        assert!(set.matches(root, Path::new("/repo/vendor")));
        assert!(set.matches(root, Path::new("/repo/deep/a/b/requirements.in")));
        assert!(set.matches(root, Path::new("/repo/deep/requirements.in")));
    }

    #[test]
    fn the_defaults_are_valid_and_match_virtual_environments() {
        let set = Patterns::default_exclude();
        assert_eq!(set.written().len(), DEFAULT_EXCLUDE.len());
        assert!(set.matches(Path::new("/repo"), Path::new("/repo/app/.venv")));
        assert!(!set.matches(Path::new("/repo"), Path::new("/repo/app/requirements.txt")));
    }
}
