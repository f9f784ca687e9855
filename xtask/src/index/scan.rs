//! Facts measured in a release's wheels, beyond its metadata: which NumPy its extension modules were compiled
//! against (`build`), and which removed NumPy names its Python code uses (`removed_api`). Both are read by range
//! requests through [`Archive`], from one wheel per release, and cached per wheel as what was found (not the
//! bytes), so a re-sync reads nothing again.
//!
//! # Which releases, which wheel
//!
//! Pre-releases, yanked releases and `numpy` itself are not scanned. `build` is scanned for a release with a
//! platform-specific wheel of a tracked platform: the wheel the metadata selection chose for linux x86_64 (the
//! newest CPython tag), else the one of the first other platform (linux aarch64, macOS x86_64, macOS arm64,
//! windows); a platform-tagged wheel without binaries (`py3-none-manylinux1_x86_64`) reads as `none`.
//! `removed_api` is scanned for every release with a wheel: its pure wheel, else the wheel of the `build` scan; an
//! sdist-only release is not scanned. Every indexed package is there because of NumPy, and a release may use it
//! without declaring it (transforms3d 0.4.1 declares no requirement and calls `np.maximum_sctype` at import). As for metadata, a network error fails the
//! sync (and caches nothing), so that the output never depends on a transient failure.
//!
//! # `build`
//!
//! NumPy's C-API import (`import_array()`, expanded from NumPy's `__multiarray_api.h` into every extension module
//! that uses the C API) names the module it imports: NumPy 2's headers `numpy._core._multiarray_umath`, falling
//! back to `numpy.core._multiarray_umath` when run on NumPy 1.x; NumPy 1.16 to 1.26's headers only the latter.
//! Headers before 1.16 imported `numpy.core.multiarray` (and `numpy.core.umath`) and took the `_ARRAY_API`
//! (`_UFUNC_API`) capsule from it: a module holding both strings of a pair is `1.x` too (without the capsule's
//! name the module name proves nothing: Cython names `numpy.core.multiarray` in modules that skip the C API).
//! Without this, builds against NumPy 1.15 and older (pandas before 0.25.2, scikit-learn before 0.22) would read
//! as `none`. The extension modules (`*.so`, `*.pyd`, ABI-suffixed `.so` included) and the project's own
//! versioned shared libraries (`pyarrow/libarrow_python.so.900`, where pyarrow 1 to 9 call `import_array()`) are
//! read, not the vendored libraries under `*.libs/` or `*.dylibs/` (nor `.dylib` and `.dll` files: the linux wheel
//! is preferred). They are read smallest first, inflated as a stream, and searched: a module holding the NumPy 2
//! string is `2.x`, one holding only a NumPy 1 string `1.x`, and the first such module decides. When every module
//! was read and none holds either, the release is `none`: no C-API import (pure C/C++ code; pybind11 2.12 and
//! later, which builds the module's name at run time; Cython modules that use NumPy's types but not its C API).
//! `none` is the absence of evidence, not a proof of compatibility. The read stops at [`BUILD_BUDGET`]
//! compressed bytes per wheel (larger modules are skipped); if nothing decided by then, `build` stays absent
//! (unknown), as it does for a wheel that cannot be read.
//!
//! # `removed_api`
//!
//! The wheel's `*.py` files other than tests (a `test`, `tests` or `testing` directory, `test_*.py`, `*_test.py`,
//! `conftest.py`) are read in path order, each tokenized and searched by [`python::numpy_uses`] (see there for
//! what is a use, its scope, and which guarded uses are left out); a file that does not tokenize is skipped. The
//! read stops at [`API_BUDGET`] compressed bytes per wheel, and what the files read so far use is recorded. The
//! names looked for are those of `data/numpy-api.toml`; the cache keeps every `numpy` attribute found, so that
//! a change of that list needs no new read. One [`ApiUse`] per name and scope: its first use (by path, then
//! line), and the number of uses across the wheel.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use nplint_index::source::{ApiScope, ApiUse, BuildNumpy, BuildScan};
use serde::{Deserialize, Serialize};

use super::fetch::Fetcher;
use super::filename::has_suffix;
use super::python;
use super::release::{Release, Selection};
use super::zip::{Archive, ByteSource, Entry};

