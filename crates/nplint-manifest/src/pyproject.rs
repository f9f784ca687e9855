//! Parser stub, replaced by the real parser.

use crate::{Loader, Manifest};


pub(crate) fn parse(manifest: Manifest, _loader: &dyn Loader) -> Manifest {
    manifest
}
