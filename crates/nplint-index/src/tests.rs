//! Tests of the typed API over the made-up packages of `test_data`.

use std::str::FromStr;

use super::*;
use crate::test_data::{example_packages, example_snapshot};

fn index() -> Index {
    Index::from_source(&example_snapshot(), &example_packages()).unwrap()
}

fn name(s: &str) -> PackageName {
    PackageName::from_str(s).unwrap()
}

fn version(s: &str) -> Version {
    Version::from_str(s).unwrap()
}

fn target(python: &str, platform: Platform) -> Target {
    Target::new(python.parse().unwrap(), platform)
}

#[test]
fn snapshot_and_lookup() {
    let index = index();
    assert_eq!(index.snapshot().newest_upload(), "2021-06-07T08:09:10Z");
    assert_eq!(index.snapshot().newest_upload_date(), "2021-06-07");
    assert_eq!(index.snapshot().package_count(), 2);
    let names: Vec<_> = index
        .packages()
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    assert_eq!(names, ["example-a", "example-b"]);
    assert!(index.package(&name("example-c")).is_none());
    // Lookups take any spelling of the name: `PackageName` normalizes it.
    let b = index.package(&name("Example_B")).unwrap();
    assert_eq!(b.added_by(), Some("example-a"));
    assert_eq!(index.package(&name("example-a")).unwrap().added_by(), None);
}

#[test]
fn names_that_share_their_first_eight_bytes_are_told_apart() {
    let names = [
        "azure",
        "azure-m",
        "azure-mg",
        "azure-mgmt",
        "azure-mgmt-a",
        "azure-mgmt-b",
        "azure-mgmt-compute",
        "azure-mgmtz",
        "azurf",
        "b",
    ];
    let index = names
        .iter()
        .fold(IndexBuilder::new(), |builder, name| {
            builder.pure(name, "1.0", &[])
        })
        .build()
        .unwrap();
    for (at, found) in names.iter().enumerate() {
        assert_eq!(index.position(&name(found)), Some(at), "{found}");
    }
    // Searched as written (`azure-` is no package name, but a prefix of some).
    for missing in [
        "a",
        "azur",
        "azure-",
        "azure-mgm",
        "azure-mgmt-",
        "azure-mgmt-c",
        "azure-mgmu",
        "c",
        "",
    ] {
        assert_eq!(index.position_of(missing), None, "{missing}");
    }
}

#[test]
fn releases_are_sorted_and_unparseable_versions_reported() {
    let index = index();
    let b = index.package(&name("example-b")).unwrap();
    let versions: Vec<_> = b.releases().iter().map(Release::raw_version).collect();
    assert_eq!(versions, ["2.0", "2.1"]);
    let [bad] = b.unparseable_versions() else {
        panic!("one unparseable version expected")
    };
    assert_eq!(bad.raw(), "not a version");
    assert!(bad.error().is_some());

    let a = index.package(&name("example-a")).unwrap();
    assert!(a.release(&version("1.0.0")).is_some(), "PEP 440 equality");
    assert!(a.release(&version("1.1")).is_none());
    assert!(
        a.releases()
            .windows(2)
            .all(|w| w[0].version() < w[1].version())
    );
}

#[test]
fn unsorted_source_still_queries_correctly() {
    let mut packages = example_packages();
    for package in &mut packages {
        package.releases.reverse();
    }
    let index = Index::from_source(&example_snapshot(), &packages).unwrap();
    let a = index.package(&name("example-a")).unwrap();
    assert_eq!(a.release(&version("0.9")).unwrap().raw_version(), "0.9");
    assert!(
        a.releases()
            .windows(2)
            .all(|w| w[0].version() < w[1].version())
    );
}

#[test]
fn release_facts() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let old = a.release(&version("0.9")).unwrap();
    assert_eq!(old.yanked(), Some("broken build"));
    assert!(old.is_yanked());
    assert_eq!(old.kind(), ReleaseKind::SdistOnly);
    assert_eq!(old.upload_date(), "2020-01-02");
    assert!(!old.is_prerelease());
    let rc = a.release(&version("2.0rc1")).unwrap();
    assert!(rc.is_prerelease());
    assert_eq!(rc.uploaded().unwrap().to_string(), "2021-06-07T08:09:10Z");
}

