//! What the parsers' unit tests share: a file read on its own, and the parts of its manifest as text.

use nplint_diagnostics::SourceFile;

use crate::{Format, Loader, Manifest, MemoryLoader};

/// `text` read by `parse` as the file `name` of `format`, with no other file beside it.
pub(crate) fn read(
    parse: fn(Manifest, &dyn Loader) -> Manifest,
    format: Format,
    name: &str,
    text: &str,
) -> Manifest {
    parse(
        Manifest::new(format, SourceFile::new(name, text)),
        &MemoryLoader::new(),
    )
}

/// The text each requirement of the environment `name` points at.
pub(crate) fn environment<'a>(manifest: &'a Manifest, name: &str) -> Vec<&'a str> {
    let environment = manifest
        .environments
        .iter()
        .find(|environment| environment.name == name)
        .unwrap_or_else(|| panic!("no environment `{name}`"));
    manifest
        .environment_requirements(environment)
        .map(|requirement| requirement.location.text())
        .collect()
}

/// The message of each issue.
pub(crate) fn messages(manifest: &Manifest) -> Vec<&str> {
    manifest
        .issues
        .iter()
        .map(|issue| issue.message.as_str())
        .collect()
}

/// Each locked package's `name==version` and marker (`true` where it holds everywhere).
pub(crate) fn markers(manifest: &Manifest) -> Vec<String> {
    manifest
        .requirements
        .iter()
        .map(|requirement| {
            let marker = requirement
                .marker
                .try_to_string()
                .unwrap_or_else(|| format!("{:?}", requirement.marker));
            format!(
                "{}{} ; {marker}",
                requirement.name.as_ref().unwrap(),
                requirement.specifiers
            )
        })
        .collect()
}
