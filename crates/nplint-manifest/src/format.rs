//! The registry of file formats: how each is recognised and which parser reads it.
//!
//! Adding a format is one parser module plus one entry in [`FORMATS`] (and its fixtures, in the folder the entry
//! names).

use std::path::Path;

use serde::Serialize;

use crate::decode::{Decoding, decode};
use crate::{LoadError, Loader, Manifest, conda, lockfile, pipfile, pyproject, requirements_txt};

/// A kind of environment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// pip requirements and constraints files, pip-tools `.in` files.
    RequirementsTxt,
    /// A conda `environment.yml`.
    CondaEnvironment,
    /// `pyproject.toml`: PEP 621, PEP 735, `[build-system]`, Poetry, uv and PDM tables.
    Pyproject,
    /// `uv.lock`.
    UvLock,
    /// `poetry.lock`.
    PoetryLock,
    /// `pdm.lock`.
    PdmLock,
    /// PEP 751 `pylock.toml` and `pylock.<name>.toml`.
    Pylock,
    /// `Pipfile.lock` (JSON).
    PipfileLock,
    /// conda-lock's unified `conda-lock.yml`.
    CondaLock,
    /// `pixi.lock`.
    PixiLock,
    /// Pipenv's `Pipfile` (TOML).
    Pipfile,
}

struct FormatEntry {
    format: Format,
    name: &'static str,
    /// The folder of the parser's fixtures, `tests/fixtures/<fixtures>/` in this crate.
    fixtures: &'static str,
    /// Whether a file of this name is of this format, when found by directory discovery.
    discover: fn(&str) -> bool,
    /// Whether a file given explicitly is of this format, when no entry's `discover` claims it.
    fallback: fn(&str) -> bool,
    /// How the tool that reads the format decodes its bytes.
    decoding: Decoding,
    parse: fn(Manifest, &dyn Loader) -> Manifest,
    /// For a lockfile made from a manifest beside it: the manifest's name, and the command that makes the lock
    /// again.
    lock: Option<LockOf>,
}

/// What makes a lockfile: the manifest it is made from, in the same directory, and the tool's command.
struct LockOf {
    manifest: &'static str,
    relock: &'static str,
}

const FORMATS: &[FormatEntry] = &[
    FormatEntry {
        format: Format::RequirementsTxt,
        name: "requirements-txt",
        fixtures: "requirements",
        discover: requirements_txt::discover,
        fallback: |name| has_extension(name, &["txt", "in"]),
        decoding: Decoding::Pip,
        parse: requirements_txt::parse,
        lock: None,
    },
    FormatEntry {
        format: Format::CondaEnvironment,
        name: "conda-environment",
        fixtures: "conda",
        discover: conda::discover,
        fallback: |name| has_extension(name, &["yml", "yaml"]),
        decoding: Decoding::Conda,
        parse: conda::parse,
        lock: None,
    },
    FormatEntry {
        format: Format::Pyproject,
        name: "pyproject",
        fixtures: "pyproject",
        discover: |name| name == "pyproject.toml",
        fallback: |name| has_extension(name, &["toml"]),
        decoding: Decoding::Utf8,
        parse: pyproject::parse,
        lock: None,
    },
    FormatEntry {
        format: Format::UvLock,
        name: "uv-lock",
        fixtures: "uv-lock",
        discover: |name| name == "uv.lock",
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::uv::parse,
        lock: Some(LockOf {
            manifest: "pyproject.toml",
            relock: "uv lock",
        }),
    },
    FormatEntry {
        format: Format::PoetryLock,
        name: "poetry-lock",
        fixtures: "poetry-lock",
        discover: |name| name == "poetry.lock",
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::poetry::parse,
        lock: Some(LockOf {
            manifest: "pyproject.toml",
            relock: "poetry lock",
        }),
    },
    FormatEntry {
        format: Format::PdmLock,
        name: "pdm-lock",
        fixtures: "pdm-lock",
        discover: |name| name == "pdm.lock",
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::pdm::parse,
        lock: Some(LockOf {
            manifest: "pyproject.toml",
            relock: "pdm lock",
        }),
    },
    FormatEntry {
        format: Format::Pylock,
        name: "pylock",
        fixtures: "pylock",
        discover: is_pylock,
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::pylock::parse,
        lock: None,
    },
    FormatEntry {
        format: Format::PipfileLock,
        name: "pipfile-lock",
        fixtures: "pipfile-lock",
        discover: |name| name == "Pipfile.lock",
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::pipfile::parse,
        lock: Some(LockOf {
            manifest: "Pipfile",
            relock: "pipenv lock",
        }),
    },
    FormatEntry {
        format: Format::CondaLock,
        name: "conda-lock",
        fixtures: "conda-lock",
        discover: is_conda_lock,
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::conda_lock::parse,
        lock: None,
    },
    FormatEntry {
        format: Format::PixiLock,
        name: "pixi-lock",
        fixtures: "pixi-lock",
        discover: |name| name == "pixi.lock",
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: lockfile::pixi::parse,
        lock: None,
    },
    FormatEntry {
        format: Format::Pipfile,
        name: "pipfile",
        fixtures: "pipfile",
        discover: |name| name == "Pipfile",
        fallback: |_| false,
        decoding: Decoding::Utf8,
        parse: pipfile::parse,
        lock: None,
    },
];