#[test]
fn wheels() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let one = a.release(&version("1.0")).unwrap();
    let py = |s: &str| s.parse::<PythonVersion>().unwrap();

    assert!(one.has_wheel(py("3.8"), Platform::LinuxX86_64));
    assert!(!one.has_wheel(py("3.10"), Platform::LinuxX86_64));
    assert!(!one.has_wheel(py("3.8"), Platform::MacosArm64));
    // abi3 from its minimum on.
    assert!(!one.has_wheel(py("3.7"), Platform::WindowsX86_64));
    assert!(one.has_wheel(py("3.8"), Platform::WindowsX86_64));
    assert!(one.has_wheel(py("3.12"), Platform::WindowsX86_64));

    let range = |platform| one.wheel_python_range(platform).map(|r| r.to_string());
    assert_eq!(range(Platform::LinuxX86_64).as_deref(), Some("3.7-3.9"));
    assert_eq!(range(Platform::WindowsX86_64).as_deref(), Some("3.8+"));
    assert_eq!(range(Platform::MacosArm64), None);

    let platforms: Vec<_> = one.wheels().map(|(platform, _)| platform).collect();
    assert_eq!(platforms, [Platform::LinuxX86_64, Platform::WindowsX86_64]);
    let tags: Vec<_> = one
        .wheel_pythons(Platform::WindowsX86_64)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(tags, ["cp38-abi3"]);

    // py3 on any 3.x.
    let b = index.package(&name("example-b")).unwrap();
    let generic = b.release(&version("2.1")).unwrap();
    assert!(generic.has_wheel(py("3.6"), Platform::LinuxAarch64));
    assert!(generic.has_wheel(py("3.14"), Platform::LinuxAarch64));
    assert_eq!(
        generic.wheel_python_range(Platform::LinuxAarch64),
        Some(WheelPythonRange::AnyPython3)
    );
    let single = a.release(&version("2.0rc1")).unwrap();
    assert_eq!(
        single
            .wheel_python_range(Platform::MacosArm64)
            .map(|r| r.to_string())
            .as_deref(),
        Some("3.10-3.11")
    );
}

#[test]
fn wheel_tags_parse() {
    let v = PythonVersion::new;
    assert_eq!(WheelPython::parse("cp39"), WheelPython::CPython(v(3, 9)));
    assert_eq!(WheelPython::parse("cp310"), WheelPython::CPython(v(3, 10)));
    assert_eq!(WheelPython::parse("cp38-abi3"), WheelPython::Abi3(v(3, 8)));
    assert_eq!(WheelPython::parse("py3"), WheelPython::Python3);
    for odd in ["cp27", "py2", "pp39", "cp3", "cp39-abi4", "cp313t", ""] {
        assert_eq!(
            WheelPython::parse(odd),
            WheelPython::Unrecognized(odd.into()),
            "{odd}"
        );
        assert_eq!(WheelPython::parse(odd).to_string(), odd);
    }
    for tag in ["cp39", "cp310", "cp38-abi3", "py3"] {
        assert_eq!(WheelPython::parse(tag).to_string(), tag);
    }
    // The order of the source form.
    let sorted = [
        "py3",
        "cp36",
        "cp38",
        "cp38-abi3",
        "cp39",
        "cp310",
        "cp311-abi3",
        "cp27",
    ];
    let parsed: Vec<_> = sorted.iter().map(|tag| WheelPython::parse(tag)).collect();
    assert!(parsed.is_sorted_by(|a, b| a < b), "{parsed:?}");
}

