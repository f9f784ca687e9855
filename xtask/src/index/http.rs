//! The sync's only network access: a blocking HTTP client with timeouts, retries and an on-disk cache.
//!
//! `ureq` 3 is the client: small, blocking (the sync is a bounded pool of worker threads, no async runtime
//! needed), maintained, pure Rust TLS (rustls) verified against the platform's trust store (so it works behind
//! a TLS-inspecting proxy whose CA the system trusts, as pip and uv do), and gzip decoding. The cache lives under `target/index-cache/` by default. Metadata files, range reads and
//! what is derived from a distribution file are immutable (a file on the index never changes; a 404 for a
//! `.metadata` file is kept too) and cached forever, keyed by URL (and range). Project pages are revalidated with
//! `If-None-Match`/`If-Modified-Since` when the server gave an `ETag` or `Last-Modified`, and refetched otherwise.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use ureq::http::{HeaderMap, Response};

/// The network operations the sync needs. The real one is [`Client`]; tests serve bytes from memory.
pub trait Transport: Sync {
    /// A project page, with `Accept: accept`; `None` when the index answers 404.
    fn page(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>>;
    /// An immutable resource; `None` on 404.
    fn immutable(&self, url: &str) -> Result<Option<Vec<u8>>>;
    /// `len` bytes from `start` of an immutable file. Not cached: every read by ranges is for a result that is
    /// cached through [`Transport::derived`] (a wheel's `METADATA`, a scan), which is kilobytes where the ranges
    /// read for it were a hundred times that (the zip directory of each wheel). The cache of syncs that did cache
    /// ranges is still read.
    fn range(&self, url: &str, start: u64, len: u64) -> Result<Vec<u8>>;
    /// A value derived from an immutable file, computed once and then cached under `key`.
    fn derived(&self, key: &str, compute: &dyn Fn() -> Result<Vec<u8>>) -> Result<Vec<u8>>;
    /// A whole file of at most `max` bytes, not cached (what is derived from it is).
    fn download(&self, url: &str, max: u64) -> Result<Vec<u8>>;
}

/// A network failure while reading a file by ranges: it fails the sync, where a malformed archive only makes that
/// file's metadata unknown.
#[derive(Debug)]
pub struct NetworkError(pub anyhow::Error);

impl std::fmt::Display for NetworkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for NetworkError {}

/// Whether `error` is, or was caused by, a [`NetworkError`].
pub fn is_network(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(<dyn std::error::Error>::is::<NetworkError>)
}

/// Counters for the summary.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub cache_hits: AtomicU64,
    pub not_modified: AtomicU64,
    pub bytes: AtomicU64,
}

const ATTEMPTS: u32 = 6;
const MAX_PAGE: u64 = 256 * 1024 * 1024;
const MAX_METADATA: u64 = 32 * 1024 * 1024;

/// The HTTP client with its cache.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    cache: PathBuf,
    pub stats: Stats,
}

