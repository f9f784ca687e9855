//! Facts measured in a release's wheels, beyond its metadata: which NumPy its extension modules were compiled
//! against (`build`), and which removed NumPy names its Python code uses (`removed_api`). Both are read by range
//! requests through [`Archive`], `build` from one wheel per tracked platform and `removed_api` from one wheel per
//! release, and cached per wheel as what was found (not the bytes), so a re-sync reads nothing again. This module
//! reads one wheel; which releases and which of their wheels are read is [`super::release_scans`]'s.
//!
//! # `build`
//!
//! A module compiled with NumPy's C headers holds NumPy's import code: `_import_array()` of `__multiarray_api.h`
//! (and `_import_umath()` of `__ufunc_api.h`), whose strings are the same in every NumPy from 1.7 to 2.x
//! (`_ARRAY_API is NULL pointer`, `_ARRAY_API is not PyCapsule object`, and the ABI check "module compiled against
//! ABI version 0x%x but this version of numpy is 0x%x", which is `%x` before 1.11). That check, and NumPy 2 refusing
//! the `_ARRAY_API` of `numpy.core._multiarray_umath` to a module built against 1.x ("A module that was compiled
//! using NumPy 1.x cannot be run in NumPy 2"), is what fails at import. A Cython module that cimports `numpy`
//! holds the messages of the `import_array()` and `import_umath()` that NumPy's Cython declarations (and Cython's
//! own copy) define, `numpy.core.multiarray failed to import` (`numpy._core.` in NumPy 2's), whether it calls them
//! or not; and at import it checks `numpy.dtype` against the size of the headers' `PyArray_Descr`, which fails
//! under NumPy 2 for a build against 1.x ("numpy.dtype size changed, may indicate binary incompatibility. Expected
//! 96 from C header, got 88 from PyObject": measured on a module built with Cython 0.29.36 and NumPy 1.26.4 that
//! never calls `import_array()`, imported with NumPy 2.0.2). That size check's message is no evidence alone: every
//! Cython module holds it, for the `type` it imports too. Either string is the C API; such a module is `2.x` when
//! it names NumPy 2's module (`numpy._core._multiarray_umath`, first in NumPy 2's import, which falls back to
//! `numpy.core._multiarray_umath` on NumPy 1.x; or `numpy._core.multiarray failed to import`), else `1.x` (1.16 to
//! 1.26 import `numpy.core._multiarray_umath`, older headers `numpy.core.multiarray` and `numpy.core.umath`).
//!
//! Cython's size check fails whatever `check_size` the declaration names: `__Pyx_ImportType` refuses a type
//! smaller than the header said (only a larger one is subject to `check_size`), and NumPy's `__init__.pxd`, which
//! declares `numpy.dtype` with `check_size ignore` in 1.23 to 2.0 alike, cannot prevent it. So a Cython module
//! built with NumPy 1.x's declarations is `1.x` whether it calls `import_array()` or not: thinc 9.0.0's
//! `thinc.backends.numpy_ops`, blis 0.7.11's `blis.py`, rasterio 1.3.8's `rasterio._features` and gensim 4.3.3's
//! `gensim.models.word2vec_inner` hold no NumPy import code and fail so under NumPy 2.0.2, and import with NumPy
//! 1.26.4; their releases built with NumPy 2's declarations import with NumPy 2.0.2 (the table in
//! `crates/nplint-index/data/README.md`).
//!
//! NumPy 2's headers also write the module's NumPy floor into it: their `_import_array()` refuses a NumPy older
//! than the module's `NPY_FEATURE_VERSION` with "module was compiled against NumPy C-API version 0x%x (NumPy 1.20)
//! but ...", the `1.20` being `NPY_FEATURE_VERSION_STRING`, joined into the literal at compile time. A `2.x`
//! build records the wheel's floor: every module is read ([`scan_floor`]) and the lowest floor kept, because
//! modules of one wheel differ and an optional one may need more than the package's import does (blosc2 4.11.0's
//! `utf8_ext` needs NumPy 2.0 and fails on 1.26.4, while its `blosc2_ext`, built for 1.23, imports). NumPy 1.x's
//! headers write none.
//!
//! A module that names `numpy.core.multiarray` (or another of NumPy's C-API modules) and a capsule (`_ARRAY_API`,
//! `_UFUNC_API`) without NumPy's import code is `name-only`: pybind11 before 2.12 imports `numpy.core.multiarray` by
//! name at run time and takes the capsule of whatever NumPy is installed, and NumPy 2 keeps `_ARRAY_API` there for
//! it. contourpy 1.1.0 (pybind11 before 2.12) imports and computes contours with NumPy 2.0.2; bottleneck 1.3.7 (NumPy's
//! headers, 1.x) fails at import with it (both installed on Linux x86_64, CPython 3.11). So `name-only` is no
//! evidence of an ABI constraint, and is kept apart from `none` because pybind11 before 2.12 reads NumPy's dtype
//! struct through its own copy of the 1.x layout (`dtype::itemsize()` is 0 under NumPy 2, pybind11 issue 5009):
//! code that uses it breaks, which only a curated fact can say.
//!
//! The extension modules (`*.so`, `*.pyd`, ABI-suffixed `.so` included) and the project's own versioned shared
//! libraries (`pyarrow/libarrow_python.so.900`, where pyarrow 1 to 9 call `import_array()`) are read, not the
//! vendored libraries under `*.libs/` or `*.dylibs/` (nor `.dylib` and `.dll` files: the linux wheel is
//! preferred). They are read smallest first, inflated as a stream, and searched: the first module that imports
//! the C API decides. When every module was read and none does, the release is `name-only` (with the smallest
//! module that imports by name) or `none`: no C-API import (pure C/C++ code; pybind11 2.12 and later, which builds
//! the module's name at run time). Neither is a proof of compatibility. The read stops at [`BUILD_BUDGET`]
//! compressed bytes per wheel (larger modules are skipped); if nothing decided by then, `build` stays absent
//! (unknown), as it does for a wheel that cannot be read. [`rescan_build`] reads a recorded member first, for
//! `--rescan-builds`.
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

