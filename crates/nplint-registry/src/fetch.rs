//! The fetch layer: project pages and core metadata, behind the [`Fetcher`] trait so that the sync's logic runs
//! against memory in tests. [`IndexFetcher`] is the real one, over a [`Transport`]; it applies `--exclude-newer`.
//! The wheel scans are not here: the trait's scan hooks read nothing by default, and the index sync (xtask)
//! implements them over an [`IndexFetcher`] of its own, so that this crate needs no Python parser.

use std::io::Read;

use anyhow::{Context, Result, ensure};
use nplint_index::source::{ApiUse, BuildScan, MetadataSource};
use serde::{Deserialize, Serialize};

use crate::filename::{has_suffix, is_sdist};
use crate::http::{NetworkError, Transport, is_network};
use crate::metadata::{CoreMetadata, requires_txt_to_requires_dist};
use crate::names::normalize;
use crate::simple::{self, File, ProjectPage, normalize_time};
use crate::zip::{Archive, ByteSource};

/// Source distributions larger than this are not downloaded for their `PKG-INFO`; their metadata is `unknown`.
pub const MAX_SDIST: u64 = 20 * 1024 * 1024;

/// Core metadata of one file, and how it was read. `metadata` is `None` when it could not be read (`via` is then
/// [`MetadataSource::Unknown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub via: MetadataSource,
    pub metadata: Option<CoreMetadata>,
    /// Why the metadata is unknown, for the summary.
    pub note: Option<String>,
}

impl Fetched {
    fn unknown(note: String) -> Self {
        Self {
            via: MetadataSource::Unknown,
            metadata: None,
            note: Some(note),
        }
    }
}

/// What the sync asks of a package index.
pub trait Fetcher: Sync {
    /// A project's page; `None` when the index does not have the project.
    fn project(&self, name: &str) -> Result<Option<ProjectPage>>;
    /// The core metadata of one of the project's files.
    fn metadata(&self, project: &str, file: &File) -> Result<Fetched>;
    /// The `build` fact of a wheel; `None` when unknown or not scanned.
    fn build_scan(&self, _wheel: &File) -> Result<Option<BuildScan>> {
        Ok(None)
    }
    /// The NumPy floor of a wheel built against NumPy 2; `None` when unknown or not
    /// scanned.
    fn floor_scan(&self, _wheel: &File) -> Result<Option<String>> {
        Ok(None)
    }
    /// The `build` fact of a wheel scanned before, `recorded`, read again; `None`
    /// when unknown or not scanned.
    fn rescan_build(&self, _wheel: &File, _recorded: &BuildScan) -> Result<Option<BuildScan>> {
        Ok(None)
    }
    /// The `removed_api` facts of a wheel; empty when not scanned.
    fn removed_api(&self, _wheel: &File) -> Result<Vec<ApiUse>> {
        Ok(Vec::new())
    }
    /// Whether every release of `project` is scanned, or only when some release's metadata requires `numpy` (under
    /// any marker or extra; then all of them are). Scanning is most of a sync's time; a package that never declares
    /// NumPy rarely compiles against it or uses its API, and the packages known to (torch, pyarrow, onnxruntime,
    /// timm, ...) are reviewed seeds, scanned in full.
    fn scans_every_release(&self, _project: &str) -> bool {
        true
    }
}

/// A remote file read by ranges.
#[derive(Debug)]
pub struct RemoteFile<'a, T> {
    pub transport: &'a T,
    pub url: &'a str,
}

impl<T: Transport> ByteSource for RemoteFile<'_, T> {
    fn read_at(&self, start: u64, len: u64) -> Result<Vec<u8>> {
        self.transport
            .range(self.url, start, len)
            .map_err(|error| NetworkError(error).into())
    }
}

/// What a wheel's `*.dist-info/METADATA` read by ranges gave: the cached form of [`IndexFetcher::wheel_range`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum WheelMetadata {
    /// The file's text (invalid UTF-8 replaced).
    Found(String),
    /// The wheel has none.
    Missing,
    /// The wheel could not be read as a zip file: why.
    Unreadable(String),
}

