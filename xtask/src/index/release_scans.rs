//! The scans of a release: which releases are scanned, which of their wheels are read, and how the wheels' findings
//! combine into the release's `build` and `removed_api` facts. Each wheel is read through a [`Fetcher`], which runs
//! the scans of [`super::scan`] on it.
//!
//! Pre-releases, yanked releases and `numpy` itself are not scanned. `build` is scanned for a release with a
//! platform-specific wheel of a tracked platform: the wheel the metadata selection chose for linux x86_64 (the
//! newest CPython tag), else the one of the first other platform (linux aarch64, macOS x86_64, macOS arm64,
//! windows); a platform-tagged wheel without binaries (`py3-none-manylinux1_x86_64`) reads as `none`. When that
//! wheel was compiled against NumPy's C API (`1.x`, `2.x`), the other platforms' wheels (each the metadata
//! selection's, the newest CPython tag) are read as well: the wheels of one release are built on different
//! machines, at different times, sometimes against different NumPys. A platform that reads the same (NumPy and
//! floor) is listed in `build_agrees_on`, one built otherwise against NumPy's C API is recorded in
//! `platform_builds`. One that reads `none` or `name-only` is not recorded: macOS and Windows wheels keep the
//! C-API code of pyarrow, torch or eigenpy in a `.dylib` or `.dll` of the project's own, which the scan does not
//! read, where Linux has a `.so` (of the 533 such reads of the first run, most were in pyarrow, torch, eigenpy and
//! snowflake-connector-python, which have that shape). A release whose first wheel uses no C API is read on that
//! platform only, which keeps the sync's reads to the releases where the answer can matter.
//! `removed_api` is scanned for every release with a wheel: its pure wheel, else the wheel of the `build` scan; an
//! sdist-only release is not scanned. Every indexed package is there because of NumPy, and a release may use it
//! without declaring it (transforms3d 0.4.1 declares no requirement and calls `np.maximum_sctype` at import). As for metadata, a network error fails the
//! sync (and caches nothing), so that the output never depends on a transient failure.

use anyhow::Result;
use nplint_index::source::{BuildNumpy, BuildScan, Platform};

use super::fetch::Fetcher;
use super::release::{Release, ReleaseScans, Selection, platform_name};
use super::simple::File;

/// The tracked platforms in the order their wheel is preferred for the `build` scan.
const BUILD_PLATFORMS: [Platform; 5] = [
    Platform::LinuxX86_64,
    Platform::LinuxAarch64,
    Platform::MacosX86_64,
    Platform::MacosArm64,
    Platform::WindowsX86_64,
];

/// Whether two scans say the same of the NumPy a wheel runs with, whatever the files and members read.
fn same_build(a: &BuildScan, b: &BuildScan) -> bool {
    a.numpy == b.numpy && a.numpy_floor == b.numpy_floor
}

/// `scan` of `wheel` with, for a build against NumPy 2, the wheel's floor ([`scan_floor`]) in place of the deciding
/// member's.
pub fn with_wheel_floor<F: Fetcher>(
    fetcher: &F,
    wheel: &File,
    scan: Option<BuildScan>,
) -> Result<Option<BuildScan>> {
    Ok(match scan {
        Some(mut scan) if scan.numpy == BuildNumpy::Numpy2 => {
            scan.numpy_floor = fetcher.floor_scan(wheel)?;
            Some(scan)
        }
        other => other,
    })
}

/// The `build` fact of `wheel`, its floor the wheel's.
fn wheel_build<F: Fetcher>(fetcher: &F, wheel: &File) -> Result<Option<BuildScan>> {
    let scan = fetcher.build_scan(wheel)?;
    with_wheel_floor(fetcher, wheel, scan)
}

