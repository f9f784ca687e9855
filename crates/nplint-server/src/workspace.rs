//! Checking what the editor shows: its open documents over the files on disk, with the configuration that applies
//! to each file found afresh for every check (so a changed `nplint.toml` counts from the next check on).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use nplint_config::{ConfigError, Configs, Discovery, Overrides};
use nplint_diagnostics::{Diagnostic, Location, SourceFile};
use nplint_index::{Index, Platform, PythonVersion, Target};
use nplint_manifest::{Format, LoadError, Loader, normalize_lexically};
use nplint_rules::{Resolver, Settings};

use crate::document::Document;

/// The open documents, by path.
pub(crate) type Documents = Arc<HashMap<PathBuf, Document>>;

/// How the server reads files that are not open (the file system, for `nplint server`).
pub type Files = Arc<dyn Loader + Send>;

/// The files a check reads: an open document's text as the editor holds it, else the file on disk. Records every
/// path it was asked for (found or not), so that a change to any of them (an included file, a configuration, the
/// manifest beside a lockfile) checks again the documents that read it.
pub(crate) struct Overlay {
    documents: Documents,
    files: Files,
    limit: u64,
    read: Mutex<BTreeSet<PathBuf>>,
}

impl Overlay {
    pub(crate) fn new(scope: &Scope) -> Self {
        Self {
            documents: scope.documents.clone(),
            files: scope.files.clone(),
            limit: scope.limit,
            read: Mutex::new(BTreeSet::new()),
        }
    }

    /// Every path read so far.
    pub(crate) fn read(&self) -> BTreeSet<PathBuf> {
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Loader for Overlay {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        let path = normalize_lexically(path);
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.clone());
        match self.documents.get(&path) {
            Some(document) => {
                let size = document.text.len() as u64;
                if size > self.limit {
                    return Err(LoadError::TooLarge {
                        size,
                        limit: self.limit,
                    });
                }
                Ok(document.text.as_bytes().to_vec())
            }
            None => self.files.load(&path),
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        self.files.identity(path)
    }
}

/// What checking one document found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Its findings, and those of the files it includes, in the order reports sort them.
    pub diagnostics: Vec<Diagnostic>,
    /// Configuration files nplint cannot use: nothing was checked.
    pub config_errors: Vec<ConfigError>,
    /// Every path the check read or looked for.
    pub read: BTreeSet<PathBuf>,
}

/// The resolver checks share, remade only when a configuration asks for a Python it lacks.
#[derive(Debug)]
pub(crate) struct Resolvers {
    index: &'static Index,
    current: Arc<Resolver>,
    pythons: Vec<PythonVersion>,
}

impl Resolvers {
    pub(crate) fn new(index: &'static Index) -> Self {
        Self {
            index,
            current: Arc::new(Resolver::new(index, &[])),
            pythons: Vec::new(),
        }
    }

    /// A resolver with a solver for each of `settings`' Pythons.
    pub(crate) fn for_settings(&mut self, settings: &Settings) -> Arc<Resolver> {
        let versions = settings.targets.pythons.versions();
        let missing = versions.iter().any(|&python| {
            self.current
                .target_solver(Target::new(python, Platform::LinuxX86_64))
                .is_none()
        });
        if missing {
            self.pythons.extend(versions.iter().copied());
            self.pythons.sort_unstable();
            self.pythons.dedup();
            self.current = Arc::new(Resolver::new(self.index, &self.pythons));
        }
        self.current.clone()
    }
}

/// Where a check starts from: the open documents, the files on disk, and the folder configurations are found
/// from (the workspace's root).
#[derive(Clone)]
pub(crate) struct Scope {
    pub documents: Documents,
    pub files: Files,
    pub root: PathBuf,
    /// The largest file read, in bytes.
    pub limit: u64,
}

/// The settings for `path` (nplint's configuration closest to it, as the command line finds it), with the
/// configuration errors met on the way and the paths read for them.
pub(crate) fn settings(
    scope: &Scope,
    path: &Path,
) -> (Settings, Vec<ConfigError>, BTreeSet<PathBuf>) {
    let overlay = Arc::new(Overlay::new(scope));
    let configs = Configs::new(
        Discovery::Closest,
        Overrides::default(),
        &scope.root,
        overlay.clone(),
    );
    let settings = configs.settings(path);
    let errors = configs
        .errors()
        .into_iter()
        .map(|error| absolute(error, &scope.root))
        .collect();
    (settings, errors, overlay.read())
}

/// A configuration error located by its absolute path: configurations name their files relative to the folder
/// they were searched from, as the command line prints them.
fn absolute(mut error: ConfigError, root: &Path) -> ConfigError {
    let file = &error.location.file;
    if file.path().is_relative() && !file.is_excerpt() {
        let absolute = SourceFile::new(root.join(file.path()), file.text());
        error.location = Location::new(absolute, error.location.span);
    }
    error
}

/// Checks the file at `path`, in `format`, as `nplint check` would check it alone (a lockfile against the manifest
/// beside it).
pub(crate) fn check(
    scope: &Scope,
    resolvers: &mut Resolvers,
    path: &Path,
    format: Format,
) -> Checked {
    let (settings, config_errors, mut read) = settings(scope, path);
    if !config_errors.is_empty() {
        // As on the command line: checking with half a configuration would mislead.
        return Checked {
            diagnostics: Vec::new(),
            config_errors,
            read,
        };
    }
    let resolver = resolvers.for_settings(&settings);
    let overlay = Overlay::new(scope);
    let work = vec![(path.to_path_buf(), format, settings)];
    let mut diagnostics = nplint_rules::check_group(&work, &[0], &resolver, &overlay, &overlay);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key());
    read.extend(overlay.read());
    Checked {
        diagnostics,
        config_errors: Vec::new(),
        read,
    }
}