/// The real fetcher: a simple-API index over a transport.
#[derive(Debug)]
pub struct IndexFetcher<T> {
    index_url: String,
    pub transport: T,
    /// Files uploaded after this time (normalized, see [`normalize_time`]) are left out of project pages.
    exclude_newer: Option<String>,
}

impl<T: Transport> IndexFetcher<T> {
    pub fn new(index_url: &str, transport: T) -> Self {
        Self {
            index_url: index_url.trim_end_matches('/').to_string(),
            transport,
            exclude_newer: None,
        }
    }

    /// Leaves files uploaded after `time` (RFC 3339, UTC) out, as uv's `--exclude-newer` does; files without an
    /// upload time are left out too.
    #[must_use]
    pub fn exclude_newer(mut self, time: Option<&str>) -> Self {
        self.exclude_newer = time.map(normalize_time);
        self
    }

    /// `*.dist-info/METADATA` read out of a wheel by ranges; what was found is cached, not the ranges.
    fn wheel_range(&self, project: &str, file: &File) -> Result<Fetched> {
        let Some(size) = file.size else {
            return Ok(Fetched::unknown(format!(
                "`{}`: no `.metadata` and no size in the listing",
                file.filename
            )));
        };
        let project = normalize(project);
        let compute = || -> Result<Vec<u8>> {
            let source = RemoteFile {
                transport: &self.transport,
                url: &file.url,
            };
            let read = || -> Result<Option<Vec<u8>>> {
                let archive = Archive::open(&source, size)?;
                let mut candidates: Vec<_> = archive
                    .entries
                    .iter()
                    .filter(|entry| {
                        entry.name.ends_with(".dist-info/METADATA")
                            && entry.name.matches('/').count() == 1
                    })
                    .collect();
                // Prefer the dist-info directory named after the project, should a wheel carry several.
                candidates.sort_by_key(|entry| {
                    let directory = entry.name.split('/').next().unwrap_or_default();
                    let name = directory.split('-').next().unwrap_or_default();
                    normalize(name) != project
                });
                candidates
                    .first()
                    .map(|entry| archive.read(entry))
                    .transpose()
            };
            let found = match read() {
                Ok(Some(bytes)) => {
                    WheelMetadata::Found(String::from_utf8_lossy(&bytes).into_owned())
                }
                Ok(None) => WheelMetadata::Missing,
                Err(error) if is_network(&error) => return Err(error),
                Err(error) => WheelMetadata::Unreadable(format!("{error:#}")),
            };
            Ok(serde_json::to_vec(&found)?)
        };
        let key = format!("{}#dist-info-metadata", file.url);
        let found: WheelMetadata = serde_json::from_slice(&self.transport.derived(&key, &compute)?)
            .context("reading a cached wheel METADATA")?;
        Ok(match found {
            WheelMetadata::Found(text) => Fetched {
                via: MetadataSource::WheelRange,
                metadata: Some(CoreMetadata::parse(&text)),
                note: None,
            },
            WheelMetadata::Missing => {
                Fetched::unknown(format!("`{}` has no `.dist-info/METADATA`", file.filename))
            }
            WheelMetadata::Unreadable(error) => {
                Fetched::unknown(format!("`{}`: {error}", file.filename))
            }
        })
    }