use anyhow::Result;
use nplint_index::source::{ApiScope, ApiUse, BuildNumpy, BuildScan};
use serde::{Deserialize, Serialize};

use super::filename::has_suffix;
use super::http::is_network;
use super::python;
use super::zip::{Archive, ByteSource, Entry};

/// Compressed bytes of extension modules read per wheel, at most.
pub const BUILD_BUDGET: u64 = 64 * 1024 * 1024;
/// Compressed bytes of Python files read per wheel, at most.
pub const API_BUDGET: u64 = 32 * 1024 * 1024;
/// A Python file larger than this (compressed or not) is not read: generated tables, not code.
const MAX_PYTHON_FILE: u64 = 16 * 1024 * 1024;
/// Python files next to each other in a wheel are fetched in ranges of at most this many bytes.
const MAX_RUN: u64 = 8 * 1024 * 1024;

/// Strings of NumPy's own import code (`_import_array()` of `__multiarray_api.h`, `_import_umath()` of
/// `__ufunc_api.h`), the same in every NumPy from 1.7 to 2.x, next to the ABI check that makes a module compiled
/// against NumPy 1.x fail at import under NumPy 2: a module holding one was compiled with NumPy's C headers.
const HEADER_IMPORTS: [&[u8]; 2] = [b"_ARRAY_API is NULL pointer", b"_UFUNC_API is NULL pointer"];
/// The messages of the `import_array()`/`import_umath()` that NumPy's Cython declarations (`numpy/__init__.pxd`,
/// and Cython's own copy) define, and of NumPy's `import_array()` macro. Cython keeps them in every module that
/// cimports `numpy`, whether it calls them or not, and such a module also checks the size of `numpy.dtype` at
/// import against the headers' `PyArray_Descr` (96 bytes in 1.x, 88 in 2.x): compiled against 1.x, it fails under
/// NumPy 2 with "numpy.dtype size changed".
const CYTHON_IMPORTS_1: [&[u8]; 2] = [
    b"numpy.core.multiarray failed to import",
    b"numpy.core.umath failed to import",
];
const CYTHON_IMPORTS_2: [&[u8]; 2] = [
    b"numpy._core.multiarray failed to import",
    b"numpy._core.umath failed to import",
];
/// What NumPy 2's headers import first (they fall back to [`NUMPY_1_IMPORT`] on NumPy 1.x).
const NUMPY_2_IMPORT: &[u8] = b"numpy._core._multiarray_umath";
/// What NumPy 1.16 to 1.26's headers import.
const NUMPY_1_IMPORT: &[u8] = b"numpy.core._multiarray_umath";
/// Before NumPy 1.16 merged `multiarray` and `umath` into `_multiarray_umath`, `import_array()` imported
/// `numpy.core.multiarray` and `import_umath()` `numpy.core.umath`, and took the capsule `_ARRAY_API` or
/// `_UFUNC_API` from it. pybind11 before 2.12 does the same by name, without NumPy's headers.
const LEGACY_ARRAY_IMPORT: &[u8] = b"numpy.core.multiarray";
const LEGACY_UMATH_IMPORT: &[u8] = b"numpy.core.umath";
const CAPSULES: [&[u8]; 2] = [b"_ARRAY_API", b"_UFUNC_API"];
/// NumPy 2's `_import_array()` refuses to run on a NumPy older than the one the module was built for (its
/// `NPY_FEATURE_VERSION`, set by `NPY_TARGET_VERSION`) with "module was compiled against NumPy C-API version 0x%x
/// (NumPy " NPY_FEATURE_VERSION_STRING ") but the running NumPy has C-API version 0x%x. ...", a literal the
/// compiler joins into one string: the `X.Y)` after it is the module's NumPy floor. NumPy 1.25 and 1.26 check the
/// feature version too, with a message that names no version ("module compiled against API version 0x%x but this
/// version of numpy is 0x%x . Check the section ...").
const FLOOR_CHECK: &[u8] = b"module was compiled against NumPy C-API version 0x%x (NumPy ";
/// Bytes of `X.Y)` read after [`FLOOR_CHECK`], at most.
const FLOOR_VERSION: usize = 16;

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
        /// The oldest NumPy `member` runs on, when it says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        floor: Option<String>,
    },
    /// Every extension module was read; none imports NumPy's C API, `member` (the smallest) imports it by name.
    NameOnly {
        member: String,
    },
    /// Every extension module was read; none imports NumPy's C API, nor names it.
    None,
    /// The budget ran out, or the wheel could not be read, before anything decided.
    Unknown,
}

impl BuildFound {
    /// A module compiled against NumPy's C API decides the wheel.
    fn deciding(member: String, found: ModuleImport) -> Self {
        match found.numpy {
            BuildNumpy::Numpy2 => Self::Numpy2 {
                member,
                floor: found.floor,
            },
            _ => Self::Numpy1 { member },
        }
    }

    /// The fact written for the wheel `file`.
    pub fn fact(&self, file: &str) -> Option<BuildScan> {
        let (numpy, member, numpy_floor) = match self {
            Self::Numpy1 { member } => (BuildNumpy::Numpy1, Some(member.clone()), None),
            Self::Numpy2 { member, floor } => {
                (BuildNumpy::Numpy2, Some(member.clone()), floor.clone())
            }
            Self::NameOnly { member } => (BuildNumpy::NameOnly, Some(member.clone()), None),
            Self::None => (BuildNumpy::None, None, None),
            Self::Unknown => return None,
        };
        Some(BuildScan {
            numpy,
            file: file.to_string(),
            member,
            numpy_floor,
        })
    }
}

