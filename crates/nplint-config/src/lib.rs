//! nplint's configuration: `[tool.nplint]` in `pyproject.toml`, or the same keys at the top of `nplint.toml` or
//! `.nplint.toml`.
//!
//! As in ruff, each file is governed by the closest configuration: the first of `.nplint.toml`, `nplint.toml` and
//! a `pyproject.toml` with a `[tool.nplint]` table found in its directory or the nearest ancestor that has one.
//! That configuration applies alone (configurations do not merge), its path patterns are relative to its
//! directory, and the command line overrides it (`--config FILE` puts one file in charge of every path,
//! `--isolated` ignores them all). This crate reads and validates configurations ([`options`]), matches paths
//! ([`patterns`]) and turns the governing configuration plus the command line into the [`Settings`] for one file;
//! it never reads an environment file. It reads configurations through the caller's [`Loader`], as the parsers read
//! environment files: only the command line touches the file system.

mod options;
mod patterns;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use nplint_diagnostics::{Location, SourceFile};
use nplint_index::Platform;
use nplint_manifest::{LoadError, Loader};
use nplint_rules::{
    PythonRequest, RuleSelection, SelectionLayer, Selector, Settings, TargetOptions,
};

pub use options::{ConfigError, ConfigKind, KEYS, Options, parse};
pub use patterns::{DEFAULT_EXCLUDE, Patterns, PatternsBuilder};

/// The names a configuration file can have, in the order they win within one directory.
pub const CONFIG_FILES: [(&str, ConfigKind); 3] = [
    (".nplint.toml", ConfigKind::Nplint),
    ("nplint.toml", ConfigKind::Nplint),
    ("pyproject.toml", ConfigKind::Pyproject),
];

/// Configuration files larger than this are refused: a real one is a few hundred bytes.
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// One configuration file and what it states.
#[derive(Debug)]
pub struct Config {
    pub file: Arc<SourceFile>,
    /// The directory its path patterns are relative to: the one that holds the file, absolute.
    pub root: PathBuf,
    pub options: Options,
}

impl Config {
    /// The configuration in `path` (absolute), read by `loader`; `None` when it is a `pyproject.toml` without
    /// `[tool.nplint]`. Messages name it `shown`.
    pub fn load(
        loader: &dyn Loader,
        path: &Path,
        shown: &Path,
        kind: ConfigKind,
    ) -> Result<Option<Self>, ConfigError> {
        let bytes = loader
            .load(path)
            .map_err(|error| unreadable(shown, &error.to_string()))?;
        Self::from_bytes(bytes, path, shown, kind)
    }

    /// The configuration whose bytes, read from `path`, are `bytes`.
    fn from_bytes(
        bytes: Vec<u8>,
        path: &Path,
        shown: &Path,
        kind: ConfigKind,
    ) -> Result<Option<Self>, ConfigError> {
        if bytes.len() as u64 > MAX_CONFIG_SIZE {
            return Err(unreadable(
                shown,
                &format!(
                    "it is {} bytes, more than the {MAX_CONFIG_SIZE} bytes a configuration may have",
                    bytes.len()
                ),
            ));
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            // A pyproject.toml that is not UTF-8 is reported by the check of the file itself.
            Err(_) if kind == ConfigKind::Pyproject => return Ok(None),
            Err(_) => return Err(unreadable(shown, "it is not valid UTF-8")),
        };
        let file = SourceFile::new(shown, text);
        let Some(options) = parse(&file, kind)? else {
            return Ok(None);
        };
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Some(Self {
            file,
            root,
            options,
        }))
    }

    /// The file `--config` names (absolute; messages name it `shown`), read by `loader`: its kind by its name,
    /// and it must configure nplint.
    pub fn load_explicit(
        loader: &dyn Loader,
        path: &Path,
        shown: &Path,
    ) -> Result<Self, ConfigError> {
        let kind = if path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml")
        {
            ConfigKind::Pyproject
        } else {
            ConfigKind::Nplint
        };
        Self::load(loader, path, shown, kind)?.ok_or_else(|| {
            ConfigError::new(
                Location::file_start(SourceFile::new(shown, "")),
                format!("`{}` has no `[tool.nplint]` table", shown.display()),
            )
            .with_help("add one, or name an `nplint.toml`")
        })
    }
}

