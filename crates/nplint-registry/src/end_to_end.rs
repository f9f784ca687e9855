//! End-to-end tests of the public API: a [`Client`] against an HTTP server on 127.0.0.1 that each test starts
//! ([`crate::testing::Server`]), serving a made-up package.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use nplint_index::source::MetadataSource;

use crate::testing::{Answer, Request, Server, answer};
use crate::zip::testing::build_zip;
use crate::{Client, ClientOptions, Counts, IndexUrl, read_project};

fn metadata(version: &str) -> String {
    format!(
        "Metadata-Version: 2.1\nName: fakepkg\nVersion: {version}\nRequires-Python: >=3.8\n\
         Requires-Dist: numpy<1.20\n"
    )
}

/// `fakepkg` 1.0 and 2.0, one pure wheel each, as PEP 691 JSON with relative file URLs.
fn json_page() -> String {
    let file = |version: &str, day: u32| {
        format!(
            r#"{{"filename": "fakepkg-{version}-py3-none-any.whl",
                "url": "../../files/fakepkg-{version}-py3-none-any.whl",
                "requires-python": ">=3.8", "upload-time": "2024-01-{day:02}T10:00:00.000000Z",
                "size": 1000, "core-metadata": true}}"#
        )
    };
    format!(
        r#"{{"meta": {{"api-version": "1.1"}}, "name": "fakepkg", "versions": ["1.0", "2.0"],
            "files": [{}, {}]}}"#,
        file("1.0", 1),
        file("2.0", 2)
    )
}

/// Serves `json_page` (with an `ETag`, honouring `If-None-Match`) and the wheels' metadata files.
fn fakepkg_index(request: &Request) -> Option<Answer> {
    match request.path.as_str() {
        "/simple/fakepkg/" => {
            if request.header("if-none-match") == Some("\"v1\"") {
                return answer(304, "");
            }
            Some(Answer {
                status: 200,
                headers: vec![
                    ("Content-Type", crate::simple::MEDIA_TYPE.to_owned()),
                    ("ETag", "\"v1\"".to_owned()),
                ],
                body: json_page().into_bytes(),
            })
        }
        "/files/fakepkg-1.0-py3-none-any.whl.metadata" => answer(200, metadata("1.0")),
        "/files/fakepkg-2.0-py3-none-any.whl.metadata" => answer(200, metadata("2.0")),
        _ => answer(404, "not found"),
    }
}

fn options(cache: &std::path::Path) -> ClientOptions {
    ClientOptions {
        cache_dir: Some(cache.to_path_buf()),
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(1),
        concurrency: 4,
        freshness: Duration::from_mins(10),
        max_cache_bytes: 64 * 1024 * 1024,
    }
}

fn index(server: &Server) -> IndexUrl {
    IndexUrl::parse(&server.url("/simple/")).unwrap()
}

/// Versions and, per release, the requirements and how they were read.
/// What the fake package's two releases say when each is read from its metadata file: both require `numpy<1.20`.
fn both_from_metadata_files() -> Vec<(String, Vec<String>, MetadataSource)> {
    ["1.0", "2.0"]
        .into_iter()
        .map(|version| {
            (
                version.to_owned(),
                vec!["numpy<1.20".to_owned()],
                MetadataSource::MetadataFile,
            )
        })
        .collect()
}

fn releases(
    package: &nplint_index::source::PackageFile,
) -> Vec<(String, Vec<String>, MetadataSource)> {
    package
        .releases
        .iter()
        .map(|release| {
            assert_eq!(release.metadata.len(), 1, "{release:?}");
            let variant = &release.metadata[0];
            (
                release.version.clone(),
                variant.requires_dist.clone(),
                variant.via,
            )
        })
        .collect()
}

