//! Rendering: the text of one planned file, a pure function of its plan entry and the pool. Manifests (files people
//! write) are in [`manifest`], lockfiles (files tools write) in [`lock`].

mod lock;
mod manifest;

use super::plan::{Kind, Planned};
use super::pool::Pool;
use super::rng::Rng;

/// Written into generated files in place of a package index: a reserved, unresolvable host.
const INDEX_URL: &str = "https://index.invalid/simple";

/// The text of `file`, drawn from its own generator so that it does not depend on the order files are rendered.
pub(super) fn render(file: &Planned, pool: &Pool) -> String {
    let mut rng = Rng::new(file.seed);
    let rng = &mut rng;
    match file.kind {
        Kind::Requirements | Kind::RequirementsIn => manifest::requirements(rng, pool, file),
        Kind::Constraints => manifest::constraints(rng, pool),
        Kind::Pyproject => manifest::pyproject(rng, pool, file),
        Kind::CondaEnv => manifest::conda_env(rng, pool, file),
        Kind::Pipfile => manifest::pipfile(rng, pool, file),
        Kind::UvLock => lock::UV.render(rng, pool, file),
        Kind::PoetryLock => lock::POETRY.render(rng, pool, file),
        Kind::PdmLock => lock::PDM.render(rng, pool, file),
        Kind::Pylock => lock::PYLOCK.render(rng, pool, file),
        Kind::PipfileLock => lock::pipfile_lock(rng, pool, file),
        Kind::CondaLock => lock::conda_lock(rng, pool, file.python_pinned),
        Kind::PixiLock => lock::pixi_lock(rng, pool, file.python_pinned),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::bench::plan::{Conflict, Python, Share, plan};
    use crate::bench::pool::CONFLICT_NAMES;
    use crate::bench::pool::tests::pool;

    #[test]
    fn every_file_is_detected_as_its_format() {
        let pool = pool();
        let plan = plan(42, 400, 5, Python::Stated);
        for file in &plan.files {
            let format = nplint_manifest::detect_format(Path::new(&file.path), false);
            assert_eq!(format, Some(file.kind.format()), "{}", file.path);
            assert!(!render(file, &pool).is_empty());
        }
        for (path, _) in &plan.decoys {
            let inside = path.contains("/.venv/")
                || path.contains("/node_modules/")
                || path.starts_with("build/")
                || path.contains("/.cache/")
                || path.starts_with('.');
            assert!(inside, "a decoy outside the skipped places: {path}");
        }
    }

    #[test]
    fn lockfiles_have_realistic_sizes() {
        let pool = pool();
        let plan = plan(42, 400, 0, Python::Stated);
        for file in plan
            .files
            .iter()
            .filter(|file| file.kind.share() == Share::Lock && file.kind != Kind::Pipfile)
        {
            let text = render(file, &pool);
            let entries = text.matches("name = \"").count()
                + text.matches("\"hashes\"").count()
                + text.matches("- name: ").count()
                + text.matches("\n- conda: ").count()
                + text.matches("\n- pypi: ").count();
            assert!(
                (50..=420).contains(&entries),
                "{}: {entries} packages",
                file.path
            );
        }
    }

    #[test]
    fn conflicts_are_exact_and_well_formed() {
        let pool = pool();
        let plan = plan(42, 1000, 5, Python::Stated);
        let conflicted: Vec<&Planned> = plan
            .files
            .iter()
            .filter(|file| file.conflict.is_some())
            .collect();
        assert_eq!(conflicted.len(), 50);
        for file in conflicted {
            let conflict = file.conflict.unwrap();
            assert!(file.eligible);
            assert!(
                conflict != Conflict::TensorflowNumpy || !file.python_pinned,
                "{}",
                file.path
            );
            let text = render(file, &pool);
            for requirement in conflict.requirements() {
                let (name, version) = requirement.split_once(['=', '>']).unwrap();
                let version = version.trim_start_matches(['=', '>']);
                assert!(
                    text.contains(requirement)
                        || text.contains(&format!("{name}={version}"))
                        || text.contains(&format!("\"{name}\"\nversion = \"{version}\""))
                        || text.contains(&format!("\"{name}\": {{")),
                    "{} lacks {requirement}:\n{text}",
                    file.path
                );
            }
            // Nothing else in the file names a conflict's packages.
            for name in CONFLICT_NAMES {
                let named = text.lines().filter(|line| {
                    let line = line.trim_start_matches([' ', '-', '"']);
                    (line.starts_with(name)
                        && line[name.len()..].starts_with(['=', '>', '<', '~', '"', ' ']))
                        || line == *name
                });
                assert!(named.count() <= 1, "{}: {name} twice", file.path);
            }
        }
    }

    #[test]
    fn an_unstated_tree_states_no_python() {
        let pool = pool();
        let plan = plan(42, 400, 5, Python::Unstated);
        assert!(plan.configs.is_empty());
        let statements = [
            "requires-python",
            "requires_python = \"==",
            "\npython = \"",
            "python=3",
            "\"python_version\": ",
            "python_version = ",
            "python-versions = \">=3.11",
            "- name: python\n",
            "python >=3.11",
            "python: '>=3.11",
        ];
        for file in &plan.files {
            let text = render(file, &pool);
            for statement in statements {
                assert!(!text.contains(statement), "{}: {statement}", file.path);
            }
        }
        // The tree of the same seed that states it does so in every file but some requirements files.
        let stated = crate::bench::plan::plan(42, 400, 5, Python::Stated);
        let silent = stated
            .files
            .iter()
            .filter(|file| !statements.iter().any(|s| render(file, &pool).contains(s)))
            .all(|file| {
                matches!(
                    file.kind,
                    Kind::Requirements | Kind::RequirementsIn | Kind::Constraints
                )
            });
        assert!(silent);
    }
}
