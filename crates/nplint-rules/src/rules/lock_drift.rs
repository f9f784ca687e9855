//! `lock-drift`: a lockfile pins a NumPy-relevant package outside the range its sibling manifest declares.

use std::collections::HashMap;
use std::path::Path;

use nplint_diagnostics::Diagnostic;
use nplint_index::{Index, PackageName, Version};
use nplint_manifest::{Manifest, Requirement, Role, Section};

use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Compares a lockfile with the manifest it was made from, in the same directory: `uv.lock`, `poetry.lock`
    /// and `pdm.lock` with `pyproject.toml`, `Pipfile.lock` with `Pipfile`. It reports a locked version of NumPy,
    /// or of a package that depends on NumPy (one in nplint's index), that the manifest's requirements on that
    /// package no longer admit, with a label in each file.
    ///
    /// Every requirement of the manifest's environments is compared (project dependencies, extras, dependency
    /// groups, Poetry groups, Pipenv's `packages` and `dev-packages`), except `[build-system]` and requirements
    /// with a marker. A lock that forks (uv writes a package once per Python range) drifts only when none of its
    /// versions of the package is admitted.
    ///
    /// ## Why is this bad?
    /// The lock is what gets installed (`uv sync`, `poetry install`, `pipenv sync`), so the range the project
    /// declares is not the one it runs with: a lock edited by hand, or not made again after the manifest changed,
    /// installs a NumPy the project says it does not support. nplint's other rules check the lock's exact
    /// versions, which no longer describe the project.
    ///
    /// ## Example
    /// ```toml
    /// # pyproject.toml
    /// [project]
    /// dependencies = ["numpy>=2"]
    /// ```
    /// ```toml
    /// # uv.lock
    /// [[package]]
    /// name = "numpy"
    /// version = "1.26.4"
    /// ```
    ///
    /// ## How to fix
    /// Make the lock again with the tool that wrote it (`uv lock`, `poetry lock`, `pdm lock`, `pipenv lock`), or
    /// change the manifest's range if the locked version is the one you want.
    ///
    /// ## References
    /// - [uv: locking and syncing](https://docs.astral.sh/uv/concepts/projects/sync/)
    /// - [Poetry: the lock file](https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock)
    /// - [Pipenv: Pipfile and Pipfile.lock](https://pipenv.pypa.io/en/latest/pipfile.html)
    /// - [PEP 440 – Version specifiers](https://peps.python.org/pep-0440/#version-specifiers)
    name: "lock-drift",
    code: "NPL013",
    severity: Error,
}

/// One locked version of a package: the entry and its version.
struct Locked<'a> {
    requirement: &'a Requirement,
    version: &'a Version,
}

/// The findings of `lock` against `manifest`, its sibling manifest.
pub(crate) fn check(
    index: &Index,
    lock: &Manifest,
    manifest: &Manifest,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut unmarked: HashMap<&PackageName, Vec<Locked>> = HashMap::new();
    let mut marked: HashMap<&PackageName, Vec<Locked>> = HashMap::new();
    for requirement in &lock.requirements {
        if requirement.origin.section != Section::Locked {
            continue;
        }
        let (Some(name), Some(version)) = (&requirement.name, pinned(requirement)) else {
            continue;
        };
        let entries = if requirement.marker.is_true() {
            &mut unmarked
        } else {
            &mut marked
        };
        entries.entry(name).or_default().push(Locked {
            requirement,
            version,
        });
    }

    for requirement in checked_requirements(index, manifest) {
        // Invariant: `checked_requirements` yields named requirements only.
        let name = requirement.name.as_ref().expect("a named requirement");
        if let Some(entries) = unmarked.get(name) {
            for entry in entries {
                if !requirement.specifiers.contains(entry.version) {
                    diagnostics.push(diagnostic(lock, manifest, requirement, &[entry]));
                }
            }
        } else if let Some(entries) = marked.get(name)
            && !entries
                .iter()
                .any(|entry| requirement.specifiers.contains(entry.version))
        {
            let entries: Vec<&Locked> = entries.iter().collect();
            diagnostics.push(diagnostic(lock, manifest, requirement, &entries));
        }
    }
}

