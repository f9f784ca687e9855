//! Environment files -> [`Manifest`]s: what each file asks for, with exact source spans.
//!
//! Parsing never fails. Every parser returns a manifest together with the [`Issue`]s it met; whatever it cannot
//! interpret becomes an issue at the offending span, never a silently dropped line. The crate does no I/O of its
//! own: included files are read through the caller's [`Loader`].

mod conda;
mod decode;
mod format;
mod loader;
mod lockfile;
mod model;
mod pep508;
mod pipfile;
mod pyproject;
mod requirements_txt;
#[cfg(test)]
mod test_support;

pub use format::{Format, detect_format};
pub use loader::{LoadError, Loader, MemoryLoader, normalize_lexically, without_current_dir};
pub use model::{
    CondaSpec, Environment, Issue, IssueKind, Manifest, Origin, PythonConstraint, Requirement,
    RequirementSource, Role, Section,
};
pub use pep508::RawUrl;

/// Read and parse the file at `path` as `format`, reading it (and anything it includes) through `loader`.
///
/// Only a failure to read the file itself is an `Err`; everything else, including unreadable includes and invalid
/// UTF-8, is an [`Issue`] in the returned manifest.
pub fn load(
    path: &std::path::Path,
    format: Format,
    loader: &dyn Loader,
) -> Result<Manifest, LoadError> {
    format::load(path, format, loader)
}

/// Entry points for the fuzz targets in `fuzz/`: internals, not API.
#[doc(hidden)]
pub mod fuzzing {
    /// Parses a conda MatchSpec and converts its version to PEP 440, checking that every range it reports lies
    /// inside the input.
    pub fn matchspec(spec: &str) {
        crate::conda::fuzz_matchspec(spec);
    }
}
