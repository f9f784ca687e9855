//! PEP 751 `pylock.toml` and `pylock.<name>.toml`. Not read yet.

use nplint_diagnostics::{Severity, Span};

use crate::{Issue, Loader, Manifest};

pub(crate) fn parse(mut manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    let location = nplint_diagnostics::Location::new(manifest.sources[0].clone(), Span::empty(0));
    manifest.issues.push(Issue::unread(
        Severity::Warning,
        "nplint does not read this lockfile format yet",
        location,
    ));
    manifest
}
