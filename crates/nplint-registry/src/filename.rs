//! Distribution filenames: wheel tags (the binary distribution format, PEP 425 compressed tag sets) and source
//! distribution names, mapped to the platforms and Python tags the index records.

use std::collections::BTreeSet;

use nplint_index::source::Platform;

use crate::names::normalize;

/// A wheel filename, split into its parts: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    pub name: String,
    pub version: String,
    pub build: Option<String>,
    /// Compressed tag sets, expanded: `cp38.cp39` is `["cp38", "cp39"]`.
    pub python: Vec<String>,
    pub abi: Vec<String>,
    pub platform: Vec<String>,
}

impl WheelName {
    /// Parses a wheel filename; `None` when it does not have the format's five or six dash-separated parts.
    pub fn parse(filename: &str) -> Option<Self> {
        let stem = filename.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, tags) = match parts.as_slice() {
            [name, version, tags @ ..] if tags.len() == 3 => (*name, *version, None, tags),
            [name, version, build, tags @ ..] if tags.len() == 3 => {
                (*name, *version, Some((*build).to_string()), tags)
            }
            _ => return None,
        };
        if name.is_empty() || version.is_empty() || tags.iter().any(|tag| tag.is_empty()) {
            return None;
        }
        let split = |tag: &str| tag.split('.').map(str::to_string).collect::<Vec<_>>();
        Some(Self {
            name: name.to_string(),
            version: version.to_string(),
            build,
            python: split(tags[0]),
            abi: split(tags[1]),
            platform: split(tags[2]),
        })
    }

    /// A pure-Python wheel usable on Python 3: `py3-none-any`, `py2.py3-none-any`, `py36-none-any`.
    pub fn is_pure(&self) -> bool {
        self.platform.iter().all(|platform| platform == "any")
            && self.abi.iter().all(|abi| abi == "none")
            && self.python.iter().any(|python| python_generic_3(python))
    }

    /// The tracked platforms this wheel installs on.
    pub fn platforms(&self) -> BTreeSet<Platform> {
        self.platform
            .iter()
            .flat_map(|tag| platforms_of_tag(tag).iter().copied())
            .collect()
    }

    /// The Python tags the index records for this wheel: `cpXY` for a CPython 3 build, `cpXY-abi3` for a
    /// stable-ABI build, `py3` for a Python-generic wheel that is still platform-specific. PyPy, CPython 2,
    /// free-threaded (`cp313t`) and debug ABIs are not recorded.
    pub fn python_tags(&self) -> BTreeSet<PythonTag> {
        let mut tags = BTreeSet::new();
        for python in &self.python {
            for abi in &self.abi {
                if let Some(minor) = cpython3_minor(python) {
                    if abi == "abi3" {
                        tags.insert(PythonTag::Abi3(minor));
                    } else if abi == "none" || cpython_abi(abi) {
                        tags.insert(PythonTag::Cp(minor));
                    }
                } else if python_generic_3(python) && abi == "none" {
                    tags.insert(PythonTag::Py3);
                }
            }
        }
        tags
    }
}

/// A recorded Python tag. Ordered as tags are written: `py3`, then by CPython version, `cpXY` before
/// `cpXY-abi3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PythonTag {
    Py3,
    Cp(u32),
    Abi3(u32),
}

impl Ord for PythonTag {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |tag: &Self| (tag.minor(), matches!(tag, Self::Abi3(_)));
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for PythonTag {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PythonTag {
    /// The CPython minor version the tag targets (`py3` counts as the oldest), for picking the newest wheel.
    pub fn minor(self) -> u32 {
        match self {
            Self::Py3 => 0,
            Self::Cp(minor) | Self::Abi3(minor) => minor,
        }
    }
}

impl std::fmt::Display for PythonTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Py3 => f.write_str("py3"),
            Self::Cp(minor) => write!(f, "cp3{minor}"),
            Self::Abi3(minor) => write!(f, "cp3{minor}-abi3"),
        }
    }
}

