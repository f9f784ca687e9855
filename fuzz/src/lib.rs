//! What the fuzz targets share: an in-memory loader, the manifest invariants, and the whole check.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use nplint_index::{Platform, PythonVersion};
use nplint_manifest::{Format, LoadError, Loader, Manifest};
use nplint_report::{OutputFormat, RenderOptions, Report};
use nplint_rules::{PythonRequest, Resolver, Settings, TargetOptions};

/// Serves the fuzzer's bytes as the root file; every other file (an include) does not exist.
struct Memory<'a> {
    root: &'a Path,
    data: &'a [u8],
}

impl Loader for Memory<'_> {
    fn load(&self, path: &Path) -> Result<Vec<u8>, LoadError> {
        if path == self.root {
            Ok(self.data.to_vec())
        } else {
            Err(LoadError::NotFound)
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
}

/// Parses `data` as a file `name` of `format` and checks what every parser promises.
pub fn parse(format: Format, name: &str, data: &[u8]) -> Manifest {
    let root = PathBuf::from(name);
    let manifest = nplint_manifest::load(&root, format, &Memory { root: &root, data })
        .expect("the root file is always readable");
    check_invariants(&manifest);
    manifest
}

/// Spans lie inside their files on character boundaries; environments index requirements.
fn check_invariants(manifest: &Manifest) {
    let locations = manifest
        .requirements
        .iter()
        .flat_map(|requirement| {
            std::iter::once(&requirement.location).chain(requirement.version_location.as_ref())
        })
        .chain(manifest.issues.iter().map(|issue| &issue.location))
        .chain(manifest.python.iter().map(|python| &python.location));
    for location in locations {
        let text = location.file.text();
        assert!(
            text.get(location.span.range()).is_some(),
            "span {:?} outside or inside a character of {} bytes",
            location.span,
            text.len()
        );
        let _ = location.start();
        let _ = location.end();
    }
    for environment in &manifest.environments {
        for &id in &environment.requirements {
            assert!(id < manifest.requirements.len());
        }
    }
}

const FORMATS: &[(Format, &str)] = &[
    (Format::RequirementsTxt, "requirements.txt"),
    (Format::CondaEnvironment, "environment.yml"),
    (Format::Pyproject, "pyproject.toml"),
    (Format::UvLock, "uv.lock"),
    (Format::PoetryLock, "poetry.lock"),
    (Format::PdmLock, "pdm.lock"),
    (Format::Pylock, "pylock.toml"),
    (Format::Pipfile, "Pipfile"),
    (Format::PipfileLock, "Pipfile.lock"),
    (Format::CondaLock, "conda-lock.yml"),
    (Format::PixiLock, "pixi.lock"),
];

static RESOLVER: LazyLock<Resolver> = LazyLock::new(|| Resolver::new(nplint_index::Index::embedded(), &[]));

/// The whole check on one target (CPython 3.11 on linux-x86_64, to keep each run short), then every report.
pub fn check(data: &[u8]) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let (format, name) = FORMATS[usize::from(selector) % FORMATS.len()];
    let manifest = parse(format, name, file);
    let settings = Settings {
        targets: TargetOptions {
            pythons: PythonRequest::Versions(vec![PythonVersion::new(3, 11)]),
            platforms: vec![Platform::LinuxX86_64],
        },
        ..Settings::default()
    };
    let mut diagnostics = nplint_rules::check_manifest_resolved(&manifest, &RESOLVER, &settings);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let report = Report {
        files: Vec::new(),
        diagnostics,
        elapsed: None,
        rules: Vec::new(),
    };
    for format in [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::Github,
        OutputFormat::Sarif,
    ] {
        nplint_report::render(&report, format, RenderOptions::default(), &mut std::io::sink())
            .expect("rendering to a sink cannot fail");
    }
}
