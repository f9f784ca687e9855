//! Directory walks: ignore files, `--no-ignore`, default exclusions, and deterministic order.

use std::path::Path;
use std::process::Command;

fn files(dir: &Path, args: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_nplint"))
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
        Command::new(env!("CARGO_BIN_EXE_nplint"))
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
