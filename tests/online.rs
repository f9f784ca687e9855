//! `nplint check --online` against a package index served on 127.0.0.1 by the test: made-up packages read
//! through the simple API and their metadata files, laid over the index; the cache, retries, timeouts and
//! credentials.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use nplint_registry::testing::{Answer, Request, Server, answer};

/// `nplint check` of `dir`'s files (`--format concise` unless `args` name a format), with the cache in `cache`,
/// and `args` and `env` added. No index variable of the caller's environment reaches it.
fn check(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["check"];
    if !args.contains(&"--format") {
        all.extend(["--format", "concise"]);
    }
    all.extend(args);
    run(dir, cache, &all, env)
}

/// `nplint ARGS` in `dir` on linux-x86_64 and Python 3.12 unless `args` name a Python, with the cache in `cache`
/// and `env` added.
fn run(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = common::nplint();
    command.current_dir(dir).args(args);
    if !args.contains(&"--python") {
        command.args(["--python", "3.12"]);
    }
    command
        .args(["--platform", "linux-x86_64"])
        .env("NPLINT_CACHE_DIR", cache)
        .env("NPLINT_HTTP_RETRIES", "1")
        .env("NETRC", dir.join("no-netrc"));
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `nplint check --online` of `dir`'s files against the index at `url`, as [`check`] runs it.
fn check_online(dir: &Path, cache: &Path, url: &str) -> Output {
    check(dir, cache, &["--online", "--index-url", url], &[])
}

/// That an output stream says `needle`; the whole stream when it does not.
#[track_caller]
fn assert_says(stream: &[u8], needle: &str) {
    let text = text(stream);
    assert!(text.contains(needle), "{text}");
}

/// The findings a run printed, without the summary line's timing.
fn findings(output: &Output) -> Vec<String> {
    text(&output.stdout)
        .lines()
        .filter(|line| !line.ends_with(" ms"))
        .map(str::to_owned)
        .collect()
}

/// The metadata file of `name` `version`, requiring `requires`.
fn metadata(name: &str, version: &str, requires: &[&str]) -> String {
    let mut text = format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Python: >=3.8\n"
    );
    for requirement in requires {
        let _ = writeln!(text, "Requires-Dist: {requirement}");
    }
    text
}

/// A PEP 691 project page of `name` with one pure wheel per version, each with a metadata file.
fn page(name: &str, versions: &[&str]) -> String {
    // A wheel's file name spells the project with underscores.
    let wheel = name.replace('-', "_");
    let files: Vec<String> = versions
        .iter()
        .enumerate()
        .map(|(day, version)| {
            format!(
                r#"{{"filename": "{wheel}-{version}-py3-none-any.whl",
                    "url": "../../files/{wheel}-{version}-py3-none-any.whl",
                    "requires-python": ">=3.8", "upload-time": "2025-03-{:02}T10:00:00.000000Z",
                    "size": 1000, "core-metadata": true}}"#,
                day + 1
            )
        })
        .collect();
    format!(
        r#"{{"meta": {{"api-version": "1.1"}}, "name": "{name}", "versions": {versions:?}, "files": [{}]}}"#,
        files.join(", ")
    )
}

/// The made-up index: `oldnumpy-user` 1.0 requires `numpy<1.20` and `helper-lib`, which the index does not know
/// either; `helper-lib` 0.5 requires nothing. Project pages carry an `ETag` and answer 304 to it.
fn made_up_index(request: &Request) -> Option<Answer> {
    let json = |body: String| {
        Some(Answer {
            status: 200,
            headers: vec![
                (
                    "Content-Type",
                    "application/vnd.pypi.simple.v1+json".to_owned(),
                ),
                ("ETag", "\"v1\"".to_owned()),
            ],
            body: body.into_bytes(),
        })
    };
    let path = request.path.as_str();
    if path.ends_with('/') && request.header("if-none-match") == Some("\"v1\"") {
        return answer(304, "");
    }
    match path {
        "/simple/oldnumpy-user/" => json(page("oldnumpy-user", &["1.0"])),
        "/simple/helper-lib/" => json(page("helper-lib", &["0.5"])),
        "/files/oldnumpy_user-1.0-py3-none-any.whl.metadata" => answer(
            200,
            metadata("oldnumpy-user", "1.0", &["numpy<1.20", "helper-lib>=0.5"]),
        ),
        "/files/helper_lib-0.5-py3-none-any.whl.metadata" => {
            answer(200, metadata("helper-lib", "0.5", &[]))
        }
        _ => answer(404, "not found"),
    }
}