/// `cp39` → 9, `cp310` → 10; `None` for anything but a CPython 3 tag.
fn cpython3_minor(tag: &str) -> Option<u32> {
    let digits = tag.strip_prefix("cp3")?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `py3`, `py36`: a tag for any Python 3 implementation.
fn python_generic_3(tag: &str) -> bool {
    tag.strip_prefix("py3")
        .is_some_and(|rest| rest.bytes().all(|byte| byte.is_ascii_digit()))
}

/// A regular CPython 3 ABI: `cp39`, `cp36m`; not free-threaded (`cp313t`) or debug (`cp38d`) builds, which a
/// standard interpreter cannot load.
fn cpython_abi(abi: &str) -> bool {
    abi.strip_prefix("cp3").is_some_and(|rest| {
        let rest = rest.strip_suffix('m').unwrap_or(rest);
        !rest.is_empty() && rest.bytes().all(|byte| byte.is_ascii_digit())
    })
}

/// The tracked platforms one platform tag installs on. macOS fat binaries follow pip's list of the formats that
/// include x86_64 (`intel`, `fat64`, `fat3`, `universal`, `universal2`).
pub fn platforms_of_tag(tag: &str) -> &'static [Platform] {
    const LINUX_X86_64: &[Platform] = &[Platform::LinuxX86_64];
    const LINUX_AARCH64: &[Platform] = &[Platform::LinuxAarch64];
    const MACOS_X86_64: &[Platform] = &[Platform::MacosX86_64];
    const MACOS_ARM64: &[Platform] = &[Platform::MacosArm64];
    const MACOS_BOTH: &[Platform] = &[Platform::MacosX86_64, Platform::MacosArm64];
    const WINDOWS_X86_64: &[Platform] = &[Platform::WindowsX86_64];
    if tag.starts_with("manylinux") || tag.starts_with("linux_") {
        if tag.ends_with("_x86_64") {
            return LINUX_X86_64;
        }
        if tag.ends_with("_aarch64") {
            return LINUX_AARCH64;
        }
    } else if tag.starts_with("macosx_") {
        // `macosx_{major}_{minor}_{arch}`, where the architecture may itself contain `_`.
        let arch = tag.splitn(4, '_').nth(3).unwrap_or_default();
        return match arch {
            "universal2" => MACOS_BOTH,
            "arm64" => MACOS_ARM64,
            "x86_64" | "intel" | "fat64" | "fat3" | "universal" => MACOS_X86_64,
            _ => &[],
        };
    } else if tag == "win_amd64" {
        return WINDOWS_X86_64;
    }
    &[]
}

/// The extensions of source distributions, longest first.
const SDIST_EXTENSIONS: &[&str] = &[".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tar", ".zip"];

/// The version in a source distribution's filename, `{name}-{version}.tar.gz`, where the name may itself contain
/// dashes and may be spelled in any way that normalizes to the project's name.
pub fn sdist_version<'a>(filename: &'a str, project: &str) -> Option<&'a str> {
    let stem = SDIST_EXTENSIONS
        .iter()
        .find_map(|extension| filename.strip_suffix(extension))?;
    let project = normalize(project);
    stem.match_indices('-')
        .find_map(|(index, _)| (normalize(&stem[..index]) == project).then(|| &stem[index + 1..]))
}