#[test]
fn metadata_variant_per_platform() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let one = a.release(&version("1.0")).unwrap();
    let file = |platform| {
        one.metadata_for(platform)
            .map(|metadata| metadata.file().to_string())
    };
    assert_eq!(
        file(Platform::LinuxX86_64).as_deref(),
        Some("example_a-1.0-cp38-cp38-manylinux2014_x86_64.whl")
    );
    assert_eq!(
        file(Platform::WindowsX86_64).as_deref(),
        Some("example-a-1.0.tar.gz")
    );
    // No wheel for macOS: the sdist's metadata applies.
    assert_eq!(
        file(Platform::MacosArm64).as_deref(),
        Some("example-a-1.0.tar.gz")
    );
    let variant = one.metadata_for(Platform::LinuxX86_64).unwrap();
    assert_eq!(variant.via(), MetadataSource::MetadataFile);
    assert_eq!(
        variant.applies_to(),
        [AppliesTo::Platform(Platform::LinuxX86_64)]
    );
    let sdist = one.metadata_for(Platform::MacosArm64).unwrap();
    assert_eq!(sdist.applies_to()[0].to_string(), "sdist");

    // A binary release without the platform's wheel or an sdist has no metadata there.
    let rc = a.release(&version("2.0rc1")).unwrap();
    assert!(rc.metadata_for(Platform::LinuxX86_64).is_none());
    assert!(rc.requires_dist(Platform::LinuxX86_64).is_empty());
    assert!(rc.requires_python(Platform::LinuxX86_64).is_none());

    // A pure wheel's metadata applies everywhere.
    let b = index.package(&name("example-b")).unwrap();
    let pure = b.release(&version("2.0")).unwrap();
    for platform in Platform::ALL {
        assert_eq!(
            pure.metadata_for(platform).unwrap().applies_to(),
            [AppliesTo::Any]
        );
    }
}

#[test]
fn requires_python_and_dist_parse_lazily_and_keep_failures() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let one = a.release(&version("1.0")).unwrap();
    let requires_python = one.requires_python(Platform::LinuxX86_64).unwrap();
    assert_eq!(requires_python.raw(), ">=3.7");
    assert!(requires_python.value().unwrap().contains(&version("3.8")));
    let dist = one.requires_dist(Platform::LinuxX86_64);
    assert_eq!(dist.len(), 5);
    assert!(dist.iter().all(|r| r.value().is_some()));
    // Parsed once: the same allocation on every call.
    assert!(std::ptr::eq(dist, one.requires_dist(Platform::LinuxX86_64)));

    let old = a.release(&version("0.9")).unwrap();
    let requires_python = old.requires_python(Platform::LinuxX86_64).unwrap();
    assert!(requires_python.value().is_none());
    assert_eq!(requires_python.raw(), ">=2.7, !=3.0.*, >= 3.4.*");
    let dist = old.requires_dist(Platform::LinuxX86_64);
    assert_eq!(dist[0].raw(), "numpy (>=1.0 <2)");
    assert!(dist[0].error().is_some());
    assert!(dist[1].value().is_some());
    // An unparseable numpy entry is not a requirement on numpy.
    assert_eq!(
        old.numpy_requirement(target("3.8", Platform::LinuxX86_64)),
        None
    );
}

#[test]
fn numpy_requirement_per_target() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let one = a.release(&version("1.0")).unwrap();
    let numpy = |python, platform| {
        one.numpy_requirement(target(python, platform))
            .map(|specifiers| specifiers.to_string())
    };
    // Markers select entries; the `extra == 'full'` entry needs an extra.
    assert_eq!(
        numpy("3.8", Platform::LinuxX86_64).as_deref(),
        Some(">=1.19.2, !=1.19.4, <1.20")
    );
    assert_eq!(
        numpy("3.9", Platform::LinuxX86_64).as_deref(),
        Some("!=1.19.4, >=1.20")
    );
    // Windows takes the sdist variant.
    assert_eq!(
        numpy("3.9", Platform::WindowsX86_64).as_deref(),
        Some(">=1.18")
    );

    let full = ExtraName::from_str("full").unwrap();
    let with_extra = one
        .requirement_on(
            &name("numpy"),
            target("3.9", Platform::LinuxX86_64),
            &[full],
        )
        .unwrap();
    assert!(with_extra.contains(&version("1.21")));
    assert!(!with_extra.contains(&version("2.0")));

    // An entry without a version bound applies with empty specifiers; no entry at all is `None`.
    let b_on_linux = one.requirement_on(
        &name("example-b"),
        target("3.8", Platform::LinuxX86_64),
        &[],
    );
    assert_eq!(b_on_linux.unwrap().to_string(), ">=2.0");
    let b_on_windows = one.requirement_on(
        &name("example-b"),
        target("3.8", Platform::WindowsX86_64),
        &[],
    );
    assert!(b_on_windows.unwrap().is_empty());
    assert_eq!(
        one.requirement_on(
            &name("example-c"),
            target("3.8", Platform::LinuxX86_64),
            &[]
        ),
        None
    );

    // `python_full_version >= '3.10.1'` holds for target 3.10 (the assumed newest patch release).
    let rc = a.release(&version("2.0rc1")).unwrap();
    assert_eq!(
        rc.numpy_requirement(target("3.10", Platform::MacosArm64))
            .map(|s| s.to_string())
            .as_deref(),
        Some(">=1.22")
    );
}