/// The manifest's requirements that a lock must satisfy: those of its environments, outside `[build-system]`,
/// named, with versions, without a marker, on a NumPy-relevant package. A package with an override (uv's
/// `override-dependencies`) is compared with its overrides only, as they replace every other requirement on it.
fn checked_requirements<'m>(index: &Index, manifest: &'m Manifest) -> Vec<&'m Requirement> {
    let mut in_environments = vec![false; manifest.requirements.len()];
    for environment in &manifest.environments {
        for &requirement in &environment.requirements {
            in_environments[requirement] = true;
        }
    }
    let candidates: Vec<&Requirement> = manifest
        .requirements
        .iter()
        .zip(in_environments)
        .filter(|(requirement, in_environment)| {
            *in_environment
                && requirement.origin.section != Section::BuildSystem
                && !requirement.specifiers.is_empty()
                && requirement.marker.is_true()
                && requirement
                    .name
                    .as_ref()
                    .is_some_and(|name| name.as_ref() == "numpy" || index.package(name).is_some())
        })
        .map(|(requirement, _)| requirement)
        .collect();
    let overridden: Vec<&PackageName> = candidates
        .iter()
        .filter(|requirement| requirement.role == Role::Override)
        .filter_map(|requirement| requirement.name.as_ref())
        .collect();
    candidates
        .into_iter()
        .filter(|requirement| {
            requirement.role == Role::Override
                || !requirement
                    .name
                    .as_ref()
                    .is_some_and(|name| overridden.contains(&name))
        })
        .collect()
}

/// The version a lock entry pins (`==version`), if it pins exactly one.
fn pinned(requirement: &Requirement) -> Option<&Version> {
    let mut specifiers = requirement.specifiers.iter();
    let specifier = specifiers.next()?;
    // `pep440_rs::Operator::Equal`, named by its text: this crate reaches PEP 440 through `nplint-index`.
    (specifiers.next().is_none() && specifier.operator().to_string() == "==")
        .then(|| specifier.version())
}