    /// `PKG-INFO` (and setuptools' `requires.txt`) of a source distribution: a `.tar.gz` is downloaded whole
    /// (up to [`MAX_SDIST`]), a `.zip` read by ranges. What was found is cached, not the archive.
    fn sdist(&self, file: &File) -> Result<Fetched> {
        let name = &file.filename;
        let gzip = has_suffix(name, ".tar.gz") || has_suffix(name, ".tgz");
        let zip = has_suffix(name, ".zip");
        if !gzip && !zip {
            return Ok(Fetched::unknown(format!(
                "`{name}`: archive format not read"
            )));
        }
        let size = file.size.unwrap_or(u64::MAX);
        if gzip && size > MAX_SDIST {
            return Ok(Fetched::unknown(format!(
                "`{name}` is larger than {} MiB",
                MAX_SDIST / 1024 / 1024
            )));
        }
        let key = format!("{}#sdist-metadata", file.url);
        let compute = || -> Result<Vec<u8>> {
            let found = if gzip {
                let bytes = self.transport.download(&file.url, MAX_SDIST)?;
                match sdist_files_from_tar_gz(&bytes) {
                    Ok(found) => found,
                    Err(error) => SdistFiles {
                        error: Some(format!("{error:#}")),
                        ..SdistFiles::default()
                    },
                }
            } else {
                let source = RemoteFile {
                    transport: &self.transport,
                    url: &file.url,
                };
                match sdist_files_from_zip(&source, size) {
                    Ok(found) => found,
                    Err(error) if is_network(&error) => {
                        return Err(error);
                    }
                    Err(error) => SdistFiles {
                        error: Some(format!("{error:#}")),
                        ..SdistFiles::default()
                    },
                }
            };
            Ok(serde_json::to_vec(&found)?)
        };
        let found: SdistFiles = serde_json::from_slice(&self.transport.derived(&key, &compute)?)
            .context("reading a cached sdist entry")?;
        Ok(found.metadata(name))
    }
}

impl<T: Transport> Fetcher for IndexFetcher<T> {
    fn project(&self, name: &str) -> Result<Option<ProjectPage>> {
        let url = format!("{}/{name}/", self.index_url);
        let Some(body) = self.transport.page(&url, simple::ACCEPT)? else {
            return Ok(None);
        };
        let mut page = ProjectPage::parse(&body, name).map_err(|error| {
            anyhow::anyhow!(
                "`{name}`: the index's page is neither PEP 691 JSON nor PEP 503 HTML: {error}"
            )
        })?;
        ensure!(
            normalize(&page.name) == name,
            "asked the index for `{name}`, got `{}`",
            page.name
        );
        page.resolve_urls(&url);
        page.redact_index_host(&self.index_url);
        if let Some(limit) = &self.exclude_newer {
            page.files.retain(|file| {
                file.upload_time
                    .as_deref()
                    .is_some_and(|time| normalize_time(time) <= *limit)
            });
        }
        Ok(Some(page))
    }

    fn metadata(&self, project: &str, file: &File) -> Result<Fetched> {
        if has_suffix(&file.filename, ".whl") {
            // Asked for even where the listing does not advertise it (PEP 658/714): indexes serve it regardless.
            if let Some(bytes) = self
                .transport
                .immutable(&format!("{}.metadata", file.url))?
            {
                return Ok(Fetched {
                    via: MetadataSource::MetadataFile,
                    metadata: Some(CoreMetadata::parse(&String::from_utf8_lossy(&bytes))),
                    note: None,
                });
            }
            return self.wheel_range(project, file);
        }
        if is_sdist(&file.filename) {
            return self.sdist(file);
        }
        Ok(Fetched::unknown(format!(
            "`{}` is neither a wheel nor an sdist",
            file.filename
        )))
    }
}

/// The metadata files found in a source distribution.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SdistFiles {
    pub pkg_info: Option<String>,
    pub requires_txt: Option<String>,
    /// Whether a `*.egg-info` directory was present (its absent `requires.txt` then means: no requirements).
    pub egg_info: bool,
    pub error: Option<String>,
}

impl SdistFiles {
    /// The metadata these files give:
    /// 1. `PKG-INFO` when its `Requires-Dist` is static (Metadata 2.2 or later, not `Dynamic`);
    /// 2. else `requires.txt` converted to `Requires-Dist`, with `Requires-Python` from `PKG-INFO`;
    /// 3. else, with an egg-info directory (setuptools wrote no `requires.txt`: no requirements) or with
    ///    `Requires-Dist` in `PKG-INFO` (flit, poetry), `PKG-INFO`;
    /// 4. else unknown: a plain `setup.py` sdist states its requirements only when it runs.
    pub fn metadata(&self, filename: &str) -> Fetched {
        let Some(pkg_info) = &self.pkg_info else {
            let reason = self.error.as_deref().unwrap_or("no `PKG-INFO`");
            return Fetched::unknown(format!("`{filename}`: {reason}"));
        };
        let mut metadata = CoreMetadata::parse(pkg_info);
        if !metadata.sdist_requires_are_static() {
            if let Some(requires) = &self.requires_txt {
                metadata.requires_dist = requires_txt_to_requires_dist(requires);
            } else if !self.egg_info && metadata.requires_dist.is_empty() {
                return Fetched::unknown(format!(
                    "`{filename}`: `PKG-INFO` without requirements and no egg-info"
                ));
            }
        }
        Fetched {
            via: MetadataSource::SdistPkgInfo,
            metadata: Some(metadata),
            note: None,
        }
    }