#[test]
fn the_embedded_index_loads() {
    let index = Index::embedded();
    assert_eq!(
        index.packages().len(),
        Index::decode_embedded().unwrap().packages().len()
    );
    assert!(std::ptr::eq(index, Index::embedded()));
}

#[test]
fn invalid_names_are_errors() {
    let mut packages = example_packages();
    packages[0].name = "Example_B".to_owned();
    let error = Index::from_source(&example_snapshot(), &packages).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`Example_B` is not a normalized package name"
    );
}

#[test]
fn display_names_match_the_source_form() {
    for kind in [
        ReleaseKind::Binary,
        ReleaseKind::Pure,
        ReleaseKind::SdistOnly,
    ] {
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
    }
    for via in [
        MetadataSource::MetadataFile,
        MetadataSource::WheelRange,
        MetadataSource::SdistPkgInfo,
        MetadataSource::Unknown,
    ] {
        assert_eq!(serde_json::to_string(&via).unwrap(), format!("\"{via}\""));
    }
}

#[test]
fn conda_only_packages_that_go_with_numpy_related_projects_say_which() {
    let index = Index::embedded();
    let related = |name: &str| index.conda_only(name).map(|found| found.numpy_related);
    // A system library: known not to need NumPy.
    assert_eq!(related("libblas"), Some(None));
    // Built by the feedstock that builds `torch`, which is indexed.
    assert_eq!(related("libtorch"), Some(Some("torch".to_owned())));
    // PyPI's `eigenpy` reaches NumPy (a `full` row of the tiers); conda-forge's ships bindings without a `.dist-info`.
    assert_eq!(related("eigenpy"), Some(Some("eigenpy".to_owned())));
    // Not conda-only: a Python package, and a name conda does not spell so.
    assert_eq!(related("pandas"), None);
    assert_eq!(related("python-abi"), None);
}

#[test]
fn a_requirement_admitting_only_releases_before_the_history_predates_it() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    assert_eq!(a.earlier(), [version("0.1"), version("0.2")]);
    let predates =
        |specifiers: &str| a.predates_history(&VersionSpecifiers::from_str(specifiers).unwrap());
    // Only releases before the history: the index cannot judge them.
    assert!(predates("==0.2"));
    assert!(predates("<0.5"));
    // An indexed release qualifies: the solve judges it.
    assert!(!predates("<1.0"));
    assert!(!predates(">=0.1"));
    // No release at all, before the history or after: a conflict the index can show.
    assert!(!predates("==0.3"));
    assert!(!predates(">=5"));
    // Indexed releases the specifiers name, admitted (`==1.0.0` is 1.0) or not (then every version is tried).
    assert!(!predates("==1.0.0"));
    assert!(!predates("<=0.9"));
    assert!(predates("<1.0,!=0.9.0"));
    // A package without earlier releases predates nothing.
    let b = index.package(&name("example-b")).unwrap();
    assert!(b.earlier().is_empty());
    assert!(!b.predates_history(&VersionSpecifiers::from_str("<1").unwrap()));
}

#[test]
fn coverage_tells_why_the_releases_cannot_judge_a_requirement() {
    use crate::Coverage;
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let coverage = |specifiers: &str| a.coverage(&VersionSpecifiers::from_str(specifiers).unwrap());
    assert_eq!(a.releases().last().unwrap().version(), &version("2.0rc1"));
    // A release admitted, or none within what the index holds: the solve judges it.
    assert_eq!(coverage(">=0.1"), Coverage::Indexed);
    assert_eq!(coverage("==1.0.0"), Coverage::Indexed);
    assert_eq!(coverage(">0.9.0, <1.0"), Coverage::Indexed);
    assert_eq!(coverage("==0.2"), Coverage::Predates);
    // Only versions past the newest release held.
    assert_eq!(coverage("==2.1"), Coverage::PastSnapshot);
    assert_eq!(coverage(">=3"), Coverage::PastSnapshot);
    // A pin within what the index holds that no release has; a pre-release it may not hold.
    assert_eq!(coverage("==0.9.5"), Coverage::NoSuchRelease);
    assert_eq!(coverage("==0.9.*"), Coverage::Indexed);
    assert_eq!(coverage("==0.8.*"), Coverage::NoSuchRelease);
    assert_eq!(coverage("==0.9.5b1"), Coverage::PrereleaseNotHeld);
    // Past the newest final release (1.0), the index holds every pre-release (here 2.0rc1 alone): one it lacks
    // does not exist.
    assert_eq!(coverage("==1.9.0b1"), Coverage::NoSuchRelease);
    // Yanked releases (0.9) and pre-releases (2.0rc1) are never suggested; below the held releases, the versions
    // before the history are.
    assert_eq!(
        a.nearest_releases(&version("0.9.5")),
        (Some(version("0.2")), Some(version("1.0")))
    );
    assert_eq!(
        a.nearest_releases(&version("1.5")),
        (Some(version("1.0")), None)
    );
}

