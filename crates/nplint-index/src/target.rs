//! What a check runs against: a CPython minor version on a tracked platform, and the PEP 508 marker environment
//! that stands for it.
//!
//! A target names a minor version (`3.8`), not a patch release: a user asking about "Python 3.8" runs some 3.8.z,
//! almost always a recent one. Markers still need a full version, so `python_full_version` (and
//! `implementation_version`) are evaluated as **`X.Y.99`**, which stands for "the newest patch release of X.Y"
//! without keeping a table of CPython's patch releases (none has gone past the twenties). Consequences, on purpose:
//! `python_full_version >= "3.8.1"` (the usual shape: excluding an early patch with a known bug) holds for target
//! 3.8, and `python_full_version < "3.8.3"` does not. `X.Y.0` would do the opposite and call most real 3.8
//! installations unsupported. The same value is what [`PythonVersion::full_version`] returns for comparing with a
//! `Requires-Python` such as `>=3.6.1`.
//!
//! `platform_release` and `platform_version` (kernel and OS build strings) are empty: nplint does not know them,
//! and no marker in the index is expected to test them; a marker that does compares against `""`.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

pub use crate::source::Platform;

/// The patch level a target's `python_full_version` is evaluated at; see the module documentation.
pub const ASSUMED_PATCH: u8 = 99;

/// A CPython minor version, such as `3.9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    pub major: u8,
    pub minor: u8,
}

impl PythonVersion {
    pub const fn new(major: u8, minor: u8) -> Self {
        Self { major, minor }
    }

    /// The version as a PEP 440 `X.Y`, the value of the `python_version` marker.
    pub fn version(self) -> Version {
        Version::new([u64::from(self.major), u64::from(self.minor)])
    }

    /// `X.Y.99`, standing for the newest patch release of `X.Y`: the value of the `python_full_version` marker, and
    /// the version to test a `Requires-Python` against (see the module documentation).
    pub fn full_version(self) -> Version {
        Version::new([
            u64::from(self.major),
            u64::from(self.minor),
            u64::from(ASSUMED_PATCH),
        ])
    }

    /// The CPython wheel tag: `cp39`.
    pub fn cpython_tag(self) -> String {
        format!("cp{}{}", self.major, self.minor)
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}.{}", self.major, self.minor))
    }
}

/// A string that is not a Python minor version (`3.9`) or a CPython tag (`cp39`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Python version such as `3.9` or `cp39`")]
pub struct InvalidPythonVersion(pub String);

impl FromStr for PythonVersion {
    type Err = InvalidPythonVersion;

    /// Parses `3.9` or the CPython tag `cp39` (the first digit is the major version, the rest the minor).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidPythonVersion(s.to_owned());
        let number = |digits: &str| {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse::<u8>().ok()
        };
        let (major, minor) = if let Some(tag) = s.strip_prefix("cp") {
            if tag.len() < 2 {
                return Err(invalid());
            }
            tag.split_at(1)
        } else {
            s.split_once('.').ok_or_else(invalid)?
        };
        Ok(Self::new(
            number(major).ok_or_else(invalid)?,
            number(minor).ok_or_else(invalid)?,
        ))
    }
}

impl Platform {
    /// Every tracked platform, in the order of the enum.
    pub const ALL: [Platform; 5] = [
        Platform::LinuxX86_64,
        Platform::LinuxAarch64,
        Platform::MacosX86_64,
        Platform::MacosArm64,
        Platform::WindowsX86_64,
    ];