/// A project folder with `requirements.txt` holding `text`.
fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), text).unwrap();
    dir
}

const CONFLICTING: &str = "oldnumpy-user==1.0\nnumpy>=1.21\n";

#[test]
fn a_package_read_online_takes_part_in_the_solve() {
    let server = Server::start(made_up_index);
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    // Offline: the package is unknown, and named so.
    let offline = check(dir.path(), cache.path(), &[], &[]);
    assert_eq!(offline.status.code(), Some(0), "{}", text(&offline.stderr));
    let stdout = text(&offline.stdout);
    assert!(stdout.contains("[unknown-package]"), "{stdout}");
    assert!(!stdout.contains("numpy-conflict"), "{stdout}");
    assert!(server.requests().is_empty());
    // Online: its `numpy<1.20` meets the file's `numpy>=1.21`.
    let url = server.url("/simple/");
    let online = check_online(dir.path(), cache.path(), &url);
    let stdout = text(&online.stdout);
    let stderr = text(&online.stderr);
    assert_eq!(online.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("error[numpy-conflict]"), "{stdout}");
    assert!(!stdout.contains("unknown-package"), "{stdout}");
    assert!(
        stderr.contains(
            "read online: 2 packages not in nplint's index (`helper-lib`, `oldnumpy-user`)"
        ),
        "{stderr}"
    );
    // The closure: `helper-lib` was read because `oldnumpy-user` requires it.
    let paths: Vec<String> = server
        .requests()
        .into_iter()
        .map(|request| request.path)
        .collect();
    assert!(
        paths.contains(&"/simple/helper-lib/".to_owned()),
        "{paths:?}"
    );
    // The index may come from the environment too.
    let from_env = check(
        dir.path(),
        cache.path(),
        &["--online"],
        &[("UV_DEFAULT_INDEX", &url)],
    );
    assert!(text(&from_env.stdout).contains("error[numpy-conflict]"));
}

#[test]
fn a_second_run_downloads_nothing_in_full() {
    let server = Server::start(made_up_index);
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    let first = check_online(dir.path(), cache.path(), &url);
    assert_says(&first.stderr, "4 downloaded in full");
    let sent = server.requests().len();
    // Within the freshness window: from the cache, no request.
    let second = check_online(dir.path(), cache.path(), &url);
    assert_eq!(server.requests().len(), sent);
    assert!(
        text(&second.stderr)
            .contains("(0 requests, 0 downloaded in full, 0 revalidated, 4 from the cache"),
        "{}",
        text(&second.stderr)
    );
    assert_eq!(findings(&first), findings(&second));
    // With `--refresh`, as past the window: the pages are revalidated with their ETag, and the metadata files, which never
    // change, come from the cache.
    let third = check(
        dir.path(),
        cache.path(),
        &["--online", "--refresh", "--index-url", &url],
        &[],
    );
    let stderr = text(&third.stderr);
    assert!(
        stderr.contains("(2 requests, 0 downloaded in full, 2 revalidated, 2 from the cache"),
        "{stderr}"
    );
    let revalidations: Vec<Request> = server.requests()[sent..].to_vec();
    assert!(
        revalidations
            .iter()
            .all(|request| request.header("if-none-match") == Some("\"v1\""))
    );
    assert_eq!(findings(&first), findings(&third));
}

#[test]
fn a_server_error_is_retried_then_reported_with_exit_2() {
    // Fails once, then answers: the retry hides it.
    let failed = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&failed);
    let server = Server::start(move |request| {
        if !flag.swap(true, Ordering::SeqCst) {
            return answer(500, "try again");
        }
        made_up_index(request)
    });
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    let output = check_online(dir.path(), cache.path(), &url);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("error[numpy-conflict]"));
    // Fails every time: reported, naming the index and the package.
    let server = Server::start(|_| answer(503, "down"));
    let url = server.url("/simple/");
    let output = check_online(dir.path(), cache.path(), &url);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let shown = server.url("/simple");
    assert!(
        stderr.contains(&format!("the index `{shown}` is unreachable")),
        "{stderr}"
    );
    assert!(stderr.contains("`oldnumpy-user`"), "{stderr}");
    assert_eq!(server.requests().len(), 2, "one attempt and one retry");
}

