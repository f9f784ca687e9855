//! `nplint server`: the language server on standard input and output, reading the files the editor has not open
//! from the file system.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use nplint_config::{Configs, Discovery, Overrides};
use nplint_manifest::Format;

use crate::Status;
use crate::discover::{Found, discover};
use crate::fs::{FsLoader, MAX_FILE_SIZE};

pub(crate) fn run() -> anyhow::Result<Status> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let options = nplint_server::Options {
        index: crate::snapshot::index()?,
        files: Arc::new(FsLoader),
        limit: MAX_FILE_SIZE,
        discover: Arc::new(environment_files),
        cwd: std::env::current_dir().context("cannot read the working directory")?,
    };
    nplint_server::run(&connection, options)?;
    drop(connection);
    io_threads
        .join()
        .context("the connection to the client failed")?;
    Ok(Status::Clean)
}

/// The environment files under `root`, as `nplint check ROOT` finds them, by absolute path.
fn environment_files(root: &Path) -> Vec<(PathBuf, Format)> {
    let configs = Arc::new(Configs::new(
        Discovery::Closest,
        Overrides::default(),
        root,
        Arc::new(FsLoader),
    ));
    discover(&[root.to_path_buf()], &configs, false)
        .into_iter()
        .filter_map(|found| match found {
            Found::File { path, format } => Some((absolute(root, path), format)),
            Found::Missing { .. } | Found::UnknownFormat { .. } => None,
        })
        .collect()
}

/// Discovery names files relative to the working directory when they are under it.
fn absolute(root: &Path, path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        path
    } else {
        std::env::current_dir().map_or_else(|_| root.join(&path), |cwd| cwd.join(&path))
    }
}