/// The error for a configuration that cannot be read, for `reason`.
fn unreadable(shown: &Path, reason: &str) -> ConfigError {
    ConfigError::new(
        Location::file_start(SourceFile::new(shown, "")),
        format!(
            "cannot read the configuration `{}`: {reason}",
            shown.display()
        ),
    )
}

/// What the command line says, which overrides every configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub python: Option<PythonRequest>,
    pub platforms: Option<Vec<Platform>>,
    /// Relative to the working directory.
    pub exclude: Option<Patterns>,
    pub extend_exclude: Option<Patterns>,
}

/// Where configurations come from.
#[derive(Debug)]
pub enum Discovery {
    /// The closest configuration to each file.
    Closest,
    /// `--config FILE`: one configuration for every file.
    Fixed(Arc<Config>),
    /// `--isolated`: none.
    Isolated,
}

/// The configurations of one run: found once per directory, shared by discovery and the check.
pub struct Configs {
    /// Reads the configuration files (the command line's reads the file system).
    loader: Arc<dyn Loader + Send>,
    discovery: Discovery,
    overrides: Overrides,
    /// Absolute; relative paths are taken from here.
    cwd: PathBuf,
    default_exclude: Patterns,
    /// By directory (absolute), the configuration that governs it.
    closest: Mutex<HashMap<PathBuf, Option<Arc<Config>>>>,
    errors: Mutex<Vec<ConfigError>>,
}

