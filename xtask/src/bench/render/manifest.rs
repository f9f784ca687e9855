//! Manifests: the files people write (requirements files, `pyproject.toml`, `environment.yml`, `Pipfile`), with
//! ranges rather than pins, internal packages, and a planned conflict's two requirements among the others.

use std::fmt::Write as _;

use super::INDEX_URL;
use crate::bench::plan::{Conflict, Planned};
use crate::bench::pool::{Pool, WORDS, internal_package, range_spec, release};
use crate::bench::rng::Rng;

/// What `tensorflow==2.5.0` requires besides NumPy (`~=` pins of old releases): kept out of a file that carries its
/// conflict, where one would turn the NumPy conflict into another.
const TENSORFLOW_2_5_DEPS: &[&str] = &[
    "absl-py",
    "astunparse",
    "flatbuffers",
    "gast",
    "google-pasta",
    "grpcio",
    "h5py",
    "keras-nightly",
    "keras-preprocessing",
    "opt-einsum",
    "protobuf",
    "six",
    "tensorboard",
    "tensorflow-estimator",
    "termcolor",
    "typing-extensions",
    "wheel",
    "wrapt",
];

/// The requirements a manifest declares: real ranges, some internal packages, and the conflict's pair.
fn declared(rng: &mut Rng, pool: &Pool, file: &Planned, lo: usize, hi: usize) -> Vec<String> {
    let count = rng.range(lo, hi);
    let conflict = file.conflict;
    let internal = if file.public_only {
        0
    } else {
        rng.below(count / 3 + 1)
    };
    let mut lines: Vec<String> = pool
        .draw(rng, count.saturating_sub(internal), conflict.is_some())
        .into_iter()
        .filter(|package| {
            conflict != Some(Conflict::TensorflowNumpy)
                || !TENSORFLOW_2_5_DEPS.contains(&package.name.as_str())
        })
        .map(|package| range_spec(rng, package))
        .collect();
    for _ in 0..internal {
        let package = internal_package(rng);
        lines.push(format!("{}>={}", package.name, package.version));
    }
    if let Some(conflict) = conflict {
        let [first, second] = conflict.requirements();
        let at = rng.below(lines.len() + 1);
        lines.insert(at, first.to_string());
        let at = rng.range(at + 1, lines.len());
        lines.insert(at, second.to_string());
    }
    lines
}

/// Between `lo` and `hi` NumPy-free real packages as ranges: optional dependencies, dev groups, pip sections.
fn extra_ranges(rng: &mut Rng, pool: &Pool, lo: usize, hi: usize) -> Vec<String> {
    pool.draw_between(rng, lo, hi, true)
        .into_iter()
        .map(|package| range_spec(rng, package))
        .collect()
}

pub(super) fn requirements(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# {} dependencies", rng.pick(WORDS));
    if let Some((option, name)) = &file.include {
        let _ = writeln!(text, "{option} {name}");
    }
    let (lo, hi) = if file.include.is_some() {
        (3, 12)
    } else {
        (5, 40)
    };
    for line in declared(rng, pool, file, lo, hi) {
        if rng.chance(8) {
            let _ = writeln!(text, "{line}  # {}", rng.pick(WORDS));
        } else {
            let _ = writeln!(text, "{line}");
        }
        if rng.chance(5) {
            text.push('\n');
        }
    }
    text
}

/// A `constraints.txt`: exact pins of the lock's versions.
pub(super) fn constraints(rng: &mut Rng, pool: &Pool) -> String {
    let mut text = String::from("# Pins shared by this service's requirements files.\n");
    for package in pool.draw_between(rng, 5, 40, false) {
        let _ = writeln!(text, "{}=={}", package.name, package.version);
    }
    text
}

fn toml_array(lines: &[String]) -> String {
    let mut text = String::from("[\n");
    for line in lines {
        let _ = writeln!(text, "    \"{line}\",");
    }
    text.push(']');
    text
}

pub(super) fn pyproject(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let name = format!("acme-{}-{:03}", rng.pick(WORDS), rng.below(1000));
    let requirements = declared(rng, pool, file, 3, 25);
    // Poetry style for a fifth of the stand-alone files (a conflict stays PEP 621, where its text is PEP 508).
    if file.conflict.is_none() && rng.chance(20) {
        let mut text = format!(
            "[tool.poetry]\nname = \"{name}\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = [\"Acme <dev@acme.invalid>\"]\n\n[tool.poetry.dependencies]\n"
        );
        if file.python_pinned {
            text.push_str("python = \">=3.11,<3.12\"\n");
        }
        for package in pool.draw_between(rng, 3, 20, false) {
            let parts = release(&package.version);
            match parts.as_slice() {
                [major, minor, ..] => {
                    let _ = writeln!(text, "{} = \"^{major}.{minor}\"", package.name);
                }
                _ => {
                    let _ = writeln!(text, "{} = \"*\"", package.name);
                }
            }
        }
        text.push_str("\n[tool.poetry.group.dev.dependencies]\npytest = \"^8.0\"\n\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n");
        return text;
    }
    let mut text = format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    if file.python_pinned {
        text.push_str("requires-python = \">=3.11,<3.12\"\n");
    }
    let _ = writeln!(text, "dependencies = {}\n", toml_array(&requirements));
    let extras = extra_ranges(rng, pool, 1, 5);
    let _ = writeln!(
        text,
        "[project.optional-dependencies]\nextra = {}\n",
        toml_array(&extras)
    );
    let dev = extra_ranges(rng, pool, 1, 6);
    let _ = writeln!(text, "[dependency-groups]\ndev = {}\n", toml_array(&dev));
    text.push_str(
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
    );
    text
}

pub(super) fn conda_env(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let mut text = format!(
        "name: {}\nchannels:\n  - conda-forge\ndependencies:\n",
        rng.pick(WORDS)
    );
    if file.python_pinned {
        text.push_str("  - python=3.11\n");
    }
    let conda = pool.draw_between(rng, 4, 20, file.conflict.is_some());
    for package in conda {
        let parts = release(&package.version);
        match (rng.below(3), parts.as_slice()) {
            (0, [major, minor, ..]) => {
                let _ = writeln!(text, "  - {}>={major}.{minor}", package.name);
            }
            (1, _) => {
                let _ = writeln!(text, "  - {}={}", package.name, package.version);
            }
            _ => {
                let _ = writeln!(text, "  - {}", package.name);
            }
        }
    }
    if file.conflict == Some(Conflict::PandasNumpy2) {
        text.push_str("  - pandas=2.1.4\n  - numpy>=2\n");
    }
    text.push_str("  - pip\n  - pip:\n");
    for line in extra_ranges(rng, pool, 1, 6) {
        let _ = writeln!(text, "    - {line}");
    }
    for _ in 0..rng.below(3) {
        let package = internal_package(rng);
        let _ = writeln!(text, "    - {}=={}", package.name, package.version);
    }
    text
}

pub(super) fn pipfile(rng: &mut Rng, pool: &Pool, file: &Planned) -> String {
    let mut text = format!(
        "[[source]]\nurl = \"{INDEX_URL}\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\n"
    );
    for package in pool.draw_between(rng, 3, 15, false) {
        let _ = writeln!(text, "{} = \"*\"", package.name);
    }
    text.push_str("\n[dev-packages]\npytest = \"*\"\n");
    if file.python_pinned {
        text.push_str("\n[requires]\npython_version = \"3.11\"\n");
    }
    text
}
