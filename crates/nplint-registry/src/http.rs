//! The only network access of nplint: a blocking HTTP client with timeouts, retries, a bound on requests in
//! flight, basic authentication, and an on-disk cache (see [`crate::cache`]).
//!
//! `ureq` 3 is the client: small, blocking (callers are a bounded pool of worker threads, no async runtime
//! needed), maintained, pure Rust TLS (rustls) verified against the platform's trust store (so it works behind
//! a TLS-inspecting proxy whose CA the system trusts, as pip and uv do), and gzip decoding. Metadata files and
//! what is derived from a distribution file are immutable (a file on the index never changes; a 404 for a
//! `.metadata` file is kept too) and cached forever, keyed by URL. Project pages are used as cached within a
//! freshness window, then revalidated with `If-None-Match`/`If-Modified-Since` when the server gave an `ETag` or
//! `Last-Modified`, and refetched otherwise. Cache keys are URLs without credentials: those are sent as a header
//! and written nowhere.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use ureq::http::{HeaderMap, Response};

use crate::cache::Store;
use crate::url::{Credentials, IndexUrl};

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

/// A failure to reach an index: connection errors, timeouts, or 429/5xx answers, still so after every retry.
/// Marks an error chain so that [`crate::RegistryError`] can tell an unreachable index from a wrong answer.
#[derive(Debug)]
pub struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

/// Whether `error` is, or was caused by, an [`Unreachable`] (looking inside [`NetworkError`]s too).
pub fn is_unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<Unreachable>()
            || cause
                .downcast_ref::<NetworkError>()
                .is_some_and(|network| is_unreachable(&network.0))
    })
}

/// How a [`Client`] talks to indexes and where it caches.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The HTTP cache; `None` caches nothing.
    pub cache_dir: Option<PathBuf>,
    /// How long to wait for a connection, for a response, and between two reads of it.
    pub timeout: Duration,
    /// Attempts after the first for connection errors, timeouts, 429 and 5xx.
    pub retries: u32,
    /// The first wait before a retry; each next one doubles (up to 30 s). A `Retry-After` is honoured.
    pub backoff: Duration,
    /// Requests in flight at once, over all threads using the client.
    pub concurrency: usize,
    /// A cached project page younger than this is used without asking the index.
    pub freshness: Duration,
    /// The cache's bound; the oldest entries are removed beyond it.
    pub max_cache_bytes: u64,
}

