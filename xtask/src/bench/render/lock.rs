//! Lockfiles: the files tools write, each pinning 50–400 packages with their artifacts (URLs, hashes, sizes, upload
//! times). The four TOML locks of one table per package (uv, Poetry, PDM, PEP 751) share one renderer,
//! [`TomlLock::render`], and differ only in the strings of a [`TomlLock`]; `Pipfile.lock` (JSON) and the conda
//! locks (YAML) have shapes of their own.

use std::fmt::Write as _;

use super::INDEX_URL;
use crate::bench::plan::{Conflict, Planned};
use crate::bench::pool::{CONFLICT_NAMES, Package, Pool, internal_package};
use crate::bench::rng::Rng;

/// Where generated lockfiles say an artifact is downloaded from: a reserved, unresolvable host.
const FILES_URL: &str = "https://index.invalid/packages";

/// Wheel tags of a compiled package locked for CPython 3.11.
const TAGS: &[&str] = &[
    "cp311-cp311-macosx_10_9_x86_64",
    "cp311-cp311-macosx_11_0_arm64",
    "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-cp311-musllinux_1_2_aarch64",
    "cp311-cp311-musllinux_1_2_x86_64",
    "cp311-cp311-win32",
    "cp311-cp311-win_amd64",
];

/// A locked package's artifacts: the sdist and the wheels, with hashes, sizes and upload times.
#[derive(Debug)]
struct Artifact {
    file: String,
    hash: String,
    size: u64,
    time: String,
}

/// A package's sdist and wheels: compiled ones for several platforms, or one pure wheel.
fn artifacts(rng: &mut Rng, package: &Package) -> (Artifact, Vec<Artifact>) {
    let stem = package.name.replace('-', "_");
    let version = &package.version;
    let time = format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    );
    let artifact = |file: String, size: u64, rng: &mut Rng| Artifact {
        file,
        hash: rng.hex(64),
        size,
        time: time.clone(),
    };
    let sdist = artifact(
        format!("{stem}-{version}.tar.gz"),
        rng.range(10_000, 20_000_000) as u64,
        rng,
    );
    // Internal packages come from a private index as one pure wheel; a third of the others are compiled.
    let compiled = package.uses_numpy || (!package.name.starts_with("acme-") && rng.chance(30));
    let wheels = if compiled {
        let count = rng.range(4, TAGS.len());
        TAGS[..count]
            .iter()
            .map(|tag| {
                artifact(
                    format!("{stem}-{version}-{tag}.whl"),
                    rng.range(50_000, 30_000_000) as u64,
                    rng,
                )
            })
            .collect()
    } else {
        vec![artifact(
            format!("{stem}-{version}-py3-none-any.whl"),
            rng.range(5_000, 2_000_000) as u64,
            rng,
        )]
    };
    (sdist, wheels)
}

/// Where an index serves `file`, under a path of random hex as real indexes have.
fn url(rng: &mut Rng, file: &str) -> String {
    format!(
        "{FILES_URL}/{}/{}/{}/{file}",
        rng.hex(2),
        rng.hex(2),
        rng.hex(60)
    )
}