/// Compressed bytes of extension modules read per wheel, at most.
pub const BUILD_BUDGET: u64 = 64 * 1024 * 1024;
/// Compressed bytes of Python files read per wheel, at most.
pub const API_BUDGET: u64 = 32 * 1024 * 1024;
/// A Python file larger than this (compressed or not) is not read: generated tables, not code.
const MAX_PYTHON_FILE: u64 = 16 * 1024 * 1024;
/// Python files next to each other in a wheel are fetched in ranges of at most this many bytes.
const MAX_RUN: u64 = 8 * 1024 * 1024;

const NUMPY_2_IMPORT: &[u8] = b"numpy._core._multiarray_umath";
const NUMPY_1_IMPORT: &[u8] = b"numpy.core._multiarray_umath";
/// Before NumPy 1.16 merged `multiarray` and `umath` into `_multiarray_umath`, `import_array()` imported
/// `numpy.core.multiarray` and `import_umath()` `numpy.core.umath`, and took the capsule `_ARRAY_API` or
/// `_UFUNC_API` from it (as pybind11 before 2.12 still does). The module name alone is not enough: Cython names
/// `numpy.core.multiarray` in modules that do not use the C API.
const LEGACY_ARRAY_IMPORT: &[u8] = b"numpy.core.multiarray";
const ARRAY_CAPSULE: &[u8] = b"_ARRAY_API";
const LEGACY_UMATH_IMPORT: &[u8] = b"numpy.core.umath";
const UMATH_CAPSULE: &[u8] = b"_UFUNC_API";

/// The names of `data/numpy-api.toml`: every `names` entry of every `[[removal]]`.
pub fn removed_names(path: &Path) -> Result<BTreeSet<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let document: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("parsing `{}`", path.display()))?;
    let removals = document
        .get("removal")
        .and_then(toml_edit::Item::as_array_of_tables)
        .context("`numpy-api.toml` has no `[[removal]]`")?;
    let mut names = BTreeSet::new();
    for removal in removals {
        let list = removal
            .get("names")
            .and_then(toml_edit::Item::as_array)
            .context("a `[[removal]]` without `names`")?;
        for name in list {
            names.insert(
                name.as_str()
                    .context("a removed name that is not a string")?
                    .to_string(),
            );
        }
    }
    Ok(names)
}

/// A binary of a wheel that may import NumPy's C API: an extension module (`*.so`, ABI-suffixed or not, `*.pyd`)
/// or a versioned shared library (`libfoo.so.12`), outside the directories auditwheel and delocate put vendored
/// libraries in.
pub fn is_extension_module(path: &str) -> bool {
    let vendored = path
        .split('/')
        .rev()
        .skip(1)
        .any(|directory| has_suffix(directory, ".libs") || has_suffix(directory, ".dylibs"));
    let file = path.rsplit('/').next().unwrap_or_default();
    let versioned_library = file.split_once(".so.").is_some_and(|(_, version)| {
        !version.is_empty()
            && version
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte == b'.')
    });
    (has_suffix(path, ".so") || has_suffix(path, ".pyd") || versioned_library) && !vendored
}