    /// The kebab-case name used in the source form, on the command line and in messages: `linux-x86_64`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::LinuxX86_64 => "linux-x86_64",
            Platform::LinuxAarch64 => "linux-aarch64",
            Platform::MacosX86_64 => "macos-x86_64",
            Platform::MacosArm64 => "macos-arm64",
            Platform::WindowsX86_64 => "windows-x86_64",
        }
    }

    /// conda's name of the platform (its "subdir"), as environment files and conda lockfiles write it:
    /// `linux-64`.
    pub const fn conda_subdir(self) -> &'static str {
        match self {
            Platform::LinuxX86_64 => "linux-64",
            Platform::LinuxAarch64 => "linux-aarch64",
            Platform::MacosX86_64 => "osx-64",
            Platform::MacosArm64 => "osx-arm64",
            Platform::WindowsX86_64 => "win-64",
        }
    }

    /// The platform conda calls `subdir`, `None` for one nplint does not track (`linux-ppc64le`, `noarch`).
    pub fn from_conda_subdir(subdir: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|platform| platform.conda_subdir() == subdir)
    }

    /// The `sys_platform` marker value.
    pub const fn sys_platform(self) -> &'static str {
        match self {
            Platform::LinuxX86_64 | Platform::LinuxAarch64 => "linux",
            Platform::MacosX86_64 | Platform::MacosArm64 => "darwin",
            Platform::WindowsX86_64 => "win32",
        }
    }

    /// The `platform_system` marker value.
    pub const fn platform_system(self) -> &'static str {
        match self {
            Platform::LinuxX86_64 | Platform::LinuxAarch64 => "Linux",
            Platform::MacosX86_64 | Platform::MacosArm64 => "Darwin",
            Platform::WindowsX86_64 => "Windows",
        }
    }

    /// The `platform_machine` marker value, as CPython reports it on that platform (`AMD64` on Windows).
    pub const fn platform_machine(self) -> &'static str {
        match self {
            Platform::LinuxX86_64 | Platform::MacosX86_64 => "x86_64",
            Platform::LinuxAarch64 => "aarch64",
            Platform::MacosArm64 => "arm64",
            Platform::WindowsX86_64 => "AMD64",
        }
    }

    /// The `os_name` marker value.
    pub const fn os_name(self) -> &'static str {
        match self {
            Platform::WindowsX86_64 => "nt",
            _ => "posix",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A string that names no tracked platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a tracked platform (one of `linux-x86_64`, `linux-aarch64`, `macos-x86_64`, `macos-arm64`, `windows-x86_64`)"
)]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.as_str() == s)
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}

/// One place a check runs: a CPython minor version on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub python: PythonVersion,
    pub platform: Platform,
}

impl Target {
    pub const fn new(python: PythonVersion, platform: Platform) -> Self {
        Self { python, platform }
    }

    /// The PEP 508 marker environment of CPython `python` on `platform`; see the module documentation for the
    /// values chosen. Environments of CPython 3.0 to 3.31 are built once and shared (a clone is a reference count).
    pub fn marker_environment(self) -> MarkerEnvironment {
        const MINORS: usize = 32;
        static CACHE: [[OnceLock<MarkerEnvironment>; MINORS]; Platform::ALL.len()] =
            [const { [const { OnceLock::new() }; MINORS] }; Platform::ALL.len()];
        let minor = usize::from(self.python.minor);
        if self.python.major == 3 && minor < MINORS {
            CACHE[self.platform as usize][minor]
                .get_or_init(|| self.build_marker_environment())
                .clone()
        } else {
            self.build_marker_environment()
        }
    }

    fn build_marker_environment(self) -> MarkerEnvironment {
        let python_version = self.python.to_string();
        let full_version = self.python.full_version().to_string();
        let builder = MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: &full_version,
            os_name: self.platform.os_name(),
            platform_machine: self.platform.platform_machine(),
            platform_python_implementation: "CPython",
            platform_release: "",
            platform_system: self.platform.platform_system(),
            platform_version: "",
            python_full_version: &full_version,
            python_version: &python_version,
            sys_platform: self.platform.sys_platform(),
        };
        // Invariant: both versions are formatted from integers above (`X.Y`, `X.Y.Z`), which always parse.
        MarkerEnvironment::try_from(builder).expect("numeric versions parse")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CPython {} on {}", self.python, self.platform)
    }
}

#[cfg(test)]
mod tests {
    use pep508_rs::MarkerTree;

    use super::*;