#[test]
fn file_names_are_kept_in_parts_around_the_version_and_read_back_whole() {
    use crate::compact::FileName;
    for (name, version) in [
        (
            "pandas-2.2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "2.2.0",
        ),
        ("example-a-1.0.tar.gz", "1.0"),
        // The version found at the start of a longer one: split there, read back the same.
        ("odd-1.0.0-py3-none-any.whl", "1.0"),
        // Not in the name at all (another spelling of the version), or no version: kept whole.
        ("no-version.whl", "2.0"),
        ("x-1.0.whl", ""),
    ] {
        let file = FileName::split(name, version);
        assert_eq!(file.to_string(), name);
        assert_eq!(file, name);
        assert_ne!(file, "pandas-2.2.0.tar.gz");
        assert_eq!(serde_json::to_string(&file).unwrap(), format!("\"{name}\""));
    }
}

#[test]
fn each_platform_is_judged_by_its_own_wheels_build() {
    let index = index();
    let a = index.package(&name("example-a")).unwrap();
    let one = a.release(&version("1.0")).unwrap();
    let abi = |target: Target| {
        let facts = runtime::facts(&index, a, one, Some(target));
        facts
            .into_iter()
            .filter(|fact| fact.kind == runtime::FactKind::Abi)
            .map(|fact| fact.key)
            .collect::<Vec<_>>()
    };
    // Linux x86_64 was read first: built against NumPy 1.x.
    assert_eq!(
        abi(target("3.9", Platform::LinuxX86_64)),
        ["abi:built-against-numpy-1.x"]
    );
    // Windows' own wheel (cp38-abi3) was built against NumPy 2 for 1.20 and later, on every CPython from 3.8.
    for python in ["3.8", "3.11"] {
        let windows = target(python, Platform::WindowsX86_64);
        assert_eq!(abi(windows), ["abi:numpy-floor"], "{python}");
        let works = runtime::facts(&index, a, one, Some(windows))
            .into_iter()
            .find(|fact| fact.kind == runtime::FactKind::Abi)
            .unwrap()
            .works;
        assert!(!works.contains(&version("1.19.5")) && works.contains(&version("1.20.0")));
        assert!(
            works.contains(&version("2.0.0")),
            "a build against NumPy 2 runs on it"
        );
    }
    // A platform with neither a scan of its own nor one that agrees takes the first platform's, as before.
    assert_eq!(
        one.build_scan_on(Platform::MacosArm64)
            .map(|scan| scan.numpy),
        Some(BuildNumpy::Numpy1)
    );
    assert_eq!(
        one.build_scan_on(Platform::WindowsX86_64)
            .map(|scan| scan.file.to_string()),
        Some("example_a-1.0-cp38-abi3-win_amd64.whl".to_owned())
    );
}

