//! `nplint index update` and the snapshot it installs, against a snapshot served by a local HTTP server (never the
//! internet): installed, then read by `index stats`, `--version` and `check`; refused when corrupt, of another
//! format version or older, leaving the installed one untouched; ignored under `--index-snapshot embedded`.

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use nplint_index::manifest::Manifest;
use sha2::{Digest, Sha256};

/// A package that only the test's newer snapshot knows.
const MADE_UP: &str = "nplint-made-up-package";

/// Serves `files` (path → body) on 127.0.0.1 until the test process ends; its base URL.
fn serve(files: HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(&stream);
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // The rest of the head, up to its blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("/");
            let (status, body) = match files.get(path) {
                Some(body) => ("200 OK", body.as_slice()),
                None => ("404 Not Found", b"not found".as_slice()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    base
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

fn manifest_of(bytes: &[u8], newest_upload: &str) -> Manifest {
    Manifest {
        format_version: nplint_index::compact::FORMAT_VERSION,
        newest_upload: newest_upload.to_owned(),
        sha256: sha256(bytes),
        size: bytes.len() as u64,
        file: "index.bin".to_owned(),
    }
}

/// A snapshot a year newer than the embedded one, which knows [`MADE_UP`] too (NumPy's releases under another
/// name): its bytes and its newest upload.
fn newer_snapshot() -> (Vec<u8>, String) {
    static SNAPSHOT: std::sync::OnceLock<(Vec<u8>, String)> = std::sync::OnceLock::new();
    SNAPSHOT.get_or_init(build_newer_snapshot).clone()
}

fn build_newer_snapshot() -> (Vec<u8>, String) {
    let (mut snapshot, mut packages) = nplint_index::embedded_source().unwrap();
    let year: u32 = snapshot.newest_upload[..4].parse().unwrap();
    snapshot.newest_upload = format!("{}{}", year + 1, &snapshot.newest_upload[4..]);
    let mut made_up = packages
        .iter()
        .find(|package| package.name == "numpy")
        .unwrap()
        .clone();
    MADE_UP.clone_into(&mut made_up.name);
    packages.push(made_up);
    snapshot.packages.push(MADE_UP.to_owned());
    snapshot.packages.sort();
    let bytes = nplint_index::compact::encode(&snapshot, &packages);
    (bytes, snapshot.newest_upload)
}

/// Serves `manifest` as `/index-latest/index.json` and `bytes` as its `index.bin` and as
/// `/index-dated/index.bin`, the layout of the published releases; the manifest's URL.
fn publish(bytes: Vec<u8>, manifest: &Manifest) -> String {
    let files = HashMap::from([
        (
            "/index-latest/index.json".to_owned(),
            serde_json::to_vec(manifest).unwrap(),
        ),
        ("/index-latest/index.bin".to_owned(), bytes.clone()),
        ("/index-dated/index.bin".to_owned(), bytes),
    ]);
    format!("{}/index-latest/index.json", serve(files))
}

fn nplint(cache: &Path, args: &[&str]) -> Output {
    common::nplint()
        .arg("--cache-dir")
        .arg(cache)
        .args(args)
        .env_remove("NPLINT_INDEX_SNAPSHOT")
        .env_remove("NPLINT_CACHE_DIR")
        .output()
        .expect("nplint runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn update(cache: &Path, url: &str) -> Output {
    nplint(cache, &["index", "update", "--from", url])
}

fn stats(cache: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = extra.to_vec();
    args.extend(["index", "stats", "--format", "json"]);
    let output = nplint(cache, &args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn embedded_date() -> String {
    nplint_index::Index::embedded()
        .snapshot()
        .newest_upload_date()
        .to_owned()
}

/// Installs the newer snapshot in `cache`; its newest upload.
fn install_newer(cache: &Path) -> String {
    let (bytes, newest) = newer_snapshot();
    // As `index-latest`'s manifest names the dated release's file: a URL relative to the manifest's.
    let mut manifest = manifest_of(&bytes, &newest);
    "../index-dated/index.bin".clone_into(&mut manifest.file);
    let output = update(cache, &publish(bytes.clone(), &manifest));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        format!(
            "index snapshot {} (was {}, embedded) installed in `{}`\n",
            &newest[..10],
            embedded_date(),
            cache.join("index").display()
        )
    );
    assert!(std::fs::read(cache.join("index/index.bin")).unwrap() == bytes);
    newest
}

/// Whether `check` of a requirements file naming [`MADE_UP`] reports it unknown (NPL012).
fn made_up_is_unknown(cache: &Path, extra: &[&str]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("requirements.txt");
    std::fs::write(&file, format!("{MADE_UP}\nnumpy\n")).unwrap();
    let mut args = extra.to_vec();
    let file = file.to_str().unwrap();
    args.extend([
        "check",
        file,
        "--select",
        "NPL012",
        "--python",
        "3.12",
        "--platform",
        "linux-x86_64",
        "--format",
        "concise",
    ]);
    let output = nplint(cache, &args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        text(&output.stderr)
    );
    text(&output.stdout).contains(MADE_UP)
}

#[test]
fn an_installed_newer_snapshot_is_used_unless_the_embedded_one_is_asked_for() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    assert!(made_up_is_unknown(cache, &[]));

    let newest = install_newer(cache);
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(cache.join("index/index.json")).unwrap()).unwrap();
    assert_eq!(manifest.newest_upload, newest);

    let cached = stats(cache, &[]);
    assert_eq!(cached["snapshot"], newest.as_str());
    assert_eq!(cached["snapshot_source"], "cached");
    assert_eq!(
        cached["snapshot_path"],
        cache.join("index/index.bin").display().to_string()
    );
    let version = nplint(cache, &["--version"]);
    assert_eq!(
        text(&version.stdout),
        format!(
            "nplint {} (index {}, cached)\n",
            env!("CARGO_PKG_VERSION"),
            &newest[..10]
        )
    );
    assert!(!made_up_is_unknown(cache, &[]));

    // Reproducible runs: the flag, and its variable.
    let embedded = stats(cache, &["--index-snapshot", "embedded"]);
    assert_eq!(embedded["snapshot_source"], "embedded");
    assert_eq!(embedded["snapshot_path"], serde_json::Value::Null);
    assert!(made_up_is_unknown(cache, &["--index-snapshot", "embedded"]));
    let version = nplint(cache, &["--index-snapshot=embedded", "--version"]);
    assert!(
        text(&version.stdout).ends_with(&format!("(index {}, embedded)\n", embedded_date())),
        "{}",
        text(&version.stdout)
    );
    let output = common::nplint()
        .args(["index", "stats", "--format", "json"])
        .env("NPLINT_CACHE_DIR", cache)
        .env("NPLINT_INDEX_SNAPSHOT", "embedded")
        .output()
        .unwrap();
    let from_env: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(from_env["snapshot_source"], "embedded");

    // The same snapshot again: nothing to do.
    let (bytes, newest) = newer_snapshot();
    let again = update(
        cache,
        &publish(bytes.clone(), &manifest_of(&bytes, &newest)),
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        text(&again.stdout),
        format!(
            "index snapshot {} (cached) is already up to date\n",
            &newest[..10]
        )
    );
}

/// Runs an update from `url` over an installed newer snapshot, which must fail with exit 2 and a message
/// containing `expected`, leaving the installed files as they were.
fn assert_refused(url: &str, expected: &str) {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    install_newer(cache);
    let before = (
        std::fs::read(cache.join("index/index.bin")).unwrap(),
        std::fs::read(cache.join("index/index.json")).unwrap(),
    );
    let output = update(cache, url);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(expected), "{stderr}");
    let after = (
        std::fs::read(cache.join("index/index.bin")).unwrap(),
        std::fs::read(cache.join("index/index.json")).unwrap(),
    );
    assert!(before == after, "the installed snapshot changed");
    assert_eq!(stats(cache, &[])["snapshot_source"], "cached");
}

#[test]
fn a_file_that_does_not_match_its_manifest_is_refused() {
    let (bytes, newest) = newer_snapshot();
    let mut newer = newest.clone();
    // Newer than the installed one, so that only the digest stands in the way.
    newer.replace_range(..4, &(newest[..4].parse::<u32>().unwrap() + 1).to_string());
    let manifest = manifest_of(&bytes, &newer);
    let mut corrupt = bytes;
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xFF;
    assert_refused(&publish(corrupt, &manifest), "SHA-256");
}

#[test]
fn a_snapshot_of_another_format_version_is_refused() {
    let (bytes, newest) = newer_snapshot();
    let mut manifest = manifest_of(&bytes, &newest);
    manifest.format_version += 1;
    assert_refused(
        &publish(bytes, &manifest),
        &format!(
            "has index format version {}, and this nplint reads version {}",
            manifest.format_version,
            nplint_index::compact::FORMAT_VERSION
        ),
    );
}

#[test]
fn a_snapshot_older_than_the_one_in_use_is_refused() {
    let bytes = nplint_index::embedded_bytes().to_vec();
    let manifest = manifest_of(
        &bytes,
        nplint_index::Index::embedded().snapshot().newest_upload(),
    );
    assert_refused(
        &publish(bytes, &manifest),
        &format!("({}) is older than the one in use", embedded_date()),
    );
}

#[test]
fn an_unreachable_server_is_an_error_naming_the_url_without_its_credentials() {
    // A port nothing listens on: bound, then released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = tempfile::tempdir().unwrap();
    let output = update(
        cache.path(),
        &format!("http://user:secret@127.0.0.1:{port}/index.json"),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "could not download `http://127.0.0.1:{port}/index.json`"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");
    assert!(!cache.path().join("index").exists());
}

#[test]
fn an_invalid_cached_snapshot_is_named_in_a_warning_and_the_embedded_one_used() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    std::fs::create_dir_all(cache.join("index")).unwrap();
    std::fs::write(cache.join("index/index.bin"), b"NPLINDEX\x09\0\0\0garbage").unwrap();
    let output = nplint(cache, &["index", "stats", "--format", "json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("warning: the cached index snapshot `")
            && stderr.contains(&cache.join("index/index.bin").display().to_string()),
        "{stderr}"
    );
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["snapshot_source"], "embedded");

    // Asked for by name, it is an error instead.
    let output = nplint(cache, &["--index-snapshot", "cached", "index", "stats"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("is invalid"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn an_installed_snapshot_changed_since_is_passed_over_with_a_warning() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    install_newer(cache);
    let bin = cache.join("index/index.bin");
    let mut bytes = std::fs::read(&bin).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    std::fs::write(&bin, bytes).unwrap();
    let output = nplint(cache, &["index", "stats", "--format", "json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        format!(
            "warning: the cached index snapshot `{}` is invalid: its SHA-256 or size is not the one `index.json` \
             beside it records; using the embedded index snapshot\n",
            bin.display()
        )
    );
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["snapshot_source"], "embedded");
}

#[test]
fn a_snapshot_of_an_earlier_release_of_nplint_is_passed_over_in_silence() {
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    install_newer(cache);
    let json = cache.join("index/index.json");
    let mut manifest: Manifest = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    manifest.format_version -= 1;
    std::fs::write(&json, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let output = nplint(cache, &["index", "stats", "--format", "json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["snapshot_source"], "embedded");
    let output = nplint(cache, &["--index-snapshot", "cached", "index", "stats"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(&format!(
            "is of index format version {}",
            manifest.format_version
        )),
        "{}",
        text(&output.stderr)
    );
}