#[test]
fn a_server_that_never_answers_times_out_and_is_reported() {
    let server = Server::start(|_| None);
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    let output = check(
        dir.path(),
        cache.path(),
        &["--online", "--index-url", &url],
        &[("NPLINT_HTTP_TIMEOUT", "0.3")],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is unreachable"), "{stderr}");
    assert_eq!(server.requests().len(), 2, "one attempt and one retry");
}

#[test]
fn credentials_are_used_and_never_shown_or_cached() {
    let server = Server::start(|request| {
        // `user:s3cret-token`, base64.
        if request.header("authorization") != Some("Basic dXNlcjpzM2NyZXQtdG9rZW4=") {
            return answer(401, "who are you");
        }
        made_up_index(request)
    });
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    let url = format!("http://user:s3cret-token@127.0.0.1:{}/simple/", server.port);
    let output = check_online(dir.path(), cache.path(), &url);
    assert!(
        text(&output.stdout).contains("error[numpy-conflict]"),
        "{}",
        text(&output.stderr)
    );
    // An index that fails, in the environment: its error names it without the secret.
    let down = Server::start(|_| answer(503, "down"));
    let down_url = format!("http://user:s3cret-token@127.0.0.1:{}/simple/", down.port);
    let failed = check(
        dir.path(),
        cache.path(),
        &["--online"],
        &[("PIP_INDEX_URL", &down_url)],
    );
    assert_eq!(failed.status.code(), Some(2));
    for output in [&output, &failed] {
        for stream in [&output.stdout, &output.stderr] {
            assert!(!text(stream).contains("s3cret"), "{}", text(stream));
        }
    }
    assert_says(&failed.stderr, "***@127.0.0.1");
    let mut files = 0;
    for entry in walk(cache.path()) {
        files += 1;
        assert!(!entry.to_string_lossy().contains("s3cret"));
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cret"),
            "{}",
            entry.display()
        );
    }
    assert!(files > 0);
}

