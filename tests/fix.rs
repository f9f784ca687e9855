//! `--fix`, `--unsafe-fixes` and `--diff` on files on disk: what is written, what is kept, what is refused.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

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
    Command::new(env!("CARGO_BIN_EXE_nplint"))
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