#[test]
fn reads_a_json_page_and_pep_658_metadata() {
    let server = Server::start(fakepkg_index);
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let package = read_project(&client, &index(&server), "FakePkg", None)
        .unwrap()
        .unwrap();
    assert_eq!(package.name, "fakepkg");
    assert_eq!(releases(&package), both_from_metadata_files());
    assert_eq!(package.releases[0].uploaded, "2024-01-01T10:00:00Z");
    assert_eq!(
        package.releases[1].metadata[0].requires_python.as_deref(),
        Some(">=3.8")
    );
    let requests = server.requests();
    let page = requests
        .iter()
        .find(|request| request.path == "/simple/fakepkg/")
        .unwrap();
    assert!(
        page.header("accept")
            .unwrap()
            .starts_with(crate::simple::MEDIA_TYPE)
    );
    assert_eq!(
        client.stats(),
        Counts {
            requests: 3,
            downloaded: 3,
            revalidated: 0,
            from_cache: 0,
            retries: 0,
            bytes: client.stats().bytes,
        }
    );
}

#[test]
fn newest_bounds_the_releases_read() {
    let server = Server::start(fakepkg_index);
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let package = read_project(&client, &index(&server), "fakepkg", Some(1))
        .unwrap()
        .unwrap();
    let versions: Vec<&str> = package
        .releases
        .iter()
        .map(|release| release.version.as_str())
        .collect();
    assert_eq!(versions, ["2.0"]);
    assert_eq!(package.held_from.as_deref(), Some("2.0"));
    assert!(
        server
            .requests()
            .iter()
            .all(|request| !request.path.contains("1.0"))
    );
}

#[test]
fn a_project_the_index_lacks_is_none() {
    let server = Server::start(fakepkg_index);
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    assert!(
        read_project(&client, &index(&server), "absent", None)
            .unwrap()
            .is_none()
    );
}

#[test]
fn falls_back_to_pep_503_html() {
    let server = Server::start(|request| {
        match request.path.as_str() {
        "/simple/fakepkg/" => Some(Answer {
            status: 200,
            headers: vec![("Content-Type", "text/html".to_owned())],
            body: br#"<!DOCTYPE html><html><body>
<a href="/files/fakepkg-1.0-py3-none-any.whl#sha256=00" data-requires-python="&gt;=3.8" data-core-metadata="true">fakepkg-1.0-py3-none-any.whl</a>
<a href="/files/fakepkg-2.0-py3-none-any.whl#sha256=11" data-yanked="broken">fakepkg-2.0-py3-none-any.whl</a>
</body></html>"#
                .to_vec(),
        }),
        _ => fakepkg_index(request),
    }
    });
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let package = read_project(&client, &index(&server), "fakepkg", None)
        .unwrap()
        .unwrap();
    assert_eq!(releases(&package), both_from_metadata_files());
    assert_eq!(package.releases[1].yanked.as_deref(), Some("broken"));
}

#[test]
fn reads_a_wheels_metadata_by_ranges_without_a_metadata_file() {
    let wheel = build_zip(
        &[
            ("fakepkg/__init__.py", b"".as_slice(), true),
            (
                "fakepkg-1.0.dist-info/METADATA",
                metadata("1.0").as_bytes(),
                true,
            ),
        ],
        false,
        0,
    );
    let size = wheel.len();
    let bytes = wheel.clone();
    let server = Server::start(move |request| match request.path.as_str() {
        "/simple/fakepkg/" => answer(
            200,
            format!(
                r#"{{"name": "fakepkg", "files": [{{"filename": "fakepkg-1.0-py3-none-any.whl",
                    "url": "/files/fakepkg-1.0-py3-none-any.whl", "size": {size},
                    "upload-time": "2024-01-01T10:00:00Z"}}]}}"#
            ),
        ),
        "/files/fakepkg-1.0-py3-none-any.whl" => {
            let range = request.header("range")?.strip_prefix("bytes=")?;
            let (start, end) = range.split_once('-')?;
            let start: usize = start.parse().ok()?;
            let end = end.parse::<usize>().ok()?.min(bytes.len() - 1);
            answer(206, bytes[start..=end].to_vec())
        }
        _ => answer(404, ""),
    });
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let package = read_project(&client, &index(&server), "fakepkg", None)
        .unwrap()
        .unwrap();
    assert_eq!(
        releases(&package),
        [(
            "1.0".to_owned(),
            vec!["numpy<1.20".to_owned()],
            MetadataSource::WheelRange
        )]
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|request| request.header("range").is_some())
    );
}