/// The packages a lockfile pins: 50–400, real ones first (all 146 at most), internal ones for the rest; with a
/// conflict, its two packages pinned as the conflict says and the rest NumPy-free.
fn lock_packages(rng: &mut Rng, pool: &Pool, conflict: Option<Conflict>) -> Vec<Package> {
    let count = rng.range(50, 400);
    let mut packages: Vec<Package> = if conflict.is_some() {
        let real = count.min(pool.numpy_free.len());
        pool.draw(rng, real, true).into_iter().cloned().collect()
    } else {
        let real = count.min(pool.real.len() - CONFLICT_NAMES.len());
        let mut packages: Vec<Package> = pool.draw(rng, real, false).into_iter().cloned().collect();
        // A real lock of this pool holds NumPy, and usually what conflicts name, at the versions uv chose.
        packages.extend(
            CONFLICT_NAMES
                .iter()
                .filter(|_| rng.chance(70))
                .map(|name| pool.get(name).clone()),
        );
        if !packages.iter().any(|package| package.name == "numpy") {
            packages.push(pool.get("numpy").clone());
        }
        packages
    };
    if let Some(conflict) = conflict {
        for requirement in conflict.requirements() {
            let (name, version) = requirement
                .split_once("==")
                .expect("a lock's conflict pins both packages");
            packages.push(Package {
                name: name.to_string(),
                version: version.to_string(),
                uses_numpy: true,
            });
        }
    }
    while packages.len() < count {
        let package = internal_package(rng);
        if !packages.iter().any(|p| p.name == package.name) {
            packages.push(package);
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages.dedup_by(|a, b| a.name == b.name);
    packages
}

/// A TOML lockfile of one array-of-tables entry per package: what its format writes differently.
pub(super) struct TomlLock {
    /// Before the packages; `{hash}` stands for a content hash drawn then, `{python}` for `python`.
    head: &'static str,
    /// The array of tables holding the packages.
    table: &'static str,
    /// A package's keys after its `name` and `version`; `{index}` stands for the index's URL.
    keys: &'static str,
    artifacts: ArtifactList,
    /// After the packages; `{hash}` and `{python}` as in `head`.
    tail: &'static str,
    /// What says which Python the lock is for, left out when the plan states none.
    python: &'static str,
}

/// How a [`TomlLock`] lists a package's artifacts.
enum ArtifactList {
    /// `sdist = { ... }` and `wheels = [ ... ]`: one inline table per artifact with its URL, written by the function
    /// from the URL and the artifact.
    Urls(fn(&str, &Artifact) -> String),
    /// `files = [ ... ]` of `{file = "...", hash = "sha256:..."}`, the wheels then the sdist.
    Files,
}

/// `uv.lock`.
pub(super) const UV: TomlLock = TomlLock {
    head: "version = 1\nrevision = 3\n{python}",
    table: "package",
    keys: "source = { registry = \"{index}\" }\n",
    artifacts: ArtifactList::Urls(|url, artifact| {
        format!(
            "{{ url = \"{url}\", hash = \"sha256:{}\", size = {}, upload-time = \"{}\" }}",
            artifact.hash, artifact.size, artifact.time
        )
    }),
    tail: "",
    python: "requires-python = \">=3.11, <3.12\"\n",
};

/// `poetry.lock`.
pub(super) const POETRY: TomlLock = TomlLock {
    head: "# This file is automatically @generated by Poetry 2.1.1 and should not be changed by hand.\n",
    table: "package",
    keys: "description = \"\"\noptional = false\npython-versions = \">=3.9\"\ngroups = [\"main\"]\n",
    artifacts: ArtifactList::Files,
    tail: "\n[metadata]\nlock-version = \"2.1\"\n{python}content-hash = \"{hash}\"\n",
    python: "python-versions = \">=3.11,<3.12\"\n",
};

/// `pdm.lock`.
pub(super) const PDM: TomlLock = TomlLock {
    head: "# This file is @generated by PDM.\n# It is not intended for manual editing.\n\n[metadata]\ngroups = [\"default\"]\nstrategy = [\"inherit_metadata\"]\nlock_version = \"4.5.0\"\ncontent_hash = \"sha256:{hash}\"\n{python}",
    table: "package",
    keys: "requires_python = \">=3.9\"\nsummary = \"\"\ngroups = [\"default\"]\n",
    artifacts: ArtifactList::Files,
    tail: "",
    python: "\n[[metadata.targets]]\nrequires_python = \"==3.11.*\"\n",
};

/// `pylock.toml` (PEP 751), as `uv export` writes it.
pub(super) const PYLOCK: TomlLock = TomlLock {
    head: "# This file was autogenerated by uv via the following command:\n#    uv export --format pylock.toml -o pylock.toml\nlock-version = \"1.0\"\ncreated-by = \"uv\"\n{python}",
    table: "packages",
    keys: "index = \"{index}\"\n",
    artifacts: ArtifactList::Urls(|url, artifact| {
        format!(
            "{{ url = \"{url}\", upload-time = {}, size = {}, hashes = {{ sha256 = \"{}\" }} }}",
            artifact.time, artifact.size, artifact.hash
        )
    }),
    tail: "",
    python: "requires-python = \">=3.11, <3.12\"\n",
};

impl TomlLock {
    pub(super) fn render(&self, rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
        let python = if file.python_pinned { self.python } else { "" };
        let mut text = fill(self.head, python, rng);
        let keys = fill(self.keys, python, rng);
        for package in lock_packages(rng, pool, file.conflict) {
            let (sdist, wheels) = artifacts(rng, &package);
            let _ = write!(
                text,
                "\n[[{}]]\nname = \"{}\"\nversion = \"{}\"\n{keys}",
                self.table, package.name, package.version
            );
            match self.artifacts {
                ArtifactList::Urls(inline) => {
                    let _ = writeln!(
                        text,
                        "sdist = {}\nwheels = [",
                        inline(&url(rng, &sdist.file), &sdist)
                    );
                    for wheel in &wheels {
                        let _ = writeln!(text, "    {},", inline(&url(rng, &wheel.file), wheel));
                    }
                }
                ArtifactList::Files => {
                    text.push_str("files = [\n");
                    for artifact in wheels.iter().chain([&sdist]) {
                        let _ = writeln!(
                            text,
                            "    {{file = \"{}\", hash = \"sha256:{}\"}},",
                            artifact.file, artifact.hash
                        );
                    }
                }
            }
            text.push_str("]\n");
        }
        text.push_str(&fill(self.tail, python, rng));
        text
    }
}

/// `template` with `{index}` replaced by the index's URL, `{python}` by `python` and `{hash}` by a content hash,
/// drawn only when asked for (a draw moves every later one).
fn fill(template: &str, python: &str, rng: &mut Rng) -> String {
    let text = template
        .replace("{index}", INDEX_URL)
        .replace("{python}", python);
    if text.contains("{hash}") {
        text.replace("{hash}", &rng.hex(64))
    } else {
        text
    }
}

/// `Pipfile.lock`, as pipenv writes it: JSON with a hash list per package.
pub(super) fn pipfile_lock(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let requires = if file.python_pinned {
        "\n        \"requires\": {\n            \"python_version\": \"3.11\"\n        },"
    } else {
        ""
    };
    let mut text = format!(
        "{{\n    \"_meta\": {{\n        \"hash\": {{\n            \"sha256\": \"{}\"\n        }},\n        \"pipfile-spec\": 6,{requires}\n        \"sources\": [\n            {{\n                \"name\": \"pypi\",\n                \"url\": \"{INDEX_URL}\",\n                \"verify_ssl\": true\n            }}\n        ]\n    }},\n    \"default\": {{",
        rng.hex(64)
    );
    let packages = lock_packages(rng, pool, file.conflict);
    for (i, package) in packages.iter().enumerate() {
        let (sdist, wheels) = artifacts(rng, package);
        let mut hashes: Vec<&str> = wheels
            .iter()
            .chain([&sdist])
            .map(|a| a.hash.as_str())
            .collect();
        hashes.sort_unstable();
        let _ = write!(
            text,
            "\n        \"{}\": {{\n            \"hashes\": [",
            package.name
        );
        for (j, hash) in hashes.iter().enumerate() {
            let comma = if j + 1 < hashes.len() { "," } else { "" };
            let _ = write!(text, "\n                \"sha256:{hash}\"{comma}");
        }
        let comma = if i + 1 < packages.len() { "," } else { "" };
        let _ = write!(
            text,
            "\n            ],\n            \"index\": \"pypi\",\n            \"markers\": \"python_version >= '3.9'\",\n            \"version\": \"=={}\"\n        }}{comma}",
            package.version
        );
    }
    text.push_str("\n    },\n    \"develop\": {}\n}\n");
    text
}

/// conda's channel for a generated conda package.
const CONDA_CHANNEL: &str = "https://conda.anaconda.invalid/conda-forge";

/// Where conda downloads `package` from: its build string is `py311h<hash>_0` for compiled packages (under
/// `linux-64/`), `pyhd8ed1ab_0` for pure ones (under `noarch/`).
fn conda_url(rng: &mut Rng, package: &Package) -> String {
    let (build, subdir) = if package.uses_numpy {
        (format!("py311h{}_0", rng.hex(7)), "linux-64")
    } else {
        ("pyhd8ed1ab_0".to_string(), "noarch")
    };
    format!(
        "{CONDA_CHANNEL}/{subdir}/{}-{}-{build}.conda",
        package.name, package.version
    )
}

/// conda-lock and pixi locks: the real packages and Python (unless `python` is false) from conda (NumPy at the
/// pool's version), the internal ones from the index through pip.
fn conda_lock_packages(rng: &mut Rng, pool: &Pool, python: bool) -> (Vec<Package>, Vec<Package>) {
    let mut packages = lock_packages(rng, pool, None);
    if python {
        packages.push(Package {
            name: "python".to_string(),
            version: "3.11.11".to_string(),
            uses_numpy: true,
        });
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages
        .into_iter()
        .partition(|package| !package.name.starts_with("acme-"))
}

/// `conda-lock.yml` (format 1), one platform.
pub(super) fn conda_lock(rng: &mut Rng, pool: &Pool, python: bool) -> String {
    let mut text = format!(
        "# This lock file was generated by conda-lock (https://github.com/conda/conda-lock). DO NOT EDIT!\nversion: 1\nmetadata:\n  content_hash:\n    linux-64: {}\n  channels:\n  - url: conda-forge\n    used_env_vars: []\n  platforms:\n  - linux-64\n  sources:\n  - environment.yml\npackage:\n",
        rng.hex(64)
    );
    let (conda, pip) = conda_lock_packages(rng, pool, python);
    // Without Python in the lock, what its packages need of Python is left out too.
    let depends = if python {
        "\n    python: '>=3.11,<3.12.0a0'"
    } else {
        " {}"
    };
    for package in &conda {
        let url = conda_url(rng, package);
        let _ = write!(
            text,
            "- name: {}\n  version: '{}'\n  manager: conda\n  platform: linux-64\n  dependencies:{depends}\n  url: {url}\n  hash:\n    md5: {}\n    sha256: {}\n  category: main\n  optional: false\n",
            package.name,
            package.version,
            rng.hex(32),
            rng.hex(64)
        );
    }
    for package in &pip {
        let (_, wheels) = artifacts(rng, package);
        let wheel = &wheels[0];
        let _ = write!(
            text,
            "- name: {}\n  version: '{}'\n  manager: pip\n  platform: linux-64\n  dependencies: {{}}\n  url: {}\n  hash:\n    sha256: {}\n  category: main\n  optional: false\n",
            package.name,
            package.version,
            url(rng, &wheel.file),
            wheel.hash
        );
    }
    text
}

/// `pixi.lock` (format 6), one environment on one platform.
pub(super) fn pixi_lock(rng: &mut Rng, pool: &Pool, python: bool) -> String {
    let (conda, pip) = conda_lock_packages(rng, pool, python);
    let conda_urls: Vec<(String, &Package)> = conda
        .iter()
        .map(|package| (conda_url(rng, package), package))
        .collect();
    let pip_urls: Vec<(String, &Package)> = pip
        .iter()
        .map(|package| {
            let file = format!(
                "{}-{}-py3-none-any.whl",
                package.name.replace('-', "_"),
                package.version
            );
            (url(rng, &file), package)
        })
        .collect();
    let mut text = format!(
        "version: 6\nenvironments:\n  default:\n    channels:\n    - url: {CONDA_CHANNEL}/\n    indexes:\n    - {INDEX_URL}\n    packages:\n      linux-64:\n"
    );
    for (url, _) in &conda_urls {
        let _ = writeln!(text, "      - conda: {url}");
    }
    for (url, _) in &pip_urls {
        let _ = writeln!(text, "      - pypi: {url}");
    }
    text.push_str("packages:\n");
    // Without Python in the lock, what its packages need of Python is left out too.
    let depends = if python {
        "  depends:\n  - python >=3.11,<3.12.0a0\n"
    } else {
        ""
    };
    for (url, _) in &conda_urls {
        let _ = write!(
            text,
            "- conda: {url}\n  sha256: {}\n  md5: {}\n{depends}",
            rng.hex(64),
            rng.hex(32)
        );
    }
    for (url, package) in &pip_urls {
        let _ = write!(
            text,
            "- pypi: {url}\n  name: {}\n  version: {}\n  sha256: {}\n  requires_python: '>=3.9'\n",
            package.name,
            package.version,
            rng.hex(64)
        );
    }
    text
}