    /// Keeps a member if it is one of the files looked for: `<top>/PKG-INFO`, and the shallowest
    /// `*.egg-info/requires.txt` (`src/` layouts put it one level down).
    fn offer(
        &mut self,
        path: &str,
        depth_seen: &mut usize,
        read: impl FnOnce() -> Result<String>,
    ) -> Result<()> {
        let parts: Vec<&str> = path.trim_start_matches("./").split('/').collect();
        if parts.len() == 2 && parts[1] == "PKG-INFO" && self.pkg_info.is_none() {
            self.pkg_info = Some(read()?);
        } else if parts.len() >= 2
            && parts[parts.len() - 2].ends_with(".egg-info")
            && !parts[..parts.len() - 2]
                .iter()
                .any(|part| part.ends_with(".egg-info"))
        {
            self.egg_info = true;
            if parts[parts.len() - 1] == "requires.txt" && parts.len() < *depth_seen {
                *depth_seen = parts.len();
                self.requires_txt = Some(read()?);
            }
        }
        Ok(())
    }
}

/// Reads `PKG-INFO` and `requires.txt` out of a `.tar.gz` source distribution.
pub fn sdist_files_from_tar_gz(bytes: &[u8]) -> Result<SdistFiles> {
    let mut found = SdistFiles::default();
    let mut depth = usize::MAX;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        found.offer(&path, &mut depth, || {
            let mut bytes = Vec::new();
            (&mut entry).take(1024 * 1024).read_to_end(&mut bytes)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        })?;
    }
    Ok(found)
}

