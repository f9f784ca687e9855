//! How long `nplint upgrade 'numpy>=2'` takes to plan real files of about 50 requirements, from text to plan, on
//! the default targets (CPython 3.11-3.14 on linux-x86_64, macos-arm64 and windows-x86_64), with a new `Resolver`
//! each time (`fresh`: what one `nplint upgrade` run pays) or one kept warm as in an editor.
//!
//! The files are from the upgrade corpus (`tests/upgrade/corpus`, sources in its `SOURCES.md`):
//! - `freqtrade/requirements.txt`: 45 requirements, 7 of them changed by the plan;
//! - `invokeai/pyproject.toml`: 57 dependencies and 9 extras (83 requirements in 10 environments), each
//!   environment planned (`pyproject_57_fresh`), or only its `project` environment, the 57 dependencies
//!   (`pyproject_57_project_fresh`);
//! - `fooocus/requirements_versions.txt`: 24 requirements, 9 of them changed, the slowest file of the corpus to
//!   plan: more changes than the breadth-first search reaches, so the greedy set and a move for each of its 9.
//!
//! Run with `cargo bench -p nplint-rules --bench upgrade`. Medians on the 2-core development machine are in
//! `docs/performance.md`.

use std::path::Path;

use divan::Bencher;
use nplint_manifest::{Format, Manifest, MemoryLoader, load};
use nplint_rules::{Goal, Resolver, Settings, plan};

fn main() {
    divan::main();
}

fn manifest(name: &str, format: Format, text: &str) -> Manifest {
    load(Path::new(name), format, &MemoryLoader::from([(name, text)])).unwrap()
}

const FREQTRADE: &str = include_str!("../../../tests/upgrade/corpus/freqtrade/requirements.txt");
const INVOKEAI: &str = include_str!("../../../tests/upgrade/corpus/invokeai/pyproject.toml");
const FOOOCUS: &str =
    include_str!("../../../tests/upgrade/corpus/fooocus/requirements_versions.txt");

fn planned(resolver: &Resolver, manifest: &Manifest) -> usize {
    let goal = Goal::parse("numpy>=2").unwrap();
    plan(resolver, manifest, &Settings::default(), &goal).len()
}

#[divan::bench(sample_count = 20)]
fn requirements_45_fresh(bencher: Bencher) {
    let manifest = manifest("requirements.txt", Format::RequirementsTxt, FREQTRADE);
    bencher.bench(|| {
        planned(
            &Resolver::new(nplint_index::Index::embedded(), &[]),
            &manifest,
        )
    });
}

#[divan::bench(sample_count = 20)]
fn requirements_45_warm(bencher: Bencher) {
    let manifest = manifest("requirements.txt", Format::RequirementsTxt, FREQTRADE);
    let resolver = Resolver::new(nplint_index::Index::embedded(), &[]);
    planned(&resolver, &manifest);
    bencher.bench(|| planned(&resolver, &manifest));
}

#[divan::bench(sample_count = 10)]
fn pyproject_57_fresh(bencher: Bencher) {
    let manifest = manifest("pyproject.toml", Format::Pyproject, INVOKEAI);
    bencher.bench(|| {
        planned(
            &Resolver::new(nplint_index::Index::embedded(), &[]),
            &manifest,
        )
    });
}

#[divan::bench(sample_count = 20)]
fn pyproject_57_project_fresh(bencher: Bencher) {
    let mut manifest = manifest("pyproject.toml", Format::Pyproject, INVOKEAI);
    manifest.environments.truncate(1);
    assert_eq!(manifest.environments[0].name, "project");
    assert_eq!(manifest.environments[0].requirements.len(), 57);
    bencher.bench(|| {
        planned(
            &Resolver::new(nplint_index::Index::embedded(), &[]),
            &manifest,
        )
    });
}

#[divan::bench(sample_count = 10)]
fn requirements_24_greedy_fresh(bencher: Bencher) {
    let manifest = manifest("requirements.txt", Format::RequirementsTxt, FOOOCUS);
    bencher.bench(|| {
        planned(
            &Resolver::new(nplint_index::Index::embedded(), &[]),
            &manifest,
        )
    });
}
