//! How long the index takes to load and to answer a typical query.
//!
//! Run with `cargo bench -p nplint-index`. Each benchmark exists twice: over the embedded index (the real data once
//! it is synced) and over a synthetic one of a similar shape (`example-*` packages), so that the numbers mean
//! something even before the first sync and stay comparable across syncs.

use nplint_index::{Platform, PythonVersion, Target};

fn main() {
    divan::main();
}

/// The target of the typical query: CPython 3.8 on linux-x86_64.
const TARGET: Target = Target::new(PythonVersion::new(3, 8), Platform::LinuxX86_64);

mod embedded {
    use std::str::FromStr;

    use divan::Bencher;
    use nplint_index::{Index, PackageName, Version};

    use super::TARGET;

    /// The header and package table only: what `Index::embedded()` does on first use.
    #[divan::bench]
    fn load() -> Index {
        Index::decode_embedded().unwrap()
    }

    /// The header, then every package's releases.
    #[divan::bench]
    fn load_and_decode_all() -> Index {
        let index = Index::decode_embedded().unwrap();
        for package in index.packages() {
            package.decode();
        }
        index
    }

    /// The same query on a fresh index: the header, `tensorflow`'s releases and the variant's requirements are all
    /// decoded and parsed inside the measurement, as on a CLI run's first query.
    #[divan::bench]
    fn cold_numpy_requirement_of_tensorflow_2_5_0(bencher: Bencher<'_, '_>) {
        let name = PackageName::from_str("tensorflow").unwrap();
        let version = Version::from_str("2.5.0").unwrap();
        bencher.bench(|| {
            let index = Index::decode_embedded().unwrap();
            let requirement = index
                .package(&name)
                .and_then(|package| package.release(&version))
                .and_then(|release| release.numpy_requirement(TARGET));
            (index, requirement)
        });
    }

    /// `numpy` requirement of `tensorflow` 2.5.0 on CPython 3.8, linux-x86_64, warm (the package is decoded and
    /// the metadata parsed by the first iteration). Measures nothing but the lookup when the data lacks it.
    #[divan::bench]
    fn numpy_requirement_of_tensorflow_2_5_0(bencher: Bencher<'_, '_>) {
        let index = Index::embedded();
        let name = PackageName::from_str("tensorflow").unwrap();
        let version = Version::from_str("2.5.0").unwrap();
        bencher.bench(|| {
            index
                .package(divan::black_box(&name))
                .and_then(|package| package.release(&version))
                .and_then(|release| release.numpy_requirement(TARGET))
        });
    }
}

mod synthetic {
    use std::str::FromStr;
    use std::sync::LazyLock;

    use divan::Bencher;
    use nplint_index::source::{
        MetadataSource, MetadataVariant, PackageFile, ReleaseEntry, ReleaseKind, Snapshot,
    };
    use nplint_index::{Index, PackageName, Platform, Version, compact};

    use super::TARGET;

    /// 150 packages × 120 releases, each with wheels for 5 platforms and 2 metadata variants.
    /// Encoded once per process.
    fn bytes() -> &'static [u8] {
        static BYTES: LazyLock<&'static [u8]> = LazyLock::new(encode);
        &BYTES
    }

    fn encode() -> &'static [u8] {
        let packages: Vec<PackageFile> = (0..150).map(package).collect();
        let snapshot = Snapshot::of("2026-01-01T00:00:00Z", &packages);
        Box::leak(compact::encode(&snapshot, &packages).into_boxed_slice())
    }

    fn package(i: usize) -> PackageFile {
        let releases = (0..120)
            .map(|r| {
                let tags: Vec<String> = (6..=12).map(|minor| format!("cp3{minor}")).collect();
                let variant = |applies_to: &[&str]| MetadataVariant {
                    applies_to: applies_to.iter().map(|&s| s.to_owned()).collect(),
                    file: format!(
                        "example_{i:03}-{}.{}.0-cp38-cp38-manylinux2014_x86_64.whl",
                        r / 10,
                        r % 10
                    ),
                    via: MetadataSource::MetadataFile,
                    requires_python: Some(">=3.6".to_owned()),
                    requires_dist: vec![
                        format!("numpy>=1.{}; python_version < '3.9'", r % 20),
                        format!("numpy>=1.{},<2; python_version >= '3.9'", r % 20 + 1),
                        format!("example-{:03}>={}.0", (i + 1) % 150, r % 7),
                        "example-000[extra]>=1; extra == 'full'".to_owned(),
                        "example-001; sys_platform == 'win32'".to_owned(),
                    ],
                };
                ReleaseEntry {
                    wheels: Platform::ALL
                        .into_iter()
                        .map(|p| (p, tags.clone()))
                        .collect(),
                    metadata: vec![
                        variant(&[
                            "linux-aarch64",
                            "linux-x86_64",
                            "macos-arm64",
                            "macos-x86_64",
                        ]),
                        variant(&["sdist", "windows-x86_64"]),
                    ],
                    ..ReleaseEntry::new(
                        &format!("{}.{}.0", r / 10, r % 10),
                        &format!("2020-01-{:02}T00:00:00Z", r % 28 + 1),
                        ReleaseKind::Binary,
                    )
                }
            })
            .collect();
        PackageFile::new(&format!("example-{i:03}"), releases)
    }

    #[divan::bench]
    fn load(bencher: Bencher<'_, '_>) {
        let bytes = bytes();
        bencher.bench(|| Index::from_encoded(bytes).unwrap());
    }

    #[divan::bench]
    fn load_and_decode_all(bencher: Bencher<'_, '_>) {
        let bytes = bytes();
        bencher.bench(|| {
            let index = Index::from_encoded(bytes).unwrap();
            for package in index.packages() {
                package.decode();
            }
            index
        });
    }

    /// The source form only (`compact::decode`), to separate decoding from building the typed views.
    #[divan::bench]
    fn decode_source_form(bencher: Bencher<'_, '_>) {
        let bytes = bytes();
        bencher.bench(|| compact::decode(bytes).unwrap());
    }

    #[divan::bench]
    fn numpy_requirement(bencher: Bencher<'_, '_>) {
        let index = Index::from_encoded(bytes()).unwrap();
        let name = PackageName::from_str("example-042").unwrap();
        let version = Version::from_str("5.3.0").unwrap();
        bencher.bench(|| {
            index
                .package(divan::black_box(&name))
                .and_then(|package| package.release(&version))
                .and_then(|release| release.numpy_requirement(TARGET))
        });
    }
}
