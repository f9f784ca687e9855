//! What the fuzz targets share: parsing the fuzzer's bytes as one file, the manifest invariants, and the whole check.

use std::path::Path;
use std::sync::LazyLock;

use nplint_index::{Platform, PythonVersion};
use nplint_manifest::{Format, Manifest, MemoryLoader};
use nplint_report::{OutputFormat, RenderOptions, Report};
use nplint_rules::{PythonRequest, Resolver, Settings, TargetOptions};

/// Parses `data` as a file `name` of `format` and checks what every parser promises. The file is the only one
/// the loader holds: an include of any other file is not found.
pub fn parse(format: Format, name: &str, data: &[u8]) -> Manifest {
    let loader = MemoryLoader::from([(name, data)]);
    let manifest = nplint_manifest::load(Path::new(name), format, &loader)
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
