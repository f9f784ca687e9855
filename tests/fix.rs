//! `--fix`, `--unsafe-fixes` and `--diff` on files on disk: what is written, what is kept, what is refused.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

/// A requirements file whose NumPy line, in an included file with a byte order mark, CRLF line endings and a
/// comment, conflicts with TensorFlow 2.5's pin.
fn project(dir: &Path) {
    std::fs::create_dir(dir.join("include")).unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        "# TensorFlow 2.5 pins NumPy 1.19\ntensorflow==2.5.0  # ml\n-r include/numpy.txt\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("include/numpy.txt"),
        b"\xEF\xBB\xBFnumpy>=1.21  # floor\r\nrequests>=2.28\r\n",
    )
    .unwrap();
    std::fs::set_permissions(
        dir.join("include/numpy.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
}

fn nplint(dir: &Path, args: &[&str]) -> Output {
    common::nplint()
        .args([
            "check",
            "--python",
            "3.8",
            "--platform",
            "linux-x86_64",
            "--format",
            "concise",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn unsafe_fixes_are_applied_keeping_the_byte_order_mark_line_endings_comments_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    // Safe fixes only: the pin is unsafe, so nothing changes, and the run says how to apply it.
    let output = nplint(dir.path(), &["--fix", "requirements.txt"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 more fix is available with `--unsafe-fixes`"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");

    let output = nplint(dir.path(), &["--fix", "--unsafe-fixes", "requirements.txt"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("No problems"), "{stdout}");
    let path = dir.path().join("include/numpy.txt");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"\xEF\xBB\xBFnumpy==1.19.5  # floor\r\nrequests>=2.28\r\n"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // The file that was not edited is untouched.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("requirements.txt")).unwrap(),
        "# TensorFlow 2.5 pins NumPy 1.19\ntensorflow==2.5.0  # ml\n-r include/numpy.txt\n"
    );
}

#[test]
fn a_diff_shows_the_fix_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let before = std::fs::read(dir.path().join("include/numpy.txt")).unwrap();
    let output = nplint(
        dir.path(),
        &["--diff", "--unsafe-fixes", "requirements.txt"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        // The byte order mark is part of the first line, as `diff -u` shows it.
        "--- include/numpy.txt\n+++ include/numpy.txt\n@@ -1,2 +1,2 @@\n-\u{feff}numpy>=1.21  # floor\r\n+\u{feff}numpy==1.19.5  # floor\r\n requests>=2.28\r\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("include/numpy.txt")).unwrap(),
        before
    );
    // Nothing to fix: exit 0.
    let output = nplint(
        dir.path(),
        &["--diff", "--unsafe-fixes", "include/numpy.txt"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn a_symbolic_link_stays_one() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    std::fs::rename(
        dir.path().join("include/numpy.txt"),
        dir.path().join("include/real.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink("real.txt", dir.path().join("include/numpy.txt")).unwrap();
    let output = nplint(dir.path(), &["--fix", "--unsafe-fixes", "requirements.txt"]);
    assert_eq!(output.status.code(), Some(0));
    let link = dir.path().join("include/numpy.txt");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(dir.path().join("include/real.txt"))
            .unwrap()
            .contains("numpy==1.19.5")
    );
}

/// `text` written as `name` in a new directory, then fixed with `--fix --unsafe-fixes` on Linux x86-64 (and `args`):
/// the file before and after, with a byte order mark and carriage returns shown, for a snapshot. The fixed file
/// passes: the run that fixes it checks it again and exits 0.
fn before_and_after(name: &str, text: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let output = common::nplint()
        .args([
            "check",
            "--format",
            "concise",
            "--platform",
            "linux-x86_64",
            "--fix",
            "--unsafe-fixes",
        ])
        .args(args)
        .arg(name)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.starts_with("fixed "), "{stderr}");
    let after = std::fs::read_to_string(&path).unwrap();
    assert_ne!(after, text, "the fix changes the file");
    let shown = |text: &str| text.replace('\u{feff}', "<BOM>").replace('\r', "<CR>");
    format!("--- before\n{}\n--- after\n{}", shown(text), shown(&after))
}

#[test]
fn a_pyproject_toml_floor_raise_keeps_its_upper_bound_and_comments() {
    // `numpy>=2.1` needs CPython 3.10; 3.8 and 3.9 fail, each for its own reason (the releases that install on
    // 3.9 are not those for 3.8), and one floor serves both.
    insta::assert_snapshot!(before_and_after(
        "pyproject.toml",
        "[project]\nname = \"legacy-model\"\nversion = \"0.3.0\"\n# The cluster still runs 3.8.\n\
         requires-python = \">=3.8,   <3.14\"   # keep in sync with CI\ndependencies = [\n    'scipy',   # stats\n    \
         \"numpy >= 2.1\",  # new typing stubs\n]\n",
        &[],
    ));
}

#[test]
fn a_pyproject_toml_numpy_pin_keeps_its_marker_quotes_and_comments() {
    insta::assert_snapshot!(before_and_after(
        "pyproject.toml",
        "[project]\nname = \"tf-service\"\nversion = \"1.0\"\nrequires-python = \">=3.7,<3.10\"\ndependencies = [\n  \
         \"tensorflow == 2.5.0\",   # serving image\n  # typing stubs need 1.21\n  \
         \"numpy>=1.21 ; python_version >= '3.7'\",\n]\n",
        &[],
    ));
}

#[test]
fn an_environment_yml_numpy_pin_keeps_its_comments() {
    insta::assert_snapshot!(before_and_after(
        "environment.yml",
        "name: legacy  # old project\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.8   # the cluster's \
         Python\n  - tensorflow=2.5.0\n  # newer typing stubs\n  - numpy >=1.21  # see typing.md\n  - pip\n",
        &[],
    ));
}

#[test]
fn a_requirements_file_with_a_byte_order_mark_and_crlf_keeps_both() {
    insta::assert_snapshot!(before_and_after(
        "requirements.txt",
        "\u{feff}# TensorFlow 2.5 pins NumPy 1.19\r\ntensorflow==2.5.0  # ml\r\nnumpy>=1.21  # floor\r\n\r\nrequests\r\n",
        &["--python", "3.8"],
    ));
}

#[test]
fn a_requirements_file_pin_without_a_release_for_the_python_moves() {
    // `pandas==2.2.0` has no wheels for CPython 3.13: the pin moves to the oldest newer release that has them.
    insta::assert_snapshot!(before_and_after(
        "requirements.txt",
        "pandas==2.2.0   # reports\nnumpy<2.3\n",
        &["--python", "3.13"],
    ));
}
