//! Made-up packages for unit tests (`example-a`, `example-b`): shaped like the real data, true of nothing.

use std::collections::BTreeMap;

use crate::source::{
    ApiScope, ApiUse, BuildNumpy, BuildScan, MetadataSource, MetadataVariant, PackageFile,
    Platform, ReleaseEntry, ReleaseKind, Snapshot,
};

pub(crate) fn example_snapshot() -> Snapshot {
    Snapshot {
        newest_upload: "2021-06-07T08:09:10Z".to_owned(),
        packages: vec!["example-a".to_owned(), "example-b".to_owned()],
        added_by_closure: BTreeMap::from([("example-b".to_owned(), "example-a".to_owned())]),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&s| s.to_owned()).collect()
}

fn release(version: &str, kind: ReleaseKind) -> ReleaseEntry {
    ReleaseEntry::new(version, "2020-01-02T03:04:05Z", kind)
}

fn variant(applies_to: &[&str], file: &str, via: MetadataSource) -> MetadataVariant {
    MetadataVariant {
        applies_to: strings(applies_to),
        file: file.to_owned(),
        via,
        requires_python: None,
        requires_dist: Vec::new(),
    }
}

/// `example-b` first, so that tests see the encoder sort by name.
pub(crate) fn example_packages() -> Vec<PackageFile> {
    vec![example_b(), example_a()]
}

/// `example-a` 1.0's Windows wheel, read too: built against NumPy 2, for 1.20 and later.
fn windows_build() -> BuildScan {
    BuildScan {
        numpy: BuildNumpy::Numpy2,
        file: "example_a-1.0-cp38-abi3-win_amd64.whl".to_owned(),
        member: Some("example_a/_core.pyd".to_owned()),
        numpy_floor: Some("1.20".to_owned()),
    }
}

fn example_a() -> PackageFile {
    let mut old = release("0.9", ReleaseKind::SdistOnly);
    old.yanked = Some("broken build".to_owned());
    old.metadata = vec![MetadataVariant {
        requires_python: Some(">=2.7, !=3.0.*, >= 3.4.*".to_owned()),
        requires_dist: strings(&["numpy (>=1.0 <2)", "example-b"]),
        ..variant(&["sdist"], "example-a-0.9.tar.gz", MetadataSource::Unknown)
    }];

    let mut one = release("1.0", ReleaseKind::Binary);
    one.wheels = BTreeMap::from([
        (Platform::LinuxX86_64, strings(&["cp37", "cp38", "cp39"])),
        (Platform::WindowsX86_64, strings(&["cp38-abi3"])),
    ]);
    one.metadata = vec![
        MetadataVariant {
            requires_python: Some(">=3.7".to_owned()),
            requires_dist: strings(&[
                "example-b>=2.0",
                "numpy>=1.19.2,<1.20; python_version < '3.9'",
                "numpy>=1.20; python_version >= '3.9'",
                "numpy!=1.19.4; sys_platform == 'linux'",
                "numpy<2; extra == 'full'",
            ]),
            ..variant(
                &["linux-x86_64"],
                "example_a-1.0-cp38-cp38-manylinux2014_x86_64.whl",
                MetadataSource::MetadataFile,
            )
        },
        MetadataVariant {
            requires_python: Some(">=3.7".to_owned()),
            requires_dist: strings(&["numpy>=1.18", "example-b[extra]"]),
            ..variant(
                &["sdist", "windows-x86_64"],
                "example-a-1.0.tar.gz",
                MetadataSource::SdistPkgInfo,
            )
        },
    ];

    one.build = Some(BuildScan {
        numpy: BuildNumpy::Numpy1,
        file: "example_a-1.0-cp39-cp39-manylinux2014_x86_64.whl".to_owned(),
        member: Some("example_a/_core.cpython-39-x86_64-linux-gnu.so".to_owned()),
        numpy_floor: None,
    });
    one.platform_builds = BTreeMap::from([(Platform::WindowsX86_64, windows_build())]);
    one.removed_api = vec![
        ApiUse {
            name: "float".to_owned(),
            scope: ApiScope::Import,
            file: "example_a-1.0-cp39-cp39-manylinux2014_x86_64.whl".to_owned(),
            member: "example_a/types.py".to_owned(),
            line: 12,
            count: 3,
            function: None,
        },
        ApiUse {
            name: "NaN".to_owned(),
            scope: ApiScope::Call,
            file: "example_a-1.0-cp39-cp39-manylinux2014_x86_64.whl".to_owned(),
            member: "example_a/stats.py".to_owned(),
            line: 140,
            count: 1,
            function: None,
        },
        ApiUse {
            name: "int".to_owned(),
            scope: ApiScope::Function,
            file: "example_a-1.0-cp39-cp39-manylinux2014_x86_64.whl".to_owned(),
            member: "example_a/model.py".to_owned(),
            line: 30,
            count: 2,
            function: Some("Model._fit".to_owned()),
        },
    ];

    let mut rc = release("2.0rc1", ReleaseKind::Binary);
    rc.prerelease = true;
    rc.uploaded = "2021-06-07T08:09:10Z".to_owned();
    rc.wheels = BTreeMap::from([(Platform::MacosArm64, strings(&["cp310", "cp311"]))]);
    rc.metadata = vec![MetadataVariant {
        requires_python: Some(">=3.10".to_owned()),
        requires_dist: strings(&["numpy (>=1.22) ; python_full_version >= '3.10.1'"]),
        ..variant(
            &["macos-arm64"],
            "example_a-2.0rc1-cp310-cp310-macosx_11_0_arm64.whl",
            MetadataSource::WheelRange,
        )
    }];

    PackageFile {
        name: "example-a".to_owned(),
        releases: vec![old, one, rc],
        earlier: vec!["0.1".to_owned(), "0.2".to_owned()],
        held_from: None,
    }
}

fn example_b() -> PackageFile {
    let mut pure = release("2.0", ReleaseKind::Pure);
    pure.metadata = vec![variant(
        &["any"],
        "example_b-2.0-py3-none-any.whl",
        MetadataSource::MetadataFile,
    )];
    let mut generic = release("2.1", ReleaseKind::Binary);
    generic.build = Some(BuildScan {
        numpy: BuildNumpy::None,
        file: "example_b-2.1-py3-none-manylinux2014_aarch64.whl".to_owned(),
        member: None,
        numpy_floor: None,
    });
    generic.wheels = BTreeMap::from([(Platform::LinuxAarch64, strings(&["py3"]))]);
    generic.metadata = vec![variant(
        &["linux-aarch64"],
        "example_b-2.1-py3-none-manylinux2014_aarch64.whl",
        MetadataSource::MetadataFile,
    )];
    let unparseable = release("not a version", ReleaseKind::Pure);
    PackageFile {
        earlier: Vec::new(),
        held_from: None,
        name: "example-b".to_owned(),
        releases: vec![pure, unparseable, generic],
    }
}