/// What one extension module's bytes say of its NumPy import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleImport {
    pub numpy: BuildNumpy,
    /// For [`BuildNumpy::Numpy2`], the oldest NumPy the module runs on, from NumPy 2's import check (see
    /// [`FLOOR_CHECK`]); the newest when the module holds several.
    pub floor: Option<String>,
}

/// What a module's bytes say of its NumPy import (see the module documentation): `1.x` or `2.x` for a module
/// compiled against NumPy's C API, with the NumPy floor of a `2.x` one, [`BuildNumpy::NameOnly`] for one that
/// imports NumPy's C-API module by name without NumPy's headers, `None` for one that does neither.
pub fn numpy_import(module: impl Read) -> std::io::Result<Option<ModuleImport>> {
    // The strings looked for, and what each one is evidence of.
    let header = HEADER_IMPORTS.len();
    let cython_1 = header + CYTHON_IMPORTS_1.len();
    let cython_2 = cython_1 + CYTHON_IMPORTS_2.len();
    let needles: Vec<&[u8]> = HEADER_IMPORTS
        .iter()
        .chain(&CYTHON_IMPORTS_1)
        .chain(&CYTHON_IMPORTS_2)
        .copied()
        .chain([
            NUMPY_2_IMPORT,
            NUMPY_1_IMPORT,
            LEGACY_ARRAY_IMPORT,
            LEGACY_UMATH_IMPORT,
        ])
        .chain(CAPSULES)
        .collect();
    let numpy_2_import = cython_2;
    let names = cython_2..cython_2 + 4;
    let capsules = cython_2 + 4..needles.len();
    let finders: Vec<_> = needles.iter().map(memchr::memmem::Finder::new).collect();
    let floor_finder = memchr::memmem::Finder::new(FLOOR_CHECK);
    // A floor's version follows its check within `FLOOR_VERSION` bytes: keep enough of each window that a check
    // cut off at its end is found again, whole, in the next.
    let overlap = needles
        .iter()
        .map(|needle| needle.len())
        .chain([FLOOR_CHECK.len() + FLOOR_VERSION])
        .max()
        .unwrap_or(1)
        - 1;
    let mut found = vec![false; needles.len()];
    let mut floor: Option<(u32, u32)> = None;
    let c_api = |found: &[bool]| found[..cython_2].iter().any(|&seen| seen);
    let numpy_2 = |found: &[bool]| {
        found[numpy_2_import] || found[cython_1..cython_2].iter().any(|&seen| seen)
    };
    let mut reader = module;
    let mut buffer = vec![0; 1024 * 1024];
    let mut kept = 0;
    loop {
        let read = reader.read(&mut buffer[kept..])?;
        if read == 0 {
            break;
        }
        let filled = kept + read;
        let window = &buffer[..filled];
        for (seen, finder) in found.iter_mut().zip(&finders) {
            *seen |= finder.find(window).is_some();
        }
        for at in floor_finder.find_iter(window) {
            if let Some(version) = floor_version(&window[at + FLOOR_CHECK.len()..]) {
                floor = floor.max(Some(version));
            }
        }
        // Keep the end of the window, so that a string split across two reads is found.
        kept = overlap.min(filled);
        buffer.copy_within(filled - kept..filled, 0);
    }
    // NumPy 2's headers name NumPy 1's module too: the NumPy 2 strings decide, wherever they are. Only NumPy 2's
    // headers write a floor, so a module without NumPy 2's names keeps none.
    let numpy = if c_api(&found) && numpy_2(&found) {
        return Ok(Some(ModuleImport {
            numpy: BuildNumpy::Numpy2,
            floor: floor.map(|(major, minor)| format!("{major}.{minor}")),
        }));
    } else if c_api(&found) {
        BuildNumpy::Numpy1
    } else if found[names].iter().any(|&seen| seen) && found[capsules].iter().any(|&seen| seen) {
        BuildNumpy::NameOnly
    } else {
        return Ok(None);
    };
    Ok(Some(ModuleImport { numpy, floor: None }))
}

/// The `X.Y` of `X.Y)` at the start of `bytes`, as numbers; `None` when the bytes are not that (or are cut off).
fn floor_version(bytes: &[u8]) -> Option<(u32, u32)> {
    let bytes = &bytes[..bytes.len().min(FLOOR_VERSION)];
    let end = bytes.iter().position(|&byte| byte == b')')?;
    let (major, minor) = std::str::from_utf8(&bytes[..end]).ok()?.split_once('.')?;
    let number = |part: &str| {
        (!part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    Some((number(major)?, number(minor)?))
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
    let mut name_only = None;
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
            Ok(Some(found)) if matches!(found.numpy, BuildNumpy::Numpy1 | BuildNumpy::Numpy2) => {
                return Ok(BuildFound::deciding(entry.name.clone(), found));
            }
            // Not evidence of an ABI: the other modules may still import the C API.
            Ok(Some(ModuleImport {
                numpy: BuildNumpy::NameOnly,
                ..
            })) => {
                name_only.get_or_insert_with(|| entry.name.clone());
            }
            Ok(Some(_) | None) => {}
            Err(error) if is_network(&error) => return Err(error),
            Err(_) => all_read = false,
        }
    }
    Ok(match (all_read, name_only) {
        (true, Some(member)) => BuildFound::NameOnly { member },
        (true, None) => BuildFound::None,
        (false, _) => BuildFound::Unknown,
    })
}