/// Reads `PKG-INFO` and `requires.txt` out of a `.zip` source distribution by ranges.
fn sdist_files_from_zip(source: &impl ByteSource, size: u64) -> Result<SdistFiles> {
    let archive = Archive::open(source, size)?;
    let mut found = SdistFiles::default();
    let mut depth = usize::MAX;
    for entry in &archive.entries {
        found.offer(&entry.name, &mut depth, || {
            Ok(String::from_utf8_lossy(&archive.read(entry)?).into_owned())
        })?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;
    use std::sync::Mutex;

    use super::*;
    use crate::simple::Yanked;
    use crate::zip::testing::build_zip;

    /// Files in memory: `GET` answers 404 for anything not there; every request is logged.
    #[derive(Debug, Default)]
    struct MemoryTransport {
        files: HashMap<String, Vec<u8>>,
        log: Mutex<Vec<String>>,
    }

    impl Transport for MemoryTransport {
        fn page(&self, url: &str, _: &str) -> Result<Option<Vec<u8>>> {
            self.immutable(url)
        }

        fn immutable(&self, url: &str) -> Result<Option<Vec<u8>>> {
            self.log.lock().unwrap().push(format!("GET {url}"));
            Ok(self.files.get(url).cloned())
        }

        fn range(&self, url: &str, start: u64, len: u64) -> Result<Vec<u8>> {
            self.log.lock().unwrap().push(format!("RANGE {url}"));
            let bytes = self.files.get(url).context("404")?;
            let start = usize::try_from(start)?.min(bytes.len());
            let end = (start + usize::try_from(len)?).min(bytes.len());
            Ok(bytes[start..end].to_vec())
        }

        fn derived(&self, _: &str, compute: &dyn Fn() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
            compute()
        }

        fn download(&self, url: &str, _: u64) -> Result<Vec<u8>> {
            self.log.lock().unwrap().push(format!("DOWNLOAD {url}"));
            self.files.get(url).cloned().context("404")
        }
    }

    fn file(filename: &str, size: u64) -> File {
        File {
            filename: filename.to_string(),
            url: format!("https://files.example.invalid/{filename}"),
            requires_python: Some(">=3.6".to_string()),
            yanked: Yanked::No,
            upload_time: None,
            size: Some(size),
        }
    }

    fn tar_gz(members: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (path, content) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, content.as_bytes())
                .unwrap();
        }
        let mut encoder = builder.into_inner().unwrap();
        encoder.flush().unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn reads_the_metadata_file_first() {
        let wheel = file("numpy-2.1.0-cp312-cp312-win_amd64.whl", 1);
        let mut transport = MemoryTransport::default();
        transport.files.insert(
            format!("{}.metadata", wheel.url),
            include_bytes!("fixtures/numpy-2.1.0.METADATA").to_vec(),
        );
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple/", transport);
        let outcome = fetcher.metadata("numpy", &wheel).unwrap();
        assert_eq!(outcome.via, MetadataSource::MetadataFile);
        assert_eq!(
            outcome.metadata.unwrap().requires_python.as_deref(),
            Some(">=3.10")
        );
    }

    #[test]
    fn falls_back_to_range_reads_of_the_wheel() {
        // tensorflow 2.5.0's wheels have no `.metadata` on the index (recorded: 404).
        let metadata = include_bytes!("fixtures/tensorflow-2.5.0.METADATA");
        let zip = build_zip(
            &[
                ("tensorflow/__init__.py", b"".as_slice(), true),
                (
                    "tensorflow-2.5.0.dist-info/METADATA",
                    metadata.as_slice(),
                    true,
                ),
                (
                    "tensorflow-2.5.0.dist-info/WHEEL",
                    b"Wheel-Version: 1.0\n".as_slice(),
                    true,
                ),
            ],
            false,
            0,
        );
        let wheel = file(
            "tensorflow-2.5.0-cp39-cp39-manylinux2010_x86_64.whl",
            zip.len() as u64,
        );
        let mut transport = MemoryTransport::default();
        transport.files.insert(wheel.url.clone(), zip);
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple", transport);
        let outcome = fetcher.metadata("tensorflow", &wheel).unwrap();
        assert_eq!(outcome.via, MetadataSource::WheelRange);
        let metadata = outcome.metadata.unwrap();
        assert!(
            metadata
                .requires_dist
                .contains(&"numpy (~=1.19.2)".to_string())
        );
        let log = fetcher.transport.log.lock().unwrap();
        assert_eq!(log[0], format!("GET {}.metadata", wheel.url));
        assert!(log[1..].iter().all(|line| line.starts_with("RANGE ")));
    }

    #[test]
    fn a_broken_wheel_is_unknown_not_an_error() {
        let wheel = file("demo-1.0-py3-none-any.whl", 64);
        let mut transport = MemoryTransport::default();
        transport.files.insert(wheel.url.clone(), vec![0; 64]);
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple", transport);
        let outcome = fetcher.metadata("demo", &wheel).unwrap();
        assert_eq!(outcome.via, MetadataSource::Unknown);
        assert!(outcome.note.unwrap().contains("not a zip file"));
    }

    #[test]
    fn a_network_failure_during_range_reads_is_an_error() {
        let wheel = file("demo-1.0-py3-none-any.whl", 64);
        // The file is not there at all: the range read fails.
        let fetcher = IndexFetcher::new(
            "https://index.example.invalid/simple",
            MemoryTransport::default(),
        );
        assert!(fetcher.metadata("demo", &wheel).is_err());
    }

    #[test]
    fn reads_old_setuptools_sdists_through_requires_txt() {
        let gensim = include_str!("fixtures/gensim-4.0.1.METADATA");
        // An sdist of the time: Metadata 2.1 without `Requires-Dist` in PKG-INFO, requirements in requires.txt.
        let pkg_info = gensim
            .lines()
            .filter(|line| !line.starts_with("Requires-Dist"))
            .collect::<Vec<_>>()
            .join("\n");
        let archive = tar_gz(&[
            ("gensim-4.0.1/setup.py", "setup()\n"),
            ("gensim-4.0.1/PKG-INFO", &pkg_info),
            ("gensim-4.0.1/gensim.egg-info/PKG-INFO", &pkg_info),
            (
                "gensim-4.0.1/gensim.egg-info/requires.txt",
                "numpy>=1.11.3\nscipy>=0.18.1\nsmart_open>=1.8.1\n\n[:python_version < \"3.7\"]\ndataclasses\n\n[test]\npytest\n",
            ),
        ]);
        let sdist = file("gensim-4.0.1.tar.gz", archive.len() as u64);
        let mut transport = MemoryTransport::default();
        transport.files.insert(sdist.url.clone(), archive);
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple", transport);
        let outcome = fetcher.metadata("gensim", &sdist).unwrap();
        assert_eq!(outcome.via, MetadataSource::SdistPkgInfo);
        let metadata = outcome.metadata.unwrap();
        assert_eq!(metadata.requires_python.as_deref(), Some(">=3.6"));
        assert_eq!(
            metadata.requires_dist,
            [
                "numpy>=1.11.3",
                "scipy>=0.18.1",
                "smart_open>=1.8.1",
                "dataclasses; python_version < \"3.7\"",
                "pytest; extra == \"test\"",
            ]
        );
    }

    #[test]
    fn trusts_static_metadata_of_modern_sdists() {
        let archive = tar_gz(&[(
            "demo-2.0/PKG-INFO",
            "Metadata-Version: 2.4\nName: demo\nRequires-Python: >=3.10\nRequires-Dist: numpy>=2\n",
        )]);
        let sdist = file("demo-2.0.tar.gz", archive.len() as u64);
        let mut transport = MemoryTransport::default();
        transport.files.insert(sdist.url.clone(), archive);
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple", transport);
        let metadata = fetcher.metadata("demo", &sdist).unwrap().metadata.unwrap();
        assert_eq!(metadata.requires_dist, ["numpy>=2"]);
    }

    #[test]
    fn a_setup_py_sdist_without_egg_info_is_unknown() {
        let archive = tar_gz(&[
            ("demo-1.0/PKG-INFO", "Metadata-Version: 1.1\nName: demo\n"),
            ("demo-1.0/setup.py", "setup(install_requires=['numpy'])\n"),
        ]);
        let sdist = file("demo-1.0.tar.gz", archive.len() as u64);
        let mut transport = MemoryTransport::default();
        transport.files.insert(sdist.url.clone(), archive);
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple", transport);
        assert_eq!(
            fetcher.metadata("demo", &sdist).unwrap().via,
            MetadataSource::Unknown
        );
    }

    #[test]
    fn large_sdists_are_not_downloaded() {
        let sdist = file("demo-1.0.tar.gz", MAX_SDIST + 1);
        let fetcher = IndexFetcher::new(
            "https://index.example.invalid/simple",
            MemoryTransport::default(),
        );
        let outcome = fetcher.metadata("demo", &sdist).unwrap();
        assert_eq!(outcome.via, MetadataSource::Unknown);
        assert!(fetcher.transport.log.lock().unwrap().is_empty());
    }

    #[test]
    fn reads_a_recorded_project_page_and_checks_its_name() {
        let mut transport = MemoryTransport::default();
        transport.files.insert(
            "https://index.example.invalid/simple/scikit-image/".to_string(),
            include_bytes!("fixtures/simple-scikit-image.json").to_vec(),
        );
        transport.files.insert(
            "https://index.example.invalid/simple/skimage/".to_string(),
            include_bytes!("fixtures/simple-scikit-image.json").to_vec(),
        );
        let fetcher = IndexFetcher::new("https://index.example.invalid/simple/", transport);
        let page = fetcher.project("scikit-image").unwrap().unwrap();
        assert_eq!(page.files.len(), 21);
        assert!(fetcher.project("skimage").is_err());
        assert!(fetcher.project("absent").unwrap().is_none());
    }
}