fn diagnostic(
    lock: &Manifest,
    manifest: &Manifest,
    requirement: &Requirement,
    entries: &[&Locked],
) -> Diagnostic {
    let file = file_name(&manifest.path);
    let locked: Vec<String> = entries
        .iter()
        .map(|entry| format!("`{}`", entry.requirement.display()))
        .collect();
    let (locked, verb) = match locked.as_slice() {
        [one] => (one.clone(), "is"),
        [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "are"),
        [] => (String::new(), "is"),
    };
    let message = format!(
        "{locked} {verb} locked, but `{file}` requires `{}`",
        requirement.display()
    );
    // Invariant: called with at least one entry.
    let (first, others) = entries.split_first().expect("at least one lock entry");
    let outside = format!("outside `{}`", requirement.specifiers);
    let mut diagnostic = Diagnostic::new(
        RULE.id,
        RULE.default_severity,
        message,
        first.requirement.location.clone(),
    )
    .with_primary_label(format!("locked at {}, {outside}", first.version));
    for entry in others {
        diagnostic = diagnostic.with_label(
            entry.requirement.location.clone(),
            format!("locked at {}, {outside}", entry.version),
        );
    }
    diagnostic
        .with_label(
            requirement.location.clone(),
            format!("`{file}` requires `{}`", requirement.specifiers),
        )
        .with_help(format!(
            "lock again{}: the lock no longer matches the project's requirements",
            lock.format
                .relock_command()
                .map(|command| format!(" (`{command}`)"))
                .unwrap_or_default()
        ))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use nplint_manifest::{Format, MemoryLoader};

    use super::*;

    fn load(name: &'static str, format: Format, text: &str) -> Manifest {
        let files = MemoryLoader::from([(name, text)]);
        nplint_manifest::load(&PathBuf::from(name), format, &files).expect("in memory")
    }

    /// A `uv.lock` with one `[[package]]` per `(name, version, resolution marker)`.
    fn uv_lock(packages: &[(&str, &str, Option<&str>)]) -> Manifest {
        use std::fmt::Write;

        let mut text = String::from("version = 1\nrevision = 3\nrequires-python = \">=3.10\"\n");
        for (name, version, marker) in packages {
            let _ = write!(
                text,
                "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = {{ registry = \"https://index.invalid/simple\" }}\n"
            );
            if let Some(marker) = marker {
                let _ = writeln!(text, "resolution-markers = [\"{marker}\"]");
            }
        }
        load("uv.lock", Format::UvLock, &text)
    }

    fn pyproject(dependencies: &str) -> Manifest {
        let text = format!(
            "[project]\nname = \"sample\"\nversion = \"0.1.0\"\ndependencies = [{dependencies}]\n\n[build-system]\nrequires = [\"numpy<2\"]\n"
        );
        load("pyproject.toml", Format::Pyproject, &text)
    }

    /// NumPy, and two packages that depend on it; `requests` is not in it.
    fn index() -> &'static Index {
        static INDEX: std::sync::OnceLock<&'static Index> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| {
            nplint_index::IndexBuilder::new()
                .pure("numpy", "1.26.4", &[])
                .pure("numpy", "2.2.6", &[])
                .pure("pandas", "2.2.3", &["numpy>=1.22.4"])
                .pure("scipy", "1.11.4", &["numpy>=1.21.6,<1.28.0"])
                .build()
                .unwrap()
        })
    }

    fn findings(lock: &Manifest, manifest: &Manifest) -> Vec<Diagnostic> {
        assert!(lock.issues.is_empty(), "{:?}", lock.issues);
        assert!(manifest.issues.is_empty(), "{:?}", manifest.issues);
        let mut diagnostics = Vec::new();
        check(index(), lock, manifest, &mut diagnostics);
        diagnostics
    }

    fn messages(lock: &Manifest, manifest: &Manifest) -> Vec<String> {
        findings(lock, manifest)
            .into_iter()
            .map(|diagnostic| diagnostic.message)
            .collect()
    }

    #[test]
    fn drift_is_labelled_in_both_files() {
        let lock = uv_lock(&[("numpy", "1.26.4", None)]);
        let manifest = pyproject(r#""numpy>=2""#);
        let findings = findings(&lock, &manifest);
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(
            finding.message,
            "`numpy==1.26.4` is locked, but `pyproject.toml` requires `numpy>=2`"
        );
        assert_eq!(finding.location.file.path(), Path::new("uv.lock"));
        assert!(
            finding
                .location
                .text()
                .starts_with("[[package]]\nname = \"numpy\"")
        );
        assert_eq!(
            finding.primary_label.as_deref(),
            Some("locked at 1.26.4, outside `>=2`")
        );
        assert_eq!(finding.labels.len(), 1);
        assert_eq!(finding.labels[0].location.text(), "numpy>=2");
        assert_eq!(
            finding.labels[0].location.file.path(),
            Path::new("pyproject.toml")
        );
        assert_eq!(
            finding.help.as_deref(),
            Some("lock again (`uv lock`): the lock no longer matches the project's requirements")
        );
    }

    #[test]
    fn no_drift() {
        let lock = uv_lock(&[("numpy", "2.2.6", None), ("pandas", "2.2.3", None)]);
        let manifest = pyproject(r#""numpy>=2", "pandas~=2.2""#);
        assert_eq!(messages(&lock, &manifest), Vec::<String>::new());
    }

    #[test]
    fn a_package_that_depends_on_numpy_drifts_too() {
        let lock = uv_lock(&[("numpy", "2.2.6", None), ("pandas", "2.1.0", None)]);
        let manifest = pyproject(r#""numpy", "pandas>=2.2""#);
        assert_eq!(
            messages(&lock, &manifest),
            ["`pandas==2.1.0` is locked, but `pyproject.toml` requires `pandas>=2.2`"]
        );
    }

    #[test]
    fn packages_without_numpy_are_ignored() {
        let lock = uv_lock(&[("numpy", "2.2.6", None), ("requests", "2.0.0", None)]);
        let manifest = pyproject(r#""numpy>=2", "requests>=2.28""#);
        assert_eq!(messages(&lock, &manifest), Vec::<String>::new());
    }

    #[test]
    fn build_requirements_and_markers_are_ignored() {
        // `[build-system] requires = ["numpy<2"]` and a marked requirement do not bind the lock.
        let lock = uv_lock(&[("numpy", "2.2.6", None)]);
        let manifest = pyproject(r#""numpy>=2", "numpy<2; sys_platform == 'win32'""#);
        assert_eq!(messages(&lock, &manifest), Vec::<String>::new());
    }

    #[test]
    fn forks_drift_only_when_no_version_is_admitted() {
        let forked = [
            ("numpy", "2.2.6", Some("python_full_version < '3.11'")),
            ("numpy", "2.4.6", Some("python_full_version >= '3.11'")),
        ];
        let lock = uv_lock(&forked);
        // Some fork satisfies `numpy>=2.4`: the other may be locked for a Python where 2.4 does not install.
        assert_eq!(
            messages(&lock, &pyproject(r#""numpy>=2.4""#)),
            Vec::<String>::new()
        );
        let findings = findings(&lock, &pyproject(r#""numpy>=2.5""#));
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "`numpy==2.2.6` and `numpy==2.4.6` are locked, but `pyproject.toml` requires `numpy>=2.5`"
        );
        // Each locked entry is labelled, then the requirement.
        assert_eq!(findings[0].labels.len(), 2);
    }

    #[test]
    fn an_unmarked_entry_is_compared_and_marked_ones_are_not() {
        let lock = uv_lock(&[
            ("numpy", "1.26.4", None),
            ("numpy", "2.2.6", Some("python_full_version >= '3.11'")),
        ]);
        assert_eq!(
            messages(&lock, &pyproject(r#""numpy>=2""#)),
            ["`numpy==1.26.4` is locked, but `pyproject.toml` requires `numpy>=2`"]
        );
    }

    #[test]
    fn overrides_replace_the_other_requirements() {
        let lock = uv_lock(&[("numpy", "1.26.4", None)]);
        let text = "[project]\nname = \"sample\"\nversion = \"0.1.0\"\ndependencies = [\"numpy>=2\"]\n\n[tool.uv]\noverride-dependencies = [\"numpy<2\"]\n";
        let manifest = load("pyproject.toml", Format::Pyproject, text);
        assert_eq!(messages(&lock, &manifest), Vec::<String>::new());
    }

    #[test]
    fn pipfile_and_its_lock() {
        let lock = load(
            "Pipfile.lock",
            Format::PipfileLock,
            r#"{"default": {"numpy": {"version": "==1.26.4", "markers": "python_version >= '3.9'"}},
"develop": {"scipy": {"version": "==1.11.4"}}}"#,
        );
        let manifest = load(
            "Pipfile",
            Format::Pipfile,
            "[packages]\nnumpy = \">=2\"\n\n[dev-packages]\nscipy = \"*\"\n",
        );
        let findings = findings(&lock, &manifest);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "`numpy==1.26.4` is locked, but `Pipfile` requires `numpy>=2`"
        );
        assert_eq!(
            findings[0].help.as_deref(),
            Some(
                "lock again (`pipenv lock`): the lock no longer matches the project's requirements"
            )
        );
    }
}
