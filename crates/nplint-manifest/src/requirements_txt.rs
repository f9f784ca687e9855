//! Parser stub, replaced by the real parser.

use std::sync::Arc;

use nplint_diagnostics::{SourceFile, Span};

use crate::{Loader, Manifest, Section};

pub(crate) fn discover(_file_name: &str) -> bool {
    false
}

pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    manifest
}

/// Parse one pip entry that is not a line of a requirements file: an item of environment.yml's `pip:` list.
///
/// `text` is the entry's value; `span` is where it stands in `source`. When the value was written with escapes
/// (so `source[span] != text`), spans inside the entry fall back to the whole of `span`. The entry may be a
/// requirement, an include (`-r file.txt`, `-c file.txt`, relative to `source`'s directory), an editable
/// (`-e ./pkg`) or a pip option; results and issues are appended to `manifest` with `section` as their origin.
#[allow(dead_code, reason = "stub")]
pub(crate) fn parse_pip_entry(
    _manifest: &mut Manifest,
    _loader: &dyn Loader,
    _source: &Arc<SourceFile>,
    _text: &str,
    _span: Span,
    _section: Section,
) {
}