/// The NumPy floor of a wheel built against NumPy 2: the lowest floor among its extension modules (each module's
/// from [`numpy_import`]). Below it every module built with NumPy 2's import code refuses to load, so the package
/// fails at import whichever of them it imports; between it and the highest, only some modules do (blosc2
/// 4.11.0's optional `blosc2.utf8_ext` needs NumPy 2.0, its `blosc2.blosc2_ext` 1.23, and `import blosc2` works
/// with NumPy 1.26.4). `None` when no module names a floor, or when the budget ran out first: a floor of the
/// modules read so far could be above an unread module's.
pub fn scan_floor<S: ByteSource>(archive: &Archive<S>, budget: u64) -> Result<Option<String>> {
    let mut modules: Vec<&Entry> = archive
        .entries
        .iter()
        .filter(|entry| is_extension_module(&entry.name))
        .collect();
    modules.sort_by(|a, b| (a.compressed_size(), &a.name).cmp(&(b.compressed_size(), &b.name)));
    let mut spent = 0;
    let mut lowest: Option<(u32, u32)> = None;
    for entry in modules {
        spent += entry.compressed_size();
        if spent > budget {
            return Ok(None);
        }
        let found = archive
            .reader(entry, budget)
            .and_then(|reader| Ok(numpy_import(reader)?));
        match found {
            Ok(Some(ModuleImport {
                floor: Some(floor), ..
            })) => {
                if let Some(version) = floor_version(format!("{floor})").as_bytes()) {
                    lowest = Some(lowest.map_or(version, |lowest| lowest.min(version)));
                }
            }
            Ok(_) => {}
            Err(error) if is_network(&error) => return Err(error),
            Err(_) => return Ok(None),
        }
    }
    Ok(lowest.map(|(major, minor)| format!("{major}.{minor}")))
}