#[test]
fn revalidates_pages_after_the_freshness_window_only() {
    let server = Server::start(fakepkg_index);
    let cache = tempfile::tempdir().unwrap();
    let first = Client::new(options(cache.path())).unwrap();
    read_project(&first, &index(&server), "fakepkg", None).unwrap();
    assert_eq!(first.stats().downloaded, 3);
    let sent = server.requests().len();

    // Within the window: no request at all (the metadata files are immutable, the page is fresh).
    let within = Client::new(options(cache.path())).unwrap();
    let again = read_project(&within, &index(&server), "fakepkg", None).unwrap();
    assert_eq!(
        again,
        read_project(&first, &index(&server), "fakepkg", None).unwrap()
    );
    assert_eq!(server.requests().len(), sent);
    assert_eq!(within.stats().requests, 0);
    assert_eq!(within.stats().from_cache, 3);

    // After it: the page is revalidated with its ETag and not downloaded again.
    let after = Client::new(ClientOptions {
        freshness: Duration::ZERO,
        ..options(cache.path())
    })
    .unwrap();
    read_project(&after, &index(&server), "fakepkg", None)
        .unwrap()
        .unwrap();
    let stats = after.stats();
    assert_eq!(
        (stats.requests, stats.revalidated, stats.downloaded),
        (1, 1, 0)
    );
    let last = server.requests().pop().unwrap();
    assert_eq!(last.path, "/simple/fakepkg/");
    assert_eq!(last.header("if-none-match"), Some("\"v1\""));
}

#[test]
fn retries_a_server_error_then_succeeds() {
    let failures = AtomicUsize::new(0);
    let server = Server::start(move |request| {
        if request.path == "/simple/fakepkg/" && failures.fetch_add(1, Ordering::SeqCst) < 2 {
            return answer(500, "busy");
        }
        fakepkg_index(request)
    });
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let package = read_project(&client, &index(&server), "fakepkg", None).unwrap();
    assert_eq!(package.unwrap().releases.len(), 2);
    assert_eq!(client.stats().retries, 2);
}

#[test]
fn waits_as_long_as_retry_after_asks() {
    let limited = AtomicUsize::new(0);
    let server = Server::start(move |request| {
        if limited.fetch_add(1, Ordering::SeqCst) == 0 {
            return Some(Answer {
                status: 429,
                headers: vec![("Retry-After", "1".to_owned())],
                body: Vec::new(),
            });
        }
        fakepkg_index(request)
    });
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let started = std::time::Instant::now();
    assert!(client.get(&server.url("/simple/fakepkg/")).is_ok());
    // The backoff alone would have waited a millisecond.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(client.stats().retries, 1);
}

#[test]
fn a_server_failing_every_retry_is_unreachable() {
    let server = Server::start(|_| answer(503, "down"));
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let error = read_project(&client, &index(&server), "fakepkg", None).unwrap_err();
    assert!(error.is_unreachable(), "{error}");
    let message = error.to_string();
    assert!(message.contains(&server.url("/simple")), "{message}");
    assert!(message.contains("`fakepkg`"), "{message}");
    assert!(message.contains("503"), "{message}");
    assert_eq!(client.stats().requests, 3);
}

