//! How long reading one file of each format takes, from bytes to a manifest.
//!
//! Run with `cargo bench -p nplint-manifest`. The inputs are real files from the fixtures: a pip-compile output
//! with hashes, a conda environment, a PEP 621 project with Poetry, uv and PDM tables, and the lockfiles that the
//! real tools wrote for the sample project (see `tests/fixtures/LOCKFILES.md`). Includes are not followed (the
//! loader holds only the file itself). The 5,000-package lockfile benchmark is in nplint-rules.

use std::path::PathBuf;

use divan::Bencher;
use nplint_manifest::{Format, MemoryLoader, load};

fn main() {
    divan::main();
}

macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $path
        ))
    };
}

const FILES: &[(&str, Format, &str)] = &[
    (
        "requirements.txt",
        Format::RequirementsTxt,
        fixture!("requirements/pip-compile-hashes.txt"),
    ),
    (
        "environment.yml",
        Format::CondaEnvironment,
        fixture!("conda/conda-names.yml"),
    ),
    (
        "pyproject.toml",
        Format::Pyproject,
        fixture!("pyproject/uv_project.toml"),
    ),
    ("uv.lock", Format::UvLock, fixture!("uv-lock/uv.lock")),
    (
        "poetry.lock",
        Format::PoetryLock,
        fixture!("poetry-lock/poetry.lock"),
    ),
    ("pdm.lock", Format::PdmLock, fixture!("pdm-lock/pdm.lock")),
    (
        "pylock.toml",
        Format::Pylock,
        fixture!("pylock/pylock.toml"),
    ),
    (
        "Pipfile.lock",
        Format::PipfileLock,
        fixture!("pipfile-lock/Pipfile.lock"),
    ),
    (
        "conda-lock.yml",
        Format::CondaLock,
        fixture!("conda-lock/conda-forge-four-platforms.yml"),
    ),
    (
        "pixi.lock",
        Format::PixiLock,
        fixture!("pixi-lock/cydr-linux-64.lock"),
    ),
];

#[divan::bench(args = FILES.iter().map(|(name, _, _)| *name))]
fn parse(bencher: Bencher, name: &str) {
    let (_, format, text) = FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .expect("a listed file");
    let path = PathBuf::from(name);
    let loader = MemoryLoader::from([(name, *text)]);
    bencher.bench(|| {
        load(&path, *format, &loader)
            .expect("the loader serves the file")
            .requirements
            .len()
    });
}
