//! How long checking a 5,000-package `uv.lock` takes, from text to findings.
//!
//! Run with `cargo bench -p nplint-rules`. The lock is `benches/data/uv-146.lock`, written by uv 0.13.9 for a
//! scientific stack of 30 direct dependencies on CPython 3.11 (146 packages; the command is in
//! `benches/data/README.md`), plus 4,854 synthetic internal packages in uv's layout that the index does not know,
//! as in a large monorepo's lock: 5,000 `[[package]]` entries, 2.8 MB. The check is what `nplint check uv.lock`
//! does for the file after start-up: parse, then every rule on the locked set on its targets (the lock's
//! `requires-python` admits CPython 3.11; the three default platforms), with the index and the solvers' caches
//! warm as in a run over many files (`warm`) or empty (`fresh`, a new `Resolver`).
//!
//! Medians on the 2-core development machine (2026-11-26): parse 13.3 ms, check 18.2 ms warm and 18.5 ms fresh.
//! Reading the lock with a whole `toml_edit` document instead took 61.8 ms to parse and 78 ms to check; reading
//! `toml_parser`'s events and skipping the `sdist`/`wheels` arrays is what `lockfile/toml.rs` in nplint-manifest
//! does now.

use std::fmt::Write;
use std::path::Path;
use std::sync::LazyLock;

use divan::Bencher;
use nplint_manifest::{Format, MemoryLoader, load};
use nplint_rules::{Resolver, Settings, check_manifest_resolved};

fn main() {
    divan::main();
}

/// The real lock with synthetic entries appended up to 5,000 packages, as `uv.lock`.
static LOCK: LazyLock<MemoryLoader> = LazyLock::new(|| {
    let mut text = include_str!("data/uv-146.lock").trim_end().to_owned();
    let real = text.matches("\n[[package]]\n").count();
    for i in 0..5000 - real {
        let next = (i + 1) % (5000 - real);
        let _ = write!(
            text,
            "\n\n[[package]]\nname = \"internal-lib-{i:04}\"\nversion = \"1.{}.{}\"\n\
             source = {{ registry = \"https://index.invalid/simple\" }}\n\
             dependencies = [\n    {{ name = \"internal-lib-{next:04}\" }},\n]\n\
             sdist = {{ url = \"https://index.invalid/packages/internal_lib_{i:04}-1.0.tar.gz\", size = 1234 }}\n\
             wheels = [\n    {{ url = \"https://index.invalid/packages/internal_lib_{i:04}-1.0-py3-none-any.whl\", \
             size = 1234 }},\n]",
            i % 50,
            i % 7
        );
    }
    text.push('\n');
    MemoryLoader::from([("uv.lock", text)])
});

fn check(resolver: &Resolver) -> usize {
    let manifest = load(Path::new("uv.lock"), Format::UvLock, &*LOCK).unwrap();
    assert_eq!(
        manifest.requirements.len(),
        5000 - 1,
        "every package but the project itself"
    );
    check_manifest_resolved(&manifest, resolver, &Settings::default()).len()
}

#[divan::bench]
fn parse(bencher: Bencher) {
    let lock = &*LOCK;
    bencher.bench(|| {
        load(Path::new("uv.lock"), Format::UvLock, lock)
            .unwrap()
            .requirements
            .len()
    });
}

#[divan::bench]
fn check_warm(bencher: Bencher) {
    let resolver = Resolver::new(nplint_index::Index::embedded(), &[]);
    check(&resolver);
    bencher.bench(|| check(&resolver));
}

#[divan::bench(sample_count = 20)]
fn check_fresh(bencher: Bencher) {
    bencher.bench(|| check(&Resolver::new(nplint_index::Index::embedded(), &[])));
}