/// Every field but the loader.
impl std::fmt::Debug for Configs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Configs")
            .field("discovery", &self.discovery)
            .field("overrides", &self.overrides)
            .field("cwd", &self.cwd)
            .field("closest", &self.closest)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl Configs {
    /// `cwd` must be absolute; `loader` reads the configuration files found.
    pub fn new(
        discovery: Discovery,
        overrides: Overrides,
        cwd: &Path,
        loader: Arc<dyn Loader + Send>,
    ) -> Self {
        Self {
            loader,
            discovery,
            overrides,
            cwd: normalize(cwd),
            default_exclude: Patterns::default_exclude(),
            closest: Mutex::new(HashMap::new()),
            errors: Mutex::new(Vec::new()),
        }
    }

    /// The configuration that governs `path` (a file or a directory, absolute or relative to the working
    /// directory): the one in its parent directory or the nearest ancestor.
    pub fn config_for(&self, path: &Path) -> Option<Arc<Config>> {
        match &self.discovery {
            Discovery::Isolated => None,
            Discovery::Fixed(config) => Some(config.clone()),
            Discovery::Closest => {
                let absolute = self.absolute(path);
                absolute.parent().and_then(|dir| self.closest(dir))
            }
        }
    }

    fn closest(&self, dir: &Path) -> Option<Arc<Config>> {
        if let Some(found) = self.lock_closest().get(dir) {
            return found.clone();
        }
        let mut found = None;
        for (name, kind) in CONFIG_FILES {
            let candidate = dir.join(name);
            let shown = candidate.strip_prefix(&self.cwd).unwrap_or(&candidate);
            let read = match self.loader.load(&candidate) {
                // Absent, or a directory of that name: not a configuration.
                Err(LoadError::NotFound | LoadError::NotAFile) => continue,
                Err(error) => Err(unreadable(shown, &error.to_string())),
                Ok(bytes) => Config::from_bytes(bytes, &candidate, shown, kind),
            };
            match read {
                Ok(Some(config)) => {
                    found = Some(Arc::new(config));
                    break;
                }
                Ok(None) => {}
                Err(error) => {
                    self.errors
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(error);
                    break;
                }
            }
        }
        if found.is_none()
            && let Some(parent) = dir.parent()
        {
            found = self.closest(parent);
        }
        self.lock_closest().insert(dir.to_path_buf(), found.clone());
        found
    }

    /// `path` from the working directory, without `.` and `..` (lexically, as ruff does).
    fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    fn lock_closest(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Arc<Config>>>> {
        self.closest.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the configuration of the file at `path` asks for `nplint check --online` (`online = true`).
    pub fn online(&self, path: &Path) -> bool {
        self.config_for(path)
            .is_some_and(|config| config.options.online == Some(true))
    }

    /// The settings for the file at `path`: its configuration's, then the command line's.
    pub fn settings(&self, path: &Path) -> Settings {
        let config = self.config_for(path);
        let options = config.as_deref().map(|config| &config.options);
        let mut rules = RuleSelection::default();
        if let Some(options) = options {
            rules.apply(&SelectionLayer {
                select: options.select.clone(),
                extend_select: options.extend_select.clone(),
                ignore: options.ignore.clone(),
            });
            for (selector, severity) in &options.severity {
                // Invariant: parsing refused the overrides that cannot be honoured.
                let _ = rules.set_severity(selector, *severity);
            }
        }
        rules.apply(&SelectionLayer {
            select: self.overrides.select.clone(),
            extend_select: self.overrides.extend_select.clone(),
            ignore: self.overrides.ignore.clone(),
        });
        let pythons = self
            .overrides
            .python
            .clone()
            .or_else(|| options.and_then(|options| options.python.clone()))
            .unwrap_or_default();
        let platforms = self
            .overrides
            .platforms
            .clone()
            .or_else(|| options.and_then(|options| options.platforms.clone()))
            .unwrap_or_default();
        Settings {
            targets: TargetOptions { pythons, platforms },
            rules,
        }
    }

    /// Whether a directory walk skips `path`: the command line's `--exclude`, else its configuration's
    /// `exclude`, else [`DEFAULT_EXCLUDE`]; and either's `extend-exclude`.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let absolute = self.absolute(path);
        let config = self.config_for(path);
        let exclude = match (&self.overrides.exclude, config.as_deref()) {
            (Some(exclude), _) => exclude.matches(&self.cwd, &absolute),
            (
                None,
                Some(Config {
                    options:
                        Options {
                            exclude: Some(exclude),
                            ..
                        },
                    root,
                    ..
                }),
            ) => exclude.matches(root, &absolute),
            (None, _) => self.default_exclude.matches(&self.cwd, &absolute),
        };
        exclude
            || self
                .overrides
                .extend_exclude
                .as_ref()
                .is_some_and(|patterns| patterns.matches(&self.cwd, &absolute))
            || config.as_deref().is_some_and(|config| {
                config
                    .options
                    .extend_exclude
                    .as_ref()
                    .is_some_and(|patterns| patterns.matches(&config.root, &absolute))
            })
    }

    /// Whether a directory walk checks the file at `path` although its name is not one nplint looks for:
    /// its configuration's `extend-include` names it.
    pub fn is_included(&self, path: &Path) -> bool {
        let absolute = self.absolute(path);
        self.config_for(path).is_some_and(|config| {
            config
                .options
                .extend_include
                .as_ref()
                .is_some_and(|patterns| patterns.matches(&config.root, &absolute))
        })
    }

    /// The configuration errors met so far, each once, in the order of their files.
    pub fn errors(&self) -> Vec<ConfigError> {
        let mut errors = self
            .errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        errors.sort_by(|a, b| a.location.file.path().cmp(b.location.file.path()));
        errors.dedup_by(|a, b| a.location.file.path() == b.location.file.path());
        errors
    }
}

/// `path` without `.` components, and with each `..` removing the component before it.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            // `..` of the root is the root; of a relative path that has climbed out, one more `..`.
            std::path::Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