/// A Python file of a wheel that is not a test.
pub fn is_python_source(path: &str) -> bool {
    let Some(file) = path.strip_suffix(".py") else {
        return false;
    };
    let mut parts = file.split('/');
    let stem = parts.next_back().unwrap_or_default();
    let test_directory = parts.any(|directory| matches!(directory, "test" | "tests" | "testing"));
    !(test_directory || stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest")
}

/// What the extension modules of one wheel said; the cached form of a `build` scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "found")]
pub enum BuildFound {
    Numpy1 {
        member: String,
    },
    Numpy2 {
        member: String,
    },
    /// Every extension module was read; none imports NumPy's C API.
    None,
    /// The budget ran out, or the wheel could not be read, before anything decided.
    Unknown,
}

impl BuildFound {
    /// The fact written for the wheel `file`.
    pub fn fact(&self, file: &str) -> Option<BuildScan> {
        let (numpy, member) = match self {
            Self::Numpy1 { member } => (BuildNumpy::Numpy1, Some(member.clone())),
            Self::Numpy2 { member } => (BuildNumpy::Numpy2, Some(member.clone())),
            Self::None => (BuildNumpy::None, None),
            Self::Unknown => return None,
        };
        Some(BuildScan {
            numpy,
            file: file.to_string(),
            member,
        })
    }
}

/// Which NumPy headers a module was compiled with, from its bytes; `None` when it does not import the C API.
pub fn numpy_import(module: impl Read) -> std::io::Result<Option<BuildNumpy>> {
    let numpy_2 = memchr::memmem::Finder::new(NUMPY_2_IMPORT);
    // Any NumPy 1.x: the import of 1.16 to 1.26, and the older ones with the capsule they look up.
    let numpy_1 = [
        memchr::memmem::Finder::new(NUMPY_1_IMPORT),
        memchr::memmem::Finder::new(LEGACY_ARRAY_IMPORT),
        memchr::memmem::Finder::new(ARRAY_CAPSULE),
        memchr::memmem::Finder::new(LEGACY_UMATH_IMPORT),
        memchr::memmem::Finder::new(UMATH_CAPSULE),
    ];
    let overlap = NUMPY_2_IMPORT.len() - 1;
    let mut reader = module;
    let mut buffer = vec![0; 1024 * 1024];
    let mut kept = 0;
    let mut found = [false; 5];
    loop {
        let read = reader.read(&mut buffer[kept..])?;
        if read == 0 {
            break;
        }
        let filled = kept + read;
        let window = &buffer[..filled];
        // NumPy 2's headers name both modules: only the NumPy 2 string decides for 2.x, and it may come after.
        if numpy_2.find(window).is_some() {
            return Ok(Some(BuildNumpy::Numpy2));
        }
        for (seen, finder) in found.iter_mut().zip(&numpy_1) {
            *seen |= finder.find(window).is_some();
        }
        // Keep the end of the window, so that a string split across two reads is found.
        kept = overlap.min(filled);
        buffer.copy_within(filled - kept..filled, 0);
    }
    let [
        modern,
        legacy_array,
        array_capsule,
        legacy_umath,
        umath_capsule,
    ] = found;
    let numpy_1 = modern || (legacy_array && array_capsule) || (legacy_umath && umath_capsule);
    Ok(numpy_1.then_some(BuildNumpy::Numpy1))
}

/// The `build` scan of one wheel. An error of the source (the network) is an error; a member that cannot be
/// read counts as unread.
pub fn scan_build<S: ByteSource>(archive: &Archive<S>, budget: u64) -> Result<BuildFound> {
    let mut modules: Vec<&Entry> = archive
        .entries
        .iter()
        .filter(|entry| is_extension_module(&entry.name))
        .collect();
    modules.sort_by(|a, b| (a.compressed_size(), &a.name).cmp(&(b.compressed_size(), &b.name)));
    let mut spent = 0;
    let mut all_read = true;
    for entry in modules {
        if spent + entry.compressed_size() > budget {
            all_read = false;
            continue;
        }
        spent += entry.compressed_size();
        let found = archive
            .reader(entry, budget)
            .and_then(|reader| Ok(numpy_import(reader)?));
        match found {
            Ok(Some(BuildNumpy::Numpy2)) => {
                return Ok(BuildFound::Numpy2 {
                    member: entry.name.clone(),
                });
            }
            Ok(Some(BuildNumpy::Numpy1)) => {
                return Ok(BuildFound::Numpy1 {
                    member: entry.name.clone(),
                });
            }
            Ok(Some(BuildNumpy::None) | None) => {}
            Err(error) if super::fetch::is_network(&error) => return Err(error),
            Err(_) => all_read = false,
        }
    }
    Ok(if all_read {
        BuildFound::None
    } else {
        BuildFound::Unknown
    })
}

/// The uses of one `numpy` attribute in one scope across a wheel; the cached form of a `removed_api` scan keeps
/// one per attribute and scope, whether removed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameUses {
    pub name: String,
    pub scope: ApiScope,
    pub member: String,
    pub line: u32,
    pub count: u32,
}