/// PEP 751: `pylock.toml`, or `pylock.<name>.toml`.
fn is_pylock(name: &str) -> bool {
    name == "pylock.toml"
        || name
            .strip_prefix("pylock.")
            .and_then(|rest| rest.strip_suffix(".toml"))
            .is_some_and(|middle| !middle.is_empty() && !middle.contains('.'))
}

/// `conda-lock.yml` (conda-lock's default), `conda-lock.yaml`, `<name>.conda-lock.yml`.
fn is_conda_lock(name: &str) -> bool {
    ["yml", "yaml"].iter().any(|extension| {
        name.strip_suffix(extension)
            .and_then(|stem| stem.strip_suffix('.'))
            .is_some_and(|stem| stem == "conda-lock" || stem.ends_with(".conda-lock"))
    })
}

fn has_extension(name: &str, extensions: &[&str]) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

fn entry(format: Format) -> &'static FormatEntry {
    FORMATS
        .iter()
        .find(|entry| entry.format == format)
        .expect("every format has an entry in FORMATS")
}

impl Format {
    pub fn name(self) -> &'static str {
        entry(self).name
    }

    /// The name of the manifest a lockfile of this format is made from, in the same directory: `pyproject.toml`
    /// for `uv.lock`, `poetry.lock` and `pdm.lock`, `Pipfile` for `Pipfile.lock`. `None` for other formats
    /// (`pylock.toml` may come from any tool; conda-lock and pixi read other manifests).
    pub fn lock_manifest(self) -> Option<&'static str> {
        entry(self).lock.as_ref().map(|lock| lock.manifest)
    }

    /// The command that makes a lockfile of this format again from its manifest (`uv lock`); `None` for other
    /// formats.
    pub fn relock_command(self) -> Option<&'static str> {
        entry(self).lock.as_ref().map(|lock| lock.relock)
    }

    /// The folder of this format's parser fixtures: `crates/nplint-manifest/tests/fixtures/<folder>/`, where the
    /// snapshot tests of the manifest and of its rendered diagnostics find the files to read as this format.
    pub fn fixture_dir(self) -> &'static str {
        entry(self).fixtures
    }

    /// Whether a tool writes files of this format (a lockfile): nplint never edits one.
    pub fn is_lock(self) -> bool {
        matches!(
            self,
            Format::UvLock
                | Format::PoetryLock
                | Format::PdmLock
                | Format::Pylock
                | Format::PipfileLock
                | Format::CondaLock
                | Format::PixiLock
        )
    }

    /// Every supported format.
    pub fn all() -> impl Iterator<Item = Self> {
        FORMATS.iter().map(|entry| entry.format)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The format of a file, from its name and the folders it is in. With `explicit` (the user named the file), fall
/// back to its extension.
///
/// A `.txt` or `.in` file anywhere under a requirements folder (`requirements/`, `requirements-dev/`, `reqs/`) is a
/// requirements file: projects split their requirements into subfolders per package (Lightning-AI's
/// `requirements/pytorch/test.txt`, `requirements/fabric/base.txt`). The folders are those of `path` as given,
/// which discovery makes relative to the working directory.
pub fn detect_format(path: &Path, explicit: bool) -> Option<Format> {
    let name = path.file_name()?.to_str()?;
    let in_requirements_dir = path.parent().is_some_and(|parent| {
        parent.components().any(|component| {
            matches!(component, std::path::Component::Normal(_))
                && component
                    .as_os_str()
                    .to_str()
                    .is_some_and(requirements_txt::is_requirements_dir)
        })
    });
    if in_requirements_dir && requirements_txt::discover_in_requirements_dir(name) {
        return Some(Format::RequirementsTxt);
    }
    if let Some(entry) = FORMATS.iter().find(|entry| (entry.discover)(name)) {
        return Some(entry.format);
    }
    explicit
        .then(|| FORMATS.iter().find(|entry| (entry.fallback)(name)))
        .flatten()
        .map(|entry| entry.format)
}

pub(crate) fn load(
    path: &Path,
    format: Format,
    loader: &dyn Loader,
) -> Result<Manifest, LoadError> {
    let bytes = loader.load(path)?;
    let entry = entry(format);
    let (source, invalid) = decode(path, bytes, entry.decoding);
    let mut manifest = Manifest::new(format, source.clone());
    if let Some(error) = invalid {
        manifest.issues.push(error.issue(&source));
        return Ok(manifest);
    }
    Ok((entry.parse)(manifest, loader))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfiles_made_from_a_manifest_name_it_and_their_command() {
        let locks: Vec<(&str, &str, &str)> = Format::all()
            .filter_map(|format| {
                Some((
                    format.name(),
                    format.lock_manifest()?,
                    format.relock_command()?,
                ))
            })
            .collect();
        assert_eq!(
            locks,
            [
                ("uv-lock", "pyproject.toml", "uv lock"),
                ("poetry-lock", "pyproject.toml", "poetry lock"),
                ("pdm-lock", "pyproject.toml", "pdm lock"),
                ("pipfile-lock", "Pipfile", "pipenv lock"),
            ]
        );
        // conda-lock and pixi read manifests of their own; `pylock.toml` may come from any tool.
        assert_eq!(Format::CondaLock.relock_command(), None);
        assert_eq!(Format::Pylock.lock_manifest(), None);
    }

    /// Every format has a folder of fixtures, and every folder of fixtures is a format's.
    #[test]
    fn fixture_folders_are_the_formats() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut folders: Vec<String> = std::fs::read_dir(&fixtures)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_dir())
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        let mut expected: Vec<&str> = Format::all().map(Format::fixture_dir).collect();
        expected.sort_unstable();
        assert_eq!(folders, expected);
    }

    #[test]
    fn detection_by_name() {
        let cases = [
            ("requirements.txt", Some(Format::RequirementsTxt)),
            ("requirements-dev.txt", Some(Format::RequirementsTxt)),
            ("dev-requirements.txt", Some(Format::RequirementsTxt)),
            ("constraints.txt", Some(Format::RequirementsTxt)),
            ("requirements/base.txt", Some(Format::RequirementsTxt)),
            // Lightning-AI/pytorch-lightning's layout: one subfolder per package, and helpers beside them.
            (
                "requirements/pytorch/test.txt",
                Some(Format::RequirementsTxt),
            ),
            (
                "requirements/_integrations/accelerators.txt",
                Some(Format::RequirementsTxt),
            ),
            (
                "src/requirements/fabric/base.txt",
                Some(Format::RequirementsTxt),
            ),
            ("requirements/pytorch/loggers.info", None),
            ("requirements/README.md", None),
            ("requirements/adjust_versions.py", None),
            ("requirements/README.txt", None),
            ("requirements/docs/LICENSE.txt", None),
            (
                "requirements-dev/py311/testing.txt",
                Some(Format::RequirementsTxt),
            ),
            ("reqs/dev.txt", Some(Format::RequirementsTxt)),
            ("req/main.txt", None),
            ("requirementsdocs/notes.txt", None),
            ("docs/notes.txt", None),
            // home-assistant/core's pip constraints file.
            (
                "homeassistant/package_constraints.txt",
                Some(Format::RequirementsTxt),
            ),
            ("requirement.txt", Some(Format::RequirementsTxt)),
            ("test-requirements-py38.txt", Some(Format::RequirementsTxt)),
            ("requirements.in", Some(Format::RequirementsTxt)),
            ("uv.lock", Some(Format::UvLock)),
            ("poetry.lock", Some(Format::PoetryLock)),
            ("pdm.lock", Some(Format::PdmLock)),
            ("pylock.toml", Some(Format::Pylock)),
            ("pylock.dev.toml", Some(Format::Pylock)),
            ("pylock..toml", None),
            ("pylock.a.b.toml", None),
            ("Pipfile.lock", Some(Format::PipfileLock)),
            ("conda-lock.yml", Some(Format::CondaLock)),
            ("gpu.conda-lock.yaml", Some(Format::CondaLock)),
            ("xconda-lock.yml", None),
            ("pixi.lock", Some(Format::PixiLock)),
            ("Pipfile", Some(Format::Pipfile)),
            ("pipfile", None),
            ("requirements_test.txt", Some(Format::RequirementsTxt)),
            ("test_requirements.txt", Some(Format::RequirementsTxt)),
            ("constraints-py38.txt", Some(Format::RequirementsTxt)),
            ("dev.in", Some(Format::RequirementsTxt)),
            ("MANIFEST.in", None),
            ("Makefile.in", None),
            ("config.h.in", None),
            ("notes.txt", None),
            ("environment.yml", Some(Format::CondaEnvironment)),
            ("environment-gpu.yaml", Some(Format::CondaEnvironment)),
            (".github/workflows/ci.yml", None),
            ("pyproject.toml", Some(Format::Pyproject)),
            ("Cargo.toml", None),
        ];
        for (path, expected) in cases {
            assert_eq!(detect_format(Path::new(path), false), expected, "{path}");
        }
        assert_eq!(
            detect_format(Path::new("notes.txt"), true),
            Some(Format::RequirementsTxt)
        );
        assert_eq!(
            detect_format(Path::new("ci.yml"), true),
            Some(Format::CondaEnvironment)
        );
        assert_eq!(detect_format(Path::new("README.md"), true), None);
    }
}
