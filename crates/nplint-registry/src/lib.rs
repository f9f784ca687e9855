//! Reading Python package indexes that speak the simple repository API, for the `nplint` CLI and the index sync
//! (`cargo xtask index sync`).
//!
//! The CLI's API is small:
//!
//! - [`IndexUrl`]: an index's base URL, with credentials from its userinfo or from netrc; it prints them as `***`.
//! - [`Client`], made from [`ClientOptions`]: a blocking HTTP client (`Sync`; share it across threads) with
//!   retries, a bound on requests in flight and an on-disk cache; [`Client::stats`] counts what it did, and
//!   [`Client::get`] is a cached, revalidated GET of any file.
//! - [`read_project`]: one project's releases and their declared core metadata, in the index's source form
//!   ([`nplint_index::source::PackageFile`]).
//! - [`RegistryError`]: what went wrong, naming the index (redacted) and what was read; it tells an unreachable
//!   index ([`RegistryError::is_unreachable`]) from a wrong answer.
//! - [`default_cache_dir`].
//!
//! Below those, the modules are what the index sync builds on: [`fetch::Fetcher`] (with hooks the sync's wheel
//! scans plug into), [`sync::sync_package`], [`release`] (which releases are kept, which files are read), and the
//! formats ([`simple`], [`metadata`], [`filename`], [`zip`]). This crate reads declared metadata only: measuring
//! wheels (extension modules, Python sources) is the sync's, with a Python parser this crate does not need.
//!
//! Errors inside the crate are `anyhow` chains (the sync's code, moved here, reports through them); the CLI's
//! entry points turn them into [`RegistryError`].

mod cache;
#[cfg(test)]
mod end_to_end;
pub mod fetch;
pub mod filename;
pub mod http;
pub mod metadata;
pub mod names;
pub mod release;
pub mod simple;
pub mod sync;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
mod url;
pub mod zip;

use std::collections::BTreeSet;
use std::path::PathBuf;

use etcetera::BaseStrategy as _;
use nplint_index::source::PackageFile;

pub use crate::http::{Client, ClientOptions, Counts};
pub use crate::url::{Credentials, IndexUrl};

/// A failure to read from an index. Its message names the index (credentials redacted) and the package or file
/// being read; no message holds a credential.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The index could not be reached: connection errors, timeouts, or 429/5xx answers, after every retry.
    #[error("the index `{index}` is unreachable (reading {what}): {reason}")]
    Unreachable {
        index: String,
        what: String,
        reason: String,
    },
    /// The index answered, with something that could not be read.
    #[error("reading {what} from the index `{index}`: {reason}")]
    Failed {
        index: String,
        what: String,
        reason: String,
    },
}

impl RegistryError {
    /// Whether the index could not be reached (the CLI exits with 2), rather than answered wrongly.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    pub(crate) fn new(index: &str, what: String, error: &anyhow::Error) -> Self {
        let index = index.to_owned();
        let reason = format!("{error:#}");
        if http::is_unreachable(error) {
            Self::Unreachable {
                index,
                what,
                reason,
            }
        } else {
            Self::Failed {
                index,
                what,
                reason,
            }
        }
    }
}

/// One project of `index`: its releases (the newest `newest` final ones when given, as the index sync holds
/// packages it does not hold whole; see [`release::newest`]) with the core metadata their files declare
/// (a PEP 658/714 metadata file, else the wheel's `METADATA` by range requests, else an sdist's `PKG-INFO`).
/// The project page is read as PEP 691 JSON, or PEP 503 HTML from indexes that serve only that. `None` when the
/// index does not have the project.
pub fn read_project(
    client: &Client,
    index: &IndexUrl,
    name: &str,
    newest: Option<usize>,
) -> Result<Option<PackageFile>, RegistryError> {
    let name = names::normalize(name);
    client.authenticate(index);
    let fetcher = fetch::IndexFetcher::new(index.as_str(), client);
    let synced = sync::sync_package(&fetcher, &name, &BTreeSet::new(), newest, None)
        .map_err(|error| RegistryError::new(&index.to_string(), format!("`{name}`"), &error))?;
    Ok(synced.map(|package| sync::package_file(&name, &package, None)))
}

/// Where nplint caches what it downloads: `NPLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/nplint`, else the
/// platform's cache directory (`~/.cache` on Linux, `~/Library/Caches` on macOS, the local app data on
/// Windows) with `nplint`. `None` when none can be found (no home directory).
pub fn default_cache_dir() -> Option<PathBuf> {
    cache_dir_from(
        std::env::var_os("NPLINT_CACHE_DIR"),
        std::env::var_os("XDG_CACHE_HOME"),
        || {
            etcetera::base_strategy::choose_native_strategy()
                .ok()
                .map(|strategy| strategy.cache_dir())
        },
    )
}

/// [`default_cache_dir`] from the variables' values and the platform's cache directory.
fn cache_dir_from(
    nplint: Option<std::ffi::OsString>,
    xdg: Option<std::ffi::OsString>,
    platform: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    if let Some(directory) = nplint.filter(|value| !value.is_empty()) {
        return Some(PathBuf::from(directory));
    }
    // The XDG specification ignores a relative `XDG_CACHE_HOME`.
    if let Some(directory) = xdg.map(PathBuf::from).filter(|path| path.is_absolute()) {
        return Some(directory.join("nplint"));
    }
    platform().map(|directory| directory.join("nplint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_directory_follows_the_environment() {
        let platform = || Some(PathBuf::from("/platform/cache"));
        let set = |value: &str| Some(std::ffi::OsString::from(value));
        assert_eq!(
            cache_dir_from(set("/mine"), set("/xdg"), platform),
            Some(PathBuf::from("/mine"))
        );
        assert_eq!(
            cache_dir_from(set(""), set("/xdg"), platform),
            Some(PathBuf::from("/xdg/nplint"))
        );
        assert_eq!(
            cache_dir_from(None, set("relative"), platform),
            Some(PathBuf::from("/platform/cache/nplint"))
        );
        assert_eq!(cache_dir_from(None, None, || None), None);
    }
}
