//! Directory walks: ignore files, `--no-ignore`, default exclusions, and deterministic order.

mod common;

use std::path::Path;

fn files(dir: &Path, args: &[&str]) -> Vec<String> {
    let output = common::nplint()
        .args(["check", "--format", "json", "--isolated"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("nplint runs");
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap().to_owned())
        .collect()
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn ignore_files_apply_unless_no_ignore() {
    let dir = tree(&[
        (".ignore", "generated/\n"),
        ("requirements.txt", "numpy\n"),
        ("generated/requirements.txt", "numpy\n"),
        (".hidden/requirements.txt", "numpy\n"),
        (".venv/lib/requirements.txt", "numpy\n"),
        ("node_modules/x/requirements.txt", "numpy\n"),
    ]);
    assert_eq!(files(dir.path(), &["."]), ["requirements.txt"]);
    // Ignore files no longer apply; hidden directories and the default exclusions still do.
    assert_eq!(
        files(dir.path(), &[".", "--no-ignore"]),
        ["generated/requirements.txt", "requirements.txt"]
    );
}

#[test]
fn the_order_is_by_path_whatever_the_threads() {
    let mut entries = Vec::new();
    for i in 0..60 {
        entries.push((
            format!("svc-{:02}/requirements.txt", 59 - i),
            "numpy>=1.21\ntensorflow==2.5.0\n",
        ));
        entries.push((
            format!("svc-{i:02}/pyproject.toml"),
            "[project]\nname = \"x\"\nversion = \"0\"\ndependencies = [\"numpy\"]\n",
        ));
    }
    let borrowed: Vec<(&str, &str)> = entries.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let dir = tree(&borrowed);
    let run = |threads: &str| {
        common::nplint()
            .args([
                "check",
                ".",
                "--format",
                "concise",
                "--isolated",
                "--python",
                "3.8",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(dir.path())
            .output()
            .expect("nplint runs")
            .stdout
    };
    let strip_time = |out: Vec<u8>| {
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .filter(|line| !line.contains(" ms"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let one = strip_time(run("1"));
    let two = strip_time(run("2"));
    assert!(one.len() > 60, "{one:#?}");
    assert_eq!(one, two);
    let mut sorted = one.clone();
    sorted.sort();
    assert_eq!(one, sorted, "sorted by path, then position");
}

/// Excerpts of two real repositories' layouts (`tests/cmd/inputs/layouts/README.md` names the sources).
fn layouts() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd/inputs/layouts")
}

fn run_in(dir: &Path, args: &[&str]) -> String {
    let args: Vec<&str> = ["--isolated", "--python", "3.12"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    String::from_utf8(common::check(dir, &args)).expect("UTF-8")
}

#[test]
fn real_layouts_are_found_whole() {
    // Lightning-AI/pytorch-lightning splits its requirements into `requirements/<package>/` subfolders and keeps
    // a reference list as `loggers.info`; home-assistant/core keeps its pip constraints in
    // `homeassistant/package_constraints.txt`; EvaP's `requirements/README.txt` is prose.
    assert_eq!(
        files(&layouts(), &["."]),
        [
            "home-assistant/homeassistant/package_constraints.txt",
            "home-assistant/requirements.txt",
            "home-assistant/requirements_test.txt",
            "home-assistant/requirements_test_pre_commit.txt",
            "pytorch-lightning/requirements/_integrations/accelerators.txt",
            "pytorch-lightning/requirements/fabric/base.txt",
            "pytorch-lightning/requirements/fabric/test.txt",
            "pytorch-lightning/requirements/pytorch/base.txt",
            "pytorch-lightning/requirements/pytorch/test.txt",
            "pytorch-lightning/requirements.txt",
        ]
    );
}

/// Lightning's layout with a root made only of `-r ./...` lines, one of which leads to requirements nplint does not
/// know: the real `requirements/fabric/base.txt` (all known) and `requirements/_integrations/accelerators.txt`
/// (Lightning's accelerator plugins, outside the index). Lightning's own root includes only files whose every
/// package nplint now knows, so it has no finding to place.
fn include_only() -> tempfile::TempDir {
    let real = |path: &str| {
        std::fs::read_to_string(layouts().join("pytorch-lightning").join(path)).expect("fixture")
    };
    let base = real("requirements/fabric/base.txt");
    let accelerators = real("requirements/_integrations/accelerators.txt");
    tree(&[
        (
            "requirements.txt",
            "-r ./requirements/fabric/base.txt\n-r ./requirements/_integrations/accelerators.txt\n",
        ),
        ("requirements/fabric/base.txt", &base),
        ("requirements/_integrations/accelerators.txt", &accelerators),
    ])
}

#[test]
fn no_printed_path_has_a_current_dir_component() {
    let root = include_only();
    for format in ["full", "concise", "json", "sarif", "github"] {
        for path in [
            ".",
            "./",
            "./requirements.txt",
            "requirements/./../requirements.txt",
        ] {
            let out = run_in(root.path(), &[path, "--format", format]);
            // The included file's path is printed (in labels, or as a checked file), so the test can fail;
            // concise and github print only primary locations, which for the root file alone are in the root.
            if !matches!(format, "concise" | "github") || !path.ends_with("requirements.txt") {
                assert!(
                    out.contains("requirements/_integrations/accelerators.txt"),
                    "{format} {path}: {out}"
                );
            }
            assert!(!out.contains("/./"), "{format} {path}: {out}");
        }
    }
    for format in ["full", "json"] {
        let out = run_in(&layouts(), &["./pytorch-lightning", "--format", format]);
        assert!(!out.contains("/./"), "{format}: {out}");
    }
}

#[test]
fn paths_print_relative_to_the_working_directory_without_dot_slash() {
    // As ruff prints them: `./requirements.txt` is `requirements.txt`, and a walk of `.` names files from the
    // working directory.
    let root = include_only();
    let explicit = run_in(root.path(), &["./requirements.txt", "--format", "concise"]);
    let walked = run_in(root.path(), &[".", "--format", "concise"]);
    for out in [&explicit, &walked] {
        assert!(
            out.lines()
                .any(|line| line.starts_with("requirements.txt:2:1: info[unknown-package]")),
            "{out}"
        );
        assert!(
            out.lines()
                .all(|line| !line.starts_with('.') && !line.starts_with('/')),
            "{out}"
        );
    }
    assert!(
        walked
            .lines()
            .any(|line| line.starts_with("requirements/_integrations/accelerators.txt:")),
        "{walked}"
    );
}

/// A requirements file made only of `-r` lines (Lightning's `requirements.txt`): the environment's findings are
/// reported in it, on the include line that leads to the first requirement left out, and each requirement left out
/// is labelled on its own line in its own file.
#[test]
fn environment_findings_stand_in_the_root_file() {
    let root = include_only();
    let out = run_in(root.path(), &["requirements.txt", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let unknown: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|diagnostic| diagnostic["rule"] == "unknown-package")
        .collect();
    assert_eq!(unknown.len(), 1, "{out}");
    let finding = unknown[0];
    // On the include line that leads to the packages left out, not at line 1 of the included file.
    assert_eq!(finding["path"], "requirements.txt");
    assert_eq!(finding["span"]["start"]["line"], 2);
    let labels = finding["labels"].as_array().unwrap();
    // Each package left out is labelled on its own line in the file that holds it.
    assert_eq!(labels.len(), 2, "{finding:#}");
    for (label, line) in labels.iter().zip([2, 3]) {
        assert_eq!(label["path"], "requirements/_integrations/accelerators.txt");
        assert_eq!(label["span"]["start"]["line"], line, "{finding:#}");
    }
}
