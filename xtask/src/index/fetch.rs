//! The sync's fetcher: [`nplint_registry::fetch`]'s [`IndexFetcher`] with the wheel scans of [`super::scan`]
//! plugged into the [`Fetcher`] trait's scan hooks (the registry crate reads declared metadata only and knows no
//! Python parser).

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use nplint_index::source::{ApiUse, BuildScan};
pub use nplint_registry::fetch::{Fetched, Fetcher, IndexFetcher, RemoteFile};
use serde::Serialize;

use super::http::{Transport, is_network};
use super::scan::{self, BuildFound, NameUses};
use super::simple::{File, ProjectPage};
use super::zip::Archive;

/// What the wheel scans look for, and how much they read.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// The removed names of `data/numpy-api.toml`.
    pub removed: BTreeSet<String>,
    /// The packages whose every release is scanned (the reviewed seeds); of the others, only those that require
    /// `numpy` in some release (see [`Fetcher::scans_every_release`]).
    pub every_release: BTreeSet<String>,
    pub build_budget: u64,
    pub api_budget: u64,
}

/// An [`IndexFetcher`] that also scans wheels when given a [`ScanConfig`].
#[derive(Debug)]
pub struct ScanningFetcher<T> {
    pub index: IndexFetcher<T>,
    /// The wheel scans; none without.
    scan: Option<ScanConfig>,
}

impl<T: Transport> ScanningFetcher<T> {
    pub fn new(index: IndexFetcher<T>) -> Self {
        Self { index, scan: None }
    }

    /// See [`IndexFetcher::exclude_newer`].
    #[must_use]
    pub fn exclude_newer(mut self, time: Option<&str>) -> Self {
        self.index = self.index.exclude_newer(time);
        self
    }

    /// Runs the wheel scans.
    #[must_use]
    pub fn scan(mut self, config: ScanConfig) -> Self {
        self.scan = Some(config);
        self
    }

    /// The transport requests go through (for its counters).
    pub fn transport(&self) -> &T {
        &self.index.transport
    }

    /// A value computed from a wheel's members and cached under `<url>#<what>`. A wheel that is not a zip file
    /// gives `fallback`; a network error is an error (and nothing is cached).
    fn scan_wheel<V: Serialize + serde::de::DeserializeOwned>(
        &self,
        wheel: &File,
        what: &str,
        fallback: V,
        compute: impl Fn(&Archive<RemoteFile<T>>) -> Result<V>,
    ) -> Result<V> {
        let Some(size) = wheel.size else {
            return Ok(fallback);
        };
        let fallback = serde_json::to_vec(&fallback)?;
        let key = format!("{}#{what}", wheel.url);
        let bytes = self.index.transport.derived(&key, &|| {
            let source = RemoteFile {
                transport: &self.index.transport,
                url: &wheel.url,
            };
            let archive = match Archive::open(&source, size) {
                Ok(archive) => archive,
                Err(error) if is_network(&error) => return Err(error),
                Err(_) => return Ok(fallback.clone()),
            };
            Ok(serde_json::to_vec(&compute(&archive)?)?)
        })?;
        serde_json::from_slice(&bytes).context("reading a cached scan")
    }
}

impl<T: Transport> Fetcher for ScanningFetcher<T> {
    fn project(&self, name: &str) -> Result<Option<ProjectPage>> {
        self.index.project(name)
    }

    fn metadata(&self, project: &str, file: &File) -> Result<Fetched> {
        self.index.metadata(project, file)
    }

    fn build_scan(&self, wheel: &File) -> Result<Option<BuildScan>> {
        let Some(config) = &self.scan else {
            return Ok(None);
        };
        let budget = config.build_budget;
        let found = self.scan_wheel(
            wheel,
            &format!("build-scan-v5-{budget}"),
            BuildFound::Unknown,
            |archive| scan::scan_build(archive, budget),
        )?;
        Ok(found.fact(&wheel.filename))
    }

    fn floor_scan(&self, wheel: &File) -> Result<Option<String>> {
        let Some(config) = &self.scan else {
            return Ok(None);
        };
        let budget = config.build_budget;
        self.scan_wheel(
            wheel,
            &format!("build-floor-v1-{budget}"),
            None,
            |archive| scan::scan_floor(archive, budget),
        )
    }

    fn rescan_build(&self, wheel: &File, recorded: &BuildScan) -> Result<Option<BuildScan>> {
        let Some(config) = &self.scan else {
            return Ok(None);
        };
        let budget = config.build_budget;
        let member = recorded.member.as_deref();
        let found = self.scan_wheel(
            wheel,
            &format!("build-rescan-v5-{budget}-{}", member.unwrap_or_default()),
            BuildFound::Unknown,
            |archive| scan::rescan_build(archive, member, budget),
        )?;
        Ok(found.fact(&wheel.filename))
    }

    fn scans_every_release(&self, project: &str) -> bool {
        self.scan
            .as_ref()
            .is_some_and(|config| config.every_release.contains(project))
    }

    fn removed_api(&self, wheel: &File) -> Result<Vec<ApiUse>> {
        let Some(config) = &self.scan else {
            return Ok(Vec::new());
        };
        let budget = config.api_budget;
        let uses: Vec<NameUses> = self.scan_wheel(
            wheel,
            &format!("numpy-api-v4-{budget}"),
            Vec::new(),
            |archive| scan::scan_api(archive, budget),
        )?;
        Ok(scan::removed_api(&uses, &config.removed, &wheel.filename))
    }
}