#[test]
fn a_server_that_never_answers_times_out_and_is_unreachable() {
    let server = Server::start(|_| None);
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..options(cache.path())
    })
    .unwrap();
    let started = std::time::Instant::now();
    let error = read_project(&client, &index(&server), "fakepkg", None).unwrap_err();
    assert!(error.is_unreachable(), "{error}");
    assert!(error.to_string().contains("`fakepkg`"), "{error}");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(client.stats().retries, 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn credentials_are_sent_and_written_nowhere() {
    // `user:secret`, as basic authentication.
    let expected = "Basic dXNlcjpzZWNyZXQ=";
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server_broken = Arc::clone(&broken);
    let server = Server::start(move |request| {
        if request.header("authorization") != Some(expected) {
            return answer(401, "who are you");
        }
        if server_broken.load(Ordering::SeqCst) {
            return answer(500, "broken");
        }
        fakepkg_index(request)
    });
    let url = format!("http://user:secret@127.0.0.1:{}/simple/", server.port);
    let index = IndexUrl::parse(&url).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(options(cache.path())).unwrap();
    let package = read_project(&client, &index, "fakepkg", None)
        .unwrap()
        .unwrap();
    assert_eq!(package.releases.len(), 2);
    assert!(
        server
            .requests()
            .iter()
            .all(|request| request.header("authorization") == Some(expected))
    );

    // A failure names the index with its credentials redacted.
    broken.store(true, Ordering::SeqCst);
    let fresh = Client::new(ClientOptions {
        freshness: Duration::ZERO,
        ..options(cache.path())
    })
    .unwrap();
    let error = read_project(&fresh, &index, "fakepkg", None).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(message.contains("http://***@127.0.0.1"), "{message}");
    assert!(!message.contains("secret"), "{message}");
    let get_error = fresh.get(&format!("{url}fakepkg/")).unwrap_err();
    assert!(!format!("{get_error} {get_error:?}").contains("secret"));

    let mut files = 0;
    let mut pending = vec![cache.path().to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(6).any(|window| window == b"secret"),
                    "{}",
                    path.display()
                );
                assert!(!path.to_string_lossy().contains("secret"));
            }
        }
    }
    assert_eq!(files, 3);
}

#[test]
fn get_caches_and_revalidates_any_file() {
    let server = Server::start(|request| match request.path.as_str() {
        "/data/index.json" if request.header("if-modified-since").is_some() => answer(304, ""),
        "/data/index.json" => Some(Answer {
            status: 200,
            headers: vec![("Last-Modified", "Mon, 07 Dec 2026 10:00:00 GMT".to_owned())],
            body: b"{}".to_vec(),
        }),
        _ => answer(404, ""),
    });
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions {
        freshness: Duration::ZERO,
        ..options(cache.path())
    })
    .unwrap();
    assert_eq!(client.get(&server.url("/data/index.json")).unwrap(), b"{}");
    assert_eq!(client.get(&server.url("/data/index.json")).unwrap(), b"{}");
    let stats = client.stats();
    assert_eq!((stats.downloaded, stats.revalidated), (1, 1));
    let error = client.get(&server.url("/data/absent.json")).unwrap_err();
    assert!(!error.is_unreachable());
    assert!(error.to_string().contains("absent.json"), "{error}");
}

#[test]
fn bounds_the_requests_in_flight() {
    let server = Server::start(|request| {
        std::thread::sleep(Duration::from_millis(50));
        answer(200, request.path.clone())
    });
    let cache = tempfile::tempdir().unwrap();
    let client = Client::new(ClientOptions {
        concurrency: 2,
        ..options(cache.path())
    })
    .unwrap();
    std::thread::scope(|scope| {
        for thread in 0..6 {
            let (client, server) = (&client, &server);
            scope.spawn(move || {
                for file in 0..3 {
                    let path = format!("/files/{thread}-{file}");
                    assert_eq!(client.get(&server.url(&path)).unwrap(), path.as_bytes());
                }
            });
        }
    });
    assert_eq!(server.requests().len(), 18);
    assert_eq!(server.peak.load(Ordering::SeqCst), 2);
}