/// The `build` scan of a wheel already scanned, as `--rescan-builds` runs it: the `member` recorded is read first,
/// and decides if it still imports NumPy's C API; otherwise (it imports NumPy by name only, or no member was
/// recorded) every extension module is read as [`scan_build`] reads them.
pub fn rescan_build<S: ByteSource>(
    archive: &Archive<S>,
    member: Option<&str>,
    budget: u64,
) -> Result<BuildFound> {
    let recorded = member.and_then(|member| {
        archive
            .entries
            .iter()
            .find(|entry| entry.name == member && entry.compressed_size() <= budget)
    });
    if let Some(entry) = recorded {
        let found = archive
            .reader(entry, budget)
            .and_then(|reader| Ok(numpy_import(reader)?));
        match found {
            Ok(Some(found)) if matches!(found.numpy, BuildNumpy::Numpy1 | BuildNumpy::Numpy2) => {
                return Ok(BuildFound::deciding(entry.name.clone(), found));
            }
            Err(error) if is_network(&error) => return Err(error),
            _ => {}
        }
    }
    scan_build(archive, budget)
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
    /// For [`ApiScope::Function`]: the function of the first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
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
                    function: found.function,
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
            function: found.function.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use nplint_registry::zip::testing::{Memory, build_zip};

    /// The synced data's package files.
    fn data_dir() -> PathBuf {
        crate::workspace_root().join("crates/nplint-index/data/packages")
    }

    fn stored(path: &Path) -> nplint_index::source::StoredPackageFile {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The `build` the synced data records for each `(package, version, expected)`, checked to be `expected`.
    fn recorded_builds(cases: &[(&str, &str, BuildNumpy)]) -> Vec<BuildScan> {
        cases
            .iter()
            .map(|&(package, version, expected)| {
                let build = stored(&data_dir().join(format!("{package}.json")))
                    .releases
                    .into_iter()
                    .find(|release| release.version == version)
                    .and_then(|release| release.build)
                    .unwrap_or_else(|| panic!("{package} {version} is scanned"));
                assert_eq!(build.numpy, expected, "{package} {version}");
                build
            })
            .collect()
    }

    /// The releases whose wheels moved from NumPy 1 to NumPy 2 builds, as the synced data records them: the
    /// string split them with no exception.
    #[test]
    fn recorded_builds_split_numpy_1_from_numpy_2() {
        let builds = recorded_builds(&[
            ("pandas", "2.1.1", BuildNumpy::Numpy1),
            ("pandas", "2.2.2", BuildNumpy::Numpy2),
            ("h5py", "3.10.0", BuildNumpy::Numpy1),
            ("h5py", "3.11.0", BuildNumpy::Numpy2),
            ("scikit-learn", "1.4.1.post1", BuildNumpy::Numpy1),
            ("scikit-learn", "1.4.2", BuildNumpy::Numpy2),
        ]);
        for build in builds {
            assert!(build.file.contains("x86_64"), "{}", build.file);
        }
    }

    /// The Cython builds verified by install (the table in `data/README.md`) are labelled as their imports
    /// behaved under NumPy 2.0.2, and every recorded NumPy floor belongs to a `2.x` build and reads `X.Y`.
    #[test]
    fn recorded_cython_builds_and_floors_agree_with_installs() {
        recorded_builds(&[
            ("thinc", "9.0.0", BuildNumpy::Numpy1),
            ("thinc", "9.1.1", BuildNumpy::Numpy2),
            ("blis", "0.7.11", BuildNumpy::Numpy1),
            ("blis", "1.0.1", BuildNumpy::Numpy2),
            ("rasterio", "1.3.8", BuildNumpy::Numpy1),
            ("rasterio", "1.3.10", BuildNumpy::Numpy2),
            ("gensim", "4.3.3", BuildNumpy::Numpy1),
        ]);
        let mut floors = 0;
        for entry in std::fs::read_dir(data_dir()).unwrap() {
            let file = stored(&entry.unwrap().path());
            for release in &file.releases {
                let Some(build) = &release.build else {
                    continue;
                };
                if let Some(floor) = &build.numpy_floor {
                    floors += 1;
                    assert_eq!(
                        build.numpy,
                        BuildNumpy::Numpy2,
                        "{} {}",
                        file.name,
                        release.version
                    );
                    assert!(
                        floor_version(format!("{floor})").as_bytes()).is_some(),
                        "{} {}: {floor}",
                        file.name,
                        release.version
                    );
                }
            }
        }
        assert!(floors > 0);
    }

    #[test]
    fn reads_the_names_of_the_reviewed_list() {
        let names = crate::index::removed_names(
            &crate::workspace_root().join("crates/nplint-index/data/numpy-api.toml"),
        )
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

    fn import_of(strings: &[&str]) -> Option<BuildNumpy> {
        numpy_import(module(strings).as_slice())
            .unwrap()
            .map(|found| found.numpy)
    }

    /// The strings of `_import_array()` as NumPy 1.16 to 1.26's `__multiarray_api.h` expands it (1.26.4's).
    const NUMPY_1_26_HEADER: &[&str] = &[
        "numpy.core._multiarray_umath",
        "_ARRAY_API",
        "_ARRAY_API not found",
        "_ARRAY_API is not PyCapsule object",
        "_ARRAY_API is NULL pointer",
        "module compiled against ABI version 0x%x but this version of numpy is 0x%x",
        "numpy.core.multiarray failed to import",
    ];

    /// NumPy 2.0.2's: NumPy 2's module first, NumPy 1's as the fallback.
    const NUMPY_2_HEADER: &[&str] = &[
        "numpy._core._multiarray_umath",
        "numpy.core._multiarray_umath",
        "_ARRAY_API",
        "_ARRAY_API is not PyCapsule object",
        "_ARRAY_API is NULL pointer",
        "module compiled against ABI version 0x%x but this version of numpy is 0x%x",
        "numpy._core.multiarray failed to import",
    ];

    #[test]
    fn numpy_1_headers_are_1x() {
        assert_eq!(import_of(NUMPY_1_26_HEADER), Some(BuildNumpy::Numpy1));
        // Without the macro's message (a module calling `_import_array()` itself).
        assert_eq!(import_of(&NUMPY_1_26_HEADER[..5]), Some(BuildNumpy::Numpy1));
    }

    #[test]
    fn numpy_2_headers_are_2x_wherever_the_numpy_2_name_is() {
        assert_eq!(import_of(NUMPY_2_HEADER), Some(BuildNumpy::Numpy2));
        let mut reversed = NUMPY_2_HEADER.to_vec();
        reversed.reverse();
        assert_eq!(import_of(&reversed), Some(BuildNumpy::Numpy2));
        // The NumPy 2 name far past the first read, after NumPy 1's.
        let mut bytes = module(&NUMPY_2_HEADER[1..]);
        bytes.extend(noise(3 * 1024 * 1024));
        bytes.extend(b"numpy._core._multiarray_umath\0");
        assert_eq!(
            numpy_import(bytes.as_slice())
                .unwrap()
                .map(|found| found.numpy),
            Some(BuildNumpy::Numpy2)
        );
    }

    #[test]
    fn legacy_headers_before_1_16_are_1x() {
        // NumPy 1.7 to 1.15: `numpy.core.multiarray`, the Python 2 `PyCObject` check, `%x` before 1.11.
        let array = [
            "numpy.core.multiarray",
            "_ARRAY_API",
            "_ARRAY_API not found",
            "_ARRAY_API is not PyCapsule object",
            "_ARRAY_API is not PyCObject object",
            "_ARRAY_API is NULL pointer",
            "module compiled against ABI version %x but this version of numpy is %x",
        ];
        assert_eq!(import_of(&array), Some(BuildNumpy::Numpy1));
        let umath = [
            "numpy.core.umath",
            "numpy.core.umath failed to import",
            "_UFUNC_API",
            "_UFUNC_API is NULL pointer",
        ];
        assert_eq!(import_of(&umath), Some(BuildNumpy::Numpy1));
    }

    #[test]
    fn pybind11_before_2_12_imports_by_name_only() {
        // pybind11 2.10's `npy_api::lookup()`, as in contourpy 1.1.0's `_contourpy` module.
        assert_eq!(
            import_of(&["numpy.core.multiarray", "_ARRAY_API"]),
            Some(BuildNumpy::NameOnly)
        );
        // A NumPy 2 name without NumPy's import code is no build against NumPy 2 either.
        assert_eq!(
            import_of(&["numpy._core._multiarray_umath", "_ARRAY_API"]),
            Some(BuildNumpy::NameOnly)
        );
        // pybind11 2.12 builds the name at run time from the running NumPy's version.
        assert_eq!(
            import_of(&["numpy._core", "numpy.core", "multiarray", "_ARRAY_API"]),
            None
        );
        // A name without a capsule is no import of the C API.
        assert_eq!(
            import_of(&["numpy.core.multiarray", "numpy.core.umath"]),
            None
        );
    }

    #[test]
    fn cython_cimport_without_import_array_is_the_c_api() {
        // Cython 0.29.36 with NumPy 1.26.4's `__init__.pxd`, a module that cimports `numpy` and never calls
        // `import_array()`: the compiler dropped NumPy's import code, Cython kept the messages of its string table,
        // and the module still checks `numpy.dtype`'s size at import.
        let numpy_1 = [
            "%.200s.%.200s size changed, may indicate binary incompatibility. Expected %zd from C header, got %zd from PyObject",
            "numpy",
            "flatiter",
            "ndarray",
            "ufunc",
            "numpy.core.umath failed to import",
            "numpy.core.multiarray failed to import",
        ];
        assert_eq!(import_of(&numpy_1), Some(BuildNumpy::Numpy1));
        let numpy_2 = [
            "numpy._core.umath failed to import",
            "numpy._core.multiarray failed to import",
        ];
        assert_eq!(import_of(&numpy_2), Some(BuildNumpy::Numpy2));
        // Cython's size check alone is in every Cython module (it checks `type` too).
        assert_eq!(import_of(&numpy_1[..1]), None);
    }

    /// NumPy 2's import check as the compiler joins it, with the `NPY_FEATURE_VERSION_STRING` it was built for.
    fn floor_check(version: &str) -> String {
        format!(
            "module was compiled against NumPy C-API version 0x%x (NumPy {version}) but the running NumPy has \
             C-API version 0x%x. Check the section C-API incompatibility at the Troubleshooting ImportError section \
             at https://numpy.org/devdocs/user/troubleshooting-importerror.html#c-api-incompatibility for \
             indications on how to solve this problem."
        )
    }

    fn floor_of(strings: &[&str]) -> Option<(BuildNumpy, Option<String>)> {
        numpy_import(module(strings).as_slice())
            .unwrap()
            .map(|found| (found.numpy, found.floor))
    }

    #[test]
    fn numpy_2_headers_name_the_floor() {
        // blis 1.0.1 (blis-1.0.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl,
        // `blis/py.cpython-311-x86_64-linux-gnu.so`): Cython 3 with NumPy 2's headers, in the module's order.
        let blis = floor_check("1.20");
        let blis = [
            "%.200s.%.200s size changed, may indicate binary incompatibility. Expected %zd from C header, got %zd from PyObject",
            "_ARRAY_API is not PyCapsule object",
            "module compiled against ABI version 0x%x but this version of numpy is 0x%x",
            &blis,
            "numpy.core.multiarray failed to import (auto-generated because you didn't call 'numpy.import_array()' after cimporting numpy; use '<void>numpy._import_array' to disable if you are certain you don't need it).",
            "numpy._core._multiarray_umath",
            "numpy.core._multiarray_umath",
            "_ARRAY_API",
            "_ARRAY_API is NULL pointer",
            "numpy._core.umath failed to import",
            "numpy._core.multiarray failed to import",
        ];
        assert_eq!(
            floor_of(&blis),
            Some((BuildNumpy::Numpy2, Some("1.20".to_string())))
        );
        // rasterio 1.3.10 (rasterio-1.3.10-cp311-cp311-manylinux2014_x86_64.whl,
        // `rasterio/_warp.cpython-311-x86_64-linux-gnu.so`), built for NumPy 1.16's C API.
        let rasterio = floor_check("1.16");
        let rasterio = [
            "numpy._core._multiarray_umath",
            "numpy.core._multiarray_umath",
            "_ARRAY_API",
            "_ARRAY_API is NULL pointer",
            "_ARRAY_API is not PyCapsule object",
            "module compiled against ABI version 0x%x but this version of numpy is 0x%x",
            &rasterio,
            "numpy._core.umath failed to import",
            "numpy._core.multiarray failed to import",
        ];
        assert_eq!(
            floor_of(&rasterio),
            Some((BuildNumpy::Numpy2, Some("1.16".to_string())))
        );
        // Objects built for different NumPys linked into one module: it runs on the newest floor only.
        let mut both = rasterio.to_vec();
        let newer = floor_check("1.25");
        both.insert(0, &newer);
        let older = floor_check("1.9");
        both.push(&older);
        assert_eq!(
            floor_of(&both),
            Some((BuildNumpy::Numpy2, Some("1.25".to_string())))
        );
        // The floor far past the first read, after the strings that decide `2.x`.
        let mut bytes = module(&rasterio[..6]);
        bytes.extend(noise(3 * 1024 * 1024));
        bytes.extend(floor_check("2.0").as_bytes());
        let found = numpy_import(bytes.as_slice()).unwrap().unwrap();
        assert_eq!(found.floor.as_deref(), Some("2.0"));
    }

    #[test]
    fn a_floor_is_only_ever_a_numpy_2_builds() {
        // NumPy 1.26.4's `__multiarray_api.h` checks the feature version too, without naming a NumPy.
        let mut numpy_1 = NUMPY_1_26_HEADER.to_vec();
        numpy_1.push(
            "module compiled against API version 0x%x but this version of numpy is 0x%x . Check the section C-API incompatibility at the Troubleshooting ImportError section at https://numpy.org/devdocs/user/troubleshooting-importerror.html#c-api-incompatibility for indications on how to solve this problem .",
        );
        assert_eq!(floor_of(&numpy_1), Some((BuildNumpy::Numpy1, None)));
        // NumPy 2's check beside NumPy 1's names only: the names decide, and a floor is not kept for a `1.x` build.
        let check = floor_check("1.20");
        let mut mixed = NUMPY_1_26_HEADER.to_vec();
        mixed.push(&check);
        assert_eq!(floor_of(&mixed), Some((BuildNumpy::Numpy1, None)));
        // Nor for a module that names NumPy's C-API module without its import code.
        assert_eq!(
            floor_of(&["numpy._core._multiarray_umath", "_ARRAY_API", &check]),
            Some((BuildNumpy::NameOnly, None))
        );
        assert_eq!(floor_of(&[&check]), None);
        // A floor that is not `X.Y)` is no floor.
        for version in ["", "1", "x.y", "1.2.3", "1.20 beta", "12345678901234567.0"] {
            let check = floor_check(version);
            let mut strings = NUMPY_2_HEADER.to_vec();
            strings.push(&check);
            assert_eq!(
                floor_of(&strings),
                Some((BuildNumpy::Numpy2, None)),
                "{version:?}"
            );
        }
        // Cut off after the version's number, at the end of the module.
        let mut bytes = module(NUMPY_2_HEADER);
        bytes.extend(b"module was compiled against NumPy C-API version 0x%x (NumPy 1.2");
        let found = numpy_import(bytes.as_slice()).unwrap().unwrap();
        assert_eq!((found.numpy, found.floor), (BuildNumpy::Numpy2, None));
    }

    #[test]
    fn cython_builds_against_numpy_1_fail_on_numpy_2_without_import_array() {
        // thinc 9.0.0 (thinc-9.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl,
        // `thinc/backends/numpy_ops.cpython-311-x86_64-linux-gnu.so`) and blis 0.7.11 (`blis/py.cpython-311-x86_64-
        // linux-gnu.so` of its cp311 manylinux2014 wheel): Cython's numpy declarations of NumPy 1.x, no NumPy import
        // code (no `_ARRAY_API` at all). Both fail at import with NumPy 2.0.2: "numpy.dtype size changed, may
        // indicate binary incompatibility. Expected 96 from C header, got 88 from PyObject".
        let numpy_1 = [
            "%.200s.%.200s size changed, may indicate binary incompatibility. Expected %zd from C header, got %zd from PyObject",
            "%s.%s size changed, may indicate binary incompatibility. Expected %zd from C header, got %zd from PyObject",
            "numpy.core.multiarray failed to import",
            "numpy.core.umath failed to import",
        ];
        assert_eq!(floor_of(&numpy_1), Some((BuildNumpy::Numpy1, None)));
        // thinc 9.1.1's (same member of its cp311 manylinux2014 wheel): NumPy 2's declarations, imports with NumPy
        // 2.0.2; no import code, so no floor.
        let numpy_2 = [
            numpy_1[0],
            numpy_1[1],
            "numpy._core.multiarray failed to import",
            "numpy._core.umath failed to import",
        ];
        assert_eq!(floor_of(&numpy_2), Some((BuildNumpy::Numpy2, None)));
        // thinc 9.0.0's `thinc/layers/premap_ids` module: Cython's size check without numpy's declarations.
        assert_eq!(floor_of(&numpy_1[..2]), None);
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
        let bytes = module(NUMPY_2_HEADER);
        assert_eq!(
            numpy_import(Trickle(&bytes))
                .unwrap()
                .map(|found| found.numpy),
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
                let mut bytes = module(NUMPY_1_26_HEADER);
                bytes.extend(noise(20_000));
                bytes
            }),
            ("pkg/_plain.cpython-311-x86_64-linux-gnu.so", module(&[])),
            ("pkg/_small.cpython-311-x86_64-linux-gnu.so", {
                let mut bytes = module(NUMPY_2_HEADER);
                bytes.extend(noise(2_000));
                bytes
            }),
            ("pkg.libs/libopenblas.so", module(NUMPY_1_26_HEADER)),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(
            scan_build(&archive, BUILD_BUDGET).unwrap(),
            BuildFound::Numpy2 {
                member: "pkg/_small.cpython-311-x86_64-linux-gnu.so".to_string(),
                floor: None,
            }
        );
    }

    #[test]
    fn a_name_only_module_does_not_decide() {
        let name_only = || module(&["numpy.core.multiarray", "_ARRAY_API"]);
        let source = archive_of(&[
            ("pkg/_a.cpython-311-x86_64-linux-gnu.so", name_only()),
            ("pkg/_b.cpython-311-x86_64-linux-gnu.so", {
                let mut bytes = module(NUMPY_1_26_HEADER);
                bytes.extend(noise(2_000));
                bytes
            }),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(
            scan_build(&archive, BUILD_BUDGET).unwrap(),
            BuildFound::Numpy1 {
                member: "pkg/_b.cpython-311-x86_64-linux-gnu.so".to_string()
            }
        );
        let source = archive_of(&[
            ("pkg/_c.so", {
                let mut bytes = name_only();
                bytes.extend(noise(2_000));
                bytes
            }),
            ("pkg/_a.so", name_only()),
            ("pkg/_b.so", module(&["hello"])),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(
            scan_build(&archive, BUILD_BUDGET).unwrap(),
            BuildFound::NameOnly {
                member: "pkg/_a.so".to_string()
            }
        );
        // Not every module read: a larger one might import the C API.
        let first = archive.entries[1].compressed_size() + archive.entries[2].compressed_size();
        assert_eq!(scan_build(&archive, first).unwrap(), BuildFound::Unknown);
        assert_eq!(
            BuildFound::NameOnly {
                member: "pkg/_a.so".to_string()
            }
            .fact("pkg-1.0-cp311-cp311-linux_x86_64.whl")
            .map(|fact| fact.numpy),
            Some(BuildNumpy::NameOnly)
        );
    }

    #[test]
    fn a_rescan_reads_the_recorded_member_then_every_module() {
        let source = archive_of(&[
            ("pkg/_a.so", module(NUMPY_2_HEADER)),
            (
                "pkg/_b.so",
                module(&["numpy.core.multiarray", "_ARRAY_API"]),
            ),
            ("pkg/_c.so", module(NUMPY_1_26_HEADER)),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        let reads = || source.reads.borrow().len();
        let before = reads();
        // Still the C API: the recorded member decides, and nothing else is read.
        assert_eq!(
            rescan_build(&archive, Some("pkg/_c.so"), BUILD_BUDGET).unwrap(),
            BuildFound::Numpy1 {
                member: "pkg/_c.so".to_string()
            }
        );
        assert_eq!(reads() - before, 1);
        // Name-only now: the wheel is scanned again, and its C-API module found.
        let found = rescan_build(&archive, Some("pkg/_b.so"), BUILD_BUDGET).unwrap();
        assert!(
            matches!(found, BuildFound::Numpy2 { .. } | BuildFound::Numpy1 { .. }),
            "{found:?}"
        );
        assert_eq!(found, scan_build(&archive, BUILD_BUDGET).unwrap());
        // A member the wheel does not have, and none recorded: a full scan.
        assert_eq!(
            rescan_build(&archive, Some("pkg/_gone.so"), BUILD_BUDGET).unwrap(),
            scan_build(&archive, BUILD_BUDGET).unwrap()
        );
        let name_only = archive_of(&[(
            "pkg/_b.so",
            module(&["numpy.core.multiarray", "_ARRAY_API"]),
        )]);
        let archive = Archive::open(&name_only, name_only.bytes.len() as u64).unwrap();
        assert_eq!(
            rescan_build(&archive, Some("pkg/_b.so"), BUILD_BUDGET).unwrap(),
            BuildFound::NameOnly {
                member: "pkg/_b.so".to_string()
            }
        );
    }

    #[test]
    fn the_deciding_modules_floor_is_the_facts() {
        let check = floor_check("1.23");
        let mut strings = NUMPY_2_HEADER.to_vec();
        strings.push(&check);
        let source = archive_of(&[
            ("pkg/_a.so", module(&strings)),
            // Larger: read after `_a.so`, which decides.
            ("pkg/_b.so", {
                let mut bytes = module(NUMPY_2_HEADER);
                bytes.extend(noise(2_000));
                bytes
            }),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        let file = "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl";
        for found in [
            scan_build(&archive, BUILD_BUDGET).unwrap(),
            rescan_build(&archive, Some("pkg/_a.so"), BUILD_BUDGET).unwrap(),
        ] {
            let fact = found.fact(file).unwrap();
            assert_eq!(
                (
                    fact.numpy,
                    fact.member.as_deref(),
                    fact.numpy_floor.as_deref()
                ),
                (BuildNumpy::Numpy2, Some("pkg/_a.so"), Some("1.23"))
            );
        }
        // A recorded member without the check keeps deciding, without a floor.
        let fact = rescan_build(&archive, Some("pkg/_b.so"), BUILD_BUDGET)
            .unwrap()
            .fact(file)
            .unwrap();
        assert_eq!(fact.numpy_floor, None);
        // The cached form of a scan made before floors were read still reads, as no floor.
        let cached: BuildFound =
            serde_json::from_str(r#"{"found":"numpy2","member":"pkg/_a.so"}"#).unwrap();
        assert_eq!(cached.fact(file).unwrap().numpy_floor, None);
    }

    /// A module with NumPy 2's headers built for `floor`, `padding` bytes larger than the bare strings.
    fn numpy_2_module(floor: &str, padding: usize) -> Vec<u8> {
        let check = floor_check(floor);
        let mut strings = NUMPY_2_HEADER.to_vec();
        strings.push(&check);
        let mut bytes = module(&strings);
        bytes.extend(noise(padding));
        bytes
    }

    #[test]
    fn a_wheels_floor_is_its_lowest_modules() {
        // blosc2 4.11.0's shape: the smallest module (optional) needs NumPy 2.0, the main one 1.23.
        let source = archive_of(&[
            ("pkg/_optional.abi3.so", numpy_2_module("2.0", 0)),
            ("pkg/_main.abi3.so", numpy_2_module("1.23", 2_000)),
            ("pkg/_plain.abi3.so", module(&["hello"])),
            ("pkg/_newer.abi3.so", numpy_2_module("1.25", 4_000)),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        let BuildFound::Numpy2 { floor, .. } = scan_build(&archive, BUILD_BUDGET).unwrap() else {
            panic!("a NumPy 2 build");
        };
        assert_eq!(floor.as_deref(), Some("2.0"), "the deciding module's");
        assert_eq!(
            scan_floor(&archive, BUILD_BUDGET).unwrap().as_deref(),
            Some("1.23")
        );
        // Versions compare as numbers, not text: 1.9 is below 1.16.
        let source = archive_of(&[
            ("pkg/_a.so", numpy_2_module("1.16", 0)),
            ("pkg/_b.so", numpy_2_module("1.9", 100)),
        ]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(
            scan_floor(&archive, BUILD_BUDGET).unwrap().as_deref(),
            Some("1.9")
        );
        // A module left unread might be built for an older NumPy: no floor rather than one too high.
        let smallest = archive
            .entries
            .iter()
            .map(Entry::compressed_size)
            .min()
            .unwrap();
        assert_eq!(scan_floor(&archive, smallest).unwrap(), None);
        // No module names a floor.
        let source = archive_of(&[("pkg/_a.so", module(NUMPY_2_HEADER))]);
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(scan_floor(&archive, BUILD_BUDGET).unwrap(), None);
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
        let removed = crate::index::removed_names(
            &crate::workspace_root().join("crates/nplint-index/data/numpy-api.toml"),
        )
        .unwrap();
        let facts: Vec<String> = removed_api(&uses, &removed, "pkg-1.0-py3-none-any.whl")
            .iter()
            .map(|found| {
                format!(
                    "{} {:?} {}:{} x{}{}",
                    found.name,
                    found.scope,
                    found.member,
                    found.line,
                    found.count,
                    found
                        .function
                        .as_ref()
                        .map(|function| format!(" in {function}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            facts,
            [
                "NaN Import pkg/c.py:1 x1",
                "float Import pkg/a.py:4 x3",
                "float Function pkg/c.py:4 x1 in f",
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