/// Whether a filename ends with a suffix, in any case.
pub fn has_suffix(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Whether a filename is a source distribution's.
pub fn is_sdist(filename: &str) -> bool {
    SDIST_EXTENSIONS
        .iter()
        .any(|extension| filename.ends_with(extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(filename: &str) -> Vec<String> {
        WheelName::parse(filename)
            .unwrap()
            .python_tags()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn platforms(filename: &str) -> Vec<Platform> {
        WheelName::parse(filename)
            .unwrap()
            .platforms()
            .into_iter()
            .collect()
    }

    #[test]
    fn splits_the_parts_and_expands_compressed_tag_sets() {
        let wheel = WheelName::parse(
            "numpy-2.1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        )
        .unwrap();
        assert_eq!(wheel.name, "numpy");
        assert_eq!(wheel.version, "2.1.0");
        assert_eq!(wheel.build, None);
        assert_eq!(wheel.python, ["cp310"]);
        assert_eq!(wheel.abi, ["cp310"]);
        assert_eq!(
            wheel.platform,
            ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
        );
        assert_eq!(
            platforms(&format!(
                "{}.whl",
                "numpy-2.1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64"
            )),
            [Platform::LinuxX86_64]
        );
    }

    #[test]
    fn reads_build_tags() {
        let wheel = WheelName::parse("torch-1.0.0-1-cp37-cp37m-win_amd64.whl").unwrap();
        assert_eq!(wheel.build.as_deref(), Some("1"));
        assert_eq!(wheel.version, "1.0.0");
        assert_eq!(wheel.platform, ["win_amd64"]);
        let wheel =
            WheelName::parse("tensorstore-0.1.45-1_gpu-cp311-cp311-manylinux2014_x86_64.whl")
                .unwrap();
        assert_eq!(wheel.build.as_deref(), Some("1_gpu"));
    }

    #[test]
    fn refuses_names_that_are_not_wheels() {
        for name in [
            "numpy-1.19.5.zip",
            "numpy-1.19.5-cp39.whl",
            "numpy-1.19.5-1-2-cp39-cp39-win_amd64.whl",
            "--cp39-cp39-win_amd64.whl",
        ] {
            assert_eq!(WheelName::parse(name), None, "{name}");
        }
    }

    #[test]
    fn maps_platforms() {
        let cases: &[(&str, &[Platform])] = &[
            (
                "numpy-1.19.5-cp39-cp39-manylinux1_x86_64.whl",
                &[Platform::LinuxX86_64],
            ),
            (
                "numpy-1.19.5-cp39-cp39-manylinux2010_x86_64.whl",
                &[Platform::LinuxX86_64],
            ),
            (
                "numpy-1.19.5-cp39-cp39-manylinux2014_aarch64.whl",
                &[Platform::LinuxAarch64],
            ),
            (
                "torch-1.0.0-cp37-cp37m-linux_x86_64.whl",
                &[Platform::LinuxX86_64],
            ),
            (
                "numpy-1.19.5-cp39-cp39-macosx_10_9_x86_64.whl",
                &[Platform::MacosX86_64],
            ),
            (
                "numpy-1.13.0-cp36-cp36m-macosx_10_6_intel.macosx_10_9_intel.macosx_10_9_x86_64.macosx_10_10_intel.macosx_10_10_x86_64.whl",
                &[Platform::MacosX86_64],
            ),
            (
                "numpy-2.1.0-cp312-cp312-macosx_11_0_arm64.whl",
                &[Platform::MacosArm64],
            ),
            (
                "pyarrow-8.0.0-cp310-cp310-macosx_10_13_universal2.whl",
                &[Platform::MacosX86_64, Platform::MacosArm64],
            ),
            (
                "numpy-1.19.5-cp39-cp39-win_amd64.whl",
                &[Platform::WindowsX86_64],
            ),
            ("numpy-1.19.5-cp39-cp39-win32.whl", &[]),
            ("numpy-1.19.5-cp39-cp39-manylinux1_i686.whl", &[]),
            ("numpy-2.1.0-cp310-cp310-musllinux_1_1_x86_64.whl", &[]),
            ("numpy-2.1.0-cp310-cp310-musllinux_1_2_aarch64.whl", &[]),
            ("numpy-1.19.5-cp39-cp39-manylinux2014_ppc64le.whl", &[]),
            ("numpy-1.19.5-cp39-cp39-manylinux2014_s390x.whl", &[]),
            ("numpy-2.1.0-cp312-cp312-win_arm64.whl", &[]),
            ("six-1.16.0-py2.py3-none-any.whl", &[]),
        ];
        for (name, expected) in cases {
            assert_eq!(platforms(name), *expected, "{name}");
        }
    }

    #[test]
    fn records_cpython_3_tags_only() {
        assert_eq!(tags("numpy-1.19.5-cp36-cp36m-win_amd64.whl"), ["cp36"]);
        assert_eq!(tags("numpy-2.1.0-cp313-cp313-win_amd64.whl"), ["cp313"]);
        assert_eq!(
            tags("numpy-2.1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            Vec::<String>::new()
        );
        assert_eq!(
            tags("numpy-1.19.5-pp36-pypy36_pp73-manylinux2010_x86_64.whl"),
            Vec::<String>::new()
        );
        assert_eq!(
            tags("numpy-1.16.6-cp27-cp27mu-manylinux1_x86_64.whl"),
            Vec::<String>::new()
        );
        assert_eq!(
            tags("pyarrow-14.0.0-cp38.cp39-abi3-win_amd64.whl"),
            ["cp38-abi3", "cp39-abi3"]
        );
        assert_eq!(
            tags("cryptography-41.0.0-cp37-abi3-manylinux_2_28_x86_64.whl"),
            ["cp37-abi3"]
        );
        assert_eq!(
            tags("ml_dtypes-0.2.0-cp38.cp39.cp310-cp38.cp39.cp310-win_amd64.whl"),
            ["cp38", "cp39", "cp310"]
        );
        assert_eq!(
            tags("tensorflow_io_gcs_filesystem-0.34.0-py3-none-manylinux_2_12_x86_64.whl"),
            ["py3"]
        );
        assert_eq!(tags("faiss_cpu-1.7.0-cp36-none-win_amd64.whl"), ["cp36"]);
    }

    #[test]
    fn recognises_pure_wheels() {
        for name in [
            "six-1.16.0-py2.py3-none-any.whl",
            "keras-3.0.0-py3-none-any.whl",
            "opt_einsum-3.3.0-py36-none-any.whl",
        ] {
            assert!(WheelName::parse(name).unwrap().is_pure(), "{name}");
        }
        for name in [
            "futures-3.3.0-py2-none-any.whl",
            "numpy-1.19.5-cp39-cp39-win_amd64.whl",
            "tensorflow_io_gcs_filesystem-0.34.0-py3-none-manylinux_2_12_x86_64.whl",
        ] {
            assert!(!WheelName::parse(name).unwrap().is_pure(), "{name}");
        }
    }

    #[test]
    fn sorts_tags_by_python_version() {
        let mut tags = [
            PythonTag::Cp(10),
            PythonTag::Abi3(9),
            PythonTag::Cp(9),
            PythonTag::Py3,
        ];
        tags.sort();
        let written: Vec<String> = tags.iter().map(ToString::to_string).collect();
        assert_eq!(written, ["py3", "cp39", "cp39-abi3", "cp310"]);
    }

    #[test]
    fn reads_sdist_versions() {
        assert_eq!(sdist_version("numpy-1.19.5.zip", "numpy"), Some("1.19.5"));
        assert_eq!(
            sdist_version("scikit-learn-0.19.0.tar.gz", "scikit-learn"),
            Some("0.19.0")
        );
        assert_eq!(
            sdist_version("scikit_learn-1.5.0.tar.gz", "scikit-learn"),
            Some("1.5.0")
        );
        assert_eq!(
            sdist_version("opencv-python-4.5.1.48.tar.gz", "opencv-python"),
            Some("4.5.1.48")
        );
        assert_eq!(sdist_version("Keras-2.0.0.tar.gz", "keras"), Some("2.0.0"));
        assert_eq!(sdist_version("other-1.0.tar.gz", "numpy"), None);
        assert_eq!(sdist_version("numpy-1.0.exe", "numpy"), None);
    }
}