#[test]
fn a_floor_holds_only_where_the_wheel_read_is_the_one_installed() {
    use crate::source::BuildScan;
    let mut packages = example_packages();
    let a = packages
        .iter_mut()
        .find(|package| package.name == "example-a")
        .unwrap();
    let one = a
        .releases
        .iter_mut()
        .find(|release| release.version == "1.0")
        .unwrap();
    // Linux: cp37-cp39 wheels, the cp39 one read; built against NumPy 2 for 1.22.
    one.build = Some(BuildScan {
        numpy: BuildNumpy::Numpy2,
        file: "example_a-1.0-cp39-cp39-manylinux2014_x86_64.whl".to_owned(),
        member: None,
        numpy_floor: Some("1.22".to_owned()),
    });
    let index = Index::from_source(&example_snapshot(), &packages).unwrap();
    let a = index.package(&name("example-a")).unwrap();
    let one = a.release(&version("1.0")).unwrap();
    let floor = |python: &str, platform: Platform| {
        runtime::facts(&index, a, one, Some(target(python, platform)))
            .iter()
            .any(|fact| fact.key == "abi:numpy-floor")
    };
    assert!(floor("3.9", Platform::LinuxX86_64));
    // Its cp38 and cp37 wheels were not read: each may have been built for an older NumPy (blis 1.0.1's were).
    assert!(!floor("3.8", Platform::LinuxX86_64));
    // Without a target, as `nplint index show` asks: the fact as read.
    assert!(
        runtime::facts(&index, a, one, None)
            .iter()
            .any(|fact| fact.key == "abi:numpy-floor")
    );
    // No platform read but the first and Windows: macOS has no evidence of its own.
    assert!(!floor("3.9", Platform::MacosArm64));
}

#[test]
fn a_package_not_yet_queried_is_small() {
    // Loading writes one per indexed package (7,148): the load's cost is mostly these bytes.
    let size = std::mem::size_of::<Package>();
    assert!(size <= 104, "{size} bytes");
}

/// The encoding of the made-up packages, as `cargo xtask index pack` would publish it.
fn example_bytes() -> Vec<u8> {
    compact::encode(&example_snapshot(), &example_packages())
}

#[test]
fn a_snapshot_read_from_bytes_is_the_one_encoded_with_its_origin_and_the_light_tier() {
    let origin = Origin::File(PathBuf::from("/cache/index/index.bin"));
    let index = Index::from_bytes(example_bytes(), origin.clone()).unwrap();
    assert_eq!(index.origin(), &origin);
    assert_eq!(index.snapshot().newest_upload(), "2021-06-07T08:09:10Z");
    let from_source = self::index();
    assert_eq!(index.packages().len(), from_source.packages().len());
    for (read, built) in index.packages().iter().zip(from_source.packages()) {
        assert_eq!(read.name(), built.name());
        assert_eq!(read.releases().len(), built.releases().len());
    }
    assert_eq!(
        index.light_packages().len(),
        light::EMBEDDED.packages().len()
    );
    assert_eq!(Index::embedded().origin(), &Origin::Embedded);
    assert_eq!(from_source.origin(), &Origin::Source);
}

#[test]
fn bytes_that_are_not_an_index_are_refused() {
    for bytes in [
        Vec::new(),
        b"NPLINDE".to_vec(),
        b"{\"format_version\": 9}".to_vec(),
    ] {
        let error = Index::from_bytes(bytes, Origin::Source).unwrap_err();
        assert!(matches!(error, IndexError::NotAnIndex), "{error}");
    }
}

#[test]
fn a_snapshot_of_another_format_version_is_refused() {
    let mut bytes = example_bytes();
    let other = compact::FORMAT_VERSION + 1;
    bytes[8..12].copy_from_slice(&other.to_le_bytes());
    assert!(matches!(
        verify(&bytes),
        Err(IndexError::FormatVersion { .. })
    ));
    let error = Index::from_bytes(bytes, Origin::Source).unwrap_err();
    assert!(
        matches!(error, IndexError::FormatVersion { found, expected }
            if found == other && expected == compact::FORMAT_VERSION),
        "{error}"
    );
}

#[test]
fn corrupt_bytes_are_refused() {
    let bytes = example_bytes();
    assert!(verify(&bytes).is_ok());
    // Cut short: the package table points past the end, which loading finds.
    let short = bytes[..bytes.len() - 3].to_vec();
    assert!(matches!(verify(&short), Err(IndexError::Decode(_))));
    let error = Index::from_bytes(short, Origin::Source).unwrap_err();
    assert!(matches!(error, IndexError::Decode(_)), "{error}");

    // The header intact, the bodies garbage: only checking every body finds it (loading reads the header alone).
    let mut garbled = bytes.clone();
    let bodies = compact::decode_header(&bytes).unwrap().packages[0]
        .body
        .start;
    garbled[bodies..].fill(0xFF);
    assert!(compact::decode_header(&garbled).is_ok());
    let error = verify(&garbled).unwrap_err();
    assert!(error.to_string().starts_with("corrupt index: "), "{error}");
}

#[test]
fn the_embedded_bytes_verify() {
    verify(embedded_bytes()).unwrap();
}