impl Default for ClientOptions {
    /// The default cache directory, 30 s timeouts, 3 retries from 500 ms, 16 requests at once, pages fresh for
    /// 10 minutes (as pip and uv keep them), a 1 GiB cache.
    fn default() -> Self {
        Self {
            cache_dir: crate::default_cache_dir(),
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            concurrency: 16,
            freshness: Duration::from_mins(10),
            max_cache_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// What a client did, from [`Client::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Responses downloaded in full (status 200 with a body).
    pub downloaded: u64,
    /// Cached pages revalidated (status 304).
    pub revalidated: u64,
    /// Answers served from the cache without a request.
    pub from_cache: u64,
    /// Requests that were retries.
    pub retries: u64,
    /// Body bytes received.
    pub bytes: u64,
}

#[derive(Debug, Default)]
struct Stats {
    requests: AtomicU64,
    downloaded: AtomicU64,
    revalidated: AtomicU64,
    from_cache: AtomicU64,
    retries: AtomicU64,
    bytes: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

const MAX_PAGE: u64 = 256 * 1024 * 1024;
const MAX_METADATA: u64 = 32 * 1024 * 1024;
/// The kind of cache entry of project pages and other revalidated resources (`ETag`, `Last-Modified`, fetched
/// at). The `-v2` entries added the fetch time.
const PAGES: &str = "pages-v2";

/// The HTTP client with its cache. `Sync`: threads share one client, which bounds how many requests are in
/// flight.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    cache: Option<Store>,
    options: ClientOptions,
    stats: Stats,
    /// Requests in flight, at most `options.concurrency`.
    in_flight: Mutex<usize>,
    released: Condvar,
    /// Per origin (`scheme://host:port`), the credentials to send: an index URL's, else netrc's.
    credentials: Mutex<HashMap<String, Option<Credentials>>>,
}

/// One request slot; freed when dropped.
struct Permit<'a>(&'a Client);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.in_flight.lock().expect("not poisoned") -= 1;
        self.0.released.notify_one();
    }
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Self> {
        let cache = options
            .cache_dir
            .as_deref()
            .map(|directory| Store::new(directory, options.max_cache_bytes))
            .transpose()?;
        let concurrency = options.concurrency.max(1);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("nplint/", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(options.timeout))
            .timeout_recv_response(Some(options.timeout))
            .timeout_per_read(Some(options.timeout))
            // A body that trickles in slower than any read's timeout still ends.
            .timeout_global(Some(options.timeout * 5))
            // One kept-alive connection per request in flight and host (index and file host), or every request
            // beyond the pool's default of 10 would pay a new TLS handshake.
            .max_idle_connections(2 * concurrency)
            .max_idle_connections_per_host(concurrency)
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
            cache,
            options,
            stats: Stats::default(),
            in_flight: Mutex::new(0),
            released: Condvar::new(),
            credentials: Mutex::new(HashMap::new()),
        })
    }

    /// What the client did so far.
    pub fn stats(&self) -> Counts {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Counts {
            requests: load(&self.stats.requests),
            downloaded: load(&self.stats.downloaded),
            revalidated: load(&self.stats.revalidated),
            from_cache: load(&self.stats.from_cache),
            retries: load(&self.stats.retries),
            bytes: load(&self.stats.bytes),
        }
    }

    /// Sends `index`'s credentials to its origin from now on.
    pub(crate) fn authenticate(&self, index: &IndexUrl) {
        if let Some(credentials) = index.credentials() {
            self.credentials
                .lock()
                .expect("not poisoned")
                .insert(index.origin().to_owned(), Some(credentials.clone()));
        }
    }

    /// The `Authorization` header for `url`: its origin's credentials, looked up in netrc the first time.
    fn authorization(&self, url: &str) -> Option<String> {
        let origin = crate::url::origin(url);
        let mut known = self.credentials.lock().expect("not poisoned");
        known
            .entry(origin.to_owned())
            .or_insert_with(|| {
                IndexUrl::parse(origin)
                    .ok()
                    .and_then(|url| url.credentials().cloned())
            })
            .as_ref()
            .map(Credentials::header)
    }

    fn permit(&self) -> Permit<'_> {
        let mut in_flight = self.in_flight.lock().expect("not poisoned");
        while *in_flight >= self.options.concurrency.max(1) {
            in_flight = self.released.wait(in_flight).expect("not poisoned");
        }
        *in_flight += 1;
        Permit(self)
    }

    /// Sends a GET with retries: connection errors, timeouts, 429 and 5xx are retried with exponential backoff
    /// (honouring a short `Retry-After`); any other status is returned. Failing still after the retries is
    /// [`Unreachable`]. `url` carries no credentials: they go in a header, and errors name the URL.
    fn send(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response<ureq::Body>> {
        let attempts = self.options.retries + 1;
        let authorization = self.authorization(url);
        let mut delay = self.options.backoff;
        for attempt in 1..=attempts {
            let mut request = self.agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            if let Some(authorization) = &authorization {
                request = request.header("Authorization", authorization);
            }
            bump(&self.stats.requests);
            if attempt > 1 {
                bump(&self.stats.retries);
            }
            let retry_after = match request.call() {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status != 429 && status < 500 {
                        return Ok(response);
                    }
                    if attempt == attempts {
                        drain(response);
                        return Err(Unreachable(format!(
                            "GET {url}: status {status} after {attempts} attempts"
                        ))
                        .into());
                    }
                    let wait = retry_after(response.headers());
                    drain(response);
                    wait
                }
                Err(error) => {
                    if !retryable(&error) {
                        return Err(error).with_context(|| format!("GET {url}"));
                    }
                    if attempt == attempts {
                        return Err(Unreachable(format!(
                            "GET {url}: {error} after {attempts} attempts"
                        ))
                        .into());
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
            .map_err(|error| {
                // A body cut short by a timeout or a reset is the index failing, as a refused connection is.
                if matches!(error, ureq::Error::Io(_) | ureq::Error::Timeout(_)) {
                    anyhow::Error::new(Unreachable(format!("reading {url}: {error}")))
                } else {
                    anyhow::Error::new(error).context(format!("reading {url}"))
                }
            })?;
        self.stats
            .bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(bytes)
    }

    fn cache_read(&self, kind: &str, key: &str, fields: usize) -> Option<(Vec<String>, Vec<u8>)> {
        self.cache.as_ref()?.read(kind, key, fields)
    }

    fn cache_write(&self, kind: &str, key: &str, fields: &[&str], body: &[u8]) -> Result<()> {
        match &self.cache {
            Some(cache) => cache.write(kind, key, fields, body),
            None => Ok(()),
        }
    }

    fn hit(&self) {
        bump(&self.stats.from_cache);
    }

    /// A resource that may change (a project page, a file of an index's own), through the cache: used as cached
    /// while younger than the freshness window, else revalidated with `If-None-Match`/`If-Modified-Since` when
    /// the server gave an `ETag` or `Last-Modified`, else fetched again. `None` on 404.
    pub(crate) fn revalidated(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>> {
        let cached = self.cache_read(PAGES, url, 3);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        if let Some((fields, body)) = &cached {
            let fetched: u64 = fields[2].parse().unwrap_or(0);
            if now.saturating_sub(fetched) < self.options.freshness.as_secs() {
                self.hit();
                return Ok(Some(body.clone()));
            }
        }
        let mut headers = vec![("Accept", accept)];
        if let Some((fields, _)) = &cached {
            if !fields[0].is_empty() {
                headers.push(("If-None-Match", &fields[0]));
            }
            if !fields[1].is_empty() {
                headers.push(("If-Modified-Since", &fields[1]));
            }
        }
        let _permit = self.permit();
        let mut response = self.send(url, &headers)?;
        match response.status().as_u16() {
            304 => {
                drain(response);
                let (fields, body) = cached.context("304 without a cached page")?;
                bump(&self.stats.revalidated);
                // Fresh again from now, and the newest for pruning. Without a window or a bound neither
                // matters, and the sync would rewrite megabytes of pages for nothing.
                if !self.options.freshness.is_zero() || self.options.max_cache_bytes != u64::MAX {
                    self.cache_write(
                        PAGES,
                        url,
                        &[&fields[0], &fields[1], &now.to_string()],
                        &body,
                    )?;
                }
                Ok(Some(body))
            }
            404 => {
                drain(response);
                Ok(None)
            }
            200 => {
                let body = self.read_body(&mut response, MAX_PAGE, url)?;
                bump(&self.stats.downloaded);
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let (etag, modified) = (header("etag"), header("last-modified"));
                self.cache_write(PAGES, url, &[&etag, &modified, &now.to_string()], &body)?;
                Ok(Some(body))
            }
            status => bail!("GET {url}: status {status}"),
        }
    }

    /// A cached GET of any file (`url` may carry credentials, as an index URL may): as a project page, used as
    /// cached within the freshness window, then revalidated. A 404 is an error.
    pub fn get(&self, url: &str) -> Result<Vec<u8>, crate::RegistryError> {
        let parsed = IndexUrl::file(url).map_err(|reason| crate::RegistryError::Failed {
            index: "?".to_owned(),
            what: "a file".to_owned(),
            reason,
        })?;
        self.authenticate(&parsed);
        let what = format!("`{}`", parsed.as_str());
        let index = crate::url::origin(&parsed.to_string()).to_owned();
        match self.revalidated(parsed.as_str(), "*/*") {
            Ok(Some(body)) => Ok(body),
            Ok(None) => Err(crate::RegistryError::Failed {
                index,
                what,
                reason: "not found (404)".to_owned(),
            }),
            Err(error) => Err(crate::RegistryError::new(&index, what, &error)),
        }
    }

    /// A resource as the server has it now, neither read from the cache nor written to it; `None` on 404. For
    /// checks of the data, which a stale cache could make pass.
    pub fn fresh(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>> {
        let _permit = self.permit();
        let mut response = self.send(url, &[("Accept", accept), ("Cache-Control", "no-cache")])?;
        match response.status().as_u16() {
            200 => {
                let body = self.read_body(&mut response, MAX_PAGE, url)?;
                bump(&self.stats.downloaded);
                Ok(Some(body))
            }
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
        self.revalidated(url, accept)
    }

    fn immutable(&self, url: &str) -> Result<Option<Vec<u8>>> {
        if let Some((fields, body)) = self.cache_read("files", url, 1) {
            self.hit();
            return Ok((fields[0] == "200").then_some(body));
        }
        let _permit = self.permit();
        let mut response = self.send(url, &[])?;
        match response.status().as_u16() {
            200 => {
                let body = self.read_body(&mut response, MAX_METADATA, url)?;
                bump(&self.stats.downloaded);
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
        let _permit = self.permit();
        let mut response = self.send(url, &[("Range", &range)])?;
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
        let _permit = self.permit();
        let mut response = self.send(url, &[])?;
        match response.status().as_u16() {
            200 => {
                let body = self.read_body(&mut response, max, url)?;
                bump(&self.stats.downloaded);
                Ok(body)
            }
            status => bail!("GET {url}: status {status}"),
        }
    }
}

impl<T: Transport> Transport for &T {
    fn page(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>> {
        (**self).page(url, accept)
    }

    fn immutable(&self, url: &str) -> Result<Option<Vec<u8>>> {
        (**self).immutable(url)
    }

    fn range(&self, url: &str, start: u64, len: u64) -> Result<Vec<u8>> {
        (**self).range(url, start, len)
    }

    fn derived(&self, key: &str, compute: &dyn Fn() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
        (**self).derived(key, compute)
    }

    fn download(&self, url: &str, max: u64) -> Result<Vec<u8>> {
        (**self).download(url, max)
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