#[test]
fn without_a_configured_index_the_error_says_what_to_set() {
    let dir = project("--index-url https://example.invalid/simple\noldnumpy-user==1.0\n");
    let cache = tempfile::tempdir().unwrap();
    let output = check(dir.path(), cache.path(), &["--online"], &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pass `--index-url URL`"), "{stderr}");
    assert!(
        stderr.contains("name 1 index, which nplint does not follow"),
        "{stderr}"
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_release_past_the_snapshot_is_read_online_and_checked() {
    // NumPy 9.0.0, newer than any release the index holds, on the made-up index.
    let server = Server::start(|request| match request.path.as_str() {
        "/simple/numpy/" => answer(200, page("numpy", &["9.0.0"])),
        "/files/numpy-9.0.0-py3-none-any.whl.metadata" => {
            answer(200, metadata("numpy", "9.0.0", &[]))
        }
        _ => answer(404, "not found"),
    });
    let dir = project("numpy==9.0.0\n");
    let cache = tempfile::tempdir().unwrap();
    let offline = check(dir.path(), cache.path(), &[], &[]);
    assert_says(&offline.stdout, "info[index-outdated]");
    let url = server.url("/simple/");
    let online = check_online(dir.path(), cache.path(), &url);
    assert_eq!(online.status.code(), Some(0), "{}", text(&online.stderr));
    assert!(
        text(&online.stdout).starts_with("No problems"),
        "{}",
        text(&online.stdout)
    );
    assert_says(&online.stderr, "newer releases of 1 (`numpy`)");
    // A version the index does not have either is missing, not newer.
    let missing = project("numpy==9.0.1\n");
    let output = check_online(missing.path(), cache.path(), &url);
    assert_says(&output.stdout, "error[nonexistent-release]");
}

#[test]
fn the_configuration_may_ask_for_online_checks() {
    let server = Server::start(made_up_index);
    let dir = project(CONFLICTING);
    std::fs::write(dir.path().join("nplint.toml"), "online = true\n").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    let output = check(dir.path(), cache.path(), &["--index-url", &url], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("error[numpy-conflict]"));
    // `--isolated` ignores it: offline again, and an index named for nothing is warned of.
    let isolated = check(
        dir.path(),
        cache.path(),
        &["--isolated", "--index-url", &url],
        &[],
    );
    assert!(
        text(&isolated.stderr)
            .contains("warning: `--index-url` and `--refresh` apply to online checks"),
        "{}",
        text(&isolated.stderr)
    );
    assert_says(&isolated.stdout, "[unknown-package]");
}

#[test]
fn the_cache_can_be_found_and_emptied() {
    let server = Server::start(made_up_index);
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    check_online(dir.path(), cache.path(), &url);
    std::fs::write(cache.path().join("notes.txt"), "mine").unwrap();
    let run = |args: &[&str]| {
        common::nplint()
            .args(args)
            .env("NPLINT_CACHE_DIR", cache.path())
            .output()
            .unwrap()
    };
    let shown = run(&["cache", "dir"]);
    assert_eq!(
        text(&shown.stdout).trim_end(),
        cache.path().to_string_lossy()
    );
    let cleaned = run(&["cache", "clean"]);
    assert_eq!(cleaned.status.code(), Some(0));
    assert!(
        text(&cleaned.stderr).starts_with("removed 4 files ("),
        "{}",
        text(&cleaned.stderr)
    );
    // Only what nplint keeps there is removed.
    assert!(!cache.path().join("http").exists());
    assert!(cache.path().join("notes.txt").exists());
    // The next run downloads again.
    let again = check_online(dir.path(), cache.path(), &url);
    assert_says(&again.stderr, "4 downloaded in full");
}

#[test]
fn the_json_report_says_what_was_read_online() {
    let server = Server::start(made_up_index);
    let dir = project(CONFLICTING);
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    let schema = include_str!("../schemas/nplint-output.schema.json");
    let json = |args: &[&str]| -> serde_json::Value {
        let output = check(
            dir.path(),
            cache.path(),
            &[&["--format", "json"], args].concat(),
            &[],
        );
        let document = serde_json::from_slice(&output.stdout).unwrap();
        common::assert_valid(schema, &document);
        document
    };
    let online = json(&["--online", "--index-url", &url]);
    assert_eq!(
        online["online"],
        serde_json::json!({
            "index": server.url("/simple"),
            "packages": ["helper-lib", "oldnumpy-user"],
            "extended": [],
            "missing": []
        })
    );
    assert!(json(&[]).get("online").is_none());
}

#[test]
fn why_and_upgrade_read_online_too() {
    let server = Server::start(made_up_index);
    let dir = project("oldnumpy-user==1.0\n");
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/simple/");
    // Offline, `oldnumpy-user` is left out: nothing caps NumPy, and the move to NumPy 2 needs no change.
    let why = run(dir.path(), cache.path(), &["why", "numpy"], &[]);
    assert_eq!(why.status.code(), Some(0), "{}", text(&why.stderr));
    assert!(
        !text(&why.stdout).contains("oldnumpy-user"),
        "{}",
        text(&why.stdout)
    );
    let upgrade = run(dir.path(), cache.path(), &["upgrade", "numpy>=2"], &[]);
    assert_eq!(upgrade.status.code(), Some(0), "{}", text(&upgrade.stderr));
    assert_says(&upgrade.stdout, "as it stands");
    assert!(server.requests().is_empty());
    // Online, its `numpy<1.20` caps NumPy (on Python 3.8, where such a NumPy installs), and no release of it
    // admits NumPy 2.
    let why = run(
        dir.path(),
        cache.path(),
        &[
            "why",
            "numpy",
            "--online",
            "--index-url",
            &url,
            "--python",
            "3.8",
        ],
        &[],
    );
    let stdout = text(&why.stdout);
    assert_eq!(why.status.code(), Some(0), "{}", text(&why.stderr));
    assert!(
        stdout.contains("oldnumpy-user==1.0 requires numpy<1.20"),
        "{stdout}"
    );
    assert_says(&why.stderr, "read online: 2 packages not in nplint's index");
    let upgrade = run(
        dir.path(),
        cache.path(),
        &["upgrade", "numpy>=2", "--online"],
        &[("UV_DEFAULT_INDEX", &url)],
    );
    let stdout = text(&upgrade.stdout);
    assert_eq!(upgrade.status.code(), Some(1), "{}", text(&upgrade.stderr));
    assert!(stdout.contains("blocked by `oldnumpy-user`"), "{stdout}");
    // Without an index to read, as for a check: exit 2, saying what to set.
    let unset = run(dir.path(), cache.path(), &["why", "numpy", "--online"], &[]);
    assert_eq!(unset.status.code(), Some(2));
    assert_says(&unset.stderr, "no package index to read from");
}
