//! What the corpus tests share: reading a corpus's files, one of them replaced by a text a test made of it.

use std::path::Path;

use nplint_manifest::{LoadError, Loader};

/// The files under `root`, paths relative to it, and one file replaced by `text` (a fix or a plan applied).
pub struct CorpusLoader<'a> {
    pub root: &'a str,
    pub replaced: Option<(&'a Path, &'a str)>,
}

impl Loader for CorpusLoader<'_> {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        match self.replaced {
            Some((replaced, text)) if replaced == path => Ok(text.as_bytes().to_vec()),
            _ => std::fs::read(Path::new(self.root).join(path)).map_err(LoadError::Io),
        }
    }
}