    #[test]
    fn conda_subdirs_name_each_platform_once() {
        for platform in Platform::ALL {
            assert_eq!(
                Platform::from_conda_subdir(platform.conda_subdir()),
                Some(platform)
            );
        }
        assert_eq!(Platform::from_conda_subdir("linux-ppc64le"), None);
        assert_eq!(Platform::from_conda_subdir("noarch"), None);
    }

    #[test]
    fn platform_names_round_trip_and_match_the_source_form() {
        for platform in Platform::ALL {
            assert_eq!(platform.as_str().parse::<Platform>(), Ok(platform));
            let json = serde_json::to_string(&platform).unwrap();
            assert_eq!(json, format!("\"{platform}\""));
        }
        assert!("linux".parse::<Platform>().is_err());
        // Tables indexed by `platform as usize` rely on this.
        for (i, platform) in Platform::ALL.into_iter().enumerate() {
            assert_eq!(platform as usize, i);
        }
    }

    #[test]
    fn python_versions_parse() {
        let v39 = PythonVersion::new(3, 9);
        assert_eq!("3.9".parse(), Ok(v39));
        assert_eq!("cp39".parse(), Ok(v39));
        assert_eq!("cp310".parse(), Ok(PythonVersion::new(3, 10)));
        for bad in ["3", "3.", ".9", "3.9.1", "cp3", "cp", "py39", "3.x", "3.+9"] {
            assert!(bad.parse::<PythonVersion>().is_err(), "{bad}");
        }
        assert_eq!(v39.to_string(), "3.9");
        assert_eq!(v39.cpython_tag(), "cp39");
        assert!(PythonVersion::new(3, 10) > v39);
    }

    fn holds(marker: &str, target: Target) -> bool {
        let marker: MarkerTree = marker.parse().unwrap();
        marker.evaluate_reporter(&target.marker_environment(), &[], &mut |_, _| {})
    }

    #[test]
    fn marker_environments_are_cached_per_target() {
        let linux38 = Target::new(PythonVersion::new(3, 8), Platform::LinuxX86_64);
        let mac38 = Target::new(PythonVersion::new(3, 8), Platform::MacosX86_64);
        assert_eq!(linux38.marker_environment(), linux38.marker_environment());
        assert_ne!(linux38.marker_environment(), mac38.marker_environment());
        // Outside the cache: built each time, same values.
        let far = Target::new(PythonVersion::new(3, 40), Platform::LinuxX86_64);
        assert_eq!(far.marker_environment(), far.build_marker_environment());
        assert_eq!(
            far.marker_environment().python_full_version().to_string(),
            "3.40.99"
        );
    }

    #[test]
    fn marker_environments() {
        let linux38 = Target::new(PythonVersion::new(3, 8), Platform::LinuxX86_64);
        let win310 = Target::new(PythonVersion::new(3, 10), Platform::WindowsX86_64);
        let mac_arm = Target::new(PythonVersion::new(3, 11), Platform::MacosArm64);
        assert!(holds(
            "sys_platform == 'linux' and platform_machine == 'x86_64'",
            linux38
        ));
        assert!(holds(
            "python_version < '3.9' and os_name == 'posix'",
            linux38
        ));
        assert!(holds(
            "platform_system == 'Windows' and platform_machine == 'AMD64'",
            win310
        ));
        assert!(holds(
            "python_version >= '3.10' and sys_platform == 'win32'",
            win310
        ));
        assert!(holds(
            "sys_platform == 'darwin' and platform_machine == 'arm64'",
            mac_arm
        ));
        assert!(holds("implementation_name == 'cpython'", mac_arm));
        assert!(holds(
            "platform_python_implementation == 'CPython'",
            mac_arm
        ));
        // The assumed newest patch release.
        assert!(holds("python_full_version >= '3.8.1'", linux38));
        assert!(!holds("python_full_version < '3.8.3'", linux38));
        assert!(holds("python_full_version == '3.8.*'", linux38));
        assert!(!holds("python_full_version >= '3.9'", linux38));
    }
}