/// The `removed_api` scan of one wheel: every attribute of `numpy` its Python files use, by name and scope,
/// sorted.
pub fn scan_api<S: ByteSource>(archive: &Archive<S>, budget: u64) -> Result<Vec<NameUses>> {
    let mut sources: Vec<&Entry> = archive
        .entries
        .iter()
        .filter(|entry| is_python_source(&entry.name))
        .collect();
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    let mut spent = 0;
    let within: Vec<&Entry> = sources
        .into_iter()
        .take_while(|entry| {
            spent += entry.compressed_size();
            spent <= budget
        })
        .collect();
    let mut files: BTreeMap<&str, Vec<python::Use>> = BTreeMap::new();
    archive.read_runs(&within, MAX_PYTHON_FILE, MAX_RUN, |entry, content| {
        let Ok(content) = content else {
            return;
        };
        let text = String::from_utf8_lossy(&content);
        if let Some(uses) = python::numpy_uses(&text) {
            files.insert(&entry.name, uses);
        }
    })?;
    let mut by_name: BTreeMap<(String, ApiScope), NameUses> = BTreeMap::new();
    // Files in path order, uses in line order: the first use seen is the first use.
    for (member, uses) in files {
        for found in uses {
            by_name
                .entry((found.name.clone(), found.scope))
                .and_modify(|seen| seen.count += 1)
                .or_insert_with(|| NameUses {
                    name: found.name,
                    scope: found.scope,
                    member: member.to_string(),
                    line: found.line,
                    count: 1,
                });
        }
    }
    Ok(by_name.into_values().collect())
}

/// The facts written for the wheel `file`: the uses of the `removed` names.
pub fn removed_api(uses: &[NameUses], removed: &BTreeSet<String>, file: &str) -> Vec<ApiUse> {
    uses.iter()
        .filter(|found| removed.contains(&found.name))
        .map(|found| ApiUse {
            name: found.name.clone(),
            scope: found.scope,
            file: file.to_string(),
            member: found.member.clone(),
            line: found.line,
            count: found.count,
        })
        .collect()
}