impl Client {
    /// A client for `jobs` concurrent requests, caching under `cache`.
    pub fn new(cache: &Path, jobs: usize) -> Result<Self> {
        std::fs::create_dir_all(cache)
            .with_context(|| format!("creating the cache `{}`", cache.display()))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!(
                "nplint-xtask-index-sync/",
                env!("CARGO_PKG_VERSION")
            ))
            .timeout_connect(Some(Duration::from_secs(20)))
            .timeout_global(Some(Duration::from_mins(5)))
            .timeout_per_read(Some(Duration::from_mins(1)))
            // One kept-alive connection per worker and host (index and file host), or every request beyond the
            // pool's default of 10 would pay a new TLS handshake.
            .max_idle_connections(2 * jobs)
            .max_idle_connections_per_host(jobs)
            // The system's trust store, as pip and uv (`--native-tls`) use where TLS is inspected by a proxy.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        let agent = ureq::Agent::with_parts(
            agent,
            ureq::unversioned::transport::DefaultConnector::default(),
            CachingResolver::default(),
        );
        Ok(Self {
            agent,
            cache: cache.to_path_buf(),
            stats: Stats::default(),
        })
    }

    /// Sends a GET with retries: connection errors, timeouts, 429 and 5xx are retried with exponential backoff
    /// (honouring a short `Retry-After`); any other status is returned.
    fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response<ureq::Body>> {
        let mut delay = Duration::from_millis(500);
        for attempt in 1..=ATTEMPTS {
            let mut request = self.agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let retry_after = match request.call() {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status != 429 && status < 500 {
                        return Ok(response);
                    }
                    if attempt == ATTEMPTS {
                        bail!("GET {url}: status {status} after {ATTEMPTS} attempts");
                    }
                    let wait = retry_after(response.headers());
                    drain(response);
                    wait
                }
                Err(error) => {
                    if attempt == ATTEMPTS || !retryable(&error) {
                        return Err(error).with_context(|| format!("GET {url}"));
                    }
                    None
                }
            };
            std::thread::sleep(retry_after.unwrap_or(delay).min(Duration::from_mins(1)));
            delay = (delay * 2).min(Duration::from_secs(30));
        }
        unreachable!("the last attempt returns")
    }

    fn read_body(
        &self,
        response: &mut Response<ureq::Body>,
        max: u64,
        url: &str,
    ) -> Result<Vec<u8>> {
        let bytes = response
            .body_mut()
            .with_config()
            .limit(max)
            .read_to_vec()
            .with_context(|| format!("reading {url}"))?;
        self.stats
            .bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(bytes)
    }

    fn cache_path(&self, kind: &str, key: &str) -> PathBuf {
        let hash = cache_hash(key);
        self.cache.join(kind).join(&hash[..2]).join(hash)
    }

    /// A cached entry: the key on its first line (checked, so a hash collision is a miss), then fields.
    fn cache_read(&self, kind: &str, key: &str, fields: usize) -> Option<(Vec<String>, Vec<u8>)> {
        let bytes = std::fs::read(self.cache_path(kind, key)).ok()?;
        let mut rest = bytes.as_slice();
        let mut values = Vec::new();
        for _ in 0..=fields {
            let end = rest.iter().position(|&byte| byte == b'\n')?;
            values.push(String::from_utf8(rest[..end].to_vec()).ok()?);
            rest = &rest[end + 1..];
        }
        (values.remove(0) == key).then(|| (values, rest.to_vec()))
    }

    fn cache_write(&self, kind: &str, key: &str, fields: &[&str], body: &[u8]) -> Result<()> {
        let path = self.cache_path(kind, key);
        let directory = path.parent().expect("cache paths have a parent");
        std::fs::create_dir_all(directory)?;
        let mut bytes = Vec::with_capacity(body.len() + 256);
        for line in std::iter::once(key).chain(fields.iter().copied()) {
            bytes.extend(line.replace('\n', " ").as_bytes());
            bytes.push(b'\n');
        }
        bytes.extend(body);
        // Written aside and renamed, so that a concurrent reader or an interrupted sync never sees half a file.
        let temporary = path.with_extension(format!("tmp{:?}", std::thread::current().id()));
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, &path)?;
        Ok(())
    }

    fn hit(&self) {
        self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    /// A resource as the server has it now, neither read from the cache nor written to it; `None` on 404. For
    /// checks of the data, which a stale cache could make pass.
    pub fn fresh(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>> {
        let mut response = self.get(url, &[("Accept", accept), ("Cache-Control", "no-cache")])?;
        match response.status().as_u16() {
            200 => Ok(Some(self.read_body(&mut response, MAX_PAGE, url)?)),
            404 => {
                drain(response);
                Ok(None)
            }
            status => bail!("GET {url}: status {status}"),
        }
    }
}

impl Transport for Client {
    fn page(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>> {
        let cached = self.cache_read("pages", url, 2);
        let mut headers = vec![("Accept", accept)];
        if let Some((fields, _)) = &cached {
            if !fields[0].is_empty() {
                headers.push(("If-None-Match", &fields[0]));
            }
            if !fields[1].is_empty() {
                headers.push(("If-Modified-Since", &fields[1]));
            }
        }
        let mut response = self.get(url, &headers)?;
        match response.status().as_u16() {
            304 => {
                drain(response);
                let (_, body) = cached.context("304 without a cached page")?;
                self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                self.hit();
                Ok(Some(body))
            }
            404 => {
                drain(response);
                Ok(None)
            }
            200 => {
                let body = self.read_body(&mut response, MAX_PAGE, url)?;
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let (etag, modified) = (header("etag"), header("last-modified"));
                if !etag.is_empty() || !modified.is_empty() {
                    self.cache_write("pages", url, &[&etag, &modified], &body)?;
                }
                Ok(Some(body))
            }
            status => bail!("GET {url}: status {status}"),
        }
    }

    fn immutable(&self, url: &str) -> Result<Option<Vec<u8>>> {
        if let Some((fields, body)) = self.cache_read("files", url, 1) {
            self.hit();
            return Ok((fields[0] == "200").then_some(body));
        }
        let mut response = self.get(url, &[])?;
        match response.status().as_u16() {
            200 => {
                let body = self.read_body(&mut response, MAX_METADATA, url)?;
                self.cache_write("files", url, &["200"], &body)?;
                Ok(Some(body))
            }
            404 => {
                drain(response);
                self.cache_write("files", url, &["404"], &[])?;
                Ok(None)
            }
            status => bail!("GET {url}: status {status}"),
        }
    }

    fn range(&self, url: &str, start: u64, len: u64) -> Result<Vec<u8>> {
        // Written by syncs before ranges were no longer cached: reading them saves a request.
        let key = format!("{url} bytes={start}+{len}");
        if let Some((_, body)) = self.cache_read("ranges", &key, 0) {
            self.hit();
            return Ok(body);
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let range = format!("bytes={start}-{}", start + len - 1);
        let mut response = self.get(url, &[("Range", &range)])?;
        let body = match response.status().as_u16() {
            206 => self.read_body(&mut response, len, url)?,
            // A server that ignores `Range` sends the whole file: keep the part asked for.
            200 => {
                let mut body = Vec::new();
                response
                    .body_mut()
                    .as_reader()
                    .take(start + len)
                    .read_to_end(&mut body)
                    .with_context(|| format!("reading {url}"))?;
                body.drain(..usize::try_from(start)?.min(body.len()));
                body
            }
            416 => {
                drain(response);
                Vec::new()
            }
            status => bail!("GET {url} ({range}): status {status}"),
        };
        Ok(body)
    }

    fn derived(&self, key: &str, compute: &dyn Fn() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
        if let Some((_, body)) = self.cache_read("derived", key, 0) {
            self.hit();
            return Ok(body);
        }
        let body = compute()?;
        self.cache_write("derived", key, &[], &body)?;
        Ok(body)
    }

    fn download(&self, url: &str, max: u64) -> Result<Vec<u8>> {
        let mut response = self.get(url, &[])?;
        match response.status().as_u16() {
            200 => self.read_body(&mut response, max, url),
            status => bail!("GET {url}: status {status}"),
        }
    }
}

/// A resolver that looks each host up once. ureq resolves before it looks for a pooled connection, so every
/// request would otherwise wait for DNS, which under thousands of requests is slower than the requests.
#[derive(Debug, Default)]
struct CachingResolver {
    inner: ureq::unversioned::resolver::DefaultResolver,
    cache: Mutex<HashMap<String, ureq::unversioned::resolver::ResolvedSocketAddrs>>,
}

impl ureq::unversioned::resolver::Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let key = format!("{:?}://{:?}", uri.scheme(), uri.authority());
        if let Some(addresses) = self.cache.lock().expect("not poisoned").get(&key) {
            return Ok(addresses.clone());
        }
        let addresses = self.inner.resolve(uri, config, timeout)?;
        self.cache
            .lock()
            .expect("not poisoned")
            .insert(key, addresses.clone());
        Ok(addresses)
    }
}

/// Reads what is left of a response, so that its connection goes back to the pool: a response dropped unread
/// closes its connection, and the next request pays for DNS, TCP and TLS again.
fn drain(mut response: Response<ureq::Body>) {
    let _ = std::io::copy(
        &mut response.body_mut().as_reader().take(1024 * 1024),
        &mut std::io::sink(),
    );
}

fn retryable(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::Protocol(_)
            | ureq::Error::ConnectionFailed
    )
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// A 128-bit hex name for a cache key. `DefaultHasher::new()` is deterministic within a toolchain; a different
/// toolchain only means a cold cache, and the key stored in the entry guards against collisions.
fn cache_hash(key: &str) -> String {
    let half = |salt: u8| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        key.hash(&mut hasher);
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_entries_round_trip_and_check_their_key() {
        let directory =
            std::env::temp_dir().join(format!("nplint-cache-test-{}", std::process::id()));
        let client = Client::new(&directory, 1).unwrap();
        client
            .cache_write(
                "files",
                "https://files.example.invalid/a.metadata",
                &["200"],
                b"body\nmore",
            )
            .unwrap();
        let (fields, body) = client
            .cache_read("files", "https://files.example.invalid/a.metadata", 1)
            .unwrap();
        assert_eq!(fields, ["200"]);
        assert_eq!(body, b"body\nmore");
        assert!(
            client
                .cache_read("files", "https://files.example.invalid/b", 1)
                .is_none()
        );
        std::fs::remove_dir_all(directory).unwrap();
    }

    #[test]
    fn cache_names_are_stable_and_distinct() {
        assert_eq!(cache_hash("a"), cache_hash("a"));
        assert_ne!(cache_hash("a"), cache_hash("b"));
        assert_eq!(cache_hash("a").len(), 32);
    }
}