/// The measured facts of one release (see the module documentation for which releases and which wheels).
pub fn release_facts<F: Fetcher>(
    fetcher: &F,
    project: &str,
    release: &Release,
    selection: &Selection,
) -> Result<ReleaseScans> {
    if project == "numpy" || release.version.any_prerelease() || release.yanked().is_some() {
        return Ok(ReleaseScans::default());
    }
    // Each platform's wheel, as the metadata selection chose it (the newest CPython tag).
    let wheels: Vec<(Platform, &File)> = BUILD_PLATFORMS
        .iter()
        .filter_map(|platform| {
            let name = platform_name(*platform);
            selection
                .reads
                .iter()
                .find(|read| read.applies_to.contains(&name))
                .map(|read| (*platform, read.file))
        })
        .collect();
    let mut scans = ReleaseScans::default();
    if let Some(&(first, file)) = wheels.first() {
        scans.build = wheel_build(fetcher, file)?;
        // Only a build against NumPy's C API can differ in what matters; the other platforms' wheels are read only
        // then, which keeps the sync's reads to the releases that need them.
        let compiled = scans
            .build
            .as_ref()
            .is_some_and(|build| matches!(build.numpy, BuildNumpy::Numpy1 | BuildNumpy::Numpy2));
        if compiled && let Some(primary) = scans.build.clone() {
            for &(platform, other) in &wheels {
                if platform == first {
                    continue;
                }
                // A universal2 wheel stands for both macOS platforms: the same file reads the same.
                let found = if other.filename == file.filename {
                    Some(primary.clone())
                } else {
                    wheel_build(fetcher, other)?
                };
                match found {
                    Some(found) if same_build(&found, &primary) => {
                        scans.build_agrees_on.push(platform);
                    }
                    // Only evidence of a build is recorded. `none` or `name-only` on another platform is mostly
                    // what the scan cannot see: macOS and Windows keep the C-API code of pyarrow, torch or
                    // eigenpy in a `.dylib` or `.dll` of their own, which the scan does not read, where Linux
                    // has a `.so` it does.
                    Some(found)
                        if matches!(found.numpy, BuildNumpy::Numpy1 | BuildNumpy::Numpy2) =>
                    {
                        scans.platform_builds.insert(platform, found);
                    }
                    Some(_) | None => {}
                }
            }
        }
    }
    let platform_wheel = wheels.first().map(|&(_, file)| file);
    let pure_wheel = selection
        .reads
        .iter()
        .find(|read| read.applies_to.contains("any"))
        .map(|read| read.file);
    if let Some(file) = pure_wheel.or(platform_wheel) {
        scans.removed_api = fetcher.removed_api(file)?;
    }
    Ok(scans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::fetch::Fetched;
    use crate::index::release::select;
    use crate::index::simple::{ProjectPage, Yanked};

    /// Scans by file name: the platform part of the name decides what its modules say.
    struct Platforms;

    impl Fetcher for Platforms {
        fn project(&self, _name: &str) -> Result<Option<ProjectPage>> {
            unreachable!("the release is given")
        }

        fn metadata(&self, _project: &str, _file: &File) -> Result<Fetched> {
            unreachable!("the selection is given")
        }

        fn build_scan(&self, wheel: &File) -> Result<Option<BuildScan>> {
            let name = &wheel.filename;
            let numpy = if name.contains("win_amd64") {
                BuildNumpy::Numpy1
            } else if name.contains("universal2") && name.starts_with("dylib") {
                BuildNumpy::None
            } else if name.contains("macosx") && name.contains("cp39") {
                return Ok(None);
            } else if name.starts_with("plain") {
                BuildNumpy::None
            } else {
                BuildNumpy::Numpy2
            };
            Ok(Some(BuildScan {
                numpy,
                file: name.clone(),
                member: Some("pkg/_a.so".to_string()),
                numpy_floor: (numpy == BuildNumpy::Numpy2).then(|| "2.0".to_string()),
            }))
        }

        fn floor_scan(&self, wheel: &File) -> Result<Option<String>> {
            Ok(Some(
                if wheel.filename.contains("aarch64") {
                    "1.25"
                } else {
                    "1.23"
                }
                .to_string(),
            ))
        }
    }

    fn release_of(filenames: &[&str]) -> Vec<File> {
        filenames
            .iter()
            .map(|filename| File {
                filename: (*filename).to_string(),
                url: format!("https://index.example.invalid/{filename}"),
                requires_python: None,
                yanked: Yanked::No,
                upload_time: None,
                size: Some(1),
            })
            .collect()
    }

    fn scans_of(files: &[File]) -> ReleaseScans {
        let release = Release {
            version: "1.0".parse().unwrap(),
            display: "1.0".to_string(),
            files: files.iter().collect(),
        };
        let selection = select(&release);
        release_facts(&Platforms, "pkg", &release, &selection).unwrap()
    }

    /// The first platform's scan of the release of `files`, which no other platform's adds to.
    fn first_platform_only(files: &[File]) -> BuildScan {
        let scans = scans_of(files);
        assert!(scans.build_agrees_on.is_empty() && scans.platform_builds.is_empty());
        scans.build.unwrap()
    }

    #[test]
    fn a_compiled_release_is_read_on_every_platform() {
        let files = release_of(&[
            "pkg-1.0-cp312-cp312-macosx_11_0_arm64.whl",
            "pkg-1.0-cp312-cp312-manylinux_2_17_aarch64.whl",
            "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "pkg-1.0-cp312-cp312-win_amd64.whl",
            "pkg-1.0-cp39-cp39-macosx_10_9_x86_64.whl",
        ]);
        let scans = scans_of(&files);
        let build = scans.build.unwrap();
        assert_eq!(
            (build.file.as_str(), build.numpy_floor.as_deref()),
            (
                "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
                Some("1.23")
            ),
            "the linux x86_64 wheel first, with the wheel's floor, not the member's"
        );
        assert_eq!(scans.build_agrees_on, [Platform::MacosArm64]);
        let differing: Vec<_> = scans
            .platform_builds
            .iter()
            .map(|(platform, build)| (*platform, build.numpy, build.numpy_floor.as_deref()))
            .collect();
        assert_eq!(
            differing,
            [
                (Platform::LinuxAarch64, BuildNumpy::Numpy2, Some("1.25")),
                (Platform::WindowsX86_64, BuildNumpy::Numpy1, None),
            ],
            "macOS x86_64's scan read nothing decisive, so it is in neither list"
        );
    }

    #[test]
    fn another_platform_without_the_c_api_is_no_evidence() {
        // pyarrow's shape: the C-API code sits in a `.so` library on Linux and a `.dylib` on macOS.
        let files = release_of(&[
            "dylib-1.0-cp312-cp312-macosx_11_0_universal2.whl",
            "dylib-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        ]);
        assert_eq!(first_platform_only(&files).numpy, BuildNumpy::Numpy2);
    }

    #[test]
    fn a_release_without_the_c_api_is_read_on_one_platform() {
        let files = release_of(&[
            "plain-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "plain-1.0-cp312-cp312-win_amd64.whl",
        ]);
        assert_eq!(first_platform_only(&files).numpy, BuildNumpy::None);
        // A universal2 wheel is one file for both macOS platforms: read once, and it agrees with itself.
        let files = release_of(&["pkg-1.0-cp312-cp312-macosx_11_0_universal2.whl"]);
        let scans = scans_of(&files);
        assert_eq!(
            scans.build.unwrap().file,
            "pkg-1.0-cp312-cp312-macosx_11_0_universal2.whl"
        );
        assert_eq!(scans.build_agrees_on, [Platform::MacosArm64]);
    }
}