/// The measured facts of one release (see the module documentation for which releases and which wheel).
pub fn release_facts<F: Fetcher>(
    fetcher: &F,
    project: &str,
    release: &Release,
    selection: &Selection,
) -> Result<(Option<BuildScan>, Vec<ApiUse>)> {
    if project == "numpy" || release.version.any_prerelease() || release.yanked().is_some() {
        return Ok((None, Vec::new()));
    }
    let platform_wheel = [
        "linux-x86_64",
        "linux-aarch64",
        "macos-x86_64",
        "macos-arm64",
        "windows-x86_64",
    ]
    .iter()
    .find_map(|platform| {
        selection
            .reads
            .iter()
            .find(|read| read.applies_to.contains(*platform))
    })
    .map(|read| read.file);
    let build = match platform_wheel {
        Some(file) => fetcher.build_scan(file)?,
        None => None,
    };
    let pure_wheel = selection
        .reads
        .iter()
        .find(|read| read.applies_to.contains("any"))
        .map(|read| read.file);
    let removed_api = match pure_wheel.or(platform_wheel) {
        Some(file) => fetcher.removed_api(file)?,
        None => Vec::new(),
    };
    Ok((build, removed_api))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::zip::tests::{Memory, build_zip};

    /// The releases whose wheels moved from NumPy 1 to NumPy 2 builds, as the synced data records them: the
    /// string split them with no exception.
    #[test]
    fn recorded_builds_split_numpy_1_from_numpy_2() {
        let data = crate::workspace_root().join("crates/nplint-index/data/packages");
        for (package, version, expected) in [
            ("pandas", "2.1.1", BuildNumpy::Numpy1),
            ("pandas", "2.2.2", BuildNumpy::Numpy2),
            ("h5py", "3.10.0", BuildNumpy::Numpy1),
            ("h5py", "3.11.0", BuildNumpy::Numpy2),
            ("scikit-learn", "1.4.1.post1", BuildNumpy::Numpy1),
            ("scikit-learn", "1.4.2", BuildNumpy::Numpy2),
        ] {
            let text = std::fs::read_to_string(data.join(format!("{package}.json"))).unwrap();
            let file: nplint_index::source::PackageFile = serde_json::from_str(&text).unwrap();
            let release = file
                .releases
                .iter()
                .find(|release| release.version == version)
                .unwrap();
            let build = release.build.as_ref().expect("scanned");
            assert_eq!(build.numpy, expected, "{package} {version}");
            assert!(build.file.contains("x86_64"), "{}", build.file);
        }
    }

    #[test]
    fn reads_the_names_of_the_reviewed_list() {
        let names =
            removed_names(&crate::workspace_root().join("crates/nplint-index/data/numpy-api.toml"))
                .unwrap();
        for name in ["float", "NaN", "product", "float_", "asscalar", "bool"] {
            assert!(names.contains(name), "{name}");
        }
        assert!(!names.contains("float64"));
    }

    #[test]
    fn tells_extension_modules_from_vendored_libraries() {
        for path in [
            "pandas/_libs/lib.cpython-311-x86_64-linux-gnu.so",
            "h5py/_conv.cpython-312-darwin.so",
            "sklearn/tree/_tree.cp311-win_amd64.pyd",
            "pkg/_ext.abi3.so",
            "top.so",
            "pyarrow/libarrow_python.so.900",
            "pkg/lib/libfoo.so.1.2.3",
        ] {
            assert!(is_extension_module(path), "{path}");
        }
        for path in [
            "scipy.libs/libopenblasp-r0-23e5df77.3.21.dev.so",
            "sklearn/.dylibs/libomp.dylib",
            "pkg/.dylibs/libfoo.so",
            "numpy.libs/libgfortran-040039e1.so.5.0.0",
            "pkg/lib.dll",
            "pkg/module.py",
            "pkg/notes.so.txt",
            "pkg/libfoo.so.",
        ] {
            assert!(!is_extension_module(path), "{path}");
        }
    }

    #[test]
    fn leaves_tests_out_of_the_python_files() {
        for path in [
            "pkg/__init__.py",
            "pkg/testing_utils.py",
            "pkg/contest.py",
            "pkg/latest.py",
        ] {
            assert!(is_python_source(path), "{path}");
        }
        for path in [
            "pkg/tests/helpers.py",
            "pkg/test/__init__.py",
            "pkg/testing/__init__.py",
            "pkg/core/test_frame.py",
            "pkg/frame_test.py",
            "conftest.py",
            "pkg/module.pyc",
            "pkg/module.pyi",
        ] {
            assert!(!is_python_source(path), "{path}");
        }
    }

    /// A module's bytes around a C-API import, as a compiler lays them out.
    fn module(strings: &[&str]) -> Vec<u8> {
        let mut bytes = b"\x7fELF\x02\x01\x01\0".to_vec();
        bytes.extend(std::iter::repeat_n(0xAA, 3000));
        for string in strings {
            bytes.extend(string.as_bytes());
            bytes.push(0);
        }
        bytes.extend(std::iter::repeat_n(0x55, 3000));
        bytes
    }

    #[test]
    fn the_numpy_2_string_decides_wherever_it_is() {
        let numpy_2 = module(&[
            "numpy.core._multiarray_umath",
            "numpy._core._multiarray_umath",
        ]);
        assert_eq!(
            numpy_import(numpy_2.as_slice()).unwrap(),
            Some(BuildNumpy::Numpy2)
        );
        let numpy_1 = module(&["numpy.core._multiarray_umath", "_ARRAY_API"]);
        assert_eq!(
            numpy_import(numpy_1.as_slice()).unwrap(),
            Some(BuildNumpy::Numpy1)
        );
        let legacy = module(&["numpy.core.multiarray", "_ARRAY_API"]);
        assert_eq!(
            numpy_import(legacy.as_slice()).unwrap(),
            Some(BuildNumpy::Numpy1)
        );
        let legacy_umath = module(&["_UFUNC_API", "numpy.core.umath"]);
        assert_eq!(
            numpy_import(legacy_umath.as_slice()).unwrap(),
            Some(BuildNumpy::Numpy1)
        );
        // Cython's type import, without the C API.
        let neither = module(&["numpy.core.multiarray", "numpy.core.umath"]);
        assert_eq!(numpy_import(neither.as_slice()).unwrap(), None);
    }

    #[test]
    fn finds_a_string_split_across_reads() {
        /// Reads 7 bytes at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let bytes = module(&["numpy._core._multiarray_umath"]);
        assert_eq!(
            numpy_import(Trickle(&bytes)).unwrap(),
            Some(BuildNumpy::Numpy2)
        );
    }

    /// Bytes that do not compress.
    fn noise(len: usize) -> Vec<u8> {
        let mut state: u32 = 0x9E37_79B9;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state.to_le_bytes()[0]
            })
            .collect()
    }

    fn archive_of(members: &[(&str, Vec<u8>)]) -> Memory {
        let members: Vec<(&str, &[u8], bool)> = members
            .iter()
            .map(|(name, bytes)| (*name, bytes.as_slice(), true))
            .collect();
        Memory {
            bytes: build_zip(&members, false, 0),
            ..Memory::default()
        }
    }

    #[test]
    fn the_first_deciding_module_wins_smallest_first() {
        let source = archive_of(&[
            ("pkg/_big.cpython-311-x86_64-linux-gnu.so", {
                let mut bytes = module(&["numpy.core._multiarray_umath"]);
                bytes.extend(noise(20_000));
                bytes
            }),
            ("pkg/_plain.cpython-311-x86_64-linux-gnu.so", module(&[])),
            ("pkg/_small.cpython-311-x86_64-linux-gnu.so", {
                let mut bytes = module(&["numpy._core._multiarray_umath"]);
                bytes.extend(noise(2_000));
                bytes
            }),
            (
                "pkg.libs/libopenblas.so",
                module(&["numpy.core._multiarray_umath"]),
            ),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(
            scan_build(&archive, BUILD_BUDGET).unwrap(),
            BuildFound::Numpy2 {
                member: "pkg/_small.cpython-311-x86_64-linux-gnu.so".to_string()
            }
        );
    }

    #[test]
    fn no_import_is_none_and_a_spent_budget_unknown() {
        let source = archive_of(&[
            ("pkg/_a.so", module(&["hello"])),
            ("pkg/_b.pyd", module(&["world"])),
            ("pkg/module.py", b"import numpy".to_vec()),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(
            scan_build(&archive, BUILD_BUDGET).unwrap(),
            BuildFound::None
        );
        assert_eq!(scan_build(&archive, 10).unwrap(), BuildFound::Unknown);
    }

    #[test]
    fn aggregates_uses_of_removed_names_across_a_wheel() {
        let source = archive_of(&[
            (
                "pkg/b.py",
                b"import numpy as np\nx = np.float\ny = np.float\n".to_vec(),
            ),
            (
                "pkg/a.py",
                b"import numpy as np\n\n\nx = np.float64(np.float)\n".to_vec(),
            ),
            (
                "pkg/c.py",
                b"from numpy import NaN\ndef f():\n    import numpy\n    return numpy.float\n"
                    .to_vec(),
            ),
            (
                "pkg/tests/test_a.py",
                b"import numpy as np\nnp.float\n".to_vec(),
            ),
            (
                "pkg/broken.py",
                b"import numpy as np\n`np.float`\n".to_vec(),
            ),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        let uses = scan_api(&archive, API_BUDGET).unwrap();
        let removed =
            removed_names(&crate::workspace_root().join("crates/nplint-index/data/numpy-api.toml"))
                .unwrap();
        let facts: Vec<String> = removed_api(&uses, &removed, "pkg-1.0-py3-none-any.whl")
            .iter()
            .map(|found| {
                format!(
                    "{} {:?} {}:{} x{}",
                    found.name, found.scope, found.member, found.line, found.count
                )
            })
            .collect();
        assert_eq!(
            facts,
            [
                "NaN Import pkg/c.py:1 x1",
                "float Import pkg/a.py:4 x3",
                "float Call pkg/c.py:4 x1",
            ]
        );
        // The cache keeps names that are not removed.
        assert!(uses.iter().any(|found| found.name == "float64"));
    }

    #[test]
    fn the_api_budget_stops_the_read() {
        let source = archive_of(&[
            ("pkg/a.py", b"import numpy as np\nnp.NaN\n".to_vec()),
            ("pkg/b.py", b"import numpy as np\nnp.float\n".to_vec()),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        let first = archive.entries[0].compressed_size();
        let uses = scan_api(&archive, first).unwrap();
        let names: Vec<&str> = uses.iter().map(|found| found.name.as_str()).collect();
        assert_eq!(names, ["NaN"]);
        // Both files in one range read: tail, then one run.
        let reads = source.reads.borrow();
        assert_eq!(reads.len(), 2, "{reads:?}");
    }
}
